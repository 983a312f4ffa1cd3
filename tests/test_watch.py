"""Watches: what changed between runs, incremental refresh equal to a full one, feeds, history."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import StandInServer, evolve, fictional_site, fictional_study, replicate
from trialfinder.cli.main import main
from trialfinder.core.codes import Status
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import SearchOptions
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.service.watchrun import refresh, run_watch
from trialfinder.store.db import Store
from trialfinder.store.feed import ATOM_NS, feed_bytes
from trialfinder.store.watch import (
    Change,
    Watch,
    add_watch,
    diff_versions,
    get_watch,
    list_watches,
    remove_watch,
    save_watch,
    saved_watches,
)

Factory = Callable[..., StandInServer]
DAY1 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
BOSTON = (42.3601, -71.0589)


def _client(server: StandInServer) -> TrialsClient:
    return TrialsClient(Settings(base_url=server.base_url, use_cache=False, timeout=5,
                                 retries=1, backoff_factor=0.0, requests_per_minute=60000))


def _pairs(changes: list[Change]) -> set[tuple[str, str]]:
    return {(c.nct_id, c.change) for c in changes}


@pytest.fixture
def many(standin_studies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return replicate(standin_studies, 200)


def test_second_run_reports_exactly_what_changed_and_moves_a_quarter_of_the_bytes(
    standin_factory: Factory, many: list[dict[str, Any]], tmp_path: Path
) -> None:
    server = standin_factory(many, max_page_size=50)
    client = _client(server)
    with Store(tmp_path / "s.duckdb") as store:
        watch = add_watch(store, "fx", {"term": ["fictional"]})
        first = refresh(store, client, watch, now=DAY1)
        evolution = evolve(many, day="2026-11-21", seed=7)
        server.replace_studies(evolution.studies)
        second = refresh(store, client, watch, now=DAY2)
    expected = ({(n, "new") for n in evolution.new} | {(n, "gone") for n in evolution.removed}
                | {(n, "status") for n in evolution.status}
                | {(n, "site_added") for n in evolution.site_added})
    assert (first.mode, first.studies, first.changes) == ("first", 200, [])
    assert len(evolution.touched) == 5 and len(expected) == 20
    assert _pairs(second.changes) == expected
    assert second.mode == "incremental" and second.since == "2026-11-19"
    assert second.studies == 200 - 5 + 5
    assert second.fetched == 20  # 15 changed or touched records and 5 new ones
    assert second.nbytes <= first.nbytes / 4
    statuses = {c.nct_id: (c.before, c.after) for c in second.changes if c.change == "status"}
    assert statuses == evolution.status
    added = {c.nct_id: c.facility for c in second.changes if c.change == "site_added"}
    assert added == evolution.site_added


def test_incremental_outcome_equals_a_full_refetch(
    standin_factory: Factory, many: list[dict[str, Any]], tmp_path: Path
) -> None:
    server = standin_factory(many, max_page_size=60)
    client = _client(server)
    options = {"term": ["fictional"], "status": ["recruiting", "active_not_recruiting"]}
    stores = {mode: Store(tmp_path / f"{mode}.duckdb") for mode in ("incremental", "full")}
    for store in stores.values():
        add_watch(store, "fx", options)
    for store in stores.values():
        refresh(store, client, get_watch(store, "fx"), now=DAY1)
    evolution = evolve(many, day="2026-11-21", seed=11, fraction=0.2)
    server.replace_studies(evolution.studies)
    runs = {mode: refresh(store, client, get_watch(store, "fx"), full=mode == "full", now=DAY2)
            for mode, store in stores.items()}
    found = {mode: store.run_found(store.last_run("fx")[0])  # type: ignore[index]
             for mode, store in stores.items()}
    for store in stores.values():
        store.close()
    assert [c.to_dict() for c in runs["incremental"].changes] == \
        [c.to_dict() for c in runs["full"].changes]
    assert found["incremental"] == found["full"]
    assert runs["incremental"].fetched == 40 and runs["full"].fetched == 200
    # a study that stops recruiting is reported as status then gone, not lost silently
    stopped = [n for n, (b, a) in evolution.status.items() if b == "RECRUITING"]
    started = [n for n, (b, a) in evolution.status.items() if a == "RECRUITING"
               and b not in ("RECRUITING", "ACTIVE_NOT_RECRUITING")]
    pairs = _pairs(runs["incremental"].changes)
    assert stopped and started
    for nct in stopped:  # RECRUITING -> ACTIVE_NOT_RECRUITING still matches: status only
        assert (nct, "status") in pairs and (nct, "gone") not in pairs
    for nct in started:  # COMPLETED -> RECRUITING enters: why, then new
        assert {(nct, "status"), (nct, "new")} <= pairs


def test_a_study_leaving_the_status_filter_is_status_and_gone(
    standin_factory: Factory, tmp_path: Path
) -> None:
    studies = [fictional_study("NCT99200001", "Fictional Alpha Study"),
               fictional_study("NCT99200002", "Fictional Beta Study", status="COMPLETED")]
    server = standin_factory(studies)
    with Store(tmp_path / "s.duckdb") as store:
        watch = add_watch(store, "rec", {"term": ["fictional"], "status": ["recruiting"]})
        refresh(store, _client(server), watch, now=DAY1)
        later = copy.deepcopy(studies)
        module = later[0]["protocolSection"]["statusModule"]
        module["overallStatus"] = "TERMINATED"
        module["lastUpdatePostDateStruct"]["date"] = "2026-11-21"
        server.replace_studies(later)
        run = refresh(store, _client(server), watch, now=DAY2)
    assert [c.to_dict() for c in run.changes] == [
        {"nct_id": "NCT99200001", "change": "gone", "watch": "rec",
         "title": "Fictional Alpha Study", "when": "2026-11-21T08:00:00Z"},
        {"nct_id": "NCT99200001", "change": "status", "watch": "rec",
         "title": "Fictional Alpha Study", "before": "RECRUITING", "after": "TERMINATED",
         "when": "2026-11-21T08:00:00Z"},
    ]
    # the line `watch run` prints says why it is gone (it said only "gone")
    assert [c.detail() for c in run.changes] == [
        "no longer in this search's results", "Recruiting -> Terminated"]


def test_sites_changes_carry_facility_city_and_distance_from_the_watch_place(
    standin_factory: Factory, tmp_path: Path
) -> None:
    boston = fictional_site("Fictional General Hospital", "Boston", "United States", *BOSTON)
    lyon = fictional_site("Centre Fictif", "Lyon", "France", 45.7640, 4.8357)
    springfield = fictional_site("Springfield Pretend Clinic", "Springfield", "United States",
                                 42.1015, -72.5898)
    studies = [fictional_study("NCT99200011", "Fictional Near Study", locations=[boston]),
               fictional_study("NCT99200012", "Fictional Far Study", locations=[lyon])]
    server = standin_factory(studies)
    with Store(tmp_path / "s.duckdb") as store:
        watch = add_watch(store, "near", {"term": ["fictional"], "near": list(BOSTON),
                                          "radius": "100mi", "place": "Boston, MA"})
        refresh(store, _client(server), watch, now=DAY1)
        later = copy.deepcopy(studies)
        for study in later:
            protocol = study["protocolSection"]
            protocol["contactsLocationsModule"]["locations"].append(springfield)
            protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-11-21"
        later[0]["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 250
        server.replace_studies(later)
        run = refresh(store, _client(server), watch, now=DAY2)
    rows = [(c.nct_id, c.change, c.facility, c.city, c.distance_mi, c.fields)
            for c in run.changes]
    assert rows == [
        ("NCT99200012", "new", None, None, None, ()),
        ("NCT99200011", "site_added", "Springfield Pretend Clinic", "Springfield",
         pytest.approx(80.3, abs=0.1), ()),
        # why the far study entered: its new site is within 100 miles
        ("NCT99200012", "site_added", "Springfield Pretend Clinic", "Springfield",
         pytest.approx(80.3, abs=0.1), ()),
        ("NCT99200011", "updated", None, None, None, ("enrollment",)),
    ]


def test_diff_names_changed_fields_and_ignores_a_bare_update_date() -> None:
    old = fictional_study("NCT99200021", "Fictional Diff Study", enrollment=40)
    bumped = copy.deepcopy(old)
    bumped["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-11-21"
    assert diff_versions("NCT99200021", old, bumped) == []
    edited = copy.deepcopy(bumped)
    edited["protocolSection"]["identificationModule"]["briefTitle"] = "Fictional Renamed Study"
    edited["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 80
    changes = diff_versions("NCT99200021", old, edited, watch="w")
    assert [c.to_dict() for c in changes] == [
        {"nct_id": "NCT99200021", "change": "updated", "watch": "w",
         "title": "Fictional Renamed Study", "fields": ["title", "enrollment"]}]


def test_watch_names_and_options_are_checked(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        add_watch(store, "als-boston", {"condition": ["ALS"], "status": ["recruiting"]})
        with pytest.raises(InvalidQueryError) as caught:
            add_watch(store, "als-boston", {"condition": ["ALS"]})
        assert str(caught.value) == ("a watch named 'als-boston' exists: give another name, "
                                     "or remove it first (trialfinder watch remove als-boston)")
        with Store(tmp_path / "other.duckdb") as other:  # a name the shell must quote
            add_watch(other, "als near Boston", {"condition": ["ALS"]})
            with pytest.raises(InvalidQueryError, match=r"remove 'als near Boston'\)$"):
                add_watch(other, "als near Boston", {"condition": ["ALS"]})
        for bad in ("", "   ", "two\nlines", "tab\there", "bidi \u202e name", "x" * 81):
            with pytest.raises(InvalidQueryError, match="a watch name is 1 to 80"):
                add_watch(store, bad, {"condition": ["ALS"]})
        # free text is kept as data: spaces, quotes and SQL's own signs are a name like any
        odd = "  Back pain near Boston; 'x' -- DROP TABLE searches  "
        assert add_watch(store, odd, {"condition": ["back pain"]}).name == odd.strip()
        assert get_watch(store, odd.strip()).options == SearchOptions(conditions=("back pain",))
        remove_watch(store, odd.strip())
        with pytest.raises(InvalidQueryError, match="needs something to search for"):
            add_watch(store, "empty", {"status": ["recruiting"]})
        with pytest.raises(InvalidQueryError, match="unknown status 'bogus'"):
            add_watch(store, "bogus", {"condition": ["ALS"], "status": ["bogus"]})
        assert [w.name for w in list_watches(store)] == ["als-boston"]
        assert get_watch(store, "als-boston").options == SearchOptions(
            conditions=("ALS",), statuses=(Status.RECRUITING,))
        remove_watch(store, "als-boston")
        with pytest.raises(InvalidQueryError, match="no watch named 'als-boston'"):
            get_watch(store, "als-boston")


def test_feed_is_atom_with_escaped_text(as_if_real: None) -> None:
    changes = [
        Change("NCT99200031", "new", "w", "Fictional <b>bold</b> & \x07 study",
               when="2026-11-21T08:00:00Z"),
        Change("NCT99200032", "status", "w", "Other", before="RECRUITING", after="COMPLETED",
               when="2026-11-21T08:00:00Z"),
    ]
    body = feed_bytes(changes, title="trialfinder watch: w", feed_id="urn:trialfinder:watch:w",
                      updated=DAY2)
    root = ET.fromstring(body)
    ns = {"a": ATOM_NS}
    assert root.tag == f"{{{ATOM_NS}}}feed"
    assert root.findtext("a:updated", namespaces=ns) == "2026-11-21T08:00:00Z"
    entries = root.findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == [
        "NCT99200031: new in the results",
        "NCT99200032: status changed (Recruiting -> Completed)"]
    assert entries[0].findtext("a:summary", namespaces=ns) == \
        "Fictional <b>bold</b> &  study — new in the results"
    assert entries[0].find("a:link", ns).get("href") == \
        "https://clinicaltrials.gov/study/NCT99200031"  # type: ignore[union-attr]
    assert b"<b>" not in body and b"&lt;b&gt;" in body
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(set(ids)) == 2 and feed_bytes(changes, title="x", feed_id="y").count(
        ids[0].encode()) == 1  # type: ignore[union-attr]


def test_feed_links_no_fictional_study_to_a_registry() -> None:
    changes = [Change("NCT99200031", "new", "w", "Fictional study", when="2026-11-21T08:00:00Z")]
    root = ET.fromstring(feed_bytes(changes, title="t", feed_id="f", updated=DAY2))
    entry = root.find(f"{{{ATOM_NS}}}entry")
    assert entry is not None and entry.find(f"{{{ATOM_NS}}}link") is None
    content = entry.find(f"{{{ATOM_NS}}}content")
    assert content is not None and content.get("type") == "text"
    assert content.text == "An invented demo study: it has no page on ClinicalTrials.gov."


def test_a_watch_that_finds_nothing_says_what_may_be_a_slip(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """`watch add bad -c "astma"` saved a watch that would never find anything, and its runs
    said "0 matching studies" and nothing else."""
    server = standin_factory(standin_studies)
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    assert main(["watch", "add", "bad", "-c", "astma", "--near", "42.36,-71.06"]) == 0
    assert main(["watch", "add", "good", "-c", "asthma"]) == 0
    capsys.readouterr()
    assert main(["watch", "run", "--no-cache"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[err.index("bad: 0 changes, 0 matching studies (first, 1 request, 0.0 kB)") - 1] \
        == "trialfinder: note: nothing found for --condition 'astma' (did you mean asthma?)"
    assert sum("nothing found" in line for line in err) == 1  # not for the good one


def test_cli_watch_add_list_run_json_feed_history_remove(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(standin_studies)
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    base = ["--no-cache"]
    assert main(["watch", "add", "asthma", "-c", "asthma", "--status", "recruiting,terminated",
                 "--near", "42.36,-71.06", "--radius", "6000mi"]) == 0
    assert capsys.readouterr().out == (
        "watch 'asthma' saved: asthma · within 6,000 miles of 42.36,-71.06 · recruiting or "
        "terminated\n")
    assert main(["watch", "run", "--format", "json", *base]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "first run of 'asthma': 1 matching study recorded" in err
    later = copy.deepcopy(standin_studies)
    status = later[0]["protocolSection"]["statusModule"]
    status["overallStatus"] = "COMPLETED"
    status["lastUpdatePostDateStruct"]["date"] = datetime.now(UTC).date().isoformat()
    server.replace_studies(later)
    feed = tmp_path / "asthma.xml"
    assert main(["watch", "run", "asthma", "--format", "json", "--feed", str(feed), *base]) == 0
    out, err = capsys.readouterr()
    objects = [json.loads(line) for line in out.splitlines()]
    assert [(o["nct_id"], o["change"], o.get("before"), o.get("after")) for o in objects] == [
        ("NCT99100001", "gone", None, None),
        ("NCT99100001", "status", "RECRUITING", "COMPLETED")]
    assert "asthma: 2 changes, 0 matching studies (incremental" in err
    assert len(ET.parse(feed).getroot().findall(f"{{{ATOM_NS}}}entry")) == 2
    # the feed's id is an IRI (it was "urn:trialfinder:watch:<the name as typed>", spaces
    # and all, and the dashboard wrote another one for the same saved search)
    assert main(["watch", "add", "Asthma near Boston, MA", "-c", "asthma"]) == 0
    assert main(["watch", "run", "Asthma near Boston, MA", "asthma", "--feed", str(feed),
                 *base]) == 0
    capsys.readouterr()
    assert ET.parse(feed).getroot().findtext(f"{{{ATOM_NS}}}id") == (
        "urn:trialfinder:watch:Asthma%20near%20Boston%2C%20MA+asthma")
    assert main(["watch", "remove", "Asthma near Boston, MA"]) == 0
    capsys.readouterr()
    assert main(["watch", "list"]) == 0
    assert capsys.readouterr().out.startswith("asthma  [")
    assert main(["history", "nct99100001"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("NCT99100001: 2 versions seen; first ")
    assert lines[1].split()[2:] == ["status", "Recruiting", "->", "Completed"]
    assert main(["watch", "run", "asthma", "--format", "csv", *base]) == 0
    assert capsys.readouterr().out == (
        "watch,nct_id,change,before,after,fields,facility,city,distance_mi,title,when\r\n")
    assert main(["watch", "remove", "asthma"]) == 0
    assert main(["watch", "run", "asthma"]) == 2
    assert capsys.readouterr().err.endswith(
        "error: no watch named 'asthma' (watches: none yet)\n")


def test_run_watch_library_call_returns_changes(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path
) -> None:
    server = standin_factory(standin_studies)
    path = tmp_path / "s.duckdb"
    assert saved_watches(path) == []
    save_watch("all", {"term": ("fictional",)}, store_path=path)
    assert [(w.name, w.options) for w in saved_watches(path)] == [
        ("all", SearchOptions(terms=("fictional",)))]
    settings = Settings(base_url=server.base_url, use_cache=False, timeout=5)
    assert run_watch("all", store_path=path, settings=settings, now=DAY1) == []
    server.replace_studies(standin_studies[1:])
    changes = run_watch("all", store_path=path, settings=settings, now=DAY2)
    assert [(c.nct_id, c.change, c.title) for c in changes] == [
        ("NCT99100001", "gone", "Fictional Asthma Inhaler Study")]
    assert Watch("w", SearchOptions(conditions=("ALS",), near=(42.0, -71.0))).place == (42.0,
                                                                                       -71.0)


def test_table_lines_drop_terminal_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from trialfinder.cli.watch import _print_changes

    hostile = Change("NCT99200041", "updated", "w", "Fictional \x1b[2J\x1b[31mRed\x07\nStudy",
                     fields=("title",))
    _print_changes([hostile], "table")
    assert capsys.readouterr().out == "w  NCT99200041  updated       title  Fictional [2J[31mRed " \
        "Study\n"


def test_table_lines_cut_a_long_title_with_an_ellipsis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from trialfinder.cli.watch import _print_changes

    title = "A Fictional Randomised Study of Night Cramps in Adults Who Walk Long Distances Daily"
    short = "Fictional Short Study"
    _print_changes([Change("NCT99200042", "new", "w", title),
                    Change("NCT99200043", "new", "w", short)], "table")
    first, second = capsys.readouterr().out.splitlines()
    head = "w  NCT99200042  new           "
    assert first == head + title[:69] + "…"  # 70 columns, the last one saying it was cut
    assert second == "w  NCT99200043  new           " + short


def test_watch_run_says_a_status_in_words_and_keeps_the_codes_as_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from trialfinder.cli.watch import _print_changes

    change = Change("NCT99200044", "status", "w", "Fictional Study",
                    before="NOT_YET_RECRUITING", after="RECRUITING")
    _print_changes([change], "table")
    assert capsys.readouterr().out == (
        "w  NCT99200044  status        Not yet recruiting -> Recruiting  Fictional Study\n")
    _print_changes([change], "json")
    assert json.loads(capsys.readouterr().out)["before"] == "NOT_YET_RECRUITING"


def test_watch_run_says_a_site_change_in_words_and_keeps_the_code_as_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The terminal's lines said "site_added" and "site_removed", the codes of the data."""
    from trialfinder.cli.watch import _print_changes

    added = Change("NCT99200045", "site_added", "w", "Fictional Study",
                   facility="Fictional Clinic", city="Springfield", distance_mi=80.3)
    removed = Change("NCT99200046", "site_removed", "w", "Other Study",
                     facility="Fictional Unit", city="Lowell")
    _print_changes([added, removed], "table")
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("w  NCT99200045  new site      Fictional Clinic, Springfield")
    assert second.startswith("w  NCT99200046  site removed  Fictional Unit, Lowell")
    _print_changes([added], "json")
    assert json.loads(capsys.readouterr().out)["change"] == "site_added"
