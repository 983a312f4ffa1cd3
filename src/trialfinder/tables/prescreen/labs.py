"""Lab tests whose limits a person's medicine or condition may put them outside.

Criteria often rule people out by a lab value rather than by name: "INR > 1.5" concerns
someone on warfarin, "eGFR < 30 mL/min" someone with kidney disease, "ALT > 3 x ULN" someone
with liver disease, though none of those lines names the medicine or the condition. The
vocabulary's ``[[lab]]`` tables list such tests with the medicines and conditions they concern;
:func:`lab_names` adds their names to what is looked for on a person's behalf (matched as
``lab "<test>"``), and a line naming one (and not the person's term itself, which the usual
rules read) is a question for the study team in any section: a limit under inclusion ("INR
<= 1.5") rules out as surely as one under exclusion. The pre-screen cannot know the person's
value, so such a line never makes a study ``no``, only ``check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trialfinder.tables.prescreen.synonyms import VOCABULARY_FILE, Name, document, vocabulary

__all__ = ["Lab", "eases_a_limit", "is_lab", "lab_about", "lab_names", "lab_row", "labs"]

_HOW = 'lab "'


@dataclass(frozen=True, slots=True)
class Lab:
    """One lab test (or a few read together) and whom its limits concern."""

    name: str
    names: tuple[tuple[str, bool], ...]  # (name, matched in capitals only)
    about: str  # said after its name; {term} is what the person typed
    medicines: frozenset[str]
    conditions: frozenset[str]


def _names(raw: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{VOCABULARY_FILE}: lab {where}: {field} must be a list of names")
    return tuple(value)


def _lab(raw: Any) -> Lab:
    name = raw.get("name") if isinstance(raw, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{VOCABULARY_FILE}: a lab entry has no name")
    known = {"name", "other", "abbreviations", "about", "medicines", "conditions"}
    if unknown := set(raw) - known:
        raise ValueError(f"{VOCABULARY_FILE}: lab {name}: unknown fields {sorted(unknown)}")
    about = raw.get("about")
    if not isinstance(about, str) or "{term}" not in about:
        raise ValueError(f"{VOCABULARY_FILE}: lab {name}: about must hold {{term}}")
    vocab = vocabulary()
    for kind, field in (("medicine", "medicines"), ("condition", "conditions")):
        for member in _names(raw, field, name):
            if (kind, member) not in vocab.entries:
                raise ValueError(f"{VOCABULARY_FILE}: lab {name}: no {kind} {member!r}")
    names = [(n, False) for n in (name, *_names(raw, "other", name))]
    names += [(n, True) for n in _names(raw, "abbreviations", name)]
    return Lab(name=name, names=tuple(names), about=about,
               medicines=frozenset(_names(raw, "medicines", name)),
               conditions=frozenset(_names(raw, "conditions", name)))


@lru_cache(maxsize=1)
def labs() -> tuple[Lab, ...]:
    """The lab tests of the shipped vocabulary."""
    return tuple(_lab(raw) for raw in document().get("lab", []))


@lru_cache(maxsize=256)
def lab_names(text: str, kind: str) -> tuple[Name, ...]:
    """The names of the lab tests whose limits concern someone who says ``text`` (``kind``:
    medicine or condition): those listed for its group or for any class it belongs to."""
    vocab = vocabulary()
    entry = vocab.lookup(text, kind)
    if entry is None:
        return ()
    mine = {entry.name, *(parent.name for parent in vocab.classes_of(entry))}
    out: list[Name] = []
    for lab in labs():
        if mine & (lab.medicines if kind == "medicine" else lab.conditions):
            out.extend(Name(name, f'{_HOW}{lab.name}"', exact, "") for name, exact in lab.names)
    return tuple(out)


def is_lab(how: str) -> bool:
    """True when a name was found as one of a lab test's (its ``match``)."""
    return how.startswith(_HOW)


def lab_about(term: str, found: str, match: str) -> str:
    """What a lab name is to the person: "INR, a clotting test that your warfarin changes"."""
    name = match[len(_HOW):-1]
    lab = next((lab for lab in labs() if lab.name == name), None)
    return f"{found}, {lab.about.format(term=term)}" if lab is not None else found


def lab_row(nct: str, section: str, item: str, own: str, found: str, how: str
            ) -> dict[str, Any]:
    """The mention of a line that names a lab test of the person's term (and not the term):
    positive in any section, neither an exception nor a negation."""
    return {
        "nct_id": nct, "term": own, "found": found, "section": section, "text": item,
        "match": how, "exception": False, "negated": False, "positive": True,
        "direct": False, "other_class": False, "other_kind": False, "open_kinds": False,
        "broader": False, "narrower": False, "limited": False, "relative": False,
    }


# metastases named as what eases another test's limit ("ALT <= 3 x ULN, or <= 5 x ULN if
# liver metastases"): the line's limit is that test's, and the cancer only widens it
_EASED = f'{_HOW}metastases"'
_LIMIT_BEFORE = re.compile(r"\bULN\b|upper\s+limit\s+of\s+normal|\d\s*(?:x|×|times)\b",
                           re.IGNORECASE)
_IF_BEFORE = re.compile(
    r"\b(?:if|when|in\s+case\s+of|in\s+the\s+presence\s+of|(?:for|in)\s+(?:patients|"
    r"subjects|participants|those|cases)\s+with|due\s+to|because\s+of)\s+"
    r"(?:(?:known|documented|the|any|hepatic|liver|bone|osseous)\s+){0,2}$", re.IGNORECASE)


def eases_a_limit(how: str, item: str, start: int) -> bool:
    """True when the lab name at ``item[start:]`` (matched as ``how``) is metastases said as
    what eases another test's limit before it in the line ("if liver metastases")."""
    return (how == _EASED and _IF_BEFORE.search(item[:start]) is not None
            and _LIMIT_BEFORE.search(item[:start]) is not None)
