"""The page: search on top, then the first screen, the results, or one study's page (its
address and the browser's Back and Forward: :mod:`dashboard.navigation`)."""

from __future__ import annotations

import streamlit as st

from trialfinder import service
from trialfinder.core.errors import TrialFinderError
from trialfinder.places.resolve import Place
from trialfinder.topics import demo
from trialfinder.views.device import phone_browser
from trialfinder.views.text import NOT_ADVICE, escape_md
from trialfinder.views.urlstate import VIEWS, wider_than_search

from .aboutyou import about_you
from .charts import show_charts
from .fetch import run_search
from .landing import landing, search_form, topic_cards
from .mapview import show_map
from .navigation import returned, study_page, sync_from_url, write_url
from .results import results_heading, searched_line, show_results
from .sidebar import SIDEBAR_WIDTH, country_filter, filters_button, sidebar
from .state import current_filters, leave_demo, search_again, state
from .style import apply_style, focus_filters, focus_results
from .watches import new_alone, save_panel, whats_new


def demo_banner(fictional: bool) -> None:
    if fictional:
        st.warning(demo.DEMO_BANNER, icon=":material/science:")


def is_fictional(fetched: service.Results | None) -> bool:
    """Whether the page shows fictional studies: the demo's, or any whose id is of the
    fictional range whatever served them (a stand-in of the API), by the one rule of
    :func:`trialfinder.topics.demo.shows_fictional`."""
    if st.session_state.get("demo"):
        return True
    return fetched is not None and demo.shows_fictional(
        fetched.all.studies["nct_id"].astype(str))


def filtered(fetched: service.Results, place: Place | None) -> service.Results | None:
    """The fetched studies under the current filters (``None`` with a message on error)."""
    try:
        return fetched.refilter(current_filters((place.lat, place.lon) if place else None))
    except TrialFinderError as exc:
        st.error(f"The filters could not be applied: {escape_md(exc)}")
        return None


def main() -> None:
    # a width keeps Streamlit's "auto" (closed at most 768 px wide; the style closes it on a
    # short screen too: a phone turned sideways); a phone's browser starts it closed, so that
    # sideways it is never drawn before that script runs (the width is kept for its opening)
    st.set_page_config(page_title="Trial finder", page_icon="🔎", layout="wide",
                       initial_sidebar_state=SIDEBAR_WIDTH)
    if phone_browser(st.context.headers.get("User-Agent")):
        st.set_page_config(initial_sidebar_state="collapsed")
    scripts = apply_style()
    sync_from_url()
    write_url()  # the new address before the page it names (a Back then leaves this page)
    ss = st.session_state
    nct = str(ss["study"]) if ss.get("study") else None

    with st.container(key="masthead"):  # a phone opens a study just below it
        st.title("Trial finder", anchor=False)
        st.caption("Find clinical trials on ClinicalTrials.gov (and ISRCTN, if you choose) and "
                   "narrow them down. " + NOT_ADVICE)
    in_page = bool(ss.get("_filters_open")) and nct is None
    if nct is None and not in_page:
        filters_button()
    where = sidebar(in_page)
    focus_filters(scripts, ss.pop("_filters_focus", None))
    if ss.get("notice"):
        st.info(escape_md(ss.pop("notice")))
    if ss.get("demo"):
        st.button("Back to live ClinicalTrials.gov data", key="leave_demo", on_click=leave_demo)

    searched = ss.get("searched")
    fresh = bool(ss.pop("_refresh", False))  # the Refresh button of an old list
    focus = bool(ss.pop("_focus_results", False))  # set by a search: focus its results
    fetched, place = (run_search(searched, bool(ss.get("demo")), fresh=fresh) if searched
                      else (None, None))
    # a study opened alone (a bare ?study= link) is fictional by its own id: no search ran
    fictional = is_fictional(fetched) or (nct is not None and demo.shows_fictional([nct]))
    demo_banner(fictional)
    country_filter(fetched, where)
    results = filtered(fetched, place) if fetched is not None else None
    if nct is not None and study_page(results, place, nct, bool(ss.get("demo"))):
        write_url()
        return

    if not searched:  # What's new needs no search: the first screen's saved searches open it
        new_alone() if ss.get("view") == "new" else landing()
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
                f"ClinicalTrials.gov for ({', '.join(wider)}). Search again to fetch the "
                "extra studies.")
        st.button("Search again with these filters", key="search_wider",
                  on_click=search_again, args=({},))
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
        results_heading(results, fictional)
        focus_results(focus)
        searched_line(searched, bool(ss.get("demo")), place)
        fits = about_you(results, place) if len(results.studies) else None
        show_results(results, fetched, searched, fictional, fits)
        save_panel(searched, place, bool(ss.get("demo")))
    returned()
    write_url()
