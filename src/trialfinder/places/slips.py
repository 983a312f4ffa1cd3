"""The last tries for a town written with a slip, within a country or region that was named.

The registry's city field is typed by hand, so a town may come with

* a letter left out, one too many, or two letters swapped (``"Montral"``, ``"Forth Worth"``,
  ``"Maimi"``, ``"Wein"``), or a letter the export could not write, shown as ``?``
  (``"Pozna?"``): :func:`one_slip` finds a town of at least ``alternates_from`` people
  (15,000 in the shipped gazetteer) one such slip away. A letter written *instead of*
  another is not a slip here: that is how two real places differ (Belagave is not
  Belagavi), and so is a village against a town, so villages are never reached this way;
  A letter an export dropped and left a space for (``"C Rdoba"``, ``"Ja N"``) counts as a ``?``
  where the space stands beside a piece of one or two letters;
* only the first words of its name (``"Krems"`` for Krems an der Donau, ``"Immenstadt"`` for
  Immenstadt im Allgäu), or its last word cut short (``"Las Palmas de Gran Canar"``):
  :func:`leading_words`;
* its region after it without a comma (``"Suwon Gyeonggi-do"``, ``"Pune Maharashtra"``):
  :func:`town_then_region`.

Each returns a place only when one town clearly fits: when two towns fit and the larger has
fewer than :data:`~trialfinder.places.lookup.DOMINANCE` times the people of the other, none
is chosen (a wrong place is worse than none). The place's note says what the text was read
as.
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from string import ascii_lowercase

from trialfinder.places.gazetteer import Gazetteer
from trialfinder.places.lookup import DOMINANCE, Scope, hits, in_scope, region_in
from trialfinder.places.names import key, words
from trialfinder.places.place import Place, chosen, noted
from trialfinder.places.quarters import district_before_village
from trialfinder.places.towntext import DIRECTIONS

__all__ = ["ALTERNATE_SLIP_FROM", "MIN_DROP_KEY", "MIN_SLIP_KEY", "leading_words", "one_slip",
           "town_then_region"]

#: Fewest letters a name needs for two swapped letters, or a ``?``, to be read as a slip
#: ("Wein", "Maimi"); a letter left out or added needs :data:`MIN_DROP_KEY` ("Montral"),
#: since shorter names that differ so are often other places or other romanisations
#: ("Buchon" is not Bucheon, "Gotri" no other town).
MIN_SLIP_KEY = 4
MIN_DROP_KEY = 7
#: An alternate name (an old or foreign name) is reached by a slip only for a town this
#: large ("Wein" for Wien, Vienna): smaller towns' old names are too close to other places.
ALTERNATE_SLIP_FROM = 100_000
_LETTERS = ascii_lowercase + "0123456789"
_STUB = 2  # letters of a word piece an export may leave on one side of a lost letter
_MIN_CUT_KEY = 12  # letters typed, at least, for a name whose last word was cut short...
_MIN_CUT_WORD = 3  # ...and of that word


def _slips(typed: str, unknown_at: frozenset[int]) -> set[str]:
    """Keys of ``typed`` (folded words, spaces kept) with one letter left out, added or two
    swapped; where a ``?`` stood (``unknown_at``) only a letter added there counts. Each
    variant is keyed again, so "forth worth" reaches "fort worth" (key ``ftworth``)."""
    n = len(typed)
    if unknown_at:
        variants = {typed[:i] + c + typed[i:] for i in unknown_at for c in _LETTERS}
    else:
        variants = {typed[:i] + typed[i + 1] + typed[i] + typed[i + 2:] for i in range(n - 1)
                    if typed[i] != typed[i + 1] and " " not in typed[i:i + 2]}
        if len(typed.replace(" ", "")) >= MIN_DROP_KEY:
            variants |= {typed[:i] + typed[i + 1:] for i in range(n) if typed[i] != " "}
            variants |= {typed[:i] + c + typed[i:] for i in range(n + 1) for c in _LETTERS}
    return {key(v) for v in variants} - {key(typed)}


def _typed_forms(town: str) -> list[tuple[str, frozenset[int]]]:
    """``town`` as folded words (aliases not applied, spaces kept) and the positions where a
    ``?`` (or U+FFFD) stood for a letter the text could not show; with an abbreviated
    direction written out too ("N Richland Hill")."""
    pieces = town.replace("\ufffd", "?").split("?")
    typed, positions = "", []
    for piece in pieces[:-1]:
        typed += " ".join(words(piece, aliases=False))
        positions.append(len(typed))
    typed += " ".join(words(pieces[-1], aliases=False))
    forms = [(typed, frozenset(positions))]
    tokens = typed.split(" ")
    for i in range(len(tokens) - 1 if not positions else 0):
        # a letter the export dropped and left a space for, beside a stub of one or two
        # letters: "C Rdoba" (Córdoba), "Ja N" (Jaén), "L Rida" (Lérida)
        if min(len(tokens[i]), len(tokens[i + 1])) <= _STUB:
            left = " ".join(tokens[: i + 1])
            forms.append((left + " ".join(tokens[i + 1:]), frozenset({len(left)})))
    first, _, rest = typed.partition(" ")
    if first in DIRECTIONS and rest and not positions:
        forms.append((f"{DIRECTIONS[first]} {rest}", frozenset()))
    return forms


def _choose(gaz: Gazetteer, found: list[int], town: str, scope: Scope, text: str,
            why: str) -> Place | None:
    """The clearly largest of ``found`` (positions, most populous first), noted; else None."""
    if not found:
        return None
    found = sorted(set(found))
    first = gaz.cities[found[0]]
    if len(found) > 1 and first.population < DOMINANCE * max(1, gaz.cities[found[1]].population):
        return None
    place = chosen(gaz, first, [], text, f" in {scope.label}")
    return noted(place, f"no town {town.strip()!r} in our data; read as {place.name} ({why})",
                 text)


def one_slip(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """A town of ``alternates_from`` people or more in ``scope`` whose own or alternate name
    is one slip away from ``town`` (see the module)."""
    for typed, unknown_at in _typed_forms(town):
        if len(typed.replace(" ", "")) + len(unknown_at) < MIN_SLIP_KEY:
            continue
        keys = _slips(typed, unknown_at)
        found = [i for k in keys for i in gaz.by_name.get(k, ())
                 if gaz.cities[i].population >= gaz.alternates_from]
        found += [i for k in keys for i in gaz.by_alt.get(k, ())
                  if gaz.cities[i].population >= ALTERNATE_SLIP_FROM]
        found = [i for i in found if in_scope(gaz.cities[i], scope)]
        why = "a letter the text could not show" if unknown_at else "a letter missed or swapped"
        place = _choose(gaz, found, town, scope, text, why)
        if place is not None:
            return place
    return None


@lru_cache(maxsize=4)
def _sorted_keys(gaz: Gazetteer) -> list[str]:
    return sorted(gaz.by_name)


def leading_words(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """A town of at least ``min_population`` people in ``scope`` whose own name starts with
    the words of ``town`` and goes on ("Krems" for Krems an der Donau, not Kremsmünster);
    failing one, a town of ``alternates_from`` people whose name is ``town`` with its last
    word cut short, the text being long enough (an export's cut field: "Las Palmas de Gran
    Canar")."""
    typed = words(town)
    name_key = "".join(typed)
    if len(name_key) < MIN_SLIP_KEY:
        return None
    keys = _sorted_keys(gaz)
    found: list[int] = []
    cut: list[int] = []  # the last word cut short, as an export cuts a long field
    start = bisect.bisect_right(keys, name_key)  # the key itself was tried before
    for k in keys[start:]:
        if not k.startswith(name_key):
            break
        for i in gaz.by_name[k]:
            city = gaz.cities[i]
            own = words(city.name.split("(", 1)[0])
            if not in_scope(city, scope):
                continue
            if (len(own) > len(typed) and own[: len(typed)] == typed
                    and city.population >= gaz.min_population):
                found.append(i)
            elif (len(own) == len(typed) and own[:-1] == typed[:-1]
                    and own[-1].startswith(typed[-1]) and len(typed[-1]) >= _MIN_CUT_WORD
                    and city.population >= gaz.alternates_from):
                cut.append(i)
    place = _choose(gaz, found, town, scope, text, "the first words of its name")
    if place is not None or len(name_key) < _MIN_CUT_KEY or len(typed) < 2:
        return place
    return _choose(gaz, cut, town, scope, text, "its last word cut short")


def town_then_region(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """``"Suwon Gyeonggi-do"`` in South Korea: a town followed by the region of ``scope`` it
    lies in, with no comma between them."""
    parts = town.split()
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        codes = region_in(gaz, tail, scope.country)
        if not codes or len(key(head)) < 2:
            continue
        inside = Scope(scope.country, codes, scope.label)
        region = gaz.region_names[min(codes)]
        district = district_before_village(gaz, head, inside, text)  # "Kadikoy Istanbul"
        if district is not None:
            return noted(district, f"{tail!r} read as the region ({region}) of {head!r}", text)
        found = [i for i in hits(gaz, key(head), inside)  # own names, or other names
                 if in_scope(gaz.cities[i], scope)]  # ("Heraklion Crete": Irákleio)
        if found:
            place = chosen(gaz, gaz.cities[found[0]], [], text, "")
            return noted(place, f"{tail!r} read as the region ({region}) of {head!r}", text)
    return None
