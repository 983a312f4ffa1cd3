"""Study detail: eligibility split into lists, outcomes, the full record from the API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import NotFoundError
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.record import arms_table, outcomes_table
from trialfinder.service.searching import study_detail
from trialfinder.tables.detail import (
    Criteria,
    code_words,
    how_to_take_part,
    split_criteria,
    take_part_words,
    takes_people,
)
from trialfinder.topics.demo import load_demo_studies

CRITERIA = """Participants must be adults.

Inclusion Criteria:

* Age 18 years or older
* Night cramps at least twice a week
  * confirmed by a diary
* Able to give consent

**Exclusion Criteria:**

1. Pregnancy
2. Kidney disease with eGFR \\< 30
"""


def test_split_criteria_into_lists() -> None:
    assert split_criteria(CRITERIA) == Criteria(
        intro=[(0, "Participants must be adults.")],
        inclusion=[(0, "Age 18 years or older"), (0, "Night cramps at least twice a week"),
                   (1, "confirmed by a diary"), (0, "Able to give consent")],
        exclusion=[(0, "Pregnancy"), (0, "Kidney disease with eGFR < 30")],
    )


def test_criteria_without_headings_are_all_intro() -> None:
    assert split_criteria("* adults only\n* no smokers") == Criteria(
        intro=[(0, "adults only"), (0, "no smokers")])
    assert split_criteria(None) == Criteria()


def test_outcomes_table() -> None:
    record = {"protocolSection": {
        "identificationModule": {"nctId": "NCT99000001"},
        "outcomesModule": {
            "primaryOutcomes": [{"measure": "Cramps per week", "timeFrame": "Week 8"}],
            "secondaryOutcomes": [{"measure": "Sleep quality", "description": "PSQI",
                                   "timeFrame": "Week 8"}, "not an outcome"],
        }}}
    table = outcomes_table(record)
    assert list(table["nct_id"]) == ["NCT99000001", "NCT99000001"]
    assert list(table["kind"]) == ["primary", "secondary"]
    assert list(table["measure"]) == ["Cramps per week", "Sleep quality"]
    assert list(table["time_frame"]) == ["Week 8", "Week 8"]
    assert table["description"].isna().tolist() == [True, False]
    assert table["description"].iloc[1] == "PSQI"
    assert outcomes_table({}).empty


def test_study_detail_from_the_api_has_outcomes_and_nearest_sites(
    standin_factory: Callable[..., StandInServer],
) -> None:
    server = standin_factory(load_demo_studies())
    settings = Settings(base_url=server.base_url, use_cache=False)
    detail = study_detail("NCT99000017", settings=settings, near=(42.36, -71.06))
    sites = detail.results.sites
    assert len(sites) == 1200
    located = sites["distance_mi"].dropna()
    assert len(located) == 1160 and located.is_monotonic_increasing  # 40 have no geoPoint
    assert located.iloc[0] < 1
    assert detail.outcomes[["kind", "measure"]].values.tolist() == [
        ["primary", "Return to usual activities"], ["secondary", "Sleep disturbance"]]
    assert detail.criteria.inclusion[:2] == [(0, "Age 18 years to 80 years"),
                                             (0, "Diagnosis of low back pain")]
    assert detail.criteria.exclusion[0] == (0, "Severe liver disease")
    assert server.stats.requests == 1


def test_study_detail_from_records_and_unknown_id() -> None:
    detail = study_detail("NCT99000012", records=load_demo_studies())
    assert list(detail.results.studies["nct_id"]) == ["NCT99000012"]
    with pytest.raises(NotFoundError, match="no study with id NCT99999999 in these records"):
        study_detail("NCT99999999", records=load_demo_studies())


# --- the record, readable: how to take part, key facts, design, arms -------------------------


def central_only_record() -> dict[str, Any]:
    """A fictional recruiting study with central contacts and no site contacts."""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT99000101",
                                     "briefTitle": "Stretching Before Sleep for Night Cramps"},
            "statusModule": {
                "overallStatus": "RECRUITING",
                "startDateStruct": {"date": "2024-03-04", "type": "ACTUAL"},
                "primaryCompletionDateStruct": {"date": "2026-01", "type": "ESTIMATED"},
                "completionDateStruct": {"date": "2300", "type": "ESTIMATED"},
            },
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Example University"}},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2"],
                "designInfo": {"allocation": "RANDOMIZED", "primaryPurpose": "SUPPORTIVE_CARE",
                               "maskingInfo": {"masking": "NONE"}},
                "enrollmentInfo": {"count": 80, "type": "ESTIMATED"},
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {"label": "Stretch", "type": "EXPERIMENTAL",
                     "interventionNames": ["Behavioral: Calf stretching"]},
                    {"label": "Usual care", "type": "NO_INTERVENTION"},
                ],
                "interventions": [{"type": "BEHAVIORAL", "name": "Calf stretching",
                                   "armGroupLabels": ["Stretch"]}],
            },
            "eligibilityModule": {"sex": "ALL", "minimumAge": "50 Years",
                                  "eligibilityCriteria": "Inclusion Criteria:\n\n* Cramps"},
            "contactsLocationsModule": {
                "centralContacts": [
                    {"name": "Robin Sample", "role": "CONTACT", "phone": "555-0142",
                     "phoneExt": "3", "email": "robin.sample@example.org"},
                    {"name": "Kim Sample", "role": "CONTACT", "email": "kim@example.org"},
                ],
                "overallOfficials": [{"name": "Dr. Lee Example", "role": "PRINCIPAL_INVESTIGATOR"}],
                "locations": [
                    {"facility": "Example Clinic East", "status": "NOT_YET_RECRUITING",
                     "city": "Springfield", "country": "United States",
                     "geoPoint": {"lat": 42.1, "lon": -72.6}},
                    {"facility": "Example Clinic West", "status": "RECRUITING",
                     "city": "Albany", "state": "New York", "country": "United States",
                     "geoPoint": {"lat": 42.65, "lon": -73.75}},
                ],
            },
        },
        "hasResults": False,
    }


def test_arms_table_with_their_interventions() -> None:
    record = central_only_record()
    arms = arms_table(record)
    assert arms["label"].tolist() == ["Stretch", "Usual care"]
    assert arms["type"].tolist() == ["EXPERIMENTAL", "NO_INTERVENTION"]
    assert arms["interventions"].tolist() == ["Behavioral: Calf stretching", pd.NA]
    # without interventionNames, the interventions that name the arm are used
    del record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]["interventionNames"]
    assert arms_table(record)["interventions"].tolist() == ["Calf stretching", pd.NA]
    assert arms_table({"protocolSection": "odd"}).empty


def test_code_words() -> None:
    assert [code_words(c) for c in ("SUPPORTIVE_CARE", "NON_RANDOMIZED", "NA", None, "")] == [
        "Supportive care", "Non-randomized", "Not applicable", "", ""]


def test_how_to_take_part_central_first_then_a_recruiting_site() -> None:
    record = central_only_record()
    locations = record["protocolSection"]["contactsLocationsModule"]["locations"]
    locations[1]["contacts"] = [{"name": "Ari Example", "phone": "555-0190"}]
    tables = normalize([record])
    part = how_to_take_part(tables.contacts, tables.sites, "NCT99000101")
    assert part.central["name"].tolist() == ["Robin Sample", "Kim Sample"]
    assert part.site is not None and part.site["facility"] == "Example Clinic West"
    assert part.site_contacts["name"].tolist() == ["Ari Example"]
    assert not part.empty
    nobody = how_to_take_part(tables.contacts, tables.sites, "NCT99000999")
    assert nobody.empty and nobody.site is None


@pytest.fixture
def central_api(standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
                tmp_path: Path) -> StandInServer:
    server = standin_factory([central_only_record()])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    return server


def test_show_opens_with_how_to_take_part(central_api: StandInServer,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "NCT99000101", "--near", "42.6,-73.7"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = lines.index("How to take part")
    assert lines[start + 1:start + 4] == [
        "  Study contact: Robin Sample · 555-0142 ext. 3 · robin.sample@example.org",
        "  Study contact: Kim Sample · kim@example.org",
        "  Nearest recruiting site: Example Clinic West — Albany, New York, United States, "
        "4.3 mi away",  # 0.05° north (3.45 mi) and 0.05° west (2.54 mi)
    ]
    assert start < lines.index("Key facts") < lines.index("Design") < lines.index("Arms")
    assert "Start                 2024-03-04 (actual)" in lines
    assert "Primary completion    2026-01 (estimated)" in lines
    assert "Completion            2300 (estimated)" in lines  # out of range: as written
    assert "Enrollment            80 (estimated)" in lines
    assert "Overall official      Dr. Lee Example (principal investigator)" in lines
    assert "Allocation            Randomized" in lines
    assert "Masking               None (open label)" in lines
    assert "Primary purpose       Supportive care" in lines
    assert "  • Stretch (experimental): Behavioral: Calf stretching" in lines
    assert "  • Usual care (no intervention)" in lines


def test_studies_csv_carries_the_central_contact(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "studies.json"
    source.write_text(json.dumps([central_only_record()]), encoding="utf-8")
    output = tmp_path / "studies.csv"
    code = main(["search", "--from-file", str(source), "--format", "csv", "--output",
                 str(output)])
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [r["nct_id"] for r in rows] == ["NCT99000101"]
    assert rows[0]["central_contact_name"] == "Robin Sample"
    assert rows[0]["central_contact_phone"] == "555-0142 ext. 3"
    assert rows[0]["central_contact_email"] == "robin.sample@example.org"
    assert rows[0]["completion_date_raw"] == "2300"
    assert rows[0]["completion_date"] == ""


def test_show_says_what_the_record_wrote_instead_of_an_empty_list(
        standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = central_only_record()
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Night cramps \\&gt;= 2 a week\n\\-\n\n"
        "Exclusion Criteria:\n\n* N/A\n")
    server = standin_factory([record])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    assert main(["show", "NCT99000101"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Inclusion criteria")
    assert lines[start:start + 5] == ["Inclusion criteria", "  • Night cramps >= 2 a week", "",
                                      "Exclusion criteria", '  None (the record says "N/A")']


@pytest.mark.parametrize(("status", "words"), [
    ("RECRUITING", "Ask the study team whether you could take part; bring the study id."),
    ("ENROLLING_BY_INVITATION",
     "Ask the study team whether you could take part; bring the study id."),
    (None, "Ask the study team whether you could take part; bring the study id."),
    ("COMPLETED", "This study takes no one new (completed); its team may still answer "
                  "questions about it."),
    ("ACTIVE_NOT_RECRUITING", "This study takes no one new (active not recruiting); its team "
                              "may still answer questions about it."),
    ("TEMPORARILY_NOT_AVAILABLE", "This study takes no one new for now (temporarily not "
     "available); ask the study team whether it will again, and bring the study id."),
    ("UNKNOWN", "This study's status is unknown (its record has not been checked lately); "
                "ask the study team whether it still takes people, and bring the study id."),
])
def test_what_to_ask_follows_the_studys_status(status: str | None, words: str) -> None:
    assert take_part_words(status) == words
    assert takes_people(status) == words.startswith("Ask the study team whether you could")
