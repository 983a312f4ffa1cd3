"""What an inclusion line asks for as a whole: a line naming the person's condition still asks
for what else it names beside it (not for what it offers as an alternative to theirs).

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def screened(profile: Profile, *inclusions: str, listed: tuple[str, ...] = ("Fictitia",),
             nct: str = "NCT99760001") -> dict[str, Any]:
    study = fictional_study(nct, "Fictional study 001", conditions=list(listed))
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n" + "".join(f"* {line}\n" for line in inclusions)
        + "\nExclusion Criteria:\n\n* None\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


def _asks(row: dict[str, Any]) -> list[str]:
    return [r for r in row["reasons"] if "ask for" in r]


@pytest.mark.parametrize(("line", "listed", "asked"), [
    # a condition of the vocabulary beside theirs
    ("ALS patients with a history of diabetes", ("Fictitia",), "amyotrophic lateral sclerosis"),
    # the study's own listed condition beside theirs
    ("Fictitia syndrome in people with diabetes", ("Fictitia Syndrome",), "Fictitia Syndrome"),
    # two conditions, both asked
    ("Type 2 diabetes and fictitial hypertension", ("Fictitia",), "hypertension"),
])
def test_a_line_naming_their_condition_still_asks_for_what_it_names_beside(
        line: str, listed: tuple[str, ...], asked: str) -> None:
    row = screened(Profile(age=50, conditions=("diabetes",)), "Adults aged 18 or over", line,
                   listed=listed)
    assert row["verdict"] == "check", row
    assert _asks(row) == [f"Check with the study team: the inclusion criteria ask for {asked}, "
                          f'which you did not mention ("{line}")']
    # the line still names their condition: the study comes first in the list
    assert row["names_your_condition"] is True


@pytest.mark.parametrize(("condition", "line", "listed"), [
    ("ALS", "ALS, PLS or PMA", ("Fictitia",)),
    ("ALS", "Progressive muscular atrophy or ALS", ("Fictitia",)),
    ("diabetes", "Diabetes or hypertension", ("Fictitia",)),
    ("diabetes", "Diabetes with complications such as hypertension", ("Fictitia",)),
    ("diabetes", "At least one of diabetes, epilepsy and hypertension", ("Fictitia",)),
    # the study's own name for their condition is theirs, not something beside it
    ("ALS", "Amyotrophic lateral sclerosis (ALS) by the fictional criteria",
     ("Amyotrophic Lateral Sclerosis (ALS)",)),
    # what it must be caused by is read as before: here by their other condition
    ("spasticity, multiple sclerosis", "Spasticity due to MS or stroke", ("Fictitia",)),
])
def test_an_alternative_to_their_condition_is_not_asked(condition: str, line: str,
                                                        listed: tuple[str, ...]) -> None:
    profile = Profile(age=50, conditions=tuple(c.strip() for c in condition.split(",")))
    row = screened(profile, line, listed=listed)
    assert row["verdict"] == "fits", row
