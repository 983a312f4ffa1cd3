"""The :class:`Tables` of one normalization and the joining of consecutive pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from trialfinder.tables.schema import TABLES, TableSpec

__all__ = [
    "CONDITION_DTYPES",
    "CONTACT_DTYPES",
    "INTERVENTION_DTYPES",
    "OFFICIAL_DTYPES",
    "SITE_DTYPES",
    "STUDY_DTYPES",
    "TABLE_DTYPES",
    "TABLE_NAMES",
    "Tables",
    "TablesBuilder",
    "concat_tables",
    "empty_tables",
]

#: Table name -> its dtypes, tables and columns in spec order (tables/schema.py).
TABLE_DTYPES: Final[dict[str, dict[str, str]]] = {spec.name: spec.dtypes for spec in TABLES}
TABLE_NAMES: Final[tuple[str, ...]] = tuple(TABLE_DTYPES)
STUDY_DTYPES: Final = TABLE_DTYPES["studies"]
SITE_DTYPES: Final = TABLE_DTYPES["sites"]
CONTACT_DTYPES: Final = TABLE_DTYPES["contacts"]
OFFICIAL_DTYPES: Final = TABLE_DTYPES["officials"]
CONDITION_DTYPES: Final = TABLE_DTYPES["conditions"]
INTERVENTION_DTYPES: Final = TABLE_DTYPES["interventions"]
_SPECS: Final = {spec.name: spec for spec in TABLES}


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
    contacts: pd.DataFrame = field(default_factory=lambda: _empty_frame(_SPECS["contacts"]))
    officials: pd.DataFrame = field(default_factory=lambda: _empty_frame(_SPECS["officials"]))

    @classmethod
    def of(cls, frames: Mapping[str, pd.DataFrame], problems: Mapping[str, int] | None = None,
           skipped: int = 0) -> Tables:
        """Tables from every table by name (:data:`TABLE_NAMES`)."""
        return cls(**{name: frames[name] for name in TABLE_NAMES},
                   problems=dict(problems or {}), skipped=skipped)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in spec order (:data:`TABLE_NAMES`)."""
        return {name: getattr(self, name) for name in TABLE_NAMES}


def empty_tables() -> Tables:
    """Tables with every column and declared dtype, and no rows."""
    return Tables.of({name: _empty_frame(spec) for name, spec in _SPECS.items()})


class TablesBuilder:
    """Collects the tables of consecutive pages and joins them once, table by table, freeing
    each table's pages as soon as it is joined (so the peak is the pages plus one joined
    table, not the pages plus every joined table)."""

    def __init__(self) -> None:
        self._frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_NAMES}
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
        for name, dtypes in TABLE_DTYPES.items():
            frames = self._frames[name]
            whole = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            frames.clear()
            if len(whole) and any(str(whole[c].dtype) != d for c, d in dtypes.items()):
                whole = whole.astype(dict(dtypes))  # categoricals of different categories
            joined[name] = whole
        return Tables.of(joined, self._problems, self._skipped)


def concat_tables(parts: Sequence[Tables]) -> Tables:
    """One :class:`Tables` from the tables of consecutive pages, in order, with the declared
    dtypes (concatenating categoricals of different categories would give ``object``)."""
    builder = TablesBuilder()
    for part in parts:
        builder.add(part)
    return builder.build()
