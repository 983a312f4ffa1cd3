"""The AACT views (`aact.*`) on a synced store: query times, the export, and what they cost sync.

    .venv/bin/python benchmarks/bench_aact.py [--sizes 10000,50000] [--data shared|demo|PATH]

For each size a stand-in (its own process) serves the recorded real records of ../shared/ctgov
(read at run time, never copied; ``--data`` picks another set) replicated lazily to that size;
``trialfinder sync --whole-registry`` runs as a whole process into an empty store (wall time and
peak RSS from ``os.wait4``). Then, in a child process with the store open read-only as
``trialfinder sql`` opens it, each query below runs three times (best kept), and
``trialfinder sql`` (the AACT phase count) and ``trialfinder store export --aact`` run as whole
processes. Writes ``benchmarks/results/aact.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from bench_store import _env, machine, run_sync, start_standin  # noqa: E402

from devtools.standin import find_shared_dir  # noqa: E402
from trialfinder.registries.ctgov.fullrecord import SYNC_PAGE_SIZE  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "aact.md"

QUERIES: dict[str, str] = {
    "phase count (aact.studies)":
        "SELECT phase, count(*) FROM aact.studies GROUP BY 1",
    "phase count (store table studies)":
        "SELECT phases, count(*) FROM studies GROUP BY 1",
    "trials per phase and start year":
        "SELECT phase, year(start_date) AS y, count(*) FROM aact.studies GROUP BY ALL",
    "sites per country":
        "SELECT country, count(*) FROM aact.facilities GROUP BY 1",
    "join-heavy: recruiting, condition, US site, lead sponsor class, outcomes":
        "SELECT sp.agency_class, f.state, count(DISTINCT s.nct_id), sum(s.enrollment), "
        "avg(cv.number_of_primary_outcomes_to_measure) FROM aact.studies s "
        "JOIN aact.conditions c USING (nct_id) JOIN aact.facilities f USING (nct_id) "
        "JOIN aact.sponsors sp USING (nct_id) JOIN aact.calculated_values cv USING (nct_id) "
        "JOIN aact.eligibilities e USING (nct_id) "
        "WHERE s.overall_status = 'RECRUITING' AND c.downcase_name LIKE '%cancer%' "
        "AND f.country = 'United States' AND sp.lead_or_collaborator = 'lead' "
        "AND e.minimum_age IS NOT NULL GROUP BY ALL",
    "every column of aact.studies":
        "SELECT count(*), count(DISTINCT md5(CAST(s AS VARCHAR))) FROM aact.studies s",
}


def time_queries(store: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--queries", str(store)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return {k: float(v) for k, v in json.loads(out).items()}


def _queries_child(store: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from trialfinder.store.aact.install import open_for_sql

    db = open_for_sql(Path(store))
    times: dict[str, float] = {}
    for name, sql in QUERIES.items():
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            db.con.execute(sql).fetchall()
            best = min(best, time.perf_counter() - started)
        times[name] = best
    db.close()
    print(json.dumps(times))


def run_cli(argv: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one ``trialfinder`` process (best of 3)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "trialfinder.cli.main", *argv], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def table_bytes(store: Path) -> int:
    """Bytes of the blocks that hold aact_records, from DuckDB's own storage info."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    blocks = con.execute("SELECT count(DISTINCT block_id) FROM pragma_storage_info("
                         "'aact_records') WHERE block_id IS NOT NULL").fetchone()
    size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()
    con.close()
    return int(blocks[0]) * int(size[0]) if blocks and size else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--data", default=None, help="shared (default when present), demo, PATH")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--queries", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queries:
        _queries_child(args.queries)
        return
    source = args.data or ("shared" if find_shared_dir() else "demo")
    load_start = os.getloadavg()[0]
    rows = []
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
            kept_bytes = table_bytes(store)
            times = time_queries(store)
            cli = run_cli(["sql", QUERIES["phase count (aact.studies)"]], env)
            bare = run_cli(["sql", "SELECT 1"], env)
            export = run_cli(["store", "export", "--aact", str(Path(tmp) / "out")], env)
            rows.append((size, wall, peak, disk, kept_bytes, times, cli, bare, export))
            print(f"{size:>7,}: sync {wall:.1f} s, peak {peak / 1e6:.0f} MB, store "
                  f"{disk / 1e6:.0f} MB (aact_records ~{kept_bytes / 1e6:.0f} MB), "
                  f"phase count {times['phase count (aact.studies)'] * 1000:.0f} ms, "
                  f"`sql` {cli:.2f} s (`SELECT 1` {bare:.2f} s), export {export:.1f} s | "
                  f"{out.splitlines()[-1]}",
                  flush=True)
    write(rows, source, (load_start, os.getloadavg()[0]), args.output)


def write(rows: list[Any], source: str, loads: tuple[float, float], output: Path) -> None:
    lines = [
        "# AACT views benchmark: queries on `aact.*`, the export, and the sync that fills them",
        "",
        f"Stand-in in its own process serving `{source}` records replicated to each size; "
        "`trialfinder sync --whole-registry` as a whole process into an empty store (it asks "
        f"for whole protocol sections, {SYNC_PAGE_SIZE:,} studies a page). Query times: best of "
        "3 in one "
        "process with the store open read-only (as `trialfinder sql` opens it). `sql` and "
        "`store export --aact`: whole processes, best of 3, start-up included. MB = 10^6 bytes.",
        "",
        f"Machine: {machine()}. Load average (1 min) {loads[0]:.2f} at the start, "
        f"{loads[1]:.2f} at the end (other jobs share the 2 cores: wall times are "
        "pessimistic).",
        "",
        "| studies | sync s | peak RSS MB | store MB | bytes/study | aact_records MB |"
        " `sql` phase count s | `sql` SELECT 1 s | export --aact s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, wall, peak, disk, kept_bytes, _t, cli, bare, export in rows:
        lines.append(f"| {size:,} | {wall:.1f} | {peak / 1e6:.0f} | {disk / 1e6:.0f} | "
                     f"{disk / size:,.0f} | {kept_bytes / 1e6:.0f} | {cli:.2f} | {bare:.2f} | "
                     f"{export:.1f} |")
    lines += ["", "Query times (ms):", "",
              "| query | " + " | ".join(f"{r[0]:,}" for r in rows) + " |",
              "|---|" + "---:|" * len(rows)]
    for name in QUERIES:
        lines.append(f"| {name} | " + " | ".join(f"{r[5][name] * 1000:,.0f}" for r in rows)
                     + " |")
    lines += ["", "The queries:", ""]
    lines += [f"- {name}: `{sql}`" for name, sql in QUERIES.items()]
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
