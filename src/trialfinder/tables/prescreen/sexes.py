"""A record whose sex field leaves a person out while its own criteria take both sexes
("Female or male patients aged 18 or over" under a sex field of FEMALE): a question for the
study team, not a ``no``, as with age fields the criteria contradict. And the other way round:
a record open to all whose criteria take one sex only ("Women only" among its inclusion
criteria, "Male sex" among its exclusions): a question for someone of the other sex, never a
``fits``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from trialfinder.tables.prescreen.finder import section_lines
from trialfinder.tables.prescreen.scope import folded, may_hold
from trialfinder.tables.prescreen.verdict import quote

__all__ = ["BOTH_WORDS", "asks_for_both_sexes", "one_sex_in_text", "sex_against_text",
           "takes_gender_identity"]

_MEN = r"(?:men|males?|man|boys?)"
_WOMEN = r"(?:women|females?|woman|girls?)"
_MEN_WORD = re.compile(rf"\b{_MEN}\b", re.IGNORECASE)
_WOMEN_WORD = re.compile(rf"\b{_WOMEN}\b", re.IGNORECASE)
# a word for a sex anywhere in a raw text: every line :func:`one_sex_in_text` may give holds
# one (an item is its line without bullet and escapes, which makes no new word boundary)
_SEX_WORD = re.compile(rf"\b(?:{_MEN}|{_WOMEN})\b", re.IGNORECASE)
_SEX_WORD_LOW = re.compile(rf"\b(?:{_MEN}|{_WOMEN})\b")  # the same in lower case, quicker
_JOIN = r"\s*(?:and|or|&|/|,)\s*"
# "male or female", "women and men", "both sexes", "either sex" (not "any gender", said of
# gender identity beside a sex at birth)
_BOTH = re.compile(
    rf"\b(?:{_MEN}{_JOIN}{_WOMEN}|{_WOMEN}{_JOIN}{_MEN}|both\s+(?:sexes|genders)|"
    r"either\s+(?:sex|gender)|all\s+sexes|any\s+sex|regardless\s+of\s+sex)\b",
    re.IGNORECASE)
_INCLUSION = frozenset({"inclusion"})
# a word every _BOTH match holds ("women" holds "men", "female" "male", "woman" "man")
BOTH_WORDS = ("men", "male", "man", "boy", "girl", "both", "either", "sex")
# not who may join: the sexes of someone else ("a relative (female or male)"), or a rule for
# each sex ("male and female subjects of childbearing potential must use contraception")
_SOMEONE_ELSE = re.compile(
    r"\b(?:relatives?|parents?|siblings?|partners?|spouses?|caregivers?|carers?|donors?|"
    r"children\s+of|offspring|contracept\w*|child[\s\-]?bearing|reproductive|pregnan\w*|"
    r"fertil\w*|sperm|birth\s+control|at\s+birth)\b", re.IGNORECASE)


def _names_a_sex(line: str) -> bool:
    return may_hold(line, BOTH_WORDS)


def asks_for_both_sexes(text: str) -> str | None:
    """The first inclusion line of an eligibility text that takes both sexes, if any."""
    # a raw line without a word for a sex is not made an item: its item holds none either
    # (an item is the line without its bullet and the backslashes before punctuation)
    items = section_lines(text, sections=_INCLUSION, keep=_names_a_sex)
    return next((line for _, line in items if _names_a_sex(line)
                 and _BOTH.search(line) and not _SOMEONE_ELSE.search(line)), None)


# an inclusion line taking transgender or gender-diverse people, or speaking of the sex
# assigned at birth ("Transgender or gender non-conforming adults", "Trans women", "Assigned
# male at birth"): a sex field may then be a sex at birth or a gender, and a person's own
# entry need not be the same one (not a rule for those who could become pregnant)
_GENDER = re.compile(
    r"\b(?:transgender|trans\s*(?:wom[ae]n|m[ae]n|people|persons?|individuals?|females?|"
    r"males?)|gender[\s\-]*(?:diverse|non[\s\-]*conforming|minorit\w*|expansive|queer)|"
    r"non[\s\-]*binary|(?:assigned|designated)\s+(?:fe)?male|(?:sex|gender)\s+assigned)\b",
    re.IGNORECASE)
_GENDER_WORDS = ("trans", "gender", "binary", "assigned", "designated")
_RULE_FOR_PREGNANCY = re.compile(r"\b(?:contracept\w*|child[\s\-]?bearing|pregnan\w*|"
                                 r"fertil\w*|sperm|birth\s+control|breast[\s\-]?feed\w*)\b",
                                 re.IGNORECASE)


def takes_gender_identity(text: str) -> str | None:
    """The first inclusion line of an eligibility text that takes transgender or
    gender-diverse people or speaks of the sex assigned at birth, if any."""
    items = section_lines(text, sections=_INCLUSION,
                          keep=lambda line: may_hold(line, _GENDER_WORDS))
    return next((line for _, line in items if _GENDER.search(line)
                 and not _RULE_FOR_PREGNANCY.search(line)), None)


def sex_against_text(studies: pd.DataFrame, other: np.ndarray, codes: np.ndarray,
                     words: Mapping[str, str], unknown: list[list[str]]) -> np.ndarray:
    """Of the studies whose sex field is ``other`` than the person's (``codes``: each
    study's field; ``words``: whom a field is open to), those whose criteria take both
    sexes: the mask of them, each with its sentence in ``unknown``."""
    held = np.zeros(len(studies), dtype=bool)
    column = studies["eligibility_criteria"]
    rows = np.flatnonzero(other & column.notna().to_numpy()).tolist()
    texts = column.iloc[rows].astype(object).tolist()  # one take: a row at a time is slow
    for i, text in zip(rows, texts, strict=True):
        line = asks_for_both_sexes(str(text))
        said = "take both sexes"
        if line is None:
            line = takes_gender_identity(str(text))
            said = "speak of gender identity or of the sex assigned at birth"
        if line is not None:
            held[i] = True
            unknown[i].append(f"the record says it is open to {words[codes[i]]} only, but its "
                              f'criteria {said} ("{quote(line)}"): ask the study '
                              "team")
    return held


_PEOPLE = r"(?:patients?|participants?|subjects?|volunteers?|adults?|individuals?|persons?)"
_ONE = rf"(?P<sex>{_MEN}|{_WOMEN})"
# an inclusion item taking one sex only: "Women only", "Female patients only", "Only men",
# "Male participants only." (not a heading of per-sex rules, "Female participants:")
_ONLY = re.compile(rf"^(?=only\s|exclusively\s|.*\sonly\W*$)(?:(?:only|exclusively)\s+)?"
                   rf"{_ONE}(?:\s+{_PEOPLE})?(?:\s+only)?\s*[.;]?$", re.IGNORECASE)
# an exclusion item that is a sex alone: "Male", "Male sex", "Men", "Female gender"
_SEX_ALONE = re.compile(rf"^{_ONE}(?:\s+(?:sex|gender|{_PEOPLE}))?\s*[.;]?$", re.IGNORECASE)
_SECTIONS = frozenset({"inclusion", "exclusion"})
# an inclusion item led by one sex, then who they are: "Only women aged 40 to 60 with ...",
# "Female patients aged 18 or older", "Men between 50 and 75 years", "Postmenopausal women,
# age 50 or older" (a word or two may come first: "Adult", "Healthy", "Postmenopausal")
_LEADS = re.compile(
    rf"^(?:(?:only|exclusively)\s+)?(?:(?!(?:if|for|when|non|not|no|all|any|each|both)\b)"
    rf"[a-z][\w\-]*\s+){{0,2}}?\b{_ONE}\b(?:\s+{_PEOPLE})?\s*,?\s*(?:(?:only\b)|(?:aged?|ages|"
    r"between|from|over|above|under|older|younger|at\s+least|with|who|whom|diagnosed|having|"
    r"suffering|presenting|undergoing|scheduled|receiving|seeking|referred|attending|planning|"
    r"living|in|at|on|of\s+\d|\d)\b|[≥><≤\d]|[.;]?\s*$)",
    re.IGNORECASE)
# a rule for one sex, not who may join: "Women must not be pregnant", "Men agree to use
# condoms" (and the partner, childbearing and contraception words of _SOMEONE_ELSE)
# ("who will undergo ..." says who they are)
_RULE = re.compile(r"\b(?:must|should|shall|(?<!who\s)(?<!that\s)will|agrees?|need|needs|"
                   r"required|may|can|willing)\b|:", re.IGNORECASE)
_PARTNER = re.compile(r"\b(?:partners?|spouses?|relatives?|parents?|caregivers?|donors?)\b",
                      re.IGNORECASE)
_DEFINING = re.compile(r"amenorrh|menses|menstrua|hysterectom|oophorectom|steril|defin|"
                       r"considered|\bi\.e\b", re.IGNORECASE)
_PREGNANT_WOMEN = re.compile(r"^(?:(?:healthy|adult)\s+)?pregnant\s+(?:women|females?)\b",
                             re.IGNORECASE)


def _code(word: str) -> str:
    return "MALE" if re.fullmatch(_MEN, word, re.IGNORECASE) else "FEMALE"


def _led_by(line: str) -> str | None:
    """The sex an inclusion item is led by ("Female patients aged 18 or older with ..."),
    when it takes that sex only: it names no other, sets no rule for it ("Women must not be
    pregnant") and speaks of no one else ("Female partners of ...")."""
    found = _LEADS.match(line)
    if found is None:
        return None
    code = _code(found["sex"])
    other = _WOMEN_WORD if code == "MALE" else _MEN_WORD
    if other.search(line) or _BOTH.search(line) or _RULE.search(line):
        return None
    if _SOMEONE_ELSE.search(line) and not _PREGNANT_WOMEN.match(line):
        return None
    if _DEFINING.search(line):  # "Women under 50 amenorrheic for a year": a definition
        return None
    return code


@lru_cache(maxsize=4096)  # a text is read once for each sex, not for each pre-screen
def one_sex_in_text(text: str, sex: str) -> str | None:
    """The first criteria line of ``text`` that leaves out someone of ``sex`` ("MALE" or
    "FEMALE") although the record is open to all: an inclusion item taking the other sex only
    ("Women only", or led by it: "Only women aged 40 to 60 with ..."), or an exclusion item
    that is their sex alone. An item led by the other sex does not count when another leads
    with theirs ("Women aged 55 to 75" beside "Men aged 50 to 75": rules for each sex)."""
    low = folded(text)  # (None: a letter re reads otherwise than str.lower())
    if (_SEX_WORD.search(text) if low is None else _SEX_WORD_LOW.search(low)) is None:
        return None  # half the texts: no line to find
    return _one_sex_line(text, sex)


def _one_sex_line(text: str, sex: str) -> str | None:
    led: str | None = None
    own = False
    for section, line in section_lines(text, sections=_SECTIONS, keep=_names_a_sex):
        item = line.strip()
        found = (_ONLY if section == "inclusion" else _SEX_ALONE).match(item)
        if found is not None and (_code(found["sex"]) == sex) == (section == "exclusion"):
            return line
        if section == "inclusion":
            code = _led_by(item)
            # a line for their own sex ("not pregnant female" beside "Male"; "Women must use
            # contraception" beside "Men aged 50 to 75"): both sexes may join
            own |= code == sex or ((_MEN_WORD if sex == "MALE" else _WOMEN_WORD).search(item)
                                   is not None and _PARTNER.search(item) is None)
            if code is not None and code != sex and led is None:
                led = line
    return None if own else led
