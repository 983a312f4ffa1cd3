"""Brand and generic names meet: a study of tizanidine tells someone who gave Zanaflex that it
tests their medicine (in the reasons, which the study page shows too), and a line naming the
generic or another brand says how it relates to the name they gave.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.views.prescreen import fit_cards


def screen(medicine: str, interventions: list[Any], exclusion: str = "None"
           ) -> dict[str, Any]:
    study = fictional_study("NCT99780001", "Fictional study 001", interventions=interventions)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults with fictitia\n\nExclusion Criteria:\n\n"
        f"* {exclusion}\n")
    return dict(prescreen(normalize([study]), Profile(age=50, medicines=(medicine,))
                          ).records()[0])


@pytest.mark.parametrize(("typed", "treatment", "said"), [
    ("Zanaflex", "Tizanidine", "Tizanidine, the generic name of your Zanaflex"),
    ("Lioresal", "Baclofen oral solution", "Baclofen, the generic name of your Lioresal "
     "(“Baclofen oral solution”)"),
    ("Ozobax", "Lioresal", "Lioresal, another brand of your Ozobax"),
    ("Flexeril", "Cyclobenzaprine", "Cyclobenzaprine, the generic name of your Flexeril"),
    ("Rilutek", "Riluzole", "Riluzole, the generic name of your Rilutek"),
    ("Radicava", "Edaravone", "Edaravone, the generic name of your Radicava"),
    ("Rayos", "Prednisone 5 mg", "Prednisone, the generic name of your Rayos "
     "(“Prednisone 5 mg”)"),
    ("Advil", "Ibuprofen", "Ibuprofen, the generic name of your Advil"),
    ("Motrin", "Ibuprofen", "Ibuprofen, the generic name of your Motrin"),
    ("Aleve", "Naproxen sodium", "Naproxen, the generic name of your Aleve "
     "(“Naproxen sodium”)"),
    ("tizanidine", "Zanaflex", "Zanaflex, a brand of your tizanidine"),
    ("baclofen", "Baclofen", "your baclofen"),
])
def test_a_study_of_their_medicine_by_another_name_says_so(typed: str, treatment: str,
                                                          said: str) -> None:
    row = screen(typed, [treatment])
    assert row["verdict"] == "fits", row
    assert row["reasons"][-1] == f"the study's treatments include {said}"


def test_other_names_of_a_treatment_are_read_too() -> None:
    row = screen("Zanaflex", [{"type": "DRUG", "name": "Fictimab",
                               "otherNames": ["tizanidine hydrochloride"]}])
    assert row["reasons"][-1] == ("the study's treatments include tizanidine, the generic "
                                  "name of your Zanaflex (“Fictimab (tizanidine "
                                  "hydrochloride)”)")


@pytest.mark.parametrize(("typed", "treatment"), [
    ("ibuprofen", "NSAIDs"),  # a class is not their medicine
    ("Zanaflex", "Baclofen"),  # another muscle relaxant
    ("NSAIDs", "Ibuprofen"),  # they gave a class: which of its members is not known
])
def test_a_treatment_that_is_not_their_medicine_says_nothing(typed: str,
                                                             treatment: str) -> None:
    assert not any("treatments include" in r for r in screen(typed, [treatment])["reasons"])


def test_the_study_page_card_tells_it() -> None:
    study = fictional_study("NCT99780002", "Fictional study 002", interventions=["Tizanidine"])
    screened = prescreen(normalize([study]), Profile(age=50, medicines=("Zanaflex",)))
    assert fit_cards(screened)[0].reasons_md.endswith(
        "the study\\'s treatments include Tizanidine\\, the generic name of your Zanaflex")


@pytest.mark.parametrize(("typed", "exclusion", "reason", "how"), [
    ("Zanaflex", "Use of tizanidine within 7 days",
     "tizanidine, the generic name of your Zanaflex", "its generic name"),
    ("Zanaflex", "Use of Sirdalud within 7 days",
     "Sirdalud, another brand of your Zanaflex", "another brand name"),
    ("baclofen", "Use of Lioresal within 7 days", "Lioresal, a brand of your baclofen",
     "a brand name"),
])
def test_a_line_naming_the_generic_or_another_brand_says_how(typed: str, exclusion: str,
                                                             reason: str, how: str) -> None:
    study = fictional_study("NCT99780003", "Fictional study 003")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults with fictitia\n\nExclusion Criteria:\n\n"
        f"* {exclusion}\n")
    screened = prescreen(normalize([study]), Profile(age=50, medicines=(typed,)))
    row = screened.records()[0]
    assert row["verdict"] == "check"
    assert row["reasons"][0] == (f"Check with the study team: the exclusion criteria mention "
                                 f'{reason} ("{exclusion}")')
    found = exclusion.split()[2]
    assert fit_cards(screened)[0].mentions_md[0].startswith(
        f"- **Exclusion** names {typed} \\(as “{found}”\\, {how}\\)")
