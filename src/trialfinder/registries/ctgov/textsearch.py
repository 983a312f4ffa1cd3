"""The API's text search, run over study records in hand (a saved download, the demo set).

:meth:`StudyQuery.to_params` gives the ``query.*`` parameters the API would receive; this
module answers them the way the API does, so a search of a file finds what the same search
online would find among those studies:

* each parameter searches its own fields (``query.cond``: conditions, keywords, MeSH terms and
  the NCT id; ``query.intr``: intervention names and other names; ``query.term``: titles,
  summary, conditions, keywords and interventions; ``query.locn``, ``query.titles``,
  ``query.spons``);
* parameters are combined with AND (a condition AND a treatment);
* inside one, the Essie subset trialfinder writes: words (all must occur, in any order, anywhere
  in the field's values), ``"quoted phrases"`` (the words in a row, within one value),
  ``OR``, ``AND``, ``NOT``, parentheses and a trailing ``*`` for a prefix.

Words match whole, ignoring case, accents and a plural ending (``spasms`` finds "Muscle
Spasm" and ``cramp`` "Cramps", as the API's stemming does); there is no other stemming, and no
synonym expansion (the live API adds both, so it may find a few studies more).

Where each field's values are in a record comes from the column spec (the JSON path of the
column that names the API piece: :func:`~trialfinder.registries.ctgov.fields.piece_paths`);
every field searched here is a column of the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from trialfinder.core.entities import decode_entities
from trialfinder.core.folding import fold, word_forms
from trialfinder.registries.ctgov.fields import piece_paths

__all__ = ["AREAS", "TextQuery", "matching_ids", "words"]

#: ``query.*`` parameter -> the record fields (API piece names) it searches.
AREAS: dict[str, tuple[str, ...]] = {
    "query.cond": ("NCTId", "Condition", "Keyword", "ConditionMeshTerm"),
    "query.term": ("NCTId", "Acronym", "BriefTitle", "OfficialTitle", "BriefSummary",
                   "Condition", "Keyword", "InterventionName", "InterventionOtherName"),
    "query.intr": ("InterventionName", "InterventionOtherName"),
    "query.locn": ("LocationCity", "LocationState", "LocationCountry", "LocationFacility",
                   "LocationZip"),
    "query.titles": ("Acronym", "BriefTitle", "OfficialTitle"),
    "query.spons": ("LeadSponsorName", "CollaboratorName"),
}
_SPEC_PATHS: Final = piece_paths()
#: Where each piece's values are: the column spec's paths (a piece no column names fails here).
_PATHS: Final[dict[str, tuple[str, ...]]] = {
    piece: _SPEC_PATHS[piece] for pieces in AREAS.values() for piece in pieces}

_TOKEN = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|"(?P<quote>[^"]*)"|(?P<word>[^\s()"]+)')


def words(text: str) -> list[str]:
    """Lower-case words without accents: ``"Montréal (QC)"`` -> ``["montreal", "qc"]``."""
    return re.findall(r"[^\W_]+", fold(text))


def _values(node: Any, path: Sequence[str]) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
        return
    if not path:
        if isinstance(node, str):
            yield decode_entities(node)  # searched as the tables show it
        elif isinstance(node, int | float) and not isinstance(node, bool):
            yield str(node)
        return
    if isinstance(node, Mapping):
        yield from _values(node.get(path[0]), path[1:])


class _Field:
    """One record's text in one area: its values as word lists, every word as written (for a
    prefix) and every form of them (with and without a plural ending)."""

    __slots__ = ("_lists", "vocabulary", "word_lists", "written")

    def __init__(self, record: Mapping[str, Any], pieces: Iterable[str]) -> None:
        self.word_lists = [words(v) for piece in pieces for v in _values(record, _PATHS[piece])]
        self.written = frozenset(w for ws in self.word_lists for w in ws)
        self.vocabulary = frozenset().union(*map(word_forms, self.written))
        self._lists: list[list[frozenset[str]]] | None = None

    @property
    def lists(self) -> list[list[frozenset[str]]]:
        """The word lists as each word's forms (for a phrase), made once when first asked."""
        if self._lists is None:
            self._lists = [[word_forms(w) for w in ws] for ws in self.word_lists]
        return self._lists


@dataclass(frozen=True, slots=True)
class _Leaf:
    words: tuple[str, ...]  # as typed (folded)
    phrase: bool
    prefix: bool

    def match(self, text: _Field) -> bool:
        forms = [word_forms(w) for w in self.words]
        if any(not f & text.vocabulary for f in forms[:-1 if self.prefix else None]):
            return False  # a word the field does not hold at all
        if self.phrase:
            n = len(forms)
            return any(all(forms[k] & ws[i + k] for k in range(n))
                       for ws in text.lists for i in range(len(ws) - n + 1))
        if self.prefix:  # the prefix as typed, against the words as written
            return any(w.startswith(self.words[-1]) for w in text.written)
        return True


@dataclass(frozen=True, slots=True)
class _All:
    children: tuple[_Node, ...]

    def match(self, text: _Field) -> bool:
        return all(child.match(text) for child in self.children)


@dataclass(frozen=True, slots=True)
class _Any:
    children: tuple[_Node, ...]

    def match(self, text: _Field) -> bool:
        return any(child.match(text) for child in self.children)


@dataclass(frozen=True, slots=True)
class _Not:
    child: _Node

    def match(self, text: _Field) -> bool:
        return not self.child.match(text)


_Node = _Leaf | _All | _Any | _Not


class _Parser:
    """``a b`` = ``a AND b``; ``OR`` binds looser than ``AND``; ``NOT`` binds tightest."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is None:
                continue
            value = match.group(kind) or ""
            if kind == "word" and value in ("AND", "OR", "NOT"):
                kind = value
            self.tokens.append((kind, value))
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> _Node | None:
        node = self.any_of()
        return node

    def any_of(self) -> _Node | None:
        children = [self.all_of()]
        while self.peek() == "OR":
            self.pos += 1
            children.append(self.all_of())
        return _combine(_Any, children)

    def all_of(self) -> _Node | None:
        children = [self.unary()]
        while self.peek() not in (None, "OR", "rp"):
            if self.peek() == "AND":
                self.pos += 1
            children.append(self.unary())
        return _combine(_All, children)

    def unary(self) -> _Node | None:
        if self.peek() == "NOT":
            self.pos += 1
            child = self.unary()
            return None if child is None else _Not(child)
        return self.primary()

    def primary(self) -> _Node | None:
        if self.pos >= len(self.tokens):
            return None
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "lp":
            node = self.any_of()
            if self.peek() == "rp":
                self.pos += 1
            return node
        if kind in ("rp", "AND", "OR"):
            return None
        found = tuple(words(value))
        if not found:
            return None
        quoted = kind == "quote"
        return _Leaf(found, quoted and len(found) > 1, not quoted and value.endswith("*"))


def _combine(kind: type[_All] | type[_Any], children: list[_Node | None]) -> _Node | None:
    kept = tuple(c for c in children if c is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kind(kept)


@dataclass(frozen=True)
class TextQuery:
    """The ``query.*`` parameters of a search, ready to test records against."""

    parts: tuple[tuple[str, _Node], ...]

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> TextQuery:
        parts = []
        for name in AREAS:
            text = params.get(name, "")
            node = _Parser(text).parse() if text.strip() else None
            if node is not None:
                parts.append((name, node))
        return cls(tuple(parts))

    def __bool__(self) -> bool:
        return bool(self.parts)

    def match(self, record: Mapping[str, Any]) -> bool:
        """True when the record matches every parameter (AND across fields)."""
        return all(node.match(_Field(record, AREAS[name])) for name, node in self.parts)


def _nct(record: Mapping[str, Any]) -> str | None:
    found = next(_values(record, _PATHS["NCTId"]), None)
    return found


def matching_ids(records: Iterable[Mapping[str, Any]], params: Mapping[str, str]) -> set[str]:
    """NCT ids of the records that the API would return for these ``query.*`` parameters."""
    query = TextQuery.from_params(params)
    return {nct for record in records
            if isinstance(record, Mapping) and (nct := _nct(record)) and query.match(record)}
