"""The :class:`Tables` of one normalization and the joining of consecutive pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from trialfinder.tables.schema import (
    CONDITION_SPEC,
    CONTACT_SPEC,
    INTERVENTION_SPEC,
    OFFICIAL_SPEC,
    SITE_SPEC,
    STUDY_SPEC,
    TableSpec,
)

# The dtype dicts, column order = table order (generated from the spec in tables/schema.py).
STUDY_DTYPES: Final[dict[str, str]] = STUDY_SPEC.dtypes
SITE_DTYPES: Final[dict[str, str]] = SITE_SPEC.dtypes
CONTACT_DTYPES: Final[dict[str, str]] = CONTACT_SPEC.dtypes
OFFICIAL_DTYPES: Final[dict[str, str]] = OFFICIAL_SPEC.dtypes
CONDITION_DTYPES: Final[dict[str, str]] = CONDITION_SPEC.dtypes
INTERVENTION_DTYPES: Final[dict[str, str]] = INTERVENTION_SPEC.dtypes

def _empty_frame(spec: TableSpec) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in spec.columns})


@dataclass(frozen=True, eq=False)
class Tables:
    """The tables of one normalization, plus what was odd about the input.

    ``problems`` counts odd things met (see the module docstring for the keys); ``skipped``
    counts records that could not be used at all (they are also in ``problems``).
    ``contacts`` (central and site contacts) and ``officials`` come last so that code building
    ``Tables(studies, sites, conditions, interventions)`` by position keeps working.
    """

    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    problems: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    contacts: pd.DataFrame = field(default_factory=lambda: _empty_frame(CONTACT_SPEC))
    officials: pd.DataFrame = field(default_factory=lambda: _empty_frame(OFFICIAL_SPEC))


_TABLE_DTYPES: Final[dict[str, Mapping[str, str]]] = {
    "studies": STUDY_DTYPES, "sites": SITE_DTYPES, "conditions": CONDITION_DTYPES,
    "interventions": INTERVENTION_DTYPES, "contacts": CONTACT_DTYPES, "officials": OFFICIAL_DTYPES,
}


def empty_tables() -> Tables:
    """Tables with every column and declared dtype, and no rows."""
    return Tables(studies=_empty_frame(STUDY_SPEC), sites=_empty_frame(SITE_SPEC),
                  conditions=_empty_frame(CONDITION_SPEC),
                  interventions=_empty_frame(INTERVENTION_SPEC))


class TablesBuilder:
    """Collects the tables of consecutive pages and joins them once, table by table, freeing
    each table's pages as soon as it is joined (so the peak is the pages plus one joined
    table, not the pages plus every joined table)."""

    def __init__(self) -> None:
        self._frames: dict[str, list[pd.DataFrame]] = {name: [] for name in _TABLE_DTYPES}
        self._problems: dict[str, int] = {}
        self._skipped = 0

    def add(self, part: Tables) -> None:
        for name, frames in self._frames.items():
            frames.append(getattr(part, name))
        for key, count in part.problems.items():
            self._problems[key] = self._problems.get(key, 0) + count
        self._skipped += part.skipped

    def build(self) -> Tables:
        if not self._frames["studies"]:
            return empty_tables()
        joined: dict[str, pd.DataFrame] = {}
        for name, dtypes in _TABLE_DTYPES.items():
            frames = self._frames[name]
            whole = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            frames.clear()
            if len(whole) and any(str(whole[c].dtype) != d for c, d in dtypes.items()):
                whole = whole.astype(dict(dtypes))  # categoricals of different categories
            joined[name] = whole
        return Tables(**joined, problems=dict(self._problems), skipped=self._skipped)


def concat_tables(parts: Sequence[Tables]) -> Tables:
    """One :class:`Tables` from the tables of consecutive pages, in order, with the declared
    dtypes (concatenating categoricals of different categories would give ``object``)."""
    builder = TablesBuilder()
    for part in parts:
        builder.add(part)
    return builder.build()

