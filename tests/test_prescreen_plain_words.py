"""Plain words the pre-screen once read as nothing: pregnancy said as "expecting", headings
written as questions or sentences for the public, a medicine asked of someone who gave only
medicines, and the sentences shown for lines on pregnancy and menopause.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.eligibility import split_criteria
from trialfinder.tables.prescreen import Profile, prescreen

PREGNANT = Profile(age=30, sex="female", conditions=("pregnancy",))


def screened(profile: Profile, criteria: str) -> dict[str, Any]:
    study = fictional_study("NCT99740001", "Fictional study 001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    return dict(prescreen(normalize([study]), profile).records()[0])


def sectioned(inclusion: str, exclusion: str) -> str:
    return f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n"


@pytest.mark.parametrize("line", [
    "Women who are expecting a baby",
    "Expectant mothers",
    "Currently expecting or breastfeeding",
    "Females who are nursing or expecting",
    "Mothers-to-be",
])
def test_expecting_is_pregnancy(line: str) -> None:
    found = screened(PREGNANT, sectioned("Adults with Fictitia", line))
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        f'Check with the study team: the exclusion criteria mention pregnancy ("{line}")']


@pytest.mark.parametrize("line", [
    "Expecting to undergo fictitial surgery within 3 months",
    "Currently expecting to conceive within a year",
    "Life expectancy under 6 months",
    "Expectant management of the fictitial ache",
])
def test_expecting_something_else_is_not_pregnancy(line: str) -> None:
    assert screened(PREGNANT, sectioned("Adults with Fictitia", line))["verdict"] == "fits"


@pytest.mark.parametrize(("text", "inclusion", "exclusion"), [
    ("Who can take part?\n\n* Adults with Fictitia\n\nWho cannot take part?\n\n"
     "* Pregnant women\n", ["Adults with Fictitia"], ["Pregnant women"]),
    ("Who can take part\n- Adults with Fictitia\nWho can't take part\n- Pregnant women\n",
     ["Adults with Fictitia"], ["Pregnant women"]),
    ("Who can take part in this study?\n\n* Adults with Fictitia\n\n"
     "Who cannot take part in this study?\n\n* Pregnant women\n",
     ["Adults with Fictitia"], ["Pregnant women"]),
    ("You may be able to join if\n\n* You are an adult with Fictitia\n\nYou cannot join if\n\n"
     "* You are pregnant\n", ["You are an adult with Fictitia"], ["You are pregnant"]),
    ("You can take part if:\n* You are an adult with Fictitia\n"
     "You will not be able to take part if:\n* You are pregnant\n",
     ["You are an adult with Fictitia"], ["You are pregnant"]),
    ("**You may not be able to join if**\n\n* You are pregnant\n", [], ["You are pregnant"]),
])
def test_headings_in_plain_words_without_a_colon(text: str, inclusion: list[str],
                                                 exclusion: list[str]) -> None:
    parts = split_criteria(text)
    assert [item for _, item in parts.inclusion] == inclusion
    assert [item for _, item in parts.exclusion] == exclusion
    assert screened(PREGNANT, text)["verdict"] == "check"


@pytest.mark.parametrize("line", [
    "You can join if you are 18 or over",
    "Who can take part in decisions about their care",
])
def test_a_sentence_about_joining_stays_an_item(line: str) -> None:
    parts = split_criteria(f"Inclusion Criteria:\n\n{line}\n\nExclusion Criteria:\n\n* None\n")
    assert [item for _, item in parts.inclusion] == [line]


@pytest.mark.parametrize(("profile", "expected"), [
    # they said what they take: a medicine the text asks for that is not theirs is a question
    (Profile(age=50, medicines=("ibuprofen",)), "check"),
    (Profile(age=50, medicines=("Glucophage",)), "fits"),
    # they gave no medicine and no condition: the text is not read for what they did not say,
    # as for a diagnosis
    (Profile(age=50), "fits"),
])
def test_a_medicine_the_inclusion_asks_for(profile: Profile, expected: str) -> None:
    found = screened(profile, sectioned("On stable metformin therapy for 3 months", "None"))
    assert found["verdict"] == expected
    if expected == "check":
        assert found["reasons"] == [
            "Check with the study team: the inclusion criteria ask for metformin, which you "
            'did not mention ("On stable metformin therapy for 3 months")']


@pytest.mark.parametrize("inclusion", [
    # a lab limit excepting those on a medicine, a permission, a time since, a choice
    "INR <= 1.5 x ULN unless the participant is receiving anticoagulant therapy",
    "PT <= 1.5 x ULN, except for patients receiving anticoagulation",
    "For patients receiving therapeutic anticoagulation: a stable anticoagulant regimen",
    "Participants may be receiving corticosteroids at up to 8 mg of dexamethasone a day",
    "More than 6 months since receiving botulinum toxin injections",
    "Not required to have received systemic corticosteroids",
    "Off corticosteroids, or treated with a maximum daily dose of 4 mg of dexamethasone",
    "Agrees not to start taking new dietary supplements during the study",
    "Untreated for hypertension, or on stable antihypertensive medications for 30 days",
    "Diabetes treated with diet alone or with oral antidiabetic agents",
    # a condition about a medicine, not the medicine taken
    "Interest in using a fictitial app for opioid use disorder",
    "Using a fictitial device, with no metformin-associated lactic acidosis",
])
def test_a_line_that_does_not_ask_them_to_take_a_medicine(inclusion: str) -> None:
    for profile in (Profile(age=50, medicines=("ibuprofen",)),
                    Profile(age=50, conditions=("ALS",))):
        asked = [r.split(", which you did not mention")[0].rsplit("ask for ", 1)[-1]
                 for r in screened(profile, sectioned(inclusion, "None"))["reasons"]
                 if "which you did not mention" in r]
        assert not [name for name in asked if name in _MEDICINES], (profile, asked)


_MEDICINES = {"anticoagulants", "corticosteroids", "dexamethasone", "botulinum toxin",
              "dietary supplements", "antihypertensives", "antidiabetic medicines", "opioids",
              "metformin"}


@pytest.mark.parametrize(("typed", "line", "state"), [
    ("pregnant", "Negative serum pregnancy test at screening", "pregnant"),
    ("pregnancy", "Premenopausal women must have a negative pregnancy test", "pregnant"),
    ("lactating", "Not breastfeeding at screening", "breastfeeding"),
])
def test_a_negated_state_is_said_plainly(typed: str, line: str, state: str) -> None:
    found = screened(Profile(age=30, sex="female", conditions=(typed,)),
                     sectioned(line, "None"))
    assert found["reasons"] == [
        f"Check with the study team: the inclusion criteria ask for people who are not {state} "
        f'("{line}")']


@pytest.mark.parametrize("line", [
    "Premenopausal, patient must be willing to comply with pregnancy requirements",
    "Women of childbearing potential must use contraception to avoid pregnancy",
    "Unless postmenopausal for 12 months, agrees to use birth control to prevent pregnancy",
])
def test_rules_to_avoid_pregnancy_are_a_question_for_someone_pregnant(line: str) -> None:
    found = screened(PREGNANT, sectioned(line, "None"))
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the inclusion criteria set rules for people who could "
        f'become pregnant (tests, birth control), which may not allow a pregnancy ("{line}")']


@pytest.mark.parametrize("line", [
    "Fictitial ache in a previous pregnancy, with a history of unmet contraceptive needs",
    "Pregnant women offered contraceptive counselling at the fictional clinic",
])
def test_a_need_for_contraception_is_no_rule_against_pregnancy(line: str) -> None:
    # a need or a service, not a rule for people who could become pregnant: nothing to ask
    found = screened(PREGNANT, sectioned(line, "None"))
    assert found["verdict"] == "fits", found
    assert not any("birth control" in r for r in found["reasons"]), found


@pytest.mark.parametrize("line", [
    "Pregnant women at 20 to 30 weeks",
    "Women with a positive pregnancy test and fictitial ache",
])
def test_an_inclusion_asking_for_pregnancy_still_names_it(line: str) -> None:
    found = screened(PREGNANT, sectioned(line, "None"))
    assert found["verdict"] == "fits"
    assert found["reasons"][1] == f'the inclusion criteria name pregnancy ("{line}")'


def test_a_line_outside_both_lists_keeping_pregnant_women_out_says_so() -> None:
    line = "Pregnant women may not take part; women who could become pregnant use birth control"
    found = screened(PREGNANT, f"{line}\n")
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        f'Check with the study team: the criteria mention pregnancy ("{line}")']
