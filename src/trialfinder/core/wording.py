"""Small pieces of wording shared by the command line, the library's notes and the dashboard."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["age_range", "duration", "one_of", "plural", "skipped_notes"]

_ES_ENDINGS = ("s", "sh", "ch", "x", "z")


def _plural_of(word: str) -> str:
    """``study`` -> ``studies``, ``search`` -> ``searches``, ``site`` -> ``sites``."""
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(_ES_ENDINGS):
        return word + "es"
    return word + "s"


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 study``, ``2 studies``, ``1,200 sites``, ``3 saved searches``."""
    return f"{count:,} {one if count == 1 else many or _plural_of(one)}"


def one_of(words: Sequence[str]) -> str:
    """Alternatives in a sentence: ``a``, ``a or b``, ``a, b or c`` (``a; b, c or d`` when
    one of them holds a comma itself)."""
    if len(words) <= 2:
        return " or ".join(words)
    comma = "; " if any("," in w for w in words) else ", "
    return f"{comma.join(words[:-1])} or {words[-1]}"


def duration(seconds: float) -> str:
    """How long, in the unit a person would use: ``45 seconds``, ``12 minutes``, ``3.5 hours``,
    ``2.0 days``."""
    if seconds < 90:
        whole = round(seconds)
        return "1 second" if whole == 1 else f"{whole} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def _years(value: object) -> float | None:
    """An age limit in years, or ``None`` for no limit (missing, NA, NaN or unreadable)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # pandas' NA refuses float()
        return None
    return None if math.isnan(number) else number


def age_range(low: object, high: object) -> str:
    """``18 to 65 years``, ``18 years and over``, ``up to 17 years``, ``any age`` (a lower
    limit of 0 is no limit)."""
    lo, hi = _years(low), _years(high)
    if lo is not None and lo <= 0:
        lo = None
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g} {_unit(hi)}"
    if lo is not None:
        return f"{lo:g} {_unit(lo)} and over"
    return f"up to {hi:g} {_unit(hi)}" if hi is not None else "any age"


def _unit(years: float) -> str:
    return "year" if years == 1 else "years"


def skipped_notes(skipped: int, bad_ids: int) -> list[str]:
    """What to tell people about records left out: ``skipped`` in all, of which ``bad_ids``
    had an id that is not an NCT id (the same words for a search, a sync, a file, the store)."""
    notes = []
    if bad_ids:
        notes.append(f"skipped {plural(bad_ids, 'record')} whose nctId is not an NCT id "
                     "(NCT and 8 digits)")
    if skipped > bad_ids:
        notes.append(f"skipped {plural(skipped - bad_ids, 'record')} that could not be read")
    return notes
