"""Pre-screen verdicts that an audit of muscle, nerve and autoimmune profiles (spasms and
cramps, muscle relaxants, steroids, lupus, low calcium) found at odds with a study's own
text: each test holds one pattern, on fictional records in the API's shape.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    study = fictional_study("NCT99710001", "Fictional study 001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    rows = prescreen(normalize([study]), profile).records()
    return str(rows[0]["verdict"])


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(medicines=("steroids",)), "Current treatment with prednisone"),
    (Profile(medicines=("steroids",)), "Systemic corticosteroids within 4 weeks"),
    (Profile(conditions=("muscle cramps",)), "Nocturnal leg cramp requiring treatment"),
    (Profile(conditions=("spasms",)), "Painful muscle spasm of the neck"),
    (Profile(conditions=("seizures",)), "History of epilepsy"),
])
def test_a_name_typed_in_the_plural_is_looked_for_by_all_its_names(profile: Profile,
                                                                    line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "inclusion"), [
    (Profile(medicines=("prednisone",)),
     "Not having received an injection or oral prednisone in the past 3 months"),
    (Profile(medicines=("baclofen",)), "Has not received baclofen for the fictitial spasm"),
    (Profile(medicines=("tizanidine",)), "Not requiring tizanidine during the study"),
    (Profile(medicines=("Flexeril",)),
     "Not taking any medicine such as painkillers, sleeping pills, anti-inflammatory drugs "
     "or muscle relaxants for the fictitial ache"),
])
def test_an_inclusion_asking_for_people_without_their_medicine(profile: Profile,
                                                              inclusion: str) -> None:
    assert verdict(profile, "None", inclusion) == "check"


def test_a_list_of_examples_with_no_negation_before_it_still_names_their_medicine() -> None:
    taking = "Taking any medicine such as painkillers, anti-inflammatory drugs or baclofen"
    assert verdict(Profile(medicines=("baclofen",)), "None", taking) == "fits"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("lupus",)), "Uncontrolled infection or connective tissue disease"),
    (Profile(conditions=("scleroderma",)), "History of collagen vascular disease"),
    (Profile(conditions=("Sjogren's syndrome",)), "Active autoimmune disease"),
    (Profile(conditions=("hypocalcemia",)), "Uncorrected electrolyte disorders"),
    (Profile(conditions=("hypocalcemia",)), "Symptomatic hypocalcaemia"),
    (Profile(conditions=("thiamine deficiency",)), "Known vitamin deficiency"),
    (Profile(conditions=("vitamin E deficiency",)), "Any vitamin deficiency at screening"),
    (Profile(medicines=("apixaban",)), "Anticoagulating medicine that cannot be paused"),
    (Profile(conditions=("ALS",)), "Known muscle disease that may alter strength tests"),
    (Profile(conditions=("myasthenia gravis",)), "History of a muscular disorder"),
    (Profile(conditions=("lupus",)), "History of rheumatological diseases"),
    (Profile(conditions=("rheumatoid arthritis",)), "Any rheumatic disease"),
    (Profile(conditions=("multiple sclerosis",)), "Chronic inflammatory disease"),
    (Profile(conditions=("lupus",)), "Current systemic immunologic disorders (e.g. psoriasis)"),
])
def test_classes_and_names_of_the_muscle_and_autoimmune_topics(profile: Profile,
                                                               line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("vitamin B1 deficiency",)), "Hypovitaminosis D under treatment"),
    (Profile(conditions=("hypocalcemia",)), "Patients on a low calcium diet"),
    (Profile(conditions=("scleroderma",)), "Multiple sclerosis"),
    (Profile(conditions=("lupus",)), "History of rheumatic heart disease"),
    (Profile(conditions=("multiple sclerosis",)), "Spinal inflammatory disease or infection"),
    (Profile(conditions=("lupus",)), "Heel pain from inflammatory conditions such as gout"),
])
def test_names_of_the_new_topics_that_mean_something_else(profile: Profile,
                                                          line: str) -> None:
    assert verdict(profile, line) == "fits"


def test_their_condition_named_as_the_cause_of_another_still_asks_for_the_other() -> None:
    study = fictional_study("NCT99710002", "Fictional study 002",
                            conditions=["Fictitial Lung Disease"])
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Fictitial lung disease of any cause, such as connective "
        "tissue disease-associated fictitial lung disease\n\nExclusion Criteria:\n\n* None\n")
    row = prescreen(normalize([study]), Profile(conditions=("lupus",))).records()[0]
    assert row["verdict"] == "check"
    assert row["reasons"][0] == (
        "Check with the study team: the inclusion criteria ask for Fictitial Lung Disease, "
        "which you did not mention (\"Fictitial lung disease of any cause, such as connective "
        "tissue disease-associated fictitial lung disease\")")


def _ageless(inclusion: str, exclusion: str) -> dict[str, object]:
    study = fictional_study("NCT99710003", "Fictional study 003", minimum_age=None)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return study


@pytest.mark.parametrize(("age", "inclusion", "exclusion", "expected"), [
    # the exclusion's age holds only with stage IV; the inclusion's holds them
    (12, "Patients must be >= 11 and < 25 years of age at enrollment",
     "Poor-risk fictitial tumour (age >= 11 years old and stage IV disease)", "fits"),
    (40, "Patients must be >= 11 and < 25 years of age at enrollment",
     "Poor-risk fictitial tumour (age >= 11 years old and stage IV disease)", "check"),
    # with no inclusion age that holds them, a joined exclusion still counts: a child in a
    # study for adults is never made to fit by it
    (12, "Adults with Fictitia", "Age under 18 and unable to swallow tablets", "check"),
    (12, "Adults aged 18 to 65", "Age under 18 and unable to swallow tablets", "check"),
    (30, "Adults with Fictitia", "Age under 18 and unable to swallow tablets", "fits"),
])
def test_an_excluded_age_joined_to_another_condition(age: float, inclusion: str,
                                                    exclusion: str, expected: str) -> None:
    rows = prescreen(normalize([_ageless(inclusion, exclusion)]), Profile(age=age)).records()
    assert rows[0]["verdict"] == expected


def test_their_condition_named_as_the_cause_of_something_is_not_asked_of_them() -> None:
    study = fictional_study("NCT99710004", "Fictional study 004")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Planned for cancer-related surgery\n\n"
        "Exclusion Criteria:\n\n* None\n")
    row = prescreen(normalize([study]), Profile(conditions=("cancer",))).records()[0]
    assert row["verdict"] == "fits"


@pytest.mark.parametrize(("inclusion", "expected"), [
    ("Female or male patients aged 18 or over with Fictitia", "check"),
    ("Men and women with Fictitia of any kind", "check"),
    ("Adults of either sex with Fictitia", "check"),
    # the sexes of a relative say nothing of who may join
    ("A relative (female or male) with Fictitia before 50", "no"),
    ("Male and female participants of childbearing potential must use contraception", "no"),
    # ("Assigned female at birth, of any gender": no "both sexes", but a question all the
    # same, test_prescreen_gender_identity.py)
    ("Women with Fictitia", "no"),
])
def test_a_sex_field_its_own_criteria_contradict_is_check_not_no(inclusion: str,
                                                                 expected: str) -> None:
    study = fictional_study("NCT99710005", "Fictional study 005", sex="FEMALE")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* None\n")
    row = prescreen(normalize([study]), Profile(age=40, sex="male")).records()[0]
    assert row["verdict"] == expected
    if expected == "check":
        assert row["reasons"] == [
            "the record says it is open to women only, but its criteria take both sexes "
            f'("{inclusion}"): ask the study team']
