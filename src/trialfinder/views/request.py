"""The typed search request the dashboard sends (and caches on): the search options of a
submitted search (:class:`~trialfinder.options.SearchOptions`, read from its widgets as
:mod:`trialfinder.views.urlstate` binds them) and how many studies to fetch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialfinder.options import OPTIONS, Near, SearchOptions, get_option
from trialfinder.options.local import local_filters as filters_of
from trialfinder.tables.filters import LocalFilters
from trialfinder.views.urlstate import DEFAULT_LIMIT, FILTER_KEYS, SEARCH_KEYS, options_of

__all__ = ["SearchRequest", "local_filters"]

_TOPIC = tuple(d.name for d in OPTIONS if d.topic)


def _with_point(options: SearchOptions, point: tuple[float, float] | None) -> SearchOptions:
    """``options`` with the place's resolved point (the page looked the place up)."""
    if point is None:
        return options.replace(near=None, radius=None)
    place = options.near.place if options.near is not None else ""
    return options.replace(near=Near(place=place, point=point))


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One submitted search: its options (the place with its point) and ``limit``."""

    options: SearchOptions
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_snapshot(cls, searched: Mapping[str, Any],
                      near: tuple[float, float] | None) -> SearchRequest:
        """The request of a submitted search (see :func:`trialfinder.views.urlstate.snapshot`);
        ``near`` is its place's point. A value the library refuses raises
        :class:`~trialfinder.core.errors.InvalidQueryError`."""
        keys = [k for k in searched if k in SEARCH_KEYS or k in FILTER_KEYS]
        options = options_of({k: searched[k] for k in keys})
        return cls(_with_point(options, near), int(searched.get("limit") or DEFAULT_LIMIT))

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`trialfinder.service.searching.search` (without client,
        limit and progress)."""
        return {"options": self.options}

    def demo_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`trialfinder.service.searching.search_records` on the
        demo set: the topic only (every filter applies afterwards, locally)."""
        return {"options": self.options.only(_TOPIC)}


def local_filters(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
                  point: tuple[float, float] | None) -> LocalFilters:
    """The filter widgets of ``state`` as :class:`LocalFilters`, plus the search's place (for
    distances, within the radius of ``state``) and the start-date range it asked for. Raises
    ``InvalidQueryError`` for values the library refuses."""
    given = searched or {}
    values = {key: state[key] for key in FILTER_KEYS if key in state}
    values |= {key: given.get(key) or "" for key in ("start_from", "start_to")}
    options = options_of(values)
    if point is not None:
        radius = get_option("radius").from_python(state["radius"], "radius")
        options = options.replace(near=Near(point=point), radius=radius)
    return filters_of(options)
