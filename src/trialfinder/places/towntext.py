"""What a city field holds besides the town, and the readings of it to try, best first.

The registry's city field is typed by hand at each site, so besides the town it may carry a
postal code (``"75013 Paris"``, ``"Wien 1090"``), a postal district (``"Aarhus C"``,
``"København Ø"``, ``"Paris Cedex 13"``, ``"Praha 8 - Libeň"``), a part of town or the
area around it (``"Jakarta Pusat"``, ``"Linkou District"``, ``"Changhua County"``, ``"West Los
Angeles"``, ``"Lido di Camaiore"``), a local suffix (``"Nara-shi"``, ``"Bunkyo-ku"``), a
spelling without the letters of the local alphabet
(``"Voecklabruck"`` for Vöcklabruck) or two places joined (``"Heusden-Zolder"``).

:func:`readings` turns such a text into the keys to look up, faithful ones first: the text as
written, without a bracketed part, without a postal tail, without a local suffix; then the
lossy ones (a part-of-town word dropped, "City" added as in "Kansas" for Kansas City, a
spelling changed, one half of a joined name), marked so that a caller can say what the text
was read as.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from trialfinder.core.folding import fold
from trialfinder.places.names import SUFFIXES, key, words

__all__ = ["DIRECTIONS", "Reading", "readings"]

_SUFFIXES = SUFFIXES | {"city"}
#: A ward, then its city, with no comma: "Toyohira-ku Sapporo-shi", "Bundang-gu Seongnam-si".
_WARD = (["ku"], ["gu"])
_CITY = (["shi"], ["si"])

#: Words that name a part of a town rather than the town, when they end its name.
_TRAILING_PARTS = frozenset({
    "district", "dist", "county", "township", "twp", "municipality", "centre", "center",
    "central", "centro",
    "north", "south", "east", "west", "nord", "sud", "est", "ouest", "norte", "sur", "oeste",
    "este", "leste", "sul", "ost", "noord", "zuid", "oost",
    "pusat", "barat", "timur", "utara", "selatan",
})
#: Of those, the words that name a quarter or side of a larger town ("Lanús Este", "North
#: York"): the town left when one is dropped must have ``alternates_from`` people, or a
#: village of the name elsewhere would be taken for the town the quarter belongs to.
_QUARTER_WORDS = _TRAILING_PARTS - {"district", "dist", "county", "township", "twp",
                                     "municipality"}
#: Words that name a part of a town, when they start its name ("West Los Angeles", "Lido di
#: Camaiore" on the shore of Camaiore, "Marina di Pisa"), or its county ("County Limerick").
_LEADING_PARTS = (("west",), ("east",), ("north",), ("south",), ("upper",), ("lower",),
                  ("greater",), ("lido", "di"), ("marina", "di"), ("centro",), ("county",))
#: A direction abbreviated at the start of a name ("N Richland Hills", "W Los Angeles").
DIRECTIONS = {"w": "west", "e": "east", "n": "north", "s": "south"}

_POSTCODE_RE = re.compile(r"^(?:[A-Z]{1,2}-)?\d{3,}(?:-\d+)?$")  # 75013, D-80331, 1090
_NUMBER_RE = re.compile(r"^\d+(?:e|er|eme|ème|\.)?$", re.IGNORECASE)  # Paris 13, Lyon 3e
# "C", "Ø", "NV": a Danish postal district, also typed with one capital ("Nv", "Sø")
_DISTRICT_RE = re.compile(r"^(?:[A-ZÆØÅ]{1,2}|[NS][vø])$")
# the halves of a British or Canadian postcode before or after the town: "Hyde SK14", "Wigan
# WN7 2PE", "Toronto M5G 1X5", "W6 8RF London"
_LETTERED_RE = re.compile(r"^(?:[A-Z]{1,2}\d[A-Z\d]?|\d[A-Z]{2}|[A-Z]\d[A-Z]|\d[A-Z]\d)$")
_PLACEHOLDERS = frozenset({"n/a", "n.a.", "-"})  # "Kuala Lumpur N/A"
_CEDEX_RE = re.compile(r"cedex\d*")  # "Lyon Cedex 03", and "Toulouse Cedex9" run together
_MIN_HALF = 5  # letters a half of a joined name needs to be tried alone
_TRANSLIT = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a"))


class Reading(NamedTuple):
    """One key to look a town up by; ``lossy`` when the reading dropped a word that may
    matter or changed the spelling (a caller then says what the text was read as), not for
    punctuation, brackets, postal tails and local suffixes."""

    key: str
    lossy: bool
    sized: bool = False  # only a town of ``alternates_from`` people counts (a quarter dropped)


def _postal_trimmed(tokens: list[str]) -> list[str]:
    """``tokens`` without a leading postal code, a ``Cedex`` tail, a district number and
    what follows it, or a trailing postal code (a British or Canadian one too) or district
    of capitals."""
    while len(tokens) > 1 and (_POSTCODE_RE.match(tokens[0]) or _LETTERED_RE.match(tokens[0])):
        tokens = tokens[1:]
    for i, token in enumerate(tokens[1:], start=1):
        if _CEDEX_RE.fullmatch(fold(token)) or _NUMBER_RE.match(token) or token in {"-", "–"}:
            tokens = tokens[:i]
            break
    while len(tokens) > 1 and (_DISTRICT_RE.match(tokens[-1]) or _POSTCODE_RE.match(tokens[-1])
                               or _LETTERED_RE.match(tokens[-1])
                               or fold(tokens[-1]) in _PLACEHOLDERS):
        tokens = tokens[:-1]
    return tokens


def _plain(token: str) -> str:
    return fold(token).strip(".")


def _lossy(tokens: list[str]) -> list[tuple[list[str], bool]]:
    """Shorter forms of the words ``tokens``: an abbreviated direction written out, a
    part-of-town word dropped at either end; each with whether a quarter of a larger town
    was dropped (see :data:`_QUARTER_WORDS`)."""
    out: list[tuple[list[str], bool]] = []
    if len(tokens) > 1 and _plain(tokens[0]) in DIRECTIONS:
        tokens = [DIRECTIONS[_plain(tokens[0])].title(), *tokens[1:]]
        out.append((tokens, False))
    if len(tokens) > 1 and _plain(tokens[-1]) in _TRAILING_PARTS:
        out.append((tokens[:-1], _plain(tokens[-1]) in _QUARTER_WORDS))
    for lead in _LEADING_PARTS:
        if len(tokens) > len(lead) and tuple(map(_plain, tokens[: len(lead)])) == lead:
            out.append((tokens[len(lead):], lead[0] not in {"lido", "marina"}))
    return out


def readings(text: str) -> list[Reading]:
    """The keys to try for the town ``text``, best first (see the module)."""
    bare = text.split("(", 1)[0]
    found = [Reading(key(text), False), Reading(key(bare), False)]
    tokens = _postal_trimmed(bare.split())
    plain = words(" ".join(tokens))
    found.append(Reading("".join(plain), False))
    if len(plain) > 1 and plain[-1] in _SUFFIXES:
        found.append(Reading("".join(plain[:-1]), False))
    found += [Reading(key(" ".join(shorter)), True, sized) for shorter, sized in _lossy(tokens)]
    if len(tokens) == 2 and words(tokens[0])[-1:] in _WARD and words(tokens[1])[-1:] in _CITY:
        found.append(Reading("".join(words(tokens[1])[:-1]), True))  # "Toyohira-ku Sapporo-shi"
    if plain and plain[-1] != "city":  # "Kansas, Missouri" for Kansas City
        found.append(Reading("".join(plain) + "city", True))
    folded = "".join(plain)
    found += [Reading(folded.replace(a, b), True) for a, b in _TRANSLIT if a in folded]
    halves = re.split(r"\s*[-/]\s*", " ".join(tokens), maxsplit=1)  # "Heusden-Zolder"
    for part in halves if len(halves) > 1 else ():
        if len(key(part)) >= _MIN_HALF:
            found.append(Reading(key(part), True))
    seen: set[str] = set()
    out: list[Reading] = []
    for reading in found:
        if reading.key and reading.key not in seen:
            seen.add(reading.key)
            out.append(reading)
    return out
