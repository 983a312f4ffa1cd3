"""The shapes of an age a criteria line states (for :mod:`.ages`), as patterns on the line
made plain by :func:`.agewords.plain_ages` (number words as digits; months, weeks and days as
years): "aged 18 to 65", "at least 18 years of age", "Women 65 or older", "Over the age of
18", "younger than 8 weeks"; and a quick first look at whether a text may state one at all.
"""

from __future__ import annotations

import re

from trialfinder.tables.prescreen import agecontext as ctx
from trialfinder.tables.prescreen.agewords import NUMBER_WORDS

__all__ = ["BEGINS", "NEEDS", "QUICK", "SHAPES", "SMALL_ONLY", "STRICT"]

_N = r"(\d{1,3}(?:\.\d+)?)"
_Y = r"(?:\s*(?:years?|yrs?|y)\b\.?)?"
_AGED = r"(?:\b(?:age[ds]?|adults?)\b\s*(?:[:=]|is|of|range|limit)?\s*)"
_YEARS_OF_AGE = r"\s*(?:years?|yrs?)\s*(?:of\s+age|old)\b"
_LOW_WORD = (r"(?:≥|>/=|=/>|>=|=>|>|at\s+least|over|above|older\s+than|more\s+than|"
             r"greater\s+than|minimum(?:\s+of)?)")
_HIGH_WORD = (r"(?:≤|</=|=/<|<=|=<|<|under|below|younger\s+than|less\s+than|up\s+to|"
              r"not\s+older\s+than|maximum(?:\s+of)?)")
STRICT = re.compile(r"^(?:<|under|below|younger|less)", re.IGNORECASE)
_TO = r"\s*(?:-|–|—|to|and)\s*"
_OR_MORE = r"\s*(?:or|and)\s*(?:older|over|above|more|greater|up)\b(?!\s*(?:than|\d))"
# not "5 years or more", nor "under 18 years and over 70" (another limit)
_OR_OLDER = r"\s*(?:or|and)\s*(?:older|over|above)\b(?!\s*(?:than|\d))"
_OR_LESS = r"\s*(?:or|and)\s*(?:younger|under|below|less)\b(?!\s*(?:than|\d))"

# each shape, and the words it cannot match without (every group of NEEDS it names, by
# one of the group's words in lower case): a line lacking them skips the shape; and where a
# match may begin at the earliest (BEGINS: at one of the words the shape starts with, "0" at
# the first digit, " 0" at the spaces before it): the search starts there
NEEDS: dict[str, tuple[str, ...]] = {
    "aged": ("age", "adult"), "years": ("year", "yr"), "of age": ("age", "old"),
    "low": ("\u2265", ">", "least", "over", "above", "older", "more", "greater", "minimum"),
    "high": ("\u2264", "<", "under", "below", "younger", "less", "up", "older", "maximum"),
    "or more": ("older", "over", "above", "more", "greater", "up"),
    "or older": ("older", "over", "above"), "or less": ("younger", "under", "below", "less"),
    "plus": ("+",),
    "who": ctx.WHO_WORDS,
}
BEGINS: dict[str, tuple[str, ...]] = {
    "aged": ("age", "adult"), "range": ("between", "from", " 0"), "digit": ("0",),
    "low": ("\u2265", ">", "=", "at", "over", "above", "older", "more", "greater", "minimum"),
    "high": ("\u2264", "<", "=", "under", "below", "younger", "less", "up", "not", "maximum"),
    "who": ("wom", "fem", *ctx.WHO_WORDS),  # "men" and "male" begin inside "women", "female"
}
SHAPES: list[tuple[str, re.Pattern[str], tuple[str, ...], str]] = [
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
    # a range or "or older" right after who may join: "Men between 50 and 75 years",
    # "Women 65 or older" (a range needs its unit: "Patients 1 to 3 lesions" is no age)
    ("range", ctx.WHO + r"(?:between|from)?\s*" + _N + _Y + _TO + _N + r"\s*(?:years?|yrs?)\b",
     ("who", "years"), "who"),
    ("low", ctx.WHO + _N + _Y + _OR_OLDER, ("who", "or older"), "who"),
    # "younger than 8 weeks", "older than 28 days": a baby's age needs no "old" (read only
    # when said in months, weeks or days: "in younger than 60 years" may speak of a threshold)
    ("high", r"\b(younger\s+than)\s*" + _N + r"\s*years\b", ("years", "high"), "high"),
    ("low", r"\b(older\s+than)\s*" + _N + r"\s*years\b", ("years", "low"), "low"),
]]
SMALL_ONLY = len(SHAPES) - 2  # the shapes from here on read only months, weeks and days
# a quick first look (RE2 too): could a text or line state an age at all?
_NUMBER = rf"\b(?:{'|'.join(NUMBER_WORDS)})\b"
QUICK = (r"(?i)\b(?:age[ds]?|adults?)\b[^\n\d]{0,30}(?:\d|" + _NUMBER + ")|"
         r"(?:\d|" + _NUMBER + r")[^\n\d]{0,12}"
         r"(?:years?|yrs?|months?|mos?|weeks?|wks?|days?)\s*"
         r"(?:of\s+age|old|or|and)\b|" + ctx.WHO + r"(?:between|from)?\s*\d|"
         r"(?:younger|older)\s+than\s*(?:\d+(?:\.\d+)?|" + _NUMBER + r")[^\n\d]{0,6}"
         r"(?:months?|mos?|weeks?|wks?|days?)\b")
