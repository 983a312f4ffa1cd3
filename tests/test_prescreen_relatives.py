"""A relative's condition is not the person's own: an exclusion naming ALS only in a relative
("Family history of ALS", the items under "Family history:") is noted for someone with ALS,
not held against them; a line naming the person as well ("Personal or family history of
ALS") still is.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

ALS = Profile(age=54, sex="male", conditions=("ALS",))


def screen(profile: Profile, inclusion: str, exclusion: str) -> dict[str, Any]:
    study = fictional_study("NCT99791201", "Fictional study 1201", minimum_age="18 Years")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n{exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("exclusion", "line"), [
    ("* ALS in a first-degree relative", "ALS in a first-degree relative"),
    ("* Family history of ALS", "Family history of ALS"),
    ("* Subjects with a family history of ALS", "Subjects with a family history of ALS"),
    ("* Family history of fictitial dementia or ALS",
     "Family history of fictitial dementia or ALS"),
    # the items under a heading saying they are a relative's
    ("* Family history:\n  - ALS in a first-degree relative", "ALS in a first-degree relative"),
    ("* Family history:\n  - ALS\n  - Fictitial dementia", "ALS"),
    ("* Family members with any of the following:\n  - ALS\n  - Fictitial dementia", "ALS"),
])
def test_a_relatives_condition_is_not_held_against_them(exclusion: str, line: str) -> None:
    # before, "check": "the exclusion criteria mention ALS"
    row = screen(ALS, "Adults aged 18 or over", exclusion)
    assert (row["verdict"], row["reasons"]) == ("fits", [
        "fits on age, sex and status as far as the record says",
        f'the exclusion criteria name ALS, but as a relative\'s condition ("{line}")'])


@pytest.mark.parametrize(("exclusion", "line"), [
    ("* Personal or family history of ALS", "Personal or family history of ALS"),
    ("* History/family history of ALS", "History/family history of ALS"),
    ("* ALS in the patient or a first-degree relative",
     "ALS in the patient or a first-degree relative"),
    ("* Family history of fictitial dementia or personal history of ALS",
     "Family history of fictitial dementia or personal history of ALS"),
    ("* First-degree relative with fictitial dementia, previous ALS",
     "First-degree relative with fictitial dementia, previous ALS"),
    # a relative's words after a comma are no longer the name's
    ("* History of ALS, absence of family history of sudden death",
     "History of ALS, absence of family history of sudden death"),
    # a list after a comma may have turned back to the person: read as theirs to be safe
    ("* History of seizures, family history of epilepsy or fictitial tumour, ALS",
     "History of seizures, family history of epilepsy or fictitial tumour, ALS"),
    ("* Family history of fictitial dementia, ALS or stroke",
     "Family history of fictitial dementia, ALS or stroke"),
    # a relative's phrase closed before the name
    ("* Sudden death in first-degree relatives, ALS", "Sudden death in first-degree relatives, "
     "ALS"),
    # not under the heading any more, or under a heading about something else
    ("* Family history:\n  - Fictitial dementia\n* ALS", "ALS"),
    ("* Any of the following:\n  - ALS\n  - Fictitial dementia", "ALS"),
    # a mother may be the person asked
    ("* Mothers with ALS", "Mothers with ALS"),
])
def test_their_own_condition_beside_a_relatives_still_asks(exclusion: str, line: str) -> None:
    row = screen(ALS, "Adults aged 18 or over", exclusion)
    assert (row["verdict"], row["reasons"]) == (
        "check", [f'Check with the study team: the exclusion criteria mention ALS ("{line}")'])


def test_an_inclusion_naming_a_relatives_condition_says_so() -> None:
    line = "Healthy adults with ALS in a first-degree relative"
    row = screen(ALS, line, "* None")
    assert (row["verdict"], row["reasons"][-1]) == (
        "fits", f'the inclusion criteria name ALS, but as a relative\'s condition ("{line}")')


@pytest.mark.parametrize("inclusion", [
    "Healthy adults\n* Family history:\n  - ALS\n  - Fictitial dementia",
    "Healthy adults\n* Family history of at least one of the following:\n  - ALS\n"
    "  - Fictitial dementia",
])
def test_a_relatives_condition_under_a_heading_is_not_asked_of_them(inclusion: str) -> None:
    # before, "the inclusion criteria ask for amyotrophic lateral sclerosis, which you did not
    # mention": a relative's condition read as the person's
    row = screen(Profile(age=54, sex="male", conditions=("asthma",)), inclusion, "* None")
    assert (row["verdict"], row["reasons"]) == (
        "fits", ["fits on age, sex and status as far as the record says"])


def test_an_item_after_the_relatives_heading_is_still_asked() -> None:
    row = screen(Profile(age=54, sex="male", conditions=("asthma",)),
                 "Healthy adults\n* Family history:\n  - Fictitial dementia\n* ALS", "* None")
    assert row["reasons"] == ["Check with the study team: the inclusion criteria ask for "
                              'amyotrophic lateral sclerosis, which you did not mention ("ALS")']
