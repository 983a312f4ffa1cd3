"""One benchmark contender, run in a fresh process by ``benchmarks/run.py``.

    python benchmarks/contenders.py NAME BASE_URL CONDITION EXPECTED [CACHE_DIR]

Each contender fetches every study matching ``CONDITION`` from the server at ``BASE_URL`` (the
loopback stand-in) into a pandas DataFrame. The process prints one line ``RESULT {json}`` with:

- ``wall``: seconds from the first library call to the finished DataFrame (imports excluded,
  they are reported apart as ``import_s``),
- ``peak_mb``: the process's peak resident set size (``VmHWM``), interpreter and imports
  included; ``base_mb`` is the resident size right after the imports,
- ``studies``: distinct NCT ids in the DataFrame, ``rows``/``cols``: its shape,
- ``complete``: whether every one of the ``EXPECTED`` matches arrived, and ``note``.

A fresh process per contender keeps one contender's imports, caches and heap out of another's
numbers; the server runs in the parent, so its memory is not counted against anyone.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

Runner = Callable[[], tuple[pd.DataFrame, str]]


def _status_mb(key: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in MB.

    ``VmHWM`` belongs to this process image only; ``ru_maxrss`` is not used because Linux
    carries the parent's resident size over ``fork``+``exec`` into it, and the parent holds the
    stand-in's whole data set."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _nct_ids(frame: pd.DataFrame) -> int:
    for column in ("nct_id", "protocolSection.identificationModule.nctId"):
        if column in frame.columns:
            return int(frame[column].nunique())
    return len(frame)


# -- 1, 2: trialfinder ------------------------------------------------------------------------


def prepare_trialfinder(base: str, condition: str, cache_dir: str | None) -> Runner:
    import trialfinder as tf
    from trialfinder.core.config import Settings

    # trialfinder imports its modules on first use: load them here, outside the timing, as the
    # peers' imports are
    search = tf.search

    def run() -> tuple[pd.DataFrame, str]:
        settings = Settings(
            base_url=base,
            use_cache=cache_dir is not None,
            cache_dir=Path(cache_dir) if cache_dir else Path("/nonexistent-unused"),
            requests_per_minute=1e6,
            burst=10**6,
        )
        res = search(condition=condition, settings=settings)
        meta = res.meta
        note = (f"client counted {meta['requests']} requests, "
                f"{len(res.sites):,} site rows also built")
        return res.studies, note

    return run


# -- 3: requests + pandas.json_normalize -------------------------------------------------------


def prepare_requests(base: str, condition: str, cache_dir: str | None) -> Runner:
    import requests

    def run() -> tuple[pd.DataFrame, str]:
        session = requests.Session()
        params: dict[str, str] = {"query.cond": condition, "pageSize": "1000"}
        studies: list[dict[str, Any]] = []
        while True:
            response = session.get(f"{base}/studies", params=params, timeout=120)
            response.raise_for_status()
            page = response.json()
            studies.extend(page.get("studies", []))
            token = page.get("nextPageToken")
            if not token:
                break
            params["pageToken"] = token
        return pd.json_normalize(studies), "full records, no fields"

    return run


# -- 4: pytrials -------------------------------------------------------------------------------


def prepare_pytrials(base: str, condition: str, cache_dir: str | None) -> Runner:
    import pytrials.client as pc

    # Point it at the stand-in: the base URL is a class attribute.
    pc.ClinicalTrials._BASE_URL = base + "/"
    # Adapter: pytrials always sends markupFormat=legacy, which the stand-in refuses (it
    # serves markdown only). Rewriting that one value changes only how rich text is marked up.
    original = pc.json_handler

    def json_handler(url: str) -> Any:
        return original(url.replace("markupFormat=legacy", "markupFormat=markdown"))

    pc.json_handler = json_handler

    def run() -> tuple[pd.DataFrame, str]:
        ct = pc.ClinicalTrials()  # GET /version
        # Every field pytrials knows (JSON names), less the two document-section pieces the
        # stand-in does not implement (LargeDocFilename, LargeDocLabel: a 400 there).
        fields = sorted(set(ct.study_fields["json"]) - {"LargeDocFilename", "LargeDocLabel"})
        # One request, at most 1000 studies: pytrials has no page-token support.
        data = ct.get_study_fields(
            f"AREA[ConditionSearch]{condition}", fields, max_studies=1000, fmt="json"
        )
        frame = pd.json_normalize(data.get("studies", []))
        more = " (a nextPageToken was left unfollowed)" if data.get("nextPageToken") else ""
        return frame, f"{len(fields)} fields, one page of <= 1000{more}"

    return run


# -- 5: ctgforge -------------------------------------------------------------------------------


def _ctgforge_client(base: str) -> Any:
    from ctgforge.client.httpx_client import CTGHttpxClient

    # Point it at the stand-in: the base URL is a class attribute read by __init__.
    CTGHttpxClient.BASE_URL = base
    return CTGHttpxClient()


def prepare_ctgforge(base: str, condition: str, cache_dir: str | None) -> Runner:
    from ctgforge import CTG, F
    from ctgforge.export import to_dataframe
    from ctgforge.flatten import flatten_core

    def run() -> tuple[pd.DataFrame, str]:
        ctg = CTG(_ctgforge_client(base))
        # sort="" : ctgforge sends sort=LastUpdatePostDate by default, which the stand-in does
        # not implement; an empty sort is ignored. limit is capped at 1000 inside ctgforge.
        raw = list(ctg.search(F.condition.contains(condition), limit=1000, sort=""))
        frame = to_dataframe([flatten_core(r) for r in raw])
        ctg.close()
        return frame, "search() pages 100 at a time and stops at 1000"

    return run


def prepare_ctgforge_paged(base: str, condition: str, cache_dir: str | None) -> Runner:
    from ctgforge import F
    from ctgforge.export import to_dataframe
    from ctgforge.flatten import flatten_core
    from ctgforge.query.compiler import compile_to_params

    def run() -> tuple[pd.DataFrame, str]:
        client = _ctgforge_client(base)
        # Adapter: ctgforge's own transport (_request_json, with its retries), but our loop:
        # pageSize=1000 and every nextPageToken followed, as its search() cannot.
        params: dict[str, Any] = dict(compile_to_params(F.condition.contains(condition)).params)
        params["pageSize"] = 1000
        raw: list[dict[str, Any]] = []
        while True:
            payload = client._request_json("GET", client.SEARCH_PATH, params=params)
            raw.extend(payload.get("studies", []))
            token = payload.get("nextPageToken")
            if not token:
                break
            params["pageToken"] = token
        frame = to_dataframe([flatten_core(r) for r in raw])
        client.close()
        return frame, "ctgforge transport + flatten_core + to_dataframe; our paging loop"

    return run


# -- 6: ctgov (streams page by page) ----------------------------------------------------------


def prepare_ctgov(base: str, condition: str, cache_dir: str | None) -> Runner:
    import ctgov
    import ctgov.client as cc

    # Point it at the stand-in: the base URL is a module constant read on every request.
    cc.BASE_URL = base + "/"

    def run() -> tuple[pd.DataFrame, str]:
        # delay=0: its default 0.34 s pause after every request would measure politeness,
        # not the client (trialfinder's own pacing is switched off here too).
        client = ctgov.Client(delay=0)
        rows = [ctgov.study_context(study)
                for study in client.iter_studies(f"AREA[ConditionSearch]{condition}")]
        return pd.DataFrame(rows), "iter_studies() page by page, study_context() rows, delay=0"

    return run


CONTENDERS: dict[str, Callable[[str, str, str | None], Runner]] = {
    "trialfinder": prepare_trialfinder,
    "requests": prepare_requests,
    "pytrials": prepare_pytrials,
    "ctgforge": prepare_ctgforge,
    "ctgforge-paged": prepare_ctgforge_paged,
    "ctgov": prepare_ctgov,
}


def _profile_text(profiler: cProfile.Profile) -> str:
    """The functions with the most own time, then trialfinder's own functions by total time."""
    import sysconfig

    import trialfinder

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(12)
    stats.sort_stats("cumulative").print_stats(r"trialfinder[/\\](service|client|normalize|"
                                               r"filters|transport)", 12)
    text = out.getvalue()
    prefixes = {str(Path(trialfinder.__file__).parent) + os.sep: "trialfinder/",
                sysconfig.get_paths()["purelib"] + os.sep: "",
                sysconfig.get_paths()["stdlib"] + os.sep: ""}
    for prefix, short in prefixes.items():
        text = text.replace(prefix, short)
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() or "restriction" in line or "Ordered by" in line:
            continue
        if "function calls" in line and lines:
            lines.append("--- trialfinder's own functions by total (cumulative) time:")
            continue
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    name, base, condition, expected = argv[:4]
    cache_dir = argv[4] if len(argv) > 4 else None
    out: dict[str, Any] = {"name": name}
    try:
        t0 = time.perf_counter()
        run = CONTENDERS[name](base, condition, cache_dir)
        out["import_s"] = time.perf_counter() - t0
        out["base_mb"] = _status_mb("VmRSS")
        profile_to = os.environ.get("BENCH_PROFILE")
        profiler = cProfile.Profile() if profile_to else None
        t1 = time.perf_counter()
        if profiler is not None:
            frame, note = profiler.runcall(run)
        else:
            frame, note = run()
        out["wall"] = time.perf_counter() - t1
        if profiler is not None and profile_to:
            Path(profile_to).write_text(_profile_text(profiler), encoding="utf-8")
        out["peak_mb"] = _status_mb("VmHWM")
        out["rows"], out["cols"] = frame.shape
        out["studies"] = _nct_ids(frame)
        out["complete"] = out["studies"] >= int(expected)
        out["note"] = note
    except Exception as exc:  # reported, not raised: the table says what failed
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
