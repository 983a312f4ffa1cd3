"""A record open to one sex whose inclusion criteria take transgender or gender-diverse people,
or speak of the sex assigned at birth: the sex field may then be a sex at birth or a gender,
and a person's own entry need not be the same one, so someone the field leaves out is asked
to check with the study team, never told "no". A rule for those who could become pregnant
("assigned female at birth, of childbearing potential, must use contraception") and an
exclusion of transgender people leave the field's answer alone.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def screen(person: str, field: str, inclusion: str, exclusion: str = "Pregnancy"
           ) -> dict[str, object]:
    study = fictional_study("NCT99770001", "Fictional study 001", sex=field)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n* Aged 18 to 65\n\n"
        f"Exclusion Criteria:\n\n* {exclusion}\n")
    return dict(prescreen(normalize([study]), Profile(sex=person, age=40)).records()[0])


@pytest.mark.parametrize(("person", "field", "inclusion"), [
    ("male", "FEMALE", "Transgender or gender non-conforming adults with fictional dysphoria"),
    ("male", "FEMALE", "Adults assigned female at birth planning fictional surgery"),
    ("male", "FEMALE", "Assigned female at birth, of any gender, aged 18 or over"),
    ("female", "MALE", "Trans women on fictional hormone therapy"),
    ("female", "MALE", "Non-binary or gender-diverse people with Fictitia"),
])
def test_criteria_taking_transgender_people_make_a_sex_field_a_question(
        person: str, field: str, inclusion: str) -> None:
    row = screen(person, field, inclusion)
    assert row["verdict"] == "check"
    assert ("but its criteria speak of gender identity or of the sex assigned at birth "
            f'("{inclusion}")') in str(row["reasons"])


@pytest.mark.parametrize(("inclusion", "exclusion"), [
    ("Adults with Fictitia", "Transgender individuals"),
    ("Participants assigned female at birth of childbearing potential must use "
     "contraception", "Pregnancy"),
    ("Adults with Fictitia who are not transplant recipients", "Pregnancy"),
])
def test_other_words_leave_the_sex_field_alone(inclusion: str, exclusion: str) -> None:
    assert screen("male", "FEMALE", inclusion, exclusion)["verdict"] == "no"
