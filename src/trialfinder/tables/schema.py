"""The column spec: every column of every table, in one declarative list.

Each :class:`Column` says what it is called, its pandas dtype, its kind (how the value is read
and checked) and where the ClinicalTrials.gov registry reads it in a v2 study record (a dotted
JSON path, with the API piece names that ask for it). Everything that lists tables or columns
derives from this spec, so nothing can drift apart:

- the table list and the dtype dicts, column order included (:mod:`trialfinder.tables.frames`:
  ``TABLE_DTYPES``, ``STUDY_DTYPES`` ...), and so the saved tables (:mod:`trialfinder.cache`);
- the study store's tables and their SQL types (:mod:`trialfinder.store.migrations`);
- extraction in :mod:`trialfinder.registries.ctgov.normalize` (which keys are read, how each
  column is converted, which problems are counted);
- ``LIST_FIELDS`` and the text search's JSON paths of API pieces
  (:mod:`trialfinder.registries.ctgov.fields`, :mod:`~trialfinder.registries.ctgov.textsearch`);
- the schema section of ``docs/design.md`` (``python tools/gen_schema_doc.py``).

Paths of a child table are relative to one item of its list (``TableSpec.items``). A ``[]`` in
a path means "every item of this list" (``collaborators[].name``). Columns of kind ``derived``
are computed from other values; their ``path`` tells where the value comes from, for the docs.
The key column keeps the name ``nct_id`` that exports have always had; it holds the study's id
in its registry, and ``source`` (the last column of every table) names that registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from trialfinder.core.codes import Phase, Sex, Status, StudyType

__all__ = [
    "CONDITION_SPEC",
    "CONTACT_SPEC",
    "INTERVENTION_SPEC",
    "OFFICIAL_SPEC",
    "SITE_SPEC",
    "STUDY_SPEC",
    "TABLES",
    "Column",
    "Kind",
    "TableSpec",
    "list_fields",
]

Kind = Literal[
    "key",  # the study's id in its registry (nct_id), in every table
    "text",  # a string as sent, HTML character references decoded once (trialfinder.core.entities)
    "category",  # a code from a known set (unknown codes are kept and counted)
    "int",  # a whole number (out of Int64's range: NA and counted)
    "float",  # a number
    "bool",
    "date",  # yyyy[-MM[-dd]] text -> datetime64 (out of pandas' range: NA and counted)
    "precision",  # "day" / "month" / "year" of the date at the same path
    "list",  # a list of strings joined with "|" (references decoded, as for text)
    "age",  # "18 Years", "6 Months" -> years as a float (NA = no limit)
    "derived",  # computed by normalize from other values (see ``path`` for the source)
    "source",  # the registry the row came from, set by the registry's reader (last column)
]

DATETIME: Final = "datetime64[ns]"
_PS: Final = "protocolSection."
_STATUS: Final = _PS + "statusModule."
_DESIGN: Final = _PS + "designModule."
_ELIG: Final = _PS + "eligibilityModule."
_CONTACTS: Final = _PS + "contactsLocationsModule."

_STATUSES: Final = frozenset(s.value for s in Status)
_DATE_TYPES: Final = frozenset(["ACTUAL", "ESTIMATED"])
_CONTACT_ROLES: Final = frozenset(["STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR",
                                   "SUB_INVESTIGATOR", "CONTACT"])
_SITE_STATUSES: Final = frozenset([
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE",
])
_INTERVENTION_TYPES: Final = frozenset([
    "BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST",
    "DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER",
])


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, dtype and kind, where it comes from and what it means."""

    name: str
    dtype: str
    kind: Kind
    path: str | None = None
    pieces: tuple[str, ...] = ()  # API piece names for ``fields`` (list views)
    about: str = ""
    known: frozenset[str] | None = None  # for categories: the documented codes
    problem: str | None = None  # problem key for unknown codes (default unknown_enum:<name>)

    @property
    def keys(self) -> tuple[str, ...]:
        """The path as keys (``[]`` markers removed)."""
        return tuple(part.removesuffix("[]") for part in (self.path or "").split(".") if part)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: its name, what a row is, where its rows come from and its columns."""

    name: str
    row: str
    items: tuple[str, ...]  # JSON paths of the lists whose items are rows ("" = the record)
    columns: tuple[Column, ...]

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _dates(name: str, struct: str, piece: str, about: str, *, raw: bool = True) -> list[Column]:
    path = f"{_STATUS}{struct}.date"
    cols = [Column(name, DATETIME, "date", path, (piece,), f"{about}; first day of its period")]
    if raw:
        cols += [
            Column(f"{name}_precision", "category", "precision", path, (),
                   "day, month or year: how much of the date was given"),
            Column(f"{name}_type", "category", "category", f"{_STATUS}{struct}.type",
                   (piece + "Type",), "ACTUAL or ESTIMATED", _DATE_TYPES),
            Column(f"{name}_raw", "string", "text", path, (),
                   "the date exactly as sent (kept when it cannot be stored as a date)"),
        ]
    return cols


def _key() -> Column:
    return Column("nct_id", "string", "key", _PS + "identificationModule.nctId", ("NCTId",),
                  "the study's id in its registry (an NCT id for ClinicalTrials.gov)")


def _source() -> Column:
    return Column("source", "category", "source", None, (),
                  "the registry the row came from (ctgov = ClinicalTrials.gov, isrctn = ISRCTN)")


STUDY_SPEC: Final = TableSpec(
    "studies",
    "one study",
    ("",),
    (
        _key(),
        Column("title", "string", "text", _PS + "identificationModule.briefTitle",
               ("BriefTitle",), "short title"),
        Column("official_title", "string", "text", _PS + "identificationModule.officialTitle",
               ("OfficialTitle",), "official title"),
        Column("acronym", "string", "text", _PS + "identificationModule.acronym",
               ("Acronym",), "acronym"),
        Column("status", "category", "category", _STATUS + "overallStatus",
               ("OverallStatus",), "overall recruitment status", _STATUSES, "unknown_status"),
        Column("last_known_status", "category", "category", _STATUS + "lastKnownStatus",
               ("LastKnownStatus",), "the last real status when status is UNKNOWN",
               _STATUSES, "unknown_status"),
        Column("why_stopped", "string", "text", _STATUS + "whyStopped", ("WhyStopped",),
               "why the study stopped early"),
        Column("phases", "string", "list", _DESIGN + "phases[]", ("Phase",),
               '"PHASE2|PHASE3"', frozenset(p.value for p in Phase), "unknown_enum:phases"),
        Column("study_type", "category", "category", _DESIGN + "studyType", ("StudyType",),
               "interventional, observational or expanded access",
               frozenset(s.value for s in StudyType)),
        Column("allocation", "category", "category", _DESIGN + "designInfo.allocation",
               ("DesignAllocation",), "RANDOMIZED, NON_RANDOMIZED or NA",
               frozenset(["RANDOMIZED", "NON_RANDOMIZED", "NA"])),
        Column("masking", "category", "category", _DESIGN + "designInfo.maskingInfo.masking",
               ("DesignMasking",), "NONE, SINGLE, DOUBLE, TRIPLE or QUADRUPLE",
               frozenset(["NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"])),
        Column("primary_purpose", "category", "category", _DESIGN + "designInfo.primaryPurpose",
               ("DesignPrimaryPurpose",), "TREATMENT, PREVENTION, ...",
               frozenset(["TREATMENT", "PREVENTION", "DIAGNOSTIC", "ECT", "SUPPORTIVE_CARE",
                          "SCREENING", "HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE",
                          "DEVICE_FEASIBILITY", "OTHER"])),
        Column("conditions", "string", "list", _PS + "conditionsModule.conditions[]",
               ("Condition",), "conditions as written, |-joined"),
        Column("keywords", "string", "list", _PS + "conditionsModule.keywords[]",
               ("Keyword",), "keywords, |-joined"),
        Column("interventions", "string", "derived",
               _PS + "armsInterventionsModule.interventions[].name", (),
               "intervention names, |-joined"),
        Column("intervention_types", "string", "derived",
               _PS + "armsInterventionsModule.interventions[].type", (),
               "distinct intervention types in first-seen order, |-joined"),
        Column("sponsor", "string", "text", _PS + "sponsorCollaboratorsModule.leadSponsor.name",
               ("LeadSponsorName",), "lead sponsor"),
        Column("sponsor_class", "category", "category",
               _PS + "sponsorCollaboratorsModule.leadSponsor.class", ("LeadSponsorClass",),
               "INDUSTRY, NIH, OTHER, ...",
               frozenset(["NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG",
                          "OTHER", "UNKNOWN"])),
        Column("collaborators", "string", "list",
               _PS + "sponsorCollaboratorsModule.collaborators[].name", ("CollaboratorName",),
               "collaborator names, |-joined"),
        Column("enrollment", "Int64", "int", _DESIGN + "enrollmentInfo.count",
               ("EnrollmentCount",), "participants (actual or planned, see enrollment_type)"),
        Column("enrollment_type", "category", "category", _DESIGN + "enrollmentInfo.type",
               ("EnrollmentType",), "ACTUAL or ESTIMATED", _DATE_TYPES),
        *_dates("start_date", "startDateStruct", "StartDate", "study start"),
        *_dates("primary_completion_date", "primaryCompletionDateStruct",
                "PrimaryCompletionDate", "primary completion"),
        *_dates("completion_date", "completionDateStruct", "CompletionDate", "study completion"),
        *_dates("first_posted", "studyFirstPostDateStruct", "StudyFirstPostDate",
                "first posted (always a full day)", raw=False),
        *_dates("last_update", "lastUpdatePostDateStruct", "LastUpdatePostDate",
                "last update posted (always a full day)", raw=False),
        Column("min_age_years", "Float64", "age", _ELIG + "minimumAge", ("MinimumAge",),
               'minimum age in years ("6 Months" -> 0.5); NA = no limit'),
        Column("max_age_years", "Float64", "age", _ELIG + "maximumAge", ("MaximumAge",),
               "maximum age in years; NA = no limit"),
        Column("sex", "category", "category", _ELIG + "sex", ("Sex",), "ALL, FEMALE or MALE",
               frozenset(s.value for s in Sex)),
        Column("healthy_volunteers", "boolean", "bool", _ELIG + "healthyVolunteers",
               ("HealthyVolunteers",), "whether healthy volunteers may join"),
        Column("std_ages", "string", "list", _ELIG + "stdAges[]", ("StdAge",),
               "CHILD|ADULT|OLDER_ADULT"),
        Column("has_results", "boolean", "bool", "hasResults", ("HasResults",),
               "results are posted"),
        Column("brief_summary", "string", "text", _PS + "descriptionModule.briefSummary",
               ("BriefSummary",), "summary (Markdown as sent, entities decoded)"),
        Column("eligibility_criteria", "string", "text", _ELIG + "eligibilityCriteria",
               ("EligibilityCriteria",), "eligibility text (Markdown as sent, entities decoded)"),
        Column("central_contact_name", "string", "derived", _CONTACTS + "centralContacts[].name",
               (), "first central contact (whole list: the contacts table)"),
        Column("central_contact_phone", "string", "derived",
               _CONTACTS + "centralContacts[].phone", (), 'its phone, with " ext. N" if given'),
        Column("central_contact_email", "string", "derived",
               _CONTACTS + "centralContacts[].email", (), "its email"),
        Column("n_sites", "Int64", "derived", _CONTACTS + "locations[]", (), "number of sites"),
        Column("countries", "string", "derived", _CONTACTS + "locations[].country", (),
               "distinct site countries in site order, |-joined"),
        Column("other_ids", "string", "list", _PS + "identificationModule.secondaryIdInfos[].id",
               ("SecondaryId",), "the study's other ids as its registry gives them "
               "(ClinicalTrials.gov's secondary ids; ISRCTN's NCT numbers), |-joined"),
        Column("url", "string", "derived", None, (), "the study's page on ClinicalTrials.gov "
               "(empty in files for an invented study, NCT99...)"),
        _source(),
    ),
)

SITE_SPEC: Final = TableSpec(
    "sites",
    "one site of a study",
    (_CONTACTS + "locations",),
    (
        _key(),
        Column("site_index", "Int64", "derived", None, (),
               "position of the site in the study's list (0 = first)"),
        Column("facility", "string", "text", "facility", ("LocationFacility",), "site name"),
        Column("city", "string", "text", "city", ("LocationCity",), "city"),
        Column("state", "string", "text", "state", ("LocationState",), "state or province"),
        Column("zip", "string", "text", "zip", ("LocationZip",), "postal code"),
        Column("country", "string", "text", "country", ("LocationCountry",), "country"),
        Column("lat", "Float64", "float", "geoPoint.lat", ("LocationGeoPoint",), "latitude"),
        Column("lon", "Float64", "float", "geoPoint.lon", (), "longitude"),
        Column("site_status", "category", "category", "status", ("LocationStatus",),
               "recruitment status at this site", _SITE_STATUSES),
        Column("contact_name", "string", "derived", "contacts[].name", (),
               "first site contact (all of them: the contacts table)"),
        Column("contact_phone", "string", "derived", "contacts[].phone", (),
               'its phone, with " ext. N" if given'),
        Column("contact_email", "string", "derived", "contacts[].email", (), "its email"),
        Column("distance_mi", "Float64", "derived", None, (),
               "miles from the search point, once one is known"),
        _source(),
    ),
)

CONTACT_SPEC: Final = TableSpec(
    "contacts",
    "one central (study-wide) contact or one site contact",
    (_CONTACTS + "centralContacts", _CONTACTS + "locations[].contacts"),
    (
        _key(),
        Column("scope", "category", "derived", None, (), '"study" (central) or "site"'),
        Column("site_index", "Int64", "derived", None, (),
               "the site's site_index (NA for central contacts)"),
        Column("facility", "string", "derived", None, (), "the site's facility (NA for central)"),
        Column("role", "category", "category", "role",
               ("CentralContactRole", "LocationContactRole"),
               "CONTACT, PRINCIPAL_INVESTIGATOR, ...", _CONTACT_ROLES),
        Column("name", "string", "text", "name", ("CentralContactName", "LocationContactName"),
               "name"),
        Column("phone", "string", "text", "phone", ("CentralContactPhone", "LocationContactPhone"),
               "phone"),
        Column("phone_ext", "string", "text", "phoneExt",
               ("CentralContactPhoneExt", "LocationContactPhoneExt"), "phone extension"),
        Column("email", "string", "text", "email",
               ("CentralContactEMail", "LocationContactEMail"), "email"),
        _source(),
    ),
)

OFFICIAL_SPEC: Final = TableSpec(
    "officials",
    "one overall official (the people responsible for the study; not a way to enrol)",
    (_CONTACTS + "overallOfficials",),
    (
        _key(),
        Column("name", "string", "text", "name", ("OverallOfficialName",), "name"),
        Column("affiliation", "string", "text", "affiliation", ("OverallOfficialAffiliation",),
               "affiliation"),
        Column("role", "category", "category", "role", ("OverallOfficialRole",),
               "STUDY_CHAIR, STUDY_DIRECTOR or PRINCIPAL_INVESTIGATOR", _CONTACT_ROLES),
        _source(),
    ),
)

CONDITION_SPEC: Final = TableSpec(
    "conditions",
    "one condition text, or one MeSH term that matches no condition text (paths are absolute)",
    ("",),
    (
        _key(),
        Column("condition", "string", "text", _PS + "conditionsModule.conditions[]", (),
               "condition as written (NA on a row for an unmatched MeSH term)"),
        Column("mesh_id", "string", "text",
               "derivedSection.conditionBrowseModule.meshes[].id", ("ConditionMeshId",),
               "MeSH id of the term equal to the condition text (ignoring case)"),
        Column("mesh_term", "string", "text",
               "derivedSection.conditionBrowseModule.meshes[].term", ("ConditionMeshTerm",),
               "that MeSH term"),
        _source(),
    ),
)

INTERVENTION_SPEC: Final = TableSpec(
    "interventions",
    "one intervention of a study",
    (_PS + "armsInterventionsModule.interventions",),
    (
        _key(),
        Column("type", "category", "category", "type", ("InterventionType",), "DRUG, DEVICE, ...",
               _INTERVENTION_TYPES, "unknown_enum:intervention_type"),
        Column("name", "string", "text", "name", ("InterventionName",), "name"),
        Column("other_names", "string", "list", "otherNames[]", ("InterventionOtherName",),
               "other names, |-joined"),
        Column("arm_labels", "string", "list", "armGroupLabels[]",
               ("InterventionArmGroupLabel",), "arm groups that get it, |-joined"),
        Column("description", "string", "text", "description", (),
               "description (full records only)"),
        _source(),
    ),
)

TABLES: Final = (STUDY_SPEC, SITE_SPEC, CONTACT_SPEC, OFFICIAL_SPEC, CONDITION_SPEC,
                 INTERVENTION_SPEC)

_PIECE: Final = re.compile(r"[A-Z][A-Za-z]*")


def list_fields() -> tuple[str, ...]:
    """Every piece name the spec asks for, in spec order, each once."""
    out: dict[str, None] = {}
    for table in TABLES:
        for col in table.columns:
            for piece in col.pieces:
                if not _PIECE.fullmatch(piece):  # pragma: no cover - a typo in the spec
                    raise ValueError(f"bad piece name {piece!r} in column {col.name}")
                out[piece] = None
    return tuple(out)
