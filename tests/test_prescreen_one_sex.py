"""A record open to all whose own criteria take one sex only ("Women only" among its
inclusions, "Male sex" among its exclusions): someone of the other sex is asked to check with
the study team, never told "fits" (the field alone had said they fit).

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def screen(sex: str, inclusion: str, exclusion: str = "Pregnancy") -> dict[str, object]:
    study = fictional_study("NCT99760001", "Fictional study 001", sex="ALL")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n* Aged 18 to 65\n\n"
        f"Exclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), Profile(sex=sex, age=40)).records()[0])


@pytest.mark.parametrize(("sex", "inclusion", "exclusion"), [
    ("male", "Women only", "Pregnancy"),
    ("male", "Female patients only.", "Pregnancy"),
    ("male", "Exclusively women", "Pregnancy"),
    ("female", "Only male participants", "Prostate surgery"),
    ("male", "Adults with fictitial spasm", "Male sex"),
    ("female", "Adults with fictitial spasm", "Women"),
])
def test_criteria_of_one_sex_make_the_other_check(sex: str, inclusion: str,
                                                   exclusion: str) -> None:
    row = screen(sex, inclusion, exclusion)
    assert row["verdict"] == "check"
    assert "the record says it is open to all, but its criteria say" in str(row["reasons"])


@pytest.mark.parametrize(("sex", "inclusion", "exclusion"), [
    ("female", "Women only", "Pregnancy"),           # their own sex
    ("male", "Female participants:", "Pregnancy"),    # a heading of per-sex rules
    ("male", "Women only if postmenopausal, men of any age", "Pregnancy"),
    ("male", "Adults with fictitial spasm", "Female sex"),
    ("male", "Adults with fictitial spasm", "Female partners who are pregnant"),
])
def test_other_lines_naming_a_sex_leave_the_verdict_alone(sex: str, inclusion: str,
                                                           exclusion: str) -> None:
    assert screen(sex, inclusion, exclusion)["verdict"] == "fits"


@pytest.mark.parametrize(("sex", "inclusion"), [
    ("male", "Only women aged 40 to 60 with fictitial spasm"),
    ("male", "Female patients aged 18 or older with fictitial spasm"),
    ("female", "Men between 50 and 75 years"),
    ("male", "Postmenopausal women, age 50 or older"),
    ("male", "Women with fictitial spasm"),
    ("female", "Healthy male volunteers aged 18-45"),
    ("female", "Men who had a fictional prostate operation a year ago"),
    ("female", "Men who will undergo a fictional prostate operation"),
    ("male", "Pregnant women at 24 to 28 weeks"),
])
def test_a_line_led_by_the_other_sex_makes_the_field_of_all_a_question(
        sex: str, inclusion: str) -> None:
    row = screen(sex, inclusion)
    assert row["verdict"] == "check"
    assert f'the record says it is open to all, but its criteria say "{inclusion}"' in str(
        row["reasons"])
    # their own sex is not asked anything new
    assert screen("female" if sex == "male" else "male", inclusion)["verdict"] != "no"


@pytest.mark.parametrize(("sex", "inclusion"), [
    ("male", "Female partners of participants must use fictional contraception"),
    ("male", "Women must not be pregnant or breastfeeding"),
    ("female", "Men must agree to use condoms"),
    ("female", "Men will be asked to keep a fictional diary"),
    ("male", "Men and women aged 18 or over"),
    ("female", "Male or female, 18 years or older"),
    ("male", "Women of childbearing potential with a negative test"),
    ("male", "Women under 50 amenorrheic for a year count as postmenopausal"),
    ("female", "Patient managed for fictitial spasm"),  # "man" inside a word is no sex
])
def test_lines_for_each_sex_or_both_leave_the_verdict_alone(sex: str, inclusion: str) -> None:
    assert screen(sex, inclusion)["verdict"] == "fits"


def test_lines_for_each_sex_are_rules_for_each_not_one_sex_only() -> None:
    study = fictional_study("NCT99760002", "Fictional study 002", sex="ALL")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Male\n* Not pregnant female\n* Aged 18 to 65\n\n"
        "Exclusion Criteria:\n\n* None\n")
    for sex in ("female", "male"):
        row = prescreen(normalize([study]), Profile(sex=sex, age=40)).records()[0]
        assert row["verdict"] == "fits", sex
