"""The sortable table of studies; ticking a row opens that study."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trialfinder.views.provenance import honest_links
from trialfinder.views.sources import study_status_label
from trialfinder.views.text import cell_text, codes_label, joined_label, text_of

from .state import open_study


def blank_to_empty(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing text shown as an empty cell (the table would print "None"); each cell cleaned
    and capped as :func:`~trialfinder.views.text.cell_text` says."""
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: [cell_text(v) for v in frame[c]] for c in present})


def non_empty(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Those of ``columns`` that hold some text in at least one row."""
    return [c for c in columns
            if c in frame.columns and any(text_of(v).strip() for v in frame[c])]


def table_frame(studies: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The studies as the table shows them: only its columns (plus the id), codes as labels,
    lists as ``a, b``. Rows keep their order, so a selected row number still fits ``studies``."""
    frame = blank_to_empty(studies[["nct_id", *(c for c in columns if c != "nct_id")]],
                           ["title", "nearest_site", "sponsor"])
    frame["status"] = [study_status_label(v, i) for v, i in zip(frame["status"],
                                                                frame["nct_id"], strict=True)]
    frame["phases"] = [codes_label(v) for v in frame["phases"]]
    for column in ("conditions", "countries"):
        frame[column] = [cell_text(joined_label(v)) for v in frame[column]]
    return frame


def results_table(studies: pd.DataFrame, demo_mode: bool) -> None:
    near = "nearest_distance_mi" in studies.columns
    # Demo studies are invented: they get no link to ClinicalTrials.gov.
    first = "nct_id" if demo_mode else "url"
    order = [first, "title", "status", *(["nearest_distance_mi"] if near else []), "phases"]
    order += ["nearest_site"] if near else []
    order += ["conditions", "countries", "start_date", "enrollment", "sponsor"]
    event = st.dataframe(
        table_frame(honest_links(studies), order),
        key="table",
        hide_index=True,
        column_order=order,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "url": st.column_config.LinkColumn(
                "NCT id", display_text=r"https://clinicaltrials\.gov/study/(NCT\d+)",
                help="Opens the study on ClinicalTrials.gov", width=102),
            "nct_id": st.column_config.TextColumn(
                "NCT id", help="An invented demo study", width=102),
            "title": st.column_config.TextColumn("Title", width=360),
            "status": st.column_config.TextColumn("Status", width=140),
            "nearest_distance_mi": st.column_config.NumberColumn(
                "Miles", format="%.0f", width=58, help="To the nearest site of the study"),
            "phases": st.column_config.TextColumn("Phase", width=110),
            "nearest_site": st.column_config.TextColumn("Nearest site", width="medium"),
            "conditions": st.column_config.TextColumn("Conditions", width="medium"),
            "countries": st.column_config.TextColumn("Countries"),
            "start_date": st.column_config.DateColumn("Start", format="YYYY-MM"),
            "enrollment": st.column_config.NumberColumn("People", format="%d"),
            "sponsor": st.column_config.TextColumn("Sponsor"),
        },
    )
    st.caption("Click a column heading to sort; tick a row to open that study.")
    rows = list(event.selection.rows) if event is not None else []
    ss = st.session_state
    pick = str(studies["nct_id"].iloc[rows[0]]) if rows and rows[0] < len(studies) else None
    if pick and pick != ss.get("_table_pick"):
        ss["_table_pick"] = pick
        open_study(pick)
        st.rerun()
    ss["_table_pick"] = pick
