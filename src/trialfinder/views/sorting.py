"""The order of the result list: the registry's, nearest first, newest, last updated, or the
pre-screen's.

The library keeps the registry's order (so a download matches the command line's file); the
page sorts only what it shows. Every sort is stable: studies that tie (or lack the value
sorted on, which go last) keep the registry's order among themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from trialfinder.tables.order import nearest_first

__all__ = ["SORTS", "chosen_sort", "default_sort", "sort_choices", "sort_studies"]

#: Each way of sorting, with the words the page shows for it.
SORTS: Final = {
    "nearest": "Nearest first",
    "registry": "The registry’s order",
    "newest": "Newest first (first posted)",
    "updated": "Last updated first",
    "fit": "Best fit for you first (About you)",
}
#: The date column each date sort reads, newest first.
_DATE_COLUMNS: Final = {"newest": "first_posted", "updated": "last_update"}


def sort_choices(has_place: bool, has_screen: bool) -> list[str]:
    """The sorts that make sense for a list: nearest only with a place, the pre-screen's
    order only once *About you* is filled. The first is the default (:func:`default_sort`)."""
    keys = ["nearest"] if has_place else []
    keys += ["registry", "newest", "updated"]
    keys += ["fit"] if has_screen else []
    return keys


def default_sort(has_place: bool) -> str:
    """Nearest first when the search has a place, else the registry's order."""
    return "nearest" if has_place else "registry"


def chosen_sort(wanted: object, choices: Sequence[str]) -> str:
    """``wanted`` when it is one of ``choices``, else the first choice (a sort that no longer
    applies, such as nearest first after a search without a place, falls back)."""
    return wanted if isinstance(wanted, str) and wanted in choices else choices[0]


def sort_studies(studies: pd.DataFrame, how: str,
                 ranking: Sequence[str] | None = None) -> pd.DataFrame:
    """``studies`` in the order ``how`` names (a key of :data:`SORTS`), with a fresh index.

    - ``nearest``: :func:`~trialfinder.tables.order.nearest_first` (as the command line's
      table), by ``nearest_distance_mi``, studies without one last;
    - ``newest`` / ``updated``: by ``first_posted`` / ``last_update``, latest first, studies
      without the date last;
    - ``fit``: in the order of ``ranking`` (the pre-screen's ids, best first), studies it does
      not name last;
    - ``registry``, or a column the frame lacks: unchanged.
    """
    if how == "nearest":
        return nearest_first(studies)
    if how in _DATE_COLUMNS and _DATE_COLUMNS[how] in studies.columns:
        dates = pd.to_datetime(studies[_DATE_COLUMNS[how]], errors="coerce")
        stamps = np.asarray(dates.to_numpy(dtype="datetime64[ns]").astype("int64"), dtype=float)
        stamps[np.asarray(dates.isna())] = np.nan
        key = np.where(np.isnan(stamps), np.inf, -stamps)  # latest first, none last
        order = np.argsort(key, kind="stable")
    elif how == "fit" and ranking is not None:
        rank = {str(nct): i for i, nct in enumerate(ranking)}
        key = np.asarray([rank.get(str(n), len(rank)) for n in studies["nct_id"]], dtype=float)
        order = np.argsort(key, kind="stable")
    else:
        return studies.reset_index(drop=True)
    return studies.iloc[order].reset_index(drop=True)
