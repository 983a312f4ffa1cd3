"""The sidebar: the full search (topic, words, place, registry fields) and the filters; on a
phone, where the sidebar is hidden, the same in the page behind a "Search and filters"
button."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from trialfinder import service
from trialfinder.core.codes import Phase, Status, StudyType
from trialfinder.core.errors import TrialFinderError
from trialfinder.registries import DEFAULT_REGISTRY, REGISTRIES
from trialfinder.tables.filters import INTERVENTION_TYPES
from trialfinder.topics import presets
from trialfinder.views.extrafilters import DATE_RANGES, FUNDER_LABELS
from trialfinder.views.text import (
    HV_LABELS,
    INTERVENTION_LABELS,
    NOT_ADVICE,
    RESULTS_LABELS,
    SEX_LABELS,
    code_label,
)
from trialfinder.views.urlstate import RADII, REGISTRY_KEY

from .state import clear_filters, open_filters, submit_search

# The most characters of a topic's name the Topic box shows whole in the sidebar's width
# (``SIDEBAR_WIDTH``): in Chromium, "ALS (amyotrophic lateral sclerosis)" (35) takes 216 of the
# box's 226 px, "Muscle relaxants for spasm and spasticity" (41) 256 px. A longer name is
# written out in full under the box.
LONGEST_SHOWN = 35
#: The sidebar's width in px as it opens (Streamlit's own is 300, whose Topic box, 206 px wide
#: on a laptop, cut the ALS topic's name by 10 px).
SIDEBAR_WIDTH = 320


def preset_title(name: str) -> str:
    if not name:
        return "None (type your own)"
    try:
        return presets.get_preset(name).title
    except TrialFinderError:
        return name


def registry_title(name: str) -> str:
    found = REGISTRIES.get(name)
    return found.title if found is not None else name


def sidebar(in_page: bool = False) -> DeltaGenerator:
    """Search inputs, the Search button and the filters, in the sidebar or (``in_page``: the
    phone's "Search and filters") in the page itself; returns where they are, for the country
    filter drawn after the fetch. Values live in st.session_state, under the same keys in
    either place."""
    ss = st.session_state
    where = st.container(border=True, key="filters_panel") if in_page else st.sidebar
    with where:
        if in_page:
            st.header("Search and filters", anchor=False)
            st.button("Close search and filters", key="filters_close", on_click=open_filters,
                      args=(False,), icon=":material/close:")
        # bold text, not headings: the sidebar comes first in the page, before its one H1
        st.markdown("**Search**")
        with st.form("sidebar_search", border=False, enter_to_submit=True):
            names = ["", *(p.name for p in presets.list_presets())]
            st.selectbox("Topic", names, key="preset", format_func=preset_title,
                         help="A ready-made search for one of the topics this tool focuses on.")
            chosen = preset_title(str(ss.get("preset") or ""))
            if ss.get("preset") and len(chosen) > LONGEST_SHOWN:
                st.caption(chosen)  # the box cuts longer names
            st.text_input("Condition", key="condition", placeholder="e.g. muscle cramp")
            st.text_input("Treatment or drug", key="intervention", placeholder="e.g. magnesium")
            st.text_input("Other words", key="term", placeholder="e.g. night")
            st.text_input("Near (city, ZIP code, UK postcode or lat,lon)", key="place",
                          placeholder="e.g. Boston, MA or 02115")
            st.select_slider("Within (miles)", options=list(RADII), key="radius",
                             help="Used only with a place.")
            st.multiselect("Registries", list(REGISTRIES), key=REGISTRY_KEY,
                           format_func=registry_title,
                           placeholder=REGISTRIES[DEFAULT_REGISTRY].title,
                           help="Where to search. A trial registered in both is listed "
                           "once; ISRCTN has no status of its own, so its status is derived.")
            with st.expander("More registry fields"):
                st.text_input("Words in the title", key="title", placeholder="e.g. magnesium")
                st.text_input("Sponsor", key="sponsor", placeholder="e.g. a university")
                st.text_input("NCT ids", key="ids",
                              placeholder="e.g. NCT99000012 NCT99000017",
                              help="One or more study ids, separated by spaces or commas.")
                st.text_input("Started from", key="start_from",
                              placeholder="e.g. 2020 or 2020-05")
                st.text_input("Started until", key="start_to", placeholder="e.g. 2024-12-31")
            st.number_input("Most studies to fetch", min_value=10, max_value=10000, step=100,
                            key="limit", help="Large topics can hold thousands of studies.")
            st.form_submit_button("Search", key="search_button", type="primary",
                                  on_click=submit_search, width="stretch")

        st.markdown("**Filters**")
        st.caption("Filters change the list at once. Search also sends most of them to "
                   "ClinicalTrials.gov, so widening one may need a new search.")
        st.button("Clear filters", key="clear_filters", on_click=clear_filters,
                  width="stretch")
        st.multiselect("Status", [s.value for s in Status], key="status",
                       format_func=code_label, placeholder="Any status")
        st.multiselect("Phase", [p.value for p in Phase], key="phase",
                       format_func=code_label, placeholder="Any phase")
        st.multiselect("Study type", [t.value for t in StudyType], key="study_type",
                       format_func=code_label, placeholder="Any type")
        st.multiselect("Treatment type", list(INTERVENTION_TYPES), key="itype",
                       format_func=INTERVENTION_LABELS.__getitem__, placeholder="Any type")
        st.number_input("Age of the person (years)", min_value=0.0, max_value=125.0, step=1.0,
                        key="age", placeholder="Any age", format="%g")
        st.selectbox("Sex of the person", list(SEX_LABELS), key="sex",
                     format_func=SEX_LABELS.__getitem__)
        st.selectbox("Healthy volunteers", list(HV_LABELS), key="hv",
                     format_func=HV_LABELS.__getitem__)
        st.selectbox("Posted results", list(RESULTS_LABELS), key="has_results",
                     format_func=RESULTS_LABELS.__getitem__)
        st.text_input("Keyword in title, summary or conditions", key="keyword")
        with st.expander("More registry filters"):
            st.multiselect("Funder type", list(FUNDER_LABELS), key="funder",
                           format_func=FUNDER_LABELS.__getitem__, placeholder="Any funder")
            for prefix, (_column, words) in DATE_RANGES.items():
                label = words.capitalize()  # the project's own words
                st.text_input(f"{label} from", key=f"{prefix}_from",
                              placeholder="e.g. 2020 or 2020-05")
                st.text_input(f"{label} until", key=f"{prefix}_to",
                              placeholder="e.g. 2024-12-31")
    return where


def country_filter(fetched: service.Results | None, where: DeltaGenerator) -> None:
    """Country choices come from the fetched sites, so this one is drawn after the fetch
    (``where`` the other filters are)."""
    ss = st.session_state
    found = (fetched.all.sites["country"].dropna().astype(str).unique().tolist()
             if fetched is not None else [])
    options = sorted(set(found) | set(ss["country"]))
    with where:
        st.multiselect("Country of a site", options, key="country", placeholder="Any country")
        if where is not st.sidebar:
            st.button("Close search and filters", key="filters_done", on_click=open_filters,
                      args=(False,), type="primary", width="stretch")
    with st.sidebar:
        st.divider()
        st.caption(NOT_ADVICE)


def filters_button() -> None:
    """The visible, labelled way to the search form and filters where the sidebar is hidden
    (a phone; the style shows it only while the sidebar is closed)."""
    st.button("Search and filters", key="filters_toggle", on_click=open_filters, args=(True,),
              icon=":material/tune:")
