"""Watchlists: saved searches that report what changed since their previous run.

A watch keeps the options of a search (a :class:`~trialfinder.options.SearchOptions`, saved as
its JSON; a watch saved by an earlier version, as the keyword arguments of ``build_query``, is
read too). Its text part (conditions, terms, sponsor, a preset's words...) is what is asked of
the API; its filters (status, phase, age, distance, and the local-only ones) are applied
locally to the store's copies, so a study that stops recruiting shows up as a ``status``
change and as ``gone`` instead of silently dropping out of the API's answer.

Every request goes to the API (an HTTP cache is written, never read: a watch wants today's
data). A run after the first asks only for what changed:

1. an id-only listing of the text query (``fields=NCTId``): which studies still match;
2. the text query with ``AREA[LastUpdatePostDate]RANGE[<last run - 1 day>, MAX]``: the records
   updated since, stored as new versions;
3. by id, any matching study the store does not hold fresh (new to the text query with an older
   update date).

Changes, one per line: ``new``, ``gone``, ``status`` (before/after), ``site_added`` /
``site_removed`` (facility, city, and the distance when the watch has a place) and ``updated``
(the other fields that changed, named). A bumped ``lastUpdatePostDate`` alone is no change.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import orjson
import pandas as pd

from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.core.wording import skipped_notes
from trialfinder.http.prefetch import prefetch
from trialfinder.options import OPTIONS, SearchOptions, from_saved
from trialfinder.options.local import resolve_near
from trialfinder.places.geo import haversine_miles
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.registries.ctgov.normalize import Tables, normalize
from trialfinder.registries.ctgov.options import local_filters_for, query_for
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.store.db import Store, default_store_path, naive_utc, open_store
from trialfinder.store.tally import Tally
from trialfinder.store.versions import nct_of
from trialfinder.tables.filters import apply_filters

__all__ = [
    "CHANGE_KINDS",
    "Change",
    "Watch",
    "WatchRun",
    "add_watch",
    "diff_versions",
    "get_watch",
    "history",
    "list_watches",
    "refresh",
    "remove_watch",
    "run_watch",
    "save_watch",
    "saved_watches",
    "server_query",
]

logger = logging.getLogger(__name__)

CHANGE_KINDS: Final = ("new", "gone", "status", "site_added", "site_removed", "updated")

#: Study columns that never count as an ``updated`` field: the update date itself, and
#: columns that only restate other changes (sites, links).
_NOT_UPDATES: Final = frozenset({"status", "last_update", "n_sites", "countries", "url"})
_SITE_KEY: Final = ("facility", "city", "state", "country")
_IDS_PER_REQUEST: Final = 100
_NAME_MAX: Final = 80


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    options: SearchOptions
    created: datetime | None = None

    def query(self) -> StudyQuery:
        return query_for(self.options)

    @property
    def place(self) -> tuple[float, float] | None:
        near = self.query().near
        return (near.lat, near.lon) if near else None

    def describe(self) -> str:
        """What the watch looks for, in words (see :meth:`SearchOptions.words`)."""
        return self.options.words()


@dataclass(frozen=True, slots=True)
class Change:
    """One change a watch run found."""

    nct_id: str
    change: str
    watch: str = ""
    title: str | None = None
    before: str | None = None
    after: str | None = None
    fields: tuple[str, ...] = ()
    facility: str | None = None
    city: str | None = None
    distance_mi: float | None = None
    when: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields; empty ones left out (``nct_id`` and ``change`` always)."""
        out: dict[str, Any] = {"nct_id": self.nct_id, "change": self.change}
        for key in ("watch", "title", "before", "after", "facility", "city", "when"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.fields:
            out["fields"] = list(self.fields)
        if self.distance_mi is not None:
            out["distance_mi"] = round(self.distance_mi, 1)
        return out

    def detail(self) -> str:
        """What changed, in a few words (no title)."""
        if self.change == "status":
            return f"{self.before} -> {self.after}"
        if self.change in ("site_added", "site_removed"):
            where = ", ".join(v for v in (self.facility, self.city) if v)
            if self.distance_mi is not None:
                where += f" ({self.distance_mi:,.1f} mi)"
            return where
        if self.change == "updated":
            return ", ".join(self.fields)
        return ""


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
    since: str | None = None  # the LastUpdatePostDate bound of an incremental run
    fetched: int = 0  # full records fetched
    notes: list[str] = field(default_factory=list)
    found: Mapping[str, str] = field(default_factory=dict)  # nct_id -> version hash
    params: Mapping[str, str] = field(default_factory=dict)  # the API query it ran
    finished: datetime | None = None

    def record(self, store: Store) -> int:
        """Record this run in ``store`` (whole, in one transaction): the next run of the watch
        reports its changes from here. Returns the run's id."""
        return store.record_run(self.watch, self.mode, self.started, self.found,
                                requests=self.requests, nbytes=self.nbytes,
                                params=self.params, finished=self.finished)


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
    is kept beside its point), and the API must be asked for something. ``options`` may also
    be the keyword arguments of ``trialfinder.search()`` (the form earlier versions saved)."""
    kept = options if isinstance(options, SearchOptions) else from_saved(options)
    kept, _ = resolve_near(kept)
    if server_query(kept).is_empty:
        raise InvalidQueryError("a watch needs something to search for: a condition, term, "
                                "intervention, sponsor, place or preset")
    return kept


def add_watch(store: Store, name: str, options: SearchOptions | Mapping[str, Any], *,
              replace: bool = False) -> Watch:
    name = _check_name(name)
    kept = clean_options(options)
    exists = store.first_row("SELECT count(*) FROM searches WHERE name = ?", [name])[0]
    if exists and not replace:
        raise InvalidQueryError(f"a watch named {name!r} exists; remove it first")
    now = naive_utc(datetime.now(UTC))
    store.execute("DELETE FROM searches WHERE name = ?", [name])
    store.execute("INSERT INTO searches VALUES (?, ?, ?)",
                  [name, orjson.dumps(kept.to_json()).decode(), now])
    return Watch(name, kept, now)


def _watch_from(row: Sequence[Any]) -> Watch:
    try:
        options = from_saved(orjson.loads(row[1]))
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


# -- what is asked of the API ----------------------------------------------------------------


def server_query(options: SearchOptions) -> StudyQuery:
    """The part of a watch's search sent to the API: the options that name its topic (text,
    ids, a preset). Its filters are left to the local pass. A place is sent only when nothing
    else names the topic (a watch of everything near Boston)."""
    text = query_for(options.only(d.name for d in OPTIONS if d.topic))
    if text.is_empty and options.near is not None:
        text = text.replace(near=query_for(options.only(("near", "radius"))).near)
    return text


def _updated_since(query: StudyQuery, since: str) -> StudyQuery:
    clause = f"AREA[LastUpdatePostDate]RANGE[{since}, MAX]"
    advanced = f"({query.advanced}) AND {clause}" if query.advanced else clause
    return query.replace(advanced=advanced)


# -- comparing versions ---------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _sites(tables: Tables) -> dict[tuple[str, ...], Mapping[str, Any]]:
    out: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for row in tables.sites.to_dict("records"):
        site = {str(k): v for k, v in row.items()}
        out.setdefault(tuple(_text(site.get(k)) for k in _SITE_KEY), site)
    return out


def _miles(site: Mapping[str, Any], place: tuple[float, float] | None) -> float | None:
    if place is None:
        return None
    lat, lon = site.get("lat"), site.get("lon")
    if _text(lat) == "" or _text(lon) == "":
        return None
    return float(haversine_miles(place[0], place[1], [float(lat)], [float(lon)])[0])  # type: ignore[arg-type]


def diff_versions(
    nct_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *,
    place: tuple[float, float] | None = None, watch: str = "",
) -> list[Change]:
    """The changes between two versions of one study's record (status, sites, other fields)."""
    if old is None or new is None:
        return []
    before, after = normalize([old]), normalize([new])
    if before.studies.empty or after.studies.empty:
        return []
    b = before.studies.iloc[0]
    a = after.studies.iloc[0]
    title = _text(a["title"]) or None
    changes: list[Change] = []
    if _text(b["status"]) != _text(a["status"]):
        changes.append(Change(nct_id, "status", watch, title, before=_text(b["status"]),
                              after=_text(a["status"])))
    old_sites, new_sites = _sites(before), _sites(after)
    for kind, keys, source in (
        ("site_added", [k for k in new_sites if k not in old_sites], new_sites),
        ("site_removed", [k for k in old_sites if k not in new_sites], old_sites),
    ):
        for key in keys:
            site = source[key]
            changes.append(Change(nct_id, kind, watch, title, facility=key[0] or None,
                                  city=key[1] or None, distance_mi=_miles(site, place)))
    named = [c for c in before.studies.columns
             if c not in _NOT_UPDATES and _text(b[c]) != _text(a[c])]
    same_keys = [k for k in new_sites if k in old_sites]
    if any(_row_text(old_sites[k]) != _row_text(new_sites[k]) for k in same_keys):
        named.append("sites")
    if named:
        changes.append(Change(nct_id, "updated", watch, title, fields=tuple(named)))
    return changes


def _row_text(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(_text(row.get(k)) for k in sorted(row) if k != "distance_mi")


# -- running a watch ------------------------------------------------------------------------


def _matching(store: Store, options: SearchOptions, candidates: Sequence[str]) -> list[str]:
    """The candidates (studies matching the text query) that pass the watch's local filters."""
    if not candidates:
        return []
    tables = store.tables_for(candidates)
    tables = _unique(tables)
    outcome = apply_filters(tables, local_filters_for(options))
    return [str(n) for n in outcome.studies["nct_id"]]


def _unique(tables: Tables) -> Tables:
    studies = tables.studies.drop_duplicates("nct_id").reset_index(drop=True)
    return Tables(studies=studies, sites=tables.sites, conditions=tables.conditions,
                  interventions=tables.interventions)


def _store_pages(store: Store, client: TrialsClient, query: StudyQuery, when: datetime,
                 tally: Tally, skipped: list[int]) -> list[str]:
    """Store every page of ``query``; the ids stored (records without a valid NCT id are
    left out and counted in ``skipped[0]``)."""
    ids: list[str] = []
    pages = tally.count(client.iter_pages(query, fields=LIST_FIELDS, count_total=False,
                                          force_refresh=True))
    for page in prefetch(pages):
        stats = store.add_records(page.studies, seen=when)
        ids.extend(stats.hashes)
        skipped[0] += stats.skipped
    return ids


def _list_ids(client: TrialsClient, query: StudyQuery, tally: Tally) -> list[str]:
    """The ids the query matches now; an id that is not an NCT id is left out here (it is
    never stored, and asking for it by id would be refused): the record itself is counted
    when a page of records brings it (:func:`_store_pages`)."""
    ids: list[str] = []
    pages = tally.count(client.iter_pages(query, fields=("NCTId",), count_total=False,
                                          force_refresh=True))
    for page in prefetch(pages):
        ids += [nct for nct in map(nct_of, page.studies) if nct is not None]
    return list(dict.fromkeys(ids))


def refresh(
    store: Store, client: TrialsClient, watch: Watch, *, full: bool = False,
    now: datetime | None = None, record: bool = True,
) -> WatchRun:
    """Run one watch: fetch what changed (everything with ``full`` or on its first run), store
    it, and compare what matches now with what matched at the previous run.

    The run is recorded (the point the next run compares with) unless ``record`` is false:
    then the caller records it with :meth:`WatchRun.record` once it has delivered the changes
    (the command line: after its output and feed are written), or never, and the next run
    reports them again."""
    when = now or datetime.now(UTC)
    query = watch.query()
    ask = server_query(watch.options)
    previous = store.last_run(watch.name)
    tally = Tally()
    since: str | None = None
    fetched = 0
    skipped = [0]  # records without a valid NCT id, left out
    if previous is None or full:
        mode = "first" if previous is None else "full"
        candidates = list(dict.fromkeys(_store_pages(store, client, ask, when, tally,
                                                     skipped)))
        fetched = len(candidates)
    else:
        mode = "incremental"
        since = (previous[1] - timedelta(days=1)).date().isoformat()
        candidates = _list_ids(client, ask, tally)
        updated = _store_pages(store, client, _updated_since(ask, since), when, tally, skipped)
        fetched = len(updated)
        fresh = set(updated)
        seen = store.last_seen(candidates)
        cutoff = naive_utc(previous[1])
        stale = [n for n in candidates if n not in fresh and (n not in seen or seen[n] < cutoff)]
        for start in range(0, len(stale), _IDS_PER_REQUEST):
            batch = stale[start:start + _IDS_PER_REQUEST]
            batch_query = StudyQuery(nct_ids=tuple(batch))
            fetched += len(_store_pages(store, client, batch_query, when, tally, skipped))
        if stale:
            logger.debug("watch %s: %d matching studies fetched by id", watch.name, len(stale))
    matched = _matching(store, watch.options, candidates)
    current = store.current_hashes(matched)
    changes = [] if previous is None else _changes(
        store, watch, store.run_found(previous[0]), current, naive_utc(previous[1]))
    requests, nbytes = tally.requests, tally.nbytes
    stamp = naive_utc(when).isoformat(timespec="seconds") + "Z"
    changes = [Change(**{**_fields(c), "when": stamp}) for c in changes]
    notes = skipped_notes(skipped[0], skipped[0])
    if previous is None:
        notes.append(f"first run of {watch.name!r}: {studies(len(current))} recorded; "
                     "changes are reported from the next run")
    run = WatchRun(watch.name, mode, changes, len(current), requests, nbytes, when, since,
                   fetched, notes, found=current, params=query.to_params(),
                   finished=datetime.now(UTC))
    if record:
        run.record(store)
    return run


def studies(n: int) -> str:
    """``1 matching study``, ``2 matching studies``."""
    return f"{n:,} matching {'study' if n == 1 else 'studies'}"


def _fields(change: Change) -> dict[str, Any]:
    return {name: getattr(change, name) for name in Change.__slots__}


def _version_before(store: Store, nct: str, current: str,
                    since: datetime) -> dict[str, Any] | None:
    """The version of a study the store held at ``since`` (a previous run), if another."""
    held = [v for v in store.versions(nct) if v[1] <= since]
    if not held or held[-1][0] == current:
        return None
    return held[-1][3]


def _changes(store: Store, watch: Watch, before: Mapping[str, str],
             after: Mapping[str, str], since: datetime) -> list[Change]:
    place = watch.place
    out: list[Change] = []
    titles = _titles(store, [*after, *before])
    for nct, hash_ in after.items():
        if nct not in before:
            earlier = _version_before(store, nct, hash_, since)
            if earlier is not None:  # known before, outside the results: say why it entered
                out += [c for c in diff_versions(nct, earlier, store.record(nct, hash_),
                                                 place=place, watch=watch.name)
                        if c.change in ("status", "site_added")]
            out.append(Change(nct, "new", watch.name, titles.get(nct)))
        elif before[nct] != hash_:
            out += diff_versions(nct, store.record(nct, before[nct]), store.record(nct, hash_),
                                 place=place, watch=watch.name)
    gone = [n for n in before if n not in after]
    latest = store.current_hashes(gone)
    for nct in gone:
        newer = latest.get(nct)
        if newer is not None and newer != before[nct]:
            out += [c for c in diff_versions(nct, store.record(nct, before[nct]),
                                             store.record(nct, newer), place=place,
                                             watch=watch.name) if c.change == "status"]
        out.append(Change(nct, "gone", watch.name, titles.get(nct)))
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    out.sort(key=lambda c: (order[c.change], c.nct_id, c.facility or ""))
    return out


def _titles(store: Store, ids: Iterable[str]) -> dict[str, str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    frame = pd.DataFrame({"nct_id": pd.array(wanted, dtype="string")})
    store.con.register("title_ids", frame)
    rows = store.con.execute("SELECT nct_id, title FROM studies WHERE nct_id IN "
                             "(SELECT nct_id FROM title_ids)").fetchall()
    store.con.unregister("title_ids")
    return {str(n): str(t) for n, t in rows if t is not None}


def run_watch(
    name: str, *, store_path: Path | None = None, settings: Settings | None = None,
    client: TrialsClient | None = None, full: bool = False, now: datetime | None = None,
) -> list[Change]:
    """Run the saved watch ``name`` and return its changes (for the dashboard and scripts)."""
    with open_store(store_path) as store:
        watch = get_watch(store, name)
        return refresh(store, client or TrialsClient(settings), watch, full=full,
                       now=now).changes


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
    """What changed between the versions of one study seen, oldest first: for each version
    after the first, when it was first seen and its changes."""
    versions = store.versions(nct_id)
    if not versions:
        raise TrialFinderError(f"{nct_id} is not in the local study store yet: `trialfinder "
                               "sync` or a watch that finds it keeps its versions")
    out: list[tuple[datetime, list[Change]]] = []
    for (_, _, _, old), (_, first_seen, _, new) in pairwise(versions):
        out.append((first_seen, diff_versions(nct_id, old, new)))
    return out
