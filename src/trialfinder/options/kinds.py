"""The kinds of option value, each knowing how its values are read and written.

A kind reads a value from a Python value (keyword arguments, JSON), from the command line's
text and from a link's text, and writes it back to each. ``label`` is the name the source
knows the option by (``condition``, ``--condition``, ``condition`` in a link): every refusal
is one :class:`~trialfinder.core.errors.InvalidQueryError` naming it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal

from trialfinder.core.checks import (
    flag_or_none,
    number_or_none,
    shown,
    text_or_none,
    texts,
    without_controls,
)
from trialfinder.core.codes import CodeEnum, Distance
from trialfinder.core.dates import partial_date
from trialfinder.core.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.core.wording import one_of
from trialfinder.options.values import DEFAULT_RADIUS, Near, Radius, number_text

__all__ = ["ANY", "REGISTRY_TITLES", "Code", "Codes", "Date", "Flag", "Kind", "Names",
           "NearKind", "Number", "Preset", "RadiusKind", "Text", "Texts"]

#: In a link or on the command line, "no restriction" for a list of codes (``status=any``).
ANY: Final = "any"
_YES: Final = frozenset({"yes", "y", "true", "1", "only", "with"})
_NO: Final = frozenset({"no", "n", "false", "0", "none", "without"})


class Kind:
    """One kind of value. ``empty`` is its value when the option is not given; a
    ``repeatable`` option may be given several times (its value is a tuple)."""

    empty: Any = None
    repeatable: bool = False

    def python(self, value: object, label: str) -> Any:
        """A Python value (a keyword argument, a field) checked and made canonical."""
        raise NotImplementedError

    def from_text(self, given: Sequence[str], label: str) -> Any:
        """The text of the command line or a link: every time the option is given."""
        return self.python(given[-1] if given else None, label)

    def from_cli(self, given: Sequence[str], label: str) -> Any:
        return self.from_text(given, label)

    def from_json(self, value: object, label: str) -> Any:
        return self.python(value, label)

    def to_text(self, value: Any) -> list[str]:
        """The value as text, once per time it is given (the command line, a link)."""
        return [] if value in (None, ()) else [str(value)]

    def to_url(self, value: Any) -> list[str]:
        return self.to_text(value)

    def to_json(self, value: Any) -> Any:
        return value

    def words(self, value: Any) -> str:
        return ", ".join(self.to_text(value))


class Text(Kind):
    """Free text; blank is not given."""

    def python(self, value: object, label: str) -> str | None:
        text = text_or_none(value, label)
        if text is None:
            return None
        return without_controls(" ".join(text.split()), label) or None


class Preset(Text):
    """The name of a topic preset (its canonical spelling)."""

    def python(self, value: object, label: str) -> str | None:
        from trialfinder.topics.presets import get_preset

        name = super().python(value, label)
        return get_preset(name).name if name else None

    def words(self, value: Any) -> str:
        from trialfinder.topics.presets import get_preset

        return get_preset(value).title


class Date(Text):
    """A date as the registry writes one: ``2024``, ``2024-05`` or ``2024-05-31``."""

    def python(self, value: object, label: str) -> str | None:
        given = text_or_none(value, label, dates=True)
        text = given.isoformat() if isinstance(given, date) else (given or "").strip()
        if text:
            partial_date(text, label)
        return text or None


class Texts(Kind):
    """Several texts (``split``: the command line also takes a comma list; ``joined``: a link
    holds them as one value joined by spaces, and a link's value is split at commas and
    spaces)."""

    empty = ()
    repeatable = True

    def __init__(self, *, split: bool = True, joined: bool = False) -> None:
        self.split, self.joined = split, joined

    def python(self, value: object, label: str) -> tuple[str, ...]:
        items = (without_controls(" ".join(str(v).split()), label) for v in texts(value, label))
        return tuple(dict.fromkeys(item for item in items if item))

    def from_cli(self, given: Sequence[str], label: str) -> tuple[str, ...]:
        parts = [p for item in given for p in (item.split(",") if self.split else [item])]
        return self.python(parts, label)

    def from_text(self, given: Sequence[str], label: str) -> tuple[str, ...]:
        parts = [p for item in given
                 for p in (re.split(r"[\s,]+", item) if self.joined else [item])]
        return self.python(parts, label)

    def to_text(self, value: Any) -> list[str]:
        return list(value)

    def to_url(self, value: Any) -> list[str]:
        return [" ".join(value)] if self.joined and value else list(value)

    def to_json(self, value: Any) -> Any:
        return list(value)


#: The registries' titles by name, as people say them (``ctgov`` -> ``ClinicalTrials.gov``):
#: filled by :func:`trialfinder.registries.register`, which this layer cannot import.
REGISTRY_TITLES: dict[str, str] = {}


class Names(Texts):
    """Names of things this layer does not hold a list of (the registries): lower case, a
    comma list split wherever it comes from; which names exist is checked where they are
    used (:func:`trialfinder.registries.choose_registries`). In words each is its title in
    ``titles`` (its name when it has none)."""

    def __init__(self, titles: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.titles = titles if titles is not None else {}

    def python(self, value: object, label: str) -> tuple[str, ...]:
        parts = [part.strip().lower() for v in texts(value, label) for part in str(v).split(",")]
        return super().python(parts, label)

    def words(self, value: Any) -> str:
        said = [self.titles.get(name, name) for name in value]
        return said[0] if len(said) < 2 else f"{', '.join(said[:-1])} and {said[-1]}"


class Codes(Kind):
    """Codes of one vocabulary (an enum of :mod:`trialfinder.core.codes`); ``any`` alone is
    no restriction. ``lower``: the codes in words are in lower case."""

    empty = ()
    repeatable = True

    def __init__(self, codes: type[CodeEnum], *, whole_numbers: bool = False,
                 lower: bool = True) -> None:
        self.codes, self.whole_numbers, self.lower = codes, whole_numbers, lower

    def python(self, value: object, label: str) -> tuple[CodeEnum, ...]:
        items = texts(value, label, whole_numbers=self.whole_numbers)
        if any(str(item).strip().lower() == ANY for item in items):
            return ()
        return tuple(dict.fromkeys(self.codes.parse(str(item)) for item in items))

    def from_cli(self, given: Sequence[str], label: str) -> tuple[CodeEnum, ...]:
        return self.python([p for item in given for p in item.split(",") if p.strip()], label)

    def from_text(self, given: Sequence[str], label: str) -> tuple[CodeEnum, ...]:
        return self.python(list(given), label)

    def to_text(self, value: Any) -> list[str]:
        return [code.value.lower() for code in value]

    def to_url(self, value: Any) -> list[str]:
        return [code.value for code in value]

    def to_json(self, value: Any) -> Any:
        return [code.value for code in value]

    def words(self, value: Any) -> str:
        return one_of([c.label.lower() if self.lower else c.label for c in value])


class Code(Kind):
    """One code of a vocabulary; ``unset`` (e.g. sex ``ALL``) is the same as none given."""

    def __init__(self, codes: type[CodeEnum], unset: str, words: Mapping[str, str]) -> None:
        self.codes, self.unset, self.said = codes, unset, words

    def python(self, value: object, label: str) -> CodeEnum | None:
        if not isinstance(value, CodeEnum):
            value = text_or_none(value, label)
        if value is None or not str(value).strip() or str(value).strip().lower() == ANY:
            return None
        code = self.codes.parse(str(value))
        return None if code.value == self.unset else code

    def to_text(self, value: Any) -> list[str]:
        return [] if value is None else [value.value.lower()]

    def to_url(self, value: Any) -> list[str]:
        return [] if value is None else [value.value]

    def to_json(self, value: Any) -> Any:
        return None if value is None else value.value

    def words(self, value: Any) -> str:
        return self.said.get(value.value, value.label.lower())


class Flag(Kind):
    """Yes or no. A Python value must be ``True`` or ``False``; text may also say ``only``,
    ``with``, ``none``, ``without`` (and ``any`` in a link: either)."""

    def __init__(self, yes: str, no: str) -> None:
        self.yes, self.no = yes, no

    def python(self, value: object, label: str) -> bool | None:
        return flag_or_none(value, label)

    def from_text(self, given: Sequence[str], label: str) -> bool | None:
        word = given[-1].strip().lower() if given else ""
        if word in _YES or word in _NO:
            return word in _YES
        if word in ("", ANY):
            return None
        raise InvalidQueryError(f"{label} takes yes or no, not {given[-1]!r}")

    def to_text(self, value: Any) -> list[str]:
        return [] if value is None else ["yes" if value else "no"]

    def words(self, value: Any) -> str:
        return self.yes if value else self.no


class Number(Kind):
    """A number within ``low..high`` (``unit`` names what it counts; ``within`` is the range
    in words, as a refusal names it: ``within 0..125 years``)."""

    def __init__(self, low: float, high: float, unit: str) -> None:
        self.low, self.high, self.unit = low, high, unit
        self.within = f"within {low:g}..{high:g} {unit}"

    def python(self, value: object, label: str) -> float | None:
        number = number_or_none(value, label)
        if number is not None and not (math.isfinite(number)
                                       and self.low <= number <= self.high):
            raise InvalidQueryError(f"{label} must be {self.within}, not {number:g}")
        return number

    def from_text(self, given: Sequence[str], label: str) -> float | None:
        text = given[-1].strip() if given else ""
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise InvalidQueryError(f"{label} must be a number, not {given[-1]!r}") from None
        return self.python(number, label)

    def to_text(self, value: Any) -> list[str]:
        return [] if value is None else [number_text(value)]


class NearKind(Kind):
    """A place: its name (``"Boston, MA"``, a US ZIP code) or ``LAT,LON``, or in Python a
    ``(lat, lon)`` pair; in JSON ``{"place": ..., "lat": ..., "lon": ...}``."""

    def python(self, value: object, label: str) -> Near | None:
        if value is None or isinstance(value, Near):
            return value
        if isinstance(value, str):
            from trialfinder.places.resolve import coordinates

            text = value.strip()
            point = coordinates(text)
            return Near(point=point) if point else Near(place=text) if text else None
        if isinstance(value, tuple | list):
            return Near(point=point_of(value, label))
        raise InvalidQueryError(f"{label} must be a place name or (lat, lon), not {shown(value)}")

    def from_cli(self, given: Sequence[str], label: str) -> Near | None:
        """As :meth:`from_text`, but a place given empty or blank (``--near ""``) is an error,
        never silently no place."""
        if given and not given[-1].strip():
            from trialfinder.places.resolve import empty_place

            raise PlaceNotFoundError(empty_place(label))
        return self.python(given[-1] if given else None, label)

    def from_json(self, value: object, label: str) -> Near | None:
        if not isinstance(value, Mapping):
            return self.python(value, label)
        unknown = set(value) - {"place", "lat", "lon"}
        if unknown or not set(value) & {"place", "lat"} or ("lat" in value) != ("lon" in value):
            raise InvalidQueryError(f"{label} must hold a place and/or lat and lon, not "
                                    f"{shown(dict(value))}")
        place = text_or_none(value.get("place"), f"{label}.place") or ""
        point = point_of((value["lat"], value["lon"]), label) if "lat" in value else None
        return Near(place=place, point=point)

    def to_text(self, value: Any) -> list[str]:
        return [] if value is None else [value.text]

    def to_json(self, value: Any) -> Any:
        if value is None:
            return None
        out: dict[str, Any] = {"place": value.place} if value.place else {}
        if value.point is not None:
            out |= {"lat": value.point[0], "lon": value.point[1]}
        return out

    def words(self, value: Any) -> str:
        return str(value.text)


def point_of(near: object, label: str = "near") -> tuple[float, float]:
    """``(lat, lon)`` as two numbers within range, or an :class:`InvalidQueryError`."""
    if not isinstance(near, tuple | list) or len(near) != 2:
        raise InvalidQueryError(f"{label} must be a place name or (lat, lon), not {shown(near)}")
    lat, lon = (_number(v, f"{label} (lat, lon)") for v in near)
    Distance(lat=lat, lon=lon)  # checks the ranges
    return lat, lon


class RadiusKind(Kind):
    """A distance: ``50mi``, ``80 km``, ``25`` (miles), or a number of miles in Python. The
    default (50 miles) is the same as none given."""

    def python(self, value: object, label: str) -> Radius | None:
        if value is None or value == "":
            return None
        if isinstance(value, Radius):
            radius = value
        elif isinstance(value, str):
            number, unit = self._parsed(value, label)
            radius = self._radius(number, "km" if unit == "km" else "mi", label)
        else:
            radius = self._radius(_number(value, label), "mi", label)
        return None if radius == DEFAULT_RADIUS else radius

    @staticmethod
    def _parsed(text: str, label: str) -> tuple[float, str]:
        """``50mi`` -> (50.0, "mi"); a bad one is an error naming ``label`` (``--radius``)."""
        try:
            return Distance.parse_radius(text)
        except InvalidQueryError:
            negative = re.match(r"\s*-\s*\d", text) is not None  # -5mi: a distance below 0
            raise InvalidQueryError(f"{label} must be above 0, not {text!r}" if negative
                                    else f"{label} {text!r} is not like 50mi or 80km") from None

    @staticmethod
    def _radius(number: float, unit: Literal["mi", "km"], label: str) -> Radius:
        try:
            return Radius(number, unit)
        except InvalidQueryError:
            raise InvalidQueryError(f"{label} must be above 0, not {number:g}") from None

    def to_text(self, value: Any) -> list[str]:
        return [] if value is None else [value.text]

    def to_url(self, value: Any) -> list[str]:
        if value is None:
            return []
        return [number_text(value.value) if value.unit == "mi" else value.text]

    def to_json(self, value: Any) -> Any:
        return None if value is None else value.text

    def words(self, value: Any) -> str:
        return str(value.words)


def _number(value: object, label: str) -> float:
    number = number_or_none(value, label)
    if number is None:
        raise InvalidQueryError(f"{label} must be a number, not None")
    return number

