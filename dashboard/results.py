"""The result list: its heading, what was searched (chips), whether the list is old, the
filters in words, the studies as cards (or as a table) in the order chosen, then counts, where
the data came from, and the downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from trialfinder import service
from trialfinder.core.wording import duration
from trialfinder.places.resolve import Place
from trialfinder.tables import export
from trialfinder.views.provenance import (
    STALE_AFTER,
    age_of,
    answered_by,
    download_name,
    fetched_day,
    honest_links,
    mark_fictional,
    meta_json,
    read_meta,
    search_slug,
)
from trialfinder.views.searchline import cleared, search_chips
from trialfinder.views.sorting import SORTS, chosen_sort, sort_choices, sort_studies
from trialfinder.views.sources import study_status_label
from trialfinder.views.summary import status_request_words, step_lines
from trialfinder.views.text import (
    NOT_ADVICE,
    age_range,
    codes_label,
    escape_md,
    human_time,
    miles_away,
    plural,
    sentence,
    status_label,
    text_of,
)

from .aboutyou import Fits
from .emptiness import explain_empty
from .messages import place_choice
from .navigation import return_marker
from .state import CARDS_PAGE, clear_filters, open_study, search_again, state
from .table import results_table

EXPANDED_ACCESS = ("AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
                   "APPROVED_FOR_MARKETING")


#: Under the list's heading when its studies are fictional: a phone scrolls the heading to the
#: top after a search, past the demo's banner, so the first screen says it again.
FICTIONAL_LIST = "Invented demo studies, not real trials you can join."


def results_heading(results: service.Results, fictional: bool = False) -> None:
    """The list's heading (the one the focus moves to after a search)."""
    count = len(results.studies)
    with st.container(key="results_heading"):
        st.header(f"Results: {plural(count, 'study', 'studies')}" if count
                  else "Results: no study to show", anchor=False)
        if fictional and count:
            st.caption(FICTIONAL_LIST)
        if count:  # a phone scrolls the heading to the top, past the page's own caption
            st.caption(NOT_ADVICE)


def _refresh() -> None:
    st.session_state["_refresh"] = True


def show_age(fetched: service.Results, now: datetime) -> None:
    """A list fetched more than :data:`STALE_AFTER` ago says when, and offers Refresh."""
    meta = read_meta(fetched)
    age = age_of(meta, now)
    if age is None or age <= STALE_AFTER:
        return
    shown = escape_md(human_time(meta.fetched_at, with_time=True) or "earlier")
    st.warning(f"This list was fetched {duration(age.total_seconds())} ago ({shown}); "
               f"{escape_md(answered_by(fetched.meta))} may have changed since.",
               icon=":material/history:")
    st.button("Refresh: fetch this search again", key="refresh", on_click=_refresh,
              icon=":material/refresh:")


def show_provenance(fetched: service.Results, demo_mode: bool) -> None:
    meta = read_meta(fetched)
    if demo_mode:
        count = len(fetched.all.studies)
        st.caption(f"Invented demo data: {plural(count, 'study', 'studies')} "
                   f"{'matches' if count == 1 else 'match'} the search.")
        return
    count = meta.studies_fetched if meta.studies_fetched is not None else len(
        fetched.all.studies)
    parts = [f"Fetched {plural(count, 'study', 'studies')}"]
    if meta.total_reported is not None:
        parts.append(f"{escape_md(answered_by(fetched.meta))} reported "
                     f"{plural(meta.total_reported, 'match', 'matches')}")
    registry = human_time(meta.data_timestamp) if meta.data_timestamp else None
    if registry:
        parts.append(f"registry data of {registry}")
    fetched_at = human_time(meta.fetched_at, with_time=True) if meta.fetched_at else None
    if fetched_at:
        parts.append(f"fetched {fetched_at}")
    st.caption(" · ".join(parts) + ".")
    if meta.status_param:
        codes = meta.status_param.split(",")
        labels = [escape_md(status_label(code).lower()) for code in codes]
        hint = (" Expanded-access programmes (treatment outside a trial) are among those left "
                "out." if not set(codes) & set(EXPANDED_ACCESS) else "")
        with st.container(horizontal=True, vertical_alignment="center", key="status_line"):
            st.caption(status_request_words(labels) + hint)
            st.button("Search every status", key="any_status", on_click=search_again,
                      args=({"status": []},), width="content")
    for warning in meta.warnings:
        st.warning(escape_md(sentence(warning)))


def show_steps(results: service.Results, fetched: service.Results) -> None:
    """How many studies each active filter removed, in words."""
    lines = [line for line in step_lines(results.steps, state())
             if line.removed or line.note]
    if not lines:
        return
    text = "\n".join(
        f"- {escape_md(line.words)}: removed **{line.removed:,}**"
        + (f" ({escape_md(line.note)})" if line.note else "")
        for line in lines
    )
    with st.expander(
        f"Filters: {len(fetched.all.studies):,} fetched → {len(results.studies):,} shown",
        expanded=False,
    ):
        st.markdown(text)
        st.button("Clear filters", key="clear_filters_main", on_click=clear_filters)


def show_metrics(results: service.Results, searched: Mapping[str, Any]) -> None:
    """The counts; near a place, the sites are those within the search's distance (a
    study's page lists all of its sites), and the label says so."""
    studies, sites = results.studies, results.sites
    recruiting = int((studies["status"] == "RECRUITING").sum()) if len(studies) else 0
    near = searched.get("place") and searched.get("radius")
    with st.container(horizontal=True, gap="large", key="metrics"):
        st.metric("Studies", f"{len(studies):,}", width="content")
        st.metric(f"Sites within {searched['radius']:,} miles" if near else "Sites",
                  f"{len(sites):,}", width="content")
        st.metric("Recruiting now", f"{recruiting:,}", width="content")


def searched_line(searched: Mapping[str, Any], demo_mode: bool, place: Place | None) -> None:
    """What was searched, in the options' own words, one chip per part; a chip's ✕ takes
    that part away and searches again. A place name that could mean others says which one
    was taken, with a button for each of the likeliest others."""
    chips = search_chips(state(), searched, demo_mode)
    with st.container(horizontal=True, vertical_alignment="center", key="searched_line"):
        st.markdown("You searched for:")
        for index, chip in enumerate(chips):
            if chip.removable:
                st.button(escape_md(chip.words), key=f"chip_{index}", icon=":material/close:",
                          icon_position="right", on_click=search_again,
                          args=(cleared(chip.keys),))
            else:
                st.markdown(f"**{escape_md(chip.words)}**")
    if any(chip.removable for chip in chips):
        st.caption("Press a part of the search to take it away and search again.")
    choice = place_choice(place) if place is not None else None
    if choice and place is not None:
        st.caption(choice)
        if place.others:  # folded: a phone's first screen is for the studies
            with st.expander("Search near another place of that name", key="place_others"):
                for index, other in enumerate(place.others[:3]):
                    st.button(f"Search near {escape_md(other)}", key=f"place_other_{index}",
                              on_click=search_again, args=({"place": other},))


def show_results(results: service.Results, fetched: service.Results,
                 searched: Mapping[str, Any], demo_mode: bool,
                 fits: Fits | None = None) -> None:
    """The list (below its heading); ``fits`` is the pre-screen, when *About you* is filled:
    each card then carries its verdict, and the list can follow its order."""
    if not demo_mode:
        show_age(fetched, datetime.now(UTC))
    show_steps(results, fetched)
    if not len(results.studies):
        explain_empty(results, fetched, searched, demo_mode)
        about_the_list(results, fetched, searched, demo_mode)
        return
    with st.container(horizontal=True, vertical_alignment="bottom", key="list_controls"):
        ranking = fits.order if fits is not None else None
        how = sort_control(results.studies, ranking)
        # Cards suit every screen; the table (wide) is drawn only when asked for, as sending
        # 1,000 rows on every redraw is what makes a filter change slow.
        ss = st.session_state
        if "as_table" not in ss:  # forgotten while a study was open: the list comes back so
            ss["as_table"] = bool(ss.get("_as_table"))
        as_table = st.toggle("Show as a table", key="as_table", width="content")
        ss["_as_table"] = as_table
    studies = sort_studies(results.studies, how, ranking)
    if fits is not None and fits.only is not None:
        studies = studies[studies["nct_id"].astype(str).isin(fits.only)].reset_index(drop=True)
    if as_table:
        results_table(studies, demo_mode)
    else:
        show_cards(studies, fits)
    about_the_list(results, fetched, searched, demo_mode)
    show_downloads(results, fetched, searched, demo_mode)


def about_the_list(results: service.Results, fetched: service.Results,
                   searched: Mapping[str, Any], demo_mode: bool) -> None:
    """Counts and where the studies came from, below the list (the first cards come first
    on the screen)."""
    st.subheader("About this list", anchor=False)
    show_metrics(results, searched)
    show_provenance(fetched, demo_mode)


def sort_control(studies: pd.DataFrame, ranking: Sequence[str] | None) -> str:
    """The "Sort" box: nearest first by default when the search has a place; the
    pre-screen's order once *About you* is filled."""
    choices = sort_choices("nearest_distance_mi" in studies.columns, ranking is not None)
    ss = st.session_state
    if ranking is not None and not ss.get("_sorted_by_fit"):  # About you just filled in
        ss["sort"] = "fit"
    ss["_sorted_by_fit"] = ranking is not None
    # a sort that no longer applies falls back; Streamlit forgets the box's value while a
    # study is open, so "_sort" keeps it for the way back to the list
    ss["sort"] = chosen_sort(ss.get("sort", ss.get("_sort")), choices)
    # wide enough for its longest choice, "Best fit for you first (About you)" (it was cut)
    ss["_sort"] = str(st.selectbox("Sort", choices, key="sort",
                                   format_func=SORTS.__getitem__, width=280))
    return str(ss["_sort"])


def _card_facts(row: pd.Series[Any]) -> str:
    facts = [study_status_label(row["status"], row["nct_id"]), codes_label(row["phases"]),
             sentence(age_range(row["min_age_years"], row["max_age_years"]))]
    distance = row.get("nearest_distance_mi")
    if distance is not None and not pd.isna(distance):
        site = text_of(row.get("nearest_site"), "a site")
        facts.append(f"nearest site {miles_away(float(distance))}: {site}")
    return " · ".join(facts)


def show_cards(studies: pd.DataFrame, fits: Fits | None = None) -> None:
    """One card per study (title, status, phase, ages, nearest site; with *About you*
    filled, its verdict, reasons and the criteria lines that name your conditions or
    medicines), a page at a time; a card's button opens the study. The card of a study just
    left comes back into view."""
    ss = st.session_state
    shown = min(len(studies), int(ss.get("cards_shown") or CARDS_PAGE))
    for position in range(shown):
        row = studies.iloc[position]
        nct = str(row["nct_id"])
        fit = fits.cards.get(nct) if fits is not None else None
        mark = st.container(key="return_card") if return_marker(nct) else nullcontext()
        with mark, st.container(border=True, key=f"card_{position}"):
            st.markdown(fit.heading_md if fit is not None
                        else f"**{escape_md(text_of(row['title'], nct))}**")
            st.caption(escape_md(f"{nct} · {_card_facts(row)}"))
            if fit is not None:
                st.caption(fit.reasons_md)
                if fit.mentions_md:
                    st.markdown("\n".join(fit.mentions_md))
            st.button("Read this study", key=f"open_{position}", on_click=open_study,
                      args=(nct,))
    if shown < len(studies):
        st.button(f"Show more ({shown:,} of {len(studies):,} shown)", key="more_cards",
                  on_click=_more_cards)


def _more_cards() -> None:
    ss = st.session_state
    ss["cards_shown"] = int(ss.get("cards_shown") or CARDS_PAGE) + CARDS_PAGE


def marked(frame: pd.DataFrame, demo_mode: bool) -> pd.DataFrame:
    frame = honest_links(frame)  # an invented study's url is empty, demo or not
    return mark_fictional(frame) if demo_mode else frame


def show_downloads(results: service.Results, fetched: service.Results,
                   searched: Mapping[str, Any], demo_mode: bool) -> None:
    st.subheader("Download", anchor=False)
    st.caption("Invented demo studies: the files say so in their names and in a first column."
               if demo_mode else
               "The same files as the command line tool writes for this search and filters, "
               f"in the order {escape_md(answered_by(fetched.meta))} sent them.")
    cols = st.columns(3)
    topic = search_slug(searched)
    day = fetched_day(read_meta(fetched), datetime.now(UTC).date())

    def name(kind: str, extension: str) -> str:
        return download_name(kind, extension, demo=demo_mode, topic=topic, day=day)

    # The files are made only when a button is pressed (data given as a function).
    cols[0].download_button(
        "Studies (CSV)", lambda: export.to_csv_bytes(marked(results.studies, demo_mode)),
        name("studies", "csv"), "text/csv", key="dl_studies", on_click="ignore",
        width="stretch")
    if len(results.sites):
        cols[1].download_button(
            "Sites (CSV)", lambda: export.to_csv_bytes(marked(results.sites, demo_mode)),
            name("sites", "csv"), "text/csv", key="dl_sites", on_click="ignore",
            width="stretch")
    cols[2].download_button(
        "Where it came from (JSON)", lambda: meta_json(results, demo=demo_mode),
        name("provenance", "json"), "application/json", key="dl_meta", on_click="ignore",
        width="stretch")
