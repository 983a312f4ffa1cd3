"""Fetch-to-CSV as whole processes: ``trialfinder search ... --output`` beside a plain script.

    .venv/bin/python benchmarks/bench_csv.py [--studies 10160] [--repeat 3] [--profile]

A stand-in (``devtools.standin``, page cap 1000) runs in its own process on 127.0.0.1 and
serves the real recorded records of ../shared/ctgov that it says match ``query.cond=disc``
(read at run time, never copied; the fictional demo set and ``muscle`` when absent), replicated
with ``standin.replicate`` to ``--studies``. So the query matches every study served; the
script checks ``totalCount`` before timing. Three contenders, each a fresh process:

1. ``plain_csv.py``: requests + ``json.loads`` + ``pandas.json_normalize`` + ``to_csv``;
2. ``trialfinder search --condition disc --all --output out.csv --no-cache``;
3. the same with the cache on, in an empty cache folder (a cold cache: it is filled).

Every run gets fresh temporary ``TRIALFINDER_DATA_DIR``, cache and output folders, and
Python's default bytecode caching (``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment: a package installed by pip, as the script's are, is compiled already). The runs
are interleaved (one of each per round) after one untimed warm-up round, so the stand-in's
per-record JSON cache and the OS file cache favour no one. Wall time is the median over
``--repeat`` rounds of spawn to exit (interpreter start and imports included); peak RSS is the
highest ``ru_maxrss`` from ``os.wait4`` (this driver imports neither pandas nor trialfinder and
stays small, so the parent's own resident size, which Linux folds into a child's
``ru_maxrss``, is far below every child's peak). ``--profile`` adds a cProfile run of the CLI
with the cache off and one with it on (not timed), each split by phase. Writes
``benchmarks/results/csv.md``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results" / "csv.md"
PAGE_CAP = 1000
CONDITIONS = {"shared": "disc", "demo": "muscle"}
TARGET_RATIO = 0.3
TARGET_PEAK_MB = 300.0

# cProfile phases: the first rule whose file fragment and function name match a frame gets
# its cumulative time (checked in this order, so an inner phase is taken out of an outer one)
PHASES: list[tuple[str, str, str]] = [
    ("CSV write", "trialfinder/tables/export.py", "write_export"),
    ("filters", "trialfinder/tables/filters.py", "apply_filters"),
    ("normalize", "trialfinder/tables/normalize.py", "normalize"),
    ("join pages", "trialfinder/tables/normalize.py", "build"),
    ("parse (JSON)", "", "orjson.loads"),
    ("fetch (HTTP)", "requests/sessions.py", "send"),
    ("HTTP cache: store pages (cache on)", "requests_cache/backends/base.py", "save_response"),
    ("HTTP cache: density check", "trialfinder/http/density.py", "too_dense"),
    ("saved tables: write (cache on)", "trialfinder/cache/tablecache.py", "put"),
]


@dataclass
class Contender:
    key: str
    label: str
    # wall s, peak MB, CSV rows, CPU s (user + system)
    runs: list[tuple[float, float, int, float]] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r[0] for r in self.runs)

    @property
    def peak(self) -> float:
        return max(r[1] for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r[3] for r in self.runs)

    @property
    def rows(self) -> int:
        return self.runs[-1][2]


# -- the stand-in, in its own process ---------------------------------------------------------


def serve(source: str, condition: str, size: int, page_cache: bool) -> None:
    """(child) Serve the records matching ``condition``, replicated to ``size``."""
    sys.path.insert(0, str(ROOT))
    from devtools.standin import StandInApi, StandInServer, load_dataset, replicate

    records = load_dataset(source)
    probe = StandInApi(records, max_page_size=PAGE_CAP)
    params = {"query.cond": condition, "fields": "NCTId", "pageSize": str(PAGE_CAP)}
    body = json.loads(probe.handle("/api/v2/studies", urlencode(params)).body)
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]}
    matches = [r for r in records if r["protocolSection"]["identificationModule"]["nctId"] in ids]
    del probe, records
    server = StandInServer(replicate(matches, size), max_page_size=PAGE_CAP)
    if page_cache:
        # Answer a repeated request from memory: after the warm-up round neither side waits
        # for the stand-in's pure-Python ``fields`` pruning (about 0.3 s a page here, a cost of
        # this stand-in and not of the clients measured). Pages are deterministic (no faults).
        handle = server.api.handle
        answers: dict[tuple[str, str], Any] = {}

        def memo(path: str, query: str = "") -> Any:
            key = (path, query)
            if key not in answers:
                answers[key] = handle(path, query)
            return answers[key]

        server.api.handle = memo  # type: ignore[method-assign]
    server.start()
    sites = [len((r["protocolSection"].get("contactsLocationsModule") or {}).get("locations")
                  or ()) for r in matches]
    print(server.base_url, len(matches), sum(sites), max(sites, default=0), flush=True)
    server.serve_until_interrupted()


def start_standin(source: str, condition: str, size: int,
                  page_cache: bool) -> tuple[subprocess.Popen[str], str, tuple[int, int, int]]:
    """The stand-in's process, base URL and (matching studies, their sites, most sites in one
    study) before replication."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", source, condition, str(size),
         "cache" if page_cache else "no-cache"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if not line or not line[0].startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"bench_csv: the stand-in did not start: {line!r}")
    return proc, line[0], (int(line[1]), int(line[2]), int(line[3]))


def get_json(url: str, params: dict[str, str]) -> Any:
    with urllib.request.urlopen(f"{url}?{urlencode(params)}", timeout=120) as reply:
        return json.loads(reply.read())


def count_matches(base: str, condition: str) -> int:
    """The ``totalCount`` the stand-in reports for the query (a one-study page, so this
    driver stays small: its own resident size is folded into its children's ``ru_maxrss``)."""
    params = {"query.cond": condition, "pageSize": "1", "countTotal": "true"}
    return int(get_json(f"{base}/studies", params)["totalCount"])


# -- one contender in one process --------------------------------------------------------------


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Python caches compiled modules unless told not to; some shells and containers (this
    # one) tell it not to, which makes every run compile trialfinder anew, a cost the peers
    # in site-packages (compiled at install) never pay and users do not pay after a first run
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "TRIALFINDER_DATA_DIR": str(tmp / "data"),
        "TRIALFINDER_CACHE_DIR": str(tmp / "cache"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp / "xdg-data"),
        "TRIALFINDER_RATE": "1000000",  # no pacing: the plain script does not pace either
        "TRIALFINDER_TIMEOUT": "120",
    })
    return env


def command(key: str, base: str, condition: str, out: Path, tmp: Path) -> list[str]:
    if key == "script":
        return [sys.executable, str(HERE / "plain_csv.py"), base, condition, str(out)]
    cli = [sys.executable, "-m", "trialfinder.cli.main", "search", "--condition", condition,
           "--all", "--output", str(out), "--base-url", base]
    if key == "cli":
        return [*cli, "--no-cache"]
    return [*cli, "--cache-dir", str(tmp / "cache")]


def csv_rows(path: Path) -> int:
    # the script writes whole lists (every site of a study) into one field: no cap on a field
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1  # less the header


def run_once(key: str, base: str, condition: str) -> tuple[float, float, int, float]:
    """(wall s, peak MB, CSV rows, CPU s) of one process in fresh temporary folders."""
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as name:
        tmp = Path(name)
        for sub in ("data", "cache", "xdg-cache", "xdg-data"):
            (tmp / sub).mkdir()
        out = tmp / "out.csv"
        started = time.perf_counter()
        proc = subprocess.Popen(command(key, base, condition, out, tmp), env=_env(tmp),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"bench_csv: {key} failed ({proc.returncode}): {err[-500:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss / 1024, csv_rows(out), cpu


# -- profile -----------------------------------------------------------------------------------


Profile = tuple[list[tuple[str, float]], float, str]


def profile_cli(key: str, base: str, condition: str) -> Profile:
    """Run the CLI (``cli`` or ``cli-cache``) under cProfile in a child, in fresh folders;
    (phase seconds, total, top lines)."""
    with tempfile.TemporaryDirectory(prefix="bench-csv-prof-") as name:
        tmp = Path(name)
        for sub in ("data", "cache"):
            (tmp / sub).mkdir()
        stats_file = tmp / "cli.prof"
        argv = command(key, base, condition, tmp / "out.csv", tmp)[3:]
        code = ("import cProfile, sys\nfrom trialfinder.cli.main import main\n"
                f"sys.argv = ['trialfinder', *{argv!r}]\n"
                f"cProfile.run('rc = main(sys.argv[1:])', {str(stats_file)!r})\n")
        subprocess.run([sys.executable, "-c", code], env=_env(tmp), cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stats = pstats.Stats(str(stats_file))
    return phases(stats)


def phases(stats: pstats.Stats) -> Profile:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in table.values())
    found: list[tuple[str, float]] = []
    for label, fragment, name in PHASES:
        seconds = 0.0
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in table.items():
            if (func == name or name in func) and fragment in file.replace(os.sep, "/"):
                seconds = max(seconds, ct)
        found.append((label, seconds))
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(15)
    top = "\n".join(line for line in text.getvalue().splitlines()
                    if line.strip() and not line.startswith(("   Ordered", "         ")))
    return found, total, top


# -- report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, "
            f"Python {platform.python_version()}")


def report(contenders: list[Contender], *, source: str, condition: str, size: int,
           base_count: tuple[int, int, int], loads: tuple[float, float], repeat: int,
           profiles: dict[str, Profile]) -> str:
    studies, sites, most = base_count
    script = contenders[0]
    lines = [
        "# Fetch to CSV: `trialfinder search --output` beside a plain script",
        "",
        f"Data: {studies} real recorded studies from shared/ctgov that the stand-in says "
        f"match `query.cond={condition}` ({sites / studies:.1f} sites a study, at most {most:,} "
        f"in one), replicated with `standin.replicate` to {size:,} "
        "(copies get fictional NCT99xxxxxx ids); every study served matches the query "
        "(checked with `totalCount` before timing)."
        if source == "shared" else
        f"Data: **the fictional demo set**: {studies} studies matching "
        f"`query.cond={condition}` ({sites / studies:.1f} sites a study, at most {most:,} in "
        f"one), replicated to {size:,}; a site-heavy stress test, not real records.",
        "Stand-in: its own process on 127.0.0.1, page cap 1000, no added latency. Each "
        "contender is a whole process (interpreter start and imports included) with fresh "
        "temporary `TRIALFINDER_DATA_DIR`, cache and output folders; one untimed warm-up round, "
        f"then {repeat} interleaved rounds. Wall = median; peak = highest `ru_maxrss` in MiB "
        "(`os.wait4`). The CLI runs with `TRIALFINDER_RATE=1000000` (no pacing; the script "
        "does not pace either).",
        "",
        f"Machine: {machine()}. Load average (1 min) {loads[0]:.2f} at the start, "
        f"{loads[1]:.2f} at the end (shared machine: other jobs ran at the same time, so wall "
        "times are pessimistic; memory is not affected).",
        "",
        "| process | command | wall s (median) | runs s | CPU s (median) | peak RSS MiB | "
        "CSV rows | wall vs script | CPU vs script |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    commands = {
        "script": f"`python benchmarks/plain_csv.py URL {condition} out.csv`",
        "cli": f"`trialfinder search --condition {condition} --all --output out.csv "
               "--no-cache`",
        "cli-cache": f"`trialfinder search --condition {condition} --all --output out.csv "
                     "--cache-dir EMPTY`",
    }
    for c in contenders:
        runs = ", ".join(f"{r[0]:.2f}" for r in c.runs)
        lines.append(f"| {c.label} | {commands[c.key]} | {c.wall:.2f} | {runs} | "
                     f"{c.cpu:.2f} | {c.peak:,.0f} | {c.rows:,} | "
                     f"{c.wall / script.wall:.2f}x | {c.cpu / script.cpu:.2f}x |")
    lines += [
        "",
        "CPU = user + system seconds of the process (`os.wait4`); it depends much less on what "
        "else the machine runs than wall time does, so its ratio is the steadier one. Neither "
        "counts the stand-in's own work (its own process).",
        "", "## Targets (issue 11, item 5)", ""]
    for c in contenders[1:]:
        ratio = c.wall / script.wall
        lines.append(
            f"- {c.label}: wall {ratio:.2f}x the script's (target <= {TARGET_RATIO}x): "
            f"**{'met' if ratio <= TARGET_RATIO else 'not met'}** (CPU "
            f"{c.cpu / script.cpu:.2f}x); peak {c.peak:,.0f} MiB "
            f"(target <= {TARGET_PEAK_MB:.0f} MB, read as MiB): "
            f"**{'met' if c.peak <= TARGET_PEAK_MB else 'not met'}**.")
    rows_ok = all(c.rows == size for c in contenders)
    lines.append(f"- Every process wrote {size:,} CSV rows: **{'yes' if rows_ok else 'NO'}** "
                 "(one row per study; the script's columns are every flattened JSON path, "
                 "the CLI's are its studies table).")
    for key, (found, total, top) in profiles.items():
        label = next(c.label for c in contenders if c.key == key)
        lines += [
            "",
            f"## Where the time goes: {label} (cProfile, one untimed run)",
            "",
            f"Profiled `main()` total {total:.2f} s (cProfile slows Python code down, so the "
            "shares matter more than the seconds). Each phase is the cumulative time of one "
            "function; parsing and normalizing run inside the fetch loop's page callback, and "
            "the HTTP cache's work inside the fetch, so phases overlap and do not add up:",
            "",
            "| phase | function | s | share |",
            "|---|---|---:|---:|",
        ]
        for (phase, seconds), (_, fragment, name) in zip(found, PHASES, strict=True):
            if seconds == 0 and "(cache on)" in phase:
                continue
            where = f"{fragment.split('/')[-1]}:{name}" if fragment else name
            lines.append(f"| {phase} | `{where}` | {seconds:.2f} | {seconds / total:.0%} |")
        lines += ["", "Top functions by own time:", "", "```", top, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10_160)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", choices=("auto", "shared", "demo"), default="auto")
    parser.add_argument("--profile", action="store_true",
                        help="add a cProfile breakdown by phase of the CLI, cache off and on")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-page-cache", action="store_true",
                        help="the stand-in builds every answer anew (its fields pruning is "
                        "then part of the CLI's wall time)")
    parser.add_argument("--serve", nargs=4, metavar=("SOURCE", "CONDITION", "N", "CACHE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]), args.serve[3] == "cache")
        return 0
    sys.path.insert(0, str(ROOT))
    from devtools.standin import find_shared_dir

    source = args.data if args.data != "auto" else (
        "shared" if find_shared_dir() else "demo")
    condition = CONDITIONS[source]
    load_start = os.getloadavg()[0]
    page_cache = not args.no_page_cache
    standin, base, base_count = start_standin(source, condition, args.studies, page_cache)
    contenders = [Contender("script", "requests + json.loads + json_normalize + to_csv"),
                  Contender("cli", "trialfinder CLI, cache off"),
                  Contender("cli-cache", "trialfinder CLI, cache on (cold)")]
    try:
        total = count_matches(base, condition)
        if total != args.studies:
            raise SystemExit(f"bench_csv: the stand-in matches {total} of {args.studies}")
        for round_ in range(args.repeat + 1):
            for c in contenders:
                wall, peak, rows, cpu = run_once(c.key, base, condition)
                print(f"round {round_}{' (warm-up)' if not round_ else ''}: {c.label}: "
                      f"{wall:.2f} s, CPU {cpu:.2f} s, peak {peak:.0f} MB, {rows:,} rows",
                      flush=True)
                if round_:
                    c.runs.append((wall, peak, rows, cpu))
        profiles = {key: profile_cli(key, base, condition)
                    for key in (("cli", "cli-cache") if args.profile else ())}
    finally:
        standin.terminate()
        standin.wait(30)
    load_end = os.getloadavg()[0]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"driver's own peak RSS: {own:.0f} MB", flush=True)
    text = report(contenders, source=source, condition=condition, size=args.studies,
                  base_count=base_count, loads=(load_start, load_end), repeat=args.repeat,
                  profiles=profiles)
    text += (f"\nThe driver's own peak RSS was {own:.0f} MB (an upper bound on what it adds "
             "to a child's `ru_maxrss`).\n")
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
