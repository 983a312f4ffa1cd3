"""The runs of a study store: each search, sync or watch run, how it ended, what it found.

``runs`` holds one row per run (its name, mode, start and end, requests, bytes, how many
studies it found, the API query it ran as JSON in ``params``, and ``outcome``); ``run_studies``
which studies (and versions) it found. ``outcome`` is ``finished``, ``aborted`` (it stopped
part-way: an error, Ctrl-C, SIGTERM, a full disk, a kill, a crash), or empty while it runs.
A run this process started and has not ended is *live*; when the store is opened for writing,
every other open run was left by a program that ended without closing it (DuckDB lets no
other process write meanwhile), and is marked aborted. :class:`RunLog` is mixed into
:class:`trialfinder.store.db.Store`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import duckdb
import pandas as pd

__all__ = ["ABORTED", "FINISHED", "RunLog", "naive_utc"]

logger = logging.getLogger(__name__)

#: ``runs.outcome`` of a run that ended well, and of one that stopped part-way.
FINISHED: Final = "finished"
ABORTED: Final = "aborted"

#: Runs this process started and has not ended: (store file, run_id). Opening the store marks
#: every other open run aborted (DuckDB lets no other process write meanwhile).
_LIVE_RUNS: set[tuple[str, int]] = set()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(when: datetime) -> datetime:
    """``when`` as a naive UTC time (DuckDB's TIMESTAMP)."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


class RunLog:
    """The store's runs (see the module docstring); needs the store's connection and lock."""

    if TYPE_CHECKING:
        con: duckdb.DuckDBPyConnection
        _lock: threading.Lock
        _key: str

        def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...
        def first_row(self, sql: str, params: Sequence[Any] | None = None) -> Any: ...
        def _roll_back(self) -> None: ...

    def _live(self) -> set[int]:
        return {run_id for key, run_id in _LIVE_RUNS if key == self._key}

    def _abort_abandoned(self) -> None:
        """Mark aborted the runs a program left open when it ended (killed, crashed, a full
        disk): none stays "under way" for ever."""
        live = self._live()
        rows = self.con.execute("SELECT run_id FROM runs WHERE outcome IS NULL AND "
                                "finished IS NULL").fetchall()
        gone = [int(r[0]) for r in rows if int(r[0]) not in live]
        for run_id in gone:
            self.execute(f"UPDATE runs SET outcome = '{ABORTED}' WHERE run_id = ?", [run_id])
        if gone:
            logger.info("marked %d unfinished run(s) aborted", len(gone))

    def aborted_runs(self) -> int:
        """Runs that stopped part-way: marked aborted, or left open by a program that ended
        (a reader sees those before a writer marks them)."""
        rows = self.con.execute(f"SELECT run_id, outcome FROM runs WHERE outcome = "
                                f"'{ABORTED}' OR (outcome IS NULL AND finished IS NULL)"
                                ).fetchall()
        live = self._live()
        return sum(1 for run_id, ended in rows if ended == ABORTED or int(run_id) not in live)

    def start_run(self, name: str | None, mode: str, started: datetime | None = None,
                  params: Mapping[str, str] | None = None) -> int:
        """A new run; ``params``: the API query it ran (kept as JSON text in ``runs.params``,
        so `sql` can show which search found what)."""
        text = json.dumps(dict(params), sort_keys=True, ensure_ascii=False) \
            if params is not None else None
        with self._lock:
            row = self.first_row("SELECT coalesce(max(run_id), 0) + 1 FROM runs")
            run_id = int(row[0]) if row else 1
            self.execute("INSERT INTO runs (run_id, name, mode, started, finished, requests, "
                         "bytes, studies, params) VALUES (?, ?, ?, ?, NULL, 0, 0, 0, ?)",
                         [run_id, name, mode, naive_utc(started or _now()), text])
        _LIVE_RUNS.add((self._key, run_id))
        return run_id

    def record_run(self, name: str | None, mode: str, started: datetime,
                   found: Mapping[str, str], *, requests: int, nbytes: int,
                   params: Mapping[str, str] | None = None,
                   finished: datetime | None = None) -> int:
        """A whole run at once, finished, with the studies it found (``nct_id -> hash``), in
        one transaction: the run is recorded whole or not at all."""
        with self._lock:
            self.execute("BEGIN TRANSACTION")
        run_id: int | None = None
        try:
            run_id = self.start_run(name, mode, started, params)
            self.add_found(run_id, found)
            self.finish_run(run_id, requests=requests, nbytes=nbytes, finished=finished)
            with self._lock:
                self.execute("COMMIT")
        except BaseException:
            with self._lock:
                self._roll_back()
            if run_id is not None:
                _LIVE_RUNS.discard((self._key, run_id))
            raise
        return run_id

    def add_found(self, run_id: int, found: Mapping[str, str]) -> None:
        """Record studies a run found (``nct_id -> version hash``); called once per page."""
        if not found:
            return
        frame = pd.DataFrame({
            "run_id": pd.array([run_id] * len(found), dtype="Int64"),
            "nct_id": pd.array(list(found), dtype="string"),
            "hash": pd.array(list(found.values()), dtype="string"),
        })
        with self._lock:
            self.con.register("run_found", frame)
            self.execute("INSERT INTO run_studies SELECT * FROM run_found")
            self.con.unregister("run_found")

    def found_count(self, run_id: int) -> int:
        """How many distinct studies a run found (each study's repeats dropped)."""
        with self._lock:
            self.execute("DELETE FROM run_studies WHERE run_id = ? AND rowid NOT IN (SELECT "
                    "max(rowid) FROM run_studies WHERE run_id = ? GROUP BY nct_id)",
                    [run_id, run_id])
            row = self.first_row("SELECT count(*) FROM run_studies WHERE run_id = ?", [run_id])
        return int(row[0]) if row else 0

    def found_ids_starting(self, run_id: int, prefix: str, limit: int = 100) -> list[str]:
        """Up to ``limit`` ids a run found that start with ``prefix`` (``NCT99``: the first
        cut of the fictional range, which :func:`trialfinder.topics.demo.is_demo_id` then
        decides), without reading every id of a large run."""
        with self._lock:
            rows = self.con.execute("SELECT nct_id FROM run_studies WHERE run_id = ? AND "
                                    "starts_with(nct_id, ?) LIMIT ?",
                                    [run_id, prefix, limit]).fetchall()
        return [str(r[0]) for r in rows]

    def finish_run(self, run_id: int, *, requests: int, nbytes: int,
                   finished: datetime | None = None) -> int:
        """Close a run; returns the number of distinct studies it found."""
        found = self.found_count(run_id)
        with self._lock:
            self.execute("UPDATE runs SET finished = ?, requests = ?, bytes = ?, studies = ?, "
                    f"outcome = '{FINISHED}' WHERE run_id = ?",
                    [naive_utc(finished or _now()), requests, nbytes, found,
                     run_id])
        _LIVE_RUNS.discard((self._key, run_id))
        return found

    def last_run(self, name: str) -> tuple[int, datetime] | None:
        """The latest finished run of a saved search: (run_id, started)."""
        row = self.first_row(
            "SELECT run_id, started FROM runs WHERE name = ? AND finished IS NOT NULL "
            "ORDER BY run_id DESC LIMIT 1", [name])
        return (int(row[0]), row[1]) if row else None

    def run_found(self, run_id: int) -> dict[str, str]:
        rows = self.con.execute("SELECT nct_id, hash FROM run_studies WHERE run_id = ?",
                                [run_id]).fetchall()
        return {str(n): str(h) for n, h in rows}

    def drop_run(self, run_id: int) -> None:
        """Forget a run that did not finish, and which studies it found (the studies stay)."""
        with self._lock:
            self.execute("DELETE FROM run_studies WHERE run_id = ?", [run_id])
            self.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
        _LIVE_RUNS.discard((self._key, run_id))

    def abort_run(self, run_id: int) -> None:
        """Mark a run that stopped part-way aborted (what it stored stays). When the store
        cannot be written (a full disk) the next opening marks it."""
        _LIVE_RUNS.discard((self._key, run_id))
        try:
            with self._lock:
                self.execute(f"UPDATE runs SET outcome = '{ABORTED}' WHERE run_id = ? AND "
                             "finished IS NULL", [run_id])
        except duckdb.Error as exc:
            logger.debug("could not mark run %d aborted now: %s", run_id, exc)
