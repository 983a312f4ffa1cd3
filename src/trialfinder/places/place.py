"""The resolved place (:class:`Place`) and the two ways one is made from a gazetteer town."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Literal

from trialfinder.places.gazetteer import City, Gazetteer
from trialfinder.places.lookup import label

__all__ = ["Place", "PlaceKind", "chosen", "noted"]

logger = logging.getLogger("trialfinder.places.resolve")  # one logger for every choice made

PlaceKind = Literal["coordinates", "zip", "postcode", "city"]

_MAX_OTHERS = 3


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place.

    ``name`` is a display name that :func:`~trialfinder.places.resolve.resolve_place` reads
    back to the same place (``"Boston, MA, US"``, ``"Lyon, France"``, ``"London, Ontario,
    Canada"``); ``lat`` and ``lon`` are decimal degrees; ``kind`` says what the input was
    (``"coordinates"``, ``"zip"``, ``"postcode"`` (a UK one) or ``"city"``); ``country`` is
    the ISO 3166-1 alpha-2 code
    (``""`` for bare coordinates). ``note`` explains a choice that was made (another place of
    the same name, a region or a postal code set aside, a part of the text read as the town),
    and is ``""`` when there was none; ``others`` names the other places the text could have
    meant, most populous first, each a valid input.
    """

    name: str
    lat: float
    lon: float
    kind: PlaceKind
    country: str = ""
    note: str = ""
    others: tuple[str, ...] = ()


def noted(place: Place, note: str, text: str) -> Place:
    """``place`` with ``note`` before any note it has. What was typed is never logged (a
    person's place is private in the pre-screen): the log says only that a choice was made."""
    del text
    logger.debug("a place name needed a choice; the place carries its note")
    return dataclasses.replace(place, note=note + (f"; {place.note}" if place.note else ""))


def chosen(gaz: Gazetteer, city: City, others: list[City], text: str, where: str) -> Place:
    """``city`` as a Place; ``others`` (other towns of the name, in ``where``) in its note."""
    # places of one label (two villages of a name in one region) are named once, counted:
    # each label is an input that reads back to the most populous of them
    counts: dict[str, int] = {}
    for other in others:
        counts[label(gaz, other)] = counts.get(label(gaz, other), 0) + 1
    labels = tuple(counts)
    note = ""
    if others:
        shown = "; ".join(name + (f" ({counts[name]} places)" if counts[name] > 1 else "")
                          for name in labels[:_MAX_OTHERS])
        more = f" and {len(labels) - _MAX_OTHERS} more" if len(labels) > _MAX_OTHERS else ""
        note = (f"{text.strip()!r} taken as {label(gaz, city)} ({city.population:,} people), "
                f"the most populous of {len(others) + 1} places of that name{where}; "
                f"also: {shown}{more}")
        logger.debug("a place name fits %d places; the place carries its note", len(others) + 1)
    return Place(label(gaz, city), city.lat, city.lon, "city", city.country, note, labels)
