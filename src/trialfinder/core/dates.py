"""Dates as people and the registry write them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal

from trialfinder.core.errors import InvalidQueryError

__all__ = ["Precision", "partial_date"]

Precision = Literal["year", "month", "day"]

_PARTIAL: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def partial_date(text: str, label: str) -> tuple[date, Precision]:
    """The first day ``text`` covers and how precise it is; ``label`` names the option in the
    one-line :class:`InvalidQueryError` for anything else (``2024-13``, ``May 2024``)."""
    match = _PARTIAL.fullmatch(text.strip())
    if not match:
        raise InvalidQueryError(f"{label} must be a date like 2024, 2024-05 or 2024-05-31, "
                                f"not {text.strip()!r}")
    year, month, day = match.groups()
    try:
        first = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InvalidQueryError(f"{label} {text!r} is not a real date") from None
    return first, "day" if day else "month" if month else "year"
