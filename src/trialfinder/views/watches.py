"""The dashboard's saved searches: a submitted search as a watch's options, a suggested
name, a saved search described in words, and a watch run's changes as one row per study
(every reason in words, the study's title a link to its page in the dashboard) in inert
Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from trialfinder.core.errors import TrialFinderError
from trialfinder.options import DEFAULT_RADIUS, SearchOptions
from trialfinder.registries import study_link
from trialfinder.store.watch import Change
from trialfinder.topics import presets
from trialfinder.views.provenance import slug
from trialfinder.views.request import SearchRequest
from trialfinder.views.text import escape_md, status_label

__all__ = ["BADGE_COLOURS", "BADGE_ORDER", "StudyChanges", "badge_of", "describe_watch",
           "feed_name", "radius_of", "study_address", "study_line", "study_rows",
           "suggest_name", "watch_options"]

#: Statuses after which a study no longer takes anyone.
CLOSED: Final = frozenset({"ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "WITHDRAWN",
                           "SUSPENDED"})
BADGE_COLOURS: Final = {
    "new": "blue", "now recruiting": "green", "new site near you": "green", "closed": "red",
    "new site": "blue", "gone": "gray", "site removed": "gray", "status": "orange",
    "updated": "gray",
}
#: Badges from the most to the least telling: a study's row shows its first.
BADGE_ORDER: Final = ("closed", "now recruiting", "new site near you", "new", "gone", "status",
                      "new site", "site removed", "updated")


def watch_options(searched: Mapping[str, Any],
                  near: tuple[float, float] | None) -> SearchOptions:
    """The options of :func:`trialfinder.store.watch.save_watch` for a submitted search (see
    :func:`trialfinder.views.urlstate.snapshot`); ``near`` is its resolved place, kept with
    the place's name."""
    return SearchRequest.from_snapshot(searched, near).options


def suggest_name(searched: Mapping[str, Any]) -> str:
    """A name for a saved search, in words: its topic and place (``ALS near Boston, MA``),
    at most 80 characters."""
    topic = [_preset_title(str(searched.get("preset") or ""))]
    topic += [" ".join(str(searched.get(key) or "").split())
              for key in ("condition", "intervention", "term", "title", "sponsor", "ids")]
    words = ", ".join(t for t in topic if t)
    place = " ".join(str(searched.get("place") or "").split())
    name = f"{words} near {place}" if words and place else words or (
        f"Near {place}" if place else "My search")
    return name if len(name) <= 80 else name[:79].rstrip() + "…"


def _preset_title(name: str) -> str:
    if not name:
        return ""
    try:
        return presets.get_preset(name).title
    except TrialFinderError:
        return name


def describe_watch(options: SearchOptions) -> str:
    """What a saved search looks for, in words: ``Back pain · within 100 miles of Boston, MA
    · recruiting or not yet recruiting`` (the options' own words; plain text: escape it). A
    search of every status says so (``ALS · any status``): beside searches of recruiting
    trials only, its silence read as theirs."""
    said = options.words()  # "everything" when it names nothing (any status included)
    return said if options.statuses or options.is_empty else f"{said} · any status"


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


def radius_of(options: SearchOptions) -> float | None:
    """A watch's radius in miles (``None`` when it has no place)."""
    if options.near is None:
        return None
    return (options.radius or DEFAULT_RADIUS).miles


@dataclass(frozen=True, slots=True)
class StudyChanges:
    """What changed in one study since the previous check: its most telling badge and every
    reason in words (plain text: escape before rendering)."""

    nct_id: str
    title: str
    badge: str
    reasons: tuple[str, ...]


def _reason(change: Change, radius_mi: float | None, place: str) -> str:
    kind = change.change
    if kind == "new":
        return "new in this search"
    if kind == "gone":
        return "no longer in this search’s results"
    if kind == "status":
        after = status_label(change.after).lower()
        if change.after == "RECRUITING":
            return "now recruiting"
        if change.after in CLOSED:
            return f"closed: now {after}"
        return f"status: now {after} (was {status_label(change.before).lower()})"
    where = ", ".join(v for v in (change.facility, change.city) if v) or "a site"
    if kind == "site_added":
        if change.distance_mi is not None:
            return f"new site {change.distance_mi:,.0f} mi from {place}: {where}"
        return f"new site: {where}"
    if kind == "site_removed":
        return f"site removed: {where}"
    return "changed: " + ", ".join(f.replace("_", " ") for f in change.fields)


def study_rows(changes: Iterable[Change], radius_mi: float | None = None,
               place: str = "") -> list[StudyChanges]:
    """One row per study, with every reason (``closed: now completed``, ``new site 3 mi from
    Boston: …``); the studies with the most telling badge first (:data:`BADGE_ORDER`), then by
    id. ``place`` names the watch's place (``your place`` when empty)."""
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.nct_id, []).append(change)
    rank = {badge: i for i, badge in enumerate(BADGE_ORDER)}
    rows = []
    for nct, found in grouped.items():
        found.sort(key=lambda c: rank[badge_of(c, radius_mi)])  # the most telling first
        reasons = [_reason(c, radius_mi, place.strip() or "your place") for c in found]
        title = next((c.title for c in found if c.title), None) or nct
        rows.append(StudyChanges(nct, title, badge_of(found[0], radius_mi),
                                 tuple(dict.fromkeys(reasons))))
    return sorted(rows, key=lambda row: (rank[row.badge], row.nct_id))


def study_address(study_id: str) -> str | None:
    """The dashboard's own address of a study, relative to the page (``?study=NCT99000001``:
    it opens the study alone, see :func:`~trialfinder.views.urlstate.url_params`), when
    ``study_id`` is exactly an id one of the registries writes; ``None`` otherwise (nothing
    to link to)."""
    return f"?study={quote(study_id, safe='')}" if study_link(study_id) is not None else None


def study_line(row: StudyChanges) -> str:
    """One study's row as a Markdown list item: its badge, its title as a link to the
    study's page in this dashboard (an id one of the registries writes only), its id and
    every reason; all text escaped."""
    title = f"**{escape_md(row.title)}**"
    link = study_address(row.nct_id)
    if link is not None:
        title = f"[{title}]({link})"
    reasons = "; ".join(escape_md(r) for r in row.reasons)
    return (f"- :{BADGE_COLOURS[row.badge]}-badge[{row.badge}] {title} "
            f"({escape_md(row.nct_id)}): {reasons}")


def feed_name(name: str, day: str) -> str:
    """The feed's file name: ``trialfinder-back-pain-near-boston-ma-2026-12-06.xml``."""
    return f"trialfinder-{slug(name) or 'saved-search'}-{day}.xml"
