"""Tests for the normalizer: exact frames on fictional records, plus a real-data contract."""

from __future__ import annotations

import copy
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.registries.ctgov.normalize import (
    Normalizer,
    Tables,
    age_to_years,
    concat_tables,
    empty_tables,
    format_partial_date,
    format_partial_dates,
    normalize,
    parse_partial_date,
    study_url,
)
from trialfinder.tables.frames import (
    CONDITION_DTYPES,
    CONTACT_DTYPES,
    INTERVENTION_DTYPES,
    OFFICIAL_DTYPES,
    SITE_DTYPES,
    STUDY_DTYPES,
)
from trialfinder.topics.demo import load_demo_studies

DATA = Path(__file__).resolve().parent / "data"
SHARED = find_shared_dir() or Path(__file__).resolve().parents[2] / "shared" / "ctgov"
NA = None
TS = pd.Timestamp


def small_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        (DATA / "normalize_small.json").read_text(encoding="utf-8")
    )
    return records


def frame(dtypes: dict[str, str], **columns: list[Any]) -> pd.DataFrame:
    """Expected frame: object columns in schema order, then the declared dtypes."""
    assert list(columns) == list(dtypes), "test columns must follow the schema order"
    df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
    return df.astype(dtypes)


def minimal(nct: str, **ps: Any) -> dict[str, Any]:
    """A tiny record: protocolSection with an identificationModule plus given modules."""
    return {"protocolSection": {"identificationModule": {"nctId": nct}, **ps}}


@pytest.fixture(scope="module")
def small() -> Tables:
    return normalize(small_records())


# --- exact frames ----------------------------------------------------------------------------


def test_studies_full_small_study_and_study_without_locations(small: Tables) -> None:
    expected = frame(
        STUDY_DTYPES,
        nct_id=["NCT99000001", "NCT99000002"],
        title=["Stretching for Night Cramps", "Cramp Diary Study"],
        official_title=["A Fictional Trial of Stretching for Night Cramps", NA],
        acronym=["STRETCH", NA],
        status=["RECRUITING", "SOME_NEW_STATUS"],
        last_known_status=[NA, NA],
        why_stopped=[NA, NA],
        phases=["PHASE2|PHASE3", NA],
        study_type=["INTERVENTIONAL", "OBSERVATIONAL"],
        allocation=["RANDOMIZED", NA],
        masking=["DOUBLE", NA],
        primary_purpose=["TREATMENT", NA],
        conditions=["Muscle Cramp|Sleep Disorder", "Night Cramps"],
        keywords=["cramps|stretching", NA],
        interventions=["Calf stretching|Placebo tablet", NA],
        intervention_types=["BEHAVIORAL|DRUG", NA],
        sponsor=["Example University", "Sample Foundation"],
        sponsor_class=["OTHER", "OTHER"],
        collaborators=["Sample Foundation|Demo Labs", NA],
        enrollment=[120, NA],
        enrollment_type=["ESTIMATED", NA],
        start_date=[TS("2023-05-15"), TS("2022-03-01")],
        start_date_precision=["day", "month"],
        start_date_type=["ACTUAL", NA],
        start_date_raw=["2023-05-15", "2022-03"],
        primary_completion_date=[TS("2024-06-01"), NA],
        primary_completion_date_precision=["month", NA],
        primary_completion_date_type=["ESTIMATED", NA],
        primary_completion_date_raw=["2024-06", NA],
        completion_date=[TS("2025-01-01"), TS("2023-11-01")],
        completion_date_precision=["year", "month"],
        completion_date_type=[NA, "ACTUAL"],
        completion_date_raw=["2025", "2023-11"],
        first_posted=[TS("2023-04-01"), NA],
        last_update=[TS("2024-01-10"), NA],
        min_age_years=[18.0, 0.5],
        max_age_years=[80.0, NA],
        sex=["ALL", "FEMALE"],
        healthy_volunteers=[False, NA],
        std_ages=["ADULT|OLDER_ADULT", "CHILD"],
        has_results=[False, True],
        brief_summary=["Fictional study used by the tests.", NA],
        eligibility_criteria=["Inclusion Criteria:\n\n* Adults", NA],
        central_contact_name=[NA, "Robin Sample"],
        central_contact_phone=[NA, "555-0199"],
        central_contact_email=[NA, "robin@example.org"],
        n_sites=[3, 0],
        countries=["United States|France", NA],
        url=[
            "https://clinicaltrials.gov/study/NCT99000001",
            "https://clinicaltrials.gov/study/NCT99000002",
        ],
        source=["ctgov"] * 2,
    )
    pd.testing.assert_frame_equal(small.studies, expected)


def test_sites_first_contact_and_missing_geopoint(small: Tables) -> None:
    expected = frame(
        SITE_DTYPES,
        nct_id=["NCT99000001"] * 3,
        site_index=[0, 1, 2],
        facility=["Example Clinic North", "Example Clinic South", "Example Clinic West"],
        city=["Springfield", "Lyon", "Springfield"],
        state=["Illinois", NA, "Oregon"],
        zip=["62701", NA, NA],
        country=["United States", "France", "United States"],
        lat=[39.8, 45.75, NA],
        lon=[-89.65, 4.85, NA],
        site_status=["RECRUITING", NA, NA],
        contact_name=["Pat Example", NA, NA],
        contact_phone=["555-0100 ext. 12", NA, NA],
        contact_email=["pat@example.org", NA, NA],
        distance_mi=[NA, NA, NA],
        source=["ctgov"] * 3,
    )
    pd.testing.assert_frame_equal(small.sites, expected)


def test_conditions_mesh_rule(small: Tables) -> None:
    # "muscle cramp" matches "Muscle Cramp" ignoring case; unmatched meshes become extra rows.
    expected = frame(
        CONDITION_DTYPES,
        nct_id=["NCT99000001", "NCT99000001", "NCT99000001", "NCT99000002", "NCT99000002"],
        condition=["Muscle Cramp", "Sleep Disorder", NA, "Night Cramps", NA],
        mesh_id=["D999001", NA, "D999003", NA, "D999002"],
        mesh_term=["muscle cramp", NA, "Sleep Wake Disorders", NA, "Cramps, Muscle"],
        source=["ctgov"] * 5,
    )
    pd.testing.assert_frame_equal(small.conditions, expected)


def test_interventions(small: Tables) -> None:
    expected = frame(
        INTERVENTION_DTYPES,
        nct_id=["NCT99000001", "NCT99000001"],
        type=["BEHAVIORAL", "DRUG"],
        name=["Calf stretching", "Placebo tablet"],
        other_names=["Stretch routine|Calf stretch", NA],
        arm_labels=["Stretch", "Control|Stretch"],
        description=["Nightly stretching.", NA],
        source=["ctgov"] * 2,
    )
    pd.testing.assert_frame_equal(small.interventions, expected)


def test_contacts_hold_every_central_and_site_contact(small: Tables) -> None:
    expected = frame(
        CONTACT_DTYPES,
        nct_id=["NCT99000001", "NCT99000001", "NCT99000002", "NCT99000002"],
        scope=["site", "site", "study", "study"],
        site_index=[0, 0, NA, NA],
        facility=["Example Clinic North", "Example Clinic North", NA, NA],
        role=["CONTACT", "CONTACT_BACKUP", "CONTACT", "CONTACT"],
        name=["Pat Example", "Sam Example", "Robin Sample", "Kim Sample"],
        phone=["555-0100", NA, "555-0199", "555-0198"],
        phone_ext=["12", NA, NA, "7"],
        email=["pat@example.org", "sam@example.org", "robin@example.org", NA],
        source=["ctgov"] * 4,
    )
    pd.testing.assert_frame_equal(small.contacts, expected)


def test_officials(small: Tables) -> None:
    expected = frame(
        OFFICIAL_DTYPES,
        nct_id=["NCT99000002"],
        name=["Dr. Lee Example"],
        affiliation=["Sample Foundation"],
        role=["PRINCIPAL_INVESTIGATOR"],
        source=["ctgov"],
    )
    pd.testing.assert_frame_equal(small.officials, expected)


def test_tables_built_by_position_get_empty_contacts() -> None:
    base = normalize(small_records())
    rebuilt = Tables(base.studies, base.sites, base.conditions, base.interventions)
    assert list(rebuilt.contacts.columns) == list(CONTACT_DTYPES)
    assert len(rebuilt.contacts) == 0 and len(rebuilt.officials) == 0


def test_problems_unknown_status_kept_and_counted(small: Tables) -> None:
    assert small.problems == {
        "site_without_geopoint": 1,
        "unknown_enum:role": 1,  # CONTACT_BACKUP is not a documented contact role
        "unknown_status": 1,
    }
    assert small.skipped == 0
    assert small.studies["status"].tolist() == ["RECRUITING", "SOME_NEW_STATUS"]


# --- empty input and dtypes ------------------------------------------------------------------


@pytest.mark.parametrize("tables", [normalize([]), empty_tables(), normalize(iter(()))])
def test_empty_input_keeps_columns_and_dtypes(tables: Tables) -> None:
    for df, dtypes in (
        (tables.studies, STUDY_DTYPES),
        (tables.sites, SITE_DTYPES),
        (tables.conditions, CONDITION_DTYPES),
        (tables.interventions, INTERVENTION_DTYPES),
    ):
        assert len(df) == 0
        assert list(df.columns) == list(dtypes)
        assert {c: str(t) for c, t in df.dtypes.items()} == dtypes
        pd.testing.assert_frame_equal(df, pd.DataFrame(columns=list(dtypes)).astype(dtypes))
    assert tables.problems == {}
    assert tables.skipped == 0


def test_declared_dtypes_hold_for_data(small: Tables) -> None:
    assert {c: str(t) for c, t in small.studies.dtypes.items()} == STUDY_DTYPES
    assert {c: str(t) for c, t in small.sites.dtypes.items()} == SITE_DTYPES


# --- odd records -----------------------------------------------------------------------------


def test_bad_records_counted_in_skipped() -> None:
    records: list[Any] = [
        "not a study",
        42,
        {"protocolSection": {}},
        {"protocolSection": {"identificationModule": {"nctId": "   "}}},
        {"hasResults": True},
        minimal("NCT99000010"),
    ]
    t = normalize(records)
    assert t.skipped == 5
    assert t.problems == {"record_not_a_dict": 2, "record_without_nct_id": 3}
    assert t.studies["nct_id"].tolist() == ["NCT99000010"]
    assert t.studies["n_sites"].tolist() == [0]


def test_missing_enrollment_and_missing_modules() -> None:
    t = normalize([minimal("NCT99000011", designModule={"studyType": "INTERVENTIONAL"})])
    row = t.studies.iloc[0]
    assert row["enrollment"] is pd.NA
    assert pd.isna(row["enrollment_type"])
    assert pd.isna(row["start_date"]) and pd.isna(row["start_date_precision"])
    assert row["has_results"] is pd.NA
    assert t.problems == {}
    assert (len(t.sites), len(t.conditions), len(t.interventions)) == (0, 0, 0)


def test_wrong_types_are_repaired_and_counted() -> None:
    rec = minimal(
        "NCT99000012",
        statusModule={"overallStatus": "COMPLETED", "startDateStruct": "2021-07"},
        conditionsModule={"conditions": "Asthma", "keywords": ["a", 7]},
        designModule={"enrollmentInfo": {"count": "87"}, "phases": "PHASE1"},
        contactsLocationsModule={
            "locations": {
                "facility": "Example Site",
                "zip": 12345,
                "geoPoint": {"lat": "45.5", "lon": -122.5},
            }
        },
        armsInterventionsModule={"interventions": [None, {"name": "Drug A", "otherNames": "A1"}]},
        eligibilityModule={"minimumAge": 18, "healthyVolunteers": "yes"},
    )
    t = normalize([rec])
    s = t.studies.iloc[0]
    assert s["conditions"] == "Asthma"
    assert s["keywords"] == "a|7"
    assert s["phases"] == "PHASE1"
    assert s["enrollment"] == 87
    assert s["start_date"] == TS("2021-07-01") and s["start_date_precision"] == "month"
    assert s["min_age_years"] == 18.0  # the number 18 -> "18" -> a bare number is years
    assert t.studies["healthy_volunteers"].tolist() == [True]  # "yes"
    assert t.sites[["facility", "zip"]].iloc[0].tolist() == ["Example Site", "12345"]
    assert t.sites["lat"].tolist() == [45.5] and t.sites["lon"].tolist() == [-122.5]
    assert t.conditions["condition"].tolist() == ["Asthma"]
    assert t.interventions["name"].tolist() == ["Drug A"]
    assert t.interventions["other_names"].tolist() == ["A1"]
    assert t.skipped == 0
    assert t.problems == {
        "dropped_list_item:protocolSection.armsInterventionsModule.interventions": 1,
        "wrong_type:protocolSection.armsInterventionsModule.interventions.otherNames": 1,
        "wrong_type:protocolSection.conditionsModule.conditions": 1,
        "wrong_type:protocolSection.conditionsModule.keywords": 1,
        "wrong_type:protocolSection.contactsLocationsModule.locations": 1,
        "wrong_type:protocolSection.contactsLocationsModule.locations.geoPoint.lat": 1,
        "wrong_type:protocolSection.contactsLocationsModule.locations.zip": 1,
        "wrong_type:protocolSection.designModule.enrollmentInfo.count": 1,
        "wrong_type:protocolSection.designModule.phases": 1,
        "wrong_type:protocolSection.eligibilityModule.healthyVolunteers": 1,
        "wrong_type:protocolSection.eligibilityModule.minimumAge": 1,
        "wrong_type:protocolSection.statusModule.startDateStruct": 1,
    }


def test_scalar_type_errors_on_fast_path_are_coerced_column_wise() -> None:
    # Shapes are right, only scalar types are off: no repair pass, column-wise coercion.
    rec = minimal(
        "NCT99000013",
        designModule={"enrollmentInfo": {"count": "1,200"}},
        contactsLocationsModule={"locations": [{"facility": 5, "geoPoint": {"lat": 1, "lon": 2}}]},
    )
    rec["hasResults"] = "false"
    t = normalize([rec])
    assert t.studies["enrollment"].tolist() == [1200]
    assert t.studies["has_results"].tolist() == [False]
    assert t.sites["facility"].tolist() == ["5"]
    assert t.sites["lat"].tolist() == [1.0]
    assert t.problems == {
        "wrong_type:hasResults": 1,
        "wrong_type:protocolSection.contactsLocationsModule.locations.facility": 1,
        "wrong_type:protocolSection.designModule.enrollmentInfo.count": 1,
    }


def test_bad_dates_ages_geopoints_and_enums_counted() -> None:
    rec = minimal(
        "NCT99000014",
        statusModule={
            "overallStatus": "RECRUITING",
            "startDateStruct": {"date": "2023-13-45"},
            "completionDateStruct": {"date": "soon"},
            "primaryCompletionDateStruct": {"date": "March 2020"},
        },
        designModule={"studyType": "NEW_KIND", "phases": ["PHASE2", "PHASE9"]},
        eligibilityModule={"minimumAge": "eighteen", "maximumAge": "N/A", "sex": "ALL"},
        contactsLocationsModule={
            "locations": [
                {"facility": "A", "geoPoint": {"lat": 95.0, "lon": 10.0}},
                {"facility": "B", "geoPoint": {}},
                {"facility": "C", "status": "OPENING_SOON", "geoPoint": {"lat": 1.5, "lon": 2.5}},
            ]
        },
    )
    t = normalize([rec])
    s = t.studies.iloc[0]
    assert pd.isna(s["start_date"]) and pd.isna(s["start_date_precision"])
    assert s["primary_completion_date"] == TS("2020-03-01")
    assert s["primary_completion_date_precision"] == "month"
    assert s["min_age_years"] is pd.NA and s["max_age_years"] is pd.NA
    assert s["study_type"] == "NEW_KIND"
    assert t.sites["lat"].tolist() == [pd.NA, pd.NA, 1.5]
    assert t.sites["site_status"].tolist()[2] == "OPENING_SOON"
    assert t.problems == {
        "bad_age": 1,
        "bad_date": 2,
        "bad_geopoint": 1,
        "site_without_geopoint": 1,
        "unknown_enum:phases": 1,
        "unknown_enum:site_status": 1,
        "unknown_enum:study_type": 1,
    }


def test_odd_ids_are_skipped_and_duplicates_kept_both_counted() -> None:
    t = normalize([minimal(" nct99000015 "), minimal("NCT99000015"), minimal("TRIAL-1"),
                   minimal("NCT99000015")])
    assert t.studies["nct_id"].tolist() == ["NCT99000015", "NCT99000015"]
    assert t.skipped == 2
    assert t.problems == {"bad_nct_id": 2, "duplicate_nct_id": 1}


def test_huge_strings_and_many_sites() -> None:
    big = "x" * 2_000_000
    locations = [
        {
            "facility": f"Site {i}",
            "country": "Country A" if i % 2 else "Country B",
            "geoPoint": {"lat": i / 100.0, "lon": -i / 100.0},
        }
        for i in range(1500)
    ]
    rec = minimal(
        "NCT99000016",
        descriptionModule={"briefSummary": big},
        contactsLocationsModule={"locations": locations},
    )
    t = normalize([rec])
    assert t.studies["brief_summary"].str.len().tolist() == [2_000_000]
    assert t.studies["n_sites"].tolist() == [1500]
    assert t.studies["countries"].tolist() == ["Country B|Country A"]
    assert len(t.sites) == 1500
    assert t.sites["lat"].iloc[1499] == 14.99


def test_normalize_accepts_a_generator_and_does_not_mutate_input() -> None:
    records = small_records()
    before = copy.deepcopy(records)
    t = normalize(r for r in records)
    assert len(t.studies) == 2
    assert records == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["date", "lat", "name", "count", "x"]), children, max_size=3
        )
    ),
    max_leaves=10,
)


# 50 examples: test_hostile_records_never_raise_and_never_invent (200 examples) puts hostile
# values at these modules and keys, and deeper, too
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    module=st.sampled_from(
        [
            "statusModule",
            "designModule",
            "conditionsModule",
            "contactsLocationsModule",
            "armsInterventionsModule",
            "eligibilityModule",
            "sponsorCollaboratorsModule",
            "descriptionModule",
        ]
    ),
    key=st.sampled_from(
        [
            "overallStatus",
            "startDateStruct",
            "phases",
            "enrollmentInfo",
            "conditions",
            "locations",
            "interventions",
            "minimumAge",
            "leadSponsor",
            "collaborators",
            "briefSummary",
            "healthyVolunteers",
            "sex",
        ]
    ),
    value=json_values,
)
def test_any_shape_normalizes_without_raising(module: str, key: str, value: Any) -> None:
    rec = small_records()[0]
    rec["protocolSection"].setdefault(module, {})[key] = value
    t = normalize([rec, {"protocolSection": {module: value}}])
    assert t.studies["nct_id"].tolist() == ["NCT99000001"]
    assert t.skipped == 1
    assert {c: str(d) for c, d in t.studies.dtypes.items()} == STUDY_DTYPES
    assert {c: str(d) for c, d in t.sites.dtypes.items()} == SITE_DTYPES


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18.0),
        ("6 Months", 0.5),
        ("1 Year", 1.0),
        ("2 Weeks", 14 / 365.25),
        ("3 Days", 3 / 365.25),
        ("N/A", None),
        (None, None),
        ("", None),
        ("eighteen", None),
        ("12 Parsecs", None),
        ("21", 21.0),
    ],
)
def test_age_to_years(text: str | None, years: float | None) -> None:
    got = age_to_years(text)
    if years is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, years)


@pytest.mark.parametrize(
    ("text", "ts", "precision", "back"),
    [
        ("2023-05-17", TS("2023-05-17"), "day", "2023-05-17"),
        ("2023-05", TS("2023-05-01"), "month", "2023-05"),
        ("2023", TS("2023-01-01"), "year", "2023"),
        ("March 2020", TS("2020-03-01"), "month", "2020-03"),
    ],
)
def test_partial_dates_round_trip(text: str, ts: pd.Timestamp, precision: str, back: str) -> None:
    assert parse_partial_date(text) == (ts, precision)
    assert format_partial_date(ts, precision) == back


@pytest.mark.parametrize("text", [None, "", "2023-02-30", "2023-5-x", "next year"])
def test_parse_partial_date_bad(text: str | None) -> None:
    ts, precision = parse_partial_date(text)
    assert ts is pd.NaT and precision is None


def test_format_partial_date_missing_values() -> None:
    assert format_partial_date(pd.NaT, "day") == ""
    assert format_partial_date(None, None) == ""
    assert format_partial_date(TS("2023-05-01"), float("nan")) == "2023-05-01"


def test_format_partial_dates_vectorised(small: Tables) -> None:
    s = small.studies
    out = format_partial_dates(s["primary_completion_date"], s["primary_completion_date_precision"])
    assert out.tolist() == ["2024-06", ""]
    out = format_partial_dates(s["completion_date"], s["completion_date_precision"])
    assert out.tolist() == ["2025", "2023-11"]
    out = format_partial_dates(s["start_date"], s["start_date_precision"])
    assert out.tolist() == ["2023-05-15", "2022-03"]


def test_study_url() -> None:
    assert study_url("NCT99000001") == "https://clinicaltrials.gov/study/NCT99000001"


# --- contract over every real recorded study in /work/shared/ctgov ---------------------------


def _real_records() -> list[Any]:
    if not SHARED.is_dir():
        pytest.skip(f"real recordings not present at {SHARED}")
    records: list[Any] = []
    for path in sorted(SHARED.rglob("*.json")):
        if "spec" in path.parts or "other_endpoints" in path.parts or "receipt" in path.name:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):  # web_export: bare array of studies
            records.extend(data)
        elif isinstance(data, dict) and isinstance(data.get("studies"), list):
            records.extend(data["studies"])
        elif isinstance(data, dict) and "protocolSection" in data:
            records.append(data)
    if not records:
        pytest.skip("no study records found")
    return records


def test_contract_every_real_record() -> None:
    records = _real_records()
    assert len(records) >= 250
    t = normalize(records)
    ids = [r["protocolSection"]["identificationModule"]["nctId"] for r in records]
    assert t.skipped == 0
    assert t.studies["nct_id"].tolist() == ids
    locations = [
        r["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        for r in records
    ]
    assert len(t.sites) == sum(len(locs) for locs in locations)
    assert t.studies["n_sites"].tolist() == [len(locs) for locs in locations]
    no_geo = np.array([("geoPoint" not in loc) for locs in locations for loc in locs])
    assert (t.sites["lat"].isna().to_numpy() == no_geo).all()
    assert (t.sites["lon"].isna().to_numpy() == no_geo).all()
    assert t.problems.get("site_without_geopoint", 0) == int(no_geo.sum())
    # nothing odd beyond missing geoPoints and the repeated ids across files
    assert set(t.problems) <= {"site_without_geopoint", "duplicate_nct_id"}
    assert {c: str(d) for c, d in t.studies.dtypes.items()} == STUDY_DTYPES
    biggest = max(locations, key=len)  # the real record with the most sites (over 1,000)
    assert len(biggest) > 1000
    assert t.sites["nct_id"].value_counts().max() == len(biggest)


# --- bad values cost the value, not the search -----------------------------------------------


def _with_enrollment(nct: str, count: Any) -> dict[str, Any]:
    return minimal(nct, designModule={"enrollmentInfo": {"count": count, "type": "ACTUAL"}})


def test_out_of_range_enrollment_is_na_and_counted_and_the_page_survives() -> None:
    records = [
        _with_enrollment("NCT99000031", 10**20),
        _with_enrollment("NCT99000032", 1e308),
        _with_enrollment("NCT99000033", "abc"),
        _with_enrollment("NCT99000034", 250),
        _with_enrollment("NCT99000035", -(2**63) - 1),
    ]
    t = normalize(records)
    assert t.studies["nct_id"].tolist() == [f"NCT9900003{i}" for i in range(1, 6)]
    assert t.studies["enrollment"].tolist() == [pd.NA, pd.NA, pd.NA, 250, pd.NA]
    assert t.studies["enrollment_type"].tolist() == ["ACTUAL"] * 5
    label = "protocolSection.designModule.enrollmentInfo.count"
    assert t.problems == {f"out_of_range:{label}": 3, f"wrong_type:{label}": 2}


def test_dates_outside_pandas_range_are_never_shifted() -> None:
    texts = ["0001-01-01", "1500-06", "2300", "9999-12-31", "1677-09-21", "2262-04-11"]
    records = [
        minimal(f"NCT9900004{i}", statusModule={"startDateStruct": {"date": text}})
        for i, text in enumerate(texts)
    ]
    t = normalize(records)
    assert t.studies["start_date"].tolist()[:5] == [pd.NaT] * 5
    assert t.studies["start_date"].iloc[5] == TS("2262-04-11")  # the last day that fits
    assert t.studies["start_date_precision"].isna().tolist() == [True] * 5 + [False]
    assert t.studies["start_date_raw"].tolist() == texts  # what was sent is kept
    assert t.problems == {"date_out_of_range": 5}


def test_out_of_range_start_dates_are_unknown_to_the_date_filter() -> None:
    from trialfinder.tables.filters import LocalFilters, apply_filters

    records = [
        minimal("NCT99000051", statusModule={"startDateStruct": {"date": "0001-01-01"}}),
        minimal("NCT99000052", statusModule={"startDateStruct": {"date": "2300"}}),
        minimal("NCT99000053", statusModule={"startDateStruct": {"date": "2021-06"}}),
    ]
    out = apply_filters(normalize(records), LocalFilters(start_from="1600", start_to="2400"))
    assert out.studies["nct_id"].tolist() == ["NCT99000053"]
    assert out.steps[0].removed == 2
    assert out.steps[0].note == (
        "2 studies with no start date (2 with an unreadable date) removed")


def test_wrong_types_inside_contacts_are_converted_and_counted() -> None:
    rec = minimal(
        "NCT99000061",
        contactsLocationsModule={
            "centralContacts": [{"name": 42, "phone": ["555"], "email": "a@example.org"}],
            "locations": [{"facility": "F", "contacts": [{"name": "N", "phoneExt": 9}]}],
        },
    )
    t = normalize([rec])
    assert t.contacts["name"].tolist() == ["42", "N"]
    assert t.contacts["phone"].tolist() == [pd.NA, pd.NA]
    assert t.contacts["phone_ext"].tolist() == [pd.NA, "9"]
    assert t.studies["central_contact_name"].tolist() == ["42"]
    assert t.problems == {
        "site_without_geopoint": 1,
        "wrong_type:contacts.name": 1,
        "wrong_type:contacts.phone": 1,
        "wrong_type:contacts.phoneExt": 1,
    }


# Hostile records: values of every kind placed at (prefixes of) the paths the spec reads.

_HOSTILE_PATHS = [
    "protocolSection.statusModule.startDateStruct.date",
    "protocolSection.statusModule.completionDateStruct.date",
    "protocolSection.statusModule.lastUpdatePostDateStruct.date",
    "protocolSection.statusModule.overallStatus",
    "protocolSection.designModule.enrollmentInfo.count",
    "protocolSection.designModule.designInfo.maskingInfo.masking",
    "protocolSection.designModule.phases",
    "protocolSection.conditionsModule.conditions",
    "protocolSection.eligibilityModule.minimumAge",
    "protocolSection.eligibilityModule.healthyVolunteers",
    "protocolSection.sponsorCollaboratorsModule.collaborators",
    "protocolSection.contactsLocationsModule.locations",
    "protocolSection.contactsLocationsModule.centralContacts",
    "protocolSection.contactsLocationsModule.overallOfficials",
    "protocolSection.armsInterventionsModule.interventions",
    "derivedSection.conditionBrowseModule.meshes",
    "hasResults",
]
_ODD_DATES = st.sampled_from(
    ["0001-01-01", "1500-06", "2300", "9999-12-31", "1677-09-21", "1677-09-22", "2262-04-11",
     "2262-04-12", "2024-02-30", "2024-02-29", "0000", "March 2020", "2023-5-7", " 2021 ", ""]
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([10**20, 2**63, -(2**63), 2**63 - 1, 1e308, -1e308, 0.5])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
    | _ODD_DATES
)
_hostile = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["date", "lat", "lon", "name", "phone", "count", "contacts",
                             "geoPoint", "term", "type"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)


def _put(rec: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = rec
    for key in path[:-1]:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {})
    if isinstance(node, dict):
        node[path[-1]] = value


def _at(rec: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(rec, dict):
            return None
        rec = rec.get(key)
    return rec


def _expected_day(text: str) -> date | None:
    """An independent reading of a registry date (the oracle for "never invents a date")."""
    import re
    from datetime import datetime

    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text)
    try:
        if m:
            return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
        return datetime.strptime(text.strip(), "%B %Y").date()
    except ValueError:
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(_HOSTILE_PATHS), st.integers(1, 6), _hostile), max_size=8
    ),
    date_text=_ODD_DATES | st.text(max_size=12),
)
def test_hostile_records_never_raise_and_never_invent(
    changes: list[tuple[str, int, Any]], date_text: str
) -> None:
    rec = small_records()[0]
    _put(rec, ["protocolSection", "statusModule", "startDateStruct", "date"], date_text)
    for path, depth, value in changes:
        parts = path.split(".")
        _put(rec, parts[: max(2, min(depth + 1, len(parts)))], value)
    t = normalize([rec, small_records()[1]])

    # the search survives: both studies, declared dtypes in every table
    assert t.studies["nct_id"].tolist() == ["NCT99000001", "NCT99000002"]
    for frame_, dtypes in ((t.studies, STUDY_DTYPES), (t.sites, SITE_DTYPES),
                           (t.contacts, CONTACT_DTYPES), (t.officials, OFFICIAL_DTYPES),
                           (t.conditions, CONDITION_DTYPES),
                           (t.interventions, INTERVENTION_DTYPES)):
        assert {c: str(d) for c, d in frame_.dtypes.items()} == dtypes

    # a stored start date is the input text's own date, never another one
    struct = _at(rec, ["protocolSection", "statusModule", "startDateStruct"])
    text = struct.get("date") if isinstance(struct, dict) else struct
    stored = t.studies["start_date"].iloc[0]
    if not pd.isna(stored):
        assert isinstance(text, (str, int, float))
        assert stored.date() == _expected_day(str(text))
        assert t.studies["start_date_raw"].iloc[0] == str(text)

    # a stored enrollment is the input number itself
    count = _at(rec, ["protocolSection", "designModule", "enrollmentInfo", "count"])
    stored_n = t.studies["enrollment"].iloc[0]
    if stored_n is not pd.NA:
        if isinstance(count, str):
            assert int(count.replace(",", "")) == stored_n
        else:
            assert not isinstance(count, bool) and count == stored_n

    # every site coordinate is a real coordinate
    lat = t.sites["lat"].dropna().to_numpy(dtype=float)
    assert (np.abs(lat) <= 90).all()


def test_pages_joined_equal_one_normalization() -> None:
    records = load_demo_studies()
    assert len(records) > 14
    whole = normalize(records)
    joined = concat_tables([normalize(records[i:i + 7]) for i in range(0, len(records), 7)])
    for name in ("studies", "sites", "conditions", "interventions", "contacts", "officials"):
        pd.testing.assert_frame_equal(getattr(joined, name), getattr(whole, name))
    assert (joined.problems, joined.skipped) == (whole.problems, whole.skipped)
    assert len(concat_tables([]).studies) == 0


def _mixed_records() -> list[dict[str, Any]]:
    """Demo records with a few wrong values spread over several chunks."""
    records = copy.deepcopy(load_demo_studies()[:24])
    with_sites = [r for r in records
                  if r["protocolSection"].get("contactsLocationsModule", {}).get("locations")]
    assert len(with_sites) >= 3
    with_sites[0]["protocolSection"]["contactsLocationsModule"]["locations"][0]["facility"] = 12345
    with_sites[-1]["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"] = {
        "lat": 300.0, "lon": 1.0}
    records[5]["protocolSection"].setdefault("designModule", {})["enrollmentInfo"] = {
        "count": "87"}
    records[9]["protocolSection"].setdefault("statusModule", {})["startDateStruct"] = {
        "date": "2300-01"}
    records[17]["protocolSection"]["identificationModule"]["nctId"] = (
        records[2]["protocolSection"]["identificationModule"]["nctId"])
    return records


@pytest.mark.parametrize("studies, sites", [(1, 1), (3, 5), (7, 10_000)])
def test_chunk_size_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, studies: int, sites: int
) -> None:
    from trialfinder.registries.ctgov.normalize import _extract

    records = _mixed_records()
    whole = normalize(records)
    monkeypatch.setattr(_extract, "_CHUNK_STUDIES", studies)
    monkeypatch.setattr(_extract, "_CHUNK_SITES", sites)
    chunked = normalize(records)
    for name in ("studies", "sites", "conditions", "interventions", "contacts", "officials"):
        pd.testing.assert_frame_equal(getattr(chunked, name), getattr(whole, name))
    assert (chunked.problems, chunked.skipped) == (whole.problems, whole.skipped)
    # the wrong values were each counted once, wherever the chunks were cut
    sites_prefix = "protocolSection.contactsLocationsModule.locations."
    assert chunked.problems[f"wrong_type:{sites_prefix}facility"] == 1
    assert chunked.problems["wrong_type:protocolSection.designModule.enrollmentInfo.count"] == 1
    assert chunked.problems["bad_geopoint"] == 1
    assert chunked.problems["date_out_of_range"] == 1
    assert chunked.problems["duplicate_nct_id"] == 1
    assert "12345" in chunked.sites["facility"].tolist()
    assert chunked.studies["enrollment"].iloc[5] == 87


def test_python_string_storage_gives_the_same_values() -> None:
    """Without pyarrow behind "string", the checked-list path gives the same tables."""
    records = _mixed_records()
    arrow = normalize(records)
    with pd.option_context("mode.string_storage", "python"):
        plain = normalize(records)
    assert str(plain.studies["title"].dtype) == "string"
    assert plain.studies["title"].dtype.storage == "python"
    for name in ("studies", "sites", "conditions", "interventions", "contacts", "officials"):
        pd.testing.assert_frame_equal(getattr(plain, name).astype(object),
                                      getattr(arrow, name).astype(object),
                                      check_column_type=False)
    assert plain.problems == arrow.problems


# --- batches ---------------------------------------------------------------------------------

_TABLE_NAMES = ("studies", "sites", "contacts", "officials", "conditions", "interventions")


def _in_batches(records: list[Any], size: int) -> Tables:
    normalizer = Normalizer()
    for start in range(0, len(records), size):
        normalizer.add(records[start:start + size])
    return normalizer.tables()


def _assert_same_tables(got: Tables, want: Tables) -> None:
    for name in _TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    assert (got.problems, got.skipped) == (want.problems, want.skipped)


def test_records_in_batches_make_the_tables_of_all_at_once() -> None:
    odd: list[Any] = [
        "not a study",
        minimal("NCT99000031", statusModule={"overallStatus": "SLEEPING",
                                             "startDateStruct": {"date": "2023-13-45"}}),
        minimal(" nct99000032 "),  # not an NCT id: skipped
        minimal("NCT99000032"),
        minimal("NCT99000033", designModule={"phases": "PHASE2"}),  # a string for a list
        minimal("NCT99000032"),  # a repeat, in another batch than the first
    ]
    records = [*small_records(), *odd, *load_demo_studies()]
    whole = normalize(records)
    assert whole.problems["duplicate_nct_id"] >= 1 and whole.skipped == 2
    assert whole.problems["bad_nct_id"] == 1
    for size in (1, 3, 50):
        _assert_same_tables(_in_batches(records, size), whole)


def test_real_records_in_pages_make_the_tables_of_all_at_once() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"real recordings not present at {SHARED}")
    records = load_dataset("shared")
    assert len(records) > 100
    _assert_same_tables(_in_batches(records, 37), normalize(records))


def test_a_normalizer_makes_its_tables_once() -> None:
    normalizer = Normalizer()
    normalizer.add([minimal("NCT99000034")])
    assert normalizer.tables().studies["nct_id"].tolist() == ["NCT99000034"]
    with pytest.raises(RuntimeError, match="made its tables already"):
        normalizer.add([minimal("NCT99000035")])
    with pytest.raises(RuntimeError, match="made its tables already"):
        normalizer.tables()
    empty = Normalizer().tables()
    _assert_same_tables(empty, empty_tables())
