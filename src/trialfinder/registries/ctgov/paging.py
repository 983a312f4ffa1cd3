"""Paging must move towards an end: the checks :meth:`TrialsClient.iter_pages` makes after
each page, before it asks for the next (see :class:`PagingCheck`)."""

from __future__ import annotations

import math

from trialfinder.core.errors import PagingError
from trialfinder.core.idset import IdSet
from trialfinder.registries.ctgov.page import Page, ids_of

__all__ = ["SLACK_PAGES", "STALL_PAGES", "PagingCheck"]

#: Pages in a row that bring no new study before paging is stopped.
STALL_PAGES = 3

#: Pages allowed beyond what the first ``totalCount`` needs (the data may change while paging).
SLACK_PAGES = 3


class PagingCheck:
    """Stops paging that does not move towards an end (see :meth:`TrialsClient.iter_pages`)."""

    def __init__(self, url: str, *, count_asked: bool) -> None:
        self.url = url
        self.count_asked = count_asked
        self.tokens: set[str] = set()
        self.ids = IdSet()  # as numbers: it holds every id of the search
        self.new = 0
        self.pages = 0
        self.stalled = 0
        self.total: int | None = None
        self.allowed_pages: int | None = None

    def check(self, page: Page, asked: int, done: bool) -> None:
        self.pages += 1
        fresh = sum(self.ids.add_new(ids_of(page.studies)))
        self.new += fresh
        self.stalled = 0 if fresh else self.stalled + 1
        if self.pages == 1 and page.total_count is not None:
            self.total = page.total_count
            per_page = len(page.studies) or asked
            self.allowed_pages = math.ceil(self.total / max(1, per_page)) + SLACK_PAGES
        if done:
            return
        if self.pages == 1 and self.count_asked and self.total is None:
            self._stop("it did not say how many studies match (no totalCount on the first "
                       "page, though it was asked for), so there is no telling where its pages "
                       "end")
        token = page.next_token or ""
        if token in self.tokens:
            self._stop(f"it sent the page token {token[:40]!r} a second time, after "
                       f"{self.pages} pages; following it would never end")
        self.tokens.add(token)
        if self.stalled >= STALL_PAGES:
            self._stop(f"{self.stalled} pages in a row brought no new study, yet it still "
                       f"offered a next page (after {self.pages} pages and {self.new:,} studies)")
        if self.allowed_pages is not None and self.total is not None:
            slack = max(10, self.total // 10)
            if self.pages >= self.allowed_pages or self.new > self.total + slack:
                self._stop(f"it counted {self.total:,} matching studies, but after "
                           f"{self.pages} pages and {self.new:,} studies it still offered "
                           "a next page")

    def _stop(self, what: str) -> None:
        raise PagingError(self.url, f"the API's paging made no progress: {what}; "
                                    "the search was stopped rather than returned incomplete")
