"""How often :func:`trialfinder.tables.eligibility.split_criteria` splits real texts right.

Two measures over the recorded real studies (every study record in ``../shared/ctgov``, its
sub-folders included, one per NCT id), or over any file of records (``--records``):

1. **Second reader.** Over every text that names both inclusion and exclusion, a text counts as
   split right when every inclusion item comes from a part of the text under an inclusion
   heading, every exclusion item from a part under an exclusion heading, and nothing is lost
   (every word of the text is in an item or a heading, in order). The headings are found by a
   second, deliberately simple reader (:func:`oracle_lines`), not by the code under test; where
   the two disagree the text is listed for a person to check.
2. **Every item under a heading of its kind.** Over every text whose first heading (at the
   start of a line) is an inclusion heading and that has an exclusion heading, as the study
   page shows it (:func:`trialfinder.study_detail`): each listed item is found in the text
   (its HTML character references decoded, as the items are) after a heading of its own
   kind, no item is a placeholder ("-", "N/A", "none"), and no part with a real body comes
   out empty. Target: 99.5%.

Writes ``benchmarks/results/eligibility.md`` (with ``--records``, pass ``--output`` too).

    .venv/bin/python benchmarks/bench_eligibility.py [--target 0.99] [--kind-target 0.995]
    .venv/bin/python benchmarks/bench_eligibility.py --records FILE.json --output OUT.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.core.entities import decode_entities
from trialfinder.service.searching import study_detail
from trialfinder.tables.eligibility import split_criteria, unescape_markdown

RESULTS = Path(__file__).resolve().parent / "results" / "eligibility.md"

_INLINE = re.compile(
    r"(?<=\S)\s*(?=\b(?:Inclusion|Exclusion|INCLUSION|EXCLUSION) (?:Criteria|CRITERIA)\s*:)")
_WORD = re.compile(r"[^\W_]+")


def _kind(line: str) -> str | None:
    """The second reader: which list a heading line opens (None: not a heading)."""
    text = re.sub(r"^\d+(?=[A-Za-z])", "", line.strip().lstrip("*-•# ").strip("*_ "))
    lower = text.lower()
    if re.match(r"^\d+[.)]", text) or lower.startswith(("note", "other protocol", "further")):
        return None
    before = re.split(r"(?:non-|in|ex)clusion", lower, maxsplit=1)[0]
    if re.search(r"\b(?:not|no|meets?|meeting|met|fulfil\w*|any|all)\b", before):
        return None  # "Not meeting the inclusion criteria" says something about a list
    sentence = re.match(r"^(?:\w+ )?(inclusion|exclusion) criteria\. ", lower)
    if sentence:  # "Inclusion criteria. Age 22 or over. ..."
        return sentence.group(1)
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
                if re.match(r"^\W*(?:\w+ )?\w+ criteria\. ", line, re.I):
                    rest = line.split(". ", 1)[1]
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
    # bullets, the registry's escaped ones too ("1\.", "\-"): the author's own numbering
    bare = re.sub(r"^(?:\s*(?:[*\-+•·]|\\-|\d{1,3}\\?[.)])\s*){1,2}", "", text)
    return _WORD.findall(unescape_markdown(bare).lower())


# lines that stand for "nothing here": not items
_NOTHING = ({"none"}, {"na"}, {"n", "a"}, {"nil"}, {"not", "applicable"}, {"no"})


def check(text: str) -> str | None:
    """None when the text splits right, else why not."""
    criteria = split_criteria(text)
    queues = {"intro": list(criteria.intro), "inclusion": list(criteria.inclusion),
              "exclusion": list(criteria.exclusion)}
    for section, line in oracle_lines(text):
        want = _words(line)
        if not want or set(want) in _NOTHING:
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


# --- measure 2: every item under a heading of its kind ----------------------------------------

# a heading at the start of a line: "Inclusion Criteria", "5Inclusion criteria", "**Key
# Exclusion Criteria:**", "Study Exclusion Criteria.", "Non-inclusion criteria"
_LINE_HEADING = re.compile(r"^[^\w\n]*\d*[^\w\n]*(?:(?:study|key|main)\s+)?"
                           r"(non[- ]?inclusion|inclusion|exclusion)\s+criteria", re.I | re.M)
# a part whose whole body is one of these has nothing to list
_EMPTY_BODY = {"", "none", "na", "nil", "no", "notapplicable"}


def _flat(text: str) -> str:
    """Letters and digits only, lower case: what two texts are compared by."""
    return re.sub(r"[\W_]+", "", text).lower()


def _heading_kind(found: re.Match[str]) -> str:
    word = found.group(1).lower()
    return "exclusion" if word.startswith(("non", "exclusion")) else "inclusion"


def kind_check(study: dict[str, Any]) -> str | bool | None:
    """False when the text is not counted (no inclusion heading first, or no exclusion
    heading); None when every item sits under a heading of its kind, else why not."""
    proto = study.get("protocolSection", {})
    text = proto.get("eligibilityModule", {}).get("eligibilityCriteria")
    if not isinstance(text, str):
        return False
    text = decode_entities(text)  # compared as shown: "&lt;3" is the text "<3"
    heads = list(_LINE_HEADING.finditer(text))
    kinds = [_heading_kind(h) for h in heads]
    if not heads or kinds[0] != "inclusion" or "exclusion" not in kinds:
        return False
    nct = proto["identificationModule"]["nctId"]
    criteria = study_detail(nct, records=[study]).criteria
    starts = [(len(_flat(text[:h.start()])), k) for h, k in zip(heads, kinds, strict=True)]
    flat = _flat(text)
    ends = [h.start() for h in heads[1:]] + [len(text)]

    def kind_at(pos: int) -> str | None:
        return ([k for start, k in starts if start <= pos] or [None])[-1]

    for section in ("inclusion", "exclusion"):
        items = getattr(criteria, section)
        has_body = any(k == section and _flat(text[h.end():end]) not in _EMPTY_BODY
                       for h, k, end in zip(heads, kinds, ends, strict=True))
        if has_body and not items:
            return f"no {section} items, though the text has some"
        for _, item in items:
            key = _flat(item)[:40]
            if key in _EMPTY_BODY:
                return f"placeholder {section} item {item!r}"
            at = flat.find(key)
            while at >= 0 and kind_at(at) != section:
                at = flat.find(key, at + 1)
            if at < 0:
                return f"{section} item not under a {section} heading: {item[:60]!r}"
    return None


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if "protocolSection" in data:
            yield data
            return
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


def _criteria_length(study: dict[str, Any]) -> int:
    text = study["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria")
    return len(text) if isinstance(text, str) else -1


def load_records(path: Path | None) -> tuple[list[dict[str, Any]], str]:
    """The studies to measure and where they came from: ``path`` (a JSON list or a page), or
    every study record under ``../shared/ctgov`` (one per NCT id: the copy with the longest
    eligibility text)."""
    if path is not None:
        return load_dataset(str(path)), str(path)
    root = find_shared_dir()
    assert root is not None
    found: dict[str, dict[str, Any]] = {}
    files = 0
    for file in sorted(root.rglob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue
        files += 1
        for study in _walk(data):
            nct = study["protocolSection"].get("identificationModule", {}).get("nctId")
            if isinstance(nct, str) and (
                    nct not in found or _criteria_length(study) > _criteria_length(found[nct])):
                found[nct] = study
    return list(found.values()), f"every study record in ../shared/ctgov ({files} JSON files)"


OUTSIDE = "## Measured outside the repository"


def _outside_notes(output: Path) -> str:
    """The hand-written section on records kept outside the project (from :data:`OUTSIDE`
    to the end of the file), kept when the file is written again."""
    try:
        old = output.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    at = old.find(OUTSIDE)
    return "" if at < 0 else "\n" + old[at:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--kind-target", type=float, default=0.995)
    parser.add_argument("--records", type=Path, help="a JSON file of study records to measure")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.records is None and find_shared_dir() is None:
        print("no ../shared/ctgov: nothing to measure")
        return 0
    studies, source = load_records(args.records)
    cases = texts(studies)
    started = time.perf_counter()
    failures = [(nct, why) for nct, text in cases if (why := check(text)) is not None]
    elapsed = time.perf_counter() - started
    rate = 1 - len(failures) / len(cases) if cases else 1.0
    started = time.perf_counter()
    kinds = [(s["protocolSection"]["identificationModule"]["nctId"], kind_check(s))
             for s in studies]
    kind_elapsed = time.perf_counter() - started
    counted = [(nct, why) for nct, why in kinds if why is not False]
    kind_failures = [(nct, why) for nct, why in counted if why is not None]
    kind_rate = 1 - len(kind_failures) / len(counted) if counted else 1.0
    met = rate >= args.target and kind_rate >= args.kind_target
    lines = [
        "# Eligibility split over the recorded real studies",
        "",
        f"Records: {source}, {len(studies)} studies.",
        "",
        "## Every item under a heading of its kind",
        "",
        f"Texts whose first heading is an inclusion heading and that have an exclusion "
        f"heading: {len(counted)}. Every item under a heading of its kind, no placeholder "
        f"items, no part with a body left empty: {len(counted) - len(kind_failures)} "
        f"({kind_rate:.1%}); target {args.kind_target:.1%}: "
        f"{'met' if kind_rate >= args.kind_target else 'NOT met'}. Time: "
        f"{kind_elapsed * 1000:.0f} ms (through `study_detail`, one study at a time).",
        "",
        *(f"- {nct}: {why}" for nct, why in kind_failures),
        *([] if kind_failures else ["- no text fails"]),
        "",
        "## Second reader",
        "",
        f"Texts naming both inclusion and exclusion: {len(cases)}. Split right: "
        f"{len(cases) - len(failures)} ({rate:.1%}); target {args.target:.0%}: "
        f"{'met' if rate >= args.target else 'NOT met'}. Time for all checks: "
        f"{elapsed * 1000:.0f} ms.",
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
    kept = _outside_notes(args.output)
    args.output.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
