"""The CSV writer: its own field formatting gives pandas' ``to_csv`` bytes, piece by piece."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trialfinder.core.errors import DataFileError
from trialfinder.tables import export
from trialfinder.tables.export import to_csv_bytes, write_csv, write_export


def tricky() -> pd.DataFrame:
    """Every kind of column the writer formats, with values that need quotes or care."""
    return pd.DataFrame({
        "nct_id": pd.array([f"NCT9900000{i}" for i in range(5)], dtype="string"),
        "title": pd.array(['say "hi"', "a, b", "line\nbreak", None, "=1+1"], dtype="string"),
        "note": pd.Series(["\rcarriage", ["x", None, 3], None, 4.5, "ünï, code"],
                          dtype=object),
        "ratio": [0.1 + 0.2, 1e16, np.nan, -0.0, 2.5],
        "count": np.array([1, -2, 3, 0, 7], dtype=np.int64),
        "enrollment": pd.array([-5, None, 10, 0, 3], dtype="Int64"),
        "age": pd.array([18.5, None, 1e-5, 65.0, 0.1 + 0.2], dtype="Float64"),
        "ok": pd.array([True, None, False, True, False], dtype="boolean"),
        "status": pd.Categorical(["RECRUITING", "+1", None, "A, B", "RECRUITING"]),
        "dose": pd.Categorical([1.5, 2.0, None, 1.5, 2.0]),
        "start": pd.to_datetime(["2023-05-31", "2023-05-01", None, "2024-01-01",
                                 "2025-12-31"]),
        "start_precision": pd.Categorical(["day", "month", None, "year", "day"]),
        "=danger": pd.array(["x", "y", "z", "w", "v"], dtype="string"),
    })


def test_fields_are_formatted_and_quoted_like_the_csv_module() -> None:
    text = to_csv_bytes(tricky()).decode("utf-8")
    rows = text.split("\r\n")
    assert rows[0] == ("nct_id,title,note,ratio,count,enrollment,age,ok,status,dose,start,"
                       "start_precision,'=danger")
    # numbers are never guarded (-5 stays -5); text is ('\rcarriage' is quoted besides)
    assert rows[1] == ('NCT99000000,"say ""hi""","\'\rcarriage",0.30000000000000004,1,-5,'
                       "18.5,true,RECRUITING,1.5,2023-05-31,day,x")
    # a list cell is joined with "|"; a category is guarded like any text
    assert rows[2] == "NCT99000001,\"a, b\",x||3,1e+16,-2,,,,'+1,2.0,2023-05,month,y"
    assert rows[3] == 'NCT99000002,"line\nbreak",,,3,10,1e-05,false,,,,,z'
    assert rows[4] == "NCT99000003,,4.5,-0.0,0,0,65.0,true,\"A, B\",1.5,2024,year,w"
    assert rows[5] == ("NCT99000004,'=1+1,\"ünï, code\",2.5,7,3,0.30000000000000004,false,"
                       "RECRUITING,2.0,2025-12-31,day,v")
    assert rows[6:] == [""]  # the file ends with CRLF


@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_same_bytes_as_pandas_to_csv_across_chunks(monkeypatch: pytest.MonkeyPatch,
                                                   chunk: int) -> None:
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", chunk)
    frame = tricky()
    reference = export._csv_text_pandas(export._csv_frame(frame)).encode("utf-8")
    assert to_csv_bytes(frame) == reference
    assert to_csv_bytes(frame.iloc[:0]) == reference.split(b"\r\n")[0] + b"\r\n"


def test_narrow_frames_keep_the_quoted_empty_row() -> None:
    one = pd.DataFrame({"title": pd.array(["a", None, ""], dtype="string")})
    assert to_csv_bytes(one) == b'title\r\na\r\n""\r\n""\r\n'
    assert to_csv_bytes(pd.DataFrame()) == b"\r\n"  # pandas' own answer


class Recorder(io.BytesIO):
    """A binary file that remembers the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sizes.append(len(data))
        return super().write(bytes(data))


def test_write_csv_streams_the_same_bytes_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", 2)
    frame = tricky()
    handle = Recorder()
    write_csv(frame, handle)
    whole = to_csv_bytes(frame)
    assert handle.getvalue() == whole
    assert len(handle.sizes) == 4  # header, rows 1-2, rows 3-4, row 5
    assert max(handle.sizes) < len(whole) / 2


def test_write_export_streams_into_the_file(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", 2)
    target = write_export(tmp_path / "studies.csv", tricky(), {"query": "x"})
    assert target.read_bytes() == to_csv_bytes(tricky())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studies.csv",
                                                         "studies.csv.meta.json"]


def test_a_failed_stream_leaves_no_file(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(df: pd.DataFrame, handle: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_csv", broken)
    with pytest.raises(DataFileError, match="No space left on device"):
        write_export(tmp_path / "studies.csv", tricky(), {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_the_arrow_and_python_row_writers_give_the_same_bytes(
        monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    pytest.importorskip("pyarrow")
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", chunk)
    frame = tricky()
    # a long text column whose cells need every kind of care, split over two Arrow chunks
    # the way page-by-page tables are
    notes = ['plain', 'has "quotes"', "comma, here", None, "two\r\nlines"]
    halves = pd.concat([pd.Series(notes[:2], dtype="string"),
                        pd.Series(notes[2:], dtype="string")], ignore_index=True)
    frame.insert(1, "notes", halves)
    fast = to_csv_bytes(frame)
    assert export.arrow_rows(export._csv_frame(frame)) is not None  # the Arrow way ran
    monkeypatch.setattr(export, "arrow_rows", lambda prepared: None)
    assert to_csv_bytes(frame) == fast
    reference = export._csv_text_pandas(export._csv_frame(frame)).encode("utf-8")
    assert fast == reference
    assert b'NCT99000001,"has ""quotes""",' in fast
    assert b'NCT99000004,"two\r\nlines",' in fast
