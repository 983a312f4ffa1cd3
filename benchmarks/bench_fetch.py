"""Fetching N studies from the loopback stand-in: requests, bytes and time, list view vs full.

    .venv/bin/python benchmarks/bench_fetch.py [--sizes 1000,2500,5000]

The stand-in serves the real recorded records from ../shared/ctgov (read at run time, never
copied) replicated to each size, or the fictional demo set when that folder is absent. Each
size is fetched twice with a cold on-disk cache: once with the list-view ``fields`` trialfinder
asks for, once for full records. Requests and bytes are counted by the server. Writes
``benchmarks/results/fetch.md``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from devtools.standin import StandInServer, find_shared_dir, load_dataset, replicate
from trialfinder.core.codes import Status
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.registries.ctgov.query import StudyQuery

RESULTS = Path(__file__).resolve().parent / "results" / "fetch.md"


def fetch(server: StandInServer, fields: tuple[str, ...] | None) -> tuple[int, int, int, float]:
    """(studies, requests, bytes, seconds) for one search with a cold cache."""
    server.reset_stats()
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(base_url=server.base_url, cache_dir=Path(cache),
                            requests_per_minute=1e6, burst=10**6)
        client = TrialsClient(settings)
        started = time.perf_counter()
        result = client.search(StudyQuery(statuses=tuple(Status)), fields=fields)
        seconds = time.perf_counter() - started
    stats = server.stats
    return len(result.studies), stats.requests, stats.bytes_sent, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2500,5000")
    args = parser.parse_args()
    source = "shared" if find_shared_dir() else "demo"
    base = load_dataset(source)
    lines = [
        "# Fetch benchmark",
        "",
        f"Stand-in on 127.0.0.1 (page cap 1000) serving `{source}` records replicated to each "
        "size; cold on-disk cache; requests and bytes counted by the server. The extra request "
        "is `/version`, asked once an hour when a cache is used.",
        "",
        "| studies | what | requests | limit ceil(N/1000)+1 | MB | KB per study | seconds |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in (int(s) for s in args.sizes.split(",")):
        studies = replicate(base, size)
        with StandInServer(studies, max_page_size=1000) as server:
            for label, fields in (("list view (`fields`)", LIST_FIELDS), ("full records", None)):
                n, requests, nbytes, seconds = fetch(server, fields)
                assert n == size, (n, size)
                limit = math.ceil(size / 1000) + 1
                assert requests <= limit, (requests, limit)
                lines.append(
                    f"| {size:,} | {label} | {requests} | {limit} | {nbytes / 1e6:,.1f} | "
                    f"{nbytes / size / 1e3:,.1f} | {seconds:,.2f} |")
                print(lines[-1], flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
