"""A record open to all whose own criteria take one sex only ("Women only" among its
inclusions, "Male sex" among its exclusions): someone of the other sex is asked to check with
the study team, never told "fits" (the field alone had said they fit).

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def screen(sex: str, inclusion: str, exclusion: str = "Pregnancy") -> dict[str, object]:
    study = fictional_study("NCT99760001", "Fictional study 001", sex="ALL")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n* Aged 18 to 65\n\n"
        f"Exclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), Profile(sex=sex, age=40)).records()[0])


@pytest.mark.parametrize(("sex", "inclusion", "exclusion"), [
    ("male", "Women only", "Pregnancy"),
    ("male", "Female patients only.", "Pregnancy"),
    ("male", "Exclusively women", "Pregnancy"),
    ("female", "Only male participants", "Prostate surgery"),
    ("male", "Adults with fictitial spasm", "Male sex"),
    ("female", "Adults with fictitial spasm", "Women"),
])
def test_criteria_of_one_sex_make_the_other_check(sex: str, inclusion: str,
                                                   exclusion: str) -> None:
    row = screen(sex, inclusion, exclusion)
    assert row["verdict"] == "check"
    assert "the record says it is open to all, but its criteria say" in str(row["reasons"])


@pytest.mark.parametrize(("sex", "inclusion", "exclusion"), [
    ("female", "Women only", "Pregnancy"),           # their own sex
    ("male", "Female participants:", "Pregnancy"),    # a heading of per-sex rules
    ("male", "Women only if postmenopausal, men of any age", "Pregnancy"),
    ("male", "Adults with fictitial spasm", "Female sex"),
    ("male", "Adults with fictitial spasm", "Female partners who are pregnant"),
])
def test_other_lines_naming_a_sex_leave_the_verdict_alone(sex: str, inclusion: str,
                                                           exclusion: str) -> None:
    assert screen(sex, inclusion, exclusion)["verdict"] == "fits"
