"""Local filters over hand-built tables (fictional studies NCT99000001..NCT99000005)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from trialfinder.core.codes import FunderType
from trialfinder.core.errors import InvalidQueryError
from trialfinder.places.geo import MILES_PER_KM, haversine_miles
from trialfinder.tables.filters import (
    FILTER_ORDER,
    FilterStep,
    LocalFilters,
    apply_filters,
    by_age,
    by_distance,
    by_has_results,
    by_healthy_volunteers,
    by_intervention_type,
    by_keyword,
    by_phase,
    by_sex,
    by_site_location,
    by_start_date,
    by_status,
    by_study_type,
    keyword_terms,
    site_distances,
)

# -- a small builder of frames with the columns and dtypes of docs/design.md ---------------

STUDY_DTYPES: dict[str, str] = {
    "nct_id": "string", "title": "string", "official_title": "string", "acronym": "string",
    "status": "category", "last_known_status": "category", "why_stopped": "string",
    "phases": "string", "study_type": "category", "conditions": "string",
    "keywords": "string", "interventions": "string", "intervention_types": "string",
    "sponsor": "string", "sponsor_class": "category", "collaborators": "string",
    "enrollment": "Int64", "enrollment_type": "category",
    "start_date": "datetime64[ns]", "start_date_precision": "category",
    "primary_completion_date": "datetime64[ns]",
    "primary_completion_date_precision": "category",
    "completion_date": "datetime64[ns]", "completion_date_precision": "category",
    "first_posted": "datetime64[ns]", "last_update": "datetime64[ns]",
    "min_age_years": "Float64", "max_age_years": "Float64", "sex": "category",
    "healthy_volunteers": "boolean", "std_ages": "string", "has_results": "boolean",
    "brief_summary": "string", "eligibility_criteria": "string", "n_sites": "Int64",
    "countries": "string", "url": "string",
}
SITE_DTYPES: dict[str, str] = {
    "nct_id": "string", "facility": "string", "city": "string", "state": "string",
    "zip": "string", "country": "string", "lat": "Float64", "lon": "Float64",
    "site_status": "category", "contact_name": "string", "contact_phone": "string",
    "contact_email": "string",
}
CONDITION_DTYPES = {"nct_id": "string", "condition": "string", "mesh_id": "string",
                    "mesh_term": "string"}
INTERVENTION_DTYPES = {"nct_id": "string", "type": "category", "name": "string",
                       "other_names": "string", "arm_labels": "string",
                       "description": "string"}


def frame(rows: list[dict[str, Any]], dtypes: dict[str, str], text: str = "string") -> pd.DataFrame:
    """A frame with every schema column (missing values = NA) in the declared dtypes.

    ``text="object"`` builds the text columns as plain object columns instead.
    """
    data: dict[str, Any] = {}
    for column, dtype in dtypes.items():
        values = [row.get(column) for row in rows]
        if dtype.startswith("datetime64"):
            data[column] = pd.Series(pd.to_datetime(values), dtype=dtype)
        elif dtype == "string" and text == "object":
            data[column] = pd.Series(values, dtype=object)
        else:
            data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


@dataclass(frozen=True)
class Tables:
    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame


BOSTON = (42.3601, -71.0589)

STUDIES = [
    dict(nct_id="NCT99000001", title="Insulin pump study", status="RECRUITING",
         phases="PHASE2|PHASE3", study_type="INTERVENTIONAL",
         intervention_types="DRUG|BEHAVIORAL", conditions="Type 1 Diabetes",
         min_age_years=18.0, max_age_years=65.0, sex="ALL", healthy_volunteers=False,
         start_date="2023-05-01", start_date_precision="month", has_results=False,
         brief_summary="A fictional study."),
    dict(nct_id="NCT99000002", title="Wearable monitor", status="COMPLETED",
         phases="PHASE1", study_type="INTERVENTIONAL", intervention_types="DEVICE",
         min_age_years=18.0, max_age_years=None, sex="FEMALE", healthy_volunteers=True,
         start_date="2019-01-15", start_date_precision="day", has_results=True),
    dict(nct_id="NCT99000003", title="Registry of sleep", status="RECRUITING",
         phases=None, study_type="OBSERVATIONAL", intervention_types=None,
         min_age_years=None, max_age_years=None, sex="MALE", healthy_volunteers=None,
         start_date=None, start_date_precision=None, has_results=False),
    dict(nct_id="NCT99000004", title="Early antibody trial", status="NOT_YET_RECRUITING",
         phases="EARLY_PHASE1", study_type="INTERVENTIONAL",
         intervention_types="BIOLOGICAL", min_age_years=60.0, max_age_years=80.0, sex=None,
         healthy_volunteers=False, start_date="2024-01-01", start_date_precision="year",
         has_results=False, brief_summary="Measures GLUCOSE after a fictional antibody."),
    dict(nct_id="NCT99000005", title="Children's exercise", status="ACTIVE_NOT_RECRUITING",
         phases="PHASE1|PHASE2", study_type="INTERVENTIONAL", intervention_types="OTHER",
         min_age_years=0.0, max_age_years=17.0, sex="ALL", healthy_volunteers=True,
         start_date="2021-06-30", start_date_precision="day", has_results=False),
]
SITES = [
    dict(nct_id="NCT99000001", facility="Harbor Test Clinic", city="Boston", state="MA",
         country="United States", lat=42.3601, lon=-71.0589, site_status="RECRUITING"),
    dict(nct_id="NCT99000001", facility="Clinique Fictive", city="Paris", country="France",
         lat=48.8566, lon=2.3522, site_status="RECRUITING"),
    dict(nct_id="NCT99000002", facility="New York Demo Center", city="New York",
         state="NY", country="United States", lat=40.7128, lon=-74.0060,
         site_status="RECRUITING"),
    dict(nct_id="NCT99000002", facility="River Demo Hospital", city="Cambridge", state="MA",
         country="United States", lat=42.3736, lon=-71.1097, site_status="COMPLETED"),
    dict(nct_id="NCT99000003", facility="Lakeside Example Site", city="Chicago", state="IL",
         country="United States", lat=41.8781, lon=-87.6298),
    dict(nct_id="NCT99000003", facility="Unmapped Example Site", city="Springfield",
         state="IL", country="United States", lat=None, lon=None),
    dict(nct_id="NCT99000005", facility="Bay Example Clinic", city="Providence", state="RI",
         country="United States", lat=41.824, lon=-71.4128, site_status="NOT_YET_RECRUITING"),
    dict(nct_id="NCT99000005", facility="Hill Example Clinic", city="Worcester", state="MA",
         country="United States", lat=42.2626, lon=-71.8023, site_status="RECRUITING"),
]
CONDITIONS = [dict(nct_id=f"NCT9900000{i}", condition=f"Condition {i}") for i in range(1, 6)]
INTERVENTIONS = [dict(nct_id="NCT99000001", type="DRUG", name="Fictional insulin"),
                 dict(nct_id="NCT99000004", type="BIOLOGICAL", name="Fictional antibody")]


def make_tables(text: str = "string") -> Tables:
    return Tables(
        frame(STUDIES, STUDY_DTYPES, text), frame(SITES, SITE_DTYPES, text),
        frame(CONDITIONS, CONDITION_DTYPES, text),
        frame(INTERVENTIONS, INTERVENTION_DTYPES, text),
    )


@pytest.fixture
def tables() -> Tables:
    return make_tables()


def ids(df: pd.DataFrame) -> list[str]:
    return [str(v) for v in df["nct_id"]]


def mask(series: pd.Series[bool]) -> list[bool]:
    return [bool(v) for v in series]


# -- geo -----------------------------------------------------------------------------------


def test_haversine_known_distances_and_missing() -> None:
    lats = np.array([40.7128, np.nan, 42.3601, 40.6892])
    lons = np.array([-74.0060, -71.0, -71.0589, -74.0445])
    miles = haversine_miles(*BOSTON, lats, lons)
    assert miles[0] == pytest.approx(190.2, abs=0.2)  # Boston -> New York
    assert math.isnan(miles[1])
    assert miles[2] == 0.0
    # London (Big Ben) -> Statue of Liberty: 5,574.8 km
    london = haversine_miles(51.5007, -0.1246, lats[3:], lons[3:])
    assert london[0] == pytest.approx(5574.8 * MILES_PER_KM, rel=1e-3)
    assert haversine_miles(0, 0, np.array([0.0]), np.array([180.0]))[0] == pytest.approx(
        12436.8, abs=0.5)


def test_haversine_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="shape"):
        haversine_miles(0, 0, np.zeros(2), np.zeros(3))


# -- the single filters --------------------------------------------------------------------


def test_by_status_and_study_type(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_status(s, ["RECRUITING"])) == [True, False, True, False, False]
    assert mask(by_status(s, ["RECRUITING", "COMPLETED"])) == [True, True, True, False, False]
    assert mask(by_study_type(s, ["OBSERVATIONAL"])) == [False, False, True, False, False]


def test_by_phase_matches_any_token_not_substrings(tables: Tables) -> None:
    s = tables.studies
    # PHASE1 matches "PHASE1" and "PHASE1|PHASE2" but not "EARLY_PHASE1"
    assert mask(by_phase(s, ["PHASE1"])) == [False, True, False, False, True]
    assert mask(by_phase(s, ["PHASE3", "EARLY_PHASE1"])) == [True, False, False, True, False]


def test_by_intervention_type(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_intervention_type(s, ["BEHAVIORAL"])) == [True, False, False, False, False]
    assert mask(by_intervention_type(s, ["DEVICE", "OTHER"])) == [
        False, True, False, False, True]


def test_by_age_inclusive_and_open_limits(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_age(s, 58)) == [True, True, True, False, False]
    assert mask(by_age(s, 65)) == [True, True, True, True, False]
    assert mask(by_age(s, 17)) == [False, False, True, False, True]
    assert mask(by_age(s, 90)) == [False, True, True, False, False]


def test_by_sex_includes_all_and_unstated(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_sex(s, "FEMALE")) == [True, True, False, True, True]
    assert mask(by_sex(s, "MALE")) == [True, False, True, True, True]


def test_by_healthy_volunteers_and_results(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_healthy_volunteers(s, True)) == [False, True, False, False, True]
    assert mask(by_healthy_volunteers(s, False)) == [True, False, True, True, False]
    assert mask(by_has_results(s, True)) == [False, True, False, False, False]
    assert mask(by_has_results(s, False)) == [True, False, True, True, True]


def test_by_start_date_respects_precision(tables: Tables) -> None:
    s = tables.studies
    # study 1 started "2023-05" (whole month): overlaps a range beginning mid-May
    assert mask(by_start_date(s, "2023-05-15", "2023-12")) == [True, False, False, False, False]
    # study 4 started "2024" (whole year): a range from June 2024 still overlaps it
    assert mask(by_start_date(s, "2024-06", None)) == [False, False, False, True, False]
    # exact days are compared exactly; missing start dates never match
    assert mask(by_start_date(s, None, "2019-01-14")) == [False] * 5
    assert mask(by_start_date(s, None, "2019-01-15")) == [False, True, False, False, False]
    assert mask(by_start_date(s, "2019", "2021")) == [False, True, False, False, True]


def test_by_keyword_case_insensitive_across_columns(tables: Tables) -> None:
    s = tables.studies
    assert mask(by_keyword(s, "INSULIN")) == [True, False, False, False, False]  # title
    assert mask(by_keyword(s, "glucose")) == [False, False, False, True, False]  # summary
    assert mask(by_keyword(s, "diabetes")) == [True, False, False, False, False]  # conditions
    assert mask(by_keyword(s, "insulin OR glucose")) == [True, False, False, True, False]
    assert mask(by_keyword(s, "a.b(")) == [False] * 5  # literal, not a regex
    assert keyword_terms(" insulin OR  glucose  or x ") == ["insulin", "glucose  or x"]


def test_by_keyword_matches_whole_words_only() -> None:
    studies = pd.DataFrame({
        "title": pd.array(["Baclofen in ALS", "Pump for cerebral palsy", "Night cramps",
                           "Also about spasms", None], dtype="string"),
    })
    assert mask(by_keyword(studies, "ALS")) == [True, False, False, False, False]
    assert mask(by_keyword(studies, "cramp")) == [False, False, True, False, False]  # plural
    assert mask(by_keyword(studies, '"cerebral  palsy"')) == [False, True, False, False, False]
    assert mask(by_keyword(studies, "spasm OR ALS")) == [True, False, False, True, False]
    assert mask(by_keyword(studies, "cram")) == [False] * 5  # no word starts


def test_by_site_location_case_insensitive(tables: Tables) -> None:
    s, sites = tables.studies, tables.sites
    assert mask(by_site_location(s, sites, countries=["france"])) == [
        True, False, False, False, False]
    assert mask(by_site_location(s, sites, states=[" ma "])) == [True, True, False, False, True]
    assert mask(by_site_location(s, sites, cities=["NEW YORK"])) == [
        False, True, False, False, False]
    # all parts must hold for the same site
    assert mask(by_site_location(s, sites, states=["MA"], cities=["New York"])) == [False] * 5


def test_a_us_state_is_found_by_its_name_or_its_two_letters(tables: Tables) -> None:
    """ClinicalTrials.gov writes "Massachusetts"; a clinician types `--state MA`, which
    removed every study (and "Massachusetts" missed sites written "MA")."""
    s, sites = tables.studies, tables.sites
    assert mask(by_site_location(s, sites, states=["Massachusetts"])) == [
        True, True, False, False, True]
    written = sites.assign(state=sites["state"].replace({"MA": "Massachusetts"}))
    assert mask(by_site_location(s, written, states=["ma"])) == [True, True, False, False, True]
    assert mask(by_site_location(s, written, states=["Ma", "Illinois"])) == mask(
        by_site_location(s, sites, states=["MA", "IL"]))
    assert mask(by_site_location(s, written, states=["Mass"])) == [False] * 5
    out = apply_filters(dataclasses.replace(tables, sites=written), LocalFilters(states=["ma"]))
    assert ids(out.studies) == ["NCT99000001", "NCT99000002", "NCT99000005"]


@pytest.mark.parametrize("typed", ["NYC", "New York City", "new york city"])
def test_a_city_is_found_by_its_everyday_names(tables: Tables, typed: str) -> None:
    """ClinicalTrials.gov writes "New York"; `--city NYC` (or "New York City") removed every
    study."""
    s, sites = tables.studies, tables.sites
    assert mask(by_site_location(s, sites, cities=[typed])) == [
        False, True, False, False, False]
    out = apply_filters(tables, LocalFilters(cities=[typed]))
    assert ids(out.studies) == ["NCT99000002"]


def test_a_short_form_read_only_with_its_country_is_matched_as_written(tables: Tables) -> None:
    # "DF" is Mexico City in Mexico and Brasília in Brazil: no other name is added
    s, sites = tables.studies, tables.sites
    written = sites.assign(city=sites["city"].replace({"Paris": "DF"}))
    assert mask(by_site_location(s, written, cities=["DF"])) == [True, False, False, False, False]
    assert mask(by_site_location(s, written, cities=["Mexico City"])) == [False] * 5


def test_by_distance_and_site_distances(tables: Tables) -> None:
    s, sites = tables.studies, tables.sites
    assert mask(by_distance(s, sites, *BOSTON, 10)) == [True, True, False, False, False]
    assert mask(by_distance(s, sites, *BOSTON, 40)) == [True, True, False, False, True]
    d = site_distances(sites, *BOSTON)
    assert str(d.dtype) == "Float64"
    assert d.iloc[0] == 0.0
    assert d.iloc[2] == pytest.approx(190.2, abs=0.2)
    assert d.isna().tolist() == [False] * 5 + [True] + [False] * 2


# -- apply_filters -------------------------------------------------------------------------


def test_no_filters_keeps_everything(tables: Tables) -> None:
    out = apply_filters(tables, LocalFilters())
    assert out.steps == []
    assert (out.n_before, out.n_after) == (5, 5)
    assert ids(out.studies) == [f"NCT9900000{i}" for i in range(1, 6)]
    assert len(out.sites) == 8 and len(out.conditions) == 5 and len(out.interventions) == 2
    assert "nearest_distance_mi" not in out.studies.columns


def test_age_step_counts_and_note(tables: Tables) -> None:
    out = apply_filters(tables, LocalFilters(age=58))
    assert out.steps == [FilterStep("age 58", 2, "2 studies with no age limit kept")]
    assert ids(out.studies) == ["NCT99000001", "NCT99000002", "NCT99000003"]


def test_steps_in_order_and_counted_sequentially(tables: Tables) -> None:
    f = LocalFilters(statuses=("RECRUITING", "COMPLETED", "NOT_YET_RECRUITING"),
                     phases=("PHASE1", "PHASE2", "EARLY_PHASE1"), age=58, sex="female",
                     keyword="insulin")
    out = apply_filters(tables, f)
    assert [(s.name, s.removed) for s in out.steps] == [
        ("status RECRUITING, COMPLETED, NOT_YET_RECRUITING", 1),  # study 5
        ("phase PHASE1, PHASE2, EARLY_PHASE1", 1),  # study 3 (no phase)
        ("sex FEMALE", 0),  # study 4 has no sex stated: kept
        ("age 58", 1),  # study 4
        ("keyword 'insulin'", 1),  # study 2
    ]
    assert out.steps[1].note == "1 study with no phase removed"
    assert out.steps[2].note == "1 study with no sex stated kept"
    assert out.steps[3].note == "1 study with no age limit kept"  # study 2, max age open
    assert ids(out.studies) == ["NCT99000001"]
    assert ids(out.sites) == ["NCT99000001", "NCT99000001"]
    assert ids(out.conditions) == ["NCT99000001"]
    assert ids(out.interventions) == ["NCT99000001"]


def test_other_steps_and_notes(tables: Tables) -> None:
    out = apply_filters(tables, LocalFilters(
        study_types=["INTERVENTIONAL"], intervention_types=["drug", "device", "other"],
        healthy_volunteers=False, start_from="2015", has_results=False))
    assert [(s.name, s.removed, s.note) for s in out.steps] == [
        ("study type INTERVENTIONAL", 1, None),
        ("intervention type DRUG, DEVICE, OTHER", 1, None),  # study 4 (biological)
        ("does not accept healthy volunteers", 2, None),  # studies 2 and 5
        ("start 2015 to …", 0, None),
        ("no results posted", 0, None),
    ]
    assert ids(out.studies) == ["NCT99000001"]
    out = apply_filters(tables, LocalFilters(healthy_volunteers=True, start_to="2030"))
    assert out.steps == [
        FilterStep("accepts healthy volunteers", 3, "1 study not stating it removed"),
        FilterStep("start … to 2030", 0, None),
    ]
    out = apply_filters(tables, LocalFilters(start_to="2030"))
    assert out.steps == [FilterStep("start … to 2030", 1, "1 study with no start date removed")]


def test_location_filters_report_siteless_studies(tables: Tables) -> None:
    out = apply_filters(tables, LocalFilters(countries=["United States"], states=["il"]))
    assert out.steps == [
        FilterStep("country United States", 1, "1 study with no sites removed"),
        FilterStep("state il", 3, None),
    ]
    assert ids(out.studies) == ["NCT99000003"]
    assert len(out.sites) == 2  # location filters do not drop a kept study's other sites


def test_the_distance_filter_is_named_by_its_place_when_it_has_a_name() -> None:
    tables = make_tables("string")
    named = apply_filters(tables, LocalFilters(near=BOSTON, radius_mi=45,
                                               near_name="  Boston,\n MA "))
    assert named.steps[0].name == "within 45 mi of Boston, MA"
    assert named.steps[0].removed == 2
    with pytest.raises(InvalidQueryError, match="near_name must be text, not int"):
        LocalFilters(near=BOSTON, near_name=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["string", "object"])
def test_distance_filter_restricts_and_sorts_sites(text: str) -> None:
    tables = make_tables(text)
    out = apply_filters(tables, LocalFilters(near=BOSTON, radius_mi=45))
    step = out.steps[0]
    assert step.name == "within 45 mi of 42.3601, -71.0589"
    assert step.removed == 2  # Chicago-only study 3 and study 4 without sites
    assert step.note == "1 site without coordinates ignored; 1 study with no located site removed"
    assert ids(out.studies) == ["NCT99000001", "NCT99000002", "NCT99000005"]
    # only sites in the circle, nearest first within each study
    assert list(out.sites["city"]) == ["Boston", "Cambridge", "Worcester", "Providence"]
    assert str(out.sites["distance_mi"].dtype) == "Float64"
    assert list(out.sites["distance_mi"].round(1)) == [0.0, 2.8, 38.6, 41.2]
    s = out.studies
    assert list(s["nearest_site"]) == ["Harbor Test Clinic, Boston",
                                       "River Demo Hospital, Cambridge",
                                       "Hill Example Clinic, Worcester"]
    assert list(s["nearest_distance_mi"].round(1)) == [0.0, 2.8, 38.6]
    # study 2's nearest site is not recruiting; its recruiting site is New York (outside)
    assert list(s["nearest_recruiting_distance_mi"].round(1)) == [0.0, 190.2, 38.6]
    assert str(s["nearest_recruiting_distance_mi"].dtype) == "Float64"


def test_near_without_radius_only_measures(tables: Tables) -> None:
    out = apply_filters(tables, LocalFilters(near=BOSTON))
    assert out.steps == []
    assert out.n_after == 5
    assert len(out.sites) == 8
    # within each study nearest first; unlocated site last; studies in table order
    assert list(out.sites["city"]) == ["Boston", "Paris", "Cambridge", "New York", "Chicago",
                                       "Springfield", "Worcester", "Providence"]
    assert out.sites["distance_mi"].isna().tolist() == [False] * 5 + [True] + [False] * 2
    near = out.studies.set_index("nct_id")
    assert pd.isna(near.loc["NCT99000004", "nearest_distance_mi"])
    assert pd.isna(near.loc["NCT99000004", "nearest_site"])
    assert pd.isna(near.loc["NCT99000003", "nearest_recruiting_distance_mi"])
    assert near.loc["NCT99000003", "nearest_distance_mi"] == pytest.approx(848.6, abs=0.1)


def test_inputs_are_left_unchanged(tables: Tables) -> None:
    before = {name: getattr(tables, name).copy(deep=True)
              for name in ("studies", "sites", "conditions", "interventions")}
    f = LocalFilters(statuses=["RECRUITING"], near=BOSTON, radius_mi=5000, age=30,
                     keyword="study", countries=["France"])
    out = apply_filters(tables, f)
    out.studies.loc[0, "title"] = "changed"
    out.sites.loc[0, "city"] = "changed"
    for name, frame_before in before.items():
        pd.testing.assert_frame_equal(getattr(tables, name), frame_before)


def test_empty_tables() -> None:
    empty = Tables(frame([], STUDY_DTYPES), frame([], SITE_DTYPES), frame([], CONDITION_DTYPES),
                   frame([], INTERVENTION_DTYPES))
    out = apply_filters(empty, LocalFilters(statuses=["RECRUITING"], near=BOSTON, radius_mi=5,
                                            keyword="x", age=40))
    assert out.n_after == 0
    assert [s.removed for s in out.steps] == [0, 0, 0, 0]
    assert "nearest_distance_mi" in out.studies.columns


def test_duplicate_study_ids_are_reported(tables: Tables) -> None:
    doubled = Tables(pd.concat([tables.studies, tables.studies.iloc[:1]]), tables.sites,
                     tables.conditions, tables.interventions)
    with pytest.raises(ValueError, match=r"not unique.*NCT99000001"):
        apply_filters(doubled, LocalFilters(countries=["France"]))


# -- LocalFilters validation ---------------------------------------------------------------


def test_local_filters_normalize_values() -> None:
    f = LocalFilters(statuses=["recruiting", "RECRUITING"], phases=["2", "phase 3"],
                     study_types=[], sex="all", near=(42, -71), radius_mi=25, age=58,
                     countries=[" France ", ""], keyword="  ", start_from="")
    assert f.statuses == ("RECRUITING",)
    assert f.phases == ("PHASE2", "PHASE3")
    assert f.study_types is None
    assert f.sex is None
    assert f.near == (42.0, -71.0)
    assert f.countries == ("France",)
    assert f.keyword is None and f.start_from is None
    assert f.is_active
    assert not LocalFilters().is_active
    hash(f)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"age": -1}, "age must be within 0..125 years, not -1"),
        ({"age": "old"}, "age must be a number, not 'old'"),
        ({"radius_mi": 10}, "a radius needs a place"),
        ({"near": (0, 0), "radius_mi": 0}, "radius must be above 0 miles"),
        ({"near": (95, 0)}, "latitude must be within -90..90, not 95"),
        ({"near": (0, 181)}, "longitude must be within -180..180, not 181"),
        ({"phases": ["PHASE9"]}, "unknown phase 'PHASE9'"),
        ({"statuses": ["open-ish"]}, "unknown status 'open-ish'"),
        ({"intervention_types": ["pill"]}, "unknown intervention type 'pill'"),
        ({"sex": "x"}, "unknown sex 'x'"),
        ({"start_from": "2023-13"}, "start date (from) '2023-13' is not a real date"),
        ({"start_to": "May 2023"}, "start date (to) must be a date like 2024"),
        ({"start_from": "2024", "start_to": "2023-12-31"}, "start date range is empty"),
        ({"has_results": "yes"}, "has_results must be true, false or None"),
    ],
)
def test_local_filters_reject_bad_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidQueryError) as err:
        LocalFilters(**kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_country_filter_understands_everyday_names() -> None:
    studies = pd.DataFrame({"nct_id": pd.array(["NCT99000001", "NCT99000002"], dtype="string")})
    sites = pd.DataFrame({
        "nct_id": pd.array(["NCT99000001", "NCT99000002"], dtype="string"),
        "country": pd.array(["United States", "United Kingdom"], dtype="string"),
        "state": pd.array([None, None], dtype="string"),
        "city": pd.array(["Boston", "Leeds"], dtype="string"),
    })
    assert mask(by_site_location(studies, sites, countries=["USA"])) == [True, False]
    assert mask(by_site_location(studies, sites, countries=["uk"])) == [False, True]
    assert mask(by_site_location(studies, sites, countries=["France"])) == [False, False]


def test_every_filter_runs_in_filter_order(tables: Tables) -> None:
    # every filter active (wide enough to keep the steps, which are recorded even at 0 removed)
    f = LocalFilters(
        statuses=("recruiting", "completed", "not yet recruiting", "active, not recruiting"),
        phases=("1", "2", "3", "4", "na", "early_phase1"), study_types=("interventional",),
        intervention_types=("drug",), sex="female", age=40, healthy_volunteers=False,
        start_from="1990", start_to="2100", has_results=False, countries=("United States",),
        states=("Massachusetts",), cities=("Boston",), near=(42.36, -71.06), radius_mi=3000,
        keyword="study", funder_types=tuple(FunderType), completion_from="1900",
        posted_from="1900", updated_to="2200",
    )
    label = {"statuses": "status", "phases": "phase", "study_types": "study",
             "intervention_types": "intervention", "sex": "sex", "age": "age",
             "healthy_volunteers": "does", "start": "start", "has_results": "no",
             "countries": "country", "states": "state", "cities": "city", "near": "within",
             "keyword": "keyword", "funder_types": "funder", "completion": "completion",
             "posted": "first", "updated": "last"}
    names = [step.name.split(" ")[0] for step in apply_filters(tables, f).steps]
    assert names == [label[key] for key in FILTER_ORDER]


# -- the split of tables/filters.py by concern ---------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def _names_imported_from(module: str) -> set[str]:
    """Every name some file of the repository imports from ``module``."""
    import ast

    names: set[str] = set()
    for folder in ("src", "dashboard", "devtools", "tests", "benchmarks", "tools"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if module not in text:
                continue  # no import of it here (parsing every file is the slow part)
            tree = ast.parse(text)
            names |= {alias.name for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom) and node.module == module
                      for alias in node.names}
    return names


def test_every_name_imported_from_tables_filters_is_still_there() -> None:
    import trialfinder.tables.filters as filters

    imported = _names_imported_from("trialfinder.tables.filters")
    assert {"LocalFilters", "apply_filters", "FilterStep", "INTERVENTION_TYPES"} <= imported
    assert [n for n in sorted(imported | set(filters.__all__))
            if not hasattr(filters, n)] == []


def test_apply_filters_runs_one_step_per_name_of_filter_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trialfinder.tables import filters, filtersteps

    assert list(filtersteps.STEPS) == list(FILTER_ORDER)
    ran: list[str] = []
    for name, step in filtersteps.STEPS.items():
        def spy(run: filtersteps.Run, name: str = name, step: Any = step) -> None:
            ran.append(name)
            step(run)
        monkeypatch.setitem(filtersteps.STEPS, name, spy)
    outcome = filters.apply_filters(make_tables(), LocalFilters(statuses=["recruiting"]))
    assert ran == list(FILTER_ORDER)
    assert [(s.name, s.removed) for s in outcome.steps] == [("status RECRUITING", 3)]
    assert ids(outcome.studies) == ["NCT99000001", "NCT99000003"]
