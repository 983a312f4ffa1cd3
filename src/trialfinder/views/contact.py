"""Phone numbers and e-mail addresses as links a phone can follow (``tel:``, ``mailto:``).

:func:`contact_lines` puts each link on a line of its own (Markdown hard line breaks), so the
dashboard's style can draw it as a tap target (44 px high on a phone) that no other text
shares: a link inside a sentence can only be as tall as the sentence's line.

A link is made only from a record's text that is a phone number and nothing else: digits,
``+`` (first only), ``-``, spaces and parentheses, optionally followed by an extension
(``ext. 417``, ``x417``, ``extension 417``), as the tables write it. Anything else is shown as
escaped text and never becomes a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from trialfinder.views.text import escape_md, mail_link

__all__ = ["BREAK", "contact_line", "contact_lines", "phone_link", "quick_call", "tel_uri"]

MIN_DIGITS: Final = 3
MAX_DIGITS: Final = 20
_PHONE = re.compile(
    r"^\s*(?P<number>\+?[0-9() \-]+?)"
    r"(?:\s*(?:,|;)?\s*(?:ext\.?|extension|x)\s*(?P<ext>[0-9]{1,8}))?\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s()\-]+")


def tel_uri(text: object) -> str | None:
    """``"+1 (617) 555-0100 ext. 123"`` -> ``"tel:+1-617-555-0100;ext=123"`` (RFC 3966: the
    number's groups joined by ``-``, the extension as ``;ext=``); ``None`` for anything that is
    not only a phone number (letters, other signs, too few or too many digits)."""
    if not isinstance(text, str) or len(text) > 80:
        return None
    found = _PHONE.match(text)
    if found is None:
        return None
    number = found.group("number")
    plus = number.lstrip().startswith("+")
    groups = [g for g in _SEPARATORS.split(number.replace("+", " ")) if g]
    digits = sum(len(g) for g in groups)
    if not MIN_DIGITS <= digits <= MAX_DIGITS or number.count("(") != number.count(")"):
        return None
    uri = "tel:" + ("+" if plus else "") + "-".join(groups)
    ext = found.group("ext")
    return uri + (f";ext={ext}" if ext else "")


def phone_link(text: str) -> str:
    """A phone number as a Markdown ``tel:`` link (its text escaped), or the text escaped
    when it is not a phone number."""
    uri = tel_uri(text)
    shown = escape_md(" ".join(text.split()))
    return f"[{shown}]({uri})" if uri else shown


def contact_line(name: str, role: str, phone: str, email: str) -> str:
    """One contact as inert Markdown: ``name · role · [phone](tel:…) · [email](mailto:…)``,
    leaving out what is empty."""
    parts = [escape_md(p) for p in (name, role) if p.strip()]
    parts += [phone_link(phone)] if phone.strip() else []
    parts += [mail_link(email)] if email.strip() else []
    return " · ".join(parts)


#: A Markdown hard line break (two spaces before the newline), indented so that the next line
#: stays in the same list item when the lines are one.
BREAK: Final = "  \n  "


def contact_lines(name: str, role: str, phone: str, email: str, lead: str = "") -> str:
    """One contact as inert Markdown on up to three lines: ``lead name · role``, then
    ``Phone: [phone](tel:…)``, then ``E-mail: [email](mailto:…)``, leaving out what is empty
    (``lead`` is our own Markdown, such as ``"Contact: "``; it is left out when the contact has
    neither a name nor a role, and the lines then start with the phone)."""
    who = " · ".join(escape_md(p) for p in (name, role) if p.strip())
    lines = [lead + who] if who else []
    lines += [f"Phone: {phone_link(phone)}"] if phone.strip() else []
    lines += [f"E-mail: {mail_link(email)}"] if email.strip() else []
    return BREAK.join(lines)


def quick_call(reaches: Iterable[tuple[str, str, str]]) -> str:
    """The first way to reach a study, as one short line of inert Markdown (a short screen
    shows it beside the study page's way back). ``reaches`` are ``(whose, phone, email)`` in
    the page's order, ``whose`` naming the contact in a few words: the first phone number
    that is a number gives ``**Call:** [number](tel:…) (whose)``; failing that, the first
    well-formed address gives ``**E-mail:** [address](mailto:…) (whose)``; else ``""``."""
    reaches = list(reaches)
    for whose, phone, _email in reaches:
        if tel_uri(phone):
            return f"**Call:** {phone_link(phone)} ({escape_md(whose)})"
    for whose, _phone, email in reaches:
        link = mail_link(email)
        if link.startswith("["):
            return f"**E-mail:** {link} ({escape_md(whose)})"
    return ""
