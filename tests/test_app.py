"""The Streamlit dashboard (app.py), driven headless with ``streamlit.testing.v1.AppTest``.

Searches go to the loopback stand-in serving the fictional demo records, so the whole path
(client, normalize, filters) runs for real; ``service.search`` is wrapped only to count calls.
Error paths replace ``service.search`` with a function that raises.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from devtools.standin import StandInServer, fictional_study
from trialfinder import service
from trialfinder.errors import ApiError, NetworkError
from trialfinder.topics import background
from trialfinder.topics.demo import DEMO_BANNER, load_demo_studies

APP = Path(__file__).parents[1] / "app.py"

# The recruiting / not yet recruiting demo studies of the "muscle-spasm" preset, in API order.
SPASM_OPEN = [
    "NCT99000007", "NCT99000010", "NCT99000017", "NCT99000018", "NCT99000022", "NCT99000024",
    "NCT99000026", "NCT99000028", "NCT99000030", "NCT99000033", "NCT99000037", "NCT99000039",
    "NCT99000041", "NCT99000044", "NCT99000048", "NCT99000049", "NCT99000052", "NCT99000054",
]
SPASM_OPEN_PHASE4 = [
    "NCT99000017", "NCT99000018", "NCT99000026", "NCT99000033", "NCT99000037", "NCT99000048",
]


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
        seen.append(kwargs)
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
    return [str(v) for v in at.dataframe(key="table").value["nct_id"]]


def param(at: AppTest, key: str) -> list[str]:
    """One URL parameter as a list (AppTest gives a bare string for a single value)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def plain(markdown: str) -> str:
    """Markdown as read on screen: backslash escapes undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


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


def search_preset(at: AppTest, name: str = "muscle-spasm") -> AppTest:
    at.selectbox(key="preset").set_value(name)
    return at.button(key="search_button").click().run()


def test_app_loads_and_shows_the_disclaimer() -> None:
    at = new_app().run()
    assert not at.exception
    assert background.DISCLAIMER in texts(at.info)
    assert any("Not medical advice; talk to your doctor" in t for t in texts(at.caption))
    assert at.title[0].value == "Trial finder"
    assert not at.dataframe  # nothing searched yet


def test_no_widget_renders_html() -> None:
    assert "unsafe_allow_html" not in APP.read_text("utf-8")


def test_preset_search_fills_the_table(api: StandInServer, calls: list[dict[str, Any]]) -> None:
    at = search_preset(new_app().run())
    assert not at.exception
    assert not at.error
    assert table_ids(at) == SPASM_OPEN
    assert len(calls) == 1
    assert calls[0]["preset"] == "muscle-spasm"
    assert calls[0]["status"] == ("RECRUITING", "NOT_YET_RECRUITING")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Studies"] == "18"
    assert metrics["Recruiting now"] == str(
        sum(1 for s in load_demo_studies()
            if s["protocolSection"]["identificationModule"]["nctId"] in SPASM_OPEN
            and s["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"))
    # the search is in the URL
    assert param(at, "preset") == ["muscle-spasm"]


def test_local_filters_apply_without_a_new_search(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = search_preset(new_app().run())
    searches_after_search = api.stats.paths["/api/v2/studies"]
    assert len(table_ids(at)) == 18

    at.multiselect(key="phase").set_value(["PHASE4"]).run()
    assert not at.exception
    assert table_ids(at) == SPASM_OPEN_PHASE4
    assert any(e.label.startswith("Filters: 18 fetched → 6 shown") for e in at.expander)
    assert any("phase PHASE4: removed **12**" in t for t in texts(at.markdown))

    at.number_input(key="age").set_value(70.0).run()
    assert table_ids(at) == SPASM_OPEN_PHASE4  # all six accept a 70-year-old
    at.text_input(key="keyword").input("ibuprofen").run()
    assert table_ids(at) == ["NCT99000018", "NCT99000026"]

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
    at = search_preset(new_app().run())
    at.selectbox(key="study").set_value("NCT99000049").run()
    assert not at.exception
    markdown = texts(at.markdown)
    assert "#### Magnesium Citrate for Night\\-Time Leg Cramps in Older Adults" in markdown
    inclusion = markdown[markdown.index("**Inclusion criteria**") + 1]
    exclusion = markdown[markdown.index("**Exclusion criteria**") + 1]
    assert inclusion.splitlines() == [
        "- Age 65 years or older",
        "- At least four leg cramps during a two\\-week run\\-in diary",
        "- Stable doses of other regular medicines for 4 weeks",
        "- Able to give written informed consent",
    ]
    assert exclusion.splitlines() == [
        "- Kidney disease with eGFR \\< 30 mL\\/min",
        "- Severe liver disease",
        "- Pregnancy or breastfeeding",
    ]
    sites = next(d.value for d in at.dataframe if "facility" in d.value.columns)
    assert set(sites["nct_id"]) == {"NCT99000049"}
    assert param(at, "study") == ["NCT99000049"]
    # outcomes come from the full record, fetched once for the chosen study
    record = next(s for s in load_demo_studies()
                  if s["protocolSection"]["identificationModule"]["nctId"] == "NCT99000049")
    outcomes = next(d.value for d in at.dataframe if "time_frame" in d.value.columns)
    assert list(outcomes["measure"]) == [
        o["measure"] for kind in ("primaryOutcomes", "secondaryOutcomes")
        for o in record["protocolSection"]["outcomesModule"].get(kind, [])]
    assert api.stats.paths["/api/v2/studies/NCT99000049"] == 1


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
    markdown = texts(at.markdown)
    assert ("#### Tricky \\<b\\>Title\\<\\/b\\> "
            "\\[link\\]\\(https\\:\\/\\/example\\.org\\)") in markdown
    assert ("Hello \\<script\\>alert\\(1\\)\\<\\/script\\> "
            "\\!\\[img\\]\\(https\\:\\/\\/example\\.org\\/x\\.png\\)") in markdown
    assert "- adults \\:red\\[only\\] \\$x\\^2\\$" in markdown
    assert "- \\<img src\\=x onerror\\=alert\\(1\\)\\>" in markdown


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
    assert DEMO_BANNER not in texts(at.warning)

    at.button(key="demo_button").click().run()
    assert not at.exception
    assert not at.error
    # one banner at the top of each of the three tabs
    assert texts(at.warning).count(DEMO_BANNER) == 3
    ids = table_ids(at)
    assert ids and all(i.startswith("NCT99") for i in ids)
    assert "NCT99000049" in ids  # a recruiting muscle-cramp demo study
    assert len(seen) == 1  # the demo needs no request
    assert param(at, "demo") == ["1"]

    at.multiselect(key="phase").set_value(["PHASE4"]).run()
    assert set(table_ids(at)) < set(ids)
    assert texts(at.warning).count(DEMO_BANNER) == 3

    at.button(key="leave_demo").click().run()
    assert DEMO_BANNER not in texts(at.warning)
    assert at.error[0].value.startswith("ClinicalTrials.gov cannot be reached right now")


def test_link_reopens_the_same_search_and_filters(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app()
    at.query_params.update(
        {"preset": "muscle-spasm", "phase": "PHASE4", "keyword": "ibuprofen",
         "study": "NCT99000026"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="preset").value == "muscle-spasm"
    assert at.multiselect(key="phase").value == ["PHASE4"]
    assert at.text_input(key="keyword").value == "ibuprofen"
    assert table_ids(at) == ["NCT99000018", "NCT99000026"]
    assert at.selectbox(key="study").value == "NCT99000026"
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


def test_counts_are_singular_for_one_and_timestamps_are_human(api: StandInServer) -> None:
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception
    assert table_ids(at) == ["NCT99000029"]
    provenance = next(t for t in texts(at.caption) if t.startswith("Fetched "))
    assert re.fullmatch(
        r"Fetched 1 study · ClinicalTrials\.gov reported 1 match · registry data of "
        r"20 Nov 2026 · fetched \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC\.", provenance)
    assert not any("1 studies" in t or "1 matches" in t or "1 sites" in t
                   for t in texts(at.caption) + texts(at.markdown))

    at = search_preset(new_app().run())
    assert any(t.startswith("Fetched 18 studies · ClinicalTrials.gov reported 18 matches")
               for t in texts(at.caption))


def test_table_shows_labels_and_puts_narrow_columns_first(api: StandInServer) -> None:
    at = open_url(new_app(), **NEAR_BOSTON)
    table = at.dataframe(key="table")
    # a phone shows the id, the status and the distance before any sideways scroll
    assert list(table.proto.column_order[:4]) == [
        "url", "status", "nearest_distance_mi", "phases"]
    row = table.value.iloc[0]
    assert (row["status"], row["phases"]) == ("Terminated", "Not stated")  # observational
    assert row["conditions"] == "Amyotrophic Lateral Sclerosis, Motor Neuron Disease"
    assert "Status\\: Terminated · Phase\\: Not stated · Type\\: Observational" in " ".join(
        texts(at.caption))
    assert not any("None" in str(v) for v in table.value.iloc[0])

    at = open_url(new_app(), preset="als", status="any")
    table = at.dataframe(key="table")
    assert "nearest_distance_mi" not in table.proto.column_order
    assert list(table.proto.column_order[:3]) == ["url", "status", "phases"]
    phases = dict(zip(table.value["nct_id"], table.value["phases"], strict=True))
    assert phases["NCT99000012"] == "Not applicable"
    assert phases["NCT99000023"] == "Phase 2, Phase 3"


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
    points = [(d["lat"], d["lon"]) for layer in spec["layers"] for d in layer["data"]]
    assert points
    for lat, lon in points:
        x, y = _pixel(lat, lon, view["zoom"])
        assert abs(x - cx) <= width / 2 - 6, (lat, lon, view)
        assert abs(y - cy) <= height / 2 - 6, (lat, lon, view)


def test_near_search_map_fits_the_place_and_every_site(api: StandInServer) -> None:
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    cities = [d["city"] for layer in spec["layers"] for d in layer["data"]]
    assert "Hartford" in cities  # the one site, 93 miles from Boston
    assert_view_shows_every_point(at)
    assert spec["initialViewState"]["zoom"] > 5  # not zoomed out to the whole world
    assert any("background map" in t and "internet connection" in t for t in texts(at.caption))


def test_map_of_sites_around_the_world_fits_too(api: StandInServer) -> None:
    at = search_preset(new_app().run())
    # sites on four continents: the whole world (zoom 0, the least there is) fits a laptop's
    # map, 900 px wide; a phone then needs a sideways drag
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"][
        "zoom"] == 0
    assert_view_shows_every_point(at, width=900)


def test_detail_says_why_a_trial_stopped_in_plain_labels(api: StandInServer) -> None:
    at = open_url(new_app(), preset="als", status="any", study="NCT99000012")
    assert not at.exception
    assert ("**Why it stopped:** Interim review showed the study could not answer its question"
            in texts(at.info))
    assert "**Conditions:** Amyotrophic Lateral Sclerosis, Respiratory Muscle Weakness" in [
        plain(t) for t in texts(at.markdown)]
    assert list(frame(at, "arm_labels")["type"]) == ["Device", "Other"]
    assert set(frame(at, "time_frame")["kind"]) == {"Primary", "Secondary"}
    sites = frame(at, "facility")
    assert set(sites["site_status"]) <= {"Completed", "Terminated", "Not stated"}
    # no contact is given at any site of this study, so those columns are left out
    order = shown_columns(at, "facility")
    assert order[:5] == ["facility", "city", "state", "country", "site_status"]
    assert not {"contact_name", "contact_phone", "contact_email"} & set(order)
    assert "other_names" not in shown_columns(at, "arm_labels")

    at = open_url(new_app(), preset="als", status="any", study="NCT99000054")
    assert not any(t.startswith("**Why it stopped:**") for t in texts(at.info))

    at = search_preset(new_app().run())
    at.selectbox(key="study").set_value("NCT99000007").run()  # its sites give a phone number
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
    at = open_url(new_app(), condition="muscle cramp", status="any")
    assert not at.exception
    assert ("**Why it stopped:** Funding \\[ended\\]\\(https\\:\\/\\/x\\.org\\)"
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
    assert not any("Choose a **topic**" in t for t in texts(at.markdown))
    assert "No studies to list, because the search could not run." in texts(at.caption)
    assert background.DISCLAIMER in texts(at.info)  # the background tab stays

    at = new_app().run()  # nothing searched yet: the invitation is there
    assert any("Choose a **topic**" in t for t in texts(at.markdown))


@pytest.mark.parametrize("error", [
    RuntimeError("a record the normalizer did not expect"),
    NetworkError("cannot reach ClinicalTrials.gov"),
    ApiError(404, "https://clinicaltrials.gov/api/v2/studies/NCT99000049", "not found"),
])
def test_detail_falls_back_when_the_full_record_fails(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def failing(*args: Any, **kwargs: Any) -> service.StudyDetail:
        raise error

    monkeypatch.setattr(service, "study_detail", failing)
    at = search_preset(new_app().run())
    at.selectbox(key="study").set_value("NCT99000049").run()
    assert not at.exception
    assert any("could not be loaded" in t for t in texts(at.warning))
    assert "#### Magnesium Citrate for Night\\-Time Leg Cramps in Older Adults" in texts(
        at.markdown)
    assert "**Inclusion criteria**" in texts(at.markdown)
    assert table_ids(at) == SPASM_OPEN
    at.multiselect(key="phase").set_value(["PHASE4"]).run()  # the page still works
    assert not at.exception
    assert table_ids(at) == SPASM_OPEN_PHASE4


def test_status_sent_to_the_api_is_said(api: StandInServer,
                                        calls: list[dict[str, Any]]) -> None:
    at = search_preset(new_app().run())
    assert ("Only studies that are recruiting, not yet recruiting were asked for: widen Status "
            "in the sidebar and press Search to see others.") in texts(at.caption)


def test_a_link_with_unknown_statuses_keeps_the_default(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app()
    at.query_params.update({"preset": "als", "status": "bogus"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="status").value == ["RECRUITING", "NOT_YET_RECRUITING"]
    assert calls[0]["status"] == ("RECRUITING", "NOT_YET_RECRUITING")


def test_a_linked_study_outside_the_results_is_said(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app()
    at.query_params.update({"preset": "als", "status": "any", "study": "NCT99000049"})
    at.run()
    assert not at.exception
    first = table_ids(at)[0]
    assert (f"Study NCT99000049 is not among these results; showing {first} instead."
            in texts(at.info))


def test_demo_studies_do_not_link_to_clinicaltrials_gov(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, NetworkError("cannot reach ClinicalTrials.gov"))
    at = search_preset(new_app().run())
    at.button(key="demo_button").click().run()
    assert not at.exception
    assert "An invented demo study: it has no page on ClinicalTrials.gov." in texts(at.caption)
    assert not [b for b in at.get("link_button") if "clinicaltrials.gov" in str(b.proto)]
