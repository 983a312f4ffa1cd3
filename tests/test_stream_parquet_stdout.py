"""Parquet on standard output (issue 22: rows "to a file or stdout" in CSV, JSON lines and
Parquet): ``search --format parquet | ...`` gives, through a real pipe, the rows and types of
``--output x.parquet``; a terminal never gets its bytes; standard output has no provenance
file, and one line on stderr says so. Fictional data (the demo studies, NCT99...)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from conftest import CHILD_ENV, child_preexec

from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.cli.search import NO_SIDECAR
from trialfinder.topics.demo import load_demo_studies

ARGS = ["search", "--preset", "muscle-spasm", "--near", "42.36,-71.06", "--radius", "2000mi",
        "--all", "--no-cache"]


@pytest.fixture
def paged(standin_factory: Any, monkeypatch: pytest.MonkeyPatch,
          tmp_path: Path) -> dict[str, str]:
    """The demo studies, seven a page; the environment of a child process that searches
    them."""
    server: StandInServer = standin_factory(load_demo_studies(), max_page_size=7)
    env = {"TRIALFINDER_BASE_URL": server.base_url,
           "TRIALFINDER_CACHE_DIR": str(tmp_path / "cache"),
           "TRIALFINDER_DATA_DIR": str(tmp_path / "data"), "TRIALFINDER_RATE": "60000"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def child(argv: list[str], env: dict[str, str], **how: Any) -> subprocess.CompletedProcess[
        bytes]:
    return subprocess.run([sys.executable, "-m", "trialfinder", *argv], env=CHILD_ENV | env,
                          timeout=120, preexec_fn=child_preexec(), check=False, **how)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("sites", [False, True])
def test_parquet_through_a_pipe_is_the_file_export(
        paged: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        sites: bool) -> None:
    more = ["--sites"] if sites else []
    done = child([*ARGS, *more, "--format", "parquet"], paged, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr.decode()
    piped = pq.ParquetFile(io.BytesIO(done.stdout))
    assert piped.metadata.num_row_groups >= 1
    written = tmp_path / "file.parquet"
    assert main([*ARGS, *more, "--output", str(written)]) == 0
    capsys.readouterr()
    from_pipe, from_file = pd.read_parquet(io.BytesIO(done.stdout)), pd.read_parquet(written)
    pd.testing.assert_frame_equal(from_pipe, from_file)
    assert piped.schema_arrow == pq.ParquetFile(written).schema_arrow  # the same types
    rows = len(from_pipe)
    assert rows > 25 if sites else rows == 25
    assert str(from_pipe["nearest_distance_mi" if not sites else "distance_mi"].dtype) == \
        "Float64"
    assert from_pipe["nct_id"].str.startswith("NCT99").all()
    err = done.stderr.decode().splitlines()
    # standard output has no provenance beside it: one line says so, before the summary
    assert err[-2:] == [NO_SIDECAR, err[-1]]
    assert err[-1].startswith(f"{rows} {'sites' if sites else 'studies'}; the API reported")


def test_csv_on_standard_output_says_it_has_no_provenance_file(
        paged: dict[str, str], capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main([*ARGS, "--format", "csv", "--columns", "nct_id"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.startswith(b"nct_id\r\nNCT99")
    assert err.decode().splitlines()[-2:] == [
        NO_SIDECAR, "25 studies; the API reported 25 matching studies, 25 fetched"]


@pytest.mark.timeout(120)
def test_parquet_is_never_written_onto_a_terminal(paged: dict[str, str],
                                                  standin_factory: Any) -> None:
    leader, follower = os.openpty()
    try:
        done = child([*ARGS, "--format", "parquet"], paged, stdout=follower,
                     stderr=subprocess.PIPE)
    finally:
        os.close(follower)
    os.close(leader)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "trialfinder: error: --format parquet writes binary data, not for a terminal: "
        "redirect it (> studies.parquet), pipe it on, or give --output studies.parquet"]


def test_dash_is_no_file_name_and_the_error_names_parquet_too(
        paged: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--format", "parquet", "--output", "-"]) != 0
    assert "give --format csv, json or parquet" in capsys.readouterr().err


def test_parquet_is_offered_where_rows_are_typed_tables_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sql", "select 1", "--format", "parquet"])
    assert "invalid choice: 'parquet'" in capsys.readouterr().err


def test_parquet_given_up_on_standard_output_is_never_a_whole_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A search stopped part-way (Ctrl-C) leaves what went out without a footer: no reader
    takes it for the whole answer. The writer is not left for the garbage collector either
    (closing it at exit wrote the footer)."""
    import gc

    from trialfinder.cli.formats import ParquetWriter
    from trialfinder.registries.ctgov.normalize import normalize

    ignored: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda report: ignored.append(repr(report.exc_value)))
    frame = normalize(load_demo_studies()[:6]).studies
    outputs = []
    for finished in (True, False):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        writer = ParquetWriter(out)
        writer.begin(list(frame.columns))
        writer.write(frame)
        if finished:
            writer.end()
        else:
            writer.abandon()
        del writer
        gc.collect()
        outputs.append(out.buffer.getvalue())  # type: ignore[attr-defined]
    whole, given_up = outputs
    assert len(pd.read_parquet(io.BytesIO(whole))) == 6
    assert given_up.startswith(b"PAR1") and not given_up.endswith(b"PAR1")
    with pytest.raises(Exception, match=r"(?i)parquet"):
        pq.ParquetFile(io.BytesIO(given_up))
    assert ignored == []
