"""The About you panel's pure rules (trialfinder.views.prescreen)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen.fit import prescreen
from trialfinder.views.prescreen import (
    BADGES,
    fit_cards,
    fit_summary,
    is_filled,
    mention_line,
    privacy_words,
    profile_from_form,
    served_elsewhere,
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
                        "Use of [baclofen](https://x.example) <b>now</b>", "other name")
    assert line == ("- **Exclusion** names Lioresal \\(as “baclofen”\\, its generic name\\): "
                    "Use of \\[baclofen\\]\\(https\\:\u2060\\/\\/x\\.example\\) "
                    "\\<b\\>now\\<\\/b\\>")
    assert mention_line("baclofen", "Baclofen", "inclusion", "x").startswith(
        "- **Inclusion** names baclofen: ")
    assert mention_line("diabetes", "DM", "inclusion", "No DM", "abbreviation",
                        negated=True) == ("- **Inclusion** asks for people without diabetes "
                                          "\\(as “DM”\\, an abbreviation\\): No DM")
    assert mention_line("warfarin", "anticoagulants", "exclusion", "x", 'class "anticoagulants"',
                        exception=True) == (
        "- **Exclusion** names warfarin \\(as “anticoagulants”\\, a class that includes it\\)\\, "
        "with an exception: x")


def test_fit_cards_follow_the_order_and_carry_the_verdicts() -> None:
    young = fictional_study("NCT99000951", "Children *only*", minimum_age="2 Years",
                            maximum_age="12 Years")
    adult = fictional_study("NCT99000952", "Adults", minimum_age="18 Years")
    adult["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Taking baclofen")
    open_ = fictional_study("NCT99000953", "Open to all", minimum_age="18 Years")
    tables = normalize([young, adult, open_])
    cards = fit_cards(prescreen(tables, profile_from_form(
        {"ay_age": 40.0, "ay_medicines": "Lioresal"}, None)))
    assert [(c.nct_id, c.verdict, c.fits) for c in cards] == [
        ("NCT99000953", "fits", True), ("NCT99000952", "check", False),
        ("NCT99000951", "no", False)]
    assert cards[1].mentions_md == (
        "- **Exclusion** names Lioresal \\(as “baclofen”\\, its generic name\\): Taking baclofen",)
    assert [c.heading_md for c in cards] == [
        ":green-badge[:material/check_circle: May fit] **Open to all**",
        ":orange-badge[:material/help: Check with the study team] **Adults**",
        ":gray-badge[:material/block: Does not fit] **Children \\*only\\***"]
    # the badge says "Check with the study team": the reason does not repeat it
    assert cards[1].caption_md == (
        "NCT99000952 · the exclusion criteria mention baclofen\\, the generic name of your "
        'Lioresal \\(\\"Taking baclofen\\"\\)')
    assert cards[2].caption_md == "NCT99000951 · age 40 is outside 2 to 12 years"
    assert not cards[2].mentions_md


def test_the_three_labels_differ_in_words_not_colour_alone() -> None:
    words = {v: re.sub(r":[a-z]+-badge\[(?::material/\w+: )?(.*)\]", r"\1", badge)
             for v, badge in BADGES.items()}
    assert words == {"fits": "May fit", "check": "Check with the study team",
                     "no": "Does not fit"}


@pytest.mark.parametrize(("host", "address", "remote"), [
    ("localhost:8501", None, False),
    ("127.0.0.1:8501", None, False),
    ("[::1]:8501", None, False),
    (None, None, False),
    ("trials.example.org", None, True),
    ("192.0.2.7:8501", None, True),
    ("localhost:8501", "198.51.100.4", True),
    ("localhost:8501", object(), False),  # not an address: the Host header decides
])
def test_served_elsewhere(host: str | None, address: object, remote: bool) -> None:
    assert served_elsewhere(host, address) is remote


def test_privacy_words_say_where_the_values_are_held() -> None:
    local = privacy_words(False)
    assert local == (
        "What you type here is held in the server's memory for your browser session only: it "
        "is not put in the link, the cache, the logs, the study store or the downloads, and it "
        "is gone when the session ends.")
    remote = privacy_words(True)
    assert remote.startswith(local) and "served by another computer" in remote


def test_the_summary_counts_one_study_as_one() -> None:
    """A list of one study said "Of 1 studies, 0 studies may fit you ..." above its card."""
    assert fit_summary(1, 0, 0) == (
        "Of 1 study, 0 studies may fit you and 0 studies need a word with the study team "
        "first, as far as the records say.")
    assert fit_summary(1, 1, 0).startswith("Of 1 study, 1 study may fit you and 0 studies ")
    assert fit_summary(1_200, 3, 1).startswith(
        "Of 1,200 studies, 3 studies may fit you and 1 study needs a word with the study team")
