"""Search options made ready to apply: the place looked up (:func:`resolve_near`) and the
filters applied to fetched studies (:func:`local_filters`, the same whatever the registry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialfinder.options.model import SearchOptions
from trialfinder.options.values import DEFAULT_RADIUS, Near
from trialfinder.tables.filterspec import LocalFilters

if TYPE_CHECKING:
    from trialfinder.places.resolve import Place

__all__ = ["code_in_countries", "local_filters", "resolve_near"]


def resolve_near(options: SearchOptions) -> tuple[SearchOptions, Place | None]:
    """``options`` with the point of a place given by name, and the place found (``None``
    when there was no name to look up). A place that cannot be found is a
    :class:`~trialfinder.core.errors.PlaceNotFoundError`."""
    near = options.near
    if near is None or near.point is not None:
        return options, None
    from trialfinder.places.resolve import resolve_place

    place = resolve_place(near.place)
    if options.countries:
        code_in_countries(near.place, place, options.countries)
    return options.replace(near=Near(place=near.place, point=(place.lat, place.lon))), place


def code_in_countries(text: str, place: Place, countries: tuple[str, ...]) -> None:
    """A US ZIP code or a UK postcode given with ``--country`` naming only other countries:
    a :class:`~trialfinder.core.errors.PlaceNotFoundError` in one line, rather than a search
    around a town of one country for sites in another that finds nothing without a word.
    A five-digit code with other countries is theirs (75013: Paris), which nothing here can
    place; a UK postcode (``LS1 4AP``) is no code of France. Any other place, and a country
    name we do not know, is left alone."""
    from trialfinder.core.errors import PlaceNotFoundError
    from trialfinder.core.wording import one_of
    from trialfinder.places.countrynames import country_code
    from trialfinder.places.uszip import TERRITORIES

    own = {"zip": {"US", *TERRITORIES}, "postcode": {"GB"}}.get(place.kind)
    codes = [country_code(c) for c in countries]
    if own is None or None in codes or own & set(codes):  # a name not known: no guess
        return
    named = one_of(list(countries))
    if place.kind == "zip":
        raise PlaceNotFoundError(
            f"--near {text.strip()!r} is a US ZIP code ({place.name}), but --country names "
            f"{named} only: trialfinder reads no other country's postcodes; give the town "
            "('Paris, France') or LAT,LON")
    raise PlaceNotFoundError(
        f"--near {text.strip()!r} is a UK postcode ({place.name}), but --country names "
        f"{named} only: give a town in {named} ('Town, Country') or LAT,LON, or leave out "
        "--country")


def local_filters(options: SearchOptions) -> LocalFilters:
    """The filters applied to what was fetched: every structured filter again (what the
    registry sent back is checked, and distances are computed) and the local-only ones. A
    place given by name is looked up."""
    o, place = resolve_near(options)
    point = o.near.point if o.near is not None else None
    name = (place.name if place is not None and place.kind != "coordinates"
            else o.near.place if o.near is not None else "")
    return LocalFilters(
        statuses=tuple(s.value for s in o.statuses) or None,
        phases=tuple(p.value for p in o.phases) or None,
        study_types=tuple(t.value for t in o.study_types) or None,
        intervention_types=tuple(t.value for t in o.intervention_types) or None,
        countries=o.countries or None, states=o.states or None, cities=o.cities or None,
        near=point, radius_mi=(o.radius or DEFAULT_RADIUS).miles if point else None,
        near_name=name or None if point else None,
        age=o.age, sex=o.sex.value if o.sex else None,
        healthy_volunteers=o.healthy_volunteers, has_results=o.has_results,
        start_from=o.start_from, start_to=o.start_to, keyword=o.keyword,
        funder_types=tuple(t.value for t in o.funder_types) or None,
        completion_from=o.completion_from, completion_to=o.completion_to,
        posted_from=o.posted_from, posted_to=o.posted_to,
        updated_from=o.updated_from, updated_to=o.updated_to,
    )
