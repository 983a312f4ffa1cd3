"""Requests and bytes of the pages a store job fetched.

The client keeps no counters of its own (one client serves many threads and sessions), so a
job counts what passed through its hands: every page that did not come from the HTTP cache is
one request, and its ``nbytes`` what the API sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from trialfinder.registries.ctgov.client import Page

__all__ = ["Tally"]


@dataclass(slots=True)
class Tally:
    requests: int = 0
    nbytes: int = 0

    def count(self, pages: Iterator[Page]) -> Iterator[Page]:
        """``pages``, unchanged, counted as they go by."""
        for page in pages:
            if not page.from_cache:
                self.requests += 1
                self.nbytes += page.nbytes
            yield page
