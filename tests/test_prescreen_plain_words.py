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
