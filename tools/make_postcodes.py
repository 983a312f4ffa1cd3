"""Build ``src/trialfinder/data/postcodes-uk.json.gz``: the middle of each UK postcode district
(outward code, "LS1") and sector ("LS1 4"), from the National Statistics Postcode Lookup.

Input: a folder of CSV files ``XX.csv`` (one per postcode area) with the columns
``Postcode,lat,long``, as the National Statistics Postcode Lookup (ONS, Open Government Licence
v3) is split in the public repository odileeds/Postcodes2LatLon (``postcodes/``). Postcodes with
no point (the Channel Islands, the Isle of Man and codes that serve no place: written there
with an empty latitude) are left out, and so is Northern Ireland (the area ``BT``): its postcodes
come under Land & Property Services' own licence (free for non-commercial use only), not the
Open Government Licence, so a BT postcode is not placed.

Each district and sector becomes ``[lat, lon, km, count]``: the mean of its postcodes' points
(rounded to 4 decimal places, about 10 m), the distance within which 90% of its postcodes lie
(rounded up to 0.1 km; the resolver's note says it), and how many postcodes it has. Each district
also names a town the resolver's note places it by ("by Leeds"): the nearest town of the
shipped gazetteer of :data:`TOWN_POPULATION` people or more when one lies within
:data:`TOWN_KM`, or else the nearest town of any size (Lerwick for the Shetland district ZE2,
not a town of 15,000 people on the mainland). The output is
deterministic (sorted keys, no timestamp in the gzip header).

    python tools/make_postcodes.py --nspl DIR [--output FILE]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Postcode areas left out: Northern Ireland's (its data come under another licence).
LEFT_OUT_AREAS = frozenset({"BT"})
OUTPUT = ROOT / "src" / "trialfinder" / "data" / "postcodes-uk.json.gz"
FORMAT = 1
TOWN_POPULATION = 15_000
TOWN_KM = 10.0
SHARE = 0.9  # the share of a district's postcodes its radius holds
_CODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])[A-Z]{2}$")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p = math.pi / 180
    x = (math.sin((b[0] - a[0]) * p / 2) ** 2
         + math.cos(a[0] * p) * math.cos(b[0] * p) * math.sin((b[1] - a[1]) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, x)))


def read_points(folder: Path) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """outward code -> sector digit -> the points of its postcodes."""
    points: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(folder.glob("*.csv")):
        if path.stem.upper() in LEFT_OUT_AREAS:
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                match = _CODE.match(" ".join((row.get("Postcode") or "").split()))
                try:
                    lat, lon = float(row["lat"]), float(row["long"])
                except (KeyError, TypeError, ValueError):
                    continue  # no point: a code that serves no place, or outside the data
                if match is None or not (49.0 < lat < 61.5 and -9.0 < lon < 2.5) \
                        or match.group(1).rstrip("0123456789") in LEFT_OUT_AREAS:
                    continue
                points[match.group(1)][match.group(2)].append((lat, lon))
    return points


def summary(points: list[tuple[float, float]]) -> list[float | int]:
    """``[lat, lon, km, count]`` of a group of postcode points."""
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    far = sorted(_km((lat, lon), p) for p in points)
    radius = far[min(len(far) - 1, math.ceil(SHARE * len(far)) - 1)]
    return [round(lat, 4), round(lon, 4), math.ceil(radius * 10) / 10, len(points)]


def town_of(point: tuple[float, float], towns: list[tuple[str, float, float, int]]) -> str:
    """The nearest town of :data:`TOWN_POPULATION` people within :data:`TOWN_KM` of ``point``,
    or else the nearest of ``towns`` (name, lat, lon, population)."""
    near = sorted((_km(point, (t[1], t[2])), t[0], t[3]) for t in towns)
    large = [n for n in near if n[2] >= TOWN_POPULATION and n[0] <= TOWN_KM]
    return (large or near)[0][1]


def _towns() -> list[tuple[str, float, float, int]]:
    from trialfinder.places.gazetteer import load

    return [(c.name, c.lat, c.lon, c.population) for c in load().cities
            if c.country == "GB" and c.population > 0]


def build(folder: Path) -> dict[str, object]:
    points = read_points(folder)
    towns = _towns()
    districts: dict[str, list[object]] = {}
    sectors: dict[str, list[float | int]] = {}
    for outward in sorted(points):
        every = [p for sector in points[outward].values() for p in sector]
        row = summary(every)
        districts[outward] = [*row, town_of((float(row[0]), float(row[1])), towns)]
        for digit in sorted(points[outward]):
            sectors[f"{outward} {digit}"] = summary(points[outward][digit])
    return {"format": FORMAT, "share": SHARE, "districts": districts, "sectors": sectors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nspl", type=Path, required=True, metavar="DIR")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    data = build(args.nspl)
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    args.output.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.output}: {len(data['districts'])} districts, "  # type: ignore[arg-type]
          f"{len(data['sectors'])} sectors; "  # type: ignore[arg-type]
          f"{args.output.stat().st_size / 1e6:.2f} MB compressed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
