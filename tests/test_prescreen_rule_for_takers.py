"""An inclusion line giving a rule for those who take a medicine ("Subjects taking riluzole
must be on a stable dose for at least 8 weeks", as ALS studies write it) does not ask everyone
to take it: someone with ALS who does not take riluzole is not asked about it. A line asking
for the medicine itself ("Patients must be taking riluzole", "Patients taking riluzole for
at least 30 days") still does.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

NCT = "NCT99790301"
ALS = Profile(age=41, sex="female", conditions=("ALS",), medicines=("edaravone",))


def screen(inclusion: str) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 301", minimum_age=None, maximum_age=None)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* Adults with ALS\n* {inclusion}\n\n"
        "Exclusion Criteria:\n\n* None\n")
    return dict(prescreen(normalize([study]), ALS).records()[0])


@pytest.mark.parametrize("line", [
    "Subjects taking riluzole must be on a stable dose for at least 8 weeks before screening.",
    "Patients who are taking riluzole should be on a stable dose for 30 days",
    "Participants on riluzole must have been on a stable dose for at least 30 days",
])
def test_a_rule_for_those_taking_it_asks_nobody_to_take_it(line: str) -> None:
    found = screen(line)
    assert found["verdict"] == "fits"
    assert not any("riluzole" in reason for reason in found["reasons"])


@pytest.mark.parametrize("line", [
    "Patients must be taking riluzole for at least 30 days",
    "Patients taking riluzole for at least 30 days",
])
def test_a_line_asking_for_the_medicine_still_asks(line: str) -> None:
    found = screen(line)
    assert found["verdict"] == "check"
    assert found["reasons"][0] == (
        "Check with the study team: the inclusion criteria ask for riluzole, which you did "
        f'not mention ("{line}")')
