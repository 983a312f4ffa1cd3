"""Names of the project's focus topics the pre-screen did not know, found on real records:
deflazacort (a corticosteroid given in Duchenne muscular dystrophy), the complement inhibitors
and FcRn blockers of myasthenia gravis, dalfampridine (multiple sclerosis), Guillain-Barré
syndrome, Duchenne muscular dystrophy, spinal cord injury and back pain. Someone who gives one
of them is no longer told "fits" by an exclusion that names it, or its class, another way; and
"pre-pregnancy" (before a pregnancy) is no longer read as a pregnancy.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

NCT = "NCT99790201"


def screen(profile: Profile, inclusion: str, exclusion: str) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 201", minimum_age=None, maximum_age=None)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("profile", "exclusion", "said"), [
    (Profile(age=12, medicines=("deflazacort",)), "Concurrent use of systemic steroids",
     "corticosteroids, which include your deflazacort"),
    (Profile(age=12, medicines=("Emflaza",)), "Chronic glucocorticoid therapy",
     "corticosteroids, which include your Emflaza"),
    (Profile(age=45, medicines=("Soliris",)), "A complement inhibitor within 3 months",
     "complement inhibitors, which include your Soliris"),
    (Profile(age=45, medicines=("Vyvgart",)), "Prior use of an FcRn antagonist",
     "FcRn blockers, which include your Vyvgart"),
    (Profile(age=45, medicines=("Ampyra",)), "Current use of 4-aminopyridine", "Ampyra"),
    (Profile(age=50, conditions=("Guillain-Barre syndrome",)), "Any neuromuscular disease",
     "neurological diseases, which include your Guillain-Barre syndrome"),
    (Profile(age=50, conditions=("Guillain-Barré syndrome",)), "Active autoimmune disease",
     "autoimmune diseases, which include your Guillain-Barré syndrome"),
    (Profile(age=12, conditions=("Duchenne",)), "Muscular dystrophy of any kind",
     "muscular dystrophies, which include your Duchenne"),
    (Profile(age=12, conditions=("Duchenne muscular dystrophy",)), "A neuromuscular disorder",
     "neurological diseases, which include your Duchenne muscular dystrophy"),
    (Profile(age=30, conditions=("spinal cord injury",)), "History of spinal cord trauma",
     "spinal cord injury"),
    (Profile(age=40, conditions=("low back pain",)), "Non-specific back pain", "low back pain"),
])
def test_an_exclusion_naming_it_another_way_is_a_question(
        profile: Profile, exclusion: str, said: str) -> None:
    found = screen(profile, "Anyone with Fictitia", exclusion)
    assert found["verdict"] == "check"
    assert found["reasons"][0] == (
        f'Check with the study team: the exclusion criteria mention {said} ("{exclusion}")')


def test_before_a_pregnancy_is_no_pregnancy() -> None:
    pregnant = Profile(age=29, sex="female", conditions=("pregnant",))
    found = screen(pregnant, "Pregnant women", "Pre-pregnancy diagnosis of diabetes mellitus")
    assert found["verdict"] == "fits"
    # a pregnancy the line does speak of still counts
    assert screen(pregnant, "Pregnant women", "Pregnancy complicated by preeclampsia")[
        "verdict"] == "check"


def test_a_questionnaire_named_like_an_abbreviation_is_not_a_spinal_cord_injury() -> None:
    line = "Men distressed by low libido as defined by the SCI-M questionnaire"
    found = screen(Profile(age=30, conditions=("spinal cord injury",)), line, "None")
    assert not any("spinal cord injury" in reason for reason in found["reasons"])


@pytest.mark.parametrize("line", [
    "Diagnosed by a pain medicine physician with fictitial radiculopathy",
    "Followed at the Department of Pain Medicine of the fictional hospital",
])
def test_pain_medicine_the_specialty_is_no_painkiller(line: str) -> None:
    found = screen(Profile(age=57, medicines=("ibuprofen",)), "Anyone with Fictitia", line)
    assert found["verdict"] == "fits", found
    # the medicines themselves still count
    assert screen(Profile(age=57, medicines=("ibuprofen",)), "Anyone with Fictitia",
                  "Daily pain medicine for fictitial aches")["verdict"] == "check"


@pytest.mark.parametrize(("condition", "line"), [
    ("MS", "Testosterone below 300 ng/dL (measured by LC-MS/MS)"),
    ("multiple sclerosis", "Fictitial hormone measured by MS/MS"),
    ("chronic kidney disease", "Free testosterone measured by equilibrium dialysis"),
])
def test_a_laboratory_method_is_no_condition(condition: str, line: str) -> None:
    # mass spectrometry is no multiple sclerosis, equilibrium dialysis no kidney treatment
    found = screen(Profile(age=50, conditions=(condition,)), "Anyone with Fictitia", line)
    assert found["verdict"] == "fits", found
