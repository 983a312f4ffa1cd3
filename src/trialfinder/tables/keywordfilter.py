"""The keyword filter: whole-word, case-insensitive search of a few text columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trialfinder.tables.masks import as_series

__all__ = [
    "KEYWORD_COLUMNS",
    "by_keyword",
    "keyword_pattern",
    "keyword_terms",
]

#: Columns the keyword filter searches (those missing from a frame are skipped).
KEYWORD_COLUMNS: tuple[str, ...] = (
    "title", "brief_summary", "conditions", "interventions", "keywords",
)


def keyword_terms(keyword: str) -> list[str]:
    """Alternatives of a keyword: ``"insulin OR metformin"`` -> ``["insulin", "metformin"]``.

    Only an upper-case ``OR`` between spaces separates; everything else is literal text.
    """
    return [t for t in (p.strip() for p in re.split(r"\s+OR\s+", keyword)) if t]


def keyword_pattern(keyword: str) -> str:
    """One regular expression for the terms of ``keyword``: each matched as whole words
    (an optional plural ``s``/``es`` allowed), so "ALS" finds "ALS" but not "palsy", and
    "cramp" finds "cramps". Quotes around a phrase are ignored."""
    terms = [re.escape(" ".join(t.strip('"').split())) for t in keyword_terms(keyword)]
    alternatives = "|".join(t.replace(r"\ ", r"\s+") for t in terms if t)
    return rf"(?<!\w)(?:{alternatives})(?:s|es)?(?!\w)"


def by_keyword(studies: pd.DataFrame, keyword: str) -> pd.Series[bool]:
    """Any term of ``keyword`` (see :func:`keyword_terms`) occurs as whole words,
    case-insensitive, in any of :data:`KEYWORD_COLUMNS`."""
    mask = np.zeros(len(studies), dtype=bool)
    if not keyword_terms(keyword):
        return as_series(mask, studies)
    pattern = keyword_pattern(keyword)
    for column in KEYWORD_COLUMNS:
        if column not in studies.columns:
            continue
        values = studies[column]
        if not pd.api.types.is_string_dtype(values.dtype):
            values = values.astype("string")
        found = values.str.contains(pattern, case=False, regex=True, na=False)
        mask |= found.to_numpy(dtype=bool, na_value=False)
    return as_series(mask, studies)
