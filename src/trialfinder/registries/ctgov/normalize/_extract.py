"""The one pass over the records: every table's raw values read in a single walk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import compress
from operator import itemgetter
from typing import Any, Final

from trialfinder.registries.ctgov.normalize._build import Parts
from trialfinder.registries.ctgov.normalize._columns import _bump, _check_arrow, _Problems
from trialfinder.registries.ctgov.normalize._plan import (
    _C_EMAIL,
    _C_EXT,
    _C_NAME,
    _C_PHONE,
    _CONTACT_KEYS,
    _I_CENTRAL,
    _I_CONDS,
    _I_COUNTRY,
    _I_FACILITY,
    _I_GEO,
    _I_IVS,
    _I_LOCS,
    _I_MESH,
    _I_NCT,
    _I_OFFICIALS,
    _IV_KEYS,
    _IV_NAME,
    _IV_TYPE,
    _OFFICIAL_KEYS,
    _READ,
    _SITE_READ,
)
from trialfinder.registries.ctgov.normalize._repair import _SCHEMA, _sanitize
from trialfinder.registries.ctgov.query import NCT_ID
from trialfinder.tables.frames import Tables

# Rows are handed to the tables in chunks this small, so that each value is converted while the
# objects it was read from are still in the CPU's caches (see _build), and this large, so that
# the calls made per column and chunk stay few: 100 studies took 3% more instructions for a
# 10,000-study search and more time, 250 to 500 about the same time.
_CHUNK_STUDIES: Final = 250
_CHUNK_SITES: Final = 5000


class _Odd(Exception):
    """Raised on the fast path when a value has a shape the fast path does not handle."""


_EMPTY: Final[Mapping[str, Any]] = {}


def _phone(phone: Any, ext: Any) -> Any:
    return f"{phone or ''} ext. {ext}" if ext else phone


def _conditions(nct: str, conds: Any, meshes: Any) -> list[tuple[Any, ...]]:
    """Conditions rows: one per condition text, then the MeSH terms that matched none."""
    if conds and conds.__class__ is not list:
        raise _Odd
    crows: list[tuple[Any, ...]] = []
    if meshes:
        by_term: dict[str, tuple[Any, Any, int]] = {}
        for i, m in enumerate(meshes):
            term = m.get("term")
            if term:
                by_term.setdefault(term.strip().lower(), (m.get("id"), term, i))
        used: set[int] = set()
        for cond in conds or ():
            hit = by_term.get(cond.strip().lower())
            if hit is None:
                crows.append((nct, cond, None, None))
            else:
                used.add(hit[2])
                crows.append((nct, cond, hit[0], hit[1]))
        for i, m in enumerate(meshes):
            if i not in used:
                crows.append((nct, None, m.get("id"), m.get("term")))
    elif conds:
        for cond in conds:
            cond.__len__()  # a non-str item raises -> repair path
            crows.append((nct, cond, None, None))
    return crows


def normalize(records: Iterable[Mapping[str, Any]]) -> Tables:
    """Turn raw v2 study dicts (``protocolSection``, ``derivedSection``, ``hasResults``) into
    :class:`Tables`.

    Conditions rule: one ``conditions`` row per condition text, in the record's order. A MeSH
    term from ``derivedSection.conditionBrowseModule.meshes`` whose term equals the condition
    text ignoring case (and surrounding blanks) fills ``mesh_id``/``mesh_term`` of that row.
    MeSH terms that match no condition text are added after them as extra rows with
    ``condition`` NA, so no MeSH term is lost.

    Studies: list fields are joined with ``"|"``; ``interventions`` = intervention names,
    ``intervention_types`` = distinct types in first-seen order; ``n_sites`` = number of
    locations; ``countries`` = distinct countries in site order; ``central_contact_*`` = the
    first central contact. ``first_posted`` and ``last_update`` carry no precision column (the
    API sends full days for them).

    Contacts: every central contact (scope "study") and every site contact (scope "site",
    with the site's ``site_index`` and facility), in record order.
    """
    normalizer = Normalizer()
    normalizer.add(records)
    return normalizer.tables()


class Normalizer:
    """:func:`normalize` for records that come in batches (the pages of a search): each batch
    is read as it comes, and each table is made once, from every batch, by :meth:`tables`.
    The same tables as ``normalize`` of all the records at once, without making and joining
    tables page by page (a quarter of the work for 10,000 studies)."""

    def __init__(self) -> None:
        _check_arrow()
        self._problems: _Problems = {}
        self._parts: Parts | None = Parts(self._problems)
        self._skipped = 0
        self._seen: set[str] = set()
        self._no_geo = 0
        self._bad_ids = 0
        self._dups = 0

    def add(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Read a batch of records (see :func:`normalize`)."""
        parts = self._parts
        if parts is None:
            raise RuntimeError("this Normalizer made its tables already")
        problems = self._problems
        skipped, seen = self._skipped, self._seen
        no_geo, bad_ids, dups = self._no_geo, self._bad_ids, self._dups
        study_rows: list[list[Any]] = []
        derived_rows: list[tuple[Any, ...]] = []
        site_rows: list[tuple[Any, ...]] = []
        site_nct: list[str] = []
        site_index: list[int] = []
        site_first: list[tuple[int, Any, Any, Any]] = []  # (site row, first contact's values)
        contact_rows: list[tuple[Any, ...]] = []
        official_rows: list[tuple[Any, ...]] = []
        cond_rows: list[tuple[Any, ...]] = []
        iv_rows: list[tuple[Any, ...]] = []
        nct_match = NCT_ID.fullmatch
        E = _EMPTY
        read = _READ
        site_keys, contact_keys, official_keys, iv_keys = (
            _SITE_READ, _CONTACT_KEYS, _OFFICIAL_KEYS, _IV_KEYS)
        i_fac, i_country = _I_FACILITY, _I_COUNTRY
        get_geo, get_contacts = itemgetter(_I_GEO), itemgetter(-1)
        c_name, c_phone, c_ext, c_email = _C_NAME, _C_PHONE, _C_EXT, _C_EMAIL

        for rec in records:
            if not isinstance(rec, Mapping):
                skipped += 1
                _bump(problems, "record_not_a_dict")
                continue
            src: Mapping[str, Any] = rec
            no_geo0 = no_geo
            bad_ids0 = bad_ids
            for attempt in (0, 1):
                try:
                    vals = read(src, E)
                    nct = vals[_I_NCT]
                    if nct.__class__ is not str:
                        if nct is None or attempt:
                            nct = None
                            break
                        raise _Odd
                    if nct_match(nct) is None:
                        # not NCT + 8 ASCII digits: the record is skipped (an empty id is none)
                        bad_ids += bool(nct.strip())
                        nct = None
                        break

                    # sites and their contacts
                    srows: list[tuple[Any, ...]] = []
                    sfirst: list[tuple[int, Any, Any, Any]] = []
                    base = len(site_rows)
                    ctrows: list[tuple[Any, ...]] = []
                    for c in vals[_I_CENTRAL] or ():
                        ctrows.append((nct, "study", None, None, *map(c.get, contact_keys)))
                    n_central = len(ctrows)
                    locs = vals[_I_LOCS]
                    if locs:
                        srows = [tuple(map(loc.get, site_keys)) for loc in locs]
                        no_geo += len(srows) - sum(map(bool, map(get_geo, srows)))
                        # only the sites that list contacts (compress walks the rest in C)
                        for si in compress(range(len(srows)), map(get_contacts, srows)):
                            r = srows[si]
                            fac = r[i_fac]
                            first = len(ctrows)
                            for c in r[-1]:
                                ctrows.append((nct, "site", si, fac, *map(c.get, contact_keys)))
                            c0 = ctrows[first]
                            phone = c0[4 + c_phone]
                            if c0[4 + c_ext]:
                                phone = _phone(phone, c0[4 + c_ext])
                            sfirst.append((base + si, c0[4 + c_name], phone, c0[4 + c_email]))
                    if srows:
                        countries = "|".join(
                            [k for k in dict.fromkeys([s[i_country] for s in srows]) if k]
                        ) or None
                    else:
                        countries = None

                    crows = _conditions(nct, vals[_I_CONDS], vals[_I_MESH])
                    orows = [(nct, *map(o.get, official_keys)) for o in vals[_I_OFFICIALS] or ()]

                    irows: list[tuple[Any, ...]] = []
                    names: list[Any] = []
                    types: dict[Any, None] = {}
                    for iv in vals[_I_IVS] or ():
                        r = tuple(map(iv.get, iv_keys))
                        irows.append((nct, *r))
                        if r[_IV_NAME]:
                            names.append(r[_IV_NAME])
                        if r[_IV_TYPE]:
                            types[r[_IV_TYPE]] = None

                    if n_central:
                        c0 = ctrows[0]
                        central = (c0[4 + c_name], _phone(c0[4 + c_phone], c0[4 + c_ext]),
                                   c0[4 + c_email])
                    else:
                        central = (None, None, None)
                    derived = ("|".join(names) or None, "|".join(types) or None, len(srows),
                               countries, *central)
                except Exception:
                    if attempt:  # pragma: no cover - the repaired shape always reads
                        nct = None
                        _bump(problems, "record_unusable")
                        break
                    no_geo = no_geo0
                    src = _sanitize(rec, _SCHEMA, "", problems) or {}
                    continue
                # success: commit the record
                study_rows.append(vals)
                derived_rows.append(derived)
                site_rows += srows
                site_nct += [nct] * len(srows)
                site_index += range(len(srows))
                site_first += sfirst
                contact_rows += ctrows
                official_rows += orows
                cond_rows += crows
                iv_rows += irows
                if nct in seen:
                    dups += 1
                else:
                    seen.add(nct)
                break
            if nct is None:
                skipped += 1
                if bad_ids == bad_ids0:  # bad ids are counted apart, as bad_nct_id
                    _bump(problems, "record_without_nct_id")
            elif len(study_rows) >= _CHUNK_STUDIES or len(site_rows) >= _CHUNK_SITES:
                _flush(parts, study_rows, derived_rows, site_rows, site_nct, site_index, site_first,
                       contact_rows, official_rows, cond_rows, iv_rows)

        _flush(parts, study_rows, derived_rows, site_rows, site_nct, site_index, site_first,
               contact_rows, official_rows, cond_rows, iv_rows)
        self._skipped = skipped
        self._no_geo, self._bad_ids, self._dups = no_geo, bad_ids, dups

    def tables(self) -> Tables:
        """The tables of every record added; the parts they were made from are let go."""
        parts, self._parts = self._parts, None
        if parts is None:
            raise RuntimeError("this Normalizer made its tables already")
        problems = self._problems
        _bump(problems, "bad_nct_id", self._bad_ids)
        _bump(problems, "duplicate_nct_id", self._dups)
        studies = parts.studies.frame()
        sites = parts.sites_frame()
        _bump(problems, "site_without_geopoint", self._no_geo)
        contacts = parts.contacts.frame()
        officials = parts.officials.frame()
        conditions = parts.conditions.frame()
        interventions = parts.interventions.frame()
        return Tables(
            studies=studies,
            sites=sites,
            conditions=conditions,
            interventions=interventions,
            problems=dict(sorted(problems.items())),
            skipped=self._skipped,
            contacts=contacts,
            officials=officials,
        )


def _flush(
    parts: Parts,
    study_rows: list[list[Any]],
    derived_rows: list[tuple[Any, ...]],
    site_rows: list[tuple[Any, ...]],
    site_nct: list[str],
    site_index: list[int],
    site_first: list[tuple[int, Any, Any, Any]],
    contact_rows: list[tuple[Any, ...]],
    official_rows: list[tuple[Any, ...]],
    cond_rows: list[tuple[Any, ...]],
    iv_rows: list[tuple[Any, ...]],
) -> None:
    """Hand one chunk of rows to the tables, then empty the row lists for the next chunk."""
    parts.add_studies(study_rows, derived_rows)
    parts.add_sites(site_rows, site_nct, site_index, site_first)
    parts.add_child("contacts", contact_rows)
    parts.add_child("officials", official_rows)
    parts.add_child("conditions", cond_rows)
    parts.add_child("interventions", iv_rows)
    for rows in (study_rows, derived_rows, site_rows, site_nct, site_index, site_first,
                 contact_rows, official_rows, cond_rows, iv_rows):
        rows.clear()


