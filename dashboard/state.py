"""Session state glue: the URL on the first run, the submitted search, buttons' callbacks.

The rules themselves (defaults, URL parsing, what a search is) are in
:mod:`trialfinder.views.urlstate`; this module only applies them to ``st.session_state``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from trialfinder.tables.filters import LocalFilters
from trialfinder.views import urlstate
from trialfinder.views.request import local_filters
from trialfinder.views.summary import without

CARDS_PAGE = 20  # result cards drawn at a time


def state() -> dict[str, Any]:
    """A plain copy of the session state (for the pure functions)."""
    return dict(st.session_state.to_dict())


def boot_from_url() -> None:
    """On the first run of a session, fill the widgets (and the search) from the URL."""
    ss = st.session_state
    if ss.get("_booted"):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    values, ignored = urlstate.read_url(params)
    for key, value in values.items():
        ss[key] = value
    ss["demo"] = params.get("demo") == ["1"]
    ss["searched"] = (urlstate.snapshot(values)
                      if urlstate.has_topic(values) or ss["demo"] else None)
    ss["view"] = "list"
    notices = [urlstate.unreadable_study(params) or ""]
    if values["study"] and ss["searched"] is None:
        ss["study"] = None
        notices.append(f"The link named study {values['study']} but no search to find it in; "
                       "search first, then open it from the results.")
    if ignored:
        notices.append("The link’s " + ", ".join(f"“{n}”" for n in ignored)
                       + (" value was" if len(ignored) == 1 else " values were")
                       + " not understood and left at the default.")
    if any(notices):
        ss["notice"] = " ".join(n if n.endswith(".") else n + "." for n in notices if n)
    ss["_booted"] = True


def write_url() -> None:
    ss = st.session_state
    wanted = urlstate.url_params(state(), ss.get("searched"), bool(ss.get("demo")))
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if wanted != current:
        st.query_params.from_dict(wanted)


def _reset_filters(keys: tuple[str, ...] = urlstate.FILTER_KEYS) -> None:
    base = urlstate.filter_defaults()
    for key in keys:
        st.session_state[key] = base[key]


def submit_search() -> None:
    """The sidebar's Search button: fetch what the sidebar says. A new topic clears the
    filters the API never sees (keyword, treatment type, country)."""
    ss = st.session_state
    if not urlstate.has_topic(state()) and not ss.get("demo"):
        ss["notice"] = "Pick a topic, or type a condition, treatment, words or a place first."
        return
    if urlstate.topic_changed(state(), ss.get("searched")):
        _reset_filters(urlstate.LOCAL_ONLY)
    _start()


def _start() -> None:
    ss = st.session_state
    ss["searched"] = urlstate.snapshot(state())
    ss["study"] = None
    ss["_table_pick"] = None
    ss["_map_pick"] = None
    ss["cards_shown"] = CARDS_PAGE
    ss["view"] = ss["_view"] = "list"
    ss["_focus_results"] = True  # the page moves the keyboard focus to the results
    ss.pop("sort", None)  # each search starts in its default order (nearest first near a place)
    for widget in ("table", "map"):  # a row or dot picked in the last results
        ss.pop(widget, None)


def _clear_search_text() -> None:
    for key in urlstate.TEXT_SEARCH_KEYS:
        st.session_state[key] = ""
    st.session_state["preset"] = ""


def start_preset(name: str) -> None:
    """A topic card or button: that topic's search with every filter back at its default."""
    _clear_search_text()
    _reset_filters()
    st.session_state["preset"] = name
    _start()


def quick_search() -> None:
    """The main column's search form: the words and place typed there, filters reset."""
    ss = st.session_state
    words, place = str(ss.get("q_words") or "").strip(), str(ss.get("q_place") or "").strip()
    if not words and not place:
        ss["notice"] = "Type a condition or other words (or a place) to search for."
        return
    _clear_search_text()
    _reset_filters()
    ss["condition"], ss["place"] = words, place
    _start()


def clear_filters() -> None:
    _reset_filters()


def undo_filter(key: str) -> None:
    """One filter back at its default (the undo offered when filters removed everything)."""
    current = state()
    for name, value in without(current, key).items():
        if current.get(name) != value:
            st.session_state[name] = value


def open_study(nct: str | None) -> None:
    """Open a study's page (``None``: back to the view the study was opened from)."""
    ss = st.session_state
    ss["study"] = nct
    if nct is None:
        ss["view"] = ss.get("_view") or "list"


def use_demo() -> None:
    st.session_state["demo"] = True
    if urlstate.has_topic(state()):
        _start()
    else:
        start_preset("muscle-spasm")


def leave_demo() -> None:
    ss = st.session_state
    ss["demo"] = False
    ss["searched"] = urlstate.snapshot(state()) if urlstate.has_topic(state()) else None


def current_filters(point: tuple[float, float] | None) -> LocalFilters:
    """The filter widgets as :class:`LocalFilters` (plus the search's place, for distances)."""
    return local_filters(state(), st.session_state.get("searched"), point)
