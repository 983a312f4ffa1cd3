"""Brand and generic names meeting: how a name a line (or a study's treatment) gives relates
to the medicine a person gave ("tizanidine, the generic name of your Zanaflex"), and the
study's own treatments that are one of their medicines by any of its names (a study of
tizanidine, for someone who gave Zanaflex).

A note only: a study testing someone's medicine may want them, or may not (a washout, a
placebo arm); the verdict stays what the criteria make it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from trialfinder.tables.prescreen.finder import Finder, Term
from trialfinder.tables.prescreen.synonyms import Name, key, vocabulary

__all__ = ["name_relation", "treatment_notes"]

_QUOTE = 80


@lru_cache(maxsize=256)
def name_relation(term: str, found: str) -> str:
    """How ``found`` relates to the medicine ``term`` a person gave, when one of the two is a
    brand of the other's group: "the generic name", "a brand", "another brand" (of their
    ``term``); "" when they are the same name, or neither is a brand."""
    entry = vocabulary().lookup(term, "medicine")
    if entry is None or entry.is_class or key(term) == key(found):
        return ""
    brands = {key(b) for b in entry.brands}
    term_brand, found_brand = key(term) in brands, key(found) in brands
    if term_brand and key(found) == key(entry.name):
        return "the generic name"
    if found_brand:
        return "another brand" if term_brand else "a brand"
    return ""


@lru_cache(maxsize=64)
def _own_names(term: str) -> Finder | None:
    """The names of the medicine group ``term`` names (not its classes), or None for a class
    or a name the vocabulary does not know."""
    entry = vocabulary().lookup(term, "medicine")
    if entry is None or entry.is_class:
        return None
    return Finder([Term(term, "medicine", tuple(
        Name(text, how, exact, entry.name) for text, how, exact in entry.names()))])


def _label(name: object, others: object) -> str:
    text = str(name) if isinstance(name, str) else ""
    if isinstance(others, str) and others:
        text = f"{text} ({others.replace('|', ', ')})" if text else others.replace("|", ", ")
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE else flat[: _QUOTE - 1].rstrip() + "…"


def treatment_notes(interventions: pd.DataFrame | None, ids: Sequence[str],
                    medicines: Sequence[str]) -> dict[str, list[str]]:
    """For each study of ``ids``: a sentence per medicine of ``medicines`` that one of its
    treatments is, by any of its names ("the study's treatments include tizanidine, the
    generic name of your Zanaflex ("Tizanidine (Zanaflex)")")."""
    finders = [(m, f) for m in medicines if (f := _own_names(m)) is not None]
    if interventions is None or not len(interventions) or not finders:
        return {}
    wanted = set(ids)
    rows = interventions[interventions["nct_id"].astype(str).isin(wanted)]
    out: dict[str, list[str]] = {}
    said: set[tuple[str, str]] = set()
    for nct, name, others in zip(rows["nct_id"].astype(str).tolist(),
                                 rows["name"].astype(object).tolist(),
                                 rows["other_names"].astype(object).tolist(), strict=True):
        label = _label(name, others)
        for term, finder in finders:
            if (nct, term) in said:
                continue
            found = next((o.found for o in finder.occurrences(label)), None)
            if found is None:
                continue
            said.add((nct, term))
            relation = name_relation(term, found)
            what = (f"{found}, {relation} of your {term}" if relation
                    else f"your {term}" if key(found) == key(term)
                    else f"{found}, another name of your {term}")
            shown = "" if key(label) == key(found) else f" (\u201c{label}\u201d)"
            out.setdefault(nct, []).append(f"the study's treatments include {what}{shown}")
    return out
