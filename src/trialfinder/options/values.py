"""The two option values that are more than text, a code or a number: where (:class:`Near`,
a place name or a point) and how far from it (:class:`Radius`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from trialfinder.core.codes import Distance
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.units import KM_PER_MILE

__all__ = ["DEFAULT_RADIUS", "Near", "Radius", "number_text"]


def number_text(value: float) -> str:
    """A number as short as it can be written and read back the same: ``100``, ``58.5``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True, slots=True)
class Near:
    """A place as it was given (``place``, e.g. ``"Boston, MA"``) and where it is (``point``,
    latitude and longitude), either or both: a name is looked up when the search needs its
    point; a point given alone has no name."""

    place: str = ""
    point: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.place, str):
            raise InvalidQueryError(f"a place must be text, not {type(self.place).__name__}")
        object.__setattr__(self, "place", " ".join(self.place.split()))
        if self.point is not None:
            lat, lon = (float(v) for v in self.point)
            Distance(lat=lat, lon=lon)  # checks the ranges
            object.__setattr__(self, "point", (lat, lon))
        if not self.place and self.point is None:
            raise InvalidQueryError("a place needs a name or a point (lat, lon)")

    @property
    def text(self) -> str:
        """The place as people give it: its name, or ``LAT,LON``."""
        if self.place or self.point is None:
            return self.place
        return f"{number_text(self.point[0])},{number_text(self.point[1])}"


@dataclass(frozen=True, slots=True)
class Radius:
    """How far from the place: a number of miles (``mi``) or kilometres (``km``)."""

    value: float
    unit: Literal["mi", "km"] = "mi"

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or self.value <= 0:
            raise InvalidQueryError(f"radius must be above 0, not {self.value:g}")
        if self.unit not in ("mi", "km"):
            raise InvalidQueryError(f"radius unit must be mi or km, not {self.unit!r}")
        object.__setattr__(self, "value", float(self.value))

    @property
    def miles(self) -> float:
        return self.value if self.unit == "mi" else self.value / KM_PER_MILE

    @property
    def text(self) -> str:
        """``"100mi"``, ``"80km"``: as the command line takes it."""
        return f"{number_text(self.value)}{self.unit}"

    @property
    def words(self) -> str:
        unit = ("mile" if self.value == 1 else "miles") if self.unit == "mi" else "km"
        return f"{self.value:,.10g} {unit}"


#: The radius of a place given without one.
DEFAULT_RADIUS: Final = Radius(50.0, "mi")
