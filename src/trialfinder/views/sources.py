"""Where a study's record comes from, as people read it: its registry and page, the pages of
the same trial in other registries, and its status with "(derived)" when its registry has no
status of its own (ISRCTN). Shared by ``show`` and the dashboard's study page; only the
registries' own titles and URL prefixes are written, and only for ids a registry writes
exactly so (never text from a record).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialfinder.registries import REGISTRIES, registry_of
from trialfinder.views.text import NOT_STATED, status_label, text_of

__all__ = ["RecordLink", "record_links", "study_status_label"]


@dataclass(frozen=True, slots=True)
class RecordLink:
    """One registry's record of a study: the registry's title, the id and its page."""

    registry: str
    study_id: str
    url: str


def study_status_label(code: Any, study_id: Any) -> str:
    """``status_label(code)``, with " (derived)" when the study's registry derives statuses
    (``Recruiting (derived)``)."""
    label = status_label(code)
    if label != NOT_STATED and registry_of(text_of(study_id)).derives_status:
        return f"{label} (derived)"
    return label


def _link(text: str, *, exact: bool) -> RecordLink | None:
    for registry in REGISTRIES.values():
        found = registry.parse_id(text)
        if found is not None and (found == text or not exact):
            return RecordLink(registry.title, found, registry.study_url(found))
    return None


def record_links(study_id: Any, other_ids: Any = None) -> list[RecordLink]:
    """The study's own record first (its id exactly as its registry writes it), then each of
    ``other_ids`` (``|``-joined) that a known registry reads as one of its ids
    (``ISRCTN-12345678`` -> ``ISRCTN12345678``): the same trial registered there."""
    own = _link(text_of(study_id), exact=True)
    links = [own] if own is not None else []
    for part in text_of(other_ids).split("|")[:20]:
        found = _link(part.strip()[:40], exact=False)
        if found is not None and found not in links and (
                own is None or found.registry != own.registry):
            links.append(found)
    return links
