"""Parts of the study page: eligibility lists, treatments, outcomes, and the sites."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trialfinder.core.wording import plural
from trialfinder.places.resolve import Place
from trialfinder.tables.detail import Criteria
from trialfinder.views.text import (
    INTERVENTION_LABELS,
    code_label,
    escape_md,
    joined_label,
    markdown_list,
    status_label,
    text_of,
)

from .mapview import site_map
from .table import blank_to_empty, non_empty


def show_criteria(criteria: Criteria) -> None:
    st.markdown("##### Who can take part")
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
    st.markdown("##### Arms and treatments")
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
    st.markdown("##### What the study measures")
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


def show_sites(sites: pd.DataFrame, place: Place | None) -> None:
    st.markdown("##### Sites")
    if not len(sites):
        st.caption("No site listed.")
        return
    if place is not None and len(sites) > 1:
        st.caption(f"All {plural(len(sites), 'site')}, nearest first.")
    site_map(sites, place, key="detail_map", height=300, pickable=False)
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
