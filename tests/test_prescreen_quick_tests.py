"""The pre-screen's quick tests before its slow patterns (a word a pattern needs, where a
match may begin, a break's first character in front) skip only what could not match: each
reading is the one the patterns give when they are run on the whole of every line."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialfinder.tables.prescreen import ages, scope, sexes
from trialfinder.tables.prescreen.ages import age_statements
from trialfinder.tables.prescreen.finder import inclusion_lines
from trialfinder.tables.prescreen.scope import read

# letters re.IGNORECASE reads as ASCII ones: dotless i, long s, dotted capital I, Kelvin sign
_ODD = {"i": ["\u0131", "\u0130"], "s": ["\u017f"], "k": ["\u212a"]}


@st.composite
def _cased(draw: st.DrawFn, words: list[str]) -> str:
    """One of ``words`` in any case, a letter sometimes written as one of ``_ODD``."""
    word = draw(st.sampled_from(words))
    out = []
    for ch in word:
        choice = draw(st.integers(0, 9))
        if choice == 0 and ch.lower() in _ODD:
            out.append(draw(st.sampled_from(_ODD[ch.lower()])))
        else:
            out.append(ch.upper() if choice < 4 else ch)
    return "".join(out)


def _unfolded(text: str) -> str | None:
    """What ``scope.folded`` gives for a text of odd letters: no quick test skips a thing."""
    return None


_CUES = ["unless", "allowed", "permitted", "is acceptable", "are accepted", "eligible",
         "eligible for", "may be included", "can still enroll", "will participate",
         "could take part", "may enter", "can join", "is not excluded", "not an exclusion",
         "does not exclude", "well controlled", "well-controlled", "is stable", "stable dose",
         "not", "poorly", "except", "except for", "with the exception of", "other than",
         "excluding", "apart from", "aside from", "but not", "but not limited", "besides",
         "with or without", "with/without", "whether or not", "regardless of",
         "irrespective of", "independently of", "family history", "family member",
         "relatives", "first-degree", "second degree", "parents of", "siblings", "mother",
         "father", "offspring", "children of", "household contacts", "caregivers", "carers",
         "spouse", "other", "another", "additional", "further", "no", "without", "history of",
         "of", "patients", "any", "disease", "e.g.", "such as", "free of", "absence of",
         "denies", "ruled out", "cannot", "don't", "non-", "nor", "negative for"]
_GLUE = [" ", "  ", ", ", "; ", ". ", " (", ") ", " - ", " • ", " * ", " (ii) ", " (b) ",
         "\n", "/", "-", "\u00a0"]
_NAME = "diabetes"


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_cased(_CUES), st.sampled_from(_GLUE)), max_size=6),
       st.lists(st.one_of(_cased(_CUES), st.sampled_from(_GLUE)), max_size=6))
def test_a_name_is_read_as_with_every_pattern_run_on_the_whole_line(
        before: list[str], after: list[str]) -> None:
    line = "".join(before) + " " + _NAME + " " + "".join(after)
    start = line.index(" " + _NAME + " ") + 1
    end = start + len(_NAME)
    quick = read(line, start, end)
    scope._has_whole_cue.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scope, "folded", _unfolded)  # every text "may hold" every word
        whole = read(line, start, end)
    scope._has_whole_cue.cache_clear()
    assert quick == whole


_VOCABULARY = {  # each cue pattern's own words, to build texts it matches
    "whole": _CUES[:20],
    "after": ["except", "except for", "excepting", "with the exception of", "other than",
              "excluding", "apart from", "aside from", "but not", "but not limited",
              "besides"],
    "optional": ["with or without", "with/without", "with and without", "whether or not",
                 "regardless of", "irrespective of", "independently of", "independent of"],
    "family": ["family history", "family member", "relatives", "first-degree",
               "second degree", "parents of", "siblings", "mother", "father", "offspring",
               "children of", "household contacts", "caregivers", "carers", "spouse"],
    "other": ["other", "another", "additional", "further"],
    "negation": ["no", "without", "never", "nor", "neither", "none of", "free of", "free from",
                 "absence of", "absent", "negative for", "negative history of", "lack of",
                 "lacking", "denies", "denied", "rules out", "ruled out", "exclusion of",
                 "excluding", "except", "excepting for", "other than", "apart from",
                 "aside from", "must not", "cannot", "can't", "don't", "doesn't", "didn't",
                 "has not", "hasn't", "haven't", "hadn't", "not have", "not taking", "non",
                 "non-", "not pregnant or", "not"],
    "list": ["such as", "including", "e.g.", "e. g.", "E.g,", "for example", "like"],
    "sexes": ["men", "males", "male", "man", "boys", "boy", "women", "females", "female",
              "woman", "girls", "girl", "and", "or", "&", "/", ",", "both sexes",
              "both genders", "either sex", "either gender", "all sexes", "any sex",
              "regardless of sex"]}


@pytest.mark.parametrize(("pattern", "words", "vocabulary"), [
    (scope._WHOLE_CUE, scope.WHOLE_CUE_WORDS, "whole"),
    (scope._AFTER_CUE, scope._AFTER_CUE_WORDS, "after"),
    (scope._OPTIONAL, scope._OPTIONAL_WORDS, "optional"),
    (scope._FAMILY, scope._FAMILY_WORDS, "family"),
    (scope._OTHER, scope._OTHER_WORDS, "other"),
    (scope._NEGATION_BEFORE, scope._NEGATION_WORDS, "negation"),
    (scope._NON_PREFIX, scope._NEGATION_WORDS, "negation"),
    (scope._NOT_LIST, scope._NEGATION_WORDS, "negation"),
    (scope._LIST_HEAD, scope._LIST_HEAD_WORDS, "list"),
    (sexes._BOTH, sexes.BOTH_WORDS, "sexes")])
def test_a_text_a_cue_pattern_matches_holds_one_of_its_words(
        pattern: re.Pattern[str], words: tuple[str, ...], vocabulary: str) -> None:
    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(_cased(_VOCABULARY[vocabulary]), st.sampled_from(_GLUE)),
                    min_size=1, max_size=4))
    def check(pieces: list[str]) -> None:
        text = "".join(pieces)
        if pattern.search(text) is not None:
            assert scope.may_hold(text, words)
    check()
    for word in _VOCABULARY[vocabulary]:  # and each of them alone, as written
        if pattern.search(word) is not None:
            assert scope.may_hold(word, words), word


def test_a_text_without_the_words_is_skipped_and_an_odd_letter_is_not() -> None:
    assert not scope.may_hold("Severe hypertension", scope.WHOLE_CUE_WORDS)
    assert scope.may_hold("Hypertension (controlled hypertension is ALLOWED)",
                          scope.WHOLE_CUE_WORDS)
    # "unleſs" (a long s) is "unless" to re.IGNORECASE, not to str.lower()
    assert scope._WHOLE_CUE.search("unle\u017fs stable") is not None
    assert scope.may_hold("unle\u017fs", ("unless",))


_PLAIN_BREAK = re.compile(r";|\n|\s[-•·]\s+(?=[A-Z])|\s\*\s+"
                          r"|\s\((?:i{1,3}|iv|vi{0,3}|ix|x|[a-h]|\d{1,2})\)\s+(?=[A-Z])")
_BREAK_PIECES = st.sampled_from([";", "\n", "\r", " ", "  ", "\t", "\u00a0", "\u2003", "-",
                                 "•", "·", "*", "(", ")", "i", "ii", "iii", "iv", "v", "vi",
                                 "ix", "x", "a", "h", "j", "12", "3", "A", "Heart", " - ",
                                 " (ii) ", " * ", "; "])


@settings(max_examples=800, deadline=None)
@given(st.lists(_BREAK_PIECES, max_size=30))
def test_clause_breaks_are_where_the_plain_pattern_finds_them(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert ([m.span() for m in scope._HARD_BREAK.finditer(line)]
            == [m.span() for m in _PLAIN_BREAK.finditer(line)])


def test_an_inline_numbered_part_and_a_bullet_cut_a_line() -> None:
    line = "Any of: (i) Stroke; heart failure - Cancer * other (iv) Kidney disease"
    assert [line[m.start():m.end()] for m in scope._HARD_BREAK.finditer(line)] == [
        " (i) ", ";", " - ", " * ", " (iv) "]


_LEADS = ["", "Patients", "Male or female", "both", "diagnosis at", "onset", "if", "cohort",
          "menopause", "with", "Age", "aged", "ages", "Adults", "adult", "age:", "age =",
          "age is", "age range", "age of"]
_BEFORE = ["", "between", "from", "of", "\u2265", ">", ">=", "=>", ">/=", "=/>", "at least",
           "over", "above", "older than", "more than", "greater than", "minimum", "minimum of",
           "\u2264", "<", "<=", "=<", "</=", "=/<", "under", "below", "younger than",
           "less than", "up to", "not older than", "maximum", "maximum of", "over the age of",
           "under the age of"]
_NUMBERS = ["18", "65", "5", "12.5", "130", "\u0663", "eighteen"]
_UNITS = ["", "years", "year", "yrs", "yr", "y", "y.", "years of age", "years old", "yrs old",
          "months", "kg"]
_JOINS = ["", "-", "\u2013", "to", "and"]
_AFTER = ["", "or older", "and over", "or above", "or more", "and greater", "or up",
          "or younger", "and under", "or below", "or less", "+", "of age", ":",
          "and stage IV", "more than"]
_SPACE = st.sampled_from(["", " ", "  ", "\u00a0", ", "])


@st.composite
def _age_phrase(draw: st.DrawFn) -> str:
    parts = [draw(_cased(_LEADS)), draw(_SPACE), draw(_cased(_BEFORE)), draw(_SPACE),
             draw(st.sampled_from(_NUMBERS)), draw(_SPACE), draw(_cased(_UNITS))]
    if draw(st.booleans()):
        parts += [draw(_SPACE), draw(_cased(_JOINS)), draw(_SPACE),
                  draw(st.sampled_from(_NUMBERS)), draw(_SPACE), draw(_cased(_UNITS))]
    parts += [draw(_SPACE), draw(_cased(_AFTER))]
    return "".join(parts)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(_age_phrase(), st.sampled_from(["; ", ". ", " (", ") ", "\n"])),
                min_size=1, max_size=3))
def test_ages_are_read_as_with_every_shape_searched_from_the_start(pieces: list[str]) -> None:
    line = "".join(pieces)
    quick = age_statements(line)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ages, "folded", _unfolded)  # every pattern searched, from the start
        whole = age_statements(line)
    assert quick == whole


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(_age_phrase(), st.sampled_from(["; ", ". ", " (", ") ", "\n",
                                                          "18", "Stage 3", "3 months"])),
                min_size=1, max_size=3))
def test_a_line_may_state_an_age_as_the_quick_pattern_says(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert ages.may_state_age(line) == (ages._QUICK.search(line) is not None)


def test_an_age_after_other_words_is_found_from_where_it_may_begin() -> None:
    line = "Male or female patients, both aged 18 to 75 years, or 80 years and over"
    assert [(s.low, s.high) for s in age_statements(line)] == [(18.0, 75.0), (80.0, None)]


_HEADINGS = ["Inclusion Criteria:", "Exclusion Criteria:", "INCLUSION CRITERIA", "exclusion:"]
_SEX_LINES = ["Male or female", "Men and women",
              "wo\\men or \\men", "male\\/female", "Female \\- or male", "Both sexes",
              "either gender", "Aged 18 or over", "Healthy", "Relatives (male or female)",
              "Girls or boys aged 12", "any sex", "No prior cancer", "Both \u017fexes",
              "Ma\u0130e or fema\u0131e", "Regardless of sex", "<!-- -->"]
_BULLETS = ["", "* ", "- ", "1. ", "2) ", "\\- ", "3\\. ", "  * ", "• "]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BULLETS),
                          st.one_of(st.sampled_from(_HEADINGS), _cased(_SEX_LINES))),
                max_size=8))
def test_both_sexes_are_found_as_in_every_inclusion_item(lines: list[tuple[str, str]]) -> None:
    text = "\n".join(bullet + line for bullet, line in lines)
    plain = next((line for line in inclusion_lines(text)
                  if sexes._BOTH.search(line) and not sexes._SOMEONE_ELSE.search(line)), None)
    assert sexes.asks_for_both_sexes(text) == plain


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["inclusion", "other", "exclusion"]), _age_phrase()),
                max_size=4),
       st.sampled_from([0.5, 8, 12, 16, 17.9, 18, 54, 54.5, 65, 65.5, 80, 82, 99, 100, 130]),
       st.booleans())
def test_an_age_that_holds_someone_is_found_as_when_every_line_is_read(
        lines: list[tuple[str, str]], age: float, below: bool) -> None:
    quick = ages.stated_age_for(age, lines, below=below)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ages, "_reaches", lambda line, years: True)  # every line read
        whole = ages.stated_age_for(age, lines, below=below)
    assert quick == whole


def test_an_upper_age_below_the_persons_skips_the_line() -> None:
    assert not ages._reaches("Children aged 2 to 17 years", 54)
    assert ages._reaches("Adults aged 18 to 75 years", 54)
    assert ages._reaches("Age 18-1000", 54)  # four digits or more count unread
    assert ages.stated_age_for(54, [("inclusion", "Aged 18 to 75 years")], below=False) == (
        "Aged 18 to 75 years")
