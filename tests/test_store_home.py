"""Ordinary searches add what they fetch to the study store (its default home): each search
leaves its pages in the store's incoming folder, and whoever opens the store next adds them.
A store or folder that cannot be used costs the store, never the search."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

import trialfinder as tf
from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.store.db import Store, StoreBusyError, open_store
from trialfinder.store.spool import Spooled, SpoolWriter, incoming_dir, pending
from trialfinder.store.versions import VersionRows, version_rows

Factory = Callable[..., StandInServer]


def versions(records: list[dict[str, Any]]) -> VersionRows:
    return version_rows(records, CTGOV.record_id)


def _settings(server: StandInServer, tmp_path: Path, **changes: Any) -> Settings:
    base = Settings(base_url=server.base_url, cache_dir=tmp_path / "cache", timeout=5,
                    retries=1, backoff_factor=0.0, requests_per_minute=60000)
    return base.with_(**changes) if changes else base


def _counts(path: Path) -> dict[str, int]:
    with open_store(path, read_only=True) as store:
        return {name: store.first_row(f'SELECT count(*) FROM "{name}"')[0]
                for name in ("studies", "sites", "versions", "runs", "run_studies")}


def test_a_search_adds_its_studies_to_the_store_in_the_data_folder(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    results = tf.search(condition="asthma", settings=_settings(standin, tmp_path,
                                                               use_cache=False))
    found = set(results.studies["nct_id"])
    assert found == {"NCT99100001", "NCT99100006"}
    path = private_data_dir / "studies.duckdb"
    assert not path.exists()  # the search itself never opens the store
    assert len(pending(path)) == 1
    with open_store(path, read_only=True) as store:
        stored = {r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()}
        run = store.first_row("SELECT mode, name, studies, requests, finished IS NOT NULL "
                              "FROM runs")
        sites = store.first_row("SELECT count(*) FROM sites")[0]
    assert stored == found
    assert run == ("search", None, 2, 1, True)
    assert sites == len(results.sites) == 2  # Boston and Lyon, of NCT99100001
    assert not any("study store" in w for w in results.meta.warnings)
    assert pending(path) == []


def test_repeating_a_search_adds_a_run_but_no_new_version(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    settings = _settings(standin, tmp_path, use_cache=False)
    tf.search(condition="asthma", settings=settings)
    tf.search(condition="asthma", settings=settings)
    counts = _counts(private_data_dir / "studies.duckdb")
    assert counts["studies"] == 2
    assert counts["versions"] == 2  # the same records: one version each
    assert counts["runs"] == 2
    assert counts["run_studies"] == 4


def test_no_store_setting_and_environment_leave_no_store_behind(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tf.search(condition="asthma", settings=_settings(standin, tmp_path, use_cache=False,
                                                     use_store=False))
    assert list(private_data_dir.iterdir()) == []
    monkeypatch.setenv("TRIALFINDER_STORE", "off")
    tf.search(condition="asthma", settings=_settings(standin, tmp_path, use_cache=False))
    assert list(private_data_dir.iterdir()) == []
    monkeypatch.setenv("TRIALFINDER_STORE", "perhaps")
    with pytest.raises(InvalidQueryError, match="TRIALFINDER_STORE must be 1 or 0"):
        Settings()


def test_an_incoming_folder_that_cannot_be_written_costs_one_warning_not_the_search(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    incoming = private_data_dir / "studies.duckdb.incoming"
    incoming.write_text("a file where the folder goes")
    results = tf.search(condition="asthma", settings=_settings(standin, tmp_path,
                                                               use_cache=False))
    assert len(results.studies) == 2
    notes = [w for w in results.meta.warnings if "study store" in w]
    assert notes == [f"this search was not added to the study store: refusing {incoming}: "
                     "it is not a folder"]


def test_a_store_another_program_holds_gets_the_search_when_it_is_free(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    path = private_data_dir / "studies.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r})
            print("held", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        results = tf.search(condition="asthma", settings=_settings(standin, tmp_path,
                                                                   use_cache=False))
        assert results.meta.warnings == ()
        with pytest.raises(StoreBusyError, match="in use by another program or task"):
            open_store(path, wait=0.2, sleep=lambda seconds: None)  # no need to wait it out
    finally:
        holder.communicate("\n", timeout=10)
    assert _counts(path)["studies"] == 2
    assert pending(path) == []


def test_a_page_keeps_the_time_it_came_from_the_api(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    records = [_record("NCT99000102")]
    fetched = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    spool = SpoolWriter(path, params={"query.cond": "x"},
                        now=datetime(2026, 1, 3, tzinfo=UTC))
    spool.add(records, fetched)
    assert spool.finish(requests=1, nbytes=10) == Spooled(studies=1, pages=1)
    with open_store(path, read_only=True) as store:
        row = store.first_row("SELECT first_seen, last_seen, hash FROM versions")
        run = store.first_row("SELECT mode, started, requests, bytes, studies FROM runs")
    assert row[0] == row[1] == datetime(2026, 1, 2, 3, 4, 5)
    assert row[2] == versions(records).hashes["NCT99000102"]
    assert run == ("search", datetime(2026, 1, 3), 1, 10, 1)


def test_an_interrupted_search_keeps_the_pages_stored_and_leaves_its_run_open(
    standin_factory: Factory, tmp_path: Path, private_data_dir: Path,
) -> None:
    server = standin_factory(max_page_size=5)
    calls: list[int] = []

    def stop_on_second_page(done: int, total: int | None) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    settings = _settings(server, tmp_path, use_cache=False, page_size=5)
    with pytest.raises(KeyboardInterrupt):
        tf.search(condition="fictional", settings=settings, progress=stop_on_second_page)
    with open_store(private_data_dir / "studies.duckdb", read_only=True) as store:
        stored = store.first_row("SELECT count(*) FROM studies")[0]
        finished = store.first_row("SELECT finished FROM runs")[0]
    assert calls[-1] > 5  # more than one page came before the stop
    # every page handed on before the stop is kept; the page fetched ahead may be too (it
    # is written as it arrives, from the prefetch thread), never more
    assert calls[-1] <= stored <= calls[-1] + 5
    assert finished is None


def test_offline_searches_add_nothing(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    settings = _settings(standin, tmp_path, use_store=False)
    tf.search(condition="asthma", settings=settings)  # fills the cache only
    tf.search(condition="asthma", settings=settings.with_(offline=True, use_store=True))
    assert list(private_data_dir.iterdir()) == []


def test_cli_search_then_sql_counts_the_studies_found(
    standin: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--base-url", standin.base_url, "--cache-dir", str(tmp_path / "cache")]
    assert main(["search", "--condition", "asthma", "--no-store", *base]) == 0
    capsys.readouterr()
    assert main(["sql", "select count(*) from studies"]) == 1  # no store yet
    assert "no study store" in capsys.readouterr().err
    assert main(["search", "--condition", "migraine", *base]) == 0
    capsys.readouterr()
    assert main(["sql", "select count(*) as n from studies"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "1"]
    # answered from the tables saved by the --no-store search: nothing was fetched, nothing
    # added; asked of the API again, the studies go in
    assert main(["search", "--condition", "asthma", *base]) == 0
    assert main(["search", "--condition", "asthma", "--no-cache", *base]) == 0
    capsys.readouterr()
    assert main(["sql", "select nct_id from studies order by nct_id"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "nct_id", "NCT99100001", "NCT99100003", "NCT99100006"]


def _record(nct: str) -> dict[str, Any]:
    return {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": f"Fictional study {nct}"},
        "statusModule": {"overallStatus": "RECRUITING"},
    }}


def test_rows_follow_the_latest_version_and_an_unchanged_page_only_moves_last_seen(
    tmp_path: Path,
) -> None:
    def page(title: str) -> list[dict[str, Any]]:
        record = _record("NCT99000103")
        record["protocolSection"]["identificationModule"]["briefTitle"] = title
        return [record]

    def title_and_versions(store: Store) -> tuple[str, list[tuple[Any, ...]]]:
        title = store.first_row("SELECT title FROM studies")[0]
        rows = store.con.execute("SELECT first_seen, last_seen FROM versions "
                                 "ORDER BY first_seen").fetchall()
        return title, rows

    day = [datetime(2026, 3, d) for d in range(1, 5)]
    with Store(tmp_path / "studies.duckdb") as store:
        new, old = page("Newer title"), page("Older title")
        assert store.add_tables(normalize(new), versions(new), seen=day[1]).new_versions == 1
        # a page fetched earlier (an HTTP-cache page) adds its version but not its rows
        assert store.add_tables(normalize(old), versions(old), seen=day[0]).new_versions == 1
        assert title_and_versions(store) == (
            "Newer title", [(day[0], day[0]), (day[1], day[1])])
        # the same version seen again: no new version, no rewrite, last_seen moves on
        assert store.add_tables(normalize(new), versions(new), seen=day[3]).new_versions == 0
        assert title_and_versions(store) == (
            "Newer title", [(day[0], day[0]), (day[1], day[3])])
        # a later, changed version replaces the rows
        assert store.add_tables(normalize(old), versions(old), seen=day[3]).new_versions == 0
        assert title_and_versions(store)[0] == "Older title"
        assert store.first_row("SELECT count(*) FROM studies")[0] == 1


def test_version_rows_give_duckdb_the_same_rows_with_or_without_pyarrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [_record("NCT99000104"), _record("NCT99000105")]
    records[0]["protocolSection"]["identificationModule"]["briefTitle"] = "Étude fictive 試験"
    rows = versions(records)
    with Store(tmp_path / "studies.duckdb") as store:
        store.add_tables(normalize(records), rows)
        assert store.record("NCT99000104", rows.digests[0]) == records[0]
    with_arrow = rows.relation().to_pylist()
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import fails as if absent
    without = rows.relation()
    assert without.to_dict("records") == with_arrow
    assert [r["nct_id"] for r in with_arrow] == ["NCT99000104", "NCT99000105"]


def test_open_store_waits_for_a_busy_store_then_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    holder = Store(path)  # a writer of this process: a reader with other settings must wait
    pauses: list[float] = []
    with pytest.raises(StoreBusyError, match="is in use by another program or task"):
        open_store(path, read_only=True, wait=1.0, sleep=pauses.append)
    assert pauses == [0.05, 0.1, 0.2, 0.4]  # 0.75 s waited; 0.5 more would pass 1 s

    def release(seconds: float) -> None:
        pauses.append(seconds)
        holder.close()

    pauses.clear()
    with open_store(path, read_only=True, wait=1.0, sleep=release) as store:
        assert store.read_only
    assert pauses == [0.05]


def _spool_file(path: Path, name: str, lines: list[bytes]) -> Path:
    folder = incoming_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_bytes(b"".join(line + b"\n" for line in lines))
    return file


def test_incoming_files_are_checked_before_anything_is_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "studies.duckdb"
    head = orjson.dumps({"format": "trialfinder-search-pages", "version": 1,
                         "started": "2026-02-01T00:00:00+00:00", "params": {}})
    page = orjson.dumps({"fetched": "2026-02-01T00:00:01+00:00",
                         "studies": [_record("NCT99000110")]})
    end = orjson.dumps({"end": True, "complete": True, "requests": 1, "bytes": 5})
    _spool_file(path, "a-good.jsonl", [head, page, end])
    _spool_file(path, "b-not-ours.jsonl", [b'{"format": "something else"}', page])
    _spool_file(path, "c-not-json.jsonl", [head, b"import os; os.system('echo hi')"])
    _spool_file(path, "d-bad-time.jsonl", [head, orjson.dumps(
        {"fetched": "yesterday", "studies": [_record("NCT99000111")]})])
    _spool_file(path, "e-still-written.jsonl.part", [head, page])
    monkeypatch.setattr("trialfinder.store.ingest.MAX_LINE_BYTES", 400)
    _spool_file(path, "f-long-line.jsonl", [head, orjson.dumps(
        {"fetched": "2026-02-01T00:00:01+00:00", "studies": [_record("NCT99000112")] * 9})])
    with caplog.at_level("WARNING", logger="trialfinder"), \
            open_store(path, read_only=True) as store:
        ids = [r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()]
        finished = store.con.execute("SELECT finished IS NOT NULL FROM runs "
                                     "ORDER BY run_id").fetchall()
    assert ids == ["NCT99000110"]
    assert finished == [(True,)]  # one run: the good file's
    rejected = sorted(p.name for p in (incoming_dir(path) / "rejected").iterdir())
    assert rejected == ["b-not-ours.jsonl", "c-not-json.jsonl", "d-bad-time.jsonl",
                        "f-long-line.jsonl"]
    assert sorted(p.name for p in incoming_dir(path).glob("*.jsonl*")) == [
        "e-still-written.jsonl.part"]
    reasons = [r.getMessage() for r in caplog.records]
    assert any("not a file of search pages" in m for m in reasons)
    assert any("a line longer than" in m for m in reasons)


def test_past_the_bound_searches_leave_nothing_more_and_say_so(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(standin, tmp_path, use_cache=False)
    tf.search(condition="asthma", settings=settings)
    path = private_data_dir / "studies.duckdb"
    assert not path.exists() and len(pending(path)) == 1
    monkeypatch.setattr("trialfinder.service.fetching.MAX_PENDING_MB", 0)
    results = tf.search(condition="migraine", settings=settings)
    assert len(results.studies) == 1  # the search itself is whole
    notes = [w for w in results.meta.warnings if "study store" in w]
    assert len(notes) == 1
    assert notes[0].startswith("this search was not added to the study store: ")
    assert notes[0].endswith("MB of earlier searches wait to be added first (`trialfinder "
                             "store info` adds them)")
    assert len(pending(path)) == 1 and not path.exists()  # no stall: nothing was added now
    assert _counts(path)["studies"] == 2  # opening the store adds what waited
    tf.search(condition="migraine", settings=settings)  # room again
    assert _counts(path)["studies"] == 3


def test_ctrl_c_while_waiting_pages_are_added_leaves_them_waiting_and_no_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "studies.duckdb"
    spool = SpoolWriter(path)
    for n in range(3):
        spool.add([_record(f"NCT9900012{n}")])
    spool.finish(requests=3, nbytes=30)
    real = Store.add_records
    calls: list[int] = []

    def interrupted_on_the_second(self: Store, records: Any, **kwargs: Any) -> Any:
        calls.append(len(records))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, records, **kwargs)

    monkeypatch.setattr(Store, "add_records", interrupted_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        open_store(path, read_only=True)
    monkeypatch.setattr(Store, "add_records", real)
    assert len(pending(path)) == 1  # still waiting, added whole next time
    counts = _counts(path)
    assert (counts["studies"], counts["runs"], counts["run_studies"]) == (3, 1, 3)


def test_ctrl_c_inside_a_store_write_is_ctrl_c_and_the_store_stays_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [_record("NCT99000130")]
    with Store(tmp_path / "studies.duckdb") as store:
        real = Store.columns

        def interrupt(self: Store, table: str) -> list[str]:
            if table == "sites":
                raise duckdb.InvalidInputException(
                    "Python Object \"page_rows\" failed: KeyboardInterrupt")
            return real(self, table)

        monkeypatch.setattr(Store, "columns", interrupt)
        with pytest.raises(KeyboardInterrupt):
            store.add_tables(normalize(records), versions(records))
        monkeypatch.setattr(Store, "columns", real)
        assert store.first_row("SELECT count(*) FROM studies")[0] == 0  # rolled back
        assert store.add_tables(normalize(records), versions(records)).studies == 1


def test_the_data_folder_is_made_private_and_a_file_in_its_place_is_named(
    standin: StandInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "new" / "data"
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(data))
    base = ["--base-url", standin.base_url, "--no-cache"]
    assert main(["search", "--condition", "asthma", *base]) == 0
    assert [oct(p.stat().st_mode & 0o777) for p in (tmp_path / "new", data)] == ["0o700"] * 2
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder goes")
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(blocked))
    capsys.readouterr()
    assert main(["store", "info"]) == 1
    assert main(["sync", "--condition", "asthma", *base[:2]]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [f"trialfinder: error: the data folder {blocked} is not a folder (set "
                      "TRIALFINDER_DATA_DIR or --store to another place)"] * 2


def test_a_whole_search_keeps_each_page_as_the_api_sent_it(
    standin_factory: Factory, tmp_path: Path, private_data_dir: Path,
) -> None:
    server = standin_factory(max_page_size=5)
    settings = _settings(server, tmp_path, use_cache=False, page_size=5)
    results = tf.search(condition="fictional", settings=settings)
    [file] = pending(private_data_dir / "studies.duckdb")
    lines = file.read_bytes().splitlines()
    pages = [orjson.loads(line) for line in lines[1:-1]]
    # each page line holds the API's page object untouched, token and all
    assert all(set(p) == {"fetched", "page"} for p in pages)
    assert [p["page"].get("nextPageToken") is None for p in pages] == \
        [False] * (len(pages) - 1) + [True]
    sent = [s["protocolSection"]["identificationModule"]["nctId"]
            for p in pages for s in p["page"]["studies"]]
    assert sent == list(results.studies["nct_id"])
    assert len(pages) == -(-len(sent) // 5)
    with open_store(private_data_dir / "studies.duckdb", read_only=True) as store:
        stored = {r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()}
        run = store.first_row("SELECT studies, finished IS NOT NULL FROM runs")
    assert stored == set(sent)
    assert run == (len(sent), True)


def test_a_limited_search_keeps_only_the_studies_it_returned(
    standin_factory: Factory, tmp_path: Path, private_data_dir: Path,
) -> None:
    server = standin_factory(max_page_size=2)
    settings = _settings(server, tmp_path, use_cache=False, page_size=2)
    results = tf.search(condition="fictional", settings=settings, limit=3)
    with open_store(private_data_dir / "studies.duckdb", read_only=True) as store:
        stored = {r[0] for r in store.con.execute("SELECT nct_id FROM run_studies").fetchall()}
    assert len(results.studies) == 3
    assert stored == set(results.studies["nct_id"])


def test_a_body_with_line_breaks_is_kept_from_its_parsed_studies(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    records = [_record("NCT99000120"), _record("NCT99000121")]
    fetched = datetime(2026, 3, 1, tzinfo=UTC)
    spool = SpoolWriter(path, now=fetched)
    one_line = orjson.dumps({"studies": records[:1]})
    spool.add_body(one_line, fetched, records[:1])
    spool.add_body(orjson.dumps({"studies": records[1:]}, option=orjson.OPT_INDENT_2),
                   fetched, records[1:])
    assert spool.finish(requests=2, nbytes=9) == Spooled(studies=2, pages=2)
    [file] = pending(path)
    lines = file.read_bytes().splitlines()
    assert len(lines) == 4  # head, two pages, end: the indented body did not break a line
    assert orjson.loads(lines[1])["page"] == orjson.loads(one_line)
    assert orjson.loads(lines[2])["studies"] == records[1:]
    spool.add_body(one_line, fetched, records[:1])  # after finish: nothing, no error
    assert pending(path) == [file]
    with open_store(path, read_only=True) as store:
        ids = [r[0] for r in store.con.execute("SELECT nct_id FROM studies ORDER BY 1").fetchall()]
    assert ids == ["NCT99000120", "NCT99000121"]


def test_files_of_the_first_spool_version_are_still_added(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    head = orjson.dumps({"format": "trialfinder-search-pages", "version": 1,
                         "started": "2026-02-01T00:00:00+00:00", "params": {}})
    page = orjson.dumps({"fetched": "2026-02-01T00:00:01+00:00",
                         "studies": [_record("NCT99000130")]})
    odd = orjson.dumps({"fetched": "2026-02-01T00:00:01+00:00", "page": ["not", "a page"]})
    end = orjson.dumps({"end": True, "complete": True, "requests": 1, "bytes": 5})
    _spool_file(path, "a-v1.jsonl", [head, page, end])
    _spool_file(path, "b-odd-page.jsonl", [head.replace(b'"version":1', b'"version":2'),
                                           odd, end])
    with open_store(path, read_only=True) as store:
        ids = [r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()]
    assert ids == ["NCT99000130"]
    assert [p.name for p in (incoming_dir(path) / "rejected").iterdir()] == [
        "b-odd-page.jsonl"]


def test_each_run_records_the_query_it_ran(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
) -> None:
    tf.search(condition="asthma", settings=_settings(standin, tmp_path, use_cache=False))
    with open_store(private_data_dir / "studies.duckdb", read_only=True) as store:
        mode, params = store.first_row("SELECT mode, params FROM runs")
    assert mode == "search"
    assert orjson.loads(params)["query.cond"] == "asthma"


def test_an_odd_recorded_query_costs_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    page = orjson.dumps({"fetched": "2026-02-01T00:00:01+00:00",
                         "studies": [_record("NCT99000140")]})
    end = orjson.dumps({"end": True, "complete": True, "requests": 1, "bytes": 5})
    for name, params in [("a", {"query.cond": ["not", "text"]}), ("b", {"k": "v" * 5000}),
                         ("c", "query.cond=x")]:
        head = orjson.dumps({"format": "trialfinder-search-pages", "version": 2,
                             "started": "2026-02-01T00:00:00+00:00", "params": params})
        _spool_file(path, f"{name}.jsonl", [head, page, end])
    with open_store(path, read_only=True) as store:
        runs = store.con.execute("SELECT params, studies FROM runs ORDER BY run_id").fetchall()
    assert runs == [(None, 1)] * 3


def test_a_search_run_ends_when_the_search_ended_not_when_it_was_added(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    spool = SpoolWriter(path, now=datetime(2026, 1, 3, tzinfo=UTC))
    spool.add([_record("NCT99000150")], datetime(2026, 1, 3, 0, 0, 1, tzinfo=UTC))
    spool.finish(requests=1, nbytes=10)
    [file] = pending(path)
    ended = datetime.fromisoformat(orjson.loads(file.read_bytes().splitlines()[-1])["finished"])
    with open_store(path, read_only=True) as store:
        finished = store.first_row("SELECT finished FROM runs")[0]
    assert finished == ended.astimezone(UTC).replace(tzinfo=None)


@pytest.mark.parametrize("aact", [[], ["--aact"]])
def test_store_export_before_any_store_says_so_and_makes_none(
    standin: StandInServer, tmp_path: Path, private_data_dir: Path,
    capsys: pytest.CaptureFixture[str], aact: list[str],
) -> None:
    """Like `sql` and `store info`: no empty store is made (at a mistyped --store either) to
    export empty tables from; pages a search left are a store waiting to be made."""
    typo = tmp_path / "studeis.duckdb"
    for where, path in (([], private_data_dir / "studies.duckdb"), (["--store", str(typo)], typo)):
        assert main(["store", "export", *aact, *where, str(tmp_path / "out")]) == 1
        assert capsys.readouterr() == ("", f"trialfinder: error: no study store at {path} yet "
                                           "(a search, `trialfinder sync` or `trialfinder "
                                           "watch run` fills it)\n")
        assert not path.exists() and not (tmp_path / "out").exists()
    base = ["--base-url", standin.base_url, "--cache-dir", str(tmp_path / "cache")]
    assert main(["search", "--condition", "asthma", "--format", "csv", *base]) == 0
    capsys.readouterr()
    assert main(["store", "export", *aact, str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(tmp_path / "out" / "studies.parquet")
