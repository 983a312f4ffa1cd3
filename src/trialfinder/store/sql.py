"""``trialfinder sql``: one read-only query on the study store, its rows a batch at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import duckdb

from trialfinder.errors import InvalidQueryError
from trialfinder.store.aact.install import open_for_sql

__all__ = ["run_sql"]

_ALLOWED: Final = frozenset({"SELECT", "EXPLAIN"})


def run_sql(path: Path, sql: str, *, timeout: float = 60.0,
            batch: int = 10_000) -> Iterator[list[Any]]:
    """Rows of one read-only query (first the column names), a batch at a time.

    The store is opened read-only with no access to other files or the network, and only a
    single ``SELECT`` (or ``EXPLAIN``) is accepted. A query running past ``timeout`` seconds is
    interrupted.
    """
    store = open_for_sql(path)  # read-only; the aact views renewed first if out of date
    try:
        try:
            statements = store.con.extract_statements(sql)
        except duckdb.Error as exc:
            raise InvalidQueryError(f"SQL error: {str(exc).splitlines()[0]}") from None
        if len(statements) != 1:
            raise InvalidQueryError(f"give exactly one SQL statement, not {len(statements)}")
        kind = str(statements[0].type).rsplit(".", 1)[-1].upper()
        if kind not in _ALLOWED:
            raise InvalidQueryError(f"the store is read-only here: only SELECT is allowed, "
                                    f"not {kind}")
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            store.con.interrupt()

        timer = threading.Timer(timeout, stop)
        timer.daemon = True
        timer.start()
        try:
            cursor = store.con.execute(sql)
            yield [d[0] for d in cursor.description or []]
            while True:
                rows = cursor.fetchmany(batch)
                if not rows:
                    break
                yield from (list(r) for r in rows)
        except (duckdb.InterruptException, RuntimeError) as exc:
            # Ctrl-C reaches us as DuckDB's "Query interrupted" (a RuntimeError)
            if isinstance(exc, RuntimeError) and "interrupted" not in str(exc):
                raise
            if not timed_out.is_set():
                raise KeyboardInterrupt from None
            raise InvalidQueryError(f"the query ran past {timeout:g} s and was stopped") \
                from None
        except duckdb.Error as exc:
            raise InvalidQueryError(f"SQL error: {str(exc).splitlines()[0]}") from None
        finally:
            timer.cancel()
    finally:
        store.close()
