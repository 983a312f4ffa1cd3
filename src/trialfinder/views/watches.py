"""The dashboard's saved searches: a submitted search as a watch's options, a suggested
name, and a watch run's changes as badged lines of inert Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from trialfinder.options import DEFAULT_RADIUS, SearchOptions
from trialfinder.store.watch import Change
from trialfinder.views.request import SearchRequest
from trialfinder.views.text import escape_md, status_label

__all__ = ["BADGE_COLOURS", "badge_of", "change_line", "radius_of", "suggest_name",
           "watch_options"]

#: Statuses after which a study no longer takes anyone.
CLOSED: Final = frozenset({"ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "WITHDRAWN",
                           "SUSPENDED"})
BADGE_COLOURS: Final = {
    "new": "blue", "now recruiting": "green", "new site near you": "green", "closed": "red",
    "new site": "blue", "gone": "gray", "site removed": "gray", "status": "orange",
    "updated": "gray",
}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def watch_options(searched: Mapping[str, Any],
                  near: tuple[float, float] | None) -> SearchOptions:
    """The options of :func:`trialfinder.store.watch.save_watch` for a submitted search (see
    :func:`trialfinder.views.urlstate.snapshot`); ``near`` is its resolved place, kept with
    the place's name."""
    return SearchRequest.from_snapshot(searched, near).options


def suggest_name(searched: Mapping[str, Any]) -> str:
    """A watch name from the search's topic: letters, digits, ``-``, ``_`` and ``.`` only."""
    words = [str(searched.get(key) or "") for key in ("preset", "condition", "intervention",
                                                      "term", "place")]
    name = _NAME_CHARS.sub("-", "-".join(w for w in words if w.strip())).strip("-._")
    return name[:60].strip("-._") or "my-search"


def badge_of(change: Change, radius_mi: float | None = None) -> str:
    """The badge of one change: new, now recruiting, new site near you (within ``radius_mi``
    when the watch has a place), closed; plainer words for the rest."""
    kind = change.change
    if kind == "new":
        return "new"
    if kind == "status":
        if change.after == "RECRUITING":
            return "now recruiting"
        return "closed" if change.after in CLOSED else "status"
    if kind == "site_added":
        if change.distance_mi is not None and (radius_mi is None
                                               or change.distance_mi <= radius_mi):
            return "new site near you"
        return "new site"
    return {"gone": "gone", "site_removed": "site removed"}.get(kind, "updated")


def _detail(change: Change) -> str:
    if change.change == "status":
        return f"{status_label(change.before)} → {status_label(change.after)}"
    if change.change in ("site_added", "site_removed"):
        where = ", ".join(v for v in (change.facility, change.city) if v)
        if change.distance_mi is not None:
            where += f" ({change.distance_mi:,.0f} miles away)"
        return where
    if change.change == "updated":
        return "changed: " + ", ".join(f.replace("_", " ") for f in change.fields)
    return ""


def change_line(change: Change, radius_mi: float | None = None) -> str:
    """One change as a Markdown line: its badge, the study's title and id, what changed."""
    badge = badge_of(change, radius_mi)
    title = escape_md(change.title or change.nct_id)
    line = f":{BADGE_COLOURS[badge]}-badge[{badge}] **{title}** ({escape_md(change.nct_id)})"
    detail = _detail(change)
    return line + (f": {escape_md(detail)}" if detail else "")


def radius_of(options: SearchOptions) -> float | None:
    """A watch's radius in miles (``None`` when it has no place)."""
    if options.near is None:
        return None
    return (options.radius or DEFAULT_RADIUS).miles
