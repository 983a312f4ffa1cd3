"""US ZIP codes and the US towns they name, from the ``zipcodes`` package (offline).

A ZIP code is a point (its centre). A town too small for the gazetteer, or a name that is no
town of its own (a township, a part of a city, a base: "Moon Township", "West Los Angeles",
"Fort Sam Houston"), is found through the ZIP codes that carry its name: as their main town,
or as one of the other names the postal service knows them by. The point is the mean of those
ZIP code centres.
"""

from __future__ import annotations

import importlib
import math
from functools import cache
from typing import Any

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.names import key

__all__ = ["TERRITORIES", "zip_point", "zip_town"]

#: ISO codes of the US territories that have ZIP codes (the data writes them as states).
TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP"})

_AFB = key("Air Force Base")


def _point(z: dict[str, Any]) -> tuple[float, float] | None:
    try:
        lat, lon = float(z["lat"]), float(z["long"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def zip_point(code: str) -> tuple[str, float, float]:
    """``(label, lat, lon)`` of a five-digit ZIP code, e.g. ``"02115 (Boston, MA)"``."""
    zipcodes: Any = importlib.import_module("zipcodes")
    for z in zipcodes.matching(code):
        point = _point(z)
        if point is not None:
            return f"{code} ({str(z['city']).title()}, {z['state']})", point[0], point[1]
    raise PlaceNotFoundError(f"unknown US ZIP code {code!r}")


@cache
def _towns() -> dict[tuple[str, str], tuple[str, float, float]]:
    """(town key, state code) -> (town, mean lat, mean lon): a name that is the main town of
    some ZIP codes is placed by those alone; another name by the codes that list it."""
    zipcodes: Any = importlib.import_module("zipcodes")
    sums: tuple[dict[tuple[str, str], list[Any]], ...] = ({}, {})
    for z in zipcodes.list_all():
        point = _point(z)
        if point is None:
            continue
        state = str(z["state"])
        others = [*(z.get("acceptable_cities") or ()), *(z.get("unacceptable_cities") or ())]
        for rank, names in enumerate(([z["city"]], others)):
            for name in names:
                entry = sums[rank].setdefault((key(str(name)), state),
                                              [str(name).title(), 0.0, 0.0, 0])
                entry[1] += point[0]
                entry[2] += point[1]
                entry[3] += 1
    merged = sums[1] | sums[0]
    return {k: (v[0], v[1] / v[3], v[2] / v[3]) for k, v in merged.items()}


def zip_town(name_key: str, state: str) -> tuple[str, float, float] | None:
    """``(town, lat, lon)`` of the town ``name_key`` (folded with
    :func:`~trialfinder.places.names.key`) in the US state or territory ``state``; the
    postal service writes an Air Force Base "AFB"."""
    towns = _towns()
    return towns.get((name_key, state)) or towns.get((name_key.replace(_AFB, "afb"), state))
