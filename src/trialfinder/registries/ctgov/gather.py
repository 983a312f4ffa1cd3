"""The consumer side of a search: each page's studies taken once each, up to the limit, and the
facts :class:`SearchResult` reports (pages, cache use, stale ages, duplicates, truncation).

It sees pages in order, as :meth:`TrialsClient.search` hands them on (from the prefetch thread),
and keeps no page: only the ids seen (as numbers, :class:`~trialfinder.core.idset.IdSet`) and,
when no ``on_page`` consumer takes them, the studies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from trialfinder.core.gcpause import gc_paused
from trialfinder.core.idset import IdSet
from trialfinder.registries.ctgov.page import Page, StudySlices, ids_of

__all__ = ["Gathering"]


class Gathering:
    """Counts and de-duplicates the studies of consecutive pages (see :meth:`take`)."""

    def __init__(self, limit: int | None, *, keep: bool, unreachable: bool) -> None:
        self.limit = limit
        self.keep = keep  # keep the studies (no on_page consumer takes them)
        self.unreachable = unreachable  # the API could not be reached: cached pages stand in
        self.studies: list[dict[str, Any]] = []
        self.seen_ids = IdSet()
        self.total: int | None = None
        self.duplicates = 0
        self.pages = 0
        self.cached_pages = 0
        self.count = 0
        self.worst_stale: float | None = None
        self.oldest: datetime | None = None
        self.last_token: str | None = None

    def take(self, page: Page) -> Sequence[dict[str, Any]]:
        """The studies of ``page`` not seen before, cut at the limit; kept when ``keep``
        (studies read from slices of the body are parsed then, and not before)."""
        self.pages += 1
        self.cached_pages += page.from_cache
        if page.total_count is not None:
            self.total = page.total_count
        if page.from_cache and page.created_at is not None:
            self.oldest = page.created_at if self.oldest is None else min(self.oldest,
                                                                           page.created_at)
        if page.stale_age is not None:
            self.worst_stale = max(self.worst_stale or 0.0, page.stale_age)
        elif self.unreachable and page.created_at is not None:
            age = (datetime.now(UTC) - page.created_at).total_seconds()
            self.worst_stale = max(self.worst_stale or 0.0, age)
        studies = page.studies
        fresh = self.seen_ids.add_new(ids_of(studies))
        kept: Sequence[dict[str, Any]]
        if isinstance(studies, StudySlices):
            kept = studies if all(fresh) else studies.kept(fresh)
        else:
            kept = [study for study, new in zip(studies, fresh, strict=True) if new]
        self.duplicates += len(studies) - len(kept)
        if self.limit is not None:
            kept = kept[:max(0, self.limit - self.count)]
        self.count += len(kept)
        self.last_token = page.next_token
        if self.keep:
            with gc_paused():  # the records of a page: many small objects, no cycles
                self.studies.extend(kept)
        return kept

    @property
    def truncated(self) -> bool:
        """Whether the limit cut the search short (more pages, or more studies counted)."""
        return self.limit is not None and self.count >= self.limit and (
            bool(self.last_token) or (self.total is not None and self.total > self.count)
        )
