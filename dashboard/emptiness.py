"""Why the list is empty: the registry found nothing, or the filters removed everything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from trialfinder import service
from trialfinder.core.errors import TrialFinderError
from trialfinder.views.extrafilters import DATE_RANGES
from trialfinder.views.request import local_filters
from trialfinder.views.summary import filter_words, registry_suggestions, step_key, without
from trialfinder.views.text import escape_md, plural
from trialfinder.views.urlstate import RADII, filter_defaults

from .state import clear_filters, state, undo_filter


def explain_empty(results: service.Results, fetched: service.Results,
                  searched: Mapping[str, Any], demo_mode: bool) -> None:
    total = len(fetched.all.studies)
    if total == 0:
        where = "the demo data hold" if demo_mode else "ClinicalTrials.gov found"
        tips = registry_suggestions(searched, RADII)
        st.info(f"No study: {where} nothing for this search, before any filter of this page."
                + (" Try " + "; ".join(escape_md(t) for t in tips) + ", then Search again."
                   if tips else ""))
        return
    undo = _undo_options(results, fetched)
    st.warning(f"Your filters removed all {plural(total, 'study', 'studies')} that were "
               "fetched.")
    for key, count in undo[:3]:
        words = escape_md(filter_words(key, state()))
        st.button(f"Undo {words} (shows {plural(count, 'study', 'studies')})",
                  key=f"undo_{key}", on_click=undo_filter, args=(key,))
    st.button("Clear all filters", key="clear_filters_empty", on_click=clear_filters)


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
