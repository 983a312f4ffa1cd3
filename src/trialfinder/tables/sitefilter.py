"""Filters on a study's sites: where they are (country, state, city) and how far they are
from a point, plus the site-to-study look-ups those need and the nearest-site columns.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.places.geo import haversine_miles
from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.countries import COUNTRY_ALIASES
from trialfinder.tables.masks import BoolArray, as_series, floats, fold_spaces, per_unique

__all__ = [
    "SITE_MATCHERS",
    "by_distance",
    "by_site_location",
    "site_distances",
]


def isin_folded(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    targets = {fold_spaces(w) for w in wanted}
    return per_unique(values, lambda v: fold_spaces(v) in targets)


def isin_country(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    """Like :func:`isin_folded`, with every name of a wanted country (``"Turkey"`` also finds
    sites written ``"Turkey (Türkiye)"``; see :data:`COUNTRY_ALIASES`)."""
    targets = {fold_spaces(w) for w in wanted}
    return isin_folded(values, targets | {s for t in targets for s in COUNTRY_ALIASES.get(t, ())})


def isin_state(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    """Like :func:`isin_folded`, a US state by its name or its two letters alike (`MA` also
    finds sites written "Massachusetts", as ClinicalTrials.gov writes them, and the other way
    round). Other regions are matched as written."""
    names = set(wanted)
    if names:
        from trialfinder.places.gazetteer import default_gazetteer  # read on first use
        from trialfinder.places.lookup import us_state

        gaz = default_gazetteer()
        for name in list(names):
            code = us_state(gaz, name)
            if code is not None:
                names |= {gaz.region_names.get(code, name), code.removeprefix("US.")}
    return isin_folded(values, names)


def isin_city(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    """Like :func:`isin_folded`, a town by its everyday other names too (`NYC` and "New York
    City" find the sites ClinicalTrials.gov writes "New York")."""
    names = set(wanted)
    if names:
        from trialfinder.places.aliases import names_alike  # the gazetteer's module: on use

        for name in list(names):
            names |= names_alike(name)
    return isin_folded(values, names)


#: How each site column is matched against the names a person gave.
SITE_MATCHERS: dict[str, Callable[[pd.Series[Any], Iterable[str]], BoolArray]] = {
    "country": isin_country, "state": isin_state, "city": isin_city}


def positions(values: pd.Series[Any], reference: pd.Series[Any]) -> npt.NDArray[np.intp]:
    """For each of ``values``, the position of the same value in ``reference`` (-1 if none).

    ``reference`` must be unique. Uses pyarrow's hash kernels when pyarrow is installed
    (several times faster than ``Index.get_indexer`` on arrow-backed strings).
    """
    try:
        pc: Any = importlib.import_module("pyarrow.compute")
        ref = arrow_strings(reference)
        if pc.count_distinct(ref, mode="all").as_py() != len(ref):
            raise ValueError("duplicate keys")
        found = pc.index_in(arrow_strings(values), value_set=ref)
        result: npt.NDArray[np.intp] = (
            found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp))
        return result
    except (ImportError, ValueError, TypeError, NotImplementedError):
        pass  # no pyarrow, unusual dtypes or duplicates: pandas decides (and reports dupes)
    index = pd.Index(reference)
    if not index.is_unique:
        dupes = index[index.duplicated()].unique()[:3].tolist()
        raise ValueError(f"nct_id values are not unique, e.g. {dupes}")
    fallback: npt.NDArray[np.intp] = index.get_indexer(values)
    return fallback


def site_owner(studies: pd.DataFrame, sites: pd.DataFrame) -> npt.NDArray[np.intp]:
    """For each site row, the position of its study in ``studies`` (-1 if absent)."""
    return positions(sites["nct_id"], studies["nct_id"])


def studies_with(owner: npt.NDArray[np.intp], site_mask: BoolArray, n: int) -> BoolArray:
    hit = owner[site_mask & (owner >= 0)]
    result: BoolArray = np.bincount(hit, minlength=n).astype(bool) if n else np.zeros(0, bool)
    return result


def by_site_location(
    studies: pd.DataFrame,
    sites: pd.DataFrame,
    countries: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    cities: Iterable[str] | None = None,
) -> pd.Series[bool]:
    """At least one site matches every given part (country, state, city; case-insensitive;
    a country by any of its names, a US state by its name or its two letters)."""
    site_mask = np.ones(len(sites), dtype=bool)
    for column, wanted in (("country", countries), ("state", states), ("city", cities)):
        if wanted:
            site_mask &= SITE_MATCHERS[column](sites[column], wanted)
    return as_series(studies_with(site_owner(studies, sites), site_mask, len(studies)), studies)


def site_distances(sites: pd.DataFrame, lat: float, lon: float) -> pd.Series[float]:
    """Miles from (``lat``, ``lon``) to each site; ``Float64`` with NA when coordinates miss."""
    miles = haversine_miles(lat, lon, floats(sites["lat"]), floats(sites["lon"]))
    return pd.Series(pd.array(miles, dtype="Float64"), index=sites.index, name="distance_mi")


def by_distance(
    studies: pd.DataFrame, sites: pd.DataFrame, lat: float, lon: float, radius_mi: float
) -> pd.Series[bool]:
    """At least one of the study's sites is within ``radius_mi`` miles of (lat, lon)."""
    miles = haversine_miles(lat, lon, floats(sites["lat"]), floats(sites["lon"]))
    with np.errstate(invalid="ignore"):
        within = miles <= radius_mi
    return as_series(studies_with(site_owner(studies, sites), within, len(studies)), studies)


def nearest(
    owner: npt.NDArray[np.intp], miles: npt.NDArray[np.float64], eligible: BoolArray, n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Per study: the smallest distance among eligible sites and that site's row position."""
    ok = eligible & (owner >= 0) & ~np.isnan(miles)
    best = np.full(n, np.inf)
    np.minimum.at(best, owner[ok], miles[ok])
    rows = np.flatnonzero(ok)
    at_best = rows[miles[rows] == best[owner[rows]]]
    position = np.full(n, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(position, owner[at_best], at_best)
    found = np.isfinite(best)
    best[~found] = np.nan
    position[~found] = -1
    return best, position


def join_site_label(sites: pd.DataFrame, rows: npt.NDArray[np.intp]) -> pd.Series[str]:
    """``"facility, city"`` of the given site rows (-1 -> NA), vectorised."""
    valid = rows >= 0
    take = np.where(valid, rows, 0)
    parts = []
    for column in ("facility", "city"):
        if column in sites.columns and len(sites):
            part = sites[column].iloc[take].astype("string").reset_index(drop=True)
        else:
            part = pd.Series(pd.NA, index=range(len(rows)), dtype="string")
        part = part.str.strip()
        parts.append(part.where(part.str.len() > 0))
    facility, city = parts
    label = (facility + ", " + city).fillna(facility).fillna(city)
    result: pd.Series[str] = label.where(pd.Series(valid)).astype("string")
    return result
