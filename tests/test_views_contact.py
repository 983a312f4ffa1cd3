"""trialfinder.views.contact: phone numbers as tel: links, only from a phone number."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.views.contact import (
    contact_line,
    contact_lines,
    phone_link,
    quick_call,
    tel_uri,
)


@pytest.mark.parametrize(("text", "uri"), [
    ("+1 (617) 555-0100 ext. 123", "tel:+1-617-555-0100;ext=123"),
    ("+1-617-555-0100", "tel:+1-617-555-0100"),
    ("312-555-0197 ext. 417", "tel:312-555-0197;ext=417"),  # as the tables join phoneExt
    ("555-0100 x12", "tel:555-0100;ext=12"),
    ("+44 20 7946 0000 extension 9", "tel:+44-20-7946-0000;ext=9"),
    ("  617 555 0100  ", "tel:617-555-0100"),
    ("(617) 555-0100", "tel:617-555-0100"),
])
def test_a_phone_number_becomes_a_tel_uri(text: str, uri: str) -> None:
    assert tel_uri(text) == uri


@pytest.mark.parametrize("text", [
    "call 555-0100", "555-0100; DROP", "12", "+1+2 345 678", "(617 555-0100",
    "617.555.0100", "javascript:alert(1)", "555-0100 ext. abc", "", "1" * 21,
    "555-0100\n555-0101", "٥٥٥-٠١٠٠",
])
def test_anything_else_is_no_link(text: str) -> None:
    assert tel_uri(text) is None
    assert "](" not in phone_link(text)


def test_links_are_inert_markdown() -> None:
    assert phone_link("312-555-0197 ext. 417") == (
        "[312\\-555\\-0197 ext\\. 417](tel:312-555-0197;ext=417)")
    assert phone_link("[x](https://evil.example)") == (
        "\\[x\\]\\(https\\:\u2060\\/\\/evil\\.example\\)")
    assert contact_line("Dr. Ann Lee", "Contact", "555-0100", "ann@example.org") == (
        "Dr\\. Ann Lee · Contact · [555\\-0100](tel:555-0100) · "
        "[ann\\@example\\.org](mailto:ann@example.org)")
    assert contact_line("", "", "", "") == ""
    assert contact_line("A", "", "ask at the desk", "not an address") == (
        "A · ask at the desk · not an address")


def test_contact_lines_give_each_link_a_line_of_its_own() -> None:
    assert contact_lines("Dr. Ann Lee", "Contact", "555-0100", "ann@example.org") == (
        "Dr\\. Ann Lee · Contact  \n  Phone: [555\\-0100](tel:555-0100)  \n"
        "  E-mail: [ann\\@example\\.org](mailto:ann@example.org)")
    assert contact_lines("Sam Ng", "", "555-0100", "", lead="Contact: ") == (
        "Contact: Sam Ng  \n  Phone: [555\\-0100](tel:555-0100)")
    # no name or role: no lead, the phone first; a text that is no number stays text
    assert contact_lines(" ", "", "ask at the desk", "ann@example.org", lead="Contact: ") == (
        "Phone: ask at the desk  \n  E-mail: [ann\\@example\\.org](mailto:ann@example.org)")
    assert contact_lines("", "", "", "") == ""


@given(st.text(max_size=40))
def test_a_tel_uri_holds_only_safe_characters_from_a_phone_only_text(text: str) -> None:
    uri = tel_uri(text)
    if uri is not None:
        assert re.fullmatch(r"tel:\+?[0-9]+(-[0-9]+)*(;ext=[0-9]{1,8})?", uri)
        number = re.sub(r"(?i)\s*[,;]?\s*(ext\.?|extension|x)\s*[0-9]+\s*$", "", text)
        assert re.fullmatch(r"[0-9+() \-]+", number.strip())


def test_quick_call_is_the_first_phone_number_then_the_first_address() -> None:
    # the first reach with a number that is a number, whoever comes first with an address
    assert quick_call([("the whole study", "ask at the desk", "ann@example.org"),
                       ("the nearest site", "312-555-0197 ext. 417", "")]) == (
        "**Call:** [312\\-555\\-0197 ext\\. 417](tel:312-555-0197;ext=417) "
        "(the nearest site)")
    assert quick_call([("the whole study", "", "not an address"),
                       ("a site", "", "ann@example.org")]) == (
        "**E-mail:** [ann\\@example\\.org](mailto:ann@example.org) (a site)")
    assert quick_call([("the whole study", "call 555-0100", "not an address")]) == ""
    assert quick_call([]) == ""


def test_quick_call_keeps_markdown_of_a_record_inert() -> None:
    line = quick_call([("a [site](https://evil.example)", "555-0100", "")])
    assert line == ("**Call:** [555\\-0100](tel:555-0100) "
                    "(a \\[site\\]\\(https\\:\u2060\\/\\/evil\\.example\\))")
