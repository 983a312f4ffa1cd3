"""Parts of the study page: eligibility lists, treatments, outcomes, and the sites (as cards
that fit a phone, each with its contact's phone and e-mail as links)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from trialfinder.core.wording import plural
from trialfinder.places.resolve import Place
from trialfinder.tables.detail import Criteria
from trialfinder.views.contact import contact_lines
from trialfinder.views.text import (
    INTERVENTION_LABELS,
    code_label,
    escape_md,
    is_blank,
    joined_label,
    markdown_list,
    miles_away,
    status_label,
    text_of,
)

from .mapview import site_map
from .table import blank_to_empty, non_empty


def show_criteria(criteria: Criteria) -> None:
    st.markdown("### Who can take part", anchors=False)
    if criteria.intro:
        st.markdown(markdown_list(criteria.intro))
    for title, section in (("Inclusion criteria", "inclusion"),
                           ("Exclusion criteria", "exclusion")):
        st.markdown(f"**{title}**")
        items = getattr(criteria, section)
        said = criteria.said_instead(section)
        if items:
            st.markdown(markdown_list(items))
        elif said:
            st.caption(escape_md(f'None: the record says "{said}".'))
        else:
            st.caption("None listed separately.")


def show_treatments(treatments: pd.DataFrame) -> None:
    st.markdown("### Arms and treatments", anchors=False)
    if not len(treatments):
        st.caption("No treatment listed.")
        return
    treatments = blank_to_empty(treatments, ["name", "description", "arm_labels"]).assign(
        type=[INTERVENTION_LABELS.get(text_of(t), code_label(text_of(t, "OTHER")))
              for t in treatments["type"]],
        other_names=[joined_label(v) for v in treatments["other_names"]],
        arm_labels=[joined_label(v) for v in treatments["arm_labels"]],
    )
    st.dataframe(
        treatments, hide_index=True, key="detail_treatments",
        column_order=["type", "name", *non_empty(treatments, ["other_names", "arm_labels"]),
                      "description"],
        column_config={
            "type": "Type", "name": "Name", "other_names": "Also called",
            "arm_labels": "Arms",
            "description": st.column_config.TextColumn("Description", width="large"),
        },
    )


def show_outcomes(outcomes: pd.DataFrame) -> None:
    st.markdown("### What the study measures", anchors=False)
    if not len(outcomes):
        st.caption("No outcome measures listed.")
        return
    shown = blank_to_empty(outcomes, ["measure", "time_frame", "description"]).assign(
        kind=[text_of(k).capitalize() for k in outcomes["kind"]])
    st.dataframe(
        shown, hide_index=True, key="detail_outcomes",
        column_order=["kind", "measure", "time_frame", "description"],
        column_config={
            "kind": "Outcome", "measure": st.column_config.TextColumn("Measure", width=300),
            "time_frame": "When",
            "description": st.column_config.TextColumn("Description", width="large"),
        },
    )


SITES_PAGE = 10  # site cards drawn at a time


def _site_card(site: Any, near: bool) -> None:
    where = ", ".join(p for p in (text_of(site["city"]), text_of(site["state"]),
                                  text_of(site["country"])) if p.strip())
    facts = [where, status_label(site["site_status"])]
    miles = site.get("distance_mi")
    if near and not is_blank(miles):
        facts.append(miles_away(float(miles)))
    who = contact_lines(text_of(site["contact_name"]), "", text_of(site["contact_phone"]),
                        text_of(site["contact_email"]), lead="Contact: ")
    with st.container(border=True):
        st.markdown(f"**{escape_md(text_of(site['facility'], 'A site'))}**")
        st.caption(escape_md(" · ".join(f for f in facts if f)))
        if who:
            st.markdown(who)


def _more_sites(nct: str, shown: int) -> None:
    st.session_state["_sites_shown"] = (nct, shown + SITES_PAGE)


def show_sites(sites: pd.DataFrame, place: Place | None) -> None:
    st.markdown("### Sites", anchors=False)
    if not len(sites):
        st.caption("No site listed.")
        return
    if place is not None and len(sites) > 1:
        st.caption(f"All {plural(len(sites), 'site')}, nearest first.")
    site_map(sites, place, key="detail_map", height=300, pickable=False)
    nct = str(sites["nct_id"].iloc[0])
    kept = st.session_state.get("_sites_shown")
    shown = min(len(sites), kept[1] if isinstance(kept, tuple) and kept[0] == nct
                else SITES_PAGE)
    for position in range(shown):
        _site_card(sites.iloc[position], place is not None)
    if shown < len(sites):
        st.button(f"Show more sites ({shown:,} of {len(sites):,} shown)",
                  key="more_sites", on_click=_more_sites, args=(nct, shown))
    with st.expander(f"All {len(sites):,} sites as a table" if len(sites) > 1
                     else "The site as a table"):
        sites_table(sites, place)


def sites_table(sites: pd.DataFrame, place: Place | None) -> None:
    """Every site in one wide table (sortable; scrolls sideways on a phone)."""
    sites = blank_to_empty(sites, ["facility", "city", "state", "country", "contact_name",
                                   "contact_phone", "contact_email"])
    sites = sites.assign(site_status=[status_label(v) for v in sites["site_status"]])
    order = ["facility", "city", "state", "country", "site_status"]
    order += ["distance_mi"] if "distance_mi" in sites.columns and place else []
    order += non_empty(sites, ["contact_name", "contact_phone", "contact_email"])
    st.dataframe(
        sites, hide_index=True, key="detail_sites", column_order=order,
        column_config={
            "facility": st.column_config.TextColumn("Site", width="medium"),
            "city": "City", "state": "State", "country": "Country",
            "site_status": "Site status",
            "distance_mi": st.column_config.NumberColumn("Miles", format="%.0f"),
            "contact_name": "Contact", "contact_phone": "Phone",
            "contact_email": "E-mail",
        },
    )
