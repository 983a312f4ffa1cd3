"""``trialfinder sync --whole-registry`` into the study store at growing sizes: memory, speed,
disk, query.

    .venv/bin/python benchmarks/bench_store.py [--sizes 5000,20000,100000] [--direct N]

For each size a stand-in (its own process, so its memory is not counted) serves the real
recorded records of ../shared/ctgov (read at run time, never copied; the fictional demo set when
absent) replicated to that size with ``--replicate N --lazy``: each copy is built when it is
served (``standin.Replicas``), so even 100,000 studies cost the stand-in little memory. The CLI
runs as a whole process (``python -m trialfinder.cli.main sync --whole-registry``) into an empty
store; its peak RSS comes from ``os.wait4``. Then, on the finished store, a topic + status +
100-mile query runs through DuckDB (best of 3). Writes ``benchmarks/results/store.md`` with
the targets of issue 11 and a projection to the whole registry.

``--direct N`` (off by default) builds an N-study store without HTTP (a child process
replicates the records 1,000 at a time and adds them as sync does); it measures the store side
(memory, disk, query) only, as the 100k row was measured before the stand-in could replicate
lazily.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repo's devtools/

from devtools.standin import find_shared_dir  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "store.md"
REGISTRY = 560_000
PEAK_LIMIT_MB = 400  # issue 11: peak RSS at most 400 MB ...
FLAT_LIMIT = 1.3  # ... and the 20k peak at most 1.3x the 5k peak
QUERY_LIMIT_S = 1.0  # the topic + status + 100-mile query on the largest store
API_REQUESTS_PER_MINUTE = 50  # the pace trialfinder keeps with the real API
BOSTON = (42.3601, -71.0589)

QUERY = f"""
SELECT count(DISTINCT s.nct_id) FROM studies s JOIN sites t ON t.nct_id = s.nct_id
WHERE s.status = 'RECRUITING'
  AND (s.conditions ILIKE '%{{topic}}%' OR s.title ILIKE '%{{topic}}%'
       OR s.keywords ILIKE '%{{topic}}%')
  AND 2 * 3958.7613 * asin(sqrt(
        pow(sin(radians(t.lat - {BOSTON[0]}) / 2), 2)
        + cos(radians({BOSTON[0]})) * cos(radians(t.lat))
          * pow(sin(radians(t.lon - ({BOSTON[1]})) / 2), 2))) <= 100
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # modules compiled once, as users run them
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "TRIALFINDER_DATA_DIR": str(data_dir),
        "TRIALFINDER_RATE": "1000000",
        "TRIALFINDER_TIMEOUT": "120",
    })
    return env


def start_standin(source: str, size: int, env: dict[str, str]) -> tuple[subprocess.Popen[str],
                                                                         str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.standin", "--data", source, "--replicate", str(size),
         "--lazy", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"the stand-in did not start: {url!r}")
    return proc, url


def run_sync(url: str, env: dict[str, str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in bytes, its output) of one ``sync --whole-registry`` process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialfinder.cli.main", "sync", "--whole-registry", "--base-url",
         url, "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = (proc.stdout.read() if proc.stdout else "") + (proc.stderr.read() if proc.stderr
                                                          else "")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"sync failed: {out}")
    return wall, usage.ru_maxrss * 1024, out.strip()


def build_direct(source: str, size: int, store: Path, env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes) of a child that adds ``size`` replicated records."""
    code = (
        "import sys\n"
        "from devtools.standin import load_dataset, replicate\n"
        "from trialfinder.store.db import Store\n"
        "from trialfinder.registries.ctgov.fields import LIST_FIELDS\n"
        "from devtools.standin import _fields_trie, _prune\n"
        "base = load_dataset(sys.argv[1]); size = int(sys.argv[2])\n"
        "trie = _fields_trie(','.join(LIST_FIELDS))\n"
        "base = [_prune(s, trie) for s in base]\n"
        "with Store(__import__('pathlib').Path(sys.argv[3])) as store:\n"
        "    number = 90_000_000\n"
        "    for start in range(0, size, 1000):\n"
        "        chunk = replicate(base, len(base) + min(1000, size - start))[len(base):]\n"
        "        for study in chunk:\n"
        "            number += 1\n"
        "            study['protocolSection']['identificationModule']['nctId'] = "
        "f'NCT{number:08d}'\n"
        "        for i in range(0, len(chunk), 250):\n"
        "            store.add_records(chunk[i:i + 250])\n"
    )
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, source, str(size), str(store)],
                            env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the direct build failed")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def query_seconds(store: Path, topic: str) -> tuple[float, int]:
    """(best of 3 seconds, studies found) of the topic + status + 100-mile query, run in a
    child process so this driver stays small (Linux folds a parent's peak resident size into
    its later children's ``ru_maxrss``)."""
    out = subprocess.run([sys.executable, __file__, "--query", str(store), topic],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), int(out[1])


def _query_child(store: str, topic: str) -> None:
    import duckdb

    con = duckdb.connect(store, read_only=True)
    best, found = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        row = con.execute(QUERY.format(topic=topic)).fetchall()
        best = min(best, time.perf_counter() - started)
        found = int(row[0][0])
    con.close()
    print(best, found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,100000")
    parser.add_argument("--direct", default="", help="sizes also built without HTTP")
    parser.add_argument("--topic", default=None, help="query topic (default: cancer / muscle)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--query", nargs=2, metavar=("STORE", "TOPIC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query:
        _query_child(*args.query)
        return
    load_start = os.getloadavg()[0]
    source = "shared" if find_shared_dir() else "demo"
    topic = args.topic or ("cancer" if source == "shared" else "muscle")
    rows: list[tuple[int, float, int, int, float, int, float]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            env = _env(Path(tmp))
            standin, url = start_standin(source, size, env)
            try:
                wall, peak, out = run_sync(url, env)
            finally:
                standin.terminate()
                standin.wait(30)
            store = Path(tmp) / "studies.duckdb"
            disk = store.stat().st_size
            seconds, found = query_seconds(store, topic)
            rows.append((size, wall, peak, disk, seconds, found, size / wall))
            print(f"{size:>7,}: {wall:6.1f} s, peak {peak / 1e6:6.1f} MB, "
                  f"{disk / size:,.0f} B/study, query {seconds * 1000:.0f} ms ({found} found)"
                  f" | {out.splitlines()[-1]}", flush=True)
    direct: list[tuple[int, float, int, int, float, int, float]] = []
    for size in (int(s) for s in args.direct.split(",") if s):
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "studies.duckdb"
            wall, peak = build_direct(source, size, store, _env(Path(tmp)))
            disk = store.stat().st_size
            seconds, found = query_seconds(store, topic)
            direct.append((size, wall, peak, disk, seconds, found, size / wall))
            print(f"{size:>7,} direct: {wall:6.1f} s, peak {peak / 1e6:6.1f} MB, "
                  f"{disk / size:,.0f} B/study, query {seconds * 1000:.0f} ms ({found} found)",
                  flush=True)
    loads = (load_start, os.getloadavg()[0])
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    write(rows, source, topic, direct, loads, own, args.output)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, "
            f"Python {platform.python_version()}")


def targets(rows: list[tuple[int, float, int, int, float, int, float]]) -> list[str]:
    """Issue 11's memory and query targets, each met or not."""
    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    peaks = {size: peak for size, _w, peak, *_ in rows}
    lines = ["", "## Targets (issue 11)", ""]
    worst = max(peaks.values())
    lines.append(f"- Peak RSS at most {PEAK_LIMIT_MB} MB at every size: worst "
                 f"{worst / 1e6:,.0f} MB (10^6 bytes; {worst / 2**20:,.0f} MiB): "
                 f"{met(worst <= PEAK_LIMIT_MB * 1e6)} in MB"
                 + ("" if worst <= PEAK_LIMIT_MB * 1e6 else
                    f", {'met' if worst <= PEAK_LIMIT_MB * 2**20 else 'not met'} in MiB")
                 + ".")
    if 5000 in peaks and 20000 in peaks:
        ratio = peaks[20000] / peaks[5000]
        lines.append(f"- Flat: peak at 20k at most {FLAT_LIMIT}x the peak at 5k: "
                     f"{ratio:.2f}x: {met(ratio <= FLAT_LIMIT)}.")
    first, last = rows[0], rows[-1]
    if last[0] != first[0]:
        lines.append(f"- (Beyond the target) peak at {last[0]:,} is {last[2] / first[2]:.2f}x "
                     f"the peak at {first[0]:,}.")
    lines.append(f"- Topic + status + 100-mile query on the {last[0]:,}-study store under "
                 f"{QUERY_LIMIT_S:.0f} s: {last[4] * 1000:,.0f} ms: "
                 f"{met(last[4] < QUERY_LIMIT_S)}.")
    return lines


def memory_line(rows: list[tuple[int, float, int, int, float, int, float]]) -> str:
    """The memory projection: the peak's growth between the two largest sizes, carried on
    in a straight line to the whole registry (pages are handled one by one; what grows is
    the process around them)."""
    size, peak = rows[-1][0], rows[-1][2]
    if len(rows) < 2 or rows[-2][0] >= size:
        return f"- Memory: about {peak / 1e6:,.0f} MB measured at {size:,} studies."
    before_size, before_peak = rows[-2][0], rows[-2][2]
    per_1000 = (peak - before_peak) / (size - before_size) * 1000
    projected = peak + per_1000 * (REGISTRY - size) / 1000
    return (f"- Memory: pages are parsed and stored one at a time, but the peak still grows "
            f"a little with N: {per_1000 / 1e6:,.2f} MB per 1,000 studies between "
            f"{before_size:,} and {size:,}. Carried on in a straight line that gives about "
            f"{projected / 1e6:,.0f} MB for the whole registry (a projection, not measured).")


def write(rows: list[tuple[int, float, int, int, float, int, float]], source: str,
          topic: str, direct: list[tuple[int, float, int, int, float, int, float]],
          loads: tuple[float, float], own: int, output: Path = RESULTS) -> None:
    lines = [
        "# Store benchmark: `trialfinder sync --whole-registry` at growing sizes",
        "",
        f"Stand-in in its own process on 127.0.0.1 (page cap 1000) serving `{source}` records "
        "replicated to each size; the CLI as a whole process into an empty store; peak RSS of "
        "that process from `os.wait4`. Query: recruiting studies on the topic "
        f"`{topic}` (conditions, title or keywords) with a site within 100 miles of Boston, "
        "plain DuckDB SQL on the store file, best of 3. Client-side throughput: no pacing "
        "(`TRIALFINDER_RATE=1000000`), loopback, 2 cores shared with other jobs running at "
        "the same time (so wall times are pessimistic and noisy; memory is not affected). "
        "The stand-in builds each replicated copy when it serves it (`--replicate N --lazy`). "
        "MB = 10^6 bytes.",
        "",
        f"Machine: {machine()}. Load average (1 min) {loads[0]:.2f} at the start, "
        f"{loads[1]:.2f} at the end. This driver's own peak RSS was {own / 1e6:,.0f} MB (the "
        "DuckDB query runs in a child), below every sync's peak, so it does not inflate them.",
        "",
        "| studies | wall s | studies/s | peak RSS MB | vs first | store MB | bytes/study "
        "| query ms | found |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    first_peak = rows[0][2]
    for size, wall, peak, disk, seconds, found, rate in rows:
        lines.append(
            f"| {size:,} | {wall:,.1f} | {rate:,.0f} | {peak / 1e6:,.0f} | "
            f"{peak / first_peak:.2f}x | {disk / 1e6:,.0f} | {disk / size:,.0f} | "
            f"{seconds * 1000:,.0f} | {found:,} |")
    if direct:
        lines += [
            "",
            "Built without HTTP (`--direct`: records replicated 1,000 at a time in the child and "
            "added 250 at a time, as sync does; no parsing of HTTP bodies):",
            "",
            "| studies | wall s | studies/s | peak RSS MB | store MB | bytes/study | query ms "
            "| found |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size, wall, peak, disk, seconds, found, rate in direct:
            lines.append(
                f"| {size:,} | {wall:,.1f} | {rate:,.0f} | {peak / 1e6:,.0f} | "
                f"{disk / 1e6:,.0f} | {disk / size:,.0f} | {seconds * 1000:,.0f} | {found:,} |")
    lines += targets(rows)
    size, wall, peak, disk, *_ = rows[-1]
    peak = max(r[2] for r in rows)
    per_study = disk / size
    pages = REGISTRY / 1000
    api_minutes = pages / API_REQUESTS_PER_MINUTE
    client_minutes = REGISTRY / rows[-1][6] / 60
    lines += [
        "",
        f"## Projection to the whole registry ({REGISTRY:,} studies)",
        "",
        f"- Time: {pages:,.0f} requests of 1,000 studies. Pacing at {API_REQUESTS_PER_MINUTE} "
        f"requests a minute takes about {api_minutes:,.0f} minutes; the client side (parse, "
        f"normalize, store) about {client_minutes:,.0f} minutes at the throughput above. The "
        "two overlap (the next page is fetched while the current one is stored), so the "
        "slower one sets the pace, plus the API's own time to build each page.",
        f"- Disk: about {per_study * REGISTRY / 1e9:,.1f} GB for the store "
        f"({per_study:,.0f} bytes a study, every table plus the first version's JSON).",
        memory_line(rows),
    ]
    output.parent.mkdir(exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
