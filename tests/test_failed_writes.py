"""Outputs first, state last (issue 19, classes 1 and 2).

A command records what it did (a watch run, a search's pages for the store, a sync's run, a
saved watch) only once every output it was asked for is written and flushed; when one fails,
nothing advances and the command ends with one line. Every command checks its standard output
before it says it succeeded; a reader that stops early (``| head``) ends it quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from conftest import CHILD_ENV, child_preexec, make_standin_studies, run_child
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devtools.standin import StandInServer, evolve, replicate
from trialfinder.cli.main import main
from trialfinder.cli.search import NO_SIDECAR
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.service.watchrun import refresh
from trialfinder.store.db import Store, open_store
from trialfinder.store.watch import add_watch
from trialfinder.topics.demo import FICTIONAL_NOTE

DAY1 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@dataclass
class World:
    """A stand-in API, fictional records, and a store whose watch ``fx`` ran on DAY1; the
    API's studies changed since, so the next run of ``fx`` has changes to report."""

    root: Path
    server: StandInServer
    template: Path
    records: Path
    cases: Iterator[int]

    def case(self) -> Case:
        folder = self.root / f"case{next(self.cases)}"
        data = folder / "data"
        data.mkdir(parents=True, mode=0o700)
        shutil.copy(self.template, data / "studies.duckdb")
        env = {"TRIALFINDER_DATA_DIR": str(data), "TRIALFINDER_CACHE_DIR": str(folder / "cache"),
               "TRIALFINDER_BASE_URL": self.server.base_url, "TRIALFINDER_RETRIES": "1",
               "TRIALFINDER_RATE": "60000", "TRIALFINDER_TIMEOUT": "20"}
        return Case(folder, data / "studies.duckdb", env)


@dataclass
class Case:
    folder: Path
    store: Path
    env: dict[str, str]

    def state(self) -> dict[str, Any]:
        """What the next command sees: opening the store adds what searches left for it and
        marks runs left open by a program that ended aborted."""
        with open_store(self.store) as store:
            runs = store.con.execute("SELECT run_id, name, mode, outcome, studies FROM runs "
                                     "ORDER BY run_id").fetchall()
            searches = store.con.execute("SELECT name, options FROM searches ORDER BY 1"
                                         ).fetchall()
        return {"runs": runs, "searches": searches}

    def left_behind(self) -> list[str]:
        """What the case folder holds besides the store, its folders and the cache: outputs,
        temporary files, pages waiting for the store."""
        ours = {"data", "cache", "data/studies.duckdb", "data/studies.duckdb.wal",
                "data/studies.duckdb.incoming"}
        found = [path.relative_to(self.folder).as_posix() for path in self.folder.rglob("*")]
        return sorted(p for p in found if p not in ours and not p.startswith("cache/"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("writes")
    studies = make_standin_studies()
    server = StandInServer(studies).start()
    try:
        template = root / "template" / "studies.duckdb"
        template.parent.mkdir(mode=0o700)
        client = TrialsClient(Settings(base_url=server.base_url, use_cache=False, timeout=5,
                                       retries=1, backoff_factor=0.0,
                                       requests_per_minute=60000))
        with Store(template) as store:
            refresh(store, client, add_watch(store, "fx", {"term": ["fictional"]}), now=DAY1)
        server.replace_studies(evolve(studies, day="2026-11-21", seed=3).studies)
        records = root / "records.json"
        records.write_text(json.dumps(studies))
        yield World(root, server, template, records, count())
    finally:
        server.close()


def _changes(case: Case, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """A good `watch run --format json` on the case's store: the changes it printed (without
    the time of the run)."""
    for name, value in case.env.items():
        os.environ[name] = value
    try:
        code = main(["watch", "run", "--format", "json"])
    finally:
        for name in case.env:
            os.environ.pop(name, None)
    out = capsys.readouterr().out
    assert code == 0, out
    changes = [json.loads(line) for line in out.splitlines()]
    return [{k: v for k, v in change.items() if k != "when"} for change in changes]


# -- class 1: a write that fails does not commit -----------------------------------------------


@pytest.mark.timeout(120)
def test_a_watch_run_whose_output_fails_records_nothing_and_the_next_run_reports_it_all(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _changes(world.case(), capsys)
    assert {c["change"] for c in expected} >= {"new", "gone"}
    case = world.case()
    before = case.state()
    # standard output on a full disk (a real descriptor: its own process)
    code, _, err = run_child(["watch", "run", "--format", "json"], env=case.env, stdout="full")
    assert (code, err) == (1, ["trialfinder: error: cannot write the output: No space left on "
                               "device"])
    assert case.state() == before
    # a feed that cannot be written: its temporary name is too long for the file system
    feed = case.folder / ("f" * 240 + ".xml")
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    assert main(["watch", "run", "--format", "json", "--feed", str(feed)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"trialfinder: error: cannot write {feed}: File name "
                                         "too long"]
    assert case.state() == before
    assert case.left_behind() == []
    # a feed path that is a folder, or in no folder, is refused before anything is fetched,
    # with the exit code of a file that cannot be written (1), as -o's
    assert main(["watch", "run", "--feed", str(case.folder)]) == 1
    assert capsys.readouterr().err.startswith("trialfinder: error: cannot write the feed to ")
    assert main(["watch", "run", "--feed", str(case.folder / "none" / "a.xml")]) == 1
    assert capsys.readouterr().err == (
        f"trialfinder: error: cannot write the feed: no folder {case.folder / 'none'}\n")
    assert case.state() == before
    # nothing was lost: the next good run reports every change the failed ones found
    assert _changes(case, capsys) == expected
    assert len(case.state()["runs"]) == len(before["runs"]) + 1


# -- class 2: standard output can fail -----------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("fmt", "stdout", "reason"), [
    ("csv", "full", "No space left on device"), ("json", "full", "No space left on device"),
    ("table", "closed", "standard output is closed"),
])
def test_a_search_whose_standard_output_fails_ends_with_one_line_and_no_summary(
    world: World, fmt: str, stdout: str, reason: str, capsys: pytest.CaptureFixture[str],
) -> None:
    case = world.case()
    argv = ["search", "--from-file", str(world.records), "--format", fmt]
    assert run_child(argv, env=case.env, stdout=stdout)[::2] == (
        1, [f"trialfinder: error: cannot write the output: {reason}"])
    assert main(argv) == 0  # the same search on a good output: its data, then its summary
    captured = capsys.readouterr()
    assert "NCT99100001" in captured.out
    # (and that the studies are fictional, as they are)
    note = f"trialfinder: note: {FICTIONAL_NOTE}\n"
    assert captured.err == note + (f"{NO_SIDECAR}\n12 studies; 12 studies in the file\n"
                                   if fmt != "table" else "")


@pytest.mark.timeout(120)
def test_a_reader_that_stops_early_ends_the_search_quietly(world: World, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps(replicate(make_standin_studies(), 600)))  # CSV of about 1 MB
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialfinder", "search", "--from-file", str(big), "--format",
         "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV,
        preexec_fn=child_preexec())
    assert proc.stdout is not None and proc.stderr is not None
    with proc:
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    assert first.startswith(b"nct_id,") and err == b""


# -- every command that writes, against failing destinations -----------------------------------

#: (command, how its output fails): stdout on /dev/full or closed, a folder where its file
#: goes (or a file where its folder goes), a file size limit (``ulimit -f``), a name too long.
CASES = [
    ("search", "full"), ("search", "closed"), ("search-api", "full"),
    ("search-api", "closed"), ("search-output", "folder"), ("search-output", "fsize"),
    ("search-api-output", "fsize"),
    ("match", "full"), ("match", "closed"), ("watch-run", "full"), ("watch-run", "closed"),
    ("watch-feed", "folder"), ("watch-feed", "toolong"), ("watch-feed", "fsize"),
    ("export", "full"), ("export", "closed"), ("export", "file"), ("export", "fsize"),
    ("sql", "full"), ("sql", "closed"), ("sync", "full"), ("sync", "closed"),
    ("sync", "fsize"), ("watch-add", "full"), ("watch-add", "closed"),
]


def _argv(command: str, failure: str, case: Case, world: World, fmt: str) -> list[str]:
    out = case.folder / "out"
    if failure == "folder":
        out.mkdir()
    elif failure == "file":
        out.write_text("a file where a folder should be\n")
    name = "o" * 240 if failure == "toolong" else "out"
    return {
        "search": ["search", "--from-file", str(world.records), "--format", fmt],
        "search-api": ["search", "-t", "fictional", "--no-cache", "--format", fmt],
        "search-output": ["search", "--from-file", str(world.records), "--output",
                          str(out if failure == "folder" else case.folder / "out.csv")],
        "search-api-output": ["search", "-t", "fictional", "--no-cache", "--output",
                              str(case.folder / f"out.{'parquet' if fmt == 'json' else 'csv'}")],
        "match": ["match", "--from-file", str(world.records), "--age", "40", "--format", fmt],
        "watch-run": ["watch", "run", "--format", fmt],
        "watch-feed": ["watch", "run", "--feed",
                       str(out if failure == "folder" else case.folder / f"{name}.xml")],
        "export": ["store", "export", str(out)],
        "sql": ["sql", "select nct_id, title from studies order by 1"],
        "sync": ["sync", "-t", "fictional"],
        "watch-add": ["watch", "add", "another", "-t", "fictional"],
    }[command]


@pytest.mark.timeout(300)
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case_=st.sampled_from(CASES), fmt=st.sampled_from(["table", "csv", "json"]))
@example(case_=("sync", "fsize"), fmt="table")
@example(case_=("export", "fsize"), fmt="table")
@example(case_=("watch-feed", "toolong"), fmt="table")
@example(case_=("search-api", "full"), fmt="json")
@example(case_=("search-api-output", "fsize"), fmt="csv")  # a file written page by page
@example(case_=("search-api-output", "fsize"), fmt="json")  # Parquet
@example(case_=("watch-run", "closed"), fmt="csv")
def test_every_command_that_writes_fails_whole_when_its_output_fails(
    world: World, case_: tuple[str, str], fmt: str,
) -> None:
    command, failure = case_
    case = world.case()
    before = case.state()
    argv = _argv(command, failure, case, world, fmt)
    stdout = failure if failure in ("full", "closed") else "pipe"
    file_size = 2048 if failure == "fsize" else None
    code, _, err = run_child(argv, env=case.env, stdout=stdout, file_size=file_size)
    assert code != 0
    assert len(err) == 1 and err[0].startswith("trialfinder: error: "), err
    after = case.state()
    if command == "sync":  # its run was open while it fetched: now marked aborted, not done
        added = [run for run in after["runs"] if run not in before["runs"]]
        assert [run[2:4] for run in added] == [("sync", "aborted")]
        after["runs"] = [run for run in after["runs"] if run not in added]
    assert after == before
    expected = {"folder": ["out"], "file": ["out"]}.get(failure, [])
    assert case.left_behind() == expected
