"""Old code against new: ``trialfinder search`` as whole processes, alternating, on one stand-in.

    .venv/bin/python benchmarks/ab_cli.py OLD_SRC NEW_SRC [--studies 10000] [--runs 7]
        [--key tf|tf-nocache|tf-jsonl] [-- EXTRA ARGS FOR trialfinder search]

``OLD_SRC`` and ``NEW_SRC`` are folders holding the ``trialfinder`` package (``src`` of this
checkout, or a snapshot: ``git archive HEAD src | tar -x -C /tmp/old``). Each run is one
process in fresh folders (``bench_analyst.run_once``: the same stand-in, data and
environment); the two alternate in ABBA order, so a drift in the machine's load falls on
both. Prints every run's CPU and wall time, the medians, in how many ABBA pairs the new code
used less CPU, and whether both wrote byte-identical files (every run's file is compared
with the first old run's). A change is kept when the new code's CPU is lower in most pairs
and its median is lower; this machine is shared, so take ``--runs`` 7 or more.
"""

from __future__ import annotations

import argparse
import filecmp
import statistics
import sys
import tempfile
from pathlib import Path

from bench_analyst import CONDITIONS, CONTENDERS, Load, run_once, start_standin, total_count, walk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7, help="runs of each (ABBA order)")
    parser.add_argument("--key", default="tf", choices=("tf", "tf-nocache", "tf-jsonl"))
    parser.add_argument("--data", choices=("shared", "demo"), default="shared")
    parser.add_argument("extra", nargs="*", help="more arguments for trialfinder search")
    args = parser.parse_args(argv)
    contender = next(c for c in CONTENDERS if c.key == args.key)
    condition = CONDITIONS[args.data]
    standin, base, _ = start_standin(args.data, condition, args.studies)
    load = Load()
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    wall: dict[str, list[float]] = {"old": [], "new": []}
    same = True
    try:
        if total_count(base, condition) != args.studies:
            raise SystemExit("ab_cli: the stand-in does not match every study")
        with tempfile.TemporaryDirectory(prefix="ab-cli-") as folder:
            tmp = Path(folder)
            params = tmp / "params.json"
            params.write_text("{}", encoding="utf-8")  # the floor is not run here
            walk(base, {"query.cond": condition, "pageSize": "1000"})
            # one untimed run of each fills the stand-in's memory and compiles the bytecode
            order = ["old", "new"] + [w for i in range(args.runs)
                                      for w in (("old", "new") if i % 2 == 0 else ("new", "old"))]
            reference = tmp / "reference"
            for n, which in enumerate(order):
                kept = tmp / f"{which}-{n}{contender.output}"
                run = run_once(contender.key, contender.output, base, condition, params,
                               getattr(args, which), load, 1800, extra=tuple(args.extra),
                               keep=kept)
                if run.error:
                    raise SystemExit(f"ab_cli: {which} failed: {run.error}")
                if n == 0:
                    kept.rename(reference)
                else:
                    same = same and filecmp.cmp(reference, kept, shallow=False)
                    kept.unlink()
                if n >= 2:
                    cpu[which].append(run.cpu)
                    wall[which].append(run.wall)
                print(f"{'warm-up ' if n < 2 else ''}{which}: CPU {run.cpu:.3f} s, wall "
                      f"{run.wall:.2f} s, peak {run.peak:.0f} MiB", flush=True)
    finally:
        standin.terminate()
        standin.wait(60)
    pairs = list(zip(cpu["old"], cpu["new"], strict=True))
    wins = sum(new < old for old, new in pairs)
    med_old, med_new = statistics.median(cpu["old"]), statistics.median(cpu["new"])
    print(f"\nCPU s median: old {med_old:.3f}, new {med_new:.3f} "
          f"({(med_new - med_old) / med_old:+.1%}); new lower in {wins} of {len(pairs)} pairs")
    print(f"CPU s mean:   old {statistics.mean(cpu['old']):.3f}, "
          f"new {statistics.mean(cpu['new']):.3f}")
    print(f"wall s median: old {statistics.median(wall['old']):.2f}, "
          f"new {statistics.median(wall['new']):.2f}")
    print(f"other processes used {load.others_cores:.2f} cores meanwhile")
    print(f"files written: {'identical' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
