"""What a search of any registry returns: :class:`SearchResult`, and the warnings its reader
must be told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trialfinder.core.wording import duration, plural

__all__ = ["ProgressCallback", "SearchResult", "stamp", "warnings_for"]

#: ``progress(fetched_so_far, total_or_None)``, called after each page.
ProgressCallback = Callable[[int, int | None], None]


@dataclass(slots=True)
class SearchResult:
    """Every study a search returned, with the facts needed to be honest about it.

    ``fetched_at`` is when the answers were fetched from the API: the start of the search, or,
    when pages came from the HTTP cache, the time the oldest of them was originally fetched.
    """

    studies: list[dict[str, Any]]
    total_count: int | None
    truncated: bool
    requests: int = 0
    pages: int = 0
    nbytes: int = 0
    from_cache: int = 0
    duplicates_dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    fetched_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    elapsed: float = 0.0
    params: dict[str, str] = field(default_factory=dict)
    version: dict[str, str] | None = None  # the API's /version answer, when it could be had
    stale_age: float | None = None  # seconds, when cached answers stood in for an unreachable API
    #: how many studies arrived (``len(studies)`` unless they went to an ``on_page`` consumer)
    count: int = -1

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.studies)

    @property
    def complete(self) -> bool:
        return not self.truncated


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def warnings_for(result: SearchResult, offline: bool, *,
                 registry: str = "the registry") -> list[str]:
    """What a reader of ``result`` must be told (``registry``: its title, for people)."""
    notes: list[str] = []
    total, got = result.total_count, result.count
    if result.duplicates_dropped:
        notes.append(
            f"{plural(result.duplicates_dropped, 'study')} appeared on more than one page; "
            "each was kept once (the data changed while paging)"
        )
    if total is not None and not result.truncated and got != total:
        notes.append(
            f"the API counted {plural(total, 'matching study')} but sent {got:,}"
            + (" (the data may have changed while paging)" if got < total else "")
        )
    if result.stale_age is not None:
        notes.append(
            f"{registry} could not be reached; showing cached results from "
            f"{duration(result.stale_age)} ago"
        )
    if offline:
        notes.append("offline mode: results come from the local cache only")
    if result.truncated:
        shown = (f"{got:,} of {plural(total, 'matching study')}" if total is not None
                 else plural(got, "matching study"))
        notes.append(f"showing the first {shown} (limit reached)")
    return notes
