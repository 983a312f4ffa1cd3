"""Whose condition a line names when it names a relative: the words that say the person is
meant as well ("Personal or family history of ALS"), or that a relative's phrase has ended
before a name ("sudden death in first-degree relatives, serious hypokalemia"). The cues that
make a name a relative's are :mod:`.scope`'s; these only take that reading back.
"""

from __future__ import annotations

import re

__all__ = ["KIN", "ends_relatives", "plainly_relatives", "speaks_of_self"]

#: A relative's words plain enough to keep a line naming only theirs from counting against
#: the person ("family", "first-degree relative"; not "mothers with HIV", who may be the
#: people the study takes).
KIN = re.compile(r"\b(?:family|relatives?|(?:first|second|third)[\s\-]degree|siblings?)\b",
                 re.IGNORECASE)

# a line speaking of the person as well: "Personal or family history of medullary thyroid
# cancer", "ALS in the patient or a first-degree relative"
_SELF_TOO = re.compile(
    r"\b(?:personal|own|patient'?s?|subject'?s?|participant'?s?|self|individual|history)\s*"
    r"(?:history\s*)?(?:,|/|\bor\b|\band\b|\band/or\b)\s*(?:\w+\s+){0,2}?"
    r"(?:family|relatives?|first|second|parents?|siblings?)\b|"
    r"\b(?:family|relatives?|siblings?|parents?)\s*(?:history\s*)?(?:,|/|\bor\b|\band\b|"
    r"\band/or\b)\s*(?:in\s+)?(?:the\s+|their\s+|his\s+|her\s+)?(?:personal|own|"
    r"patients?|subjects?|participants?|self|themselves|himself|herself|individual)\b",
    re.IGNORECASE)
# words turning to the person between a relative's cue and a name: "Family history of
# dementia or personal history of ALS", "First-degree relative with diabetes, previous stroke"
_SELF_AFTER = re.compile(r"\b(?:personal|own|self|themselves|himself|herself)\b|(?:,|;|\bor\b|"
                         r"\band\b)\s*(?:an?\s+)?(?:(?:prior|previous|past|current|known|"
                         r"active|documented|confirmed)\b|(?:history|diagnosis)\s+of\b)",
                         re.IGNORECASE)
# ... or ending the relative's phrase: "in first-degree relatives, serious hypokalemia"
_CLOSED = re.compile(r"\s*(?:[,;)\]]|or\b|and\b)", re.IGNORECASE)


def speaks_of_self(clause: str) -> bool:
    """Whether ``clause`` names the person beside a relative ("personal or family history")."""
    return _SELF_TOO.search(clause) is not None


def ends_relatives(before: str, at: int) -> bool:
    """Whether the words of ``before`` from ``at`` (right after a relative's cue) end the
    relative's phrase or turn to the person before the name that follows them."""
    return _CLOSED.match(before, at) is not None or _SELF_AFTER.search(before, at) is not None


def plainly_relatives(item: str, start: int, end: int) -> bool:
    """Whether the name at ``item[start:end]`` sits right by a relative's word of :data:`KIN`,
    with no comma or semicolon between ("Family history of ALS", "ALS in a first-degree
    relative"; not "family history of epilepsy, pregnancy", where a list may have turned back
    to the person): what an exclusion needs before it is read as a relative's only."""
    before = [m for m in KIN.finditer(item, 0, start)]
    if before and not any(c in item[before[-1].end():start] for c in ",;"):
        return True
    after = KIN.search(item, end)
    return after is not None and not any(c in item[end:after.start()] for c in ",;.")
