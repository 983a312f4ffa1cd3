"""One study in depth: eligibility split into lists, outcomes as a table.

The list view asks the API only for ``fields`` (see :mod:`trialfinder.api.fields`); a detail view
fetches the full record once and reads what only it has (outcomes, intervention descriptions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["OUTCOME_DTYPES", "Criteria", "outcomes_table", "split_criteria"]

_BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)])\s+")
_HEADING = re.compile(
    r"^(?:(?:key|main|major|general|other|additional)\s+)?(inclusion|exclusion)(?:\s+criteria)?\b",
    re.IGNORECASE,
)

OUTCOME_DTYPES = {"nct_id": "string", "kind": "category", "measure": "string",
                  "time_frame": "string", "description": "string"}


@dataclass(frozen=True)
class Criteria:
    """Eligibility text cut at its "Inclusion Criteria" / "Exclusion Criteria" headings.

    Each item is ``(depth, text)``: depth 1 is an indented sub-item. Text before the first
    heading (or all of it, when there is no heading) goes to ``intro``.
    """

    intro: list[tuple[int, str]] = field(default_factory=list)
    inclusion: list[tuple[int, str]] = field(default_factory=list)
    exclusion: list[tuple[int, str]] = field(default_factory=list)


def split_criteria(text: str | None) -> Criteria:
    """Split the registry's eligibility Markdown into intro, inclusion and exclusion lists."""
    parts: dict[str, list[tuple[int, str]]] = {"intro": [], "inclusion": [], "exclusion": []}
    current = "intro"
    for line in str(text or "").splitlines():
        bare = line.strip().strip("#*_ ").rstrip(":").strip("*_ ")
        heading = _HEADING.match(bare)
        if heading and len(bare) <= 60 and not _BULLET.match(line):
            current = heading.group(1).lower()
            continue
        if not line.strip():
            continue
        indented = len(line) - len(line.lstrip()) >= 2
        depth = 1 if indented and _BULLET.match(line) else 0
        parts[current].append((depth, _BULLET.sub("", line).strip()))
    return Criteria(**parts)


def outcomes_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """Primary, secondary and other outcome measures of one full study record."""
    proto = record.get("protocolSection")
    proto = proto if isinstance(proto, Mapping) else {}
    ident = proto.get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, Mapping) else None
    module = proto.get("outcomesModule")
    module = module if isinstance(module, Mapping) else {}
    rows: list[dict[str, Any]] = []
    for kind in ("primary", "secondary", "other"):
        items = module.get(f"{kind}Outcomes")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                rows.append({"nct_id": nct, "kind": kind, "measure": item.get("measure"),
                             "time_frame": item.get("timeFrame"),
                             "description": item.get("description")})
    frame = pd.DataFrame(rows, columns=list(OUTCOME_DTYPES))
    return frame.astype(OUTCOME_DTYPES)
