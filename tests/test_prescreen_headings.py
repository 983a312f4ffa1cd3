"""A line ending with a colon over the items it introduces ("Back Pain characteristics:") is a
heading inside the exclusions, not a rule: the items under it say who is excluded, and the
pre-screen quotes them, not the heading.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

NCT = "NCT99790401"
BACK_PAIN = Profile(age=40, sex="male", conditions=("low back pain",))


def screen(profile: Profile, exclusion: str) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 401", minimum_age="18 Years")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n1. Adults with Fictitia\n\nExclusion Criteria:\n\n"
        f"1. BMI > 35\n{exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


def test_a_heading_is_no_rule_its_items_are() -> None:
    found = screen(BACK_PAIN, "2. Back Pain characteristics:\n\n"
                   "   * Scoliosis surgery at any time\n"
                   "   * Back pain due to an infection of the spine\n"
                   "3. Source of pain is the hip joint")
    assert (found["verdict"], found["reasons"]) == ("check", [
        "Check with the study team: the exclusion criteria mention low back pain "
        '("Back pain due to an infection of the spine")'])


def test_a_heading_without_a_bullet_over_bulleted_items() -> None:
    found = screen(Profile(age=60, conditions=("type 2 diabetes",)),
                   "\nDiabetes related:\n\n* Type 1 diabetes or a fictitial ketosis\n\n"
                   "Kidney related:\n\n* Dialysis within 90 days")
    assert (found["verdict"], found["reasons"]) == ("fits", [
        "fits on age and status as far as the record says",
        'the exclusion criteria name Type 1 diabetes, not your type 2 diabetes '
        '("Type 1 diabetes or a fictitial ketosis")'])


def test_a_line_with_a_colon_over_its_siblings_is_still_a_rule() -> None:
    found = screen(BACK_PAIN, "2. Patients with sciatica or back pain:\n"
                   "3. Back pain due to an infection of the spine")
    assert found["reasons"][0] == ("Check with the study team: the exclusion criteria "
                                   'mention low back pain ("Patients with sciatica or back '
                                   'pain:")')


def test_a_rule_that_lists_its_examples_stays_a_rule() -> None:
    found = screen(BACK_PAIN, "2. Severe back pain, including:\n\n"
                   "   * Back pain due to an infection of the spine")
    assert found["reasons"][0] == ("Check with the study team: the exclusion criteria "
                                   'mention low back pain ("Severe back pain, including:")')


def test_a_heading_none_of_whose_items_names_theirs_is_kept() -> None:
    # the items may still be about their back pain ("Pain for less than 3 months")
    found = screen(BACK_PAIN, "2. Back Pain characteristics:\n\n"
                   "   * Pain for less than 3 months\n   * Scoliosis surgery at any time")
    assert found["reasons"] == ["Check with the study team: the exclusion criteria mention "
                                'low back pain ("Back Pain characteristics:")']
