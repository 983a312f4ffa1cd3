"""Benchmark :func:`trialfinder.filters.apply_filters` on synthetic tables.

10,000 studies and 100,000 sites (random points across the contiguous US, random statuses,
phases, ages...), all fictional (NCT99000000 upwards). Prints the median time of a full
``apply_filters`` pass for three filter sets and writes ``benchmarks/results/filters.md``.

    .venv/bin/python benchmarks/bench_filters.py [--studies 10000] [--sites 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from trialfinder.tables.filters import LocalFilters, apply_filters

STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED",
            "TERMINATED", "WITHDRAWN", "UNKNOWN"]
PHASES = ["PHASE1", "PHASE2", "PHASE3", "PHASE4", "PHASE1|PHASE2", "PHASE2|PHASE3",
          "EARLY_PHASE1", "NA"]
TYPES = ["DRUG", "DEVICE", "BIOLOGICAL", "BEHAVIORAL", "PROCEDURE", "OTHER"]
WORDS = [
    "diabetes", "insulin", "glucose", "heart", "failure", "asthma", "migraine", "sleep",
    "exercise", "cancer", "tumor", "vaccine", "pain", "depression", "anxiety", "obesity",
    "kidney", "liver", "stroke", "memory",
]
STATES = ["MA", "NY", "CA", "TX", "IL", "FL", "WA", "GA", "OH", "PA", "MN", "CO"]


@dataclass(frozen=True)
class Tables:
    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame


def build(n_studies: int, n_sites: int, seed: int = 7) -> Tables:
    rng = np.random.default_rng(seed)
    ids = [f"NCT{99000000 + i:08d}" for i in range(n_studies)]
    words = np.array(WORDS)

    def text(n_words: int) -> list[str]:
        picks = rng.integers(0, len(words), size=(n_studies, n_words))
        return [" ".join(row) for row in words[picks]]

    min_age = rng.choice([np.nan, 0, 18, 18, 40, 65], size=n_studies)
    max_age = rng.choice([np.nan, np.nan, 17, 65, 75, 99], size=n_studies)
    starts = pd.to_datetime("2010-01-01") + pd.to_timedelta(
        rng.integers(0, 15 * 365, n_studies), unit="D")
    studies = pd.DataFrame({
        "nct_id": pd.array(ids, dtype="string"),
        "title": pd.array(text(6), dtype="string"),
        "status": pd.Categorical(rng.choice(STATUSES, n_studies)),
        "phases": pd.array(rng.choice(PHASES, n_studies), dtype="string"),
        "study_type": pd.Categorical(rng.choice(["INTERVENTIONAL", "OBSERVATIONAL"], n_studies)),
        "conditions": pd.array(text(2), dtype="string"),
        "keywords": pd.array(text(3), dtype="string"),
        "interventions": pd.array(text(2), dtype="string"),
        "intervention_types": pd.array(rng.choice(TYPES, n_studies), dtype="string"),
        "start_date": starts,
        "start_date_precision": pd.Categorical(rng.choice(["day", "month"], n_studies)),
        "min_age_years": pd.array(min_age, dtype="Float64"),
        "max_age_years": pd.array(max_age, dtype="Float64"),
        "sex": pd.Categorical(rng.choice(["ALL", "FEMALE", "MALE"], n_studies, p=[.8, .1, .1])),
        "healthy_volunteers": pd.array(rng.random(n_studies) < 0.3, dtype="boolean"),
        "has_results": pd.array(rng.random(n_studies) < 0.2, dtype="boolean"),
        "brief_summary": pd.array(text(60), dtype="string"),
    })
    owner = np.sort(rng.integers(0, n_studies, n_sites))
    lat = rng.uniform(25.0, 49.0, n_sites)
    lon = rng.uniform(-124.0, -67.0, n_sites)
    missing = rng.random(n_sites) < 0.024
    lat[missing] = np.nan
    lon[missing] = np.nan
    sites = pd.DataFrame({
        "nct_id": pd.array(np.array(ids)[owner], dtype="string"),
        "facility": pd.array([f"Fictional Clinic {i}" for i in range(n_sites)], dtype="string"),
        "city": pd.array([f"Town {i % 5000}" for i in range(n_sites)], dtype="string"),
        "state": pd.array(rng.choice(STATES, n_sites), dtype="string"),
        "zip": pd.array([f"{i % 99999:05d}" for i in range(n_sites)], dtype="string"),
        "country": pd.array(np.where(rng.random(n_sites) < 0.9, "United States", "Canada"),
                            dtype="string"),
        "lat": pd.array(lat, dtype="Float64"),
        "lon": pd.array(lon, dtype="Float64"),
        "site_status": pd.Categorical(rng.choice(["RECRUITING", "COMPLETED", None], n_sites)),
    })
    conditions = pd.DataFrame({
        "nct_id": pd.array(np.repeat(ids, 2), dtype="string"),
        "condition": pd.array(np.tile(["Condition A", "Condition B"], n_studies),
                              dtype="string"),
    })
    interventions = pd.DataFrame({
        "nct_id": pd.array(ids, dtype="string"),
        "type": pd.Categorical(rng.choice(TYPES, n_studies)),
        "name": pd.array(text(1), dtype="string"),
    })
    return Tables(studies, sites, conditions, interventions)


CASES = {
    "(a) no filters": LocalFilters(),
    "(b) status + phase + age": LocalFilters(
        statuses=("RECRUITING", "NOT_YET_RECRUITING"), phases=("PHASE2", "PHASE3"), age=58),
    "(c) all, incl. distance + keyword": LocalFilters(
        statuses=("RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED"),
        phases=("PHASE2", "PHASE3"), study_types=("INTERVENTIONAL",),
        intervention_types=("DRUG", "BIOLOGICAL", "DEVICE"), age=58, sex="FEMALE",
        start_from="2012", start_to="2024-06", countries=("united states",),
        near=(42.3601, -71.0589), radius_mi=500, keyword="insulin"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "filters.md")
    args = parser.parse_args()
    tables = build(args.studies, args.sites)
    rows = []
    for label, filters in CASES.items():
        apply_filters(tables, filters)  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            outcome = apply_filters(tables, filters)
            times.append(time.perf_counter() - start)
        median_ms = statistics.median(times) * 1000
        rows.append((label, median_ms, min(times) * 1000, outcome.n_after, len(outcome.sites)))
        print(f"{label:38s} median {median_ms:7.1f} ms  min {min(times) * 1000:7.1f} ms  "
              f"studies kept {outcome.n_after:6d}  sites {len(outcome.sites):6d}")
    lines = [
        "# apply_filters benchmark",
        "",
        f"Synthetic tables: {args.studies:,} studies, {args.sites:,} sites "
        f"(fictional, random points across the contiguous US). Median of {args.repeat} runs "
        "after one warm-up.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}.",
        "",
        "| filters | median ms | min ms | studies kept | sites kept |",
        "|---|---:|---:|---:|---:|",
        *[f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:,} | {r[4]:,} |" for r in rows],
        "",
        "Produced by `benchmarks/bench_filters.py`.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
