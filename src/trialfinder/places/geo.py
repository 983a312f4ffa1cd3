"""Great-circle distances, vectorised with numpy.

Distances use the haversine formula on a sphere of the Earth's mean radius
(6371.0088 km, IUGG). The error against the ellipsoid is below 0.5 %, far less than the
uncertainty of a site's geocoded position.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from trialfinder.core.units import KM_PER_MILE

__all__ = ["EARTH_RADIUS_KM", "EARTH_RADIUS_MI", "MILES_PER_KM", "haversine_miles"]

#: International mile: 1 km = 0.621371192... mi (1 mi = 1.609344 km exactly).
MILES_PER_KM: float = 1 / KM_PER_MILE
#: Mean Earth radius (IUGG).
EARTH_RADIUS_KM: float = 6371.0088
EARTH_RADIUS_MI: float = EARTH_RADIUS_KM * MILES_PER_KM


def haversine_miles(
    lat1: float,
    lon1: float,
    lats: npt.ArrayLike,
    lons: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Miles from one point (``lat1``, ``lon1``) to each point of ``lats``/``lons``.

    ``lats`` and ``lons`` are arrays (or anything numpy turns into float arrays, e.g. a
    ``Float64`` Series converted with ``to_numpy(float, na_value=np.nan)``) of the same
    shape; degrees. A missing coordinate (NaN) gives NaN. Returns a new float64 array.
    """
    la = np.asarray(lats, dtype=np.float64)
    lo = np.asarray(lons, dtype=np.float64)
    if la.shape != lo.shape:
        raise ValueError(f"lats and lons differ in shape: {la.shape} vs {lo.shape}")
    phi1 = np.radians(float(lat1))
    phi2 = np.radians(la)
    dphi = phi2 - phi1
    dlam = np.radians(lo - float(lon1))
    a = np.sin(dphi * 0.5) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam * 0.5) ** 2
    # Rounding can push ``a`` a hair above 1 for antipodal points; clip keeps arcsin defined.
    np.clip(a, 0.0, 1.0, out=a)
    result: npt.NDArray[np.float64] = 2.0 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(a))
    return result
