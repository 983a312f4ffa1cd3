"""search(): the one path from a query to filtered tables, shared by the CLI, the Python API and
the dashboard.

    StudyQuery -> TrialsClient.search (pages) -> normalize (tables) -> apply_filters -> Results
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from trialfinder._gc import gc_paused
from trialfinder._version import __version__
from trialfinder.api.client import ProgressCallback, SearchResult, TrialsClient
from trialfinder.api.fields import LIST_FIELDS
from trialfinder.api.query import (
    TEXT_FIELDS,
    Distance,
    Phase,
    Sex,
    Status,
    StudyQuery,
    StudyType,
    normalize_nct_id,
)
from trialfinder.config import Settings
from trialfinder.errors import DataFileError, InvalidQueryError, NotFoundError
from trialfinder.places.resolve import resolve_place
from trialfinder.store.tablecache import TableCache
from trialfinder.tables.detail import Criteria, outcomes_table, split_criteria
from trialfinder.tables.export import write_export
from trialfinder.tables.filters import FilterStep, LocalFilters, apply_filters
from trialfinder.tables.normalize import Tables, normalize
from trialfinder.tables.textsearch import TextQuery, matching_ids
from trialfinder.topics.presets import get_preset

__all__ = [
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
    meta: Mapping[str, Any] = field(default_factory=dict)
    filters: LocalFilters = field(default_factory=LocalFilters)

    @classmethod
    def from_tables(
        cls, tables: Tables, filters: LocalFilters | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Results:
        outcome = apply_filters(tables, filters or LocalFilters())
        info = dict(meta or {})
        info["filters"] = [
            {"name": s.name, "removed": s.removed, "note": s.note} for s in outcome.steps
        ]
        info["rows"] = {"studies": len(outcome.studies), "sites": len(outcome.sites)}
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
        return list(self.meta.get("warnings", []))

    def to_csv(self, path: str | Path, *, sites: bool = False) -> Path:
        """Write the studies (or sites) as CSV plus a provenance sidecar; returns the path."""
        frame = self.sites if sites else self.studies
        return write_export(Path(path), frame, self.meta, fmt="csv")

    def to_jsonl(self, path: str | Path, *, sites: bool = False) -> Path:
        frame = self.sites if sites else self.studies
        return write_export(Path(path), frame, self.meta, fmt="jsonl")

    def __repr__(self) -> str:
        total = self.meta.get("total_reported")
        return (
            f"<Results {len(self.studies)} studies, {len(self.sites)} sites"
            f"{f' (API reported {total})' if total is not None else ''}>"
        )


def _split(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _near(near: str | tuple[float, float] | None, radius: str | float | None) -> Distance | None:
    if near is None or near == "":
        if radius not in (None, ""):
            raise InvalidQueryError("a radius needs a place: give --near as well")
        return None
    value, unit = Distance.parse_radius(radius if radius not in (None, "") else "50mi")
    if isinstance(near, tuple):
        lat, lon = near
    else:
        place = resolve_place(near)
        lat, lon = place.lat, place.lon
    return Distance(lat=float(lat), lon=float(lon), radius=value, unit=unit)


def build_query(
    *,
    preset: str | None = None,
    condition: str | Iterable[str] | None = None,
    term: str | Iterable[str] | None = None,
    intervention: str | Iterable[str] | None = None,
    location: str | None = None,
    title: str | None = None,
    sponsor: str | None = None,
    nct_ids: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    phase: str | Iterable[str] | None = None,
    study_type: str | Iterable[str] | None = None,
    sex: str | None = None,
    age: float | None = None,
    healthy_volunteers: bool | None = None,
    start_from: str | None = None,
    start_to: str | None = None,
    has_results: bool | None = None,
    near: str | tuple[float, float] | None = None,
    radius: str | float | None = None,
) -> StudyQuery:
    """A :class:`StudyQuery` from friendly keyword arguments (and an optional preset)."""
    query = StudyQuery(
        conditions=_split(condition),
        terms=_split(term),
        interventions=_split(intervention),
        location=location,
        titles=title,
        sponsor=sponsor,
        nct_ids=_split(nct_ids),
        statuses=tuple(Status.parse(s) for s in _split(status)),
        phases=tuple(Phase.parse(p) for p in _split(phase)),
        study_types=tuple(StudyType.parse(t) for t in _split(study_type)),
        sex=Sex.parse(sex) if sex else None,
        age=age,
        healthy_volunteers=healthy_volunteers,
        start_from=start_from,
        start_to=start_to,
        has_results=has_results,
        near=_near(near, radius),
    )
    if preset:
        query = with_preset(get_preset(preset).query, query)
    return query


def with_preset(base: StudyQuery, mine: StudyQuery) -> StudyQuery:
    """A preset combined with a user's own search, narrowing it: where both give text for the
    same field (say both name conditions), the user's text must also match (``narrow``)."""
    moved: list[str] = []
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if getattr(base, name) and getattr(mine, name):
            moved.extend(getattr(mine, name))
            changes[name] = ()
    if moved:
        mine = mine.replace(narrow=mine.narrow + tuple(moved), **changes)
    return base.merge(mine)


def local_filters_for(query: StudyQuery, **extra: Any) -> LocalFilters:
    """The local filters that mirror a query's structured filters (and compute distances)."""
    near = query.near
    return LocalFilters(
        statuses=tuple(s.value for s in query.statuses),
        phases=tuple(p.value for p in query.phases),
        study_types=tuple(t.value for t in query.study_types),
        near=(near.lat, near.lon) if near else None,
        radius_mi=near.radius_miles if near else None,
        age=query.age,
        sex=query.sex.value if query.sex and query.sex is not Sex.ALL else None,
        healthy_volunteers=query.healthy_volunteers,
        start_from=query.start_from,
        start_to=query.start_to,
        has_results=query.has_results,
        **extra,
    )


def _meta(query: StudyQuery, result: SearchResult | None, tables: Tables,
          version: Mapping[str, str] | None, source: str) -> dict[str, Any]:
    warnings = list(result.warnings) if result else []
    if tables.skipped:
        warnings.append(f"{tables.skipped} records could not be read and were skipped")
    return {
        "tool": f"trialfinder {__version__}",
        "source": source,
        "query": query.to_params(),
        "api_version": (version or {}).get("apiVersion"),
        "data_timestamp": (version or {}).get("dataTimestamp"),
        "fetched_at": result.fetched_at if result else None,
        "total_reported": result.total_count if result else None,
        "studies_fetched": len(tables.studies),
        "truncated": result.truncated if result else False,
        "requests": result.requests if result else 0,
        "bytes": result.nbytes if result else 0,
        "pages_from_cache": result.from_cache if result else 0,
        "records_skipped": tables.skipped,
        "problems": dict(tables.problems),
        "warnings": warnings,
    }


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
    are local-only filters.
    """
    if query is None:
        query = build_query(**kwargs)
    elif kwargs:
        query = query.merge(build_query(**kwargs))
    if query.is_empty:
        raise InvalidQueryError(
            "the search is empty: give a condition, term, intervention, place or preset"
        )
    if limit is not None and limit < 1:
        raise InvalidQueryError(f"limit must be at least 1, not {limit}")
    client = client or TrialsClient(settings)
    tables, result, answered_from = _fetch_tables(client, query, limit, progress)
    meta = _meta(query, result, tables, result.version, source=client.settings.base_url)
    meta["answered_from"] = answered_from
    filters = local_filters_for(
        query, keyword=keyword or None, intervention_types=tuple(intervention_types),
        countries=tuple(countries), states=tuple(states), cities=tuple(cities),
    )
    return Results.from_tables(tables, filters, meta)


def _fetch_tables(
    client: TrialsClient, query: StudyQuery, limit: int | None,
    progress: ProgressCallback | None,
) -> tuple[Tables, SearchResult, str]:
    """The tables of a search: from the saved tables when fresh, else fetched and normalized
    (and saved). Saved tables are used only with a cache, and never when the API's data
    changed since they were made (``/version``, itself cached for an hour)."""
    settings = client.settings
    store = TableCache(settings.cache_dir / "tables") if settings.use_cache else None
    key = TableCache.key(settings.base_url, query.to_params(), LIST_FIELDS, limit)
    if store is not None:
        version = client.version_or_none()
        saved = store.get(
            key,
            max_age=None if settings.offline else settings.expire_after,
            newer_than=None if settings.offline else client.data_time(version),
        )
        if saved is not None:
            info = dict(saved.info)
            result = SearchResult(studies=[], **info)
            result.requests, result.nbytes, result.elapsed = 0, 0, 0.0
            result.from_cache = result.pages
            if settings.offline:
                result.warnings.append("offline mode: results come from the local cache only")
            if progress is not None:
                progress(len(saved.tables.studies), result.total_count)
            return saved.tables, result, f"tables saved {_age(saved.age)} ago"
    with gc_paused():
        result = client.search(query, limit=limit, fields=LIST_FIELDS, progress=progress)
        tables = normalize(result.studies)
    if store is not None and result.stale_age is None and not settings.offline:
        info = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "studies"}
        info["warnings"] = [w for w in result.warnings if "limit reached" in w]
        store.put(key, tables, info)
    source = "the API" if result.from_cache < result.pages else "the HTTP cache"
    return tables, result, source


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """Study records from a file: the website's JSON download (a bare array), one saved API
    page (``{"studies": [...]}``), a list of such pages, or one study record."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DataFileError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            data = [json.loads(line) for line in raw.splitlines() if line.strip()]
        except ValueError:
            raise DataFileError(f"{file} is not JSON (expected a ClinicalTrials.gov download)") \
                from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise DataFileError(f"{file} holds no study records")
    records: list[dict[str, Any]] = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("studies"), list):
            records.extend(item["studies"])
        else:
            records.append(item)
    if data and not any(isinstance(r, dict) and "protocolSection" in r for r in records):
        raise DataFileError(
            f"{file} holds no ClinicalTrials.gov study records (no 'protocolSection' found)"
        )
    return records


def _dedupe(records: Iterable[Any]) -> tuple[list[Any], int]:
    """Keep the first record of each NCT id (records without one pass through untouched)."""
    seen: set[str] = set()
    kept: list[Any] = []
    duplicates = 0
    for record in records:
        try:
            nct = record["protocolSection"]["identificationModule"]["nctId"]
        except (KeyError, TypeError):
            nct = None
        if isinstance(nct, str):
            if nct in seen:
                duplicates += 1
                continue
            seen.add(nct)
        kept.append(record)
    return kept, duplicates


def search_records(
    records: Iterable[Mapping[str, Any]], *, source: str, keyword: str | None = None,
    **kwargs: Any,
) -> Results:
    """Filter study records already in hand (a saved download, the demo set), without the API.

    The text of the search picks the studies first, with the API's own rules (see
    :mod:`trialfinder.tables.textsearch`): the fields are ANDed (a condition AND a treatment),
    the phrases of one field ORed. Those studies are ``Results.all``; the structured filters
    (status, phase, age, distance...) and ``keyword`` then apply locally, so
    :meth:`Results.refilter` can loosen or tighten them without losing the topic.
    """
    query = build_query(**kwargs)
    unique, duplicates = _dedupe(records)
    with gc_paused():
        tables = normalize(unique)
    in_file = len(tables.studies)
    if query.nct_ids:
        tables = _narrow(tables, tables.studies["nct_id"].isin(set(query.nct_ids)))
    words = [*query.conditions, *query.terms, *query.interventions]
    params = query.to_params()
    if TextQuery.from_params(params):
        found = matching_ids(unique, params)
        tables = _narrow(tables, tables.studies["nct_id"].isin(found))
    meta = _meta(query, None, tables, None, source=source)
    meta["records_read"] = in_file
    if words or query.narrow:
        meta["topic"] = list(dict.fromkeys([*words, *query.narrow]))
    if duplicates:
        meta["warnings"].append(
            f"{duplicates} records repeated a study already read and were kept once")
    return Results.from_tables(tables, local_filters_for(query, keyword=keyword or None), meta)


def _narrow(tables: Tables, keep: pd.Series) -> Tables:
    """The tables restricted to the studies where ``keep`` (a mask over studies) is true."""
    studies = tables.studies[keep.to_numpy()].reset_index(drop=True)
    ids = set(studies["nct_id"])
    return replace(
        tables,
        studies=studies,
        sites=tables.sites[tables.sites["nct_id"].isin(ids)].reset_index(drop=True),
        conditions=tables.conditions[tables.conditions["nct_id"].isin(ids)]
        .reset_index(drop=True),
        interventions=tables.interventions[tables.interventions["nct_id"].isin(ids)]
        .reset_index(drop=True),
    )


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
    tables = normalize([record])
    results = Results.from_tables(tables, LocalFilters(near=near), {"source": "detail"})
    text = tables.studies["eligibility_criteria"].iloc[0] if len(tables.studies) else None
    criteria = split_criteria(text if isinstance(text, str) else None)
    return StudyDetail(results=results, outcomes=outcomes_table(record), criteria=criteria,
                       record=record)


def search_file(path: str | Path, **kwargs: Any) -> Results:
    """Filter a saved ClinicalTrials.gov download locally (see :func:`search_records`)."""
    return search_records(load_records(path), source=str(path), **kwargs)
