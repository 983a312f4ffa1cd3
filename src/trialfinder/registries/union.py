"""One list from several registries' tables, each trial once: the duplicate rule at the level
of the table of registries, so that the search joining the tables knows no registry.

Today the rule joins ClinicalTrials.gov and ISRCTN (:mod:`trialfinder.registries.isrctn.
dedupe` has the rule and its reasons; docs/isrctn.md, "One list, no duplicates"). The links
are read from the tables' ``other_ids`` column, both sides: an ISRCTN row's NCT numbers, and
a ClinicalTrials.gov row's secondary ids that are ISRCTN ids (``ISRCTN12345678``,
``ISRCTN-12345678``). The kept row (ClinicalTrials.gov's) lists the twin's id in its
``other_ids`` and reads ``ctgov+isrctn`` in ``source``; the ISRCTN sites it adds keep
``source`` ``isrctn``. Any other registry's tables are joined as they are, after them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

import pandas as pd

from trialfinder.core.wording import plural
from trialfinder.tables.frames import Tables, concat_tables

__all__ = ["merged_notes", "one_list", "with_twins"]


def _ids(value: object) -> list[str]:
    return [p.strip() for p in value.split("|") if p.strip()] if isinstance(value, str) else []


def one_list(parts: Sequence[tuple[str, Tables]]) -> tuple[Tables, list[str]]:
    """The tables of ``parts`` (``(registry name, tables)``, in the order searched) as one,
    and the sentences that say what was joined."""
    by_name = dict(parts)
    if not {"ctgov", "isrctn"} <= set(by_name):
        return concat_tables([t for _, t in parts]), []
    from trialfinder.registries.isrctn.dedupe import (
        BOTH,
        links_from_ctgov_ids,
        links_from_isrctn,
        merge,
    )

    ctgov, isrctn = by_name["ctgov"], by_name["isrctn"]
    links = links_from_isrctn({i: _ids(o) for i, o in zip(
        isrctn.studies["nct_id"], isrctn.studies["other_ids"], strict=True)})
    links += links_from_ctgov_ids(zip(ctgov.studies["nct_id"], map(_ids,
                                                                   ctgov.studies["other_ids"]),
                                      strict=True))
    merged = merge(ctgov, isrctn, links)
    both = {i for i, s in zip(merged.tables.studies["nct_id"], merged.sources, strict=True)
            if s == BOTH}
    studies = with_twins(merged.tables.studies, merged.also_known_as, both)
    joined = replace(merged.tables, studies=studies)
    rest = [t for name, t in parts if name not in ("ctgov", "isrctn")]
    return (concat_tables([joined, *rest]) if rest else joined), merged_notes(merged.merged)


def merged_notes(merged: int) -> list[str]:
    """What a list says of the ``merged`` trials it lists once."""
    return [f"{plural(merged, 'trial')} registered in both ClinicalTrials.gov and ISRCTN "
            "listed once, as ClinicalTrials.gov's record with both ids"] if merged else []


def with_twins(studies: pd.DataFrame, also_known_as: Mapping[str, Sequence[str]],
               both: Collection[object]) -> pd.DataFrame:
    """``studies`` of a joined list as the list shows them: each row's ``other_ids`` with
    the ids of its twins (``also_known_as``) added, every row's ids cleaned of blanks; the
    rows of ``both`` read ``ctgov+isrctn`` in ``source``."""
    from trialfinder.registries.isrctn.dedupe import BOTH

    studies = studies.copy()
    others = [_ids(o) for o in studies["other_ids"]]
    for row, study_id in enumerate(studies["nct_id"]):
        others[row] += [i for i in also_known_as.get(str(study_id), ())
                        if i not in others[row]]
    studies["other_ids"] = pd.array(["|".join(o) or None for o in others], dtype="string")
    source = studies["source"].astype(object)
    source[[i in both for i in studies["nct_id"]]] = BOTH
    studies["source"] = source.astype("category")
    return studies
