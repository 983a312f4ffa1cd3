"""What the ``trialfinder`` commands share: reading list options, search options and settings.

Light on purpose (no pandas, no requests): every command's parser imports it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialfinder.core.codes import Status
from trialfinder.core.config import Settings
from trialfinder.core.errors import DataFileError, InvalidQueryError

if TYPE_CHECKING:
    from trialfinder.service.searching import Results

__all__ = ["listing", "note_if_fictional", "search_data_file", "search_options", "settings_from",
           "verbose_option"]


def listing(values: list[str] | None) -> list[str]:
    """Repeatable options that also accept comma lists: --status recruiting,completed."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def search_options(args: argparse.Namespace) -> dict[str, Any]:
    """The search options of ``search``, ``sync`` and ``watch add``, as keyword arguments of
    :func:`trialfinder.service.searching.build_query` (a place and radius are each command's
    own)."""
    return {
        "preset": args.preset,
        "condition": listing(args.condition) or None,
        "term": args.term or None,
        "intervention": listing(args.intervention) or None,
        "location": args.location,
        "title": args.title,
        "sponsor": args.sponsor,
        "nct_ids": listing(args.nct_ids),
        "status": listing(args.status),
        "phase": listing(args.phase),
        "study_type": listing(args.study_type),
        "sex": args.sex,
        "age": args.age,
        "healthy_volunteers": args.healthy_volunteers,
        "start_from": args.start_from,
        "start_to": args.start_to,
        "has_results": args.has_results,
    }


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from --base-url, --no-cache, --offline, --cache-dir and --no-store, with the
    run profile the command chose (``args.profile``: one search in its own process)."""
    if args.no_cache and args.offline:
        raise InvalidQueryError("--offline answers from the cache, so it cannot go with --no-cache")
    changes: dict[str, Any] = {}
    if args.base_url:
        changes["base_url"] = args.base_url
    if args.no_cache:
        changes["use_cache"] = False
    if args.offline:
        changes["offline"] = True
    if args.cache_dir:
        changes["cache_dir"] = args.cache_dir
    if getattr(args, "no_store", False):
        changes["use_store"] = False
    if getattr(args, "profile", None) is not None:
        changes["profile"] = args.profile
    return Settings().with_(**changes) if changes else Settings()


def verbose_option(parser: argparse.ArgumentParser) -> None:
    """``-v``/``--verbose`` after a command's name (``trialfinder store info -v``), added to
    the top-level count (the main parser reads ``verbose_sub``)."""
    parser.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        dest="verbose_sub", help="log what happens on stderr (-vv: debug lines)")


def search_data_file(path: Path, **kwargs: Any) -> Results:
    """--from-file: :func:`trialfinder.service.searching.search_records` over the records of
    ``path``;
    a file that holds none (empty, blank lines only, an empty list) is refused rather than
    searched."""
    from trialfinder.service.searching import load_records, search_records

    records = load_records(path)
    if not records:
        raise DataFileError(f"{path} holds no study records (it is empty, blank or an empty "
                            "list); expected a ClinicalTrials.gov JSON download")
    return search_records(records, source=str(path), **kwargs)


def resolve_near(text: str | None) -> tuple[tuple[float, float] | None, str | None]:
    """A --near value as coordinates, and a note naming the place a name was taken for
    (printed once the command has succeeded, so an error stays the only line). An empty
    --near is an error, as a blank one is, never silently no place."""
    if text is None:
        return None, None
    from trialfinder.places.resolve import resolve_place  # loads the gazetteer

    place = resolve_place(text)
    note = None
    if place.kind != "coordinates":
        note = f"near {place.name} ({place.lat:.4f}, {place.lon:.4f})"
        if place.note:
            note += f"; {place.note}"
    return (place.lat, place.lon), note


def status_label(value: object) -> str:
    text = str(value)
    return Status(text).label if text in Status.__members__ else text


def note_if_fictional(ids: Iterable[object]) -> bool:
    """Whether the studies ``ids`` are fictional by the one rule
    (:func:`trialfinder.topics.demo.shows_fictional`); when they are, a note says so once the
    output is delivered (after it, as the summary: a failed output stays the only line)."""
    from trialfinder.core.delivery import report
    from trialfinder.topics import demo

    if not demo.shows_fictional(ids):
        return False
    report(f"trialfinder: note: {demo.FICTIONAL_NOTE}")
    return True
