"""Why the list is empty: the registry found nothing, or the filters removed everything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from trialfinder import service
from trialfinder.core.errors import TrialFinderError
from trialfinder.views.extrafilters import DATE_RANGES
from trialfinder.views.provenance import nothing_found
from trialfinder.views.request import local_filters
from trialfinder.views.searchline import cleared, suggestions
from trialfinder.views.summary import filter_words, step_key, without
from trialfinder.views.text import escape_md, plural
from trialfinder.views.urlstate import RADII, filter_defaults

from .state import clear_filters, search_again, state, undo_filter


def explain_empty(results: service.Results, fetched: service.Results,
                  searched: Mapping[str, Any], demo_mode: bool) -> None:
    total = len(fetched.all.studies)
    if total == 0:
        tips = suggestions(searched, RADII)
        st.info(escape_md(nothing_found(fetched.meta, demo_mode))
                + (" Each button below searches again with one change." if any(
                    t.changes for t in tips) else ""))
        for index, tip in enumerate(tips):
            if tip.changes:
                st.button(escape_md(tip.words), key=f"retry_{index}", on_click=search_again,
                          args=(dict(tip.changes),))
            else:
                st.caption(escape_md(tip.words) + ".")
        return
    # an undo that would still show nothing is a dead end: only those that show studies
    undo = [(key, count) for key, count in _undo_options(results, fetched) if count]
    far = any(step_key(s.name) == "radius" and s.removed for s in results.steps)
    farther = _farther(results, fetched, searched, demo_mode) if far else []
    st.warning(f"{'Your filters and the distance' if far else 'Your filters'} removed all "
               f"{plural(total, 'study', 'studies')} that were fetched.")
    for key, count in undo[:3]:
        words = escape_md(filter_words(key, state()))
        st.button(f"Undo {words} (shows {plural(count, 'study', 'studies')})",
                  key=f"undo_{key}", on_click=undo_filter, args=(key,))
    for index, (words, changes) in enumerate(farther):
        st.button(words, key=f"farther_{index}", on_click=search_again,
                  args=(changes,))
    st.button("Clear all filters", key="clear_filters_empty", on_click=clear_filters)


def _farther(results: service.Results, fetched: service.Results,
             searched: Mapping[str, Any], demo_mode: bool) -> list[tuple[str, dict[str, Any]]]:
    """When the distance removed studies (the demo's, which are fetched whatever the place,
    or a site farther than the registry's own measure): a search a step farther away (its
    button's words, Markdown). The
    demo's list holds every study of the topic, so the nearest distance that shows some is
    offered, with their number (or, when none does, the search without a place)."""
    current = state()
    if not demo_mode:
        return [(escape_md(t.words), dict(t.changes)) for t in suggestions(searched, RADII)
                if "radius" in t.changes or "place" in t.changes]
    tries: list[tuple[str, dict[str, Any]]] = [
        (f"Search within {r} miles", {"radius": r})
        for r in RADII if r > int(current.get("radius") or 0)]
    tries.append(("Search without a place", cleared(["place", "radius"])))
    for words, changes in tries:
        near = results.filters.near if "place" not in changes else None
        try:
            count = len(fetched.refilter(local_filters(current | changes, searched,
                                                       near)).studies)
        except TrialFinderError:
            return []
        if count:
            return [(f"{words} (shows {plural(count, 'study', 'studies')})", changes)]
    return []


def _undo_options(results: service.Results,
                  fetched: service.Results) -> list[tuple[str, int]]:
    """Each active filter with the number of studies shown without it, most first."""
    current = state()
    place = results.filters.near
    searched = st.session_state.get("searched")
    options: list[tuple[str, int]] = []
    keys = dict.fromkeys(k for k in (step_key(s.name) for s in results.steps if s.removed)
                         if k in filter_defaults() or k in DATE_RANGES)
    for key in keys:
        try:
            loose_state = without(current, key)
            loose = fetched.refilter(local_filters(loose_state, searched, place))
        except TrialFinderError:
            continue
        options.append((key, len(loose.studies)))
    return sorted(options, key=lambda item: -item[1])
