"""The About you panel's pure rules (trialfinder.ui.aboutyou)."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.errors import InvalidQueryError
from trialfinder.tables.normalize import normalize
from trialfinder.tables.prescreen.fit import prescreen
from trialfinder.ui.aboutyou import (
    fit_cards,
    is_filled,
    mention_line,
    profile_from_form,
    split_terms,
)


def test_split_terms_trims_and_drops_empty_names() -> None:
    assert split_terms(" Lioresal, ,metformin ,") == ("Lioresal", "metformin")
    assert split_terms(None) == ()


@pytest.mark.parametrize(("form", "filled"), [
    ({}, False),
    ({"ay_sex": "ALL", "ay_conditions": " , ", "ay_place": "  "}, False),
    ({"ay_age": 0.0}, True),
    ({"ay_sex": "FEMALE"}, True),
    ({"ay_medicines": "aspirin"}, True),
])
def test_is_filled(form: dict[str, Any], filled: bool) -> None:
    assert is_filled(form) is filled


def test_profile_from_form_keeps_the_radius_only_with_a_place() -> None:
    form = {"ay_age": 54.0, "ay_sex": "MALE", "ay_hv": True, "ay_radius": 100,
            "ay_conditions": "ALS", "ay_medicines": "Lioresal, riluzole"}
    without = profile_from_form(form, None)
    assert (without.age, without.sex, without.radius_mi, without.healthy_volunteer) == (
        54.0, "MALE", None, True)
    assert without.medicines == ("Lioresal", "riluzole") and without.conditions == ("ALS",)
    near = profile_from_form({**form, "ay_sex": "ALL"}, (42.36, -71.06))
    assert (near.sex, near.near, near.radius_mi) == (None, (42.36, -71.06), 100.0)
    assert repr(near) == "Profile(<private>)"
    with pytest.raises(InvalidQueryError, match="no letters or digits"):
        profile_from_form({"ay_medicines": "!!"}, None)


def test_mention_line_is_inert_markdown() -> None:
    line = mention_line("Lioresal", "baclofen", "exclusion",
                        "Use of [baclofen](https://x.example) <b>now</b>")
    assert line == ("- **Exclusion** names Lioresal (as “baclofen”): Use of "
                    "\\[baclofen\\]\\(https\\:\u2060\\/\\/x\\.example\\) \\<b\\>now\\<\\/b\\>")
    assert mention_line("baclofen", "Baclofen", "inclusion", "x").startswith(
        "- **Inclusion** names baclofen: ")


def test_fit_cards_put_fitting_studies_first_and_attach_their_lines() -> None:
    young = fictional_study("NCT99000951", "Children *only*", minimum_age="2 Years",
                            maximum_age="12 Years")
    adult = fictional_study("NCT99000952", "Adults", minimum_age="18 Years")
    adult["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Taking baclofen")
    tables = normalize([young, adult])
    cards = fit_cards(prescreen(tables, profile_from_form(
        {"ay_age": 40.0, "ay_medicines": "Lioresal"}, None)))
    assert [(c.nct_id, c.fits) for c in cards] == [("NCT99000952", True),
                                                   ("NCT99000951", False)]
    assert cards[0].mentions_md == (
        "- **Exclusion** names Lioresal (as “baclofen”): Taking baclofen",)
    assert cards[0].heading_md == ":green-badge[May fit] **Adults**"
    assert cards[1].heading_md == ":orange-badge[Probably does not fit] **Children \\*only\\***"
    assert cards[1].caption_md == "NCT99000951 · age 40 is outside 2 to 12 years"
    assert not cards[1].mentions_md
