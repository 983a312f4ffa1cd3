"""Other names of medicines and conditions, so a pre-screen finds "Lioresal" for "baclofen",
"DM" for "diabetes" and "anticoagulants" for "warfarin".

The names live in one data file, ``trialfinder/data/vocabulary.toml`` (written by hand: see
``VOCABULARY.txt`` beside it). A *group* is one medicine or condition: a plain name, other
names, brands and abbreviations. A *class* is what criteria often name instead ("NSAIDs",
"anticoagulants", "autoimmune diseases"); its members are groups or other classes. A person
may type any name of a group; every name of the group, and of every class it belongs to, is
then looked for. Abbreviations match in capitals only, as whole words ("MS" is not the "ms" of
"5 ms"); every other name matches in any case.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["KINDS", "Entry", "Name", "UnknownName", "Vocabulary", "document", "expand",
           "names_for", "spelled_nearly", "unknown_name", "unknown_names", "vocabulary"]

KINDS = ("medicine", "condition")
VOCABULARY_FILE = "vocabulary.toml"


_RUNS = re.compile(r"[\s\-]+")


def key(text: str) -> str:
    """A name as compared: case folded, runs of spaces and hyphens as one space, one kind of
    apostrophe."""
    return _RUNS.sub(" ", text.strip().replace("\u2019", "'")).casefold()


@dataclass(frozen=True, slots=True)
class Entry:
    """One group (a medicine, a condition) or class of the vocabulary."""

    kind: str  # medicine or condition
    name: str  # canonical
    is_class: bool
    other: tuple[str, ...]
    brands: tuple[str, ...]
    abbreviations: tuple[str, ...]
    not_: tuple[str, ...]  # phrases holding a name that mean something else
    members: tuple[str, ...]  # classes only: canonical names of groups or classes
    diagnosis: bool  # conditions: a diagnosis a study may ask for
    kinds: tuple[tuple[str, ...], ...] = ()  # conditions: names of kinds that rule out others
    absent: tuple[str, ...] = ()  # conditions: names that say it is absent
    more_kinds: bool = False  # conditions: its kinds are not all there are

    def kind_of(self, text: str) -> int | None:
        """Which of the group's kinds ``text`` (one of its names) names, if one."""
        wanted = key(text)
        wanted = wanted[:-2] if wanted.endswith("'s") else wanted
        index = _kind_index(self.kinds)
        found = index.get(wanted)
        if found is None and wanted.endswith("s"):  # "breast cancers"
            found = index.get(wanted[:-1])
        return found

    def names(self) -> Iterator[tuple[str, str, bool]]:
        """(name, how it is related to the canonical name, matched in capitals only)."""
        yield self.name, "other name", False
        for name in self.other:
            yield name, "other name", False
        for name in self.brands:
            yield name, "brand", False
        for name in self.abbreviations:
            yield name, "abbreviation", True
        for name in self.absent:
            yield name, "other name", False


def _singulars(name: str) -> tuple[str, ...]:
    """A name as compared, then as a singular or without a possessive: "muscle cramps",
    "muscle cramp"; "parkinson's", "parkinson" (not "abscess" to "absces")."""
    if name.endswith("'s"):
        return name, name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name, name[:-1]
    return (name,)


@lru_cache(maxsize=64)
def _kind_index(kinds: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """Each name of some kinds (as compared) and the first kind holding it."""
    index: dict[str, int] = {}
    for i, names in enumerate(kinds):
        for name in names:
            index.setdefault(key(name), i)
    return index


@dataclass(frozen=True, slots=True)
class Name:
    """One name to look for on behalf of a term a person gave."""

    text: str
    how: str  # as typed, other name, brand, abbreviation, class "x", member of "x"
    exact: bool  # an abbreviation: capitals only
    source: str  # the entry it comes from ("" for the text as typed): its not-phrases apply


def _strings(raw: Any, field: str, where: str) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{VOCABULARY_FILE}: {where}: {field} must be a list of names")
    return tuple(value)


def _entry(kind: str, is_class: bool, raw: Any) -> Entry:
    name = raw.get("name") if isinstance(raw, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{VOCABULARY_FILE}: a {kind} entry has no name")
    known = {"name", "other", "brands", "abbreviations", "not", "members", "diagnosis",
             "kinds", "absent", "more_kinds"}
    if unknown := set(raw) - known:
        raise ValueError(f"{VOCABULARY_FILE}: {name}: unknown fields {sorted(unknown)}")
    return Entry(
        kind=kind, name=name, is_class=is_class,
        other=_strings(raw, "other", name), brands=_strings(raw, "brands", name),
        abbreviations=_strings(raw, "abbreviations", name), not_=_strings(raw, "not", name),
        members=_strings(raw, "members", name), diagnosis=bool(raw.get("diagnosis", True)),
        kinds=_kinds(raw, name), absent=_strings(raw, "absent", name),
        more_kinds=bool(raw.get("more_kinds", False)),
    )


def _kinds(raw: Any, where: str) -> tuple[tuple[str, ...], ...]:
    value = raw.get("kinds", [])
    if not isinstance(value, list) or not all(
            isinstance(names, list) and names
            and all(isinstance(n, str) and n.strip() for n in names) for names in value):
        raise ValueError(f"{VOCABULARY_FILE}: {where}: kinds must be a list of lists of names")
    return tuple(tuple(names) for names in value)


class Vocabulary:
    """The groups and classes of one vocabulary file, indexed by every name."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.entries: dict[tuple[str, str], Entry] = {}
        self._index: dict[tuple[str, str], Entry] = {}
        self._written: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        self._parents: dict[tuple[str, str], list[Entry]] = {}
        for kind in KINDS:
            for is_class, table in ((False, kind), (True, f"{kind}_class")):
                for raw in document.get(table, []):
                    entry = _entry(kind, is_class, raw)
                    self.entries[(kind, entry.name)] = entry
                    for name, _, _ in entry.names():
                        self._index.setdefault((kind, key(name)), entry)
                        self._written[kind].setdefault(key(name), name)
        for entry in self.entries.values():
            for member in entry.members:
                self._parents.setdefault((entry.kind, member), []).append(entry)

    def lookup(self, text: str, kind: str) -> Entry | None:
        """The group or class one of whose names is ``text`` (any case), if any: typed in
        the plural or the possessive ("spasms", "steroids", "Parkinson's") too, as criteria
        may write any name."""
        for name in _singulars(key(text)):
            found = self._index.get((kind, name))
            if found is not None:
                return found
        return None

    def close_names(self, text: str, kind: str, n: int = 3) -> list[str]:
        """Up to ``n`` names of ``kind`` spelled nearly as ``text`` ("baclofenn": baclofen),
        closest first, as the vocabulary writes them."""
        written = self._written.get(kind, {})
        close = difflib.get_close_matches(key(text), written, n=4 * n, cutoff=0.8)
        found: dict[str, str] = {}  # one name a group or class: its own, else its closest
        for name in close:
            entry = self._index[(kind, name)]
            own = key(entry.name) in close
            found.setdefault(entry.name, entry.name if own else written[name])
        return list(found.values())[:n]

    def classes_of(self, entry: Entry) -> list[Entry]:
        """Every class ``entry`` belongs to, nearest first (a class of a class too)."""
        found: list[Entry] = []
        todo = list(self._parents.get((entry.kind, entry.name), []))
        while todo:
            parent = todo.pop(0)
            if parent not in found:
                found.append(parent)
                todo.extend(self._parents.get((parent.kind, parent.name), []))
        return found

    def members_of(self, entry: Entry) -> list[Entry]:
        """Every group and class below the class ``entry``, nearest first."""
        found: list[Entry] = []
        todo = [self.entries[(entry.kind, m)] for m in entry.members
                if (entry.kind, m) in self.entries]
        while todo:
            member = todo.pop(0)
            if member not in found:
                found.append(member)
                todo.extend(self.entries[(member.kind, m)] for m in member.members
                            if (member.kind, m) in self.entries)
        return found

    def expand(self, text: str, kind: str) -> tuple[Name, ...]:
        """Every name to look for when a person says ``text`` (``kind``: medicine or
        condition), first as typed, then the other names of its group, then the names of its
        classes (or, for a class, of its members)."""
        typed = " ".join(text.split())
        entry = self.lookup(typed, kind)
        names: list[Name] = []
        if entry is None:
            exact = len(typed) <= 5 and typed.isupper()
            return (Name(typed, "as typed", exact, ""),)
        # the group's own spelling of what was typed ("advil" is "Advil", "ms" is "MS")
        # (or the plural as typed: "spasms" is looked for as well as "spasm")
        spelled, exact = next(((n, x) for n, _, x in entry.names() if key(n) == key(typed)),
                              (typed, False))
        names.append(Name(spelled, "as typed", exact, entry.name))
        for name, how, exact in entry.names():
            names.append(Name(name, how, exact, entry.name))
        for parent in self.classes_of(entry):
            for name, _, exact in parent.names():
                names.append(Name(name, f'class "{parent.name}"', exact, parent.name))
        if entry.is_class:
            for member in self.members_of(entry):
                for name, _, exact in member.names():
                    names.append(Name(name, f'member of "{entry.name}"', exact, member.name))
        seen: set[str] = set()
        unique: list[Name] = []
        for candidate in names:
            marker = candidate.text if candidate.exact else key(candidate.text)
            if marker not in seen:
                seen.add(marker)
                unique.append(candidate)
        return tuple(unique)

    def not_phrases(self, kind: str, source: str) -> tuple[str, ...]:
        entry = self.entries.get((kind, source))
        return entry.not_ if entry is not None else ()

    def diagnoses(self) -> list[Entry]:
        """The condition groups a study may ask for (not classes, not states like pregnancy)."""
        return [e for e in self.entries.values()
                if e.kind == "condition" and not e.is_class and e.diagnosis]


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The vocabulary file as read (once per process): its tables of entries."""
    raw = (resources.files("trialfinder") / "data" / VOCABULARY_FILE).read_bytes()
    return tomllib.loads(raw.decode("utf-8"))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with trialfinder (read once per process)."""
    return Vocabulary(document())


def expand(text: str, kind: str) -> tuple[Name, ...]:
    """:meth:`Vocabulary.expand` of the shipped vocabulary."""
    return vocabulary().expand(text, kind)


def spelled_nearly(text: str, kind: str, n: int = 3) -> list[str]:
    """The names of ``kind`` spelled nearly as ``text`` when it is no name the vocabulary
    knows ("musle spasm": muscle spasm), closest first; none for a name it knows."""
    vocab = vocabulary()
    return [] if vocab.lookup(text, kind) is not None else vocab.close_names(text, kind, n)


@dataclass(frozen=True, slots=True, repr=False)
class UnknownName:
    """A condition or medicine a person gave that the vocabulary does not know by name: the
    pre-screen looks for it only as typed, not by its other names, brands or classes.

    ``text`` as typed (runs of spaces as one), ``kind`` condition or medicine,
    ``suggestions`` the names spelled nearly so, closest first ("baclofenn": baclofen).
    Private as the profile is: its ``repr`` shows none of it.
    """

    text: str
    kind: str
    suggestions: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """The sentence for the person (the CLI's table, the dashboard): what the pre-screen
        cannot do for this name, and the names spelled nearly so."""
        hint = f"; did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""
        others = "brands" if self.kind == "medicine" else "abbreviations"
        return (f"{self.text!r} is no {self.kind} trialfinder knows by name: the criteria are "
                f"searched for it only as typed, not by other names, {others} or "
                f"classes{hint}")

    def __repr__(self) -> str:
        return "UnknownName(<private>)"

    __str__ = __repr__


def unknown_name(text: str, kind: str) -> UnknownName | None:
    """``text`` (``kind``: medicine or condition) as an :class:`UnknownName` when the
    vocabulary does not know it; ``None`` for a name it knows."""
    vocab = vocabulary()
    if vocab.lookup(text, kind) is not None:
        return None
    typed = " ".join(text.split())
    return UnknownName(typed, kind, tuple(vocab.close_names(typed, kind)))


def unknown_names(conditions: Iterable[str], medicines: Iterable[str]
                  ) -> tuple[UnknownName, ...]:
    """:func:`unknown_name` of each condition, then of each medicine, that is one."""
    return tuple(found for kind, terms in (("condition", conditions), ("medicine", medicines))
                 for term in terms if (found := unknown_name(term, kind)) is not None)


def names_for(text: str, kind: str) -> tuple[str, ...]:
    """Every name to look for when a person says ``text`` (``kind``: medicine or condition).

    ``names_for("Lioresal", "medicine")`` gives baclofen, its brands and its classes ("muscle
    relaxants"); a name we do not know is looked for as typed.
    """
    return tuple(name.text for name in expand(text, kind))
