"""Headings inside the exclusions: a line ending with a colon over the items it introduces
("Back Pain characteristics:" over "* Back pain due to an infection"). Such a line is a
topic, not a rule: the items under it say what is excluded. Where an item under it names the
person's term too, the heading's own mention is left out and the items speak for it; where
none does, the heading is kept (its items may still be about them: "Diabetes:" over
"HbA1c above 10%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trialfinder.tables.criteriaheads import BULLET
from trialfinder.tables.eligibility import item_text
from trialfinder.tables.prescreen.sublists import indent

__all__ = ["drop_headings"]

# a line naming examples or exceptions of its own is a rule with a list, not a topic:
# "Significant cardiac disease, including:", "Any malignancy except:"
_RULE_WORDS = re.compile(
    r"\b(?:except\w*|excluding|other\s+than|unless|apart\s+from|but|includ\w*|such\s+as|"
    r"e\.g|for\s+example|like|especially|particularly|allowed|permitted)\b", re.IGNORECASE)


def _is_heading_text(raw: str) -> bool:
    text = item_text(raw).rstrip()
    return text.endswith(":") and _RULE_WORDS.search(text) is None


def _under(heading: str, line: str) -> bool:
    """Whether ``line`` is an item under ``heading``: more indented, or bulleted under a
    heading without a bullet at the same depth ("Diabetes related:" over "* Type 1")."""
    return indent(line) > indent(heading) or (
        BULLET.match(heading) is None and BULLET.match(line) is not None
        and indent(line) == indent(heading))


def drop_headings(lines: Sequence[str], rows_at: dict[int, list[dict[str, Any]]]) -> None:
    """Leave out of ``rows_at`` (the mention rows of each of ``lines``, the raw lines of one
    study's exclusions in order) the rows of a heading whose term an item under it names."""
    for at in sorted(rows_at):
        heading = lines[at]
        if not rows_at[at] or not _is_heading_text(heading):
            continue
        named: set[str] = set()
        for below in range(at + 1, len(lines)):
            line = lines[below]
            if not line.strip():
                continue
            if not _under(heading, line):
                break
            named.update(str(row["term"]) for row in rows_at.get(below, []))
        if named:
            rows_at[at] = [row for row in rows_at[at] if row["term"] not in named]
