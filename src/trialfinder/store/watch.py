"""Watchlists: saved searches that report what changed since their previous run.

A watch keeps the options of a search (a :class:`~trialfinder.options.SearchOptions`, saved as
its JSON; a watch saved by an earlier version, as the keyword arguments of ``build_query``, is
read too), the registries it searches among them (``registries``; ClinicalTrials.gov when it
names none). Its text part (conditions, terms, sponsor, a preset's words...) is what is asked
of each registry (:func:`server_options`); its filters (status, phase, age, distance, and the
local-only ones) are applied locally to the store's copies, so a study that stops recruiting
shows up as a ``status`` change and as ``gone`` instead of silently dropping out of the
registry's answer. Runs: :mod:`trialfinder.service.watchrun`; changes:
:mod:`trialfinder.store.changes`.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import orjson

from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.options import OPTIONS, SearchOptions, from_saved, get_option
from trialfinder.options.local import resolve_near
from trialfinder.registries import DEFAULT_REGISTRY, choose_registries, registry_of
from trialfinder.store.changes import CHANGE_KINDS, Change, diff_versions
from trialfinder.store.db import Store, default_store_path, naive_utc, open_store

__all__ = [
    "CHANGE_KINDS",
    "Change",
    "Watch",
    "add_watch",
    "diff_versions",
    "get_watch",
    "history",
    "list_watches",
    "remove_watch",
    "save_watch",
    "saved_watches",
    "server_options",
]

logger = logging.getLogger(__name__)

_NAME_MAX: Final = 80
#: The options that name what a watch asks each registry for.
_TOPIC: Final = tuple(d.name for d in OPTIONS if d.topic)


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    options: SearchOptions
    created: datetime | None = None

    @property
    def registries(self) -> tuple[str, ...]:
        """The registries it searches, by name (``source``)."""
        return tuple(r.name for r in choose_registries(self.options.registries or None))

    @property
    def place(self) -> tuple[float, float] | None:
        near = resolve_near(self.options)[0].near
        return near.point if near is not None else None

    def describe(self) -> str:
        """What the watch looks for, in words (see :meth:`SearchOptions.words`)."""
        return self.options.words()


# -- saved watches --------------------------------------------------------------------------


def _check_name(name: str) -> str:
    """A watch name is free text (``Back pain near Boston``), kept as data (a bound value of a
    query, never part of SQL or a path): 1 to 80 printable characters, trimmed; no line
    breaks, control or format characters, so it prints as itself in a terminal."""
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > _NAME_MAX or not text.isprintable():
        raise InvalidQueryError(
            f"a watch name is 1 to {_NAME_MAX} characters on one line, without control "
            f"characters, not {name!r}")
    return text


def clean_options(options: SearchOptions | Mapping[str, Any]) -> SearchOptions:
    """The options to keep, checked: a place given by name is looked up once, here (its name
    is kept beside its point), the registries are ones this trialfinder knows (the default
    one alone is kept as none), and each must be asked for something it can ask. ``options``
    may also be the keyword arguments of ``trialfinder.search()`` (the form earlier versions
    saved)."""
    kept = options if isinstance(options, SearchOptions) else from_saved(options)
    kept, _ = resolve_near(kept)
    chosen = tuple(r.name for r in choose_registries(kept.registries or None))
    kept = kept.replace(registries=() if chosen == (DEFAULT_REGISTRY,) else chosen)
    asked = server_options(kept)
    if asked.is_empty:
        raise InvalidQueryError("a watch needs something to search for: a condition, term, "
                                "intervention, sponsor, place or preset")
    for registry in choose_registries(chosen):
        registry.translate(asked)
    return kept


def add_watch(store: Store, name: str, options: SearchOptions | Mapping[str, Any], *,
              replace: bool = False) -> Watch:
    """Save a watch of ``options`` (see :func:`clean_options`)."""
    name = _check_name(name)
    kept = clean_options(options)
    exists = store.first_row("SELECT count(*) FROM searches WHERE name = ?", [name])[0]
    if exists and not replace:
        raise InvalidQueryError(f"a watch named {name!r} exists: give another name, or remove "
                                f"it first (trialfinder watch remove {shlex.quote(name)})")
    now = naive_utc(datetime.now(UTC))
    store.execute("DELETE FROM searches WHERE name = ?", [name])
    store.execute("INSERT INTO searches VALUES (?, ?, ?)",
                  [name, orjson.dumps(kept.to_json()).decode(), now])
    return Watch(name, kept, now)


def _as_read_before(saved: object) -> object:
    """A watch saved by an earlier version as keyword arguments, with the default radius and
    no place, read as no radius: it still does, rather than be refused as damaged now that a
    radius given without a place is refused."""
    if (isinstance(saved, dict) and "format" not in saved and saved.get("near") is None
            and "radius" in saved
            and get_option("radius").from_python(saved["radius"]) is None):
        return {key: value for key, value in saved.items() if key != "radius"}
    return saved


def _watch_from(row: Sequence[Any]) -> Watch:
    try:
        options = from_saved(_as_read_before(orjson.loads(row[1])))
    except (orjson.JSONDecodeError, InvalidQueryError) as exc:
        raise InvalidQueryError(f"the saved options of watch {row[0]!r} are damaged: "
                                f"{exc}") from None
    return Watch(str(row[0]), options, row[2])


def list_watches(store: Store) -> list[Watch]:
    rows = store.con.execute("SELECT name, options, created FROM searches ORDER BY name")
    return [_watch_from(r) for r in rows.fetchall()]


def get_watch(store: Store, name: str) -> Watch:
    row = store.first_row("SELECT name, options, created FROM searches WHERE name = ?", [name])
    if row is None:
        known = ", ".join(w.name for w in list_watches(store)) or "none yet"
        raise InvalidQueryError(f"no watch named {name!r} (watches: {known})")
    return _watch_from(row)


def remove_watch(store: Store, name: str) -> None:
    get_watch(store, name)
    store.execute("DELETE FROM searches WHERE name = ?", [name])


# -- what is asked of the registries ----------------------------------------------------------


def server_options(options: SearchOptions) -> SearchOptions:
    """The part of a watch's search sent to its registries: the options that name its topic
    (text, ids, a preset), and where to search. Its filters are left to the local pass. A
    place is sent only when nothing else names the topic (a watch of everything near
    Boston)."""
    text = options.only(_TOPIC)
    if text.is_empty and options.near is not None:
        text = options.only((*_TOPIC, "near", "radius"))
    return text.replace(registries=options.registries)


def save_watch(name: str, options: SearchOptions | Mapping[str, Any], *,
               store_path: Path | None = None, replace: bool = False) -> Watch:
    """Save a search as a watch (the dashboard's "Save this search"); ``options`` are
    :class:`~trialfinder.options.SearchOptions` or the keyword arguments of
    ``trialfinder.search()``."""
    with open_store(store_path) as store:
        return add_watch(store, name, options, replace=replace)


def saved_watches(store_path: Path | None = None) -> list[Watch]:
    """The saved watches, by name (none when there is no store yet)."""
    path = store_path or default_store_path()
    if not path.exists():
        return []
    with open_store(path, read_only=True) as store:
        return list_watches(store)


def history(store: Store, nct_id: str) -> list[tuple[datetime, list[Change]]]:
    """What changed between the versions of one study seen (an id of any registry), oldest
    first: for each version after the first, when it was first seen and its changes."""
    versions = store.versions(nct_id)
    registry = registry_of(nct_id)
    if not versions:
        raise TrialFinderError(f"{nct_id} is not in the local study store yet: `trialfinder "
                               "sync` or a watch that finds it keeps its versions")
    out: list[tuple[datetime, list[Change]]] = []
    for (_, _, _, old), (_, first_seen, _, new) in pairwise(versions):
        out.append((first_seen, diff_versions(nct_id, old, new, registry=registry)))
    return out
