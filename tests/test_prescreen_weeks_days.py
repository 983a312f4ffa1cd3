"""Ages the criteria state in weeks or days ("Infants aged 6 weeks to 2 years", "at least 28
days old", "Newborns up to 30 days of age") are read as ages, as months are: a baby or child
outside them is never told "fits". A time since or before something ("4 to 6 weeks after
surgery", "2 to 6 weeks postpartum") is no age.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.ages import age_statements

NCT = "NCT99790001"
OPEN = {"minimum_age": None, "maximum_age": None}
DAYS = 1 / 365.25  # a year in days


def screen(profile: Profile, inclusion: str, exclusion: str = "None") -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 001", **OPEN)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("inclusion", "outside", "inside"), [
    ("Infants aged 6 weeks to 2 years with Fictitia", 3, 1),
    ("Infants aged 6 weeks to 2 years with Fictitia", 20 * DAYS, 50 * DAYS),
    ("Babies at least 28 days old with Fictitia", 20 * DAYS, 28 * DAYS),
    ("Newborns up to 30 days of age", 0.5, 30 * DAYS),  # a baby of 30 days is "up to 30"
    ("Age: 14 days to 17 years", 10 * DAYS, 17.5),
    ("Infants 8 to 12 wks old", 14 * 7 * DAYS, 10 * 7 * DAYS),
])
def test_an_age_in_weeks_or_days_is_read(inclusion: str, outside: float,
                                         inside: float) -> None:
    found = screen(Profile(age=outside), inclusion)
    assert found["verdict"] == "check"
    assert found["reasons"][0].endswith(f'may be outside ("{inclusion}")')
    assert screen(Profile(age=inside), inclusion)["verdict"] == "fits"


def test_an_exclusion_of_an_age_in_weeks_holds_only_that_age() -> None:
    line = "Infants younger than 8 weeks of age"
    assert screen(Profile(age=5 * 7 * DAYS), "Infants with Fictitia", line)["verdict"] == (
        "check")
    assert screen(Profile(age=0.5), "Infants with Fictitia", line)["verdict"] == "fits"


@pytest.mark.parametrize("line", [
    "Patients 4 to 6 weeks after surgery for Fictitia",
    "Women 2 to 6 weeks postpartum",
    "Adults 1 to 3 months following a Fictitia flare",
    "Within 14 days before the first dose",
])
def test_a_time_since_or_before_something_is_no_age(line: str) -> None:
    assert age_statements(line) == []
    assert screen(Profile(age=54, sex="female"), line)["verdict"] == "fits"


@pytest.mark.parametrize(("section", "line", "held", "free"), [
    # an exclusion: a baby of 5 weeks is younger than 8 weeks, one of 6 months is not
    ("exclusion", "Infants younger than 8 weeks", 5 * 7 * DAYS, 0.5),
    ("exclusion", "Babies younger than 30 days at screening", 10 * DAYS, 0.25),
    # an inclusion: a baby of 20 days is not older than 28 days, one of 2 months is
    ("inclusion", "Babies older than 28 days with Fictitia", 20 * DAYS, 2 / 12),
])
def test_younger_or_older_than_weeks_or_days_is_an_age_without_old(
        section: str, line: str, held: float, free: float) -> None:
    def verdict(age: float) -> str:
        if section == "exclusion":
            return str(screen(Profile(age=age), "Infants with Fictitia", line)["verdict"])
        return str(screen(Profile(age=age), line)["verdict"])

    assert verdict(held) == "check"
    assert verdict(free) == "fits"


def test_younger_than_a_number_of_years_without_of_age_is_still_no_age() -> None:
    # a threshold for some, not who may join: only weeks, days and months are read so
    line = "PSA above 2.5 ng/ml in men younger than 60 years"
    assert age_statements(line) == []


@pytest.mark.parametrize("line", [
    "Surgery less than 30 days old",
    "An MRI less than 6 months old showing a Fictitia lesion",
    "Wound less than 2 weeks old at the first visit",
])
def test_the_age_of_a_thing_is_no_age_of_the_person(line: str) -> None:
    assert age_statements(line) == []
    assert screen(Profile(age=10 * DAYS), "Anyone with Fictitia", line)["verdict"] == "fits"
