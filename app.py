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

from trialfinder import service
from trialfinder.api.client import TrialsClient
from trialfinder.api.query import Phase, Status, StudyType
from trialfinder.config import Settings
from trialfinder.errors import (
    ApiError,
    InvalidQueryError,
    NetworkError,
    PlaceNotFoundError,
    TrialFinderError,
)
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.tables import export
from trialfinder.tables.detail import split_criteria
from trialfinder.tables.filters import INTERVENTION_TYPES, LocalFilters
from trialfinder.topics import background, demo, presets

NOT_ADVICE = "Not medical advice; talk to your doctor before you act on anything you read here."
NOT_STATED = "Not stated"  # one wording for a missing phase, sex, age limit...

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
    """``"PHASE2|PHASE3"`` -> ``"Phase 2, Phase 3"``; nothing -> :data:`NOT_STATED`."""
    return ", ".join(code_label(c) for c in text_of(joined).split("|") if c) or NOT_STATED


def status_label(code: Any) -> str:
    return NOT_STATED if is_blank(code) or not str(code) else code_label(str(code))


def joined_label(joined: Any, default: str = "") -> str:
    """A ``"|"``-joined list of the tables as readable text: ``"a|b"`` -> ``"a, b"``."""
    return ", ".join(p.strip() for p in text_of(joined).split("|") if p.strip()) or default


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 study``, ``2 studies``, ``1,200 sites``."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def human_time(value: Any, with_time: bool = False) -> str:
    """An ISO timestamp of the API or the client as ``20 Nov 2026`` (or ``... 15:57 UTC``)."""
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return str(value)
    if pd.isna(stamp):
        return str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    text = f"{stamp.day} {stamp:%b %Y}"
    return f"{text} {stamp:%H:%M} UTC" if with_time else text


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
        slot.progress(share, text=f"Fetched {fetched:,} of {plural(goal, 'study', 'studies')}…")

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
        parsed = [] if status == ["any"] else _parse_codes(
            status, lambda v: Status.parse(v).value)
        # a link whose statuses are all unknown keeps the default rather than showing any status
        state["status"] = parsed if parsed or status == ["any"] else state["status"]
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
        st.error(place_problem(exc))
    except NetworkError as exc:
        st.error(
            "ClinicalTrials.gov cannot be reached right now, so no search was run. "
            "Check the internet connection and try again in a moment, or look around with "
            "the invented demo data meanwhile."
        )
        st.caption(f"Details: {escape_md(str(exc))}")
        st.button("Use demo data", key="demo_button", on_click=use_demo)
    except ApiError as exc:
        st.error(f"ClinicalTrials.gov turned the search down: {escape_md(exc.message)}")
    except TrialFinderError as exc:
        st.error(f"The search could not run: {escape_md(str(exc))}")
    return None, None


_QUOTED = re.compile(r"""(?<!\w)'([^']*)'(?!\w)|(?<!\w)"([^"]*)"(?!\w)""")


def place_problem(exc: PlaceNotFoundError) -> str:
    """Why a place could not be used: the library's message once (its quotes made curly like
    the rest of the page), then only those suggestions the message does not already list."""
    message = str(exc).rstrip(". ")
    extra = [s for s in dict.fromkeys(exc.suggestions) if s not in message][:5]
    if extra:
        message += "; did you mean: " + "; ".join(extra)
    message = _QUOTED.sub(lambda m: f"“{m.group(1) or m.group(2) or ''}”", message)
    return f"We could not find this place on the map: {escape_md(message)}."


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
        count = len(fetched.all.studies)
        st.caption(f"Invented demo data: {plural(count, 'study', 'studies')} "
                   f"{'matches' if count == 1 else 'match'} the topic.")
        return
    count = int(meta.get("studies_fetched", len(fetched.all.studies)))
    parts = [f"Fetched {plural(count, 'study', 'studies')}"]
    if meta.get("total_reported") is not None:
        reported = plural(int(meta["total_reported"]), "match", "matches")
        parts.append(f"ClinicalTrials.gov reported {reported}")
    if meta.get("data_timestamp"):
        parts.append(f"registry data of {human_time(meta['data_timestamp'])}")
    if meta.get("fetched_at"):
        parts.append(f"fetched {human_time(meta['fetched_at'], with_time=True)}")
    st.caption(" · ".join(parts) + ".")
    statuses = (meta.get("query") or {}).get("filter.overallStatus")
    if statuses:
        labels = ", ".join(status_label(code).lower() for code in statuses.split(","))
        st.caption(f"Only studies that are {labels} were asked for: widen Status in the "
                   "sidebar and press Search to see others.")


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
    # Demo studies are invented: they get no link to ClinicalTrials.gov.
    first = "nct_id" if st.session_state.get("demo") else "url"
    # Narrow columns first, so a phone (390 px) shows id, status and distance without scrolling.
    order = [first, "status", *(["nearest_distance_mi"] if near else []), "phases", "title"]
    order += ["nearest_site"] if near else []
    order += ["conditions", "countries", "start_date", "enrollment", "sponsor"]
    event = st.dataframe(
        table_frame(studies, order),
        key="table",
        hide_index=True,
        column_order=order,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "url": st.column_config.LinkColumn(
                "NCT id", display_text=r"https://clinicaltrials\.gov/study/(NCT\d+)",
                help="Opens the study on ClinicalTrials.gov", width=102, pinned=True),
            "nct_id": st.column_config.TextColumn(
                "NCT id", help="An invented demo study", width=102, pinned=True),
            "status": st.column_config.TextColumn("Status", width=140),
            "nearest_distance_mi": st.column_config.NumberColumn(
                "Miles", format="%.0f", width=58, help="To the nearest site of the study"),
            "phases": st.column_config.TextColumn("Phase", width=110),
            "title": st.column_config.TextColumn("Title", width=360),
            "nearest_site": st.column_config.TextColumn("Nearest site", width="medium"),
            "conditions": st.column_config.TextColumn("Conditions", width="medium"),
            "countries": st.column_config.TextColumn("Countries"),
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


def table_frame(studies: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The studies as the table shows them: only its columns (plus the id), codes as labels,
    lists as ``a, b``. Rows keep their order, so a selected row number still fits ``studies``."""
    frame = blank_to_empty(studies[["nct_id", *(c for c in columns if c != "nct_id")]],
                           ["title", "nearest_site", "sponsor"])
    frame["status"] = [status_label(v) for v in frame["status"]]
    frame["phases"] = [codes_label(v) for v in frame["phases"]]
    for column in ("conditions", "countries"):
        frame[column] = [joined_label(v) for v in frame[column]]
    return frame


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


def age_range(low: Any, high: Any) -> str:
    """``18 to 65 years``, ``18 years and over``, ``up to 17 years``, ``any age``."""
    if is_blank(low) or float(low) <= 0:
        return "any age" if is_blank(high) else f"up to {float(high):g} years"
    if is_blank(high):
        return f"{float(low):g} years and over"
    return f"{float(low):g} to {float(high):g} years"


def blank_to_empty(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing text shown as an empty cell (the table would print "None")."""
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: [text_of(v) for v in frame[c]] for c in present})


def non_empty(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Those of ``columns`` that hold some text in at least one row."""
    return [c for c in columns
            if c in frame.columns and any(text_of(v).strip() for v in frame[c])]


def load_detail(nct: str, near: tuple[float, float] | None) -> service.StudyDetail | None:
    """The full record of one study, or ``None`` (with a note) when it cannot be had: the
    detail then falls back to what the search returned. Never lets an error end the page."""
    settings = Settings()
    try:
        detail = fetch_detail(get_client(settings.base_url, str(settings.cache_dir)),
                              settings.base_url, nct, bool(st.session_state.get("demo")), near)
    except TrialFinderError as exc:
        reason = escape_md(str(exc))
    except Exception as exc:
        reason = escape_md(f"unexpected {type(exc).__name__}")
    else:
        if len(detail.results.studies):
            return detail
        reason = "the record came back empty"
    st.warning(f"The full record of {nct} could not be loaded ({reason}). Showing what the "
               "search returned instead; outcome measures need the full record.")
    return None


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
        if ss.get("study"):
            st.info(f"Study {ss['study']} is not among these results; showing {ids[0]} "
                    "instead.")
        ss["study"] = ids[0]
    st.subheader("Study details")
    nct = st.selectbox("Study", ids, key="study",
                       format_func=lambda n: f"{n} · {titles[n][:90]}")
    near = (place.lat, place.lon) if place else None
    detail = load_detail(nct, near)
    shown = detail.results if detail is not None else results
    matches = shown.studies.loc[shown.studies["nct_id"] == nct]
    row = (matches if len(matches) else shown.studies).iloc[0]
    record_id = str(row["nct_id"])  # differs from ``nct`` only if the id was an alias

    st.markdown(f"#### {escape_md(text_of(row['title']))}")
    facts = [
        f"Status: {status_label(row['status'])}",
        f"Phase: {codes_label(row['phases'])}",
        f"Type: {status_label(row['study_type'])}",
    ]
    if not is_blank(row["sponsor"]):
        facts.append(f"Sponsor: {row['sponsor']}")
    st.caption(escape_md(" · ".join(facts)))
    if not is_blank(row["why_stopped"]) and str(row["why_stopped"]).strip():
        st.info(f"**Why it stopped:** {escape_md(str(row['why_stopped']))}",
                icon=":material/do_not_disturb_on:")
    conditions = joined_label(row["conditions"])
    if conditions:
        st.markdown(f"**Conditions:** {escape_md(conditions)}")
    if ss.get("demo"):
        st.caption("An invented demo study: it has no page on ClinicalTrials.gov.")
    else:
        st.link_button("Open on ClinicalTrials.gov", text_of(row["url"]), key="study_link")

    st.markdown("##### Summary")
    st.markdown(inert_markdown(text_of(row["brief_summary"], "No summary given.")))

    st.markdown("##### Who can take part")
    ages = age_range(row["min_age_years"], row["max_age_years"])
    hv = row["healthy_volunteers"]
    hv_text = (NOT_STATED if is_blank(hv)
               else "Accepted" if bool(hv) else "Not accepted")
    st.caption(escape_md(
        f"Ages: {ages} · Sex: {SEX_LABELS.get(text_of(row['sex']), NOT_STATED)} · "
        f"Healthy volunteers: {hv_text}"))
    criteria = (detail.criteria if detail is not None
                else split_criteria(text_of(row["eligibility_criteria"])))
    if criteria.intro:
        st.markdown(markdown_list(criteria.intro))
    for column, (title, items) in zip(
        st.columns(2),
        (("Inclusion criteria", criteria.inclusion), ("Exclusion criteria", criteria.exclusion)),
        strict=True,
    ):
        with column:
            st.markdown(f"**{title}**")
            if items:
                st.markdown(markdown_list(items))
            else:
                st.caption("None listed separately.")

    st.markdown("##### Treatments")
    treatments = shown.interventions[shown.interventions["nct_id"] == record_id]
    if len(treatments):
        treatments = blank_to_empty(treatments, ["name", "description"]).assign(
            type=[INTERVENTION_LABELS.get(text_of(t), code_label(text_of(t, "OTHER")))
                  for t in treatments["type"]],
            other_names=[joined_label(v) for v in treatments["other_names"]],
        )
        st.dataframe(
            treatments, hide_index=True, key="detail_treatments",
            column_order=["type", "name", *non_empty(treatments, ["other_names"]),
                          "description"],
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
            outcomes = blank_to_empty(detail.outcomes, ["measure", "time_frame",
                                                         "description"]).assign(
                kind=[text_of(k).capitalize() for k in detail.outcomes["kind"]])
            st.dataframe(
                outcomes, hide_index=True, key="detail_outcomes",
                column_order=["kind", "measure", "time_frame", "description"],
                column_config={
                    "kind": "Outcome", "measure": st.column_config.TextColumn(
                        "Measure", width=300),
                    "time_frame": "When",
                    "description": st.column_config.TextColumn("Description", width="large"),
                },
            )
        else:
            st.caption("No outcome measures listed.")

    st.markdown("##### Sites")
    sites = shown.sites[shown.sites["nct_id"] == record_id]
    if len(sites):
        if near is not None and len(sites) > 1:
            st.caption(f"All {len(sites):,} sites, nearest first.")
        sites = blank_to_empty(sites, ["facility", "city", "state", "country", "contact_name",
                                       "contact_phone", "contact_email"])
        sites = sites.assign(site_status=[status_label(v) for v in sites["site_status"]])
        order = ["facility", "city", "state", "country", "site_status"]
        order += ["distance_mi"] if "distance_mi" in sites.columns and near else []
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
    else:
        st.caption("No site listed.")
    st.caption(NOT_ADVICE)


# The map's first view must show every dot even on a phone, so it is fitted to a box about
# the size of a phone's map (a wider screen just shows more around the dots).
MAP_HEIGHT = 460
FIT_BOX = (290, 380)  # pixels (width, height) the points must fit in, margins included
MIN_ZOOM, MAX_ZOOM = 0.0, 11.0  # whole world ... a town


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, as a share of the world's height (0 at the equator)."""
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)


def fit_view(lats: Iterable[float], lons: Iterable[float]) -> tuple[float, float, float]:
    """``(latitude, longitude, zoom)`` of a view that shows every point: centred on the middle
    of their bounding box and zoomed so the box fits :data:`FIT_BOX` (deck.gl draws the whole
    world 512 px wide at zoom 0), clamped to :data:`MIN_ZOOM`..:data:`MAX_ZOOM`."""
    lat_list, lon_list = [float(v) for v in lats], [float(v) for v in lons]
    if not lat_list:
        return 20.0, 0.0, MIN_ZOOM
    y_low, y_high = _mercator_y(min(lat_list)), _mercator_y(max(lat_list))
    lon_low, lon_high = min(lon_list), max(lon_list)
    width, height = FIT_BOX
    zooms = [MAX_ZOOM]
    if lon_high > lon_low:
        zooms.append(math.log2(width * 360 / (512 * (lon_high - lon_low))))
    if y_high > y_low:
        zooms.append(math.log2(height / (512 * (y_high - y_low))))
    zoom = max(MIN_ZOOM, min(zooms))
    centre_y = (y_low + y_high) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y * 2 * math.pi)) - math.pi / 2)
    return centre_lat, (lon_low + lon_high) / 2, zoom


def show_map(results: service.Results, place: Place | None) -> None:
    st.subheader("Where the sites are")
    sites = results.sites
    located = sites.dropna(subset=["lat", "lon"])
    missing = len(sites) - len(located)
    if missing:
        st.caption(f"{missing:,} of {plural(len(sites), 'site')} "
                   f"{'has' if missing == 1 else 'have'} no map position and "
                   f"{'is' if missing == 1 else 'are'} not shown.")
    if not len(located):
        st.info("None of these sites has a map position.")
        return
    shown = located[["facility", "city", "country", "site_status", "lat", "lon"]]
    shown = shown.astype({"lat": float, "lon": float}).astype(
        {"facility": object, "city": object, "country": object, "site_status": object})
    shown = shown.where(shown.notna(), "").assign(
        colour=[SITE_COLOURS.get(s, OTHER_COLOUR) for s in shown["site_status"]],
        status_label=[status_label(s) for s in shown["site_status"]])
    layers = [pdk.Layer(
        "ScatterplotLayer", data=shown, get_position=["lon", "lat"], get_fill_color="colour",
        get_radius=6, radius_units="'pixels'", stroked=True,
        get_line_color=[255, 255, 255, 220], line_width_min_pixels=1, pickable=True,
    )]
    if place is not None:
        here = pd.DataFrame({"lat": [place.lat], "lon": [place.lon], "facility": [place.name],
                             "city": [""], "country": [""], "status_label": ["Your place"]})
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=here, get_position=["lon", "lat"],
            get_fill_color=[200, 30, 45, 230], get_radius=8, radius_units="'pixels'",
            pickable=True))
    lats, lons = list(shown["lat"]), list(shown["lon"])
    if place is not None:
        lats.append(place.lat)
        lons.append(place.lon)
    latitude, longitude, zoom = fit_view(lats, lons)
    view = pdk.ViewState(latitude=latitude, longitude=longitude, zoom=zoom)
    st.pydeck_chart(
        pdk.Deck(layers=layers, initial_view_state=view,
                 tooltip={"text": "{facility}\n{city} {country}\n{status_label}"}),
        key="map", height=MAP_HEIGHT,
    )
    st.caption(LEGEND + (" · :red[●] your place" if place is not None else ""))
    st.caption("The background map comes from an online map service and needs an internet "
               "connection; the dots, the tooltips and the table work without one.")


PHASE_ORDER = [*(p.label for p in Phase if p is not Phase.NA), Phase.NA.label, NOT_STATED]


def count_axis() -> alt.Axis:
    """Counts are whole numbers: no 0.5 ticks."""
    return alt.Axis(format="d", tickMinStep=1)


def show_charts(results: service.Results) -> None:
    studies = results.studies
    if not len(studies):
        return
    st.subheader("At a glance")
    data = pd.DataFrame({
        "status": [status_label(v) for v in studies["status"]],
        "phases": ["|".join(code_label(c) for c in text_of(v).split("|") if c) or NOT_STATED
                   for v in studies["phases"]],
        "start_date": studies["start_date"],
    })
    base = alt.Chart(data)
    studies_count = alt.Tooltip("count():Q", title="Studies")
    by_status = base.mark_bar(color="#2c7bb6").encode(
        x=alt.X("count():Q", title="Studies", axis=count_axis()),
        y=alt.Y("status:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("status:N", title="Status"), studies_count],
    ).properties(title="By status", height=alt.Step(22))
    by_phase = base.transform_calculate(
        phase="split(datum.phases, '|')"
    ).transform_flatten(["phase"]).mark_bar(color="#1a9641").encode(
        x=alt.X("count():Q", title="Studies", axis=count_axis()),
        y=alt.Y("phase:N", sort=PHASE_ORDER, title=None),
        tooltip=[alt.Tooltip("phase:N", title="Phase"), studies_count],
    ).properties(title="By phase (a study may count twice)", height=alt.Step(22))
    by_year = base.transform_filter("isValid(datum.start_date)").mark_bar(
        color="#e6911e").encode(
        x=alt.X("year(start_date):O", title="Start year"),
        y=alt.Y("count():Q", title="Studies", axis=count_axis()),
        tooltip=[alt.Tooltip("year(start_date):O", title="Year"), studies_count],
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
            st.error(f"The filters could not be applied: {escape_md(str(exc))}")
        wider = wider_than_search(searched) if not ss.get("demo") else []
        if wider:
            st.info(f"Your filters are now wider than what the last search asked "
                    f"ClinicalTrials.gov for ({', '.join(wider)}). Press Search to fetch the "
                    "extra studies.")

    trials, where, about = st.tabs(["Trials", "Map and charts", "About these topics"])
    with trials:
        demo_banner()
        if results is None and searched:
            # the message above says what went wrong; no "choose a topic" invitation here
            st.caption("No studies to list, because the search could not run.")
        elif results is None:
            show_landing()
        else:
            show_results(results, fetched)
            show_detail(results, place)
            show_downloads(results)
    with where:
        demo_banner()
        if results is None:
            st.caption("No sites to show, because the search could not run." if searched
                       else "Run a search to see its sites on a map.")
        else:
            show_map(results, place)
            show_charts(results)
    with about:
        demo_banner()
        show_background()
    write_url()


main()
