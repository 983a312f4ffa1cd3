"""Where an eligibility text's lists begin: its headings and the sentences that open a list.

:mod:`trialfinder.tables.eligibility` walks a text line by line; this module says of one line
whether it is an inclusion or exclusion heading (:func:`heading`), a sentence that opens a list
("Patients will be excluded if:", :func:`announces`), and cuts a line where a heading was
written inside it (:func:`lines`). The shapes each rule knows are named beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

__all__ = ["BULLET", "MARKUP", "PLAIN_LINE", "PLAIN_WORDS", "announces", "heading", "lines",
           "may_announce", "may_head"]

# a bullet: "*", "-", "•", "1.", "2)", or one the registry escaped ("\- ", "1\. ": the author's
# own numbering; a lone "\-" is how it writes an empty item); a number that runs on into
# digits ("18.0 - <70 years", "2.5 x ULN") is a value, not a bullet
BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)](?!\d)|(?:\d{1,3}\\[.)]|\\-)(?=\s|$))\s*")
MARKUP = "#*_ \t•·"
_KIND = r"(?P<kind>non[- ]?inclusion|inclusion\s*/\s*exclusion|inclusions?|exclusions?)"
# "Key Inclusion Criteria ...", "Inclusion:", "Intra-operative Exclusion Criteria"
_STARTS = re.compile(
    rf"^(?P<prefix>(?:[^\s:]+\s+){{0,3}}?){_KIND}(?P<crit>\s+criteria)?\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# a heading named by a longer phrase, alone on its line: "Lung Health Service Clinic
# exclusion criteria:", "Screening Visit (Visit 1) Exclusion Criteria" (its words are checked
# against _NOT_PREFIX too)
_LONG_PREFIX = re.compile(rf"^(?P<prefix>(?:[\w'’()/-]+\s+){{4,6}}){_KIND}\s+criteria\s*:?$",
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
# a label before a heading: "Part 1: Key Exclusion Criteria", "Cohort B - Inclusion Criteria"
_PART_LABEL = re.compile(r"^(?:part|cohort|arm|group|stage|phase|step|section|module|sub-?study)"
                         r"\s*[A-Z0-9]{1,3}\s*[:.)\-–]\s+(?=\S)", re.I)
# a heading inside a line: written with capitals, followed by a colon
_NAMED = r"(?:Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+(?:Criteria|CRITERIA|criteria)"
_INLINE = re.compile(rf"(?<=\S)\s*(?=(?:Key\s+)?{_NAMED}\s*:)")
# ... or without the colon, after a sentence and before another or at the line's end: "...
# consent. Exclusion Criteria Prior receipt of ...", "- At least 4 weeks since prior therapy.
# Exclusion Criteria" (the registry lost the line breaks around it)
_INLINE_BARE = re.compile(rf"(?<=[.;])\s+(?={_NAMED}(?:\s+[A-Z][a-z]|\s*$))")
# ... or at the end of a title naming eligibility with no break before it ("Patients
# eligibility criteria for participation to the study Inclusion criteria")
_TITLE_END = re.compile(rf"(?<=[\w)])\s+(?=(?:Key\s+)?{_NAMED}\s*:?\s*$)")
_TITLE = re.compile(r"\b(?:criteria|eligib\w*)\b", re.IGNORECASE)
# the first words of a sentence written on a heading's line without a colon ("Inclusion
# Criteria Female patients aged 18 to 75."); not those of a statement about the list
# ("Inclusion Criteria Are As Follows", "Exclusion Criteria Below ...")
_OPENS_ITEM = re.compile(
    r"\s+(?!(?i:not?|the|these|those|all|any|are|is|was|were|will|may|must|shall|should|apply"
    r"|applies|below|above|listed|include[sd]?|as|and|or|for|of)\b)[A-Z]\w*\b(?:\W+\w+){2,}"
)
# what comes before such a heading when the line is an item that the heading ends
# ("- Able to walk. Exclusion Criteria:"), not the heading's own first words ("Key ...")
# or its label ("B)", "II.")
_ENDS_ITEM = re.compile(r"[.;!?)\]]\s*$|\S+\s+\S+\s+\S+\s+\S+")
_LABEL = re.compile(r"^\(?[A-Za-z0-9]{1,4}[.):]?$")
_SENTENCE_EXCLUDES = re.compile(
    r"exclu|not\s+(?:be\s+)?eligible|ineligible|not\s+(?:to\s+)?be\s+(?:enrolled|included)"
    r"|non[- ]?inclusion|may\s+not\s+(?:be\s+)?(?:enrolled|included|participate)",
    re.IGNORECASE,
)
_SENTENCE_INCLUDES = re.compile(r"inclu|eligib|enrol|may\s+(?:take\s+part|participate)", re.I)
_ANNOUNCES = re.compile(r"criteri|following|\bif\s*:$|\bif\s+(?:they|you)\b[^:]*:$", re.I)
_NUMBERED = re.compile(r"^\s*\d{1,3}[a-z]?[.)]")  # "3.", "5b.": an item, not a sentence
# a sentence announcing a list that ends with a full stop instead of a colon ("Subjects will
# not be eligible if they meet any of the following exclusion criteria.")
_FOLLOWING_END = re.compile(r"following\s+(?:[\w-]+\s+){0,2}criteria\s*\.$", re.I)
# a sentence that points at one criterion of a list ("... named in exclusion criterion #5:")
# speaks about that list; it does not open it
_REFERS = re.compile(r"(?:in|ex)clusion\s+criteri(?:on|a)\s*(?:#|no\.?|number)?\s*\d", re.I)
# a sentence naming both lists speaks of them all ("The main inclusion and exclusion criteria
# include the following:"); it opens neither
_BOTH = re.compile(r"(?:in|ex)clusion\s*(?:and|&|or|/)\s*(?:in|ex)clusion", re.I)


# a heading in plain words, alone on its line or before a colon: "Not eligible:", "Who can
# take part", "Who cannot take part in this study?", "Ineligible", "Eligible: adults with ...",
# "You may be able to join if", "You cannot join if:" (written for the public; the list under
# "Not eligible:" had been read as neither list)
_JOINING = (r"(?:take\s+part|participate|join|be\s+eligible|be\s+included|be\s+enrolled"
            r"|eligible)(?:\s+in\s+(?:this|the)\s+(?:study|trial|research))?")
_PLAIN = re.compile(
    r"^(?P<head>(?:who\s+(?:can(?:not|'t|\u2019t)?|is(?:\s+not)?|are(?:\s+not)?|should(?:\s+not)?"
    rf"|may(?:\s+not)?)\s+{_JOINING})"
    r"|(?:you\s+(?:can(?:not|'t|\u2019t)?|could(?:\s+not|n't|n\u2019t)?|may(?:\s+not)?"
    r"|might(?:\s+not)?|will(?:\s+not)?|won't|won\u2019t|should(?:\s+not)?|are(?:\s+not)?)"
    rf"\s+(?:be\s+able\s+to\s+)?{_JOINING}\s+if)"
    r"|not\s+eligible|ineligible|eligible)\s*\??\s*(?::\s*(?P<item>.*))?$", re.I)
# where such a heading may stand in a text: a line beginning with "who" or "you" (the text's
# first, or after a line break) that holds one of PLAIN_WORDS in lower case (the other
# candidate lines name eligibility or end with a colon)
PLAIN_LINE = re.compile(r"\n[ \t#*_]*(?i:who|you)\b")
PLAIN_WORDS = ("take part", "join", "participate")
_PLAIN_NOT = re.compile(r"\bnot\b|n't|n\u2019t|cannot|ineligible", re.I)


def _section(kind: str) -> str | None:
    """inclusion, exclusion, or None for a heading that names both (the patterns match any
    case as ``re.IGNORECASE`` reads it: "ıNCLUSION" with a dotless i is an inclusion heading
    too, though its lower case is not "inclusion")."""
    folded = re.sub(r"[\s\-]", "", kind.lower())
    if "/" in folded:
        return None
    if folded.startswith("non"):  # non-inclusion
        return "exclusion"
    return "exclusion" if folded.startswith("ex") else "inclusion"


_HINTS = ("lusion", "ligib", "take part", "particip", "join", "included", "enrolled")


def may_head(line: str) -> bool:
    """Whether ``line`` may be a heading (a cheap test before :func:`heading`): it names
    inclusion or exclusion, or who may take part."""
    if "lusion" in line or "LUSION" in line:
        return True
    low = line.lower()
    return any(hint in low for hint in _HINTS)


@lru_cache(maxsize=4096)  # heading lines repeat from text to text: "Inclusion Criteria:"
def heading(line: str) -> tuple[str | None, str, str] | None:
    """``(section, heading text, rest of the line)`` when ``line`` is a heading, else None.

    ``section`` is None for "Inclusion/Exclusion Criteria" (a heading over both lists).
    """
    bulleted = bool(BULLET.match(line))
    bare = BULLET.sub("", line.strip()) if bulleted else line.strip()
    bare = _GLUED.sub("", bare.strip(MARKUP)).strip(MARKUP)
    if not bare:
        return None
    # in bold ("**You cannot join if**") it is no bullet
    words = None if bulleted and not line.lstrip().startswith("**") else _PLAIN.match(bare)
    if words is not None:
        side = "exclusion" if _PLAIN_NOT.search(words.group("head")) else "inclusion"
        return side, words.group("head"), (words.group("item") or "").strip(MARKUP)
    label = None if bulleted else _PART_LABEL.match(bare)
    if label is not None:
        found = heading(bare[label.end():])
        return None if found is None else (found[0], bare[: label.end()] + found[1], found[2])
    starts = _STARTS.match(bare)
    if starts is None and not bulleted:
        starts = _LONG_PREFIX.match(bare)
        if starts and not _NOT_PREFIX.search(starts.group("prefix")):
            return _section(starts.group("kind")), bare.removesuffix(":").rstrip(MARKUP), ""
        return None
    if starts and not _NOT_PREFIX.search(starts.group("prefix")):
        prefix, crit = starts.group("prefix"), starts.group("crit")
        rest = starts.group("rest")
        section = _section(starts.group("kind"))
        plain = rest.strip(MARKUP)
        head = bare[: len(bare) - len(rest)]
        if plain.startswith(":") or (crit and plain.startswith(".")):
            # "Exclusion Criteria: pregnancy", "Inclusion criteria. Age 22 or over. ..."
            # -> the heading, then its first item
            item = plain[1:].strip(MARKUP)
            if not bulleted or len(prefix.split()) <= 1:
                return section, head, item
        elif crit and ":" in plain and len(plain.split(":")[0]) <= 80:
            # "Inclusion Criteria for caregivers:", "Inclusion Criteria for all groups: ..."
            # (a longer heading with a colon; as a bullet, only when nothing follows it)
            more, _, item = plain.partition(":")
            item = item.strip(MARKUP)
            if not bulleted or (not item and len(more.split()) <= 6):
                return section, f"{head}{rest.partition(':')[0]}".strip(MARKUP), item
        elif not plain:
            if crit or not prefix:  # "Inclusion", "Key Inclusion Criteria"
                return section, bare, ""
        elif (crit and len(bare.split()) <= (16 if _FOR_WHOM.match(plain) else 10)
              and not bare.endswith(".")
              and not _STATEMENT.search(plain) and (not bulleted or _FOR_WHOM.match(plain))):
            # "Exclusion criteria determined after tissue explant", "1. Inclusion criteria
            # for caregivers"
            return section, bare, ""
        if (crit and not bulleted and prefix.strip().lower() in ("", "key")
                and _OPENS_ITEM.match(rest)):
            # "Inclusion Criteria Female patients aged 18 to 75. ..." -> the heading, then its
            # first item
            return section, head, plain
    return None


@lru_cache(maxsize=4096)
def announces(line: str) -> str | None:
    """The list a sentence such as "Patients will be excluded if:" opens, if it is one."""
    bulleted = bool(BULLET.match(line))
    bare = (BULLET.sub("", line.strip()) if bulleted else line.strip()).strip(MARKUP)
    if (not (bare.endswith(":") or _FOLLOWING_END.search(bare)) or _NUMBERED.match(line)
            or len(bare) > 300):
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


def lines(text: str) -> Iterator[str]:
    """The text's lines, with a heading in mid-line moved to a line of its own, and so the
    first item of a heading that carries it after a bullet ("Inclusion Criteria for X • Y")."""
    for line in text.split("\n"):
        if "riteria" not in line and "RITERIA" not in line:
            yield line
            continue
        head, dot, tail = line.partition("•")
        if dot and head.strip() and tail.strip() and heading(head) is not None:
            yield head
            line = dot + tail
        pieces = [bare for piece in _INLINE.split(line) for bare in _INLINE_BARE.split(piece)]
        cut = _TITLE_END.search(line) if len(pieces) == 1 else None
        if (cut is not None and len(line[: cut.start()].split()) >= 3
                and not BULLET.match(line) and _TITLE.search(line[: cut.start()])):
            pieces = [line[: cut.start()], line[cut.end():]]
        before = BULLET.sub("", pieces[0]).strip()
        if len(pieces) > 1 and (_LABEL.match(before) or not _ENDS_ITEM.search(before)):
            pieces = [line]  # "Key Inclusion Criteria:", "B) Exclusion Criteria:"
        yield pieces[0]
        yield from (piece.lstrip() for piece in pieces[1:])


def may_announce(stripped: str) -> bool:
    """Whether a stripped line ends as a sentence announcing a list may (a cheap test before
    :func:`announces`)."""
    bare = stripped.rstrip(MARKUP)
    return bare.endswith(":") or (bare.endswith(".") and _FOLLOWING_END.search(bare) is not None)
