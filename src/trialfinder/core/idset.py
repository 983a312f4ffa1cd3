"""The study ids a search has seen, kept small: one whole number per registry-shaped id.

A search that streams remembers every id it handed on, to drop a study that a later page
repeats, and its paging check remembers every id it was sent, to tell pages that bring nothing
new. As sets of Python strings they cost about 150 bytes an id (the string, its slot in each
table, and the heap a table leaves behind each time it grows): the command's peak grew by some
15 MB from 10,000 to 100,000 studies for them alone (benchmarks/results/analyst.md).

:class:`IdSet` keeps an id of the registries' shape (capital letters then digits:
``NCT99000001``, ``ISRCTN99000001``) as its number in a sorted numpy array, one array for each
prefix and count of digits, so two different ids never share a number: 8 bytes an id. Any
other id (a foreign registry's, a damaged one) is kept as it is, in a plain set. Ids come a
page at a time (:meth:`IdSet.add_new`), and each page is merged into the arrays at once, which
costs one copy of them a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = ["IdSet"]

#: An id kept as a number: its prefix, then up to 18 digits (a 64-bit whole number holds them).
_SHAPED = re.compile(r"([A-Z]{1,12})([0-9]{1,18})")

_Numbers = npt.NDArray[np.uint64]
_EMPTY: _Numbers = np.empty(0, dtype=np.uint64)


class IdSet:
    """Ids seen so far (see the module docstring)."""

    def __init__(self) -> None:
        # (prefix, count of digits) -> the sorted, distinct numbers of the ids seen
        self._numbers: dict[tuple[str, int], _Numbers] = {}
        self._other: set[str] = set()

    def __len__(self) -> int:
        return len(self._other) + sum(len(a) for a in self._numbers.values())

    def __contains__(self, ident: object) -> bool:
        if not isinstance(ident, str):
            return False
        shaped = _SHAPED.fullmatch(ident)
        if shaped is None:
            return ident in self._other
        numbers = self._numbers.get((shaped[1], len(shaped[2])), _EMPTY)
        at = int(np.searchsorted(numbers, np.uint64(int(shaped[2]))))
        return at < len(numbers) and int(numbers[at]) == int(shaped[2])

    def add_new(self, ids: Iterable[str | None]) -> list[bool]:
        """For each of ``ids``, in order, whether it is new: seen neither before nor earlier
        in ``ids``. Every id is seen from then on. ``None`` (a record without an id) is
        always new, and not kept."""
        ids = list(ids)
        new = [True] * len(ids)
        shaped: dict[tuple[str, int], tuple[list[int], list[str]]] = {}  # key: places, digits
        match, other = _SHAPED.fullmatch, self._other
        for place, ident in enumerate(ids):
            if ident is None:
                continue
            found = match(ident)
            if found is None:
                if ident in other:
                    new[place] = False
                else:
                    other.add(ident)
                continue
            prefix, digits = found.groups()
            group = shaped.get((prefix, len(digits)))
            if group is None:
                group = shaped[prefix, len(digits)] = ([], [])
            group[0].append(place)
            group[1].append(digits)
        for key, (places, digits) in shaped.items():
            for place in self._merge(key, digits):
                new[places[place]] = False
        return new

    def _merge(self, key: tuple[str, int], digits: list[str]) -> list[int]:
        """Add the numbers written ``digits`` to the array of ``key``; the places in
        ``digits`` of those seen before (or earlier in ``digits``)."""
        page = np.array(digits).astype(np.uint64)
        held = self._numbers.get(key, _EMPTY)
        at = np.searchsorted(held, page)
        before = np.zeros(len(page), dtype=bool)
        if len(held):
            before = held[np.minimum(at, len(held) - 1)] == page
        distinct, first = np.unique(page, return_index=True)
        repeated = np.ones(len(page), dtype=bool)
        repeated[first] = False
        fresh = distinct[~before[first]]
        if len(fresh):
            self._numbers[key] = np.insert(held, np.searchsorted(held, fresh), fresh)
        return [int(p) for p in np.flatnonzero(before | repeated)]
