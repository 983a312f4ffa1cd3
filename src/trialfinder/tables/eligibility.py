"""Eligibility text cut into who may join (inclusion) and who may not (exclusion).

The registry stores eligibility as one Markdown text. Most texts read "Inclusion Criteria:",
a list, "Exclusion Criteria:", a list; many do not. :func:`split_criteria` knows these shapes:

* headings with extra words: "Key Inclusion Criteria", "Radiological Exclusion Criteria",
  "Inclusion Criteria for all groups:", "Exclusion criteria determined after surgery";
* headings written as a bullet ("* Inclusion Criteria:") or in bold ("**Exclusion Criteria:**");
* a heading that carries its first item on the same line ("Exclusion Criteria: pregnancy") and
  a one-line text ("Inclusion Criteria: adults 18-65 with ALS");
* a heading in mid-line ("... approved by the board Exclusion Criteria:• Patient has ...");
* sentences that announce a list: "Patients will be excluded if:", "Participants are excluded
  from the study if any of the following criteria apply:", "Non-inclusion criteria:";
* "Inclusion/Exclusion Criteria" as an overall heading (it switches to neither list).

Lines that merely mention the words ("Exclusion of patients on riluzole", "Other
protocol-defined exclusion criteria may apply") stay items. The registry's Markdown escapes
(``\\>=``, ``\\*``) are removed from the items; the table column keeps the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Criteria", "split_criteria", "unescape_markdown"]

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)])\s*")
_MARKUP = "#*_ \t•·"
_KIND = r"(?P<kind>non[- ]?inclusion|inclusion\s*/\s*exclusion|inclusion|exclusion)"
# "Key Inclusion Criteria ...", "Inclusion:", "Intra-operative Exclusion Criteria"
_STARTS = re.compile(
    rf"^(?P<prefix>(?:[^\s:]+\s+){{0,3}}?){_KIND}(?P<crit>\s+criteria)?\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_NOT_PREFIX = re.compile(r"^(?:note|see|further|other\s+protocol|all|any|the|meets?)\b", re.I)
# a heading inside a line: written with capitals, followed by a colon
_INLINE = re.compile(
    r"(?<=\S)\s*(?=(?:Key\s+)?(?:Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+"
    r"(?:Criteria|CRITERIA|criteria)\s*:)"
)
_SENTENCE_EXCLUDES = re.compile(
    r"exclu|not\s+(?:be\s+)?eligible|ineligible|not\s+(?:to\s+)?be\s+(?:enrolled|included)"
    r"|non[- ]?inclusion|may\s+not\s+(?:be\s+)?(?:enrolled|included|participate)",
    re.IGNORECASE,
)
_SENTENCE_INCLUDES = re.compile(r"inclu|eligib|enrol|may\s+(?:take\s+part|participate)", re.I)
_ANNOUNCES = re.compile(r"criteri|following|\bif\s*:$|\bif\s+(?:they|you)\b[^:]*:$", re.I)
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]")

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
    ``(section, text)``, in order (not compared: two splits are equal when their lists are).
    """

    intro: list[Item] = field(default_factory=list)
    inclusion: list[Item] = field(default_factory=list)
    exclusion: list[Item] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list, compare=False)


def _section(kind: str) -> str | None:
    """inclusion, exclusion, or None for a heading that names both."""
    folded = re.sub(r"[\s\-]", "", kind.lower())
    if folded.startswith("noninclusion"):
        return "exclusion"
    if "/" in folded:
        return None
    return folded


def _heading(line: str) -> tuple[str | None, str, str] | None:
    """``(section, heading text, rest of the line)`` when ``line`` is a heading, else None.

    ``section`` is None for "Inclusion/Exclusion Criteria" (a heading over both lists).
    """
    bulleted = bool(_BULLET.match(line))
    bare = _BULLET.sub("", line.strip()) if bulleted else line.strip()
    bare = bare.strip(_MARKUP)
    if not bare:
        return None
    starts = _STARTS.match(bare)
    if starts and not _NOT_PREFIX.match(starts.group("prefix")):
        prefix, crit = starts.group("prefix"), starts.group("crit")
        rest = starts.group("rest")
        section = _section(starts.group("kind"))
        plain = rest.strip(_MARKUP)
        if plain.startswith(":"):
            # "Exclusion Criteria: pregnancy" -> the heading, then its first item
            item = plain[1:].strip(_MARKUP)
            if not bulleted or len(prefix.split()) <= 1:
                return section, bare[: len(bare) - len(rest)], item
        elif crit and not bulleted and ":" in plain and len(plain.split(":")[0]) <= 80:
            # "Inclusion Criteria for all groups: ..." (a long heading with a colon)
            head, _, item = plain.partition(":")
            return section, f"{bare[: len(bare) - len(rest)]}{head}", item.strip(_MARKUP)
        elif not plain:
            if crit or not prefix:  # "Inclusion", "Key Inclusion Criteria"
                return section, bare, ""
        elif (crit and not bulleted and len(bare.split()) <= 10 and not bare.endswith(".")
              and not re.search(r"\b(?:apply|applies|may|must|will|are|is)\b", plain, re.I)):
            # "Exclusion criteria determined after tissue explant"
            return section, bare, ""
    return None


def _announces(line: str) -> str | None:
    """The list a sentence such as "Patients will be excluded if:" opens, if it is one."""
    bulleted = bool(_BULLET.match(line))
    bare = (_BULLET.sub("", line.strip()) if bulleted else line.strip()).strip(_MARKUP)
    if not bare.endswith(":") or _NUMBERED.match(line) or len(bare) > 300:
        return None
    if not _ANNOUNCES.search(bare):
        return None
    if bulleted and not re.search(r"following\s+criteria", bare, re.I):
        return None
    if _SENTENCE_EXCLUDES.search(bare):
        return "exclusion"
    if _SENTENCE_INCLUDES.search(bare):
        return "inclusion"
    return None


def _lines(text: str) -> list[str]:
    """The text's lines, with a heading in mid-line moved to a line of its own."""
    out: list[str] = []
    for line in text.splitlines():
        pieces = _INLINE.split(line)
        if len(pieces) > 1 and len(pieces[0].strip()) < 30:  # "Key Inclusion Criteria:"
            pieces = [line]
        out.append(pieces[0])
        out.extend(piece.lstrip() for piece in pieces[1:])
    return out


def _item(line: str) -> Item:
    indented = len(line) - len(line.lstrip()) >= 2
    depth = 1 if indented and _BULLET.match(line) else 0
    body = _BULLET.sub("", line, count=1) if _BULLET.match(line) else line
    if _BULLET.match(body) and re.match(r"^\s*[*\-+•·]", line):  # "* 1. Age 18-65"
        body = _BULLET.sub("", body, count=1)
    return depth, unescape_markdown(body.strip().strip("•·").strip())


def split_criteria(text: str | None) -> Criteria:
    """Split the registry's eligibility Markdown into intro, inclusion and exclusion lists."""
    parts: dict[str, list[Item]] = {"intro": [], "inclusion": [], "exclusion": []}
    headings: list[tuple[str, str]] = []
    current = "intro"
    for line in _lines(str(text or "")):
        if not line.strip() or _COMMENT.match(line):  # "<!-- -->" separates two lists
            continue
        found = _heading(line)
        if found is not None:
            section, head, rest = found
            current = section or current
            headings.append((section or "both", unescape_markdown(head)))
            if rest:
                parts[current].append((0, unescape_markdown(rest)))
            continue
        depth, item = _item(line)
        announced = _announces(line)
        if announced is not None and _ORDER[announced] > _ORDER[current]:
            # a sentence that opens the next list: it switches, and stays as an item
            current = announced
            headings.append((announced, item))
        if item:
            parts[current].append((depth, item))
    if parts["exclusion"] and not parts["inclusion"] and not any(
            section == "inclusion" for section, _ in headings):
        # an exclusion heading and no inclusion heading: what came first is who may join
        parts["inclusion"], parts["intro"] = parts["intro"], []
    return Criteria(**parts, headings=headings)
