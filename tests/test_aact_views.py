"""The AACT views over our own fictional records (tests/data/aact_records.json, exact API shape).

The expected rows follow the conventions of AACT's loader for API v2 records, as its model specs
state them: codes as sent (``ACTIVE_NOT_RECRUITING``, ``PHASE2/PHASE3``), partial dates as the
last day of their month or year with the text in ``*_month_year``, ages as text, contacts split
into ``primary``/``backup``, investigators apart from site contacts, distinct countries with
removed ones flagged, ids of three sources, outcomes typed primary/secondary/other. Our ids are
NCT number x 10^9 + position (a row under a site or an intervention: parent
position x 10,000 + its own), so they are written out here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from trialfinder.registries.ctgov.fullrecord import list_view
from trialfinder.store.aact.source import keep_records
from trialfinder.store.db import Store

DATA = Path(__file__).parent / "data" / "aact_records.json"
SEEN = datetime(2024, 3, 1, 12, 0)
A, B = 99000101_000000000, 99000102_000000000  # the id bases of the first two studies
NCT_A, NCT_B, NCT_C = "NCT99000101", "NCT99000102", "NCT99000103"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    records = json.loads(DATA.read_text())
    with Store(tmp_path_factory.mktemp("aact") / "s.duckdb") as opened:
        opened.add_records([list_view(r) for r in records], seen=SEEN)
        keep_records(opened, records, SEEN)
        yield opened


def rows(store: Store, view: str, columns: str = "*") -> list[tuple[Any, ...]]:
    order = "nct_id" if view == "studies" else "nct_id, id"
    return [tuple(r) for r in store.con.execute(
        f"SELECT {columns} FROM aact.{view} ORDER BY {order}").fetchall()]


def test_studies_carry_aacts_dates_codes_and_flags(store: Store) -> None:
    cursor = store.con.execute("SELECT * FROM aact.studies WHERE nct_id = ?", [NCT_A])
    row = dict(zip([d[0] for d in cursor.description or []], cursor.fetchone() or (),
                   strict=True))
    expected = {
        "study_first_submitted_date": date(2020, 12, 1),
        "results_first_submitted_date": date(2024, 1, 20),
        "last_update_submitted_date": date(2024, 2, 10),
        "last_update_submitted_qc_date": date(2024, 2, 10),  # AACT reads the same field
        "study_first_submitted_qc_date": date(2020, 12, 3),
        "study_first_posted_date": date(2020, 12, 7), "study_first_posted_date_type": "ACTUAL",
        "results_first_submitted_qc_date": date(2024, 2, 2),
        "results_first_posted_date": date(2024, 2, 5),
        "start_month_year": "2021-03", "start_date_type": "ACTUAL",
        "start_date": date(2021, 3, 31),
        "verification_month_year": "2024-02", "verification_date": date(2024, 2, 29),
        "completion_month_year": "2025", "completion_date_type": "ESTIMATED",
        "completion_date": date(2025, 12, 31),
        "primary_completion_month_year": "2023-11-15",
        "primary_completion_date": date(2023, 11, 15),
        "study_type": "INTERVENTIONAL", "acronym": "FICTO-2",
        "baseline_population": "Everyone randomized.",
        "overall_status": "ACTIVE_NOT_RECRUITING", "phase": "PHASE2/PHASE3",
        "enrollment": 240, "enrollment_type": "ACTUAL", "source": "Fictional Lung Institute",
        "source_class": "OTHER", "limitations_and_caveats": "A small fictional sample.",
        "number_of_arms": 2, "has_expanded_access": True,
        "expanded_access_type_individual": True, "expanded_access_type_treatment": False,
        "has_dmc": True, "is_fda_regulated_drug": True, "is_fda_regulated_device": False,
        "is_us_export": True, "plan_to_share_ipd": "YES", "ipd_url": "https://example.org/ipd",
        "ipd_time_frame": "From 2025", "delayed_posting": True,
        "expanded_access_nctid": "NCT99000198", "expanded_access_status_for_nctid": "AVAILABLE",
        "fdaaa801_violation": False, "baseline_type_units_analyzed": "participants",
        "created_at": SEEN, "updated_at": SEEN,
    }
    assert {k: row[k] for k in expected} == expected
    nulls = ["nlm_download_date_description", "disposition_first_submitted_date",
             "last_known_status", "number_of_groups", "target_duration", "biospec_retention",
             "expanded_access_type_intermediate", "patient_registry", "why_stopped"]
    assert [k for k in nulls if row[k] is not None] == []


def test_observational_and_bare_studies(store: Store) -> None:
    got = rows(store, "studies", "nct_id, phase, number_of_arms, number_of_groups, "
               "verification_date, primary_completion_date, primary_completion_date_type, "
               "target_duration, patient_registry, biospec_retention, enrollment_type, "
               "overall_status")
    assert got == [
        (NCT_A, "PHASE2/PHASE3", 2, None, date(2024, 2, 29), date(2023, 11, 15), "ACTUAL",
         None, None, None, "ACTUAL", "ACTIVE_NOT_RECRUITING"),
        (NCT_B, None, None, 3, date(2023, 12, 31), date(2026, 12, 31), "ESTIMATED",
         "5 Years", True, "SAMPLES_WITH_DNA", "ESTIMATED", "RECRUITING"),
        (NCT_C, None, None, None, None, None, None, None, None, None, None, "WITHDRAWN"),
    ]


def test_calculated_values(store: Store) -> None:
    assert rows(store, "calculated_values") == [
        # id, nct_id, facilities, nsae (12 + 9 affected), sae (2 + 1 + 1 + 0), registered, nlm
        # date, actual duration (959 days), results reported, months to report (66 days), US
        # facility, single, ages, outcomes
        (A + 1, NCT_A, 3, 21, 4, 2020, None, 31, True, 2, True, False, 18, 65, "year",
         "year", 1, 2, 1),
        (B + 1, NCT_B, 1, None, None, 2019, None, None, False, None, False, True, 6, None,
         "month", None, None, None, None),
        (99000103_000000001, NCT_C, 0, None, None, None, None, None, False, None, None, None, None,
         None, None, None, None, None, None),
    ]


def test_descriptions_designs_and_eligibilities(store: Store) -> None:
    assert rows(store, "brief_summaries", "nct_id, description") == [
        (NCT_A, "A made-up study of a made-up inhaler."),
        (NCT_B, "People with imaginary heart failure are followed up."),
    ]
    # a description module without a detailed description still gives a row (as in AACT)
    assert rows(store, "detailed_descriptions", "id, description") == [
        (A + 1, "Fictional participants use Fictonide twice a day for 24 weeks."), (B + 1, None),
    ]
    assert rows(store, "designs") == [
        (A + 1, NCT_A, "RANDOMIZED", "PARALLEL", None, "TREATMENT", None, "DOUBLE",
         "Identical inhalers.", "Two arms side by side.", True, False, True, False),
        (B + 1, NCT_B, None, None, "COHORT", None, "PROSPECTIVE", None, None, None, None, None,
         None, None),
    ]
    assert rows(store, "eligibilities") == [
        (A + 1, NCT_A, None, "ALL", "18 Years", "65 Years", False, None,
         "Inclusion Criteria:\n\n* pretend asthma\n\nExclusion Criteria:\n\n* smoking", None,
         None, True, False, True),
        (B + 1, NCT_B, "NON_PROBABILITY_SAMPLE", "FEMALE", "6 Months", None, True,
         "Patients of pretend clinics", "* imaginary heart failure", "Fictional women only.",
         True, True, True, True),
    ]


def test_conditions_keywords_and_interventions(store: Store) -> None:
    assert rows(store, "conditions") == [
        (A + 1, NCT_A, "Pretend Asthma", "pretend asthma"),
        (A + 2, NCT_A, "Wheezing, Imaginary", "wheezing, imaginary"),
        (B + 1, NCT_B, "Imaginary Heart Failure", "imaginary heart failure"),
    ]
    assert rows(store, "keywords") == [
        (A + 1, NCT_A, "Inhaler", "inhaler"), (A + 2, NCT_A, "FEV1", "fev1")]
    assert rows(store, "interventions") == [
        (A + 1, NCT_A, "DRUG", "Fictonide", "200 ug by inhaler"),
        (A + 2, NCT_A, "DRUG", "Placebo inhaler", None),
    ]
    assert rows(store, "intervention_other_names") == [
        (A + 10001, NCT_A, A + 1, "FX-101"), (A + 10002, NCT_A, A + 1, "fictonidum")]


def test_arm_groups_and_their_interventions(store: Store) -> None:
    assert rows(store, "design_groups") == [
        (A + 1, NCT_A, "EXPERIMENTAL", "Fictonide", "Fictonide 200 ug twice a day"),
        (A + 2, NCT_A, "PLACEBO_COMPARATOR", "Placebo", "An inhaler without drug"),
        (B + 1, NCT_B, None, "Reduced ejection fraction", "Pretend patients"),
        (B + 2, NCT_B, None, "Preserved ejection fraction", None),
        (B + 3, NCT_B, None, "No heart failure", None),
    ]
    # "Open Label" names no arm group: the link has no group
    assert rows(store, "design_group_interventions") == [
        (A + 10001, NCT_A, A + 1, A + 1), (A + 20001, NCT_A, A + 2, A + 2),
        (A + 20002, NCT_A, None, A + 2)]


def test_facilities_and_the_people_at_them(store: Store) -> None:
    assert rows(store, "facilities") == [
        (A + 1, NCT_A, "ACTIVE_NOT_RECRUITING", "Fictional General Hospital", "Boston",
         "Massachusetts", "02114", "United States", Decimal("42.360100"), Decimal("-71.058900")),
        (A + 2, NCT_A, None, "Centre Hospitalier Fictif", "Lyon", None, None, "France",
         Decimal("45.764000"), Decimal("4.835700")),
        (A + 3, NCT_A, None, "Imaginary Clinic Worcester", "Worcester", "Massachusetts", None,
         "United States", None, None),
        (B + 1, NCT_B, "RECRUITING", "Centre Hospitalier Fictif", "Lyon", None, None, "France",
         None, None),
    ]
    # investigators and study chairs are not contacts; a contact without a role is one
    assert rows(store, "facility_contacts") == [
        (A + 10001, NCT_A, A + 1, "primary", "Sam Desk", "sam@example.org", "555-0101", "7"),
        (A + 10002, NCT_A, A + 1, "backup", "Jo Backup", None, "555-0102", None),
    ]
    assert rows(store, "facility_investigators") == [
        (A + 10001, NCT_A, A + 1, "PRINCIPAL_INVESTIGATOR", "Dr. Lee Invent"),
        (A + 10002, NCT_A, A + 1, "STUDY_CHAIR", "Dr. Chair Person"),
    ]
    assert rows(store, "central_contacts") == [
        (A + 1, NCT_A, "primary", "Rowan Fictus", "555-0100", "rowan@example.org", "12",
         "CONTACT"),
        (A + 2, NCT_A, "backup", "Kit Imago", None, "kit@example.org", None, "CONTACT"),
    ]
    assert rows(store, "overall_officials") == [
        (A + 1, NCT_A, "PRINCIPAL_INVESTIGATOR", "Dr. Ada Pretend", "Fictional Lung Institute")]


def test_sponsors_countries_ids_and_outcomes(store: Store) -> None:
    # a table made of several lists numbers them in the order AACT's loader fills them (the
    # reverse of how it declares them): collaborators, then the lead sponsor
    assert rows(store, "sponsors") == [
        (A + 1, NCT_A, "INDUSTRY", "collaborator", "Imaginary Pharma"),
        (A + 2, NCT_A, "NIH", "collaborator", "Pretend Health Agency"),
        (A + 3, NCT_A, "OTHER", "lead", "Fictional Lung Institute"),
        (B + 1, NCT_B, "NETWORK", "lead", "Pretend Heart Registry Group"),
    ]
    # the removed countries first, then each site country once (numbered by its first site,
    # after the two removed ones); France is both a removed country and a site country
    assert rows(store, "countries") == [
        (A + 1, NCT_A, "Belgium", True), (A + 2, NCT_A, "France", True),
        (A + 3, NCT_A, "United States", False), (A + 4, NCT_A, "France", False),
        (B + 1, NCT_B, "France", False),
    ]
    # secondary ids, then the org study id, then NCT aliases
    assert rows(store, "id_information") == [
        (A + 1, NCT_A, "secondary_id", "EU-FICT-0001", "REGISTRY", "Pretend Registry", None),
        (A + 2, NCT_A, "secondary_id", "R99XX000001", "NIH", None,
         "https://example.org/nih/R99XX000001"),
        (A + 3, NCT_A, "org_study_id", "FICT-2021-07", "OTHER_GRANT", "Fictional Trust",
         "https://example.org/grants/7"),
        (A + 4, NCT_A, "nct_alias", "NCT99000199", None, None, None),
        (B + 1, NCT_B, "org_study_id", "OBS-7", None, None, None),
    ]
    # other outcomes, then secondary, then primary ones
    assert rows(store, "design_outcomes") == [
        (A + 1, NCT_A, "other", "Taste of the inhaler", "Week 2", None, None),
        (A + 2, NCT_A, "secondary", "Rescue inhaler use", "Weeks 1 to 24", None, None),
        (A + 3, NCT_A, "secondary", "Symptom-free days", "Week 24", None,
         "Days without symptoms"),
        (A + 4, NCT_A, "primary", "Change in FEV1", "Week 24", None, "Litres, from baseline"),
    ]


STUDY_COLUMNS = (
    "nct_id VARCHAR, nlm_download_date_description VARCHAR, study_first_submitted_date DATE, "
    "results_first_submitted_date DATE, disposition_first_submitted_date DATE, "
    "last_update_submitted_date DATE, study_first_submitted_qc_date DATE, "
    "study_first_posted_date DATE, study_first_posted_date_type VARCHAR, "
    "results_first_submitted_qc_date DATE, results_first_posted_date DATE, "
    "results_first_posted_date_type VARCHAR, disposition_first_submitted_qc_date DATE, "
    "disposition_first_posted_date DATE, disposition_first_posted_date_type VARCHAR, "
    "last_update_submitted_qc_date DATE, last_update_posted_date DATE, "
    "last_update_posted_date_type VARCHAR, start_month_year VARCHAR, start_date_type VARCHAR, "
    "start_date DATE, verification_month_year VARCHAR, verification_date DATE, "
    "completion_month_year VARCHAR, completion_date_type VARCHAR, completion_date DATE, "
    "primary_completion_month_year VARCHAR, primary_completion_date_type VARCHAR, "
    "primary_completion_date DATE, target_duration VARCHAR, study_type VARCHAR, "
    "acronym VARCHAR, baseline_population VARCHAR, brief_title VARCHAR, "
    "official_title VARCHAR, overall_status VARCHAR, last_known_status VARCHAR, "
    "phase VARCHAR, enrollment INTEGER, enrollment_type VARCHAR, source VARCHAR, "
    "limitations_and_caveats VARCHAR, number_of_arms INTEGER, number_of_groups INTEGER, "
    "why_stopped VARCHAR, has_expanded_access BOOLEAN, "
    "expanded_access_type_individual BOOLEAN, expanded_access_type_intermediate BOOLEAN, "
    "expanded_access_type_treatment BOOLEAN, has_dmc BOOLEAN, is_fda_regulated_drug BOOLEAN, "
    "is_fda_regulated_device BOOLEAN, is_unapproved_device BOOLEAN, is_ppsd BOOLEAN, "
    "is_us_export BOOLEAN, biospec_retention VARCHAR, biospec_description VARCHAR, "
    "ipd_time_frame VARCHAR, ipd_access_criteria VARCHAR, ipd_url VARCHAR, "
    "plan_to_share_ipd VARCHAR, plan_to_share_ipd_description VARCHAR, "
    "created_at TIMESTAMP, updated_at TIMESTAMP, source_class VARCHAR, "
    "delayed_posting BOOLEAN, expanded_access_nctid VARCHAR, "
    "expanded_access_status_for_nctid VARCHAR, fdaaa801_violation BOOLEAN, "
    "baseline_type_units_analyzed VARCHAR, patient_registry BOOLEAN"
)


@pytest.mark.parametrize(("view", "columns"), [
    ("studies", STUDY_COLUMNS),
    ("calculated_values",
     "id BIGINT, nct_id VARCHAR, number_of_facilities INTEGER, number_of_nsae_subjects INTEGER, "
     "number_of_sae_subjects INTEGER, registered_in_calendar_year INTEGER, "
     "nlm_download_date DATE, actual_duration INTEGER, were_results_reported BOOLEAN, "
     "months_to_report_results INTEGER, has_us_facility BOOLEAN, has_single_facility BOOLEAN, "
     "minimum_age_num INTEGER, maximum_age_num INTEGER, minimum_age_unit VARCHAR, "
     "maximum_age_unit VARCHAR, number_of_primary_outcomes_to_measure INTEGER, "
     "number_of_secondary_outcomes_to_measure INTEGER, "
     "number_of_other_outcomes_to_measure INTEGER"),
    ("eligibilities",
     "id BIGINT, nct_id VARCHAR, sampling_method VARCHAR, gender VARCHAR, minimum_age VARCHAR, "
     "maximum_age VARCHAR, healthy_volunteers BOOLEAN, population VARCHAR, criteria VARCHAR, "
     "gender_description VARCHAR, gender_based BOOLEAN, adult BOOLEAN, child BOOLEAN, "
     "older_adult BOOLEAN"),
    ("facilities",
     "id BIGINT, nct_id VARCHAR, status VARCHAR, name VARCHAR, city VARCHAR, state VARCHAR, "
     "zip VARCHAR, country VARCHAR, latitude DECIMAL(10,6), longitude DECIMAL(10,6)"),
    ("facility_contacts",
     "id BIGINT, nct_id VARCHAR, facility_id BIGINT, contact_type VARCHAR, name VARCHAR, "
     "email VARCHAR, phone VARCHAR, phone_extension VARCHAR"),
])
def test_views_have_aacts_columns_in_its_order_and_types(
    store: Store, view: str, columns: str
) -> None:
    described = store.con.execute(f"DESCRIBE aact.{view}").fetchall()
    assert ", ".join(f"{name} {kind}" for name, kind, *_ in described) == columns
