"""The map's first view: centred and zoomed so that every point shows, even on a phone."""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["FIT_BOX", "MAX_ZOOM", "MIN_ZOOM", "fit_view"]

FIT_BOX = (290, 380)  # pixels (width, height) the points must fit in, margins included
MIN_ZOOM, MAX_ZOOM = 0.0, 11.0  # whole world ... a town


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, as a share of the world's height (0 at the equator)."""
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)


def fit_view(lats: Iterable[float], lons: Iterable[float],
             box: tuple[int, int] = FIT_BOX) -> tuple[float, float, float]:
    """``(latitude, longitude, zoom)`` of a view that shows every point: centred on the middle
    of their bounding box and zoomed so the box fits ``box`` pixels (deck.gl draws the whole
    world 512 px wide at zoom 0), clamped to :data:`MIN_ZOOM`..:data:`MAX_ZOOM`."""
    lat_list, lon_list = [float(v) for v in lats], [float(v) for v in lons]
    if not lat_list:
        return 20.0, 0.0, MIN_ZOOM
    y_low, y_high = _mercator_y(min(lat_list)), _mercator_y(max(lat_list))
    lon_low, lon_high = min(lon_list), max(lon_list)
    width, height = box
    zooms = [MAX_ZOOM]
    if lon_high > lon_low:
        zooms.append(math.log2(width * 360 / (512 * (lon_high - lon_low))))
    if y_high > y_low:
        zooms.append(math.log2(height / (512 * (y_high - y_low))))
    zoom = max(MIN_ZOOM, min(zooms))
    centre_y = (y_low + y_high) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y * 2 * math.pi)) - math.pi / 2)
    return centre_lat, (lon_low + lon_high) / 2, zoom
