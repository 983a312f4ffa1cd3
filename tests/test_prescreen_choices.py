"""What an inclusion leaves to the person's choice and what it asks them to choose from: a
condition named only "with or without" (by an abbreviation in brackets too) is not asked for;
a line asking for one of several alternatives that name diagnoses is.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest
from conftest import criteria_verdict

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


@pytest.mark.parametrize(("inclusion", "expected"), [
    # the abbreviation in brackets is read as the name before it is
    ("Adults with fictitial leg pain with or without low back pain (LBP)", "fits"),
    ("Adults with fictitial leg pain with or without multiple sclerosis (MS)", "fits"),
    # still asked for when it is asked for
    ("Adults with chronic low back pain (LBP)", "check"),
    ("Adults with fictitial leg pain and low back pain (LBP)", "check"),
])
def test_a_condition_named_with_or_without_is_not_asked_for(inclusion: str,
                                                            expected: str) -> None:
    assert criteria_verdict(Profile(age=50, conditions=("ALS",)), "None", inclusion,
                            "NCT99740001") == expected


def test_a_name_in_brackets_is_denied_with_the_words_before_it() -> None:
    # the study's own listed condition, in brackets after its abbreviation
    study = fictional_study("NCT99740005", "Fictional study 005",
                            conditions=["Erectile Dysfunction"])
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Men aged 18 to 50\n* No or mild ED (erectile dysfunction)"
        "\n\nExclusion Criteria:\n\n* None\n")
    row = prescreen(normalize([study]), Profile(age=30, conditions=("ALS",))).records()[0]
    assert row["verdict"] == "fits", row


def test_an_abbreviation_in_brackets_keeps_the_exception_before_it() -> None:
    line = ("Currently taking anticoagulant medications (except for aspirin or "
            "nonsteroidal anti-inflammatory drugs [NSAIDS])")
    assert criteria_verdict(Profile(age=30, medicines=("naproxen",)), line,
                            nct="NCT99740002") == "fits"


_PREGNANCY_CHOICE = (
    "Inclusion Criteria:\n\n* Able to read the consent form\n"
    "* Pregnant women between 20 and 28 weeks of gestation PLUS (either of the following)\n"
    "* At high risk: at least one of a first degree relative with fictitial syndrome, a "
    "previous pregnancy ended early, or a body mass index of 30 or more at the first visit\n"
    "* Gestational diabetes diagnosed in the current pregnancy by an oral glucose test\n"
    "\nExclusion Criteria:\n\n* Fictitial renal syndrome\n")
_INDENTED_CHOICE = (
    "Inclusion Criteria:\n\n* Pregnant women and one of the following:\n"
    "  * Gestational diabetes diagnosed in the current pregnancy\n"
    "  * Hypertension diagnosed in the current pregnancy\n"
    "* Able to read the consent form\n\nExclusion Criteria:\n\n* None\n")


def _pregnant(text: str, *conditions: str) -> dict[str, object]:
    study = fictional_study("NCT99740003", "Fictional study 003")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    profile = Profile(age=29, sex="female", conditions=("pregnant", *conditions))
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("text", "listed"), [
    (_PREGNANCY_CHOICE, "diabetes"), (_INDENTED_CHOICE, "diabetes, hypertension")])
def test_alternatives_under_a_condition_they_share_ask_for_one_of_them(text: str,
                                                                       listed: str) -> None:
    # the pregnancy the parent line asks for is in each alternative too: it is not the choice
    row = _pregnant(text)
    assert row["verdict"] == "check", row
    asks = [r for r in row["reasons"] if "ask for" in r]
    assert len(asks) == 1, asks
    assert asks[0].startswith(f"Check with the study team: the inclusion criteria ask for one "
                              f"of the alternatives they list ({listed}), which you did not "
                              f'mention ("Pregnant women'), asks


@pytest.mark.parametrize("text", [_PREGNANCY_CHOICE, _INDENTED_CHOICE])
def test_their_condition_among_shared_alternatives_answers_them(text: str) -> None:
    row = _pregnant(text, "gestational diabetes")
    assert row["verdict"] == "fits", row


def test_a_choice_of_what_is_no_diagnosis_asks_for_nothing() -> None:
    text = ("Inclusion Criteria:\n\n* Pregnant women PLUS (either of the following)\n"
            "* Living within 30 miles of the fictional clinic at the time of the first visit\n"
            "* Able to come to the clinic every two weeks until the end of the pregnancy\n"
            "\nExclusion Criteria:\n\n* None\n")
    assert _pregnant(text)["verdict"] == "fits"


def test_either_of_the_following_takes_two_items_and_no_more() -> None:
    # a third long item is a requirement of its own, not a third alternative
    text = _PREGNANCY_CHOICE.replace(
        "\n\nExclusion", "\n* Chronic hypertension for at least one year"
        "\n\nExclusion")
    row = _pregnant(text, "gestational diabetes")
    assert row["verdict"] == "check", row
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for hypertension, which you did "
        'not mention ("Chronic hypertension for at least one year")']


def test_a_choice_says_nothing_its_parent_line_already_asks() -> None:
    study = fictional_study("NCT99740004", "Fictional study 004",
                            conditions=["Fictitial Syndrome"])
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Followed for fictitial syndrome at one of the following "
        "clinics:\n  * The Fictitial Syndrome Centre North\n  * The Fictitial Syndrome "
        "Centre South\n\nExclusion Criteria:\n\n* None\n")
    row = prescreen(normalize([study]), Profile(age=50, conditions=("ALS",))).records()[0]
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for Fictitial Syndrome, which "
        'you did not mention ("Followed for fictitial syndrome at one of the following '
        'clinics:")']


@pytest.mark.parametrize(("inclusion", "listed"), [
    ("Any of: diabetes, hypertension, or epilepsy", "diabetes, hypertension, epilepsy"),
    ("Diagnosis of one of the following: diabetes; hypertension; epilepsy",
     "diabetes, hypertension, epilepsy"),
    ("Fictitial risk factors, which may include: obesity, depression or diabetes",
     "obesity, depression, diabetes"),
    ("Patient with at least one vascular disease: hypertension or atrial fibrillation",
     "hypertension, atrial fibrillation"),
])
def test_a_list_after_a_colon_offers_alternatives(inclusion: str, listed: str) -> None:
    row = _choice(inclusion, "ALS")
    assert row["verdict"] == "check", row
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for one of the alternatives "
        f'they list ({listed}), which you did not mention ("{inclusion}")']


@pytest.mark.parametrize("inclusion", [
    "Any of: diabetes, hypertension, or epilepsy",
    "A fictitial disease that meets the criteria, which includes: arthritis, Fictitia, "
    "erectile dysfunction, and neurodegenerative disease such as Parkinson's or diabetes",
])
def test_their_condition_in_a_list_after_a_colon_answers_it(inclusion: str) -> None:
    assert _choice(inclusion, "diabetes")["verdict"] == "fits"


@pytest.mark.parametrize(("inclusion", "listed"), [
    # examples without a colon offer the same choice as after one
    ("Fictitial risk factors such as obesity, hypertension or diabetes",
     "obesity, hypertension, diabetes"),
    ("At least one fictitial risk factor, including obesity, hypertension or diabetes",
     "obesity, hypertension, diabetes"),
    ("Adults with a fictitial risk factor (e.g. obesity, hypertension, diabetes) for a year",
     "obesity, hypertension, diabetes"),
])
def test_examples_without_a_colon_offer_alternatives(inclusion: str, listed: str) -> None:
    row = _choice(inclusion, "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for one of the alternatives "
        f'they list ({listed}), which you did not mention ("{inclusion}")']


@pytest.mark.parametrize("inclusion", [
    "No contraindication to fictitial therapy such as inflammatory bowel disease, pregnancy, "
    "etc.",
    "No contraindication to fictitial therapy, such as: inflammatory bowel disease or "
    "pregnancy",
])
def test_examples_a_line_denies_are_no_choice(inclusion: str) -> None:
    # before, each example read alone was asked for: "one of the alternatives they list
    # (pregnancy)"
    row = _choice(inclusion, "ALS")
    assert (row["verdict"], row["reasons"]) == (
        "fits", ["fits on age and status as far as the record says"])


def test_examples_of_a_condition_the_line_asks_for_are_no_choice() -> None:
    # the examples are causes of the epilepsy asked for, not alternatives to ask for
    line = "Adults with epilepsy of any cause (e.g. after a stroke, or multiple sclerosis)"
    row = _choice(line, "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for epilepsy, which you did "
        f'not mention ("{line}")']


@pytest.mark.parametrize(("inclusion", "listed"), [
    # what the examples are the risk of is neither asked for nor what they are examples of
    ("At least one risk factor for coronary artery disease, such as hypertension, diabetes "
     "or smoking", "hypertension, diabetes"),
    ("At high risk of stroke, such as hypertension, diabetes or atrial fibrillation",
     "hypertension, diabetes, atrial fibrillation"),
    ("Risk factors for Fictitia such as hypertension, diabetes or obesity",
     "hypertension, diabetes, obesity"),
])
def test_examples_of_a_risk_offer_alternatives(inclusion: str, listed: str) -> None:
    # before: "ask for coronary artery disease", "ask for stroke", "ask for Fictitia"
    row = _choice(inclusion, "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for one of the alternatives "
        f'they list ({listed}), which you did not mention ("{inclusion}")']


def test_someone_with_one_of_the_risks_is_answered() -> None:
    row = _choice("At high risk of stroke, such as hypertension, diabetes or atrial "
                  "fibrillation", "diabetes")
    assert row["verdict"] == "fits"


def test_a_condition_named_beside_a_risk_is_still_asked() -> None:
    # "recurrence of" is no risk factor: the line asks for Fictitia itself
    line = "Adults with a high risk of recurrence of Fictitia"
    row = _choice(line, "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for Fictitia, which you did "
        f'not mention ("{line}")']


def test_a_list_including_both_without_or_still_asks_for_each() -> None:
    # "including a and b" may need both: it is not read as a choice
    row = _choice("Fictitial comorbidities including obesity and diabetes", "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for obesity, which you did not "
        'mention ("Fictitial comorbidities including obesity and diabetes")',
        "Check with the study team: the inclusion criteria ask for diabetes, which you did "
        'not mention ("Fictitial comorbidities including obesity and diabetes")']


def test_at_least_1_of_the_following_offers_a_choice() -> None:
    text = "At least 1 of the following:\n  * Hypertension\n  * Epilepsy"
    row = _choice(text, "ALS")
    assert [r for r in row["reasons"] if "ask for" in r] == [
        "Check with the study team: the inclusion criteria ask for one of the alternatives "
        'they list (hypertension, epilepsy), which you did not mention ("At least 1 of the '
        'following:")']


def _choice(inclusion: str, condition: str) -> dict[str, object]:
    study = fictional_study("NCT99740006", "Fictional study 006", conditions=["Fictitia"])
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* Adults aged 18 or over\n* {inclusion}\n\n"
        "Exclusion Criteria:\n\n* None\n")
    profile = Profile(age=50, conditions=(condition,))
    return dict(prescreen(normalize([study]), profile).records()[0])
