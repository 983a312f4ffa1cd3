"""Eligibility text split into inclusion and exclusion lists, shape by shape."""

from __future__ import annotations

import re

import pytest

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.tables.eligibility import split_criteria, unescape_markdown


def lists(text: str) -> tuple[list[str], list[str], list[str]]:
    c = split_criteria(text)
    return ([t for _, t in c.intro], [t for _, t in c.inclusion], [t for _, t in c.exclusion])


def test_heading_in_mid_line() -> None:
    text = ("Inclusion Criteria:\n\n* Adults with disc pain\n* All surgeries must be approved by "
            "the Medical Advisory Board (MAB) Exclusion Criteria:• Patient has less than 6 mm of "
            "disc height.\n* Prior fusion")
    assert lists(text) == (
        [],
        ["Adults with disc pain", "All surgeries must be approved by the Medical Advisory "
         "Board (MAB)"],
        ["Patient has less than 6 mm of disc height.", "Prior fusion"],
    )


def test_inclusion_exclusion_heading_switches_to_neither() -> None:
    text = ("Inclusion/Exclusion Criteria:\n\nInclusion:\n* Age 18 or over\n"
            "Exclusion:\n* Pregnancy")
    assert lists(text) == ([], ["Age 18 or over"], ["Pregnancy"])


def test_long_heading_with_a_colon() -> None:
    text = ("Inclusion Criteria for participants enrolled in the open-label extension part:\n"
            "* Completed the first part\n"
            "Exclusion Criteria for participants enrolled in the open-label extension part:\n"
            "* Withdrew early")
    assert lists(text) == ([], ["Completed the first part"], ["Withdrew early"])


def test_heading_written_as_a_bullet() -> None:
    text = "* Inclusion Criteria:\n  * Age 40-80\n* Exclusion Criteria:\n  * Dementia"
    c = split_criteria(text)
    assert c.inclusion == [(1, "Age 40-80")]
    assert c.exclusion == [(1, "Dementia")]


def test_heading_that_swallows_its_first_item() -> None:
    text = ("Inclusion Criteria:\n* Knee osteoarthritis\n\nExclusion Criteria: contra-indication"
            "\n* Allergy to the study drug")
    assert lists(text) == ([], ["Knee osteoarthritis"],
                           ["contra-indication", "Allergy to the study drug"])


def test_one_line_text_is_not_lost() -> None:
    assert lists("Inclusion Criteria: adults 18-65 with ALS") == (
        [], ["adults 18-65 with ALS"], [])


def test_non_inclusion_and_sentences_open_the_exclusion_list() -> None:
    text = "Inclusion criteria:\n* Spasticity after stroke\n\nNon-inclusion criteria:\n* Epilepsy"
    assert lists(text) == ([], ["Spasticity after stroke"], ["Epilepsy"])
    text = "Inclusion Criteria:\n* Adults\n\nPatients will be excluded if:\n* they take riluzole"
    assert lists(text) == ([], ["Adults"], ["Patients will be excluded if:",
                                             "they take riluzole"])


def test_mention_of_exclusion_is_an_item_not_a_heading() -> None:
    text = ("Inclusion Criteria:\n* ALS\nExclusion of patients on riluzole\n"
            "Exclusion Criteria:\n* Tracheostomy\n"
            "Other protocol-defined exclusion criteria may apply")
    assert lists(text) == ([], ["ALS", "Exclusion of patients on riluzole"],
                           ["Tracheostomy", "Other protocol-defined exclusion criteria may apply"])


def test_exclusion_heading_without_inclusion_heading() -> None:
    text = "* Adults with sciatica\n* Able to consent\n\nExclusion Criteria:\n* Prior surgery"
    assert lists(text) == ([], ["Adults with sciatica", "Able to consent"], ["Prior surgery"])


def test_prefixed_headings_and_numbered_items() -> None:
    text = ("Key Inclusion Criteria :\n1. Age 18-75\n   * sub-item\nPre-Operative Exclusion "
            "Criteria:\n1. Smoker\nIntra-operative Exclusion Criteria:\n1. Dural tear")
    c = split_criteria(text)
    assert c.inclusion == [(0, "Age 18-75"), (1, "sub-item")]
    assert c.exclusion == [(0, "Smoker"), (0, "Dural tear")]
    assert [s for s, _ in c.headings] == ["inclusion", "exclusion", "exclusion"]


def test_markdown_escapes_are_removed_from_items() -> None:
    text = "Inclusion Criteria:\n* eGFR \\>= 30\n* HLA-B\\*5701 negative\n* see \\[1\\]"
    assert lists(text)[1] == ["eGFR >= 30", "HLA-B*5701 negative", "see [1]"]
    assert unescape_markdown("a \\< b \\\\ c") == "a < b \\ c"


def test_html_comment_separators_are_dropped() -> None:
    assert lists("Inclusion Criteria:\n1. A\n<!-- -->\n1. B") == ([], ["A", "B"], [])


@pytest.mark.skipif(find_shared_dir() is None, reason="no ../shared/ctgov records")
def test_every_recorded_text_with_both_headings_gets_both_lists() -> None:
    studies = load_dataset("shared")
    split = 0
    both = 0
    for study in studies:
        text = study["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria")
        if not text or not re.search(r"(?im)^\W*inclusion criteria", text) \
                or not re.search(r"(?im)^\W*exclusion criteria\W*$", text):
            continue
        both += 1
        c = split_criteria(text)
        split += bool(c.inclusion) and (bool(c.exclusion) or text.rstrip().endswith("-"))
        assert "\\>" not in " ".join(t for _, t in c.inclusion + c.exclusion)
    assert both > 200
    assert split / both >= 0.99
