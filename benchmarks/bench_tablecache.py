"""Saved tables: how long a warm repeat takes now that entries are Parquet + a JSON manifest.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_tablecache.py [--sizes 1000,10000]

For each size: the real recorded studies (``../shared/ctgov``; the fictional demo set when
absent) replicated to that size, then

- ``normalize``: parsing is left out, only the normalizer (what a warm repeat saves);
- ``put`` / ``get``: writing and reading one entry with :class:`TableCache` (checksums included);
- ``pickle dump`` / ``pickle load``: the old format, for comparison only (never read from disk
  by trialfinder any more; here it is an in-memory round trip of our own objects);
- ``search cold`` / ``search warm``: ``tf.search`` against the loopback stand-in with the cache
  on, first with an empty cache folder, then again (answered from the saved tables).

Fastest of ``--repeat`` runs (default 5), in milliseconds: on a shared machine the fastest run
is the closest to the code's own cost. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from benchmarks.run import CONDITIONS, matching
from devtools.standin import StandInServer, find_shared_dir, load_dataset, replicate
from trialfinder.cache.tablecache import Saved, TableCache
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.service.searching import search


def fastest_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    source = "shared" if find_shared_dir() is not None else "demo"
    condition = CONDITIONS[source]
    base = matching(load_dataset(source), condition)
    print(f"data: {source}, the {len(base)} distinct records matching {condition!r}, "
          f"replicated; fastest of {args.repeat} runs, ms\n")
    print("| studies | normalize | put | get | pickle dump | pickle load | entry size | "
          "search cold | search warm | warm / cold |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        print(row(base, size, condition, args.repeat))
    return 0


def row(base: list[dict[str, Any]], size: int, condition: str, repeat: int) -> str:
    """One line of the table: ``base`` replicated to ``size`` studies."""
    records = replicate(base, size)
    tables = normalize(records)
    t_norm = fastest_ms(lambda: normalize(records), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        store = TableCache(Path(tmp) / "tables")
        store.folder.mkdir(mode=0o700)
        key = "0" * 32
        t_put = fastest_ms(lambda: store.put(key, tables, {"total_count": size}), repeat)
        hit = store.get(key, max_age=None, newer_than=None)
        assert isinstance(hit, Saved) and len(hit.tables.studies) == size
        t_get = fastest_ms(lambda: store.get(key, max_age=None, newer_than=None), repeat)
        entry = sum(p.stat().st_size for p in store.folder.iterdir())
    blob = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    t_dump = fastest_ms(lambda: pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL),
                       repeat)
    t_load = fastest_ms(lambda: pickle.loads(blob), repeat)

    server = StandInServer(records).start()
    try:
        colds, warms = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(base_url=server.base_url, cache_dir=Path(tmp),
                                    requests_per_minute=1e9, burst=10**6,
                                    data_dir=Path(tmp) / "data")
                start = time.perf_counter()
                cold = search(settings=settings, condition=condition)
                colds.append(time.perf_counter() - start)
                start = time.perf_counter()
                warm = search(settings=settings, condition=condition)
                warms.append(time.perf_counter() - start)
                assert warm.meta["answered_from"].startswith("tables saved")
                assert len(warm.all.studies) == len(cold.all.studies) == size
    finally:
        server.close()
    t_cold, t_warm = min(colds) * 1000, min(warms) * 1000
    return (f"| {size:,} | {t_norm:,.0f} | {t_put:,.0f} | {t_get:,.0f} | {t_dump:,.0f} | "
            f"{t_load:,.0f} | {entry / 1e6:,.1f} MB | {t_cold:,.0f} | {t_warm:,.0f} | "
            f"{t_warm / t_cold:.0%} |")


if __name__ == "__main__":
    sys.exit(main())
