"""Cached calls into the library: the client, places, searches and study records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import streamlit as st

from trialfinder import service
from trialfinder.core.config import Settings
from trialfinder.core.errors import (
    ApiError,
    NetworkError,
    NotFoundError,
    PlaceNotFoundError,
    TrialFinderError,
)
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.registries import registry_of
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.topics import demo
from trialfinder.views.registrynames import failed_title, searched_title
from trialfinder.views.request import SearchRequest
from trialfinder.views.text import escape_md, plain_line, plural
from trialfinder.views.urlstate import REGISTRY_KEY

from .messages import place_problem
from .state import search_again
from .state import use_demo as start_demo
from .waitnotes import waiting_notes


@st.cache_resource(show_spinner=False)
def get_client(base_url: str, cache_dir: str) -> TrialsClient:
    """One client (HTTP session, cache, rate limit) per API address and cache folder."""
    del base_url, cache_dir  # part of the cache key only; Settings() reads the environment
    return TrialsClient(Settings())


def client() -> TrialsClient:
    settings = Settings()
    return get_client(settings.base_url, str(settings.cache_dir))


@st.cache_data(show_spinner=False, max_entries=256)
def find_place(text: str) -> Place:
    return resolve_place(text)


@st.cache_data(ttl=3600, show_spinner=False, max_entries=20)
def fetch_api(_client: TrialsClient, base_url: str, request: SearchRequest) -> service.Results:
    """Ask the chosen registries (through the library); the cache key is the address and the
    request. The progress bar is made in here so Streamlit can replay it on a cache hit (it
    ends empty, so a replay shows nothing)."""
    del base_url
    slot = st.empty()
    slot.progress(0.0, text=f"Asking {searched_title(request.options.registries)}…")
    notes = st.empty()  # a slow registry is said here while the search waits

    def progress(fetched: int, total: int | None) -> None:
        goal = min(total, request.limit) if total is not None else request.limit
        share = 1.0 if goal == 0 else min(1.0, fetched / goal)
        slot.progress(share, text=f"Fetched {fetched:,} of {plural(goal, 'study', 'studies')}…")

    try:
        with waiting_notes(notes):
            return service.search(client=_client, limit=request.limit, progress=progress,
                                  **request.search_kwargs())
    finally:
        slot.empty()


@st.cache_data(show_spinner=False, max_entries=20)
def fetch_demo(request: SearchRequest) -> service.Results:
    """The invented demo studies matching the topic, as the API would have sent them; every
    other filter applies afterwards."""
    return service.search_records(demo.load_demo_studies(), source="demo",
                                  **request.demo_kwargs())


@st.cache_data(ttl=3600, show_spinner="Loading the full study record…", max_entries=64)
def fetch_detail(_client: TrialsClient, base_url: str, nct_id: str, use_demo: bool,
                 near: tuple[float, float] | None) -> service.StudyDetail:
    """One study's full record (outcomes, eligibility, every site), from the API or the demo."""
    del base_url
    records = demo.load_demo_studies() if use_demo else None
    with waiting_notes(st.empty()):
        return service.study_detail(nct_id, client=_client, records=records, near=near)


def run_search(searched: Mapping[str, Any], use_demo: bool, *, fresh: bool = False,
               ) -> tuple[service.Results | None, Place | None]:
    """Fetch the submitted search (API or demo). Errors are shown here and give ``None``.

    ``fresh`` (the Refresh button of an old list) asks the registries again, past every
    cache: the answer replaces the cached one (page cache, saved tables, this page's cache)."""
    names = searched.get(REGISTRY_KEY) or None
    try:
        place = find_place(searched["place"]) if searched["place"] else None
        request = SearchRequest.from_snapshot(searched, (place.lat, place.lon) if place else None)
        if use_demo:
            return fetch_demo(request), place
        if fresh:
            fetch_api.clear()
            anew = TrialsClient(Settings().with_(expire_after=timedelta(0)))
            return fetch_api(anew, Settings().base_url, request), place
        return fetch_api(client(), Settings().base_url, request), place
    except PlaceNotFoundError as exc:
        st.error(place_problem(exc))
        for index, name in enumerate(dict.fromkeys(exc.suggestions[:5])):
            st.button(f"Search near {escape_md(name)}", key=f"place_fix_{index}",
                      on_click=search_again, args=({"place": name},))
    except NetworkError as exc:
        registry_title = failed_title(exc, names)  # a registry's own title (code, not data)
        st.error(
            f"{registry_title} cannot be reached right now, so no search was run. "
            "Check the internet connection and try again in a moment, or look around with "
            "the invented demo data meanwhile."
        )
        # as plain text: Markdown would need an invisible character inside each address to keep
        # it from becoming a link, and a copy of the detail would carry it
        st.text(f"Details: {plain_line(exc)}")
        st.button("Use demo data", key="demo_button", on_click=start_demo)
    except ApiError as exc:
        registry_title = failed_title(exc, names)
        st.error(f"{registry_title} turned the search down: {escape_md(exc.message)}")
    except TrialFinderError as exc:
        st.error(f"The search could not run: {escape_md(exc)}")
    return None, None


def load_detail(nct: str, near: tuple[float, float] | None,
                use_demo: bool) -> service.StudyDetail | None:
    """The full record of one study, or ``None`` (with a note) when it cannot be had: the
    page then falls back to what the search returned. Never lets an error end the page."""
    try:
        detail = fetch_detail(client(), Settings().base_url, nct, use_demo, near)
    except TrialFinderError as exc:
        reason = escape_md(exc)
    except Exception as exc:
        reason = escape_md(f"unexpected {type(exc).__name__}")
    else:
        if len(detail.results.studies):
            return detail
        reason = "the record came back empty"
    st.warning(f"The full record of {escape_md(nct)} could not be loaded ({reason}). Showing "
               "what the search returned instead; outcome measures need the full record.")
    return None


def load_alone(nct: str, near: tuple[float, float] | None,
               use_demo: bool) -> service.StudyDetail | None:
    """One study's record fetched on its own (a link that names only the study, or one the
    search's results lack), or ``None`` with a note saying why it cannot be shown."""
    # the registry the id names (a registry's own title: code, not data)
    source = "the demo data" if use_demo else registry_of(nct).title
    try:
        detail = fetch_detail(client(), Settings().base_url, nct, use_demo, near)
    except NotFoundError:
        reason = f"{source} has no study {escape_md(nct)}"
    except TrialFinderError as exc:
        reason = f"its record could not be loaded from {source} ({escape_md(exc)})"
    else:
        if len(detail.results.studies):
            return detail
        reason = f"its record came back empty from {source}"
    st.warning(f"Study {escape_md(nct)} cannot be shown: {reason}.")
    if not use_demo and demo.is_demo_id(nct):  # a link to a demo study without its demo=1
        st.info(f"{escape_md(nct)} is one of trialfinder's invented demo studies, not a real "
                "trial: its page is in the demo data.")
        st.button("Open it in the demo data", key="study_in_demo", on_click=_open_in_demo,
                  args=(nct,))
    return None


def _open_in_demo(nct: str) -> None:
    """The button's callback: the demo data on, and study ``nct`` opened in it."""
    ss = st.session_state
    ss["demo"], ss["study"], ss["_opened"] = True, nct, True
