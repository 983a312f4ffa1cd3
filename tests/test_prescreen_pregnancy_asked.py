"""A study asking for pregnancy asks it of anyone who did not say they are pregnant: nobody
thinks to say they are not, so such a person is told to check, with the line, not "fits".

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

WOMAN = Profile(age=35, sex="female")


def screened(profile: Profile, *inclusions: str, sex: str = "ALL") -> dict[str, Any]:
    study = fictional_study("NCT99770001", "Fictional study 001", sex=sex)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n" + "".join(f"* {line}\n" for line in inclusions)
        + "\nExclusion Criteria:\n\n* None\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


def _asked(line: str) -> str:
    return ("Check with the study team: the inclusion criteria ask for people who are "
            f'pregnant, which you did not say you are ("{line}")')


@pytest.mark.parametrize("profile", [
    WOMAN, Profile(age=35, sex="female", conditions=("ALS",)),
    Profile(age=35, sex="female", medicines=("baclofen",)), Profile(age=35),
    Profile(sex="female"),
])
@pytest.mark.parametrize("line", [
    "Pregnant women aged 18 to 40", "Singleton pregnancy at 20 to 28 weeks of gestation",
    "Less than 16 weeks pregnant at the first visit", "Women with a positive pregnancy test",
])
def test_a_study_asking_for_pregnancy_asks_it_of_someone_who_did_not_say(
        profile: Profile, line: str) -> None:
    row = screened(profile, line, sex="FEMALE")
    assert row["verdict"] == "check", row
    assert _asked(line) in row["reasons"]


def test_someone_pregnant_still_fits_and_someone_who_said_nothing_is_asked_nothing() -> None:
    line = "Pregnant women aged 18 to 40"
    assert screened(Profile(age=35, conditions=("pregnant",)), line)["verdict"] == "fits"
    assert screened(Profile(age=35, conditions=("Pregnancy",)), line)["verdict"] == "fits"
    # given nothing, only the status is checked (as the README says)
    assert screened(Profile(), line)["reasons"] == ["recruiting"]


def test_a_man_is_asked_too_but_the_text_makes_no_no() -> None:
    row = screened(Profile(age=35, sex="male"), "Singleton pregnancy at 20 to 28 weeks")
    assert row["verdict"] == "check", row
    assert _asked("Singleton pregnancy at 20 to 28 weeks") in row["reasons"]


def test_a_line_naming_their_condition_in_a_pregnancy_still_asks_for_it() -> None:
    # the line names their gestational diabetes, and asks for the pregnancy it is diagnosed in
    line = "Gestational diabetes diagnosed in the current pregnancy"
    row = screened(Profile(age=30, conditions=("gestational diabetes",)), line)
    assert row["verdict"] == "check", row
    assert row["reasons"][0] == _asked(line)
    both = Profile(age=30, conditions=("gestational diabetes", "pregnant"))
    assert screened(both, line)["verdict"] == "fits"


def test_a_choice_under_a_line_asking_for_pregnancy_asks_it_once() -> None:
    text = ("Pregnant women and one of the following:\n  * Gestational diabetes diagnosed in "
            "the current pregnancy\n  * Hypertension diagnosed in the current pregnancy")
    row = screened(WOMAN, text)
    assert [r for r in row["reasons"] if "ask for" in r] == [
        _asked("Pregnant women and one of the following:")]


@pytest.mark.parametrize("line", [
    "Pregnant or breastfeeding women may take part if fictitia is confirmed",
    "A new or expectant mother",
    "If pregnant, less than 20 weeks of gestation",
    "History of preterm birth or pregnancy-associated hypertension",
    "Women with recurrent pregnancy loss",
    "Men whose partner is pregnant",
    "With a pregnant female partner, men must use a condom during the study",
    "Mothers at least 28 weeks pregnant, or up to 6 months post-birth",
    "Women who wish to become pregnant within a year",
    "A negative pregnancy test at screening",
    "No contraindication to a fictional scan (pregnancy, a pacemaker)",
    "Pregnancy will not be considered an exclusion criterion",
    "Fictitia first noticed during pregnancy or within 4 weeks after delivery",
    "Not pregnant at the time of the first visit",
    "Women of childbearing potential must use contraception to avoid pregnancy",
])
def test_a_line_not_asking_for_a_pregnancy_now_is_no_question(line: str) -> None:
    row = screened(WOMAN, line)
    assert not any("pregnant, which you did not say" in r for r in row["reasons"]), row


@pytest.mark.parametrize(("line", "named"), [
    ("Women with a previous pregnancy complicated by fictitial ache", False),
    ("Fictitial ache after a pregnancy-associated fictitial strain", False),
    ("Pregnant women at 20 to 30 weeks", True),
])
def test_a_past_pregnancy_is_not_theirs_named(line: str, named: bool) -> None:
    # for someone pregnant, a pregnancy named as past or as a cause is background: the study
    # is not listed first as naming their condition, nor the line noted as naming it
    row = screened(Profile(age=30, sex="female", conditions=("pregnant",)), line)
    assert row["verdict"] == "fits", row
    assert row["names_your_condition"] is named
    assert any("criteria name pregnant" in r for r in row["reasons"]) is named


def test_pregnancy_named_only_among_the_exclusions_is_asked_of_nobody() -> None:
    study = fictional_study("NCT99770002", "Fictional study 002")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Key Inclusion Criteria:\n\n* Adults with fictitia\n\nKey Exclusion Criteria:\n\n"
        "* Pregnant women\n* Singleton pregnancy at 20 weeks\n")
    for profile in (WOMAN, Profile(age=35, sex="female", conditions=("ALS",))):
        row = prescreen(normalize([study]), profile).records()[0]
        assert not any("pregnant, which you did not say" in r for r in row["reasons"]), row
    # the same line under the inclusions is asked, by someone who gave only an age and sex too
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Key Inclusion Criteria:\n\n* Adults with fictitia\n* Singleton pregnancy at 20 "
        "weeks\n\nKey Exclusion Criteria:\n\n* Pregnant women\n")
    assert prescreen(normalize([study]), WOMAN).records()[0]["verdict"] == "check"
