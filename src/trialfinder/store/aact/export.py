"""``trialfinder store export --aact DIR``: every AACT view as a Parquet file (or folder)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from trialfinder.core.delivery import after_delivery, staged_folder
from trialfinder.core.wording import plural
from trialfinder.store.aact.install import SCHEMA, VIEWS
from trialfinder.store.aact.source import TABLE
from trialfinder.store.db import StoreError, interrupted
from trialfinder.store.reading import (
    EXPORT_TABLES,
    ROW_GROUP,
    export_settings,
    other_export,
    other_forms,
    remove_all,
)

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = ["export_aact", "unsynced", "unsynced_at", "unsynced_note"]

logger = logging.getLogger(__name__)

def unsynced(store: Store) -> int:
    """ClinicalTrials.gov studies the store holds that are not in the AACT tables (only
    searches or watches found them, and those fetch the list view, not the whole record).
    Other registries' trials are never in them (AACT copies ClinicalTrials.gov alone)."""
    row = store.first_row(f"SELECT count(*) FROM studies WHERE source = 'ctgov' AND nct_id "
                          f"NOT IN (SELECT nct_id FROM {TABLE})")
    return int(row[0]) if row else 0


def unsynced_at(path: Path) -> int:
    """:func:`unsynced` of the store at ``path``, opened read-only for the count; 0 when it
    cannot be opened now (another program took it meanwhile): the count is only a note."""
    from trialfinder.store.db import open_store

    try:
        with open_store(path, read_only=True, wait=0.5) as store:
            return unsynced(store)
    except StoreError as exc:
        logger.debug("no count of the studies outside the AACT tables: %s", exc)
        return 0


def unsynced_note(count: int) -> str:
    """What :func:`unsynced` found, for people."""
    return (f"{plural(count, 'study')} of the store {'is' if count == 1 else 'are'} not in the "
            "AACT tables: only searches or watches found them; `trialfinder sync` fetches "
            "their whole records")


def _copy(store: Store, name: str, target: Path, partitioned: bool) -> None:
    quoted = str(target).replace("'", "''")
    if partitioned:
        store.execute(
            f"COPY (SELECT *, substr(nct_id, 4, 3) AS id_block FROM {SCHEMA}.\"{name}\") "
            f"TO '{quoted}' (FORMAT parquet, COMPRESSION zstd, {ROW_GROUP}, "
            "PARTITION_BY (id_block))")
    else:
        # row groups bounded in bytes, as the store's own export has them: DuckDB holds one
        # whole row group before writing it (122,880 rows by default: every study of a large
        # store, more than the export's memory)
        store.execute(f"COPY (SELECT * FROM {SCHEMA}.\"{name}\") TO '{quoted}' "
                      f"(FORMAT parquet, COMPRESSION zstd, {ROW_GROUP})")


def export_aact(store: Store, folder: Path, *, partitioned: bool = False) -> list[Path]:
    """Write each view of the ``aact`` schema as ``folder/<table>.parquet``, or with
    ``partitioned`` as a Hive-style folder split by ``id_block`` (the first three digits of the
    NCT number), as ``store export`` does for the store's own tables: into a hidden folder
    first, moved into place whole once every table is written (under the command line, once
    its output is delivered), so a failed or interrupted export leaves nothing half-written
    and an earlier export whole; a table an earlier export left in the other form goes then.
    Studies of the store that no sync fetched are not in the AACT tables; a warning says how
    many."""
    folder = Path(folder)
    targets = {name: name if partitioned else f"{name}.parquet" for name in VIEWS}
    other_export(folder, VIEWS, EXPORT_TABLES, aact=True)
    stale = other_forms(folder, targets)  # checked before anything is written
    written: list[Path] = []
    # a view's rows may come in any order: DuckDB then streams them (the ordered unnest of
    # every site of 50,000 studies does not fit in the writer's small memory); EXPORT_MEMORY
    with export_settings(store), staged_folder(folder) as work:
        for name, target in targets.items():
            try:
                _copy(store, name, work / target, partitioned)
            except duckdb.Error as exc:
                if interrupted(exc):
                    raise KeyboardInterrupt from None
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise StoreError(f"cannot write the AACT table {name} to {folder}: "
                                 f"{first}") from None
            written.append(folder / target)
    after_delivery(lambda: remove_all(stale))  # after the move into place
    left_out = unsynced(store)
    if left_out:
        logger.warning("%s", unsynced_note(left_out))
    return written
