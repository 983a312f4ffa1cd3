"""What ``sync`` asks the API for, and how one such record splits into what the store keeps.

A search asks for the list view (``LIST_FIELDS``): enough for the search tables. The AACT
tables need the whole protocol section (dates of submission, arms, outcomes, ids, design
details...) and three values of the results section, so ``sync`` asks for
:data:`SYNC_FIELDS`. Each record it gets is kept twice over:

- :func:`list_view` cuts it down to exactly what the API sends for ``LIST_FIELDS``; that goes
  to ``versions`` and the search tables, so a study synced and then found by a search is the
  same version (same hash), and ``history`` and watches see no change that is not one;
- the record as fetched goes to ``aact_records`` (:mod:`trialfinder.store.aact.source`), which
  the AACT views read.

The cut follows the API's rule for ``fields`` (as the stand-in models it): every path named is
kept whole, the nested shape stays, and an object or list left empty is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from trialfinder.registries.ctgov.fields import LIST_FIELDS

__all__ = ["LIST_PIECE_PATHS", "SYNC_FIELDS", "SYNC_PAGE_SIZE", "list_view", "prune"]

_PS: Final = "protocolSection."
_ID: Final = _PS + "identificationModule."
_ST: Final = _PS + "statusModule."
_DE: Final = _PS + "designModule."
_EL: Final = _PS + "eligibilityModule."
_CL: Final = _PS + "contactsLocationsModule."
_LOC: Final = _CL + "locations."
_CC: Final = _CL + "centralContacts."
_LC: Final = _LOC + "contacts."
_OO: Final = _CL + "overallOfficials."
_IV: Final = _PS + "armsInterventionsModule.interventions."

#: Each piece of ``LIST_FIELDS`` -> the path of the record it names (the API's metadata spells
#: them; a test checks this table against the stand-in's and against ``LIST_FIELDS``).
LIST_PIECE_PATHS: Final[dict[str, str]] = {
    "NCTId": _ID + "nctId",
    "BriefTitle": _ID + "briefTitle",
    "OfficialTitle": _ID + "officialTitle",
    "Acronym": _ID + "acronym",
    "SecondaryId": _ID + "secondaryIdInfos.id",
    "OverallStatus": _ST + "overallStatus",
    "LastKnownStatus": _ST + "lastKnownStatus",
    "WhyStopped": _ST + "whyStopped",
    "StartDate": _ST + "startDateStruct.date",
    "StartDateType": _ST + "startDateStruct.type",
    "PrimaryCompletionDate": _ST + "primaryCompletionDateStruct.date",
    "PrimaryCompletionDateType": _ST + "primaryCompletionDateStruct.type",
    "CompletionDate": _ST + "completionDateStruct.date",
    "CompletionDateType": _ST + "completionDateStruct.type",
    "StudyFirstPostDate": _ST + "studyFirstPostDateStruct.date",
    "LastUpdatePostDate": _ST + "lastUpdatePostDateStruct.date",
    "Phase": _DE + "phases",
    "StudyType": _DE + "studyType",
    "DesignAllocation": _DE + "designInfo.allocation",
    "DesignMasking": _DE + "designInfo.maskingInfo.masking",
    "DesignPrimaryPurpose": _DE + "designInfo.primaryPurpose",
    "EnrollmentCount": _DE + "enrollmentInfo.count",
    "EnrollmentType": _DE + "enrollmentInfo.type",
    "Condition": _PS + "conditionsModule.conditions",
    "Keyword": _PS + "conditionsModule.keywords",
    "LeadSponsorName": _PS + "sponsorCollaboratorsModule.leadSponsor.name",
    "LeadSponsorClass": _PS + "sponsorCollaboratorsModule.leadSponsor.class",
    "CollaboratorName": _PS + "sponsorCollaboratorsModule.collaborators.name",
    "MinimumAge": _EL + "minimumAge",
    "MaximumAge": _EL + "maximumAge",
    "Sex": _EL + "sex",
    "HealthyVolunteers": _EL + "healthyVolunteers",
    "StdAge": _EL + "stdAges",
    "EligibilityCriteria": _EL + "eligibilityCriteria",
    "BriefSummary": _PS + "descriptionModule.briefSummary",
    "HasResults": "hasResults",
    "LocationFacility": _LOC + "facility",
    "LocationCity": _LOC + "city",
    "LocationState": _LOC + "state",
    "LocationZip": _LOC + "zip",
    "LocationCountry": _LOC + "country",
    "LocationGeoPoint": _LOC + "geoPoint",
    "LocationStatus": _LOC + "status",
    "CentralContactRole": _CC + "role",
    "CentralContactName": _CC + "name",
    "CentralContactPhone": _CC + "phone",
    "CentralContactPhoneExt": _CC + "phoneExt",
    "CentralContactEMail": _CC + "email",
    "LocationContactRole": _LC + "role",
    "LocationContactName": _LC + "name",
    "LocationContactPhone": _LC + "phone",
    "LocationContactPhoneExt": _LC + "phoneExt",
    "LocationContactEMail": _LC + "email",
    "OverallOfficialName": _OO + "name",
    "OverallOfficialAffiliation": _OO + "affiliation",
    "OverallOfficialRole": _OO + "role",
    "ConditionMeshId": "derivedSection.conditionBrowseModule.meshes.id",
    "ConditionMeshTerm": "derivedSection.conditionBrowseModule.meshes.term",
    "InterventionType": _IV + "type",
    "InterventionName": _IV + "name",
    "InterventionOtherName": _IV + "otherNames",
    "InterventionArmGroupLabel": _IV + "armGroupLabels",
}

#: The pieces ``sync`` asks for: the whole protocol section, the list view's pieces outside it,
#: the countries a study dropped, the three results values of AACT's ``studies`` table, and the
#: number of participants affected by each adverse event in each group (only that number of
#: the adverse events module: AACT's ``calculated_values`` sums them).
SYNC_FIELDS: Final[tuple[str, ...]] = (
    "ProtocolSection",
    *(p for p in LIST_FIELDS if not LIST_PIECE_PATHS[p].startswith(_PS)),
    "RemovedCountry",
    "BaselinePopulationDescription",
    "BaselineTypeUnitsAnalyzed",
    "LimitationsAndCaveatsDescription",
    "SeriousEventStatsNumAffected",
    "OtherEventStatsNumAffected",
)

#: ``trialfinder sync`` asks for pages of at most this many studies, the API's most. A page of
#: whole protocol sections is read a part at a time (``service.sync``), never decoded whole,
#: which keeps the peak where pages of 500 decoded whole had it (benchmarks/results/aact.md).
SYNC_PAGE_SIZE: Final = 1000


class _Trie:
    """The paths named by a ``fields`` list, as a tree of keys (a leaf keeps its value whole);
    ``pairs`` is the children as a tuple, made once the tree is complete."""

    __slots__ = ("children", "pairs", "whole")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.pairs: tuple[tuple[str, _Trie], ...] = ()
        self.whole = False

    def add(self, path: str) -> None:
        node = self
        for key in path.split("."):
            if node.whole:
                return
            node = node.children.setdefault(key, _Trie())
        node.whole = True
        node.children.clear()

    def freeze(self) -> _Trie:
        self.pairs = tuple(self.children.items())
        for child in self.children.values():
            child.freeze()
        return self


def _trie(paths: list[str]) -> _Trie:
    root = _Trie()
    for path in paths:
        root.add(path)
    return root.freeze()


def prune(node: Any, trie: _Trie) -> Any:
    """``node`` cut down to the paths of ``trie``: the nested shape kept, objects and lists
    left empty dropped (``None`` when nothing is left). Keys come in the trie's order (the
    store hashes a record with its keys sorted, so the order does not matter)."""
    if trie.whole:
        return node
    if isinstance(node, list):
        items = []
        for item in node:
            kept = prune(item, trie)
            if kept is not None:
                items.append(kept)
        return items or None
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, child in trie.pairs:
            value = node.get(key)
            if value is None:  # absent, or JSON null (which the API leaves out)
                continue
            kept = value if child.whole else prune(value, child)
            if kept is not None:
                out[key] = kept
        return out or None
    return None


_LIST_TRIE: Final = _trie([LIST_PIECE_PATHS[piece] for piece in LIST_FIELDS])


def list_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the API sends it for the list view's ``fields`` (``{}`` if nothing is
    left)."""
    kept = prune(record, _LIST_TRIE)
    return kept if isinstance(kept, dict) else {}
