"""The least a Python script can do to write what ``search --all --output x.csv`` writes.

    python benchmarks/least_csv.py BASE_URL PARAMS_JSON OUT.csv     # bench_analyst.py starts it

The floor's requests (``floor.py --params``: the same query, ``fields`` and ``pageSize``) and
``orjson.loads`` of each page, then each study's values read by plain dictionary lookups into
the 51 columns of trialfinder's studies table (texts, lists joined with ``|``, dates with their
precision, ages in years, flags, the formula guard on free text) and written by ``csv.writer``
a page at a time. Nothing else: no cache, no checks of the values' types, no provenance, no
saved tables, no pandas. It is not trialfinder's output byte for byte (no repair of odd shapes,
no character references decoded, no long cells cut); it is a yardstick: the CPU any Python
client must pay for these columns, against which issue 22's target (1.6x the floor) can be read.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import requests

_E: Mapping[str, Any] = {}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)
_PER_YEAR = {"year": 1.0, "month": 12.0, "week": 52.1775, "day": 365.25, "hour": 8766.0,
             "minute": 525960.0}
_PRECISION = {10: "day", 7: "month", 4: "year"}
_GUARD = ("=", "+", "-", "@", "\t", "\r")
_ages: dict[str, str] = {}

HEADER = (
    "nct_id,title,official_title,acronym,status,last_known_status,why_stopped,phases,"
    "study_type,allocation,masking,primary_purpose,conditions,keywords,interventions,"
    "intervention_types,sponsor,sponsor_class,collaborators,enrollment,enrollment_type,"
    + "".join(f"{d},{d}_precision,{d}_type,{d}_raw,"
              for d in ("start_date", "primary_completion_date", "completion_date"))
    + "first_posted,last_update,min_age_years,max_age_years,sex,healthy_volunteers,std_ages,"
    "has_results,brief_summary,eligibility_criteria,central_contact_name,"
    "central_contact_phone,central_contact_email,n_sites,countries,other_ids,url,source"
).split(",")


def _age(text: str | None) -> str:
    if not text:
        return ""
    years = _ages.get(text)
    if years is None:
        m = _AGE.match(text)
        years = _ages[text] = (repr(float(m.group(1)) / _PER_YEAR[m.group(2).lower()])
                               if m else "")
    return years


def _date(status: Mapping[str, Any], key: str) -> list[str]:
    struct = status.get(key) or _E
    day = struct.get("date") or ""
    return [day, _PRECISION.get(len(day), "") if day else "", struct.get("type") or "", day]


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_GUARD) else value


def _phone(contact: Mapping[str, Any]) -> str | None:
    ext = contact.get("phoneExt")
    return f"{contact.get('phone') or ''} ext. {ext}" if ext else contact.get("phone")


def _joined(values: Iterable[str | None]) -> str:
    return "|".join(v for v in values if v)


def row(study: Mapping[str, Any]) -> list[Any]:
    """One study's 51 cells."""
    ps = study.get("protocolSection") or _E
    ident = ps.get("identificationModule") or _E
    status = ps.get("statusModule") or _E
    design = ps.get("designModule") or _E
    info = design.get("designInfo") or _E
    conds = ps.get("conditionsModule") or _E
    sponsors = ps.get("sponsorCollaboratorsModule") or _E
    lead = sponsors.get("leadSponsor") or _E
    elig = ps.get("eligibilityModule") or _E
    contacts = ps.get("contactsLocationsModule") or _E
    sites = contacts.get("locations") or ()
    ivs = (ps.get("armsInterventionsModule") or _E).get("interventions") or ()
    central = (contacts.get("centralContacts") or (_E,))[0]
    enrollment = design.get("enrollmentInfo") or _E
    nct = ident.get("nctId") or ""
    healthy = elig.get("healthyVolunteers")
    return [
        nct, _text(ident.get("briefTitle")), _text(ident.get("officialTitle")),
        _text(ident.get("acronym")), status.get("overallStatus") or "",
        status.get("lastKnownStatus") or "", _text(status.get("whyStopped")),
        _joined(design.get("phases") or ()), design.get("studyType") or "",
        info.get("allocation") or "", (info.get("maskingInfo") or _E).get("masking") or "",
        info.get("primaryPurpose") or "", _text(_joined(conds.get("conditions") or ())),
        _text(_joined(conds.get("keywords") or ())), _text(_joined(i.get("name") for i in ivs)),
        _joined(dict.fromkeys(i.get("type") for i in ivs)), _text(lead.get("name")),
        lead.get("class") or "",
        _text(_joined(c.get("name") for c in sponsors.get("collaborators") or ())),
        enrollment.get("count", ""), enrollment.get("type") or "",
        *_date(status, "startDateStruct"), *_date(status, "primaryCompletionDateStruct"),
        *_date(status, "completionDateStruct"),
        (status.get("studyFirstPostDateStruct") or _E).get("date") or "",
        (status.get("lastUpdatePostDateStruct") or _E).get("date") or "",
        _age(elig.get("minimumAge")), _age(elig.get("maximumAge")), elig.get("sex") or "",
        "" if healthy is None else ("true" if healthy else "false"),
        _joined(elig.get("stdAges") or ()), "true" if study.get("hasResults") else "false",
        _text((ps.get("descriptionModule") or _E).get("briefSummary")),
        _text(elig.get("eligibilityCriteria")), _text(central.get("name")),
        _text(_phone(central)), central.get("email") or "", len(sites),
        _text(_joined(dict.fromkeys(s.get("country") for s in sites))),
        _joined(x.get("id") for x in ident.get("secondaryIdInfos") or ()),
        "https://clinicaltrials.gov/study/" + nct, "ctgov",
    ]


def main(base: str, params_file: str, out: str) -> None:
    params: dict[str, str] = json.loads(Path(params_file).read_text(encoding="utf-8"))
    with open(out, "w", newline="", encoding="utf-8") as handle, requests.Session() as session:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        while True:
            response = session.get(f"{base}/studies", params=params, timeout=900)
            response.raise_for_status()
            page = orjson.loads(response.content)
            writer.writerows([row(s) for s in page.get("studies", ())])
            token = page.get("nextPageToken")
            if not token:
                return
            params = {k: v for k, v in params.items() if k != "countTotal"} | {"pageToken": token}


if __name__ == "__main__":
    main(*sys.argv[1:4])
