"""The AACT views in the study store: what sync keeps, how the views are kept in step, the
``sql`` and ``store export --aact`` commands, and records of an odd shape."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from devtools.isrctn.records import answer_xml, sample_trials
from devtools.standin import PIECES, StandInServer, _fields_trie, _prune, replicate
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import SearchOptions
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.registries.ctgov.fullrecord import LIST_PIECE_PATHS, SYNC_FIELDS, list_view
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.registries.isrctn.record import record_of
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.service.sync import sync
from trialfinder.store.aact import export as aact_export
from trialfinder.store.aact.install import VIEWS, is_current, open_for_sql
from trialfinder.store.aact.source import keep_records
from trialfinder.store.db import Store, StoreBusyError
from trialfinder.store.sql import run_sql
from trialfinder.store.versions import record_hash
from trialfinder.tables.frames import TABLE_DTYPES
from trialfinder.topics.demo import FICTIONAL_NOTE, load_demo_studies

Factory = Callable[..., StandInServer]
DATA = Path(__file__).parent / "data" / "aact_records.json"


def _client(server: StandInServer) -> TrialsClient:
    return TrialsClient(Settings(base_url=server.base_url, use_cache=False, timeout=5,
                                 retries=2, backoff_factor=0.0, requests_per_minute=60000))


def _records() -> list[dict[str, Any]]:
    return list(json.loads(DATA.read_text()))


# -- the list view cut out of a synced record -------------------------------------------------


def test_each_list_piece_names_the_path_the_api_metadata_gives() -> None:
    assert set(LIST_PIECE_PATHS) == set(LIST_FIELDS)
    assert {p: PIECES[p] for p in LIST_FIELDS} == LIST_PIECE_PATHS


def test_the_list_view_of_a_record_is_what_the_api_sends_for_the_list_fields() -> None:
    trie = _fields_trie(",".join(LIST_FIELDS))
    records = [*_records(), *load_demo_studies()]
    assert [list_view(r) for r in records] == [_prune(r, trie) for r in records]
    assert "detailedDescription" not in json.dumps(list_view(_records()[0]))


def test_sync_stores_the_versions_a_search_would_and_keeps_the_whole_records(
    standin_factory: Factory, tmp_path: Path
) -> None:
    demo = list(load_demo_studies())
    server = standin_factory(demo, max_page_size=25)
    listed = [s for page in _client(server).iter_pages(StudyQuery(), fields=LIST_FIELDS)
              for s in page.studies]
    with Store(tmp_path / "s.duckdb") as store:
        result = sync(store, _client(server), SearchOptions())
        held = store.current_hashes([r["protocolSection"]["identificationModule"]["nctId"]
                                     for r in listed])
        kept = store.con.execute(
            'SELECT nct_id, doc."protocolSection"."descriptionModule"."detailedDescription", '
            'len(doc."protocolSection"."outcomesModule"."primaryOutcomes") '
            "FROM aact_records ORDER BY nct_id").fetchall()
        phases = store.con.execute(
            "SELECT phase, count(*) FROM aact.studies GROUP BY 1 ORDER BY 1").fetchall()
    assert result.studies == len(demo) == len(kept)
    assert held == {r["protocolSection"]["identificationModule"]["nctId"]: record_hash(r)
                    for r in listed}
    served = {r["protocolSection"]["identificationModule"]["nctId"]: r["protocolSection"]
              for r in demo}
    assert kept == [(nct, served[nct]["descriptionModule"].get("detailedDescription"),
                     len(served[nct]["outcomesModule"]["primaryOutcomes"]))
                    for nct in sorted(served)]
    assert sum(n for _, n in phases) == len(demo)
    assert ("PHASE2/PHASE3", 2) in phases


def test_sync_asks_for_the_participants_affected_by_adverse_events_and_no_more_of_them(
    standin_factory: Factory, tmp_path: Path
) -> None:
    records = _records()
    served = _prune(records[0], _fields_trie(",".join(SYNC_FIELDS)))
    assert served["resultsSection"]["adverseEventsModule"] == {
        "seriousEvents": [{"stats": [{"numAffected": 2}, {"numAffected": 1}]},
                          {"stats": [{"numAffected": 1}, {"numAffected": 0}]}],
        "otherEvents": [{"stats": [{"numAffected": 12}, {"numAffected": 9}]}]}
    with Store(tmp_path / "s.duckdb") as store:
        sync(store, _client(standin_factory(records)), SearchOptions())
        counts = store.con.execute(
            "SELECT nct_id, number_of_nsae_subjects, number_of_sae_subjects "
            "FROM aact.calculated_values ORDER BY nct_id").fetchall()
    assert counts == [("NCT99000101", 21, 4), ("NCT99000102", None, None),
                      ("NCT99000103", None, None)]


def test_adverse_events_without_numbers_count_zero_and_no_events_count_null(
    tmp_path: Path
) -> None:
    record = copy.deepcopy(_records()[0])
    events = record["resultsSection"]["adverseEventsModule"]
    for event in events["seriousEvents"]:
        for stat in event["stats"]:
            del stat["numAffected"]
    events["otherEvents"] = []
    with Store(tmp_path / "s.duckdb") as store:
        keep_records(store, [record], datetime(2024, 1, 1))
        counts = store.first_row("SELECT number_of_nsae_subjects, number_of_sae_subjects "
                                 "FROM aact.calculated_values")
    assert counts == (None, 0)


# -- aact_records -------------------------------------------------------------------------


def test_a_later_sync_replaces_a_record_and_an_older_one_does_not(tmp_path: Path) -> None:
    first, later, older = datetime(2024, 1, 1), datetime(2024, 6, 1), datetime(2023, 1, 1)
    record = _records()[1]
    changed = copy.deepcopy(record)
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    stale = copy.deepcopy(record)
    stale["protocolSection"]["statusModule"]["overallStatus"] = "NOT_YET_RECRUITING"
    with Store(tmp_path / "s.duckdb") as store:
        assert keep_records(store, [record], first) == 1
        assert keep_records(store, [changed], later) == 1
        assert keep_records(store, [stale], older) == 0
        got = store.con.execute("SELECT nct_id, overall_status, created_at, updated_at "
                                "FROM aact.studies").fetchall()
    assert got == [("NCT99000102", "COMPLETED", first, later)]


def test_a_page_keeps_its_last_record_of_a_study_and_skips_records_without_an_id(
    tmp_path: Path
) -> None:
    record = _records()[2]
    again = copy.deepcopy(record)
    again["protocolSection"]["identificationModule"]["briefTitle"] = "Second copy"
    nameless: dict[str, Any] = {"protocolSection": {"identificationModule": {}}}
    with Store(tmp_path / "s.duckdb") as store:
        written = keep_records(store, [record, nameless, "not a record", again],  # type: ignore[list-item]
                               datetime(2024, 1, 1))
        titles = store.con.execute("SELECT brief_title FROM aact.studies").fetchall()
    assert (written, titles) == (1, [("Second copy",)])


def test_odd_value_types_cost_those_values_not_the_record(tmp_path: Path) -> None:
    record = copy.deepcopy(_records()[0])
    ps = record["protocolSection"]
    ps["designModule"]["enrollmentInfo"]["count"] = "many"
    ps["designModule"]["phases"] = "PHASE2"
    ps["contactsLocationsModule"]["locations"] = {"facility": "not a list"}
    ps["conditionsModule"]["keywords"] = [7, None, "Inhaler"]
    with Store(tmp_path / "s.duckdb") as store:
        assert keep_records(store, [record], datetime(2024, 1, 1)) == 1
        study = store.first_row("SELECT enrollment, phase, brief_title FROM aact.studies")
        sites = store.first_row("SELECT count(*) FROM aact.facilities")[0]
        words = store.con.execute("SELECT name FROM aact.keywords ORDER BY id").fetchall()
    assert study == (None, None, "Fictonide for Pretend Asthma in Adults")
    assert sites == 0
    assert words == [("7",), (None,), ("Inhaler",)]


# -- the views in the store file ----------------------------------------------------------


def test_the_views_leave_the_store_tables_and_their_columns_alone(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        # every column of the spec; a column a migration added comes after the first ones
        assert sorted(store.columns("studies")) == sorted(TABLE_DTYPES["studies"])
        store.add_records(_records())
        views = store.con.execute("SELECT table_name FROM information_schema.tables "
                                  "WHERE table_schema = 'aact'").fetchall()
        studies = store.first_row("SELECT count(*) FROM studies")[0]
    assert sorted(v for (v,) in views) == sorted(VIEWS)
    assert studies == 3


def test_out_of_date_views_are_renewed_before_a_query(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        keep_records(store, _records(), datetime(2024, 1, 1))
        store.execute("UPDATE store_info SET value = 'old' WHERE key = 'aact_views'")
        store.execute("DROP VIEW aact.countries")
        store.execute("CREATE VIEW aact.retired AS SELECT 1 AS x")
    store = open_for_sql(path)
    try:
        assert store.read_only and is_current(store)
        countries = store.first_row("SELECT count(*) FROM aact.countries")[0]
        retired = store.first_row("SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema = 'aact' AND table_name = 'retired'")[0]
    finally:
        store.close()
    assert (countries, retired) == (5, 0)


def test_a_changed_record_shape_keeps_the_values_held_and_the_rest_waits_for_a_sync(
    tmp_path: Path
) -> None:
    path = tmp_path / "s.duckdb"
    older = '{"protocolSection": {"designModule": {"phases": ["VARCHAR"]}}}'
    with Store(path) as store:
        keep_records(store, _records(), datetime(2024, 1, 1))
        # as an older release left it: fewer parsed values, other view definitions
        store.execute("DROP SCHEMA aact CASCADE")
        store.execute(f"ALTER TABLE aact_records ALTER doc TYPE "
                      f"STRUCT(\"protocolSection\" STRUCT(\"designModule\" STRUCT(\"phases\" "
                      f"VARCHAR[]))) USING from_json(to_json(doc), '{older}')")
        store.execute("UPDATE store_info SET value = 'old' WHERE key LIKE 'aact_%'")
    with Store(path) as store:
        before = store.con.execute(
            "SELECT nct_id, phase, brief_title FROM aact.studies ORDER BY nct_id").fetchall()
        keep_records(store, _records()[:1], datetime(2024, 2, 1))
        after = store.first_row("SELECT brief_title FROM aact.studies WHERE phase IS NOT NULL")
    assert before == [("NCT99000101", "PHASE2/PHASE3", None), ("NCT99000102", None, None),
                      ("NCT99000103", None, None)]
    assert after == ("Fictonide for Pretend Asthma in Adults",)


def test_a_busy_store_is_queried_with_the_views_it_has(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        keep_records(store, _records(), datetime(2024, 1, 1))
        store.execute("UPDATE store_info SET value = 'old' WHERE key = 'aact_views'")
    holder = subprocess.Popen(  # another program reading the file: no writer may open it
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], "
         "read_only=True); print('ready', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        store = open_for_sql(path)
        try:
            assert not is_current(store)
            assert store.first_row("SELECT count(*) FROM aact.studies")[0] == 3
        finally:
            store.close()
    finally:
        holder.communicate("", timeout=30)


# -- the commands ---------------------------------------------------------------------------


@pytest.fixture
def synced(standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    server = standin_factory(replicate(standin_studies, 30), max_page_size=8)
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    assert main(["sync", "--whole-registry", "--base-url", server.base_url]) == 0
    capsys.readouterr()
    return tmp_path / "data"


def test_cli_sql_reads_the_aact_views_of_a_synced_store(
    synced: Path, standin_studies: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select phase, count(*) as n from aact.studies group by 1 "
                 "order by 1"]) == 0
    served = replicate(standin_studies, 30)
    expected = Counter("/".join(s["protocolSection"]["designModule"].get("phases", []))
                       for s in served)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "phase,n"
    assert dict(line.rsplit(",", 1) for line in lines[1:]) == \
        {phase: str(n) for phase, n in expected.items()}


def test_cli_export_aact_writes_parquet_that_duckdb_and_pandas_read(
    synced: Path, standin_studies: list[dict[str, Any]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    out = tmp_path / "aact out"
    assert main(["store", "export", "--aact", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [str(out / f"{name}.parquet") for name in VIEWS]
    assert printed.err.splitlines()[-2:] == [  # the stand-in's studies are fictional
        f"wrote {len(VIEWS)} AACT tables as Parquet files to {out}",
        f"trialfinder: note: {FICTIONAL_NOTE}"]
    con = duckdb.connect()
    studies = con.execute(f"SELECT count(*), count(DISTINCT nct_id), typeof(start_date) "
                          f"FROM '{out / 'studies.parquet'}' GROUP BY 3").fetchone()
    sites = con.execute(f"SELECT count(*) FROM '{out / 'facilities.parquet'}'").fetchone()
    frame = pd.read_parquet(out / "calculated_values.parquet")
    assert studies is not None and studies[:2] == (30, 30)
    assert studies[2] == "DATE"
    served = replicate(standin_studies, 30)
    assert sites == (sum(len(s["protocolSection"].get("contactsLocationsModule", {})
                             .get("locations", [])) for s in served),)
    assert len(frame) == 30
    assert str(frame["registered_in_calendar_year"].dtype) == "int32"
    # as docs/aact.md says: with a gap, pandas' default makes floats; asked, it keeps the types
    default = pd.read_parquet(out / "studies.parquet")
    kept = pd.read_parquet(out / "studies.parquet", dtype_backend="pyarrow")
    nullable = pd.read_parquet(out / "studies.parquet", dtype_backend="numpy_nullable")
    assert default["number_of_arms"].isna().any()
    assert (str(default["number_of_arms"].dtype), str(kept["number_of_arms"].dtype),
            str(nullable["number_of_arms"].dtype)) == ("float64", "int32[pyarrow]", "Int32")
    assert (str(kept["start_date"].dtype), str(kept["has_dmc"].dtype)) == (
        "date32[day][pyarrow]", "bool[pyarrow]")


def test_cli_export_aact_says_how_many_studies_no_sync_fetched(
    synced: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(synced / "studies.duckdb") as store:  # as a search leaves them
        store.add_records([list_view(r) for r in _records()])
    assert main(["store", "export", "--aact", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "3 studies of the store are not in the AACT tables" in err


def test_sql_on_the_aact_tables_says_how_many_studies_no_sync_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store filled by searches alone has empty AACT tables: a count of 0 with no word of
    why would read as "no such studies"."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    with Store(tmp_path / "studies.duckdb") as store:  # as searches leave them
        store.add_records([list_view(r) for r in _records()])
    note = ("trialfinder: note: 3 studies of the store are not in the AACT tables: only "
            "searches or watches found them; `trialfinder sync` fetches their whole records\n")
    assert main(["sql", 'select count(*) as n from "AACT" . studies']) == 0
    assert capsys.readouterr() == ("n\r\n0\r\n", note)
    assert main(["sql", "select count(*) as n from studies"]) == 0  # not the AACT tables
    assert capsys.readouterr() == ("n\r\n3\r\n", "")
    with Store(tmp_path / "studies.duckdb") as store:
        keep_records(store, _records()[:2], datetime(2030, 1, 1))
    assert main(["sql", "select count(*) as n from aact.studies"]) == 0
    assert capsys.readouterr() == ("n\r\n2\r\n", note.replace("3 studies of the store are",
                                                              "1 study of the store is"))


_ELSEWHERE = ": the AACT tables are in the schemas aact and ctgov, the store's own tables " \
    "have other columns; docs/aact.md)"


@pytest.mark.parametrize(("sql", "ending"), [
    # AACT's schema while it moved to API v2 (its own, ctgov, is here: see below)
    ("select nct_id from ctgov_v2.conditions",
     '(the AACT tables are in the schemas aact and ctgov here: write ctgov.studies for '
     'ctgov_v2.studies; docs/aact.md)'),
    # AACT's search path: a bare studies is the store's own table here
    ("select count(*) from studies where overall_status = 'RECRUITING'",
     f"(AACT's overall_status is in aact.studies{_ELSEWHERE}"),
    ("select c.downcase_name from conditions c",
     f"(AACT's downcase_name is in aact.conditions, aact.keywords{_ELSEWHERE}"),
    ("select s.id from studies s",
     "(AACT's id is in aact.brief_summaries, aact.calculated_values, aact.central_contacts, "
     f"aact.conditions and 16 more{_ELSEWHERE}"),
    # the AACT tables already, but the column is in another of them
    ("select downcase_name from aact.studies", "(AACT's downcase_name is in aact.conditions, "
                                               "aact.keywords)"),
    # PostgreSQL's functions DuckDB lacks: its guess was "to_hours", and the hint ends it
    ("select to_char(start_date, 'YYYY') from aact.studies",
     "to_char does not exist! (PostgreSQL's to_char is strftime here: to_char(start_date, "
     "'YYYY-MM') is strftime(start_date, '%Y-%m'); docs/aact.md)"),
    ("select TO_DATE('2020-01-02', 'YYYY-MM-DD')", "(PostgreSQL's to_date is strptime here: "
     "to_date(t, 'YYYY-MM-DD') is strptime(t, '%Y-%m-%d')::date; docs/aact.md)"),
    # DuckDB's own suggestions, which the first line of its message left out
    ("select * from facilities", 'Did you mean "aact.facilities or ctgov.facilities"?'),
    ("select overal_status from aact.studies", 'Candidate bindings: "overall_status"'),
])
def test_sql_written_for_aact_is_pointed_at_the_aact_tables(
    tmp_path: Path, sql: str, ending: str
) -> None:
    """An analyst's AACT query names ``ctgov.studies``, or a bare ``studies`` (AACT's search
    path), and DuckDB's one line said only that there is no such schema, or no such column in
    the store's own studies table; its "Did you mean" line was cut off."""
    Store(tmp_path / "s.duckdb").close()
    with pytest.raises(InvalidQueryError) as caught:
        list(run_sql(tmp_path / "s.duckdb", sql))
    said = str(caught.value)
    assert said.startswith("SQL error: ") and "\n" not in said
    assert ending in said
    if ending.startswith("Candidate"):
        assert said.index(ending) > said.index("not found in FROM clause!")
        assert "AACT's" not in said
    else:
        assert said.endswith(ending)


def test_sql_written_for_aact_with_its_schema_runs_unchanged(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AACT keeps its tables in the schema ``ctgov``: the same views are there too, so an
    analyst's query that names it runs as written (it had failed with a hint)."""
    query = ("select s.phase, count(distinct s.nct_id) as trials, count(f.id) as sites "
             "from {0}.studies s left join {0}.facilities f using (nct_id) "
             "group by 1 order by 1")
    assert main(["sql", query.format("aact")]) == 0
    theirs = capsys.readouterr().out
    assert main(["sql", query.format("ctgov")]) == 0
    mine = capsys.readouterr().out
    assert mine == theirs
    assert mine.splitlines()[0] == "phase,trials,sites"
    assert sum(int(line.split(",")[1]) for line in mine.splitlines()[1:]) == 30


def test_sql_comparing_with_aact_older_spellings_says_they_match_no_code(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AACT's SQL compares with 'Recruiting' and 'Phase 2'; the views hold the API's codes,
    so the answer was 0 with no word of why (the doc says it, the command did not)."""
    assert main(["sql", "select count(*) as n from ctgov.studies "
                 "where overall_status = 'Recruiting' and phase in ('Phase 2', 'Phase 3')"]) == 0
    out, err = capsys.readouterr()
    assert out == "n\r\n0\r\n"
    assert err == ("trialfinder: note: 'Recruiting', 'Phase 2', 'Phase 3' are AACT's older "
                   "spellings: the AACT tables here hold the codes the API sends ('RECRUITING', "
                   "'PHASE2', 'PHASE3'), so they match no code (docs/aact.md, Value "
                   "conventions)\n")
    assert main(["sql", "select count(*) as n from aact.studies "
                 "where overall_status = 'RECRUITING' or brief_title = 'it''s'"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["sql", "select 'Recruiting' as word"]) == 0  # not the AACT tables: no note
    assert capsys.readouterr().err == ""


def test_sql_keeps_its_answer_when_the_store_is_taken_before_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The count of studies outside the AACT tables is only a note: when another program took
    the store between the query and the count, the answer stands, without the note."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    with Store(tmp_path / "studies.duckdb") as store:
        store.add_records([list_view(r) for r in _records()])

    def taken(*args: Any, **kwargs: Any) -> Store:
        raise StoreBusyError("the study store is in use by another program")

    monkeypatch.setattr(aact_export, "unsynced", lambda store: pytest.fail("not counted"))
    monkeypatch.setattr("trialfinder.store.db.open_store", taken)
    monkeypatch.setattr("trialfinder.store.sql.open_for_sql",
                        lambda path, config=None: Store(path, read_only=True, config=config))
    assert main(["sql", "select count(*) as n from aact.studies"]) == 0
    assert capsys.readouterr() == ("n\r\n0\r\n", "")


def test_trials_of_other_registries_are_not_counted_as_waiting_for_a_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """AACT copies ClinicalTrials.gov alone: an ISRCTN trial is never in the AACT tables, and
    no sync would put it there."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    trials = parse_answer(answer_xml(sample_trials())).trials[:2]
    with Store(tmp_path / "studies.duckdb") as store:
        store.add_records([record_of(t) for t in trials], source="isrctn")
    assert main(["sql", "select count(*) as n from aact.studies"]) == 0
    assert capsys.readouterr() == ("n\r\n0\r\n", "")
    assert main(["store", "export", "--aact", str(tmp_path / "out")]) == 0
    assert "not in the AACT tables" not in capsys.readouterr().err


def test_cli_export_aact_partitioned_writes_hive_folders(
    synced: Path, standin_studies: list[dict[str, Any]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "parts"
    assert main(["store", "export", "--aact", "--partitioned", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out / name) for name in VIEWS]
    got = duckdb.connect().execute(
        f"SELECT id_block::VARCHAR, count(*) FROM read_parquet('{out / 'studies'}/*/*.parquet', "
        "hive_partitioning = true) GROUP BY 1 ORDER BY 1").fetchall()
    served = Counter(s["protocolSection"]["identificationModule"]["nctId"][3:6]
                     for s in replicate(standin_studies, 30))
    assert got == sorted(served.items())


def test_cli_export_aact_that_cannot_write_says_so_in_one_line(
    synced: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "studies.parquet").mkdir(parents=True)  # a folder where the file should go
    assert main(["store", "export", "--aact", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"trialfinder: error: cannot export into {out}: {out / 'studies.parquet'} is a folder "
        "where the table's file goes; move it away or export into another folder\n")
    assert [p.name for p in out.iterdir()] == ["studies.parquet"]  # nothing written


def test_an_aact_export_that_fails_part_way_leaves_the_earlier_one_whole(
    synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The tables are written aside and moved into place together: Ctrl-C (or a full disk)
    after some of them leaves neither a half-written file nor a mix of two exports."""
    out = tmp_path / "out"
    assert main(["store", "export", "--aact", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with Store(synced / "studies.duckdb") as store:  # the next export has one study more
        store.add_records([list_view(r) for r in _records()])
        keep_records(store, _records(), datetime(2030, 1, 1))
    copy_table = aact_export._copy
    done: list[str] = []

    def interrupted_at_the_fifth(store: Store, name: str, target: Path, split: bool) -> None:
        if len(done) == 4:
            raise RuntimeError("Query interrupted")  # Ctrl-C, as DuckDB reports it
        copy_table(store, name, target, split)
        done.append(name)

    monkeypatch.setattr(aact_export, "_copy", interrupted_at_the_fifth)
    capsys.readouterr()
    assert main(["store", "export", "--aact", str(out)]) == 130
    assert capsys.readouterr() == ("", "interrupted\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert len(done) == 4


def test_an_aact_export_is_written_in_row_groups_bounded_in_bytes(tmp_path: Path) -> None:
    """DuckDB holds a whole Parquet row group before it writes it (122,880 rows unless told):
    the studies of a store of 100,000 (a run by hand) did not fit in the writer's 64 MB and
    the export failed. Bounded in bytes, each group holds at most a few thousand studies."""
    template = _records()[1]
    records = []
    for i in range(3000):  # 3,000 studies of 4 kB each: 12 MB, several row groups
        record = copy.deepcopy(template)
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT992{i:05d}"
        record["protocolSection"]["statusModule"]["whyStopped"] = f"{i} " + "x" * 4000
        records.append(record)
    with Store(tmp_path / "s.duckdb") as store:
        assert keep_records(store, records, datetime(2024, 1, 1)) == 3000
        aact_export.export_aact(store, tmp_path / "out")
    pq = pytest.importorskip("pyarrow.parquet")
    meta = pq.ParquetFile(tmp_path / "out" / "studies.parquet").metadata
    groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(groups) == 3000
    assert len(groups) >= 2 and max(groups) <= 2048
    got = duckdb.connect().execute(
        f"SELECT min(length(why_stopped)), max(why_stopped LIKE '2999 %') "
        f"FROM '{tmp_path / 'out' / 'studies.parquet'}'").fetchone()
    assert got == (4002, True)


def test_an_aact_export_of_studies_with_many_sites_in_one_scan(tmp_path: Path) -> None:
    """DuckDB reads up to 2,048 records at once, each whole: 2,000 fictional studies of 150
    sites each (about 30 kB of JSON a study, 60 MB in one read) ended `store export --aact`
    with "Out of Memory Error" in the 64 MB a writer opens the store with, at the table of
    calculated values (a run by hand: a sync of 2,000 of the demo's studies did so)."""
    template = _records()[1]
    site = {"facility": "Fictional Clinic", "city": "Boston", "state": "Massachusetts",
            "country": "United States", "status": "RECRUITING",
            "geoPoint": {"lat": 42.36, "lon": -71.06}}
    with Store(tmp_path / "s.duckdb") as store:
        for start in range(0, 2000, 250):  # as sync keeps them, a page at a time
            page = []
            for i in range(start, start + 250):
                record = copy.deepcopy(template)
                record["protocolSection"]["identificationModule"]["nctId"] = f"NCT993{i:05d}"
                record["protocolSection"]["contactsLocationsModule"] = {"locations": [
                    dict(site, facility=f"Fictional Clinic {k}") for k in range(150)]}
                page.append(record)
            keep_records(store, page, datetime(2024, 1, 1))
    with Store(tmp_path / "s.duckdb") as store:  # the export's own connection, as the CLI's
        aact_export.export_aact(store, tmp_path / "out")
    con = duckdb.connect()
    got = con.execute(f"SELECT count(*), min(number_of_facilities), max(number_of_facilities) "
                      f"FROM '{tmp_path / 'out' / 'calculated_values.parquet'}'").fetchone()
    assert got == (2000, 150, 150)


def test_an_aact_export_has_more_memory_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DuckDB's partitioned writer cannot spill its buffers, and any export reads up to 2,048
    whole records at once: the export raises the store's memory for its copies, plain or
    partitioned, then the writer has its own small share again."""
    seen: list[str] = []
    with Store(tmp_path / "s.duckdb") as store:
        keep_records(store, _records(), datetime(2024, 1, 1))
        before = store.first_row("SELECT current_setting('memory_limit')")
        copy_table = aact_export._copy

        def watched(into: Store, name: str, target: Path, split: bool) -> None:
            row = into.first_row("SELECT current_setting('memory_limit')")
            seen.append(str(row[0]) if row else "")
            copy_table(into, name, target, split)

        monkeypatch.setattr(aact_export, "_copy", watched)
        aact_export.export_aact(store, tmp_path / "split", partitioned=True)
        aact_export.export_aact(store, tmp_path / "plain")
        after = store.first_row("SELECT current_setting('memory_limit')")
    assert before is not None and after == before
    assert before[0] != "244.1 MiB"
    assert len(seen) == 2 * len(VIEWS)
    assert set(seen) == {"244.1 MiB"}  # 256 MB, as DuckDB prints it


def test_an_aact_export_replaces_an_earlier_one_whatever_its_form(
    synced: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As ``store export`` does: one form of each table in the folder, the last one written;
    a folder of a table's name that holds other files is never deleted."""
    out = tmp_path / "out"
    assert main(["store", "export", "--aact", str(out)]) == 0
    assert main(["store", "export", "--aact", "--partitioned", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(VIEWS)
    assert main(["store", "export", "--aact", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.parquet" for n in VIEWS)
    (out / "studies").mkdir()
    (out / "studies" / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["store", "export", "--aact", "--partitioned", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"trialfinder: error: cannot export into {out}: {out / 'studies'} holds files an "
        "export did not write; move it away or export into another folder\n")
    assert (out / "studies" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["studies", *(f"{n}.parquet" for n in VIEWS)])
