"""Trial finder dashboard: search ClinicalTrials.gov, narrow the results, read one study closely.

Run it with ``streamlit run app.py``. This file only reads widgets, calls :mod:`trialfinder` and
draws the answer; fetching, filtering and exporting all live in the library.

Flow of one run: the URL fills the widgets (first run of a session only), the sidebar is drawn,
the last submitted search is fetched (cached, so usually instant), the local filters are applied
with ``Results.refilter`` and the tabs are drawn. Finally the URL is updated so that a copied
link opens the same search with the same filters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from trialfinder import background, demo, export, presets, service
from trialfinder.client import TrialsClient
from trialfinder.config import Settings
from trialfinder.detail import split_criteria
from trialfinder.errors import (
    ApiError,
    InvalidQueryError,
    NetworkError,
    PlaceNotFoundError,
    TrialFinderError,
)
from trialfinder.filters import INTERVENTION_TYPES, LocalFilters
from trialfinder.places import Place, resolve_place
from trialfinder.query import Phase, Status, StudyType

NOT_ADVICE = "Not medical advice; talk to your doctor before you act on anything you read here."

DEFAULT_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")
RADII = (5, 10, 25, 50, 100, 250, 500)
DEFAULT_RADIUS = 50
DEFAULT_LIMIT = 1000

SEX_LABELS = {"ALL": "Any", "FEMALE": "Female", "MALE": "Male"}
HV_LABELS = {
    "any": "Doesn't matter",
    "yes": "Takes healthy volunteers",
    "no": "Only people with the condition",
}
INTERVENTION_LABELS = {code: code.replace("_", " ").capitalize() for code in INTERVENTION_TYPES}

# Site colours on the map (RGBA) and the matching legend.
SITE_COLOURS: dict[str, list[int]] = {
    "RECRUITING": [33, 160, 84, 220],
    "NOT_YET_RECRUITING": [28, 131, 225, 220],
    "ENROLLING_BY_INVITATION": [128, 61, 245, 220],
    "ACTIVE_NOT_RECRUITING": [245, 150, 20, 220],
}
OTHER_COLOUR = [150, 155, 170, 190]
LEGEND = (
    ":green[●] recruiting · :blue[●] not yet recruiting · :violet[●] by invitation · "
    ":orange[●] active, not recruiting · :gray[●] other or not stated"
)

# Widget keys of the search itself (sent to the API when Search is pressed) ...
TOPIC_KEYS = ("preset", "condition", "intervention", "term", "place", "radius", "limit")
# ... and of the filters (applied at once to what was fetched; Search sends most of them too).
LIST_FILTERS = ("status", "phase", "study_type", "itype", "country")
SCALAR_FILTERS = ("age", "sex", "hv", "has_results", "keyword")

# URL parameter name for each widget key.
PARAM = {
    "preset": "preset", "condition": "condition", "intervention": "intervention",
    "term": "term", "place": "near", "radius": "radius", "limit": "limit",
    "status": "status", "phase": "phase", "study_type": "type", "itype": "itype",
    "country": "country", "age": "age", "sex": "sex", "hv": "hv",
    "has_results": "results", "keyword": "keyword", "study": "study",
}


# -- small helpers --------------------------------------------------------------------------


_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_BULLET = re.compile(r"^\s*(?:[*\-+•·]|\d{1,3}[.)])\s+")


def escape_md(text: str) -> str:
    """Text that Markdown shows literally: every ASCII punctuation mark is backslash-escaped,
    so trial text cannot make links, images, HTML, maths or colour directives. Backslash
    escapes already in the registry's Markdown (``\\<``) are undone first."""
    plain = _MD_ESCAPED.sub(r"\1", " ".join(str(text).split()))
    return _MD_PUNCT.sub(r"\\\1", plain)


def inert_markdown(text: str) -> str:
    """Trial text as safe Markdown: paragraphs and bullet lists kept, everything else literal."""
    out: list[str] = []
    for line in str(text).splitlines():
        if not line.strip():
            out.append("")
        elif _BULLET.match(line):
            depth = "    " if len(line) - len(line.lstrip()) >= 2 else ""
            out.append(f"{depth}- {escape_md(_BULLET.sub('', line))}")
        else:
            if out and out[-1].startswith(("- ", "    - ")):
                out.append("")
            out.append(escape_md(line))
    return "\n".join(out)


def markdown_list(items: Iterable[tuple[int, str]]) -> str:
    return "\n".join(("    " if depth else "") + "- " + escape_md(item) for depth, item in items)


def is_blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def text_of(value: Any, default: str = "") -> str:
    return default if is_blank(value) else str(value)


def code_label(code: str) -> str:
    for enum in (Status, Phase, StudyType):
        try:
            return enum(code).label
        except ValueError:
            continue
    return code.replace("_", " ").capitalize()


def codes_label(joined: Any) -> str:
    return ", ".join(code_label(c) for c in text_of(joined).split("|") if c) or "not stated"


def preset_title(name: str) -> str:
    if not name:
        return "None (type your own)"
    try:
        return presets.get_preset(name).title
    except TrialFinderError:
        return name


# -- cached library calls -------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_client(base_url: str, cache_dir: str) -> TrialsClient:
    """One client (HTTP session, cache, rate limit) per API address and cache folder."""
    del base_url, cache_dir  # part of the cache key only; Settings() reads the environment
    return TrialsClient(Settings())


@st.cache_data(show_spinner=False, max_entries=256)
def find_place(text: str) -> Place:
    return resolve_place(text)


@st.cache_data(ttl=3600, show_spinner=False, max_entries=20)
def fetch_api(
    _client: TrialsClient,
    base_url: str,
    preset: str,
    condition: str,
    intervention: str,
    term: str,
    near: tuple[float, float] | None,
    radius_mi: int,
    statuses: tuple[str, ...],
    phases: tuple[str, ...],
    study_types: tuple[str, ...],
    age: float | None,
    sex: str,
    hv: str,
    has_results: bool,
    limit: int,
) -> service.Results:
    """Ask ClinicalTrials.gov (through the library); the key is every argument but ``_client``.

    The progress bar is made inside this function so that Streamlit can replay it on a cache
    hit (it ends empty, so a replay shows nothing).
    """
    del base_url
    slot = st.empty()
    slot.progress(0.0, text="Asking ClinicalTrials.gov…")

    def progress(fetched: int, total: int | None) -> None:
        goal = min(total, limit) if total is not None else limit
        share = 1.0 if goal == 0 else min(1.0, fetched / goal)
        slot.progress(share, text=f"Fetched {fetched:,} of {goal:,} studies…")

    try:
        return _search(_client, limit, progress, preset, condition, intervention, term, near,
                       radius_mi, statuses, phases, study_types, age, sex, hv, has_results)
    finally:
        slot.empty()


def _search(
    client: TrialsClient, limit: int, progress: Any, preset: str, condition: str,
    intervention: str, term: str, near: tuple[float, float] | None, radius_mi: int,
    statuses: tuple[str, ...], phases: tuple[str, ...], study_types: tuple[str, ...],
    age: float | None, sex: str, hv: str, has_results: bool,
) -> service.Results:
    return service.search(
        client=client,
        limit=limit,
        progress=progress,
        preset=preset or None,
        condition=condition or None,
        intervention=intervention or None,
        term=term or None,
        near=near,
        radius=f"{radius_mi}mi" if near else None,
        status=statuses,
        phase=phases,
        study_type=study_types,
        age=age,
        sex=None if sex == "ALL" else sex,
        healthy_volunteers={"yes": True, "no": False}.get(hv),
        has_results=True if has_results else None,
    )


@st.cache_data(show_spinner=False, max_entries=20)
def fetch_demo(preset: str, condition: str, intervention: str, term: str) -> service.Results:
    """The invented demo studies matching the topic, as the API would have sent them; every
    other filter applies afterwards."""
    return service.search_records(
        demo.load_demo_studies(), source="demo", preset=preset or None,
        condition=condition or None, intervention=intervention or None, term=term or None,
    )


@st.cache_data(ttl=3600, show_spinner="Loading the full study record…", max_entries=64)
def fetch_detail(
    _client: TrialsClient, base_url: str, nct_id: str, use_demo: bool,
    near: tuple[float, float] | None,
) -> service.StudyDetail:
    """One study's full record (outcomes, eligibility, every site), from the API or the demo."""
    del base_url
    records = demo.load_demo_studies() if use_demo else None
    return service.study_detail(nct_id, client=_client, records=records, near=near)


# -- session and URL state ------------------------------------------------------------------


def _defaults() -> dict[str, Any]:
    return {
        "preset": "", "condition": "", "intervention": "", "term": "", "place": "",
        "radius": DEFAULT_RADIUS, "limit": DEFAULT_LIMIT,
        "status": list(DEFAULT_STATUSES), "phase": [], "study_type": [], "itype": [],
        "country": [], "age": None, "sex": "ALL", "hv": "any", "has_results": False,
        "keyword": "", "study": None,
    }


def _parse_codes(values: list[str], parse: Any) -> list[str]:
    out: list[str] = []
    for value in values:
        try:
            code = parse(value)
        except (InvalidQueryError, ValueError):
            continue
        if code not in out:
            out.append(code)
    return out


def _itype(value: str) -> str:
    code = re.sub(r"[\s\-]+", "_", value.strip()).upper()
    if code not in INTERVENTION_TYPES:
        raise ValueError(value)
    return code


def state_from_url(params: Mapping[str, list[str]]) -> dict[str, Any]:
    """Widget values from URL parameters (unknown or malformed values are ignored)."""
    state = _defaults()

    def one(key: str) -> str | None:
        values = params.get(PARAM[key]) or []
        return values[-1].strip() if values else None

    for key in ("condition", "intervention", "term", "place", "keyword", "study"):
        if one(key):
            state[key] = one(key)
    names = {p.name for p in presets.list_presets()}
    if one("preset") in names:
        state["preset"] = one("preset")
    for key, low, high in (("radius", 1, 500), ("limit", 1, 10000), ("age", 0, 125)):
        raw = one(key)
        try:
            number = float(raw) if raw else None
        except ValueError:
            number = None
        if number is not None and low <= number <= high and math.isfinite(number):
            state[key] = number if key == "age" else int(number)
    if state["radius"] not in RADII:
        state["radius"] = min(RADII, key=lambda r: abs(r - state["radius"]))
    status = params.get(PARAM["status"])
    if status:
        state["status"] = [] if status == ["any"] else _parse_codes(
            status, lambda v: Status.parse(v).value)
    state["phase"] = _parse_codes(params.get(PARAM["phase"], []), lambda v: Phase.parse(v).value)
    state["study_type"] = _parse_codes(
        params.get(PARAM["study_type"], []), lambda v: StudyType.parse(v).value)
    state["itype"] = _parse_codes(params.get(PARAM["itype"], []), _itype)
    state["country"] = [c for c in params.get(PARAM["country"], []) if c.strip()]
    sex = (one("sex") or "").upper()
    state["sex"] = sex if sex in SEX_LABELS else "ALL"
    hv = (one("hv") or "").lower()
    state["hv"] = hv if hv in HV_LABELS else "any"
    state["has_results"] = one("has_results") in ("1", "true", "yes")
    return state


def url_params(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
               demo_mode: bool) -> dict[str, list[str]]:
    """The URL parameters of a search (as submitted) plus the current filters."""
    defaults = _defaults()
    out: dict[str, list[str]] = {}
    if searched:
        for key in TOPIC_KEYS:
            if searched[key] != defaults[key]:
                out[PARAM[key]] = [str(searched[key])]
    for key in LIST_FILTERS:
        values = list(state.get(key) or [])
        if values != defaults[key]:
            out[PARAM[key]] = values or ["any"]
    for key in SCALAR_FILTERS:
        value = state.get(key)
        if value not in (None, "") and value != defaults[key]:
            out[PARAM[key]] = ["1" if value is True else f"{value:g}"
                               if isinstance(value, float) else str(value)]
    if searched and state.get("study"):
        out["study"] = [str(state["study"])]
    if demo_mode:
        out["demo"] = ["1"]
    return out


def boot_from_url() -> None:
    """On the first run of a session, fill the widgets (and the search) from the URL."""
    ss = st.session_state
    if ss.get("_booted"):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    for key, value in state_from_url(params).items():
        ss[key] = value
    ss["demo"] = params.get("demo") == ["1"]
    ss["searched"] = snapshot() if has_topic(ss) or ss["demo"] else None
    ss["_booted"] = True


def write_url() -> None:
    ss = st.session_state
    wanted = url_params(ss, ss.get("searched"), bool(ss.get("demo")))
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if wanted != current:
        st.query_params.from_dict(wanted)


def has_topic(state: Mapping[str, Any]) -> bool:
    return any(str(state.get(k) or "").strip()
               for k in ("preset", "condition", "intervention", "term", "place"))


def snapshot() -> dict[str, Any]:
    """The search as submitted: topic, place and the filters sent to the API."""
    ss = st.session_state
    snap = {key: ss[key] for key in TOPIC_KEYS}
    for key in ("condition", "intervention", "term", "place"):
        snap[key] = str(snap[key] or "").strip()
    snap.update(
        status=tuple(ss["status"]), phase=tuple(ss["phase"]), study_type=tuple(ss["study_type"]),
        age=ss["age"], sex=ss["sex"], hv=ss["hv"], has_results=bool(ss["has_results"]),
    )
    return snap


def submit_search() -> None:
    """Search button (and topic buttons): remember what to fetch; the run then fetches it."""
    ss = st.session_state
    if not has_topic(ss) and not ss.get("demo"):
        ss["notice"] = "Pick a topic, or type a condition, treatment, words or a place first."
        return
    ss["searched"] = snapshot()
    ss["study"] = None
    ss["_table_pick"] = None


def start_preset(name: str) -> None:
    ss = st.session_state
    ss.update(preset=name, condition="", intervention="", term="")
    submit_search()


def use_demo() -> None:
    st.session_state["demo"] = True
    submit_search()


def leave_demo() -> None:
    st.session_state["demo"] = False
    st.session_state["searched"] = snapshot() if has_topic(st.session_state) else None


def current_filters(point: tuple[float, float] | None) -> LocalFilters:
    """The filter widgets as :class:`LocalFilters` (plus the search's place, for distances)."""
    ss = st.session_state
    return LocalFilters(
        statuses=tuple(ss["status"]) or None,
        phases=tuple(ss["phase"]) or None,
        study_types=tuple(ss["study_type"]) or None,
        intervention_types=tuple(ss["itype"]) or None,
        countries=tuple(ss["country"]) or None,
        near=point,
        radius_mi=float(ss["radius"]) if point else None,
        age=ss["age"],
        sex=None if ss["sex"] == "ALL" else ss["sex"],
        healthy_volunteers={"yes": True, "no": False}.get(ss["hv"]),
        has_results=True if ss["has_results"] else None,
        keyword=ss["keyword"] or None,
    )


def wider_than_search(searched: Mapping[str, Any]) -> list[str]:
    """Filters now set wider than what the last search asked the API for."""
    ss = st.session_state
    wider: list[str] = []
    for key, label in (("status", "status"), ("phase", "phase"), ("study_type", "study type")):
        was, now = set(searched[key]), set(ss[key])
        if was and (not now or not now <= was):
            wider.append(label)
    for key, label, neutral in (("age", "age", None), ("sex", "sex", "ALL"),
                                ("hv", "healthy volunteers", "any"),
                                ("has_results", "results", False)):
        if searched[key] != neutral and ss[key] != searched[key]:
            wider.append(label)
    if searched["place"] and ss["radius"] > searched["radius"]:
        wider.append("distance")
    return wider


# -- page parts -----------------------------------------------------------------------------


def sidebar() -> None:
    """Search inputs, the Search button and the filters. Values live in st.session_state."""
    ss = st.session_state
    with st.sidebar:
        st.header("Search")
        names = [""] + [p.name for p in presets.list_presets()]
        st.selectbox("Topic", names, key="preset", format_func=preset_title,
                     help="A ready-made search for one of the topics this tool focuses on.")
        st.text_input("Condition", key="condition", placeholder="e.g. muscle cramp")
        st.text_input("Treatment or drug", key="intervention", placeholder="e.g. magnesium")
        st.text_input("Other words", key="term", placeholder="e.g. night")
        st.text_input("Near (city, ZIP code or lat,lon)", key="place",
                      placeholder="e.g. Boston, MA or 02115")
        st.select_slider("Within (miles)", options=list(RADII), key="radius",
                         disabled=not str(ss.get("place") or "").strip())
        st.number_input("Most studies to fetch", min_value=10, max_value=10000, step=100,
                        key="limit", help="Large topics can hold thousands of studies.")
        st.button("Search", key="search_button", type="primary", on_click=submit_search,
                  width="stretch")

        st.header("Filters")
        st.caption("Filters change the list at once. Search also sends them to "
                   "ClinicalTrials.gov, so widening one may need a new search.")
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
        st.checkbox("Only studies with posted results", key="has_results")
        st.text_input("Keyword in title, summary or conditions", key="keyword")


def country_filter(fetched: service.Results) -> None:
    """Country choices come from the fetched sites, so this one is drawn after the fetch."""
    ss = st.session_state
    found = fetched.all.sites["country"].dropna().astype(str).unique().tolist()
    options = sorted(set(found) | set(ss["country"]))
    with st.sidebar:
        st.multiselect("Country of a site", options, key="country", placeholder="Any country")
        st.divider()
        st.caption(NOT_ADVICE)


def resolve_search_place(searched: Mapping[str, Any]) -> Place | None:
    if not searched["place"]:
        return None
    return find_place(searched["place"])


def run_search(searched: Mapping[str, Any]) -> tuple[service.Results | None, Place | None]:
    """Fetch the submitted search (API or demo). Errors are shown here and give ``None``."""
    ss = st.session_state
    try:
        place = resolve_search_place(searched)
        if ss.get("demo"):
            return fetch_demo(searched["preset"], searched["condition"],
                              searched["intervention"], searched["term"]), place
        settings = Settings()
        results = fetch_api(
            get_client(settings.base_url, str(settings.cache_dir)), settings.base_url,
            searched["preset"], searched["condition"], searched["intervention"],
            searched["term"], (place.lat, place.lon) if place else None,
            int(searched["radius"]), searched["status"], searched["phase"],
            searched["study_type"], searched["age"], searched["sex"], searched["hv"],
            searched["has_results"], int(searched["limit"]),
        )
        return results, place
    except PlaceNotFoundError as exc:
        hint = ""
        if exc.suggestions:
            hint = " Did you mean: " + "; ".join(exc.suggestions[:5]) + "?"
        st.error(f"We could not place “{searched['place']}” on the map. {exc}.{hint}")
    except NetworkError as exc:
        st.error(
            "ClinicalTrials.gov cannot be reached right now, so no search was run. "
            "Check the internet connection and try again in a moment, or look around with "
            "the invented demo data meanwhile."
        )
        st.caption(f"Details: {exc}")
        st.button("Use demo data", key="demo_button", on_click=use_demo)
    except ApiError as exc:
        st.error(f"ClinicalTrials.gov turned the search down: {exc.message}")
    except TrialFinderError as exc:
        st.error(f"The search could not run: {exc}")
    return None, None


def demo_banner() -> None:
    if st.session_state.get("demo"):
        st.warning(demo.DEMO_BANNER, icon=":material/science:")


def show_landing() -> None:
    st.markdown(
        "Choose a **topic** in the sidebar, or type a condition, a treatment or a place, "
        "then press **Search**. The results can then be narrowed with the filters without "
        "asking ClinicalTrials.gov again."
    )
    st.markdown(
        "The tab **About these topics** has short background notes, each with a button that "
        "searches its trials."
    )


def show_provenance(results: service.Results, fetched: service.Results) -> None:
    meta = results.meta
    if st.session_state.get("demo"):
        st.caption(f"Invented demo data: {len(fetched.all.studies)} studies match the topic.")
        return
    parts = [f"Fetched {meta.get('studies_fetched', len(fetched.all.studies)):,} studies"]
    if meta.get("total_reported") is not None:
        parts.append(f"ClinicalTrials.gov reported {meta['total_reported']:,} matches")
    if meta.get("data_timestamp"):
        parts.append(f"registry data of {meta['data_timestamp']}")
    if meta.get("fetched_at"):
        parts.append(f"fetched {meta['fetched_at']}")
    st.caption(" · ".join(parts) + ".")


def show_steps(results: service.Results, fetched: service.Results) -> None:
    """Say how many studies each active filter removed."""
    active = [step for step in results.steps if step.removed or step.note]
    if not active:
        return
    lines = [
        f"- {escape_md(step.name)}: removed **{step.removed:,}**"
        + (f" ({escape_md(step.note)})" if step.note else "")
        for step in active
    ]
    with st.expander(
        f"Filters: {len(fetched.all.studies):,} fetched → {len(results.studies):,} shown",
        expanded=False,
    ):
        st.markdown("\n".join(lines))


def show_results(results: service.Results, fetched: service.Results) -> None:
    studies, sites = results.studies, results.sites
    recruiting = int((studies["status"] == "RECRUITING").sum()) if len(studies) else 0
    with st.container(horizontal=True, gap="large", key="metrics"):
        st.metric("Studies", f"{len(studies):,}", width="content")
        st.metric("Sites", f"{len(sites):,}", width="content")
        st.metric("Recruiting now", f"{recruiting:,}", width="content")
    show_provenance(results, fetched)
    for warning in results.warnings:
        st.warning(warning)
    show_steps(results, fetched)
    if not len(studies):
        st.info("No study passes these filters. Try widening them.")
        return

    near = "nearest_distance_mi" in studies.columns
    order = ["url", "title", "status", "phases"]
    order += ["nearest_site", "nearest_distance_mi"] if near else []
    order += ["conditions", "countries", "start_date", "enrollment", "sponsor"]
    event = st.dataframe(
        studies,
        key="table",
        hide_index=True,
        column_order=order,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "url": st.column_config.LinkColumn(
                "NCT id", display_text=r"https://clinicaltrials\.gov/study/(NCT\d+)",
                help="Opens the study on ClinicalTrials.gov", width=110, pinned=True),
            "title": st.column_config.TextColumn("Title", width=300),
            "status": st.column_config.SelectboxColumn(
                "Status", options=[s.value for s in Status], format_func=code_label),
            "phases": st.column_config.SelectboxColumn(
                "Phase", options=studies["phases"].dropna().unique().tolist(),
                format_func=codes_label),
            "conditions": st.column_config.TextColumn("Conditions", width="medium"),
            "countries": st.column_config.TextColumn("Countries"),
            "nearest_site": st.column_config.TextColumn("Nearest site", width="medium"),
            "nearest_distance_mi": st.column_config.NumberColumn("Miles", format="%.0f"),
            "start_date": st.column_config.DateColumn("Start", format="YYYY-MM"),
            "enrollment": st.column_config.NumberColumn("People", format="%d"),
            "sponsor": st.column_config.TextColumn("Sponsor"),
        },
    )
    st.caption("Click a column heading to sort; tick a row to read that study below.")
    rows = list(event.selection.rows) if event is not None else []
    ss = st.session_state
    pick = str(studies["nct_id"].iloc[rows[0]]) if rows and rows[0] < len(studies) else None
    if pick and pick != ss.get("_table_pick"):
        ss["study"] = pick
    ss["_table_pick"] = pick


def show_downloads(results: service.Results) -> None:
    st.subheader("Download")
    st.caption("The same files as the command line tool writes for this search and filters.")
    cols = st.columns(3)
    cols[0].download_button(
        "Studies (CSV)", export.to_csv_bytes(results.studies), "trialfinder-studies.csv",
        "text/csv", key="dl_studies", on_click="ignore", width="stretch")
    cols[1].download_button(
        "Sites (CSV)", export.to_csv_bytes(results.sites), "trialfinder-sites.csv",
        "text/csv", key="dl_sites", on_click="ignore", width="stretch")
    cols[2].download_button(
        "Where it came from (JSON)", export.meta_json_bytes(results.meta),
        "trialfinder-provenance.json", "application/json", key="dl_meta",
        on_click="ignore", width="stretch")


def show_detail(results: service.Results, place: Place | None) -> None:
    """One study from its full record: summary, eligibility lists, treatments, outcomes,
    sites nearest first with contacts, and the link."""
    ss = st.session_state
    studies = results.studies
    if not len(studies):
        return
    ids = studies["nct_id"].astype(str).tolist()
    titles = dict(zip(ids, studies["title"].astype(str), strict=True))
    if ss.get("study") not in titles:
        ss["study"] = ids[0]
    st.subheader("Study details")
    nct = st.selectbox("Study", ids, key="study",
                       format_func=lambda n: f"{n} · {titles[n][:90]}")
    near = (place.lat, place.lon) if place else None
    settings = Settings()
    try:
        detail = fetch_detail(get_client(settings.base_url, str(settings.cache_dir)),
                              settings.base_url, nct, bool(ss.get("demo")), near)
    except TrialFinderError as exc:
        st.warning(f"The full record of {nct} could not be loaded ({exc}); showing what the "
                   "search returned instead.")
        detail = None
    shown = detail.results if detail is not None else results
    row = shown.studies.loc[shown.studies["nct_id"] == nct].iloc[0]

    st.markdown(f"#### {escape_md(text_of(row['title']))}")
    facts = [
        code_label(text_of(row["status"], "UNKNOWN")),
        codes_label(row["phases"]),
        code_label(text_of(row["study_type"], "UNKNOWN")),
    ]
    if not is_blank(row["sponsor"]):
        facts.append(f"sponsor: {row['sponsor']}")
    st.caption(escape_md(" · ".join(facts)))
    st.link_button("Open on ClinicalTrials.gov", text_of(row["url"]), key="study_link")

    st.markdown("##### Summary")
    st.markdown(inert_markdown(text_of(row["brief_summary"], "No summary given.")))

    st.markdown("##### Who can take part")
    low, high = row["min_age_years"], row["max_age_years"]
    ages = (f"{'no lower limit' if is_blank(low) else f'{float(low):g}'} to "
            f"{'no upper limit' if is_blank(high) else f'{float(high):g}'} years")
    hv = row["healthy_volunteers"]
    hv_text = ("not stated" if is_blank(hv)
               else "accepted" if bool(hv) else "not accepted")
    st.caption(escape_md(
        f"Ages {ages} · sex: {SEX_LABELS.get(text_of(row['sex']), 'not stated')} · "
        f"healthy volunteers: {hv_text}"))
    criteria = (detail.criteria if detail is not None
                else split_criteria(text_of(row["eligibility_criteria"])))
    if criteria.intro:
        st.markdown(markdown_list(criteria.intro))
    left, right = st.columns(2)
    with left:
        st.markdown("**Inclusion criteria**")
        if criteria.inclusion:
            st.markdown(markdown_list(criteria.inclusion))
        else:
            st.caption("None listed separately.")
    with right:
        st.markdown("**Exclusion criteria**")
        if criteria.exclusion:
            st.markdown(markdown_list(criteria.exclusion))
        else:
            st.caption("None listed separately.")

    st.markdown("##### Treatments")
    treatments = shown.interventions[shown.interventions["nct_id"] == nct]
    if len(treatments):
        st.dataframe(
            treatments, hide_index=True, key="detail_treatments",
            column_order=["type", "name", "other_names", "description"],
            column_config={
                "type": "Type", "name": "Name", "other_names": "Also called",
                "description": st.column_config.TextColumn("Description", width="large"),
            },
        )
    else:
        st.caption("No treatment listed.")

    if detail is not None:
        st.markdown("##### What the study measures")
        if len(detail.outcomes):
            st.dataframe(
                detail.outcomes, hide_index=True, key="detail_outcomes",
                column_order=["kind", "measure", "time_frame", "description"],
                column_config={
                    "kind": "Outcome", "measure": st.column_config.TextColumn(
                        "Measure", width="medium"),
                    "time_frame": "When",
                    "description": st.column_config.TextColumn("Description", width="large"),
                },
            )
        else:
            st.caption("No outcome measures listed.")

    st.markdown("##### Sites")
    sites = shown.sites[shown.sites["nct_id"] == nct]
    if len(sites):
        if near is not None:
            st.caption(f"All {len(sites):,} sites, nearest first.")
        order = ["facility", "city", "state", "country", "site_status"]
        order += ["distance_mi"] if "distance_mi" in sites.columns and near else []
        order += ["contact_name", "contact_phone", "contact_email"]
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
    else:
        st.caption("No site listed.")
    st.caption(NOT_ADVICE)


def _zoom(lats: pd.Series, lons: pd.Series) -> float:
    span = max(float(lats.quantile(0.9) - lats.quantile(0.1)),
               float(lons.quantile(0.9) - lons.quantile(0.1)) / 1.5, 0.05)
    return max(1.0, min(10.0, math.log2(180 / span)))


def show_map(results: service.Results, place: Place | None) -> None:
    st.subheader("Where the sites are")
    sites = results.sites
    located = sites.dropna(subset=["lat", "lon"])
    missing = len(sites) - len(located)
    if missing:
        st.caption(f"{missing:,} of {len(sites):,} sites have no map position and are not shown.")
    if not len(located):
        st.info("None of these sites has a map position.")
        return
    shown = located[["facility", "city", "country", "site_status", "lat", "lon"]]
    shown = shown.astype({"lat": float, "lon": float}).astype(
        {"facility": object, "city": object, "country": object, "site_status": object})
    shown = shown.where(shown.notna(), "").assign(
        colour=[SITE_COLOURS.get(s, OTHER_COLOUR) for s in shown["site_status"]])
    layers = [pdk.Layer(
        "ScatterplotLayer", data=shown, get_position=["lon", "lat"], get_fill_color="colour",
        get_radius=6, radius_units="'pixels'", stroked=True,
        get_line_color=[255, 255, 255, 220], line_width_min_pixels=1, pickable=True,
    )]
    if place is not None:
        here = pd.DataFrame({"lat": [place.lat], "lon": [place.lon], "facility": [place.name],
                             "city": [""], "country": [""], "site_status": ["your place"]})
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=here, get_position=["lon", "lat"],
            get_fill_color=[200, 30, 45, 230], get_radius=8, radius_units="'pixels'",
            pickable=True))
        lats = pd.concat([shown["lat"], pd.Series([place.lat])])
        lons = pd.concat([shown["lon"], pd.Series([place.lon])])
        view = pdk.ViewState(latitude=place.lat, longitude=place.lon, zoom=_zoom(lats, lons))
    else:
        view = pdk.ViewState(latitude=float(shown["lat"].median()),
                             longitude=float(shown["lon"].median()),
                             zoom=_zoom(shown["lat"], shown["lon"]))
    st.pydeck_chart(
        pdk.Deck(layers=layers, initial_view_state=view,
                 tooltip={"text": "{facility}\n{city} {country}\n{site_status}"}),
        key="map", height=460,
    )
    st.caption(LEGEND + (" · :red[●] your place" if place is not None else ""))


def _label_expr() -> str:
    """A Vega expression turning the API's codes on an axis into our labels."""
    codes = [*(s.value for s in Status), *(p.value for p in Phase)]
    expr = "datum.label"
    for code in codes:
        expr = f"datum.label == '{code}' ? '{code_label(code)}' : ({expr})"
    return expr


def show_charts(results: service.Results) -> None:
    studies = results.studies
    if not len(studies):
        return
    st.subheader("At a glance")
    base = alt.Chart(studies[["status", "phases", "start_date"]].astype(
        {"status": "string", "phases": "string"}))
    by_status = base.mark_bar(color="#2c7bb6").encode(
        x=alt.X("count():Q", title="Studies"),
        y=alt.Y("status:N", sort="-x", title=None, axis=alt.Axis(labelExpr=_label_expr())),
        tooltip=[alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("count():Q", title="Studies")],
    ).properties(title="By status", height=alt.Step(22))
    by_phase = base.transform_calculate(
        phase="split(datum.phases ? datum.phases : 'not stated', '|')"
    ).transform_flatten(["phase"]).mark_bar(color="#1a9641").encode(
        x=alt.X("count():Q", title="Studies"),
        y=alt.Y("phase:N", sort="ascending", title=None,
                axis=alt.Axis(labelExpr=_label_expr())),
        tooltip=[alt.Tooltip("phase:N", title="Phase"), alt.Tooltip("count():Q", title="Studies")],
    ).properties(title="By phase (a study may count twice)", height=alt.Step(22))
    by_year = base.transform_filter("isValid(datum.start_date)").mark_bar(
        color="#e6911e").encode(
        x=alt.X("year(start_date):O", title="Start year"),
        y=alt.Y("count():Q", title="Studies"),
        tooltip=[alt.Tooltip("year(start_date):O", title="Year"),
                 alt.Tooltip("count():Q", title="Studies")],
    ).properties(title="Starts per year", height=240)
    left, right = st.columns(2)
    left.altair_chart(by_status, width="stretch", key="chart_status")
    right.altair_chart(by_phase, width="stretch", key="chart_phase")
    st.altair_chart(by_year, width="stretch", key="chart_year")


def show_background() -> None:
    st.info(background.DISCLAIMER)
    for section in background.SECTIONS:
        with st.container(border=True):
            st.subheader(section.title)
            st.markdown(section.body_markdown)
            st.button(f"Find trials: {preset_title(section.preset)}", key=f"bg_{section.key}",
                      on_click=start_preset, args=(section.preset,))


def main() -> None:
    st.set_page_config(page_title="Trial finder", page_icon="🔎", layout="wide")
    boot_from_url()
    ss = st.session_state
    sidebar()

    st.title("Trial finder")
    st.caption("Find clinical trials on ClinicalTrials.gov and narrow them down. " + NOT_ADVICE)
    if ss.get("notice"):
        st.info(ss.pop("notice"))
    if ss.get("demo"):
        st.button("Back to live ClinicalTrials.gov data", key="leave_demo", on_click=leave_demo)

    searched = ss.get("searched")
    fetched, place = run_search(searched) if searched else (None, None)
    results: service.Results | None = None
    if fetched is not None:
        country_filter(fetched)
        try:
            results = fetched.refilter(current_filters((place.lat, place.lon) if place else None))
        except TrialFinderError as exc:
            st.error(f"The filters could not be applied: {exc}")
        wider = wider_than_search(searched) if not ss.get("demo") else []
        if wider:
            st.info(f"Your filters are now wider than what the last search asked "
                    f"ClinicalTrials.gov for ({', '.join(wider)}). Press Search to fetch the "
                    "extra studies.")

    trials, where, about = st.tabs(["Trials", "Map and charts", "About these topics"])
    with trials:
        demo_banner()
        if results is None:
            show_landing()
        else:
            show_results(results, fetched)
            show_detail(results, place)
            show_downloads(results)
    with where:
        demo_banner()
        if results is None:
            st.caption("Run a search to see its sites on a map.")
        else:
            show_map(results, place)
            show_charts(results)
    with about:
        demo_banner()
        show_background()
    write_url()


main()
