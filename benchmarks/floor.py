"""The floor: what any client must at least do to get the pages trialfinder gets.

Two uses:

    python benchmarks/floor.py BASE_URL CONDITION [--full]      # run.py: in-process timings
    python benchmarks/floor.py --params CONDITION               # the search's parameters (JSON)
    python benchmarks/floor.py --process BASE_URL PARAMS_JSON   # bench_analyst.py: a process

**In process** (``run.py`` starts it): fetches (untimed) the exact pages trialfinder asks for
(``fields`` = ``LIST_FIELDS``, ``pageSize`` 1000) from the stand-in at ``BASE_URL``, then times,
best of 3, ``orjson.loads`` on the bytes of every page (the floor) and
``trialfinder.registries.ctgov.normalize()`` on the parsed records, with the cyclic GC off and
on. The timing helper is ``best_of`` from ``bench_normalize.py``. With ``--full`` it also calls
``bench_normalize.bench_10k`` (10,000 full records, no ``fields``) for reference. Prints one
line ``RESULT {json}``.

**As a whole process** (``bench_analyst.py`` starts it, beside ``trialfinder search``): a
``requests.Session`` asks for every page with the parameters of the search (``--params``
prints them: the query, the same ``fields``, ``pageSize`` 1000, ``countTotal`` on the first
page, then each ``pageToken``) and parses each body with ``orjson.loads``; nothing else. Each
page is let go once parsed, as trialfinder lets each page go once read. This process imports
only ``requests`` and ``orjson``: its CPU time is the floor the command is compared with.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import orjson
import requests


def fetch_pages(base: str, condition: str) -> list[bytes]:
    from trialfinder.registries.ctgov.fields import LIST_FIELDS, fields_param
    from trialfinder.registries.ctgov.options import build_query

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


def search_params(condition: str) -> dict[str, str]:
    """The parameters of ``trialfinder search --condition CONDITION --all`` (first page)."""
    from trialfinder.registries.ctgov.fields import LIST_FIELDS, fields_param
    from trialfinder.registries.ctgov.options import build_query

    return (build_query(condition=condition).to_params() | fields_param(LIST_FIELDS)
            | {"pageSize": "1000", "countTotal": "true"})


def floor_process(base: str, params: dict[str, str]) -> int:
    """Fetch every page and parse it; the number of studies."""
    studies = 0
    with requests.Session() as session:
        while True:
            response = session.get(f"{base}/studies", params=params, timeout=120)
            response.raise_for_status()
            page = orjson.loads(response.content)
            studies += len(page["studies"])
            token = page.get("nextPageToken")
            del page
            if not token:
                return studies
            params = {k: v for k, v in params.items() if k != "countTotal"} | {"pageToken": token}


def in_process(argv: list[str]) -> dict[str, Any]:
    import gc
    import time

    # Run as a script, only benchmarks/ is on sys.path: the repo root holds devtools/, which
    # bench_normalize imports.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench_normalize import SHARED, bench_10k, best_of, load_full_records

    from trialfinder.registries.ctgov.normalize import normalize

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
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--params"]:
        print(json.dumps(search_params(argv[1])))
        return 0
    if argv[:1] == ["--process"]:
        params = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        print(f"RESULT {json.dumps({'studies': floor_process(argv[1], params)})}", flush=True)
        return 0
    print("RESULT " + json.dumps(in_process(argv)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
