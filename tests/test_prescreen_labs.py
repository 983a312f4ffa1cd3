"""Lab limits that concern a person without naming their medicine or condition: "INR > 1.5"
for someone on warfarin, "eGFR < 30" for someone with kidney disease, "ALT > 3 x ULN" for
someone with liver disease (the vocabulary's [[lab]] tables).

Every criteria line and record here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.labs import _lab, lab_names, labs
from trialfinder.tables.prescreen.verdict import mention_phrase


def screen_one(profile: Profile, inclusion: str = "Adults", exclusion: str = "Pregnancy"
               ) -> dict[str, Any]:
    record = fictional_study("NCT99810001", "Fictional lab-limit study")
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    [row] = prescreen(normalize([record]), profile).records()
    return row


@pytest.mark.parametrize("medicine", ["warfarin", "Coumadin", "apixaban", "Xarelto",
                                      "dabigatran", "edoxaban", "enoxaparin"])
@pytest.mark.parametrize("line", ["INR > 1.5", "PT/INR above the upper limit of normal",
                                  "International normalised ratio of 1.4 or more",
                                  "aPTT > 1.5 x ULN", "Known coagulopathy"])
def test_a_clotting_limit_under_exclusion_is_check_for_an_anticoagulant(
        medicine: str, line: str) -> None:
    record = screen_one(Profile(medicines=(medicine,)), exclusion=line)
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert mention["section"] == "exclusion" and mention["match"].startswith('lab "clotting')
    assert record["reasons"][0].startswith(
        f"Check with the study team: the exclusion criteria name {mention['found']}, ")
    assert record["reasons"][0].endswith(f'("{line}")')


def test_the_reason_says_what_the_test_is_to_the_person() -> None:
    record = screen_one(Profile(medicines=("warfarin",)), exclusion="INR > 1.5")
    assert record["reasons"] == [
        "Check with the study team: the exclusion criteria name INR, a clotting test that "
        'your warfarin changes ("INR > 1.5")']
    [mention] = record["mentions"]
    assert mention_phrase(mention) == "names INR, a clotting test that your warfarin changes"


def test_a_limit_under_inclusion_rules_out_as_surely_and_is_check() -> None:
    record = screen_one(Profile(medicines=("warfarin",)), inclusion="INR ≤ 1.5 within 7 days")
    assert record["verdict"] == "check"
    assert record["reasons"] == [
        "Check with the study team: the inclusion criteria name INR, a clotting test that "
        'your warfarin changes ("INR ≤ 1.5 within 7 days")']


def test_a_limit_in_a_text_without_headings_is_check() -> None:
    record = fictional_study("NCT99810002", "Fictional study without headings")
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Adults aged 18 or over\nINR below 1.5\n")
    [row] = prescreen(normalize([record]), Profile(medicines=("apixaban",))).records()
    assert row["verdict"] == "check"
    assert row["mentions"][0]["section"] == "other"


@pytest.mark.parametrize("line", [
    "INR > 1.5 unless on stable anticoagulant therapy",
    "INR > 1.5, except in patients taking warfarin with a target INR of 2-3",
])
def test_a_line_that_excepts_their_medicine_by_name_or_class_is_a_note(line: str) -> None:
    record = screen_one(Profile(medicines=("warfarin",)), exclusion=line)
    assert record["verdict"] == "fits"
    [mention] = record["mentions"]
    assert mention["exception"] is True and not mention["match"].startswith("lab")


def test_a_line_naming_their_class_is_read_by_the_usual_rules() -> None:
    record = screen_one(Profile(medicines=("warfarin",)),
                        exclusion="Receiving vitamin K antagonists (INR > 1.5)")
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert mention["match"] == 'class "vitamin K antagonists"'


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(medicines=("ibuprofen",)), "INR > 1.5"),  # no anticoagulant
    (Profile(medicines=("aspirin",)), "aPTT > 1.5 x ULN"),  # antiplatelet, not anticoagulant
    (Profile(conditions=("CKD",)), "EGFR mutation on tumour testing"),  # a gene, in capitals
    (Profile(conditions=("asthma",)), "ALT > 3 x ULN"),
])
def test_a_lab_limit_leaves_others_alone(profile: Profile, line: str) -> None:
    record = screen_one(profile, exclusion=line)
    assert (record["verdict"], record["mentions"]) == ("fits", [])


@pytest.mark.parametrize(("inclusion", "exclusion", "found"), [
    ("Adults", "eGFR < 30 mL/min/1.73 m2", "eGFR"),
    ("Adults", "Creatinine clearance below 30 mL/min", "Creatinine clearance"),
    ("Adults", "Serum creatinine > 2.0 mg/dL", "Serum creatinine"),
    ("Adequate renal function", "Pregnancy", "renal function"),
    ("Estimated glomerular filtration rate of 45 or more", "Pregnancy",
     "Estimated glomerular filtration rate"),
])
def test_a_kidney_limit_is_check_for_kidney_disease(inclusion: str, exclusion: str,
                                                    found: str) -> None:
    record = screen_one(Profile(conditions=("chronic kidney disease",)), inclusion, exclusion)
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert (mention["found"], mention["match"]) == (found, 'lab "kidney tests"')
    assert "a kidney test your chronic kidney disease may put outside its limits" in (
        record["reasons"][0])


@pytest.mark.parametrize("condition", ["cirrhosis", "liver disease", "hepatitis C"])
def test_a_liver_limit_is_check_for_liver_disease(condition: str) -> None:
    record = screen_one(Profile(conditions=(condition,)),
                        exclusion="ALT or AST > 3 x ULN, or total bilirubin > 1.5 x ULN")
    assert record["verdict"] == "check"
    assert "a liver test your" in record["reasons"][0]


def test_a_lab_never_makes_a_study_no() -> None:
    record = screen_one(Profile(medicines=("warfarin",), conditions=("CKD",)),
                        inclusion="INR below 1.5 and eGFR above 60",
                        exclusion="Creatinine clearance < 30 mL/min; INR > 1.5")
    assert record["verdict"] == "check" and len(record["mentions"]) == 4


def test_labs_name_only_entries_that_exist_and_concern_their_classes() -> None:
    assert {lab.name for lab in labs()} >= {"clotting tests", "kidney tests", "liver tests"}
    # the class of a class: a DOAC is an anticoagulant, warfarin a vitamin K antagonist
    assert {n.text for n in lab_names("Eliquis", "medicine")} >= {"INR", "aPTT"}
    assert {n.text for n in lab_names("acenocoumarol", "medicine")} >= {"INR"}
    assert lab_names("clopidogrel", "medicine") == ()
    assert lab_names("something unknown", "condition") == ()


@pytest.mark.parametrize(("raw", "message"), [
    ({"name": "x", "about": "{term}", "medicines": ["no such medicine"]}, "no medicine"),
    ({"name": "x", "about": "a test"}, "about must hold"),
    ({"name": "x", "about": "{term}", "units": ["mg"]}, "unknown fields"),
    ({"about": "{term}"}, "has no name"),
])
def test_a_malformed_lab_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _lab(raw)


@pytest.mark.parametrize("condition", ["cancer", "breast cancer", "prostate cancer"])
@pytest.mark.parametrize("line", ["Known fictional brain metastases",
                                  "Metastatic disease at the fictional screening scan",
                                  "Any distant metastasis"])
def test_metastases_under_exclusion_are_check_for_cancer(condition: str, line: str) -> None:
    # a line about cancer that has spread names no cancer: someone with cancer may have it
    record = screen_one(Profile(conditions=(condition,)), exclusion=line)
    assert record["verdict"] == "check"
    assert f"which your {condition} may have" in " ".join(record["reasons"])
    # and someone without cancer is not asked about it
    assert screen_one(Profile(conditions=("asthma",)), exclusion=line)["verdict"] == "fits"


@pytest.mark.parametrize("line", [
    "Fictional enzyme A <= 3 x ULN (or <= 5 x ULN if liver metastases)",
    "Fictional enzyme B ≤ 2.5 × ULN (≤ 5 × ULN for patients with known liver metastases)",
    "Fictional enzyme C within normal range, or up to 3 times the upper limit of normal in "
    "case of hepatic metastases",
])
def test_metastases_easing_another_tests_limit_are_no_question(line: str) -> None:
    # the line's limit is the enzyme's, for everyone; metastases only widen it
    for section in ("inclusion", "exclusion"):
        lines = {section: line}
        record = screen_one(Profile(conditions=("cancer",)), **lines)
        assert record["verdict"] == "fits", (section, record["reasons"])


@pytest.mark.parametrize("line", [
    "Fictional enzyme A <= 3 x ULN if liver metastases; no active brain metastases",
    "Fictional enzyme A <= 3 x ULN; brain metastases",
    "Liver metastases with fictional enzyme A > 5 x ULN",
])
def test_metastases_beside_a_limit_but_not_easing_it_stay_a_question(line: str) -> None:
    record = screen_one(Profile(conditions=("cancer",)), exclusion=line)
    assert record["verdict"] == "check"
    assert "which your cancer may have" in " ".join(record["reasons"])
