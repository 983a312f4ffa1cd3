"""trialfinder.views.text: escaping for Markdown and words instead of codes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from trialfinder.views.text import (
    age_range,
    code_label,
    codes_label,
    escape_md,
    human_time,
    inert_markdown,
    joined_label,
    mail_link,
    markdown_list,
    miles_away,
    plural,
    sentence,
    status_label,
    text_of,
)


def unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


@pytest.mark.parametrize(("raw", "escaped"), [
    ("[x](https://evil.example)", "\\[x\\]\\(https\\:\u2060\\/\\/evil\\.example\\)"),
    ("![t](https://e.x/t.png)", "\\!\\[t\\]\\(https\\:\u2060\\/\\/e\\.x\\/t\\.png\\)"),
    ("see WWW.evil.example", "see WWW\u2060\\.evil\\.example"),
    ("me@evil.example", "me\u2060\\@evil\\.example"),
    ("<img src=x>", "\\<img src\\=x\\>"),
    (":red[alert] $x$", "\\:red\\[alert\\] \\$x\\$"),
    ("# heading\n- item", "\\# heading \\- item"),  # one line: no heading, no list
    ("eGFR \\< 30", "eGFR \\< 30"),  # the registry's own escape is not doubled
    ("a\x1b[31mb\u202ec", "abc"),  # escape sequences whole, bidi characters dropped
])
def test_escape_md(raw: str, escaped: str) -> None:
    assert escape_md(raw) == escaped


def test_escape_md_keeps_the_words() -> None:
    text = "Ibuprofen 400 mg (twice daily) — 50% of [people] *may* stop"
    assert unescape(escape_md(text)) == text


def test_inert_markdown_keeps_lists_and_paragraphs_only() -> None:
    text = "Intro [a](b)\n\n* first <b>\n  * nested\n1. numbered\nafter"
    assert inert_markdown(text).splitlines() == [
        "Intro \\[a\\]\\(b\\)", "", "- first \\<b\\>", "    - nested", "- numbered", "",
        "after",
    ]


def test_mail_link() -> None:
    assert mail_link(" ada.park@example.org ") == (
        "[ada\\.park\\@example\\.org](mailto:ada.park@example.org)")
    assert mail_link("x@y.org](https://evil.example)") == (  # no link: the text, escaped
        "x\u2060\\@y\\.org\\]\\(https\\:\u2060\\/\\/evil\\.example\\)")
    assert mail_link("not an address") == "not an address"


def test_markdown_list() -> None:
    assert markdown_list([(0, "a_b"), (1, "c")]) == "- a\\_b\n    - c"


def test_codes_become_words() -> None:
    assert code_label("PHASE2") == "Phase 2"
    assert code_label("NOT_YET_RECRUITING") == "Not yet recruiting"
    assert code_label("DIETARY_SUPPLEMENT") == "Dietary supplement"
    assert code_label("EXPANDED_ACCESS") == "Expanded access"
    assert codes_label("PHASE2|PHASE3") == "Phase 2, Phase 3"
    assert codes_label(pd.NA) == "Not stated"
    assert status_label(None) == "Not stated"
    assert status_label("RECRUITING") == "Recruiting"


def test_small_helpers() -> None:
    assert joined_label("a| b|") == "a, b"
    assert joined_label(None, "none") == "none"
    assert plural(1, "study", "studies") == "1 study"
    assert plural(1200, "site") == "1,200 sites"
    assert sentence("limit reached") == "Limit reached"
    assert text_of(float("nan"), "x") == "x"
    assert age_range(18.0, 65.0) == "18 to 65 years"
    assert age_range(18.0, pd.NA) == "18 years and over"
    assert age_range(None, 17.0) == "up to 17 years"
    assert age_range(0.0, None) == "any age"


def test_human_time() -> None:
    assert human_time("2026-11-20T15:57:03+01:00", with_time=True) == "20 Nov 2026 14:57 UTC"
    assert human_time("2026-11-20") == "20 Nov 2026"
    assert human_time("<b>not a date</b>") is None
    assert human_time("99999-01-01") is None


@pytest.mark.parametrize(("miles", "said"), [
    (0.0, "under a mile away"), (0.49, "under a mile away"), (0.5, "1 mile away"),
    (1.4, "1 mile away"), (2.5, "2 miles away"), (355.2, "355 miles away"),
    (1234.0, "1,234 miles away"),
])
def test_a_distance_is_never_zero_miles(miles: float, said: str) -> None:
    assert miles_away(miles) == said
