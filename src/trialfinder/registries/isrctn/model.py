"""One ISRCTN trial as plain, typed values (what :mod:`.xml` makes of a ``fullTrial``).

Texts are kept as sent (``None`` when absent or empty); dates are ``datetime.date`` (ISRCTN
writes ``2026-05-01T00:00:00.000Z``, always midnight UTC); a value that could not be read is
``None`` and named in :attr:`IsrctnTrial.problems`, so a bad value costs that value only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

__all__ = [
    "AGE_UNITS",
    "AgeLimit",
    "Centre",
    "Condition",
    "ContactPerson",
    "Intervention",
    "IsrctnTrial",
    "Organisation",
    "ParsedAnswer",
    "SecondaryNumber",
]

#: Years per unit of an age limit (``unit="years"``, ``"months"``, ``"weeks"``, ``"days"``).
AGE_UNITS: Final[dict[str, float]] = {
    "year": 1.0, "years": 1.0, "month": 1.0 / 12.0, "months": 1.0 / 12.0,
    "week": 7.0 / 365.25, "weeks": 7.0 / 365.25, "day": 1.0 / 365.25, "days": 1.0 / 365.25,
    "hour": 1.0 / (24.0 * 365.25), "hours": 1.0 / (24.0 * 365.25),
}


@dataclass(frozen=True, slots=True)
class AgeLimit:
    """``<lowerAgeLimit unit="years" value="18.0">18 Years</lowerAgeLimit>``."""

    value: float
    unit: str
    text: str = ""

    @property
    def years(self) -> float | None:
        factor = AGE_UNITS.get(self.unit.lower())
        return None if factor is None else self.value * factor


@dataclass(frozen=True, slots=True)
class Centre:
    """One trial centre (``participants/trialCentres/trialCentre``)."""

    name: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    zip: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    description: str | None = None
    disease_class1: str | None = None
    disease_class2: str | None = None


@dataclass(frozen=True, slots=True)
class Intervention:
    description: str | None = None
    type: str | None = None
    phase: str | None = None
    drug_names: str | None = None


@dataclass(frozen=True, slots=True)
class Organisation:
    """A sponsor (``organisation``, ``sponsorType``, ``commercialStatus``, ``rorId``) or a
    funder (``name``, ``fundRef``), as referenced from ``trial/parties``."""

    id: str
    name: str | None = None
    sponsor_type: str | None = None
    commercial_status: str | None = None
    ror_id: str | None = None
    fund_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ContactPerson:
    """A contact person (``fullTrial/contact``, referenced from ``trial/parties/contactId``):
    ``title``, ``forename``, ``surname``, ``contactType`` (the role, as ISRCTN words it) and
    ``contactDetails/telephone`` and ``email``."""

    id: str
    title: str | None = None
    forename: str | None = None
    surname: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def name(self) -> str:
        """``Dr Ada Example``: the title and names given, in that order."""
        return " ".join(p for p in (self.title, self.forename, self.surname) if p)


@dataclass(frozen=True, slots=True)
class SecondaryNumber:
    """``<secondaryNumber numberType="nct" canonicalSecondaryNumber="NCT...">...``."""

    value: str
    number_type: str | None = None
    canonical: str | None = None


@dataclass(frozen=True, slots=True)
class IsrctnTrial:
    """One trial. Only ``isrctn_id`` is required; everything else may be missing."""

    isrctn_id: str
    last_updated: date | None = None
    version: int | None = None
    date_assigned: date | None = None
    title: str | None = None
    scientific_title: str | None = None
    acronym: str | None = None
    hypothesis: str | None = None
    plain_summary: str | None = None
    primary_outcome: str | None = None
    secondary_outcome: str | None = None
    doi: str | None = None
    eudract_number: str | None = None
    iras_number: str | None = None
    ctgov_number: str | None = None
    protocol_number: str | None = None
    secondary_numbers: tuple[SecondaryNumber, ...] = ()
    study_design: str | None = None
    primary_design: str | None = None
    secondary_design: str | None = None
    allocation: str | None = None
    masking: str | None = None
    control: str | None = None
    assignment: str | None = None
    purposes: tuple[str, ...] = ()
    trial_types: tuple[str, ...] = ()
    overall_start: date | None = None
    overall_end: date | None = None
    overall_status_override: str | None = None
    reason_abandoned: str | None = None
    recruitment_countries: tuple[str, ...] = ()
    centres: tuple[Centre, ...] = ()
    participant_types: tuple[str, ...] = ()
    healthy_volunteers: bool | None = None
    inclusion: str | None = None
    exclusion: str | None = None
    age_range: str | None = None
    lower_age: AgeLimit | None = None
    upper_age: AgeLimit | None = None
    gender: str | None = None
    target_enrolment: int | None = None
    final_enrolment: int | None = None
    recruitment_start: date | None = None
    recruitment_end: date | None = None
    recruitment_start_override: str | None = None
    recruitment_status_override: str | None = None
    conditions: tuple[Condition, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    sponsors: tuple[Organisation, ...] = ()
    funders: tuple[Organisation, ...] = ()
    contacts: tuple[ContactPerson, ...] = ()
    publication_stage: str | None = None
    basic_report: str | None = None
    #: ``True`` when the answer declares the trial invented (:data:`~.xml.FICTIONAL_MARK`:
    #: trialfinder's stand-in does, ISRCTN never does); ``None`` otherwise, so a real
    #: record's fields (and its version's hash) do not change.
    fictional: bool | None = None
    #: Values that could not be read (``bad_date:recruitmentStart``), each costing that value.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """One ISRCTN answer: what it says it holds, the trials read and what was skipped."""

    total_count: int
    trials: tuple[IsrctnTrial, ...] = ()
    #: ``fullTrial`` elements that could not be used at all (no id): counted, never kept.
    skipped: int = 0
    #: Counts of odd things met (``trial_without_id``, ``bad_date:recruitmentEnd`` ...).
    problems: dict[str, int] = field(default_factory=dict)
