"""The first screen: a search box in the main column and one card per topic."""

from __future__ import annotations

import streamlit as st

from trialfinder.topics import background, presets
from trialfinder.views.text import escape_md
from trialfinder.views.urlstate import DEFAULT_RADIUS_MI, RADII

from .sidebar import preset_title
from .state import quick_search, start_preset
from .watches import saved_card


def search_form(with_topics: bool = False) -> None:
    """Words and an optional place with its distance; Enter submits (it is a form), no
    sidebar needed. Empty (a new session, or back from a study's page) it shows the last
    search's words and place; after a topic it says that a place alone keeps the topic.
    ``with_topics`` (the first screen): the topic cards are in the form too, so that a card
    searches with what is typed above it (a form sends what is typed only with its own
    buttons: a place typed, then a card, searched the topic everywhere)."""
    ss = st.session_state
    searched = ss.get("searched") or {}
    for key, source in (("q_words", "condition"), ("q_place", "place")):
        if key not in ss:
            ss[key] = str(searched.get(source) or "")
    if ss.get("q_radius") not in RADII:
        ss["q_radius"] = ss.get("radius") if ss.get("radius") in RADII else DEFAULT_RADIUS_MI
    with st.form("quick_search", border=False, enter_to_submit=True):
        with st.container(border=True):
            topic = str(searched.get("preset") or "")
            if topic:  # its words box is empty: say what a place alone searches for
                st.caption(f"Topic: {escape_md(preset_title(topic))}. A place alone looks "
                           "for this topic near it; words start a new search.")
            st.text_input("Condition or other words", key="q_words",
                          placeholder="e.g. ALS, leg cramps, magnesium")
            where = st.columns([3, 2], vertical_alignment="bottom")
            where[0].text_input("Near (optional)", key="q_place",
                                placeholder="City, ZIP code, UK postcode or lat,lon, "
                                            "e.g. Boston, MA")
            where[1].selectbox("Within", list(RADII), key="q_radius",
                               format_func=lambda miles: f"{miles} miles")
            # the first of the form's buttons: the one Enter presses
            st.form_submit_button("Search", key="q_submit", type="primary",
                                  on_click=quick_search, width="stretch")
        if with_topics:
            st.markdown("Look for clinical trials on ClinicalTrials.gov: type a condition and "
                        "press Enter, or pick a topic below (it searches near the place typed "
                        "above, if any). More search fields and the filters are in the "
                        "sidebar, or under **Search and filters** where the sidebar is closed "
                        "(a phone).")
            topic_cards(in_form=True)


def topic_cards(in_form: bool = False) -> None:
    """The topics of the background notes: a short note, a search button and the full notes
    one click away (``in_form``: the first screen's search form, whose words and place the
    buttons search with)."""
    st.header("Or start from a topic", anchor=False)
    columns = st.columns(2)
    for index, section in enumerate(background.SECTIONS):
        preset = presets.get_preset(section.preset)
        with columns[index % 2], st.container(border=True):
            st.markdown(f"**{preset.title}**")
            st.caption(preset.description)
            label, key = f"Find trials: {preset.title}", f"bg_{section.key}"
            if in_form:
                st.form_submit_button(label, key=key, on_click=start_preset,
                                      args=(section.preset, True), width="stretch")
            else:
                st.button(label, key=key, on_click=start_preset, args=(section.preset,),
                          width="stretch")
            with st.expander("Background notes"):
                st.markdown(f"### {section.title}", anchors=False)
                st.markdown(section.body_markdown)
    st.info(background.DISCLAIMER)


def landing() -> None:
    """The first screen: the saved searches' news (when there are any), the search form,
    and the topic cards within it."""
    saved_card()
    search_form(with_topics=True)
