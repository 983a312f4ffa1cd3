"""Requests and bytes of the pages a store job fetched.

The clients keep no counters of their own (one client serves many threads and sessions), so a
job counts what passed through its hands: each :class:`~trialfinder.registries.base.RecordPage`
says what it cost (no request for an answer from the HTTP cache).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from trialfinder.registries.base import RecordPage

__all__ = ["Tally"]


@dataclass(slots=True)
class Tally:
    requests: int = 0
    nbytes: int = 0

    def count(self, pages: Iterator[RecordPage]) -> Iterator[RecordPage]:
        """``pages``, unchanged, counted as they go by."""
        for page in pages:
            self.requests += page.requests
            self.nbytes += page.nbytes
            yield page
