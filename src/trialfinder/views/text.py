"""Text for the page: Markdown escaping and words instead of the API's codes.

Everything the dashboard shows through a Markdown-rendering call (``st.markdown``, ``st.info``,
labels ...) that did not come from this project (URL parameters, record fields, API messages)
goes through :func:`escape_md` or :func:`inert_markdown` first, so it is shown as typed and can
never become a link, an image, HTML, maths or a colour directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from trialfinder.core.codes import Phase, Status, StudyType
from trialfinder.core.missing import is_blank, text_of
from trialfinder.core.terminal import clean
from trialfinder.core.textcap import LINE_CHARS, LONG_CHARS, cap
from trialfinder.core.wording import age_range, plural
from trialfinder.tables.filters import INTERVENTION_TYPES

__all__ = [
    "HV_LABELS",
    "INTERVENTION_LABELS",
    "NOT_ADVICE",
    "NOT_STATED",
    "RESULTS_LABELS",
    "SEX_LABELS",
    "SHORT_NOT_ADVICE",
    "age_range",
    "cell_text",
    "code_label",
    "codes_label",
    "escape_md",
    "human_time",
    "inert_markdown",
    "is_blank",
    "joined_label",
    "mail_link",
    "markdown_list",
    "miles_away",
    "plain_line",
    "plural",
    "sentence",
    "status_label",
    "text_of",
]

#: The page's one "not medical advice" line (under the filters and on every study's page).
NOT_ADVICE = "Not medical advice; talk to your doctor before you act on anything you read here."
#: The same, where a line has little room (beside a study's way back on a short screen).
SHORT_NOT_ADVICE = "Not medical advice."

NOT_STATED = "Not stated"  # one wording for a missing phase, sex, age limit...

SEX_LABELS = {"ALL": "Any", "FEMALE": "Female", "MALE": "Male"}
HV_LABELS = {
    "any": "Doesn't matter",
    "yes": "Takes healthy volunteers",
    "no": "Only people with the condition",
}
RESULTS_LABELS = {
    "any": "Doesn't matter",
    "yes": "Only with posted results",
    "no": "Only without posted results",
}
INTERVENTION_LABELS = {code: code.replace("_", " ").capitalize() for code in INTERVENTION_TYPES}

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)])\s+")
_WORD_JOINER = "\u2060"  # invisible; stops Markdown from turning a bare address into a link
_AUTOLINK = re.compile(r"(?i)(\\:)(?=\\/\\/)|(www)(?=\\\.)|(?=\\@)")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$")


def escape_md(text: object, limit: int = LONG_CHARS) -> str:
    """Text that Markdown shows literally, on one line, capped at ``limit`` characters.

    Every ASCII punctuation mark is backslash-escaped, so the text cannot make links, images,
    HTML, maths or colour directives; runs of white space (line breaks too) become one space,
    so it cannot start a heading or a list; escape sequences, control and format characters
    (bidi controls, zero-width characters) are dropped by the terminal's rule
    (:func:`trialfinder.core.terminal.clean`). Bare web and e-mail addresses get an invisible word
    joiner (after ``https:``, after ``www``, before ``@``) so that Markdown's autolinking
    leaves them as text. Backslash escapes already in the registry's Markdown (``\\<``) are
    undone first.
    """
    plain = _MD_ESCAPED.sub(r"\1", " ".join(clean(cap(str(text), limit)).split()))
    escaped = _MD_PUNCT.sub(r"\\\1", plain)
    return _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or "") + _WORD_JOINER, escaped)


def plain_line(text: object, limit: int = LONG_CHARS) -> str:
    """Text for an element that shows it as it is, with no Markdown (``st.text``): on one
    line, capped, escape sequences, control and format characters dropped. An address in it
    needs no guard against autolinking (:func:`escape_md`'s invisible word joiner), so a copy
    of it is the address as it was."""
    return " ".join(clean(cap(str(text), limit)).split())


def mail_link(address: str) -> str:
    """A well-formed e-mail address as our own ``mailto:`` link; anything else as text."""
    address = address.strip()
    if not _EMAIL.match(address):
        return escape_md(address)
    shown = _MD_PUNCT.sub(r"\\\1", address)
    return f"[{shown}](mailto:{address})"


def inert_markdown(text: object) -> str:
    """Trial text as safe Markdown: paragraphs and bullet lists kept, everything else literal
    (the whole text capped at :data:`~trialfinder.core.textcap.LONG_CHARS` characters)."""
    out: list[str] = []
    for line in cap(str(text), LONG_CHARS).splitlines():
        if not line.strip():
            out.append("")
        elif _BULLET.match(line):
            depth = "    " if len(line) - len(line.lstrip()) >= 2 else ""
            out.append(f"{depth}- {escape_md(_BULLET.sub('', line))}")
        else:
            if out and out[-1].startswith(("- ", "    - ")):
                out.append("")
            out.append(escape_md(line))
    return "\n".join(out)


def markdown_list(items: Iterable[tuple[int, str]]) -> str:
    """``(depth, text)`` items as an escaped Markdown list (depth 0 or nested)."""
    return "\n".join(("    " if depth else "") + "- " + escape_md(item) for depth, item in items)


def cell_text(value: Any) -> str:
    """A value as a table cell on the page shows it: escape sequences, control and format
    characters dropped (:func:`trialfinder.core.terminal.clean`), capped at
    :data:`~trialfinder.core.textcap.LINE_CHARS` characters; missing -> empty."""
    return clean(cap(text_of(value), LINE_CHARS))


def sentence(text: str) -> str:
    """The text with its first letter capitalised (the rest left alone)."""
    return text[:1].upper() + text[1:]


def miles_away(miles: float) -> str:
    """A distance as a card and a study's page say it: ``under a mile away`` (never "0 miles
    away" for a site in the town itself), ``1 mile away``, ``12 miles away``."""
    if miles < 0.5:
        return "under a mile away"
    return f"{plural(max(1, round(miles)), 'mile')} away"


def code_label(code: str) -> str:
    """An API code in words: ``PHASE2`` -> ``Phase 2``, ``DIETARY_SUPPLEMENT`` ->
    ``Dietary supplement``."""
    for enum in (Status, Phase, StudyType):
        try:
            return enum(code).label
        except ValueError:
            continue
    return INTERVENTION_LABELS.get(code, code.replace("_", " ").capitalize())


def codes_label(joined: Any) -> str:
    """``"PHASE2|PHASE3"`` -> ``"Phase 2, Phase 3"``; nothing -> :data:`NOT_STATED`."""
    return ", ".join(code_label(c) for c in text_of(joined).split("|") if c) or NOT_STATED


def status_label(code: Any) -> str:
    return NOT_STATED if is_blank(code) or not str(code) else code_label(str(code))


def joined_label(joined: Any, default: str = "") -> str:
    """A ``"|"``-joined list of the tables as readable text: ``"a|b"`` -> ``"a, b"``."""
    return ", ".join(p.strip() for p in text_of(joined).split("|") if p.strip()) or default


def human_time(value: Any, with_time: bool = False) -> str | None:
    """An ISO timestamp as ``20 Nov 2026`` (or ``20 Nov 2026 15:57 UTC``); ``None`` when the
    value is not a timestamp (the caller then says nothing rather than echo odd text)."""
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    text = f"{stamp.day} {stamp:%b %Y}"
    return f"{text} {stamp:%H:%M} UTC" if with_time else text
