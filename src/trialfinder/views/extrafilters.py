"""Registry filters the library's local filters do not cover: funder type and the completion,
first-posted and last-update date ranges. Applied to fetched results, after the library's
filters, each as one more counted step (a study without the date is removed, and said so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

import numpy as np
import pandas as pd

from trialfinder.core.errors import InvalidQueryError
from trialfinder.service.searching import Results
from trialfinder.tables.filters import FilterStep

__all__ = ["DATE_RANGES", "FUNDER_LABELS", "REGISTRY_DEFAULTS", "apply_registry_filters",
           "date_bounds"]

FUNDER_LABELS: Final = {
    "INDUSTRY": "Industry", "NIH": "NIH", "FED": "US federal agency",
    "OTHER_GOV": "Other government", "NETWORK": "Network", "INDIV": "Individual",
    "OTHER": "Other (university, hospital, foundation...)", "AMBIG": "Unclear",
    "UNKNOWN": "Unknown",
}
#: widget key prefix -> (studies column, words)
DATE_RANGES: Final = {
    "completion": ("completion_date", "completion date"),
    "posted": ("first_posted", "first posted"),
    "updated": ("last_update", "last update"),
}
REGISTRY_DEFAULTS: Final[dict[str, Any]] = {
    "funder": [], **{f"{k}_{end}": "" for k in DATE_RANGES for end in ("from", "to")},
}


def date_bounds(text: str, label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``"2020"`` -> 2020-01-01 .. 2020-12-31; ``"2020-05"`` -> May; ``"2020-05-31"`` -> a day.
    Anything else raises :class:`InvalidQueryError` naming ``label``."""
    value = text.strip()
    try:
        if len(value) == 4 and value.isdigit():
            low = pd.Timestamp(f"{value}-01-01")
            return low, low + pd.offsets.YearEnd(0)
        if len(value) == 7 and value[4] == "-":
            low = pd.Timestamp(f"{value}-01")
            return low, low + pd.offsets.MonthEnd(0)
        if len(value) == 10:
            day = pd.Timestamp(value)
            return day, day
    except (ValueError, OverflowError):
        pass
    raise InvalidQueryError(f"{label} must be a date like 2024, 2024-05 or 2024-05-31, "
                            f"not {value!r}")


def _mask(studies: pd.DataFrame, state: Mapping[str, Any]) -> list[tuple[str, np.ndarray]]:
    """(step name, keep mask) for each active registry filter."""
    masks: list[tuple[str, np.ndarray]] = []
    funders = [str(f) for f in state.get("funder") or []]
    if funders:
        keep = studies["sponsor_class"].astype("string").isin(funders).fillna(False)
        masks.append((f"funder {', '.join(funders)}", keep.to_numpy(dtype=bool)))
    for key, (column, words) in DATE_RANGES.items():
        low_text = str(state.get(f"{key}_from") or "").strip()
        high_text = str(state.get(f"{key}_to") or "").strip()
        if not low_text and not high_text:
            continue
        low = date_bounds(low_text, f"{words} (from)")[0] if low_text else None
        high = date_bounds(high_text, f"{words} (until)")[1] if high_text else None
        dates = pd.to_datetime(studies[column], errors="coerce")
        keep = dates.notna()
        if low is not None:
            keep &= dates >= low
        if high is not None:
            keep &= dates <= high
        masks.append((f"{words} {low_text or '…'} to {high_text or '…'}",
                      keep.to_numpy(dtype=bool)))
    return masks


def apply_registry_filters(results: Results, state: Mapping[str, Any]) -> Results:
    """``results`` narrowed by the registry filters of ``state`` (unchanged when none is set).

    Raises :class:`InvalidQueryError` for a date that is not a date."""
    masks = _mask(results.studies, state)
    if not masks:
        return results
    studies = results.studies
    kept = np.ones(len(studies), dtype=bool)
    steps = list(results.steps)
    for name, keep in masks:
        removed = int((kept & ~keep).sum())
        kept &= keep
        steps.append(FilterStep(name, removed))
    studies = studies[kept].reset_index(drop=True)
    ids = set(studies["nct_id"].astype(str))

    def narrow(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["nct_id"].astype(str).isin(ids)].reset_index(drop=True)

    return replace(results, studies=studies, sites=narrow(results.sites),
                   conditions=narrow(results.conditions),
                   interventions=narrow(results.interventions), steps=tuple(steps))
