"""Where a search's CPU goes, step by step, on the pages the stand-in serves (in one process).

    python benchmarks/cpu_phases.py BASE_URL PARAMS_JSON      # bench_analyst.py starts it

Fetches (untimed) every page of the search whose first-page parameters are in ``PARAMS_JSON``
(``floor.py --params``), then times each step of ``trialfinder search --all --output x.csv``
on them, best of 3 in CPU time (``time.process_time``), with the cyclic garbage collector off
as the command runs: the density check, ``orjson.loads`` of every page (the floor's own work),
reading the records into table columns, making the tables, the local filters, the CSV and
JSON lines bytes, the saved tables (Parquet) and storing the answers in the HTTP cache.
Start-up and imports are measured by ``bench_analyst.py`` as processes of their own. Prints
one line ``RESULT {json}``.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import requests


def fetch(base: str, params: dict[str, str]) -> list[requests.Response]:
    answers: list[requests.Response] = []
    with requests.Session() as session:
        while True:
            response = session.get(f"{base}/studies", params=params, timeout=900)
            response.raise_for_status()
            answers.append(response)
            token = orjson.loads(response.content).get("nextPageToken")
            if not token:
                return answers
            params = {k: v for k, v in params.items() if k != "countTotal"} | {"pageToken": token}


def best(step: Callable[[], Any], times: int = 3,
         before: Callable[[], Any] | None = None) -> float:
    """The least CPU time of ``times`` runs of ``step`` (given what ``before`` returns)."""
    fastest = float("inf")
    for _ in range(times):
        ready = before() if before is not None else None
        gc.collect()
        gc.disable()
        started = time.process_time()
        step(ready) if before is not None else step()
        fastest = min(fastest, time.process_time() - started)
        gc.enable()
    return fastest


def main(base: str, params_file: str) -> int:
    from trialfinder.cache.tablecache import TableCache
    from trialfinder.core.config import Settings
    from trialfinder.http.density import too_dense
    from trialfinder.http.session import make_session
    from trialfinder.options import from_kwargs
    from trialfinder.registries.ctgov.normalize import Normalizer
    from trialfinder.registries.ctgov.options import local_filters_for
    from trialfinder.service.searching import Results
    from trialfinder.tables.export import to_jsonl_bytes, write_csv

    params = json.loads(Path(params_file).read_text(encoding="utf-8"))
    answers = fetch(base, params)
    bodies = [a.content for a in answers]
    records = [orjson.loads(body)["studies"] for body in bodies]

    def read() -> Normalizer:
        normalizer = Normalizer()
        for page in records:
            normalizer.add(page)
        return normalizer

    tables = read().tables()
    results = Results.from_tables(tables, local_filters_for(from_kwargs({"condition": "disc"})))

    class Sink:
        def write(self, piece: bytes | memoryview) -> int:
            return len(piece)

    def save_pages() -> None:
        with tempfile.TemporaryDirectory() as folder:
            session = make_session(Settings(base_url=base, cache_dir=Path(folder)))
            for i, answer in enumerate(answers):
                session.cache.save_response(answer, cache_key=f"page-{i}")  # type: ignore[attr-defined]
            session.close()

    def save_tables() -> None:
        with tempfile.TemporaryDirectory() as folder:
            TableCache(Path(folder)).put("0" * 64, tables, {"total_count": 0,
                                                             "truncated": False})

    steps = {
        "density check of each page": lambda: [too_dense(b) for b in bodies],
        "orjson.loads of each page (the floor does it too)": lambda: [orjson.loads(b)
                                                                      for b in bodies],
        "records read into table columns (Normalizer.add)": read,
        "local filters (Results.from_tables)": lambda: Results.from_tables(
            tables, local_filters_for(from_kwargs({"condition": "disc"}))),
        "CSV bytes of the studies table": lambda: write_csv(results.studies, Sink()),  # type: ignore[arg-type]
        "JSON lines bytes of the studies table": lambda: to_jsonl_bytes(results.studies),
        "saved tables (Parquet, cache on)": save_tables,
        "HTTP cache: the pages stored (cache on)": save_pages,
    }
    out = {name: best(step) for name, step in steps.items()}
    out["the tables made (Normalizer.tables)"] = best(lambda n: n.tables(), before=read)
    out["studies"] = sum(len(page) for page in records)
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
