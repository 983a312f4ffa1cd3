"""Search options in ClinicalTrials.gov's query language: :func:`query_for` makes a
:class:`~trialfinder.options.SearchOptions` into a checked :class:`StudyQuery`;
:func:`local_filters_for` gives the filters applied to what comes back (the same for every
registry: :func:`trialfinder.options.local.local_filters`).

A wrong option (an unknown name, a wrong type, a place we cannot find) raises
:class:`~trialfinder.core.errors.InvalidQueryError` before any request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trialfinder.core.codes import Distance, Sex
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import SearchOptions, from_kwargs
from trialfinder.options.local import local_filters, resolve_near
from trialfinder.options.values import DEFAULT_RADIUS
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.query import TEXT_FIELDS, StudyQuery, preset_query
from trialfinder.tables.filterspec import LocalFilters
from trialfinder.topics.presets import get_preset

__all__ = ["build_query", "local_filters_for", "query_for", "with_preset"]


def query_for(options: SearchOptions) -> StudyQuery:
    """The :class:`StudyQuery` that asks ClinicalTrials.gov for ``options`` (the local-only
    options are not part of it). A place given by name is looked up."""
    resolved, _ = resolve_near(options)
    near = None
    if resolved.near is not None and resolved.near.point is not None:
        radius = resolved.radius or DEFAULT_RADIUS
        near = Distance(lat=resolved.near.point[0], lon=resolved.near.point[1],
                        radius=radius.value, unit=radius.unit)
    query = StudyQuery(
        conditions=options.conditions, terms=options.terms, interventions=options.interventions,
        location=options.location, titles=options.title, sponsor=options.sponsor,
        nct_ids=options.ids, statuses=options.statuses, phases=options.phases,
        study_types=options.study_types, sex=options.sex, age=options.age,
        healthy_volunteers=options.healthy_volunteers, start_from=options.start_from,
        start_to=options.start_to, has_results=options.has_results, near=near,
    )
    if options.preset:
        query = with_preset(preset_query(get_preset(options.preset)), query)
    return query


def local_filters_for(options: SearchOptions, query: StudyQuery | None = None) -> LocalFilters:
    """The filters applied to the studies ClinicalTrials.gov sends back for ``options``; with
    ``query`` (a :class:`StudyQuery` the caller made, which ``options`` may add to), its
    structured filters are the ones checked again."""
    filters = local_filters(options)
    if query is None:
        return filters
    near = query.near
    return replace(
        filters, statuses=tuple(s.value for s in query.statuses) or None,
        phases=tuple(p.value for p in query.phases) or None,
        study_types=tuple(t.value for t in query.study_types) or None,
        near=(near.lat, near.lon) if near else None,
        radius_mi=near.radius_miles if near else None, age=query.age,
        sex=query.sex.value if query.sex and query.sex is not Sex.ALL else None,
        healthy_volunteers=query.healthy_volunteers, start_from=query.start_from,
        start_to=query.start_to, has_results=query.has_results,
    )


def build_query(**kwargs: Any) -> StudyQuery:
    """A :class:`StudyQuery` from ``trialfinder.search()``'s keyword arguments
    (``build_query(condition="ALS", status="recruiting", near="Boston, MA")``): the public
    name of :func:`query_for` over :func:`trialfinder.options.from_kwargs`. A wrong argument
    raises :class:`InvalidQueryError` naming it, before anything is sent."""
    return query_for(from_kwargs(kwargs))


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


def check_not_empty(query: StudyQuery) -> StudyQuery:
    """``query``, or :class:`InvalidQueryError` when it asks the API for nothing."""
    if query.is_empty:
        raise InvalidQueryError(
            "the search is empty: give a condition, term, intervention, place or preset"
        )
    return query


def check_kinds(*, query: object, client: object, settings: object, progress: object) -> None:
    for label, value, kind in (("query", query, StudyQuery), ("client", client, TrialsClient),
                               ("settings", settings, Settings)):
        if value is not None and not isinstance(value, kind):
            raise InvalidQueryError(f"{label} must be a {kind.__name__} or None, "
                                    f"not {type(value).__name__}")
    if progress is not None and not callable(progress):
        raise InvalidQueryError(f"progress must be callable, not {type(progress).__name__}")
