"""Offline place resolution: turn what someone types, or what the registry writes, into a point.

:func:`resolve_place` accepts

* ``"LAT,LON"`` in decimal degrees (``"42.36,-71.06"``), ranges checked;
* a US ZIP code (``"02115"`` or ``"02115-1234"``), from the ``zipcodes`` package;
* ``"City"``, ``"City, Region"``, ``"City, Country"`` and ``"City, Region, Country"``, where

  - a country is named as people and the registry write it: ``"France"``, ``"FR"``, ``"FRA"``,
    ``"Netherlands"``, ``"The Netherlands"``, ``"Korea, Republic of"``, ``"South Korea"``,
    ``"Iran, Islamic Republic of"``, ``"Russian Federation"``, ``"Türkiye"``, ``"Turkey"``,
    ``"UK"``, ``"USA"``...;
  - a region is a US state (``"MA"``, ``"Massachusetts"``) or a state, province, prefecture,
    county or department anywhere, by name or by its ISO 3166-2 code (``"ON"``, ``"Ontario"``,
    ``"NSW"``, ``"QC"``, ``"Hérault"``);
  - the town may carry a local suffix or a postal tail (``"Nara-shi"``, ``"Bunkyo-ku"``,
    ``"Seongnam-si"``, ``"Lyon Cedex 03"``) or a bracketed part (``"Halle (Saale)"``), and may
    be given by an alternate name (``"Cologne"``/``"Köln"``, ``"Beer Sheva"``);
  - ``"NYC"``, ``"LA"``, ``"SF"`` and ``"DC"`` (``"Washington DC"``) are everyday aliases.

Towns come from the gazetteer shipped with trialfinder (GeoNames towns of at least 1,000
people; see :mod:`trialfinder.places.gazetteer`). A US town missing there is looked up in the
``zipcodes`` data (the mean of its ZIP code centres) when its state is given.

Choosing among places of the same name:

* with a region or a country given, the most populous match in it wins; the others are named
  in :attr:`Place.note` and listed in :attr:`Place.others` (``"Halle, Germany"`` is Halle
  (Saale), 240,000 people, not Halle (Westf.), 21,000);
* a bare name resolves to its most populous match when that one has at least
  :data:`DOMINANCE` times the people of the next (``"Nara"`` is Nara, Japan, not Nara, Mali;
  the note says so); when the largest are closer than that, :class:`PlaceNotFoundError`
  lists them (``"Springfield"``, ``"Cambridge"``).

A region that the gazetteer does not know is set aside with a note (the town is then looked up
in the whole country); a region that does not hold the town is set aside the same way. Unknown
names raise :class:`PlaceNotFoundError` with close matches in the message and in
``.suggestions``. Each candidate, suggestion and ``others`` entry is itself a valid input.

The gazetteer is read and indexed on the first call (about a second) and kept for the process.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import logging
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from trialfinder.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.places.gazetteer import City, Gazetteer, default_gazetteer
from trialfinder.places.geo import haversine_miles
from trialfinder.places.names import SUFFIXES, key, words
from trialfinder.units import KM_PER_MILE

__all__ = ["DOMINANCE", "Place", "PlaceKind", "resolve_place"]

logger = logging.getLogger(__name__)

PlaceKind = Literal["coordinates", "zip", "city"]

#: A bare name resolves to its most populous match only when that one has at least this many
#: times the population of the next one; otherwise the name is reported as ambiguous.
DOMINANCE = 5.0

#: Longest text accepted as a place.
MAX_LENGTH = 200

_MAX_CANDIDATES = 10
_MAX_SUGGESTIONS = 6
_MAX_OTHERS = 3
_SAME_PLACE_KM = 10.0  # two entries this close with one name are one place (a city and its seat)

_COORD_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")
_ZIP_RE = re.compile(r"^\s*([0-9]{5})(?:-[0-9]{4})?\s*$")  # ASCII digits only

_SUFFIXES = SUFFIXES | {"city"}

# Everyday names: folded key -> (town name, its region or "", its country).
_CITY_ALIASES = {
    "nyc": ("New York City", "New York", "US"),
    "newyork": ("New York City", "New York", "US"),
    "la": ("Los Angeles", "California", "US"),
    "sf": ("San Francisco", "California", "US"),
    "dc": ("Washington", "District of Columbia", "US"),
    "washingtondc": ("Washington", "District of Columbia", "US"),
    "caba": ("Buenos Aires", "", "AR"),
    "ciudadautonomadebuenosaires": ("Buenos Aires", "", "AR"),
    "ciudadautonomabuenosaires": ("Buenos Aires", "", "AR"),
    "ciudaddebuenosaires": ("Buenos Aires", "", "AR"),
}


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place.

    ``name`` is a display name that :func:`resolve_place` reads back to the same place
    (``"Boston, MA, US"``, ``"Lyon, France"``, ``"London, Ontario, Canada"``); ``lat`` and
    ``lon`` are decimal degrees; ``kind`` says what the input was (``"coordinates"``,
    ``"zip"`` or ``"city"``); ``country`` is the ISO 3166-1 alpha-2 code (``""`` for bare
    coordinates). ``note`` explains a choice that was made (another place of the same name,
    a region set aside), and is ``""`` when there was none; ``others`` names the other places
    the text could have meant, most populous first, each a valid input.
    """

    name: str
    lat: float
    lon: float
    kind: PlaceKind
    country: str = ""
    note: str = ""
    others: tuple[str, ...] = ()


class _Scope(NamedTuple):
    country: str
    codes: frozenset[str] | None  # GeoNames region codes the town must lie in; None: anywhere
    label: str  # "Massachusetts (MA)", "Canada", "Ontario, Canada"


# -- labels and small helpers ----------------------------------------------------------------


def _country_name(gaz: Gazetteer, iso2: str) -> str:
    return gaz.country_names.get(iso2, iso2)


def _label(gaz: Gazetteer, city: City) -> str:
    if city.country == "US":
        return f"{city.name}, {city.admin1.removeprefix('US.')}, US"
    country = _country_name(gaz, city.country)
    namesakes = [i for i in gaz.by_name.get(key(city.name), ())
                 if gaz.cities[i].country == city.country]
    if len(namesakes) > 1 and city.admin1 in gaz.region_names:
        return f"{city.name}, {gaz.region_names[city.admin1]}, {country}"
    return f"{city.name}, {country}"


def _km(a: City, b: City) -> float:
    return float(haversine_miles(a.lat, a.lon, [b.lat], [b.lon])[0]) * KM_PER_MILE


def _not_found(message: str, suggestions: list[str]) -> PlaceNotFoundError:
    suggestions = list(dict.fromkeys(suggestions))[:_MAX_SUGGESTIONS]
    if suggestions:
        message += "; did you mean: " + "; ".join(suggestions)
    return PlaceNotFoundError(message, suggestions)


def _variants(text: str) -> list[str]:
    """Keys to try for a town, best first: as written, then without brackets, postal tails
    (``Cedex 03``, a trailing district number) and local suffixes (``-shi``, ``-ku``...)."""
    found = [key(text)]
    if "(" in text:
        found.append(key(text.split("(", 1)[0]))
    trimmed = words(text.split("(", 1)[0])
    if "cedex" in trimmed[1:]:
        trimmed = trimmed[: trimmed.index("cedex", 1)]
    while len(trimmed) > 1 and trimmed[-1].isdigit():
        trimmed.pop()
    found.append("".join(trimmed))
    if len(trimmed) > 1 and trimmed[-1] in _SUFFIXES:
        found.append("".join(trimmed[:-1]))
    return [k for k in dict.fromkeys(found) if k]


def _in_scope(city: City, scope: _Scope | None) -> bool:
    return scope is None or (city.country == scope.country and (
        scope.codes is None or city.admin1 in scope.codes or city.admin2 in scope.codes))


def _hits(gaz: Gazetteer, name_key: str, scope: _Scope | None = None) -> list[int]:
    """Towns (in ``scope``) that ``name_key`` names, most populous first: those whose own
    name it is, and those known by it as an alternate name when they have at least
    :data:`DOMINANCE` times the people of the largest own-name match (``"Cologne"`` is Köln,
    not Cologne, Italy; ``"Springfield"`` is not Powder Springs, once called so)."""
    cities = gaz.cities
    own = [i for i in gaz.by_name.get(name_key, ()) if _in_scope(cities[i], scope)]
    floor = DOMINANCE * cities[own[0]].population if own else 0
    alts = [i for i in gaz.by_alt.get(name_key, ())
            if _in_scope(cities[i], scope) and cities[i].population >= floor]
    return sorted({*own, *alts})


def _distinct(gaz: Gazetteer, chosen: City, rest: Sequence[int]) -> list[City]:
    """Other towns than ``chosen``, leaving out entries that are the same place."""
    out: list[City] = []
    for i in rest:
        city = gaz.cities[i]
        if city.country == chosen.country and _km(city, chosen) < _SAME_PLACE_KM:
            continue
        out.append(city)
    return out


def _chosen(gaz: Gazetteer, city: City, others: list[City], text: str, where: str) -> Place:
    labels = tuple(_label(gaz, c) for c in others)
    note = ""
    if others:
        shown = "; ".join(labels[:_MAX_OTHERS])
        more = f" and {len(labels) - _MAX_OTHERS} more" if len(labels) > _MAX_OTHERS else ""
        note = (f"{text.strip()!r} taken as {_label(gaz, city)} ({city.population:,} people), "
                f"the most populous of {len(others) + 1} places of that name{where}; "
                f"also: {shown}{more}")
        logger.debug("place %r: %s", text, note)
    return Place(_label(gaz, city), city.lat, city.lon, "city", city.country, note, labels)


# -- suggestions -----------------------------------------------------------------------------

_BUCKETS = np.full(256, 37, dtype=np.intp)  # a-z -> 0..25, 0-9 -> 26..35, others -> 37
_BUCKETS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)] = np.arange(26)
_BUCKETS[np.frombuffer(b"0123456789", np.uint8)] = np.arange(26, 36)
_CUTOFF = 0.75


def _char_counts(keys: list[str]) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    """Per-key character histograms (38 buckets) and lengths, for a vectorised prefilter."""
    encoded = [k.encode("ascii", "replace") for k in keys]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(keys))
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    owner = np.repeat(np.arange(len(keys)), lengths)
    counts = np.bincount(owner * 38 + _BUCKETS[flat], minlength=len(keys) * 38)
    return counts.reshape(len(keys), 38).astype(np.int16), lengths


@cache
def _suggest_index(gaz: Gazetteer) -> tuple[list[str], npt.NDArray[np.int16],
                                             npt.NDArray[np.int64]]:
    keys = list(gaz.by_name)
    counts, lengths = _char_counts(keys)
    return keys, counts, lengths


def _close_names(gaz: Gazetteer, name_key: str, scope: _Scope | None = None) -> list[str]:
    """Labels of towns whose names are close to ``name_key`` (optionally within ``scope``)."""
    if scope is None:
        keys, counts, lengths = _suggest_index(gaz)
        q_counts, q_len = _char_counts([name_key])
        common = np.minimum(counts, q_counts[0]).sum(axis=1)
        bound = 2.0 * common / np.maximum(lengths + q_len[0], 1)
        pool = [keys[i] for i in np.flatnonzero(bound >= _CUTOFF)]
        close = difflib.get_close_matches(name_key, pool, n=_MAX_SUGGESTIONS, cutoff=_CUTOFF)
        towns = {k: [gaz.cities[i] for i in gaz.by_name[k]] for k in close}
    else:
        grouped: dict[str, list[City]] = defaultdict(list)
        for city in gaz.cities:
            if _in_scope(city, scope):
                grouped[key(city.name)].append(city)
        close = difflib.get_close_matches(name_key, list(grouped), n=_MAX_SUGGESTIONS,
                                          cutoff=_CUTOFF)
        towns = {k: grouped[k] for k in close}
    labels: list[str] = []
    for k in close:
        labels.extend(_label(gaz, c) for c in towns[k][:2])
    return labels[:_MAX_SUGGESTIONS]


# -- inputs that are not town names ----------------------------------------------------------


def _coordinates(match: re.Match[str]) -> Place:
    lat, lon = float(match.group(1)), float(match.group(2))
    if not -90 <= lat <= 90:
        raise InvalidQueryError(f"latitude must be within -90..90, not {match.group(1)}")
    if not -180 <= lon <= 180:
        raise InvalidQueryError(f"longitude must be within -180..180, not {match.group(2)}")
    return Place(f"{lat:g}, {lon:g}", lat, lon, "coordinates")


def _zip(code: str) -> Place:
    zipcodes: Any = importlib.import_module("zipcodes")
    hits = [z for z in zipcodes.matching(code) if z.get("lat") and z.get("long")]
    if not hits:
        raise PlaceNotFoundError(f"unknown US ZIP code {code!r}")
    z = hits[0]
    lat, lon = float(z["lat"]), float(z["long"])
    if not (math.isfinite(lat) and math.isfinite(lon)):  # pragma: no cover - data guard
        raise PlaceNotFoundError(f"US ZIP code {code!r} has no coordinates")
    return Place(f"{code} ({str(z['city']).title()}, {z['state']})", lat, lon, "zip", "US")


@cache
def _zip_towns() -> dict[tuple[str, str], tuple[str, float, float]]:
    """(town key, state code) -> (town, mean lat, mean lon) over the ``zipcodes`` data."""
    zipcodes: Any = importlib.import_module("zipcodes")
    sums: dict[tuple[str, str], list[Any]] = {}
    for z in zipcodes.list_all():
        if not z.get("lat") or not z.get("long"):
            continue
        entry = sums.setdefault((key(str(z["city"])), str(z["state"])),
                                [str(z["city"]).title(), 0.0, 0.0, 0])
        entry[1] += float(z["lat"])
        entry[2] += float(z["long"])
        entry[3] += 1
    return {k: (v[0], v[1] / v[3], v[2] / v[3]) for k, v in sums.items()}


# -- regions and countries -------------------------------------------------------------------


def _country(gaz: Gazetteer, text: str) -> str | None:
    return gaz.countries.get(key(text))


def _us_state(gaz: Gazetteer, text: str) -> str | None:
    codes = [c for c in gaz.regions.get(key(text), ()) if c.startswith("US.") and c.count(".") == 1]
    return codes[0] if codes else None


def _state_scope(gaz: Gazetteer, code: str) -> _Scope:
    return _Scope("US", frozenset({code}), f"{gaz.region_names.get(code, code)} "
                                           f"({code.removeprefix('US.')})")


def _scopes(gaz: Gazetteer, qualifier: str) -> list[_Scope]:
    """What a single ``, X`` may mean, in order: a US state, a country, a region elsewhere
    (``"CA"`` is California, then Canada; ``"ON"`` is Ontario; ``"Georgia"`` both)."""
    found: list[_Scope] = []
    state = _us_state(gaz, qualifier)
    if state:
        found.append(_state_scope(gaz, state))
    iso2 = _country(gaz, qualifier)
    if iso2:
        found.append(_Scope(iso2, None, _country_name(gaz, iso2)))
    qkey = key(qualifier)
    if len(qkey) >= 2 and not qkey.isdigit():
        by_country: dict[str, set[str]] = defaultdict(set)
        for code in gaz.regions.get(qkey, ()):
            if not code.startswith("US."):
                by_country[code.split(".", 1)[0]].add(code)
        for cc, codes in sorted(by_country.items()):
            name = gaz.region_names[min(codes)]
            found.append(_Scope(cc, frozenset(codes), f"{name}, {_country_name(gaz, cc)}"))
    return found


def _region_in(gaz: Gazetteer, text: str, iso2: str) -> frozenset[str]:
    """Codes of the regions of ``iso2`` that ``text`` names; for the US only states (not
    Nevada County, Arkansas)."""
    prefix = iso2 + "."
    codes = [c for c in gaz.regions.get(key(text.split("(", 1)[0]), ()) if c.startswith(prefix)]
    if iso2 == "US":
        codes = [c for c in codes if c.count(".") == 1]
    return frozenset(codes)


def _region_as_town(gaz: Gazetteer, town: str, scope: _Scope, text: str) -> Place | None:
    """A region written where the town belongs (``"Hokkaido, Japan"``): its largest town,
    with a note saying so."""
    codes = _region_in(gaz, town, scope.country)
    if not codes:
        return None
    inside = _Scope(scope.country, codes, scope.label)
    city = next((c for c in gaz.cities if _in_scope(c, inside) and _in_scope(c, scope)), None)
    if city is None:
        return None
    region = gaz.region_names[min(codes)]
    note = (f"{town.strip()!r} is a region of {_country_name(gaz, scope.country)} ({region}), "
            f"not a town; taken as its largest town, {_label(gaz, city)}")
    logger.debug("place %r: %s", text, note)
    return Place(_label(gaz, city), city.lat, city.lon, "city", city.country, note)


# -- towns -----------------------------------------------------------------------------------


def _find(gaz: Gazetteer, town: str, scope: _Scope) -> list[int]:
    for variant in _variants(town):
        hits = _hits(gaz, variant, scope)
        if hits:
            return hits
    return []


def _zip_town(town: str, scope: _Scope) -> Place | None:
    if scope.country != "US" or scope.codes is None or len(scope.codes) != 1:
        return None
    state = next(iter(scope.codes)).removeprefix("US.")
    for variant in _variants(town):
        found = _zip_towns().get((variant, state))
        if found is not None:
            return Place(f"{found[0]}, {state}, US", found[1], found[2], "city", "US")
    return None


def _in_scopes(gaz: Gazetteer, town: str, scopes: list[_Scope], text: str,
               set_aside: str = "") -> Place | None:
    for scope in scopes:
        hits = _find(gaz, town, scope)
        place: Place | None
        if hits:
            city = gaz.cities[hits[0]]
            place = _chosen(gaz, city, _distinct(gaz, city, hits[1:]), text,
                            f" in {scope.label}")
        else:
            place = _zip_town(town, scope)
        if place is not None:
            if set_aside:
                note = set_aside + (f"; {place.note}" if place.note else "")
                place = dataclasses.replace(place, note=note)
            return place
    return None


def _town_error(gaz: Gazetteer, town: str, scope: _Scope) -> PlaceNotFoundError:
    name_key = key(town)
    elsewhere = [_label(gaz, gaz.cities[i]) for i in _hits(gaz, name_key)]
    return _not_found(f"no town {town.strip()!r} found in {scope.label}",
                      _close_names(gaz, name_key, scope) + elsewhere)


def _with_country(gaz: Gazetteer, town: str, regions: list[str], iso2: str,
                  text: str) -> Place:
    """``Town, Country`` or ``Town, Region[, Region], Country``: the first region that
    holds the town wins; a region we do not know, or that does not hold it, is set aside
    with a note and the town is looked up in the whole country."""
    whole = _Scope(iso2, None, _country_name(gaz, iso2))
    asides: list[str] = []
    for region in regions:
        codes = _region_in(gaz, region, iso2)
        if not codes:
            if iso2 == "US":
                raise _not_found(f"{region.strip()!r} is not a US state", [])
            asides.append(f"{region.strip()!r} is not a region of {whole.label} in our data")
            continue
        name = gaz.region_names[min(codes)]
        scope = (_state_scope(gaz, min(codes)) if iso2 == "US"
                 else _Scope(iso2, codes, f"{name}, {whole.label}"))
        place = _in_scopes(gaz, town, [scope], text) or _region_as_town(gaz, town, scope, text)
        if place is not None:
            return place
        if iso2 == "US":
            raise _town_error(gaz, town, scope)
        asides.append(f"no {town.strip()!r} in {name} in our data")
    aside = "; ".join(asides) + (f"; looked in all of {whole.label}" if asides else "")
    place = (_in_scopes(gaz, town, [whole], text, aside)
             or _region_as_town(gaz, town, whole, text))
    if place is None:
        raise _town_error(gaz, town, whole)
    if asides:
        logger.debug("place %r: %s", text, aside)
    return place


def _with_qualifier(gaz: Gazetteer, town: str, qualifier: str, text: str) -> Place:
    """``Town, X`` where X is a US state, a country or a region anywhere."""
    scopes = _scopes(gaz, qualifier)
    if not scopes:
        names = [*gaz.country_names.values(),
                 *(n for c, n in gaz.region_names.items() if c.startswith("US.")
                   and c.count(".") == 1)]
        close = difflib.get_close_matches(qualifier.strip(), names, n=4, cutoff=0.7)
        raise _not_found(f"{qualifier.strip()!r} is not a country or a state we know",
                         [f"{town.strip()}, {c}" for c in close])
    place = _in_scopes(gaz, town, scopes, text)
    for scope in scopes:
        if place is None and scope.codes is None:
            place = _region_as_town(gaz, town, scope, text)
    if place is None:
        raise _town_error(gaz, town, scopes[0])
    return place


def _bare(gaz: Gazetteer, text: str) -> Place:
    name_key = key(text)
    if not name_key:
        raise PlaceNotFoundError(f"{text!r} is not a place name")
    hits: list[int] = []
    for variant in _variants(text):
        hits = _hits(gaz, variant)
        if hits:
            break
    if hits:
        first = gaz.cities[hits[0]]
        others = _distinct(gaz, first, hits[1:])
        if not others or first.population >= DOMINANCE * max(1, others[0].population):
            return _chosen(gaz, first, others, text, "")
        labels = [_label(gaz, c) for c in [first, *others][:_MAX_CANDIDATES]]
        total = len(others) + 1
        more = f" and {total - len(labels)} more" if total > len(labels) else ""
        raise PlaceNotFoundError(
            f"{text.strip()!r} matches {total} places; add a state or country: "
            + "; ".join(labels) + more,
            labels,
        )
    # "Boston MA", "Lyon France": the last word(s) may be a qualifier without its comma.
    parts = text.split()
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        if _scopes(gaz, tail):
            try:
                return _with_qualifier(gaz, head, tail, text)
            except PlaceNotFoundError:
                break
    for scope in _scopes(gaz, text):
        biggest = next((c for c in gaz.cities if _in_scope(c, scope)), None)
        examples = [_label(gaz, biggest)] if biggest is not None else []
        kind = "a country" if scope.codes is None else (
            "a US state" if scope.country == "US" else "a region")
        raise _not_found(f"{text.strip()!r} is {kind}, not a town; name a town in it",
                         examples)
    raise _not_found(f"unknown place {text.strip()!r}", _close_names(gaz, name_key))


def _split(gaz: Gazetteer, text: str) -> tuple[str, list[str]]:
    """The town and its qualifiers; a country written with a comma (``"Korea, Republic
    of"``, ``"Iran, Islamic Republic of"``) counts as one qualifier."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 2 and all(parts[-2:]) and key(parts[-2] + parts[-1]) in gaz.countries and (
            len(parts) >= 3 or key(parts[-1]) not in gaz.countries):
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    if len(parts) > 4 or not all(parts):
        raise PlaceNotFoundError(
            f"cannot read {text.strip()!r}; use 'City', 'City, ST', 'City, Country', "
            "'City, Region, Country' or 'LAT,LON'")
    return parts[0], parts[1:]


# -- public ----------------------------------------------------------------------------------


def resolve_place(text: str, *, gazetteer: Gazetteer | None = None) -> Place:
    """Resolve ``text`` offline to a :class:`Place`.

    ``text`` is ``"LAT,LON"``, a US ZIP code, or a town with an optional region and country
    (``"Toronto, ON"``, ``"London, Ontario, Canada"``, ``"Seoul, Korea, Republic of"``,
    ``"Nara"``); see the module docstring for every form and how a choice between places of
    the same name is made. ``gazetteer`` replaces the packaged one (tests, benchmarks).

    Raises :class:`PlaceNotFoundError` (an :class:`InvalidQueryError`, so also a
    ``ValueError``) for an unknown or ambiguous place, with candidates in ``.suggestions``,
    and :class:`InvalidQueryError` for coordinates out of range.
    """
    if not isinstance(text, str) or not text.strip():
        raise PlaceNotFoundError(
            "place is empty; type a city ('Boston, MA'), a US ZIP code or 'LAT,LON'")
    if len(text) > MAX_LENGTH:
        raise PlaceNotFoundError(f"place is longer than {MAX_LENGTH} characters")
    coords = _COORD_RE.match(text)
    if coords:
        return _coordinates(coords)
    zip_match = _ZIP_RE.match(text)
    if zip_match:
        return _zip(zip_match.group(1))
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    town, qualifiers = _split(gaz, text)
    alias = _CITY_ALIASES.get(key(town))
    if alias is not None:
        name, region, country = alias
        if not qualifiers:
            return _with_country(gaz, name, [region] if region else [], country, text)
        last = qualifiers[-1]
        if country in {_country(gaz, last), (_us_state(gaz, last) or "")[:2]}:
            town = name
    if not qualifiers:
        return _bare(gaz, town)
    if len(qualifiers) == 1:
        return _with_qualifier(gaz, town, qualifiers[0], text)
    iso2 = _country(gaz, qualifiers[-1])
    if iso2 is None:
        raise _not_found(f"{qualifiers[-1].strip()!r} is not a country we know", [])
    return _with_country(gaz, town, qualifiers[:-1], iso2, text)
