"""Watchlists: saved searches that report what changed since their previous run.

A watch keeps the options of a search (those of :func:`trialfinder.service.searching.build_query`)
and the registries it searches (its ``registry`` option; ClinicalTrials.gov when it names
none), in the store's ``searches`` table. Its text part (conditions, terms, sponsor, a
preset's words...) is what is asked of each registry (:func:`server_query`); its structured
filters (status, phase, age, distance...) are applied locally to the store's copies, so a
study that stops recruiting shows up as a ``status`` change and as ``gone`` instead of silently
dropping out of the registry's answer. Runs: :mod:`trialfinder.service.watchrun`; changes:
:mod:`trialfinder.store.changes`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import orjson

from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.registries import DEFAULT_REGISTRY, choose_registries, registry_of
from trialfinder.registries.ctgov.options import build_query
from trialfinder.registries.ctgov.query import StudyQuery
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
    "server_query",
]

logger = logging.getLogger(__name__)

#: Options a watch may keep (the keyword arguments of ``build_query``, plus the place's name
#: and the registries it searches).
OPTION_NAMES: Final = frozenset({
    "preset", "condition", "term", "intervention", "location", "title", "sponsor", "nct_ids",
    "status", "phase", "study_type", "sex", "age", "healthy_volunteers", "start_from",
    "start_to", "has_results", "near", "radius", "place", "registry",
})
_NAME_MAX: Final = 80


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    options: Mapping[str, Any]
    created: datetime | None = None

    @property
    def registries(self) -> tuple[str, ...]:
        """The registries it searches, by name (``source``)."""
        return tuple(r.name for r in choose_registries(self.options.get("registry")))

    def query(self) -> StudyQuery:
        kwargs = {k: v for k, v in self.options.items() if k not in ("place", "registry")}
        if isinstance(kwargs.get("near"), list):
            kwargs["near"] = tuple(kwargs["near"])
        return build_query(**kwargs)

    @property
    def place(self) -> tuple[float, float] | None:
        near = self.query().near
        return (near.lat, near.lon) if near else None

    def describe(self) -> str:
        shown = []
        for key, value in self.options.items():
            if key == "near" and "place" in self.options:
                continue
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            shown.append(f"{key}={text}")
        return " ".join(shown)


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


def clean_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options worth keeping (set ones), checked by building the query they describe and
    by each registry of the watch (``registry``: names; kept only when other than the default
    one), which must be able to ask for something."""
    unknown = sorted(set(options) - OPTION_NAMES)
    if unknown:
        raise InvalidQueryError(f"unknown watch option(s): {', '.join(unknown)}")
    kept = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()
            if v not in (None, "", [], ())}
    chosen = [r.name for r in choose_registries(kept.pop("registry", None))]
    if chosen != [DEFAULT_REGISTRY]:
        kept["registry"] = chosen
    query = Watch("check", kept).query()
    if server_query(query).is_empty:
        raise InvalidQueryError("a watch needs something to search for: a condition, term, "
                                "intervention, sponsor, place or preset")
    for registry in choose_registries(chosen):
        registry.translate(server_query(query))
    return kept


def add_watch(store: Store, name: str, options: Mapping[str, Any], *,
              replace: bool = False) -> Watch:
    """Save a watch of ``options`` (see :func:`clean_options`)."""
    name = _check_name(name)
    kept = clean_options(options)
    exists = store.first_row("SELECT count(*) FROM searches WHERE name = ?", [name])[0]
    if exists and not replace:
        raise InvalidQueryError(f"a watch named {name!r} exists; remove it first")
    now = naive_utc(datetime.now(UTC))
    store.execute("DELETE FROM searches WHERE name = ?", [name])
    store.execute("INSERT INTO searches VALUES (?, ?, ?)",
                  [name, orjson.dumps(kept).decode(), now])
    return Watch(name, kept, now)


def _watch_from(row: Sequence[Any]) -> Watch:
    options = orjson.loads(row[1])
    if not isinstance(options, dict):
        raise InvalidQueryError(f"the saved options of watch {row[0]!r} are damaged")
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


# -- what is asked of the registry -----------------------------------------------------------


def server_query(query: StudyQuery) -> StudyQuery:
    """The part of a query sent to the API: its text (and ids, and a preset's own expression).

    Structured filters are left to the local pass. A place is sent only when nothing else
    names the topic (a watch of everything near Boston)."""
    text = query.replace(statuses=(), phases=(), study_types=(), sex=None, age=None,
                         healthy_volunteers=None, start_from=None, start_to=None,
                         has_results=None, near=None)
    if text.is_empty and query.near is not None:
        text = text.replace(near=query.near)
    return text


def save_watch(name: str, options: Mapping[str, Any], *, store_path: Path | None = None,
               replace: bool = False) -> Watch:
    """Save a search as a watch (the dashboard's "Save this search"); ``options`` are the
    keyword arguments of :func:`trialfinder.service.searching.build_query`."""
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
