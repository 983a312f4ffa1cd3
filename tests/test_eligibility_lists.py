"""Eligibility shapes found in a third sample of real records (written anew, fictional)."""

from __future__ import annotations

from trialfinder.tables.eligibility import split_criteria


def lists(text: str) -> tuple[list[str], list[str], list[str]]:
    c = split_criteria(text)
    return ([t for _, t in c.intro], [t for _, t in c.inclusion], [t for _, t in c.exclusion])


def test_a_sentence_naming_both_lists_opens_neither() -> None:
    text = ("The key inclusion and exclusion criteria are, among others, the following:\n\n"
            "Inclusion Criteria:\n\n* Adults with gout\n\nExclusion Criteria:\n\n* Kidney stones")
    assert lists(text) == (
        ["The key inclusion and exclusion criteria are, among others, the following:"],
        ["Adults with gout"],
        ["Kidney stones"],
    )


def test_a_sentence_naming_one_list_still_opens_it() -> None:
    text = ("Inclusion Criteria:\n\n* Adults with gout\n\n"
            "Participants are excluded if any of the following apply:\n\n* Kidney stones")
    assert lists(text)[2] == ["Participants are excluded if any of the following apply:",
                              "Kidney stones"]


def test_a_heading_carrying_its_first_item_after_a_bullet() -> None:
    text = ("Inclusion Criteria for the parents\n\n* Signed consent\n\nExclusion Criteria\n\n"
            "* No consent\n\nInclusion Criteria for the follow-up study • Child seen at "
            "age two\n\nExclusion Criteria\n\n• Family moved away")
    c = split_criteria(text)
    assert [t for _, t in c.inclusion] == ["Signed consent", "Child seen at age two"]
    assert [t for _, t in c.exclusion] == ["No consent", "Family moved away"]
    assert c.headings[2] == ("inclusion", "Inclusion Criteria for the follow-up study")


def test_a_bullet_in_an_item_that_names_a_list_is_no_heading() -> None:
    text = ("Inclusion Criteria:\n\n* Adults • who meet the inclusion criteria of the parent "
            "study\n\nExclusion Criteria:\n\n* Pregnancy")
    assert lists(text)[1] == ["Adults • who meet the inclusion criteria of the parent study"]


def test_a_title_running_into_its_heading_with_no_break() -> None:
    text = ("Main eligibility criteria (further criteria may apply) Part A Key Inclusion "
            "Criteria\n\n1\\. Adults with fictitial gout\n\nKey Exclusion Criteria\n\n"
            "1\\. Kidney stones")
    assert lists(text) == (["Main eligibility criteria (further criteria may apply) Part A"],
                           ["Adults with fictitial gout"], ["Kidney stones"])
    # a title under a list already open: the heading is no longer part of an item
    text = ("Inclusion Criteria:\n\n* Adults\n\nSubjects' eligibility criteria for the main "
            "study Inclusion criteria\n\n* Signed consent\n\nExclusion Criteria:\n\n* None")
    assert lists(text)[1] == ["Adults", "Subjects' eligibility criteria for the main study",
                              "Signed consent"]


def test_an_item_ending_with_the_words_of_a_heading_is_not_cut() -> None:
    # a bullet, or words that are no title of eligibility, keep the line whole
    text = ("Inclusion Criteria:\n\n* Adults who meet the Inclusion Criteria\n"
            "Patients treated at the fictional clinic Inclusion Criteria\n\n"
            "Exclusion Criteria:\n\n* None")
    assert lists(text)[1] == ["Adults who meet the Inclusion Criteria",
                              "Patients treated at the fictional clinic Inclusion Criteria"]


def test_headings_written_in_the_plural() -> None:
    text = "Inclusions:\n- Adults\nExclusions:\n- Treatment with fictitiamab\n"
    assert lists(text) == ([], ["Adults"], ["Treatment with fictitiamab"])
