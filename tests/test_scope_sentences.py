"""Where a criteria line's sentences end (the pre-screen reads a name within its clause): the
word before each full stop is read backwards from it, with the meaning of the plain rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialfinder.tables.prescreen.scope import _ABBREVIATIONS, _SENTENCE, _sentence_ends


def plain_rule(line: str) -> list[int]:
    """The rule as first written: the prefix before each candidate end, its closing
    punctuation taken off, split into words; an abbreviation or a single letter is no end."""
    ends = []
    for found in _SENTENCE.finditer(line):
        before = line[: found.start()].rstrip(".!?")
        word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
        word = word.lstrip("([")
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        ends.append(found.start())
    return ends


PIECES = st.sampled_from(["Age", "over", "18", "e.g", "i.e", "vs", "No", "A", "x", "(Dr",
                          "[etc", "ALS", "diabetes", "Ca", "...", ".", "!", "?", "?!", " ",
                          "  ", "\u00a0", "\u2003", "\t", "(", "[", "Pregnant", "9"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_sentence_ends_follow_the_plain_rule(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert _sentence_ends(line) == plain_rule(line)


def test_a_sentence_ends_after_a_word_not_after_an_abbreviation() -> None:
    line = "Adults, e.g. Over 18. Pregnant women (i.e. Nursing) excluded! No. 5 allowed."
    assert [line[i - 4:i] for i in _sentence_ends(line)] == [" 18.", "ded!"]


def test_a_line_of_many_sentences_ends_after_each_but_the_last() -> None:
    line = "Has diabetes. " * 5000  # 5,000 sentences on one line (the last has no successor)
    assert _sentence_ends(line) == [14 * i + 13 for i in range(4999)]
