"""At-a-glance charts: by status, by phase, starts per year (a continuous axis), each with a
sentence beside it saying what it shows."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from trialfinder import service
from trialfinder.core.codes import Phase
from trialfinder.views.describe import counts_sentence, years_sentence
from trialfinder.views.text import NOT_STATED, code_label, escape_md, status_label, text_of

PHASE_ORDER = [*(p.label for p in Phase if p is not Phase.NA), Phase.NA.label, NOT_STATED]


def count_axis() -> alt.Axis:
    """Counts are whole numbers: no 0.5 ticks."""
    return alt.Axis(format="d", tickMinStep=1)


def chart_data(studies: pd.DataFrame) -> pd.DataFrame:
    years = pd.to_datetime(studies["start_date"], errors="coerce").dt.year
    return pd.DataFrame({
        "status": [status_label(v) for v in studies["status"]],
        "phases": ["|".join(code_label(c) for c in text_of(v).split("|") if c) or NOT_STATED
                   for v in studies["phases"]],
        "year": years.astype("Int64"),
    })


def show_charts(results: service.Results) -> None:
    studies = results.studies
    if not len(studies):
        return
    st.header("At a glance", anchor=False)
    data = chart_data(studies)
    base = alt.Chart(data)
    studies_count = alt.Tooltip("count():Q", title="Studies")
    drawn = 0
    if data["status"].nunique() > 1:
        words = counts_sentence("By status", {str(k): int(v) for k, v in
                                                      data["status"].value_counts().items()})
        st.caption(escape_md(words))
        st.altair_chart(base.mark_bar(color="#2c7bb6").encode(
            x=alt.X("count():Q", title="Studies", axis=count_axis()),
            y=alt.Y("status:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=[alt.Tooltip("status:N", title="Status"), studies_count],
        ).properties(title="By status", height=alt.Step(22)), width="stretch",
            key="chart_status", alt="Bar chart. " + words)
        drawn += 1
    phases = {p for v in data["phases"] for p in v.split("|")}
    if len(phases) > 1:
        each = pd.Series([p for v in data["phases"] for p in v.split("|")]).value_counts()
        words = counts_sentence("By phase, a study may count twice",
                                {str(k): int(v) for k, v in each.items()})
        st.caption(escape_md(words))
        st.altair_chart(base.transform_calculate(
            phase="split(datum.phases, '|')"
        ).transform_flatten(["phase"]).mark_bar(color="#1a9641").encode(
            x=alt.X("count():Q", title="Studies", axis=count_axis()),
            y=alt.Y("phase:N", sort=PHASE_ORDER, title=None),
            tooltip=[alt.Tooltip("phase:N", title="Phase"), studies_count],
        ).properties(title="By phase (a study may count twice)", height=alt.Step(22)),
            width="stretch", key="chart_phase", alt="Bar chart. " + words)
        drawn += 1
    years = data["year"].dropna()
    if years.nunique() > 1:
        low, high = int(years.min()), int(years.max())
        words = years_sentence(int(y) for y in years)
        st.caption(escape_md(words))
        st.altair_chart(alt.Chart(data.dropna(subset=["year"])).mark_bar(
            color="#e6911e").encode(
            x=alt.X("year:Q", title="Start year", bin=alt.Bin(step=1),
                    scale=alt.Scale(domain=[low, high + 1]),
                    axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("count():Q", title="Studies", axis=count_axis()),
            tooltip=[alt.Tooltip("year:Q", title="Year", format="d"), studies_count],
        ).properties(title="Starts per year", height=240), width="stretch", key="chart_year",
            alt="Bar chart of starts per year. " + words)
        drawn += 1
    if not drawn:
        st.caption("Every study shown has the same status, phase and start year, so there "
                   "is nothing to chart.")
