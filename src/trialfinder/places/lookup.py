"""Gazetteer look-ups shared by the resolver: where to look (a scope), which towns a key names
there, how a chosen town is labelled, and what a country or region name means.

A **scope** is a country, optionally narrowed to some of its regions. Within a scope, a town
is named by its own name, or by an alternate name when it is far larger than any town whose own
name that is (``"Cologne"`` is Köln, ``"Frankfurt"`` is Frankfurt am Main). Once a region or
country is given, a town that bears the name exactly beats a larger town merely known by it,
unless the name is part of the larger town's own name or a spelling of it (``"Frankfurt"``,
``"Querétaro"`` for Santiago de Querétaro, ``"Guanzhou"`` for Guangzhou): ``"Franklin,
Ohio"`` is the town of Franklin, not Columbus (once called so, in Franklin County). A spelling
counts only against a village: a town of ``alternates_from`` people or more that bears the name
keeps it (``"Goiana, Brazil"`` is Goiana, not Goiânia).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import NamedTuple

from trialfinder.core.units import KM_PER_MILE
from trialfinder.places.countrynames import FORMER
from trialfinder.places.gazetteer import City, Gazetteer
from trialfinder.places.geo import haversine_miles
from trialfinder.places.names import key

__all__ = ["DOMINANCE", "Scope", "country_codes", "country_name", "distinct", "hits",
           "in_scope", "label", "region_in", "scopes", "state_scope", "us_state"]

logger = logging.getLogger(__name__)

#: A bare name resolves to its most populous match only when that one has at least this many
#: times the population of the next one; an alternate name counts only for a town this many
#: times as large as the largest one that bears the name.
DOMINANCE = 5.0

_SPELLING = 0.8  # an alternate this close to the own name is a spelling of it (Guanzhou)
_SAME_PLACE_KM = 10.0  # two entries this close with one name are one place (a city and its seat)


class Scope(NamedTuple):
    country: str
    codes: frozenset[str] | None  # GeoNames region codes the town must lie in; None: anywhere
    label: str  # "Massachusetts (MA)", "Canada", "Ontario, Canada"


def country_name(gaz: Gazetteer, iso2: str) -> str:
    return gaz.country_names.get(iso2, iso2)


def label(gaz: Gazetteer, city: City) -> str:
    """A display name that reads back to ``city``: ``"Boston, MA, US"``, ``"Lyon, France"``,
    ``"Halle, Nordrhein-Westfalen, Germany"`` (the region when the country has namesakes)."""
    if city.country == "US":
        return f"{city.name}, {city.admin1.removeprefix('US.')}, US"
    country = country_name(gaz, city.country)
    namesakes = [i for i in gaz.by_name.get(key(city.name), ())
                 if gaz.cities[i].country == city.country]
    if len(namesakes) > 1 and city.admin1 in gaz.region_names:
        return f"{city.name}, {gaz.region_names[city.admin1]}, {country}"
    return f"{city.name}, {country}"


def _km(a: City, b: City) -> float:
    return float(haversine_miles(a.lat, a.lon, [b.lat], [b.lon])[0]) * KM_PER_MILE


def in_scope(city: City, scope: Scope | None) -> bool:
    return scope is None or (city.country == scope.country and (
        scope.codes is None or city.admin1 in scope.codes or city.admin2 in scope.codes))


def hits(gaz: Gazetteer, name_key: str, scope: Scope | None = None) -> list[int]:
    """Towns (in ``scope``) that ``name_key`` names, most populous first (see the module)."""
    cities = gaz.cities
    own = [i for i in gaz.by_name.get(name_key, ()) if in_scope(cities[i], scope)]
    floor = DOMINANCE * cities[own[0]].population if own else 0
    alts = [i for i in gaz.by_alt.get(name_key, ())
            if in_scope(cities[i], scope) and cities[i].population >= floor]
    exact = [i for i in own if key(cities[i].name) == name_key]
    if scope is not None and alts and exact:
        # a town of some size that bears the name is what the name means there: a larger
        # town only spelled like it ("Goiana" is not Goiânia) wins over a village only
        sized = cities[exact[0]].population >= gaz.alternates_from
        alts = [i for i in alts if _same_name(name_key, key(cities[i].name), spelling=not sized)]
    return sorted({*own, *alts})


def _same_name(alternate: str, own: str, spelling: bool = True) -> bool:
    """Whether an alternate name is the town's own name in short or (``spelling``) in another
    spelling."""
    return alternate in own or (spelling
                                and SequenceMatcher(None, alternate, own).ratio() >= _SPELLING)


def distinct(gaz: Gazetteer, chosen: City, rest: Sequence[int]) -> list[City]:
    """Other towns than ``chosen``, leaving out entries that are the same place."""
    out: list[City] = []
    for i in rest:
        city = gaz.cities[i]
        if city.country == chosen.country and _km(city, chosen) < _SAME_PLACE_KM:
            continue
        out.append(city)
    return out


# -- countries and regions -------------------------------------------------------------------


def country_codes(gaz: Gazetteer, text: str) -> tuple[str, ...]:
    """The ISO codes a country name stands for: one, or the countries that now cover a
    former state ("Former Serbia and Montenegro"); ``()`` for a name we do not know. A
    bracketed part may be the name too: "Turkey (Türkiye)" is Turkey."""
    code = gaz.countries.get(key(text))
    if code is None and "(" in text:
        head, _, tail = text.partition("(")
        code = gaz.countries.get(key(head)) or gaz.countries.get(key(tail.rstrip(") ")))
    if code is None:
        return ()
    return FORMER.get(code, (code,))


def us_state(gaz: Gazetteer, text: str) -> str | None:
    codes = [c for c in gaz.regions.get(key(text), ()) if c.startswith("US.") and c.count(".") == 1]
    return codes[0] if codes else None


def state_scope(gaz: Gazetteer, code: str) -> Scope:
    return Scope("US", frozenset({code}), f"{gaz.region_names.get(code, code)} "
                                          f"({code.removeprefix('US.')})")


def scopes(gaz: Gazetteer, qualifier: str) -> list[Scope]:
    """What a single ``, X`` may mean, in order: a US state, a country, a region elsewhere
    (``"CA"`` is California, then Canada; ``"ON"`` is Ontario; ``"Georgia"`` both)."""
    found: list[Scope] = []
    state = us_state(gaz, qualifier)
    if state:
        found.append(state_scope(gaz, state))
    found += [Scope(c, None, country_name(gaz, c)) for c in country_codes(gaz, qualifier)]
    qkey = key(qualifier)
    if len(qkey) >= 2 and not qkey.isdigit():
        by_country: dict[str, set[str]] = defaultdict(set)
        for code in gaz.regions.get(qkey, ()):
            if not code.startswith("US."):
                by_country[code.split(".", 1)[0]].add(code)
        for cc, codes in sorted(by_country.items()):
            name = gaz.region_names[min(codes)]
            found.append(Scope(cc, frozenset(codes), f"{name}, {country_name(gaz, cc)}"))
    return found


def region_in(gaz: Gazetteer, text: str, iso2: str) -> frozenset[str]:
    """Codes of the regions of ``iso2`` that ``text`` names; for the US only states (not
    Nevada County, Arkansas)."""
    prefix = iso2 + "."
    codes = [c for c in gaz.regions.get(key(text.split("(", 1)[0]), ()) if c.startswith(prefix)]
    if iso2 == "US":
        codes = [c for c in codes if c.count(".") == 1]
    return frozenset(codes)
