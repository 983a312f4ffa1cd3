"""ISRCTN trials -> the project's own tables (studies, sites, conditions, interventions,
contacts, officials), with exactly the columns and dtypes of :mod:`trialfinder.tables.schema`.

The key column ``nct_id`` holds the registry's own id (``ISRCTN99000001``); its name stays for
compatibility. Every row comes from ISRCTN, so every table's ``source`` column is
:data:`~.ids.SOURCE` (also given beside the tables as :attr:`IsrctnTables.source`), with the
NCT cross-references (:attr:`IsrctnTables.nct_links`) that the duplicate rule (:mod:`.dedupe`)
reads.

How ISRCTN's fields fill our columns (what has no counterpart stays missing):

- ``status``: derived (:mod:`.status`), never sent by ISRCTN; ``why_stopped``: ``reasonAbandoned``.
- ``phases``: every intervention's phase ("Phase I/II" -> ``PHASE1|PHASE2``, "Not Applicable" ->
  ``NA``, "Phase 0" -> ``EARLY_PHASE1``); a phase we cannot read is left out and counted.
- ``study_type``: ``primaryStudyDesign`` (Interventional, Observational); ``allocation``
  (randomised or not), ``masking`` (only "Open" -> ``NONE``: ISRCTN does not say how many are
  blinded), ``primary_purpose`` (only when one purpose is given).
- ``conditions``: each condition's description; ``keywords``: its disease classes.
- ``interventions``: the drug names, else the first line of the description (at most 200
  characters, cut with "…"); ``intervention_types`` from ``interventionType`` (Drug, Device,
  Supplement, Behavioural, ...; Mixed and unknown words -> ``OTHER``, unknown ones counted).
- ``sponsor``: the first sponsor; ``sponsor_class``: ``INDUSTRY`` when commercial, else
  ``OTHER_GOV`` for a government sponsor, else ``OTHER``; ``collaborators``: the other sponsors
  and the funders.
- ``enrollment``: the final enrolment when above 0 (``ACTUAL``), else the target (``ESTIMATED``).
- ``start_date``: ``overallStartDate``, else ``recruitmentStart`` (``ACTUAL`` once it is past);
  ``completion_date``: ``overallEndDate``; ``first_posted``: the date the id was assigned;
  ``last_update``: ``lastUpdated``. ``primary_completion_date`` has no counterpart.
- ages from ``lowerAgeLimit``/``upperAgeLimit`` (any unit, in years), ``sex`` from ``gender``
  (All/Both -> ``ALL``), ``healthy_volunteers``, ``std_ages`` from ``ageRange``.
- ``eligibility_criteria``: "Inclusion Criteria:" and the inclusion text, then "Exclusion
  Criteria:" and the exclusion text, the shape :mod:`trialfinder.tables.eligibility` splits.
- ``brief_summary``: the plain English summary, else the hypothesis (a summary that only says
  it was "not provided" counts as none).
- ``has_results``: results are published (``publicationStage`` "Results") or a basic report is.
- ``other_ids``: the NCT ids the record names (:func:`nct_links_of`; junk left out).
- contacts: one study-wide row (scope ``study``) per contact person, in the order the trial's
  parties name them: the title and names, ``PRINCIPAL_INVESTIGATOR`` when ISRCTN's contact type
  says so and ``CONTACT`` otherwise, the telephone and e-mail (each at most 500 characters); a
  person with neither a name, a phone nor an e-mail is left out and counted
  (``empty_contact``). ``central_contact_*``: the first contact with a phone or an e-mail.
- sites: :mod:`.sites`; officials: none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import pandas as pd

from trialfinder.registries.isrctn.ids import SOURCE, nct_in_text, study_url
from trialfinder.registries.isrctn.model import ContactPerson, IsrctnTrial
from trialfinder.registries.isrctn.sites import Placer, country_name, site_rows
from trialfinder.registries.isrctn.status import derive_status
from trialfinder.tables.frames import TABLE_DTYPES, Tables

__all__ = ["IsrctnTables", "contact_row", "contact_rows", "nct_links_of", "to_tables"]

_PHASES: Final[dict[str, tuple[str, ...]]] = {
    "0": ("EARLY_PHASE1",), "i": ("PHASE1",), "ii": ("PHASE2",), "iii": ("PHASE3",),
    "iv": ("PHASE4",), "1": ("PHASE1",), "2": ("PHASE2",), "3": ("PHASE3",), "4": ("PHASE4",),
}
_INTERVENTION_TYPES: Final[dict[str, str]] = {
    "drug": "DRUG", "device": "DEVICE", "biological": "BIOLOGICAL", "vaccine": "BIOLOGICAL",
    "biological/vaccine": "BIOLOGICAL", "behavioural": "BEHAVIORAL", "behavioral": "BEHAVIORAL",
    "procedure/surgery": "PROCEDURE", "procedure": "PROCEDURE", "surgery": "PROCEDURE",
    "supplement": "DIETARY_SUPPLEMENT", "genetic": "GENETIC", "radiotherapy": "RADIATION",
    "radiation": "RADIATION", "mixed": "OTHER", "other": "OTHER",
}
_PURPOSES: Final[dict[str, str]] = {
    "treatment": "TREATMENT", "prevention": "PREVENTION", "diagnostic": "DIAGNOSTIC",
    "supportive care": "SUPPORTIVE_CARE", "screening": "SCREENING",
    "health services research": "HEALTH_SERVICES_RESEARCH", "basic science": "BASIC_SCIENCE",
    "device feasibility": "DEVICE_FEASIBILITY", "other": "OTHER",
}
_SEXES: Final = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}
_AGE_GROUPS: Final[dict[str, str]] = {
    "neonate": "CHILD", "child": "CHILD", "adult": "ADULT", "senior": "OLDER_ADULT",
    "all": "CHILD|ADULT|OLDER_ADULT",
}
_NOT_PROVIDED: Final = re.compile(r"^(?:plain english summary(?: of protocol)? )?not provided",
                                  re.IGNORECASE)
_NAME_MAX: Final = 200
_FIELD_MAX: Final = 500  # characters kept of one contact field, as for ClinicalTrials.gov


@dataclass(frozen=True, eq=False)
class IsrctnTables:
    """The tables of some ISRCTN trials and what goes beside them."""

    tables: Tables
    #: Registry of every row (all ISRCTN), as in each table's ``source`` column.
    source: str = SOURCE
    #: ISRCTN id -> the NCT ids its record names as the same study (valid ids only).
    nct_links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Derived status basis per ISRCTN id (what to show beside "(derived)").
    status_basis: dict[str, str] = field(default_factory=dict)


def nct_links_of(trial: IsrctnTrial) -> tuple[str, ...]:
    """The NCT ids ``trial`` names (``clinicalTrialsGovNumber`` and secondary numbers of type
    ``nct``); junk ("Nil known", "N/A") is ignored."""
    found = [nct_in_text(trial.ctgov_number)]
    for number in trial.secondary_numbers:
        if (number.number_type or "").lower() == "nct" or (number.canonical or "").upper() \
                .startswith("NCT"):
            found += [nct_in_text(number.canonical), nct_in_text(number.value)]
    return tuple(dict.fromkeys(n for n in found if n))


def to_tables(trials: Iterable[IsrctnTrial], today: date, *, placer: Placer | None = None,
              skipped: int = 0, problems: Mapping[str, int] | None = None) -> IsrctnTables:
    """The project's tables for ``trials`` (statuses derived on ``today``; see the module).
    ``skipped`` and ``problems`` carry what the parser counted (:class:`~.model.ParsedAnswer`)
    into the tables' own counts."""
    placer = placer or Placer()
    counts: Counter[str] = Counter(problems or {})
    studies: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    interventions: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    links: dict[str, tuple[str, ...]] = {}
    basis: dict[str, str] = {}
    for trial in trials:
        derived = derive_status(trial, today)
        basis[trial.isrctn_id] = derived.basis
        trial_sites = site_rows(trial, placer, counts)
        people = contact_rows(trial, counts)
        studies.append(_study(trial, derived.status.value, trial_sites, today, counts)
                       | _central(people))
        contacts += people
        sites += trial_sites
        conditions += [{"nct_id": trial.isrctn_id, "condition": c.description,
                        "mesh_id": None, "mesh_term": None}
                       for c in trial.conditions if c.description]
        interventions += [_intervention(trial.isrctn_id, i, counts)
                          for i in trial.interventions]
        if nct := nct_links_of(trial):
            links[trial.isrctn_id] = nct
    rows = {"studies": studies, "sites": sites, "conditions": conditions,
            "interventions": interventions, "contacts": contacts}
    tables = Tables.of({name: _frame(rows.get(name, []), dtypes)
                        for name, dtypes in TABLE_DTYPES.items()}, counts, skipped)
    return IsrctnTables(tables, nct_links=links, status_basis=basis)


def _frame(rows: list[dict[str, Any]], dtypes: Mapping[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(dtypes))
    frame["source"] = SOURCE  # every row is ISRCTN's
    for name, dtype in dtypes.items():
        if dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name])
    return frame.astype(dict(dtypes))


def _joined(values: Iterable[str | None]) -> str | None:
    kept = list(dict.fromkeys(v for v in values if v))
    return "|".join(kept) if kept else None


def _phases(trial: IsrctnTrial, problems: Counter[str]) -> str | None:
    found: list[str] = []
    for intervention in trial.interventions:
        text = (intervention.phase or "").strip().lower()
        if not text:
            continue
        if text.startswith("not applicable") or text in ("n/a", "na"):
            found.append("NA")
            continue
        parts = re.fullmatch(r"phase\s+([0-9iv]+)(?:\s*/\s*(?:phase\s+)?([0-9iv]+))?", text)
        codes = [_PHASES.get(g) for g in parts.groups() if g is not None] if parts else [None]
        if None in codes:
            problems["unknown_enum:phases"] += 1
            continue
        for code in codes:
            found += list(code or ())
    return _joined(found)


def _study(trial: IsrctnTrial, status: str, sites: list[dict[str, Any]], today: date,
           problems: Counter[str]) -> dict[str, Any]:
    start = trial.overall_start or trial.recruitment_start
    lower, upper = trial.lower_age, trial.upper_age
    sponsors = [s.name for s in trial.sponsors]
    others = [n for n in (*sponsors[1:], *(f.name for f in trial.funders))
              if n and n != (sponsors[0] if sponsors else None)]
    final, target = trial.final_enrolment, trial.target_enrolment
    enrollment, kind = (final, "ACTUAL") if final else (target, "ESTIMATED")
    design = (trial.primary_design or "").strip().lower()
    study_type = {"interventional": "INTERVENTIONAL", "observational": "OBSERVATIONAL"}.get(
        design)
    if design and study_type is None:
        problems["unknown_enum:study_type"] += 1
    sex = _SEXES.get((trial.gender or "").strip().lower())
    if trial.gender and sex is None:
        problems["unknown_enum:sex"] += 1
    summary = trial.plain_summary
    if summary is None or _NOT_PROVIDED.match(summary):
        summary = trial.hypothesis
    types = [_INTERVENTION_TYPES.get((i.type or "").strip().lower(), "OTHER")
             for i in trial.interventions]
    return {
        "nct_id": trial.isrctn_id, "title": trial.title,
        "official_title": trial.scientific_title, "acronym": trial.acronym,
        "status": status, "last_known_status": None, "why_stopped": trial.reason_abandoned,
        "phases": _phases(trial, problems), "study_type": study_type,
        "allocation": _allocation(trial.allocation),
        "masking": "NONE" if (trial.masking or "").lower().startswith("open") else None,
        "primary_purpose": _purpose(trial),
        "conditions": _joined(c.description for c in trial.conditions),
        "keywords": _joined(k for c in trial.conditions
                            for k in (c.disease_class1, c.disease_class2)),
        "interventions": _joined(_intervention_name(i.drug_names, i.description)
                                 for i in trial.interventions),
        "intervention_types": _joined(types),
        "sponsor": sponsors[0] if sponsors else None,
        "sponsor_class": _sponsor_class(trial) if trial.sponsors else None,
        "collaborators": _joined(others),
        "enrollment": enrollment, "enrollment_type": kind if enrollment is not None else None,
        **_date("start_date", start, today),
        **_date("primary_completion_date", None, today),
        **_date("completion_date", trial.overall_end, today),
        "first_posted": trial.date_assigned, "last_update": trial.last_updated,
        "min_age_years": lower.years if lower else None,
        "max_age_years": upper.years if upper else None,
        "sex": sex, "healthy_volunteers": trial.healthy_volunteers,
        "std_ages": _AGE_GROUPS.get((trial.age_range or "").strip().lower()),
        "has_results": (trial.publication_stage or "").lower() == "results"
        or bool(trial.basic_report),
        "brief_summary": summary, "eligibility_criteria": _eligibility(trial),
        "n_sites": len(sites),
        "countries": _joined([*(s["country"] for s in sites),
                              *(country_name(c) for c in trial.recruitment_countries)]),
        "other_ids": _joined(nct_links_of(trial)), "url": study_url(trial.isrctn_id),
    }


def _date(name: str, value: date | None, today: date) -> dict[str, Any]:
    return {name: value, f"{name}_precision": "day" if value else None,
            f"{name}_type": None if value is None else "ACTUAL" if value <= today
            else "ESTIMATED",
            f"{name}_raw": value.isoformat() if value else None}


def _allocation(text: str | None) -> str | None:
    words = (text or "").lower()
    if not words:
        return None
    if "non-random" in words or "non random" in words:
        return "NON_RANDOMIZED"
    return "RANDOMIZED" if "random" in words else None


def _purpose(trial: IsrctnTrial) -> str | None:
    for given in (trial.purposes, trial.trial_types):
        if len(given) == 1:
            return _PURPOSES.get(given[0].strip().lower(), "OTHER")
    return None


def _sponsor_class(trial: IsrctnTrial) -> str:
    first = trial.sponsors[0]
    if (first.commercial_status or "").strip().lower() == "commercial":
        return "INDUSTRY"
    return "OTHER_GOV" if "government" in (first.sponsor_type or "").lower() else "OTHER"


def _eligibility(trial: IsrctnTrial) -> str | None:
    parts = []
    if trial.inclusion:
        parts.append(f"Inclusion Criteria:\n{trial.inclusion}")
    if trial.exclusion:
        parts.append(f"Exclusion Criteria:\n{trial.exclusion}")
    return "\n\n".join(parts) or None


def _intervention_name(drugs: str | None, description: str | None) -> str | None:
    if drugs:
        return drugs
    if not description:
        return None
    first = description.strip().splitlines()[0].strip()
    return first if len(first) <= _NAME_MAX else first[:_NAME_MAX - 1].rstrip() + "…"


def _intervention(isrctn_id: str, intervention: Any, problems: Counter[str]) -> dict[str, Any]:
    raw = (intervention.type or "").strip().lower()
    kind = _INTERVENTION_TYPES.get(raw)
    if raw and kind is None:
        problems["unknown_enum:intervention_type"] += 1
    return {"nct_id": isrctn_id, "type": kind or ("OTHER" if raw else None),
            "name": _intervention_name(intervention.drug_names, intervention.description),
            "other_names": None, "arm_labels": None, "description": intervention.description}


def _cut(text: str | None) -> str | None:
    kept = " ".join((text or "").split())[:_FIELD_MAX]
    return kept or None


def contact_rows(trial: IsrctnTrial, problems: Counter[str]) -> list[dict[str, Any]]:
    """The contacts table's rows of ``trial``'s contact persons (see the module)."""
    rows = []
    for person in trial.contacts:
        row = contact_row(trial.isrctn_id, person)
        if row["name"] or row["phone"] or row["email"]:
            rows.append(row)
        else:
            problems["empty_contact"] += 1
    return rows


def contact_row(isrctn_id: str, person: ContactPerson) -> dict[str, Any]:
    """One contact person as a row of the contacts table (texts cut, role a code)."""
    lead = "principal investigator" in (person.role or "").lower()
    return {"nct_id": isrctn_id, "scope": "study", "site_index": None, "facility": None,
            "role": "PRINCIPAL_INVESTIGATOR" if lead else "CONTACT",
            "name": _cut(person.name), "phone": _cut(person.phone), "phone_ext": None,
            "email": _cut(person.email)}


def _central(people: list[dict[str, Any]]) -> dict[str, Any]:
    first = next((p for p in people if p["phone"] or p["email"]), None)
    return {f"central_contact_{k}": first[k] if first else None
            for k in ("name", "phone", "email")}
