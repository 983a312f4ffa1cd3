"""A supplement's name that stands for its blood level, not for taking it.

"Magnesium < lower limit of normal", "Abnormal potassium", "Calcium above 10.5 mg/dL" name a
lab value: someone who takes magnesium is not named by them (a person whose condition lowers
the level is: see :mod:`.labs`). The vocabulary's ``not`` phrases keep "serum magnesium" and
"magnesium level" apart; this reads the limits and words around a bare name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialfinder.tables.prescreen.finder import Occurrence
from trialfinder.tables.prescreen.labs import is_lab
from trialfinder.tables.prescreen.synonyms import key, vocabulary

__all__ = ["is_level"]

_CLASS = "dietary supplements"
# a level: a limit or a concentration just after the name ("Magnesium < 0.5 mmol/L",
# "Potassium above the upper limit of normal"), or a word before it ("serum", "abnormal")
_AFTER = re.compile(
    r"['\u2019]?s?\s*(?:\([^()]{0,20}\)\s*)?(?:(?:levels?|concentrations?|values?)\b|"
    r"(?:[<>=\u2264\u2265]|\\[<>]|(?:is\s+|are\s+)?(?:below|above|outside|"
    r"(?:less|greater|more|lower|higher)\s+than)\b)[^;]{0,40}?"
    r"(?:mmol|meq|mg\s*/\s*dl|mg/l|\u00b5mol|\u03bcmol|nmol|ng\s*/\s*ml|lln|uln|"
    r"limits?\s+of\s+normal|normal))", re.IGNORECASE)
_BEFORE = re.compile(
    r"\b(?:serum|plasma|blood|ionized|ionised|corrected|urinary|urine|total|abnormal|"
    r"normal|elevated|high|low|decreased|increased)\s+$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _supplements() -> frozenset[str]:
    vocab = vocabulary()
    top = vocab.entries.get(("medicine", _CLASS))
    if top is None:
        return frozenset()
    return frozenset(e.name for e in vocab.members_of(top) if not e.is_class)


@lru_cache(maxsize=256)
def _is_supplement(name: str) -> bool:
    """Whether ``name`` is a supplement's plain name ("magnesium", not "magnesium citrate"
    nor "calcium supplements", which speak of taking it)."""
    entry = vocabulary().lookup(name, "medicine")
    return entry is not None and entry.name in _supplements() and key(entry.name) in (
        key(name), key(name).removesuffix("s"))


def is_level(line: str, occurrence: Occurrence, kind: str) -> bool:
    """Whether an occurrence in ``line`` of a term of ``kind`` is a supplement (a medicine)
    named as a blood level."""
    if kind != "medicine" or is_lab(occurrence.how) or not _is_supplement(occurrence.found):
        return False
    return (_AFTER.match(line, occurrence.end) is not None
            or _BEFORE.search(line[max(0, occurrence.start - 20):occurrence.start]) is not None)
