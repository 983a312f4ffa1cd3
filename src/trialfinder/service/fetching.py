"""One registry's tables of a search: from the saved tables when fresh, else fetched through
the registry's client, read by its reader (a page at a time), left for the study store (the
spool, under the registry's name) and saved for next time.

Saved tables are keyed by the registry's name, where its client asks and what it sends
(:func:`trialfinder.cache.tablekey.search_key`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import pandas as pd

from trialfinder.cache.behind import put_behind
from trialfinder.cache.tablecache import Dropped, Saved, SavedPages, TableCache
from trialfinder.cache.tablekey import TABLES_FOLDER, search_key
from trialfinder.core.config import Settings
from trialfinder.core.errors import CacheError
from trialfinder.core.folders import prepare_cache_dir
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.wording import duration, plural
from trialfinder.registries.base import RegistryClient, Translation
from trialfinder.registries.result import ProgressCallback, SearchResult, warnings_for
from trialfinder.store.spool import MAX_PENDING_MB, Spooled, SpoolWriter, pending_bytes
from trialfinder.tables.frames import Tables

__all__ = ["Fetched", "SavedPart", "fetch_tables", "narrow", "saved_info", "saved_pages",
           "saved_tables"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One registry's part of a search: its tables, its report, and where they came from
    (``the API``, ``the HTTP cache``, ``tables saved 5 minutes ago``)."""

    tables: Tables
    result: SearchResult
    answered_from: str


def fetch_tables(client: RegistryClient, translation: Translation, limit: int | None,
                 progress: ProgressCallback | None) -> Fetched:
    """The tables of one registry's search: from the saved tables when fresh, else fetched and
    read (and saved). Saved tables are used only with a cache, and never when the registry's
    data changed since they were made (:meth:`RegistryClient.data_time`; ClinicalTrials.gov's
    ``/version``, itself cached for an hour). A cache folder that cannot be used, or an entry
    that fails its checks, costs one warning, not the search."""
    settings, registry = client.settings, client.registry
    notes: list[str] = []
    store, key, fetched = saved_tables(client, translation, limit, progress, notes)
    if fetched is not None:
        return fetched
    # Each page is read into table columns as it arrives, so the raw records of a large search
    # are never all held at once (the columns are a fraction of their size); the tables are
    # made once, at the end.
    reader = registry.reader()
    spooler = _spooler(settings, translation, registry.name, notes)

    # Without a limit every page is kept whole (repeats aside, which the store sorts out):
    # the prefetch thread writes each body as it came, while this thread makes tables.
    whole_pages = spooler is not None and limit is None and client.gives_bodies

    def on_page(studies: Sequence[dict[str, Any]], fetched: datetime | None) -> None:
        keep = spooler is not None and not whole_pages
        with gc_paused():  # a page's records are parsed as they are read (or in the client)
            if keep:
                studies = list(studies)  # read twice: parsed once
            reader.add(studies)
        if spooler is not None and keep:
            spooler.add(studies, fetched)

    try:
        result = client.search(translation.query, limit=limit, progress=progress,
                               on_page=on_page,
                               on_body=spooler.add_body if whole_pages and spooler else None)
    except BaseException:
        if spooler is not None:
            spooler.finish(complete=False)  # the pages that came are real: the store gets them
        raise
    with gc_paused():
        tables = reader.tables()
    if spooler is not None:
        notes.extend(_spooled(spooler.finish(requests=result.requests, nbytes=result.nbytes)))
    if store is not None and result.stale_age is None and not settings.offline:
        info = saved_info(result)
        if settings.profile.save_tables_behind:
            # the command writes its output meanwhile and waits for this before it ends; a
            # failure is logged as a warning (the command prints it)
            put_behind(store, key, tables, info)
        else:
            failed = store.put(key, tables, info)
            if failed is not None:
                notes.append(f"could not save the tables for next time: {failed}")
    result.warnings.extend(notes)
    source = "the API" if result.from_cache < result.pages else "the HTTP cache"
    return Fetched(tables, result, source)


def saved_tables(client: RegistryClient, translation: Translation, limit: int | None,
                 progress: ProgressCallback | None, notes: list[str],
                 ) -> tuple[TableCache | None, str, Fetched | None]:
    """The saved-tables store of the search (``None``: no cache, or a folder we must not
    use), the search's key in it, and its part answered from saved tables when they are
    fresh (else ``None``). ``notes`` gets what went wrong on the way."""
    store, key, found = _saved(client, translation, limit, notes, pages=False)
    if found is None:
        return store, key, None
    saved, result = found
    assert isinstance(saved, Saved)
    if progress is not None:
        progress(len(saved.tables.studies), result.total_count)
    return store, key, Fetched(saved.tables, result, f"tables saved {duration(saved.age)} ago")


@dataclass(frozen=True, slots=True)
class SavedPart:
    """One registry's part of a search that streams, answered from saved tables: its tables
    a batch at a time (``batches(size)``), its report, and where they came from."""

    batches: Callable[[int], Iterator[Tables]]
    result: SearchResult
    answered_from: str


def saved_pages(client: RegistryClient, translation: Translation, limit: int | None,
                progress: ProgressCallback | None, notes: list[str],
                ) -> tuple[TableCache | None, str, SavedPart | None]:
    """As :func:`saved_tables`, for a search that streams: the saved tables are read a batch
    of studies at a time (:meth:`TableCache.get_pages`), never whole."""
    store, key, found = _saved(client, translation, limit, notes, pages=True)
    if found is None:
        return store, key, None
    saved, result = found
    assert isinstance(saved, SavedPages)
    count = saved.studies if limit is None else min(saved.studies, limit)
    if progress is not None:
        progress(count, result.total_count)

    def batches(size: int) -> Iterator[Tables]:
        return saved.batches(limit, size)

    return store, key, SavedPart(batches, result, f"tables saved {duration(saved.age)} ago")


def _saved(client: RegistryClient, translation: Translation, limit: int | None,
           notes: list[str], *, pages: bool,
           ) -> tuple[TableCache | None, str, tuple[Saved | SavedPages, SearchResult] | None]:
    """The store, the key, and the fresh saved entry that answers the search with its report
    (whole tables, or read a batch at a time when ``pages``): the search's own entry, or the
    first ``limit`` studies of the same search's whole answer."""
    settings, registry = client.settings, client.registry
    params = translation.params
    store = _open_store(settings, notes)
    key = search_key(registry.name, client.base_url, params, limit)
    if store is None:
        return store, key, None
    max_age = None if settings.offline else settings.expire_after
    newer_than = None if settings.offline else client.data_time()
    get = store.get_pages if pages else store.get
    saved: Saved | SavedPages | Dropped | None = get(key, max_age=max_age,
                                                     newer_than=newer_than)
    read = key  # the entry the tables come from
    if saved is None and limit is not None:
        # the whole result of the same search, saved by an earlier `--all`, holds these
        # studies too: its first ``limit`` are what the API would send first
        read = search_key(registry.name, client.base_url, params, None)
        wider = get(read, max_age=max_age, newer_than=newer_than)
        if isinstance(wider, Saved):
            saved = _first_of(wider, limit)
        elif isinstance(wider, SavedPages):
            saved = replace(wider, info=_limited_info(wider.info, wider.studies, limit))
        elif isinstance(wider, Dropped):  # said as this search's own would be
            saved = wider
    usable = isinstance(saved, Saved | SavedPages)
    result = _result_from(saved.info) if isinstance(saved, Saved | SavedPages) else None
    if usable and result is None:
        if isinstance(saved, SavedPages):
            saved.close()
        saved = store.drop(read, "its search report is not one of ours")
    if isinstance(saved, Dropped):
        notes.append(f"saved tables for this search were dropped ({saved.reason}); "
                     "fetched again")
    if not isinstance(saved, Saved | SavedPages) or result is None:
        return store, key, None
    if settings.offline:
        result.warnings.append("offline mode: results come from the local cache only")
    return store, key, (saved, result)


def saved_info(result: SearchResult) -> dict[str, Any]:
    """The search report kept with saved tables (its "limit reached" warning only)."""
    info = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "studies"}
    info["warnings"] = [w for w in result.warnings if "limit reached" in w]
    return info


def _spooler(settings: Settings, translation: Translation, source: str,
             notes: list[str]) -> SpoolWriter | None:
    """Where this search leaves its pages for the study store, unless the store is turned
    off, the search may not reach the API (offline: nothing new to add), or more than
    ``MAX_PENDING_MB`` of earlier searches wait to be added (then ``notes`` says so: the
    folder stays bounded, and opening the store adds what waits)."""
    if not settings.use_store or settings.offline:
        return None
    waiting = pending_bytes(settings.store_path)
    if waiting > MAX_PENDING_MB * 2**20:
        notes.append(f"this search was not added to the study store: {waiting / 2**20:,.0f} MB "
                     "of earlier searches wait to be added first (`trialfinder store info` "
                     "adds them)")
        return None
    return SpoolWriter(settings.store_path, params=translation.params, source=source)


def _spooled(spooled: Spooled) -> list[str]:
    """The note about what a search left for the store, if something went wrong."""
    logger.info("left %s for the study store", plural(spooled.studies, "study", "studies"))
    return [] if spooled.problem is None else [spooled.problem]


def _open_store(settings: Settings, notes: list[str]) -> TableCache | None:
    """The saved-tables store, or ``None`` (no cache asked for, or a folder we must not use:
    then ``notes`` gets the one line that says why)."""
    if not settings.use_cache:
        return None
    try:
        prepare_cache_dir(settings.cache_dir)
        folder = prepare_cache_dir(settings.cache_dir / TABLES_FOLDER)
    except CacheError as exc:
        logger.debug("no saved tables: %s", exc)
        notes.append(str(exc))
        return None
    return TableCache(folder)


# What a saved search report may hold: field name -> accepted JSON types.
_INFO_TYPES: dict[str, tuple[type, ...]] = {
    "total_count": (int, type(None)), "truncated": (bool,), "requests": (int,),
    "pages": (int,), "nbytes": (int,), "from_cache": (int,), "duplicates_dropped": (int,),
    "warnings": (list,), "fetched_at": (str,), "elapsed": (int, float), "params": (dict,),
    "version": (dict, type(None)), "stale_age": (int, float, type(None)), "count": (int,),
}


def _result_from(info: dict[str, Any]) -> SearchResult | None:
    """The search report of saved tables as a :class:`SearchResult` (no studies, no requests),
    or ``None`` when the saved report has other fields or types than a search writes."""
    if not {"total_count", "truncated"} <= set(info) <= set(_INFO_TYPES):
        return None
    for name, value in info.items():
        kinds = _INFO_TYPES[name]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            return None
    if not all(isinstance(w, str) for w in info.get("warnings", [])):
        return None
    for name in ("params", "version"):
        if not all(isinstance(k, str) and isinstance(v, str)
                   for k, v in (info.get(name) or {}).items()):
            return None
    result = SearchResult(studies=[], **info)
    result.requests, result.nbytes, result.elapsed = 0, 0, 0.0
    result.from_cache = result.pages
    return result


def narrow(tables: Tables, keep: pd.Series) -> Tables:
    """The tables restricted to the studies where ``keep`` (a mask over studies) is true."""
    studies = tables.studies[keep.to_numpy()].reset_index(drop=True)
    ids = set(studies["nct_id"])

    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["nct_id"].isin(ids)].reset_index(drop=True)

    return replace(
        tables, studies=studies, sites=only(tables.sites), conditions=only(tables.conditions),
        interventions=only(tables.interventions), contacts=only(tables.contacts),
        officials=only(tables.officials),
    )


def _first_of(saved: Saved, limit: int) -> Saved:
    """The first ``limit`` studies (in the API's order) of a whole saved result, as a saved
    result of a search with that limit (its report says the limit was reached when it was)."""
    tables = saved.tables
    count = len(tables.studies)
    if count > limit:
        keep = pd.Series(range(count)) < limit
        tables = narrow(tables, keep)
    return replace(saved, tables=tables, info=_limited_info(saved.info, count, limit))


def _limited_info(saved: dict[str, Any], count: int, limit: int) -> dict[str, Any]:
    """The report of a whole saved result of ``count`` studies, as that of the same search
    with ``limit``."""
    info = dict(saved)
    total = info.get("total_count")
    info["count"] = min(count, limit)
    info["truncated"] = count > limit or (isinstance(total, int) and total > limit)
    report = SearchResult(studies=[], count=info["count"],
                          total_count=total if isinstance(total, int) else None,
                          truncated=info["truncated"])
    info["warnings"] = [w for w in warnings_for(report, False) if "limit reached" in w]
    return info
