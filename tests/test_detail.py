"""Study detail: eligibility split into lists, outcomes, the full record from the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devtools.standin import StandInServer
from trialfinder.config import Settings
from trialfinder.errors import NotFoundError
from trialfinder.service import study_detail
from trialfinder.tables.detail import Criteria, outcomes_table, split_criteria
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
    assert len(located) > 1100 and located.is_monotonic_increasing
    assert located.iloc[0] < 1
    assert len(detail.outcomes) >= 1
    assert set(detail.outcomes["kind"]) <= {"primary", "secondary", "other"}
    assert detail.criteria.inclusion and detail.criteria.exclusion
    assert server.stats.requests == 1


def test_study_detail_from_records_and_unknown_id() -> None:
    detail = study_detail("NCT99000012", records=load_demo_studies())
    assert list(detail.results.studies["nct_id"]) == ["NCT99000012"]
    with pytest.raises(NotFoundError, match="no study with id NCT99999999 in these records"):
        study_detail("NCT99999999", records=load_demo_studies())
