"""How often :func:`trialfinder.tables.eligibility.split_criteria` splits real texts right.

Over every eligibility text in the recorded real studies (``../shared/ctgov``) that names both
inclusion and exclusion, a text counts as split right when

* every inclusion item comes from a part of the text under an inclusion heading,
* every exclusion item from a part under an exclusion heading, and
* nothing is lost: every word of the text is in an item or a heading, in order.

The headings are found here by a second, deliberately simple reader (:func:`oracle_lines`), not
by the code under test; where the two disagree the text is listed for a person to check.
Writes ``benchmarks/results/eligibility.md``.

    .venv/bin/python benchmarks/bench_eligibility.py [--target 0.99]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.tables.eligibility import split_criteria, unescape_markdown

RESULTS = Path(__file__).resolve().parent / "results" / "eligibility.md"

_INLINE = re.compile(r"(?=\b(?:Inclusion|Exclusion|INCLUSION|EXCLUSION) (?:Criteria|CRITERIA)\s*:)")
_WORD = re.compile(r"[^\W_]+")


def _kind(line: str) -> str | None:
    """The second reader: which list a heading line opens (None: not a heading)."""
    text = line.strip().lstrip("*-•# ").strip("*_ ")
    lower = text.lower()
    if re.match(r"^\d+[.)]", text) or lower.startswith(("note", "other protocol", "further")):
        return None
    words = lower.split()
    head = lower.split(":")[0] if ":" in lower else lower
    short = len(words) <= 8 and not lower.endswith(".")
    named = "criteria" in head and len(head.split()) <= 12
    if "inclusion/exclusion" in lower and (short or lower.endswith(":")):
        return "both"
    first = " ".join(head.split()[:4])
    for kind, stem in (("exclusion", "exclusion"), ("exclusion", "non-inclusion"),
                       ("inclusion", "inclusion")):
        if re.search(rf"\b{stem}\b", first) and (named or short or lower.endswith(":")):
            if kind == "inclusion" and "exclu" in head:
                continue
            if head.startswith(stem[:5]) or named or lower.endswith(":"):
                if not lower.endswith(":") and not short and not named:
                    continue
                if " of " in head and "criteria" not in head and not lower.endswith(":"):
                    continue
                return kind
    return None


def _opens(line: str) -> str | None:
    """A sentence that opens a list ("... will be excluded if:"); it is also an item."""
    lower = line.strip().lower()
    if re.match(r"^\d+[.)]", lower) or not lower.endswith(":"):
        return None
    if lower.startswith(("*", "-")) and "following criteria" not in lower:
        return None
    announces = "criteria" in lower or "following" in lower or lower.endswith("if:")
    if announces and re.search(r"exclu|not (be )?eligible|ineligible|not (to )?be enrolled",
                               lower):
        return "exclusion"
    return None


def oracle_lines(text: str) -> list[tuple[str, str]]:
    """``(expected section, words)`` for every part of the text that is not a bare heading."""
    section = "intro"
    out: list[tuple[str, str]] = []
    for raw in text.splitlines():
        pieces = _INLINE.split(raw)
        if len(pieces[0].split()) < 5:
            pieces = [raw]
        for line in pieces:
            if not line.strip():
                continue
            kind = _kind(line)
            if kind is not None:
                section = section if kind == "both" else kind
                rest = line.split(":", 1)[1] if ":" in line and kind != "both" else ""
                if _WORD.search(rest):
                    out.append((section, rest))
                continue
            if section in ("intro", "inclusion") and _opens(line) == "exclusion":
                section = "exclusion"
            out.append((section, line))
    if any(s == "exclusion" for s, _ in out) and not any(s == "inclusion" for s, _ in out):
        out = [("inclusion" if s == "intro" else s, line) for s, line in out]
    return out


def _words(text: str) -> list[str]:
    bare = re.sub(r"^(?:\s*(?:[*\-+•·]|\d{1,3}[.)])\s*){1,2}", "", text)
    return _WORD.findall(unescape_markdown(bare).lower())


def check(text: str) -> str | None:
    """None when the text splits right, else why not."""
    criteria = split_criteria(text)
    queues = {"intro": list(criteria.intro), "inclusion": list(criteria.inclusion),
              "exclusion": list(criteria.exclusion)}
    for section, line in oracle_lines(text):
        want = _words(line)
        if not want:
            continue
        queue = queues[section]
        if not queue or _words(queue[0][1]) != want:
            where = next((name for name, q in queues.items() if q and _words(q[0][1]) == want),
                         None)
            if where is None:
                return f"lost or changed: {line.strip()[:70]!r}"
            return f"{line.strip()[:70]!r} went to {where}, not {section}"
        queue.pop(0)
    left = [item for queue in queues.values() for _, item in queue]
    if left:
        return f"items the second reader did not expect: {left[0][:70]!r}"
    return None


def texts(studies: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for study in studies:
        proto = study.get("protocolSection", {})
        text = proto.get("eligibilityModule", {}).get("eligibilityCriteria")
        nct = proto.get("identificationModule", {}).get("nctId", "?")
        if isinstance(text, str) and re.search("inclu", text, re.I) \
                and re.search("exclu", text, re.I):
            out.append((nct, text))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if find_shared_dir() is None:
        print("no ../shared/ctgov: nothing to measure")
        return 0
    cases = texts(load_dataset("shared"))
    started = time.perf_counter()
    failures = [(nct, why) for nct, text in cases if (why := check(text)) is not None]
    elapsed = time.perf_counter() - started
    rate = 1 - len(failures) / len(cases) if cases else 1.0
    met = rate >= args.target
    lines = [
        "# Eligibility split over the recorded real studies",
        "",
        f"Texts naming both inclusion and exclusion: {len(cases)}. Split right: "
        f"{len(cases) - len(failures)} ({rate:.1%}); target {args.target:.0%}: "
        f"{'met' if met else 'NOT met'}. Time for all checks: {elapsed * 1000:.0f} ms.",
        "",
        "A text is split right when each item lands in the list of the heading above it and "
        "no words are lost; the headings are read by a second, simpler reader in the "
        "benchmark. Texts where the two readers disagree:",
        "",
        *(f"- {nct}: {why}" for nct, why in failures),
        *([] if failures else ["- none"]),
        "",
        "Run: `python benchmarks/bench_eligibility.py`",
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
