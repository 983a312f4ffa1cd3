"""Where a study's record comes from, for people: its registry and page, the same trial in
other registries (read from ``other_ids``), whether its status is derived, and the registries
of a result by their titles. Only the registries' own titles and URL prefixes are written, and
only for ids a registry reads as its own (never text from a record). Light to import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trialfinder.registries import DEFAULT_REGISTRY, REGISTRIES, registry_of

__all__ = ["RecordLink", "record_links", "registries_title", "status_is_derived"]


@dataclass(frozen=True, slots=True)
class RecordLink:
    """One registry's record of a study: the registry's title, the id and its page."""

    registry: str
    study_id: str
    url: str


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def status_is_derived(study_id: object) -> bool:
    """Whether the study's registry derives its statuses (ISRCTN): shown "(derived)"."""
    return registry_of(_text(study_id)).derives_status


def _link(text: str, *, exact: bool) -> RecordLink | None:
    for registry in REGISTRIES.values():
        found = registry.parse_id(text)
        if found is not None and (found == text or not exact):
            return RecordLink(registry.title, found, registry.study_url(found))
    return None


def record_links(study_id: object, other_ids: object = None) -> list[RecordLink]:
    """The study's own record first (its id exactly as its registry writes it), then each of
    ``other_ids`` (``|``-joined) that another known registry reads as one of its ids
    (``ISRCTN-12345678`` -> ``ISRCTN12345678``): the same trial registered there."""
    own = _link(_text(study_id), exact=True)
    links = [own] if own is not None else []
    for part in _text(other_ids).split("|")[:20]:
        found = _link(part.strip()[:40], exact=False)
        if found is not None and found not in links and (
                own is None or found.registry != own.registry):
            links.append(found)
    return links


def registries_title(names: Iterable[str] | None) -> str:
    """The registries a result came from, as people name them (``ClinicalTrials.gov and
    ISRCTN``); ClinicalTrials.gov when none are named (a result's default)."""
    titles = [REGISTRIES[n].title if n in REGISTRIES else str(n) for n in names or ()]
    if not titles:
        return REGISTRIES[DEFAULT_REGISTRY].title
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"
