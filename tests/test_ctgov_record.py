"""trialfinder.registries.ctgov.record: facts for the study page from a raw (possibly odd)
record."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.record import (
    Contact,
    central_contacts,
    enrollment_text,
    key_dates,
    official_title,
)


def record() -> dict[str, Any]:
    study = fictional_study("NCT99000901", "Short", official_title="The Long Title",
                            enrollment=1)
    protocol = study["protocolSection"]
    protocol.setdefault("contactsLocationsModule", {})["centralContacts"] = [
        {"name": "Ada  Park", "role": "CONTACT", "phone": "555-0100", "phoneExt": "12",
         "email": "ada@example.org"},
        {"role": "CONTACT"},  # nothing to reach: left out
        "not a contact",
    ]
    status = protocol["statusModule"]
    status["startDateStruct"] = {"date": "2024-01", "type": "ACTUAL"}
    status["completionDateStruct"] = {"date": "2027-06-30", "type": "ESTIMATED"}
    status["primaryCompletionDateStruct"] = {"date": "2026-12"}
    status["studyFirstPostDateStruct"] = {"date": "2023-11-02", "type": "ACTUAL"}
    status.pop("lastUpdatePostDateStruct", None)
    protocol["designModule"]["enrollmentInfo"] = {"count": 1, "type": "ACTUAL"}
    return study


def test_facts_from_a_record() -> None:
    study = record()
    assert central_contacts(study) == [
        Contact("Ada Park", "Contact", "555-0100 ext. 12", "ada@example.org")]
    assert key_dates(study) == [
        ("Start", "2024-01 (actual)"), ("Primary completion", "2026-12"),
        ("Completion", "2027-06-30 (estimated)"), ("First posted", "2023-11-02")]
    assert enrollment_text(study) == "1 person (actual)"
    assert official_title(study) == "The Long Title"


@pytest.mark.parametrize("odd", [
    {}, {"protocolSection": []}, {"protocolSection": {"statusModule": "x"}},
    {"protocolSection": {"designModule": {"enrollmentInfo": {"count": 10**20}}}},
    {"protocolSection": {"designModule": {"enrollmentInfo": {"count": True}}}},
    {"protocolSection": {"contactsLocationsModule": {"centralContacts": {"name": "x"}}}},
])
def test_odd_records_give_nothing_rather_than_fail(odd: dict[str, Any]) -> None:
    assert central_contacts(odd) == []
    assert key_dates(odd) == []
    assert enrollment_text(odd) is None
    assert official_title(odd) == ""


def test_long_fields_are_cut() -> None:
    study = record()
    study["protocolSection"]["contactsLocationsModule"]["centralContacts"] = [
        {"name": "n" * 10_000, "phone": {"nested": 1}}]
    (contact,) = central_contacts(study)
    assert len(contact.name) == 500 and contact.phone == ""
