"""search(): the one path from search options to filtered tables, shared by the CLI, the
Python API and the dashboard.

    options -> each registry: translate -> its client's pages -> its reader (tables)
            -> the tables of every registry, each trial once -> apply_filters -> Results

A search asks one registry (ClinicalTrials.gov unless ``registry`` names others) or several:
each registry's part is fetched (or taken from its saved tables) by
:func:`trialfinder.service.fetching.fetch_tables`, and their tables are joined into one list
where a trial registered in two of them appears once
(:func:`trialfinder.registries.union.one_list`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from trialfinder.core.checks import limit_or_none, text_or_none
from trialfinder.core.config import Settings
from trialfinder.core.errors import ApiError, InvalidQueryError, NetworkError, RateLimitedError
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.provenance import FilterCount, ResultMeta
from trialfinder.core.wording import plural, skipped_notes
from trialfinder.options import SearchOptions, check_asks, from_kwargs
from trialfinder.options.local import local_filters
from trialfinder.registries import choose_registries, client_of
from trialfinder.registries.base import Registry, RegistryClient, Translation
from trialfinder.registries.ctgov.datafile import MAX_JSON_DEPTH, dedupe, load_records
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.options import (
    build_query,
    check_kinds,
    check_not_empty,
    local_filters_for,
    query_for,
)
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.registries.result import ProgressCallback, SearchResult
from trialfinder.registries.union import one_list
from trialfinder.service.detail import StudyDetail, study_detail
from trialfinder.service.fetching import Fetched, fetch_tables, narrow
from trialfinder.tables.export import write_export
from trialfinder.tables.filters import FilterStep, LocalFilters, apply_filters
from trialfinder.tables.frames import Tables

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
    can re-filter with :meth:`refilter` without a new request. ``sort``: the order asked for
    (``sort=``; ``None``: the registry's), kept by :meth:`refilter`; the sites follow their
    studies.
    """

    all: Tables
    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    steps: tuple[FilterStep, ...] = ()
    meta: ResultMeta = field(default_factory=ResultMeta)
    filters: LocalFilters = field(default_factory=LocalFilters)
    sort: str | None = None

    @classmethod
    def from_tables(
        cls, tables: Tables, filters: LocalFilters | None = None,
        meta: ResultMeta | None = None, sort: str | None = None,
    ) -> Results:
        outcome = apply_filters(tables, filters or LocalFilters())
        studies, sites = outcome.studies, outcome.sites
        if sort is not None and sort != "registry":
            from trialfinder.tables.order import sites_in_order, sort_studies

            studies = sort_studies(studies, sort)
            sites = sites_in_order(sites, studies)
        info = (meta or ResultMeta()).replace(
            filters=tuple(FilterCount(s.name, s.removed, s.note) for s in outcome.steps),
            rows={"studies": len(outcome.studies), "sites": len(outcome.sites)},
        )
        return cls(
            all=tables,
            studies=studies,
            sites=sites,
            conditions=outcome.conditions,
            interventions=outcome.interventions,
            steps=tuple(outcome.steps),
            meta=info,
            filters=filters or LocalFilters(),
            sort=sort,
        )

    def refilter(self, filters: LocalFilters) -> Results:
        """The same fetched studies under other local filters (no request is made), in the
        same order."""
        return Results.from_tables(self.all, filters, self.meta, self.sort)

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


def _meta(params: Mapping[str, str], result: SearchResult | None, tables: Tables,
          version: Mapping[str, str] | None, source: str, **more: Any) -> ResultMeta:
    return result_meta(params, result, (len(tables.studies), tables.skipped, tables.problems),
                       version, source, **more)


def result_meta(params: Mapping[str, str], result: SearchResult | None,
                counts: tuple[int, int, Mapping[str, int]],
                version: Mapping[str, str] | None, source: str, *,
                answered_from: str | None = None, records_read: int | None = None,
                topic: tuple[str, ...] | None = None,
                more_warnings: Sequence[str] = (),
                registries: Sequence[RegistryClient] = ()) -> ResultMeta:
    """A search's provenance: ``counts`` are the studies read into tables, the records
    skipped and the problems counted."""
    fetched, skipped, problems = counts
    warnings = list(result.warnings) if result else []
    warnings += skipped_notes(skipped, problems.get("bad_nct_id", 0))
    warnings += more_warnings
    names = tuple(c.registry.name for c in registries)
    return ResultMeta(
        source=source,
        query=dict(params),
        api_version=(version or {}).get("apiVersion"),
        data_timestamp=(version or {}).get("dataTimestamp"),
        fetched_at=result.fetched_at if result else None,
        total_reported=result.total_count if result else None,
        studies_fetched=fetched,
        truncated=result.truncated if result else False,
        requests=result.requests if result else 0,
        bytes=result.nbytes if result else 0,
        pages_from_cache=result.from_cache if result else 0,
        records_skipped=skipped,
        problems=dict(problems),
        warnings=tuple(dict.fromkeys(warnings)),
        answered_from=answered_from,
        records_read=records_read,
        topic=topic,
        registries=names if names not in ((), (CTGOV.name,)) else None,
    )


def search(
    query: StudyQuery | None = None,
    *,
    options: SearchOptions | None = None,
    client: RegistryClient | Any | None = None,
    settings: Settings | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> Results:
    """Search one registry or several and return filtered, typed tables.

    ``tf.search(condition="ALS", status="recruiting", near="Boston, MA", radius="100mi")``.
    Keyword arguments are the search options (README, "Search options"), read through
    :func:`trialfinder.options.from_kwargs`; ``options`` gives them as one
    :class:`~trialfinder.options.SearchOptions` instead (keyword arguments then change it).
    ``registry`` (the option ``registries``) names the registries to search: ``"ctgov"``
    (ClinicalTrials.gov, the default) or several, ``"ctgov,isrctn"``. ``limit`` caps the
    studies fetched from each registry (and the requests made). ``client`` is a registry's
    client (a ClinicalTrials.gov ``TrialsClient`` too) or a list of them, used for their
    registries (the others get a client of ``settings``); ``query``, a ClinicalTrials.gov
    :class:`StudyQuery`, adds to what is asked of ClinicalTrials.gov. The local filters check
    the registries' answers against the filters again and compute site distances;
    ``keyword``, ``countries``, ``states``, ``cities``, ``intervention_types``,
    ``funder_types`` and the completion, first-posted and last-update dates are local only.
    A wrong argument (an unknown name, a wrong type) raises :class:`InvalidQueryError` before
    any request.
    """
    limit = limit_or_none(limit)
    check_kinds(query=query, client=None, settings=settings, progress=progress)
    options = _options(options, kwargs, also=_SEARCH_OWN)
    if query is None:
        check_asks(options)
    clients = _clients(client, options.registries or None, settings)
    translations = [_translate(c.registry, options, query) for c in clients]
    filters = local_filters(options) if query is None else local_filters_for(options, query)
    parts: list[tuple[Registry, Fetched, Mapping[str, str]]] = []
    answered: list[RegistryClient] = []  # the provenance names these, not those down
    down: list[str] = []  # registries that could not be reached (with several asked)
    for each, translation in zip(clients, translations, strict=True):
        logger.debug("search %s %s with limit %s", each.registry.name, translation.params, limit)
        try:
            fetched = fetch_tables(each, translation, limit, progress)
        except (NetworkError, ApiError) as exc:
            # with several registries asked, one that cannot answer now costs its own part of
            # the list (said in a note), not the whole search; when none can, the error stands
            if len(clients) == 1 or not _unreachable(exc) or (
                    not parts and len(down) == len(clients) - 1):
                raise
            note = (f"{each.registry.title} could not be searched ({exc}); these results "
                    "come from the other registries alone")
            logger.warning("%s", note)  # the note's own words: the command line says it once
            down.append(note)
            continue
        fetched.result.warnings.extend(translation.notes)
        result = fetched.result
        logger.info("%d studies from %s (%d requests, %d of %d pages from the HTTP cache)",
                    result.count, fetched.answered_from, result.requests, result.from_cache,
                    result.pages)
        parts.append((each.registry, fetched, translation.params))
        answered.append(each)
    if down:
        parts[0][1].result.warnings.extend(down)
    if len(parts) == 1:
        _, fetched, params = parts[0]
        meta = _meta(params, fetched.result, fetched.tables, fetched.result.version,
                     source=answered[0].base_url, answered_from=fetched.answered_from,
                     registries=answered)
        return Results.from_tables(fetched.tables, filters, meta, options.sort)
    tables, joined_notes = one_list([(r.name, f.tables) for r, f, _ in parts])
    result, params = joined_result([(r, f.result, p) for r, f, p in parts])
    result.warnings.extend(joined_notes)
    meta = _meta(params, result, tables, None, source=" + ".join(c.base_url for c in clients),
                 answered_from="; ".join(f"{r.title}: {f.answered_from}" for r, f, _ in parts),
                 registries=clients)
    return Results.from_tables(tables, filters, meta, options.sort)


def _unreachable(exc: Exception) -> bool:
    """A registry that cannot answer now (down, unreachable, rate-limited, not in the cache
    when offline), as against one that turned the search down (a 4xx: the search is wrong)."""
    if isinstance(exc, NetworkError | RateLimitedError):
        return True
    return isinstance(exc, ApiError) and exc.status >= 500


#: What :func:`search` takes beside the search options (named with them when a name is wrong).
_SEARCH_OWN = ("query", "options", "client", "settings", "limit", "progress")


def _options(options: object, kwargs: Mapping[str, Any],
             also: Sequence[str] = ("options",)) -> SearchOptions:
    """``options`` (or none) changed by the keyword arguments (checked, by their names; a
    wrong one is told every name the caller takes: the options and ``also``)."""
    if options is not None and not isinstance(options, SearchOptions):
        raise InvalidQueryError(f"options must be a SearchOptions or None, "
                                f"not {type(options).__name__}")
    return from_kwargs(kwargs, base=options, also=also)


def _translate(registry: Registry, options: SearchOptions,
               query: StudyQuery | None) -> Translation:
    """``options`` in ``registry``'s query language; a ClinicalTrials.gov ``query`` given
    beside them is added to ClinicalTrials.gov's (and refused for any other registry)."""
    translation = registry.translate(options)
    if query is None:
        return translation
    if registry.name != CTGOV.name:
        raise InvalidQueryError(f"a StudyQuery is ClinicalTrials.gov's; {registry.title} is "
                                "searched with search options")
    merged = check_not_empty(query.merge(translation.query))
    return replace(translation, query=merged, params=merged.to_params())


def _clients(given: object, names: str | Sequence[str] | None,
             settings: Settings | None) -> list[RegistryClient]:
    """A client for each registry searched: the registries named (or the given clients',
    or the default one), each with a given client of its own or a new one of ``settings``."""
    items = [] if given is None else list(given) if isinstance(given, list | tuple) \
        else [given]
    mine = {c.registry.name: c for c in map(client_of, items)}
    if names is None and mine:
        return list(mine.values())
    return [mine.get(r.name) or r.client(settings) for r in choose_registries(names)]


def joined_result(parts: Sequence[tuple[Registry, SearchResult, Mapping[str, str]]],
                  ) -> tuple[SearchResult, dict[str, str]]:
    """One report of a search of several registries: counts added, each registry's warnings
    and parameters named by it."""
    results = [(r, res) for r, res, _ in parts]
    totals = [res.total_count for _, res in results]
    joined = SearchResult(
        studies=[], count=sum(res.count for _, res in results),
        total_count=None if None in totals else sum(t for t in totals if t is not None),
        truncated=any(res.truncated for _, res in results),
        requests=sum(res.requests for _, res in results),
        pages=sum(res.pages for _, res in results),
        nbytes=sum(res.nbytes for _, res in results),
        from_cache=sum(res.from_cache for _, res in results),
        duplicates_dropped=sum(res.duplicates_dropped for _, res in results),
        warnings=[f"{r.title}: {w}" for r, res in results for w in res.warnings],
        fetched_at=min(res.fetched_at for _, res in results),
    )
    params = {f"{r.name}:{k}": v for r, _, p in parts for k, v in p.items()}
    return joined, params


def search_records(
    records: Iterable[Mapping[str, Any]], *, source: str, options: SearchOptions | None = None,
    **kwargs: Any,
) -> Results:
    """Filter study records already in hand (a saved download, the demo set), without the API.

    The text of the search picks the studies first, with the API's own rules (see
    :mod:`trialfinder.registries.ctgov.textsearch`): the fields are ANDed (a condition AND a
    treatment), the phrases of one field ORed. Those studies are ``Results.all``; the
    structured filters (status, phase, age, distance...) and the local-only ones then apply
    locally, so :meth:`Results.refilter` can loosen or tighten them without losing the topic.
    The options are given as in :func:`search`.
    """
    _check_records(records, source=source)
    options = _options(options, kwargs)
    query = query_for(options)
    logger.debug("local search %s in %s", query.to_params(), source)
    unique, duplicates = dedupe(records)
    with gc_paused():
        tables = normalize(unique)
    in_file = len(tables.studies)
    logger.info("%d studies read from %s (%d repeated records dropped)", in_file, source,
                duplicates)
    if query.nct_ids:
        tables = narrow(tables, tables.studies["nct_id"].isin(set(query.nct_ids)))
    words = [*query.conditions, *query.terms, *query.interventions]
    params = query.to_params()
    from trialfinder.registries.ctgov.textsearch import TextQuery, matching_ids  # only for files

    if TextQuery.from_params(params):
        found = matching_ids(unique, params)
        tables = narrow(tables, tables.studies["nct_id"].isin(found))
    meta = _meta(params, None, tables, None, source=source, records_read=in_file,
                 topic=tuple(dict.fromkeys([*words, *query.narrow]))
                 if words or query.narrow else None,
                 more_warnings=[*CTGOV.translate(options).notes,
                                *_file_notes(duplicates, options)])
    return Results.from_tables(tables, local_filters_for(options), meta, options.sort)


def _file_notes(duplicates: int, options: SearchOptions) -> list[str]:
    notes = [f"kept each study once: {plural(duplicates, 'record')} repeated a study already "
             "read"] if duplicates else []
    if options.registries not in ((), (CTGOV.name,)):
        notes.append("records in hand are read as ClinicalTrials.gov's; the registries "
                     f"asked for ({', '.join(options.registries)}) were not searched")
    return notes


def _check_records(records: object, *, source: object) -> None:
    if isinstance(records, str | bytes | bytearray | Mapping) or not isinstance(records,
                                                                               Iterable):
        raise InvalidQueryError(f"records must be a list of study records, "
                                f"not {type(records).__name__}")
    text_or_none(source, "source")


def search_file(path: str | Path, *, options: SearchOptions | None = None,
                **kwargs: Any) -> Results:
    """Filter a saved file locally, by the code ``--from-file`` runs
    (:func:`trialfinder.service.isrctnfile.search_saved`): a saved ISRCTN answer (XML) or a
    ClinicalTrials.gov download (JSON: :func:`search_records`). The options are given as in
    :func:`search`."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidQueryError(f"path must be a file name, not {type(path).__name__}")
    from trialfinder.service.isrctnfile import search_saved  # it imports this module

    return search_saved(Path(path), _options(options, kwargs))
