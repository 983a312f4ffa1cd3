"""``trialfinder sql``: one read-only query on the study store, printed as CSV (or a table,
or JSON lines: ``--format``, :mod:`trialfinder.cli.formats`), a batch of rows at a time.

    trialfinder sql "select status, count(*) from studies group by 1"
    trialfinder sql --memory-limit 2048 --timeout 300 "select ... from versions ..."
    trialfinder sql --format json "select nct_id, title from studies limit 5"

The query's bounds (memory, time, reach) are those of :func:`trialfinder.store.sql.run_sql`;
in the command's own process the whole process's memory is capped too, and a query that is
still running a few seconds after it was interrupted ends the process with the same one line.
The CSV gets the formula guard of every CSV trialfinder writes
(:func:`trialfinder.tables.export.formula_guard`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialfinder.cli.formats import FORMATS, add_format_option
from trialfinder.core.config import Settings
from trialfinder.core.delivery import report
from trialfinder.core.lazy import lazy
from trialfinder.store.aact.names import READS_AACT
from trialfinder.store.aact.spellings import spelling_note
from trialfinder.topics.demo import FICTIONAL_NOTE, is_demo_id

if TYPE_CHECKING:
    from trialfinder.store.aact.export import unsynced_at, unsynced_note
    from trialfinder.store.db import default_store_path
    from trialfinder.store.sql import run_sql
    from trialfinder.tables.export import formula_guard
else:  # DuckDB and pandas load when the command runs, not for --help
    default_store_path = lazy("trialfinder.store.db", "default_store_path")
    run_sql = lazy("trialfinder.store.sql", "run_sql")
    formula_guard = lazy("trialfinder.tables.export", "formula_guard")
    unsynced_at = lazy("trialfinder.store.aact.export", "unsynced_at")
    unsynced_note = lazy("trialfinder.store.aact.export", "unsynced_note")

__all__ = ["add_parser", "run"]

#: Rows handed to the writer at a time (a query's whole answer is never held at once).
BATCH_ROWS = 10_000
#: The most rows a table for the terminal shows: it needs all its rows for its widths, so a
#: huge answer would be held whole (CSV and JSON lines stream, and have no such bound).
TABLE_ROWS = 10_000


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add ``sql`` to the ``trialfinder`` parser (``parents``: --store and -v)."""
    sq = subparsers.add_parser("sql", parents=list(parents),
                               help="run read-only SQL on the store, print CSV")
    sq.add_argument("query", metavar="SQL", help='one SELECT, e.g. "select count(*) from studies"')
    sq.add_argument("--timeout", type=float, default=60.0,
                    help="seconds before it is stopped (default 60, at most 86400)")
    sq.add_argument("--memory-limit", type=float, metavar="MB",
                    help="memory for the query in MB (default $TRIALFINDER_SQL_MEMORY_MB or "
                    "512); past it the query stops with one line")
    add_format_option(sq, default="csv")


def _cell(value: Any) -> Any:
    """A value as a CSV cell or a table's (lists and objects as JSON text)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (list, dict)):
        value = json.dumps(value, default=str)
    if isinstance(value, str):
        return formula_guard(value)
    return value


def _json_cell(value: Any) -> Any:
    """A value as JSON holds it, inside lists and structs too: dates as ISO text, what JSON has
    no form for (a date, a decimal, an interval) as text, an infinity or NaN as null (JSON
    cannot hold them; Python's ``Infinity`` and ``NaN`` are not JSON), as JavaScript's
    ``JSON.stringify`` writes them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (list, tuple)):
        return [_json_cell(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_cell(v) for k, v in value.items()}
    return str(value)


def _table_cell(value: Any) -> Any:
    """A value as the table shows it: as JSON lines hold it, lists and structs written as
    their JSON (as the CSV has them), not as Python writes them (``['a', None]``)."""
    value = _json_cell(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _distinct_names(columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The column names as written, and the ones renamed: a name that comes again gets
    ``_1`` (``_2``, ... past a name the query has), as DuckDB numbers them in a subquery. Rows
    are written by name, so ``select *`` over a join (``nct_id`` twice) wrote the last
    column's values under both names."""
    taken, seen = set(columns), set()
    names, renamed = [], []
    for name in columns:
        if name in seen:
            n = 1
            while f"{name}_{n}" in taken:
                n += 1
            name = f"{name}_{n}"
            taken.add(name)
            renamed.append(name)
        seen.add(name)
        names.append(name)
    return names, renamed


def run(args: argparse.Namespace) -> int:
    memory = args.memory_limit if args.memory_limit is not None else Settings().sql_memory_mb
    own = bool(getattr(args, "own_process", False))

    def overrun() -> None:  # the query ignored its interrupt: end here, with the same line
        os.write(2, f"trialfinder: error: the query ran past {args.timeout:g} s and was "
                    "stopped\n".encode())
        os._exit(2)

    def stuck(signum: int) -> None:  # Ctrl-C or SIGTERM, and the query still runs: end here
        terminated = signum == signal.SIGTERM
        os.write(2, b"terminated\n" if terminated else b"interrupted\n")
        os._exit(143 if terminated else 130)

    path: Path = args.store_path or default_store_path()
    rows = run_sql(path, args.query, timeout=args.timeout, memory_mb=memory, cap_process=own,
                   on_overrun=overrun if own else None, on_stuck=stuck if own else None)
    columns, renamed = _distinct_names([str(c) for c in next(rows)])
    if renamed:  # nothing changed silently: the note names them
        report(f"trialfinder: note: column names that repeat are numbered: "
               f"{', '.join(renamed[:5])}{', ...' if len(renamed) > 5 else ''} (name them with "
               "AS to choose)")
    cell = {"csv": _cell, "json": _json_cell}.get(args.format, _table_cell)
    writer = FORMATS[args.format].writer(sys.stdout)
    writer.begin(columns)
    batch: list[dict[str, Any]] = []
    fictional = False  # fictional studies are never shown as real: a note says so
    most = TABLE_ROWS if FORMATS[args.format].for_people else None
    for shown, row in enumerate(rows):
        if shown == most:
            rows.close()  # the query ends here, and the store is closed
            report(f"trialfinder: note: the answer has more than {most:,} rows and the table "
                   f"shows the first {most:,}; add LIMIT, or give --format csv or --format "
                   "json for every row")
            break
        fictional = fictional or any(isinstance(v, str) and is_demo_id(v) for v in row)
        batch.append(dict(zip(columns, map(cell, row), strict=True)))
        if len(batch) == BATCH_ROWS:
            writer.write(batch)
            batch = []
    if batch:
        writer.write(batch)
    writer.end()
    if fictional:
        report(f"trialfinder: note: {FICTIONAL_NOTE}")
    if READS_AACT.search(args.query):  # an empty aact.* must not look like no such studies
        if note := spelling_note(args.query):  # 'Recruiting' finds nothing, and said nothing
            report(f"trialfinder: note: {note}")
        left_out = unsynced_at(path)
        if left_out:
            report(f"trialfinder: note: {unsynced_note(left_out)}")
    return 0
