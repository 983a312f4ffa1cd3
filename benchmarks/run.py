"""trialfinder vs its peers: fetch every match of one query into a pandas DataFrame.

    .venv/bin/python benchmarks/run.py                  # 1,000 and 10,000 studies (make bench)
    .venv/bin/python benchmarks/run.py --quick          # 1,000 studies, one run: a smoke test
    .venv/bin/python benchmarks/run.py --sizes 1000,10000 --latencies 0,0.2 --repeat 3

The stand-in API (``devtools.standin``) runs in this process on 127.0.0.1 with the real
API's page cap of 1000. It serves the real recorded studies from ../shared/ctgov that match the
query, replicated to each size with ``replicate`` (or the fictional demo set if shared data is
absent; the table then says so), so every study served is a match and "studies" is the size.
Each contender runs in a fresh subprocess (``contenders.py``) against it, with no added latency
and with ``Faults(latency=...)`` per request. Requests and bytes are counted by the server.
Writes ``benchmarks/results/peers.md`` and prints it. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/
from devtools.standin import (
    Faults,
    StandInApi,
    StandInServer,
    find_shared_dir,
    load_dataset,
    replicate,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "peers.md"
PAGE_CAP = 1000
CONDITIONS = {"shared": "disc", "demo": "muscle"}


@dataclass(frozen=True)
class Contender:
    key: str  # row id
    label: str
    module: str  # name in contenders.CONTENDERS
    cache: str = ""  # "", "cold" or "warm"


CONTENDERS = (
    Contender("tf", "trialfinder", "trialfinder"),
    Contender("tf_cold", "trialfinder, cache on, 1st run (cold)", "trialfinder", "cold"),
    Contender("tf_warm", "trialfinder, cache on, 2nd run (warm)", "trialfinder", "warm"),
    Contender("requests", "requests + pandas.json_normalize", "requests"),
    Contender("pytrials", "pytrials (get_study_fields, json)", "pytrials"),
    Contender("ctgforge", "ctgforge (CTG.search)", "ctgforge"),
    Contender("ctgforge_paged", "ctgforge + paging adapter", "ctgforge-paged"),
    Contender("ctgov", "ctgov (iter_studies, streams pages)", "ctgov"),
)
PEERS = ("requests", "pytrials", "ctgforge", "ctgforge_paged", "ctgov")


@dataclass
class Row:
    contender: Contender
    size: int
    latency: float
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[dict[str, Any]]:
        return [r for r in self.runs if "error" not in r]

    @property
    def complete(self) -> bool:
        ok = self.ok_runs
        return bool(ok) and all(r["complete"] for r in ok)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.ok_runs)

    def peak(self) -> float:
        return max(r["peak_mb"] for r in self.ok_runs)


# -- the stand-in -----------------------------------------------------------------------------


class TimedServer:
    """A StandInServer plus the seconds its API spent building answers (stand-in CPU time)."""

    def __init__(self, studies: list[dict[str, Any]]) -> None:
        self.server = StandInServer(studies, max_page_size=PAGE_CAP).start()
        self.busy = 0.0
        self._lock = threading.Lock()
        handle = self.server.api.handle

        def timed(path: str, query: str = "") -> Any:
            t0 = time.perf_counter()
            try:
                return handle(path, query)
            finally:
                with self._lock:
                    self.busy += time.perf_counter() - t0

        self.server.api.handle = timed  # type: ignore[method-assign]

    def reset(self) -> None:
        self.server.reset_stats()
        with self._lock:
            self.busy = 0.0

    def warm_up(self, queries: list[dict[str, str]]) -> None:
        """Answer each contender's query once, untimed and uncounted: the stand-in caches the
        match list per query and the JSON of each full record, so no contender pays for
        another's first request."""
        for params in queries:
            token = ""
            while True:
                query = params | {"pageSize": str(PAGE_CAP)} | ({"pageToken": token} if token
                                                                   else {})
                reply = self.server.api.handle("/api/v2/studies", urlencode(query))
                if reply.status != 200:
                    raise RuntimeError(f"warm-up {query}: HTTP {reply.status} {reply.body!r}")
                token = orjson.loads(reply.body).get("nextPageToken") or ""
                if not token:
                    break
        self.reset()


def matching(records: list[dict[str, Any]], condition: str) -> list[dict[str, Any]]:
    """The records the stand-in itself says match ``query.cond=condition``."""
    probe = StandInApi(records, max_page_size=PAGE_CAP)
    params = {"query.cond": condition, "fields": "NCTId", "pageSize": str(PAGE_CAP)}
    body = orjson.loads(probe.handle("/api/v2/studies", urlencode(params)).body)
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]}
    return [r for r in records if r["protocolSection"]["identificationModule"]["nctId"] in ids]


# -- running one contender --------------------------------------------------------------------


def _compiled_once(env: dict[str, str]) -> dict[str, str]:
    """``env`` with Python's default bytecode caching: trialfinder's modules are compiled by
    the first run and reused, as the peers' are (pip compiled them at install)."""
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(script: str, args: list[str], timeout: float = 600,
              env: dict[str, str] | None = None) -> dict[str, Any]:
    # Searches add to the study store by default: each child gets an empty data folder of its
    # own, so runs neither share a store nor leave pages in the user's folder.
    with tempfile.TemporaryDirectory(prefix="tf-bench-data-") as data:
        proc = subprocess.run(
            [sys.executable, str(HERE / script), *args],
            capture_output=True, text=True, timeout=timeout, cwd=HERE.parent,
            env=_compiled_once(os.environ | {"TRIALFINDER_DATA_DIR": data} | (env or {})),
        )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT "):])
            return result
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {proc.returncode}: {tail[:300]}"}


def measure(server: TimedServer, contender: Contender, condition: str, size: int,
            cache_dir: str | None) -> dict[str, Any]:
    server.reset()
    args = [contender.module, server.server.base_url, condition, str(size)]
    if cache_dir is not None:
        args.append(cache_dir)
    t0 = time.perf_counter()
    result = run_child("contenders.py", args)
    result["process_s"] = time.perf_counter() - t0
    stats = server.server.stats
    result["requests"] = stats.requests
    result["bytes"] = stats.bytes_sent
    result["paths"] = stats.paths
    result["server_s"] = server.busy
    return result


def slower_than(scenario: dict[str, Row]) -> list[str]:
    """The complete peers that beat trialfinder (no cache) on median wall time."""
    tf = scenario["tf"]
    if not tf.complete:
        return []
    return [scenario[k].contender.label for k in PEERS
            if scenario[k].complete and scenario[k].median("wall") < tf.median("wall")]


def profile_trialfinder(server: TimedServer, condition: str, size: int, latency: float,
                        slower: list[str]) -> str:
    """One extra trialfinder run under cProfile (not counted in the table)."""
    with tempfile.TemporaryDirectory(prefix="tf-bench-prof-") as folder:
        target = Path(folder) / "profile.txt"
        server.reset()
        result = run_child("contenders.py", ["trialfinder", server.server.base_url, condition,
                                             str(size)], env={"BENCH_PROFILE": str(target)})
        text = target.read_text(encoding="utf-8") if target.exists() else result.get("error", "")
    head = (f"### {size:,} studies, {latency * 1000:.0f} ms latency: slower than "
            f"{', '.join(slower)}")
    wall = f"{result['wall']:.2f} s under the profiler" if "wall" in result else "failed"
    return "\n".join([head, "", f"One profiled run ({wall}; cProfile adds overhead; time spent "
                      "in the cyclic GC is charged to whatever call triggered it):", "", "```",
                      text, "```", ""])


# -- formatting -------------------------------------------------------------------------------


def _f(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def _why_incomplete(row: Row) -> str:
    run = row.ok_runs[0]
    key = row.contender.key
    if key == "pytrials":
        why = ("pytrials sends one request of at most 1000 studies (max_studies is capped at "
               "1000 and it has no nextPageToken support)")
    elif key == "ctgforge":
        why = "ctgforge's search() caps limit at 1000 studies"
    else:
        why = "did not fetch every match"
    return (f"n/a: {why}; it stopped at {run['studies']:,} of {row.size:,} "
            f"(partial fetch: {run['requests']} requests, {run['bytes'] / 1e6:.1f} MB, "
            f"{run['wall']:.2f} s)")


def table(rows: list[Row], baseline: dict[tuple[int, float], Row]) -> list[str]:
    lines = [
        "| contender | studies | latency | wall s | requests | MB received | peak MB "
        "| ratio vs trialfinder | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        c = row.contender
        lat = f"{row.latency * 1000:.0f} ms"
        if not row.ok_runs:
            err = row.runs[0].get("error", "failed") if row.runs else "not run"
            lines.append(f"| {c.label} | n/a | {lat} | n/a | n/a | n/a | n/a | n/a | "
                         f"n/a: failed: {err} |")
            continue
        run = row.ok_runs[0]
        if not row.complete:
            lines.append(f"| {c.label} | {run['studies']:,} of {row.size:,} | {lat} | n/a | n/a "
                         f"| n/a | n/a | n/a | {_why_incomplete(row)} |")
            continue
        base = baseline[(row.size, row.latency)]
        wall = row.median("wall")
        ratio = wall / base.median("wall") if base.ok_runs else float("nan")
        notes = [run.get("note", "")]
        if c.key == "tf_warm":
            cold = next((r for r in rows if r.contender.key == "tf_cold"
                         and (r.size, r.latency) == (row.size, row.latency)), None)
            if cold is not None and cold.ok_runs:
                notes.append(f"warm/cold = {wall / cold.median('wall'):.0%}")
        lines.append(
            f"| {c.label} | {run['studies']:,} | {lat} | {_f(wall)} | {run['requests']} | "
            f"{_f(run['bytes'] / 1e6, 1)} | {_f(row.peak(), 0)} | {ratio:.2f}x | "
            f"{'; '.join(n for n in notes if n)} |"
        )
    return lines


def details(rows: list[Row]) -> list[str]:
    lines = [
        "| contender | studies | latency | runs (wall s) | import s | RSS after imports MB "
        "| stand-in busy s | DataFrame rows x cols | requests by path |",
        "|---|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        ok = row.ok_runs
        if not ok:
            continue
        run = ok[0]
        paths = ", ".join(f"{p.removeprefix('/api/v2')} {n}" for p, n in run["paths"].items())
        lines.append(
            f"| {row.contender.label} | {row.size:,} | {row.latency * 1000:.0f} ms | "
            f"{', '.join(_f(r['wall']) for r in ok)} | {_f(row.median('import_s'))} | "
            f"{_f(row.median('base_mb'), 0)} | {_f(row.median('server_s'))} | "
            f"{run['rows']:,} x {run['cols']} | {paths} |"
        )
    return lines


def targets(rows: list[Row]) -> tuple[list[str], list[str]]:
    """Text on each target per scenario, and a list of check failures."""
    lines: list[str] = []
    problems: list[str] = []
    scenarios = sorted({(r.size, r.latency) for r in rows})
    for size, lat in scenarios:
        here = {r.contender.key: r for r in rows if (r.size, r.latency) == (size, lat)}
        tf, cold, warm = here.get("tf"), here.get("tf_cold"), here.get("tf_warm")
        head = f"- **{size:,} studies, {lat * 1000:.0f} ms latency**: "
        if tf is None or not tf.complete:
            lines.append(head + "trialfinder did not complete; no comparison.")
            problems.append(f"trialfinder incomplete at {size}/{lat}")
            continue
        limit = math.ceil(size / PAGE_CAP) + 1
        for r in (tf, cold):
            if r is not None and r.ok_runs and r.ok_runs[0]["requests"] > limit:
                problems.append(f"{r.contender.label} made {r.ok_runs[0]['requests']} requests "
                                f"at {size}/{lat}; the bound is {limit}")
        peers = [here[k] for k in PEERS if k in here and here[k].complete]
        tf_req = tf.ok_runs[0]["requests"]
        fewest = min((p.ok_runs[0]["requests"] for p in peers), default=tf_req)
        req_ok = tf_req <= fewest
        req = (f"requests {tf_req} (bound ceil(N/1000)+1 = {limit}) vs fewest peer {fewest}: "
               f"**{'met' if req_ok else 'not met'}**")
        tf_wall, tf_peak = tf.median("wall"), tf.peak()
        speed = []
        for p in peers:
            ratio = p.median("wall") / tf_wall
            good = ratio >= 2 and tf_peak < p.peak()
            speed.append(f"{p.contender.label} {ratio:.2f}x, peak {tf_peak:.0f} vs "
                         f"{p.peak():.0f} MB {'(met)' if good else '(not met)'}")
        all_fast = all(p.median("wall") / tf_wall >= 2 and tf_peak < p.peak() for p in peers)
        fast = (f">= 2x faster with less peak memory than every complete peer: "
                f"**{'met' if all_fast else 'not met'}** ({'; '.join(speed) or 'no peer'})")
        warm_txt = "warm cache: not measured"
        if cold is not None and warm is not None and cold.ok_runs and warm.ok_runs:
            share = warm.median("wall") / cold.median("wall")
            share_nc = warm.median("wall") / tf_wall
            warm_txt = (f"warm cache {share:.0%} of the cold cached run and {share_nc:.0%} of "
                        f"the no-cache run (target <= 10%): "
                        f"**{'met' if share <= 0.10 else 'not met'}**")
        lines.append(head + "; ".join([req, fast, warm_txt]) + ".")
    return lines, problems


def floor_section(floor: dict[str, Any] | None, size: int) -> list[str]:
    if floor is None:
        return []
    if "error" in floor:
        return ["## Normalization vs the JSON-parse floor", "", f"Failed: {floor['error']}", ""]
    lines = [
        "## Normalization vs the JSON-parse floor",
        "",
        f"The pages trialfinder receives for {floor['studies']:,} studies "
        f"({floor['mb']:.1f} MB, `fields` = LIST_FIELDS, pageSize 1000; {floor['sites']:,} "
        "site rows), timed in a fresh process with `best_of` from `bench_normalize.py` "
        "(best of 3).",
        "",
        "| step | GC off s | GC on s |",
        "|---|---:|---:|",
        f"| orjson.loads on every page (the floor) | {floor['parse']:.2f} | "
        f"{floor['parse_gc']:.2f} |",
        "| trialfinder.registries.ctgov.normalize() on the parsed records | "
        f"{floor['normalize']:.2f} | "
        f"{floor['normalize_gc']:.2f} |",
        f"| normalize / parse | {floor['normalize'] / floor['parse']:.1f}x | "
        f"{floor['normalize_gc'] / floor['parse_gc']:.1f}x |",
        "",
    ]
    full = floor.get("full")
    if full:
        lines += [
            f"Full records for reference (`bench_normalize.bench_10k`, {full['n']:,} studies, "
            f"{full['mb']:.0f} MB, GC off): orjson.loads {full['parse']:.2f} s, normalize() "
            f"{full['normalize']:.2f} s ({full['normalize'] / full['parse']:.2f}x the parse; "
            f"GC on {full['normalize_gc']:.2f} s), pd.json_normalize {full['json_normalize']:.2f}"
            " s.",
            "",
        ]
    if size != floor["studies"]:
        lines += [f"(Measured at {floor['studies']:,} studies, the largest size of this run.)",
                  ""]
    return lines


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1,000 studies, one run each, no full-record floor")
    parser.add_argument("--sizes", help="comma-separated study counts (default 1000,10000)")
    parser.add_argument("--latencies", default="0,0.2",
                        help="seconds added per request, comma-separated (default 0,0.2)")
    parser.add_argument("--repeat", type=int, help="runs per contender (default 3; quick 1)")
    parser.add_argument("--condition", help="the query (default: disc for shared data, muscle "
                        "for the demo data)")
    parser.add_argument("--data", choices=("auto", "shared", "demo"), default="auto")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--code-label", default="",
                        help="what the code measured is, when trialfinder comes from PYTHONPATH "
                        "(e.g. a `git archive` snapshot of a commit)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    code_state = _code_state() + (f"; {args.code_label}" if args.code_label else "")
    src_before = _src_digest()
    sizes = [int(s.replace("_", "")) for s in (args.sizes or ("1000" if args.quick else
                                                              "1000,10000")).split(",")]
    latencies = [float(x) for x in args.latencies.split(",")]
    repeat = args.repeat or (1 if args.quick else 3)
    source = args.data
    if source == "auto":
        source = "shared" if find_shared_dir() is not None else "demo"
    records = load_dataset(source)
    condition = args.condition or CONDITIONS[source]
    matches = matching(records, condition)
    if not matches:
        print(f"run.py: no {source} record matches condition {condition!r}", file=sys.stderr)
        return 2
    queries = [
        {"query.cond": condition},  # trialfinder, requests
        {"query.cond": f"({condition})"},  # ctgforge: F.condition.contains
        {"query.term": f"AREA[ConditionSearch]{condition}"},  # pytrials, ctgov
    ]
    rows: list[Row] = []
    profiles: list[str] = []
    floor: dict[str, Any] | None = None
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    for size in sizes:
        studies = replicate(matches, size)
        timed = TimedServer(studies)
        try:
            timed.warm_up(queries)
            for params in queries:  # every contender's query must match every study served
                body = timed.server.api.handle(
                    "/api/v2/studies", urlencode(params | {"countTotal": "true",
                                                          "pageSize": "1"})).body
                total = orjson.loads(body).get("totalCount")
                if total != size:
                    raise SystemExit(f"run.py: {params} matches {total} of {size} studies")
            timed.reset()
            for latency in latencies:
                timed.server.faults = Faults(latency=latency)
                scenario = {c.key: Row(c, size, latency) for c in CONTENDERS}
                for r in range(repeat):
                    cache_dir = tempfile.mkdtemp(prefix="tf-bench-cache-")
                    try:
                        for c in CONTENDERS:
                            result = measure(timed, c, condition, size,
                                             cache_dir if c.cache else None)
                            scenario[c.key].runs.append(result)
                            shown = result.get("error") or (
                                f"{result['wall']:.2f} s, {result['requests']} requests, "
                                f"{result['bytes'] / 1e6:.1f} MB, peak {result['peak_mb']:.0f} MB")
                            log(f"[{time.perf_counter() - started:5.0f} s] {size:>6,} studies "
                                f"{latency * 1000:3.0f} ms run {r + 1}/{repeat} {c.label}: {shown}")
                    finally:
                        shutil.rmtree(cache_dir, ignore_errors=True)
                rows.extend(scenario.values())
                slower = slower_than(scenario)
                if slower:
                    profiles.append(profile_trialfinder(timed, condition, size, latency, slower))
            if size == max(sizes):
                timed.server.faults = Faults()
                log(f"[{time.perf_counter() - started:5.0f} s] normalization floor at {size:,}")
                extra = [] if args.quick or size != 10_000 else ["--full"]
                floor = run_child("floor.py", [timed.server.base_url, condition, *extra])
        finally:
            timed.server.close()

    command = shlex.join(["benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
    baseline = {(r.size, r.latency): r for r in rows if r.contender.key == "tf"}
    target_lines, problems = targets(rows)
    shared_note = (
        f"{len(matches)} real recorded studies from shared/ctgov that match "
        f"`query.cond={condition}` (of {len(records)} recorded)"
        if source == "shared" else
        f"**FALLBACK: shared/ctgov was not found, so these are the {len(matches)} fictional demo "
        f"studies that match `query.cond={condition}` (of {len(records)})**"
    )
    versions = ", ".join(f"{name} {dist_version(name)}" for name in
                         ("trialfinder", "requests", "pandas", "orjson", "pytrials", "ctgforge",
                          "ctgov"))
    text = "\n".join([
        "# trialfinder vs peers: every match of one query into a pandas DataFrame",
        "",
        f"Data: {shared_note}, replicated with `standin.replicate` to "
        f"{', '.join(f'{s:,}' for s in sizes)} studies (copies get fictional NCT99xxxxxx ids). "
        "The stand-in serves only those, so each contender's query matches every study served "
        "(checked before timing). Stand-in: in this process on 127.0.0.1, page cap 1000, "
        "latency added per request as shown. Each contender runs in a fresh subprocess; "
        f"median wall of {repeat} run(s), peak = highest of them.",
        "",
        f"Machine: {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}; "
        f"{versions}. Load average (1 min) {load_before:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (a run keeps about one CPU busy itself). "
        f"Code measured: {code_state}"
        f"{'' if _src_digest() == src_before else ' (**src/ CHANGED DURING THE RUN**)'}.",
        "",
        *table(rows, baseline),
        "",
        "Columns: **wall s** = first library call to finished DataFrame (imports excluded, "
        "median); **requests** and **MB received** = what the stand-in answered and sent "
        "(response bodies) during that run; **peak MB** = peak resident set (VmHWM) of the "
        "contender's process, interpreter and imports included; **ratio vs trialfinder** = "
        "wall / trialfinder's wall (no cache) in the same scenario, so above 1 means slower than "
        "trialfinder.",
        "",
        "## Targets",
        "",
        *target_lines,
        "",
        "Checks: " + ("trialfinder made at most ceil(N/1000)+1 requests everywhere; every "
                      "complete contender got every study." if not problems else
                      "**FAILED**: " + "; ".join(problems)),
        "",
        *floor_section(floor, max(sizes)),
        *(["## Where trialfinder's time goes where a peer was faster", "", *profiles]
          if profiles else []),
        "## Details",
        "",
        *details(rows),
        "",
        "stand-in busy s = time the stand-in spent building answers (matching, `fields` "
        "pruning, JSON encoding), which shares the machine with the contender.",
        "",
        f"Generated by `{command}` in {time.perf_counter() - started:.0f} s.",
        "",
    ])
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 1 if problems else 0


def _package_dir() -> Path:
    import trialfinder

    return Path(trialfinder.__file__).resolve().parent


def _code_state() -> str:
    """The trialfinder measured: this checkout's commit plus any uncommitted change under src/
    (read-only git calls), or the folder it was imported from (PYTHONPATH=... for a snapshot)."""
    package = _package_dir()
    if not package.is_relative_to(HERE.parent):
        return f"trialfinder imported from {package} (not this checkout)"

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, timeout=30,
                                  cwd=HERE.parent).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = [line.split(maxsplit=1)[-1]
             for line in git("status", "--porcelain", "--", "src").splitlines() if line.strip()]
    if not dirty:
        return f"commit {commit}, src/ clean"
    return f"commit {commit} plus uncommitted changes in {', '.join(dirty)}"


def _src_digest() -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(_package_dir().rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
