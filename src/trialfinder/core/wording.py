"""Small pieces of wording shared by the command line, the library's notes and the dashboard."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence

__all__ = ["age_range", "did_you_mean", "duration", "one_of", "plural", "skipped_notes"]

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
    limit of 0 is no limit); a limit under a year in the unit a record gives it (``2 days to
    6 weeks``, ``6 months to 17 years``), not as a fraction of a year."""
    lo, hi = _years(low), _years(high)
    if lo is not None and lo <= 0:
        lo = None
    if lo is not None and hi is not None:
        (low_n, low_unit), (high_n, high_unit) = _in_units(lo), _in_units(hi)
        if low_unit == high_unit:
            return f"{low_n:g} to {high_n:g} {_unit(high_n, high_unit)}"
        return f"{_age(lo)} to {_age(hi)}"
    if lo is not None:
        return f"{_age(lo)} and over"
    return f"up to {_age(hi)}" if hi is not None else "any age"


_DAYS_PER_YEAR = 365.25  # the normalizers' year for weeks, days and hours


def _whole(number: float) -> bool:
    return round(number) >= 1 and abs(number - round(number)) < 1e-6


def _in_units(years: float) -> tuple[float, str]:
    """An age limit as a number and a unit: years from one year up; below, whole months,
    weeks or days as the registries write them ("6 Months" was read as 0.5 years, "2 Days"
    as 2/365.25), else days, or hours (minutes) under a day (an hour)."""
    if years >= 1:
        return years, "year"
    months, days = years * 12, years * _DAYS_PER_YEAR
    if _whole(months):
        return round(months), "month"
    if _whole(days / 7):
        return round(days / 7), "week"
    if days >= 1:
        return round(days, 1), "day"
    hours = days * 24
    return (round(hours, 1), "hour") if hours >= 1 else (round(hours * 60, 1), "minute")


def _age(years: float) -> str:
    number, unit = _in_units(years)
    return f"{number:g} {_unit(number, unit)}"


def _unit(number: float, unit: str = "year") -> str:
    return unit if number == 1 else unit + "s"


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


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean recruiting?)`` when one of ``choices`` is spelled nearly as ``value``
    (a letter missed, added or swapped), else ``""``: for an error that lists every choice,
    where the one meant is easily missed."""
    close = difflib.get_close_matches(value.strip().lower(), list(choices), n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else ""
