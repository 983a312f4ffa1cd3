"""An exclusion line that names a group and at once excepts the person's own condition from it
("Motor neuron diseases other than ALS", where "motor neuron disease" is one of ALS's names)
does not exclude them: the pre-screen no longer calls that study a question for someone with
ALS. A line that excepts only one kind of what the person gave in general ("Any malignancy
other than prostate cancer" for someone who gave "cancer") still names them.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

NCT = "NCT99790101"


def screen(profile: Profile, inclusion: str, exclusion: str) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 101", minimum_age=None, maximum_age=None)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize(("conditions", "inclusion", "exclusion"), [
    (("ALS",), "Adults with ALS", "Motor neuron diseases other than ALS"),
    (("amyotrophic lateral sclerosis",), "Adults with ALS",
     "Any motor neuron disease except amyotrophic lateral sclerosis"),
    (("prostate cancer",), "Men with prostate cancer", "Any malignancy other than prostate cancer"),
])
def test_a_group_named_to_except_their_own_condition_does_not_exclude_them(
        conditions: tuple[str, ...], inclusion: str, exclusion: str) -> None:
    found = screen(Profile(age=60, sex="male", conditions=conditions), inclusion, exclusion)
    assert found["verdict"] == "fits"
    assert any("make an exception" in reason and exclusion in reason
               for reason in found["reasons"])


@pytest.mark.parametrize(("conditions", "exclusion"), [
    (("cancer",), "Any malignancy other than prostate cancer"),  # theirs may be another kind
    (("type 2 diabetes",), "Diabetes other than type 1 diabetes"),
    (("ALS",), "Motor neuron diseases other than primary lateral sclerosis"),
    # words before the excepted name make it one kind only: theirs may be another
    (("cancer",), "History of other malignancies, other than basal cell carcinoma of the skin"),
    # ... and words after it do too
    (("cancer",), "Any malignancy other than carcinoma of the prostate"),
    (("cancer",), "Another primary malignancy except for malignancy treated with curative intent"),
])
def test_a_group_excepting_something_else_still_names_them(
        conditions: tuple[str, ...], exclusion: str) -> None:
    found = screen(Profile(age=60, sex="male", conditions=conditions), "Adults", exclusion)
    assert found["verdict"] == "check"
    assert f'("{exclusion}")' in found["reasons"][0]


def test_a_medicine_excepted_in_one_form_only_still_names_theirs() -> None:
    line = "Current use of insulin other than a long-acting insulin analogue"
    found = screen(Profile(age=60, medicines=("insulin",)), "Adults", line)
    assert found["verdict"] == "check"
    assert found["reasons"][0] == (
        f'Check with the study team: the exclusion criteria mention insulin ("{line}")')
