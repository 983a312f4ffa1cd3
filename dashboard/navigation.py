"""Addresses and the browser's history: each view of the page has its own link.

The URL holds the search, the filters and the open study (:mod:`trialfinder.views.urlstate`).
It is read on the first run of a session, and again on the run of a Back or Forward (Streamlit
reruns the page with the address of that step of the history and marks the run as such), so
a study left with Back gives the list again, and Forward the study. Any other run may carry an
older address than the page's (the browser asked for it before the last run's new address
reached it: a filter typed, then a click while the page still ran); that address is not read,
or what the person just typed would go back to its old value. Each run writes the URL from the
page's state first, before it draws anything, then again at its end if the run changed it:
Streamlit adds a step to the history when it changes (a study opened, a search, a filter) and
replaces the step during a Back or Forward. Written first, the new step is in the history by
the time its page shows, so a Back pressed as soon as a study shows leaves that study.

A study opens at its top with the keyboard focus on its title; back on the list, the card
that opened it is on screen with the focus on its button (the focus helper of
:mod:`dashboard.style`). A link naming only a study (``?study=NCT…``) opens it: its record is
fetched on its own when no search is in hand, or when the search's results lack it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from trialfinder import service
from trialfinder.options import Refused
from trialfinder.places.resolve import Place
from trialfinder.views import urlstate
from trialfinder.views.text import escape_md

from .aboutyou import study_fit
from .detail import show_study
from .fetch import load_alone
from .state import CARDS_PAGE, state
from .style import focus_card, focus_study


def _params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def browser_moved() -> bool:
    """Whether this run is the browser's Back or Forward (the only runs whose address is
    newer than the page's state)."""
    ctx = get_script_run_ctx()
    return ctx is not None and ctx.is_history_navigation


def sync_from_url() -> None:
    """Read the URL on the first run of a session, and again on a Back or Forward that
    changed it since this page last wrote it."""
    ss = st.session_state
    # a run that Streamlit stopped (a newer rerun came) may have marked the card without
    # bringing it into view: each run marks it afresh
    ss.pop("_marked", None)
    params = _params()
    if not ss.get("_booted"):
        _boot(params)
    elif params != ss.get("_url") and browser_moved():
        _follow(params)
    ss["_url"] = params


def _apply(params: dict[str, list[str]]) -> tuple[dict[str, Any], list[Refused]]:
    """Put the URL's search, filters and study into the widgets; return them (and the
    values left out, and why)."""
    ss = st.session_state
    values, ignored = urlstate.read_url(params)
    for key, value in values.items():
        ss[key] = value
    ss["_sort"] = values["sort"]  # the list's order while a study is open (see sort_control)
    # the view the link names (the map, the list as a table...), kept while a study is open
    ss["view"], ss["as_table"], _ = urlstate.linked_view(params)
    ss["_view"], ss["_as_table"] = ss["view"], ss["as_table"]
    ss["demo"] = params.get("demo") == ["1"]
    ss["searched"] = (urlstate.snapshot(values)
                      if urlstate.has_topic(values) or ss["demo"] else None)
    return values, ignored


def _boot(params: dict[str, list[str]]) -> None:
    ss = st.session_state
    values, ignored = _apply(params)
    notices = [urlstate.unreadable_study(params) or "", urlstate.radius_note(params) or "",
               urlstate.linked_view(params)[2] or "",
               urlstate.sort_note(params, bool(values["place"].strip()),
                                  bool(ss["searched"])) or "",
               urlstate.unknown_params(params) or "",
               urlstate.ignored_note(ignored) or ""]
    if any(notices):
        ss["notice"] = " ".join(n if n.endswith(".") else n + "." for n in notices if n)
    if ss.get("study"):  # a link to a study opens it as a card does (a phone: whom to call)
        ss["_opened"] = True
    ss["_booted"] = True


def _follow(params: dict[str, list[str]]) -> None:
    """A Back or Forward: the page becomes what that step of the history was."""
    ss = st.session_state
    left, before = ss.get("study"), ss.get("searched")
    values, _ = _apply(params)
    if ss["searched"] != before:  # another search: its list starts at the top
        ss["cards_shown"] = CARDS_PAGE
        ss.pop("_return_to", None)
    if values["study"] and values["study"] != left:
        ss["_opened"] = True
    elif left and not values["study"]:
        ss["view"] = ss.get("_view") or "list"
        ss["_return_to"] = str(left)


def write_url() -> None:
    """The URL of what the page shows (first in each run, before anything is drawn, and
    again at its end: only a change is sent)."""
    ss = st.session_state
    current = state()
    current.setdefault("sort", ss.get("_sort"))  # the list's order, kept while a study is open
    if current.get("view") not in urlstate.VIEWS:  # the view's control is not drawn then either
        current["view"] = ss.get("_view")
    current.setdefault("as_table", ss.get("_as_table"))
    wanted = urlstate.url_params(current, ss.get("searched"), bool(ss.get("demo")))
    # The page's address once it has read what was sent: the one it asked this run with,
    # unless an address sent earlier reaches it after it asked (then that one).
    if wanted != _params() or wanted != ss.get("_sent", wanted):
        st.query_params.from_dict(wanted)
        ss["_sent"] = wanted
    ss["_url"] = wanted


def study_page(results: service.Results | None, place: Place | None, nct: str,
               demo_mode: bool) -> bool:
    """The page of study ``nct``: from the results when they hold it, else its own record
    fetched alone. ``False`` (with a note, the study closed) when it cannot be shown."""
    ss = st.session_state
    in_hand = results is not None and nct in set(results.studies["nct_id"].astype(str))
    shown = results
    if not in_hand:
        near = (place.lat, place.lon) if place else None
        alone = load_alone(nct, near, demo_mode)
        if alone is None:
            ss["study"] = None
            ss.pop("_opened", None)
            return False
        shown = alone.results
        if results is not None:
            st.caption(f"Study {escape_md(nct)} is not among this search’s results; "
                       "this is its own record.")
    assert shown is not None
    show_study(shown, place, nct, demo_mode, study_fit(shown, place, nct))
    if ss.pop("_opened", False):
        focus_study()
    return True


def return_marker(nct: str) -> bool:
    """True for the card of the study just left: the caller wraps it in the ``return_card``
    container that :func:`returned` brings into view."""
    ss = st.session_state
    if ss.get("_return_to") != nct or ss.get("_marked"):
        return False
    ss["_marked"] = True
    return True


def returned() -> None:
    """After the view is drawn: the card of the study just left (if it was drawn) comes into
    view, once. The card is forgotten only once the script that brings it into view is sent
    (a run stopped by a newer one before that marks it again)."""
    ss = st.session_state
    if ss.pop("_marked", False):
        focus_card()
    ss.pop("_return_to", None)
