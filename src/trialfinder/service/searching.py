"""search(): the one path from a query to filtered tables, shared by the CLI, the Python API and
the dashboard.

    StudyQuery -> TrialsClient.search (pages) -> normalize (tables) -> apply_filters -> Results
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from trialfinder.cache.tablecache import Dropped, Saved, TableCache
from trialfinder.cache.tablekey import TABLES_FOLDER, search_key
from trialfinder.core.checks import limit_or_none, text_or_none
from trialfinder.core.config import Settings
from trialfinder.core.errors import CacheError, InvalidQueryError, NotFoundError
from trialfinder.core.folders import prepare_cache_dir
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.provenance import FilterCount, ResultMeta
from trialfinder.core.textcap import LONG_CHARS, cap
from trialfinder.core.wording import duration, plural, skipped_notes
from trialfinder.registries.ctgov.client import ProgressCallback, SearchResult, TrialsClient
from trialfinder.registries.ctgov.datafile import MAX_JSON_DEPTH, dedupe, load_records
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.registries.ctgov.normalize import Normalizer, Tables, normalize
from trialfinder.registries.ctgov.options import (
    build_query,
    check_kinds,
    check_not_empty,
    check_options,
    local_filters_for,
    local_only,
    point_of,
)
from trialfinder.registries.ctgov.query import StudyQuery, normalize_nct_id
from trialfinder.registries.ctgov.result import warnings_for
from trialfinder.store.spool import MAX_PENDING_MB, Spooled, SpoolWriter, pending_bytes
from trialfinder.tables.export import write_export
from trialfinder.tables.filters import FilterStep, LocalFilters, apply_filters

if TYPE_CHECKING:
    from trialfinder.tables.detail import Criteria

__all__ = [  # build_query, local_filters_for and load_records live in options and datafile
    "MAX_JSON_DEPTH",
    "Results",
    "StudyDetail",
    "build_query",
    "load_records",
    "local_filters_for",
    "search",
    "search_file",
    "search_records",
    "study_detail",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Results:
    """Filtered tables plus everything needed to be honest about them.

    ``all`` holds every study fetched, before the local filters, so a caller (the dashboard)
    can re-filter with :meth:`refilter` without a new request.
    """

    all: Tables
    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    steps: tuple[FilterStep, ...] = ()
    meta: ResultMeta = field(default_factory=ResultMeta)
    filters: LocalFilters = field(default_factory=LocalFilters)

    @classmethod
    def from_tables(
        cls, tables: Tables, filters: LocalFilters | None = None,
        meta: ResultMeta | None = None,
    ) -> Results:
        outcome = apply_filters(tables, filters or LocalFilters())
        info = (meta or ResultMeta()).replace(
            filters=tuple(FilterCount(s.name, s.removed, s.note) for s in outcome.steps),
            rows={"studies": len(outcome.studies), "sites": len(outcome.sites)},
        )
        return cls(
            all=tables,
            studies=outcome.studies,
            sites=outcome.sites,
            conditions=outcome.conditions,
            interventions=outcome.interventions,
            steps=tuple(outcome.steps),
            meta=info,
            filters=filters or LocalFilters(),
        )

    def refilter(self, filters: LocalFilters) -> Results:
        """The same fetched studies under other local filters (no request is made)."""
        return Results.from_tables(self.all, filters, self.meta)

    @property
    def warnings(self) -> list[str]:
        return list(self.meta.warnings)

    def to_csv(self, path: str | Path, *, sites: bool = False) -> Path:
        """Write the studies (or sites) as CSV plus a provenance sidecar; returns the path."""
        frame = self.sites if sites else self.studies
        return write_export(Path(path), frame, self.meta, fmt="csv")

    def __repr__(self) -> str:
        total = self.meta.total_reported
        return (
            f"<Results {len(self.studies)} studies, {len(self.sites)} sites"
            f"{f' (API reported {total})' if total is not None else ''}>"
        )


def _meta(query: StudyQuery, result: SearchResult | None, tables: Tables,
          version: Mapping[str, str] | None, source: str, *, answered_from: str | None = None,
          records_read: int | None = None, topic: tuple[str, ...] | None = None,
          more_warnings: Sequence[str] = ()) -> ResultMeta:
    warnings = list(result.warnings) if result else []
    warnings += skipped_notes(tables.skipped, tables.problems.get("bad_nct_id", 0))
    warnings += more_warnings
    return ResultMeta(
        source=source,
        query=query.to_params(),
        api_version=(version or {}).get("apiVersion"),
        data_timestamp=(version or {}).get("dataTimestamp"),
        fetched_at=result.fetched_at if result else None,
        total_reported=result.total_count if result else None,
        studies_fetched=len(tables.studies),
        truncated=result.truncated if result else False,
        requests=result.requests if result else 0,
        bytes=result.nbytes if result else 0,
        pages_from_cache=result.from_cache if result else 0,
        records_skipped=tables.skipped,
        problems=dict(tables.problems),
        warnings=tuple(dict.fromkeys(warnings)),
        answered_from=answered_from,
        records_read=records_read,
        topic=topic,
    )


def search(
    query: StudyQuery | None = None,
    *,
    client: TrialsClient | None = None,
    settings: Settings | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
    keyword: str | None = None,
    intervention_types: Sequence[str] = (),
    countries: Sequence[str] = (),
    states: Sequence[str] = (),
    cities: Sequence[str] = (),
    **kwargs: Any,
) -> Results:
    """Search ClinicalTrials.gov and return filtered, typed tables.

    ``tf.search(condition="ALS", status="recruiting", near="Boston, MA", radius="100mi")``.
    Keyword arguments are those of :func:`build_query`; ``limit`` caps the studies fetched
    (and the requests made). The local filters re-check the query's filters and compute site
    distances; ``keyword``, ``intervention_types``, ``countries``, ``states`` and ``cities``
    are local-only filters. A wrong argument (an unknown name, a wrong type) raises
    :class:`InvalidQueryError` before any request.
    """
    limit = limit_or_none(limit)
    check_kinds(query=query, client=client, settings=settings, progress=progress)
    filters = local_only(keyword=keyword, intervention_types=intervention_types,
                          countries=countries, states=states, cities=cities)
    check_options(kwargs, also=("limit", "keyword", "intervention_types", "countries", "states",
                                "cities", "query", "client", "settings", "progress"))
    if query is None:
        query = build_query(**kwargs)
    elif kwargs:
        query = query.merge(build_query(**kwargs))
    check_not_empty(query)
    client = client or TrialsClient(settings)
    logger.debug("search %s with limit %s", query.to_params(), limit)
    tables, result, answered_from = _fetch_tables(client, query, limit, progress)
    logger.info("%d studies from %s (%d requests, %d of %d pages from the HTTP cache)",
                len(tables.studies), answered_from, result.requests, result.from_cache,
                result.pages)
    meta = _meta(query, result, tables, result.version, source=client.settings.base_url,
                 answered_from=answered_from)
    return Results.from_tables(tables, local_filters_for(query, **filters), meta)


def _fetch_tables(
    client: TrialsClient, query: StudyQuery, limit: int | None,
    progress: ProgressCallback | None,
) -> tuple[Tables, SearchResult, str]:
    """The tables of a search: from the saved tables when fresh, else fetched and normalized
    (and saved). Saved tables are used only with a cache, and never when the API's data
    changed since they were made (``/version``, itself cached for an hour). A cache folder
    that cannot be used, or an entry that fails its checks, costs one warning, not the search."""
    settings = client.settings
    notes: list[str] = []
    store = _open_store(settings, notes)
    key = search_key(settings.base_url, query.to_params(), limit)
    if store is not None:
        version = client.version_or_none()
        max_age = None if settings.offline else settings.expire_after
        newer_than = None if settings.offline else client.data_time(version)
        saved = store.get(key, max_age=max_age, newer_than=newer_than)
        read = key  # the entry the tables come from
        if saved is None and limit is not None:
            # the whole result of the same search, saved by an earlier `--all`, holds these
            # studies too: its first ``limit`` are what the API would send first
            read = search_key(settings.base_url, query.to_params(), None)
            wider = store.get(read, max_age=max_age, newer_than=newer_than)
            if isinstance(wider, Saved):
                saved = _first_of(wider, limit)
        result = _result_from(saved) if isinstance(saved, Saved) else None
        if isinstance(saved, Saved) and result is None:
            saved = store.drop(read, "its search report is not one of ours")
        if isinstance(saved, Dropped):
            notes.append(f"saved tables for this search were dropped ({saved.reason}); "
                         "fetched again")
        if isinstance(saved, Saved) and result is not None:
            if settings.offline:
                result.warnings.append("offline mode: results come from the local cache only")
            if progress is not None:
                progress(len(saved.tables.studies), result.total_count)
            return saved.tables, result, f"tables saved {duration(saved.age)} ago"
    # Each page is read into table columns as it arrives, so the raw records of a large search
    # are never all held at once (the columns are a fraction of their size); the tables are
    # made once, at the end.
    normalizer = Normalizer()
    spooler = _spooler(settings, query, notes)

    # Without a limit every page is kept whole (repeats aside, which the store sorts out):
    # the prefetch thread writes each body as it came, while this thread makes tables.
    whole_pages = spooler is not None and limit is None

    def on_page(studies: list[dict[str, Any]], fetched: datetime | None) -> None:
        with gc_paused():  # each page's parse pauses it too, inside the client
            normalizer.add(studies)
        if spooler is not None and not whole_pages:
            spooler.add(studies, fetched)

    try:
        result = client.search(query, limit=limit, fields=LIST_FIELDS, progress=progress,
                               on_page=on_page,
                               on_body=spooler.add_body if whole_pages and spooler else None)
    except BaseException:
        if spooler is not None:
            spooler.finish(complete=False)  # the pages that came are real: the store gets them
        raise
    with gc_paused():
        tables = normalizer.tables()
    if spooler is not None:
        notes.extend(_spooled(spooler.finish(requests=result.requests, nbytes=result.nbytes)))
    if store is not None and result.stale_age is None and not settings.offline:
        info = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "studies"}
        info["warnings"] = [w for w in result.warnings if "limit reached" in w]
        if settings.profile.save_tables_behind:
            # the command writes its output meanwhile and waits for this before it ends; a
            # failure is logged as a warning (the command prints it)
            store.put_behind(key, tables, info)
        else:
            failed = store.put(key, tables, info)
            if failed is not None:
                notes.append(f"could not save the tables for next time: {failed}")
    result.warnings.extend(notes)
    source = "the API" if result.from_cache < result.pages else "the HTTP cache"
    return tables, result, source


def _spooler(settings: Settings, query: StudyQuery,
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
    return SpoolWriter(settings.store_path, params=query.to_params())


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


def _result_from(saved: Saved) -> SearchResult | None:
    """The search report of saved tables as a :class:`SearchResult` (no studies, no requests),
    or ``None`` when the saved report has other fields or types than a search writes."""
    info = saved.info
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


def search_records(
    records: Iterable[Mapping[str, Any]], *, source: str, keyword: str | None = None,
    **kwargs: Any,
) -> Results:
    """Filter study records already in hand (a saved download, the demo set), without the API.

    The text of the search picks the studies first, with the API's own rules (see
    :mod:`trialfinder.registries.ctgov.textsearch`): the fields are ANDed (a condition AND a
    treatment),
    the phrases of one field ORed. Those studies are ``Results.all``; the structured filters
    (status, phase, age, distance...) and ``keyword`` then apply locally, so
    :meth:`Results.refilter` can loosen or tighten them without losing the topic.
    """
    _check_records(records, source=source, keyword=keyword)
    check_options(kwargs, also=("keyword",))
    query = build_query(**kwargs)
    logger.debug("local search %s in %s", query.to_params(), source)
    unique, duplicates = dedupe(records)
    with gc_paused():
        tables = normalize(unique)
    in_file = len(tables.studies)
    logger.info("%d studies read from %s (%d repeated records dropped)", in_file, source,
                duplicates)
    if query.nct_ids:
        tables = _narrow(tables, tables.studies["nct_id"].isin(set(query.nct_ids)))
    words = [*query.conditions, *query.terms, *query.interventions]
    params = query.to_params()
    from trialfinder.registries.ctgov.textsearch import TextQuery, matching_ids  # only for files

    if TextQuery.from_params(params):
        found = matching_ids(unique, params)
        tables = _narrow(tables, tables.studies["nct_id"].isin(found))
    meta = _meta(query, None, tables, None, source=source, records_read=in_file,
                 topic=tuple(dict.fromkeys([*words, *query.narrow]))
                 if words or query.narrow else None,
                 more_warnings=[f"kept each study once: {plural(duplicates, 'record')} "
                                f"repeated a study already read"] if duplicates else [])
    return Results.from_tables(tables, local_filters_for(query, keyword=keyword or None), meta)


def _check_records(records: object, *, source: object, keyword: object) -> None:
    if isinstance(records, str | bytes | bytearray | Mapping) or not isinstance(records,
                                                                               Iterable):
        raise InvalidQueryError(f"records must be a list of study records, "
                                f"not {type(records).__name__}")
    text_or_none(source, "source")
    text_or_none(keyword, "keyword")


def _narrow(tables: Tables, keep: pd.Series) -> Tables:
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
        tables = _narrow(tables, keep)
    info = dict(saved.info)
    total = info.get("total_count")
    info["count"] = min(count, limit)
    info["truncated"] = count > limit or (isinstance(total, int) and total > limit)
    report = SearchResult(studies=[], count=info["count"],
                          total_count=total if isinstance(total, int) else None,
                          truncated=info["truncated"])
    info["warnings"] = [w for w in warnings_for(report, False) if "limit reached" in w]
    return replace(saved, tables=tables, info=info)


@dataclass(frozen=True)
class StudyDetail:
    """One study from its full record: the usual tables (sites nearest first when a point is
    given), its outcomes, its eligibility split into lists, and the raw record."""

    results: Results
    outcomes: pd.DataFrame
    criteria: Criteria
    record: Mapping[str, Any]


def study_detail(
    nct_id: str,
    *,
    client: TrialsClient | None = None,
    settings: Settings | None = None,
    records: Iterable[Mapping[str, Any]] | None = None,
    near: tuple[float, float] | None = None,
) -> StudyDetail:
    """The full record of one study, from the API (one request, cached) or from ``records``."""
    text_or_none(nct_id, "nct_id")
    check_kinds(query=None, client=client, settings=settings, progress=None)
    if near is not None:
        near = point_of(near)
    nct = normalize_nct_id(nct_id)
    record: Mapping[str, Any] | None = None
    if records is not None:
        for candidate in records:
            ident = candidate.get("protocolSection", {}).get("identificationModule", {})
            if ident.get("nctId") == nct:
                record = candidate
                break
        if record is None:
            raise NotFoundError(404, nct, f"no study with id {nct} in these records")
    else:
        record = (client or TrialsClient(settings)).get_study(nct)
    from trialfinder.tables.detail import outcomes_table, split_criteria  # one study in depth

    tables = normalize([record])
    results = Results.from_tables(tables, LocalFilters(near=near), ResultMeta(source="detail"))
    text = tables.studies["eligibility_criteria"].iloc[0] if len(tables.studies) else None
    # the lists are made to be read: a text past what a page or a terminal shows is cut first
    criteria = split_criteria(cap(text, LONG_CHARS) if isinstance(text, str) else None)
    return StudyDetail(results=results, outcomes=outcomes_table(record), criteria=criteria,
                       record=record)


def search_file(path: str | Path, **kwargs: Any) -> Results:
    """Filter a saved ClinicalTrials.gov download locally (see :func:`search_records`)."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidQueryError(f"path must be a file name, not {type(path).__name__}")
    return search_records(load_records(path), source=str(path), **kwargs)
