"""Putting the ``aact`` schema into a store file, and keeping it in step with this release.

The views live in the store file, so any DuckDB client that opens ``studies.duckdb`` (the
``duckdb`` command, DBeaver, pandas) sees ``aact.studies`` too, and the same views under
AACT's own schema name, ``ctgov.studies``. They are (re)made whenever the
store is opened for writing and its ``store_info`` says they were made by other definitions
(:data:`VIEWS_VERSION`); when :data:`~trialfinder.store.aact.source.DOC` changed, the parsed
column is first converted to the new shape (the values it had are kept; values it did not hold
stay empty until the next sync fetches the studies again). A reader (``trialfinder sql``) that
finds them out of date opens the store for writing once to renew them (:func:`open_for_sql`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trialfinder.store.aact.names import AACT_SCHEMA, READS_AACT, SCHEMA
from trialfinder.store.aact.source import DOC_TYPE, TABLE, create_table, parse_sql
from trialfinder.store.aact.views_rows import ROW_VIEWS
from trialfinder.store.aact.views_study import STUDY_VIEWS

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = ["AACT_SCHEMA", "READS_AACT", "SCHEMA", "VIEWS", "VIEWS_VERSION", "install",
           "is_current", "open_for_sql"]

logger = logging.getLogger(__name__)

#: Every view: name -> its SELECT (the AACT tables in AACT's order of the docs).
VIEWS: Final[dict[str, str]] = {**STUDY_VIEWS, **ROW_VIEWS}


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


_DOC_VERSION: Final = _digest(DOC_TYPE)
VIEWS_VERSION: Final = _digest(_DOC_VERSION + AACT_SCHEMA
                               + "".join(f"{k}\n{v}" for k, v in VIEWS.items()))
_DOC_KEY: Final = "aact_doc"
_VIEWS_KEY: Final = "aact_views"


def _marker(store: Store, key: str) -> str | None:
    row = store.first_row("SELECT value FROM store_info WHERE key = ?", [key])
    return str(row[0]) if row else None


def _set_marker(store: Store, key: str, value: str) -> None:
    store.execute("DELETE FROM store_info WHERE key = ?", [key])
    store.execute("INSERT INTO store_info VALUES (?, ?)", [key, value])


def is_current(store: Store) -> bool:
    """The store holds this release's AACT views (works read-only)."""
    return _marker(store, _VIEWS_KEY) == VIEWS_VERSION


def install(store: Store) -> None:
    """Make ``aact_records`` and the ``aact`` views where missing or out of date (a store open
    for writing)."""
    if is_current(store):
        return
    store.execute("BEGIN TRANSACTION")
    try:
        create_table(store)
        if _marker(store, _DOC_KEY) not in (None, _DOC_VERSION):
            logger.warning("the AACT tables gained columns: they are empty for studies synced "
                           "before; the next `trialfinder sync` fills them")
            store.execute(f"ALTER TABLE {TABLE} ALTER doc TYPE {DOC_TYPE} "
                          f"USING {parse_sql('to_json(doc)')}")
        _set_marker(store, _DOC_KEY, _DOC_VERSION)
        for schema in (SCHEMA, AACT_SCHEMA):  # each view made from its own text, so
            _make_views(store, schema)         # neither schema depends on the other's name
        _set_marker(store, _VIEWS_KEY, VIEWS_VERSION)
        store.execute("COMMIT")
    except BaseException:
        store._roll_back()  # DuckDB may have ended it already (a full disk, an interrupt)
        raise
    logger.debug("made the %d AACT views (%s)", len(VIEWS), VIEWS_VERSION)


def _make_views(store: Store, schema: str) -> None:
    store.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    held = store.con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
        [schema]).fetchall()
    for (name,) in held:
        if name not in VIEWS:
            store.execute(f'DROP VIEW IF EXISTS {schema}."{name}"')
    for name, select in VIEWS.items():
        store.execute(f'CREATE OR REPLACE VIEW {schema}."{name}" AS {select}')


def open_for_sql(path: Path, *, config: Mapping[str, Any] | None = None) -> Store:
    """The store opened read-only for a query (with DuckDB ``config``: its memory and thread
    bounds), its AACT views renewed first when they are missing or from another release
    (which needs the store for writing a moment; when another program has it, the query runs
    on the views as they are)."""
    from trialfinder.store.db import StoreBusyError, open_store

    store = open_store(path, read_only=True, config=config)
    if is_current(store):
        return store
    store.close()
    try:
        open_store(path).close()  # a writer makes the views (Store.__init__)
    except StoreBusyError:
        logger.warning("the study store is busy; its AACT views may be out of date")
    return open_store(path, read_only=True, config=config)
