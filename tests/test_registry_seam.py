"""The registry seam, end to end, for ClinicalTrials.gov (through the loopback stand-in), ISRCTN
(through its stand-in, devtools/isrctn) and a registry that exists only in the tests
(tests/fakeregistry: its own ids, JSON shape, query and reader; nothing in src/ knows it): the
same steps take all three.

search (Python API and command line) -> tables (``source``) -> the store (``sql``,
``history``) -> a watch over two days (exact changes) -> the page (``show`` and the
dashboard's study page).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from devtools.isrctn import IsrctnServer
from devtools.standin import StandInServer, fictional_site, fictional_study
from tests.conftest import isrctn_trial
from tests.fakeregistry import BOSTON, LYON, WORCESTER, FakeRegistry, fake_record
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options.kinds import REGISTRY_TITLES
from trialfinder.registries import get_registry, registry_for_id, unregister
from trialfinder.service.searching import search
from trialfinder.service.watchrun import clients_for, refresh
from trialfinder.store.db import default_store_path, open_store
from trialfinder.store.watch import add_watch, history
from trialfinder.views.text import escape_md

DAY1 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
APP = Path(__file__).parents[1] / "app.py"
TITLES = ["Fictional Asthma Inhaler Study", "Fictional Migraine Diary Study",
          "Fictional Gout Diet Study", "Fictional Eczema Cream Study"]


@dataclass
class World:
    """One registry serving three fictional studies, and a second day: the fourth study new,
    the third gone, the first no longer recruiting, the second at a new site in Worcester."""

    name: str
    ids: list[str]
    settings: Settings
    day_two: Callable[[], None]
    start: str  # the study page's "Start" fact of the first study
    recruiting: str = "Recruiting"  # the first study's status as people read it


def _ctgov(server_of: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch) -> World:
    def site(place: dict[str, Any]) -> dict[str, Any]:
        lat, lon = place["at"]
        return fictional_site(place["name"], place["town"], place["nation"], lat, lon,
                              state=place.get("region"))

    ids = [f"NCT9930000{i}" for i in range(1, 5)]
    places = [(BOSTON, LYON), (LYON,), (WORCESTER,), (BOSTON,)]
    studies = [fictional_study(i, t, status="COMPLETED" if i == ids[2] else "RECRUITING",
                               locations=[site(p) for p in where], start_date="2024-03")
               for i, t, where in zip(ids, TITLES, places, strict=True)]
    server = server_of(studies[:3])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)

    def day_two() -> None:
        later = copy.deepcopy(studies)
        first, second = (s["protocolSection"] for s in later[:2])
        first["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
        second["contactsLocationsModule"]["locations"].append(site(WORCESTER))
        for protocol in (first, second):
            protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-11-21"
        server.replace_studies([later[0], later[1], later[3]])

    return World("ctgov", ids[:3] + ids[3:], Settings(use_cache=False, timeout=5),
                 day_two, "2024-03 (actual)")


def _fake(registry: FakeRegistry) -> World:
    def day_two() -> None:
        first, second, _ = copy.deepcopy(registry.api.records)
        first.update(phase_of_life="closed", edited="2026-11-21")
        second["clinics"].append(copy.deepcopy(WORCESTER))
        second["edited"] = "2026-11-21"
        # an older record new to the search: fetched by id, not as a changed one
        new = fake_record("FAKE-0004", TITLES[3], clinics=(BOSTON,), edited="2026-10-01")
        registry.api.records = [first, second, new]

    return World("fake", [f"FAKE-000{i}" for i in range(1, 5)], Settings(use_cache=False),
                 day_two, "2024-03")


def _isrctn(server: IsrctnServer) -> World:
    ids = [f"ISRCTN9930000{i}" for i in range(1, 5)]
    trials = [isrctn_trial(ids[0], TITLES[0], BOSTON, LYON),
              isrctn_trial(ids[1], TITLES[1], LYON),
              isrctn_trial(ids[2], TITLES[2], WORCESTER, recruitment_end="2024-12-31",
                           overall_end="2025-06-30"),
              isrctn_trial(ids[3], TITLES[3], BOSTON, last_edited="2026-10-01T09:00:00.000Z")]
    server.api.trials = trials[:3]

    def day_two() -> None:
        edited = "2026-11-21T08:00:00.000Z"
        first = replace(trials[0], status_override="No longer recruiting", last_edited=edited)
        second = replace(trials[1], last_edited=edited, centres=(
            *trials[1].centres, (WORCESTER["name"], WORCESTER["town"], WORCESTER["nation"])))
        server.api.trials = [first, second, trials[3]]

    return World("isrctn", ids, Settings(use_cache=False, timeout=5), day_two,
                 "2024-03-01 (actual)", "Recruiting (derived)")


@pytest.fixture(params=["ctgov", "fake", "isrctn"])
def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
          tmp_path: Path) -> World:
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    if request.param == "fake":
        return _fake(request.getfixturevalue("fake_registry"))
    if request.param == "isrctn":
        return _isrctn(request.getfixturevalue("isrctn_server"))
    return _ctgov(request.getfixturevalue("standin_factory"), monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out.splitlines()


def test_search_gives_the_tables_with_their_source_and_the_store_keeps_them(
    world: World, capsys: pytest.CaptureFixture[str],
) -> None:
    first, second, third, _ = world.ids
    found = search(term="fictional", registry=world.name, settings=world.settings)
    assert list(found.studies["nct_id"]) == [first, second, third]
    assert list(found.studies["status"]) == ["RECRUITING", "RECRUITING", "COMPLETED"]
    assert sorted(zip(found.sites["nct_id"], found.sites["city"], strict=True)) == [
        (first, "Boston"), (first, "Lyon"), (second, "Lyon"), (third, "Worcester")]
    for name, frame in found.all.frames().items():
        assert set(frame["source"]) <= {world.name}, name
    assert set(found.studies["source"]) == {world.name}
    assert list(found.studies["url"]) == [get_registry(world.name).study_url(i)
                                          for i in (first, second, third)]
    # the command line, the same search (the store gets its studies a second time)
    lines = run(capsys, "search", "-t", "fictional", "--registry", world.name, "--no-cache",
                "--format", "csv", "--columns", "nct_id,status,source")
    assert lines == ["nct_id,status,source", f"{first},RECRUITING,{world.name}",
                     f"{second},RECRUITING,{world.name}", f"{third},COMPLETED,{world.name}"]
    # the study store: both searches left their pages, added when the store is next opened
    assert run(capsys, "sql", "SELECT nct_id, source, city FROM sites ORDER BY nct_id, city") \
        == ["nct_id,source,city", f"{first},{world.name},Boston", f"{first},{world.name},Lyon",
            f"{second},{world.name},Lyon", f"{third},{world.name},Worcester"]
    assert run(capsys, "sql", "SELECT count(*) AS runs, count(DISTINCT params) AS queries "
               "FROM runs WHERE mode = 'search'") == ["runs,queries", "2,1"]


def test_a_watch_reports_the_second_days_changes_exactly(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    first, second, third, fourth = world.ids
    with open_store(tmp_path / "studies.duckdb") as store:
        watch = add_watch(store, "fx", {"term": ["fictional"], "registry": world.name})
        assert watch.registries == (world.name,)
        day1 = refresh(store, clients_for(watch, world.settings), watch, now=DAY1)
        world.day_two()
        day2 = refresh(store, clients_for(watch, world.settings), watch, now=DAY2)
        steps = history(store, first)
    assert (day1.mode, day1.studies, day1.changes) == ("first", 3, [])
    assert day2.mode == "incremental"
    assert [(c.nct_id, c.change, c.before, c.after, c.facility, c.title)
            for c in day2.changes] == [
        (fourth, "new", None, None, None, TITLES[3]),
        (third, "gone", None, None, None, TITLES[2]),
        (first, "status", "RECRUITING", "ACTIVE_NOT_RECRUITING", None, TITLES[0]),
        (second, "site_added", None, None, "Imaginary Clinic Worcester", TITLES[1]),
    ]
    assert day2.fetched == 3  # the two changed records, and the new one by its id
    assert [[(c.change, c.before, c.after) for c in changes] for _, changes in steps] == [
        [("status", "RECRUITING", "ACTIVE_NOT_RECRUITING")]]
    lines = run(capsys, "history", first.lower(), "--store", str(tmp_path / "studies.duckdb"))
    assert lines[0].startswith(f"{first}: 2 versions seen; first 2026-11-20 08:00")
    assert lines[1].split()[2:] == ["status", "Recruiting", "->", "Active", "not", "recruiting"]


def test_a_watch_is_added_and_run_from_the_command_line(
    world: World, capsys: pytest.CaptureFixture[str],
) -> None:
    first, second, third, fourth = world.ids
    title = get_registry(world.name).title
    said = "words: fictional" + ("" if world.name == "ctgov" else f" · in {title}")
    assert run(capsys, "watch", "add", "fx", "-t", "fictional", "--registry", world.name) == [
        f"watch 'fx' saved: {said}"]  # the default registry is no option worth keeping
    run(capsys, "watch", "run", "--no-cache")
    world.day_two()
    changes = run(capsys, "watch", "run", "--no-cache", "--format", "csv", "--full")
    assert [line.split(",")[1:3] for line in changes[1:]] == [
        [fourth, "new"], [third, "gone"], [first, "status"], [second, "site_added"]]


def test_show_reads_the_study_page_of_any_registry(
    world: World, capsys: pytest.CaptureFixture[str], as_if_real: None,
) -> None:
    """(``as_if_real``: ClinicalTrials.gov's world is of fictional ids, which have no page.)"""
    first = world.ids[0]
    registry, study = registry_for_id(first.lower())
    assert (registry.name, study) == (world.name, first)
    lines = run(capsys, "show", first.lower(), "--no-cache")
    assert lines[:2] == [TITLES[0],
                         f"{first}  ·  {world.recruiting}  ·  {registry.study_url(first)}"]
    assert any(line.split() == ["Start", *world.start.split()] for line in lines)
    assert lines[-1] == "Not medical advice: talk to your doctor before joining any trial."


def test_an_id_of_no_registry_names_what_each_registrys_ids_look_like(
    fake_registry: FakeRegistry,
) -> None:
    with pytest.raises(InvalidQueryError) as caught:
        registry_for_id("TRIAL-7")
    assert str(caught.value) == (
        "'TRIAL-7' is not an NCT id (expected NCT followed by up to 8 digits, e.g. NCT01234567; "
        "shorter numbers are padded with zeros); nor ISRCTN's ISRCTN id (ISRCTN and 8 digits, "
        "e.g. ISRCTN12345678); nor Fake Registry's fake id (FAKE- and up to 4 digits, e.g. "
        "FAKE-0001)")


@pytest.fixture
def page_search(world: World) -> Iterator[World]:
    """The dashboard, its caches cleared (the world's registry is chosen by the link)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield world
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_dashboards_study_page_shows_the_registrys_facts(page_search: World) -> None:
    world = page_search
    first = world.ids[0]
    registry = get_registry(world.name)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"term": "fictional", "status": "any", "study": first.lower(),
                            "registry": world.name})
    at.run()
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert f"## {TITLES[0]}" in markdown
    facts = next(m for m in markdown if m.startswith("- **Status:**"))
    assert f"- **Status:** {escape_md(world.recruiting)}" in facts
    assert f"- **Start:** {escape_md(world.start)}" in facts  # the registry's own words
    links = [(b.proto.label, b.proto.url) for b in at.get("link_button")]
    captions = [c.value for c in at.caption]
    if world.name == "ctgov":  # fictional NCT ids are the demo range: no page to link to
        assert links == []
        assert ("An invented demo study: it has no page on ClinicalTrials.gov."
                in captions)
    else:
        assert links == [(f"Open on {registry.title}", registry.study_url(first))]


def test_sync_takes_any_registry_through_its_client(
    world: World, capsys: pytest.CaptureFixture[str],
) -> None:
    lines = run(capsys, "sync", "-t", "fictional", "--registry", world.name, "--no-cache")
    assert lines[0].startswith("synced 3 studies")
    assert run(capsys, "sql", "SELECT source, count(*) AS n FROM studies GROUP BY source") == [
        "source,n", f"{world.name},3"]


def test_one_search_over_two_registries_joins_their_tables(
    standin_factory: Callable[..., StandInServer], fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctgov = _ctgov(standin_factory, monkeypatch)
    found = search(term="fictional", registry="ctgov,fake", settings=ctgov.settings, limit=2)
    assert list(zip(found.studies["nct_id"], found.studies["source"], strict=True)) == [
        ("NCT99300001", "ctgov"), ("NCT99300002", "ctgov"), ("FAKE-0001", "fake"),
        ("FAKE-0002", "fake")]  # the limit is each registry's
    assert set(found.sites["source"]) == {"ctgov", "fake"}
    assert found.meta.total_reported == 6 and found.meta.truncated
    assert found.warnings == ["ClinicalTrials.gov: showing the first 2 of 3 matching studies "
                              "(limit reached)",
                              "Fake Registry: showing the first 2 of 3 matching studies "
                              "(limit reached)"]
    assert found.meta.query == {"ctgov:query.term": "fictional", "fake:words": "fictional"}


def test_ids_are_checked_by_the_registry_that_owns_them(
    fake_registry: FakeRegistry, tmp_path: Path,
) -> None:
    nct = fictional_study("NCT99300009", "Fictional Study With An NCT Id")
    with open_store(tmp_path / "studies.duckdb") as store:
        fake = store.add_records([fake_record("fake-9", "Lower Case Id"), nct,
                                  fake_record("FAKE-0009", TITLES[0])], source="fake")
        ctgov = store.add_records([nct, fake_record("FAKE-0010", TITLES[1])])
    assert (fake.studies, fake.skipped, list(fake.hashes)) == (1, 2, ["FAKE-0009"])
    assert (ctgov.studies, ctgov.skipped, list(ctgov.hashes)) == (1, 1, ["NCT99300009"])


def test_search_pages_of_a_registry_no_longer_known_are_set_aside(
    fake_registry: FakeRegistry, caplog: pytest.LogCaptureFixture,
) -> None:
    path = default_store_path()  # each test's own data folder (conftest)
    search(term="fictional", registry="fake", settings=Settings(use_cache=False))
    unregister(fake_registry.name)
    assert "fake" not in REGISTRY_TITLES  # --registry no longer offers it
    with open_store(path) as store:
        assert store.info()["studies"] == 0
    rejected = list((path.with_name(path.name + ".incoming") / "rejected").iterdir())
    assert len(rejected) == 1
    assert "records of a registry this trialfinder does not know ('fake')" in caplog.text


def test_a_misspelt_registry_is_named_with_the_one_meant() -> None:
    """``--registry isrctm`` listed the registries but did not say which one was meant, as
    a misspelt status or sort order does."""
    with pytest.raises(InvalidQueryError) as refused:
        get_registry("isrctm")
    assert str(refused.value).startswith(
        "unknown registry 'isrctm' (did you mean isrctn?); choose from: ctgov, isrctn")
    with pytest.raises(InvalidQueryError, match=r"^unknown registry 'euctr'; choose from"):
        get_registry("euctr")
