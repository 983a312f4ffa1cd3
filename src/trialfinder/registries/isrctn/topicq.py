"""A topic's words in ISRCTN's ``q``: the notation of a preset's lists, and spelling variants.

A preset (:class:`trialfinder.topics.presets.TopicSearch`) writes each alternative in a small,
registry-free notation: words, ``"quoted phrases"``, ``AND``, ``OR``, ``NOT`` (``A NOT B``: A
and not B) and parentheses. :func:`topic_clause` reads one such text into a tree and writes it
anew for ISRCTN, every leaf a ``field:"phrase"`` made safe by :func:`~.query.phrase` (so only
this writer's own operators reach ISRCTN, never the text's characters). A text it cannot read
(unbalanced brackets, a dangling operator) is one phrase, as a user's text is.

ISRCTN is a UK registry and its records mostly use British spellings ("motor neurone disease",
"hypokalaemia"), while the presets, like ClinicalTrials.gov, use American ones. :func:`variants`
gives a phrase in both spellings (each word of :data:`SPELLINGS`, either way), and every
condition and treatment phrase is sent as all of them, ORed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["SPELLINGS", "TopicSyntaxError", "phrase_clauses", "topic_clause", "variants"]

#: American -> British spellings of words in medical phrases (whole words, either way).
SPELLINGS: Final[dict[str, str]] = {
    "neuron": "neurone", "neurons": "neurones", "anemia": "anaemia",
    "hypomagnesemia": "hypomagnesaemia", "hypocalcemia": "hypocalcaemia",
    "hypokalemia": "hypokalaemia", "hyponatremia": "hyponatraemia",
    "hyperkalemia": "hyperkalaemia", "hypernatremia": "hypernatraemia",
    "hypercalcemia": "hypercalcaemia", "hypoglycemia": "hypoglycaemia",
    "hyperglycemia": "hyperglycaemia", "leukemia": "leukaemia", "edema": "oedema",
    "tumor": "tumour", "tumors": "tumours", "pediatric": "paediatric",
    "orthopedic": "orthopaedic", "hemorrhage": "haemorrhage", "esophageal": "oesophageal",
    "diarrhea": "diarrhoea", "anesthesia": "anaesthesia", "estrogen": "oestrogen",
    "behavior": "behaviour", "behavioral": "behavioural", "hematology": "haematology",
    "gynecology": "gynaecology",
}
_BOTH: Final[dict[str, str]] = {
    **SPELLINGS, **{uk: us for us, uk in SPELLINGS.items()}}
_TOKEN: Final = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|"(?P<quote>[^"]*)"|(?P<word>[^\s()"]+)')
_MAX_TOKENS: Final = 200


class TopicSyntaxError(ValueError):
    """A text that is not in the topic notation (it is then sent as one phrase)."""


def _respell(word: str) -> str:
    other = _BOTH.get(word.lower())
    if other is None:
        return word
    return other.capitalize() if word[:1].isupper() else other


def variants(text: str) -> list[str]:
    """``text`` as written, then in the other spelling when a word of it has one:
    ``"Motor Neuron Disease"`` -> ``["Motor Neuron Disease", "Motor Neurone Disease"]``."""
    other = re.sub(r"[^\W\d_]+", lambda m: _respell(m.group()), text)
    return [text] if other == text else [text, other]


def phrase_clauses(field: str, text: str) -> list[str]:
    """``field:"text"`` in every spelling (alternatives, to be ORed); ``[]`` when no word is
    left."""
    from trialfinder.registries.isrctn.query import phrase

    return [f"{field}:{p}" for p in dict.fromkeys(phrase(v) for v in variants(text)) if p]


@dataclass(frozen=True, slots=True)
class _Node:
    op: str  # "leaf", "and", "or", "not" (and-not: the first child without the others)
    text: str = ""
    children: tuple[_Node, ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        for m in _TOKEN.finditer(text):
            if m.group("lp"):
                self.tokens.append(("(", "("))
            elif m.group("rp"):
                self.tokens.append((")", ")"))
            elif m.group("quote") is not None:
                self.tokens.append(("leaf", m.group("quote")))
            elif m.group("word"):
                word = m.group("word")
                self.tokens.append((word, word) if word in ("AND", "OR", "NOT")
                                   else ("leaf", word))
        if len(self.tokens) > _MAX_TOKENS:
            raise TopicSyntaxError("too many words")
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def parse(self) -> _Node:
        node = self.any_of()
        if self.peek() is not None:
            raise TopicSyntaxError("unbalanced brackets")
        return node

    def any_of(self) -> _Node:
        parts = [self.all_of()]
        while self.peek() == "OR":
            self.at += 1
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else _Node("or", children=tuple(parts))

    def all_of(self) -> _Node:
        parts, without = [self.primary()], []
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "NOT":
                self.at += 1
                without.append(self.primary())
                continue
            if self.peek() == "AND":
                self.at += 1
            parts.append(self.primary())
        node = parts[0] if len(parts) == 1 else _Node("and", children=tuple(parts))
        return _Node("not", children=(node, *without)) if without else node

    def primary(self) -> _Node:
        kind = self.peek()
        if kind == "leaf":
            self.at += 1
            return _Node("leaf", self.tokens[self.at - 1][1])
        if kind == "(":
            self.at += 1
            node = self.any_of()
            if self.peek() != ")":
                raise TopicSyntaxError("unbalanced brackets")
            self.at += 1
            return node
        raise TopicSyntaxError("a word is missing")


def _write(node: _Node, field: str) -> str:
    if node.op == "leaf":
        parts = phrase_clauses(field, node.text)
        if not parts:
            raise TopicSyntaxError("a phrase without words")
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    parts = [_write(c, field) for c in node.children]
    if node.op == "not":
        return "(" + " AND NOT ".join(parts) + ")"
    return "(" + f" {node.op.upper()} ".join(parts) + ")"


def topic_clause(field: str, text: str) -> str:
    """``text`` (the topic notation: see the module) as ISRCTN's ``q`` over ``field``:
    ``'"Motor Neuron Disease" NOT "Spinal Muscular Atrophy"'`` -> ``((condition:"Motor Neuron
    Disease" OR condition:"Motor Neurone Disease") AND NOT condition:"Spinal Muscular
    Atrophy")``. Raises :class:`TopicSyntaxError` when ``text`` is not in that notation."""
    return _write(_Parser(text).parse(), field)
