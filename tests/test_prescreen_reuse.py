"""The pre-screen keeps what it read of a criteria text for the next person screened over the
same studies (a dashboard screens them again at each change to the profile), and skips a
text that holds no word for a sex when it looks for a line leaving one sex out: each answer
is the one a fresh reading gives.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialfinder.tables.prescreen import ages, sexes
from trialfinder.tables.prescreen.ages import age_lines, age_statements
from trialfinder.tables.prescreen.sexes import one_sex_in_text

TEXT = ("Inclusion Criteria:\n\n* Adults aged 18 to 40 with Fictitia\n\n"
        "Exclusion Criteria:\n\n* Aged over 35 years with Fictitia gravis\n")


def test_a_text_read_for_one_person_is_not_read_again_for_the_next() -> None:
    first = age_lines([TEXT, "Inclusion Criteria:\n\n* Diagnosis of Fictitia\n"])
    assert first == [[("inclusion", "Adults aged 18 to 40 with Fictitia"),
                      ("exclusion", "Aged over 35 years with Fictitia gravis")], []]
    again = age_lines([TEXT])
    assert again[0] is first[0]  # the same list: the text was not cut up again


def test_a_line_read_once_gives_its_ages_again_without_a_second_reading() -> None:
    line = "Children aged 6 to 11 years with Fictitia"
    before = ages._statements.cache_info().hits
    assert [(s.low, s.high) for s in age_statements(line)] == [(6.0, 11.0)]
    assert [(s.low, s.high) for s in age_statements(line)] == [(6.0, 11.0)]
    assert ages._statements.cache_info().hits > before


def test_lines_kept_are_let_go_past_the_limit_and_read_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ages, "_LINES", {})
    monkeypatch.setattr(ages, "_LINES_KEPT", 2)
    texts = [f"Inclusion Criteria:\n\n* Aged {n} to 60 years\n" for n in (20, 21, 22)]
    assert age_lines(texts[:2]) == [[("inclusion", "Aged 20 to 60 years")],
                                    [("inclusion", "Aged 21 to 60 years")]]
    assert age_lines(texts[2:]) == [[("inclusion", "Aged 22 to 60 years")]]
    assert list(ages._LINES) == [texts[2]]
    assert age_lines(texts[:1]) == [[("inclusion", "Aged 20 to 60 years")]]


_HEADINGS = ["Inclusion Criteria:", "Exclusion Criteria:", "Inclusion Criteria: Women only"]
_LINES = ["Women only", "Only men aged 40 to 60", "Male", "Female sex", "Fe\\-male only",
          "wo\\men only", "Girls aged 8 to 12", "Adults with Fictitia", "Menopause",
          "Treatment-naive", "Human volunteers", "**Men** only", "Ma\u0130e", "Boys only.",
          "Wo\u017fmen", "Postmenopausal women aged 50 or older", "Male partners must agree"]
_BULLETS = ["", "* ", "- ", "1. ", "2) ", "\\- ", "3\\. ", "  * ", "• "]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BULLETS),
                          st.sampled_from(_HEADINGS + _LINES)), max_size=8),
       st.sampled_from(["MALE", "FEMALE"]))
def test_a_one_sex_line_is_found_as_when_every_text_is_read(
        lines: list[tuple[str, str]], sex: str) -> None:
    text = "\n".join(bullet + line for bullet, line in lines)
    assert one_sex_in_text(text, sex) == sexes._one_sex_line(text, sex)


def test_a_text_with_no_word_for_a_sex_is_not_cut_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def cut(*args: object, **kwargs: object) -> list[tuple[str, str]]:
        raise AssertionError("a text without a word for a sex was cut into lines")

    monkeypatch.setattr(sexes, "section_lines", cut)
    text = "Inclusion Criteria:\n\n* Treatment-naive adults with Fictitia (ages 18 to 80)\n"
    assert one_sex_in_text(text, "MALE") is None
    with pytest.raises(AssertionError, match="cut into lines"):
        one_sex_in_text(text.replace("adults", "men"), "FEMALE")
