"""Eligibility text split into inclusion and exclusion lists, shape by shape."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.standin import find_shared_dir, load_dataset
from trialfinder.tables.eligibility import (
    is_placeholder,
    sectioned_parts,
    split_criteria,
    unescape_markdown,
)


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


def test_sentence_pointing_at_one_exclusion_criterion_does_not_open_the_list() -> None:
    text = ("Inclusion Criteria:\n1. Adults\n2. Stage 3 or 4 disease\n"
            "2a. Tumours of these kinds qualify, apart from those named in exclusion "
            "criterion #4:\n* Glioma\n"
            "Growths of the following kinds, other than those in Exclusion criterion 2:\n"
            "* Sarcoma\n\nExclusion Criteria:\n1. Pregnancy")
    assert lists(text) == (
        [],
        ["Adults", "Stage 3 or 4 disease", "2a. Tumours of these kinds qualify, apart from "
         "those named in exclusion criterion #4:", "Glioma", "Growths of the following kinds, "
         "other than those in Exclusion criterion 2:", "Sarcoma"],
        ["Pregnancy"],
    )


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


def test_placeholder_items_are_left_out_and_said() -> None:
    # the registry writes an empty item as a lone escaped dash; authors write N/A, None, "."
    text = ("Inclusion Criteria:\n\n1. Adults who keep bees\n\n   \\-\n\n"
            "Exclusion Criteria:\n\n* N/A\n* .\n* none\n\\-")
    c = split_criteria(text)
    assert lists(text) == ([], ["Adults who keep bees"], [])
    assert c.placeholders == [("inclusion", "-"), ("exclusion", "N/A"), ("exclusion", "."),
                              ("exclusion", "none"), ("exclusion", "-")]
    assert lists("Inclusion Criteria: Nil\n\nExclusion Criteria: Not applicable.") == (
        [], [], [])


def test_placeholder_words_only_when_they_are_the_whole_item() -> None:
    assert [is_placeholder(t) for t in ("N/A", "n.a.", "None;", "Nil", "-", "**", "no", "")] \
        == [True] * 8
    assert [is_placeholder(t) for t in ("None known", "No smokers", "NASH", "Nausea", "0")] \
        == [False] * 5


def test_escaped_dash_and_number_are_bullets() -> None:
    text = "Inclusion Criteria:\n\n\\- Owns a bicycle\n\n1\\. Lives near the coast\n"
    assert lists(text)[1] == ["Owns a bicycle", "Lives near the coast"]


def test_headings_written_as_sentences() -> None:
    text = ("Inclusion criteria. Age 30 or over. Speaks Cornish.\n\nLives on an island\n\n"
            "Study Exclusion Criteria. Fear of boats. Unable to swim.\n\nAllergic to gulls.")
    assert lists(text) == ([], ["Age 30 or over. Speaks Cornish.", "Lives on an island"],
                           ["Fear of boats. Unable to swim.", "Allergic to gulls."])
    assert lists("Inclusion criteria.\n* Knits\nExclusion criteria.\n* Purls") == (
        [], ["Knits"], ["Purls"])


def test_not_meeting_the_inclusion_criteria_is_an_exclusion_item() -> None:
    for line in ("* Not meeting the inclusion criteria", "Not meeting inclusion criteria",
                 "* Does not fulfil the inclusion criteria", "* Any inclusion criteria not met"):
        text = f"Inclusion Criteria:\n\n* Keeps a garden\n\nExclusion Criteria:\n\n{line}"
        assert lists(text) == ([], ["Keeps a garden"], [line.lstrip("* ")]), line


def test_heading_with_a_stray_prefix() -> None:
    for inc, exc in (("5Inclusion Criteria:", "6Exclusion Criteria:"),
                     ("1.Inclusion criteria", "2.Exclusion criteria"),
                     ("A) Inclusion criteria:", "B) Exclusion criteria:"),
                     ("II. Inclusion Criteria", "III. Exclusion Criteria")):
        text = f"{inc}\n\n* Plays the cello\n\n{exc}\n\n* Hearing loss"
        c = split_criteria(text)
        assert lists(text) == ([], ["Plays the cello"], ["Hearing loss"]), inc
        assert [s for s, _ in c.headings] == ["inclusion", "exclusion"]


def test_heading_that_ends_a_bullet() -> None:
    for tail in ("- Able to climb stairs. Exclusion Criteria:",
                 "* Able to climb stairs; Exclusion criteria:"):
        text = f"Inclusion Criteria:\n\n- Owns a dog\n{tail}\n- Dog allergy"
        assert lists(text) == ([], ["Owns a dog", tail[2:-len(" Exclusion Criteria:")]],
                               ["Dog allergy"]), tail
    text = "Inclusion Criteria:\n\n- Owns a dog\n* Exclusion Criteria\n- Dog allergy"
    assert lists(text) == ([], ["Owns a dog"], ["Dog allergy"])


def test_separate_lists_per_population_are_headings() -> None:
    text = ("Inclusion Criteria for caregivers:\n\n* Lives with the walker\n\n"
            "Exclusion Criteria for caregivers:\n\n* Paid to care\n\n"
            "Inclusion Criteria for healthy controls:\n* Walks daily\n\n"
            "Exclusion Criteria for healthy controls:\n\n* Knee surgery")
    c = split_criteria(text)
    assert lists(text) == ([], ["Lives with the walker", "Walks daily"],
                           ["Paid to care", "Knee surgery"])
    assert c.headings[-1] == ("exclusion", "Exclusion Criteria for healthy controls")
    bulleted = ("* Inclusion Criteria for caregivers:\n  * Lives with the walker\n"
                "* Exclusion Criteria for caregivers:\n  * Paid to care")
    assert lists(bulleted) == ([], ["Lives with the walker"], ["Paid to care"])
    named = ("Inclusion Criteria:\n\n* Walks daily\n\nSeaside Town Walking Club exclusion "
             "criteria:\n\n* Knee pain\n\nPeople who have any of the exclusion criteria:\n"
             "* are told so")
    assert lists(named) == ([], ["Walks daily"], [
        "Knee pain", "People who have any of the exclusion criteria:", "are told so"])


def test_exclusion_heading_with_only_a_placeholder_still_names_the_first_list() -> None:
    text = "* Adults who row\n\nExclusion Criteria: none"
    c = split_criteria(text)
    assert lists(text) == ([], ["Adults who row"], [])
    assert c.placeholders == [("exclusion", "none")]
    assert [s for s, _, _ in sectioned_parts(text)] == ["inclusion", "exclusion"]


_HEADINGS = [("inclusion", "Inclusion Criteria"), ("exclusion", "Exclusion Criteria"),
             ("inclusion", "Key Inclusion Criteria"), ("exclusion", "Exclusion criteria"),
             ("inclusion", "Inclusion Criteria for caregivers"),
             ("exclusion", "Exclusion Criteria for healthy controls")]
_SHAPES = ["{h}:", "{h}", "* {h}:", "**{h}:**", "5{h}:", "1.{h}", "{h}. Owns a kite."]
_FILLERS = ["-", "\\-", "N/A", ".", "none", "*", "•", "   \\-", "<!-- -->", "", "* Age 18-65",
            "1. Speaks Breton", "  * Rides a horse", "Not meeting the inclusion criteria"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.tuples(st.just("heading"), st.sampled_from(_HEADINGS), st.sampled_from(_SHAPES)),
    st.tuples(st.just("filler"), st.sampled_from(_FILLERS), st.just("")),
    st.tuples(st.just("text"), st.text(st.characters(codec="utf-8", exclude_characters="\r"),
                                       max_size=40), st.just("")),
), max_size=25))
def test_items_have_a_letter_or_digit_and_are_never_headings(
        parts: list[tuple[str, object, str]]) -> None:
    lines = []
    heading_texts = set()
    for kind, value, shape in parts:
        if kind == "heading":
            assert isinstance(value, tuple)
            heading_texts.add(value[1].lower())
            lines.append(shape.format(h=value[1]))
        else:
            lines.append(str(value))
    c = split_criteria("\n".join(lines))
    for _, item in c.intro + c.inclusion + c.exclusion:
        assert any(ch.isalnum() for ch in item), item
        assert item.strip(" :*.").lower() not in heading_texts, item


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
        said_none = any(section == "exclusion" for section, _ in c.placeholders)
        split += bool(c.inclusion) and (bool(c.exclusion) or said_none)
        assert "\\>" not in " ".join(t for _, t in c.inclusion + c.exclusion)
    assert both > 200
    assert split / both >= 0.99


def test_headings_without_colons_carry_their_first_items() -> None:
    # the registry lost the line breaks and the colons: the inclusion heading opens the text
    # with its first item on the same line, the exclusion heading sits after a sentence
    text = ("Inclusion Criteria Adults aged 18 to 70 with fictitial ache. Able to walk.\n\n"
            "Stable dose of any medicine for a month.\n\n"
            "Written consent given. Exclusion Criteria Prior surgery on the spine.\n\n"
            "History of epilepsy or dementia.")
    assert lists(text) == (
        [],
        ["Adults aged 18 to 70 with fictitial ache. Able to walk.",
         "Stable dose of any medicine for a month.", "Written consent given."],
        ["Prior surgery on the spine.", "History of epilepsy or dementia."],
    )
    assert split_criteria(text).headings == [("inclusion", "Inclusion Criteria"),
                                             ("exclusion", "Exclusion Criteria")]


@pytest.mark.parametrize("line", [
    "Inclusion Criteria Are As Follows for every arm",
    "Exclusion Criteria Below apply to both groups.",
    "Exclusion criteria Listed by the sponsor apply.",
])
def test_a_statement_about_a_list_is_no_heading_without_its_colon(line: str) -> None:
    text = f"Inclusion Criteria:\n\n* Adults with fictitial ache\n* {line}\n"
    assert lists(text) == ([], ["Adults with fictitial ache", line], [])


def test_a_sentence_naming_a_list_mid_line_without_capitals_stays_in_its_item() -> None:
    text = ("Inclusion Criteria:\n\n* Meets all criteria. Exclusion criteria of the parent "
            "study do not apply.\n\nExclusion Criteria:\n\n* Pregnancy")
    assert lists(text) == (
        [], ["Meets all criteria. Exclusion criteria of the parent study do not apply."],
        ["Pregnancy"])


def test_a_title_over_both_lists_before_the_inclusion_heading_is_intro() -> None:
    text = ("Eligibility criteria for the first phase:\n\nNote: people from the second phase "
            "may join directly.\n\nInclusion criteria for the first phase:\n\n1. Age 18 or over"
            "\n\nExclusion criteria for the first phase:\n\n1. Pregnancy")
    assert lists(text) == (
        ["Eligibility criteria for the first phase:",
         "Note: people from the second phase may join directly."],
        ["Age 18 or over"], ["Pregnancy"])


def test_a_title_with_no_inclusion_heading_after_it_still_opens_the_inclusion_list() -> None:
    text = "Eligibility criteria:\n\n* Age 18 or over\n\nExclusion criteria:\n\n* Pregnancy"
    assert lists(text) == ([], ["Eligibility criteria:", "Age 18 or over"], ["Pregnancy"])


@pytest.mark.parametrize(("line", "shown"), [
    ("* 18.0 - \\<70 years of age", "18.0 - <70 years of age"),
    ("* 35.0-36.6 weeks of gestation", "35.0-36.6 weeks of gestation"),
    ("2.5 x ULN for fictitial enzyme", "2.5 x ULN for fictitial enzyme"),
    ("* 6.0%\\<HbA1c ≤ 8.5%", "6.0%<HbA1c ≤ 8.5%"),
    ("* 2.Adults with fictitial ache", "Adults with fictitial ache"),
    ("* 3\\. Adults with fictitial ache", "Adults with fictitial ache"),
])
def test_a_number_that_opens_an_item_is_kept_unless_it_is_the_items_number(
        line: str, shown: str) -> None:
    # "18.0", "2.5": a decimal at the start of an item is a value, not the item's number
    assert lists(f"Inclusion Criteria:\n\n{line}\n") == ([], [shown], [])


@pytest.mark.parametrize("heading_line", [
    "Part 1: Key Exclusion Criteria",
    "Cohort B - Exclusion Criteria",
    "2.2 Exclusion criteria Medical conditions",
    "Exclusion Criteria - For the fictional group with normal kidney function (control group)",
    "Screening Visit (Visit 1) Exclusion Criteria",
])
def test_headings_with_a_label_a_section_number_or_a_long_for_whom(heading_line: str) -> None:
    text = f"Part 1: Key Inclusion Criteria\n\n1. Age 18 or over\n\n{heading_line}\n\n1. Pregnancy"
    c = split_criteria(text)
    assert lists(text) == ([], ["Age 18 or over"], ["Pregnancy"])
    assert c.headings == [("inclusion", "Part 1: Key Inclusion Criteria"),
                          ("exclusion", heading_line)]


def test_a_heading_that_ends_an_item_without_its_colon() -> None:
    text = ("Inclusion Criteria:\n\n* Adults with fictitial ache\n* At least 4 weeks since any "
            "prior therapy. Exclusion Criteria\n* Pregnancy or nursing.\n* Prior spine surgery.")
    assert lists(text) == (
        [], ["Adults with fictitial ache", "At least 4 weeks since any prior therapy."],
        ["Pregnancy or nursing.", "Prior spine surgery."])


def test_a_sentence_announcing_the_exclusions_may_end_with_a_full_stop() -> None:
    text = ("Inclusion Criteria:\n\n* Adults with fictitial ache\n\nSubjects will not be "
            "eligible if they meet any of the following exclusion criteria.\n\n* Pregnancy")
    assert lists(text) == (
        [], ["Adults with fictitial ache"],
        ["Subjects will not be eligible if they meet any of the following exclusion criteria.",
         "Pregnancy"])


@pytest.mark.parametrize("text", [
    "\u0131NCLUSION CRITERIA:\n* Age 18\nEXCLUSION CRITERIA:\n* Pregnancy",
    "\u0130nclusion Criteria:\n* Age 18\nExclusion Criteria:\n* Pregnancy",
])
def test_headings_with_a_dotless_or_dotted_i_are_read_not_a_crash(text: str) -> None:
    # re's IGNORECASE reads "ı" and "İ" as "i"; their lower case is not "i" (a KeyError before)
    assert lists(text) == ([], ["Age 18"], ["Pregnancy"])


@pytest.mark.parametrize(("text", "expected"), [
    ("Who can take part:\n- Adults aged 18 to 65 with back ache\n\nNot eligible:\n- Diabetes\n"
     "- Pregnancy", ([], ["Adults aged 18 to 65 with back ache"], ["Diabetes", "Pregnancy"])),
    ("Adults with back ache may join.\nWho cannot take part:\n* Diabetes\n* Pregnancy",
     ([], ["Adults with back ache may join."], ["Diabetes", "Pregnancy"])),
    ("Eligible: adults aged 18 to 65\nIneligible: people with diabetes",
     ([], ["adults aged 18 to 65"], ["people with diabetes"])),
    # a sentence that speaks of eligibility is not a heading
    ("Participants who are eligible:\n* Adults", (["Participants who are eligible:", "Adults"],
                                                  [], [])),
])
def test_headings_in_plain_words_open_their_lists(
        text: str, expected: tuple[list[str], list[str], list[str]]) -> None:
    """Texts written for the public head their lists "Who can take part:" and "Not
    eligible:"; the list under "Not eligible:" was read as neither list, so someone it names
    was told "fits"."""
    assert lists(text) == expected
