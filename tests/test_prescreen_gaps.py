"""Pre-screen verdicts that an audit over many profiles found at odds with a study's own text:
each test holds one pattern, on fictional records in the API's shape.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def record(nct: str, criteria: str, **options: Any) -> dict[str, Any]:
    study = fictional_study(nct, f"Fictional study {nct[-3:]}", **options)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    return study


def sectioned(inclusion: str, exclusion: str) -> str:
    return f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n"


def screen(profile: Profile, *studies: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["nct_id"]: r for r in prescreen(normalize(list(studies)), profile).records()}


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    study = record("NCT99700001", sectioned(inclusion, exclusion))
    return str(screen(profile, study)["NCT99700001"]["verdict"])


def test_a_healthy_volunteer_and_a_record_silent_on_healthy_volunteers_is_check() -> None:
    silent = record("NCT99700002", sectioned("Adults with Fictitia for a year", "None"),
                    healthy_volunteers=True)
    del silent["protocolSection"]["eligibilityModule"]["healthyVolunteers"]
    taking = record("NCT99700003", sectioned("Healthy adults", "None"), healthy_volunteers=True)
    found = screen(Profile(age=30, healthy_volunteer=True), silent, taking)
    assert found["NCT99700002"]["verdict"] == "check"
    assert found["NCT99700002"]["reasons"] == [
        "the record does not say whether it takes healthy volunteers: ask the study team"]
    assert found["NCT99700003"]["verdict"] == "fits"


@pytest.mark.parametrize("line", [
    "Pregnant or lactating women", "Women who are pregnant or nursing",
    "Breast feeding at screening", "Pregnancy or lactation",
])
def test_breastfeeding_by_its_other_names(line: str) -> None:
    assert verdict(Profile(sex="female", conditions=("breastfeeding",)), line) == "check"


def test_a_line_asks_once_for_a_listed_condition_and_its_longer_name() -> None:
    study = record("NCT99700009", sectioned("Diagnosis of chronic fictitial ache", "None"),
                   conditions=["Chronic Fictitial Ache", "Fictitial Ache"])
    found = screen(Profile(age=40, conditions=("ALS",)), study)["NCT99700009"]
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the inclusion criteria ask for Chronic Fictitial Ache, "
        'which you did not mention ("Diagnosis of chronic fictitial ache")']


def test_nursing_as_care_is_not_breastfeeding() -> None:
    nursing = Profile(sex="female", conditions=("breastfeeding",))
    assert verdict(nursing, "Residents of nursing homes") == "fits"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("multiple sclerosis",)), "Active autoimmune or inflammatory disorders"),
    (Profile(conditions=("myasthenia gravis",)), "Systemic autoimmune disease of any kind"),
    (Profile(conditions=("atrial fibrillation",)), "Unstable angina or cardiac arrhythmia"),
    (Profile(medicines=("ibuprofen",)), "Regular use of analgesics"),
    (Profile(medicines=("ibuprofen",)), "Continuous use of pain medication"),
    (Profile(conditions=("chronic kidney disease",)), "Severe renal dysfunction"),
    (Profile(conditions=("chronic kidney disease",)), "On chronic dialysis"),
    (Profile(conditions=("hypomagnesaemia",)), "Uncorrected hypomagnesemia"),
    (Profile(conditions=("hypomagnesemia",)), "Uncorrected electrolyte imbalance"),
    (Profile(conditions=("vitamin D deficiency",)), "Known hypovitaminosis D"),
    (Profile(medicines=("caffeine",)), "More than 4 cups of coffee a day"),
    (Profile(conditions=("cancer",)), "Active neoplasm"),
])
def test_classes_and_names_the_vocabulary_lacked(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("multiple sclerosis",)), "Autoimmune hepatitis"),
    (Profile(conditions=("atrial fibrillation",)), "Ventricular arrhythmias"),
    (Profile(conditions=("cancer",)), "Benign neoplasms of the skin"),
])
def test_a_named_disease_is_not_its_class(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "fits"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("cancer",)), "Patients with other malignancies"),
    (Profile(conditions=("pregnancy",)), "Multiple pregnancies"),
])
def test_a_name_ending_in_y_in_the_plural(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(sex="female", conditions=("pregnancy",)), "Not pregnant or nursing"),
    (Profile(sex="female", conditions=("breastfeeding",)), "Not pregnant or nursing"),
    (Profile(conditions=("diabetes",)),
     "No serious illness (e.g., heart failure or uncontrolled diabetes)"),
])
def test_a_negation_before_a_short_list_or_an_examples_bracket(profile: Profile,
                                                               line: str) -> None:
    # a text with no headings, as older records write it: a line asking for absence
    study = record("NCT99700004", f"PATIENT CHARACTERISTICS:\n\nOther:\n\n* {line}\n")
    found = screen(profile, study)["NCT99700004"]
    assert found["verdict"] == "check"
    assert found["mentions"][0]["negated"] is True


def test_an_examples_bracket_after_a_plain_name_is_not_negated() -> None:
    diabetes = Profile(conditions=("diabetes",))
    study = record("NCT99700005", sectioned("Diabetes (e.g. type 2) for a year", "None"))
    assert screen(diabetes, study)["NCT99700005"]["verdict"] == "fits"


def _aged(nct: str, inclusion: str, exclusion: str = "None", **ages: Any) -> dict[str, Any]:
    study = record(nct, sectioned(inclusion, exclusion), **ages)
    return study


@pytest.mark.parametrize(("age", "inclusion", "exclusion", "expected"), [
    (8, "Adults aged 18-65 with Fictitia", "None", "check"),
    (16, "Adults 18 years or older", "None", "check"),
    (17.9, "AGE: 18 and over", "None", "check"),
    (18, "Adults 18 years or older", "None", "fits"),
    (8, "Age 10-17 years", "None", "check"),
    (82, "Men and women between ages 18-72", "None", "check"),
    (72.5, "Men and women between ages 18-72", "None", "fits"),
    (65, "Adults under 65 years old", "None", "check"),
    (8, "Adults with Fictitia", "Age under 18 years", "check"),
    (30, "Adults with Fictitia", "Age under 18 years", "fits"),
    # cohorts: one that holds the age is enough
    (16, "Cohort A: aged 12-17; Cohort B: aged 18-40", "None", "fits"),
    # ages of something else
    (8, "Fictitia diagnosed before age 18-25 years", "None", "fits"),
    (8, "Parents of children aged 2-5 years", "None", "fits"),
    (8, "Fictitia for 10 to 20 years", "None", "fits"),
    # a condition on the age, the age of one arm, a definition of childbearing potential
    (40, "Able to consent; if under 18 years of age, assent as well", "None", "fits"),
    (40, "Adults with Fictitia", "Subjects age 11 and older: unable to swallow", "fits"),
    (40, "Paediatric arm: aged 2 to 11 years", "None", "fits"),
    (40, "Adults with Fictitia",
     "Women of childbearing potential (under 50 years of age) without contraception", "fits"),
])
def test_an_age_stated_in_the_text_where_the_fields_give_none(
        age: float, inclusion: str, exclusion: str, expected: str) -> None:
    study = _aged("NCT99700010", inclusion, exclusion, minimum_age=None)
    found = screen(Profile(age=age), study)["NCT99700010"]
    assert found["verdict"] == expected
    if expected == "check":
        assert found["reasons"][0].startswith(
            "Check with the study team: the record's age fields leave it open, but its "
            f"criteria give an age {age:g} may be outside")


def test_a_stated_age_counts_where_it_asks_for_less_than_the_fields() -> None:
    # the fields give 18 and over: the text's upper end says more than they do
    both = _aged("NCT99700011", "Adults aged 18-65", minimum_age="18 Years")
    assert screen(Profile(age=70), both)["NCT99700011"]["verdict"] == "check"
    # fields of 18 to 75 hold 70, but the text asks for 18 to 65: "fits" would contradict it
    closed = _aged("NCT99700012", "Adults aged 18-65", minimum_age="18 Years",
                   maximum_age="75 Years")
    found = screen(Profile(age=70), closed)["NCT99700012"]
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the record's age fields say 18 to 75 years, but its "
        'criteria give an age 70 may be outside ("Adults aged 18-65")']
    assert screen(Profile(age=60), closed)["NCT99700012"]["verdict"] == "fits"
    # an exclusion of an age the fields hold: "Age over 70" under fields of 18 to 80
    excluded = _aged("NCT99700015", "Adults with Fictitia", "Age over 70 years",
                     minimum_age="18 Years", maximum_age="80 Years")
    assert screen(Profile(age=75), excluded)["NCT99700015"]["verdict"] == "check"
    assert screen(Profile(age=50), excluded)["NCT99700015"]["verdict"] == "fits"


def test_less_than_a_year_past_the_upper_age_field_is_check_not_no() -> None:
    study = _aged("NCT99700013", "Adults with Fictitia", minimum_age="18 Years",
                  maximum_age="65 Years")
    found = screen(Profile(age=65.5), study)["NCT99700013"]
    assert found["verdict"] == "check"
    assert found["reasons"] == ["age 65.5 is past 18 to 65 years by less than a year: ask the "
                                "study team whether you still count as 65"]
    assert screen(Profile(age=66), study)["NCT99700013"]["verdict"] == "no"
    assert screen(Profile(age=65), study)["NCT99700013"]["verdict"] == "fits"


def test_a_stated_age_in_a_text_written_on_one_line() -> None:
    text = ("Inclusion Criteria: Adults aged 18-65; Fictitia for a year. Exclusion Criteria: "
            "Pregnancy; age under 21 with Fictitia of the eye.")
    study = record("NCT99700014", text, minimum_age=None)
    assert screen(Profile(age=8), study)["NCT99700014"]["verdict"] == "check"
    assert screen(Profile(age=30), study)["NCT99700014"]["verdict"] == "fits"
    # the exclusion's age holds someone 19 only with Fictitia of the eye, which they did not
    # give, and the inclusion lets them in (tests/test_prescreen_topics.py)
    assert screen(Profile(age=19), study)["NCT99700014"]["verdict"] == "fits"


@pytest.mark.parametrize(("typed", "inclusion", "exclusion", "expected", "first"), [
    ("type 1 diabetes", "Adults with T2DM for a year", "None", "check", False),
    ("T2D", "Type 1 diabetes since childhood", "None", "check", False),
    ("type 1 diabetes", "Type 1 or type 2 diabetes", "None", "fits", True),
    ("type 1 diabetes", "Diabetes mellitus of any kind", "None", "fits", True),
    ("type 1 diabetes", "No type 2 diabetes", "None", "fits", False),
    ("type 1 diabetes", "Adults with Fictitia", "Type 2 diabetes", "fits", False),
    ("type 1 diabetes", "Adults with Fictitia", "T1DM on a pump", "check", False),
    ("diabetes", "Adults with T2DM for a year", "None", "fits", True),
])
def test_another_kind_of_their_condition(typed: str, inclusion: str, exclusion: str,
                                         expected: str, first: bool) -> None:
    study = record("NCT99700015", sectioned(inclusion, exclusion))
    found = screen(Profile(conditions=(typed,)), study)["NCT99700015"]
    assert (found["verdict"], found["names_your_condition"]) == (expected, first)


def test_another_kind_is_said_in_words() -> None:
    asks = record("NCT99700016", sectioned("Adults with T2DM for a year", "None"))
    other = record("NCT99700017", sectioned("Adults with Fictitia", "Type 2 diabetes"))
    found = screen(Profile(conditions=("type 1 diabetes",)), asks, other)
    assert found["NCT99700016"]["reasons"] == [
        "Check with the study team: the inclusion criteria ask for T2DM, not your type 1 "
        'diabetes ("Adults with T2DM for a year")']
    assert found["NCT99700017"]["reasons"] == [
        "recruiting", 'the exclusion criteria name Type 2 diabetes, not your type 1 diabetes '
        '("Type 2 diabetes")']


def test_either_kind_in_a_list_or_in_groups_holds_theirs() -> None:
    listed = record("NCT99700018", sectioned("Diabetes mellitus type 1 or 2", "None"))
    groups = record("NCT99700019", "Inclusion Criteria:\n\n* Group A: type 1 diabetes\n"
                                   "* Group B: type 2 diabetes\n\nExclusion Criteria:\n\n* None\n")
    found = screen(Profile(conditions=("type 2 diabetes",)), listed, groups)
    assert [found[n]["verdict"] for n in ("NCT99700018", "NCT99700019")] == ["fits", "fits"]


@pytest.mark.parametrize(("inclusion", "expected"), [
    ("Healthy men and women aged 18 to 65", "check"),
    ("Up to 40 healthy volunteers as a comparison group", "check"),
    ("Adults with Fictitia, healthy enough to walk 10 metres", "no"),
])
def test_a_record_refusing_healthy_volunteers_whose_criteria_ask_for_them(
        inclusion: str, expected: str) -> None:
    study = record("NCT99700021", sectioned(inclusion, "None"), healthy_volunteers=False)
    found = screen(Profile(healthy_volunteer=True), study)["NCT99700021"]
    assert found["verdict"] == expected
    if expected == "check":
        assert found["reasons"] == [
            "the record says it takes no healthy volunteers, but its criteria ask for "
            f'healthy people ("{inclusion}"): ask the study team']
    else:
        assert found["reasons"] == ["does not take healthy volunteers"]


@pytest.mark.parametrize("inclusion", [
    "A negative urine pregnancy test at screening",
    "Women of childbearing potential must have a negative serum or urine pregnancy test",
])
def test_an_inclusion_asking_for_a_negative_pregnancy_test(inclusion: str) -> None:
    study = record("NCT99700022", sectioned(inclusion, "None"))
    found = screen(Profile(sex="female", conditions=("pregnancy",)), study)["NCT99700022"]
    assert (found["verdict"], found["names_your_condition"]) == ("check", False)
    assert found["reasons"][0].startswith(
        "Check with the study team: the inclusion criteria ask for people who are not pregnant")


@pytest.mark.parametrize(("profile", "line", "expected"), [
    (Profile(conditions=("ALS",)), "Any rheumatologic, neurological and orthopedic disease",
     "check"),
    (Profile(conditions=("multiple sclerosis",)),
     "History of neurological or psychiatric disorders", "check"),
    (Profile(conditions=("chronic kidney disease",)),
     "Significant hematological, renal, endocrine, hepatic, or ocular disease", "check"),
    (Profile(conditions=("chronic kidney disease",)), "Chronic renal and/ or hepatic impairment",
     "check"),
    (Profile(conditions=("chronic kidney disease",)), "Abnormal renal or hepatic function tests",
     "fits"),
    # the list between a word saying it is impaired and "function", or before "function
    # impairment" (before, both "fits")
    (Profile(conditions=("chronic kidney disease",)),
     "Clinically significant impaired renal or hepatic function", "check"),
    (Profile(conditions=("chronic kidney disease",)),
     "Significant renal or hepatic function impairment", "check"),
    (Profile(conditions=("chronic kidney disease",)), "Normal renal or hepatic function", "fits"),
    (Profile(conditions=("ALS",)), "An abnormal neurological examination", "fits"),
])
def test_a_list_of_words_before_one_head_noun_names_each(profile: Profile, line: str,
                                                         expected: str) -> None:
    assert verdict(profile, line) == expected


def test_age_fields_that_the_criteria_contradict_are_check_not_no() -> None:
    wider = _aged("NCT99700023", "Ages 16-65 years inclusive", minimum_age="18 Years",
                  maximum_age="65 Years")
    same = _aged("NCT99700024", "Adults aged 18-65", minimum_age="18 Years",
                 maximum_age="65 Years")
    found = screen(Profile(age=16), wider, same)
    assert found["NCT99700023"]["verdict"] == "check"
    assert found["NCT99700023"]["reasons"] == [
        "the record's age fields say 18 to 65 years, but its criteria give an age that holds 16 "
        '("Ages 16-65 years inclusive"): ask the study team']
    assert found["NCT99700024"]["verdict"] == "no"


def test_another_kind_in_a_study_that_names_theirs_still_asks_for_the_rest() -> None:
    study = record("NCT99700025", "Inclusion Criteria:\n\n* Type 1 diabetes for a year\n"
                                  "* Type 2 diabetes for a year\n* Fictitia Syndrome\n\n"
                                  "Exclusion Criteria:\n\n* None\n",
                   conditions=["Fictitia Syndrome"])
    found = screen(Profile(conditions=("type 1 diabetes",)), study)["NCT99700025"]
    assert found["verdict"] == "check"
    assert found["reasons"][0] == (
        "Check with the study team: the inclusion criteria ask for Fictitia Syndrome, which "
        'you did not mention ("Fictitia Syndrome")')


@pytest.mark.parametrize("inclusion", [
    "Type II diabetic patients aged 18 or over", "Gestational diabetes in this pregnancy"])
def test_another_kind_said_another_way(inclusion: str) -> None:
    study = record("NCT99700026", sectioned(inclusion, "None"))
    found = screen(Profile(conditions=("type 1 diabetes",)), study)["NCT99700026"]
    assert (found["verdict"], found["names_your_condition"]) == ("check", False)


def test_a_plain_name_after_its_own_kind_is_theirs() -> None:
    study = record("NCT99700027", sectioned("Non-insulin-dependent diabetic adults", "None"))
    found = screen(Profile(conditions=("type 2 diabetes",)), study)["NCT99700027"]
    assert (found["verdict"], found["names_your_condition"]) == ("fits", True)


def test_another_kind_in_a_line_does_not_change_how_it_speaks_of_theirs() -> None:
    line = "No pre-existing diabetes before the index GDM pregnancy"
    study = record("NCT99700028", sectioned(line, "None"))
    found = screen(Profile(conditions=("type 1 diabetes",)), study)["NCT99700028"]
    assert found["verdict"] == "check"
    assert found["mentions"][0]["negated"] is True


def test_exclusions_under_a_heading_written_without_its_colon_are_read_as_exclusions() -> None:
    # headings the registry ran into the text: before they were read, the whole text was an
    # intro and someone with epilepsy was told "fits"
    study = record("NCT99700041", (
        "Inclusion Criteria Adults aged 18 to 70 with fictitial ache. Able to walk.\n\n"
        "Written consent given. Exclusion Criteria Prior surgery on the spine.\n\n"
        "History of epilepsy or dementia."))
    found = screen(Profile(age=50, conditions=("epilepsy",)), study)["NCT99700041"]
    assert found["verdict"] == "check"
    assert found["reasons"] == [
        "Check with the study team: the exclusion criteria mention epilepsy (\"History of "
        "epilepsy or dementia.\")"]


def test_an_inclusion_asking_to_be_off_a_medicine_is_a_check_for_someone_taking_it() -> None:
    found = verdict(Profile(age=50, medicines=("prednisone",)), "Pregnancy",
                    inclusion="Neurologically stable and off corticosteroids for at least 7 days")
    assert found == "check"


@pytest.mark.parametrize("inclusion", [
    "Receiving off-label corticosteroids for fictitial ache",
    "Fasting glucose cut off met while on corticosteroids",
])
def test_off_label_and_cut_off_do_not_negate_a_medicine(inclusion: str) -> None:
    assert verdict(Profile(age=50, medicines=("prednisone",)), "Pregnancy",
                   inclusion=inclusion) == "fits"


def _with_list(parent: str, *children: str) -> str:
    listed = "".join(f"  * {child}\n" for child in children)
    return (f"Inclusion Criteria:\n\n* Adults with fictitial ache\n* {parent}\n\n{listed}\n"
            "Exclusion Criteria:\n\n* Pregnancy\n")


@pytest.mark.parametrize(("parent", "profile", "reason"), [
    ("No prior treatment with any of the following:", Profile(age=50, medicines=("prednisone",)),
     'Check with the study team: the inclusion criteria ask for people without prednisone '
     '("prednisone")'),
    ("Must not have any of the following conditions:", Profile(age=50, conditions=("epilepsy",)),
     'Check with the study team: the inclusion criteria ask for people without epilepsy '
     '("epilepsy")'),
])
def test_a_sub_item_of_a_list_its_parent_denies_is_read_as_denied(
        parent: str, profile: Profile, reason: str) -> None:
    # before, the sub-item alone was read: "the inclusion criteria name prednisone", fits
    study = record("NCT99700051", _with_list(parent, "prednisone", "epilepsy", "methotrexate"))
    found = screen(profile, study)["NCT99700051"]
    assert (found["verdict"], found["reasons"]) == ("check", [reason])


def test_a_sub_item_of_a_list_its_parent_asks_for_is_not_denied() -> None:
    study = record("NCT99700052", _with_list("Taking one of the following:", "prednisone",
                                             "methotrexate"))
    found = screen(Profile(age=50, medicines=("prednisone",)), study)["NCT99700052"]
    assert (found["verdict"], found["reasons"]) == (
        "fits", ["fits on age and status as far as the record says",
                 'the inclusion criteria name prednisone ("prednisone")'])


def test_an_inclusion_clause_that_rules_its_people_out_is_read_as_denying() -> None:
    found = verdict(Profile(age=60, conditions=("epilepsy",)), "Pregnancy", inclusion=(
        "Patients with epilepsy within 12 months prior to entry are not eligible"))
    assert found == "check"


@pytest.mark.parametrize("inclusion", [
    "Patients with epilepsy who are not eligible for surgery",
    "Patients with epilepsy must have a scan (a sleep study is excluded)",
    "Patients with epilepsy will not be excluded if a diary is missing",
])
def test_a_clause_saying_who_they_are_or_excluding_something_else_does_not_deny(
        inclusion: str) -> None:
    assert verdict(Profile(age=60, conditions=("epilepsy",)), "Pregnancy",
                   inclusion=inclusion) == "fits"


@pytest.mark.parametrize(("line", "reason"), [
    ("Adults with epilepsy for a year", 'the criteria name epilepsy ("Adults with epilepsy '
     'for a year")'),
    # an exception in a text without headings is not said to be in the exclusion criteria
    ("Adults with epilepsy on a stable treatment", 'the criteria name epilepsy but make an '
     'exception ("Adults with epilepsy on a stable treatment")'),
])
def test_a_text_without_headings_that_names_the_person_shows_the_line(
        line: str, reason: str) -> None:
    study = record("NCT99700061", f"{line}\n\nAble to walk")
    found = screen(Profile(age=50, conditions=("epilepsy",)), study)["NCT99700061"]
    assert (found["verdict"], found["reasons"]) == (
        "fits", ["fits on age and status as far as the record says", reason])


def test_a_list_under_not_eligible_names_them() -> None:
    """A text written for the public, "Who can take part:" then "Not eligible:": the list
    under "Not eligible:" was read as neither list, and someone with diabetes was told
    "fits" by a study whose text turns away people with diabetes."""
    plain = record("NCT99700090", "Who can take part:\n- Adults with Fictitia\n\n"
                   "Not eligible:\n- Diabetes\n- Pregnancy")
    found = screen(Profile(age=40, conditions=("diabetes",)), plain)["NCT99700090"]
    assert found["verdict"] == "check"
    assert any("Diabetes" in reason for reason in found["reasons"]), found["reasons"]


@pytest.mark.parametrize("line", ["Negative pregnancy test",
                                  "Negative pregnancy test if female of childbearing potential",
                                  "Women must have a negative urine pregnancy test"])
def test_a_negative_pregnancy_test_outside_both_lists_asks_for_no_pregnancy(line: str) -> None:
    # a text without inclusion or exclusion headings: the line asks for the absence of a
    # pregnancy, as it does among the inclusions; it makes no exception for one
    study = record("NCT99700016", f"Adults with Fictitia\n\n{line}\n")
    found = screen(Profile(age=30, sex="female", conditions=("pregnant",)), study)
    assert found["NCT99700016"]["verdict"] == "check"
    assert found["NCT99700016"]["reasons"] == [
        f'Check with the study team: the criteria mention pregnant ("{line}")']
    assert screen(Profile(age=30, sex="female"), study)["NCT99700016"]["verdict"] == "fits"
