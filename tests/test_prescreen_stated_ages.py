"""Ages the criteria state that the age fields do not: in words ("aged eighteen or over"), in
months ("18 months to 5 years"), beside menopause ("Postmenopausal women, age 50 or older"),
after who may join ("Men between 50 and 75 years"), or narrower than the fields ("Aged 40 to
60" under fields of 18 to 80). Someone outside such a stated age is never told "fits"; and
ages that are not a limit on who may join (a donor's, a relative's, one choice among risk
factors, a rule for those of an age) leave the verdict alone.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.ages import age_statements

NCT = "NCT99780001"


def screen(profile: Profile, inclusion: str, exclusion: str = "None",
           **fields: Any) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 001", **fields)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


OPEN = {"minimum_age": None, "maximum_age": None}


@pytest.mark.parametrize(("inclusion", "outside", "inside"), [
    ("Aged eighteen or over with Fictitia", 16, 18),
    ("At least twenty-one years of age", 20, 21),
    ("Between eighteen and sixty-five years of age", 66, 65),
    ("Children aged 18 months to 5 years with Fictitia", 1.2, 1.5),
    ("Children aged 18 months to 5 years with Fictitia", 6, 5.5),  # "5 years" holds 5.5
    ("Infants 6 to 12 months old", 1.5, 1.0),  # 18 months is past 12 months
    ("Infants 6 to 12 months old", 0.3, 0.5),
    ("Aged 6 months or older", 0.25, 0.5),
    ("Infants (6-23 months) or children (2-11 years) with Fictitia", 14, 1),
    ("Infants (6-23 months) or children (2-11 years) with Fictitia", 12.5, 8),
    ("Men between 50 and 75 years with Fictitia", 45, 60),
    ("Patients 65 or older with Fictitia", 60, 70),
])
def test_an_age_in_words_or_months_is_read(inclusion: str, outside: float,
                                           inside: float) -> None:
    found = screen(Profile(age=outside), inclusion, **OPEN)
    assert found["verdict"] == "check"
    assert found["reasons"][0].endswith(f'may be outside ("{inclusion}")')
    assert screen(Profile(age=inside), inclusion, **OPEN)["verdict"] == "fits"


def test_postmenopausal_women_of_an_age() -> None:
    line = "Postmenopausal women, age 50 or older, with Fictitia"
    found = screen(Profile(age=40, sex="female"), line, sex="FEMALE")
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the record's age fields leave it open, but its criteria "
        f'give an age 40 may be outside ("{line}")']
    assert screen(Profile(age=55, sex="female"), line, sex="FEMALE")["verdict"] == "fits"
    # a clause defining menopause by age is still not a limit on who may join
    for defining in ("Postmenopausal (age 55 or older, or no menses for a year)",
                     "Postmenopausal women (age over 55 or amenorrhea for 12 months)",
                     "Postmenopausal women defined as age 50 or over"):
        assert age_statements(defining) == [], defining


def test_an_age_narrower_than_the_fields_is_a_question() -> None:
    fields = {"minimum_age": "18 Years", "maximum_age": "80 Years"}
    found = screen(Profile(age=30), "Aged 40 to 60 with Fictitia", **fields)
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the record's age fields say 18 to 80 years, but its "
        'criteria give an age 30 may be outside ("Aged 40 to 60 with Fictitia")']
    assert screen(Profile(age=50), "Aged 40 to 60 with Fictitia", **fields)["verdict"] == "fits"
    # the fields' own limits said again are nothing new
    assert screen(Profile(age=30), "Aged 18 to 80", **fields)["verdict"] == "fits"


def test_one_sexs_age_is_not_the_other_sexs() -> None:
    inclusion = "Men aged 50 to 75; women aged 55 to 75"
    assert screen(Profile(age=52, sex="female"), inclusion, **OPEN)["verdict"] == "check"
    assert screen(Profile(age=52, sex="male"), inclusion, **OPEN)["verdict"] == "fits"
    assert screen(Profile(age=57, sex="female"), inclusion, **OPEN)["verdict"] == "fits"


@pytest.mark.parametrize(("inclusion", "exclusion"), [
    ("Adults with Fictitia", "A sibling donor aged between 18 and 50 is not available"),
    ("Adults with Fictitia", "Sudden death under 40 years of age in a first-degree relative"),
    ("Onset of Fictitia at less than 50 years of age at the time of first symptoms", "None"),
    ("Fictitia with two risk factors such as stage 3, a large lesion, age < 35 years", "None"),
    ("Adults with Fictitia", "Patients aged over 50 will undergo a fictional scan first"),
    # joined to something they did not give, and an inclusion age holds them
    ("Adults aged 18 or over", "Aged over 60 years with a fictional score under 24"),
    ("Optional: children in the fictional sub-study must be 4 to 10 years of age", "None"),
    ("Fictional level above 9 for those 28 days to < 2 years of age", "None"),
    ("Adults with Fictitia", "Patients under 18 years and over 70 years of age"),
    # a time, not an age; one choice among others; a relative's age, said further before
    ("Fictitia felt in one leg for 6 weeks or more but 1 year or less", "None"),
    ("Age 70 or over OR a fictional score of 2 OR a fictional weight loss", "None"),
    ("Adults with Fictitia",
     "Family history of fictional heart disease (under 70 years of age in male relatives)"),
    ("First symptoms of Fictitia came on at 50 years of age or younger", "None"),
])
def test_an_age_that_is_no_limit_on_who_may_join(inclusion: str, exclusion: str) -> None:
    fields = {"minimum_age": "18 Years", "maximum_age": "80 Years"}
    assert screen(Profile(age=62), inclusion, exclusion, **fields)["verdict"] == "fits"


def test_an_and_over_before_another_number_is_no_lower_limit() -> None:
    assert age_statements("Patients under 18 years and over 70 of age") == []
    assert [(s.low, s.high) for s in age_statements("Aged 18 years and over")] == [
        (18.0, None)]


def test_a_number_said_twice_is_read_once() -> None:
    line = "Residents who are aged nineteen (19) years or older"
    assert [(s.low, s.high) for s in age_statements(line)] == [(19.0, None)]
    assert age_statements(line)[0].line == line  # the record's own words are quoted


def test_a_lower_limit_that_excludes_its_own_number() -> None:
    # "> 85" and "older than 60" among the exclusions leave out 86 and 61, not 85 and 60
    fields = {"minimum_age": "40 Years", "maximum_age": "85 Years"}
    assert screen(Profile(age=85), "Adults with Fictitia", "Age > 85", **fields)[
        "verdict"] == "fits"
    assert screen(Profile(age=70), "Adults with Fictitia", "Aged older than 60", **fields)[
        "verdict"] == "check"
    assert screen(Profile(age=60), "Adults with Fictitia", "Aged older than 60", **fields)[
        "verdict"] == "fits"


def _with_sublist(section: str, parent: str, subitems: list[str]) -> str:
    other = "Exclusion Criteria:\n\n* None\n" if section == "Inclusion" else (
        "Inclusion Criteria:\n\n* Adults with Fictitia\n")
    block = "\n".join(f"    {n}. {line}" for n, line in zip("abc", subitems, strict=False))
    own = f"{section} Criteria:\n\n1. Fictional bone thinning.\n2. {parent}\n\n{block}\n"
    return own + "\n" + other if section == "Inclusion" else other + "\n" + own


def _screen_text(profile: Profile, text: str) -> str:
    study = fictional_study(NCT, "Fictional study 001", **OPEN)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    return str(prescreen(normalize([study]), profile).records()[0]["verdict"])


def test_ages_in_a_list_of_who_is_to_have_a_test_are_no_limit() -> None:
    woman = Profile(age=70, sex="female")
    ages_listed = ["Women 65 or older", "Postmenopausal women under age 65"]
    for section in ("Exclusion", "Inclusion"):
        text = _with_sublist(section, "At the investigator's discretion, the following "
                             "participants may have a fictional bone scan performed:",
                             ages_listed)
        assert _screen_text(woman, text) == "fits", section
    # a list of who is excluded, or of what everyone must have, still speaks to them
    excluded = _with_sublist("Exclusion", "Any of the following:", ages_listed)
    assert _screen_text(woman, excluded) == "check"
    asked = _with_sublist("Inclusion", "Participants must have all of the following:",
                          ["Aged 18 to 60 years", "A fictional scan result"])
    assert _screen_text(woman, asked) == "check"
