"""Age limits an eligibility text states in words, for a record whose age fields leave a side
open ("Adults aged 18-65" with no minimum or maximum age given).

Only plain statements count: a number of years right after "age", "aged" or "adults", or
followed by "years of age" / "years old", with a range ("18-65", "between 18 and 65"), a
comparison ("≥ 18", "under 65", "at least 18") or "or older" / "or younger". An age of
something else (at diagnosis, at onset, of a child or parent), an age that sets a condition
("if under 18, assent"; "Subjects age 11 and older: ..."), the age of one arm or cohort, and
a clause defining childbearing potential or menopause do not count. One inclusion statement
holding the age is enough (cohorts of different ages); one exclusion statement holding it
is not. A first look: a statement the person may be outside of makes a study ``check``,
never ``no``.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialfinder.tables.eligibility import item_text
from trialfinder.tables.prescreen.finder import section_lines
from trialfinder.tables.prescreen.scope import clause_bounds, folded, holds

__all__ = ["QUICK", "AgeStatement", "age_lines", "age_statements", "may_state_age",
           "stated_age_against", "stated_age_for"]

_N = r"(\d{1,3}(?:\.\d)?)"
_Y = r"(?:\s*(?:years?|yrs?|y)\b\.?)?"
_AGED = r"(?:\b(?:age[ds]?|adults?)\b\s*(?:[:=]|is|of|range|limit)?\s*)"
_YEARS_OF_AGE = r"\s*(?:years?|yrs?)\s*(?:of\s+age|old)\b"
_LOW_WORD = (r"(?:≥|>/=|=/>|>=|=>|>|at\s+least|over|above|older\s+than|more\s+than|"
             r"greater\s+than|minimum(?:\s+of)?)")
_HIGH_WORD = (r"(?:≤|</=|=/<|<=|=<|<|under|below|younger\s+than|less\s+than|up\s+to|"
              r"not\s+older\s+than|maximum(?:\s+of)?)")
# "Subjects age 11 and older: ..." heads a rule for some, it is no limit
_HEADING_AFTER = re.compile(r"^(?:\s*(?:years?|yrs?)(?:\s*of\s+age|\s*old)?)?\s*:")
_STRICT = re.compile(r"^(?:<|under|below|younger|less)", re.IGNORECASE)
_TO = r"\s*(?:-|–|—|to|and)\s*"
_OR_MORE = r"\s*(?:or|and)\s*(?:older|over|above|more|greater|up)\b(?!\s*than)"
_OR_OLDER = r"\s*(?:or|and)\s*(?:older|over|above)\b(?!\s*than)"  # not "5 years or more"
_OR_LESS = r"\s*(?:or|and)\s*(?:younger|under|below|less)\b(?!\s*than)"

# each shape, and the words it cannot match without (every group of _NEEDS it names, by
# one of the group's words in lower case): a line lacking them skips the shape; and where a
# match may begin at the earliest (_BEGINS: at one of the words the shape starts with, "0" at
# the first digit, " 0" at the spaces before it): the search starts there
_NEEDS: dict[str, tuple[str, ...]] = {
    "aged": ("age", "adult"), "years": ("year", "yr"), "of age": ("age", "old"),
    "low": ("\u2265", ">", "least", "over", "above", "older", "more", "greater", "minimum"),
    "high": ("\u2264", "<", "under", "below", "younger", "less", "up", "older", "maximum"),
    "or more": ("older", "over", "above", "more", "greater", "up"),
    "or older": ("older", "over", "above"), "or less": ("younger", "under", "below", "less"),
    "plus": ("+",),
}
_BEGINS: dict[str, tuple[str, ...]] = {
    "aged": ("age", "adult"), "range": ("between", "from", " 0"), "digit": ("0",),
    "low": ("\u2265", ">", "=", "at", "over", "above", "older", "more", "greater", "minimum"),
    "high": ("\u2264", "<", "=", "under", "below", "younger", "less", "up", "not", "maximum"),
}
_SHAPES: list[tuple[str, re.Pattern[str], tuple[str, ...], str]] = [
    (kind, re.compile(pattern, re.IGNORECASE), needs, begins)
    for kind, pattern, needs, begins in [
    ("range", _AGED + r"(?:between|from)?\s*" + _N + _Y + _TO + _N, ("aged",), "aged"),
    ("range", r"\b(?:between|from)?\s*" + _N + _Y + _TO + _N + _YEARS_OF_AGE,
     ("years", "of age"), "range"),
    ("low", _AGED + r"(?:of\s+)?" + f"({_LOW_WORD})" + r"\s*" + _N, ("aged", "low"), "aged"),
    ("low", f"({_LOW_WORD})" + r"\s*" + _N + _YEARS_OF_AGE, ("years", "of age", "low"),
     "low"),
    ("low", _AGED + _N + _Y + r"(?:\s*of\s+age)?" + _OR_MORE, ("aged", "or more"), "aged"),
    ("low", r"\b" + _N + r"\s*(?:years?|yrs?)(?:\s*of\s+age|\s*old)?" + _OR_OLDER,
     ("years", "or older"), "digit"),
    ("low", _AGED + _N + r"\s*\+", ("aged", "plus"), "aged"),
    ("high", _AGED + r"(?:of\s+)?" + f"({_HIGH_WORD})" + r"\s*" + _N, ("aged", "high"),
     "aged"),
    ("high", f"({_HIGH_WORD})" + r"\s*" + _N + _YEARS_OF_AGE, ("years", "of age", "high"),
     "high"),
    ("high", r"\b" + _N + r"\s*(?:years?|yrs?)(?:\s*of\s+age|\s*old)?" + _OR_LESS,
     ("years", "or less"), "digit"),
    # "Over the age of 18", "under the age of 75"
    ("low", f"({_LOW_WORD})" + r"\s+the\s+age\s+of\s*" + _N, ("aged", "low"), "low"),
    ("high", f"({_HIGH_WORD})" + r"\s+the\s+age\s+of\s*" + _N, ("aged", "high"), "high"),
]]
# an age that is not the participant's, said just before the statement
_SOMEONE_ELSE = re.compile(
    r"(?:diagnos\w*|onset|gestation\w*|bone|menarche|menopaus\w*|since|duration|before|"
    r"after|parents?|caregivers?|mothers?|fathers?|guardians?|children\s+of|infants?\s+of|"
    r"relatives?|siblings?|spouses?|partners?|matched|"
    # a condition on the age, not a limit: "if under 18, assent", "for 16 years and older"
    r"if|when|whether|for|applicable\s+to|in\s+case\s+of|defined\s+as)\b(?:\W+\w+){0,3}\W*$",
    re.IGNORECASE)
# a part of the study, not the whole of it: "Pediatric arm: aged 1 to 17"
_PART = re.compile(r"\b(?:arms?|cohorts?|groups?|parts?|strat(?:um|a)|substud\w+)\b",
                   re.IGNORECASE)
# a clause that defines childbearing potential or menopause by age, not who may join
_FERTILITY = re.compile(r"menopaus|menstruat|amenorrh|child[\s\-]?bearing|contracept|pregnan|"
                        r"conceiv|birth\s+control", re.IGNORECASE)
# the words (lower case) every match of each of these holds
_SOMEONE_ELSE_WORDS = ("diagnos", "onset", "gestation", "bone", "menarche", "menopaus",
                       "since", "duration", "before", "after", "parent", "caregiver",
                       "mother", "father", "guardian", "children", "infant", "relative",
                       "sibling", "spouse", "partner", "matched", "if", "when", "whether",
                       "for", "applicable", "case", "defined")
_PART_WORDS = ("arm", "cohort", "group", "part", "strat", "substud")
_FERTILITY_WORDS = ("menopaus", "menstruat", "amenorrh", "child", "contracept", "pregnan",
                    "conceiv", "birth")
_JOINED_WORDS = ("and", "with")
# a quick first look (RE2 too): could a text or line state an age at all?
QUICK = (r"(?i)\b(?:age[ds]?|adults?)\b[^\n\d]{0,30}\d|"
         r"\d[^\n\d]{0,3}(?:years?|yrs?)\s*(?:of\s+age|old|or|and)\b")
_QUICK = re.compile(QUICK)
_QUICK_WORDS = ("age", "adult", "year", "yr")
# where an exclusion list may begin: nothing before the first of these is one
_EXCLUDING_WORDS = ("exclu", "ineligib", "not eligib", "not be eligib", "non-inclu",
                    "non inclu", "noninclu", "not be enrolled", "not be included", "may not")
_LONGEST = max(map(len, _EXCLUDING_WORDS))
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
# "and" or "with" joining the age to another condition (not to another age: "and < 65",
# "and older")
_JOINED_AFTER = re.compile(
    r"^\s*(?:(?:years?|yrs?)\b\.?\s*(?:of\s+age|old)?)?\s*,?\s*(?:and|with)\s+"
    r"(?!(?:older|over|above|younger|under|below|less|more|greater|up|at\s+least|at\s+most|"
    r"equal|not\s+(?:older|younger|more|less))\b|[<>≤≥=]|\d)\w", re.IGNORECASE)
_JOINED_BEFORE = re.compile(r"\w[\w\s\-]*\s(?:and|with)\s+(?:an?\s+)?$", re.IGNORECASE)
_OTHER_UNIT = re.compile(r"^\s*(?:months?|mos?|weeks?|wks?|days?|hours?|kg|cm|%)",
                         re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AgeStatement:
    """An age range a criteria line states: ``low`` and ``high`` in years (None: open);
    ``strict``: the high end is excluded ("under 65")."""

    low: float | None
    high: float | None
    strict: bool
    line: str
    #: joined by "and" or "with" to something else ("age >= 11 and stage IV disease"): in an
    #: exclusion line it rules out only those who have both
    joined: bool = False


def _earliest(lower: str, words: tuple[str, ...], digit: int, spaced: int) -> int:
    """The first index of any of ``words`` in ``lower`` ("0": ``digit``, " 0": ``spaced``),
    -1 for none."""
    first = -1
    for word in words:
        at = digit if word == "0" else spaced if word == " 0" else lower.find(word)
        if at >= 0 and (first < 0 or at < first):
            first = at
    return first


def _search(pattern: re.Pattern[str], words: tuple[str, ...], line: str, lower: str | None,
            a: int, b: int) -> bool:
    """Whether ``pattern`` finds something in ``line[a:b]``; not searched when that part of
    ``lower`` (``line`` folded, None: search anyway) holds none of ``words``."""
    if lower is not None:
        part = lower[a:b]
        if not any(word in part for word in words):
            return False
    return pattern.search(line[a:b]) is not None


def age_statements(line: str) -> list[AgeStatement]:
    """The age ranges ``line`` states for the participant (see the module's rules)."""
    found: list[AgeStatement] = []
    taken: list[tuple[int, int]] = []
    first_digit = _DIGIT.search(line)
    if first_digit is None:
        return found
    digit = spaced = first_digit.start()
    while spaced and line[spaced - 1].isspace():
        spaced -= 1
    # the words each pattern needs, in lower case, and where a shape may begin: the line
    # folded as re's IGNORECASE reads it (None: a letter str.lower() folds otherwise, so
    # every pattern is searched in whole)
    lower = folded(line)
    present = {group: holds(lower, words) for group, words in _NEEDS.items()}
    for kind, pattern, needs, begins in _SHAPES:
        if not all(present[group] for group in needs):
            continue
        pos = 0 if lower is None else _earliest(lower, _BEGINS[begins], digit, spaced)
        if pos < 0:
            continue
        for match in pattern.finditer(line, pos):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            first, last = clause_bounds(line, start, end)  # the clause around it
            if (_search(_SOMEONE_ELSE, _SOMEONE_ELSE_WORDS, line, lower, max(first, start - 60),
                        start)
                    or _OTHER_UNIT.match(line[end:])
                    or _search(_PART, _PART_WORDS, line, lower, first, start)
                    or _HEADING_AFTER.match(line[end:])
                    or _search(_FERTILITY, _FERTILITY_WORDS, line, lower, first, last)):
                continue
            joined = bool(_JOINED_AFTER.match(line[end:last])
                          or _search(_JOINED_BEFORE, _JOINED_WORDS, line, lower, first, start))
            numbers = [float(g) for g in match.groups() if g and g[0].isdigit()]
            words = [g for g in match.groups() if g and not g[0].isdigit()]
            if kind == "range":
                low, high = numbers
                if low > high:
                    continue
                statement = AgeStatement(low, high, False, line, joined)
            elif kind == "low":
                statement = AgeStatement(numbers[0], None, False, line, joined)
            else:
                strict = bool(words) and _STRICT.match(words[0]) is not None
                statement = AgeStatement(None, numbers[0], strict, line, joined)
            if max(n for n in numbers) > 125:
                continue
            taken.append((start, end))
            found.append(statement)
    return found


def _admits(age: float, statement: AgeStatement) -> bool:
    """``age`` is within what an inclusion ``statement`` allows. Ages count in whole years:
    someone 65.5 is 65 ("up to 65" holds them)."""
    if statement.low is not None and age < statement.low:
        return False
    if statement.high is not None:
        return age < statement.high if statement.strict else math.floor(age) <= statement.high
    return True


def _excludes(age: float, statement: AgeStatement, low_open: bool, high_open: bool) -> bool:
    """An exclusion ``statement`` ("Age under 18") holds ``age`` and speaks of a side the
    record's fields leave open (its lower end is the study's upper limit)."""
    if not ((statement.low is not None and high_open)
            or (statement.high is not None and low_open)):
        return False
    years = math.floor(age)
    if statement.low is not None and years < statement.low:
        return False
    if statement.high is not None:
        return age < statement.high if statement.strict else years <= statement.high
    return True


def _speaks_to(statement: AgeStatement, low_open: bool, high_open: bool) -> bool:
    return ((statement.low is not None and low_open)
            or (statement.high is not None and high_open))


def may_state_age(text: str) -> bool:
    """A quick first look: could ``text`` (a line) state an age at all?"""
    # each side of the pattern needs a digit and an age word or a year word
    return (_DIGIT.search(text) is not None and holds(folded(text), _QUICK_WORDS)
            and _QUICK.search(text) is not None)


def _quick_mask(lines: list[str]) -> np.ndarray:
    """:func:`may_state_age` of each line, in one RE2 pass when pyarrow is there."""
    try:
        pa: Any = importlib.import_module("pyarrow")
        pc: Any = importlib.import_module("pyarrow.compute")
        found = pc.match_substring_regex(pa.array(lines, type=pa.large_string()), QUICK)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    except (ImportError, AttributeError, ValueError, TypeError, LookupError):
        return np.asarray([may_state_age(line) for line in lines], dtype=bool)


def _exclusion_may_begin(text: str) -> int:
    """Where an exclusion list may begin in ``text`` (-1: nowhere): nothing before is one."""
    low = text.lower()
    found = [at for at in (low.find(word) for word in _EXCLUDING_WORDS) if at >= 0]
    return min(found, default=-1)


def age_lines(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    """For each eligibility text, its lines that may state an age, as (section, item). A
    text is cut into sections only when such a line comes after where an exclusion list may
    begin: before it, every line is one of who may join (the quick way for most texts).
    A text given more than once is read once (its studies share the list: do not change it)."""
    unique = list(dict.fromkeys(texts))
    if len(unique) == len(texts):
        return _age_lines(texts)
    found = dict(zip(unique, _age_lines(unique), strict=True))
    return [found[text] for text in texts]


def _age_lines(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    owners: list[int] = []
    starts: list[int] = []
    lines: list[str] = []
    for index, text in enumerate(texts):
        at = 0
        for line in text.split("\n"):
            owners.append(index)
            starts.append(at)
            lines.append(line)
            at += len(line) + 1
    found: list[list[tuple[int, str]]] = [[] for _ in texts]
    for j in np.flatnonzero(_quick_mask(lines)):
        found[owners[j]].append((starts[j], lines[j]))
    out: list[list[tuple[str, str]]] = []
    for text, candidates in zip(texts, found, strict=True):
        # only a cut before the last candidate's end matters: look no further than that
        last = max((start + len(line) for start, line in candidates), default=0)
        cut = _exclusion_may_begin(text[:last + _LONGEST]) if candidates else -1
        if cut >= 0 and any(start + len(line) > cut and age_statements(item_text(line))
                            for start, line in candidates):
            out.append(section_lines(text, keep=may_state_age))
        else:
            items = (item_text(line) for _, line in candidates)
            out.append([("inclusion", item) for item in items if item])
    return out


def _reaches(line: str, years: int) -> bool:
    """Whether a run of digits in ``line`` is ``years`` or more (a run of four or more digits
    counts without being read): an upper limit holding someone of ``years`` needs one, since
    each number a statement reads begins a run of digits."""
    return any(len(run) > 3 or int(run) >= years for run in _DIGITS.findall(line))


def stated_age_for(age: float, lines: Sequence[tuple[str, str]], below: bool) -> str | None:
    """The first inclusion or other line (of ``lines``: (section, item)) stating an age that
    holds ``age`` on the side the record's age fields put it outside (``below`` their lower
    limit, or above their upper one): the record's own text then disagrees with its fields."""
    years = math.floor(age)
    for section, item in lines:
        if section == "exclusion" or not (below or _reaches(item, years)):
            continue
        for statement in age_statements(item):
            side = statement.low if below else statement.high
            if side is not None and _admits(age, statement):
                return item
    return None


def stated_age_against(age: float, lines: Sequence[tuple[str, str]], low_open: bool,
                       high_open: bool) -> str | None:
    """The criteria line (of ``lines``: (section, item)) whose stated age ``age`` may be
    outside, on the sides the record's age fields leave open; None when nothing stated
    speaks against it. Inclusion and other lines count together: one that admits the age is
    enough (cohorts of different ages)."""
    asked: list[AgeStatement] = []
    every: list[AgeStatement] = []
    joined: list[AgeStatement] = []
    for section, item in lines:
        for statement in age_statements(item):
            if section == "exclusion":
                if _excludes(age, statement, low_open, high_open):
                    if not statement.joined:
                        return item
                    joined.append(statement)
                continue
            every.append(statement)
            if _speaks_to(statement, low_open, high_open):
                asked.append(statement)
    # an exclusion of an age joined to something else ("age >= 11 and stage IV") rules out
    # only some of that age: it counts unless an inclusion statement holds the age
    if joined and not any(_admits(age, s) for s in asked):
        return joined[0].line
    # a statement holding the age on every side it gives ("aged 18 or under", where the
    # fields give the upper limit) answers a stricter one ("or over 18 under guardianship")
    if asked and not any(_admits(age, s) for s in every):
        return asked[0].line
    return None
