"""Running a watch (:mod:`trialfinder.store.watch`): ask each of its registries what changed,
store it, and compare what matches now with what matched at its previous run.

Every request goes to the registry (an HTTP cache is written, never read: a watch wants
today's data), through the registry's client (:mod:`trialfinder.registries.base`). A run after
the first asks only for what changed:

1. an id-only listing of the text query: which studies still match;
2. the text query narrowed to the records changed since the last run less a day
   (:meth:`~trialfinder.registries.base.Registry.changed_since`; ClinicalTrials.gov:
   ``AREA[LastUpdatePostDate]RANGE[...]``), stored as new versions; a registry that cannot ask
   so gets the whole text query again;
3. by id, any matching study the store does not hold fresh (new to the text query with an older
   update date).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import skipped_notes
from trialfinder.http.prefetch import prefetch
from trialfinder.options import SearchOptions
from trialfinder.options.local import local_filters
from trialfinder.registries import choose_registries, client_of
from trialfinder.registries.base import Registry, RegistryClient
from trialfinder.store.changes import Change, changes_between
from trialfinder.store.db import Store, naive_utc, open_store
from trialfinder.store.tally import Tally
from trialfinder.store.watch import Watch, get_watch, server_options
from trialfinder.tables.filters import apply_filters
from trialfinder.tables.frames import Tables

__all__ = ["WatchRun", "clients_for", "refresh", "run_watch", "studies"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WatchRun:
    """What one run of a watch did and found."""

    watch: str
    mode: str  # first | full | incremental
    changes: list[Change]
    studies: int
    requests: int
    nbytes: int
    started: datetime
    since: str | None = None  # the day an incremental run asked for changes since
    fetched: int = 0  # full records fetched
    notes: list[str] = field(default_factory=list)
    found: Mapping[str, str] = field(default_factory=dict)  # study id -> version hash
    params: Mapping[str, str] = field(default_factory=dict)  # the query it sent
    finished: datetime | None = None

    def record(self, store: Store) -> int:
        """Record this run in ``store`` (whole, in one transaction): the next run of the watch
        reports its changes from here. Returns the run's id."""
        return store.record_run(self.watch, self.mode, self.started, self.found,
                                requests=self.requests, nbytes=self.nbytes,
                                params=self.params, finished=self.finished)


def _matching(store: Store, options: SearchOptions, candidates: Sequence[str]) -> list[str]:
    """The candidates (studies matching the text query) that pass the watch's local filters."""
    if not candidates:
        return []
    tables = store.tables_for(candidates)
    studies = tables.studies.drop_duplicates("nct_id").reset_index(drop=True)
    tables = Tables(studies=studies, sites=tables.sites, conditions=tables.conditions,
                    interventions=tables.interventions)
    outcome = apply_filters(tables, local_filters(options))
    return [str(n) for n in outcome.studies["nct_id"]]


@dataclass
class _Asking:
    """One registry's part of a run: what it fetched and stored."""

    store: Store
    client: RegistryClient
    when: datetime
    tally: Tally
    skipped: int = 0

    @property
    def registry(self) -> Registry:
        return self.client.registry

    def store_pages(self, query: Any) -> list[str]:
        """Store every page of ``query``; the ids stored (records without a valid id are left
        out and counted in :attr:`skipped`)."""
        ids: list[str] = []
        for page in prefetch(self.tally.count(self.client.pages(query))):
            stats = self.store.add_records(page.records, source=self.registry.name,
                                           seen=self.when)
            ids.extend(stats.hashes)
            self.skipped += stats.skipped
        return ids

    def list_ids(self, query: Any) -> list[str]:
        """The ids the query matches now; a record without a valid id is left out here (it
        is never stored): it is counted when a page of records brings it."""
        ids: list[str] = []
        for page in prefetch(self.tally.count(self.client.pages(query, view="ids"))):
            ids += [i for i in map(self.registry.record_id, page.records) if i is not None]
        return list(dict.fromkeys(ids))

    def incremental(self, ask: Any, since: datetime, name: str) -> tuple[list[str], int]:
        """The ids matching ``ask`` now, after storing what changed since ``since`` (less a
        day) and the matching studies the store does not hold fresh; and how many records
        were fetched."""
        candidates = self.list_ids(ask)
        changed = self.registry.changed_since(ask, (since - timedelta(days=1)).date())
        updated = self.store_pages(ask if changed is None else changed)
        fetched, fresh = len(updated), set(updated)
        seen = self.store.last_seen(candidates)
        cutoff = naive_utc(since)
        stale = [n for n in candidates if n not in fresh and (n not in seen or seen[n] < cutoff)]
        step = max(1, self.registry.ids_per_query)
        for start in range(0, len(stale), step):
            fetched += len(self.store_pages(self.registry.query_for_ids(stale[start:start + step])))
        if stale:
            logger.debug("watch %s: %d matching studies of %s fetched by id", name, len(stale),
                         self.registry.name)
        return candidates, fetched


def _clients(given: object, watch: Watch) -> list[RegistryClient]:
    """One client per registry of ``watch``, from ``given`` (a client, or several)."""
    items = list(given) if isinstance(given, list | tuple) else [given]
    by_name = {c.registry.name: c for c in map(client_of, items)}
    missing = [name for name in watch.registries if name not in by_name]
    if missing:
        raise InvalidQueryError(f"watch {watch.name!r} searches {', '.join(missing)}, but no "
                                "client of it was given")
    return [by_name[name] for name in watch.registries]


def refresh(
    store: Store, client: RegistryClient | Any, watch: Watch, *, full: bool = False,
    now: datetime | None = None, record: bool = True,
) -> WatchRun:
    """Run one watch: fetch what changed (everything with ``full`` or on its first run), store
    it, and compare what matches now with what matched at the previous run. ``client`` is a
    registry's client (or a TrialsClient), or a list of them: one for each of the watch's
    registries.

    The run is recorded (the point the next run compares with) unless ``record`` is false:
    then the caller records it with :meth:`WatchRun.record` once it has delivered the changes
    (the command line: after its output and feed are written), or never, and the next run
    reports them again."""
    when = now or datetime.now(UTC)
    asked = server_options(watch.options)
    previous = store.last_run(watch.name)
    tally = Tally()
    since: str | None = None
    candidates: list[str] = []
    fetched = skipped = 0
    mode = "first" if previous is None else "full" if full else "incremental"
    params: dict[str, str] = {}
    clients = _clients(client, watch)
    for each in clients:
        asking = _Asking(store, each, when, tally)
        translation = each.registry.translate(asked)
        ask = translation.query
        prefix = "" if len(clients) == 1 else f"{each.registry.name}:"
        params |= {prefix + k: v for k, v in translation.params.items()}
        if previous is None or full:
            found = list(dict.fromkeys(asking.store_pages(ask)))
            candidates += found
            fetched += len(found)
        else:
            since = (previous[1] - timedelta(days=1)).date().isoformat()
            found, count = asking.incremental(ask, previous[1], watch.name)
            candidates += found
            fetched += count
        skipped += asking.skipped
    matched = _matching(store, watch.options, candidates)
    current = store.current_hashes(matched)
    changes = [] if previous is None else changes_between(
        store, watch.name, watch.place, store.run_found(previous[0]), current,
        naive_utc(previous[1]))
    stamp = naive_utc(when).isoformat(timespec="seconds") + "Z"
    changes = [Change(**{**_fields(c), "when": stamp}) for c in changes]
    notes = skipped_notes(skipped, skipped)
    if previous is None:
        notes.append(f"first run of {watch.name!r}: {studies(len(current))} recorded; "
                     "changes are reported from the next run")
    run = WatchRun(watch.name, mode, changes, len(current), tally.requests, tally.nbytes, when,
                   since, fetched, notes, found=current, params=params,
                   finished=datetime.now(UTC))
    if record:
        run.record(store)
    return run


def studies(n: int) -> str:
    """``1 matching study``, ``2 matching studies``."""
    return f"{n:,} matching {'study' if n == 1 else 'studies'}"


def _fields(change: Change) -> dict[str, Any]:
    return {name: getattr(change, name) for name in Change.__slots__}


def run_watch(
    name: str, *, store_path: Path | None = None, settings: Settings | None = None,
    client: RegistryClient | Any | None = None, full: bool = False,
    now: datetime | None = None,
) -> list[Change]:
    """Run the saved watch ``name`` and return its changes (for the dashboard and scripts);
    each of its registries is asked with a client of ``settings`` unless ``client`` is
    given."""
    with open_store(store_path) as store:
        watch = get_watch(store, name)
        clients = client if client is not None else clients_for(watch, settings)
        return refresh(store, clients, watch, full=full, now=now).changes


def clients_for(watch: Watch, settings: Settings | None = None) -> list[RegistryClient]:
    """A client of each registry ``watch`` searches, with ``settings``."""
    return [registry.client(settings) for registry in choose_registries(watch.registries)]
