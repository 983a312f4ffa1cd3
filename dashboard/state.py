"""Session state glue: the submitted search and the buttons' callbacks (the URL is read and
written by :mod:`dashboard.navigation`).

The rules themselves (defaults, URL parsing, what a search is) are in
:mod:`trialfinder.views.urlstate`; this module only applies them to ``st.session_state``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    too_long = urlstate.overlong({k: ss.get(k) for k in urlstate.TEXT_SEARCH_KEYS})
    if too_long:
        ss["notice"] = too_long
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
    # the main column's search box says what was searched (a bad place can be corrected)
    ss["q_words"], ss["q_place"] = ss.get("condition") or "", ss.get("place") or ""
    ss["q_radius"] = ss.get("radius")
    ss["_filters_open"] = False  # the phone's search panel closes: the results show
    ss.pop("_return_to", None)
    for key in ("sort", "_sort"):  # each search starts in its default order (nearest first
        ss.pop(key, None)          # near a place)
    for widget in ("table", "map"):  # a row or dot picked in the last results
        ss.pop(widget, None)


def _clear_search_text() -> None:
    for key in urlstate.TEXT_SEARCH_KEYS:
        st.session_state[key] = ""
    st.session_state["preset"] = ""


def start_preset(name: str, typed: bool = False) -> None:
    """A topic card or button: that topic's search with every filter back at its default;
    ``typed`` (a card of the first screen, in its search form): with the words and place
    typed above the cards, and the distance chosen there."""
    ss = st.session_state
    words = place = ""
    if typed:
        words, place = str(ss.get("q_words") or "").strip(), str(ss.get("q_place") or "").strip()
        too_long = urlstate.overlong({"condition": words, "place": place})
        if too_long:
            ss["notice"] = too_long
            return
    _clear_search_text()
    _reset_filters()
    ss["preset"], ss["condition"], ss["place"] = name, words, place
    if typed and ss.get("q_radius") in urlstate.RADII:
        ss["radius"] = ss["q_radius"]
    _start()


def quick_search() -> None:
    """The main column's search form: the words and place typed there, filters reset. A
    place typed alone after a topic's search keeps that topic (the form says so: its words
    box is empty for a topic, and the topic was silently dropped)."""
    ss = st.session_state
    words, place = str(ss.get("q_words") or "").strip(), str(ss.get("q_place") or "").strip()
    if not words and not place:
        ss["notice"] = "Type a condition or other words (or a place) to search for."
        return
    too_long = urlstate.overlong({"condition": words, "place": place})
    if too_long:
        ss["notice"] = too_long
        return
    topic = "" if words else str((ss.get("searched") or {}).get("preset") or "")
    _clear_search_text()
    _reset_filters()
    ss["condition"], ss["place"], ss["preset"] = words, place, topic
    if ss.get("q_radius") in urlstate.RADII:
        ss["radius"] = ss["q_radius"]
    _start()


def search_again(changes: Mapping[str, Any]) -> None:
    """A chip's ✕ or a suggestion's button: the last search again (as it was submitted, with
    the filters as they are now), with ``changes`` made to its widgets."""
    ss = st.session_state
    searched = ss.get("searched") or {}
    values = {key: searched[key] for key in urlstate.SEARCH_KEYS if key in searched}
    values |= {key: list(v) if isinstance(v, tuple) else v for key, v in changes.items()}
    if not urlstate.has_topic(state() | values) and not ss.get("demo"):
        ss["notice"] = "A search needs a topic, words or a place, so that part was kept."
        return
    for key, value in values.items():
        ss[key] = value
    _start()


def open_filters(is_open: bool) -> None:
    """The "Search and filters" button (a phone has no sidebar on screen): the whole search
    form and the filters open in the page itself; a search, or Close, closes them."""
    st.session_state["_filters_open"] = is_open
    st.session_state["_filters_focus"] = "panel" if is_open else "toggle"  # where it goes


def clear_filters() -> None:
    _reset_filters()


def undo_filter(key: str) -> None:
    """One filter back at its default (the undo offered when filters removed everything)."""
    current = state()
    for name, value in without(current, key).items():
        if current.get(name) != value:
            st.session_state[name] = value


def open_study(nct: str | None) -> None:
    """Open a study's page at its top (``None``: back to the view the study was opened
    from, at the card that opened it). A card's button, a table row and a map dot all come
    here; so does the browser's Back or Forward (:mod:`dashboard.navigation`)."""
    ss = st.session_state
    left = ss.get("study")
    ss["study"] = nct
    if nct is None:
        ss["view"] = ss.get("_view") or "list"
        if left:
            ss["_return_to"] = str(left)
    elif nct != left:
        ss["_opened"] = True
        ss["_filters_open"] = False


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
