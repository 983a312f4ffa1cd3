"""Value helpers shared by the tables and their users: ages, partial dates, study URLs."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from trialfinder.core.missing import is_blank

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

STUDY_URL_PREFIX: Final = "https://clinicaltrials.gov/study/"


_AGE_RE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")
_AGE_UNITS: Final[dict[str, float]] = {
    "year": 1.0,
    "years": 1.0,
    "month": 1.0 / 12.0,
    "months": 1.0 / 12.0,
    "week": 7.0 / 365.25,
    "weeks": 7.0 / 365.25,
    "day": 1.0 / 365.25,
    "days": 1.0 / 365.25,
    "hour": 1.0 / (24.0 * 365.25),
    "hours": 1.0 / (24.0 * 365.25),
    "minute": 1.0 / (60.0 * 24.0 * 365.25),
    "minutes": 1.0 / (60.0 * 24.0 * 365.25),
}
_NO_AGE: Final = frozenset(["", "n/a", "na", "none", "not applicable"])


def _parse_age(text: object) -> tuple[float | None, bool]:
    """Return (years, ok). ``ok`` is False for text that is present but not understood."""
    if text is None:
        return None, True
    if not isinstance(text, str):
        return None, False
    m = _AGE_RE.fullmatch(text)
    if m is None:
        return None, text.strip().lower() in _NO_AGE
    factor = _AGE_UNITS.get(m.group(2).lower() or "years")
    if factor is None:
        return None, False
    return float(m.group(1)) * factor, True


def age_to_years(text: str | None) -> float | None:
    """``"18 Years"`` -> 18.0, ``"6 Months"`` -> 0.5, ``"1 Year"`` -> 1.0.

    Weeks, days, hours and minutes use 365.25-day years (``"2 Weeks"`` -> 14/365.25); a bare
    number is taken as years.
    ``"N/A"``, ``None`` and text that is not an age give ``None`` (no limit).
    """
    return _parse_age(text)[0]


_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_NAT_INT: Final = np.iinfo(np.int64).min
_DATE_RE: Final = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*")
_PRECISIONS: Final = ("day", "month", "year")
_LEGACY_FORMATS: Final = (
    ("%B %d, %Y", "day"),
    ("%B %Y", "month"),
    ("%b %d, %Y", "day"),
    ("%b %Y", "month"),
)


def _parse_date(text: str) -> tuple[int, int] | None:
    """(days since 1970-01-01, precision index into _PRECISIONS) or None when invalid."""
    m = _DATE_RE.fullmatch(text)
    if m is not None:
        year, month, day = m.groups()
        try:
            d = date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
        prec = 0 if day else (1 if month else 2)
        return d.toordinal() - _EPOCH_ORDINAL, prec
    stripped = text.strip()
    for fmt, precision in _LEGACY_FORMATS:  # older exports: "March 2020", "March 15, 2020"
        try:
            d = datetime.strptime(stripped, fmt).date()
        except ValueError:
            continue
        return d.toordinal() - _EPOCH_ORDINAL, _PRECISIONS.index(precision)
    return None


def parse_partial_date(text: str | None) -> tuple[pd.Timestamp | NaTType, str | None]:
    """``"2023-05"`` -> ``(Timestamp("2023-05-01"), "month")``.

    Accepts ``yyyy-MM-dd`` ("day"), ``yyyy-MM`` ("month"), ``yyyy`` ("year") and the legacy
    ``"March 2020"`` / ``"March 15, 2020"`` forms. Missing or unreadable text gives
    ``(pd.NaT, None)``.
    """
    if not isinstance(text, str):
        return pd.NaT, None
    parsed = _parse_date(text)
    if parsed is None:
        return pd.NaT, None
    days, prec = parsed
    return pd.Timestamp(np.datetime64(days, "D")), _PRECISIONS[prec]


def format_partial_date(ts: object, precision: object) -> str:
    """Inverse of :func:`parse_partial_date`: ``(2023-05-01, "month")`` -> ``"2023-05"``.

    A missing timestamp gives ``""``; a missing or unknown precision writes the full day.
    """
    if is_blank(ts):
        return ""
    stamp = pd.Timestamp(ts)  # type: ignore[arg-type]
    if precision == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    if precision == "year":
        return f"{stamp.year:04d}"
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def format_partial_dates(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Vectorised :func:`format_partial_date` for export (``""`` where the date is missing)."""
    day = dates.dt.strftime("%Y-%m-%d")
    prec = precision.astype("object")
    out = day.where(prec != "month", dates.dt.strftime("%Y-%m"))
    out = out.where(prec != "year", dates.dt.strftime("%Y"))
    result: pd.Series = out.fillna("").astype("object")
    return result


def study_url(nct_id: str) -> str:
    """``https://clinicaltrials.gov/study/NCT...``"""
    return STUDY_URL_PREFIX + nct_id

