"""Normalization vs the JSON-parse floor, run in a fresh process by ``benchmarks/run.py``.

    python benchmarks/floor.py BASE_URL CONDITION [--full]

Fetches (untimed) the exact pages trialfinder asks for (``fields`` = ``LIST_FIELDS``,
``pageSize`` 1000) from the stand-in at ``BASE_URL``, then times, best of 3:

- ``orjson.loads`` on the bytes of every page (the floor: any client must at least parse),
- ``trialfinder.registries.ctgov.normalize()`` on the parsed records, with the cyclic GC off and on.

The timing helper is ``best_of`` from ``bench_normalize.py``. With ``--full`` it also calls
``bench_normalize.bench_10k`` (10,000 full records, no ``fields``) for reference. Prints one
line ``RESULT {json}``.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import requests

# Run as a script, only benchmarks/ is on sys.path: the repo root holds devtools/, which
# bench_normalize imports (without this line the floor section failed with "No module named
# 'devtools'" whenever bench_normalize did not add it itself).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_normalize import SHARED, bench_10k, best_of, load_full_records

from trialfinder.registries.ctgov.fields import LIST_FIELDS, fields_param
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.service.searching import build_query


def fetch_pages(base: str, condition: str) -> list[bytes]:
    params = build_query(condition=condition).to_params() | fields_param(LIST_FIELDS)
    params["pageSize"] = "1000"
    pages: list[bytes] = []
    with requests.Session() as session:
        while True:
            response = session.get(f"{base}/studies", params=params, timeout=120)
            response.raise_for_status()
            pages.append(response.content)
            token = orjson.loads(response.content).get("nextPageToken")
            if not token:
                return pages
            params["pageToken"] = token


def main(argv: list[str]) -> int:
    base, condition = argv[:2]
    out: dict[str, Any] = {}
    pages = fetch_pages(base, condition)
    records: list[dict[str, Any]] = []
    for page in pages:
        records.extend(orjson.loads(page)["studies"])
    out["studies"] = len(records)
    out["mb"] = sum(len(p) for p in pages) / 1e6
    out["parse"] = best_of(3, lambda: [orjson.loads(p) for p in pages])
    out["parse_gc"] = best_of(3, lambda: [orjson.loads(p) for p in pages], collector=True)
    out["normalize"] = best_of(3, lambda: normalize(records))
    out["normalize_gc"] = best_of(3, lambda: normalize(records), collector=True)
    out["sites"] = len(normalize(records).sites)
    if "--full" in argv and SHARED.is_dir():
        del records
        gc.collect()
        t0 = time.perf_counter()
        full = bench_10k(load_full_records())
        out["full"] = full | {"bench_s": time.perf_counter() - t0}
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
