"""What a person tells the pre-screen about themselves. It stays on this machine.

A :class:`Profile` is never sent anywhere, written to a provenance file, cached or logged:
its ``repr`` shows no details, so a stray log line or traceback cannot leak them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from trialfinder.core.codes import Distance, Sex
from trialfinder.core.errors import InvalidQueryError

#: Shown wherever a pre-screen is read.
DISCLAIMER = (
    "A first look, not medical advice: only the study team can say whether you may join. "
    "Talk to your doctor before taking part in any study."
)

__all__ = ["Profile", "split_terms"]


def split_terms(text: object) -> tuple[str, ...]:
    """Comma-separated names, trimmed, empty ones left out (``"a, ,b"`` gives ``a``, ``b``):
    the dashboard's fields and each ``--has`` / ``--takes`` of ``match`` are read so."""
    return tuple(part.strip() for part in str(text or "").split(",") if part.strip())


def _terms(values: Iterable[str] | str, label: str) -> tuple[str, ...]:
    items = (values,) if isinstance(values, str) else tuple(values)
    cleaned: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if not any(ch.isalnum() for ch in text):
            raise InvalidQueryError(f"{label} {str(item)!r} has no letters or digits")
        if len(text) > 100:
            raise InvalidQueryError(
                f"{label} {text[:30] + '…'!r} is {len(text):,} characters long; "
                f"one {label} is at most 100 (give several one by one)")
        cleaned.append(text)
    return tuple(dict.fromkeys(cleaned))


@dataclass(frozen=True, repr=False)
class Profile:
    """A person, as far as a first look at eligibility needs.

    ``age`` in years; ``sex`` female or male; ``near`` a (lat, lon) point and ``radius_mi`` the
    distance they can travel; ``healthy_volunteer`` True for someone without the condition
    studied; ``conditions`` and ``medicines`` in their own words (brand or generic).
    Every part is optional.
    """

    age: float | None = None
    sex: str | None = None
    near: tuple[float, float] | None = None
    radius_mi: float | None = None
    healthy_volunteer: bool | None = None
    conditions: tuple[str, ...] = field(default=())
    medicines: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.age is not None:
            try:
                age = float(self.age)
            except (TypeError, ValueError):
                raise InvalidQueryError(f"age must be a number, not {self.age!r}") from None
            if not math.isfinite(age) or not 0 <= age <= 125:
                raise InvalidQueryError(f"age must be within 0..125 years, not {age:g}")
            set_(self, "age", age)
        if self.sex is not None:
            sex = Sex.parse(self.sex)
            set_(self, "sex", None if sex is Sex.ALL else sex.value)
        if self.near is not None:
            lat, lon = self.near
            point = Distance(lat=float(lat), lon=float(lon))  # checks the ranges
            set_(self, "near", (point.lat, point.lon))
        if self.radius_mi is not None:
            if self.near is None:
                raise InvalidQueryError("a radius needs a place: give --near as well")
            radius = float(self.radius_mi)
            if not math.isfinite(radius) or radius <= 0:
                raise InvalidQueryError(f"radius must be above 0, not {radius:g}")
            set_(self, "radius_mi", radius)
        set_(self, "conditions", _terms(self.conditions, "condition"))
        set_(self, "medicines", _terms(self.medicines, "medicine"))

    def __repr__(self) -> str:
        return "Profile(<private>)"

    __str__ = __repr__
