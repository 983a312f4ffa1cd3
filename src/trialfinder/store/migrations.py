"""The study store's schema: ordered, named migrations, recorded in the store itself.

A store is never made by "create the tables when absent". Each change of its schema is a
:class:`Migration` in :data:`MIGRATIONS`, applied once, in order, and recorded in the
``migrations`` table (``name``, ``applied_at``, and the ``version`` of trialfinder that applied
it), the habit of sqlite-utils and datasette. :func:`upgrade` runs when the store is opened:

- a new file gets every migration; a store of an earlier trialfinder gets the ones it lacks
  (0.1.0 stores have no ``migrations`` table: they get them all, and the first two find
  their work done) -- all in one transaction, so the store is upgraded whole or not at all;
- a store that records a migration this trialfinder does not know was upgraded by a newer
  one, and is refused in one line naming that version;
- a read-only opening of a store that lacks migrations raises :class:`StoreOutdatedError`
  (:func:`trialfinder.store.db.open_store` then opens it for writing once, to upgrade it);
- afterwards every column of the column spec must be in the store: a page's rows are never
  narrowed to the columns an older store happens to have.

The study tables come from the column spec (:mod:`trialfinder.tables.schema`): their columns,
and SQL types from the dtypes. A column added to the spec needs a migration that adds it
(:func:`_add_columns`, which says what the rows already stored hold); the first migration
creates the spec's columns less those that later migrations add.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb

from trialfinder._version import __version__
from trialfinder.core.errors import StoreError, StoreOutdatedError
from trialfinder.registries.ctgov import SOURCE
from trialfinder.store.bounded import MOST_BYTES, cut_said, cut_text, parts
from trialfinder.tables.schema import TABLES

__all__ = ["MIGRATIONS", "SQL_TYPES", "VERSION_TABLE", "Migration", "missing_columns", "upgrade"]

logger = logging.getLogger(__name__)

#: The SQL type of each dtype of the column spec.
SQL_TYPES: Final[dict[str, str]] = {
    "string": "VARCHAR",
    "category": "VARCHAR",
    "Int64": "BIGINT",
    "Float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "datetime64[ns]": "TIMESTAMP",
}
_LEDGER: Final = "migrations"
# ``store_info``'s schema: 1 for stores before migrations; 2 tells trialfinder 0.1.0 (which
# knows no migrations) to refuse the store rather than write rows without the newer columns.
_SCHEMA_BEFORE: Final = "1"
_SCHEMA_NOW: Final = "2"
#: The table under the ``versions`` view: each record's JSON text in parts (``record_parts``).
VERSION_TABLE: Final = "version_records"

#: What a migration does to the store; what it returns (if anything) is said in the log line
#: of the upgrade (the texts it cut).
Apply = Callable[[duckdb.DuckDBPyConnection], str | None]


@dataclass(frozen=True, slots=True)
class Migration:
    """One change of the store's schema: its name (recorded), what it does, how, and the
    spec's columns it adds to the study tables."""

    name: str
    about: str
    apply: Apply
    adds: tuple[str, ...] = ()


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> None:
    con.execute(sql, params).fetchall()


def _first_store(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of trialfinder 0.1.0's store, where absent (a 0.1.0 store has them all)."""
    later = {name for m in MIGRATIONS for name in m.adds}
    for spec in TABLES:
        cols = ", ".join(f'"{c.name}" {SQL_TYPES[c.dtype]}' for c in spec.columns
                         if c.name not in later)
        _run(con, f'CREATE TABLE IF NOT EXISTS "{spec.name}" ({cols})')
    for sql in (
        "versions (nct_id VARCHAR, hash VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP, "
        "record VARCHAR)",
        "searches (name VARCHAR, options VARCHAR, created TIMESTAMP)",
        "runs (run_id BIGINT, name VARCHAR, mode VARCHAR, started TIMESTAMP, "
        "finished TIMESTAMP, requests BIGINT, bytes BIGINT, studies BIGINT)",
        "run_studies (run_id BIGINT, nct_id VARCHAR, hash VARCHAR)",
        "store_info (key VARCHAR, value VARCHAR)",
    ):
        _run(con, f"CREATE TABLE IF NOT EXISTS {sql}")
    if con.execute("SELECT 1 FROM store_info WHERE key = 'schema'").fetchone() is None:
        _run(con, "INSERT INTO store_info VALUES ('schema', ?)", [_SCHEMA_BEFORE])


def _runs_params(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, "ALTER TABLE runs ADD COLUMN IF NOT EXISTS params VARCHAR")


def _runs_outcome(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, "ALTER TABLE runs ADD COLUMN IF NOT EXISTS outcome VARCHAR")
    _run(con, "UPDATE runs SET outcome = 'finished' WHERE outcome IS NULL AND "
              "finished IS NOT NULL")


def _schema_2(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, "UPDATE store_info SET value = ? WHERE key = 'schema'", [_SCHEMA_NOW])


def _versions_in_parts(con: duckdb.DuckDBPyConnection) -> None:
    """``versions`` becomes a view of ``version_records``, which holds each record's text in
    parts of at most :data:`~trialfinder.store.bounded.MOST_BYTES` (:func:`parts`)."""
    _run(con, f"CREATE TABLE {VERSION_TABLE} (nct_id VARCHAR, hash VARCHAR, "
              "first_seen TIMESTAMP, last_seen TIMESTAMP, record_parts VARCHAR[])")
    _run(con, f"INSERT INTO {VERSION_TABLE} SELECT nct_id, hash, first_seen, last_seen, "
              "CASE WHEN record IS NOT NULL THEN [record] END FROM versions "
              f"WHERE coalesce(strlen(record), 0) <= {MOST_BYTES}")
    longer = con.execute("SELECT rowid FROM versions WHERE strlen(record) > ?",
                         [MOST_BYTES]).fetchall()
    for (rowid,) in longer:  # one at a time: each may be large
        row = con.execute("SELECT record FROM versions WHERE rowid = ?", [rowid]).fetchone()
        split = parts(str(row[0]).encode()) if row else []
        _run(con, f"INSERT INTO {VERSION_TABLE} SELECT nct_id, hash, first_seen, last_seen, "
                  "?::VARCHAR[] FROM versions WHERE rowid = ?", [split, rowid])
    _run(con, "DROP TABLE versions")
    # list_reduce rather than array_to_string: an export of 400 records of 180 kB ran out of
    # 256 MB with the latter, not with the former (DuckDB 2.0.1)
    _run(con, "CREATE VIEW versions AS SELECT nct_id, hash, first_seen, last_seen, "
              "list_reduce(record_parts, lambda a, b: a || b) AS record "
              f"FROM {VERSION_TABLE}")


def _cut_long_texts(con: duckdb.DuckDBPyConnection) -> str | None:
    """Each text of a study table longer than :data:`MOST_BYTES`, which a store written before
    sync cut them kept whole, cut as a sync cuts it now (:func:`cut_text`, a mark at its end):
    the record it was read from stays whole in ``version_records``. Said when there was any."""
    names = ", ".join(f"'{spec.name}'" for spec in TABLES)
    columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                          f"WHERE table_schema = 'main' AND table_name IN ({names}) "
                          "AND data_type = 'VARCHAR' ORDER BY ALL").fetchall()
    where: list[str] = []
    for table, column in columns:  # the store's own columns: a later migration adds more
        long = con.execute(f'SELECT rowid FROM "{table}" WHERE strlen("{column}") > ?',
                           [MOST_BYTES]).fetchall()
        for (rowid,) in long:  # one at a time: each may be large
            row = con.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?',
                              [rowid]).fetchone()
            cut = cut_text(str(row[0])) if row else None
            if cut is not None:
                _run(con, f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', [cut, rowid])
                where.append(f"{table}.{column}")
    return cut_said(where) if where else None


def _add_columns(name: str, about: str, held: Mapping[str, str | None]) -> Migration:
    """A migration that adds the spec's columns named in ``held`` to every study table that
    has them, with the value the rows already stored hold (``held[column]``; ``None``: they
    hold none)."""
    def apply(con: duckdb.DuckDBPyConnection) -> None:
        for spec in TABLES:
            for col in spec.columns:
                if col.name in held:
                    _run(con, f'ALTER TABLE "{spec.name}" ADD COLUMN IF NOT EXISTS '
                              f'"{col.name}" {SQL_TYPES[col.dtype]}')
                    if held[col.name] is not None:
                        _run(con, f'UPDATE "{spec.name}" SET "{col.name}" = ? '
                                  f'WHERE "{col.name}" IS NULL', [held[col.name]])
    return Migration(name, about, apply, tuple(held))


#: Every migration, in the order they are applied. Append only: a released name never changes.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration("0001_first_store", "the tables of the first stores (trialfinder 0.1.0's, less "
              "the columns the next migrations add)", _first_store),
    Migration("0002_runs_params", "runs.params: the API query each run ran, as JSON",
              _runs_params),
    Migration("0003_runs_outcome", "runs.outcome: finished, aborted, or empty while a run "
              "runs; runs that had ended are finished", _runs_outcome),
    Migration("0004_store_info_schema_2", "store_info's schema becomes 2, which trialfinder "
              "0.1.0 refuses (it would write rows without the newer columns)", _schema_2),
    _add_columns("0005_source", "a source column in every study table; the rows already "
                 "stored came from ClinicalTrials.gov (ctgov)", {"source": SOURCE}),
    _add_columns("0006_other_ids", "studies.other_ids: a study's ids in other registries "
                 "(the duplicate rule reads them); empty for the rows already stored until "
                 "their study is seen again", {"other_ids": None}),
    Migration("0007_versions_in_parts", "versions becomes a view of version_records, which "
              "keeps each record's JSON text in parts under 60 KiB (DuckDB's checkpoint failed "
              "on hundreds of texts of 64 KiB or more); the view gives the whole text",
              _versions_in_parts),
    Migration("0008_cut_long_texts", "a text of a study table longer than 60 KiB, kept whole "
              "by a store written before sync cut them, is cut with a mark as sync cuts it "
              "(the record stays whole in version_records); the texts cut are counted in the "
              "upgrade's log line", _cut_long_texts),
)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'main'").fetchall()
    return {str(r[0]) for r in rows}


def _applied(con: duckdb.DuckDBPyConnection, path: Path,
             read_only: bool) -> list[tuple[str, str]]:
    """``(name, version)`` of each migration the store records, oldest first."""
    present = _tables(con)
    if _LEDGER in present:
        rows = con.execute(f"SELECT name, version FROM {_LEDGER} ORDER BY applied_at, name"
                           ).fetchall()
        return [(str(n), str(v)) for n, v in rows]
    if not present and not read_only:
        return []  # a new file
    if "store_info" not in present:
        raise StoreError(f"{path} is not a trialfinder study store")
    row = con.execute("SELECT value FROM store_info WHERE key = 'schema'").fetchone()
    if row is None or row[0] != _SCHEMA_BEFORE:
        raise StoreError(f"{path} is a study store of another version "
                         f"({row[0] if row else 'unknown'}); move it aside to start anew")
    return []  # made by trialfinder 0.1.0: every migration is due


def missing_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """``table.column`` of each column of the spec that the store's study tables lack."""
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = 'main'").fetchall()
    held = {(str(t), str(c)) for t, c in rows}
    return [f"{spec.name}.{col.name}" for spec in TABLES for col in spec.columns
            if (spec.name, col.name) not in held]


def upgrade(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool,
            migrations: Sequence[Migration] | None = None) -> tuple[str, ...]:
    """Bring the store on ``con`` to this trialfinder's schema (see the module docstring);
    returns the names of the migrations applied now (``migrations``: :data:`MIGRATIONS`)."""
    migrations = MIGRATIONS if migrations is None else migrations
    applied = _applied(con, path, read_only)
    known = {m.name for m in migrations}
    unknown = [(name, version) for name, version in applied if name not in known]
    if unknown:
        name, version = unknown[-1]
        raise StoreError(f"the study store {path} was upgraded by trialfinder {version}, "
                         f"newer than this one ({__version__}): it knows no migration "
                         f"{name!r}; use trialfinder {version} or later, or move the file aside")
    done = {name for name, _ in applied}
    due = [m for m in migrations if m.name not in done]
    if due and read_only:
        raise StoreOutdatedError(
            f"the study store {path} was made by an earlier trialfinder and needs upgrading "
            f"({len(due)} step(s), from {due[0].name}); a command that writes to it does that")
    if due:
        _apply(con, path, due)
    gaps = missing_columns(con)
    if gaps:
        raise StoreError(f"the study store {path} lacks the column(s) {', '.join(gaps)} "
                         "and no migration adds them; move the file aside to start anew")
    return tuple(m.name for m in due)


def _apply(con: duckdb.DuckDBPyConnection, path: Path, due: Sequence[Migration]) -> None:
    """Every due migration, in order, in one transaction: all of them or none."""
    _run(con, "BEGIN TRANSACTION")
    current = due[0]
    try:
        _run(con, f"CREATE TABLE IF NOT EXISTS {_LEDGER} "
                  "(name VARCHAR, applied_at TIMESTAMP, version VARCHAR)")
        when = datetime.now(UTC).replace(tzinfo=None)
        notes: list[str | None] = []
        for current in due:
            notes.append(current.apply(con))
            _run(con, f"INSERT INTO {_LEDGER} VALUES (?, ?, ?)",
                 [current.name, when, __version__])
        _run(con, "COMMIT")
    except BaseException as exc:
        try:
            _run(con, "ROLLBACK")
        except duckdb.Error:
            logger.debug("no transaction left to roll back")
        if not isinstance(exc, Exception):
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"cannot upgrade the study store {path}: migration {current.name} "
                         f"failed ({first}); the store is left as it was") from None
    said = [f"{m.name}: {note}" if note else m.name for m, note in zip(due, notes, strict=True)]
    # what a migration did to the rows (texts cut) is a warning, as a sync's cut is
    log = logger.warning if any(notes) else logger.info
    log("study store %s upgraded: %s", path, ", ".join(said))
