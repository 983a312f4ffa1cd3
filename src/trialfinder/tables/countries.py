"""Country names for the site filter: which ones we know, and close matches for the others.

A site's country is written by the registry from its own list, and one country may be
written several ways across records ("Turkey" in older records, "Turkey (Türkiye)" now;
"Czech Republic" and "Czechia"). The filter compares folded names (see
:func:`trialfinder.tables.sitefilter.isin_folded`); :data:`COUNTRY_ALIASES` maps any name of
a country we know (a registry spelling or an everyday name such as "USA" or "South Korea") to
every registry spelling of it, so ``--country Turkey`` finds the sites written "Turkey
(Türkiye)". :func:`check_countries` tells a caller which of the names a person typed we know
(from the shipped gazetteer's countries and their aliases, ISO codes included), so a name we
cannot read ("Narnia") is reported with suggestions instead of silently removing every study.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from trialfinder.core.errors import TrialFinderError
from trialfinder.core.folding import fold
from trialfinder.places.countrynames import spellings

__all__ = ["COUNTRY_ALIASES", "CountryCheck", "UnknownCountry", "check_countries"]

logger = logging.getLogger(__name__)

#: Any name of a country (folded, spaces collapsed) -> every registry spelling of it (folded).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = spellings()


@dataclass(frozen=True, slots=True)
class UnknownCountry:
    """A name that is no country we know, with the closest country names we do know."""

    value: str
    close: tuple[str, ...] = ()

    def refusal(self, option: str = "--country") -> str:
        """One line for a person: the name we do not know and what they may have meant."""
        hint = f" (did you mean {' or '.join(self.close)}?)" if self.close else ""
        return f"{option} {self.value!r} is not a country we know{hint}"


@dataclass(frozen=True, slots=True)
class CountryCheck:
    """Names to filter by (the known ones, plus the gazetteer's name for any typed another
    way, e.g. ``DE`` and ``Germany``) and the unknown ones."""

    known: tuple[str, ...]
    unknown: tuple[UnknownCountry, ...]


def check_countries(values: Iterable[str]) -> CountryCheck:
    """Sort country names a person typed into known and unknown ones (see the module)."""
    wanted = [v.strip() for v in values if v.strip()]
    if not wanted:
        return CountryCheck((), ())
    try:
        from trialfinder.places.gazetteer import default_gazetteer
        from trialfinder.places.names import key

        gazetteer = default_gazetteer()
    except TrialFinderError as exc:  # without the gazetteer no name can be judged: keep all
        logger.debug("country names not checked: %s", exc)
        return CountryCheck(tuple(wanted), ())
    aliases = set(COUNTRY_ALIASES)
    names = sorted(set(gazetteer.country_names.values()))
    by_fold = {fold(n): n for n in names}
    known: list[str] = []
    unknown: list[UnknownCountry] = []
    for value in wanted:
        iso2 = gazetteer.countries.get(key(value))
        if iso2 is None and fold(" ".join(value.split())) not in aliases:
            close = difflib.get_close_matches(fold(value), list(by_fold), n=3, cutoff=0.6)
            unknown.append(UnknownCountry(value, tuple(by_fold[c] for c in close)))
            continue
        known.append(value)
        name = gazetteer.country_names.get(iso2 or "")
        if name and fold(name) != fold(value):
            known.append(name)
    return CountryCheck(tuple(dict.fromkeys(known)), tuple(unknown))
