"""The ``fields`` asked for in list views: what the tables need, nothing more.

A full record of a large study runs to megabytes (results, documents, every outcome); a list
view needs identifiers, status, dates, design, eligibility limits and sites. Piece names are
the API's own (``GET /studies/metadata``).
"""

from __future__ import annotations

LIST_FIELDS: tuple[str, ...] = (
    "NCTId", "BriefTitle", "OfficialTitle", "Acronym",
    "OverallStatus", "LastKnownStatus", "WhyStopped",
    "StartDate", "PrimaryCompletionDate", "CompletionDate",
    "StudyFirstPostDate", "LastUpdatePostDate",
    "LeadSponsorName", "LeadSponsorClass", "CollaboratorName",
    "BriefSummary",
    "Condition", "Keyword", "ConditionMeshId", "ConditionMeshTerm",
    "StudyType", "Phase", "EnrollmentCount", "EnrollmentType",
    "InterventionType", "InterventionName", "InterventionOtherName",
    "InterventionArmGroupLabel",
    "EligibilityCriteria", "HealthyVolunteers", "Sex", "MinimumAge", "MaximumAge", "StdAge",
    "LocationFacility", "LocationStatus", "LocationCity", "LocationState", "LocationZip",
    "LocationCountry", "LocationGeoPoint", "LocationContactName", "LocationContactPhone",
    "LocationContactEMail",
    "HasResults",
)


def fields_param(fields: tuple[str, ...] | None) -> dict[str, str]:
    """``{"fields": "A,B"}``, or nothing for full records."""
    return {"fields": ",".join(fields)} if fields else {}
