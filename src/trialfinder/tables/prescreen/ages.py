"""Age limits an eligibility text states in words, set against the record's age fields: where
the fields leave a side open or ask for less ("Adults aged 40-65" under fields of 18 to 80).

Only plain statements count: a number of years (in digits, words or months: "eighteen", "18
months to 5 years") right after "age", "aged", "adults" or who may join ("Men 50 to 75
years", "Women 65 or older"), or followed by "years of age" / "years old", with a range, a
comparison ("≥ 18", "under 65", "at least 18") or "or older" / "or younger". What the words
around it may make of it instead (someone else's age, a condition, a part of the study, a
definition of menopause, one choice among others, a rule, one sex's age) is in
:mod:`~trialfinder.tables.prescreen.agecontext`. One inclusion statement holding the age is
enough (cohorts of different ages); one exclusion statement holding it is not. A first look:
a statement the person may be outside of makes a study ``check``, never ``no``.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from trialfinder.tables.eligibility import item_text
from trialfinder.tables.prescreen import agecontext as ctx
from trialfinder.tables.prescreen.ageshapes import BEGINS, NEEDS, QUICK, SHAPES, SMALL_ONLY, STRICT
from trialfinder.tables.prescreen.agewords import plain_ages
from trialfinder.tables.prescreen.finder import section_lines
from trialfinder.tables.prescreen.scope import clause_bounds, folded, holds
from trialfinder.tables.prescreen.sublists import not_under_a_test

__all__ = ["QUICK", "AgeStatement", "age_lines", "age_statements", "may_state_age",
           "stated_age_against", "stated_age_for"]

_QUICK = re.compile(QUICK)
_QUICK_WORDS = ("age", "adult", "year", "yr", "month", "mo", "week", "wk", "day",
                *ctx.WHO_WORDS)
# where an exclusion list may begin: nothing before the first of these is one
_EXCLUDING_WORDS = ("exclu", "ineligib", "not eligib", "not be eligib", "non-inclu",
                    "non inclu", "noninclu", "not be enrolled", "not be included", "may not")
_LONGEST = max(map(len, _EXCLUDING_WORDS))
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")


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
    #: the unit each end was said in, in years (1/12: months): an age counts in whole units
    low_unit: float = 1.0
    high_unit: float = 1.0
    #: the one sex its clause speaks of before it ("Men aged 50 to 75": MALE), if any
    sex: str | None = None
    #: a rule for those of that age, not a limit ("Patients over 50 will undergo a scan")
    rule: bool = False
    #: one choice among others ("Age ≥ 70 OR ..."), and a lower end it excludes ("> 85")
    either: bool = False
    low_strict: bool = False


def _earliest(lower: str, words: tuple[str, ...], digit: int, spaced: int) -> int:
    """The first index of any of ``words`` in ``lower`` ("0": ``digit``, " 0": ``spaced``),
    -1 for none."""
    first = -1
    for word in words:
        at = digit if word == "0" else spaced if word == " 0" else lower.find(word)
        if at >= 0 and (first < 0 or at < first):
            first = at
    return first


def age_statements(line: str) -> list[AgeStatement]:
    """The age ranges ``line`` states for the participant (see the module's rules). Ages in
    words or months ("aged eighteen or over", "6 to 12 months old") are read as well; each
    statement quotes ``line`` as given."""
    return list(_statements(line))


@lru_cache(maxsize=8192)  # a line is read once, not once for each profile
def _statements(line: str) -> tuple[AgeStatement, ...]:
    return tuple(_read_statements(line))


def _read_statements(line: str) -> list[AgeStatement]:
    found: list[AgeStatement] = []
    text, small = plain_ages(line)
    if ctx.OPTIONAL_LINE.match(text):  # "Optional: ..." speaks of a part nobody must join
        return found
    taken: list[tuple[int, int]] = []
    first_digit = _DIGIT.search(text)
    if first_digit is None:
        return found
    digit = spaced = first_digit.start()
    while spaced and text[spaced - 1].isspace():
        spaced -= 1
    # the words each pattern needs, in lower case, and where a shape may begin: the line
    # folded as re's IGNORECASE reads it (None: a letter str.lower() folds otherwise, so
    # every pattern is searched in whole)
    lower = folded(text)
    present = {group: holds(lower, words) for group, words in NEEDS.items()}
    for index, (kind, pattern, needs, begins) in enumerate(SHAPES):
        if not all(present[group] for group in needs) or (index >= SMALL_ONLY and not small):
            continue
        pos = 0 if lower is None else _earliest(lower, BEGINS[begins], digit, spaced)
        if pos < 0:
            continue
        for match in pattern.finditer(text, pos):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            first, last = clause_bounds(text, start, end)  # the clause around it
            if ctx.not_a_limit(text, lower, start, end, first, last):
                continue
            joined = bool(ctx.JOINED_AFTER.match(text[end:last]) or ctx.search(
                ctx.JOINED_BEFORE, ctx.JOINED_WORDS, text, lower, first, start))
            groups = [(g, match.span(i + 1)) for i, g in enumerate(match.groups()) if g]
            numbers = [float(g) for g, _ in groups if g[0].isdigit()]
            # a number said in months counts in whole months, one in years in whole years
            units = [next((unit for a, b, unit in small if a <= at < b), 1.0)
                     for g, (at, _) in groups if g[0].isdigit()]
            if index >= SMALL_ONLY and units[0] == 1.0:
                continue
            words = [g for g, _ in groups if not g[0].isdigit()]
            # the words before its first number (a shape may begin with who: "Women 65")
            sex = ctx.sex_of(text[first:min(at for g, (at, _) in groups if g[0].isdigit())])
            rule = ctx.RULE_AFTER.match(text[end:last]) is not None
            either = bool(ctx.EITHER_AFTER.match(text[end:last])
                          or ctx.EITHER_BEFORE.search(text[first:start]))
            low_strict = bool(words) and ctx.STRICT_LOW.match(words[0]) is not None
            if kind == "range":
                low, high = numbers
                if low > high:
                    continue
                statement = AgeStatement(low, high, False, line, joined, units[0], units[1],
                                         sex, rule, either)
            elif kind == "low":
                statement = AgeStatement(numbers[0], None, False, line, joined, units[0],
                                         sex=sex, rule=rule, either=either,
                                         low_strict=low_strict)
            else:
                strict = bool(words) and STRICT.match(words[0]) is not None
                statement = AgeStatement(None, numbers[0], strict, line, joined,
                                         high_unit=units[0], sex=sex, rule=rule,
                                         either=either)
            if max(n for n in numbers) > 125:
                continue
            taken.append((start, end))
            found.append(statement)
    return found


def _counted(age: float, unit: float) -> float:
    """``age`` as it is counted in whole ``unit``s (years, or months: 1/12): someone 65.5 is
    65, a baby of 13.5 months is 13 months."""
    return math.floor(age / unit + 1e-9) * unit


def _admits(age: float, statement: AgeStatement) -> bool:
    """``age`` is within what an inclusion ``statement`` allows. Ages count in whole years:
    someone 65.5 is 65 ("up to 65" holds them)."""
    if statement.low is not None and age < statement.low:
        return False
    if statement.high is not None:
        if statement.strict:
            return age < statement.high
        return _counted(age, statement.high_unit) <= statement.high + 1e-9
    return True


def _excludes(age: float, statement: AgeStatement) -> bool:
    """An exclusion ``statement`` ("Age under 18") holds ``age`` (someone 85 is not "> 85")."""
    if statement.low is not None:
        counted = _counted(age, statement.low_unit)
        if counted < statement.low - 1e-9 or (statement.low_strict
                                              and counted <= statement.low + 1e-9):
            return False
    if statement.high is not None:
        if statement.strict:
            return age < statement.high
        return _counted(age, statement.high_unit) <= statement.high + 1e-9
    return True


def _narrower(statement: AgeStatement, low: float | None, high: float | None) -> bool:
    """Whether ``statement`` asks for less than the record's age fields (``low`` and
    ``high`` in years, None: open) on a side it gives."""
    return ((statement.low is not None and (low is None or statement.low > low))
            or (statement.high is not None and (high is None or statement.high < high)))


def may_state_age(text: str) -> bool:
    """A quick first look: could ``text`` (a line) state an age at all?"""
    # each shape needs an age, year, month or who word (a number may be a word)
    return holds(folded(text), _QUICK_WORDS) and _QUICK.search(text) is not None


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


_LINES: dict[str, list[tuple[str, str]]] = {}  # kept for the next pre-screen (emptied if full)
_LINES_KEPT = 4096


def age_lines(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    """For each eligibility text, its lines that may state an age, as (section, item). A
    text is cut into sections only when such a line comes after where an exclusion list may
    begin: before it, every line is one of who may join (the quick way for most texts).
    A text is read once (its studies and later pre-screens share the list: do not change it)."""
    found = {text: _LINES.get(text) for text in texts}
    missing = [text for text, lines in found.items() if lines is None]
    if missing:
        fresh = {text: not_under_a_test(text, lines)
                 for text, lines in zip(missing, _age_lines(missing), strict=True)}
        found.update(fresh)
        if len(_LINES) + len(fresh) > _LINES_KEPT:
            _LINES.clear()
        _LINES.update(fresh)
    return [found[text] or [] for text in texts]


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
    return any(len(run) > 3 or int(run) >= years
               for run in _DIGITS.findall(plain_ages(line)[0]))


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


def stated_age_against(age: float, lines: Sequence[tuple[str, str]], low: float | None,
                       high: float | None, sex: str | None = None) -> str | None:
    """The criteria line (of ``lines``: (section, item)) whose stated age ``age`` may be
    outside, for a record whose age fields (``low``, ``high``; None: open) hold ``age``; None
    when nothing stated speaks against it. Inclusion and other lines count together: one that
    admits the age is enough (cohorts of different ages). A statement said of the other sex
    than ``sex`` ("Men aged 50 to 75", for a woman) is not hers; an exclusion setting a rule
    for an age ("Patients over 50 will undergo a scan") excludes nobody."""
    asked: list[AgeStatement] = []
    every: list[AgeStatement] = []
    joined: list[AgeStatement] = []
    for section, item in lines:
        for statement in age_statements(item):
            if sex is not None and statement.sex not in (None, sex):
                continue
            if section == "exclusion":
                if statement.rule:
                    continue
                if _excludes(age, statement):
                    if not statement.joined:
                        return item
                    joined.append(statement)
                continue
            if statement.either:  # "Age ≥ 70 OR ...": another choice may let them in
                continue
            every.append(statement)
            if _narrower(statement, low, high):
                asked.append(statement)
    # an exclusion of an age joined to something else ("age >= 11 and stage IV") rules out
    # only some of that age: it counts unless an inclusion statement holds the age
    if joined and not any(_admits(age, s) for s in every):
        return joined[0].line
    # a statement holding the age on every side it gives ("aged 18 or under", where the
    # fields give the upper limit) answers a stricter one ("or over 18 under guardianship")
    if asked and not any(_admits(age, s) for s in every):
        return asked[0].line
    return None
