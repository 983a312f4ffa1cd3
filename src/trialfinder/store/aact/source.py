"""``aact_records``: the records ``sync`` fetched, one row per study, parsed for the views.

Columns: ``nct_id``; ``first_seen`` (the first sync that fetched the study) and ``seen`` (the
sync that fetched this record); and ``doc``, the values the AACT views read, parsed from the
record's JSON into a typed DuckDB ``STRUCT`` when the row is written. Reading a struct field is
a column read, so the views cost no JSON parsing when they are queried.

:data:`DOC` is the one declaration of what is kept and as which type. DuckDB reads leniently:
a value of another JSON type is converted when it can be (``"12"`` as a number) and is ``NULL``
when it cannot. The JSON text itself is not kept a second time (it would double what a sync
writes); what the list view holds stays, as sent, in ``versions``. A text of a record longer
than 60 KiB is cut with a mark before it is parsed, counted and said
(:mod:`trialfinder.store.bounded`: DuckDB's checkpoints cannot hold such texts by the hundred).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import orjson
import pandas as pd

from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.store.bounded import MOST_BYTES, cut_strings, say_cut

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = ["BATCH_BYTES", "DOC", "DOC_TYPE", "TABLE", "create_table", "keep_records", "parse_sql"]

logger = logging.getLogger(__name__)

TABLE: Final = "aact_records"
#: At most this much JSON text is parsed and written in one statement (DuckDB's memory limit
#: for a writer is small; a study with a thousand sites is about 0.4 MB).
BATCH_BYTES: Final = 4 * 1024 * 1024

_V: Final = "VARCHAR"
_B: Final = "BOOLEAN"
_DATE: Final = {"date": _V, "type": _V}
_IDS: Final = {"id": _V, "type": _V, "domain": _V, "link": _V}
_CONTACT: Final = {"name": _V, "role": _V, "phone": _V, "phoneExt": _V, "email": _V}
_OUTCOMES: Final = [{"measure": _V, "description": _V, "timeFrame": _V}]
#: Of each adverse event, per group: the participants affected (AACT sums them).
_EVENTS: Final = [{"stats": [{"numAffected": "BIGINT"}]}]

#: The values the views read: JSON keys as the API spells them -> DuckDB type (a dict is a
#: STRUCT, a one-item list a LIST of that item).
DOC: Final[dict[str, Any]] = {
    "protocolSection": {
        "identificationModule": {
            "nctId": _V, "nctIdAliases": [_V], "orgStudyIdInfo": _IDS,
            "secondaryIdInfos": [_IDS], "organization": {"fullName": _V, "class": _V},
            "briefTitle": _V, "officialTitle": _V, "acronym": _V,
        },
        "statusModule": {
            "statusVerifiedDate": _V, "overallStatus": _V, "lastKnownStatus": _V,
            "delayedPosting": _B, "whyStopped": _V,
            "expandedAccessInfo": {"hasExpandedAccess": _B, "nctId": _V, "statusForNctId": _V},
            "startDateStruct": _DATE, "primaryCompletionDateStruct": _DATE,
            "completionDateStruct": _DATE, "studyFirstSubmitDate": _V,
            "studyFirstSubmitQcDate": _V, "studyFirstPostDateStruct": _DATE,
            "resultsFirstSubmitDate": _V, "resultsFirstSubmitQcDate": _V,
            "resultsFirstPostDateStruct": _DATE, "dispFirstSubmitDate": _V,
            "dispFirstSubmitQcDate": _V, "dispFirstPostDateStruct": _DATE,
            "lastUpdateSubmitDate": _V, "lastUpdatePostDateStruct": _DATE,
        },
        "sponsorCollaboratorsModule": {
            "leadSponsor": {"name": _V, "class": _V},
            "collaborators": [{"name": _V, "class": _V}],
        },
        "oversightModule": {
            "oversightHasDmc": _B, "isFdaRegulatedDrug": _B, "isFdaRegulatedDevice": _B,
            "isUnapprovedDevice": _B, "isPpsd": _B, "isUsExport": _B, "fdaaa801Violation": _B,
        },
        "descriptionModule": {"briefSummary": _V, "detailedDescription": _V},
        "conditionsModule": {"conditions": [_V], "keywords": [_V]},
        "designModule": {
            "studyType": _V, "patientRegistry": _B, "targetDuration": _V, "phases": [_V],
            "designInfo": {
                "allocation": _V, "interventionModel": _V, "interventionModelDescription": _V,
                "primaryPurpose": _V, "observationalModel": _V, "timePerspective": _V,
                "maskingInfo": {"masking": _V, "maskingDescription": _V, "whoMasked": [_V]},
            },
            "bioSpec": {"retention": _V, "description": _V},
            "enrollmentInfo": {"count": "BIGINT", "type": _V},
            "expandedAccessTypes": {"individual": _B, "intermediate": _B, "treatment": _B},
        },
        "armsInterventionsModule": {
            "armGroups": [{"label": _V, "type": _V, "description": _V}],
            "interventions": [{"type": _V, "name": _V, "description": _V,
                               "armGroupLabels": [_V], "otherNames": [_V]}],
        },
        "outcomesModule": {"primaryOutcomes": _OUTCOMES, "secondaryOutcomes": _OUTCOMES,
                           "otherOutcomes": _OUTCOMES},
        "eligibilityModule": {
            "eligibilityCriteria": _V, "healthyVolunteers": _B, "sex": _V, "genderBased": _B,
            "genderDescription": _V, "minimumAge": _V, "maximumAge": _V, "stdAges": [_V],
            "studyPopulation": _V, "samplingMethod": _V,
        },
        "contactsLocationsModule": {
            "centralContacts": [_CONTACT],
            "overallOfficials": [{"name": _V, "affiliation": _V, "role": _V}],
            "locations": [{"facility": _V, "status": _V, "city": _V, "state": _V, "zip": _V,
                           "country": _V, "geoPoint": {"lat": "DOUBLE", "lon": "DOUBLE"},
                           "contacts": [_CONTACT]}],
        },
        "ipdSharingStatementModule": {"ipdSharing": _V, "description": _V, "timeFrame": _V,
                                      "accessCriteria": _V, "url": _V},
    },
    "resultsSection": {
        "baselineCharacteristicsModule": {"populationDescription": _V, "typeUnitsAnalyzed": _V},
        "adverseEventsModule": {"seriousEvents": _EVENTS, "otherEvents": _EVENTS},
        "moreInfoModule": {"limitationsAndCaveats": {"description": _V}},
    },
    "derivedSection": {"miscInfoModule": {"removedCountries": [_V]}},
    "hasResults": _B,
}


def _type(spec: Any) -> str:
    if isinstance(spec, dict):
        fields = ", ".join(f'"{key}" {_type(value)}' for key, value in spec.items())
        return f"STRUCT({fields})"
    if isinstance(spec, list):
        return f"{_type(spec[0])}[]"
    return str(spec)


#: The DuckDB type of ``doc``.
DOC_TYPE: Final = _type(DOC)
_STRUCTURE: Final = json.dumps(DOC, separators=(",", ":"))


def parse_sql(column: str) -> str:
    """SQL that parses the JSON text in ``column`` into ``doc``'s type."""
    return f"from_json({column}, '{_STRUCTURE}')"


def create_table(store: Store) -> None:
    store.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (nct_id VARCHAR, first_seen TIMESTAMP, "
                  f"seen TIMESTAMP, doc {DOC_TYPE})")


def keep_records(store: Store, records: Sequence[Mapping[str, Any]], seen: datetime) -> int:
    """Keep one page of records as ``sync`` fetched them (``seen``: naive UTC): each replaces
    its study's row unless that row came from a later sync. Records without an NCT id are left
    out (the caller counts them); a study given twice keeps its last record. Returns the number
    of rows written. The page is written in batches of at most :data:`BATCH_BYTES` of JSON
    (one transaction each), so DuckDB's memory stays bounded however large the records."""
    latest: dict[str, bytes] = {}
    cut = 0
    for record in records:
        nct = CTGOV.record_id(record)
        if nct is not None:
            text = orjson.dumps(record)
            if len(text) > MOST_BYTES:  # it may hold a text longer than that
                bounded, count = cut_strings(record)
                if count:
                    text, cut = orjson.dumps(bounded), cut + count
            latest[nct] = text
    say_cut([f"{TABLE}.doc"] * cut)
    written = 0
    batch: dict[str, bytes] = {}
    size = 0
    for nct, text in latest.items():
        if batch and size + len(text) > BATCH_BYTES:
            written += _write(store, batch, seen)
            batch, size = {}, 0
        batch[nct] = text
        size += len(text)
    if batch:
        written += _write(store, batch, seen)
    return written


def _write(store: Store, batch: Mapping[str, bytes], seen: datetime) -> int:
    text = pd.StringDtype("python")
    page = pd.DataFrame({"nct_id": pd.array(list(batch), dtype=text),
                         "record": pd.array([t.decode() for t in batch.values()], dtype=text)})
    con = store.con
    store.execute("BEGIN TRANSACTION")
    try:
        con.register("aact_page", page)
        held = {str(n): (first, when) for n, first, when in con.execute(
            f"SELECT nct_id, first_seen, seen FROM {TABLE} "
            "WHERE nct_id IN (SELECT nct_id FROM aact_page)").fetchall()}
        newer = [n for n, (_, when) in held.items() if when is not None and when > seen]
        firsts = {n: min(first, seen) if first is not None else seen
                  for n, (first, _) in held.items()}
        con.register("aact_first", pd.DataFrame({
            "nct_id": pd.array(list(firsts), dtype=text),
            "first_seen": pd.Series(list(firsts.values()), dtype="datetime64[us]")}))
        con.register("aact_newer", pd.DataFrame({"nct_id": pd.array(newer, dtype=text)}))
        store.execute(f"DELETE FROM {TABLE} WHERE nct_id IN (SELECT nct_id FROM aact_page) "
                      "AND nct_id NOT IN (SELECT nct_id FROM aact_newer)")
        row = store.first_row(
            f"INSERT INTO {TABLE} SELECT p.nct_id, coalesce(f.first_seen, ?), ?, "
            f"{parse_sql('p.record')} FROM aact_page p LEFT JOIN aact_first f USING (nct_id) "
            "WHERE p.nct_id NOT IN (SELECT nct_id FROM aact_newer)", [seen, seen])
        for name in ("aact_page", "aact_first", "aact_newer"):
            con.unregister(name)
        store.execute("COMMIT")
    except BaseException:
        try:
            store.execute("ROLLBACK")
        except Exception:  # DuckDB may have ended the transaction already (an interrupt)
            logger.debug("no transaction left to roll back")
        raise
    if newer:
        logger.debug("%d records are older than the stored ones; kept those", len(newer))
    return int(row[0]) if row else 0
