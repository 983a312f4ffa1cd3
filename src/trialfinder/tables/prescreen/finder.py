"""Find a person's conditions and medicines, by any of their names, in eligibility texts.

One :class:`Finder` holds every name of every term (from :mod:`.synonyms`) in one pattern per
kind: whole words only, abbreviations in capitals only, a name inside one of its group's
"not" phrases ("diabetes insipidus") skipped. ``candidates`` picks the texts worth reading in
one pass over the column (pyarrow's RE2, linear time); only those are cut into lines, and each
occurrence is read by :func:`.scope.read` (exception, negation, option, relatives).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.eligibility import item_text, sectioned_parts
from trialfinder.tables.prescreen.scope import Reading, read
from trialfinder.tables.prescreen.synonyms import KINDS, Name, key, vocabulary

__all__ = ["Finder", "Occurrence", "Term", "asks_for_healthy", "inclusion_lines",
           "section_lines"]

_SECTION = {"inclusion": "inclusion", "exclusion": "exclusion", "intro": "other"}
_SUFFIX = "(?:['\u2019]?s)?"  # the real apostrophe: RE2 knows no \\u escapes


@dataclass(frozen=True, slots=True)
class Term:
    """What a person gave (``own``, as typed), its kind, and every name to look for."""

    own: str
    kind: str
    names: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place in a line where a term's name stands, and how the line speaks of it."""

    term: int  # index into Finder.terms
    found: str
    how: str
    start: int
    end: int
    reading: Reading


def _body(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    return r"[\s\-]+".join(re.escape(w).replace("'", "['\u2019]?") for w in words)


def _plural(name: str, body: str) -> str:
    """``body`` also in the plural of a name ending in a consonant and y: "malignancies",
    "pregnancies" (a trailing s is allowed after any name)."""
    if re.search(r"[^aeiouy\W]y$", name, re.IGNORECASE) and body.endswith("y"):
        return body[:-1] + "(?:y|ies)"
    return body


def _singular(text: str) -> str:
    return text[:-3] + "y" if text[-3:].lower() == "ies" else text


# "renal, hepatic or cardiac disease": a list of words before one head noun names each
_HEADS = ("disease", "disorder", "condition", "illness", "dysfunction", "impairment",
          "insufficiency", "failure")
_HEAD = (r"(?:diseases?|disorders?|conditions?|illness(?:es)?|dysfunctions?|impairments?|"
         r"insufficienc(?:y|ies)|failures?)")
_ITEM = (r"(?:\s*[,/]\s*(?:(?:or|and|and\s*/\s*or)\s+)?|\s+(?:or|and|and\s*/\s*or)\s+)"
         r"[\w\-]+")
_LISTED = "(?:" + _ITEM + "){1,15}" + r"\s+(?:function\s+)?" + _HEAD + r"\b"
# ... and "impaired renal or hepatic function": a list between a word saying it is impaired
# and "function" ("renal or hepatic function impairment" is the list above)
_IMPAIRED = ("(?:" + "|".join(rf"(?<={word}\s)" for word in (
    "impaired", "abnormal", "reduced", "decreased", "compromised", "poor")) + ")")
# (not a lab test's result: "Abnormal renal or hepatic function tests")
_FUNCTION = ("(?:" + _ITEM + r"){1,15}\s+function\b"
             r"(?!\s+(?:tests?|values?|parameters?|results?|labs?|panels?)\b)")


def _adjective(name: str) -> str | None:
    """The word before the head noun of a two-word name ("renal" of "renal disease")."""
    words = name.split()
    if len(words) == 2 and words[1].lower() in _HEADS and words[0].isalpha():
        return words[0]
    return None


def _first(starts: dict[bool, set[str]]) -> str:
    """A lookahead for the first character of any name (exact ones as written, the others in
    any case), so that ``re`` tries the alternatives only where one may begin; none when a
    name may begin otherwise (an empty name, or an optional apostrophe)."""
    if any(len(c) != 1 or not c.isalnum() for cs in starts.values() for c in cs):
        return ""
    options = [f"(?i:[{''.join(sorted(starts[False]))}])"] if starts[False] else []
    options += [f"[{''.join(sorted(starts[True]))}]"] if starts[True] else []
    return "(?=" + "|".join(options) + ")"


def _covered(names: Iterable[Name]) -> set[str]:
    """The names (any case) that hold another of ``names`` (any case) as whole words:
    "breast cancer" holds "cancer", so a line holding it is picked by "cancer" alone."""
    folded = [n for n in names if not n.exact]
    keys = {key(n.text) for n in folded}
    out: set[str] = set()
    for name in folded:
        words = key(name.text).split()
        if any(" ".join(words[i:j]) in keys for i in range(len(words))
               for j in range(i + 1, len(words) + 1) if j - i < len(words)):
            out.add(name.text)
    return out


def _by_first(alternatives: list[str], firsts: list[str]) -> str:
    """``alternatives`` joined, grouped by the first letter of their names behind one
    lookahead each, so that ``re`` tries at a word only the names that may begin there (in
    the same order as before: names of two groups cannot match at one place)."""
    if any(len(c) != 1 or not c.isalnum() for c in firsts):
        return "|".join(alternatives)
    groups: dict[str, list[str]] = {}
    for first, alternative in zip(firsts, alternatives, strict=True):
        groups.setdefault(first.casefold(), []).append(alternative)
    return "|".join(f"(?=(?i:{re.escape(c)}))(?:{'|'.join(alts)})" if len(alts) > 1
                    else alts[0] for c, alts in groups.items())


#: Names in one RE2 pattern at most (see ``Finder.re2``).
_RE2_NAMES = 300


def _any_part(pc: Any, texts: Any, parts: tuple[str, ...]) -> np.ndarray:
    """A mask over the Arrow strings ``texts``: True where one of the patterns ``parts``
    matches (a missing text: False)."""
    found = np.zeros(len(texts), dtype=bool)
    for part in parts:
        hit = pc.match_substring_regex(texts, part).fill_null(False)
        found |= np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
    return found


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


_RUNS = re.compile(r"[\s\-]+")


def _spacing(text: str) -> str:
    return _RUNS.sub(" ", text.strip().replace("\u2019", "'"))


class Finder:
    """Every name of some terms, and where they stand in eligibility lines. With
    ``remember``, the occurrences of each line are kept for the finder's life (one
    pre-screen: its lines are read for mentions, then for what they ask for)."""

    def __init__(self, terms: Iterable[Term], *, remember: bool = False) -> None:
        self.terms = list(terms)
        self._read: dict[str, list[Occurrence]] | None = {} if remember else None
        self._exact: dict[str, list[tuple[int, Name]]] = {}
        self._folded: dict[str, list[tuple[int, Name]]] = {}
        by_kind: dict[str, dict[str, Name]] = {kind: {} for kind in KINDS}
        listed: dict[str, dict[str, Name]] = {kind: {} for kind in KINDS}
        for index, term in enumerate(self.terms):
            for name in term.names:
                if name.exact:
                    self._exact.setdefault(_spacing(name.text), []).append((index, name))
                else:
                    self._folded.setdefault(key(name.text), []).append((index, name))
                by_kind[term.kind].setdefault(name.text if name.exact else key(name.text), name)
                word = None if name.exact else _adjective(name.text)
                if word is not None:  # found only in a list before a head noun
                    named = Name(word, name.how, False, name.source)
                    self._folded.setdefault(key(word), []).append((index, named))
                    listed[term.kind].setdefault(key(word), named)
        self._patterns: list[re.Pattern[str]] = []
        re2: list[str] = []
        needles_exact: set[str] = set()
        needles_folded: set[str] = set()
        for kind, names in by_kind.items():
            if not names:
                continue
            alternatives = []
            firsts: list[str] = []  # the first character of each alternative's name
            starts: dict[bool, set[str]] = {True: set(), False: set()}
            for adjective in listed[kind].values():
                body = _body(adjective.text)
                starts[False].add(body[:1])
                firsts.append(body[:1])
                alternatives.append(f"(?i:{body}(?={_LISTED}))")
                alternatives.append(f"(?i:{_IMPAIRED}{body}(?={_FUNCTION}))")
                firsts.append(body[:1])
                needles_folded.add(adjective.text.lower())
                # RE2 only picks lines: the word before a list's joint is enough (a long
                # repeated group would make its automaton slow); Python checks the head
                re2.append(rf"(?i:\b{body}\s*(?:[,/]|\s(?:or|and)\b))")
            covered = _covered(names.values())
            for name in sorted(names.values(), key=lambda n: len(n.text), reverse=True):
                body = _body(name.text)
                starts[name.exact].add(body[:1])  # a literal when it is a letter or digit
                firsts.append(body[:1])
                first = re.split(r"[\s\-]+", name.text.strip())[0]
                first = re.split("['\u2019]", first)[0]
                if name.exact:  # not the tail of a compound ("GLP1-RA"), but "non-DM"
                    alternatives.append(rf"(?:(?<!\w-)|(?<=[Nn][Oo][Nn]-)){body}")
                    needles_exact.add(first)
                else:
                    plural = _plural(name.text, body)
                    body = f"(?i:{plural})"
                    alternatives.append(body)
                    # a one-word name found in the plural ("pregnancies") holds its stem only
                    one_word = first == name.text
                    needles_folded.add((first[:-1] if one_word and plural != _body(name.text)
                                        else first).lower())
                if name.text in covered:
                    continue  # a line holding it holds a shorter name: RE2 needs only that
                left = r"\b" if _ascii_word(name.text[0]) else ""
                right = r"\b" if _ascii_word(name.text[-1]) else ""
                re2.append(f"{left}{body}{right}" if not right else f"{left}{body}{_SUFFIX}\\b")
            self._patterns.append(re.compile(
                r"(?<!\w)" + _first(starts) + "(?P<n>" + _by_first(alternatives, firsts) + ")"
                + _SUFFIX + r"(?!\w)"))
        # RE2 picks lines in parts of a few hundred names: past its memory for the automaton
        # a pattern of every medicine name (800 alternatives) ran 40 times slower
        self.re2 = tuple("|".join(re2[i:i + _RE2_NAMES]) for i in range(0, len(re2), _RE2_NAMES)
                         ) or (r"(?!)",)
        self._needles_exact = tuple(needles_exact)
        self._needles_folded = tuple(needles_folded)
        self._nots: dict[tuple[str, str], re.Pattern[str] | None] = {}

    # -- the quick passes ---------------------------------------------------------------------

    def maybe_in(self, line: str) -> bool:
        if any(needle in line for needle in self._needles_exact):
            return True
        low = line.lower()
        return any(needle in low for needle in self._needles_folded)

    def keep(self, line: str) -> bool:
        return self.maybe_in(line) and any(p.search(line) for p in self._patterns)

    def candidates(self, texts: pd.Series) -> np.ndarray:
        """A mask over ``texts``: True where some name may occur as a whole word."""
        try:
            pc: Any = importlib.import_module("pyarrow.compute")
            return _any_part(pc, arrow_strings(texts), self.re2)
        except (ImportError, AttributeError, ValueError, TypeError, LookupError):
            raw: list[Any] = texts.astype(object).tolist()
            return np.asarray([isinstance(t, str) and self.keep(t) for t in raw], dtype=bool)

    def lines_matching(self, lines: Sequence[str]) -> np.ndarray:
        """A mask over ``lines``: True where some name occurs (one RE2 pass when it can)."""
        try:
            pa: Any = importlib.import_module("pyarrow")
            pc: Any = importlib.import_module("pyarrow.compute")
            return _any_part(pc, pa.array(list(lines), type=pa.large_string()), self.re2)
        except (ImportError, AttributeError, ValueError, TypeError, LookupError):
            return np.asarray([self.keep(line) for line in lines], dtype=bool)

    # -- one line -------------------------------------------------------------------------------

    def _not_pattern(self, kind: str, source: str) -> re.Pattern[str] | None:
        if (kind, source) not in self._nots:
            phrases = vocabulary().not_phrases(kind, source)
            self._nots[(kind, source)] = re.compile(
                r"(?<!\w)(?:" + "|".join(f"(?i:{_body(p)})" for p in phrases) + ")"
                + _SUFFIX + r"(?!\w)"  # "nursing homes" as "nursing home"
            ) if phrases else None
        return self._nots[(kind, source)]

    def _excluded_by_not(self, kind: str, name: Name, line: str, start: int, end: int,
                         spans: dict[tuple[str, str], list[tuple[int, int]]]) -> bool:
        """Whether ``line[start:end]`` is inside one of the name's "not" phrases (``spans``:
        where each group's phrases stand in ``line``, found once per line)."""
        if not name.source:
            return False
        group = (kind, name.source)
        if group not in spans:
            pattern = self._not_pattern(kind, name.source)
            spans[group] = [] if pattern is None else [m.span() for m in pattern.finditer(line)]
        return any(a <= start and end <= b for a, b in spans[group])

    def occurrences(self, line: str) -> list[Occurrence]:
        """Every occurrence of a term's name in ``line``, in order (do not change the
        list: a finder that remembers gives it again)."""
        if self._read is None:
            return self._occurrences(line)
        if line not in self._read:
            self._read[line] = self._occurrences(line)
        return self._read[line]

    def _occurrences(self, line: str) -> list[Occurrence]:
        found: list[Occurrence] = []
        spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for pattern in self._patterns:
            for match in pattern.finditer(line):
                text = match.group("n")
                start, end = match.start(), match.end()
                owners = (self._exact.get(_spacing(text), [])
                          + (self._folded.get(key(text))
                             or self._folded.get(key(_singular(text)), [])))
                reading: Reading | None = None
                seen: set[int] = set()
                for index, name in owners:
                    term = self.terms[index]
                    if index in seen:
                        continue
                    if self._excluded_by_not(term.kind, name, line, start, end, spans):
                        continue
                    seen.add(index)
                    if reading is None:
                        reading = read(line, start, end)
                    found.append(Occurrence(index, match.group(0), name.how, start, end,
                                            reading))
        found.sort(key=lambda o: (o.start, o.term))
        return found


def section_lines(text: str, sections: frozenset[str] | None = None,
                  keep: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """The items of an eligibility text as (section, item), section being inclusion,
    exclusion or other; only ``sections`` when given, and only the lines ``keep`` keeps (a
    quick test of the raw line, before it is made an item)."""
    out: list[tuple[str, str]] = []
    for section, kind, part in sectioned_parts(text):
        label = _SECTION[section]
        if sections is not None and label not in sections:
            continue
        lines = part.split("\n") if kind == "block" else [part]
        for line in lines:
            if keep is not None and not keep(line):
                continue
            item = item_text(line, kind == "rest")
            if item and not item.startswith("<!--"):
                out.append((label, item))
    return out


# an inclusion line asking for healthy people ("Healthy men and women aged 18-65", "120
# healthy volunteers"), not "healthy enough to", "a healthy diet"
_HEALTHY = re.compile(
    r"\b(?:healthy|normal)\s+(?:(?:male|female|adult|young|elderly|older)\s+"
    r"(?:(?:and|or|&)\s+(?:male|female)\s+)?)?(?:volunteers?|participants?|subjects?|adults?|"
    r"individuals?|controls?|men|women|males?|females?|man|woman|persons?|people|group|"
    r"children|infants?)\b", re.IGNORECASE)


def asks_for_healthy(text: str) -> str | None:
    """The first inclusion line of an eligibility text that asks for healthy people."""
    if "ealthy" not in text and "ormal" not in text:
        return None
    return next((line for line in inclusion_lines(text) if _HEALTHY.search(line)), None)


def inclusion_lines(text: str) -> list[str]:
    """The inclusion items of an eligibility text."""
    return [item for _, item in section_lines(text, sections=frozenset({"inclusion"}))]
