"""Benchmark: does pausing the cyclic GC still pay, and where?

Run: ``python benchmarks/bench_gc.py [N_STUDIES]`` (default 10,000). Uses the fictional demo
records, copied to N studies with distinct ids and cut into pages of 1,000 as the API sends
them. Times, best of 3, the whole path of a search after the bytes arrived: ``orjson.loads`` of
every page (all kept alive, as ``SearchResult.studies`` does) and then ``normalize``:

- ``gc on``: nothing paused;
- ``paused: parse``: the collector off during each ``orjson.loads`` call only;
- ``paused: normalize``: off during ``normalize`` only;
- ``paused: both``: off for both (what ``service`` did before: around fetch and normalize).

Each case runs twice: in a bare process and with a "busy" heap of 2 million live container
objects, the way a long-lived dashboard server holds other sessions' data; a full collection
walks all of them. Prints a Markdown table.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from trialfinder.core.gcpause import gc_paused
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.topics.demo import load_demo_studies

PAGE = 1000


def pages(n: int) -> list[bytes]:
    base = load_demo_studies()
    out, batch = [], []
    for i in range(n):
        record = orjson.loads(orjson.dumps(base[i % len(base)]))
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT{99000000 + i}"
        batch.append(record)
        if len(batch) == PAGE:
            out.append(orjson.dumps(batch))
            batch = []
    if batch:
        out.append(orjson.dumps(batch))
    return out


def run(blobs: list[bytes], pause_parse: bool, pause_normalize: bool) -> float:
    start = time.perf_counter()
    studies: list[Any] = []
    for blob in blobs:
        if pause_parse:
            with gc_paused():
                studies.extend(orjson.loads(blob))
        else:
            studies.extend(orjson.loads(blob))
    if pause_normalize:
        with gc_paused():
            normalize(studies)
    else:
        normalize(studies)
    return time.perf_counter() - start


def best(fn: Callable[[], float], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        times.append(fn())
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    blobs = pages(n)
    cases = {"gc on": (False, False), "paused: parse": (True, False),
             "paused: normalize": (False, True), "paused: both": (True, True)}
    rows: dict[str, list[float]] = {name: [] for name in cases}
    for busy in (False, True):
        ballast = [{"i": i} for i in range(2_000_000)] if busy else []
        for name, (p, z) in cases.items():
            rows[name].append(best(lambda p=p, z=z: run(blobs, p, z)))
        del ballast
    print(f"Python {sys.version.split()[0]}, {n:,} studies, {len(blobs)} pages\n")
    print("| case | bare process (s) | busy heap, 2M objects (s) |")
    print("|---|---:|---:|")
    for name, (bare, busy_t) in rows.items():
        print(f"| {name} | {bare:.2f} | {busy_t:.2f} |")


if __name__ == "__main__":
    main()
