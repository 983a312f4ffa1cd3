"""Sub-items of a list whose parent line denies it: "No prior treatment with any of the
following:" over "  * prednisone". A sub-item read alone names prednisone plainly; read under
its parent, the line asks for people without it (the pre-screen's mentions use this for the
inclusion lines and the intro, never for the exclusions). And sub-items whose parent says they
are a relative's ("Family history:" over "- ALS"), in any list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trialfinder.tables.criteriaheads import BULLET
from trialfinder.tables.eligibility import item_text, sectioned_parts
from trialfinder.tables.prescreen.scope import read

__all__ = ["denied_by_parent", "indent", "may_name_relatives", "not_under_a_test", "parent_of",
           "relatives_by_parent", "under_relatives"]

_SHORT = 8  # words: a longer flat item is a line of its own, not the parent's list
_STANDS_FOR_LIST = re.compile(r"\b(?:following|these|below)\b", re.IGNORECASE)


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _parent(lines: Sequence[str], at: int) -> str | None:
    """The nearest line before ``lines[at]`` that is less indented, if it is (a sub-item's
    parent): None when ``lines[at]`` is not indented or no such line comes before it."""
    depth = indent(lines[at])
    if depth < 2:
        return None
    for line in reversed(lines[:at]):
        if line.strip() and indent(line) < depth:
            return line
    return None


def _denies_its_list(parent: str) -> bool:
    """Whether a parent line ending with a colon denies what its sub-items name: "No prior
    treatment with any of the following:", "Must not have:" (read as a name written after
    it would be)."""
    head = item_text(parent).rstrip()
    if not head.endswith(":"):
        return False
    # the words that stand for the list ("the following") take the sub-item's place: a
    # negation later in the line is not about it ("... the following list, for which no
    # curative therapy exists:")
    ends = [found.end() for found in _STANDS_FOR_LIST.finditer(head)]
    probe = f"{head[: ends[-1]] if ends else head[:-1]} x"
    reading = read(probe, len(probe) - 1, len(probe))
    # (or asks for it to be stopped: "Willing to stop the following medications:")
    return reading.negated or reading.stopped


def _mark(line: str) -> str:
    found = BULLET.match(line)
    return "" if found is None else re.sub(r"\d+", "9", found.group().strip())


def _flat_run(own: Sequence[str], at: int) -> bool:
    """Whether ``own[at]`` is in the first run of short items of a block, each with the
    same bullet (the list a parent line ending with a colon announces)."""
    items = [line for line in own[: at + 1] if line.strip()]
    mark = _mark(items[0]) if items else ""
    return bool(mark) and all(_mark(line) == mark and len(line.split()) <= _SHORT + 1
                              for line in items)


def _about_relatives(parent: str) -> bool:
    """Whether a parent line ending with a colon says its sub-items are a relative's:
    "Family history:", "First-degree relatives with any of the following:"."""
    head = item_text(parent).rstrip()
    if not head.endswith(":"):
        return False
    probe = f"{head[:-1]} x"
    return read(probe, len(probe) - 1, len(probe)).family


def parent_of(own: Sequence[str], at: int, before: Sequence[str]) -> str | None:
    """The parent line of line ``at`` of a block (``own``, its lines), if it has one;
    ``before``: the lines of the part before it in the same list (a line ending with a colon
    is a part of its own), looked at only when the block has no parent (and, for a flat list,
    for the first run of short items right after it)."""
    if indent(own[at]) < 2:
        return before[-1] if before and _flat_run(own, at) else None
    parent = _parent(own, at)
    if parent is None and before:
        parent = _parent([*before, own[at]], len(before))
    return parent


def denied_by_parent(own: Sequence[str], at: int, before: Sequence[str]) -> bool:
    """Whether line ``at`` of a block is a sub-item under a parent that denies its list (see
    :func:`parent_of`)."""
    parent = parent_of(own, at, before)
    return parent is not None and _denies_its_list(parent)


def relatives_by_parent(own: Sequence[str], at: int, before: Sequence[str]) -> bool:
    """Whether line ``at`` of a block is a sub-item under a parent saying its items are a
    relative's ("Family history:" over "- ALS"; see :func:`parent_of`)."""
    parent = parent_of(own, at, before)
    return parent is not None and _about_relatives(parent)


# the end of a line that may be a parent (a colon), and a relative's words in it
_COLON_END = re.compile(r":[ \t]*$", re.MULTILINE)
_KIN_WORDS = ("famil", "relative", "degree", "sibling", "parent")


def may_name_relatives(text: str) -> bool:
    """Whether some line of ``text`` ending with a colon may say its items are a relative's
    (a quick look: most texts have none)."""
    for colon in _COLON_END.finditer(text):
        line = text[text.rfind("\n", 0, colon.start()) + 1:colon.start()].lower()
        if any(word in line for word in _KIN_WORDS):
            return True
    return False


def under_relatives(text: str, section: str = "inclusion") -> set[str]:
    """The items of ``text``'s ``section`` under a parent saying they are a relative's
    ("Family history:" over "- ALS"), as :func:`item_text` gives them."""
    if not may_name_relatives(text):  # most texts: no such parent
        return set()
    out: set[str] = set()
    parts = sectioned_parts(text)
    for at, (where, kind, part) in enumerate(parts):
        if where != section or kind != "block":
            continue
        previous = parts[at - 1] if at else None
        before = ([previous[2]] if previous and previous[1] == "line"
                  and previous[0] == section else [])
        lines = part.split("\n")
        out.update(item_text(line) for j, line in enumerate(lines)
                   if relatives_by_parent(lines, j, before))
    return out


# a parent line setting out who is to have a test ("At the investigator's discretion, the
# following subjects may have a bone scan performed:"): its sub-items ("Women 65 or older")
# say who has the test, not who may join
_TEST_FOR = re.compile(
    r"\b(?:may|will|should|must|shall)\s+(?:\w+\s+){0,2}?(?:have|undergo|receive|get)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,2}?(?:scans?|tests?|x-?rays?|mri|screening|"
    r"exam\w*|biops\w+|measurements?|evaluations?|assessments?)\b(?:\s+\w+)?\s*:[ \t]*$",
    re.IGNORECASE | re.MULTILINE)


def not_under_a_test(text: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``items`` ((section, item) of ``text``) without the sub-items of a parent line that
    sets out who is to have a test (``items`` itself when ``text`` has no such line)."""
    if not items:
        return items
    lines = text.split("\n")
    # (only a line ending with a colon may be one: the pattern is slow over a whole text)
    if not any(_TEST_FOR.search(line) for line in lines if line.rstrip().endswith(":")):
        return items
    under = set()
    for at, line in enumerate(lines):
        parent = _parent(lines, at)
        if parent is not None and _TEST_FOR.search(parent.rstrip()) is not None:
            under.add(item_text(line))
    return [(section, item) for section, item in items if item not in under]
