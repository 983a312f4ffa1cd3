"""A search of ClinicalTrials.gov and ISRCTN together whose rows stream: the one list of
:func:`~trialfinder.registries.union.one_list` (each trial once), written a batch at a time,
with the rows, their order and the counts of :func:`~trialfinder.service.searching.search`.

    ISRCTN's pages -> each batch's tables into a private temporary folder (Parquet); its ids
                      and links kept (TwinJoin)
    ClinicalTrials.gov's pages -> each batch joined (twins' ids, their sites in other cities,
                      read back from the folder) -> filtered -> handed on
    the sites twins added (unless a place regroups them) -> handed on
    ISRCTN's batches read back, the rows merged left out -> filtered -> handed on
    any other registry's pages -> handed on

Memory holds one batch, the ids and links (:mod:`trialfinder.registries.unionpages`) and, for
``--sites`` without a place, the sites twins added; ISRCTN's tables wait on disk. When one of
the two cannot answer, the other's rows come as the in-memory search gives them (no join),
unless ClinicalTrials.gov fails after its first rows went out: then its error stands.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from trialfinder.cache.tableparquet import frame_of, read_parquet, write_parquet
from trialfinder.core.errors import DataFileError
from trialfinder.registries.result import ProgressCallback
from trialfinder.registries.unionpages import ORDINAL_BASE, TwinJoin
from trialfinder.service.streaming import Down, Part, Tally, fetch_part
from trialfinder.tables.filters import FilterOutcome
from trialfinder.tables.frames import SITE_DTYPES, TABLE_DTYPES, Tables

__all__ = ["Spill", "stream_joined"]

logger = logging.getLogger(__name__)


class Spill:
    """One registry's batches of tables in a private temporary folder (Parquet, one file a
    table and batch), read back batch by batch; the folder goes with :meth:`close`."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="trialfinder-join-"))
        self.count = self.skipped = 0
        self.problems: Counter[str] = Counter()

    def _path(self, number: int, name: str) -> Path:
        return self.folder / f"b{number:06d}.{name}.parquet"

    def add(self, tables: Tables) -> None:
        try:
            for name, frame in tables.frames().items():
                write_parquet(frame, self._path(self.count, name))
        except OSError as exc:
            raise DataFileError(f"could not keep a registry's answer in {self.folder} while "
                                f"the other's came: {exc.strerror or exc}") from None
        self.count += 1
        self.problems.update(tables.problems)
        self.skipped += tables.skipped

    def _frame(self, number: int, name: str) -> pd.DataFrame:
        return frame_of(read_parquet(self._path(number, name)), TABLE_DTYPES[name])

    def tables(self, number: int) -> Tables:
        """Batch ``number``'s tables (without its problems: :attr:`problems` has them)."""
        return Tables.of({name: self._frame(number, name) for name in TABLE_DTYPES})

    def sites_of(self, wanted: Mapping[int, Sequence[str]]) -> pd.DataFrame:
        """The sites of the studies ``wanted`` (batch -> ids), in the batches' order, each
        indexed by its place among every batch's sites (batch * ORDINAL_BASE + row)."""
        frames = []
        for number in sorted(wanted):
            sites = self._frame(number, "sites")
            sites.index = pd.RangeIndex(len(sites)) + number * ORDINAL_BASE
            frames.append(sites[sites["nct_id"].isin(list(wanted[number]))])
        if not frames:
            return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in SITE_DTYPES.items()})
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Held:
    """The sites twins added to ClinicalTrials.gov's rows, held back until its last batch:
    in the in-memory list they come after all its sites, in ISRCTN's order. When a place
    was searched, every study's sites come together (nearest first) and nothing is held."""

    def __init__(self, regrouped: bool) -> None:
        self.regrouped = regrouped  # a place was searched (see the filters' FilterOutcome)
        self.frames: list[pd.DataFrame] = []
        self.places: list[int] = []
        self.empty: FilterOutcome | None = None

    def take_out(self, places: Mapping[tuple[str, int], int],
                 ) -> Callable[[FilterOutcome], FilterOutcome]:
        """What takes a batch's added sites out of its outcome (``places``: theirs)."""
        def split(outcome: FilterOutcome) -> FilterOutcome:
            sites = outcome.sites
            if not places or self.regrouped:
                return outcome
            keys = [places.get((str(n), int(i))) for n, i in zip(
                sites["nct_id"], sites["site_index"], strict=True)]
            held = np.array([k is not None for k in keys], dtype=bool)
            if not held.any():
                return outcome
            self.frames.append(sites[held])
            self.places.extend(k for k in keys if k is not None)
            self.empty = FilterOutcome(outcome.studies.iloc[:0], sites.iloc[:0],
                                       outcome.conditions.iloc[:0],
                                       outcome.interventions.iloc[:0])
            return FilterOutcome(outcome.studies, sites[~held].reset_index(drop=True),
                                 outcome.conditions, outcome.interventions, outcome.steps,
                                 outcome.n_before)
        return split

    def hand(self, tally: Tally) -> None:
        if self.empty is None:
            return
        sites = pd.concat(self.frames, ignore_index=True)
        sites = sites.astype({c: d for c, d in SITE_DTYPES.items() if c in sites.columns})
        order = np.argsort(np.array(self.places, dtype=np.int64), kind="stable")
        tally.hand(FilterOutcome(self.empty.studies, sites.iloc[order].reset_index(drop=True),
                                 self.empty.conditions, self.empty.interventions))
        self.frames, self.places, self.empty = [], [], None


def stream_joined(parts: Sequence[Part], limit: int | None,
                  progress: ProgressCallback | None, tally: Tally, down: Down) -> list[str]:
    """Every part's rows into ``tally`` as one list (see the module docstring); the notes of
    the join."""
    by_name = {p.client.registry.name: p for p in parts}
    ctgov, isrctn = by_name["ctgov"], by_name["isrctn"]
    spill, join = Spill(), TwinJoin()

    def keep(tables: Tables) -> None:
        spill.add(tables)
        join.isrctn_batch(tables.studies)

    try:
        if not fetch_part(isrctn, limit, progress, tally, down, keep):
            for part in parts:
                if part is not isrctn:
                    fetch_part(part, limit, progress, tally, down, tally.page)
            return []
        tally.problems.update(spill.problems)
        tally.skipped += spill.skipped
        held = _Held(regrouped=tally.filters.near is not None)

        def joined(tables: Tables) -> None:
            batch, places = join.ctgov_batch(tables, spill.sites_of)
            tally.page(batch, held.take_out(places))

        if not fetch_part(ctgov, limit, progress, tally, down, joined):
            for part in parts:  # ISRCTN's rows as they are, in the order searched
                if part is isrctn:
                    for number in range(spill.count):
                        tally.page(spill.tables(number))
                elif part is not ctgov:
                    fetch_part(part, limit, progress, tally, down, tally.page)
            return []
        held.hand(tally)
        tally.problems.update(join.finish())
        for number in range(spill.count):
            tally.page(join.isrctn_rest(spill.tables(number)))
        logger.info("%d ISRCTN records merged into ClinicalTrials.gov's", len(join.into))
        for part in parts:
            if part is not ctgov and part is not isrctn:
                fetch_part(part, limit, progress, tally, down, tally.page)
        return join.notes()
    finally:
        spill.close()
