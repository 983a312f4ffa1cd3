"""Shared wording: plurals, durations and age ranges as people read them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trialfinder.core.folding import fold, word_forms
from trialfinder.core.wording import age_range, duration, plural


@pytest.mark.parametrize(("count", "one", "expected"), [
    (1, "study", "1 study"), (2, "study", "2 studies"), (0, "site", "0 sites"),
    (1200, "site", "1,200 sites"), (3, "saved search", "3 saved searches"),
    (2, "day", "2 days"), (1, "request", "1 request"),
])
def test_plural(count: int, one: str, expected: str) -> None:
    assert plural(count, one) == expected


def test_plural_takes_an_irregular_form() -> None:
    assert plural(2, "person", "people") == "2 people"


@pytest.mark.parametrize(("seconds", "expected"), [
    (0, "0 seconds"), (1, "1 second"), (1.4, "1 second"), (89, "89 seconds"),
    (90, "2 minutes"), (5399, "90 minutes"),
    (5400, "1.5 hours"), (172800, "2.0 days"),
])
def test_duration(seconds: float, expected: str) -> None:
    assert duration(seconds) == expected


@pytest.mark.parametrize(("low", "high", "expected"), [
    (18.0, 65.0, "18 to 65 years"), (18.0, None, "18 years and over"),
    (1.0, pd.NA, "1 year and over"), (None, 1.0, "up to 1 year"), (0.0, None, "any age"),
    (math.nan, 17.0, "up to 17 years"), ("x", None, "any age"), (1.5, 2, "1.5 to 2 years"),
    # under a year, in the unit the record wrote ("2 Days", "6 Weeks", "6 Months", "12 Hours")
    (2 / 365.25, 42 / 365.25, "2 days to 6 weeks"), (0.5, 17.0, "6 months to 17 years"),
    (1 / 12, None, "1 month and over"), (None, 0.5, "up to 6 months"),
    (1 / 12, 0.5, "1 to 6 months"), (28 / 365.25, None, "4 weeks and over"),
    (10 / 365.25, None, "10 days and over"), (12 / (24 * 365.25), 7 / 365.25,
                                               "12 hours to 1 week"),
    (18 / (60 * 24 * 365.25), None, "18 minutes and over"),
])
def test_age_range(low: object, high: object, expected: str) -> None:
    assert age_range(low, high) == expected


@pytest.mark.parametrize(("text", "folded"), [
    ("São Paulo", "sao paulo"), ("Łódź", "lodz"), ("Straße", "strasse"), ("ALS", "als"),
    ("Montréal", "montreal"), ("Ærøskøbing", "aeroskobing"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_one_of_joins_alternatives_with_or() -> None:
    from trialfinder.core.wording import one_of

    assert [one_of([]), one_of(["a"]), one_of(["a", "b"]), one_of(["a", "b", "c"])] == [
        "", "a", "a or b", "a, b or c"]


@pytest.mark.parametrize(("word", "forms"), [
    ("spasms", {"spasms", "spasm"}), ("spasm", {"spasm"}), ("cramps", {"cramps", "cramp"}),
    ("twitches", {"twitches", "twitche", "twitch"}), ("headaches", {"headaches", "headache",
                                                                    "headach"}),
    ("injuries", {"injuries", "injurie", "injury"}), ("knees", {"knees", "knee"}),
    ("legs", {"legs", "leg"}),
    # kept: ss, us and is endings, and no form under three letters
    ("weakness", {"weakness"}), ("lupus", {"lupus"}), ("sclerosis", {"sclerosis"}),
    ("als", {"als"}), ("ms", {"ms"}), ("its", {"its"}),
])
def test_word_forms(word: str, forms: set[str]) -> None:
    assert word_forms(word) == forms
