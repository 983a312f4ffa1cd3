"""What changed between two versions of a study, and between two runs of a watch.

A version is read by its registry's own reader (:meth:`~trialfinder.registries.base.Registry.
reader`; the registry is the one whose id the study has), so a change is found the same way
whatever the registry: ``status`` (before/after), ``site_added`` / ``site_removed`` (facility,
city, and the distance when a place is known), and ``updated`` (the other study columns that
changed, named). A bumped last update date alone is no change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import orjson
import pandas as pd

from trialfinder.core.codes import status_words
from trialfinder.core.missing import text_of
from trialfinder.places.geo import haversine_miles
from trialfinder.registries import registry_of
from trialfinder.registries.base import Record, Registry
from trialfinder.tables.frames import Tables

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = ["CHANGE_KINDS", "Change", "changes_between", "diff_versions", "read_version"]

CHANGE_KINDS: Final = ("new", "gone", "status", "site_added", "site_removed", "updated")

#: Study columns that never count as an ``updated`` field: the update date itself, and
#: columns that only restate other changes (sites, links).
_NOT_UPDATES: Final = frozenset({"status", "last_update", "n_sites", "countries", "url"})
_SITE_KEY: Final = ("facility", "city", "state", "country")


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
        """What changed, in a few words (no title); a status in words (``Not yet recruiting ->
        Recruiting``), as everywhere else, while :attr:`before` and :attr:`after` keep the codes."""
        if self.change == "status":
            return f"{status_words(self.before)} -> {status_words(self.after)}"
        if self.change in ("site_added", "site_removed"):
            where = ", ".join(v for v in (self.facility, self.city) if v)
            if self.distance_mi is not None:
                where += f" ({self.distance_mi:,.1f} mi)"
            return where
        if self.change == "updated":
            return ", ".join(self.fields)
        if self.change == "gone":  # not closed, nor deleted: this search no longer finds it
            return "no longer in this search's results"
        return ""


def _sites(tables: Tables) -> dict[tuple[str, ...], Mapping[str, Any]]:
    out: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for row in tables.sites.to_dict("records"):
        site = {str(k): v for k, v in row.items()}
        out.setdefault(tuple(text_of(site.get(k)) for k in _SITE_KEY), site)
    return out


def _miles(site: Mapping[str, Any], place: tuple[float, float] | None) -> float | None:
    if place is None:
        return None
    lat, lon = site.get("lat"), site.get("lon")
    if text_of(lat) == "" or text_of(lon) == "":
        return None
    return float(haversine_miles(place[0], place[1], [float(lat)], [float(lon)])[0])  # type: ignore[arg-type]


def read_version(record: Record, registry: Registry) -> Tables:
    """One version of a study, read into the tables by its registry's reader."""
    reader = registry.reader()
    reader.add([record])
    return reader.tables()


def diff_versions(
    nct_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *,
    place: tuple[float, float] | None = None, watch: str = "",
    registry: Registry | None = None,
) -> list[Change]:
    """The changes between two versions of one study's record (status, sites, other fields),
    read by ``registry`` (the registry of ``nct_id`` when not given)."""
    if old is None or new is None:
        return []
    registry = registry or registry_of(nct_id)
    before, after = read_version(old, registry), read_version(new, registry)
    if before.studies.empty or after.studies.empty:
        return []
    b = before.studies.iloc[0]
    a = after.studies.iloc[0]
    title = text_of(a["title"]) or None
    changes: list[Change] = []
    if text_of(b["status"]) != text_of(a["status"]):
        changes.append(Change(nct_id, "status", watch, title, before=text_of(b["status"]),
                              after=text_of(a["status"])))
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
             if c not in _NOT_UPDATES and text_of(b[c]) != text_of(a[c])]
    same_keys = [k for k in new_sites if k in old_sites]
    if any(_row_text(old_sites[k]) != _row_text(new_sites[k]) for k in same_keys):
        named.append("sites")
    if named:
        changes.append(Change(nct_id, "updated", watch, title, fields=tuple(named)))
    return changes


def _row_text(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(text_of(row.get(k)) for k in sorted(row) if k != "distance_mi")


# -- between two runs ----------------------------------------------------------------------


def _version_before(store: Store, nct: str, current: str,
                    since: datetime) -> dict[str, Any] | None:
    """The version of a study the store held at ``since`` (a previous run, naive UTC), if
    another: the latest first seen by then, read and decoded alone."""
    row = store.first_row(
        "SELECT hash, record FROM versions WHERE nct_id = ? AND first_seen <= ? "
        "ORDER BY first_seen DESC, last_seen DESC LIMIT 1", [nct, since])
    if row is None or str(row[0]) == current:
        return None
    value: dict[str, Any] = orjson.loads(row[1])
    return value


def changes_between(store: Store, watch: str, place: tuple[float, float] | None,
                    before: Mapping[str, str], after: Mapping[str, str],
                    since: datetime) -> list[Change]:
    """What a watch's run found changed: ``before`` and ``after`` are the studies it matched
    at its previous run and now (id -> version hash), ``since`` the previous run's time."""
    out: list[Change] = []
    titles = _titles(store, [*after, *before])
    for nct, hash_ in after.items():
        if nct not in before:
            earlier = _version_before(store, nct, hash_, since)
            if earlier is not None:  # known before, outside the results: say why it entered
                out += [c for c in diff_versions(nct, earlier, store.record(nct, hash_),
                                                 place=place, watch=watch)
                        if c.change in ("status", "site_added")]
            out.append(Change(nct, "new", watch, titles.get(nct)))
        elif before[nct] != hash_:
            out += diff_versions(nct, store.record(nct, before[nct]), store.record(nct, hash_),
                                 place=place, watch=watch)
    gone = [n for n in before if n not in after]
    latest = store.current_hashes(gone)
    for nct in gone:
        newer = latest.get(nct)
        if newer is not None and newer != before[nct]:
            out += [c for c in diff_versions(nct, store.record(nct, before[nct]),
                                             store.record(nct, newer), place=place,
                                             watch=watch) if c.change == "status"]
        out.append(Change(nct, "gone", watch, titles.get(nct)))
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
