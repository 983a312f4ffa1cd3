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
* sentences that announce a list: "Patients will be excluded if:", "Participants are excluded
  from the study if any of the following criteria apply:", "Non-inclusion criteria:";
* "Inclusion/Exclusion Criteria" as an overall heading (it switches to neither list).

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
from functools import lru_cache

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
# a bullet: "*", "-", "•", "1.", "2)", or one the registry escaped ("\- ", "1\. ": the author's
# own numbering; a lone "\-" is how it writes an empty item, see _PLACEHOLDER)
_BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)]|(?:\d{1,3}\\[.)]|\\-)(?=\s|$))\s*")
_MARKUP = "#*_ \t•·"
_KIND = r"(?P<kind>non[- ]?inclusion|inclusion\s*/\s*exclusion|inclusion|exclusion)"
# "Key Inclusion Criteria ...", "Inclusion:", "Intra-operative Exclusion Criteria"
_STARTS = re.compile(
    rf"^(?P<prefix>(?:[^\s:]+\s+){{0,3}}?){_KIND}(?P<crit>\s+criteria)?\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# a heading named by a longer phrase, alone on its line: "Lung Health Service Clinic
# exclusion criteria:" (its words are checked against _NOT_PREFIX too)
_LONG_PREFIX = re.compile(rf"^(?P<prefix>(?:[\w'’()/-]+\s+){{4,6}}){_KIND}\s+criteria\s*:$",
                          re.IGNORECASE)
# words that make "... inclusion criteria" a statement about a list, not its heading:
# "Not meeting the inclusion criteria", "See exclusion criteria", "Other protocol-defined ..."
_NOT_PREFIX = re.compile(
    r"\b(?:not?|never|fail\w*|meet\w*|met|fulfil\w*|satisf\w*|violat\w*|see|note|further"
    r"|other\s+protocol|all|any|the|these|those|above|below|listed|per|if|unless|except|does|do|did"
    r"|is|are|was|were|be|has|have|had|who|refer\w*|described|outlined)\b",
    re.I,
)
# the words after "... criteria" in a statement rather than a heading ("... criteria are met")
_STATEMENT = re.compile(r"\b(?:apply|applies|may|must|will|are|is|was|were|be|been|not|met)\b",
                        re.I)
# whom a list is for: "... criteria for caregivers", "(patients)", "- healthy controls"
_FOR_WHOM = re.compile(r"(?:for|in|of)\b|[(\[\-–]", re.I)
# a number glued to the heading: "5Inclusion Criteria:", "2.Exclusion criteria"
_GLUED = re.compile(r"^\d{1,3}[.)]?(?=(?:non[- ]?)?(?:in|ex)clusion)", re.I)
# a heading inside a line: written with capitals, followed by a colon
_INLINE = re.compile(
    r"(?<=\S)\s*(?=(?:Key\s+)?(?:Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+"
    r"(?:Criteria|CRITERIA|criteria)\s*:)"
)
# what comes before such a heading when the line is an item that the heading ends
# ("- Able to walk. Exclusion Criteria:"), not the heading's own first words ("Key ...")
# or its label ("B)", "II.")
_ENDS_ITEM = re.compile(r"[.;!?)\]]\s*$|\S+\s+\S+\s+\S+\s+\S+")
_LABEL = re.compile(r"^\(?[A-Za-z0-9]{1,4}[.):]?$")
# an empty item: no letter or digit ("-", ".", a lone "\-"), or words that say "nothing here"
_PLACEHOLDER = re.compile(
    r"^[\W_]*(?:(?:n\W?a|nil|none(?:\s+(?:listed|specified|stated))?|not\s+applicable|nothing"
    r"|no)[\W_]*)?$",
    re.I,
)
_SENTENCE_EXCLUDES = re.compile(
    r"exclu|not\s+(?:be\s+)?eligible|ineligible|not\s+(?:to\s+)?be\s+(?:enrolled|included)"
    r"|non[- ]?inclusion|may\s+not\s+(?:be\s+)?(?:enrolled|included|participate)",
    re.IGNORECASE,
)
_SENTENCE_INCLUDES = re.compile(r"inclu|eligib|enrol|may\s+(?:take\s+part|participate)", re.I)
_ANNOUNCES = re.compile(r"criteri|following|\bif\s*:$|\bif\s+(?:they|you)\b[^:]*:$", re.I)
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[a-z]?[.)]")  # "3.", "5b.": an item, not a sentence
# a sentence that points at one criterion of a list ("... named in exclusion criterion #5:")
# speaks about that list; it does not open it
_REFERS = re.compile(r"(?:in|ex)clusion\s+criteri(?:on|a)\s*(?:#|no\.?|number)?\s*\d", re.I)
# a sentence naming both lists speaks of them all ("The main inclusion and exclusion criteria
# include the following:"); it opens neither
_BOTH = re.compile(r"(?:in|ex)clusion\s*(?:and|&|or|/)\s*(?:in|ex)clusion", re.I)

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


def _section(kind: str) -> str | None:
    """inclusion, exclusion, or None for a heading that names both."""
    folded = re.sub(r"[\s\-]", "", kind.lower())
    if folded.startswith("noninclusion"):
        return "exclusion"
    if "/" in folded:
        return None
    return folded


@lru_cache(maxsize=4096)  # heading lines repeat from text to text: "Inclusion Criteria:"
def _heading(line: str) -> tuple[str | None, str, str] | None:
    """``(section, heading text, rest of the line)`` when ``line`` is a heading, else None.

    ``section`` is None for "Inclusion/Exclusion Criteria" (a heading over both lists).
    """
    bulleted = bool(_BULLET.match(line))
    bare = _BULLET.sub("", line.strip()) if bulleted else line.strip()
    bare = _GLUED.sub("", bare.strip(_MARKUP)).strip(_MARKUP)
    if not bare:
        return None
    starts = _STARTS.match(bare)
    if starts is None and not bulleted:
        starts = _LONG_PREFIX.match(bare)
        if starts and not _NOT_PREFIX.search(starts.group("prefix")):
            return _section(starts.group("kind")), bare[:-1].rstrip(_MARKUP), ""
        return None
    if starts and not _NOT_PREFIX.search(starts.group("prefix")):
        prefix, crit = starts.group("prefix"), starts.group("crit")
        rest = starts.group("rest")
        section = _section(starts.group("kind"))
        plain = rest.strip(_MARKUP)
        head = bare[: len(bare) - len(rest)]
        if plain.startswith(":") or (crit and plain.startswith(".")):
            # "Exclusion Criteria: pregnancy", "Inclusion criteria. Age 22 or over. ..."
            # -> the heading, then its first item
            item = plain[1:].strip(_MARKUP)
            if not bulleted or len(prefix.split()) <= 1:
                return section, head, item
        elif crit and ":" in plain and len(plain.split(":")[0]) <= 80:
            # "Inclusion Criteria for caregivers:", "Inclusion Criteria for all groups: ..."
            # (a longer heading with a colon; as a bullet, only when nothing follows it)
            more, _, item = plain.partition(":")
            item = item.strip(_MARKUP)
            if not bulleted or (not item and len(more.split()) <= 6):
                return section, f"{head}{rest.partition(':')[0]}".strip(_MARKUP), item
        elif not plain:
            if crit or not prefix:  # "Inclusion", "Key Inclusion Criteria"
                return section, bare, ""
        elif (crit and len(bare.split()) <= 10 and not bare.endswith(".")
              and not _STATEMENT.search(plain) and (not bulleted or _FOR_WHOM.match(plain))):
            # "Exclusion criteria determined after tissue explant", "1. Inclusion criteria
            # for caregivers"
            return section, bare, ""
    return None


@lru_cache(maxsize=4096)
def _announces(line: str) -> str | None:
    """The list a sentence such as "Patients will be excluded if:" opens, if it is one."""
    bulleted = bool(_BULLET.match(line))
    bare = (_BULLET.sub("", line.strip()) if bulleted else line.strip()).strip(_MARKUP)
    if not bare.endswith(":") or _NUMBERED.match(line) or len(bare) > 300:
        return None
    if not _ANNOUNCES.search(bare) or _REFERS.search(bare) or _BOTH.search(bare):
        return None
    if bulleted and not re.search(r"following\s+criteria", bare, re.I):
        return None
    if _SENTENCE_EXCLUDES.search(bare):
        return "exclusion"
    if _SENTENCE_INCLUDES.search(bare):
        return "inclusion"
    return None


def _lines(text: str) -> Iterator[str]:
    """The text's lines, with a heading in mid-line moved to a line of its own, and so the
    first item of a heading that carries it after a bullet ("Inclusion Criteria for X • Y")."""
    for line in text.split("\n"):
        if "riteria" not in line and "RITERIA" not in line:
            yield line
            continue
        head, dot, tail = line.partition("•")
        if dot and head.strip() and tail.strip() and _heading(head) is not None:
            yield head
            line = dot + tail
        pieces = _INLINE.split(line)
        before = _BULLET.sub("", pieces[0]).strip()
        if len(pieces) > 1 and (_LABEL.match(before) or not _ENDS_ITEM.search(before)):
            pieces = [line]  # "Key Inclusion Criteria:", "B) Exclusion Criteria:"
        yield pieces[0]
        yield from (piece.lstrip() for piece in pieces[1:])


_STAR = re.compile(r"^\s*[*\-+•·]")


def _item(line: str) -> Item:
    bullet = _BULLET.match(line)
    if bullet is None:
        return 0, unescape_markdown(line.strip().strip("•·").strip())
    depth = 1 if len(line) - len(line.lstrip()) >= 2 else 0
    body = line[bullet.end():]
    if _STAR.match(line):
        second = _BULLET.match(body)  # "* 1. Age 18-65"
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
    for needle in ("lusion", "LUSION"):
        at = text.find(needle)
        while at != -1:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = text.find(needle, at + 6)
    for colon in _COLON_END.finditer(text):
        starts.add(text.rfind("\n", 0, colon.start()) + 1)
    spans = []
    for start in sorted(starts):
        end = text.find("\n", start)
        spans.append((start, len(text) if end == -1 else end))
    return spans


def _walk(text: str) -> Iterator[_Step]:
    """The text in order, each part with the list it belongs to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    current = "intro"
    pos = 0
    for start, end in _candidate_lines(text):
        if start > pos:
            yield "block", current, text[pos:start]
        pos = end
        for line in _lines(text[start:end]):
            stripped = line.strip()
            if not stripped:
                continue
            found = _heading(line) if ("lusion" in line or "LUSION" in line) else None
            if found is not None:
                section, head, rest = found
                current = section or current
                yield "heading", section or "both", head
                if rest:
                    yield "rest", current, rest
                continue
            announced = (_announces(line) if stripped.rstrip(_MARKUP).endswith(":")
                         else None)
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
