"""The reading side of the study store: versions of studies, their tables, counts, export.

:class:`StoreReading` is mixed into :class:`trialfinder.store.db.Store` (as
:class:`~trialfinder.store.runs.RunLog` is); it needs the store's connection and lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import orjson
import pandas as pd

from trialfinder.core.delivery import staged_folder
from trialfinder.core.errors import DataFileError
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables

__all__ = ["StoreReading"]


class StoreReading:
    """What the store gives back (see the module docstring)."""

    if TYPE_CHECKING:
        con: duckdb.DuckDBPyConnection
        _lock: threading.Lock
        path: Path
        read_only: bool

        def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...
        def first_row(self, sql: str, params: Sequence[Any] | None = None) -> Any: ...
        def columns(self, table: str) -> list[str]: ...

    def _count(self, table: str) -> int:
        row = self.first_row(f'SELECT count(*) FROM "{table}"')
        return int(row[0]) if row else 0

    def _per_study(self, ids: Sequence[str], value: str) -> list[tuple[Any, Any]]:
        """``(nct_id, value)`` over the versions of those of ``ids`` the store holds;
        ``value`` is one of this module's own aggregate expressions, never user text."""
        if not ids:
            return []
        frame = pd.DataFrame({"nct_id": pd.array(list(ids), dtype="string")})
        with self._lock:
            self.con.register("wanted_ids", frame)
            rows = self.con.execute(
                f"SELECT nct_id, {value} FROM versions "
                "WHERE nct_id IN (SELECT nct_id FROM wanted_ids) GROUP BY nct_id").fetchall()
            self.con.unregister("wanted_ids")
        return rows

    def current_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """The latest stored version of each of ``ids`` that the store holds."""
        rows = self._per_study(ids, "arg_max(hash, last_seen)")
        return {str(n): str(h) for n, h in rows}

    def last_seen(self, ids: Sequence[str]) -> dict[str, datetime]:
        """When each of ``ids`` was last seen (any version), for those the store holds."""
        return {str(n): moment for n, moment in self._per_study(ids, "max(last_seen)")}

    def record(self, nct_id: str, hash_: str) -> dict[str, Any] | None:
        row = self.first_row("SELECT record FROM versions WHERE nct_id = ? AND hash = ?",
                               [nct_id, hash_])
        if row is None:
            return None
        value = orjson.loads(row[0])
        return value if isinstance(value, dict) else None

    def versions(self, nct_id: str) -> list[tuple[str, datetime, datetime, dict[str, Any]]]:
        """Every version seen of one study, oldest first: (hash, first_seen, last_seen, record)."""
        rows = self.con.execute(
            "SELECT hash, first_seen, last_seen, record FROM versions WHERE nct_id = ? "
            "ORDER BY first_seen, last_seen", [nct_id]).fetchall()
        return [(str(h), f, last, orjson.loads(r)) for h, f, last, r in rows]

    def tables_for(self, ids: Sequence[str]) -> Tables:
        """The stored tables of the given studies, typed as the search tables."""
        frame = pd.DataFrame({"nct_id": pd.array(list(ids), dtype="string")})
        out: dict[str, pd.DataFrame] = {}
        with self._lock:
            self.con.register("wanted_ids", frame)
            for name, dtypes in TABLE_DTYPES.items():
                listed = ", ".join(f'"{c}"' for c in dtypes)
                got = self.con.execute(
                    f'SELECT {listed} FROM "{name}" '
                    "WHERE nct_id IN (SELECT nct_id FROM wanted_ids)").df()
                out[name] = got.astype(dict(dtypes))
            self.con.unregister("wanted_ids")
        return Tables.of(out)

    def info(self) -> dict[str, int]:
        """Rows per table, plus the file's size in bytes (``file_bytes``)."""
        counts = {name: self._count(name) for name in (*TABLE_NAMES, "versions", "searches",
                                                       "runs")}
        if not self.read_only:
            self.execute("CHECKPOINT")
        counts["file_bytes"] = self.path.stat().st_size if self.path.exists() else 0
        return counts

    def export(self, folder: Path, *, partitioned: bool = False) -> list[Path]:
        """Write every table as Parquet: one file per table (``folder/<table>.parquet``), or
        with ``partitioned`` one Hive-style folder per table split by ``id_block`` (the first
        three digits of the NCT number: ``folder/studies/id_block=051/*.parquet``), which
        Spark, Trino and DuckDB read as one table and prune by id."""
        written: list[Path] = []
        # written aside, moved into place whole (under the command line, once its output
        # is delivered); an export that fails leaves nothing behind
        with staged_folder(folder) as work:
            for name in (*TABLE_NAMES, "versions", "searches", "runs", "run_studies"):
                by_id = partitioned and "nct_id" in self.columns(name)
                target = name if by_id else f"{name}.parquet"
                quoted = str(work / target).replace("'", "''")
                try:
                    if by_id:
                        self.execute(
                            f"COPY (SELECT *, substr(nct_id, 4, 3) AS id_block FROM \"{name}\")"
                            f" TO '{quoted}' (FORMAT parquet, COMPRESSION zstd, "
                            "PARTITION_BY (id_block), OVERWRITE_OR_IGNORE)")
                    else:
                        self.execute(f"COPY \"{name}\" TO '{quoted}' (FORMAT parquet, "
                                     "COMPRESSION zstd)")
                except duckdb.Error as exc:
                    raise DataFileError(f"cannot write the export into {folder}: "
                                        f"{str(exc).splitlines()[0]}") from None
                written.append(folder / target)
        return written
