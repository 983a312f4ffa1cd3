"""`trialfinder sql` is bounded (issue 19, class 4): memory (DuckDB's limit, and a cap on the
command's process for what DuckDB does not count), time, and the CSV it prints is
formula-safe like every other CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CHILD_ENV, child_preexec, make_standin_studies

from devtools.standin import fictional_study
from trialfinder.cli import sql as cli_sql
from trialfinder.cli.main import main
from trialfinder.core.errors import InvalidQueryError
from trialfinder.store import sql as sql_module
from trialfinder.store.db import Store
from trialfinder.store.sql import run_sql


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "studies.duckdb"
    with Store(path) as store:
        store.add_records([*make_standin_studies(),
                           fictional_study("NCT99100901", "=HYPERLINK(\"http://x\")"),
                           fictional_study("NCT99100902", "-2+3 fictional sums"),
                           fictional_study("NCT99100903", "@SUM(A1) fictional")])
    return path


def _child_with_peak(argv: list[str], tmp_path: Path) -> tuple[int, list[str], int]:
    """``trialfinder ARGV`` in its own process: (exit code, standard error lines, the
    process's peak resident memory in MB, as the kernel counted it)."""
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "trialfinder", *argv],
                                stdout=subprocess.DEVNULL, stderr=err, env=CHILD_ENV,
                                preexec_fn=child_preexec())
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err_path.read_text().splitlines(), usage.ru_maxrss // 1024


@pytest.mark.timeout(90)
def test_one_huge_expression_is_stopped_by_the_memory_cap_not_after_gigabytes(
    store_path: Path, tmp_path: Path,
) -> None:
    code, err, peak_mb = _child_with_peak(
        ["sql", "--store", str(store_path), "--timeout", "60",
         "select length(repeat('x', 2000000000))"], tmp_path)
    assert (code, err) == (2, ["trialfinder: error: the query needed more memory than its "
                               "limit of 512 MB and was stopped (sql --memory-limit MB or "
                               "TRIALFINDER_SQL_MEMORY_MB allow more)"])
    assert peak_mb < 900  # unbounded, this query peaked near 4 GB


@pytest.mark.timeout(90)
def test_a_long_query_is_stopped_at_its_deadline(store_path: Path, tmp_path: Path) -> None:
    code, err, _ = _child_with_peak(
        ["sql", "--store", str(store_path), "--timeout", "1",
         "select count(*) from range(1000000000000)"], tmp_path)
    assert (code, err) == (2, ["trialfinder: error: the query ran past 1 s and was stopped"])


@pytest.mark.timeout(60)
def test_the_memory_limit_reaches_duckdb_and_can_be_changed(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = ("select current_setting('memory_limit'), current_setting('threads'), "
             "current_setting('max_temp_directory_size')")
    assert main(["sql", "--store", str(store_path), query]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "488.2 MiB,2,3.8 GiB"  # 512 MB
    assert main(["sql", "--store", str(store_path), "--memory-limit", "128", query]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "122.0 MiB,2,976.5 MiB"
    monkeypatch.setenv("TRIALFINDER_SQL_MEMORY_MB", "256")
    assert main(["sql", "--store", str(store_path), query]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "244.1 MiB,2,1.9 GiB"
    assert main(["sql", "--store", str(store_path), "--memory-limit", "1", "select 1"]) == 2
    assert capsys.readouterr().err == ("trialfinder: error: the SQL memory limit must be "
                                       "within 16..1048576 MB, not 1\n")
    monkeypatch.setenv("TRIALFINDER_SQL_MEMORY_MB", "lots")
    assert main(["sql", "--store", str(store_path), "select 1"]) == 2
    assert capsys.readouterr().err == ("trialfinder: error: TRIALFINDER_SQL_MEMORY_MB must be "
                                       "a number, not 'lots'\n")


@pytest.mark.timeout(60)
def test_the_sql_csv_has_the_formula_guard_of_every_csv(
    store_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    query = ("select nct_id, title, -5 as n, '-5' as \"=t\", '\tx' as tab from studies "
             "where nct_id > 'NCT99100900' order by 1")
    assert main(["sql", "--store", str(store_path), query]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["nct_id", "title", "n", "'=t", "tab"],
        ["NCT99100901", "'=HYPERLINK(\"http://x\")", "-5", "'-5", "'\tx"],
        ["NCT99100902", "'-2+3 fictional sums", "-5", "'-5", "'\tx"],
        ["NCT99100903", "'@SUM(A1) fictional", "-5", "'-5", "'\tx"],
    ]


@pytest.mark.timeout(30)
def test_run_sql_refuses_unusable_bounds(store_path: Path) -> None:
    from trialfinder.core.errors import InvalidQueryError

    for timeout in (float("inf"), float("nan"), 1e308, 0.0, -1.0):
        with pytest.raises(InvalidQueryError, match="--timeout must be a number of seconds"):
            next(run_sql(store_path, "select 1", timeout=timeout))
    with pytest.raises(InvalidQueryError, match="memory limit must be within"):
        next(run_sql(store_path, "select 1", memory_mb=float("inf")))
    rows = list(run_sql(store_path, "select count(*) from studies", memory_mb=64))
    assert rows == [["count_star()"], [15]]


def test_a_table_for_the_terminal_shows_a_bounded_number_of_rows_and_says_so(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The table needs all its rows for its widths: without a bound, a huge answer was held
    whole (3 million rows: about 1 GB) before a line was shown. CSV and JSON lines stream."""
    monkeypatch.setattr(cli_sql, "TABLE_ROWS", 5)
    query = "select range as n from range(8)"
    assert main(["sql", "--store", str(store_path), "--format", "table", query]) == 0
    out, err = capsys.readouterr()
    assert out.split() == ["n", "0", "1", "2", "3", "4"]
    assert err == ("trialfinder: note: the answer has more than 5 rows and the table shows the "
                   "first 5; add LIMIT, or give --format csv or --format json for every row\n")
    assert main(["sql", "--store", str(store_path), "--format", "table",
                 "select range as n from range(5)"]) == 0
    assert capsys.readouterr() == ("n\n0\n1\n2\n3\n4\n", "")
    assert main(["sql", "--store", str(store_path), query]) == 0
    assert capsys.readouterr().out.split() == ["n", *(str(i) for i in range(8))]


def test_sql_json_lines_are_json_whatever_the_numbers(
    store_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """JSON has no infinity or NaN: Python wrote them as ``Infinity`` and ``NaN``, which JSON
    readers (jq, JSON.parse, strict parsers) refuse; they are null, as JSON.stringify has them.
    A list or struct of dates or decimals (``list(start_date)``) was "a bug in trialfinder"."""
    assert main(["sql", "--store", str(store_path), "--format", "json",
                 "select 1/0 as up, -1/0 as down, 0/0 as neither, 1.5::double as x, "
                 "[1/0, 2] as listed, [date '2024-01-31', NULL] as dates, "
                 "{'at': timestamp '2024-01-31 10:00', 'n': 1.50::decimal(4, 2)} as held, "
                 "1.25::decimal(4, 2) as alone"]) == 0

    def refuse(word: str) -> None:
        raise ValueError(f"not JSON: {word}")

    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line, parse_constant=refuse) for line in lines] == [
        {"up": None, "down": None, "neither": None, "x": 1.5, "listed": [None, 2.0],
         "dates": ["2024-01-31", None], "held": {"at": "2024-01-31 10:00:00", "n": "1.50"},
         "alone": "1.25"}]


def test_the_sql_table_shows_lists_and_structs_as_the_csv_does(
    store_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """As JSON, as in the CSV, not as Python writes them (``['a', None]``, ``True``)."""
    query = "select ['a', NULL] as l, {'ok': true, 'day': date '2024-01-02'} as s"
    assert main(["sql", "--store", str(store_path), "--format", "table", query]) == 0
    table = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in table] == ["l", '["a", null]']
    assert table[1].endswith('{"ok": true, "day": "2024-01-02"}')
    assert main(["sql", "--store", str(store_path), query]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        '"[""a"", null]","{""ok"": true, ""day"": ""2024-01-02""}"')


class _Connection:
    """A stand-in for DuckDB's connection: says when it is interrupted."""

    def __init__(self) -> None:
        self.interrupted = threading.Event()
        self.calls = 0

    def interrupt(self) -> None:
        self.calls += 1
        self.interrupted.set()


@pytest.mark.timeout(30)
def test_a_signal_interrupts_duckdb_at_once_while_it_works() -> None:
    """Python runs its handlers between bytecodes, which a query inside DuckDB does not reach
    (Ctrl-C was noticed up to half a minute later): the signal's wakeup byte reaches a thread
    that interrupts DuckDB while it works, and never between its calls."""
    con = _Connection()
    stuck: list[int] = []
    handled: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda signum, frame: handled.append(signum))
    try:
        with sql_module._SignalWatch(con, stuck.append) as watch:  # type: ignore[arg-type]
            signal.raise_signal(signal.SIGTERM)  # between DuckDB's calls: Python's handler
            assert handled == [signal.SIGTERM]
            with watch.in_duckdb():
                signal.raise_signal(signal.SIGTERM)
                assert con.interrupted.wait(20)
    finally:
        signal.signal(signal.SIGTERM, before)
    # the watch reads the signals in order: the first, between calls, interrupted nothing
    assert (con.calls, handled) == (1, [signal.SIGTERM] * 2)
    assert stuck == []  # DuckDB came back within the grace
    assert signal.set_wakeup_fd(-1) == -1  # the watch left no wakeup descriptor behind


@pytest.mark.timeout(30)
def test_a_query_that_ignores_the_interrupt_ends_the_process_its_own_way() -> None:
    """DuckDB does not always stop when told (a long C call): after the grace, ``give_up``
    (the command line: one line and exit code 130 or 143) is called with the signal."""
    gave_up = threading.Event()
    stuck: list[int] = []

    def give_up(signum: int) -> None:
        stuck.append(signum)
        gave_up.set()

    before = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        watch = sql_module._SignalWatch(_Connection(), give_up)  # type: ignore[arg-type]
        with watch, watch.in_duckdb():  # a call into DuckDB that does not come back
            signal.raise_signal(signal.SIGTERM)
            assert gave_up.wait(20)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert stuck == [signal.SIGTERM]


def test_a_timeout_that_comes_before_duckdb_runs_still_stops_the_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB forgets an interrupt that comes before a query starts: a timer that fired then
    (a tiny --timeout, a busy machine) let the query run to its end and answer."""

    class FiredAtOnce:
        def __init__(self, _seconds: float, stop: Callable[[], None]) -> None:
            self.stop, self.daemon = stop, False

        def start(self) -> None:
            self.stop()

        def cancel(self) -> None:
            pass

    Store(tmp_path / "s.duckdb").close()
    monkeypatch.setattr(sql_module.threading, "Timer", FiredAtOnce)
    for query in ("select 42 as answer", "select interval 1 month as answer"):
        with pytest.raises(InvalidQueryError, match=r"^the query ran past 0\.5 s and was "
                                                    r"stopped$"):
            list(run_sql(tmp_path / "s.duckdb", query, timeout=0.5))
