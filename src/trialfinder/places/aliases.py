"""Names of towns that the gazetteer cannot know, and text whose letters were garbled.

* Everyday names and the registry's own ways of writing a few towns: "NYC", "CABA", "D.F." for
  Mexico City; the US Army posts renamed in 2023 ("Fort Eisenhower" is the post the ZIP data
  knows as Fort Gordon); and hospital campuses written where the town belongs ("Tel Hashomer"
  is the campus of a hospital in Ramat Gan, "Zerifin" one by Be'er Ya'akov).
* Text exported as UTF-8 and read back as Windows-1252 or Latin-1 ("MÃ¼nchen" for "München")
  is read as it was written (:func:`repaired`).
"""

from __future__ import annotations

from trialfinder.places.gazetteer import Gazetteer
from trialfinder.places.lookup import country_codes, us_state
from trialfinder.places.names import key

__all__ = ["CITY_ALIASES", "SAID", "alias_for", "names_alike", "repaired"]

_ALIASES: dict[str, tuple[str, str, str]] = {
    # name as written -> (town name, its region or "", its country)
    "NYC": ("New York City", "New York", "US"),
    "New York": ("New York City", "New York", "US"),
    "LA": ("Los Angeles", "California", "US"),
    "SF": ("San Francisco", "California", "US"),
    "DC": ("Washington", "District of Columbia", "US"),
    "Washington DC": ("Washington", "District of Columbia", "US"),
    "CABA": ("Buenos Aires", "", "AR"),
    "Ciudad Autonoma de Buenos Aires": ("Buenos Aires", "", "AR"),
    "Ciudad Autonoma Buenos Aires": ("Buenos Aires", "", "AR"),
    "Ciudad de Buenos Aires": ("Buenos Aires", "", "AR"),
    # the registry's other ways: misspelt, "Bs As", in English, or cut at 30 characters
    "Cuidad Autonoma de Buenos Aires": ("Buenos Aires", "", "AR"),
    "Ciudad Autonoma de Buenos Aire": ("Buenos Aires", "", "AR"),
    "Ciudad Autonoma de Bs As": ("Buenos Aires", "", "AR"),
    "Ciudad Autonoma Bs As": ("Buenos Aires", "", "AR"),
    "City of Buenos Aires": ("Buenos Aires", "", "AR"),
    "Bs As": ("Buenos Aires", "", "AR"),
    "DF": ("Mexico City", "", "MX"),  # "D.F., Mexico": Distrito Federal
    "Distrito Federal": ("Mexico City", "", "MX"),
    # US Army posts renamed in 2023, by the names the ZIP data knows them by
    "Fort Eisenhower": ("Fort Gordon", "Georgia", "US"),
    "Fort Moore": ("Fort Benning", "Georgia", "US"),
    "Fort Gregg-Adams": ("Fort Lee", "Virginia", "US"),
    "Fort Johnson": ("Fort Polk", "Louisiana", "US"),
    "Fort Walker": ("Fort A P Hill", "Virginia", "US"),
    # hospital campuses written as the town
    "Tel Hashomer": ("Ramat Gan", "", "IL"),
    "Tel Litwinsky": ("Ramat Gan", "", "IL"),
    "Tel Litvinsky": ("Ramat Gan", "", "IL"),
    "Zerifin": ("Be'er Ya'akov", "", "IL"),
    "Tzrifin": ("Be'er Ya'akov", "", "IL"),
    "Tsrifin": ("Be'er Ya'akov", "", "IL"),
    "Zrifin": ("Be'er Ya'akov", "", "IL"),
}

#: Folded name -> (town name, its region or "", its country).
CITY_ALIASES = {key(name): place for name, place in _ALIASES.items()}
#: Read only with their country given ("DF, Brazil" is Brasília; "DF" alone is either).
WITH_COUNTRY_ONLY = frozenset({key("DF"), key("Distrito Federal")})
#: Read only with their own state given: another state has a town of that name (Fort
#: Johnson, New York).
IN_THEIR_STATE_ONLY = frozenset({key("Fort Johnson"), key("Fort Walker")})
#: Said in the place's note when read (a new name or a campus, not a short form).
SAID = frozenset(key(name) for name, (town, _, country) in _ALIASES.items()
                 if name.startswith("Fort ") or country == "IL")


def names_alike(name: str) -> set[str]:
    """The other ways of writing the town ``name`` stands for ("NYC", "New York City" and
    "New York" alike), for matching a city as the registry writes it; empty for a name with no
    other ways, or one read only with its country or state ("DF")."""
    name_key = key(name)
    if name_key in WITH_COUNTRY_ONLY | IN_THEIR_STATE_ONLY:
        return set()
    alias = CITY_ALIASES.get(name_key)
    town = key(alias[0]) if alias is not None else name_key
    alike = {written for written, (other, _, _) in _ALIASES.items() if key(other) == town
             and key(written) not in WITH_COUNTRY_ONLY | IN_THEIR_STATE_ONLY}
    return alike | {alias[0]} if alias is not None else alike


def alias_for(gaz: Gazetteer, town: str, qualifiers: list[str]) -> tuple[str, str, str] | None:
    """The ``(town, region, country)`` that ``town`` stands for with these qualifiers, or
    None: the alias holds when no qualifier is given (except for a name read only with its
    country or state) or when the last one is its country or, for a US town, its state."""
    name_key = key(town)
    alias = CITY_ALIASES.get(name_key)
    if alias is None:
        return None
    _, region, country = alias
    if not qualifiers:
        return None if name_key in WITH_COUNTRY_ONLY | IN_THEIR_STATE_ONLY else alias
    last = qualifiers[-1]
    state = us_state(gaz, last)
    if state:  # "Fort Johnson, New York" is that state's own town
        return alias if country == "US" and (not region or state == us_state(gaz, region)) \
            else None
    if name_key in IN_THEIR_STATE_ONLY:
        return None
    return alias if country in country_codes(gaz, last) else None

_GARBLED = ("Ã", "Â", "Ä", "Å", "Ð", "Ñ")  # first letters of a two-byte UTF-8 letter misread


def repaired(text: str) -> str:
    """``text`` as written when it is UTF-8 that was read as Windows-1252 or Latin-1
    ("MÃ¼nchen" -> "München", "BesanÃ§on" -> "Besançon"); otherwise ``text`` unchanged."""
    if not any(mark in text for mark in _GARBLED):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text
