"""One search over ClinicalTrials.gov and ISRCTN, end to end against both loopback stand-ins,
with fictional records (NCT994..., ISRCTN994...): the union without duplicates (links from
either side, junk cross-references ignored), each row's source, ids, derived status, sites and
distances; the store; a watch over both registries on two days; ``match``, ``sync``, ``show``
and the dashboard (its registry choice, and the study page's source).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from devtools.isrctn import IsrctnFaults, IsrctnServer
from devtools.standin import StandInServer, fictional_site, fictional_study
from tests.conftest import isrctn_trial
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import ApiError
from trialfinder.service.searching import search
from trialfinder.service.watchrun import clients_for, refresh
from trialfinder.store.db import open_store
from trialfinder.store.watch import add_watch

DAY1 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
SHEFFIELD = {"name": "Fictional Neuro Centre", "town": "Sheffield", "nation": "United Kingdom",
             "at": [53.3811, -1.4701]}
LEEDS = {"name": "Imaginary Hospital Leeds", "town": "Leeds", "nation": "England"}
GLASGOW = {"name": "Made-up Respiratory Unit", "town": "Glasgow", "nation": "Scotland"}
YORK = {"name": "Pretend Clinic York", "town": "York", "nation": "England"}
EDITED = "2026-11-21T08:00:00.000Z"
APP = Path(__file__).parents[1] / "app.py"


@dataclass
class Both:
    ctgov: StandInServer
    isrctn: IsrctnServer
    settings: Settings
    day_two: Callable[[], None]


def _ct_site(place: dict[str, Any]) -> dict[str, Any]:
    lat, lon = place["at"]
    return fictional_site(place["name"], place["town"], place["nation"], lat, lon)


@pytest.fixture
def both(standin_factory: Callable[..., StandInServer], isrctn_server: IsrctnServer,
         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Both]:
    """ClinicalTrials.gov: NCT99400001 (naming ISRCTN99400001 among its secondary ids) and
    NCT99400002. ISRCTN: ISRCTN99400001 (the first's twin, at Sheffield and Leeds),
    ISRCTN99400002 (naming NCT99400002: the second's twin), ISRCTN99400003 ("Nil known") and
    ISRCTN99400004 (recruitment ended, the trial too: completed). On the second day
    NCT99400002 stops recruiting, ISRCTN99400001 too (its registrant says so), ISRCTN99400003
    has a new centre in York, ISRCTN99400004 is gone and ISRCTN99400005 is new."""
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    first = fictional_study("NCT99400001", "Fictional walking aid study",
                            conditions=["Motor neurone disease"],
                            locations=[_ct_site(SHEFFIELD)], start_date="2024-03")
    first["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [
        {"id": "ISRCTN-99400001", "type": "REGISTRY", "domain": "ISRCTN"},
        {"id": "FX-WALK-1"}]
    second = fictional_study("NCT99400002", "Fictional breathing study",
                             conditions=["Motor neurone disease"], start_date="2024-03")
    ctgov = standin_factory([first, second])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", ctgov.base_url)
    trials = [isrctn_trial("ISRCTN99400001", "Walking aid trial (fictional)", SHEFFIELD, LEEDS,
                           condition="Motor neurone disease"),
              isrctn_trial("ISRCTN99400002", "Breathing trial (fictional)", condition="Motor "
                           "neurone disease", nct="NCT 99400002"),
              isrctn_trial("ISRCTN99400003", "Cramp trial (fictional)", GLASGOW,
                           condition="Motor neurone disease", nct="Nil known",
                           contacts=(("Dr", "Ada", "Example", "Scientific",
                                      "+44 141 496 0123", "cramp.trial@example.org"),)),
              isrctn_trial("ISRCTN99400004", "Speech trial (fictional)", YORK,
                           condition="Motor neurone disease", recruitment_end="2025-01-31",
                           overall_end="2025-12-31")]
    isrctn_server.api.trials = trials

    def day_two() -> None:
        later = copy.deepcopy(second)
        later["protocolSection"]["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
        later["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = \
            "2026-11-21"
        ctgov.replace_studies([first, later])
        closed = replace(trials[0], status_override="No longer recruiting", last_edited=EDITED)
        third = replace(trials[2], last_edited=EDITED, centres=(
            *trials[2].centres, (YORK["name"], YORK["town"], YORK["nation"])))
        fifth = isrctn_trial("ISRCTN99400005", "Sleep trial (fictional)", LEEDS,
                             condition="Motor neurone disease", last_edited=EDITED)
        isrctn_server.api.trials = [closed, trials[1], third, fifth]

    yield Both(ctgov, isrctn_server, Settings(use_cache=False, timeout=5), day_two)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The rows of ``columns``, missing values as ``None``."""
    return [tuple(None if pd.isna(v) else v for v in row)
            for row in frame[list(columns)].itertuples(index=False)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out.splitlines()


def test_one_search_over_both_lists_each_trial_once_with_its_source_and_ids(
    both: Both, capsys: pytest.CaptureFixture[str],
) -> None:
    found = search(condition="motor neurone disease", registry="ctgov,isrctn",
                   settings=both.settings)
    assert rows(found.studies, "nct_id", "status", "source", "other_ids") == [
        ("NCT99400001", "RECRUITING", "ctgov+isrctn", "ISRCTN-99400001|FX-WALK-1|ISRCTN99400001"),
        ("NCT99400002", "RECRUITING", "ctgov+isrctn", "ISRCTN99400002"),
        ("ISRCTN99400003", "RECRUITING", "isrctn", None),  # "Nil known" links nothing
        ("ISRCTN99400004", "COMPLETED", "isrctn", None)]  # derived: recruitment and trial ended
    assert list(found.studies["url"]) == [
        "https://clinicaltrials.gov/study/NCT99400001",
        "https://clinicaltrials.gov/study/NCT99400002",
        "https://www.isrctn.com/ISRCTN99400003", "https://www.isrctn.com/ISRCTN99400004"]
    assert found.meta.problems["merged_duplicate"] == 2
    assert found.meta.problems["duplicate_site_left_out"] == 1  # Sheffield twice is one site
    assert ("2 trials registered in both ClinicalTrials.gov and ISRCTN listed once, as "
            "ClinicalTrials.gov's record with both ids") in found.warnings
    # near Sheffield: ClinicalTrials.gov is asked for studies with a site near, so it does not
    # send NCT99400002 (no site); its twin in ISRCTN then stands alone, and goes with no site
    near = search(condition="motor neurone disease", registry="ctgov,isrctn",
                  settings=both.settings, near="Sheffield, United Kingdom", radius="250mi")
    assert rows(near.all.studies, "nct_id", "source", "other_ids") == [
        ("NCT99400001", "ctgov+isrctn", "ISRCTN-99400001|FX-WALK-1|ISRCTN99400001"),
        ("ISRCTN99400002", "isrctn", "NCT99400002"), ("ISRCTN99400003", "isrctn", None),
        ("ISRCTN99400004", "isrctn", None)]
    assert list(near.studies["nct_id"]) == ["NCT99400001", "ISRCTN99400003", "ISRCTN99400004"]
    assert [(n, c, s, round(float(d), 1)) for n, c, s, d in rows(
        near.sites, "nct_id", "city", "source", "distance_mi")] == [
        ("NCT99400001", "Sheffield", "ctgov", 0.2),
        ("NCT99400001", "Leeds", "isrctn", 28.8),  # the twin's centre in another city joins
        ("ISRCTN99400003", "Glasgow", "isrctn", 204.6),
        ("ISRCTN99400004", "York", "isrctn", 42.7)]
    assert list(near.studies["n_sites"]) == [2, 1, 1]
    # the command line, the same union; the default registry is still ClinicalTrials.gov alone
    assert run(capsys, "search", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
               "--no-cache", "--format", "csv", "--columns", "nct_id,status,source") == [
        "nct_id,status,source", "NCT99400001,RECRUITING,ctgov+isrctn",
        "NCT99400002,RECRUITING,ctgov+isrctn", "ISRCTN99400003,RECRUITING,isrctn",
        "ISRCTN99400004,COMPLETED,isrctn"]
    assert run(capsys, "search", "-c", "motor neurone disease", "--no-cache", "--format", "csv",
               "--columns", "nct_id,source") == [
        "nct_id,source", "NCT99400001,ctgov", "NCT99400002,ctgov"]
    # the store keeps each registry's records with their source (twins too: one per registry)
    assert run(capsys, "sql", "SELECT source, count(*) AS n FROM studies GROUP BY source "
               "ORDER BY source") == ["source,n", "ctgov,2", "isrctn,4"]


def test_show_says_where_a_record_comes_from_and_names_its_twin(
    both: Both, capsys: pytest.CaptureFixture[str], as_if_real: None,
) -> None:
    isrctn = run(capsys, "show", "isrctn 99400003", "--no-cache")
    assert isrctn[:3] == ["Cramp trial (fictional)", "ISRCTN99400003  ·  Recruiting (derived)  ·  "
                          "https://www.isrctn.com/ISRCTN99400003", ""]
    assert "Status                Recruiting (derived)" in isrctn
    assert ("  Study contact: Dr Ada Example · +44 141 496 0123 · cramp.trial@example.org"
            in isrctn)
    ctgov = run(capsys, "show", "NCT99400001", "--no-cache")
    assert ctgov[1:4] == [
        "NCT99400001  ·  Recruiting  ·  https://clinicaltrials.gov/study/NCT99400001",
        "Also in ISRCTN: ISRCTN99400001  ·  https://www.isrctn.com/ISRCTN99400001", ""]
    assert isrctn[-1] == ctgov[-1] == ("Not medical advice: talk to your doctor before joining "
                                       "any trial.")


def test_show_gives_no_page_for_a_fictional_twin(
    both: Both, capsys: pytest.CaptureFixture[str],
) -> None:
    """ISRCTN99400002 names NCT99400002, of the fictional range: no ClinicalTrials.gov link."""
    lines = run(capsys, "show", "ISRCTN99400002", "--no-cache")
    assert lines[2] == ("Also in ClinicalTrials.gov: NCT99400002  ·  An invented demo study: "
                        "it has no page on ClinicalTrials.gov.")
    assert "clinicaltrials.gov/study/NCT99400002" not in "\n".join(lines)


def test_a_watch_over_both_registries_reports_the_second_days_changes_exactly(
    both: Both, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "studies.duckdb"
    with open_store(path) as store:
        watch = add_watch(store, "mnd", {"condition": ["motor neurone disease"],
                                         "registry": "ctgov,isrctn"})
        assert watch.registries == ("ctgov", "isrctn")
        day1 = refresh(store, clients_for(watch, both.settings), watch, now=DAY1)
        both.day_two()
        day2 = refresh(store, clients_for(watch, both.settings), watch, now=DAY2)
    assert (day1.mode, day1.studies, day1.changes) == ("first", 6, [])
    assert day2.mode == "incremental"
    assert [(c.nct_id, c.change, c.before, c.after, c.facility) for c in day2.changes] == [
        ("ISRCTN99400005", "new", None, None, None),
        ("ISRCTN99400004", "gone", None, None, None),
        ("ISRCTN99400001", "status", "RECRUITING", "ACTIVE_NOT_RECRUITING", None),
        ("NCT99400002", "status", "RECRUITING", "ACTIVE_NOT_RECRUITING", None),
        ("ISRCTN99400003", "site_added", None, None, "Pretend Clinic York"),
    ]
    lines = run(capsys, "history", "isrctn99400001", "--store", str(path))
    assert lines[0].startswith("ISRCTN99400001: 2 versions seen; first 2026-11-20 08:00")
    assert lines[1].split()[2:] == ["status", "Recruiting", "->", "Active", "not", "recruiting"]


def test_match_screens_the_trials_of_both_registries(
    both: Both, capsys: pytest.CaptureFixture[str],
) -> None:
    lines = run(capsys, "match", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
                "--no-cache", "--age", "50", "--sex", "female", "--format", "csv")
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    # the completed ISRCTN trial is not screened (match looks at open trials); the twins once
    assert sorted((r["nct_id"], r["verdict"]) for r in rows) == [
        ("ISRCTN99400003", "fits"), ("NCT99400001", "fits"), ("NCT99400002", "fits")]


def test_sync_stores_both_registries_records(
    both: Both, capsys: pytest.CaptureFixture[str],
) -> None:
    lines = run(capsys, "sync", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
                "--no-cache")
    assert [line.split(" (")[0] for line in lines[:2]] == [
        "ClinicalTrials.gov: synced 2 studies", "ISRCTN: synced 4 studies"]
    assert run(capsys, "sql", "SELECT nct_id, source, status FROM studies ORDER BY nct_id") == [
        "nct_id,source,status", "ISRCTN99400001,isrctn,RECRUITING",
        "ISRCTN99400002,isrctn,RECRUITING", "ISRCTN99400003,isrctn,RECRUITING",
        "ISRCTN99400004,isrctn,COMPLETED", "NCT99400001,ctgov,RECRUITING",
        "NCT99400002,ctgov,RECRUITING"]


@pytest.mark.parametrize(("argv", "said"), [
    (["--whole-registry"], "error: --whole-registry syncs ClinicalTrials.gov only, and ISRCTN "
     "is searched by condition, other terms, treatment, title, country, status or dates: give "
     "one of them (in a sync of its own)\n"),
    (["--near", "Leeds, UK"], "error: ISRCTN is searched by condition, other terms, "
     "treatment, title, country, status or dates: give one of them\n"),
])
def test_a_sync_that_isrctn_cannot_take_fails_before_any_request(
    both: Both, capsys: pytest.CaptureFixture[str], argv: list[str], said: str,
) -> None:
    """`sync --registry ctgov,isrctn --whole-registry` synced the whole of ClinicalTrials.gov
    (about 11 minutes) and only then failed on ISRCTN, in words that did not name the
    option."""
    assert main(["sync", "--registry", "ctgov,isrctn", "--no-cache", *argv]) == 2
    assert capsys.readouterr().err.endswith(said)
    assert both.ctgov.stats.requests == 0


@pytest.fixture
def page(both: Both) -> Iterator[Both]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield both
    st.cache_data.clear()
    st.cache_resource.clear()


def opened(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(params)
    return at.run()


def test_the_dashboard_searches_the_registries_chosen(page: Both, as_if_real: None) -> None:
    plain = opened(condition="motor neurone disease", status="any")
    assert not plain.exception
    assert plain.multiselect(key="registry").value == ["ctgov"]  # the default
    at = opened(condition="motor neurone disease", status="any", registry="ctgov,isrctn",
                near="Sheffield, United Kingdom", radius="250")
    assert not at.exception
    assert at.multiselect(key="registry").value == ["ctgov", "isrctn"]
    cards = [m.group(1) for e in at.caption
             if (m := re.match(r"^(\S+) · .* · nearest site ", str(e.value)))]
    assert cards == ["NCT99400001", "ISRCTN99400004", "ISRCTN99400003"]  # nearest first
    assert any(str(e.value).startswith("ISRCTN99400004 · Completed \\(derived\\) · ")
               for e in at.caption)
    # four in all (ISRCTN99400002 stands alone: ClinicalTrials.gov sent no twin near Sheffield)
    # (the registries' names as written for Markdown: "ClinicalTrials\.gov" shows a plain dot)
    # (each stand-in by its address: the page does not say the registries answered)
    fetched = [str(e.value).replace("\\", "").replace("\u2060", "") for e in at.caption
               if str(e.value).startswith("Fetched ")]
    assert [re.sub(r":\d+/", ":PORT/", f).split(" · fetched ")[0] for f in fetched] == [
        "Fetched 4 studies · the API at http://127.0.0.1:PORT/api/v2, standing in for "
        "ClinicalTrials.gov and the API at http://127.0.0.1:PORT/api, standing in for ISRCTN "
        "reported 5 matches"]


def test_the_study_page_says_where_the_record_comes_from(page: Both) -> None:
    search = {"condition": "motor neurone disease", "status": "any",
              "registry": "ctgov,isrctn"}
    at = opened(**search, study="isrctn99400003")
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert ("**Registered in:** [ISRCTN ISRCTN99400003](https://www.isrctn.com/ISRCTN99400003)"
            in markdown)
    facts = next(m for m in markdown if m.startswith("- **Status:**"))
    assert "- **Status:** Recruiting \\(derived\\)" in facts
    assert [(b.proto.label, b.proto.url) for b in at.get("link_button")] == [
        ("Open on ISRCTN", "https://www.isrctn.com/ISRCTN99400003")]
    assert ("Contact for the whole study:\n\n- Dr Ada Example · Scientific  \n"
            "  Phone: [\\+44 141 496 0123](tel:+44-141-496-0123)  \n"
            "  E-mail: [cramp\\.trial\\@example\\.org](mailto:cramp.trial@example.org)"
            ) in markdown
    twin = opened(**search, study="NCT99400001")
    assert not twin.exception
    # an invented NCT id is in no registry: the page says so, naming its ids all the same
    assert ("**Not registered:** an invented demo study (ClinicalTrials\\.gov NCT99400001 · "
            "ISRCTN ISRCTN99400001), in no registry." in [m.value for m in twin.markdown])
    # a real-looking ISRCTN record links to its page, but not to its invented NCT twin
    alone = opened(**search, study="ISRCTN99400002", near="Sheffield, United Kingdom",
                   radius="250")
    assert not alone.exception
    assert ("**Registered in:** [ISRCTN ISRCTN99400002](https://www.isrctn.com/ISRCTN99400002)"
            " · ClinicalTrials\\.gov NCT99400002" in [m.value for m in alone.markdown])
    # a linked ISRCTN id that ISRCTN does not hold is said to be missing from ISRCTN
    missing = opened(study="ISRCTN99499999")
    assert not missing.exception
    assert [w.value for w in missing.warning] == [
        "Study ISRCTN99499999 cannot be shown: ISRCTN has no study ISRCTN99499999."]


def test_the_dashboard_names_the_registry_that_turned_the_search_down(page: Both) -> None:
    page.isrctn.api.faults = IsrctnFaults(statuses=(400,))
    at = opened(condition="motor neurone disease", status="any", registry="ctgov,isrctn")
    assert not at.exception
    assert [str(e.value).split(":", 1)[0] for e in at.error] == [
        "ISRCTN turned the search down"]


def test_a_registry_that_cannot_answer_costs_its_own_part_not_the_search(
    both: Both, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    down = IsrctnFaults(statuses=(503,) * 10)  # the first ten requests, more than are made
    both.isrctn.api.faults = down
    settings = replace(both.settings, retries=0)
    found = search(condition="motor neurone disease", registry="ctgov,isrctn",
                   settings=settings)
    assert list(found.studies["nct_id"]) == ["NCT99400001", "NCT99400002"]
    assert [w for w in found.warnings if w.startswith("ISRCTN could not be searched")]
    assert found.warnings[-1].endswith("these results come from the other registries alone")
    # the command line says so in a note and exits 0
    monkeypatch.setenv("TRIALFINDER_RETRIES", "0")
    assert main(["search", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
                 "--no-cache", "--format", "csv", "--columns", "nct_id"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["nct_id", "NCT99400001", "NCT99400002"]
    assert "trialfinder: note: ISRCTN could not be searched" in err
    assert err.count("could not be searched") == 1  # the log line and the note were two
    # asked alone, the registry's error stands: there is nothing else to show
    assert both.isrctn.api.requests < len(down.statuses)
    with pytest.raises(ApiError):
        search(condition="motor neurone disease", registry="isrctn", settings=settings)


def test_the_one_registry_that_answered_is_named_as_the_source(
    both: Both, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one of two registries down, the list's provenance named both as having answered
    (the page: "ClinicalTrials.gov and ISRCTN reported 2 matches"), and its address was the
    first asked, ClinicalTrials.gov's, also when that one was down and ISRCTN answered. It
    names the one that answered now, in memory and in a streamed file's provenance; the
    note says the other could not be searched."""
    from trialfinder.views.provenance import answered_by

    settings = replace(both.settings, retries=0)
    both.isrctn.api.faults = IsrctnFaults(statuses=(503,) * 10)
    found = search(condition="motor neurone disease", registry="ctgov,isrctn",
                   settings=settings)
    assert (found.meta.source, found.meta.registries) == (both.ctgov.base_url, None)
    assert answered_by(found.meta) == f"the API at {both.ctgov.base_url}"
    both.isrctn.api.faults = IsrctnFaults()
    gone = both.ctgov.base_url.replace(str(both.ctgov.port), "9")  # nothing listens there
    found = search(condition="motor neurone disease", registry="ctgov,isrctn",
                   settings=replace(settings, base_url=gone))
    assert len(found.studies) == 4
    assert (found.meta.source, found.meta.registries) == (both.isrctn.base_url, ("isrctn",))
    assert answered_by(found.meta) == f"the API at {both.isrctn.base_url.rstrip('/')}"
    monkeypatch.setenv("TRIALFINDER_BASE_URL", gone)
    monkeypatch.setenv("TRIALFINDER_RETRIES", "0")
    out = tmp_path / "mnd.csv"
    assert main(["search", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
                 "--no-cache", "--no-store", "--output", str(out)]) == 0
    capsys.readouterr()
    meta = json.loads(out.with_name("mnd.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == both.isrctn.base_url, meta


def test_a_search_that_a_registry_turns_down_still_fails(both: Both) -> None:
    both.isrctn.api.faults = IsrctnFaults(statuses=(400,))
    with pytest.raises(ApiError) as caught:
        search(condition="motor neurone disease", registry="ctgov,isrctn",
               settings=both.settings)
    assert caught.value.status == 400


def test_the_summary_names_the_registries_that_reported(
    both: Both, capsys: pytest.CaptureFixture[str],
) -> None:
    """The command line's summary said "the API reported 6 matching studies" of a search of
    two registries (two APIs, each with its own count), where the dashboard names both."""
    assert main(["search", "-c", "motor neurone disease", "--registry", "ctgov,isrctn",
                 "--no-cache", "--no-store"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == ("4 studies; ClinicalTrials.gov and ISRCTN reported 6 matching studies, "
                       "4 fetched")


def test_a_trial_the_isrctn_stand_in_marks_invented_is_shown_so_on_the_dashboard(
    page: Both,
) -> None:
    page.isrctn.api.trials = [replace(t, marked=True) if t.isrctn_id == "ISRCTN99400003" else t
                              for t in page.isrctn.api.trials]
    at = opened(condition="motor neurone disease", status="any", registry="ctgov,isrctn",
                study="isrctn99400003")
    assert not at.exception
    assert [w.value for w in at.warning][:1] == [
        "Demo mode: the trials shown here are fictional examples made up for this demo, not "
        "real studies you can join, and this is not medical advice."]
    assert ("**Not registered:** an invented demo study (ISRCTN ISRCTN99400003), in no "
            "registry." in [m.value for m in at.markdown])
    assert at.get("link_button") == []  # no "Open on ISRCTN" for an invented trial
    assert "An invented demo study: it has no page on ISRCTN." in [c.value for c in at.caption]
