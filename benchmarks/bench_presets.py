"""Which recorded real studies each topic preset selects, and how many of them are on topic.

Every preset is run over the recorded real studies in ``../shared/ctgov`` with the local search
(:func:`trialfinder.service.searching.search_records`, the API's rules). Each study a preset
selects must
have a verdict below, written by a person who read the record; a selected study without one
fails the run, so the table in ``docs/presets.md`` cannot go stale unnoticed. For the drug
presets the run also shows what each half alone (conditions only, drugs only) would select, so
the effect of anchoring a drug to its conditions can be read off.

Writes ``benchmarks/results/presets.md``.

    .venv/bin/python benchmarks/bench_presets.py [--target 0.9]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.registries.ctgov.query import preset_query
from trialfinder.registries.ctgov.textsearch import matching_ids
from trialfinder.service.searching import search_records
from trialfinder.topics.presets import PRESETS

RESULTS = Path(__file__).resolve().parent / "results" / "presets.md"

#: (preset, record fingerprint) -> (on topic?, why), checked by hand against the full record.
#: A fingerprint is the first 10 hex digits of the SHA-256 of the NCT id: the verdicts bind to
#: the recorded studies without this project holding any real trial's id.
VERDICTS: dict[tuple[str, str], tuple[bool, str]] = {
    ("anti-inflammatories", "13d50acc7c"): (
        True, "herbal remedy against an NSAID (loxoprofen) for lumbar disc herniation"),
    ("anti-inflammatories", "34c0a19863"): (
        True, "epidural dexamethasone injection for neck and arm pain from a nerve root"),
    ("anti-inflammatories", "8b9acb4cbd"): (
        True, "corticosteroid injection beside the disc for low back pain"),
    ("anti-inflammatories", "e866fe1c4d"): (
        True, "diclofenac and physical therapy for chronic upper back pain from a thoracic disc"),
    ("anti-inflammatories", "85259de521"): (
        True, "epidural steroid injection (with or without ozone) for lumbar disc pain"),
}


def fingerprint(nct_id: str) -> str:
    return hashlib.sha256(nct_id.encode()).hexdigest()[:10]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if find_shared_dir() is None:
        print("no ../shared/ctgov: nothing to measure")
        return 0
    studies = load_dataset("shared")
    lines = ["# Presets over the recorded real studies", "",
             f"Studies searched: {len(studies)} (every JSON record in ../shared/ctgov).", "",
             "| preset | selected | on topic | conditions alone | drugs alone |",
             "|---|---:|---:|---:|---:|"]
    rows: list[str] = []
    selected_total = on_topic_total = 0
    unchecked: list[str] = []
    for name, preset in PRESETS.items():
        ids = sorted(search_records(studies, source="shared", preset=name).studies["nct_id"])
        params = preset_query(preset).to_params()
        halves = ["—", "—"]
        if "query.intr" in params:
            halves = [str(len(matching_ids(studies, {key: params[key]})))
                      for key in ("query.cond", "query.intr")]
        good = 0
        for nct in ids:
            key = fingerprint(nct)
            verdict = VERDICTS.get((name, key))
            if verdict is None:
                unchecked.append(f"{name} {key}")
                continue
            good += verdict[0]
            rows.append(f"| {name} | `{key}` | {'yes' if verdict[0] else 'no'} | {verdict[1]} |")
        selected_total += len(ids)
        on_topic_total += good
        lines.append(f"| {name} | {len(ids)} | {good} | {halves[0]} | {halves[1]} |")
    rate = on_topic_total / selected_total if selected_total else 1.0
    met = rate >= args.target and not unchecked
    lines += ["", f"On topic: {on_topic_total} of {selected_total} selected ({rate:.0%}); "
              f"target {args.target:.0%}: {'met' if met else 'NOT met'}.", ""]
    if unchecked:
        lines += ["Selected but not checked by hand (add a verdict):", "",
                  *(f"- {item}" for item in unchecked), ""]
    lines += ["| preset | record | on topic | what it tests |", "|---|---|---|---|", *rows, "",
              "Run: `python benchmarks/bench_presets.py`"]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
