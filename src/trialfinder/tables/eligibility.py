"""Eligibility text cut into who may join (inclusion) and who may not (exclusion).

The registry stores eligibility as one Markdown text. Most texts read "Inclusion Criteria:",
a list, "Exclusion Criteria:", a list; many do not. :func:`split_criteria` knows these shapes:

* headings with extra words: "Key Inclusion Criteria", "Radiological Exclusion Criteria",
  "Inclusion Criteria for all groups:", "Exclusion criteria determined after surgery", one
  list per population ("Inclusion Criteria for caregivers:", "Clinic exclusion criteria:");
* headings written as a bullet ("* Inclusion Criteria:"), in bold ("**Exclusion Criteria:**")
  or with a stray number ("5Inclusion Criteria:", "1.Inclusion criteria");
* a heading that carries its first item on the same line ("Exclusion Criteria: pregnancy"),
  also as a sentence ("Inclusion criteria. Age 22 or over. ..."), and a one-line text
  ("Inclusion Criteria: adults 18-65 with ALS");
* a heading in mid-line ("... approved by the board Exclusion Criteria:• Patient has ..."), or
  ending a bullet ("- Able to walk. Exclusion Criteria:");
* a heading whose colon and line breaks were lost, its first item on its line ("Inclusion
  Criteria Female patients aged 18 to 75. ...", "... Written consent. Exclusion Criteria Prior
  surgery."), told from a statement about a list ("Exclusion Criteria Below apply ...");
* headings in plain words, ending with a colon or carrying an item after it: "Who can take
  part:", "Not eligible:", "Ineligible: people with diabetes"; or alone on their line as a
  question or the start of a sentence: "Who cannot take part?", "You cannot join if";
* sentences that announce a list: "Patients will be excluded if:", "Participants are excluded
  from the study if any of the following criteria apply:", "Non-inclusion criteria:";
* "Inclusion/Exclusion Criteria" as an overall heading (it switches to neither list), and a
  title such as "Eligibility criteria for the first phase:" followed by an inclusion heading
  (it and what follows it up to that heading are the intro; without one, it opens the
  inclusion list).

Lines that merely mention the words ("Exclusion of patients on riluzole", "Other
protocol-defined exclusion criteria may apply", "Not meeting the inclusion criteria") stay
items. Items that stand for nothing ("N/A", "None", a lone "-") are left out and kept in
``Criteria.placeholders``. The registry's Markdown escapes (``\\>=``, ``\\*``, ``1\\.``) are
removed from the items; the table column keeps the Markdown as written. The text is read as
:func:`trialfinder.registries.ctgov.normalize.normalize` gives it, HTML references already decoded
(see
:mod:`trialfinder.core.entities`): nothing here decodes them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from trialfinder.tables.criteriaheads import (
    BULLET,
    PLAIN_LINE,
    PLAIN_WORDS,
    announces,
    heading,
    lines,
    may_announce,
    may_head,
)

__all__ = [
    "Criteria",
    "block_lines",
    "is_placeholder",
    "item_text",
    "sectioned_parts",
    "split_criteria",
    "unescape_markdown",
]

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# an empty item: no letter or digit ("-", ".", a lone "\-"), or words that say "nothing here"
_PLACEHOLDER = re.compile(
    r"^[\W_]*(?:(?:n\W?a|nil|none(?:\s+(?:listed|specified|stated))?|not\s+applicable|nothing"
    r"|no)[\W_]*)?$",
    re.I,
)

_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")

Item = tuple[int, str]
_ORDER = {"intro": 0, "inclusion": 1, "exclusion": 2}


def unescape_markdown(text: str) -> str:
    r"""The registry's Markdown escapes removed: ``\>= 18`` -> ``>= 18``, ``\*`` -> ``*``."""
    return _ESCAPE.sub(r"\1", text)


@dataclass(frozen=True)
class Criteria:
    """Eligibility text cut at its inclusion and exclusion headings.

    Each item is ``(depth, text)``: depth 1 is an indented sub-item; the text has the
    registry's Markdown escapes removed. Text before the first heading (or all of it, when
    there is no heading) goes to ``intro``. ``headings`` lists the headings found, as
    ``(section, text)``, in order; ``placeholders`` the items left out because they stand for
    nothing ("N/A", "None", a lone "-"), as ``(section, text as written)``, so that a reader
    can say "none" rather than show an empty list without a word (neither is compared: two
    splits are equal when their lists are).
    """

    intro: list[Item] = field(default_factory=list)
    inclusion: list[Item] = field(default_factory=list)
    exclusion: list[Item] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list, compare=False)
    placeholders: list[tuple[str, str]] = field(default_factory=list, compare=False)

    def said_instead(self, section: str) -> str:
        """What the record wrote instead of items under ``section`` ("N/A", "None"), each
        once, or "" (a lone dash or dot is not worth quoting)."""
        said = (text for s, text in self.placeholders
                if s == section and any(ch.isalpha() for ch in text))
        return ", ".join(dict.fromkeys(said))


_STAR = re.compile(r"^\s*[*\-+•·]")


def _item(line: str) -> Item:
    bullet = BULLET.match(line)
    if bullet is None:
        return 0, unescape_markdown(line.strip().strip("•·").strip())
    depth = 1 if len(line) - len(line.lstrip()) >= 2 else 0
    body = line[bullet.end():]
    if _STAR.match(line):
        second = BULLET.match(body)  # "* 1. Age 18-65"
        if second is not None:
            body = body[second.end():]
    return depth, unescape_markdown(body.strip().strip("•·").strip())


# one step of the walk: (kind, section, text); kind is "heading", "announce", "item", "rest"
# (the first item written on a heading's line) or "block" (several plain lines of one list)
_Step = tuple[str, str, str]

# the only lines that can change the list: those naming inclusion or exclusion, and those
# ending with a colon; the lines between them are read as a block
_COLON_END = re.compile(r":[ \t*_#•·]*(?:\n|$)")


def _candidate_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that may be a heading, in order (literal searches only)."""
    starts: set[int] = set()
    for needle in ("lusion", "LUSION", "ligib", "LIGIB"):
        at = text.find(needle)
        while at != -1:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = text.find(needle, at + 6)
    for colon in _COLON_END.finditer(text):
        starts.add(text.rfind("\n", 0, colon.start()) + 1)
    for plain in PLAIN_LINE.finditer("\n" + text):  # "Who can take part?", "You cannot join if"
        start = plain.start()  # the line's start in text (one "\n" was put before it)
        end = text.find("\n", start)
        line = text[start:] if end == -1 else text[start:end]
        if any(word in line.lower() for word in PLAIN_WORDS):
            starts.add(start)
    spans = []
    for start in sorted(starts):
        end = text.find("\n", start)
        spans.append((start, len(text) if end == -1 else end))
    return spans


def _next_heading(text: str, spans: list[tuple[int, int]], after: int) -> tuple[int, str]:
    """``(position in spans, list)`` of the first inclusion or exclusion heading after
    ``spans[after]``, or ``(len(spans), "")``."""
    for at in range(after + 1, len(spans)):
        start, end = spans[at]
        for line in lines(text[start:end]):
            found = heading(line) if may_head(line) else None
            if found is not None and found[0] is not None:
                return at, found[0]
    return len(spans), ""


def _walk(text: str) -> Iterator[_Step]:
    """The text in order, each part with the list it belongs to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    current = "intro"
    pos = 0
    spans = _candidate_lines(text)
    ahead = (-1, "")  # the next heading after an announcing sentence, once looked for
    for at, (start, end) in enumerate(spans):
        if start > pos:
            yield "block", current, text[pos:start]
        pos = end
        for line in lines(text[start:end]):
            stripped = line.strip()
            if not stripped:
                continue
            found = heading(line) if may_head(line) else None
            if found is not None:
                section, head, rest = found
                current = section or current
                yield "heading", section or "both", head
                if rest:
                    yield "rest", current, rest
                continue
            announced = announces(line) if may_announce(stripped) else None
            if announced == "inclusion" and current == "intro":
                if ahead[0] <= at:  # looked for once up to the heading found, not per line
                    ahead = _next_heading(text, spans, at)
                if ahead[1] == "inclusion":
                    # "Eligibility criteria for phase 1:" and then "Inclusion criteria ...:"
                    announced = None
            if announced is not None and _ORDER[announced] > _ORDER[current]:
                # a sentence that opens the next list: it switches, and stays as an item
                current = announced
                yield "announce", announced, line
            yield "item", current, line
    if pos < len(text):
        yield "block", current, text[pos:]


def _block_lines(block: str) -> Iterator[str]:
    for line in block.split("\n"):
        stripped = line.strip()
        if stripped and not (stripped.startswith("<!--") and _COMMENT.match(line)):
            yield line  # "<!-- -->" separates two lists: it is not an item


def is_placeholder(item: str) -> bool:
    """True for an item that stands for "nothing": no letter or digit ("-", ".", the
    registry's lone ``\\-``), or only "N/A", "none", "nil", "not applicable", "no"."""
    return bool(_PLACEHOLDER.match(item))


def _only_exclusion(headings: Iterable[tuple[str, str]]) -> bool:
    """An exclusion heading and no inclusion heading: what came first is who may join."""
    sections = {section for section, _ in headings}
    return "exclusion" in sections and "inclusion" not in sections


_Parts = tuple[dict[str, list[Item]], list[tuple[str, str]], list[tuple[str, str]]]


def _parts(steps: Iterable[_Step]) -> _Parts:
    parts: dict[str, list[Item]] = {"intro": [], "inclusion": [], "exclusion": []}
    headings: list[tuple[str, str]] = []
    placeholders: list[tuple[str, str]] = []
    for kind, section, text in steps:
        if kind == "heading":
            headings.append((section, unescape_markdown(text)))
            continue
        if kind == "announce":
            headings.append((section, _item(text)[1]))
            continue
        lines = _block_lines(text) if kind == "block" else (text,)
        for line in lines:
            item = (0, unescape_markdown(line)) if kind == "rest" else _item(line)
            if is_placeholder(item[1]):
                placeholders.append((section, item[1] or unescape_markdown(line.strip())))
            else:
                parts[section].append(item)
    if _only_exclusion(headings):
        parts["inclusion"], parts["intro"] = parts["intro"], []
        placeholders = [("inclusion" if s == "intro" else s, t) for s, t in placeholders]
    return parts, headings, placeholders


def split_criteria(text: str | None) -> Criteria:
    """Split the registry's eligibility Markdown into intro, inclusion and exclusion lists."""
    parts, headings, placeholders = _parts(_walk(str(text or "")))
    return Criteria(**parts, headings=headings, placeholders=placeholders)


def sectioned_parts(text: str) -> list[tuple[str, str, str]]:
    """The content of ``text`` as ``(section, kind, raw text)`` in order, where kind is
    "line", "rest" (an item written on its heading's line) or "block" (several lines of one
    list: split them with :func:`block_lines`); section is inclusion, exclusion or intro, as
    :func:`split_criteria` would put them.

    A cheap first pass for callers that look at a few lines only: turn a line into the
    item :func:`split_criteria` would show with :func:`item_text`.
    """
    parts: list[tuple[str, str, str]] = []
    headings: list[tuple[str, str]] = []
    for kind, section, part in _walk(text):
        if kind == "heading" or kind == "announce":
            headings.append((section, ""))
        elif kind != "block" or part.strip():
            parts.append((section, "line" if kind == "item" else kind, part))
    if _only_exclusion(headings):
        parts = [("inclusion" if s == "intro" else s, kind, part) for s, kind, part in parts]
    return parts


def block_lines(block: str) -> list[str]:
    """The content lines of a block from :func:`sectioned_parts`."""
    return list(_block_lines(block))


def item_text(line: str, after_heading: bool = False) -> str:
    """A raw line as :func:`split_criteria` shows it: no bullet, no Markdown escapes."""
    return unescape_markdown(line) if after_heading else _item(line)[1]
