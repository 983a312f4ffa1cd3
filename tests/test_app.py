"""The Streamlit dashboard (app.py), driven headless with ``streamlit.testing.v1.AppTest``.

Searches go to the loopback stand-in serving the fictional demo records, so the whole path
(client, normalize, filters) runs for real; ``service.search`` is wrapped only to count calls.
Error paths replace ``service.search`` with a function that raises.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.results import FICTIONAL_LIST
from devtools.standin import StandInServer, fictional_study
from trialfinder import service
from trialfinder.core.errors import ApiError, NetworkError
from trialfinder.options import OPTIONS, SearchOptions
from trialfinder.topics import background
from trialfinder.topics.demo import DEMO_BANNER, load_demo_studies
from trialfinder.views.outlines import outlines_version
from trialfinder.views.text import escape_md

ROOT = Path(__file__).parents[1]
APP = ROOT / "app.py"
APP_FILES = [APP, *sorted((ROOT / "dashboard").glob("*.py"))]

DEMO = load_demo_studies()
OPEN = ("RECRUITING", "NOT_YET_RECRUITING")


def nct_of(record: dict[str, Any]) -> str:
    return str(record["protocolSection"]["identificationModule"]["nctId"])


RECORDS = {nct_of(s): s for s in DEMO}


def demo_ids(**query: Any) -> list[str]:
    """The ids the library's own offline search picks from the demo records, in their order."""
    found = service.search_records(DEMO, source="demo records", **query)
    return [str(i) for i in found.studies["nct_id"]]


def spasm(**filters: Any) -> list[str]:
    """The recruiting / not yet recruiting studies of the "muscle-spasm" preset, filtered."""
    return demo_ids(preset="muscle-spasm", status=OPEN, **filters)


def first(ids: list[str], wanted: Callable[[dict[str, Any]], bool]) -> str:
    """The first of ``ids`` whose demo record has the property the test is about."""
    return next(i for i in ids if wanted(RECORDS[i]))


def module(record: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(record["protocolSection"].get(name) or {})


def title_of(nct: str) -> str:
    return str(module(RECORDS[nct], "identificationModule")["briefTitle"])


def criteria_items(nct: str) -> dict[str, list[str]]:
    """The bullet items under each "... Criteria:" heading of a record's eligibility text."""
    sections: dict[str, list[str]] = {}
    items: list[str] = []
    text = module(RECORDS[nct], "eligibilityModule").get("eligibilityCriteria", "")
    for line in text.splitlines():
        if m := re.fullmatch(r"(\w+) Criteria:", line.strip()):
            items = sections.setdefault(m.group(1).lower(), [])
        elif line.startswith("* "):
            items.append(line[2:])
    return sections


def site_contacts(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for site in module(record, "contactsLocationsModule").get("locations", [])
            for c in site.get("contacts", [])]


def intervention_types(record: dict[str, Any]) -> list[str]:
    return [i["type"] for i in module(record, "armsInterventionsModule").get("interventions", [])]


def code_words(code: str) -> str:
    """A registry code as the words a reader sees: "NOT_YET_RECRUITING" -> "Not yet recruiting"."""
    return code.replace("_", " ").capitalize()


SPASM_OPEN = spasm()
SPASM_OPEN_PHASE4 = spasm(phase="PHASE4")
ALS_ANY = demo_ids(preset="als")
# a listed study whose title and criteria (inclusion and exclusion bullets) Markdown must escape
CRITERIA_STUDY = first(SPASM_OPEN, lambda r: (
    escape_md(title_of(nct_of(r))) != title_of(nct_of(r))
    and {"inclusion", "exclusion"} <= {k for k, v in criteria_items(nct_of(r)).items() if v}
    and any(escape_md(i) != i for v in criteria_items(nct_of(r)).values() for i in v)
    and bool(module(r, "outcomesModule").get("primaryOutcomes"))))
CRITERIA_HEADING = f"## {escape_md(title_of(CRITERIA_STUDY))}"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of ``service.search`` (which still runs for real)."""
    seen: list[dict[str, Any]] = []
    real = service.search

    def counting(*args: Any, **kwargs: Any) -> service.Results:
        # each option under its keyword, its codes as text (statuses as "RECRUITING")
        options = kwargs.get("options") or SearchOptions()
        plain = {d.kwarg: tuple(getattr(v, "value", v) for v in value)
                 if isinstance(value := getattr(options, d.name), tuple)
                 else getattr(value, "value", value) for d in OPTIONS}
        seen.append({**kwargs, **plain})
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "search", counting)
    return seen


@pytest.fixture
def api(
    standin_factory: Callable[..., StandInServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> StandInServer:
    """The stand-in API over the demo records, with the app pointed at it."""
    server = standin_factory(load_demo_studies())
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    return server


def fail_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def failing(*args: Any, **kwargs: Any) -> service.Results:
        seen.append(kwargs)
        raise error

    monkeypatch.setattr(service, "search", failing)
    return seen


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def table_ids(at: AppTest) -> list[str]:
    """The ids of the listed studies, in order, from the cards or the table ([] when no list
    is shown)."""
    tables = [d for d in at.dataframe if getattr(d, "key", None) == "table"]
    if tables:
        return [str(v) for v in tables[0].value["nct_id"]]
    return [m.group(1) for t in texts(at.caption)
            if (m := re.match(r"^(NCT\d{8}) · ", t))]


def as_table(at: AppTest) -> Any:
    """Switch the list to the sortable table; return the table element."""
    at.toggle(key="as_table").set_value(True).run()
    return at.dataframe(key="table")


def param(at: AppTest, key: str) -> list[str]:
    """One URL parameter as a list (AppTest gives a bare string for a single value)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def plain(markdown: str) -> str:
    """Markdown as read on screen: backslash escapes and invisible word joiners undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def frame_element(at: AppTest, column: str) -> Any:
    """The first dataframe element whose data has ``column``."""
    return next(d for d in at.dataframe if column in d.value.columns)


def frame(at: AppTest, column: str) -> Any:
    return frame_element(at, column).value


def shown_columns(at: AppTest, column: str) -> list[str]:
    return list(frame_element(at, column).proto.column_order)


def open_url(at: AppTest, **params: str) -> AppTest:
    at.query_params.update(params)
    return at.run()


NEAR_BOSTON = {"preset": "als", "near": "Boston, MA", "radius": "100", "status": "any"}
# the same search through the library's offline path: the demo studies it finds
NEAR_BOSTON_FOUND = service.search_records(DEMO, source="demo records", preset="als",
                                           near="Boston, MA", radius=100)
NEAR_BOSTON_IDS = [str(i) for i in NEAR_BOSTON_FOUND.studies["nct_id"]]


def search_preset(at: AppTest, name: str = "muscle-spasm") -> AppTest:
    at.selectbox(key="preset").set_value(name)
    return at.button(key="search_button").click().run()


def open_study(at: AppTest, nct: str) -> AppTest:
    """Press "Read this study" on the card of ``nct`` (as a user would)."""
    return at.button(key=f"open_{table_ids(at).index(nct)}").click().run()


def back_to_list(at: AppTest) -> AppTest:
    return at.button(key="back_to_list").click().run()


def show_view(at: AppTest, view: str) -> AppTest:
    return at.segmented_control(key="view").set_value(view).run()


def interactive_map(at: AppTest) -> AppTest:
    """The map view's "Open the interactive map" pressed (the view shows a still map first)."""
    return at.button(key="map_open").click().run()


def still_svg(at: AppTest) -> ET.Element:
    """The map view's still picture, parsed (an SVG sent as a data URI)."""
    (image,) = at.get("image")[0].proto.imgs
    head, _, body = image.url.partition(",")
    assert head == "data:image/svg+xml;base64"
    return ET.fromstring(base64.b64decode(body))


def test_app_loads_and_shows_the_disclaimer() -> None:
    at = new_app().run()
    assert not at.exception
    assert background.DISCLAIMER in texts(at.info)
    assert any("Not medical advice; talk to your doctor" in t for t in texts(at.caption))
    assert at.title[0].value == "Trial finder"
    assert not at.dataframe  # nothing searched yet


def test_preset_search_fills_the_table(api: StandInServer, calls: list[dict[str, Any]]) -> None:
    at = search_preset(new_app().run())
    assert not at.exception
    assert not at.error
    assert len(SPASM_OPEN) > 1  # the preset finds demo studies to list
    assert table_ids(at) == SPASM_OPEN
    assert len(calls) == 1
    assert calls[0]["preset"] == "muscle-spasm"
    assert calls[0]["status"] == ("RECRUITING", "NOT_YET_RECRUITING")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Studies"] == str(len(SPASM_OPEN))
    assert metrics["Recruiting now"] == str(
        sum(1 for i in SPASM_OPEN
            if module(RECORDS[i], "statusModule")["overallStatus"] == "RECRUITING"))
    # the search is in the URL
    assert param(at, "preset") == ["muscle-spasm"]


def test_local_filters_apply_without_a_new_search(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = search_preset(new_app().run())
    searches_after_search = api.stats.paths["/api/v2/studies"]
    assert table_ids(at) == SPASM_OPEN
    fetched, phase4 = len(SPASM_OPEN), len(SPASM_OPEN_PHASE4)
    assert 0 < phase4 < fetched

    at.multiselect(key="phase").set_value(["PHASE4"]).run()
    assert not at.exception
    assert table_ids(at) == SPASM_OPEN_PHASE4
    assert any(e.label.startswith(f"Filters: {fetched} fetched → {phase4} shown")
               for e in at.expander)
    assert any(f"- Phase: Phase 4: removed **{fetched - phase4}**" in plain(t)
               for t in texts(at.markdown))

    at.number_input(key="age").set_value(70.0).run()
    assert table_ids(at) == spasm(phase="PHASE4", age=70)
    at.text_input(key="keyword").input("ibuprofen").run()
    ibuprofen = spasm(phase="PHASE4", age=70, keyword="ibuprofen")
    assert 0 < len(ibuprofen) < phase4
    assert table_ids(at) == ibuprofen

    assert len(calls) == 1
    # no new search; only the full record of a newly chosen study for the detail view
    assert api.stats.paths["/api/v2/studies"] == searches_after_search
    assert all(p == "/api/v2/studies" or p.startswith(("/api/v2/studies/NCT", "/api/v2/version"))
               for p in api.stats.paths)
    assert param(at, "phase") == ["PHASE4"]
    assert param(at, "keyword") == ["ibuprofen"]


def test_widening_a_filter_says_a_new_search_is_needed(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = search_preset(new_app().run())
    at.multiselect(key="status").set_value(["RECRUITING", "COMPLETED"]).run()
    assert not at.exception
    assert any("wider than what the last search asked" in t for t in texts(at.info))
    assert len(calls) == 1
    at.button(key="search_button").click().run()
    assert len(calls) == 2
    assert calls[1]["status"] == ("RECRUITING", "COMPLETED")
    assert not any("wider than" in t for t in texts(at.info))


def test_detail_view_lists_inclusion_and_exclusion(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    nct = CRITERIA_STUDY
    at = open_study(search_preset(new_app().run()), nct)
    assert not at.exception
    markdown = texts(at.markdown)
    assert CRITERIA_HEADING in markdown
    inclusion = markdown[markdown.index("**Inclusion criteria**") + 1]
    exclusion = markdown[markdown.index("**Exclusion criteria**") + 1]
    items = criteria_items(nct)
    assert inclusion.splitlines() == [f"- {escape_md(i)}" for i in items["inclusion"]]
    assert exclusion.splitlines() == [f"- {escape_md(i)}" for i in items["exclusion"]]
    sites = next(d.value for d in at.dataframe if "facility" in d.value.columns)
    assert set(sites["nct_id"]) == {nct}
    assert param(at, "study") == [nct]
    # outcomes come from the full record, fetched once for the chosen study
    record = RECORDS[nct]
    outcomes = next(d.value for d in at.dataframe if "time_frame" in d.value.columns)
    assert list(outcomes["measure"]) == [
        o["measure"] for kind in ("primaryOutcomes", "secondaryOutcomes")
        for o in record["protocolSection"]["outcomesModule"].get(kind, [])]
    assert api.stats.paths[f"/api/v2/studies/{nct}"] == 1


def test_trial_text_is_rendered_inert(
    standin_factory: Callable[..., StandInServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    record = fictional_study(
        "NCT99100077", "Tricky <b>Title</b> [link](https://example.org)",
        conditions=["Muscle Cramp"],
    )
    module = record["protocolSection"].setdefault("descriptionModule", {})
    module["briefSummary"] = "Hello <script>alert(1)</script> ![img](https://example.org/x.png)"
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* adults :red[only] $x^2$\n\nExclusion Criteria:\n\n"
        "* <img src=x onerror=alert(1)>"
    )
    server = standin_factory([record])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    at = new_app().run()
    at.text_input(key="condition").input("muscle cramp")
    at.multiselect(key="status").set_value([])
    at.button(key="search_button").click().run()
    assert not at.exception
    # the card shows the title as typed
    assert ("**Tricky \\<b\\>Title\\<\\/b\\> "
            "\\[link\\]\\(https\\:\u2060\\/\\/example\\.org\\)**") in texts(at.markdown)
    at = open_study(at, "NCT99100077")
    markdown = texts(at.markdown)
    assert ("## Tricky \\<b\\>Title\\<\\/b\\> "
            "\\[link\\]\\(https\\:\u2060\\/\\/example\\.org\\)") in markdown
    assert ("Hello \\<script\\>alert\\(1\\)\\<\\/script\\> "
            "\\!\\[img\\]\\(https\\:\u2060\\/\\/example\\.org\\/x\\.png\\)") in markdown
    assert "- adults \\:red\\[only\\] \\$x\\^2\\$" in markdown
    assert "- \\<img src\\=x onerror\\=alert\\(1\\)\\>" in markdown


def test_decoded_references_are_shown_as_text_and_placeholders_in_words(
    standin_factory: Callable[..., StandInServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    record = fictional_study("NCT99100078", "Tricky &lt;b&gt;Title&lt;/b&gt; &amp;amp; more",
                             conditions=["Muscle Cramp"])
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Cramps \\&gt;= 2 a week\n\nExclusion Criteria:\n\n* N/A")
    server = standin_factory([record])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    at = new_app().run()
    at.text_input(key="condition").input("muscle cramp")
    at.multiselect(key="status").set_value([])
    at.button(key="search_button").click().run()
    at = open_study(at, "NCT99100078")
    assert not at.exception
    markdown = texts(at.markdown)
    # decoded once ("&amp;amp;" is the text "&amp;"), then shown as typed
    assert "## Tricky \\<b\\>Title\\<\\/b\\> \\&amp\\; more" in markdown
    assert "- Cramps \\>\\= 2 a week" in markdown
    assert 'None\\: the record says \\"N\\/A\\"\\.' in texts(at.caption)


def test_api_error_shows_the_api_message(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, ApiError(
        400, "https://clinicaltrials.gov/api/v2/studies",
        "filter.overallStatus: unknown value 'RECRUTING'"))
    at = search_preset(new_app().run())
    assert not at.exception
    assert len(at.error) == 1
    assert plain(at.error[0].value) == (
        "ClinicalTrials.gov turned the search down: "
        "filter.overallStatus: unknown value 'RECRUTING'")
    assert not at.dataframe


def test_offline_offers_demo_data_with_a_banner(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = fail_with(monkeypatch, NetworkError(
        "cannot reach ClinicalTrials.gov at https://clinicaltrials.gov/api/v2 (after 5 "
        "retries): Name or service not known"))
    at = search_preset(new_app().run())
    assert not at.exception
    assert at.error[0].value.startswith("ClinicalTrials.gov cannot be reached right now")
    # the detail is plain text: its address is copied as it is, with no invisible character
    assert [t.value for t in at.text] == [
        "Details: cannot reach ClinicalTrials.gov at https://clinicaltrials.gov/api/v2 (after "
        "5 retries): Name or service not known"]
    assert DEMO_BANNER not in texts(at.warning)

    at.button(key="demo_button").click().run()
    assert not at.exception
    assert not at.error
    assert texts(at.warning).count(DEMO_BANNER) == 1
    ids = table_ids(at)
    assert ids and all(i.startswith("NCT99") for i in ids)
    cramp = first(list(RECORDS), lambda r: (
        module(r, "statusModule")["overallStatus"] == "RECRUITING"
        and "Muscle Cramp" in module(r, "conditionsModule")["conditions"]))
    assert cramp in ids  # a recruiting muscle-cramp demo study
    assert len(seen) == 1  # the demo needs no request
    assert param(at, "demo") == ["1"]

    at.multiselect(key="phase").set_value(["PHASE4"]).run()
    assert set(table_ids(at)) < set(ids)
    assert texts(at.warning).count(DEMO_BANNER) == 1
    show_view(at, "map")
    assert texts(at.warning).count(DEMO_BANNER) == 1

    at.button(key="leave_demo").click().run()
    assert DEMO_BANNER not in texts(at.warning)
    assert at.error[0].value.startswith("ClinicalTrials.gov cannot be reached right now")


def test_link_reopens_the_same_search_and_filters(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    ibuprofen = spasm(phase="PHASE4", keyword="ibuprofen")
    assert ibuprofen
    at = new_app()
    at.query_params.update(
        {"preset": "muscle-spasm", "phase": "PHASE4", "keyword": "ibuprofen",
         "study": ibuprofen[-1]})
    at.run()
    assert not at.exception
    assert at.selectbox(key="preset").value == "muscle-spasm"
    assert at.multiselect(key="phase").value == ["PHASE4"]
    assert at.text_input(key="keyword").value == "ibuprofen"
    # the study of the link is open ...
    assert any(t.startswith("## ") for t in texts(at.markdown))
    assert param(at, "study") == [ibuprofen[-1]]
    # ... and behind it the filtered list
    back_to_list(at)
    assert table_ids(at) == ibuprofen
    assert "study" not in at.query_params
    assert len(calls) == 1
    assert calls[0]["phase"] == ("PHASE4",)


def test_background_button_runs_its_preset(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app().run()
    section = next(s for s in background.SECTIONS if s.preset == "muscle-spasm")
    at.button(key=f"bg_{section.key}").click().run()
    assert not at.exception
    assert at.selectbox(key="preset").value == "muscle-spasm"
    assert table_ids(at) == SPASM_OPEN
    assert [c["preset"] for c in calls] == ["muscle-spasm"]


def test_unknown_place_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = fail_with(monkeypatch, AssertionError("search must not run"))
    at = new_app().run()
    at.text_input(key="place").input("Qwxzvq")
    at.button(key="search_button").click().run()
    assert not at.exception
    assert at.error[0].value == (
        "We could not find this place on the map: unknown place “Qwxzvq”.")
    assert seen == []


# -- the new-user review: wording, labels, map view, failures ------------------------------


def test_counts_are_singular_for_one_and_timestamps_are_human(
    api: StandInServer, as_if_real: None,
) -> None:
    assert len(NEAR_BOSTON_IDS) == 1  # the wording of one study is what is checked
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception
    assert table_ids(at) == NEAR_BOSTON_IDS
    provenance = next(t for t in texts(at.caption) if t.startswith("Fetched "))
    # the stand-in answered, not ClinicalTrials.gov: the page names its address
    assert re.fullmatch(
        r"Fetched 1 study · " + re.escape(escape_md(f"the API at {api.base_url}"))
        + r" reported 1 match · registry data of "
        r"20 Nov 2026 · fetched \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC\.", provenance)
    assert not any("1 studies" in t or "1 matches" in t or "1 sites" in t
                   for t in texts(at.caption) + texts(at.markdown))

    at = search_preset(new_app().run())
    n = len(SPASM_OPEN)
    assert n > 1
    assert any(t.startswith(f"Fetched {n} studies · {escape_md(f'the API at {api.base_url}')} "
                            f"reported {n} matches") for t in texts(at.caption))


def test_table_shows_labels_and_puts_narrow_columns_first(
    api: StandInServer, as_if_real: None,
) -> None:
    [nct] = NEAR_BOSTON_IDS
    record = RECORDS[nct]
    status = code_words(module(record, "statusModule")["overallStatus"])
    assert not module(record, "designModule").get("phases")  # so its phase is "Not stated"
    sites = NEAR_BOSTON_FOUND.sites
    nearest = sites.loc[sites["distance_mi"].idxmin()]
    at = open_url(new_app(), **NEAR_BOSTON)
    # the card (what a phone shows) says it in words, with the nearest site
    card = next(plain(t) for t in texts(at.caption) if t.startswith(nct))
    assert card.startswith(f"{nct} · {status} · Not stated · ")
    assert f" · nearest site {nearest['distance_mi']:.0f} miles away: " in card
    assert nearest["city"] in card
    table = as_table(at)
    assert list(table.proto.column_order[:5]) == [
        "url", "title", "status", "nearest_distance_mi", "phases"]
    row = table.value.iloc[0]
    assert (row["status"], row["phases"]) == (status, "Not stated")
    assert row["conditions"] == ", ".join(module(record, "conditionsModule")["conditions"])
    assert not any("None" in str(v) for v in table.value.iloc[0])

    at = open_url(new_app(), preset="als", status="any")
    table = as_table(at)
    assert "nearest_distance_mi" not in table.proto.column_order
    assert list(table.proto.column_order[:4]) == ["url", "title", "status", "phases"]
    phases = dict(zip(table.value["nct_id"], table.value["phases"], strict=True))
    assert list(phases) == ALS_ANY

    def with_phases(*codes: str) -> str:
        return first(ALS_ANY, lambda r: module(r, "designModule").get("phases") == list(codes))

    assert phases[with_phases("NA")] == "Not applicable"
    assert phases[with_phases("PHASE2", "PHASE3")] == "Phase 2, Phase 3"


def _pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel position at ``zoom`` (deck.gl: the world is 512 px wide at 0)."""
    size = 512 * 2**zoom
    phi = math.radians(lat)
    return ((lon + 180) / 360 * size,
            (0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)) * size)


def assert_view_shows_every_point(at: AppTest, width: int = 358, height: int = 460) -> None:
    """Every dot of every layer lies inside a phone-sized map of the first view."""
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    view = spec["initialViewState"]
    assert 0 <= view["zoom"] <= 11
    cx, cy = _pixel(view["latitude"], view["longitude"], view["zoom"])
    points = [(d["lat"], d["lon"]) for layer in spec["layers"] for d in layer["data"]
              if "lat" in d]
    assert points
    for lat, lon in points:
        x, y = _pixel(lat, lon, view["zoom"])
        assert abs(x - cx) <= width / 2 - 6, (lat, lon, view)
        assert abs(y - cy) <= height / 2 - 6, (lat, lon, view)


def test_near_search_map_fits_the_place_and_every_site(api: StandInServer) -> None:
    at = show_view(open_url(new_app(), **NEAR_BOSTON), "map")
    assert not at.exception
    # first a still picture: the site (ringed as the nearest) and the place, no deck.gl yet
    assert not at.get("deck_gl_json_chart")
    svg = still_svg(at)
    names = [e.tag.rsplit("}", 1)[-1] for e in svg.iter()]
    assert names.count("circle") == 2  # the site's dot, and its ring as the nearest
    assert "Hartford" in (svg.findtext("{http://www.w3.org/2000/svg}title") or "")
    assert at.get("image")[0].proto.imgs[0].alt.startswith("Map of the sites. 1 site of 1 ")
    at = interactive_map(at)
    assert not at.get("image")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    cities = [d.get("city") for layer in spec["layers"][1:] for d in layer["data"]]
    assert "Hartford" in cities  # the one site, 93 miles from Boston
    assert_view_shows_every_point(at)
    assert spec["initialViewState"]["zoom"] > 5  # not zoomed out to the whole world
    assert "no online map service is asked" in " ".join(texts(at.caption))
    # nothing from outside: pydeck's unset style, which Streamlit's front end draws with no
    # base map (with no mapStyle at all it fetches one from basemaps.cartocdn.com)
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
    # the shipped outlines come first, under the dots: a static file the browser keeps
    outlines = spec["layers"][0]
    assert outlines["@@type"] == "PathLayer" and outlines["id"] == "outlines"
    assert outlines["data"] == f"app/static/outlines.json?v={outlines_version()}"
    assert len(at.get("deck_gl_json_chart")[0].proto.json) < 20_000  # no borders, no indents
    # and the text beside it says what it shows
    assert "1 site of 1 study on the map: United States 1. The nearest, " in " ".join(
        plain(t) for t in texts(at.caption))


def test_map_view_of_no_study_says_there_is_no_site(api: StandInServer) -> None:
    at = show_view(open_url(new_app(), preset="muscle-spasm", keyword="zzqx"), "map")
    assert not at.exception
    assert "No site to show on a map." in texts(at.caption)
    assert not at.get("image") and not at.get("deck_gl_json_chart")


def test_map_of_sites_around_the_world_fits_too(api: StandInServer) -> None:
    at = interactive_map(show_view(search_preset(new_app().run()), "map"))
    # sites on four continents: the whole world (zoom 0, the least there is) fits a laptop's
    # map, 900 px wide; a phone then needs a sideways drag
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"][
        "zoom"] == 0
    assert_view_shows_every_point(at, width=900)


def _stopped_without_contacts(record: dict[str, Any]) -> bool:
    """Stopped (with a reason), no contact anywhere, sites only completed or terminated,
    treatments without other names, primary and secondary outcomes."""
    where = module(record, "contactsLocationsModule")
    outcomes = module(record, "outcomesModule")
    treatments = module(record, "armsInterventionsModule").get("interventions", [])
    return bool(
        module(record, "statusModule").get("whyStopped")
        and not where.get("centralContacts") and not site_contacts(record)
        and {site.get("status") for site in where.get("locations", [])}
        <= {"COMPLETED", "TERMINATED", None}
        and treatments and not any(t.get("otherNames") for t in treatments)
        and outcomes.get("primaryOutcomes") and outcomes.get("secondaryOutcomes"))


def test_detail_says_why_a_trial_stopped_in_plain_labels(api: StandInServer) -> None:
    nct = first(ALS_ANY, _stopped_without_contacts)
    record = RECORDS[nct]
    at = open_url(new_app(), preset="als", status="any", study=nct)
    assert not at.exception
    why = module(record, "statusModule")["whyStopped"]
    assert f"**Why it stopped:** {escape_md(why)}" in texts(at.info)
    conditions = ", ".join(module(record, "conditionsModule")["conditions"])
    assert any(f"- **Conditions:** {conditions}" in plain(t) for t in texts(at.markdown))
    assert list(frame(at, "arm_labels")["type"]) == [
        code_words(t) for t in intervention_types(record)]
    assert set(frame(at, "time_frame")["kind"]) == {"Primary", "Secondary"}
    sites = frame(at, "facility")
    assert set(sites["site_status"]) <= {"Completed", "Terminated", "Not stated"}
    # no contact is given at any site of this study, so those columns are left out
    order = shown_columns(at, "facility")
    assert order[:5] == ["facility", "city", "state", "country", "site_status"]
    assert not {"contact_name", "contact_phone", "contact_email"} & set(order)
    assert "other_names" not in shown_columns(at, "arm_labels")
    # no contact anywhere in this fictional record, and no registry page to send people to
    assert "The record names no contact. The sites below are where the study runs." in texts(
        at.markdown)

    going_on = first(ALS_ANY, lambda r: not module(r, "statusModule").get("whyStopped"))
    at = open_url(new_app(), preset="als", status="any", study=going_on)
    assert not any(t.startswith("**Why it stopped:**") for t in texts(at.info))

    with_phones = first(SPASM_OPEN, lambda r: any(c.get("phone") for c in site_contacts(r)))
    at = open_study(search_preset(new_app().run()), with_phones)
    assert "contact_phone" in shown_columns(at, "facility")


def test_why_stopped_and_other_names_are_inert_text(
    standin_factory: Callable[..., StandInServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    record = fictional_study(
        "NCT99100078", "Fictional Naproxen Cramp Study", status="TERMINATED",
        conditions=["Muscle Cramp", "Night Cramps"],
        interventions=[{"type": "DRUG", "name": "Naproxen", "otherNames": ["Aleve", "Naprosyn"]}],
    )
    record["protocolSection"]["statusModule"]["whyStopped"] = "Funding [ended](https://x.org)"
    server = standin_factory([record])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    at = open_url(new_app(), condition="muscle cramp", status="any", study="NCT99100078")
    assert not at.exception
    assert ("**Why it stopped:** Funding \\[ended\\]\\(https\\:\u2060\\/\\/x\\.org\\)"
            in texts(at.info))
    treatments = frame(at, "arm_labels")
    assert list(treatments["type"]) == ["Drug"]
    assert list(treatments["other_names"]) == ["Aleve, Naprosyn"]
    assert "other_names" in shown_columns(at, "arm_labels")


def test_ambiguous_place_is_explained_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, AssertionError("search must not run"))
    at = new_app().run()
    at.text_input(key="place").input("Springfield")
    at.button(key="search_button").click().run()
    assert not at.exception
    assert len(at.error) == 1
    message = plain(at.error[0].value)
    assert message.startswith("We could not find this place on the map: “Springfield” matches ")
    assert message.count("Springfield, MA, US") == 1
    assert "did you mean" not in message.lower()  # the candidates are listed already
    assert "'" not in message and '"' not in message

    at.text_input(key="place").input("Bostn")
    at.button(key="search_button").click().run()
    message = plain(at.error[0].value)
    assert message.count("Boston, MA, US") == 1
    assert message.lower().count("did you mean") == 1


def test_failed_search_shows_no_landing_invitation(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, NetworkError("cannot reach ClinicalTrials.gov"))
    at = search_preset(new_app().run())
    assert not at.exception
    assert at.error[0].value.startswith("ClinicalTrials.gov cannot be reached right now")
    assert not any(t.startswith("Look for clinical trials") for t in texts(at.markdown))
    assert "No studies to list, because the search could not run." in texts(at.caption)
    assert background.DISCLAIMER in texts(at.info)  # the topics stay

    at = new_app().run()  # nothing searched yet: the invitation is there
    assert any(t.startswith("Look for clinical trials") for t in texts(at.markdown))


@pytest.mark.parametrize("error", [
    RuntimeError("a record the normalizer did not expect"),
    NetworkError("cannot reach ClinicalTrials.gov"),
    ApiError(404, f"https://clinicaltrials.gov/api/v2/studies/{CRITERIA_STUDY}", "not found"),
])
def test_detail_falls_back_when_the_full_record_fails(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def failing(*args: Any, **kwargs: Any) -> service.StudyDetail:
        raise error

    monkeypatch.setattr(service, "study_detail", failing)
    at = open_study(search_preset(new_app().run()), CRITERIA_STUDY)
    assert not at.exception
    assert any("could not be loaded" in t for t in texts(at.warning))
    assert CRITERIA_HEADING in texts(at.markdown)
    assert "**Inclusion criteria**" in texts(at.markdown)
    back_to_list(at)
    assert table_ids(at) == SPASM_OPEN
    at.multiselect(key="phase").set_value(["PHASE4"]).run()  # the page still works
    assert not at.exception
    assert table_ids(at) == SPASM_OPEN_PHASE4


def test_status_sent_to_the_api_is_said(api: StandInServer, calls: list[dict[str, Any]],
                                        as_if_real: None) -> None:
    at = search_preset(new_app().run())
    assert ("You asked for studies that are recruiting or not yet recruiting. Expanded-access "
            "programmes (treatment outside a trial) are among those left out.") in texts(
                at.caption)
    # beside it, a button that does it (the sidebar is out of sight on a phone)
    at.button(key="any_status").click().run()
    assert not at.exception
    assert calls[-1]["status"] == () and param(at, "status") == ["any"]


def test_a_link_with_unknown_statuses_keeps_the_default(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app()
    at.query_params.update({"preset": "als", "status": "bogus"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="status").value == ["RECRUITING", "NOT_YET_RECRUITING"]
    assert calls[0]["status"] == ("RECRUITING", "NOT_YET_RECRUITING")
    assert ("The link’s status “bogus” was not understood and was left out."
            in [plain(t) for t in texts(at.info)])


def test_a_link_with_a_radius_the_page_does_not_offer_uses_the_nearest_and_says_so(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app()
    at.query_params.update({"preset": "als", "near": "Boston, MA", "radius": "3000"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="q_radius").value == 500
    assert ("The link’s distance, 3,000 mi, is not one this page offers: the nearest, 500 mi, "
            "is used." in [plain(t) for t in texts(at.info)])


def test_demo_studies_do_not_link_to_clinicaltrials_gov(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, NetworkError("cannot reach ClinicalTrials.gov"))
    at = search_preset(new_app().run())
    at.button(key="demo_button").click().run()
    at = open_study(at, table_ids(at)[0])
    assert not at.exception
    assert "An invented demo study: it has no page on ClinicalTrials.gov." in texts(at.caption)
    assert not [b for b in at.get("link_button") if "clinicaltrials.gov" in str(b.proto)]


def test_fictional_studies_from_an_api_are_shown_as_the_demo_shows_them(
    api: StandInServer,
) -> None:
    """The stand-in serves fictional studies (NCT99...) as the real API would: outside the
    demo they are still never shown as real (the banner, the provenance, the downloads, no
    link to ClinicalTrials.gov)."""
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception
    assert "demo" not in at.query_params
    assert table_ids(at) == NEAR_BOSTON_IDS
    assert texts(at.warning).count(DEMO_BANNER) == 1
    assert "Invented demo data: 1 study matches the search." in texts(at.caption)
    # right under the heading a phone scrolls to the top (past the banner) after a search
    assert texts(at.caption).count(FICTIONAL_LIST) == 1
    assert not any("ClinicalTrials.gov reported" in t for t in texts(at.caption))
    assert ("Invented demo studies: the files say so in their names and in a first column."
            in texts(at.caption))
    assert list(as_table(at).proto.column_order[:1]) == ["nct_id"]  # no link column
    show_view(at, "map")
    assert texts(at.warning).count(DEMO_BANNER) == 1
    show_view(at, "list")
    assert at.toggle(key="as_table").value  # the list comes back as the table it was
    at.toggle(key="as_table").set_value(False).run()
    at = open_study(at, NEAR_BOSTON_IDS[0])
    assert texts(at.warning).count(DEMO_BANNER) == 1
    assert "An invented demo study: it has no page on ClinicalTrials.gov." in texts(at.caption)
    assert not [b for b in at.get("link_button") if "clinicaltrials.gov" in str(b.proto)]


# -- an inert page: hostile URL parameters, records and messages -------------------------------

EVIL = "[x](https://evil.example) ![t](https://evil.example/t.png)"
EVIL_HTML = "<img src=x onerror=alert(1)> <b>bold</b>"
_LIVE = [
    re.compile(r"(?<!\\)\]\s*(?<!\\)\((?!mailto:)"),  # a link or image (our mailto aside)
    re.compile(r"(?i)https?:/|www\.|[A-Za-z0-9]@"),  # a bare address Markdown would link
    re.compile(r"(?<!\\)<\s*[A-Za-z/!]"),       # an HTML tag
    re.compile(r"(?<!\\)\$"),                   # maths
    re.compile(r"(?<!\\):(?!(?:green|blue|violet|orange|gray|red)\[●\])[a-z]+\["),  # colour
]


def shown_texts(at: AppTest) -> list[str]:
    """Every string the page renders as Markdown: text elements and widget labels."""
    out: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(b.label) for b in at.button]
    out += [str(e.label) for e in at.expander]
    out += [str(m.label) for m in at.metric]
    return out


def assert_inert(at: AppTest, *hostile: str) -> None:
    """Nothing on the page is a live link, image, tag, formula or colour, and each hostile
    string is still shown (escaped), not dropped."""
    assert not at.exception
    rendered = shown_texts(at)
    for text in (re.sub(r"\]\(mailto:[^)\s]*\)", "]", t) for t in rendered):
        for pattern in _LIVE:
            assert not pattern.search(text), (pattern.pattern, text)
    # st.text shows its text as it is (no Markdown, no HTML): inert whatever it holds
    readable = " ".join([plain(t) for t in rendered] + [str(e.value) for e in at.text])
    for value in hostile:
        assert value in readable, value


def test_hostile_url_parameters_render_as_text(api: StandInServer) -> None:
    at = open_url(new_app(), preset="muscle-spasm", study=EVIL)
    assert_inert(at, f"The link named a study id we could not read: “{EVIL}”.")
    assert table_ids(at) == SPASM_OPEN

    at = open_url(new_app(), condition=EVIL, keyword=EVIL_HTML, term=EVIL_HTML)
    assert_inert(at)
    # the registry answered (with nothing): said as such, not blamed on the filters
    assert any(plain(t).startswith(f"No study: the API at {api.base_url} found nothing")
               for t in texts(at.info))

    at = open_url(new_app(), near=EVIL)
    assert_inert(at)
    assert at.error[0].value.startswith("We could not find this place on the map")
    assert "evil.example" in plain(at.error[0].value)


@pytest.mark.parametrize("error", [
    ApiError(400, "https://clinicaltrials.gov/api/v2/studies", f"bad value {EVIL}"),
    NetworkError(f"cannot reach {EVIL_HTML}"),
])
def test_hostile_error_texts_render_as_text(monkeypatch: pytest.MonkeyPatch,
                                            error: Exception) -> None:
    fail_with(monkeypatch, error)
    at = search_preset(new_app().run())
    assert_inert(at, EVIL if isinstance(error, ApiError) else EVIL_HTML)


def hostile_record(nct: str) -> dict[str, Any]:
    record = fictional_study(
        nct, f"Evil {EVIL} {EVIL_HTML}", conditions=["Muscle Cramp", f"Cramp {EVIL}"],
        sponsor=f"Sponsor {EVIL}", official_title=f"Official {EVIL_HTML} $x^2$",
        interventions=[{"type": "DRUG", "name": f"Drug {EVIL}", "otherNames": [EVIL_HTML]}],
        locations=[{"facility": f"Clinic {EVIL}", "city": f"Town {EVIL_HTML}",
                    "country": "United States", "status": "RECRUITING",
                    "contacts": [{"name": f"Dr {EVIL}", "phone": EVIL_HTML}],
                    "geoPoint": {"lat": 42.36, "lon": -71.06}}],
        summary=f"Summary {EVIL}\n\n* item {EVIL_HTML}",
    )
    module = record["protocolSection"].setdefault("contactsLocationsModule", {})
    module["centralContacts"] = [{"name": f"Central {EVIL}", "role": "CONTACT",
                                  "email": f"{EVIL_HTML}@x.org"}]
    record["protocolSection"]["statusModule"]["whyStopped"] = f"Stopped {EVIL}"
    return record


def test_hostile_records_render_as_text_on_every_view(
    standin_factory: Callable[..., StandInServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server = standin_factory([hostile_record("NCT99100090"), hostile_record("NCT99100091")])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    at = open_url(new_app(), condition="muscle cramp", status="any")
    assert table_ids(at) == ["NCT99100090", "NCT99100091"]
    assert_inert(at, f"Evil {EVIL} {EVIL_HTML}")
    at = open_study(at, "NCT99100091")
    assert_inert(at, f"Central {EVIL}", f"Stopped {EVIL}", f"Official {EVIL_HTML} $x^2$",
                 f"Summary {EVIL}", f"Clinic {EVIL}, Town {EVIL_HTML}", f"Sponsor {EVIL}")
    back_to_list(at)
    show_view(at, "map")
    assert_inert(at)
    # the still picture holds shapes and one title, the sentence beside it, as text
    svg = still_svg(at)
    assert {e.tag.rsplit("}", 1)[-1] for e in svg.iter()} <= {
        "svg", "title", "style", "rect", "path", "circle"}
    assert not [a for e in svg.iter() for a in e.attrib if "href" in a or a.startswith("on")]
    assert "Map of the sites. " + (svg.findtext("{http://www.w3.org/2000/svg}title") or "") == (
        at.get("image")[0].proto.imgs[0].alt)
    at = interactive_map(at)
    assert_inert(at)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "html" not in spec.get("tooltip", {})  # deck.gl shows "text" tooltips as text


def test_hostile_warnings_of_a_result_render_as_text(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, as_if_real: None,
) -> None:
    real = service.search

    def warning_search(*args: Any, **kwargs: Any) -> service.Results:
        found = real(*args, **kwargs)
        meta = dataclasses.replace(found.meta, warnings=(f"limit reached {EVIL}",),
                                   data_timestamp=EVIL_HTML)
        return dataclasses.replace(found, meta=meta)

    monkeypatch.setattr(service, "search", warning_search)
    at = search_preset(new_app().run())
    assert_inert(at, f"Limit reached {EVIL}")  # capitalised, as a sentence starts
    # a registry date that is not a date is left out, not echoed
    assert not any("registry data of" in t for t in texts(at.caption))


# -- flow: new searches, empty lists, undo, clear ----------------------------------------------


def test_a_topic_after_a_filtered_search_shows_that_topics_studies(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = search_preset(new_app().run())
    at.multiselect(key="phase").set_value(["PHASE2"])
    at.number_input(key="age").set_value(58.0)
    at.selectbox(key="sex").set_value("FEMALE")
    at.text_input(key="keyword").input("breast").run()
    assert table_ids(at) == []
    show_view(at, "topics")
    section = next(s for s in background.SECTIONS if s.preset == "als")
    at.button(key=f"bg_{section.key}").click().run()
    assert not at.exception
    assert (at.multiselect(key="phase").value, at.number_input(key="age").value,
            at.selectbox(key="sex").value, at.text_input(key="keyword").value) == (
        [], None, "ALL", "")
    assert calls[-1]["preset"] == "als" and calls[-1]["phase"] == ()
    assert table_ids(at)  # the ALS studies, recruiting or about to
    terminated = first(ALS_ANY, lambda r: (
        module(r, "statusModule")["overallStatus"] == "TERMINATED"))
    assert terminated not in table_ids(at)  # a terminated one stays out by default


def test_the_main_search_box_runs_a_search_without_the_sidebar(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app().run()
    at.text_input(key="q_words").input("amyotrophic lateral sclerosis")
    at.button(key="q_submit").click().run()
    assert not at.exception
    assert calls[0]["condition"] == ("amyotrophic lateral sclerosis",)
    assert table_ids(at)
    assert param(at, "condition") == ["amyotrophic lateral sclerosis"]
    # a place, then a search without one: no stale distance in the link
    at.text_input(key="q_place").input("Boston, MA")
    at.button(key="q_submit").click().run()
    assert param(at, "near") == ["Boston, MA"] and param(at, "radius") == []
    at.text_input(key="q_place").input("")
    at.button(key="q_submit").click().run()
    assert "near" not in at.query_params and "radius" not in at.query_params


def test_filters_that_remove_everything_offer_an_undo(api: StandInServer) -> None:
    at = search_preset(new_app().run())
    at.multiselect(key="phase").set_value(["PHASE4"]).run()
    at.text_input(key="keyword").input("zzzz-nothing").run()
    assert table_ids(at) == []
    assert (f"Your filters removed all {len(SPASM_OPEN)} studies that were fetched."
            in texts(at.warning))
    assert not any(t.startswith("No study:") for t in texts(at.info))
    assert not at.get("download_button")  # nothing to download
    undo = at.button(key="undo_keyword")
    assert len(SPASM_OPEN_PHASE4) > 1
    assert plain(undo.label) == (
        f"Undo Keyword: “zzzz-nothing” (shows {len(SPASM_OPEN_PHASE4)} studies)")
    undo.click().run()
    assert at.text_input(key="keyword").value == ""
    assert table_ids(at) == SPASM_OPEN_PHASE4
    at.button(key="clear_filters").click().run()
    assert at.multiselect(key="phase").value == []
    assert table_ids(at) == SPASM_OPEN


def test_registry_with_no_match_says_so_with_suggestions(api: StandInServer) -> None:
    at = open_url(new_app(), condition="qwzx unheard of", near="Boston, MA", radius="10")
    assert not at.exception
    message = plain(next(t for t in texts(at.info) if t.startswith("No study")))
    # the stand-in answered, and is named by its address (not as ClinicalTrials.gov)
    assert message.startswith(f"No study: the API at {api.base_url} found nothing for this "
                              "search")
    assert [plain(b.label) for b in at.button if b.key.startswith("retry_")] == [
        "Search within 25 miles", "Search without a place",
        "Search any status, not only recruiting, not yet recruiting"]
    assert "Try fewer or more general words." in [plain(t) for t in texts(at.caption)]
    assert not any("filters removed" in t for t in texts(at.warning))
    # a suggestion's button searches again with its one change
    at.button(key="retry_0").click().run()
    assert not at.exception
    assert param(at, "radius") == ["25"] and param(at, "condition") == ["qwzx unheard of"]
    at.button(key="retry_2").click().run()
    assert param(at, "status") == ["any"] and param(at, "radius") == ["25"]
    at.button(key="retry_1").click().run()  # no place: the topic everywhere
    assert param(at, "near") == [] and param(at, "condition") == ["qwzx unheard of"]


def test_a_slip_in_the_condition_is_one_click_from_its_spelling(api: StandInServer) -> None:
    """"musle spasm" found nothing, and the page said only "Try another spelling"."""
    at = open_url(new_app(), condition="musle spasm")
    assert not at.exception
    retry = [b for b in at.button if b.key.startswith("retry_")]
    assert plain(retry[0].label) == "Search for muscle spasm"
    retry[0].click().run()
    assert not at.exception
    assert param(at, "condition") == ["muscle spasm"]
    assert table_ids(at)  # the stand-in's muscle spasm studies


def test_charts_use_a_continuous_year_axis_and_skip_single_bars(api: StandInServer) -> None:
    at = show_view(search_preset(new_app().run()), "map")
    specs = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title")
        specs[title.get("text") if isinstance(title, dict) else title] = spec
    year = specs["Starts per year"]
    assert year["encoding"]["x"]["type"] == "quantitative"
    # each bar spans its year +-0.4, so the year's tick is under the middle of its bar
    assert (year["encoding"]["x"]["field"], year["encoding"]["x2"]["field"]) == (
        "left", "right")
    low, high = year["encoding"]["x"]["scale"]["domain"]
    assert low % 1 == 0.5 and high % 1 == 0.5
    at = show_view(open_url(new_app(), **NEAR_BOSTON), "map")  # one study
    assert not at.get("vega_lite_chart")
    assert any("nothing to chart" in t for t in texts(at.caption))


def test_registry_fields_and_without_results_are_sent_and_linked(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = open_url(new_app(), preset="muscle-spasm", results="without", status="any",
                  sponsor="Fictional", start_from="2020")
    assert not at.exception
    assert (calls[0]["has_results"], calls[0]["sponsor"], calls[0]["start_from"]) == (
        False, "Fictional", "2020")
    listed = table_ids(at)
    assert listed and not any(RECORDS[i].get("hasResults") for i in listed)
    assert at.selectbox(key="has_results").value == "no"
    assert param(at, "results") == ["no"] and param(at, "sponsor") == ["Fictional"]


# -- a static guard: every value put into a Markdown-rendering call's f-string is vetted -------

_RENDERING = {"markdown", "info", "warning", "error", "caption", "success", "button",
              "link_button", "expander", "metric", "subheader", "header", "title", "toggle",
              "selectbox", "text_input", "multiselect", "download_button", "form_submit_button"}
# Functions whose result is safe Markdown (escaped text, or numbers and fixed words).
_SAFE_CALLS = {"escape_md", "mail_link", "markdown_list", "inert_markdown", "place_problem",
               "plural", "len", "contact_line", "contact_lines", "phone_link", "study_line",
               "duration"}
# Local names that hold text built only from escaped parts or from this project's own words
# (each was checked where it is assigned; a new name here needs the same check).
_VETTED_NAMES = {"where", "labels", "hint", "label", "title", "reason", "words", "shown",
                 "missing", "wider", "who", "registry_title", "BREAK",
                 "reach", "SHORT_NOT_ADVICE"}  # quick_call's line (escaped); our own words


def _unvetted(value: ast.expr) -> list[str]:
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
            func, ast.Attribute) else ""
        if name in _SAFE_CALLS:
            return []
        if name == "join" and isinstance(func, ast.Attribute):  # "sep".join(vetted list)
            return [n for arg in value.args for n in _unvetted(arg)]
    if isinstance(value, ast.Name) and value.id in _VETTED_NAMES:
        return []
    if isinstance(value, ast.IfExp) and all(isinstance(v, ast.Constant)
                                            for v in (value.body, value.orelse)):
        return []
    if isinstance(value, ast.Attribute) and ast.unparse(value) in (
            "preset.title", "section.title"):  # the project's own topic names
        return []
    return [ast.unparse(value)]


def _interpolations(node: ast.AST) -> list[ast.expr]:
    """The values put into f-strings under ``node``, not looking inside escaping calls."""
    if isinstance(node, ast.Call) and _unvetted(node) == []:
        return []
    if isinstance(node, ast.FormattedValue):
        return [] if node.format_spec is not None else [node.value]
    return [v for child in ast.iter_child_nodes(node) for v in _interpolations(child)]


def _raw_html(node: ast.AST) -> bool:
    """A call that would render HTML: ``st.html``/``components.html``, or one given
    ``unsafe_allow_html`` (as a keyword, or as a key of a ``**`` dict)."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr == "html":
        return True
    names = {k.arg for k in node.keywords}
    for spread in (k.value for k in node.keywords if k.arg is None):
        if isinstance(spread, ast.Dict):
            names |= {key.value for key in spread.keys if isinstance(key, ast.Constant)}
    return "unsafe_allow_html" in names


def _constants(tree: ast.Module) -> set[str]:
    """The module-level names bound once to a string literal."""
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def test_no_call_renders_raw_html() -> None:
    """Raw HTML only in dashboard/style.py, and only the project's own constant text there
    (the style sheet and the focus script): nothing from a record, a URL or a person."""
    found = []
    for path in APP_FILES:
        tree = ast.parse(path.read_text("utf-8"))
        own = _constants(tree) if path.name == "style.py" else set()
        found += [f"{path.name}:{node.lineno}" for node in ast.walk(tree) if _raw_html(node)
                  and not (isinstance(node, ast.Call) and len(node.args) == 1
                           and isinstance(node.args[0], ast.Name) and node.args[0].id in own)]
    assert found == []
    # the check itself sees each way of asking for raw HTML
    sample = ast.parse("st.markdown(a, unsafe_allow_html=True)\n"
                       "st.caption(b, **{'unsafe_allow_html': True})\n"
                       "components.html(c)\n"
                       "st.markdown(d)\n")
    assert [_raw_html(n.value) for n in sample.body if isinstance(n, ast.Expr)] == [
        True, True, True, False]


def test_every_interpolation_into_markdown_is_escaped_or_vetted() -> None:
    problems: list[str] = []
    for path in APP_FILES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _RENDERING and node.args):
                problems += [f"{path.name}:{node.lineno}: {v}"
                             for value in _interpolations(node.args[0])
                             for v in _unvetted(value)]
    assert problems == []


def test_a_clicked_map_dot_names_its_study() -> None:
    from types import SimpleNamespace

    from dashboard.mapview import _picked

    def event(objects: dict[str, Any]) -> Any:
        return SimpleNamespace(selection=SimpleNamespace(objects=objects))

    assert _picked(event({"sites": [{"nct_id": "NCT99000049", "city": "Hartford"}]})) == (
        "NCT99000049")
    assert _picked(event({"place": [{"facility": "Boston"}]})) is None  # your place: no study
    assert _picked(event({})) is None
    assert _picked(None) is None


def test_cards_come_twenty_at_a_time(api: StandInServer) -> None:
    at = open_url(new_app(), preset="muscle-spasm", status="any")
    total = int(next(m.value for m in at.metric if m.label == "Studies"))
    assert total > 20
    assert len(table_ids(at)) == 20
    more = at.button(key="more_cards")
    assert more.label == f"Show more (20 of {total} shown)"
    more.click().run()
    assert len(table_ids(at)) == min(40, total)
    assert table_ids(at) == list(as_table(at).value["nct_id"])[:min(40, total)]


def test_back_from_a_study_returns_to_the_view_it_came_from(api: StandInServer) -> None:
    at = show_view(search_preset(new_app().run()), "topics")
    at.session_state["study"] = CRITERIA_STUDY  # as a map dot or a table row would set it
    at.run()
    assert CRITERIA_HEADING in texts(at.markdown)
    back_to_list(at)
    assert at.segmented_control(key="view").value == "topics"


def test_the_map_or_the_table_is_kept_in_the_link_and_across_a_study(
        api: StandInServer) -> None:
    """A link to the map (or to the list shown as a table) opened the list of cards, and a
    study opened from the table came back to cards: the view was in no link."""
    at = open_url(new_app(), **NEAR_BOSTON)
    as_table(at)
    assert param(at, "view") == ["table"]
    at.session_state["study"] = NEAR_BOSTON_IDS[0]  # as a table row sets it
    at.run()
    assert param(at, "view") == ["table"] and param(at, "study") == NEAR_BOSTON_IDS
    back_to_list(at)
    assert at.toggle(key="as_table").value and table_ids(at) == NEAR_BOSTON_IDS
    assert param(at, "view") == ["table"] and not param(at, "study")
    show_view(at, "map")
    assert param(at, "view") == ["map"]

    shared = open_url(new_app(), **NEAR_BOSTON, view="map")  # a colleague opens that link
    assert not shared.exception and not shared.info
    assert shared.segmented_control(key="view").value == "map"
    shared = open_url(new_app(), **NEAR_BOSTON, view="table")
    assert shared.toggle(key="as_table").value
    assert [d.key for d in shared.dataframe if getattr(d, "key", None) == "table"] == ["table"]
    wrong = open_url(new_app(), **NEAR_BOSTON, view="chart")
    assert wrong.segmented_control(key="view").value == "list"
    assert [plain(str(i.value)) for i in wrong.info] == [
        "The link’s view “chart” is not one this page has (map, topics, new or table), so it "
        "shows the list."]


def test_funder_and_date_filters_narrow_the_list_and_can_be_undone(api: StandInServer) -> None:
    at = search_preset(new_app().run())
    at.multiselect(key="funder").set_value(["INDUSTRY"]).run()
    assert not at.exception
    industry = [i for i in SPASM_OPEN if module(RECORDS[i], "sponsorCollaboratorsModule")[
        "leadSponsor"].get("class") == "INDUSTRY"]
    assert 0 < len(industry) < len(SPASM_OPEN)
    assert table_ids(at) == industry
    at.text_input(key="updated_from").input("2999").run()
    assert table_ids(at) == []
    undo = at.button(key="undo_updated")
    assert plain(undo.label).startswith("Undo Last update: 2999 to … (shows ")
    undo.click().run()
    assert table_ids(at) == industry and at.text_input(key="updated_from").value == ""
    at.text_input(key="completion_to").input("soon").run()
    assert not at.exception
    assert plain(at.error[0].value) == (
        "The filters could not be applied: completion date (until) must be a date like 2024, "
        "2024-05 or 2024-05-31, not 'soon'")
    assert param(at, "funder") == ["INDUSTRY"]


# -- About you: the private pre-screen ------------------------------------------------------

def _with_criteria(nct: str, title: str, criteria: str) -> dict[str, Any]:
    record = fictional_study(nct, title, conditions=("Muscle Spasticity",),
                             minimum_age="18 Years")
    record["protocolSection"].setdefault("eligibilityModule", {})[
        "eligibilityCriteria"] = criteria
    return record


BACLOFEN_STUDIES = [
    _with_criteria("NCT99000901", "Fictional stretching study",
                   "Inclusion Criteria:\n\n* Spasticity after a stroke\n\n"
                   "Exclusion Criteria:\n\n* Current treatment with baclofen [any route]\n"
                   "* Pregnancy"),
    _with_criteria("NCT99000902", "Fictional splint study",
                   "Inclusion Criteria:\n\n* On a stable dose of oral baclofen for 4 weeks\n\n"
                   "Exclusion Criteria:\n\n* Severe liver disease"),
]


RECORDS_BY_ID = {nct_of(r): r for r in BACLOFEN_STUDIES}


def _section_naming(record: dict[str, Any], word: str) -> str | None:
    """Which heading (inclusion/exclusion) the first line naming ``word`` sits under."""
    text = record["protocolSection"].get("eligibilityModule", {}).get(
        "eligibilityCriteria", "")
    before, _, after = text.partition("Exclusion Criteria")
    if word in after.lower():
        return "exclusion"
    return "inclusion" if word in before.lower() else None


def test_about_you_flags_a_medicine_named_in_the_criteria(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    records = [*load_demo_studies(), *BACLOFEN_STUDIES]
    server = standin_factory(records)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    caplog.set_level("DEBUG", logger="trialfinder")
    at = search_preset(new_app().run())
    listed = set(table_ids(at))
    sections = {r["protocolSection"]["identificationModule"]["nctId"]:
                _section_naming(r, "baclofen") for r in records}
    named = {nct: where for nct, where in sections.items() if where and nct in listed}
    assert sorted(named.values()) == ["exclusion", "inclusion"]  # one of each, both listed
    assert not any("About you" in plain(t) for t in texts(at.info))

    at.text_input(key="ay_medicines").input("Lioresal").run()
    assert not at.exception
    shown = [plain(t) for t in texts(at.markdown)]
    for nct, where in named.items():
        record = next(r for r in records
                      if r["protocolSection"]["identificationModule"]["nctId"] == nct)
        title = record["protocolSection"]["identificationModule"]["briefTitle"]
        position = next(i for i, t in enumerate(shown) if t.endswith(f"**{title}**"))
        lines = shown[position + 1].split("\n")
        assert len(lines) == 1 and lines[0].startswith(
            f"- **{where.capitalize()}** names Lioresal (as “baclofen”, its generic name): ")
    assert ("- **Exclusion** names Lioresal (as “baclofen”, its generic name): Current treatment "
            "with baclofen [any route]") in shown
    # the study whose exclusion names their medicine is "Check with the study team", the one
    # whose inclusion asks for it "May fit": three labels in words, not colours alone
    heading = {n: next(t for t in shown if t.endswith(
        f"**{RECORDS_BY_ID[n]['protocolSection']['identificationModule']['briefTitle']}**"))
        for n in named}
    assert heading["NCT99000901"].startswith(
        ":orange-badge[:material/help: Check with the study team] ")
    assert heading["NCT99000902"].startswith(":green-badge[:material/check_circle: May fit] ")
    assert any(plain(t).startswith("What you type here is held in the server's memory "
                                   "for your browser session only") for t in texts(at.caption))
    assert not any("served by another computer" in plain(t) for t in texts(at.caption))
    # the raw brackets reach the page escaped, so they cannot make a link
    assert any("baclofen \\[any route\\]" in t for t in texts(at.markdown))
    assert any("A first look, not medical advice" in plain(t) for t in texts(at.info))
    # never in the link, never in a log line
    assert "lioresal" not in json.dumps(dict(at.query_params)).lower()
    assert "lioresal" not in caplog.text.lower() and "baclofen" not in caplog.text.lower()


def test_about_you_says_which_words_it_knows_no_other_names_for(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A slip ("baclofenn") is looked for as typed and found nowhere, so the study whose
    exclusion names baclofen was "May fit" without a word: the panel says so, and how the
    word may be spelled."""
    server = standin_factory([*load_demo_studies(), *BACLOFEN_STUDIES])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    caplog.set_level("DEBUG", logger="trialfinder")
    at = search_preset(new_app().run())
    at.text_input(key="ay_medicines").input("baclofenn, Lioresal").run()
    assert not at.exception
    assert [plain(t) for t in texts(at.warning) if "knows by name" in t] == [
        "'baclofenn' is no medicine trialfinder knows by name: the criteria are searched for "
        "it only as typed, not by other names, brands or classes; did you mean baclofen?"]
    assert "baclofenn" not in caplog.text.lower()
    at.text_input(key="ay_medicines").input("Lioresal").run()
    assert not at.exception
    assert not [t for t in texts(at.warning) if "knows by name" in t]


def test_about_you_puts_fitting_studies_first_with_reasons(api: StandInServer) -> None:
    at = search_preset(new_app().run())
    at.number_input(key="ay_age").set_value(10).run()
    assert not at.exception
    badges = [t for t in texts(at.markdown) if re.match(r":(green|orange|gray)-badge\[", t)]
    fitting = sum(t.startswith(":green-badge[:material/check_circle: May fit]") for t in badges)
    assert all(t.startswith(":gray-badge[:material/block: Does not fit]") for t in badges
               if not t.startswith(":green-badge["))  # no condition given: fits or no
    records = {s["protocolSection"]["identificationModule"]["nctId"]: s
               for s in load_demo_studies()}
    ages = [records[n]["protocolSection"].get("eligibilityModule", {}).get("minimumAge", "")
            for n in SPASM_OPEN]
    grown = sum(a.endswith("Years") and int(a.split()[0]) > 10 for a in ages)
    assert 0 < fitting < len(SPASM_OPEN) and len(SPASM_OPEN) - fitting >= grown > 0
    assert badges == sorted(badges, key=lambda t: not t.startswith(":green-badge["))
    reasons = [plain(t) for t in texts(at.caption) if "age 10 is outside" in plain(t)]
    assert reasons and all(t.startswith("age 10 is outside ") for t in reasons)
    # each study is drawn once, its verdict on its own card (not in a second list above)
    ids = table_ids(at)
    assert sorted(ids) == sorted(SPASM_OPEN) and len(badges) == len(ids)
    assert at.selectbox(key="sort").value == "fit"  # filling About you sorts by it
    assert param(at, "age") == []  # the panel's age is not the list's filter, nor in the link


# -- saved searches and what's new ---------------------------------------------------------

def _status_of(record: dict[str, Any]) -> str:
    return str(record["protocolSection"]["statusModule"]["overallStatus"])


def _nct_of(record: dict[str, Any]) -> str:
    return str(record["protocolSection"]["identificationModule"]["nctId"])


def test_saved_search_lists_what_changed_with_badges(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import copy
    from datetime import UTC, datetime

    records = load_demo_studies()
    server = standin_factory(records)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    at = search_preset(new_app().run())
    listed = table_ids(at)
    assert any(t.startswith("Save it, and “What’s new” lists") and "are shared" in t
               for t in texts(at.caption))  # the page says whose saved searches they are
    # the name is in a form: sent with the button (or Enter), not on its own
    at.text_input(key="watch_name").input("Spasm watch: nights, near home")
    at.button(key="save_watch").click().run()
    assert not at.exception
    assert [plain(t) for t in texts(at.success)] == [
        "Saved as “Spasm watch: nights, near home”. Open “What’s new” to see what changed "
        "since now."]
    assert (tmp_path / "data").is_dir()
    # pressed again (Enter saved it, then the button): the same search, not an error
    at.text_input(key="watch_name").input("Spasm watch: nights, near home")
    at.button(key="save_watch").click().run()
    assert [plain(t) for t in texts(at.success)] == [
        "This search is saved as “Spasm watch: nights, near home” already. Open “What’s new” "
        "to see what changed since then."] and not at.error

    today = datetime.now(UTC).date().isoformat()
    changed = copy.deepcopy(records)
    by_id = {_nct_of(r): r for r in changed}
    waiting = next(n for n in listed if _status_of(by_id[n]) == "NOT_YET_RECRUITING")
    closing = next(n for n in listed if _status_of(by_id[n]) == "RECRUITING")
    for nct, status in ((waiting, "RECRUITING"), (closing, "COMPLETED")):
        module = by_id[nct]["protocolSection"]["statusModule"]
        module["overallStatus"] = status
        module["lastUpdatePostDateStruct"] = {"date": today, "type": "ACTUAL"}
    newcomer = fictional_study("NCT99000960", "Fictional night cramp diary",
                               conditions=("Muscle Cramp",))
    newcomer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {
        "date": today, "type": "ACTUAL"}
    server.replace_studies([*changed, newcomer])

    show_view(at, "new")
    assert at.selectbox(key="watch_pick").value == "Spasm watch: nights, near home"
    assert "Looks for: Muscle spasms and cramps · recruiting or not yet recruiting" in [
        plain(t) for t in texts(at.caption)]
    at.button(key="run_watch").click().run()
    assert not at.exception
    lines = plain(next(t for t in texts(at.markdown) if "-badge[" in t)).split("\n")
    title = {n: by_id[n]["protocolSection"]["identificationModule"]["briefTitle"]
             for n in (waiting, closing)}
    url = "?study="  # the study's own address in the dashboard
    # one row per study, each reason in words, each title a link to the study
    assert lines == [
        f"- :red-badge[closed] [**{title[closing]}**]({url}{closing}) ({closing}): "
        "closed: now completed; no longer in this search’s results",
        f"- :green-badge[now recruiting] [**{title[waiting]}**]({url}{waiting}) ({waiting}): "
        "now recruiting",
        f"- :blue-badge[new] [**Fictional night cramp diary**]({url}NCT99000960) "
        "(NCT99000960): new in this search",
    ]
    feed = at.get("download_button")[-1]
    assert feed.proto.label == "These changes as a feed (Atom)"
    assert "Spasm watch" not in json.dumps(dict(at.query_params))


def test_someone_coming_back_finds_whats_new_on_the_first_screen(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """A new session (someone coming back the next day) starts on the first screen, which
    never named the saved searches: What's new was only a view of a list, so a search had to
    be made first to reach it, and ``?view=new`` opened the first screen."""
    from trialfinder.store.watch import save_watch

    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    at = new_app().run()
    assert not [b for b in at.button if b.key == "open_new"]  # none saved: nothing said
    save_watch("Cramps near home", {"condition": "muscle cramp"})
    at = new_app().run()
    assert "**Coming back?** This dashboard has 1 saved search." in texts(at.markdown)
    at.button(key="open_new").click().run()
    assert not at.exception
    assert at.selectbox(key="watch_pick").value == "Cramps near home"
    assert param(at, "view") == ["new"]  # its own address: a phone's Back leaves it
    at.button(key="run_watch").click().run()
    assert not at.exception and not at.error
    at.button(key="leave_new").click().run()  # back to the search box and the topics
    assert param(at, "view") == []
    assert at.text_input(key="q_words") is not None
    assert not [b for b in at.selectbox if b.key == "watch_pick"]
    at = open_url(new_app(), view="new")  # a link to it opens it too
    assert at.selectbox(key="watch_pick").value == "Cramps near home"


def test_demo_searches_cannot_be_saved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    at = open_url(new_app(), demo="1", preset="muscle-spasm")
    assert table_ids(at)
    assert at.button(key="save_watch").disabled
    assert any("Saving is off with the demo data" in t for t in texts(at.caption))
    show_view(at, "new")  # What's new says what is true in the demo, not to press it
    assert [plain(t) for t in texts(at.info)] == [
        "No saved searches yet. The demo studies are invented, so they cannot be followed: go "
        "back to live ClinicalTrials.gov data, search, and press “Save this search” under the "
        "list of studies."]
    assert not (tmp_path / "data").exists()


def test_about_you_is_kept_while_a_study_is_open(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_url(new_app(), demo="1", preset="muscle-spasm")
    at.number_input(key="ay_age").set_value(10).run()
    at.text_input(key="ay_conditions").input("cerebral palsy").run()
    first = plain(next(t for t in texts(at.markdown) if t.startswith(":green-badge[")))
    at.button(key="open_0").click().run()
    assert not at.exception
    assert any(t.startswith("## " + first.split("**")[1]) for t in map(plain, texts(
        at.markdown)))
    back_to_list(at)
    assert at.number_input(key="ay_age").value == 10
    assert at.text_input(key="ay_conditions").value == "cerebral palsy"
    assert not at.warning or all("Session State" not in t for t in texts(at.warning))
    assert param(at, "age") == [] and "palsy" not in json.dumps(dict(at.query_params))


def test_about_you_says_when_the_page_is_served_to_another_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dashboard.aboutyou as panel

    seen: list[tuple[Any, Any]] = []

    def elsewhere(host: Any, address: Any) -> bool:
        seen.append((host, address))
        return True

    monkeypatch.setattr(panel, "served_elsewhere", elsewhere)
    at = open_url(new_app(), demo="1", preset="muscle-spasm")
    assert not at.exception and seen
    [words] = [plain(t) for t in texts(at.caption) if "held in the server's memory" in plain(t)]
    assert ("it is gone when the session ends. This page is served by another computer, not "
            "the one you are using: what you type is sent to that computer and held in its "
            "memory for your session.") in words


@pytest.mark.parametrize(("study", "shown"), [
    ("garbage", "The link named a study id we could not read: “garbage”."),
    ("[click](https://evil.example) **x**",
     "The link named a study id we could not read: “[click](https://evil.example) **x**”."),
])
def test_a_link_with_an_unreadable_study_says_so_and_goes_on(
    api: StandInServer, calls: list[dict[str, Any]], study: str, shown: str
) -> None:
    at = new_app()
    at.query_params.update({"preset": "als", "status": "any", "study": study})
    at.run()
    assert not at.exception
    notices = texts(at.info)
    assert [plain(n) for n in notices] == [shown]
    assert "](" not in notices[0].replace("\\]\\(", "")  # escaped: never a live link
    assert table_ids(at)  # the search goes on and lists its studies
    assert "study" not in at.query_params
