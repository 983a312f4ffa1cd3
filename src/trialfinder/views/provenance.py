"""The one place the dashboard reads a result's provenance (its typed ``ResultMeta``): what
the page says about it, how old it is, and the names of the files it offers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Protocol

from trialfinder.core.config import DEFAULT_BASE_URL
from trialfinder.core.provenance import ResultMeta
from trialfinder.registries import REGISTRIES
from trialfinder.registries.links import registries_title
from trialfinder.tables.export import meta_json_bytes
from trialfinder.topics.demo import (
    FICTIONAL_COLUMN,
    FICTIONAL_PROVENANCE,
    honest_links,
    mark_fictional,
)

__all__ = [
    "FICTIONAL_COLUMN",
    "STALE_AFTER",
    "MetaView",
    "age_of",
    "answered_by",
    "download_name",
    "fetched_day",
    "honest_links",
    "mark_fictional",
    "meta_json",
    "nothing_found",
    "read_meta",
    "search_slug",
    "slug",
]

#: A list fetched longer ago than this says so and offers to fetch it again (the registry
#: refreshes its data once a day; saved tables are kept up to 12 hours).
STALE_AFTER: Final = timedelta(hours=6)
SLUG_CHARS: Final = 50


class _HasMeta(Protocol):
    @property
    def meta(self) -> ResultMeta: ...


@dataclass(frozen=True, slots=True)
class MetaView:
    """What the page says about where a result came from."""

    studies_fetched: int | None
    total_reported: int | None
    data_timestamp: str | None
    fetched_at: str | None
    status_param: str | None  # the ``filter.overallStatus`` sent, if any
    truncated: bool
    warnings: tuple[str, ...]


def _official_url(registry: str) -> str | None:
    """The address a registry answers at when no other is given (``None``: not known)."""
    known = REGISTRIES.get(registry)
    return known.official_url if known is not None else None


def answered_by(meta: ResultMeta) -> str:
    """Who answered a search, as the page names it beside the total it reported: the
    registries' titles (``ClinicalTrials.gov``), except that a registry asked at another
    address than its own (the loopback stand-in, a mirror) is named by that address, as the
    command line's "the API" says: the page must not name a registry as the source of answers
    it did not send. With several registries, each is named so (``ClinicalTrials.gov and the
    API at http://127.0.0.1:8766/api, standing in for ISRCTN``)."""
    names = list(meta.registries or ())
    sources = [part.strip().rstrip("/") for part in meta.source.split(" + ")]
    if not names:
        source = sources[0] if len(sources) == 1 else ""
        if source.startswith(("http://", "https://")) and source != DEFAULT_BASE_URL:
            return f"the API at {source}"
        return registries_title(meta.registries)
    if len(sources) != len(names):
        return registries_title(names)
    said: list[str] = []
    for name, source in zip(names, sources, strict=True):
        official = _official_url(name)
        if (source.startswith(("http://", "https://")) and official is not None
                and source != official.rstrip("/")):
            said.append(f"the API at {source}" if len(names) == 1
                        else f"the API at {source}, standing in for {registries_title([name])}")
        else:
            said.append(registries_title([name]))
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def nothing_found(meta: ResultMeta, demo_mode: bool) -> str:
    """Why an empty list is empty when the registry sent nothing, naming who answered
    (:func:`answered_by`), or the demo data."""
    where = "the demo data hold" if demo_mode else f"{answered_by(meta)} found"
    return f"No study: {where} nothing for this search, before any filter of this page."


def read_meta(result: _HasMeta) -> MetaView:
    """The provenance of ``result`` (a :class:`trialfinder.service.searching.Results`)."""
    meta = result.meta
    status = meta.query.get("filter.overallStatus")
    return MetaView(
        studies_fetched=meta.studies_fetched,
        total_reported=meta.total_reported,
        data_timestamp=meta.data_timestamp or None,
        fetched_at=meta.fetched_at or None,
        status_param=status or None,
        truncated=meta.truncated,
        warnings=tuple(meta.warnings),
    )


def meta_json(result: _HasMeta, *, demo: bool = False) -> bytes:
    """The provenance file offered for download (marked when the data are the demo's)."""
    meta = result.meta.to_dict()
    # counted from the result itself, so filters applied after the library's are included
    meta["filters"] = [{"name": s.name, "removed": s.removed, "note": s.note}
                       for s in getattr(result, "steps", ())]
    if hasattr(result, "studies") and hasattr(result, "sites"):
        meta["rows"] = {"studies": len(result.studies), "sites": len(result.sites)}
    if demo:
        meta["fictional"] = FICTIONAL_PROVENANCE
    return meta_json_bytes(meta)


def slug(text: str, limit: int = SLUG_CHARS) -> str:
    """Text as a safe piece of a file name: ``"ALS near Boston, MA"`` -> ``als-near-boston-ma``
    (ASCII letters and digits joined by ``-``, accents dropped, at most ``limit`` characters,
    cut at a ``-``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    return words


def search_slug(searched: Mapping[str, Any]) -> str:
    """The words of a submitted search for a file name: its topic (a preset's name, the
    condition, treatment, other words...) and its place: ``als-boston-ma``."""
    parts = [str(searched.get(key) or "") for key in (
        "preset", "condition", "intervention", "term", "title", "sponsor", "ids", "place")]
    return slug(" ".join(p for p in parts if p.strip()))


def download_name(kind: str, extension: str, *, demo: bool, topic: str = "",
                  day: date | None = None) -> str:
    """A download's file name from the search's words (see :func:`search_slug`) and the day
    its data were fetched: ``trialfinder-als-boston-ma-2026-12-06.csv`` for the studies,
    ``…-2026-12-06-sites.csv`` for the other files; the demo's begin
    ``trialfinder-DEMO-fictional-``. Only ASCII letters, digits, ``-`` and ``.``."""
    prefix = "trialfinder-DEMO-fictional" if demo else "trialfinder"
    parts = [prefix, slug(topic), day.isoformat() if day else ""]
    parts += [] if kind == "studies" and (parts[1] or parts[2]) else [slug(kind)]
    return "-".join(p for p in parts if p) + "." + slug(extension)


def _parsed(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def age_of(meta: MetaView, now: datetime) -> timedelta | None:
    """How long ago the result was fetched (``None`` when the time is not known)."""
    when = _parsed(meta.fetched_at)
    return None if when is None else max(timedelta(0), now - when)


def fetched_day(meta: MetaView, today: date) -> date:
    """The day the result was fetched (in UTC), else ``today``: the date in file names."""
    when = _parsed(meta.fetched_at)
    return when.astimezone(UTC).date() if when is not None else today
