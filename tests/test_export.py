"""CSV / JSON lines exports and the provenance sidecar (fictional NCT99... rows)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.core.codes import Status
from trialfinder.core.errors import DataFileError, InvalidQueryError
from trialfinder.core.provenance import ResultMeta
from trialfinder.tables.export import (
    STALE_TMP_SECONDS,
    clean_stale_tmp,
    meta_json_bytes,
    sidecar_path,
    to_csv_bytes,
    to_jsonl_bytes,
    write_export,
    write_jsonl,
)

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame({
        "nct_id": pd.array(["NCT99000001", "NCT99000002", "NCT99000003"], dtype="string"),
        "title": pd.array([EVIL, "-5", None], dtype="string"),
        "enrollment": pd.array([-5, 120, None], dtype="Int64"),
        "min_age_years": pd.array([18.5, None, -1.0], dtype="Float64"),
        "has_results": pd.array([True, None, False], dtype="boolean"),
        "start_date": pd.to_datetime(["2023-05-31", "2023-05-01", None]),
        "start_date_precision": pd.Categorical(["day", "month", None]),
        "completion_date": pd.to_datetime(["2025-01-01", "2024-02-01", "2026-07-04"]),
        "completion_date_precision": pd.Categorical(["year", "month", "day"]),
        "status": pd.Categorical(["RECRUITING", "+1", None]),
        "notes": pd.Series(["\tindented", "\rreturn", "@user"], dtype=object),
        "sponsor": pd.array(["Fictional Sponsor, Inc.", "Ünïcode Example", "plain"],
                            dtype="string"),
    })


def read_back(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_csv_formula_injection_is_neutralised(df: pd.DataFrame) -> None:
    data = to_csv_bytes(df)
    back = read_back(data)
    assert back.loc[0, "title"] == "'" + EVIL
    assert back.loc[1, "title"] == "'-5"  # text "-5" is quoted
    assert back.loc[0, "status"] == "RECRUITING"
    assert back.loc[1, "status"] == "'+1"  # categorical text is guarded too
    assert list(back["notes"]) == ["'\tindented", "'\rreturn", "'@user"]
    assert b"'=HYPERLINK" in data


def test_csv_numbers_stay_numbers(df: pd.DataFrame) -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(df)))
    assert back.loc[0, "enrollment"] == -5
    assert back.loc[2, "min_age_years"] == -1.0
    assert read_back(to_csv_bytes(df)).loc[0, "enrollment"] == "-5"  # no quote added


def test_csv_dates_booleans_and_missing(df: pd.DataFrame) -> None:
    back = read_back(to_csv_bytes(df))
    assert list(back["start_date"]) == ["2023-05-31", "2023-05", ""]
    assert list(back["completion_date"]) == ["2025", "2024-02", "2026-07-04"]
    assert list(back["has_results"]) == ["true", "", "false"]
    assert list(back["enrollment"]) == ["-5", "120", ""]
    assert back.loc[2, "title"] == ""


def test_csv_layout_and_encoding(df: pd.DataFrame) -> None:
    data = to_csv_bytes(df)
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    text = data.decode("utf-8")
    assert text.split("\r\n")[0] == ",".join(df.columns)
    assert text.endswith("\r\n")
    assert '"\'\rreturn"' in text  # a bare CR is quoted, so it cannot end the row
    assert "Ünïcode Example" in text
    assert '"Fictional Sponsor, Inc."' in text
    back = read_back(data)
    assert list(back.columns) == list(df.columns)
    assert len(back) == len(df)


def test_csv_joins_lists_and_dates_without_precision() -> None:
    frame = pd.DataFrame({
        "names": pd.Series([["a", "b"], ("c",), None], dtype=object),
        "when": pd.to_datetime(["2024-01-02", None, "2024-03-04"]),
        "stamp": pd.to_datetime(["2024-01-02 10:30:00", None, None]),
        "flag": [True, False, True],
        "neg": [-1, -2, 3],
    })
    back = read_back(to_csv_bytes(frame))
    assert list(back["names"]) == ["a|b", "c", ""]
    assert list(back["when"]) == ["2024-01-02", "", "2024-03-04"]
    assert back.loc[0, "stamp"] == "2024-01-02T10:30:00"
    assert list(back["flag"]) == ["true", "false", "true"]
    assert list(back["neg"]) == ["-1", "-2", "3"]


def test_csv_guards_risky_headers() -> None:
    back = read_back(to_csv_bytes(pd.DataFrame({"=cmd": ["x"]})))
    assert list(back.columns) == ["'=cmd"]


def test_jsonl(df: pd.DataFrame) -> None:
    lines = to_jsonl_bytes(df).decode("utf-8").splitlines()
    assert len(lines) == 3
    rows = [json.loads(line) for line in lines]
    assert list(rows[0]) == list(df.columns)
    assert rows[0]["title"] == EVIL  # exact in JSON
    assert rows[0]["enrollment"] == -5
    assert rows[0]["has_results"] is True
    assert rows[0]["start_date"] == "2023-05-31"
    assert rows[1]["start_date"] == "2023-05"
    assert rows[0]["completion_date"] == "2025"
    assert rows[1]["min_age_years"] is None
    assert rows[1]["has_results"] is None
    assert rows[2]["title"] is None
    assert rows[2]["start_date"] is None
    assert rows[2]["status"] is None
    assert rows[1]["sponsor"] == "Ünïcode Example"
    assert to_jsonl_bytes(df.iloc[:0]) == b""


def test_jsonl_written_in_pieces_is_one_line_a_row_in_order() -> None:
    # text as the tables hold it (Arrow-backed when pyarrow is there: sliced a piece at a time)
    many = pd.DataFrame({"nct_id": pd.array([f"NCT99{n:06d}" for n in range(600)],
                                            dtype="string"),
                         "enrollment": pd.array([n if n % 7 else None for n in range(600)],
                                                dtype="Int64")})
    pieces: list[bytes] = []

    class Pieces(io.BytesIO):
        def write(self, piece: Any) -> int:
            pieces.append(bytes(piece))
            return super().write(piece)

    handle = Pieces()
    write_jsonl(many, handle)  # 250 rows a piece: three pieces, the last one short
    assert [piece.count(b"\n") for piece in pieces] == [250, 250, 100]
    assert handle.getvalue() == to_jsonl_bytes(many)
    lines = handle.getvalue().decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 601
    assert json.loads(lines[249]) == {"nct_id": "NCT99000249", "enrollment": 249}
    assert json.loads(lines[250]) == {"nct_id": "NCT99000250", "enrollment": 250}
    assert json.loads(lines[595]) == {"nct_id": "NCT99000595", "enrollment": None}
    bare = io.BytesIO()
    write_jsonl(many[[]], bare)  # no columns: an empty object a row
    assert bare.getvalue() == b"{}\n" * 600


def test_sidecar_path() -> None:
    assert sidecar_path(Path("out/studies.csv")) == Path("out/studies.csv.meta.json")
    assert sidecar_path(Path("studies.jsonl")) == Path("studies.jsonl.meta.json")


def test_meta_json_bytes_converts_values() -> None:
    meta = {"query": {"query.cond": "diabetes"}, "fetched_at": datetime(2026, 1, 2, 3, 4, 5),
            "day": date(2026, 1, 2), "status": Status.RECRUITING, "nan": float("nan"),
            "ids": ("NCT99000001",), "path": Path("a/b")}
    data = json.loads(meta_json_bytes(meta))
    assert data == {"query": {"query.cond": "diabetes"}, "fetched_at": "2026-01-02T03:04:05",
                    "day": "2026-01-02", "status": "RECRUITING", "nan": None,
                    "ids": ["NCT99000001"], "path": "a/b"}
    assert meta_json_bytes({}).endswith(b"\n")
    with pytest.raises(TypeError, match="object"):
        meta_json_bytes({"x": object()})


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_write_export_and_sidecar(tmp_path: Path, df: pd.DataFrame, fmt: str) -> None:
    meta = {"query": {"query.cond": "diabetes"}, "api_version": "2.0.5",
            "data_timestamp": "2026-01-01T00:00:00", "fetched_at": "2026-01-02T00:00:00Z",
            "total_reported": 42, "rows_written": 999}
    target = tmp_path / "sub" / f"studies.{fmt}"
    target.parent.mkdir()
    written = write_export(target, df, meta, fmt=fmt)
    assert written == target
    assert target.exists()
    side = json.loads((tmp_path / "sub" / f"studies.{fmt}.meta.json").read_text("utf-8"))
    assert side["rows_written"] == 3  # computed from the frame, not taken from meta
    assert side["columns"] == list(df.columns)
    assert side["total_reported"] == 42
    assert side["api_version"] == "2.0.5"
    assert side["query"] == {"query.cond": "diabetes"}
    assert side["file"] == f"studies.{fmt}"
    assert side["format"] == fmt
    assert side["encoding"] == "utf-8"
    assert "written_at" in side
    if fmt == "csv":
        assert len(read_back(target.read_bytes())) == side["rows_written"]
        assert target.read_bytes() == to_csv_bytes(df)
    else:
        assert len(target.read_bytes().splitlines()) == side["rows_written"]
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(
        [f"studies.{fmt}", f"studies.{fmt}.meta.json"])  # no temporary files left


def test_write_export_rejects_bad_format(tmp_path: Path, df: pd.DataFrame) -> None:
    with pytest.raises(InvalidQueryError, match="export format must be csv, jsonl or parquet"):
        write_export(tmp_path / "x.xlsx", df, {}, fmt="xlsx")
    with pytest.raises(InvalidQueryError, match="reserved"):
        write_export(tmp_path / "x.meta.json", df, {}, fmt="csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (".", "is a folder; give a file name such as studies.csv"),
        ("missing/studies.csv", "does not exist"),
        ("adir", "is a folder; give a file name"),
        ("taken.csv/inner.csv", "^taken.csv is a file, not a folder$"),
        ("taken.csv/sub/inner.csv", "^taken.csv is a file, not a folder$"),
    ],
)
def test_write_export_refuses_paths_that_are_not_files(
    tmp_path: Path, df: pd.DataFrame, name: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    (tmp_path / "taken.csv").write_text("kept")
    with pytest.raises(DataFileError, match=message):
        write_export(Path(name), df, {}, fmt="csv")
    assert not (tmp_path / "missing").exists() and (tmp_path / "taken.csv").read_text() == "kept"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the output file name is empty; give a file name such as studies.csv"),
        ("-", "'-' is not a file name here: to write to standard output, leave out the output "
              "file and give --format csv, json or parquet"),
        (Path("./-"), "'-' is not a file name here: to write to standard output, leave out "
                      "the output file and give --format csv, json or parquet"),
    ],
)
def test_write_export_refuses_an_empty_name_and_a_bare_dash_as_bad_input(
    tmp_path: Path, df: pd.DataFrame, name: str | Path, message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bad input (the command line's exit code 2), decided on the name as written: a Path
    has already made "./-" into "-"."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidQueryError) as caught:
        write_export(name, df, {}, fmt="csv")
    assert str(caught.value) == message
    assert list(tmp_path.iterdir()) == []


def test_write_export_writes_a_file_named_dash_given_as_dot_slash_dash(
    tmp_path: Path, df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert write_export("./-", df, {}, fmt="csv") == Path("-")
    assert (tmp_path / "-").read_bytes() == to_csv_bytes(df)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-", "-.meta.json"]


def test_write_export_never_replaces_a_device(df: pd.DataFrame) -> None:
    with pytest.raises(DataFileError, match="exists and is not a regular file"):
        write_export(Path("/dev/null"), df, {}, fmt="csv")


@pytest.mark.parametrize("linked", ["studies.csv", "studies.csv.meta.json"])
def test_write_export_never_replaces_a_symbolic_link(
    tmp_path: Path, df: pd.DataFrame, linked: str
) -> None:
    """The file is written aside and renamed into place, which would replace the link itself
    (run as root, ``--output /dev/stdout`` made ``/dev/stdout`` a file): refused instead."""
    target = tmp_path / "elsewhere.txt"
    target.write_text("kept")
    (tmp_path / linked).symlink_to(target)
    with pytest.raises(DataFileError, match=rf"cannot write {tmp_path / linked}: it is a "
                                            "symbolic link; give the name of the file itself"):
        write_export(tmp_path / "studies.csv", df, {}, fmt="csv")
    assert (tmp_path / linked).is_symlink() and target.read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["elsewhere.txt", linked])


# -- temporary files of killed exports ---------------------------------------------------

KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
import pandas as pd
from trialfinder.tables import export

def die(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = die  # the rename into place: killed between the write and it
export.write_export(Path(sys.argv[1]), pd.DataFrame({"nct_id": ["NCT99000001"]}), {})
"""


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_export_leaves_a_temp_file_the_next_export_removes(
    tmp_path: Path, df: pd.DataFrame
) -> None:
    root = Path(__file__).resolve().parents[1]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    done = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(tmp_path / "a.csv")],
                          env=env, capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    # both files were written aside before either was renamed: no table without provenance
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 2 and left[0].startswith(".a.csv.meta.json.trialfinder-"), left
    assert left[1].startswith(".a.csv.trialfinder-"), left
    for name in left:
        age(tmp_path / name, STALE_TMP_SECONDS + 60)
    write_export(tmp_path / "b.csv", df, {}, fmt="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv", "b.csv.meta.json"]


def test_only_our_stale_temp_files_are_removed(tmp_path: Path) -> None:
    ours_old = tmp_path / ".x.csv.trialfinder-123-0a1b2c3d.tmp"
    ours_new = tmp_path / ".y.csv.trialfinder-123-0a1b2c3d.tmp"
    others = [tmp_path / name for name in (
        ".x.csv.123.tmp", "x.csv.trialfinder-123-0a1b2c3d.tmp", ".x.trialfinder-1-XYZ12345.tmp",
        ".thesis.docx.tmp", "notes.tmp")]
    folder = tmp_path / ".z.csv.trialfinder-1-0a1b2c3d.tmp"
    folder.mkdir()
    for path in [ours_old, ours_new, *others]:
        path.write_text("x")
    for path in [ours_old, *others, folder]:
        age(path, STALE_TMP_SECONDS + 1)
    assert clean_stale_tmp(tmp_path) == [ours_old]
    assert not ours_old.exists()
    assert all(p.exists() for p in [ours_new, *others, folder])
    assert clean_stale_tmp(tmp_path / "missing") == []
    later = time.time() + STALE_TMP_SECONDS + 5
    assert clean_stale_tmp(tmp_path, now=later) == [ours_new]


def test_write_export_takes_a_result_meta(tmp_path: Path, df: pd.DataFrame) -> None:
    meta = ResultMeta(source="http://127.0.0.1:9", query={"query.cond": "asthma"},
                      total_reported=3, warnings=("one warning",))
    written = write_export(tmp_path / "s.jsonl", df, meta, fmt="jsonl")
    side = json.loads(sidecar_path(written).read_text())
    assert side["total_reported"] == 3 and side["warnings"] == ["one warning"]
    assert side["format"] == "jsonl" and side["rows_written"] == 3
    assert ResultMeta.from_dict(side) == meta
    assert json.loads(meta_json_bytes(meta)) == meta.to_dict()


_NS_DAYS = (pd.Timestamp.min.ceil("D").value // 86_400_000_000_000,
            pd.Timestamp.max.value // 86_400_000_000_000)


@given(st.lists(st.tuples(st.integers(*_NS_DAYS), st.sampled_from(["day", "month", "year",
                                                                     None, "other"])),
                max_size=20))
def test_nanosecond_dates_are_written_at_their_precision(
    days: list[tuple[int, str | None]],
) -> None:
    # the tables' dates: naive, nanoseconds, midnight; the years 1677..2262 all have 4 digits
    stamps = [pd.Timestamp(day * 86_400_000_000_000) for day, _ in days]
    frame = pd.DataFrame({
        "when": pd.Series(stamps, dtype="datetime64[ns]"),
        "when_precision": pd.Categorical([p for _, p in days]),
    })
    width = {"year": 4, "month": 7}
    expected = [s.strftime("%Y-%m-%d")[:width.get(p or "", 10)] for s, (_, p) in
                zip(stamps, days, strict=True)]
    assert list(read_back(to_csv_bytes(frame))["when"]) == expected


def test_a_missing_nanosecond_date_is_an_empty_cell() -> None:
    frame = pd.DataFrame({"when": pd.Series([pd.Timestamp("1677-09-22"), None, None],
                                            dtype="datetime64[ns]"),
                          "n": [1, 2, 3]})
    assert list(read_back(to_csv_bytes(frame))["when"]) == ["1677-09-22", "", ""]


def test_long_text_in_few_characters_is_not_cut() -> None:
    # 20,000 characters of two UTF-8 bytes each: more bytes than a cell holds characters
    frame = pd.DataFrame({"text": pd.array(["é" * 20_000, "short"], dtype="string"),
                          "n": [1, 2]})
    assert list(read_back(to_csv_bytes(frame))["text"]) == ["é" * 20_000, "short"]


_CORE_INSTALL = """
import sys
sys.modules["pyarrow"] = None  # the core install: `pip install trialfinder`, no [fast] extra
from trialfinder.cli.main import main
sys.exit(main(["search", "--from-file", sys.argv[1], "--status", "any", "--output", sys.argv[2]]))
"""


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_exports_without_pyarrow_are_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    """Without pyarrow (the core install) CSV and JSON lines come out as they do with it: the
    masked integer and flag columns of JSON lines once needed pyarrow and failed as a bug."""
    from trialfinder.cli.main import main
    from trialfinder.topics.demo import load_demo_studies

    records = tmp_path / "records.json"
    records.write_text(json.dumps(load_demo_studies()[:30]), encoding="utf-8")
    with_arrow, without = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert main(["search", "--from-file", str(records), "--status", "any",
                 "--output", str(with_arrow)]) == 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", _CORE_INSTALL, str(records), str(without)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert without.read_bytes() == with_arrow.read_bytes()
    assert len(without.read_bytes().splitlines()) >= 30


def test_parquet_without_pyarrow_is_one_line_saying_what_to_install(tmp_path: Path) -> None:
    from trialfinder.topics.demo import load_demo_studies

    records = tmp_path / "records.json"
    records.write_text(json.dumps(load_demo_studies()[:3]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", _CORE_INSTALL, str(records),
                           str(tmp_path / "x.parquet")],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and not (tmp_path / "x.parquet").exists()
    assert done.stderr.strip().splitlines()[-1] == (
        "trialfinder: error: writing Parquet needs pyarrow: pip install 'trialfinder[fast]', "
        "or write .csv or .jsonl")


def test_the_python_apis_file_of_fictional_studies_says_so_in_its_provenance(
        tmp_path: Path) -> None:
    """``res.to_csv`` (the README's Python example) wrote the demo's studies with a
    provenance file that did not say they were invented; the command line's did."""
    from trialfinder import service
    from trialfinder.topics.demo import FICTIONAL_PROVENANCE, load_demo_studies

    res = service.search_records(load_demo_studies(), source="demo", preset="als")
    assert len(res.studies) == 6
    written = res.to_csv(tmp_path / "als.csv")
    meta = json.loads((tmp_path / "als.csv.meta.json").read_text("utf-8"))
    assert meta["fictional"] == FICTIONAL_PROVENANCE
    assert pd.read_csv(written)["url"].isna().all()  # and no link to ClinicalTrials.gov
    res.to_csv(tmp_path / "sites.csv", sites=True)
    assert json.loads((tmp_path / "sites.csv.meta.json").read_text("utf-8"))["fictional"] == (
        FICTIONAL_PROVENANCE)


def test_real_studies_provenance_has_no_fictional_key(tmp_path: Path, as_if_real: None) -> None:
    from trialfinder import service
    from trialfinder.topics.demo import load_demo_studies

    res = service.search_records(load_demo_studies(), source="demo", preset="als")
    res.to_csv(tmp_path / "als.csv")
    assert "fictional" not in json.loads((tmp_path / "als.csv.meta.json").read_text("utf-8"))
