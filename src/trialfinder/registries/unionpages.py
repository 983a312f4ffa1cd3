"""The one list of :mod:`trialfinder.registries.union` made a batch at a time, for a search
whose rows stream: the same rows, in the same order, with the same counts, holding no
registry's whole answer.

The duplicate rule (:mod:`trialfinder.registries.isrctn.dedupe`) rewrites ClinicalTrials.gov's
row of a trial registered in both (the twin's id, its sites in other cities, ``source``
``ctgov+isrctn``) and leaves the twin out; ISRCTN's other rows come after every
ClinicalTrials.gov row. So ISRCTN is read first, and :class:`TwinJoin` keeps of it only what
the rule needs (its ids, a batch number for each, and the NCT ids its rows name), while its
tables wait elsewhere (the caller keeps them on disk); then ClinicalTrials.gov's batches are
joined one at a time (:meth:`TwinJoin.ctgov_batch`, given the twins' sites when it asks for
them); then ISRCTN's batches come back without the rows merged (:meth:`TwinJoin.isrctn_rest`).

    join = TwinJoin()
    number = join.isrctn_batch(tables)            # each ISRCTN batch: ids and links kept
    joined, extra = join.ctgov_batch(tables, sites_of)   # each ClinicalTrials.gov batch
    rest = join.isrctn_rest(number, tables)       # each ISRCTN batch again, in order
    join.problems, join.notes()                   # merged_duplicate ... and the note

What it holds grows with the ids: about 8 bytes an ISRCTN id (:class:`~trialfinder.core.idset.
IdSet`), a short string for each NCT id an ISRCTN row names and each trial merged. A twin is
merged into the first ClinicalTrials.gov row (in the list's order) that links it from either
side, as :func:`~trialfinder.registries.isrctn.dedupe.merge` decides with the whole list.

Where the added sites go: the in-memory list puts the sites a twin adds after every
ClinicalTrials.gov site (in ISRCTN's order), and the filters keep that order unless a place is
searched (then each study's sites come together, nearest first). So each batch says which of
its sites were added (``extra``: their place in ISRCTN's sites), and the caller holds those
back until the last ClinicalTrials.gov batch when the sites are not regrouped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import pandas as pd

from trialfinder.core.idset import IdSet
from trialfinder.registries.isrctn.dedupe import (
    added_sites,
    counted_in,
    links_from_ctgov_ids,
    links_from_isrctn,
)
from trialfinder.registries.union import _ids, merged_notes, with_twins
from trialfinder.tables.frames import SITE_DTYPES, Tables

__all__ = ["ORDINAL_BASE", "SitesOf", "TwinJoin"]

#: An ISRCTN site's place in ISRCTN's whole sites table: its batch times this, plus its row.
ORDINAL_BASE: Final = 1 << 32

#: The sites of ISRCTN's batches: batch number -> the ISRCTN ids whose sites are wanted ->
#: those sites, in ISRCTN's order, indexed by their place (batch * ORDINAL_BASE + row).
SitesOf = Callable[[Mapping[int, Sequence[str]]], pd.DataFrame]


class TwinJoin:
    """ClinicalTrials.gov's and ISRCTN's batches as one list (see the module docstring)."""

    def __init__(self) -> None:
        self._batches: list[IdSet] = []  # the ISRCTN ids of each batch
        #: an NCT id -> the ISRCTN ids that name it, in ISRCTN's order
        self._named: dict[str, list[str]] = {}
        #: an ISRCTN id -> the ClinicalTrials.gov id it is merged into
        self.into: dict[str, str] = {}
        self._ambiguous = IdSet()
        #: what the rule counted (``ambiguous_link``, ``site_added_from_isrctn``,
        #: ``duplicate_site_left_out``; ``merged_duplicate`` once every batch is in)
        self.problems: Counter[str] = Counter()

    def isrctn_batch(self, studies: pd.DataFrame) -> int:
        """Keep the ids and links of one batch of ISRCTN's studies; its number."""
        number = len(self._batches)
        ids = IdSet()
        ids.add_new(str(i) for i in studies["nct_id"])
        self._batches.append(ids)
        for link in links_from_isrctn(_links_of(studies)):
            named = self._named.setdefault(link.nct_id, [])
            if link.isrctn_id not in named:
                named.append(link.isrctn_id)
        return number

    def batch_of(self, isrctn_id: str) -> int | None:
        """The number of the ISRCTN batch that holds ``isrctn_id`` (``None``: none)."""
        return next((n for n, ids in enumerate(self._batches) if isrctn_id in ids), None)

    def ctgov_batch(self, tables: Tables, sites_of: SitesOf) -> tuple[Tables, dict[
            tuple[str, int], int]]:
        """One ClinicalTrials.gov batch as the list shows it, and the sites twins added to
        it: ``(nct_id, site_index)`` -> their place in ISRCTN's sites (the sites themselves
        are the last rows of the batch's sites)."""
        studies = tables.studies
        ids = [str(i) for i in studies["nct_id"]]
        own = links_from_ctgov_ids(zip(ids, map(_ids, studies["other_ids"]), strict=True))
        also: dict[str, list[str]] = {}
        linked: dict[str, list[str]] = {}  # each row's ISRCTN ids in the answer
        for nct in ids:
            for isrctn_id in self._named.get(nct, ()):
                _add(also, nct, isrctn_id)
                _add(linked, nct, isrctn_id)
        for link in own:
            _add(also, link.nct_id, link.isrctn_id)
            if self.batch_of(link.isrctn_id) is not None:
                _add(linked, link.nct_id, link.isrctn_id)
        into: dict[str, str] = {}
        for nct in ids:  # the list's order: the first row that links a twin keeps it
            for isrctn_id in linked.get(nct, ()):
                kept = self.into.get(isrctn_id)
                if kept is None:
                    self.into[isrctn_id] = into[isrctn_id] = nct
                elif kept != nct and isrctn_id not in self._ambiguous:
                    self._ambiguous.add_new([isrctn_id])
                    self.problems["ambiguous_link"] += 1
        wanted: dict[int, list[str]] = {}
        for isrctn_id in into:
            number = self.batch_of(isrctn_id)
            if number is not None:
                wanted.setdefault(number, []).append(isrctn_id)
        extra = added_sites(tables.sites, sites_of(wanted), into, self.problems) \
            if into else None
        sites, places = tables.sites, {}
        if extra is not None:
            studies = counted_in(studies, extra)
            places = {(str(n), int(i)): int(p) for n, i, p in zip(
                extra["nct_id"], extra["site_index"], extra.index, strict=True)}
            # the declared dtypes again (categories of two registries would give ``object``)
            sites = pd.concat([sites, extra.reset_index(drop=True)],
                              ignore_index=True).astype(SITE_DTYPES)
        studies = with_twins(studies, also, set(into.values()))
        return Tables(studies, sites, tables.conditions, tables.interventions,
                      dict(tables.problems), tables.skipped, tables.contacts,
                      tables.officials), places

    def isrctn_rest(self, tables: Tables) -> Tables:
        """One ISRCTN batch without the rows merged into a ClinicalTrials.gov row (their
        problems and skipped records are the caller's: it counted them as the batch came)."""
        kept = [str(i) not in self.into for i in tables.studies["nct_id"]]
        studies = tables.studies[kept]
        keep = set(studies["nct_id"].astype(str))

        def rest(frame: pd.DataFrame) -> pd.DataFrame:
            if len(keep) == len(tables.studies):
                return frame
            return frame[frame["nct_id"].isin(list(keep))]

        also: dict[str, list[str]] = {}
        for link in links_from_isrctn(_links_of(studies)):
            _add(also, link.isrctn_id, link.nct_id)
        return Tables(with_twins(studies, also, ()), rest(tables.sites),
                      rest(tables.conditions), rest(tables.interventions), {}, 0,
                      rest(tables.contacts), rest(tables.officials))

    def finish(self) -> Counter[str]:
        """Every batch is in: what the rule counted, ``merged_duplicate`` too."""
        if self.into:
            self.problems["merged_duplicate"] = len(self.into)
        return self.problems

    def notes(self) -> list[str]:
        """The note the in-memory list gives (how many trials were listed once)."""
        return merged_notes(len(self.into))


def _links_of(studies: pd.DataFrame) -> dict[str, list[str]]:
    return {str(i): _ids(o) for i, o in zip(studies["nct_id"], studies["other_ids"],
                                             strict=True)}


def _add(lists: dict[str, list[str]], key: str, value: str) -> None:
    values = lists.setdefault(key, [])
    if value not in values:
        values.append(value)
