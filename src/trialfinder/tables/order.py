"""Nearest first: the one order of a list of studies near a place, for the dashboard's list
(:func:`trialfinder.views.sorting.sort_studies`) and the command line's table alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["nearest_first"]


def nearest_first(studies: pd.DataFrame) -> pd.DataFrame:
    """``studies`` by ``nearest_distance_mi`` (the nearest site with a known position), those
    without one last, with a fresh index. The sort is stable: studies at the same distance keep
    their order (the registry's). A frame without the column is returned as it is."""
    if "nearest_distance_mi" not in studies.columns:
        return studies.reset_index(drop=True)
    miles = pd.to_numeric(studies["nearest_distance_mi"], errors="coerce")
    key = np.asarray(miles.astype("float64").fillna(np.inf), dtype=float)
    return studies.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
