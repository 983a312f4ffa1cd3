"""ISRCTN trial centres -> rows of the project's sites table, placed offline.

A centre has a name, city, state, country (and sometimes an address and zip). ISRCTN writes
the four nations of the United Kingdom as countries ("England", "Scotland", "Wales",
"Northern Ireland") where ClinicalTrials.gov writes "United Kingdom"; so that a country filter
and the duplicate rule compare like with like, such a country is written "United Kingdom" and
the nation goes into ``state`` (when the centre gives no state). Nothing else is renamed.

Each centre is placed with the project's gazetteer (:func:`trialfinder.places.resolve.
resolve_place`, "City, Country"), one look-up per distinct city and country. A centre that
cannot be placed (an unknown town, no city, a city that is not a name) keeps no coordinates
and is counted (``site_not_placed``), never dropped. A city must hold a letter, so a "city" of
``51.5,-0.1`` or ``02115`` is never read as coordinates or a ZIP code. A British centre with
a postcode is placed at the middle of the postcode's sector (:mod:`trialfinder.places.ukpost`:
about a kilometre across in a city, where the town's one point may be 10 km off: St George's,
Tooting, from the middle of London) when its town is not found (a suburb: "Wythenshawe") or
lies within :data:`POSTCODE_AGREES_KM` of it; a postcode farther from the town it is written
with is taken for a slip, and the town is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.places.geo import MILES_PER_KM, haversine_miles
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.places.ukpost import uk_postcode
from trialfinder.registries.isrctn.model import Centre, IsrctnTrial

__all__ = ["UK_NATIONS", "Placer", "country_name", "site_rows"]

#: ISRCTN's names for the nations of the United Kingdom (folded) -> their own spelling.
UK_NATIONS: Final[dict[str, str]] = {
    "england": "England", "scotland": "Scotland", "wales": "Wales",
    "northern ireland": "Northern Ireland",
}
UNITED_KINGDOM: Final = "United Kingdom"
#: A British centre's postcode places it only within this distance of its town, if found.
POSTCODE_AGREES_KM: Final = 25.0
_LETTER: Final = re.compile(r"[^\W\d_]")


def country_name(country: str | None) -> str | None:
    """``"England"`` -> ``"United Kingdom"``; every other name as given."""
    if country is None:
        return None
    return UNITED_KINGDOM if " ".join(country.lower().split()) in UK_NATIONS else country


class Placer:
    """Places ``(city, country)`` pairs once each; counts the ones it cannot place."""

    def __init__(self, resolve: Callable[[str], Place] = resolve_place) -> None:
        self._resolve = resolve
        self._known: dict[tuple[str, str], tuple[float, float] | None] = {}

    def place(self, city: str | None, country: str | None) -> tuple[float, float] | None:
        if not city or not _LETTER.search(city):
            return None
        key = (city.strip(), (country or "").strip())
        if key not in self._known:
            text = ", ".join(part for part in key if part)
            try:
                found = self._resolve(text)
                self._known[key] = (found.lat, found.lon)
            except InvalidQueryError:  # unknown, ambiguous or too long a name
                self._known[key] = None
        return self._known[key]

    def postcode(self, code: str) -> tuple[float, float] | None:
        """The middle of a UK postcode's sector (or district), or None for no UK postcode."""
        key = (code.strip(), UNITED_KINGDOM)
        if key not in self._known:
            found = uk_postcode(code)
            self._known[key] = (found.lat, found.lon) if found else None
        return self._known[key]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_miles(a[0], a[1], [b[0]], [b[1]])[0]) / MILES_PER_KM


def site_rows(trial: IsrctnTrial, placer: Placer,
              problems: Counter[str]) -> list[dict[str, Any]]:
    """One row per centre of ``trial``, in the sites table's columns."""
    rows: list[dict[str, Any]] = []
    for index, centre in enumerate(trial.centres):
        rows.append(_row(trial.isrctn_id, index, centre, placer, problems))
    return rows


def _row(isrctn_id: str, index: int, centre: Centre, placer: Placer,
         problems: Counter[str]) -> dict[str, Any]:
    state, country = centre.state, country_name(centre.country)
    nation = UK_NATIONS.get(" ".join((centre.country or "").lower().split()))
    if nation and not state:
        state = nation
    # the nation places a town better than the kingdom does ("Newport, Wales")
    point = placer.place(centre.city, nation or country)
    zip_code = centre.zip if centre.zip and re.search(r"\w", centre.zip) else None
    if zip_code and country == UNITED_KINGDOM:  # "Wythenshawe" by M23 9LT; Tooting's SW17
        sector = placer.postcode(zip_code)
        if sector is not None and (point is None or _km(point, sector) <= POSTCODE_AGREES_KM):
            point = sector
    if point is None:
        problems["site_not_placed"] += 1
    return {
        "nct_id": isrctn_id, "site_index": index, "facility": centre.name,
        "city": centre.city, "state": state, "zip": zip_code, "country": country,
        "lat": point[0] if point else None, "lon": point[1] if point else None,
        "site_status": None, "contact_name": None, "contact_phone": None,
        "contact_email": None, "distance_mi": None,
    }
