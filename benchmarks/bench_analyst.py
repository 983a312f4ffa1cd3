"""The analyst's job as whole processes: every study of a search into one file, side by side.

    .venv/bin/python benchmarks/bench_analyst.py                      # 10,000 and 100,000
    .venv/bin/python benchmarks/bench_analyst.py --sizes 10000 --repeat 5
    .venv/bin/python benchmarks/bench_analyst.py --quick              # 2,000 studies, one run

A stand-in (``devtools.standin``, page cap 1000) runs in its own process on 127.0.0.1 and
serves the real recorded records of ../shared/ctgov that it says match ``query.cond=disc``
(the fictional demo set and ``muscle`` when they are absent), copied up to each size
(``standin.Replicas``: fictional NCT99xxxxxx ids, each copy built when served). It answers a
repeated request from memory, keyed by its parameters in any order, so after one untimed
warm-up walk of each contender's pages nobody waits for its pure-Python ``fields`` pruning.

Contenders, each a whole process (interpreter start and imports included) in fresh temporary
data, cache and output folders, run in turn, the order rotating from round to round:

- ``floor``: ``floor.py --process``: requests + ``orjson.loads`` of the very pages
  trialfinder asks for (same query, same ``fields``), nothing else;
- ``trialfinder search --condition disc --all --output x.csv`` with the default settings
  (the HTTP cache on, in an empty folder, and the study store on), and the same with
  ``--no-cache``; then ``x.jsonl`` and ``x.parquet`` (cache on); and ``tf-repeat``, the
  default command run a second time in the same folders (the first run untimed), which the
  saved tables answer;
- ``least``: ``least_csv.py``: the floor's requests and parsing, then the same 51 columns
  read by plain dictionary lookups and written by ``csv.writer`` (no cache, no checks): the
  least a Python client pays for this output;
- ``ctgov`` (PyPI) to CSV, two ways (``peer_csv.py``): rows streamed into ``csv.DictWriter``,
  and rows into a pandas DataFrame and ``to_csv``;
- the plain script ``plain_csv.py``: requests + ``json.loads`` + ``pandas.json_normalize`` +
  ``to_csv`` (full records, no ``fields``).

CPU = user + system seconds of the process and the children it waited for (``os.wait4``), the
steadier figure on a shared machine; wall = spawn to exit; peak = ``ru_maxrss`` in MiB (the
driver imports neither pandas nor trialfinder and stays small; its own peak is printed).
The header says how busy the machine was: the CPU time every other process used during the
run (from /proc/stat), as cores. Writes ``benchmarks/results/analyst.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results" / "analyst.md"
PAGE_CAP = 1000
CONDITIONS = {"shared": "disc", "demo": "muscle"}
#: The key suffix of a contender run from ``--old-src``.
OLD = "@old"
#: The key suffix of a contender run by ``--core-python`` (an install without pyarrow).
CORE = "@core"
#: The interpreter of the ``CORE`` rows (set from ``--core-python``).
CORE_PYTHON: list[str] = []
# targets of issue 22
CPU_VS_FLOOR = 1.6
CPU_VS_CTGOV = 0.5
PEAK_GROWTH = 1.1
PEAK_MB_SMALL = 250.0


@dataclass(frozen=True)
class Contender:
    key: str
    label: str
    output: str = ".csv"  # the file's ending (none for the floor)
    heavy: bool = False  # holds every study at once: one run at the largest size


CONTENDERS = (
    Contender("floor", "floor: requests + orjson.loads, same pages (floor.py)", ""),
    Contender("tf", "trialfinder, default settings (cache on, empty)"),
    Contender("tf-nocache", "trialfinder --no-cache"),
    Contender("tf-jsonl", "trialfinder, default settings, .jsonl", ".jsonl"),
    Contender("tf-parquet", "trialfinder, default settings, .parquet", ".parquet"),
    Contender("tf-repeat", "trialfinder, default settings, run again (saved tables answer)"),
    Contender("least", "the least for these columns: requests + orjson + csv.writer "
                       "(least_csv.py)"),
    Contender("ctgov", "ctgov -> csv.DictWriter (peer_csv.py)"),
    Contender("ctgov-pandas", "ctgov -> pandas to_csv (peer_csv.py)"),
    Contender("plain", "requests + json_normalize + to_csv (plain_csv.py)", heavy=True),
)


@dataclass
class Run:
    cpu: float = 0.0
    wall: float = 0.0
    peak: float = 0.0
    rows: int = 0
    error: str = ""


@dataclass
class Row:
    contender: Contender
    size: int
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if not r.error]

    def median(self, name: str) -> float:
        return statistics.median(getattr(r, name) for r in self.ok)

    @property
    def peak(self) -> float:
        return max(r.peak for r in self.ok)


# -- the stand-in, in its own process ---------------------------------------------------------


def serve(source: str, condition: str, size: int) -> None:
    """(child) Serve the records matching ``condition``, copied up to ``size``, answering a
    repeated request from memory."""
    sys.path.insert(0, str(ROOT))
    from devtools.standin import Replicas, StandInApi, StandInServer, load_dataset

    records = load_dataset(source)
    probe = StandInApi(records, max_page_size=PAGE_CAP)
    params = {"query.cond": condition, "fields": "NCTId", "pageSize": str(PAGE_CAP)}
    body = json.loads(probe.handle("/api/v2/studies", urlencode(params)).body)
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]}
    matches = [r for r in records if r["protocolSection"]["identificationModule"]["nctId"] in ids]
    del probe, records
    server = StandInServer(Replicas(matches, size), max_page_size=PAGE_CAP)
    handle = server.api.handle
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}

    def memo(path: str, query: str = "") -> Any:
        key = (path, tuple(sorted(parse_qsl(query, keep_blank_values=True))))
        if key not in answers:
            answers[key] = handle(path, query)
            # the stand-in keeps each full record's JSON too: the pages kept here hold it
            # already (at 100,000 studies that copy is another 1.3 GB)
            getattr(server.api, "_full_json", {}).clear()
        return answers[key]

    server.api.handle = memo  # type: ignore[method-assign]
    server.start()
    sites = [len((r["protocolSection"].get("contactsLocationsModule") or {}).get("locations")
                  or ()) for r in matches]
    print(server.base_url, len(matches), sum(sites), flush=True)
    server.serve_until_interrupted()


def start_standin(source: str, condition: str,
                  size: int) -> tuple[subprocess.Popen[str], str, tuple[int, int]]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", source, condition, str(size)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if not line or not line[0].startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"bench_analyst: the stand-in did not start: {line!r}")
    return proc, line[0], (int(line[1]), int(line[2]))


_TOKEN = re.compile(rb'"nextPageToken":"([^"]+)"')


def walk(base: str, params: dict[str, str]) -> int:
    """Ask for every page of one query (the memo keeps them); the studies' count is not
    parsed, only the bytes and the next token (the driver stays small)."""
    pages = 0
    while True:
        with urllib.request.urlopen(f"{base}/studies?{urlencode(params)}", timeout=900) as reply:
            body = reply.read()
        pages += 1
        found = _TOKEN.search(body, max(0, len(body) - 4096))
        if found is None:
            return pages
        params = {k: v for k, v in params.items() if k != "countTotal"}
        params["pageToken"] = found.group(1).decode()


def total_count(base: str, condition: str) -> int:
    params = {"query.cond": condition, "pageSize": "1", "countTotal": "true"}
    with urllib.request.urlopen(f"{base}/studies?{urlencode(params)}", timeout=900) as reply:
        return int(json.loads(reply.read())["totalCount"])


# -- one contender in one process -------------------------------------------------------------


def _env(tmp: Path, src: Path) -> dict[str, str]:
    env = dict(os.environ)
    # bytecode caching as Python does by default (see bench_csv.py)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)]),
        "TRIALFINDER_DATA_DIR": str(tmp / "data"),
        "TRIALFINDER_CACHE_DIR": str(tmp / "cache"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp / "xdg-data"),
        "TRIALFINDER_RATE": "1000000",  # no pacing: the peers do not pace either
        "TRIALFINDER_TIMEOUT": "900",
    })
    return env


def command(key: str, base: str, condition: str, out: Path, params_file: Path) -> list[str]:
    py = sys.executable
    if key.endswith(CORE):
        py, key = CORE_PYTHON[0], key.removesuffix(CORE)
    if key == "floor":
        return [py, str(HERE / "floor.py"), "--process", base, str(params_file)]
    if key == "least":
        return [py, str(HERE / "least_csv.py"), base, str(params_file), str(out)]
    if key in ("ctgov", "ctgov-pandas"):
        return [py, str(HERE / "peer_csv.py"), key, base, condition, str(out)]
    if key == "plain":
        return [py, str(HERE / "plain_csv.py"), base, condition, str(out)]
    key = key.removesuffix(OLD)  # the same command, run from --old-src
    # tf-repeat: the default command (run_once ran it once, untimed, in the same folders)
    cli = [py, "-m", "trialfinder", "search", "--condition", condition, "--all",
           "--output", str(out), "--base-url", base]
    return [*cli, "--no-cache"] if key == "tf-nocache" else cli


def count_rows(path: Path) -> int:
    if not path.exists():
        return 0
    if path.suffix == ".parquet":
        code = ("import sys, pyarrow.parquet as pq; "
                "print(pq.ParquetFile(sys.argv[1]).metadata.num_rows)")
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                              text=True, check=False)
        return int(done.stdout.strip() or 0)
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    csv.field_size_limit(1 << 30)  # the plain script writes whole lists into one field
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _busy_jiffies() -> tuple[int, int]:
    """(busy, all) jiffies of every CPU since boot (the first line of /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class Load:
    """The CPU time other processes used while the contenders ran (the stand-in included)."""

    def __init__(self) -> None:
        self.busy = 0.0  # seconds of CPU used by every process during the runs
        self.ours = 0.0  # of which the contenders'
        self.wall = 0.0

    def add(self, busy: float, ours: float, wall: float) -> None:
        self.busy, self.ours, self.wall = self.busy + busy, self.ours + ours, self.wall + wall

    @property
    def others_cores(self) -> float:
        return max(0.0, self.busy - self.ours) / self.wall if self.wall else 0.0


def run_once(key: str, suffix: str, base: str, condition: str, params_file: Path, src: Path,
             load: Load, timeout: float, *, extra: tuple[str, ...] = (),
             keep: Path | None = None) -> Run:
    """One process in fresh folders: its CPU, wall, peak and the rows it wrote (``extra``:
    more arguments for trialfinder; ``keep``: where to move the file it wrote)."""
    tick = os.sysconf("SC_CLK_TCK")
    with tempfile.TemporaryDirectory(prefix="bench-analyst-") as name:
        tmp = Path(name)
        for sub in ("data", "cache", "xdg-cache", "xdg-data"):
            (tmp / sub).mkdir()
        out = tmp / f"out{suffix or '.none'}"
        if key.removesuffix(CORE).removesuffix(OLD) == "tf-repeat":  # the first run, untimed
            subprocess.run(command(key, base, condition, out, params_file), env=_env(tmp, src),
                           cwd=ROOT, capture_output=True, check=False, timeout=timeout)
            out.unlink(missing_ok=True)
        with (tmp / "stdout").open("w+b") as stdout, (tmp / "stderr").open("w+b") as stderr:
            busy0, _ = _busy_jiffies()
            started = time.perf_counter()
            proc = subprocess.Popen([*command(key, base, condition, out, params_file), *extra],
                                    env=_env(tmp, src), cwd=ROOT, stdout=stdout, stderr=stderr)
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall = time.perf_counter() - started
            busy1, _ = _busy_jiffies()
            proc.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            said, complaint = stdout.read().decode("utf-8", "replace"), stderr.read()
        cpu = usage.ru_utime + usage.ru_stime
        peak = usage.ru_maxrss / 1024
        load.add((busy1 - busy0) / tick, cpu, wall)
        if proc.returncode != 0:
            text = complaint.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            if wall >= timeout:
                text = [f"killed after {timeout:.0f} s"]
            return Run(cpu=cpu, wall=wall, peak=peak, error=text[-1][:300])
        rows = (int(json.loads(said.split("RESULT ", 1)[1])["studies"])
                if key == "floor" else count_rows(out))
        if keep is not None and out.exists():
            shutil.move(out, keep)
        return Run(cpu=cpu, wall=wall, peak=peak, rows=rows)


# -- where the CPU goes -----------------------------------------------------------------------

#: What a search imports (the command loads these before its first page is read), and what the
#: floor imports.
SEARCH_IMPORTS = ("trialfinder.cli.main, trialfinder.service.searching, trialfinder.tables.export,"
                  " trialfinder.http.cachefile, trialfinder.cache.tablecache, "
                  "trialfinder.store.spool, requests_cache, pyarrow.parquet")
FLOOR_IMPORTS = "requests, orjson"


def import_cpu(modules: str, src: Path, times: int = 3) -> float:
    """Median CPU of a fresh process that imports ``modules`` and ends."""
    spent = []
    for _ in range(times):
        # one OpenBLAS thread, as the command asks for (cli.oneshot) before numpy loads
        env = _env(Path(tempfile.gettempdir()), src) | {"OPENBLAS_NUM_THREADS": "1"}
        # and everything frozen for the collector at the end, as the command does: else the
        # collection at exit walks every object the imports made (0.1 s and more here)
        code = f"import {modules}; import gc; gc.freeze()"
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
        _, _, usage = os.wait4(proc.pid, 0)
        spent.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(spent)


def phases(base: str, params_file: Path, src: Path) -> dict[str, float]:
    """``cpu_phases.py``'s step timings plus the imports of a search and of the floor."""
    done = subprocess.run([sys.executable, str(HERE / "cpu_phases.py"), base, str(params_file)],
                          env=_env(Path(tempfile.gettempdir()), src), cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if "RESULT " not in done.stdout:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": float("nan"), "why: " + tail[:200]: float("nan")}
    out: dict[str, float] = json.loads(done.stdout.split("RESULT ", 1)[1])
    out["imports, search"] = import_cpu(SEARCH_IMPORTS, src)
    out["imports, floor"] = import_cpu(FLOOR_IMPORTS, src)
    return out


_STEPS = (
    ("orjson.loads of each page (the floor does it too)", "parse every page with orjson "
     "(the floor pays it too)"),
    ("density check of each page", "density check of each page before it is parsed"),
    ("records read into table columns (Normalizer.add)", "records read into table columns "
     "(`Normalizer.add`)"),
    ("the tables made (Normalizer.tables)", "the tables made (`Normalizer.tables`)"),
    ("local filters (Results.from_tables)", "local filters (`Results.from_tables`)"),
    ("CSV bytes of the studies table", "CSV bytes of the studies table"),
    ("saved tables (Parquet, cache on)", "saved tables, Parquet (cache on)"),
    ("HTTP cache: the pages stored (cache on)", "HTTP cache: the pages stored (cache on)"),
)


def phases_section(found: dict[str, float], rows: list[Row], size: int) -> list[str]:
    head = [f"## Where the CPU goes at {size:,} studies", ""]
    if "error" in found:
        return [*head, "Not measured: " + next(k for k in found if k.startswith("why"))]
    by = {(r.contender.key, r.size): r for r in rows}
    tf, floor = by.get(("tf", size)), by.get(("floor", size))
    if tf is None or not tf.ok or floor is None or not floor.ok:
        return [*head, "Not measured: the command or the floor did not run at this size."]
    whole, floor_cpu = tf.median("cpu"), floor.median("cpu")
    lines = [*head,
             "Each step timed on its own, in one process, on the same pages (`cpu_phases.py`: "
             "best of 3 in CPU time, the collector off as the command runs it); the imports "
             "as processes of their own (median of 3). The command's own figure is its median "
             "CPU above, cache on; what the steps leave of it is fetching (requests, the "
             "prefetch thread), the study store's spool, the command line, the output file's "
             "staging and the interpreter's exit.",
             "",
             "| step | CPU s | share of the command |",
             "|---|---:|---:|"]
    rest = whole

    def row(label: str, seconds: float) -> None:
        lines.append(f"| {label} | {seconds:.3f} | {seconds / whole:.0%} |")

    extra = found["imports, search"] - found["imports, floor"]
    row("Python start and the floor's imports (requests, orjson)", found["imports, floor"])
    row("the search's further imports (pandas, numpy, pyarrow, requests-cache, trialfinder)",
        extra)
    rest -= found["imports, search"]
    for key, label in _STEPS:
        row(label, found[key])
        rest -= found[key]
    row("the rest (fetching, spool, staging, exit; by difference)", rest)
    jsonl = found.get("JSON lines bytes of the studies table")
    parse = found["orjson.loads of each page (the floor does it too)"]
    lines += ["", f"The floor's whole process took {floor_cpu:.2f} s, of which "
              f"{found['imports, floor']:.2f} s start-up and imports and {parse:.2f} s "
              "parsing; its fetching is the rest. Beyond what the floor pays, the command "
              f"spends {extra:.2f} s more on imports and "
              f"{sum(found[k] for k, _ in _STEPS[1:]):.2f} s on the steps after parsing."]
    if jsonl is not None:
        lines += ["", f"Writing JSON lines instead of CSV: {jsonl:.3f} s for the same table "
                  "(each row through `orjson.dumps`)."]
    return lines


# -- report -----------------------------------------------------------------------------------


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


def code_label(src: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        return done.stdout.strip()

    if src.resolve() != (ROOT / "src").resolve():
        return f"the code in `{src}`"
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src")
    return f"commit {commit}" + (", plus uncommitted changes in src/" if dirty else "")


def _mb(mib: float) -> float:
    """ru_maxrss is in KiB; targets are in MB (10^6 bytes)."""
    return mib * 2**20 / 1e6


def _ratio(a: Row | None, b: Row | None) -> str:
    if a is None or b is None or not a.ok or not b.ok:
        return "n/a"
    return f"{a.median('cpu') / b.median('cpu'):.2f}x"


def table(rows: list[Row]) -> list[str]:
    lines = ["| process | studies | CPU s (median) | CPU s, each run | wall s (median) | "
             "peak MB | rows written | CPU / floor | CPU / ctgov (csv) | "
             "CPU / ctgov (pandas) | notes |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    by = {(r.contender.key, r.size): r for r in rows}
    for row in rows:
        c = row.contender
        if not row.ok:
            err = row.runs[0].error if row.runs else "not run"
            lines.append(f"| {c.label} | {row.size:,} | n/a | | | | | | | | "
                         f"failed: {err.replace('|', '/')} |")
            continue
        floor, ctg, ctp = (by.get((k, row.size)) for k in ("floor", "ctgov", "ctgov-pandas"))
        runs = ", ".join(f"{r.cpu:.2f}" for r in row.ok)
        lines.append(
            f"| {c.label} | {row.size:,} | {row.median('cpu'):.2f} | {runs} | "
            f"{row.median('wall'):.2f} | {_mb(row.peak):,.0f} | {row.ok[-1].rows:,} | "
            f"{_ratio(row, floor)} | {_ratio(row, ctg)} | {_ratio(row, ctp)} | |")
    return lines


def targets(rows: list[Row], sizes: list[int]) -> list[str]:
    by = {(r.contender.key, r.size): r for r in rows}
    small, large = min(sizes), max(sizes)
    out: list[str] = []

    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    floor = by.get(("floor", small))
    for key in ("tf", "tf-nocache", "tf" + CORE, "tf-nocache" + CORE):
        row = by.get((key, small))
        if row is None or not row.ok or floor is None or not floor.ok:
            continue
        ratio = row.median("cpu") / floor.median("cpu")
        peers = []
        for peer in ("ctgov", "ctgov-pandas"):
            p = by.get((peer, small))
            if p is not None and p.ok:
                r = row.median("cpu") / p.median("cpu")
                peers.append(f"{r:.2f}x {p.contender.label.split(' (')[0]}'s "
                             f"({met(r <= CPU_VS_CTGOV)})")
        out.append(f"- CPU at {small:,} studies, {row.contender.label}: {ratio:.2f}x the "
                   f"floor's (target <= {CPU_VS_FLOOR}x): {met(ratio <= CPU_VS_FLOOR)}; "
                   f"against ctgov (target <= {CPU_VS_CTGOV}x): {'; '.join(peers) or 'n/a'}.")
    least = by.get(("least", small))
    if least is not None and least.ok and floor is not None and floor.ok:
        ratio = least.median("cpu") / floor.median("cpu")
        out.append(f"- The least a Python script pays for the same 51 columns "
                   f"(`least_csv.py`: no cache, no checks): {ratio:.2f}x the floor's CPU at "
                   f"{small:,} studies, so the target of {CPU_VS_FLOOR}x is "
                   + ("within reach." if ratio <= CPU_VS_FLOOR
                      else "below what such a script pays."))
    ctgov = by.get(("ctgov", small))
    for key in ("tf", "tf-jsonl", "tf-parquet", "tf-repeat", "tf" + CORE, "tf-jsonl" + CORE):
        lo, hi = by.get((key, small)), by.get((key, large))
        label = by[(key, small)].contender.label if (key, small) in by else key
        if key.endswith(CORE) and lo is None:
            continue  # no --core-python
        if lo is None or not lo.ok:
            err = lo.runs[0].error if lo is not None and lo.runs else "not run"
            out.append(f"- Peak memory, {label}: **not measured** ({err}).")
            continue
        text = (f"- Peak memory, {label}: {_mb(lo.peak):,.0f} MB at {small:,} studies "
                f"(target <= {PEAK_MB_SMALL:.0f} MB): {met(_mb(lo.peak) <= PEAK_MB_SMALL)}")
        if ctgov is not None and ctgov.ok:
            text += (f"; below ctgov's {_mb(ctgov.peak):,.0f} MB: "
                     f"{met(lo.peak < ctgov.peak)}")
        if large != small and hi is not None and hi.ok and key == "tf-repeat":
            first = by.get(("tf", small))  # the issue sets no target for a repeat: its peak
            if first is not None and first.ok:  # against the first run's at the small size
                text += (f"; {_mb(hi.peak):,.0f} MB at {large:,}, {hi.peak / lo.peak:.2f}x "
                         f"its own and {hi.peak / first.peak:.2f}x the first run's at "
                         f"{small:,} (the issue's 1.1x is for the first run)")
        elif large != small and hi is not None and hi.ok:
            growth = hi.peak / lo.peak
            text += (f"; {_mb(hi.peak):,.0f} MB at {large:,}, {growth:.2f}x (target <= "
                     f"{PEAK_GROWTH}x): {met(growth <= PEAK_GROWTH)}")
        out.append(text + ".")
    return out


def report(rows: list[Row], *, source: str, condition: str, sizes: list[int],
           base_count: tuple[int, int], loads: tuple[float, float], load: Load,
           repeat: int, repeat_large: int, code: str, seconds: float,
           found: dict[str, float] | None) -> str:
    studies, sites = base_count
    origin = ("shared/ctgov" if source == "shared" else
              f"`{Path(source).name}`, a file of real API v2 records gathered outside the "
              "repository")
    data = (f"{studies} real recorded studies from {origin} that the stand-in says match "
            f"`query.cond={condition}` ({sites / studies:.1f} sites a study), copied up to each "
            "size (copies get fictional NCT99xxxxxx ids)"
            if source != "demo" else
            f"**the fictional demo set** ({studies} studies matching `query.cond={condition}`, "
            f"{sites / studies:.1f} sites a study), copied up to each size: not real records")
    lines = [
        "# The analyst's job: every study of a search into one file",
        "",
        "Generated by `benchmarks/bench_analyst.py` (see `benchmarks/README.md`) in "
        f"{seconds:,.0f} s; code measured: {code}.",
        "",
        f"Data: {data}. Stand-in: its own process on 127.0.0.1, page cap 1000, no added "
        "latency, every answer served from memory after one untimed walk of each query's "
        "pages. Every process starts fresh (interpreter and imports included) in empty "
        "temporary data, cache and output folders, with Python's bytecode cache on; "
        f"{repeat} interleaved rounds at sizes under 50,000, {repeat_large} above (the plain "
        "script, which holds every record, once above).",
        "",
        f"Machine: {machine()}. Load average (1 min) {loads[0]:.2f} at the start and "
        f"{loads[1]:.2f} at the end; while the contenders ran, other processes (the stand-in "
        f"and other people's jobs) used {load.others_cores:.2f} of the "
        f"{os.cpu_count()} cores on average. Wall times on a shared machine are pessimistic; "
        "CPU time (user + system, the process and the children it waited for) is the "
        "steadier figure, though a busy machine slows it too (shared caches).",
        "",
        *table(rows),
        "",
        "CPU / floor = the process's median CPU over the floor's at the same size (the floor "
        "is what any client must pay: the same requests, each body parsed by orjson; it "
        "imports only requests and orjson). The ctgov columns divide by ctgov's median CPU. "
        "Peak = `ru_maxrss` from `os.wait4`, in MB (10^6 bytes). Rows: CSV records less the "
        "header, JSON lines, Parquet rows (every process writes one row per study).",
        "",
        "## Targets (issue 22)",
        "",
        *targets(rows, sizes),
        "",
        *(phases_section(found, rows, min(sizes)) if found is not None else []),
    ]
    return "\n".join(lines) + "\n"


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="rounds below 50,000 studies")
    parser.add_argument("--repeat-large", type=int, default=1,
                        help="rounds at 50,000 studies and more")
    parser.add_argument("--only", default="", help="comma-separated contender keys: "
                        + ", ".join(c.key for c in CONTENDERS))
    parser.add_argument("--data", default="auto",
                        help="auto, shared, demo, or a JSON file of real API v2 study records "
                        "(an array or a page), such as records gathered outside the repository")
    parser.add_argument("--condition", default=None,
                        help="the condition searched (default: disc for shared, muscle for "
                        "demo; needed with a file)")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the trialfinder sources to measure (a snapshot, say)")
    parser.add_argument("--old-src", type=Path, default=None,
                        help="also run trialfinder's CSV and JSON lines rows from these "
                        "sources (the code before a change), in the same rounds")
    parser.add_argument("--core-python", type=Path, default=None,
                        help="also run trialfinder's rows with this interpreter: a venv with "
                        "the core install (`pip install -c constraints.txt -e .`, no pyarrow), "
                        "in the same rounds")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--quick", action="store_true", help="2,000 studies, one round")
    parser.add_argument("--no-phases", action="store_true",
                        help="leave out the step-by-step CPU of the smallest size")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--serve", nargs=3, metavar=("SOURCE", "CONDITION", "N"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]))
        return 0
    if args.quick:
        args.sizes, args.repeat = "2000", 1
    sizes = sorted(int(s) for s in args.sizes.split(","))
    chosen = [c for c in CONTENDERS if not args.only or c.key in args.only.split(",")]
    if args.old_src is not None:
        old_label = f"the code before (`{args.old_src}`)"
        chosen += [Contender(c.key + OLD, f"{c.label}, {old_label}", c.output)
                   for c in chosen if c.key in ("tf", "tf-jsonl")]
    if args.core_python is not None:
        CORE_PYTHON[:] = [str(args.core_python)]
        chosen += [Contender(c.key + CORE, f"{c.label}, core install (no pyarrow)", c.output)
                   for c in chosen if c.key in ("tf", "tf-nocache", "tf-jsonl")]
    sys.path.insert(0, str(ROOT))
    from devtools.standin import find_shared_dir

    source = args.data if args.data != "auto" else ("shared" if find_shared_dir() else "demo")
    condition = args.condition or CONDITIONS.get(source)
    if condition is None:
        raise SystemExit("bench_analyst: --condition is needed with a file of records")
    started = time.perf_counter()
    loads0 = os.getloadavg()[0]
    load = Load()
    rows: list[Row] = []
    found: dict[str, float] | None = None
    with tempfile.TemporaryDirectory(prefix="bench-analyst-params-") as folder:
        params_file = Path(folder) / "params.json"
        params = subprocess.run([sys.executable, str(HERE / "floor.py"), "--params", condition],
                                env=_env(Path(folder), args.src), capture_output=True,
                                text=True, check=True).stdout
        params_file.write_text(params, encoding="utf-8")
        queries = [json.loads(params),
                   {"pageSize": "1000", "format": "json",
                    "query.term": f"AREA[ConditionSearch]{condition}"},
                   {"query.cond": condition, "pageSize": "1000"}]
        for size in sizes:
            standin, base, base_count = start_standin(source, condition, size)
            try:
                total = total_count(base, condition)
                if total != size:
                    raise SystemExit(f"bench_analyst: the stand-in matches {total} of {size}")
                print(f"{size:,} studies: warming the stand-in up", flush=True)
                for query in queries:
                    walk(base, query)
                here = {c.key: Row(c, size) for c in chosen}
                rounds = args.repeat if size < 50_000 else args.repeat_large
                for round_ in range(rounds):
                    order = chosen[round_ % len(chosen):] + chosen[:round_ % len(chosen)]
                    for c in order:
                        if c.heavy and size >= 50_000 and round_:
                            continue
                        src = args.old_src if c.key.endswith(OLD) else args.src
                        run = run_once(c.key, c.output, base, condition, params_file,
                                       src, load, args.timeout)
                        here[c.key].runs.append(run)
                        print(f"  round {round_ + 1}/{rounds} {c.label}: CPU {run.cpu:.2f} s, "
                              f"wall {run.wall:.2f} s, peak {_mb(run.peak):.0f} MB, "
                              f"{run.rows:,} rows {run.error}", flush=True)
                rows += [here[c.key] for c in chosen]
                if size == sizes[0] and not args.no_phases:
                    print("  where the CPU goes: cpu_phases.py", flush=True)
                    found = phases(base, params_file, args.src)
            finally:
                standin.terminate()
                standin.wait(60)
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = report(rows, source=source, condition=condition, sizes=sizes, base_count=base_count,
                  loads=(loads0, os.getloadavg()[0]), load=load, repeat=args.repeat,
                  repeat_large=args.repeat_large, code=code_label(args.src),
                  seconds=time.perf_counter() - started, found=found)
    text += f"\nThe driver's own peak RSS was {own:.0f} MiB.\n"
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
