"""Saved searches on the page: "Save this search" under the results, and the "What's new"
view, which runs a saved search and lists what changed since its previous run, one row per
study.

Watches live in the local study store (``TRIALFINDER_DATA_DIR`` or the user's data folder) of
the computer that runs the dashboard: everyone who opens this dashboard sees the same saved
searches, and the page says so. ``TRIALFINDER_SAVED_SEARCHES=0`` turns the feature off (for a
dashboard served to other people). Demo searches cannot be saved: the demo studies are
invented, so there is nothing to follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from trialfinder.core.config import Settings
from trialfinder.core.errors import TrialFinderError
from trialfinder.places.resolve import Place
from trialfinder.service.watchrun import run_watch
from trialfinder.store.feed import feed_bytes, watch_feed_id
from trialfinder.store.watch import Change, clean_options, save_watch, saved_watches
from trialfinder.views.text import escape_md, plural
from trialfinder.views.watches import (
    describe_watch,
    feed_name,
    radius_of,
    study_line,
    study_rows,
    suggest_name,
    watch_options,
)

from .style import focus_whats_new

SHOWN = 200  # studies listed at most
SHARED = ("Saved searches are kept on the computer that runs this dashboard and are shared: "
          "everyone who opens this dashboard sees them and can check them. Give yours a name "
          "that says nothing private.")
TURNED_OFF = ("Saved searches are turned off on this dashboard (its setting "
              "TRIALFINDER_SAVED_SEARCHES is 0).")


def enabled() -> bool:
    try:
        return Settings().saved_searches
    except TrialFinderError:  # an unreadable setting: off, rather than shared by mistake
        return False


def _note(kind: str, text: str) -> None:
    st.session_state["_watch_note"] = (kind, text)


def _save(searched: Mapping[str, Any], near: tuple[float, float] | None) -> None:
    """The button's callback: save the search, then run it once so that the next check
    has something to compare with."""
    ss = st.session_state
    name = " ".join(str(ss.get("watch_name") or "").split()) or suggest_name(searched)
    try:
        options = watch_options(searched, near)
        if any(w.name == name and w.options == clean_options(options) for w in saved_watches()):
            ss["watch_pick"] = name  # saved already (a second press, or Enter then the button)
            _note("success", f"This search is saved as “{escape_md(name)}” already. Open "
                  "“What’s new” to see what changed since then.")
            return
        watch = save_watch(name, options)
    except TrialFinderError as exc:
        _note("error", f"The search could not be saved: {escape_md(exc)}")
        return
    try:
        run_watch(watch.name, settings=Settings())
    except TrialFinderError as exc:
        _note("warning", f"Saved as “{escape_md(watch.name)}”, but its first check failed "
              f"({escape_md(exc)}); “Check for changes” will try again.")
        return
    ss["watch_pick"] = watch.name
    _note("success", f"Saved as “{escape_md(watch.name)}”. Open “What’s new” to see what "
          "changed since now.")


def save_panel(searched: Mapping[str, Any], place: Place | None, demo_mode: bool) -> None:
    """"Save this search" (off, with a note, for the demo or by the setting)."""
    st.subheader("Follow this search", anchor=False)
    if not enabled():
        st.caption(TURNED_OFF)
        return
    if demo_mode:
        st.caption("Saving is off with the demo data: the demo studies are invented, so "
                   "there is nothing real to follow. Go back to live data to save a search.")
        st.button("Save this search", key="save_watch", disabled=True)
        return
    st.caption("Save it, and “What’s new” lists the studies that appear, start recruiting, "
               "gain a site near you or close. " + SHARED)
    # a form, so that Enter (a phone keyboard's Go) in the name saves, as the button does
    with st.form("save_form", border=False, enter_to_submit=True):
        cols = st.columns([3, 1], vertical_alignment="bottom")
        cols[0].text_input("Name of the saved search", key="watch_name",
                           placeholder=suggest_name(searched), max_chars=80)
        cols[1].form_submit_button(
            "Save this search", key="save_watch", on_click=_save,
            args=(searched, (place.lat, place.lon) if place else None), width="stretch")
    _show_note()


def _show_note() -> None:
    note = st.session_state.pop("_watch_note", None)
    if note:
        kind, text = note
        {"success": st.success, "warning": st.warning}.get(kind, st.error)(text)


def _check(name: str) -> None:
    ss = st.session_state
    try:
        changes = run_watch(name, settings=Settings())
    except TrialFinderError as exc:
        _note("error", f"The check could not run: {escape_md(exc)}")
        return
    ss["_watch_changes"] = (name, changes)


def saved_card() -> None:
    """The first screen's way back to the saved searches (someone coming back starts there,
    with no search of this session): how many there are and a button to *What's new*.
    Nothing when there are none, when they are off, or in the demo."""
    ss = st.session_state
    if ss.get("demo") or not enabled():
        return
    try:
        count = len(saved_watches())
    except TrialFinderError:
        return  # said by What's new itself, once opened from a search
    if not count:
        return
    with st.container(border=True):
        st.markdown(f"**Coming back?** This dashboard has "
                    f"{plural(count, 'saved search', 'saved searches')}.")
        st.button("What’s new in the saved searches", key="open_new", on_click=_open_new)
    if st.session_state.pop("_new_focus", None) == "open_new":  # back: on the button again
        focus_whats_new(heading=False)


def _open_new() -> None:
    st.session_state["view"] = st.session_state["_view"] = "new"
    st.session_state["_new_focus"] = "new"


def _leave_new() -> None:
    st.session_state["view"] = st.session_state["_view"] = "list"
    st.session_state["_new_focus"] = "open_new"


def new_alone() -> None:
    """*What's new* opened from the first screen (no search yet): its own heading and a
    way back to the search box. Opened by its button, the focus goes to its heading."""
    with st.container(key="new_alone"):
        st.button("← Search for studies", key="leave_new", on_click=_leave_new)
        st.header("What’s new", anchor=False)
    if st.session_state.pop("_new_focus", None) == "new":
        focus_whats_new(heading=True)
    whats_new()


def whats_new() -> None:
    """The saved searches, and what changed in the one picked since its previous run."""
    ss = st.session_state
    if not enabled():
        st.info(TURNED_OFF)
        return
    try:
        watches = {w.name: w for w in saved_watches()}
    except TrialFinderError as exc:
        st.error(f"The saved searches could not be read: {escape_md(exc)}")
        return
    if not watches and ss.get("demo"):  # the demo's "Save this search" is switched off
        st.info("No saved searches yet. The demo studies are invented, so they cannot be "
                "followed: go back to live ClinicalTrials.gov data, search, and press “Save "
                "this search” under the list of studies.")
        return
    if not watches:
        st.info("No saved searches yet. Press “Save this search” under a list of studies.")
        return
    st.caption(SHARED)
    if ss.get("watch_pick") not in watches:
        ss["watch_pick"] = next(iter(watches))
    name = str(st.selectbox("Saved search", list(watches), key="watch_pick"))
    watch = watches[name]
    st.caption("Looks for: " + escape_md(describe_watch(watch.options)))
    st.button("Check for changes", key="run_watch", on_click=_check, args=(name,),
              type="primary")
    _show_note()
    found = ss.get("_watch_changes")
    if not found or found[0] != name:
        return
    changes: list[Change] = list(found[1])
    if not changes:
        st.success("Nothing changed since the previous check.")
        return
    near = watch.options.near
    rows = study_rows(changes, radius_of(watch.options), near.place if near else "")
    st.caption(f"{plural(len(rows), 'study', 'studies')} changed since the previous check"
               + (f", the first {SHOWN:,} listed." if len(rows) > SHOWN else ".")
               + " Each title opens the study’s page here, in a new tab.")
    st.markdown("\n".join(study_line(row) for row in rows[:SHOWN]))
    day = datetime.now(UTC).date().isoformat()
    st.download_button(
        "These changes as a feed (Atom)",
        lambda: feed_bytes(changes, title=f"trialfinder saved search: {name}",
                           feed_id=watch_feed_id([name])),
        feed_name(name, day), "application/atom+xml", key="dl_feed", on_click="ignore")
