"""A loopback stand-in for the ClinicalTrials.gov API v2 (tests, benchmarks, demos).

It serves ``GET /api/v2/studies``, ``GET /api/v2/studies/{nctId}`` and ``GET /api/v2/version``
from an in-memory list of study records, following the official OpenAPI spec (2.0.5) and the
behaviour recorded in ``API_NOTES.md``: opaque page tokens, ``totalCount`` only on the first
page, no ``nextPageToken`` on the last page, ``pageSize`` coerced down to the cap, ``text/plain``
400/404 errors with the real messages, ``fields`` pruning that keeps the nested shape, and a
useful subset of the Essie query language (words, quoted phrases, ``AND``/``OR``/``NOT``,
parentheses, ``AREA[...]`` with values, ``RANGE[...]`` and ``MISSING``).

Two layers:

* :class:`StandInApi` is pure: ``handle(path, query) -> Reply``; no sockets, no sleeping.
* :class:`StandInServer` puts it behind a ``ThreadingHTTPServer`` on 127.0.0.1 (HTTP/1.1,
  keep-alive, ``Content-Length`` always set), adds latency and connection drops, and keeps
  thread-safe :class:`ServerStats`.

:class:`Faults` injects deterministic (seeded) trouble: 429/503 answers with ``Retry-After``,
dropped connections, truncated JSON, HTML on 200, empty pages that still carry a token, and an
exact ``script`` of statuses for the first requests. Random faults are drawn per request attempt
and at most ``max_consecutive`` in a row hit the same request, so a client that retries always
gets its data in the end.

Run ``python -m devtools.standin --data demo`` to serve until Ctrl-C.

Limitations (on purpose): JSON only (``format=csv`` is a 400), no ``sort``, ``aggFilters`` or
``filter.synonyms`` (400), no ranking (studies come in dataset order), no stemming beyond a
plural ending and no synonyms (words match whole, case- and accent-insensitively, ``spasms``
matching "Spasm" and ``cramp`` "Cramps"; ``word*`` matches a prefix as written), and the
``/studies/metadata``, ``/studies/search-areas``, ``/studies/enums`` and ``/stats/*`` endpoints
answer 404.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import importlib
import math
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self, overload
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

__all__ = [
    "API_VERSION",
    "DATA_TIMESTAMP",
    "ENUMS",
    "PIECES",
    "SEARCH_AREAS",
    "Evolution",
    "Faults",
    "Replicas",
    "Reply",
    "ServerStats",
    "StandInApi",
    "StandInServer",
    "evolve",
    "fictional_site",
    "fictional_study",
    "find_shared_dir",
    "load_dataset",
    "main",
    "replicate",
]

API_VERSION = "2.0.5"
DATA_TIMESTAMP = "2026-11-20T09:00:00"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

JsonDict = dict[str, Any]

# -- the data model: piece names -> JSON paths -------------------------------------------------
# Piece names are the API's own (``GET /studies/metadata``). Each module string lists
# ``Piece=relative.path`` pairs; an empty path is the module itself.

_SECTIONS: dict[str, str] = {
    "ProtocolSection": "protocolSection",
    "ResultsSection": "resultsSection",
    "AnnotationSection": "annotationSection",
    "DocumentSection": "documentSection",
    "DerivedSection": "derivedSection",
    "HasResults": "hasResults",
}
_MODULE_PIECES: dict[str, str] = {
    "protocolSection.identificationModule": """
        IdentificationModule= NCTId=nctId NCTIdAlias=nctIdAliases OrgStudyIdInfo=orgStudyIdInfo
        OrgStudyId=orgStudyIdInfo.id OrgStudyIdType=orgStudyIdInfo.type
        OrgStudyIdLink=orgStudyIdInfo.link SecondaryIdInfo=secondaryIdInfos
        SecondaryId=secondaryIdInfos.id SecondaryIdType=secondaryIdInfos.type
        SecondaryIdDomain=secondaryIdInfos.domain SecondaryIdLink=secondaryIdInfos.link
        BriefTitle=briefTitle OfficialTitle=officialTitle Acronym=acronym
        Organization=organization OrgFullName=organization.fullName OrgClass=organization.class
    """,
    "protocolSection.statusModule": """
        StatusModule= StatusVerifiedDate=statusVerifiedDate OverallStatus=overallStatus
        LastKnownStatus=lastKnownStatus DelayedPosting=delayedPosting WhyStopped=whyStopped
        ExpandedAccessInfo=expandedAccessInfo
        HasExpandedAccess=expandedAccessInfo.hasExpandedAccess
        ExpandedAccessNCTId=expandedAccessInfo.nctId
        ExpandedAccessStatusForNCTId=expandedAccessInfo.statusForNctId
        StartDateStruct=startDateStruct StartDate=startDateStruct.date
        StartDateType=startDateStruct.type PrimaryCompletionDateStruct=primaryCompletionDateStruct
        PrimaryCompletionDate=primaryCompletionDateStruct.date
        PrimaryCompletionDateType=primaryCompletionDateStruct.type
        CompletionDateStruct=completionDateStruct CompletionDate=completionDateStruct.date
        CompletionDateType=completionDateStruct.type StudyFirstSubmitDate=studyFirstSubmitDate
        StudyFirstSubmitQCDate=studyFirstSubmitQcDate
        StudyFirstPostDateStruct=studyFirstPostDateStruct
        StudyFirstPostDate=studyFirstPostDateStruct.date
        StudyFirstPostDateType=studyFirstPostDateStruct.type ResultsWaived=resultsWaived
        ResultsFirstSubmitDate=resultsFirstSubmitDate
        ResultsFirstSubmitQCDate=resultsFirstSubmitQcDate
        ResultsFirstPostDateStruct=resultsFirstPostDateStruct
        ResultsFirstPostDate=resultsFirstPostDateStruct.date
        ResultsFirstPostDateType=resultsFirstPostDateStruct.type
        DispFirstSubmitDate=dispFirstSubmitDate DispFirstSubmitQCDate=dispFirstSubmitQcDate
        DispFirstPostDateStruct=dispFirstPostDateStruct
        DispFirstPostDate=dispFirstPostDateStruct.date
        DispFirstPostDateType=dispFirstPostDateStruct.type
        LastUpdateSubmitDate=lastUpdateSubmitDate
        LastUpdatePostDateStruct=lastUpdatePostDateStruct
        LastUpdatePostDate=lastUpdatePostDateStruct.date
        LastUpdatePostDateType=lastUpdatePostDateStruct.type
    """,
    "protocolSection.sponsorCollaboratorsModule": """
        SponsorCollaboratorsModule= ResponsibleParty=responsibleParty
        ResponsiblePartyType=responsibleParty.type
        ResponsiblePartyInvestigatorFullName=responsibleParty.investigatorFullName
        ResponsiblePartyInvestigatorTitle=responsibleParty.investigatorTitle
        ResponsiblePartyInvestigatorAffiliation=responsibleParty.investigatorAffiliation
        ResponsiblePartyOldNameTitle=responsibleParty.oldNameTitle
        ResponsiblePartyOldOrganization=responsibleParty.oldOrganization LeadSponsor=leadSponsor
        LeadSponsorName=leadSponsor.name LeadSponsorClass=leadSponsor.class
        Collaborator=collaborators CollaboratorName=collaborators.name
        CollaboratorClass=collaborators.class
    """,
    "protocolSection.oversightModule": """
        OversightModule= OversightHasDMC=oversightHasDmc IsFDARegulatedDrug=isFdaRegulatedDrug
        IsFDARegulatedDevice=isFdaRegulatedDevice IsUnapprovedDevice=isUnapprovedDevice
        IsPPSD=isPpsd IsUSExport=isUsExport FDAAA801Violation=fdaaa801Violation
    """,
    "protocolSection.descriptionModule": """
        DescriptionModule= BriefSummary=briefSummary DetailedDescription=detailedDescription
    """,
    "protocolSection.conditionsModule": """
        ConditionsModule= Condition=conditions Keyword=keywords
    """,
    "protocolSection.designModule": """
        DesignModule= StudyType=studyType NPtrsToThisExpAccNCTId=nPtrsToThisExpAccNctId
        ExpandedAccessTypes=expandedAccessTypes
        ExpAccTypeIndividual=expandedAccessTypes.individual
        ExpAccTypeIntermediate=expandedAccessTypes.intermediate
        ExpAccTypeTreatment=expandedAccessTypes.treatment PatientRegistry=patientRegistry
        TargetDuration=targetDuration Phase=phases DesignInfo=designInfo
        DesignAllocation=designInfo.allocation
        DesignInterventionModel=designInfo.interventionModel
        DesignInterventionModelDescription=designInfo.interventionModelDescription
        DesignPrimaryPurpose=designInfo.primaryPurpose
        DesignObservationalModel=designInfo.observationalModel
        DesignTimePerspective=designInfo.timePerspective DesignMaskingInfo=designInfo.maskingInfo
        DesignMasking=designInfo.maskingInfo.masking
        DesignMaskingDescription=designInfo.maskingInfo.maskingDescription
        DesignWhoMasked=designInfo.maskingInfo.whoMasked BioSpec=bioSpec
        BioSpecRetention=bioSpec.retention BioSpecDescription=bioSpec.description
        EnrollmentInfo=enrollmentInfo EnrollmentCount=enrollmentInfo.count
        EnrollmentType=enrollmentInfo.type
    """,
    "protocolSection.armsInterventionsModule": """
        ArmsInterventionsModule= ArmGroup=armGroups ArmGroupLabel=armGroups.label
        ArmGroupType=armGroups.type ArmGroupDescription=armGroups.description
        ArmGroupInterventionName=armGroups.interventionNames Intervention=interventions
        InterventionType=interventions.type InterventionName=interventions.name
        InterventionDescription=interventions.description
        InterventionArmGroupLabel=interventions.armGroupLabels
        InterventionOtherName=interventions.otherNames
    """,
    "protocolSection.outcomesModule": """
        OutcomesModule= PrimaryOutcome=primaryOutcomes
        PrimaryOutcomeMeasure=primaryOutcomes.measure
        PrimaryOutcomeDescription=primaryOutcomes.description
        PrimaryOutcomeTimeFrame=primaryOutcomes.timeFrame SecondaryOutcome=secondaryOutcomes
        SecondaryOutcomeMeasure=secondaryOutcomes.measure
        SecondaryOutcomeDescription=secondaryOutcomes.description
        SecondaryOutcomeTimeFrame=secondaryOutcomes.timeFrame OtherOutcome=otherOutcomes
        OtherOutcomeMeasure=otherOutcomes.measure
        OtherOutcomeDescription=otherOutcomes.description
        OtherOutcomeTimeFrame=otherOutcomes.timeFrame
    """,
    "protocolSection.eligibilityModule": """
        EligibilityModule= EligibilityCriteria=eligibilityCriteria
        HealthyVolunteers=healthyVolunteers Sex=sex GenderBased=genderBased
        GenderDescription=genderDescription MinimumAge=minimumAge MaximumAge=maximumAge
        StdAge=stdAges StudyPopulation=studyPopulation SamplingMethod=samplingMethod
    """,
    "protocolSection.contactsLocationsModule": """
        ContactsLocationsModule= CentralContact=centralContacts
        CentralContactName=centralContacts.name CentralContactRole=centralContacts.role
        CentralContactPhone=centralContacts.phone CentralContactPhoneExt=centralContacts.phoneExt
        CentralContactEMail=centralContacts.email OverallOfficial=overallOfficials
        OverallOfficialName=overallOfficials.name
        OverallOfficialAffiliation=overallOfficials.affiliation
        OverallOfficialRole=overallOfficials.role Location=locations
        LocationFacility=locations.facility LocationStatus=locations.status
        LocationCity=locations.city LocationState=locations.state LocationZip=locations.zip
        LocationCountry=locations.country LocationContact=locations.contacts
        LocationContactName=locations.contacts.name LocationContactRole=locations.contacts.role
        LocationContactPhone=locations.contacts.phone
        LocationContactPhoneExt=locations.contacts.phoneExt
        LocationContactEMail=locations.contacts.email LocationGeoPoint=locations.geoPoint
    """,
    "protocolSection.referencesModule": """
        ReferencesModule= Reference=references ReferencePMID=references.pmid
        ReferenceType=references.type ReferenceCitation=references.citation
        Retraction=references.retractions RetractionPMID=references.retractions.pmid
        RetractionSource=references.retractions.source SeeAlsoLink=seeAlsoLinks
        SeeAlsoLinkLabel=seeAlsoLinks.label SeeAlsoLinkURL=seeAlsoLinks.url AvailIPD=availIpds
        AvailIPDId=availIpds.id AvailIPDType=availIpds.type AvailIPDURL=availIpds.url
        AvailIPDComment=availIpds.comment
    """,
    "protocolSection.ipdSharingStatementModule": """
        IPDSharingStatementModule= IPDSharing=ipdSharing IPDSharingDescription=description
        IPDSharingInfoType=infoTypes IPDSharingTimeFrame=timeFrame
        IPDSharingAccessCriteria=accessCriteria IPDSharingURL=url
    """,
    # of the results section, only the values trialfinder's sync asks for (AACT's studies and
    # calculated_values)
    "resultsSection.baselineCharacteristicsModule": """
        BaselineCharacteristicsModule=
        BaselinePopulationDescription=populationDescription
        BaselineTypeUnitsAnalyzed=typeUnitsAnalyzed
    """,
    "resultsSection.adverseEventsModule": """
        AdverseEventsModule= SeriousEvent=seriousEvents SeriousEventStats=seriousEvents.stats
        SeriousEventStatsNumAffected=seriousEvents.stats.numAffected OtherEvent=otherEvents
        OtherEventStats=otherEvents.stats OtherEventStatsNumAffected=otherEvents.stats.numAffected
    """,
    "resultsSection.moreInfoModule": """
        MoreInfoModule= LimitationsAndCaveats=limitationsAndCaveats
        LimitationsAndCaveatsDescription=limitationsAndCaveats.description
    """,
    "derivedSection.miscInfoModule": """
        MiscInfoModule= VersionHolder=versionHolder RemovedCountry=removedCountries
        SubmissionTracking=submissionTracking
        EstimatedResultsFirstSubmitDate=submissionTracking.estimatedResultsFirstSubmitDate
        FirstMCPInfo=submissionTracking.firstMcpInfo
        FirstMCPPostDateStruct=submissionTracking.firstMcpInfo.postDateStruct
        FirstMCPPostDate=submissionTracking.firstMcpInfo.postDateStruct.date
        FirstMCPPostDateType=submissionTracking.firstMcpInfo.postDateStruct.type
        SubmissionInfo=submissionTracking.submissionInfos
        SubmissionReleaseDate=submissionTracking.submissionInfos.releaseDate
        SubmissionUnreleaseDate=submissionTracking.submissionInfos.unreleaseDate
        SubmissionUnreleaseDateUnknown=submissionTracking.submissionInfos.unreleaseDateUnknown
        SubmissionResetDate=submissionTracking.submissionInfos.resetDate
        SubmissionMCPReleaseN=submissionTracking.submissionInfos.mcpReleaseN
    """,
    "derivedSection.conditionBrowseModule": """
        ConditionBrowseModule= ConditionMesh=meshes ConditionMeshId=meshes.id
        ConditionMeshTerm=meshes.term ConditionAncestor=ancestors ConditionAncestorId=ancestors.id
        ConditionAncestorTerm=ancestors.term ConditionBrowseLeaf=browseLeaves
        ConditionBrowseLeafId=browseLeaves.id ConditionBrowseLeafName=browseLeaves.name
        ConditionBrowseLeafAsFound=browseLeaves.asFound
        ConditionBrowseLeafRelevance=browseLeaves.relevance ConditionBrowseBranch=browseBranches
        ConditionBrowseBranchAbbrev=browseBranches.abbrev
        ConditionBrowseBranchName=browseBranches.name
    """,
    "derivedSection.interventionBrowseModule": """
        InterventionBrowseModule= InterventionMesh=meshes InterventionMeshId=meshes.id
        InterventionMeshTerm=meshes.term InterventionAncestor=ancestors
        InterventionAncestorId=ancestors.id InterventionAncestorTerm=ancestors.term
        InterventionBrowseLeaf=browseLeaves InterventionBrowseLeafId=browseLeaves.id
        InterventionBrowseLeafName=browseLeaves.name
        InterventionBrowseLeafAsFound=browseLeaves.asFound
        InterventionBrowseLeafRelevance=browseLeaves.relevance
        InterventionBrowseBranch=browseBranches
        InterventionBrowseBranchAbbrev=browseBranches.abbrev
        InterventionBrowseBranchName=browseBranches.name
    """,
}


def _build_pieces() -> dict[str, str]:
    pieces = dict(_SECTIONS)
    for module, text in _MODULE_PIECES.items():
        for item in text.split():
            piece, _, relative = item.partition("=")
            pieces[piece] = f"{module}.{relative}" if relative else module
    return pieces


PIECES: dict[str, str] = _build_pieces()
"""Piece name -> dotted JSON path (``LocationGeoPoint`` -> ``protocolSection....geoPoint``)."""

_PIECES_CASEFOLD = {name.casefold(): name for name in PIECES}
_PATH_TO_PIECE = {path: name for name, path in PIECES.items()}

_STATUSES = (
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
)
ENUMS: dict[str, tuple[str, ...]] = {
    "OverallStatus": _STATUSES,
    "LastKnownStatus": _STATUSES,
    "Phase": ("NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"),
    "StudyType": ("EXPANDED_ACCESS", "INTERVENTIONAL", "OBSERVATIONAL"),
    "Sex": ("FEMALE", "MALE", "ALL"),
    "StdAge": ("CHILD", "ADULT", "OLDER_ADULT"),
    "InterventionType": (
        "BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST",
        "DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER",
    ),
}
"""Enum pieces checked in ``AREA[...]`` values (the spec's value lists)."""

_BOOL_PIECES = frozenset({
    "DelayedPosting", "ExpAccTypeIndividual", "ExpAccTypeIntermediate", "ExpAccTypeTreatment",
    "FDAAA801Violation", "GenderBased", "HasExpandedAccess", "HasResults", "HealthyVolunteers",
    "IsFDARegulatedDevice", "IsFDARegulatedDrug", "IsPPSD", "IsUSExport", "IsUnapprovedDevice",
    "OversightHasDMC", "PatientRegistry", "ResultsWaived", "SubmissionUnreleaseDateUnknown",
})
_NUMBER_PIECES = frozenset({"EnrollmentCount", "NPtrsToThisExpAccNCTId", "SubmissionMCPReleaseN"})
_AGE_PIECES = frozenset({"MinimumAge", "MaximumAge", "TargetDuration"})
_DATE_PIECES = frozenset({
    "CompletionDate", "DispFirstPostDate", "DispFirstSubmitDate", "DispFirstSubmitQCDate",
    "EstimatedResultsFirstSubmitDate", "FirstMCPPostDate", "LastUpdatePostDate",
    "LastUpdateSubmitDate", "PrimaryCompletionDate", "ResultsFirstPostDate",
    "ResultsFirstSubmitDate", "ResultsFirstSubmitQCDate", "StartDate", "StatusVerifiedDate",
    "StudyFirstPostDate", "StudyFirstSubmitDate", "StudyFirstSubmitQCDate",
    "SubmissionReleaseDate", "SubmissionResetDate", "SubmissionUnreleaseDate", "VersionHolder",
})

SEARCH_AREAS: dict[str, tuple[str, ...]] = {
    "BasicSearch": (
        "NCTId", "Acronym", "BriefTitle", "OfficialTitle", "BriefSummary", "Condition", "Keyword",
        "InterventionName", "InterventionOtherName",
    ),
    "ConditionSearch": ("NCTId", "Condition", "Keyword", "ConditionMeshTerm"),
    "InterventionSearch": ("InterventionName", "InterventionOtherName"),
    "InterventionNameSearch": ("InterventionName", "InterventionOtherName"),
    "LocationSearch": (
        "LocationCity", "LocationState", "LocationCountry", "LocationFacility", "LocationZip",
    ),
    "TitleSearch": ("Acronym", "BriefTitle", "OfficialTitle"),
    "SponsorSearch": ("LeadSponsorName", "CollaboratorName"),
    "IdSearch": ("NCTId", "NCTIdAlias", "Acronym", "OrgStudyId", "SecondaryId"),
    "NCTIdSearch": ("NCTId", "NCTIdAlias"),
    "OutcomeSearch": (
        "PrimaryOutcomeMeasure", "SecondaryOutcomeMeasure", "PrimaryOutcomeDescription",
        "SecondaryOutcomeDescription", "OtherOutcomeMeasure", "OtherOutcomeDescription",
    ),
    "EligibilitySearch": ("EligibilityCriteria", "StudyPopulation"),
    "ContactSearch": (
        "OverallOfficialName", "CentralContactName", "OverallOfficialAffiliation",
        "LocationContactName",
    ),
    "FunderTypeSearch": ("LeadSponsorClass", "CollaboratorClass"),
    "PatientSearch": (
        "NCTId", "Acronym", "Condition", "BriefTitle", "OfficialTitle", "ConditionMeshTerm",
        "BriefSummary", "Keyword", "InterventionName", "InterventionOtherName",
    ),
}
"""Search areas usable as ``AREA[...]`` names and behind the ``query.*`` parameters.

A simplified version of ``GET /studies/search-areas``: the pieces each area searches."""

# query parameter -> (search area, name used in the API's parse error messages)
_QUERY_PARAMS: dict[str, tuple[str, str]] = {
    "query.cond": ("ConditionSearch", "Conditions"),
    "query.term": ("BasicSearch", "Other terms"),
    "query.locn": ("LocationSearch", "Location terms"),
    "query.titles": ("TitleSearch", "Title / acronym"),
    "query.intr": ("InterventionSearch", "Interventions"),
    "query.outc": ("OutcomeSearch", "Outcome measure"),
    "query.spons": ("SponsorSearch", "Sponsor / collaborator"),
    "query.lead": ("LeadSponsorName", "Lead sponsor"),
    "query.id": ("IdSearch", "Study IDs"),
    "query.patient": ("PatientSearch", "Patient"),
}
_FILTER_NAMES = ("overallStatus", "geo", "ids", "advanced", "synonyms")
_STUDIES_PARAMS = frozenset({
    "format", "markupFormat", *_QUERY_PARAMS,
    *(f"{prefix}.{name}" for prefix in ("filter", "postFilter") for name in _FILTER_NAMES),
    "aggFilters", "geoDecay", "fields", "sort", "countTotal", "pageSize", "pageToken",
})
_UNSUPPORTED_PARAMS = frozenset({"sort", "aggFilters", "filter.synonyms", "postFilter.synonyms"})
_PAGING_PARAMS = frozenset({"countTotal", "pageSize", "pageToken"})
_NOT_MATCHING_PARAMS = _PAGING_PARAMS | {"fields", "format", "markupFormat", "geoDecay"}

_NCT_RE = re.compile(r"^[Nn][Cc][Tt]0*([1-9]\d{0,7})$")
_NCT_ONLY_RE = re.compile(r"^\s*(?:NCT\d{8}[\s,]*)+$", re.IGNORECASE)
_GEO_RE = re.compile(
    r"^distance\((-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(km|mi)?\)$"
)
_GEO_DECAY_RE = re.compile(
    r"^func:(gauss|exp|linear),scale:(\d+(\.\d+)?(km|mi)),offset:(\d+(\.\d+)?(km|mi)),"
    r"decay:(\d+(\.\d+)?)$"
)
_LIST_SPLIT_RE = re.compile(r"[,|]")
_EARTH_RADIUS_KM = 6371.0088
_KM_PER_MILE = 1.609344

_NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_STATUS_TEXT = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
_MAINTENANCE_HTML = (
    b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    b"<title>ClinicalTrials.gov - Service Unavailable</title></head>\n<body><h1>We are "
    b"sorry</h1><p>ClinicalTrials.gov is temporarily unavailable. Please try again later."
    b"</p></body></html>\n"
)


def _error_page(status: int) -> bytes:
    text = f"{status} {_STATUS_TEXT.get(status, 'Error')}"
    return (
        f"<html>\r\n<head><title>{text}</title></head>\r\n<body>\r\n"
        f"<center><h1>{text}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


# -- replies and faults ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer of :class:`StandInApi`.

    ``drop`` means: close the connection without answering. ``fault`` names the injected
    fault (``"429"``, ``"503"``, ``"drop"``, ``"truncate"``, ``"html"``, ``"empty_page"``,
    ``"script_429"``...), or is ``None`` for a normal answer.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    drop: bool = False
    fault: str | None = None

    def json(self) -> Any:
        """The body parsed as JSON (for tests)."""
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(slots=True)
class Faults:
    """Deterministic trouble to inject (all random draws come from ``seed``).

    * ``fail_rate``: fraction of requests answered with one of ``fail_statuses`` (drawn at
      random) carrying ``Retry-After: retry_after`` (``None`` = no header);
    * ``latency``: seconds slept before each answer (HTTP layer only);
    * ``drop_rate``: fraction of connections closed without an answer (HTTP layer);
    * ``truncate_rate``: fraction of 200 JSON answers whose body is cut in half;
    * ``html_rate``: fraction of answers replaced by a 200 HTML error page;
    * ``empty_page_every``: every N-th page of a listing (N >= 2) is ``studies: []`` with a
      ``nextPageToken`` that continues where the previous page stopped;
    * ``script``: statuses for the first requests, in order, before any random fault
      (``200`` = answer normally, ``0`` = drop the connection, e.g. ``[429, 503]``).

    Random faults are drawn per request attempt, independently, and never more than
    ``max_consecutive`` times in a row for the same URL, so retrying always gets the data.
    """

    seed: int = 0
    fail_rate: float = 0.0
    fail_statuses: tuple[int, ...] = (429, 503)
    retry_after: str | None = "0"
    latency: float = 0.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    html_rate: float = 0.0
    empty_page_every: int = 0
    script: list[int] = field(default_factory=list)
    max_consecutive: int = 2

    def __post_init__(self) -> None:
        rates = {"fail_rate": self.fail_rate, "drop_rate": self.drop_rate,
                 "truncate_rate": self.truncate_rate, "html_rate": self.html_rate}
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within 0..1, not {rate}")
        if sum(rates.values()) >= 1.0:
            raise ValueError("the fault rates must add up to less than 1")
        if self.latency < 0:
            raise ValueError(f"latency must be >= 0, not {self.latency}")
        if self.empty_page_every < 0 or self.empty_page_every == 1:
            raise ValueError("empty_page_every must be 0 (off) or at least 2")
        if self.max_consecutive < 1:
            raise ValueError("max_consecutive must be at least 1")
        if not self.fail_statuses or any(not 400 <= s <= 599 for s in self.fail_statuses):
            raise ValueError("fail_statuses must be HTTP error statuses (400..599)")
        for status in self.script:
            if status not in (0, 200) and not 400 <= status <= 599:
                raise ValueError(f"script status must be 0, 200 or 400..599, not {status}")

    @property
    def random_rate(self) -> float:
        return self.fail_rate + self.drop_rate + self.truncate_rate + self.html_rate


class _BadRequest(Exception):
    """A 400 answer; the message is the text/plain body."""


def _text_reply(status: int, message: str, fault: str | None = None) -> Reply:
    return Reply(status, {"Content-Type": "text/plain"}, message.encode("utf-8"), fault=fault)


def _json_reply(body: bytes) -> Reply:
    return Reply(200, {"Content-Type": "application/json"}, body)


def _nginx_404() -> Reply:
    return Reply(404, {"Content-Type": "text/html"}, _NGINX_404)


# -- study values ------------------------------------------------------------------------------


def _collect(node: Any, parts: Sequence[str], out: list[Any]) -> None:
    """Append every value at ``parts`` below ``node``, flattening lists on the way."""
    if isinstance(node, list):
        for item in node:
            _collect(item, parts, out)
        return
    if not parts:
        if node is not None and node != "":
            out.append(node)
        return
    if isinstance(node, dict) and parts[0] in node:
        _collect(node[parts[0]], parts[1:], out)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif value is not None:
        yield str(value)


def _words(text: str) -> list[str]:
    """Lower-case words without accents: ``"Montréal (QC)"`` -> ``["montreal", "qc"]``."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", folded)


def _forms(word: str) -> frozenset[str]:
    """A word and what it may be without a plural ending: two words match when their forms
    meet, as the API's stemming matches ``spasms`` with "Spasm" (``twitches`` and "twitch",
    ``headaches`` and "headache", ``injuries`` and "injury"); ss, us and is endings
    (``weakness``, ``lupus``, ``sclerosis``) are kept, and no form is under three letters."""
    forms = {word}
    if len(word) > 4 and word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.add(word[:-1])
    return frozenset(forms)


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_AGE_UNITS = {
    "": 1.0, "year": 1.0, "years": 1.0, "month": 1 / 12, "months": 1 / 12,
    "week": 7 / 365.25, "weeks": 7 / 365.25, "day": 1 / 365.25, "days": 1 / 365.25,
    "hour": 1 / 8766, "hours": 1 / 8766, "minute": 1 / 525960, "minutes": 1 / 525960,
}


def _date_key(text: str, *, upper: bool = False) -> tuple[int, int, int] | None:
    """``"2020-01"`` -> (2020, 1, 1), or (2020, 1, 31) as an upper bound."""
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if upper else 1)
    day = int(match.group(3)) if match.group(3) else (31 if upper else 1)
    return year, month, day


def _age_years(text: str) -> float | None:
    """``"18 Years"`` -> 18.0, ``"6 Months"`` -> 0.5, ``"16"`` -> 16.0; else None."""
    match = _AGE_RE.match(text)
    if not match:
        return None
    unit = _AGE_UNITS.get(match.group(2).lower())
    return None if unit is None else float(match.group(1)) * unit


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class _Area:
    """Where a query word looks: a search area (several pieces) or one piece."""

    name: str
    paths: tuple[tuple[str, ...], ...]
    kind: str  # text | enum | bool | date | age | number
    field_path: str
    allowed: tuple[str, ...] = ()


_AREA_CACHE: dict[str, _Area | None] = {}


def _find_area(name: str) -> _Area | None:
    key = name.strip().casefold()
    if key in _AREA_CACHE:
        return _AREA_CACHE[key]
    area: _Area | None = None
    search = {n.casefold(): n for n in SEARCH_AREAS}.get(key)
    if search is not None:
        pieces = SEARCH_AREAS[search]
        area = _Area(search, tuple(tuple(PIECES[p].split(".")) for p in pieces), "text", search)
    elif key in _PIECES_CASEFOLD:
        piece = _PIECES_CASEFOLD[key]
        path = PIECES[piece]
        kind = ("enum" if piece in ENUMS else "bool" if piece in _BOOL_PIECES
                else "date" if piece in _DATE_PIECES else "age" if piece in _AGE_PIECES
                else "number" if piece in _NUMBER_PIECES else "text")
        area = _Area(piece, (tuple(path.split(".")),), kind, path, ENUMS.get(piece, ()))
    _AREA_CACHE[key] = area
    return area


class _Doc:
    """A study plus lazily computed, cached search values."""

    __slots__ = ("_cache", "ids", "nct_id", "study")

    def __init__(self, study: JsonDict) -> None:
        self.study = study
        ident = study.get("protocolSection", {}).get("identificationModule", {})
        self.nct_id = str(ident.get("nctId", ""))
        aliases = ident.get("nctIdAliases") or []
        self.ids = {self.nct_id.upper(), *(str(a).upper() for a in aliases)}
        self._cache: dict[str, Any] = {}

    def values(self, area: _Area) -> list[Any]:
        key = "v:" + area.name
        cached = self._cache.get(key)
        if cached is None:
            cached = []
            for path in area.paths:
                _collect(self.study, path, cached)
            self._cache[key] = cached
        return cached

    def text(self, area: _Area) -> tuple[list[list[frozenset[str]]], frozenset[str],
                                         frozenset[str]]:
        """The area's values as lists of each word's forms (with and without a plural
        ending), every form, and every word as written (for a prefix)."""
        key = "t:" + area.name
        cached = self._cache.get(key)
        if cached is None:
            written = [_words(s) for value in self.values(area) for s in _strings(value)]
            lists = [[_forms(w) for w in words] for words in written]
            cached = (lists, frozenset(f for words in lists for forms in words for f in forms),
                      frozenset(w for words in written for w in words))
            self._cache[key] = cached
        return cached

    def geo_points(self) -> list[tuple[float, float]]:
        cached = self._cache.get("geo")
        if cached is None:
            cached = []
            points: list[Any] = []
            _collect(self.study, PIECES["LocationGeoPoint"].split("."), points)
            for point in points:
                if isinstance(point, dict):
                    lat, lon = point.get("lat"), point.get("lon")
                    if isinstance(lat, int | float) and isinstance(lon, int | float):
                        cached.append((float(lat), float(lon)))
            self._cache["geo"] = cached
        return cached


# -- a small Essie: words, "phrases", AND / OR / NOT, ( ), AREA[..], RANGE[..], MISSING --------


class _Node:
    def match(self, doc: _Doc) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Word(_Node):
    area: _Area
    words: tuple[str, ...]
    phrase: bool
    prefix: bool

    def match(self, doc: _Doc) -> bool:
        lists, vocabulary, written = doc.text(self.area)
        forms = [_forms(w) for w in self.words]
        if self.phrase:
            n = len(forms)
            return any(
                all(forms[k] & words[i + k] for k in range(n))
                for words in lists for i in range(len(words) - n + 1)
            )
        *whole, last = forms
        if any(not w & vocabulary for w in whole):
            return False
        if self.prefix:  # the prefix as typed, against the words as written
            return any(w.startswith(self.words[-1]) for w in written)
        return bool(last & vocabulary)


@dataclass(frozen=True, slots=True)
class _Equals(_Node):
    area: _Area
    value: str | bool

    def match(self, doc: _Doc) -> bool:
        values = doc.values(self.area)
        if isinstance(self.value, bool):
            return any(v is self.value for v in values)
        return any(str(v).upper() == self.value for v in values)


@dataclass(frozen=True, slots=True)
class _InRange(_Node):
    area: _Area
    low: Any  # None = MIN
    high: Any  # None = MAX

    def match(self, doc: _Doc) -> bool:
        for raw in doc.values(self.area):
            value = _convert(self.area.kind, str(raw))
            if value is None:
                continue
            if self.low is not None and value < self.low:
                continue
            if self.high is not None and value > self.high:
                continue
            return True
        return False


@dataclass(frozen=True, slots=True)
class _Missing(_Node):
    area: _Area

    def match(self, doc: _Doc) -> bool:
        return not doc.values(self.area)


@dataclass(frozen=True, slots=True)
class _And(_Node):
    children: tuple[_Node, ...]

    def match(self, doc: _Doc) -> bool:
        return all(child.match(doc) for child in self.children)


@dataclass(frozen=True, slots=True)
class _Or(_Node):
    children: tuple[_Node, ...]

    def match(self, doc: _Doc) -> bool:
        return any(child.match(doc) for child in self.children)


@dataclass(frozen=True, slots=True)
class _Not(_Node):
    child: _Node

    def match(self, doc: _Doc) -> bool:
        return not self.child.match(doc)


def _convert(kind: str, text: str, *, upper: bool = False) -> Any:
    if kind == "date":
        return _date_key(text, upper=upper)
    if kind == "age":
        age = _age_years(text)
        return None if age is None else age + (1e-9 if upper else -1e-9)
    return _number(text)


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<lp>\() | (?P<rp>\))
    | (?P<quote>"[^"]*")
    | (?P<area>AREA\[(?P<area_name>[^\[\]]*)\])
    | (?P<range>RANGE\[(?P<range_body>[^\[\]]*)\])
    | (?P<modifier>(?:EXPANSION|COVERAGE)\[[^\[\]]*\])
    | (?P<word>[^\s()\[\]"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # lp rp quote area range word op missing
    text: str
    value: str


class _Parser:
    """Recursive descent over the Essie subset; errors read like the real API's."""

    def __init__(self, text: str, where: str, default_area: _Area) -> None:
        self.text = text
        self.where = where
        self.default_area = default_area
        self.tokens = self._tokenize(text)
        self.pos = 0

    def fail(self, detail: str) -> _BadRequest:
        return _BadRequest(f"Error parsing query in {self.where}: {detail}")

    def _tokenize(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN_RE.match(text, pos)
            if match is None:
                if text[pos] == '"':
                    raise self.fail(f"token recognition error at: '{text[pos:]}'")
                raise self.fail(f"no viable alternative at input '{text[:pos + 1]}'")
            kind = match.lastgroup or ""
            pos = match.end()
            if kind in ("space", "modifier"):
                continue
            if kind == "area_name":
                kind = "area"
            if kind == "range_body":
                kind = "range"
            raw = match.group(0)
            value = raw
            if kind == "area":
                value = match.group("area_name")
            elif kind == "range":
                value = match.group("range_body")
            elif kind == "quote":
                value = raw[1:-1]
            elif kind == "word" and raw in _OPERATORS:
                kind = "op"
            elif kind == "word" and raw == "MISSING":
                kind = "missing"
            tokens.append(_Token(kind, raw, value))
        return tokens

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token | None:
        token = self.peek()
        if token is not None:
            self.pos += 1
        return token

    def parse(self) -> _Node | None:
        if not self.tokens:
            return None
        node = self.expr(self.default_area)
        token = self.peek()
        if token is not None:
            if token.kind == "rp":
                raise self.fail("extraneous input ')' expecting <EOF>")
            raise self.fail(f"mismatched input '{token.text}' expecting <EOF>")
        return node

    def expr(self, area: _Area) -> _Node | None:
        children = [self.conjunction(area)]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            children.append(self.conjunction(area))
        return _combine(_Or, children)

    def conjunction(self, area: _Area) -> _Node | None:
        children = [self.unary(area)]
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.text == "AND":
                self.take()
            elif token.kind in ("rp",) or (token.kind == "op" and token.text == "OR"):
                break
            children.append(self.unary(area))
        return _combine(_And, children)

    def unary(self, area: _Area) -> _Node | None:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text == "NOT":
            self.take()
            child = self.unary(area)
            return None if child is None else _Not(child)
        return self.primary(area)

    def primary(self, area: _Area) -> _Node | None:
        token = self.take()
        if token is None:
            raise self.fail("mismatched input '<EOF>' expecting {'(', AREA, WORD, QUOTE}")
        if token.kind == "lp":
            node = self.expr(area)
            closing = self.take()
            if closing is None:
                raise self.fail("missing ')' at '<EOF>'")
            if closing.kind != "rp":
                raise self.fail(f"missing ')' at '{closing.text}'")
            return node
        if token.kind in ("rp", "op"):
            raise self.fail(f"mismatched input '{token.text}' expecting {{'(', AREA, WORD}}")
        if token.kind == "area":
            scoped = _find_area(token.value)
            if scoped is None:
                raise self.fail(f"Unknown area name: `{token.value.strip()}`")
            return self.operand(scoped)
        if token.kind == "range":
            return self.range_node(area, token.value)
        if token.kind == "missing":
            if area is self.default_area:
                return self.leaf(area, token.value, quoted=False)
            return _Missing(area)
        return self.leaf(area, token.value, quoted=token.kind == "quote")

    def operand(self, area: _Area) -> _Node | None:
        token = self.peek()
        if token is None:
            raise self.fail(f"mismatched input '<EOF>' after AREA[{area.name}]")
        if token.kind == "missing":
            self.take()
            return _Missing(area)
        if token.kind in ("op", "rp"):
            raise self.fail(f"mismatched input '{token.text}' after AREA[{area.name}]")
        return self.primary(area)

    def range_node(self, area: _Area, body: str) -> _Node:
        if area.kind not in ("date", "age", "number"):
            raise self.fail(f"RANGE is not supported for field `{area.field_path}`")
        parts = [p.strip() for p in body.split(",")]
        if len(parts) != 2:
            raise self.fail(f"invalid range: RANGE[{body}]")
        bounds: list[Any] = []
        for part, upper in ((parts[0], False), (parts[1], True)):
            if part.upper() in ("MIN", "MAX"):
                bounds.append(None)
                continue
            value = _convert(area.kind, part, upper=upper)
            if value is None:
                raise self.fail(f"invalid value `{part}` for field `{area.field_path}`")
            bounds.append(value)
        return _InRange(area, bounds[0], bounds[1])

    def leaf(self, area: _Area, text: str, *, quoted: bool) -> _Node | None:
        if area.kind == "text":
            words = _words(text)
            if not words:
                return None
            prefix = not quoted and text.endswith("*")
            return _Word(area, tuple(words), quoted and len(words) > 1, prefix)
        value = text.strip()
        if area.kind == "enum":
            if value.upper() not in area.allowed:
                allowed = ", ".join(f"`{v}`" for v in area.allowed)
                raise self.fail(f"Allowed values for enum field `{area.field_path}` are {allowed}")
            return _Equals(area, value.upper())
        if area.kind == "bool":
            if value.lower() not in ("true", "false"):
                raise self.fail(
                    f"Allowed values for boolean field `{area.field_path}` are `true`, `false`"
                )
            return _Equals(area, value.lower() == "true")
        low = _convert(area.kind, value)
        high = _convert(area.kind, value, upper=True)
        if low is None or high is None:
            raise self.fail(f"invalid value `{value}` for field `{area.field_path}`")
        return _InRange(area, low, high)


def _combine(kind: type[_And] | type[_Or], children: list[_Node | None]) -> _Node | None:
    kept = tuple(c for c in children if c is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kind(kept)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# -- fields pruning ----------------------------------------------------------------------------


class _Trie:
    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.terminal = False

    def add(self, path: str) -> None:
        node = self
        for part in path.split("."):
            if node.terminal:
                return
            node = node.children.setdefault(part, _Trie())
        node.terminal = True
        node.children.clear()


def _prune(node: Any, trie: _Trie) -> Any:
    """Keep only the paths in ``trie``, keeping the nested shape; ``None`` when nothing is left."""
    if trie.terminal:
        return node
    if isinstance(node, list):
        items = [p for p in (_prune(item, trie) for item in node) if p is not None]
        return items or None
    if isinstance(node, dict):
        kept = {}
        for key, value in node.items():
            child = trie.children.get(key)
            if child is not None:
                pruned = _prune(value, child)
                if pruned is not None:
                    kept[key] = pruned
        return kept or None
    return None


def _fields_trie(raw: str, query_areas: Iterable[str] = ()) -> _Trie:
    trie = _Trie()
    names = [name.strip() for name in _LIST_SPLIT_RE.split(raw)]
    for name in names:
        if name == "@query":
            trie.add(PIECES["NCTId"])
            for area_name in query_areas:
                for piece in SEARCH_AREAS.get(area_name, (area_name,)):
                    trie.add(PIECES[piece])
            continue
        found = _PIECES_CASEFOLD.get(name.casefold())
        if found is not None:
            trie.add(PIECES[found])
        elif name in _PATH_TO_PIECE:
            trie.add(name)
        elif (area := {n.casefold(): n for n in SEARCH_AREAS}.get(name.casefold())) is not None:
            for area_piece in SEARCH_AREAS[area]:
                trie.add(PIECES[area_piece])
        else:
            raise _BadRequest(f"Parameter 'fields' contains invalid field name: '{name}'")
    return trie


# -- page tokens -------------------------------------------------------------------------------


def _params_hash(params: Mapping[str, str]) -> str:
    kept = sorted((k, v) for k, v in params.items() if k not in _PAGING_PARAMS)
    return hashlib.sha256(orjson.dumps(kept)).hexdigest()[:10]


def _encode_token(offset: int, page: int, digest: str) -> str:
    raw = f"{offset}:{page}:{digest}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, digest: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        offset_text, page_text, token_digest = raw.split(":")
        offset, page = int(offset_text), int(page_text)
    except (ValueError, UnicodeDecodeError):
        raise _BadRequest(f"pageToken has incorrect format for value {token}") from None
    if offset < 0 or page < 2:
        raise _BadRequest(f"pageToken has incorrect format for value {token}")
    if token_digest != digest:
        raise _BadRequest(
            "pageToken does not belong to these parameters: every later page must repeat the "
            "parameters of the first page (except countTotal, pageSize and pageToken)"
        )
    return offset, page


# -- the API core ------------------------------------------------------------------------------


class StandInApi:
    """The stand-in's logic, without sockets: ``handle(path, query) -> Reply``.

    ``studies`` are served in the given order. ``max_page_size`` is the server's cap
    (``pageSize`` above it is coerced down, as the real API does at 1000).
    """

    def __init__(
        self,
        studies: Sequence[JsonDict],
        *,
        max_page_size: int = MAX_PAGE_SIZE,
        faults: Faults | None = None,
        api_version: str = API_VERSION,
        data_timestamp: str = DATA_TIMESTAMP,
    ) -> None:
        if max_page_size < 1:
            raise ValueError(f"max_page_size must be at least 1, not {max_page_size}")
        self.max_page_size = max_page_size
        self.api_version = api_version
        self.data_timestamp = data_timestamp
        self._lock = threading.Lock()
        self.replace_studies(studies)
        self._faults = Faults()
        self._rng = random.Random(0)
        self._script_pos = 0
        self._consecutive: dict[str, int] = {}
        self.set_faults(faults or Faults())

    def replace_studies(self, studies: Sequence[JsonDict]) -> None:
        """Serve ``studies`` from now on (the changing mode: data that moves between runs).
        Page tokens issued before stay decodable but point into the new list."""
        docs: Sequence[_Doc]
        if isinstance(studies, Replicas):  # copies are built when asked for, never kept
            docs = _LazyDocs(studies)
            ids: Iterable[tuple[str, set[str]]] = map(studies.ids_of, range(len(studies)))
        else:
            docs = [_Doc(study) for study in studies]
            ids = ((doc.nct_id, doc.ids) for doc in docs)
        index: dict[str, int] = {}
        aliases: dict[str, int] = {}
        for i, (nct_id, all_ids) in enumerate(ids):
            if nct_id:
                index.setdefault(nct_id.upper(), i)
            for alias in all_ids - {nct_id.upper()}:
                aliases.setdefault(alias, i)
        with self._lock:
            self._docs, self._index, self._aliases = docs, index, aliases
            self._matches: dict[str, list[int]] = {}
            self._full_json: dict[int, bytes] = {}

    # -- configuration

    @property
    def studies(self) -> list[JsonDict]:
        return [doc.study for doc in self._docs]

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults and restart their random sequence and script."""
        with self._lock:
            self._faults = replace(faults, script=list(faults.script))
            self._rng = random.Random(faults.seed)
            self._script_pos = 0
            self._consecutive.clear()

    # -- entry point

    def handle(self, path: str, query: str = "") -> Reply:
        """Answer ``GET path?query`` (``path`` already percent-decoded)."""
        if path != "/api/v2" and not path.startswith("/api/v2/"):
            return _nginx_404()
        try:
            reply = self._route(path, query)
        except _BadRequest as error:
            reply = _text_reply(400, str(error))
        return self._with_faults(path, query, reply)

    def _route(self, path: str, query: str) -> Reply:
        if path == "/api/v2/studies":
            return self._list(self._params(query))
        if path == "/api/v2/version":
            self._check_known(self._params(query), frozenset())
            body = {"apiVersion": self.api_version, "dataTimestamp": self.data_timestamp}
            return _json_reply(orjson.dumps(body))
        match = re.fullmatch(r"/api/v2/studies/([^/]+)", path)
        if match and match.group(1) not in ("metadata", "search-areas", "enums"):
            return self._single(match.group(1), query)
        if match or path.startswith("/api/v2/stats/"):
            return _text_reply(404, f"The stand-in does not serve {path}")
        return _nginx_404()

    @staticmethod
    def _params(query: str) -> dict[str, str]:
        return dict(parse_qsl(query, keep_blank_values=True))

    @staticmethod
    def _check_known(params: Mapping[str, str], known: frozenset[str]) -> None:
        for name in params:
            if name not in known:
                raise _BadRequest(f"`{name}` is unknown parameter")

    @staticmethod
    def _check_format(params: Mapping[str, str], others: tuple[str, ...]) -> None:
        fmt = params.get("format") or "json"
        if fmt in others:
            raise _BadRequest("stand-in serves json only")
        if fmt != "json":
            raise _BadRequest(f"Invalid value in parameter `format`: `{fmt}`")
        markup = params.get("markupFormat") or "markdown"
        if markup == "legacy":
            raise _BadRequest("stand-in serves markupFormat=markdown only")
        if markup != "markdown":
            raise _BadRequest(f"Invalid value in parameter `markupFormat`: `{markup}`")

    # -- GET /studies/{nctId}

    def _single(self, raw_id: str, query: str) -> Reply:
        params = self._params(query)
        self._check_known(params, frozenset({"format", "markupFormat", "fields"}))
        self._check_format(params, ("csv", "json.zip", "fhir.json", "ris"))
        match = _NCT_RE.match(raw_id)
        if not match:
            raise _BadRequest(f"nctId has incorrect format for value {raw_id}")
        nct_id = f"NCT{int(match.group(1)):08d}"
        index = self._index.get(nct_id)
        if index is None:
            alias_of = self._aliases.get(nct_id)
            if alias_of is None:
                return _text_reply(404, f"Study {nct_id} not found")
            location = f"/api/v2/studies/{self._docs[alias_of].nct_id}"
            return Reply(301, {"Location": location + (f"?{query}" if query else "")}, b"")
        fields = params.get("fields")
        if fields is None:
            return _json_reply(self._full(index))
        if not fields.strip():
            raise _BadRequest("Parameter 'fields' contains invalid field name: ''")
        pruned = _prune(self._docs[index].study, _fields_trie(fields))
        return _json_reply(orjson.dumps(pruned or {}))

    def _full(self, index: int) -> bytes:
        body = self._full_json.get(index)
        if body is None:
            body = orjson.dumps(self._docs[index].study)
            self._full_json[index] = body
        return body

    # -- GET /studies

    def _list(self, params: dict[str, str]) -> Reply:
        self._check_known(params, _STUDIES_PARAMS)
        for name in _UNSUPPORTED_PARAMS:
            if params.get(name):
                raise _BadRequest(f"stand-in does not support parameter `{name}`")
        self._check_format(params, ("csv",))
        page_size = self._page_size(params.get("pageSize", ""))
        count_total = self._boolean("countTotal", params.get("countTotal", ""))
        geo_decay = params.get("geoDecay")
        if geo_decay and not _GEO_DECAY_RE.match(geo_decay):
            raise _BadRequest(f"geoDecay has incorrect format for value {geo_decay}")
        query_areas = [_QUERY_PARAMS[k][0] for k in _QUERY_PARAMS if params.get(k, "").strip()]
        fields = params.get("fields")
        trie = None
        if fields is not None:
            if not fields.strip():
                raise _BadRequest("Parameter 'fields' contains invalid field name: ''")
            trie = _fields_trie(fields, query_areas)
        matches = self._matching(params)
        digest = _params_hash(params)
        token = params.get("pageToken", "")
        offset, page = _decode_token(token, digest) if token else (0, 1)
        total = len(matches)

        every = self._faults.empty_page_every
        fault = None
        if every and page % every == 0 and offset < total:
            chosen: list[int] = []
            next_offset: int | None = offset
            fault = "empty_page"
        else:
            chosen = matches[offset:offset + page_size]
            end = offset + len(chosen)
            next_offset = end if end < total else None

        if trie is None:
            parts = [self._full(i) for i in chosen]
        else:
            parts = [orjson.dumps(_prune(self._docs[i].study, trie) or {}) for i in chosen]
        body = b'{"studies":[' + b",".join(parts) + b"]"
        if next_offset is not None:
            next_token = _encode_token(next_offset, page + 1, digest)
            body += b',"nextPageToken":' + orjson.dumps(next_token)
        if count_total and not token:
            body += b',"totalCount":' + str(total).encode()
        body += b"}"
        return replace(_json_reply(body), fault=fault)

    def _page_size(self, raw: str) -> int:
        if not raw.strip():
            return DEFAULT_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            raise _BadRequest(f"Invalid value in parameter `pageSize`: `{raw}`") from None
        if size < 0:
            raise _BadRequest(f"Invalid value in parameter `pageSize`: `{raw}`")
        if size == 0:
            return DEFAULT_PAGE_SIZE
        return min(size, self.max_page_size)

    @staticmethod
    def _boolean(name: str, raw: str) -> bool:
        if raw.lower() in ("", "false"):
            return False
        if raw.lower() == "true":
            return True
        raise _BadRequest(f"Invalid value in parameter `{name}`: `{raw}`")

    def _matching(self, params: Mapping[str, str]) -> list[int]:
        """Indices of the matching studies, in dataset order (cached per parameter set)."""
        key = orjson.dumps(sorted((k, v) for k, v in params.items()
                                  if k not in _NOT_MATCHING_PARAMS)).decode()
        cached = self._matches.get(key)
        if cached is not None:
            return cached
        tests = self._compile(params)
        if tests:
            result = [i for i, doc in enumerate(self._docs) if all(t(doc) for t in tests)]
        else:  # no query and no filter: every study (and no lazy copy is built)
            result = list(range(len(self._docs)))
        with self._lock:
            if len(self._matches) >= 64:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = result
        return result

    def _compile(self, params: Mapping[str, str]) -> list[Callable[[_Doc], bool]]:
        tests: list[Callable[[_Doc], bool]] = []
        nct_only = False
        for name, (area_name, where) in _QUERY_PARAMS.items():
            text = params.get(name, "")
            if not text.strip():
                continue
            area = _find_area(area_name)
            assert area is not None
            node = _Parser(text, where, area).parse()
            if node is not None:
                tests.append(node.match)
            nct_only = nct_only or bool(_NCT_ONLY_RE.match(text))
        for prefix in ("filter", "postFilter"):
            tests.extend(self._filters(prefix, params, ignore=nct_only))
        return tests

    def _filters(
        self, prefix: str, params: Mapping[str, str], *, ignore: bool
    ) -> list[Callable[[_Doc], bool]]:
        tests: list[Callable[[_Doc], bool]] = []
        raw_status = params.get(f"{prefix}.overallStatus", "")
        if raw_status.strip():
            statuses = {s.strip() for s in _LIST_SPLIT_RE.split(raw_status) if s.strip()}
            for status in sorted(statuses):
                if status not in _STATUSES:
                    raise _BadRequest(f"Invalid value in parameter `overallStatus`: `{status}`")
            status_path = PIECES["OverallStatus"].split(".")

            def status_test(doc: _Doc) -> bool:
                found: list[Any] = []
                _collect(doc.study, status_path, found)
                return bool(found) and found[0] in statuses

            tests.append(status_test)
        raw_ids = params.get(f"{prefix}.ids", "")
        if raw_ids.strip():
            ids: set[str] = set()
            for item in _LIST_SPLIT_RE.split(raw_ids):
                match = _NCT_RE.match(item.strip())
                if not match:
                    raise _BadRequest(f"{prefix}.ids has incorrect format for value {item}")
                ids.add(f"NCT{int(match.group(1)):08d}")
            tests.append(lambda doc: bool(doc.ids & ids))
        raw_geo = params.get(f"{prefix}.geo", "")
        if raw_geo:
            geo = _GEO_RE.match(raw_geo)
            if not geo:
                raise _BadRequest(f"{prefix}.geo has incorrect format for value {raw_geo}")
            lat, lon, dist = float(geo.group(1)), float(geo.group(2)), float(geo.group(3))
            limit_km = dist * _KM_PER_MILE if (geo.group(4) or "mi") == "mi" else dist
            tests.append(lambda doc: any(
                _haversine_km(lat, lon, p_lat, p_lon) <= limit_km
                for p_lat, p_lon in doc.geo_points()
            ))
        raw_advanced = params.get(f"{prefix}.advanced", "")
        if raw_advanced.strip():
            area = _find_area("BasicSearch")
            assert area is not None
            node = _Parser(raw_advanced, "advanced filter", area).parse()
            if node is not None:
                tests.append(node.match)
        return [] if ignore else tests

    # -- faults

    def _with_faults(self, path: str, query: str, reply: Reply) -> Reply:
        faults = self._faults
        with self._lock:
            if self._script_pos < len(faults.script):
                status = faults.script[self._script_pos]
                self._script_pos += 1
                if status == 200:
                    return reply
                return self._fault_reply(faults, status, "script", reply)
            if faults.random_rate <= 0:
                return reply
            key = f"{path}?{query}"
            draw, pick = self._rng.random(), self._rng.random()
            kind: str | None = None
            edge = 0.0
            for name, rate in (("fail", faults.fail_rate), ("drop", faults.drop_rate),
                               ("truncate", faults.truncate_rate), ("html", faults.html_rate)):
                edge += rate
                if draw < edge:
                    kind = name
                    break
            if kind == "truncate" and (reply.status != 200 or not reply.body):
                kind = None
            if kind is not None and self._consecutive.get(key, 0) >= faults.max_consecutive:
                kind = None
            if kind is None:
                self._consecutive.pop(key, None)
                return reply
            self._consecutive[key] = self._consecutive.get(key, 0) + 1
        if kind == "fail":
            status = faults.fail_statuses[int(pick * len(faults.fail_statuses))]
            return self._fault_reply(faults, status, "", reply)
        return self._fault_reply(faults, {"drop": 0, "truncate": -1, "html": -2}[kind], "", reply)

    @staticmethod
    def _fault_reply(faults: Faults, status: int, origin: str, reply: Reply) -> Reply:
        prefix = f"{origin}_" if origin else ""
        if status == 0:
            return Reply(0, {}, b"", drop=True, fault=f"{prefix}drop")
        if status == -1:
            return replace(reply, body=reply.body[: len(reply.body) // 2],
                           fault=f"{prefix}truncate")
        if status == -2:
            return Reply(200, {"Content-Type": "text/html"}, _MAINTENANCE_HTML,
                         fault=f"{prefix}html")
        headers = {"Content-Type": "text/html"}
        if status in (429, 503) and faults.retry_after is not None:
            headers["Retry-After"] = faults.retry_after
        return Reply(status, headers, _error_page(status), fault=f"{prefix}{status}")


# -- the HTTP layer ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerStats:
    """A snapshot of what a :class:`StandInServer` answered since start or ``reset_stats()``."""

    requests: int = 0
    bytes_sent: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    connections: int = 0

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients at once (dashboard sessions, thread tests)
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], standin: StandInServer) -> None:
        self.standin = standin
        self.open_connections: set[Any] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        self.standin._count_connection()
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hangs up is not news."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 60
    server: _HttpServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no request log on stderr."""

    def _serve(self, *, head: bool) -> None:
        standin = self.server.standin
        split = urlsplit(self.path)
        path = unquote(split.path)
        latency = standin.api.faults.latency
        if latency > 0:
            standin.sleep(latency)
        reply = standin.api.handle(path, split.query)
        if reply.drop:
            standin._record(path, reply, 0)
            self.close_connection = True
            return
        # Counted before the answer goes out, so a client that has its answer sees the count.
        standin._record(path, reply, 0 if head else len(reply.body))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not head and reply.body:
            self.wfile.write(reply.body)


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class StandInServer:
    """The stand-in on 127.0.0.1 (port 0 = any free port), in a background thread.

    ::

        with StandInServer(studies, max_page_size=5, faults=Faults(fail_rate=0.2)) as server:
            requests.get(server.base_url + "/studies", params={"query.cond": "asthma"})
    """

    def __init__(
        self,
        studies: Sequence[JsonDict],
        *,
        max_page_size: int = MAX_PAGE_SIZE,
        faults: Faults | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        api_version: str = API_VERSION,
        data_timestamp: str = DATA_TIMESTAMP,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"the stand-in only listens on loopback, not {host!r}")
        self.api = StandInApi(studies, max_page_size=max_page_size, faults=faults,
                              api_version=api_version, data_timestamp=data_timestamp)
        self.host = host
        self._requested_port = port
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stats_lock = threading.Lock()
        self._stats = ServerStats()
        #: How the HTTP layer waits out ``Faults.latency`` (a test may record it instead).
        self.sleep: Callable[[float], None] = time.sleep

    def replace_studies(self, studies: Sequence[JsonDict]) -> None:
        """Serve other studies from now on (see :meth:`StandInApi.replace_studies`)."""
        self.api.replace_studies(studies)

    # -- lifecycle

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self._httpd = _HttpServer((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"standin-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()
        with httpd.connections_lock:
            connections = list(httpd.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def serve_until_interrupted(self) -> None:
        """Block until Ctrl-C or SIGTERM (used by the command line). Ctrl-C works even when
        the shell started us in the background with SIGINT ignored."""

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    # -- addresses

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the stand-in is not running; use it as a context manager")
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v2`` (what the real API calls its server URL)."""
        return f"{self.root_url}/api/v2"

    # -- faults and stats

    @property
    def faults(self) -> Faults:
        return self.api.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.api.set_faults(faults)

    @property
    def stats(self) -> ServerStats:
        with self._stats_lock:
            s = self._stats
            return ServerStats(s.requests, s.bytes_sent, dict(s.paths), dict(s.statuses),
                               dict(s.faults), s.connections)

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._stats = ServerStats()

    def _record(self, path: str, reply: Reply, sent: int) -> None:
        with self._stats_lock:
            s = self._stats
            s.paths[path] = s.paths.get(path, 0) + 1
            s.statuses[reply.status] = s.statuses.get(reply.status, 0) + 1
            if reply.fault:
                s.faults[reply.fault] = s.faults.get(reply.fault, 0) + 1
            self._stats = replace(s, requests=s.requests + 1, bytes_sent=s.bytes_sent + sent)

    def _count_connection(self) -> None:
        with self._stats_lock:
            self._stats = replace(self._stats, connections=self._stats.connections + 1)


# -- data sets ---------------------------------------------------------------------------------


def _nct_of(study: Any) -> str | None:
    if not isinstance(study, dict):
        return None
    ident = study.get("protocolSection", {}).get("identificationModule", {})
    nct = ident.get("nctId") if isinstance(ident, dict) else None
    return nct if isinstance(nct, str) and nct else None


def _studies_in(data: Any) -> list[JsonDict]:
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and isinstance(data.get("studies"), list):
        items = data["studies"]
    elif isinstance(data, dict) and "protocolSection" in data:
        items = [data]
    else:
        return []
    return [item for item in items if _nct_of(item) is not None]


def find_shared_dir() -> Path | None:
    """The recorded real data (``../shared/ctgov`` next to the repository), if present."""
    env = os.environ.get("TRIALFINDER_SHARED_CTGOV")
    candidates = [Path(env)] if env else []
    for base in (Path.cwd(), *Path(__file__).resolve().parents):
        candidates += [base.parent / "shared" / "ctgov", base / "shared" / "ctgov"]
    for candidate in candidates:
        if (candidate / "single").is_dir() or (candidate / "studies").is_dir():
            return candidate
    return None


def _load_shared() -> list[JsonDict]:
    root = find_shared_dir()
    if root is None:
        raise FileNotFoundError("no ../shared/ctgov directory with recorded studies was found")
    seen: dict[str, JsonDict] = {}
    for pattern in ("single/*.json", "studies/*.json", "web_export/*.json"):
        for path in sorted(root.glob(pattern)):
            for study in _studies_in(orjson.loads(path.read_bytes())):
                nct = _nct_of(study)
                if nct is not None and nct not in seen:
                    seen[nct] = study
    return list(seen.values())


def load_dataset(name_or_path: str) -> list[JsonDict]:
    """Studies to serve: ``"demo"`` (fictional demo set), ``"shared"`` (every full recorded
    record in ``../shared/ctgov``, deduplicated by NCT id) or a JSON file path (a bare array,
    as the website's "Download JSON", or a page with ``studies``)."""
    if name_or_path == "demo":
        demo = importlib.import_module("trialfinder.topics.demo")
        studies: list[JsonDict] = list(demo.load_demo_studies())
        return studies
    if name_or_path == "shared":
        return _load_shared()
    path = Path(name_or_path)
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    studies = _studies_in(data)
    if not studies:
        raise ValueError(f"{path} holds no study records (expected an array or a page)")
    return studies


def replicate(studies: Sequence[JsonDict], n: int) -> list[JsonDict]:
    """``n`` studies for benchmarks: the originals first, then deep copies cycling through them
    with fictional ids ``NCT99xxxxxx`` that no original uses. Copies lose their NCT aliases."""
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    if not studies and n:
        raise ValueError("cannot replicate an empty list of studies")
    result = list(studies[:n])
    used = {(_nct_of(s) or "").upper() for s in studies}
    number = 99_000_000
    for i in range(n - len(result)):
        number += 1
        while f"NCT{number:08d}" in used:
            number += 1
        if number > 99_999_999:
            raise ValueError("too many copies: the NCT99xxxxxx range is used up")
        copy: JsonDict = orjson.loads(orjson.dumps(studies[i % len(studies)]))
        ident = copy.setdefault("protocolSection", {}).setdefault("identificationModule", {})
        ident["nctId"] = f"NCT{number:08d}"
        ident.pop("nctIdAliases", None)
        result.append(copy)
    return result


class Replicas(Sequence[JsonDict]):
    """``replicate(studies, n)`` without holding the copies: item ``i`` is built when asked
    for (the same record and id as ``replicate`` gives), so a stand-in serves 100,000 studies
    in little more than the originals' memory. :class:`StandInApi` keeps it lazy."""

    def __init__(self, studies: Sequence[JsonDict], n: int) -> None:
        if n < 0:
            raise ValueError(f"n must be >= 0, not {n}")
        if not studies and n:
            raise ValueError("cannot replicate an empty list of studies")
        self._base = list(studies)
        self._n = n
        self._kept = min(n, len(self._base))
        used = {(_nct_of(s) or "").upper() for s in self._base}
        self._skip = sorted(int(u[3:]) for u in used
                            if re.fullmatch(r"NCT\d{8}", u) and int(u[3:]) > 99_000_000)
        if n > self._kept and self._number(n - self._kept - 1) > 99_999_999:
            raise ValueError("too many copies: the NCT99xxxxxx range is used up")

    def _number(self, copy: int) -> int:
        """The id number of copy ``copy`` (0-based): the next free one, as in ``replicate``."""
        number = 99_000_001 + copy
        for used in self._skip:
            if used > number:
                break
            number += 1
        return number

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> JsonDict: ...

    @overload
    def __getitem__(self, i: slice) -> list[JsonDict]: ...

    def __getitem__(self, i: int | slice) -> JsonDict | list[JsonDict]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("Replicas index out of range")
        if i < self._kept:
            return self._base[i]
        copy = i - self._kept
        study: JsonDict = orjson.loads(orjson.dumps(self._base[copy % len(self._base)]))
        ident = study.setdefault("protocolSection", {}).setdefault("identificationModule", {})
        ident["nctId"] = f"NCT{self._number(copy):08d}"
        ident.pop("nctIdAliases", None)
        return study

    def ids_of(self, i: int) -> tuple[str, set[str]]:
        """(NCT id, every id it answers to) of item ``i``, without building a copy."""
        if i < self._kept:
            doc = _Doc(self._base[i])
            return doc.nct_id, doc.ids
        nct_id = f"NCT{self._number(i - self._kept):08d}"
        return nct_id, {nct_id}


class _LazyDocs(Sequence[_Doc]):
    """The :class:`_Doc` of each of :class:`Replicas`' items, built anew on each access."""

    def __init__(self, replicas: Replicas) -> None:
        self._replicas = replicas

    def __len__(self) -> int:
        return len(self._replicas)

    @overload
    def __getitem__(self, i: int) -> _Doc: ...

    @overload
    def __getitem__(self, i: slice) -> list[_Doc]: ...

    def __getitem__(self, i: int | slice) -> _Doc | list[_Doc]:
        if isinstance(i, slice):
            return [_Doc(study) for study in self._replicas[i]]
        return _Doc(self._replicas[i])


@dataclass(frozen=True)
class Evolution:
    """What :func:`evolve` changed (NCT ids per kind of change), so tests can check a client."""

    studies: list[JsonDict]
    new: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    status: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (before, after)
    site_added: dict[str, str] = field(default_factory=dict)  # id -> facility
    touched: list[str] = field(default_factory=list)  # only lastUpdatePostDate moved


def evolve(studies: Sequence[JsonDict], *, day: str, seed: int = 0,
           fraction: float = 0.1) -> Evolution:
    """The data one refresh later (the stand-in's changing mode), as copies.

    About ``fraction`` of the studies change, split evenly into: removed; a new overall status
    (recruiting ones stop, others start recruiting); a new site; an update that changes nothing
    but ``lastUpdatePostDate``. As many new studies (copies under fresh fictional ids) are
    appended. Every changed or new record gets ``lastUpdatePostDate`` = ``day`` (yyyy-MM-dd).
    """
    rng = random.Random(seed)
    ids = [(_nct_of(s) or "") for s in studies]
    per_kind = max(1, round(len(studies) * fraction / 4)) if studies else 0
    chosen = rng.sample(range(len(studies)), min(len(studies), per_kind * 4))
    kinds = {i: ("removed", "status", "site_added", "touched")[n // per_kind]
             for n, i in enumerate(chosen)}
    out = Evolution(studies=[])
    for i, study in enumerate(studies):
        kind = kinds.get(i)
        if kind == "removed":
            out.removed.append(ids[i])
            continue
        if kind is None:
            out.studies.append(study)
            continue
        copy: JsonDict = orjson.loads(orjson.dumps(study))
        protocol = copy.setdefault("protocolSection", {})
        status_module = protocol.setdefault("statusModule", {})
        status_module["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
        if kind == "status":
            before = str(status_module.get("overallStatus", ""))
            after = "ACTIVE_NOT_RECRUITING" if before == "RECRUITING" else "RECRUITING"
            status_module["overallStatus"] = after
            out.status[ids[i]] = (before, after)
        elif kind == "site_added":
            facility = f"Stand-in Added Site {ids[i][-4:]}"
            where = protocol.setdefault("contactsLocationsModule", {})
            where.setdefault("locations", []).append(fictional_site(
                facility, "Springfield", "United States", 42.1015, -72.5898,
                state="Massachusetts", status="RECRUITING"))
            out.site_added[ids[i]] = facility
        else:
            out.touched.append(ids[i])
        out.studies.append(copy)
    used = {i.upper() for i in ids}
    number = max([int(i[3:]) for i in ids if re.fullmatch(r"NCT\d{8}", i)] + [99_500_000])
    for n in range(per_kind if studies else 0):
        number += 1
        while f"NCT{number:08d}" in used:
            number += 1
        copy = orjson.loads(orjson.dumps(studies[rng.randrange(len(studies))]))
        protocol = copy.setdefault("protocolSection", {})
        ident = protocol.setdefault("identificationModule", {})
        ident["nctId"] = f"NCT{number:08d}"
        ident.pop("nctIdAliases", None)
        ident["briefTitle"] = f"New Stand-in Study {n + 1}"
        protocol.setdefault("statusModule", {})["lastUpdatePostDateStruct"] = {
            "date": day, "type": "ACTUAL"}
        out.new.append(ident["nctId"])
        out.studies.append(copy)
    return out


def fictional_site(
    facility: str,
    city: str,
    country: str,
    lat: float | None = None,
    lon: float | None = None,
    *,
    state: str | None = None,
    zip_code: str | None = None,
    status: str | None = None,
) -> JsonDict:
    """One ``locations[]`` entry, shaped like the API's."""
    site: JsonDict = {"facility": facility}
    if status is not None:
        site["status"] = status
    site["city"] = city
    if state is not None:
        site["state"] = state
    if zip_code is not None:
        site["zip"] = zip_code
    site["country"] = country
    if lat is not None and lon is not None:
        site["geoPoint"] = {"lat": lat, "lon": lon}
    return site


def fictional_study(
    nct_id: str,
    title: str,
    *,
    status: str = "RECRUITING",
    conditions: Sequence[str] = ("Fictional Condition",),
    keywords: Sequence[str] = (),
    mesh_terms: Sequence[str] = (),
    interventions: Sequence[str | JsonDict] = (),
    phases: Sequence[str] = ("PHASE2",),
    study_type: str = "INTERVENTIONAL",
    sex: str = "ALL",
    minimum_age: str | None = "18 Years",
    maximum_age: str | None = None,
    healthy_volunteers: bool = False,
    start_date: str = "2024-01",
    sponsor: str = "Fictional Research Foundation",
    collaborators: Sequence[str] = (),
    locations: Sequence[JsonDict] = (),
    has_results: bool = False,
    summary: str | None = None,
    enrollment: int = 100,
    official_title: str | None = None,
    acronym: str | None = None,
    aliases: Sequence[str] = (),
) -> JsonDict:
    """A small, clearly fictional study record with the API's shape (for tests and demos).

    ``interventions`` items are names (type DRUG) or full intervention objects.
    """
    ident: JsonDict = {"nctId": nct_id}
    if aliases:
        ident["nctIdAliases"] = list(aliases)
    ident["orgStudyIdInfo"] = {"id": f"FICT-{nct_id[-4:]}"}
    ident["organization"] = {"fullName": sponsor, "class": "OTHER"}
    ident["briefTitle"] = title
    ident["officialTitle"] = official_title or f"A Fictional Study: {title}"
    if acronym:
        ident["acronym"] = acronym
    status_module: JsonDict = {
        "statusVerifiedDate": "2026-10",
        "overallStatus": status,
        "startDateStruct": {"date": start_date, "type": "ACTUAL"},
        "studyFirstSubmitDate": "2023-11-02",
        "studyFirstPostDateStruct": {"date": "2023-11-09", "type": "ACTUAL"},
        "lastUpdatePostDateStruct": {"date": "2026-10-01", "type": "ACTUAL"},
    }
    sponsors: JsonDict = {"leadSponsor": {"name": sponsor, "class": "OTHER"}}
    if collaborators:
        sponsors["collaborators"] = [{"name": c, "class": "OTHER"} for c in collaborators]
    design: JsonDict = {"studyType": study_type}
    if phases:
        design["phases"] = list(phases)
    design["enrollmentInfo"] = {"count": enrollment, "type": "ESTIMATED"}
    eligibility: JsonDict = {
        "eligibilityCriteria": "Inclusion Criteria:\n\n* Fictional participant\n",
        "healthyVolunteers": healthy_volunteers,
        "sex": sex,
    }
    if minimum_age:
        eligibility["minimumAge"] = minimum_age
    if maximum_age:
        eligibility["maximumAge"] = maximum_age
    eligibility["stdAges"] = ["ADULT"]
    protocol: JsonDict = {
        "identificationModule": ident,
        "statusModule": status_module,
        "sponsorCollaboratorsModule": sponsors,
        "descriptionModule": {"briefSummary": summary or f"Fictional record: {title}."},
        "conditionsModule": {"conditions": list(conditions)},
        "designModule": design,
    }
    if keywords:
        protocol["conditionsModule"]["keywords"] = list(keywords)
    if interventions:
        protocol["armsInterventionsModule"] = {"interventions": [
            {"type": "DRUG", "name": item} if isinstance(item, str) else dict(item)
            for item in interventions
        ]}
    protocol["eligibilityModule"] = eligibility
    if locations:
        protocol["contactsLocationsModule"] = {"locations": [dict(x) for x in locations]}
    study: JsonDict = {"protocolSection": protocol}
    derived: JsonDict = {"miscInfoModule": {"versionHolder": "2026-11-19"}}
    if mesh_terms:
        derived["conditionBrowseModule"] = {"meshes": [
            {"id": f"D{900000 + i:06d}", "term": term} for i, term in enumerate(mesh_terms)
        ]}
    study["derivedSection"] = derived
    study["hasResults"] = has_results
    return study


# -- command line ------------------------------------------------------------------------------


def _start_changing(server: StandInServer, studies: list[JsonDict], every: float,
                    seed: int) -> None:
    """Evolve the served data every ``every`` seconds in a daemon thread."""

    def loop() -> None:
        current, generation = studies, 0
        while True:
            time.sleep(every)
            generation += 1
            day = time.strftime("%Y-%m-%d", time.gmtime())
            current = evolve(current, day=day, seed=seed + generation).studies
            server.replace_studies(current)
            print(f"generation {generation}: serving {len(current)} studies", file=sys.stderr,
                  flush=True)

    threading.Thread(target=loop, name="standin-changing", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.standin",
        description="Serve a loopback stand-in for the ClinicalTrials.gov API v2.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--data", default="demo", help="demo | shared | PATH to a JSON file")
    parser.add_argument("--page-cap", type=int, default=MAX_PAGE_SIZE,
                        help="largest page size served (default 1000)")
    parser.add_argument("--replicate", type=int, default=0, metavar="N",
                        help="serve N studies (copies with fictional ids)")
    parser.add_argument("--lazy", action="store_true",
                        help="with --replicate: build each copy when it is served instead of "
                        "holding them all (for 100,000 studies and more)")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="fraction of 429/503")
    parser.add_argument("--retry-after", default="0", help="Retry-After value on 429/503")
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--truncate-rate", type=float, default=0.0)
    parser.add_argument("--html-rate", type=float, default=0.0)
    parser.add_argument("--empty-page-every", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--change-every", type=float, default=0.0, metavar="SECONDS",
                        help="changing mode: every SECONDS about 10%% of the studies change "
                        "(see evolve), dated today")
    args = parser.parse_args(argv)
    studies: Sequence[JsonDict]
    try:
        studies = load_dataset(args.data)
        if args.replicate:
            studies = (Replicas(studies, args.replicate) if args.lazy
                       else replicate(studies, args.replicate))
        faults = Faults(
            seed=args.seed, fail_rate=args.fail_rate, retry_after=args.retry_after,
            latency=args.latency, drop_rate=args.drop_rate, truncate_rate=args.truncate_rate,
            html_rate=args.html_rate, empty_page_every=args.empty_page_every,
        )
        server = StandInServer(studies, max_page_size=args.page_cap, faults=faults,
                               port=args.port)
        server.start()
    except (OSError, ValueError, ImportError) as error:
        print(f"standin: {error}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    print(f"serving {len(studies)} studies; Ctrl-C to stop", file=sys.stderr, flush=True)
    if args.change_every > 0:
        _start_changing(server, list(studies), args.change_every, args.seed)
    server.serve_until_interrupted()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
