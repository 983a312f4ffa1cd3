"""The filter steps of a search filtered a page at a time, added up into the steps of the whole.

Each page's :func:`~trialfinder.tables.filters.apply_filters` counts what each filter removed
from that page, with a note counting what it kept or removed for a reason (``3 studies with
no sex stated kept``). The steps of the whole search are those of the first page with every
count added: removed studies, and each number of each note (a note's words after a number
follow its total: ``1 study``, ``2 studies``). A count in brackets that a page's note may leave
out when it is nought (``3 studies with no start date (1 with an unreadable date) removed``)
is added as nought there, and said when the total is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from trialfinder.core.wording import plural
from trialfinder.tables.filterspec import FilterStep

__all__ = ["StepTotals"]

_NUMBER = re.compile(r"(\d[\d,]*)(?: (study|studies|site|sites)\b)?")
_ONE = {"study": "study", "studies": "study", "site": "site", "sites": "site"}
_ASIDE = re.compile(r" \((\d[\d,]*) ([^()]*)\)")


def _shape(part: str) -> tuple[str, list[int], list[str | None]]:
    """A note's words with its numbers taken out, the numbers, and the noun after each."""
    numbers: list[int] = []
    nouns: list[str | None] = []

    def take(match: re.Match[str]) -> str:
        numbers.append(int(match[1].replace(",", "")))
        nouns.append(_ONE[match[2]] if match[2] else None)
        return "\0" + (f" {_ONE[match[2]]}" if match[2] else "")

    return _NUMBER.sub(take, part), numbers, nouns


class StepTotals:
    """The steps of every page so far, added up (see the module docstring)."""

    def __init__(self) -> None:
        self.removed: dict[str, int] = {}
        # each step's note parts: words -> (numbers added up, the noun after each)
        self.notes: dict[str, dict[str, tuple[list[int], list[str | None]]]] = {}
        # a count in brackets of a note part: (step, words) -> (where, its words, total)
        self.asides: dict[tuple[str, str], tuple[int, str, int]] = {}

    def add(self, steps: Iterable[FilterStep]) -> None:
        for step in steps:
            self.removed[step.name] = self.removed.get(step.name, 0) + step.removed
            parts = self.notes.setdefault(step.name, {})
            for part in (step.note.split("; ") if step.note else []):
                aside = _ASIDE.search(part)
                if aside is not None:
                    part = part[:aside.start()] + part[aside.end():]
                words, numbers, nouns = _shape(part)
                if aside is not None:
                    where = len(_shape(part[:aside.start()])[0])
                    _, _, before = self.asides.get((step.name, words), (0, "", 0))
                    self.asides[step.name, words] = (
                        where, aside[2], before + int(aside[1].replace(",", "")))
                if words in parts:
                    total, _ = parts[words]
                    parts[words] = ([a + b for a, b in zip(total, numbers, strict=True)], nouns)
                else:
                    parts[words] = (numbers, nouns)

    @property
    def steps(self) -> tuple[FilterStep, ...]:
        return tuple(FilterStep(name, removed, self._note(name))
                     for name, removed in self.removed.items())

    def _note(self, name: str) -> str | None:
        said = []
        for words, (numbers, nouns) in self.notes.get(name, {}).items():
            where, aside, total = self.asides.get((name, words), (0, "", 0))
            text = words if not total else (
                f"{words[:where]} ({total:,} {aside}){words[where:]}")
            said.append(_fill(text, numbers, nouns))
        return "; ".join(said) or None


def _fill(words: str, numbers: Sequence[int], nouns: Sequence[str | None]) -> str:
    pieces = words.split("\0")
    out = [pieces[0]]
    for number, noun, rest in zip(numbers, nouns, pieces[1:], strict=True):
        if noun is not None:
            out.append(plural(number, noun) + rest[len(noun) + 1:])
        else:
            out.append(f"{number:,}{rest}")
    return "".join(out)
