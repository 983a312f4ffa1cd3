"""Pregnancy in inclusion lines: the lines that ask for it ("Pregnant women aged 18 to 40",
"Singleton pregnancy"), asked of everyone who did not say they are pregnant, and the lines
that only set rules for people who could become pregnant (tests, birth control).

Pregnancy is no diagnosis a person thinks to give: someone who is not pregnant does not say
so. A study asking for it is therefore a question for anyone who did not say they are, not a
"fits". Not asked: pregnancy that is negated, optional, one choice of several ("pregnant or
breastfeeding"), past or conditional ("prior to pregnancy", "if pregnant", "during
pregnancy"), named in brackets, or as the qualifier of another condition or noun
("pregnancy-associated hypertension", "pregnancy loss"); nor in a line about a partner ("with
a pregnant female partner") or taking people after a birth as well ("a new or expectant
mother, ... up to 6 months post-birth").
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialfinder.tables.prescreen.finder import Finder, Term
from trialfinder.tables.prescreen.scope import QUALIFIER, clause_bounds
from trialfinder.tables.prescreen.synonyms import Name, key, vocabulary

__all__ = ["PREGNANCY", "PREVENTS", "is_pregnancy", "may_require_pregnancy", "named_as_a_time",
           "past_or_aside", "pregnancy_finder", "requires_pregnancy"]

#: The vocabulary's name of pregnancy, as an inclusion line asks for it.
PREGNANCY = "pregnancy"
# a line setting rules for people who could become pregnant (a test, birth control, being past
# menopause or sterile): it names pregnancy, but does not ask for it (not "a history of unmet
# contraceptive needs", "contraceptive counselling": a need or a service, not a rule)
PREVENTS = re.compile(
    r"(?<!unmet\s)contracept(?!\w*\s+(?:needs?|counsel\w*|services?|access|care|visits?)\b)"
    r"|birth\s+control|child[\s\-]?bearing|reproductive\s+potential|\b(?:WOCBP|FOCBP)\b"
    r"|becom\w*\s+pregnant|(?:avoid|prevent)\w*\s+(?:a\s+)?pregnan|pregnancy\s+(?:requirements"
    r"|prevention|test)|menopaus|steril", re.IGNORECASE)
# what makes a pregnancy named before it past, conditional, possible or someone else's
_NOT_NOW = re.compile(
    r"\b(?:if|whether|when|should|unless|in\s+case|risk|prior|before|after|following|during|"
    r"since|previous\w*|past|history|earlier|former\w*|until|throughout|partners?|capab\w*|"
    r"possib\w*|plan\w*|wish\w*|intend\w*|desir\w*|future|subsequent|next|planned|attempt\w*|"
    r"trying)\b", re.IGNORECASE)
# ... or a noun it qualifies after it ("pregnancy loss", "pregnancy outcomes")
_NOUN_AFTER = re.compile(
    r"[\s\-]*(?:loss\w*|outcomes?|complications?|terminat\w*|intent\w*|intend\w*|plan\w*|"
    r"tests?|testing|registr\w*|histor\w*|care|counsel\w*|prevention|wish\w*|desire|"
    r"potential|categor\w*|status|partners?|rates?|cohorts?)\b", re.IGNORECASE)
_OR_BEFORE = re.compile(r"\b(?:or|either)\W+(?:[\w\-]+\W+)?$", re.IGNORECASE)
_OR_AFTER = re.compile(r"\W*(?:[\w\-]+\W+)?(?:or|and/or)\b", re.IGNORECASE)
_EXCLUDES = re.compile(r"exclu|ineligible|not\s+(?:be\s+)?eligible", re.IGNORECASE)
# ... and a line about someone's partner, or taking people after a birth as well ("a new or
# expectant mother, at least 28 weeks pregnant or up to 6 months post-birth")
_ELSE = re.compile(r"\bpartners?\b|post[\s\-]?(?:partum|birth|natal|delivery)|after\s+"
                   r"(?:delivery|birth|giving\s+birth)|\bnew\s+mothers?\b|\bnew\s+or\s+"
                   r"expectant\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def pregnancy_finder() -> Finder:
    """Pregnancy by its names, not those saying it is absent ("negative pregnancy test")."""
    entry = vocabulary().entries[("condition", PREGNANCY)]
    absent = {key(n) for n in entry.absent}
    return Finder([Term(entry.name, "condition", tuple(
        Name(text, how, exact, entry.name) for text, how, exact in entry.names()
        if key(text) not in absent))])


def is_pregnancy(term: str) -> bool:
    """Whether a condition a person gave is pregnancy by one of its names."""
    entry = vocabulary().lookup(term, "condition")
    return entry is not None and entry.name == PREGNANCY


# what makes a pregnancy named after it a past one ("a previous pregnancy", "history of")
_PAST = re.compile(r"\b(?:previous\w*|prior|past|history|earlier|former\w*|before|after|"
                   r"following|since|last)\b", re.IGNORECASE)


def past_or_aside(line: str, start: int, end: int) -> bool:
    """Whether the pregnancy named at ``line[start:end]`` is a past one ("a previous
    pregnancy complicated by ...", "history of pregnancy loss") or only the cause of another
    condition ("pregnancy-associated hypertension"): not the person's pregnancy now."""
    low, _ = clause_bounds(line, start, end)
    return QUALIFIER.match(line, end) is not None or _PAST.search(line, low, start) is not None


# a pregnancy named only as the time something was before: "prior to current pregnancy"
_BEFORE_IT = re.compile(r"\b(?:before|prior\s+to|preceding)\s+(?:(?:the|this|her|their|a|"
                        r"current|index|present)\s+){0,2}$", re.IGNORECASE)


def named_as_a_time(line: str, start: int) -> bool:
    """Whether the pregnancy named at ``line[start:]`` is only the time something was
    before ("Hypertension diagnosed prior to current pregnancy"): not a pregnancy the line
    asks about or rules out."""
    return _BEFORE_IT.search(line, max(0, start - 40), start) is not None


def _in_brackets(text: str) -> bool:
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


_INCLUSION = re.compile(r"^\W*(?:key\s+)?inclusion\s+criteria\b", re.IGNORECASE | re.MULTILINE)
_EXCLUSION = re.compile(r"^\W*(?:key\s+)?exclusion\s+criteria\b", re.IGNORECASE | re.MULTILINE)
# a pregnancy word that cannot be one asked for, seen from a few characters around it: "not
# pregnant", "pregnant or breastfeeding", "prior to pregnancy"
_WORD = re.compile(r"\b(?:pregnan\w*|expect\w*|mothers?\b)", re.IGNORECASE)
_STEMS = ("pregnan", "expect", "mother")
_DISMISSED_BEFORE = re.compile(
    r"(?:\b(?:not?|non|nor|or|if|prior\s+to|before|after|during|partners?|become|becoming|"
    r"avoid|prevent\w*)|-)\W*$", re.IGNORECASE)
_DISMISSED_AFTER = re.compile(r"\W*(?:or\b|and/or\b|/|loss\w*|"
                              r"(?:is|are|will|must|should)\s+(?:be\s+)?(?:not|excluded)\b)",
                              re.IGNORECASE)


def may_require_pregnancy(text: str) -> bool:
    """Whether some line of a whole eligibility text, read as it stands (bullets and all, up
    to an exclusion heading after an inclusion one), may ask for a pregnancy now: a quick look
    before the text is cut into items, skipping the words plainly not asked for (most:
    exclusions, rules on tests)."""
    end = len(text)
    inclusion = _INCLUSION.search(text)
    if inclusion is not None:
        exclusion = _EXCLUSION.search(text, inclusion.end())
        end = exclusion.start() if exclusion is not None else end
    low = text.lower()
    for stem in _STEMS:
        at = low.find(stem, 0, end)
        while at >= 0:
            word = _WORD.match(text, max(0, at - 1)) or _WORD.match(text, at)
            if word is not None and not (
                    _DISMISSED_BEFORE.search(text[max(0, word.start() - 30):word.start()])
                    or _DISMISSED_AFTER.match(text, word.end())):
                first = text.rfind("\n", 0, at) + 1
                last = text.find("\n", at)
                if requires_pregnancy(text[first:last if last >= 0 else len(text)]):
                    return True
            at = low.find(stem, at + len(stem), end)
    return False


def requires_pregnancy(line: str) -> bool:
    """Whether an inclusion line asks for people who are pregnant now."""
    low = line.lower()
    if "regnan" not in low and "xpect" not in low and "mother" not in low:
        return False
    prevents = PREVENTS.search(line) is not None
    if _ELSE.search(line) or (prevents and "positive" not in low):
        return False  # (most lines naming pregnancy: rules on tests and birth control)
    for o in pregnancy_finder().occurrences(line):
        r = o.reading
        if (r.negated or r.optional or r.family or r.exception or r.other
                or (prevents and "positive" not in o.found.lower())):
            continue
        start, end = clause_bounds(line, o.start, o.end)
        before, after = line[start:o.start], line[o.end:end]
        if (QUALIFIER.match(line, o.end) or _NOUN_AFTER.match(line, o.end)
                or _NOT_NOW.search(before) or _in_brackets(before)
                or _OR_BEFORE.search(before) or _OR_AFTER.match(after)
                or _EXCLUDES.search(line, start, end)):
            continue
        return True
    return False
