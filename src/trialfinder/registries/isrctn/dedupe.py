"""One list without duplicates across ClinicalTrials.gov and ISRCTN: pure functions, no I/O.

**When two records are one trial.** An ISRCTN record names its ClinicalTrials.gov twin in
``clinicalTrialsGovNumber`` or in a secondary number of type ``nct`` (:func:`~.tables.
nct_links_of`; "Nil known", "N/A" and other junk are ignored); a ClinicalTrials.gov record
names its ISRCTN twin among ``protocolSection.identificationModule.secondaryIdInfos`` (an id
like ``ISRCTN12345678`` or ``ISRCTN-12345678``, or eight digits whose ``domain`` or ``type``
says ISRCTN: :func:`links_from_ctgov`). Either side's word is enough: a :class:`Link`.

**Which record's fields win.** The ClinicalTrials.gov record stays, whole: its structured
fields (status, phases, design, ages, contacts) are the registry's own, where ISRCTN's status
is derived and its phases free text. The ISRCTN record adds (1) its id
(:attr:`Merged.also_known_as`; the union lists it among the kept row's ``other_ids``) and
(2) any of its sites in a city the ClinicalTrials.gov record has no site in (same city and
country, folded, = same place: ISRCTN places its centres by city anyway); they join the kept
record's sites under its id, numbered after its own, and its ``n_sites`` and ``countries``
count them. Its conditions, interventions and every other field are left out. The kept row's
source reads ``ctgov+isrctn``.

**Odd links.** An ISRCTN record linked to two ClinicalTrials.gov records in the list joins the
first of them (in the list's order) and ``ambiguous_link`` is counted; a link to a record not in
the list merges nothing (both ids are still named in ``also_known_as``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pandas as pd

from trialfinder.core.folding import fold
from trialfinder.core.missing import dig
from trialfinder.registries.ctgov.normalize import Tables, concat_tables
from trialfinder.registries.ctgov.query import is_nct_id
from trialfinder.registries.isrctn.ids import is_isrctn_id, isrctn_in_text
from trialfinder.registries.isrctn.sites import country_name
from trialfinder.tables.frames import SITE_DTYPES

__all__ = [
    "BOTH",
    "CTGOV",
    "Link",
    "Merged",
    "added_sites",
    "counted_in",
    "links_from_ctgov",
    "links_from_ctgov_ids",
    "links_from_isrctn",
    "merge",
]

CTGOV: Final = "ctgov"
ISRCTN: Final = "isrctn"
BOTH: Final = "ctgov+isrctn"


@dataclass(frozen=True, slots=True)
class Link:
    """Two ids of one trial, and which registry's record said so."""

    nct_id: str
    isrctn_id: str
    named_by: Literal["ctgov", "isrctn"]


def links_from_isrctn(nct_links: Mapping[str, Iterable[str]]) -> list[Link]:
    """Links from ISRCTN's side (``IsrctnTables.nct_links``: ISRCTN id -> NCT ids)."""
    return [Link(nct, isrctn_id, "isrctn") for isrctn_id, ncts in nct_links.items()
            if is_isrctn_id(isrctn_id) for nct in ncts if is_nct_id(nct)]


def links_from_ctgov(records: Iterable[Mapping[str, Any]]) -> list[Link]:
    """Links from ClinicalTrials.gov records' secondary ids (odd shapes are passed over)."""
    links: list[Link] = []
    for record in records:
        ident = dig(record, "protocolSection", "identificationModule")
        nct = ident.get("nctId") if isinstance(ident, Mapping) else None
        infos = ident.get("secondaryIdInfos") if isinstance(ident, Mapping) else None
        if not is_nct_id(nct) or not isinstance(infos, list):
            continue
        for info in infos:
            if not isinstance(info, Mapping):
                continue
            domain = " ".join(str(info.get(k) or "") for k in ("domain", "type", "link"))
            found = isrctn_in_text(info.get("id"), domain=domain)
            if found:
                links.append(Link(str(nct), found, "ctgov"))
    return links


def links_from_ctgov_ids(rows: Iterable[tuple[object, Iterable[str]]]) -> list[Link]:
    """Links from ClinicalTrials.gov rows' ``other_ids`` (``(nct_id, ids)``): each id that
    names an ISRCTN id itself (``ISRCTN12345678``, ``ISRCTN-12345678``; the column keeps no
    domain, so eight bare digits count only in :func:`links_from_ctgov`)."""
    return [Link(str(nct), found, "ctgov") for nct, ids in rows if is_nct_id(nct)
            for found in (isrctn_in_text(i) for i in ids) if found]


@dataclass(frozen=True, eq=False)
class Merged:
    """The union of both registries' tables, each trial once."""

    tables: Tables
    #: One per row of ``tables.studies``: ``ctgov``, ``isrctn`` or ``ctgov+isrctn``.
    sources: tuple[str, ...]
    #: A kept study's id -> the ids of the same trial in the other registry.
    also_known_as: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ISRCTN records merged into a ClinicalTrials.gov record (not listed on their own).
    merged: int = 0


def _place(city: object, country: object) -> tuple[str, str]:
    text = city if isinstance(city, str) else ""
    where = country_name(country) if isinstance(country, str) else None
    return " ".join(fold(text).split()), " ".join(fold(where or "").split())


def merge(ctgov: Tables, isrctn: Tables, links: Iterable[Link]) -> Merged:
    """``ctgov`` and ``isrctn`` as one list by the rule in the module docstring."""
    ct_ids = list(ctgov.studies["nct_id"].astype(object))
    position = {nct: i for i, nct in enumerate(ct_ids)}
    is_ids = set(isrctn.studies["nct_id"].astype(object))
    problems: Counter[str] = Counter()
    also: dict[str, list[str]] = defaultdict(list)
    targets: dict[str, list[str]] = defaultdict(list)
    for link in links:
        if link.isrctn_id not in also[link.nct_id]:
            also[link.nct_id].append(link.isrctn_id)
        if link.nct_id not in also[link.isrctn_id]:
            also[link.isrctn_id].append(link.nct_id)
        if link.nct_id in position and link.isrctn_id in is_ids \
                and link.nct_id not in targets[link.isrctn_id]:
            targets[link.isrctn_id].append(link.nct_id)
    into: dict[str, str] = {}
    for isrctn_id, ncts in targets.items():
        if ncts:
            into[isrctn_id] = min(ncts, key=position.__getitem__)
            problems["ambiguous_link"] += int(len(ncts) > 1)
    studies, sites = _absorb_sites(ctgov, isrctn, into, problems)
    kept = ~isrctn.studies["nct_id"].isin(list(into))

    def rest(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["nct_id"].isin(isrctn.studies["nct_id"][kept])]

    first = Tables(studies, ctgov.sites if sites is None else sites, ctgov.conditions,
                   ctgov.interventions, dict(ctgov.problems), ctgov.skipped, ctgov.contacts,
                   ctgov.officials)
    second = Tables(isrctn.studies[kept], rest(isrctn.sites), rest(isrctn.conditions),
                    rest(isrctn.interventions), dict(isrctn.problems), isrctn.skipped,
                    rest(isrctn.contacts), rest(isrctn.officials))
    joined = concat_tables([first, second])
    problems.update(joined.problems)
    if into:
        problems["merged_duplicate"] += len(into)
    joined = Tables(joined.studies, joined.sites, joined.conditions, joined.interventions,
                    {k: v for k, v in problems.items() if v}, joined.skipped, joined.contacts,
                    joined.officials)
    merged_into = set(into.values())
    sources = tuple(BOTH if i in merged_into else CTGOV for i in ct_ids) + \
        (ISRCTN,) * int(kept.sum())
    present = set(joined.studies["nct_id"].astype(object))
    known = {k: tuple(v) for k, v in also.items() if k in present and v}
    return Merged(joined, sources, known, len(into))


def _absorb_sites(ctgov: Tables, isrctn: Tables, into: Mapping[str, str],
                  problems: Counter[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The ClinicalTrials.gov studies and sites with the merged ISRCTN records' sites in
    cities they lack (``None``: the sites are unchanged)."""
    extra = added_sites(ctgov.sites, isrctn.sites, into, problems)
    if extra is None:
        return ctgov.studies, None
    return counted_in(ctgov.studies, extra), pd.concat(
        [ctgov.sites, extra.reset_index(drop=True)], ignore_index=True)


def added_sites(ctgov_sites: pd.DataFrame, isrctn_sites: pd.DataFrame,
                into: Mapping[str, str], problems: Counter[str]) -> pd.DataFrame | None:
    """The sites of the ISRCTN records merged by ``into`` (ISRCTN id -> the
    ClinicalTrials.gov id it joins) in cities their ClinicalTrials.gov record has no site in,
    under that record's id and numbered after its sites (``ctgov_sites`` holds every site of
    those records), in the order of ``isrctn_sites``, whose index they keep (``None``: none).
    ``problems`` counts the sites added and those left out."""
    if not into:
        return None
    have: dict[str, set[tuple[str, str]]] = defaultdict(set)
    last: dict[str, int] = {}
    for nct, city, country, index in zip(ctgov_sites["nct_id"], ctgov_sites["city"],
                                         ctgov_sites["country"], ctgov_sites["site_index"],
                                         strict=True):
        have[nct].add(_place(city, country))
        last[nct] = max(last.get(nct, -1), int(index))
    added: list[pd.Series[Any]] = []
    for _, site in isrctn_sites[isrctn_sites["nct_id"].isin(list(into))].iterrows():
        nct = into[site["nct_id"]]
        where = _place(site["city"], site["country"])
        if not where[0] or where in have[nct]:
            problems["duplicate_site_left_out"] += 1
            continue
        have[nct].add(where)
        last[nct] = last.get(nct, -1) + 1
        row = site.copy()
        row["nct_id"], row["site_index"] = nct, last[nct]
        added.append(row)
    if not added:
        return None
    # the declared dtypes, not the ClinicalTrials.gov frame's: its categories (source "ctgov")
    # would turn the ISRCTN rows' own codes into NA; concat_tables joins the categories
    extra = pd.DataFrame(added).astype(SITE_DTYPES)
    problems["site_added_from_isrctn"] += len(extra)
    return extra


def counted_in(studies: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """``studies`` with the sites of ``extra`` (from :func:`added_sites`) counted in their
    study's ``n_sites`` and ``countries``."""
    studies = studies.copy()
    for nct, group in extra.groupby("nct_id", sort=False):
        row = studies["nct_id"] == nct
        count = studies.loc[row, "n_sites"].fillna(0) + len(group)
        studies.loc[row, "n_sites"] = count
        before = studies.loc[row, "countries"].iloc[0]
        names = [*(str(before).split("|") if isinstance(before, str) else []),
                 *group["country"].dropna().astype(str)]
        studies.loc[row, "countries"] = "|".join(dict.fromkeys(n for n in names if n))
    return studies
