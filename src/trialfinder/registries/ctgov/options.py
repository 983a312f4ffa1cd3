"""Search options as people give them (keyword arguments, the CLI's flags, the dashboard's
fields) made into a checked :class:`StudyQuery` and the matching :class:`LocalFilters`.

A wrong option (an unknown name, a wrong type, a place we cannot find) raises
:class:`~trialfinder.core.errors.InvalidQueryError` before any request.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any, cast

from trialfinder.core.checks import (
    flag_or_none,
    number_or_none,
    shown,
    text_or_none,
    texts,
)
from trialfinder.core.codes import Distance, Phase, Sex, Status, StudyType
from trialfinder.core.config import Settings
from trialfinder.core.errors import (
    InvalidQueryError,
)
from trialfinder.places.resolve import resolve_place
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.query import TEXT_FIELDS, StudyQuery, preset_query
from trialfinder.tables.filterspec import LocalFilters
from trialfinder.topics.presets import get_preset

__all__ = ["build_query", "local_filters_for", "with_preset"]


def _split(value: object, label: str, *, whole_numbers: bool = False) -> tuple[Any, ...]:
    return texts(value, label, whole_numbers=whole_numbers)


def _near(near: object, radius: object) -> Distance | None:
    if near is None or near == "":
        if radius not in (None, ""):
            raise InvalidQueryError("a radius needs a place: give --near as well")
        return None
    if radius is None or radius == "":
        radius = "50mi"
    elif not isinstance(radius, str):
        radius = number_or_none(radius, "radius")
    value, unit = Distance.parse_radius(cast("str | float", radius))
    if isinstance(near, tuple | list):
        lat, lon = point_of(near)
    elif isinstance(near, str):
        place = resolve_place(near)
        lat, lon = place.lat, place.lon
    else:
        raise InvalidQueryError(f"near must be a place name or (lat, lon), not {shown(near)}")
    return Distance(lat=lat, lon=lon, radius=value, unit=unit)


def point_of(near: object) -> tuple[float, float]:
    """``(lat, lon)`` as two numbers within range, or an :class:`InvalidQueryError`."""
    if not isinstance(near, tuple | list) or len(near) != 2:
        raise InvalidQueryError(f"near must be a place name or (lat, lon), not {shown(near)}")
    lat, lon = (cast(float, number_or_none(v, "near (lat, lon)")) for v in near)
    Distance(lat=lat, lon=lon)  # checks the ranges
    return lat, lon


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
    """A :class:`StudyQuery` from friendly keyword arguments (and an optional preset).

    Each argument's type is checked first: a wrong one raises :class:`InvalidQueryError`
    naming it (``condition=5``, ``healthy_volunteers="yes"``), before anything is sent.
    """
    for label, value in (("preset", preset), ("location", location), ("title", title),
                         ("sponsor", sponsor), ("sex", sex)):
        text_or_none(value, label)
    for label, value in (("start_from", start_from), ("start_to", start_to)):
        text_or_none(value, label, dates=True)
    for label, flag in (("healthy_volunteers", healthy_volunteers),
                        ("has_results", has_results)):
        flag_or_none(flag, label)
    query = StudyQuery(
        conditions=_split(condition, "condition"),
        terms=_split(term, "term"),
        interventions=_split(intervention, "intervention"),
        location=location,
        titles=title,
        sponsor=sponsor,
        nct_ids=_split(nct_ids, "nct_ids"),
        statuses=tuple(Status.parse(s) for s in _split(status, "status")),
        phases=tuple(Phase.parse(p) for p in _split(phase, "phase", whole_numbers=True)),
        study_types=tuple(StudyType.parse(t) for t in _split(study_type, "study_type")),
        sex=Sex.parse(sex) if sex else None,
        age=number_or_none(age, "age"),
        healthy_volunteers=healthy_volunteers,
        start_from=start_from,
        start_to=start_to,
        has_results=has_results,
        near=_near(near, radius),
    )
    if preset:
        query = with_preset(preset_query(get_preset(preset)), query)
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


def check_not_empty(query: StudyQuery) -> StudyQuery:
    """``query``, or :class:`InvalidQueryError` when it asks the API for nothing."""
    if query.is_empty:
        raise InvalidQueryError(
            "the search is empty: give a condition, term, intervention, place or preset"
        )
    return query


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


def check_kinds(*, query: object, client: object, settings: object, progress: object) -> None:
    for label, value, kind in (("query", query, StudyQuery), ("client", client, TrialsClient),
                               ("settings", settings, Settings)):
        if value is not None and not isinstance(value, kind):
            raise InvalidQueryError(f"{label} must be a {kind.__name__} or None, "
                                    f"not {type(value).__name__}")
    if progress is not None and not callable(progress):
        raise InvalidQueryError(f"progress must be callable, not {type(progress).__name__}")


def local_only(*, keyword: object, **lists: object) -> dict[str, Any]:
    """The local-only filters of :func:`search`, type-checked."""
    checked: dict[str, Any] = {"keyword": text_or_none(keyword, "keyword") or None}
    for label, value in lists.items():
        checked[label] = texts(value, label)
    return checked


def check_options(options: Mapping[str, Any], also: tuple[str, ...] = ()) -> None:
    """Refuse keyword arguments :func:`build_query` does not take, naming every one the
    caller accepts: those and ``also`` (the caller's own, such as ``limit`` and ``keyword``)."""
    known = inspect.signature(build_query).parameters
    unknown = [name for name in options if name not in known]
    if unknown:
        raise InvalidQueryError(
            f"unknown search option(s) {', '.join(map(repr, unknown))}; "
            f"choose from: {', '.join([*known, *also])}"
        )
