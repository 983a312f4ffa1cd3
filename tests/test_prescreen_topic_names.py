"""Names of the muscle, nerve, steroid and pregnancy topics that eligibility texts use and
the pre-screen once missed, each letting a study "fit" someone its own text rules out; and
the names near them that mean something else.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest
from conftest import criteria_verdict

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    return criteria_verdict(profile, exclusion, inclusion, "NCT99730001")


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(medicines=("ibuprofen",)), "Use of anti-inflammatories within 7 days"),
    (Profile(medicines=("Aleve",)), "Regular antiinflammatories for the fictitial ache"),
    (Profile(medicines=("prednisone",)), "Receiving cortisone treatment"),
    (Profile(medicines=("Lioresal",)), "Use of spasmolytic medication"),
    (Profile(conditions=("multiple sclerosis",)), "History of demyelinating disease"),
    (Profile(conditions=("MS",)), "Any CNS demyelinating disorder"),
    (Profile(conditions=("myasthenia gravis",)), "Neuromuscular junction disorders"),
    (Profile(conditions=("myasthenia gravis",)), "Myasthenic crisis within 3 months"),
    (Profile(conditions=("stiff person syndrome",)), "Stiff-person spectrum disorder"),
    # lab values their condition may put outside the limits
    (Profile(conditions=("hypokalemia",)), "Serum potassium < 3.5 mmol/L"),
    (Profile(conditions=("hypomagnesaemia",)), "Magnesium below the lower limit of normal"),
    (Profile(conditions=("hypocalcemia",)), "Abnormal calcium levels"),
    (Profile(conditions=("vitamin D deficiency",)), "25-OH vitamin D < 20 ng/mL"),
])
def test_a_topic_name_in_an_exclusion_makes_them_check(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "inclusion"), [
    (Profile(sex="female", conditions=("pregnancy",)), "Negative urine hCG at screening"),
    (Profile(sex="female", conditions=("pregnant",)), "A negative serum beta-hCG test"),
    (Profile(conditions=("ALS",)), "Diagnosis of primary lateral sclerosis"),
])
def test_a_topic_name_in_an_inclusion_makes_them_check(profile: Profile,
                                                       inclusion: str) -> None:
    assert verdict(profile, "None", inclusion) == "check"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("myasthenia gravis",)), "Lambert-Eaton myasthenic syndrome"),
    (Profile(conditions=("hypocalcemia",)), "Patients on a low calcium diet"),
    (Profile(medicines=("ibuprofen",)), "Anti-inflammatory diet within 2 weeks"),
])
def test_names_near_the_topics_that_mean_something_else(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "fits"


def test_their_condition_or_primary_lateral_sclerosis_fits() -> None:
    assert verdict(Profile(conditions=("ALS",)), "None",
                   "Diagnosis of ALS or primary lateral sclerosis") == "fits"


@pytest.mark.parametrize(("typed", "line"), [
    ("magnesium", "Use of dietary supplements within 2 weeks"),
    ("magnesium citrate", "Magnesium-containing antacids or supplements"),
    ("vitamin E", "Taking vitamin supplements"),
    ("thiamine", "Use of B vitamins or multivitamins"),
    ("potassium", "Potassium supplementation"),
    ("calcium", "Calcium supplements > 1000 mg/day"),
    ("vitamin D", "Current use of cholecalciferol"),
    ("vitamin D", "Supplementation of vitamin D > 20 \u00b5g a day"),
    ("vitamin E", "Use of vitamin E within 12 weeks before screening"),
])
def test_a_supplement_they_take_named_in_an_exclusion(typed: str, line: str) -> None:
    assert verdict(Profile(medicines=(typed,)), line) == "check"


@pytest.mark.parametrize(("typed", "line"), [
    ("magnesium", "Magnesium < lower limit of normal"),
    ("magnesium", "Magnesium < 0.9 mg/dl or > 3 mg/dl despite treatment"),
    ("magnesium", "Serum magnesium below 0.5 mmol/L"),
    ("potassium", "Potassium > 5.5 mmol/L at screening"),
    ("potassium", "Abnormal potassium despite treatment"),
    ("calcium", "Corrected calcium above the upper limit of normal"),
    ("calcium", "Treatment with calcium channel blockers"),
    ("vitamin D", "Vitamin D deficiency (25-OH vitamin D < 10 ng/mL)"),
])
def test_a_supplement_named_as_a_blood_level_is_not_one_they_take(typed: str,
                                                                  line: str) -> None:
    assert verdict(Profile(medicines=(typed,)), line) == "fits"


@pytest.mark.parametrize(("conditions", "inclusion", "expected"), [
    # what their condition must be caused by is asked for too
    (("spasticity",), "Spasticity due to stroke", "check"),
    (("spasticity",), "Spasticity secondary to multiple sclerosis or stroke", "check"),
    (("spasticity", "multiple sclerosis"),
     "Spasticity secondary to multiple sclerosis or stroke", "fits"),
    (("muscle cramps", "cirrhosis"), "Muscle cramps due to liver cirrhosis", "fits"),
    (("spasticity",), "Spasticity of the lower limbs for at least 6 months", "fits"),
    # spasms, cramps and spasticity are asked for as any diagnosis is
    (("ALS",), "Muscle cramps at least 4 times a week", "check"),
    (("multiple sclerosis",), "Spasticity of the lower limbs (MAS >= 2)", "check"),
    (("ALS",), "With or without muscle cramps", "fits"),
])
def test_what_an_inclusion_asks_for_beside_their_condition(conditions: tuple[str, ...],
                                                           inclusion: str,
                                                           expected: str) -> None:
    assert verdict(Profile(conditions=conditions), "None", inclusion) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Inclusion Criteria:\n* Diagnosis of one of the following:\n  * ALS\n  * Fictitial "
     "sclerosis\n  * myasthenia gravis\n\nExclusion Criteria:\n* None\n", "fits"),
    ("Inclusion Criteria:\n\n1. Patients with any of the following:\n\n* ALS\n"
     "* Multiple sclerosis\n\n2. Age 18 or over\n\nExclusion Criteria:\n\n* None\n", "fits"),
    ("Inclusion Criteria:\n1. At least one of:\n   a. Multiple sclerosis\n   b. ALS\n"
     "2. Able to consent\n\nExclusion Criteria:\n1. None\n", "fits"),
    # all of them are asked for, and a long item after a flat list is its own requirement
    ("Inclusion Criteria:\n* All of the following:\n  * ALS\n  * Multiple sclerosis\n\n"
     "Exclusion Criteria:\n* None\n", "check"),
    ("Inclusion Criteria:\n* Diagnosis of one of the following:\n* ALS\n* Fictitial "
     "sclerosis\n* Diagnosis of multiple sclerosis for at least ten years before the "
     "screening visit\n\nExclusion Criteria:\n* None\n", "check"),
])
def test_their_condition_among_alternatives_does_not_ask_for_the_others(
        text: str, expected: str) -> None:
    study = fictional_study("NCT99730002", "Fictional study 002",
                            conditions=["Fictitial Sclerosis"])
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    row = prescreen(normalize([study]), Profile(conditions=("ALS",))).records()[0]
    assert row["verdict"] == expected, row


@pytest.mark.parametrize(("medicines", "inclusion", "expected"), [
    # a medicine the inclusion asks them to be taking, which they did not give
    ((), "Taking baclofen at a stable dose for at least 30 days", "check"),
    (("tizanidine",), "On riluzole for at least 30 days", "check"),
    ((), "Previously treated with at least one immunosuppressant", "check"),
    # theirs, by any name or class
    (("Lioresal",), "Taking baclofen at a stable dose for at least 30 days", "fits"),
    (("azathioprine",), "Previously treated with at least one immunosuppressant", "fits"),
    # a medicine they may take, will start, or one of several choices
    ((), "Patients on riluzole are eligible", "fits"),
    ((), "If receiving riluzole, the dose must be stable for 30 days", "fits"),
    ((), "Currently receiving riluzole or wishing to start it", "fits"),
    ((), "With or without riluzole", "fits"),
    ((), "Not taking riluzole", "fits"),
])
def test_a_medicine_an_inclusion_asks_them_to_take(medicines: tuple[str, ...], inclusion: str,
                                                   expected: str) -> None:
    profile = Profile(conditions=("ALS",), medicines=medicines)
    assert verdict(profile, "None", f"Diagnosis of ALS. {inclusion}") == expected
