"""The page: search on top, then the first screen, the results, or one study's page."""

from __future__ import annotations

import streamlit as st

from trialfinder import service
from trialfinder.core.errors import TrialFinderError
from trialfinder.places.resolve import Place
from trialfinder.topics import demo
from trialfinder.views.text import escape_md
from trialfinder.views.urlstate import wider_than_search

from .aboutyou import about_you
from .charts import show_charts
from .detail import show_study
from .fetch import run_search
from .landing import landing, search_form, topic_cards
from .mapview import show_map
from .results import results_heading, show_results
from .sidebar import NOT_ADVICE, country_filter, sidebar
from .state import boot_from_url, current_filters, leave_demo, state, write_url
from .style import apply_style, focus_results
from .watches import save_panel, whats_new

VIEWS = {"list": "Studies", "map": "Map and charts", "topics": "Topics", "new": "What’s new"}


def demo_banner() -> None:
    if st.session_state.get("demo"):
        st.warning(demo.DEMO_BANNER, icon=":material/science:")


def filtered(fetched: service.Results, place: Place | None) -> service.Results | None:
    """The fetched studies under the current filters (``None`` with a message on error)."""
    try:
        return fetched.refilter(current_filters((place.lat, place.lon) if place else None))
    except TrialFinderError as exc:
        st.error(f"The filters could not be applied: {escape_md(exc)}")
        return None


def main() -> None:
    st.set_page_config(page_title="Trial finder", page_icon="🔎", layout="wide",
                       initial_sidebar_state="auto")
    apply_style()
    boot_from_url()
    ss = st.session_state
    sidebar()

    st.title("Trial finder", anchor=False)
    st.caption("Find clinical trials on ClinicalTrials.gov and narrow them down. " + NOT_ADVICE)
    if ss.get("notice"):
        st.info(escape_md(ss.pop("notice")))
    if ss.get("demo"):
        st.button("Back to live ClinicalTrials.gov data", key="leave_demo", on_click=leave_demo)
    demo_banner()

    searched = ss.get("searched")
    fresh = bool(ss.pop("_refresh", False))  # the Refresh button of an old list
    focus = bool(ss.pop("_focus_results", False))  # set by a search: focus its results
    fetched, place = (run_search(searched, bool(ss.get("demo")), fresh=fresh) if searched
                      else (None, None))
    country_filter(fetched)
    results = filtered(fetched, place) if fetched is not None else None
    if results is not None and ss.get("study") and ss["study"] in set(
            results.studies["nct_id"].astype(str)):
        show_study(results, place, str(ss["study"]), bool(ss.get("demo")))
        write_url()
        return
    if results is not None and ss.get("study"):
        st.info(f"Study {escape_md(ss['study'])} is not among these results.")
        ss["study"] = None

    if not searched:
        search_form()
        landing()
        write_url()
        return
    with st.expander("New search", expanded=fetched is None):
        search_form()
    if fetched is None or results is None:
        st.caption("No studies to list, because the search could not run.")
        topic_cards()
        write_url()
        return
    wider = wider_than_search(state(), searched) if not ss.get("demo") else []
    if wider:
        st.info(f"Your filters are now wider than what the last search asked "
                f"ClinicalTrials.gov for ({', '.join(wider)}). Press Search in the sidebar "
                "to fetch the extra studies.")
    if ss.get("view") not in VIEWS:  # the control was not drawn while a study was open
        ss["view"] = ss.get("_view") if ss.get("_view") in VIEWS else "list"
    view = st.segmented_control("Show", list(VIEWS), key="view", format_func=VIEWS.__getitem__,
                                required=True, label_visibility="collapsed")
    ss["_view"] = view
    if view == "map":
        show_map(results, place)
        show_charts(results)
    elif view == "topics":
        topic_cards()
    elif view == "new":
        whats_new()
    else:
        results_heading(results)
        if focus:
            focus_results()
        screen = about_you(results, place) if len(results.studies) else None
        ranking = list(screen.studies["nct_id"].astype(str)) if screen is not None else None
        show_results(results, fetched, searched, bool(ss.get("demo")), ranking)
        save_panel(searched, place, bool(ss.get("demo")))
    write_url()
