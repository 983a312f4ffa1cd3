"""The reading side of the study store: versions of studies, their tables, counts, export.

:class:`StoreReading` is mixed into :class:`trialfinder.store.db.Store` (as
:class:`~trialfinder.store.runs.RunLog` is); it needs the store's connection and lock.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import duckdb
import orjson
import pandas as pd

from trialfinder.core.delivery import after_delivery, staged_folder
from trialfinder.core.errors import DataFileError
from trialfinder.store.aact.install import VIEWS
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables

__all__ = ["EXPORT_MEMORY", "EXPORT_TABLES", "StoreReading", "export_settings", "other_export",
           "other_forms", "remove_all"]

#: The tables ``store export`` writes, in its order.
EXPORT_TABLES: Final = (*TABLE_NAMES, "versions", "searches", "runs", "run_studies")


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

    def ids_starting(self, prefix: str, limit: int = 100) -> list[str]:
        """Up to ``limit`` ids of the studies held that start with ``prefix`` (``NCT99``: the
        first cut of the fictional range), without reading every id of a large store."""
        with self._lock:
            rows = self.con.execute("SELECT nct_id FROM studies WHERE starts_with(nct_id, ?) "
                                    "LIMIT ?", [prefix, limit]).fetchall()
        return [str(r[0]) for r in rows]

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
        three digits of the study's id, :data:`ID_BLOCK`: ``folder/studies/id_block=051/``),
        which Spark, Trino and DuckDB read as one table and prune by id. A table an earlier export
        left in ``folder`` in the other form goes when this one is in place, so the folder
        never holds two versions of a table."""
        targets = {name: name if partitioned and "nct_id" in self.columns(name)
                   else f"{name}.parquet" for name in EXPORT_TABLES}
        other_export(Path(folder), EXPORT_TABLES, VIEWS, aact=False)
        stale = other_forms(Path(folder), targets)  # checked before anything is written
        with export_settings(self):
            written = self._export_aside(Path(folder), targets)
        after_delivery(lambda: remove_all(stale))  # after the move into place
        return written

    def _export_aside(self, folder: Path, targets: dict[str, str]) -> list[Path]:
        """Each table into a hidden folder inside ``folder``, moved into place whole (under the
        command line, once its output is delivered); an export that fails leaves nothing."""
        written: list[Path] = []
        with staged_folder(folder) as work:
            for name, target in targets.items():
                by_id = target == name
                quoted = str(work / target).replace("'", "''")
                try:
                    if by_id:
                        self.execute(
                            f"COPY (SELECT *, {ID_BLOCK} AS id_block FROM \"{name}\")"
                            f" TO '{quoted}' (FORMAT parquet, COMPRESSION zstd, "
                            f"{ROW_GROUP}, PARTITION_BY (id_block), OVERWRITE_OR_IGNORE)")
                    else:
                        self.execute(f"COPY \"{name}\" TO '{quoted}' (FORMAT parquet, "
                                     f"COMPRESSION zstd, {ROW_GROUP})")
                except duckdb.Error as exc:
                    raise DataFileError(f"cannot write the export into {folder}: "
                                        f"{str(exc).splitlines()[0]}") from None
                written.append(folder / target)
        return written


#: DuckDB's memory while an export (``store export``, with ``--aact`` or not, plain or
#: ``--partitioned``) copies the tables, given back after. DuckDB reads up to 2,048 rows at a
#: time, each whole: 2,000 studies of about 30 kB of JSON each (the demo's studies, with their
#: many sites) are 60 MB in one read, and `store export` failed in the writer's 64 MB (so did
#: `--aact`, at its calculated values). 256 MB holds reads of studies of about 120 kB on
#: average. DuckDB's partitioned writer also holds a buffer for each folder it fills and cannot
#: spill them: with 128 MB the AACT ``studies`` of 599,000 studies in 69 folders (the whole
#: registry's size) failed, and with 256 MB every table was written (the process peaked at
#: 483 MB).
EXPORT_MEMORY: Final = "256MB"


@contextlib.contextmanager
def export_settings(store: StoreReading) -> Iterator[None]:
    """DuckDB's settings for an export's copies: rows in any order (DuckDB then streams each
    table in row groups of a few MB; the records in ``versions`` of a few thousand studies do
    not fit in one ordered row group) and :data:`EXPORT_MEMORY`; the store's own after."""
    memory = store.first_row("SELECT current_setting('memory_limit')")
    store.execute("SET preserve_insertion_order = false")
    store.execute(f"SET memory_limit = '{EXPORT_MEMORY}'")
    try:
        yield
    finally:
        store.execute("RESET preserve_insertion_order")
        if memory is not None:
            store.execute(f"SET memory_limit = '{memory[0]}'")


#: The most a Parquet row group of an export holds, so a table of long records (``versions``)
#: is written in bounded memory.
ROW_GROUP = "ROW_GROUP_SIZE_BYTES '4MB'"

#: A study's ``id_block``: the first three digits of its id in any registry (``051`` of
#: NCT05123456, ``990`` of ISRCTN99012345; NULL for an id without three), never its letters.
ID_BLOCK = "nullif(regexp_extract(nct_id, '[0-9]{3}'), '')"

_BLOCK = re.compile(r"id_block=[0-9A-Za-z_-]+")


def other_export(folder: Path, mine: Iterable[str], theirs: Iterable[str], *,
                 aact: bool) -> None:
    """Refuse a folder that holds the other export's tables (``aact``: this export is
    ``store export --aact``). Both write ``studies``, ``conditions`` and ``interventions``,
    so one into the other's folder left a mix: AACT's studies beside the store's sites."""
    own = set(mine)
    found = [name for name in theirs if name not in own and any(
        p.exists() or p.is_symlink() for p in (folder / f"{name}.parquet", folder / name))]
    if not found:
        return
    shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
    what, held = (("the AACT tables", "the store's own tables of `store export`") if aact else
                  ("the store's tables", "AACT tables of `store export --aact`"))
    raise DataFileError(f"cannot export {what} into {folder}: it holds {held} ({shown}), and "
                        "both exports write studies, conditions and interventions; export into "
                        "another folder")


def other_forms(folder: Path, targets: dict[str, str]) -> list[Path]:
    """What an earlier export left of these tables in the other form (``studies.parquet``
    for a partitioned ``studies/``, and the other way round). A folder of a table's name
    that holds anything but ``id_block=...`` folders of Parquet files was not written by an
    export: the export is refused rather than delete it, as it is when a folder stands where
    a table's file goes (nothing is written then)."""
    stale = []
    for name, target in targets.items():
        file = folder / target
        if target != name and file.is_dir() and not file.is_symlink():
            raise DataFileError(f"cannot export into {folder}: {file} is a folder where the "
                                "table's file goes; move it away or export into another folder")
        split = folder / name  # replaced or removed: either way it must be an export's
        if split.is_dir() and not split.is_symlink() and not all(
                b.is_dir() and not b.is_symlink() and _BLOCK.fullmatch(b.name)
                and all(f.suffix == ".parquet" for f in b.iterdir()) for b in split.iterdir()):
            raise DataFileError(
                f"cannot export into {folder}: {split} holds files an export did not write; "
                "move it away or export into another folder")
        other = folder / (f"{name}.parquet" if target == name else name)
        if other.is_symlink() or other.exists():
            stale.append(other)
    return stale


def remove_all(paths: Sequence[Path]) -> None:
    """Remove what :func:`other_forms` found (files and folders), once an export is in place."""
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise DataFileError(f"the export is in place, but the earlier {path} could not be "
                                f"removed: {exc.strerror or exc}") from None
