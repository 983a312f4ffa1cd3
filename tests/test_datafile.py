"""load_records / --from-file: bounded reads of regular files, and a clear error for JSON that is
nested too deep, not RecursionError."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

from trialfinder.cli.main import main
from trialfinder.core.errors import DataFileError, InvalidQueryError
from trialfinder.service.searching import MAX_JSON_DEPTH, load_records, search_file


def study(n: int, **extra: Any) -> dict[str, Any]:
    return {"protocolSection": {"identificationModule": {"nctId": f"NCT{99000000 + n}",
                                                         "briefTitle": f"Study {n}"}}, **extra}


def nested(levels: int) -> Any:
    """``levels`` lists inside each other (the outermost counts as one)."""
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_the_usual_shapes_still_load(tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": [study(1), study(2)], "nextPageToken": "x"}))
    assert [r["protocolSection"]["identificationModule"]["nctId"]
            for r in load_records(page)] == ["NCT99000001", "NCT99000002"]
    lines = tmp_path / "studies.jsonl"
    lines.write_text("\n".join(json.dumps(study(n)) for n in range(3)) + "\n\n")
    assert len(load_records(lines)) == 3


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([study(n) for n in range(40)]))
    size = path.stat().st_size
    assert len(load_records(path, max_bytes=size)) == 40
    with pytest.raises(DataFileError) as caught:
        load_records(path, max_bytes=size - 1)
    assert str(caught.value) == (f"{path} is over the {size - 1:,} bytes limit for a data file "
                                 "(TRIALFINDER_MAX_FILE_MB raises it)")


def test_the_cap_comes_from_the_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2_000_000 + json.dumps([study(1)]).encode())
    monkeypatch.setenv("TRIALFINDER_MAX_FILE_MB", "1")
    with pytest.raises(DataFileError, match=r"over the 1 MB limit for a data file"):
        load_records(path)
    monkeypatch.setenv("TRIALFINDER_MAX_FILE_MB", "3")
    assert len(load_records(path)) == 1
    monkeypatch.setenv("TRIALFINDER_MAX_FILE_MB", "lots")
    with pytest.raises(InvalidQueryError, match="TRIALFINDER_MAX_FILE_MB must be a number"):
        load_records(path)


def test_a_huge_sparse_file_is_refused_without_using_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)  # 600 MB of holes: no disk used
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match=r"over the 128 MB limit"):
            load_records(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_device_is_refused() -> None:
    with pytest.raises(DataFileError, match=r"^/dev/zero is a device, pipe or socket, not a "
                       r"data file$"):
        load_records("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.timeout(10)  # opening a pipe for reading would wait for a writer for ever
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError) as caught:
        load_records(fifo)
    assert str(caught.value) == f"{fifo} is a device, pipe or socket, not a data file"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"is a folder, not a data file$"):
        load_records(tmp_path)


def test_json_nested_past_what_orjson_parses_is_a_data_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(DataFileError) as caught:
        load_records(path)
    assert str(caught.value) == (f"{path} nests its JSON deeper than {MAX_JSON_DEPTH} levels; "
                                 "no study download does")


@pytest.mark.parametrize("levels, ok", [(MAX_JSON_DEPTH - 2, True), (MAX_JSON_DEPTH - 1, False)])
def test_the_depth_limit_counts_every_level(tmp_path: Path, levels: int, ok: bool) -> None:
    # file list (1) > study (2) > "extra" value: ``levels`` more, so 2 + levels in all.
    path = tmp_path / "records.json"
    path.write_bytes(orjson.dumps([study(1, extra=nested(levels))]))
    if ok:
        assert load_records(path)[0]["extra"] == nested(levels)
    else:
        with pytest.raises(DataFileError, match="deeper than 64 levels"):
            load_records(path)


def test_a_deep_line_in_json_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(orjson.dumps(study(1)) + b"\n" + b"[" * 5000 + b"]" * 5000 + b"\n")
    with pytest.raises(DataFileError, match="deeper than 64 levels"):
        load_records(path)


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(orjson.dumps(study(1)) + b"\n{oops\n")
    with pytest.raises(DataFileError, match=r"is not JSON \(line 2; "):
        load_records(path)


def test_search_file_with_a_deep_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"studies": ' + b"[" * 3000 + b"]" * 3000 + b"}")
    with pytest.raises(DataFileError, match="deeper than 64 levels"):
        search_file(path, condition="x")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_cli_from_dev_zero_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", "--from-file", "/dev/zero", "-c", "x"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == ("trialfinder: error: /dev/zero is a device, pipe or socket, not a data file\n")
