"""Two readings around a pregnancy: diabetes diagnosed before a pregnancy is not someone's
gestational diabetes, and a rule on a pregnancy test ("within 30 days of surgery") does not
ask for the study's own listed condition it happens to name.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

GESTATIONAL = Profile(age=38, sex="female", conditions=("pregnancy", "gestational diabetes"))


def screen(profile: Profile, inclusion: str, exclusion: str,
           listed: tuple[str, ...] = ("Fictitia",)) -> dict[str, Any]:
    study = fictional_study("NCT99790601", "Fictional study 601", minimum_age="18 Years",
                            conditions=list(listed))
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("line", "found"), [
    ("Pre-pregnancy diagnosis of diabetes mellitus", "diabetes mellitus"),
    ("Pregestational diabetes", "diabetes"),
])
def test_diabetes_before_a_pregnancy_is_not_gestational(line: str, found: str) -> None:
    row = screen(GESTATIONAL, "Pregnant women at 24 to 28 weeks of fictitial gestation", line)
    assert (row["verdict"], row["reasons"][-1]) == (
        "fits", f'the exclusion criteria name {found}, not your gestational diabetes ("{line}")')


def test_diabetes_in_general_still_asks_someone_with_gestational_diabetes() -> None:
    row = screen(GESTATIONAL, "Pregnant women at 24 to 28 weeks of fictitial gestation",
                 "Diabetes mellitus")
    assert row["verdict"] == "check"


def test_someone_with_type_2_diabetes_is_still_named_by_pregestational_diabetes() -> None:
    row = screen(Profile(age=38, sex="female", conditions=("type 2 diabetes",)),
                 "Adults with Fictitia", "Pre-pregnancy diagnosis of diabetes mellitus")
    assert row["verdict"] == "check"


@pytest.mark.parametrize("line", [
    "Negative pregnancy test within 30 days of surgery",
    "Negative (serum or urine) pregnancy test 30 days or less before surgery in women before "
    "menopause",
    "Women of childbearing potential agree to use contraception until surgery",
])
def test_a_pregnancy_test_rule_does_not_ask_for_a_listed_condition(line: str) -> None:
    row = screen(Profile(age=29, sex="female", conditions=("asthma",)), line, "None",
                 listed=("Fictitia", "Surgery"))
    assert (row["verdict"], row["reasons"]) == (
        "fits", ["fits on age, sex and status as far as the record says"])


def test_a_listed_condition_outside_such_a_rule_is_still_asked() -> None:
    row = screen(Profile(age=29, sex="female", conditions=("asthma",)),
                 "Adults planned for fictitial surgery", "None", listed=("Fictitia", "Surgery"))
    assert row["reasons"] == ["Check with the study team: the inclusion criteria ask for "
                              'Surgery, which you did not mention ("Adults planned for '
                              'fictitial surgery")']


PREGNANT = Profile(age=29, sex="female", conditions=("pregnant",))


@pytest.mark.parametrize("line", [
    "Hypertension diagnosed prior to current pregnancy",
    "Bariatric surgery before this pregnancy",
    "Smoking in the year preceding the index pregnancy",
])
def test_a_pregnancy_named_as_a_time_is_not_theirs(line: str) -> None:
    # before, "pregnancy" here read as an exclusion of pregnant people: "check"
    row = screen(PREGNANT, "Pregnant women at 24 to 28 weeks of fictitial gestation", line)
    assert (row["verdict"], row["reasons"]) == ("fits", [
        "fits on age, sex and status as far as the record says",
        'the inclusion criteria name pregnant ("Pregnant women at 24 to 28 weeks of fictitial '
        'gestation")'])


@pytest.mark.parametrize("line", ["Pregnancy", "Hypertension before or during pregnancy"])
def test_a_pregnancy_the_line_excludes_still_asks(line: str) -> None:
    row = screen(PREGNANT, "Adults with Fictitia", line)
    assert row["reasons"][-1] == (
        f'Check with the study team: the exclusion criteria mention pregnant ("{line}")')


@pytest.mark.parametrize(("line", "found"), [
    ("Diabetes mellitus-insulin dependent", "Diabetes mellitus"),
    ("Diabetes mellitus \u2013 insulin dependent", "Diabetes mellitus"),
    ("Diabetes mellitus (type 1 or 2) requiring insulin", "Diabetes mellitus"),
    ("Diabetes mellitus, type 1", "Diabetes mellitus"),
    ("Diabetes mellitus (type I or II)", "Diabetes mellitus"),
    ("Fictitial angina, diabetes mellitus-insulin dependent, or fictitial dystrophy",
     "diabetes mellitus"),
])
def test_diabetes_of_another_kind_said_after_its_name_is_not_gestational(line: str,
                                                                       found: str) -> None:
    # before, the general name read alone: "the exclusion criteria mention gestational
    # diabetes" and "check"
    row = screen(GESTATIONAL, "Pregnant women at 24 to 28 weeks of fictitial gestation", line)
    assert (row["verdict"], row["reasons"][-1]) == (
        "fits", f'the exclusion criteria name {found}, not your gestational diabetes ("{line}")')


@pytest.mark.parametrize(("condition", "line", "verdict"), [
    ("type 1 diabetes", "Diabetes mellitus-insulin dependent", "check"),
    ("type 2 diabetes", "Diabetes mellitus-insulin dependent", "fits"),
    ("type 2 diabetes", "Diabetes mellitus - non-insulin dependent", "check"),
    # their own kind said after another kind's name
    ("type 2 diabetes", "Insulin-dependent diabetes mellitus type II", "check"),
    # a list after a comma is no kind: "gestational hypertension", "kidney or liver disease"
    ("type 1 diabetes", "Diabetes, gestational hypertension or preeclampsia", "check"),
    ("prostate cancer", "History of rheumatologic, cancer, kidney or liver disease", "check"),
    # a kind listed with something other than a kind leaves the name general
    ("breast cancer", "History of cancer (lung or other)", "check"),
    ("breast cancer", "History of cancer (lung)", "fits"),
    ("type 2 diabetes", "Diabetes mellitus (type I or II)", "check"),
])
def test_the_kind_after_a_name_is_read_for_each_kind(condition: str, line: str,
                                                      verdict: str) -> None:
    row = screen(Profile(age=60, sex="male", conditions=(condition,)), "Adults", line)
    assert row["verdict"] == verdict


@pytest.mark.parametrize("line", [
    "Positive urine pregnancy test: women may participate only if they have a negative urine "
    "pregnancy test",
    "Pregnancy (women with a negative pregnancy test may participate)",
])
def test_an_allowance_for_a_negative_test_makes_no_exception_for_a_pregnancy(line: str) -> None:
    # before, "fits": the line's "may participate" read as excepting the pregnancy it excludes
    row = screen(PREGNANT, "Adults", line)
    assert (row["verdict"], row["reasons"]) == (
        "check", [f'Check with the study team: the exclusion criteria mention pregnant ("{line}")'])


def test_a_negative_test_alone_in_the_exclusions_is_still_no_hit() -> None:
    row = screen(PREGNANT, "Adults", "Women without a negative pregnancy test")
    assert row["verdict"] == "fits"
