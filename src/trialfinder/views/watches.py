"""The dashboard's saved searches: a submitted search as a watch's options, a suggested
name, a saved search described in words, and a watch run's changes as one row per study
(every reason in words, the study's title a link) in inert Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from trialfinder.core.codes import Distance
from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.core.units import KM_PER_MILE
from trialfinder.core.wording import one_of
from trialfinder.registries.ctgov.normalize import study_url
from trialfinder.store.watch import Change
from trialfinder.topics import demo, presets
from trialfinder.views.provenance import slug
from trialfinder.views.request import SearchRequest
from trialfinder.views.text import RESULTS_LABELS, code_label, escape_md, status_label

__all__ = ["BADGE_COLOURS", "BADGE_ORDER", "StudyChanges", "badge_of", "describe_watch",
           "feed_name", "radius_of", "study_line", "study_rows", "suggest_name",
           "watch_options"]

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
_NCT: Final = re.compile(r"^NCT\d{8}$")


def watch_options(searched: Mapping[str, Any],
                  near: tuple[float, float] | None) -> dict[str, Any]:
    """The options of :func:`trialfinder.store.watch.save_watch` for a submitted search (see
    :func:`trialfinder.views.urlstate.snapshot`); ``near`` is its resolved place. Unset options
    are left out; the place's name is kept beside its point, for the list of watches."""
    kwargs = SearchRequest.from_snapshot(searched, near).search_kwargs()
    options = {key: value for key, value in kwargs.items()
               if value not in (None, "", (), [])}
    if near is not None and str(searched.get("place") or "").strip():
        options["place"] = str(searched["place"]).strip()
    return options


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


def _listed(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [" ".join(str(v).split()) for v in items if str(v).strip()]


def describe_watch(options: Mapping[str, Any]) -> str:
    """What a saved search looks for, in words: ``Back pain · within 100 miles of Boston, MA
    · recruiting or not yet recruiting``. Plain text (holds what was typed: escape it)."""
    parts = [_preset_title(str(options.get("preset") or ""))]
    for key, label in (("condition", ""), ("intervention", "treatment: "),
                       ("term", "words: "), ("title", "title words: "),
                       ("sponsor", "sponsor: "), ("location", "location: "),
                       ("nct_ids", "ids: ")):
        values = _listed(options.get(key) or [])
        if values:
            parts.append(label + ", ".join(values))
    if options.get("near"):
        near = options["near"]
        where = str(options.get("place") or "").strip() or (
            f"{float(near[0]):.3f}, {float(near[1]):.3f}" if isinstance(near, list | tuple)
            and len(near) == 2 else "a place")
        radius = radius_of(options)
        parts.append(f"within {radius:,.0f} miles of {where}" if radius else f"near {where}")
    statuses = _listed(options.get("status") or [])
    if statuses:
        parts.append(one_of([code_label(s.upper()).lower() for s in statuses]))
    for key, noun in (("phase", "phase"), ("study_type", "type")):
        codes = _listed(options.get(key) or [])
        if codes:
            parts.append(one_of([code_label(c.upper()) for c in codes]) if key == "phase"
                         else f"{noun}: " + one_of([code_label(c.upper()).lower()
                                                    for c in codes]))
    if options.get("age") is not None:
        parts.append(f"age {float(options['age']):g}")
    sex = str(options.get("sex") or "").upper()
    if sex in ("FEMALE", "MALE"):
        parts.append("women" if sex == "FEMALE" else "men")
    if options.get("healthy_volunteers") is not None:
        parts.append("takes healthy volunteers" if options["healthy_volunteers"]
                     else "only people with the condition")
    if options.get("has_results") is not None:
        parts.append(RESULTS_LABELS["yes" if options["has_results"] else "no"].lower())
    start = (str(options.get("start_from") or ""), str(options.get("start_to") or ""))
    if any(start):
        parts.append(f"started {start[0] or '…'} to {start[1] or '…'}")
    return " · ".join(p for p in parts if p) or "everything"


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


def radius_of(options: Mapping[str, Any]) -> float | None:
    """A watch's radius in miles (``None`` when it has no place or no radius)."""
    text = options.get("radius")
    if not options.get("near") or not text:
        return None
    try:
        value, unit = Distance.parse_radius(str(text))
    except InvalidQueryError:
        return None
    return float(value) if unit == "mi" else float(value) / KM_PER_MILE


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


def study_line(row: StudyChanges) -> str:
    """One study's row as a Markdown list item: its badge, its title as a link to the study
    (a real NCT id only: a fictional one has no page), its id and every reason; all text
    escaped."""
    title = f"**{escape_md(row.title)}**"
    if _NCT.match(row.nct_id) and not demo.shows_fictional((row.nct_id,)):  # no page to link
        title = f"[{title}]({study_url(row.nct_id)})"
    reasons = "; ".join(escape_md(r) for r in row.reasons)
    return (f"- :{BADGE_COLOURS[row.badge]}-badge[{row.badge}] {title} "
            f"({escape_md(row.nct_id)}): {reasons}")


def feed_name(name: str, day: str) -> str:
    """The feed's file name: ``trialfinder-back-pain-near-boston-ma-2026-12-06.xml``."""
    return f"trialfinder-{slug(name) or 'saved-search'}-{day}.xml"
