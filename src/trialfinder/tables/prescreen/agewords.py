"""Ages a criteria line says in words or in months ("aged eighteen or over", "at least
twenty-one years of age", "18 months to 5 years", "6 to 12 months old"), made plain for the
age rules of :mod:`trialfinder.tables.prescreen.ages`: each number word becomes its digits and
each number of months its years ("18 months" reads "1.5 years"), and the spans of the numbers
that were months are kept (a limit in months counts in whole months, not whole years).

The plain line is only read, never shown: a statement quotes the record's own line.
"""

from __future__ import annotations

import re

__all__ = ["DAY", "MONTH", "NUMBER_WORDS", "WEEK", "plain_ages"]

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
#: every number word (lower case): a line holding none has no number in words
NUMBER_WORDS = (*_UNITS[1:], *_TENS)
_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[\s\-]+(?P<unit>{'|'.join(_UNITS[1:10])}))?"
    rf"|(?P<small>{'|'.join(_UNITS[1:])}))\b", re.IGNORECASE)
_NUM = r"\d{1,3}(?:\.\d+)?"
# "6 to 12 months", "6-12 months": both numbers are months; "18 months": one (and so for
# weeks and days: "6 weeks", "28 days")
_SMALL_UNITS = re.compile(
    rf"(?P<a>{_NUM})(?:(?P<to>\s*(?:-|–|—|to|and)\s*)(?P<b>{_NUM}))?\s*"
    r"(?:(?P<months>months?|mos?)|(?P<weeks>weeks?|wks?)|days?)\b", re.IGNORECASE)
#: a year in months, weeks and days
MONTH, WEEK, DAY = 1 / 12, 7 / 365.25, 1 / 365.25
_SMALL_WORDS = ("mo", "week", "wk", "day")
_NEEDS_WORDS = re.compile(r"[a-z]", re.IGNORECASE)
_REPEATED = re.compile(r"\b(\d{1,3})\s*\(\1\)")


def _number(found: re.Match[str]) -> str:
    if found["small"]:
        return str(_UNITS.index(found["small"].lower()))
    value = _TENS[found["tens"].lower()]
    if found["unit"]:
        value += _UNITS.index(found["unit"].lower())
    return str(value)


def _years(number: str, unit: float) -> str:
    # (a month to four places, as ever; a week or a day to ten: a day is 0.0027 years)
    return f"{float(number) * unit:.{4 if unit == MONTH else 10}f}".rstrip("0").rstrip(".")


def plain_ages(line: str) -> tuple[str, list[tuple[int, int, float]]]:
    """``line`` with its number words as digits and its months, weeks and days as years,
    and the (start, end, unit) of each number there that was one of them (unit: the part of
    a year it counts in). A line with neither comes back as it is."""
    lower = line.lower()
    if any(word in lower for word in NUMBER_WORDS) and _NEEDS_WORDS.search(line):
        line = _REPEATED.sub(r"\1", _WORD.sub(_number, line))  # "nineteen (19)": once
        lower = line.lower()
    if not any(word in lower for word in _SMALL_WORDS):
        return line, []
    out: list[str] = []
    spans: list[tuple[int, int, float]] = []
    at = length = 0
    for found in _SMALL_UNITS.finditer(line):
        unit = MONTH if found["months"] else WEEK if found["weeks"] else DAY
        out.append(line[at:found.start()])
        length += len(line[at:found.start()])
        first = _years(found["a"], unit)
        spans.append((length, length + len(first), unit))
        piece = first
        if found["b"] is not None:
            second = _years(found["b"], unit)
            start = length + len(first) + len(found["to"])
            spans.append((start, start + len(second), unit))
            piece += found["to"] + second
        piece += " years"
        out.append(piece)
        length += len(piece)
        at = found.end()
    out.append(line[at:])
    return "".join(out), spans
