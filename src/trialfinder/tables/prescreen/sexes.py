"""A record whose sex field leaves a person out while its own criteria take both sexes
("Female or male patients aged 18 or over" under a sex field of FEMALE): a question for the
study team, not a ``no``, as with age fields the criteria contradict."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from trialfinder.tables.prescreen.finder import section_lines
from trialfinder.tables.prescreen.scope import may_hold
from trialfinder.tables.prescreen.verdict import quote

__all__ = ["BOTH_WORDS", "asks_for_both_sexes", "sex_against_text"]

_MEN = r"(?:men|males?|man|boys?)"
_WOMEN = r"(?:women|females?|woman|girls?)"
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
        if line is not None:
            held[i] = True
            unknown[i].append(f"the record says it is open to {words[codes[i]]} only, but its "
                              f'criteria take both sexes ("{quote(line)}"): ask the study '
                              "team")
    return held
