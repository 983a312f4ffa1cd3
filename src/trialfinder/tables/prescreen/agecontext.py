"""What the words around an age a criteria line states say of it (for
:mod:`trialfinder.tables.prescreen.ages`): whether it is someone else's age ("diagnosed before
age 18", "a donor aged 18 to 50", "sudden death under 40 in a relative"), the age of a part of
the study ("Paediatric arm: aged 1 to 17"), a definition of childbearing potential or menopause
("postmenopausal: over 55 or a year without menses") rather than who may join ("Postmenopausal
women, age 50 or older"), one choice among others ("risk factors such as ... age under 35"),
joined to something else ("aged over 65 with a low test score"), a rule for those of that age
("Patients over 50 will undergo a scan"), or said of one sex ("Men aged 50 to 75").

Plain word rules, tuned on real texts: a first look, not a parser.
"""

from __future__ import annotations

import re

__all__ = [
    "AGE_WORD",
    "DURATION",
    "EITHER_AFTER",
    "EITHER_BEFORE",
    "ELSE_AFTER",
    "EVENT_BEFORE",
    "FERTILITY",
    "FERTILITY_WORDS",
    "HALF_RANGE",
    "HEADING_AFTER",
    "JOINED_AFTER",
    "JOINED_BEFORE",
    "JOINED_WORDS",
    "OPTION",
    "OPTIONAL_LINE",
    "OTHER_UNIT",
    "PART",
    "PART_WORDS",
    "RULE_AFTER",
    "SOMEONE_ELSE",
    "SOMEONE_ELSE_FAR",
    "SOMEONE_ELSE_WORDS",
    "STRICT_LOW",
    "WHO",
    "WHO_WORDS",
    "menopausal_who",
    "not_a_limit",
    "search",
    "sex_of",
]

# who may join, right before an age said without "aged": "Men 50 to 75 years", "Women 65 or
# older", "Postmenopausal women, 50 years or older"
WHO = (r"\b(?:men|women|males?|females?|boys|girls|patients|participants|subjects|"
       r"individuals|persons|people|volunteers|children|adolescents|infants)\b\s*,?\s*\(?\s*")
WHO_WORDS = ("men", "male", "boy", "girl", "patient", "participant", "subject", "individual",
             "person", "people", "volunteer", "child", "adolescent", "infant")

# an age that is not the participant's, said just before the statement
SOMEONE_ELSE = re.compile(
    r"(?:diagnos\w*|onset|gestation\w*|bone|menarche|menopaus\w*|since|duration|before|"
    r"after|parents?|caregivers?|mothers?|fathers?|guardians?|children\s+of|infants?\s+of|"
    r"relatives?|siblings?|spouses?|partners?|donors?|death|died|matched|"
    # a condition on the age, not a limit: "if under 18, assent", "for 16 years and older"
    r"if|when|whether|for|applicable\s+to|in\s+case\s+of|defined\s+as)\b(?:\W+\w+){0,3}\W*$",
    re.IGNORECASE)
# a part of the study, not the whole of it: "Pediatric arm: aged 1 to 17"
PART = re.compile(r"\b(?:arms?|cohorts?|groups?|parts?|strat(?:um|a)|substud\w+|optional)\b",
                   re.IGNORECASE)
# a clause that defines childbearing potential or menopause by age, not who may join
FERTILITY = re.compile(r"menopaus|menstruat|amenorrh|child[\s\-]?bearing|contracept|pregnan|"
                        r"conceiv|birth\s+control", re.IGNORECASE)
# the words (lower case) every match of each of these holds
SOMEONE_ELSE_WORDS = ("diagnos", "onset", "gestation", "bone", "menarche", "menopaus",
                       "since", "duration", "before", "after", "parent", "caregiver",
                       "mother", "father", "guardian", "children", "infant", "relative",
                       "sibling", "spouse", "partner", "donor", "death", "died", "matched",
                       "if", "when", "whether",
                       "for", "applicable", "case", "defined")
OPTIONAL_LINE = re.compile(r"\W*optional\b", re.IGNORECASE)
PART_WORDS = ("arm", "cohort", "group", "part", "strat", "substud", "optional")
FERTILITY_WORDS = ("menopaus", "menstruat", "amenorrh", "child", "contracept", "pregnan",
                    "conceiv", "birth")
JOINED_WORDS = ("and", "with")
# "and" or "with" joining the age to another condition (not to another age: "and < 65",
# "and older")
JOINED_AFTER = re.compile(
    r"^\s*(?:(?:years?|yrs?)\b\.?\s*(?:of\s+age|old)?)?\s*,?\s*(?:and|with|who|whose|that|"
    r"having)\s+"
    r"(?!(?:older|over|above|younger|under|below|less|more|greater|up|at\s+least|at\s+most|"
    r"equal|not\s+(?:older|younger|more|less))\b|[<>≤≥=]|\d)\w", re.IGNORECASE)
JOINED_BEFORE = re.compile(r"\w[\w\s\-]*\s(?:and|with)\s+(?:an?\s+)?$", re.IGNORECASE)
OTHER_UNIT = re.compile(r"^\s*(?:months?|mos?|weeks?|wks?|days?|hours?|kg|cm|%)",
                         re.IGNORECASE)
_MEN = re.compile(r"\b(?:men|man|males?|boys?)\b", re.IGNORECASE)
_WOMEN = re.compile(r"\b(?:women|woman|females?|girls?)\b", re.IGNORECASE)
# what those of the age must or will do, said after it (not inside "who ...", "that ...")
RULE_AFTER = re.compile(
    r"^(?:(?!\b(?:who|whose|that|which|if|unless)\b)[^;])*?\b(?:will|may|shall|should|"
    r"must|can)\s+(?:\w+\s+)?(?:undergo|have|be|receive|complete|need|require|use|agree|"
    r"sign|provide|take)\b", re.IGNORECASE)


def sex_of(before: str) -> str | None:
    """The one sex ``before`` (a clause up to an age) speaks of, if it names one only."""
    men, women = _MEN.search(before) is not None, _WOMEN.search(before) is not None
    return ("MALE" if men else "FEMALE") if men != women else None


# an age at something, said after it: "Less than 50 years of age at the time of onset"
# or of someone else: "sudden death under 40 years of age in a first-degree relative"
ELSE_AFTER = re.compile(
    r"^\s*(?:(?:years?|yrs?)\b\.?)?\s*(?:of\s+age|old)?\s*,?\s*(?:(?:at|by|since|from)\s+"
    r"(?:the\s+)?(?:time\s+of\s+)?(?:[\w\-]+\s+){0,3}?(?:diagnos\w*|onset|symptoms?|"
    r"injury|surgery|transplant\w*|menarche|menopause|presentation|first)\b|in\s+(?:an?\s+|the\s+)?"
    r"(?:[\w\-]+\s+){0,2}?(?:relatives?|family|parents?|siblings?)|"
    # a time since or before something ("4 to 6 weeks after surgery", "6 weeks postpartum")
    r"(?:after|following|before|prior\s+to|post[\s\-]?\w*)\b)",
    re.IGNORECASE)
# the upper half of a range not read ("28 days to < 2 years of age"): its lower end is lost
# (days and weeks are read as years by then)
HALF_RANGE = re.compile(r"\d\s*(?:days?|weeks?|wks?|years?|yrs?)?\s*(?:to|-|–)\s*$",
                        re.IGNORECASE)
# one choice among others, not a limit: "high risk factors such as ..., age < 35 years"
OPTION = re.compile(r"\b(?:such\s+as|including|e\.\s?g\.?|for\s+example|risk\s+factors?|"
                     r"any\s+of|one\s+of)\b", re.IGNORECASE)
# who may join, said by menopause ("Postmenopausal women, age 50 or older"), not a clause
# defining menopause by age ("postmenopausal (age over 55 or no menses for a year)")
_MENOPAUSAL_WHO = re.compile(
    r"^\W*(?:[\w\-]+\s+)?(?:post|pre|peri)[\s\-]?menopaus\w*\s+(?:women|females?|"
    r"patients|participants|subjects|volunteers)\b(?=[^()]*$)", re.IGNORECASE)
_DEFINING = re.compile(r"defin|\bi\.?e\b|amenorrh|menses|menstrua|considered|child[\s\-]?bearing|"
                       r"contracept|pregnan|conceiv|\bif\b", re.IGNORECASE)


def menopausal_who(before: str, clause: str) -> int:
    """Where an age whose clause names menopause is said of who may join, the end of the
    words saying who in ``before`` (the clause up to the age; 0: it is not): "Postmenopausal
    women, age 50 or older"."""
    found = _MENOPAUSAL_WHO.match(before)
    return found.end() if found is not None and _DEFINING.search(clause) is None else 0


# someone else's age, or an age at something, a little further before it: "onset of the
# headache at 50 years of age or under", "family history of heart disease (under 55 years of
# age in male relatives)"
SOMEONE_ELSE_FAR = re.compile(
    r"(?:diagnos\w*|onset|symptoms?|family\s+history|death|died|relatives?)\b(?:\W+\w+){0,6}"
    r"\W*$", re.IGNORECASE)
# the age of a thing, not of a person, right before it: "Surgery less than 30 days old", "an
# MRI less than 6 months old"
EVENT_BEFORE = re.compile(
    r"\b(?:surger(?:y|ies)|operations?|procedures?|wounds?|incisions?|fractures?|injur(?:y|ies)|"
    r"lesions?|scars?|tattoos?|piercings?|burns?|ulcers?|infarcts?|infarctions?|strokes?|"
    r"bleeds?|h(?:a)?emorrhages?|thrombos[ie]s|clots?|transplants?|implants?|grafts?|stents?|"
    r"samples?|specimens?|biops(?:y|ies)|scans?|images?|imaging|MRIs?|CTs?|x[\s\-]?rays?|"
    r"tests?|results?|data|records?|embryos?|oocytes?|eggs?|sperm|blood)"
    r"\s*(?:is|are|was|were)?\s*$", re.IGNORECASE)
# a time, not an age, when what reads as an age has no word for one: "leg pain for 6 weeks
# or more but 1 year or less"
DURATION = re.compile(r"\b(?:for|since|within|during|lasting|duration|history|weeks?|months?|"
                      r"days?|ago|prior|past|last)\b", re.IGNORECASE)
AGE_WORD = re.compile(r"\b(?:age[ds]?|old|older|younger|adults?)\b", re.IGNORECASE)
# one choice among others ("Age ≥ 70 OR a performance status of 2"): an inclusion of it asks
# for no age; an exclusion of it still excludes
EITHER_AFTER = re.compile(
    r"^\s*(?:(?:years?|yrs?)\b\.?)?\s*(?:of\s+age|old)?\s*,?\s*or\s+(?!(?:older|over|above|"
    r"younger|under|below|less|more|greater|equal|up|aged?)\b|[<>≤≥=]|\d)", re.IGNORECASE)
EITHER_BEFORE = re.compile(r"\w\s*,?\s+or\s+(?:an?\s+)?$", re.IGNORECASE)
# a lower limit that excludes its own number: "> 85", "older than 60", "over 70"
STRICT_LOW = re.compile(r"^(?:>(?![=/])|=?>(?!=)|over|above|older|more|greater)", re.IGNORECASE)
# "Subjects age 11 and older: ..." heads a rule for some, it is no limit
HEADING_AFTER = re.compile(r"^(?:\s*(?:years?|yrs?)(?:\s*of\s+age|\s*old)?)?\s*:")


def search(pattern: re.Pattern[str], words: tuple[str, ...], line: str, lower: str | None,
           a: int, b: int) -> bool:
    """Whether ``pattern`` finds something in ``line[a:b]``; not searched when that part of
    ``lower`` (``line`` folded, None: search anyway) holds none of ``words``."""
    if lower is not None:
        part = lower[a:b]
        if not any(word in part for word in words):
            return False
    return pattern.search(line[a:b]) is not None


def not_a_limit(text: str, lower: str | None, start: int, end: int, first: int,
                last: int) -> bool:
    """Whether the age at ``text[start:end]`` (its clause ``text[first:last]``) is no limit on
    who may join (the rules above)."""
    who = menopausal_who(text[first:start], text[first:last]) if lower is None or (
        "menopaus" in lower[first:last]) else 0
    return bool(search(SOMEONE_ELSE, SOMEONE_ELSE_WORDS, text, lower,
                       max(first + who, start - 60), start)
                or SOMEONE_ELSE_FAR.search(text[max(first + who, start - 90):start])
                or (DURATION.search(text[first:start])
                    and not AGE_WORD.search(text[start:end]))
                or OTHER_UNIT.match(text[end:])
                or EVENT_BEFORE.search(text[max(first, start - 30):start])
                or ELSE_AFTER.match(text[end:last])
                or HALF_RANGE.search(text[max(first, start - 20):start])
                or OPTION.search(text[first:start])
                or search(PART, PART_WORDS, text, lower, first, start)
                or HEADING_AFTER.match(text[end:])
                or (not who and search(FERTILITY, FERTILITY_WORDS, text, lower,
                                       first, last)))
