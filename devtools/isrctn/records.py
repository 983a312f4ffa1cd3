"""Fictional ISRCTN trials (ids ISRCTN99000000 and up), written as ISRCTN's XML.

:class:`FictionalTrial` holds the few facts a test or a demo varies; :func:`full_trial_xml`
writes one ``<fullTrial>`` element in the element order of ISRCTN's own answers (namespace
``http://www.67bricks.com/isrctn``) and :func:`answer_xml` wraps trials in ``<allTrials>``.
Every name, place and id here is made up, and every ``<trial>`` says so with trialfinder's
own mark (:data:`FICTIONAL_MARK`, an attribute in a namespace ISRCTN never writes), which the
ISRCTN reader turns into the one "fictional" rule (``topics.demo.is_demo_id``): the banner, the
note, the provenance key, the export's column and no link to isrctn.com. ISRCTN's numbers are
random, so no id range could say it. :func:`sample_trials` is a small set for the stand-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

__all__ = ["FICTIONAL_MARK", "FICTIONAL_NAMESPACE", "NAMESPACE", "FictionalTrial", "answer_xml",
           "full_trial_xml", "sample_trials"]

NAMESPACE = "http://www.67bricks.com/isrctn"
#: trialfinder's mark of an invented trial (see ``trialfinder.registries.isrctn.xml``).
FICTIONAL_NAMESPACE = "https://trialfinder.invalid/fictional"
FICTIONAL_MARK = (f'xmlns:tf={quoteattr(FICTIONAL_NAMESPACE)} tf:fictional="true"')


@dataclass(frozen=True)
class FictionalTrial:
    """One made-up trial; dates are ``YYYY-MM-DD`` (``""``: not given)."""

    isrctn_id: str
    title: str
    condition: str = "Fictional condition"
    intervention: str = "A fictional intervention."
    intervention_type: str = "Drug"
    phase: str = "Phase II"
    drug_names: str = ""
    countries: tuple[str, ...] = ("United Kingdom", "England")
    centres: tuple[tuple[str, str, str], ...] = ()  # (name, city, country)
    recruitment_start: str = "2025-01-01"
    recruitment_end: str = "2027-12-31"
    overall_end: str = "2028-06-30"
    status_override: str = ""
    start_status_override: str = ""
    overall_status_override: str = ""
    nct: str = ""
    last_edited: str = "2026-01-15T10:00:00.000Z"
    gender: str = "All"
    lower_age: tuple[str, str] | None = ("18.0", "years")
    upper_age: tuple[str, str] | None = None
    healthy: str = "false"
    inclusion: str = "Adults with the fictional condition"
    exclusion: str = "Taking part in another trial"
    primary_design: str = "Interventional"
    sponsor: str = "Fictional University"
    funder: str = "Imaginary Research Council"
    target: str = "100"
    #: Contact persons: (title, forename, surname, contact type, telephone, e-mail).
    contacts: tuple[tuple[str, str, str, str, str, str], ...] = ()
    primary_outcome: str = ""
    #: Extra XML put inside ``<trial>`` as is (faults: bad values, odd elements).
    extra: str = ""
    centres_xml: str = field(default="", repr=False)
    #: Whether ``<trial>`` carries :data:`FICTIONAL_MARK` (``False`` only for a test of a
    #: record as ISRCTN sends it, without the mark).
    marked: bool = True


def _el(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>" if text else f"<{name} />"


def _stamp(day: str) -> str:
    return f"{day}T00:00:00.000Z" if day else ""


def _age(name: str, limit: tuple[str, str] | None) -> str:
    if limit is None:
        return ""
    value, unit = limit
    try:
        shown = f"{float(value):g} {unit.capitalize()}"
    except ValueError:  # a fault: a value that is no number
        shown = f"{value} {unit}"
    return f"<{name} unit={quoteattr(unit)} value={quoteattr(value)}>{escape(shown)}</{name}>"


def full_trial_xml(t: FictionalTrial) -> str:
    """One ``<fullTrial>`` element (no namespace declaration: it is inherited)."""
    number = t.isrctn_id.removeprefix("ISRCTN")
    refs = "".join(
        f'<secondaryNumber id="f{i:07d}-0000-4000-8000-{number:0>12}" numberType="nct" '
        f"canonicalSecondaryNumber={quoteattr(n)}>{escape(n)}</secondaryNumber>"
        for i, n in enumerate([t.nct] if t.nct.startswith("NCT") else []))
    centres = t.centres_xml or "".join(
        f'<trialCentre id="c{i:07d}-0000-4000-8000-{number:0>12}">{_el("name", name)}'
        f"{_el('city', city)}<state />{_el('country', country)}</trialCentre>"
        for i, (name, city, country) in enumerate(t.centres))
    sponsor_id, funder_id = f"a0000001-0000-4000-8000-{number:0>12}", \
        f"a0000002-0000-4000-8000-{number:0>12}"
    contact_ids = [f"b{i:07d}-0000-4000-8000-{number:0>12}" for i in range(len(t.contacts))]
    contacts = "".join(
        f'<contact id="{ident}">{_el("title", title)}{_el("forename", forename)}'
        f"{_el('surname', surname)}<orcid />{_el('contactType', role)}<contactDetails>"
        f"<address /><city /><state /><country /><zip />{_el('telephone', phone)}"
        f"{_el('email', email)}</contactDetails><privacy /></contact>"
        for ident, (title, forename, surname, role, phone, email) in zip(
            contact_ids, t.contacts, strict=True))
    return (
        f"<fullTrial><trial {FICTIONAL_MARK + ' ' if t.marked else ''}"
        f"lastUpdated={quoteattr(t.last_edited)} version=\"1\" "
        f'isPublished="true" publicIdentifierType="isrctn" '
        f"publicIdentifierCanonical={quoteattr(t.isrctn_id)} "
        f'publicIdentifierDateAssigned="2024-06-01T00:00:00.000000Z">'
        f'<isrctn dateAssigned="2024-06-01T00:00:00.000000Z">{escape(number)}</isrctn>'
        f'<trialDescription thirdPartyFilesAcknowledgement="false">'
        f"<acknowledgment>true</acknowledgment>{_el('title', t.title)}"
        f"{_el('scientificTitle', 'A fictional study: ' + t.title)}<acronym />"
        f"{_el('studyHypothesis', 'A made-up hypothesis for a made-up trial.')}"
        f"<plainEnglishSummary /><primaryOutcomes />{_el('primaryOutcome', t.primary_outcome)}"
        f"<secondaryOutcomes />"
        f"<secondaryOutcome /><ethicsApprovalRequired>Ethics approval required"
        f"</ethicsApprovalRequired></trialDescription>"
        f"<externalRefs>{_el('doi', '10.1186/' + t.isrctn_id)}<eudraCTNumber /><irasNumber />"
        f"{_el('clinicalTrialsGovNumber', t.nct)}<protocolSerialNumber />"
        f"<secondaryNumbers>{refs}</secondaryNumbers></externalRefs>"
        f"<trialDesign><studyDesign />{_el('primaryStudyDesign', t.primary_design)}"
        f"<secondaryStudyDesign>Randomised controlled trial</secondaryStudyDesign>"
        f"<trialTypes />{_el('overallStatusOverride', t.overall_status_override)}"
        f"{_el('overallEndDate', _stamp(t.overall_end))}</trialDesign>"
        f"<participants><recruitmentCountries>"
        f"{''.join(_el('country', c) for c in t.countries)}</recruitmentCountries>"
        f"<trialCentres>{centres}</trialCentres><participantTypes />"
        f"{_el('healthyVolunteersAllowed', t.healthy)}{_el('inclusion', t.inclusion)}"
        f"<ageRange>Mixed</ageRange>{_age('lowerAgeLimit', t.lower_age)}"
        f"{_age('upperAgeLimit', t.upper_age)}{_el('gender', t.gender)}"
        f"{_el('targetEnrolment', t.target)}<totalFinalEnrolment />"
        f"{_el('exclusion', t.exclusion)}"
        f"{_el('recruitmentStart', _stamp(t.recruitment_start))}"
        f"{_el('recruitmentEnd', _stamp(t.recruitment_end))}"
        f"{_el('recruitmentStartStatusOverride', t.start_status_override)}"
        f"{_el('recruitmentStatusOverride', t.status_override)}</participants>"
        f"<conditions><condition>{_el('description', t.condition)}"
        f"<diseaseClass1>Other</diseaseClass1><diseaseClass2 /></condition></conditions>"
        f"<interventions><intervention>{_el('description', t.intervention)}"
        f"{_el('interventionType', t.intervention_type)}{_el('phase', t.phase)}"
        f"{_el('drugNames', t.drug_names)}</intervention></interventions>"
        f"<results><ipdSharingStatement /><dataPolicies /><publicationDetails />"
        f"<publicationStage /><basicReport /><plainEnglishReport /></results>"
        f"{t.extra}<parties><funderId>{funder_id}</funderId>"
        f"{''.join(f'<contactId>{i}</contactId>' for i in contact_ids)}"
        f"<sponsorId>{sponsor_id}</sponsorId></parties></trial>{contacts}"
        f'<sponsor id="{sponsor_id}">{_el("organisation", t.sponsor)}<sponsorType />'
        f"<rorId /><commercialStatus>Non-commercial</commercialStatus></sponsor>"
        f'<funder id="{funder_id}">{_el("name", t.funder)}</funder></fullTrial>'
    )


def answer_xml(trials: Sequence[FictionalTrial | str], total: int | None = None, *,
               namespace: str = NAMESPACE) -> bytes:
    """An ``<allTrials>`` answer holding ``trials`` (XML strings are put in as they are)."""
    count = len(trials) if total is None else total
    body = "".join(t if isinstance(t, str) else full_trial_xml(t) for t in trials)
    return (f'<allTrials xmlns="{namespace}" totalCount="{count}">{body}</allTrials>'
            ).encode()


def sample_trials() -> list[FictionalTrial]:
    """Twelve fictional trials (ISRCTN99000001..ISRCTN99000012) around a few conditions."""
    uk = ("United Kingdom", "England")
    return [
        FictionalTrial("ISRCTN99000001", "Walking aid for motor neurone disease (fictional)",
                       condition="Motor neurone disease", intervention_type="Device",
                       phase="Not Applicable", nct="NCT99000001",
                       contacts=(("Dr", "Ada", "Example", "Scientific", "+44 114 496 0000",
                                  "walking.aid@example.org"),),
                       primary_outcome="Distance walked in six minutes, at 12 weeks",
                       centres=(("Fictional Neuro Centre", "Sheffield", "England"),
                                ("Imaginary Hospital", "Leeds", "England"))),
        FictionalTrial("ISRCTN99000002", "Breathing support in motor neurone disease "
                       "(fictional)", condition="Motor neurone disease", nct="Nil known",
                       recruitment_start="2027-03-01", recruitment_end="2029-03-01",
                       overall_end="2029-12-31",
                       centres=(("Made-up Respiratory Unit", "Glasgow", "Scotland"),)),
        FictionalTrial("ISRCTN99000003", "Cramp drink trial (fictional, stopped)",
                       condition="Motor neurone disease", status_override="Stopped",
                       recruitment_start="2021-01-01", recruitment_end="2022-06-30",
                       overall_end="2023-01-31", countries=("Ireland",),
                       centres=(("Pretend Clinic", "Cork", "Ireland"),)),
        FictionalTrial("ISRCTN99000004", "Fatigue coaching in multiple sclerosis (fictional)",
                       condition="Multiple sclerosis", intervention_type="Behavioural",
                       phase="", recruitment_start="2023-01-01", recruitment_end="2024-12-31",
                       overall_end="2025-06-30", countries=uk,
                       centres=(("Invented MS Service", "Bristol", "England"),)),
        FictionalTrial("ISRCTN99000005", "Cooling vest for multiple sclerosis (fictional)",
                       condition="Multiple sclerosis", intervention_type="Device",
                       phase="Not Applicable", status_override="Suspended",
                       centres=(("Imaginary Rehab Centre", "Cardiff", "Wales"),)),
        FictionalTrial("ISRCTN99000006", "Inhaler timing in asthma (fictional)",
                       condition="Asthma", drug_names="Fictolair", phase="Phase III",
                       nct="NCT99000006", gender="Female",
                       centres=(("Pretend Chest Clinic", "Manchester", "England"),)),
        FictionalTrial("ISRCTN99000007", "Asthma in school children (fictional)",
                       condition="Asthma", primary_design="Observational", phase="",
                       lower_age=("5.0", "years"), upper_age=("11.0", "years"),
                       healthy="true", countries=("France", "Latvia")),
        FictionalTrial("ISRCTN99000008", "Sleep sensor for newborn babies (fictional)",
                       condition="Neonatal sleep", primary_design="Observational",
                       lower_age=("2.0", "days"), upper_age=("6.0", "weeks"), phase="",
                       centres=(("Nowhere Neonatal Unit", "Zzyzxtown", "England"),)),
        FictionalTrial("ISRCTN99000009", "Arthritis exercise booklet (fictional)",
                       condition="Knee osteoarthritis", intervention_type="Other", phase="",
                       recruitment_start="2019-01-01", recruitment_end="2020-01-01",
                       overall_end="2021-01-01", last_edited="2021-02-01T09:00:00.000Z"),
        FictionalTrial("ISRCTN99000010", "Memory app for older adults (fictional)",
                       condition="Mild cognitive impairment", intervention_type="Other",
                       phase="", lower_age=("65.0", "years"),
                       centres=(("Imaginary Memory Clinic", "Belfast", "Northern Ireland"),)),
        FictionalTrial("ISRCTN99000011", "Phase I/II dose finding in a rare anaemia "
                       "(fictional)", condition="Fictional anaemia", phase="Phase I/II",
                       drug_names="Imaginumab", nct="NCT 99000011",
                       centres=(("Pretend Haematology Unit", "Oxford", "England"),)),
        FictionalTrial("ISRCTN99000012", "Pain diary after knee surgery (fictional)",
                       condition="Knee osteoarthritis", intervention_type="Other", phase="",
                       start_status_override="Not yet recruiting",
                       recruitment_start="2025-01-01", recruitment_end="2027-12-31"),
    ]
