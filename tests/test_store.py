"""The local study store: tables, versions, read-only SQL, Parquet export, the CLI."""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from devtools.isrctn.records import answer_xml, sample_trials
from devtools.standin import StandInServer, fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.config import default_cache_dir, default_data_dir
from trialfinder.core.errors import DataFileError, InvalidQueryError
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.isrctn.record import record_of
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.store.db import Store, StoreError, data_dir, default_store_path
from trialfinder.store.sql import run_sql
from trialfinder.store.versions import record_hash
from trialfinder.tables.frames import CONTACT_DTYPES, SITE_DTYPES, STUDY_DTYPES
from trialfinder.topics.demo import FICTIONAL_NOTE

Factory = Callable[..., StandInServer]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "studies.duckdb"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_store_keeps_the_search_tables_columns_and_types(
    store_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    with Store(store_path) as store:
        stats = store.add_records(standin_studies)
        tables = store.tables_for(["NCT99100001", "NCT99100005"])
    assert (stats.studies, stats.new_versions, stats.skipped) == (12, 12, 0)
    assert list(tables.studies.columns) == list(STUDY_DTYPES)
    assert list(tables.sites.columns) == list(SITE_DTYPES)
    expected = normalize(standin_studies[:1]).studies
    mine = tables.studies.set_index("nct_id").loc[["NCT99100001"]].reset_index()
    pd.testing.assert_frame_equal(mine, expected, check_categorical=False)
    assert sorted(zip(tables.sites["nct_id"], tables.sites["city"], strict=True)) == [
        ("NCT99100001", "Boston"), ("NCT99100001", "Lyon"),
        ("NCT99100005", "Lyon"), ("NCT99100005", "New York")]


def test_each_distinct_version_is_kept_with_first_and_last_seen(
    store_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    day1, day2, day3 = datetime(2026, 11, 1), datetime(2026, 11, 2), datetime(2026, 11, 3)
    changed = copy.deepcopy(standin_studies[0])
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    with Store(store_path) as store:
        store.add_records(standin_studies[:2], seen=day1)
        again = store.add_records(standin_studies[:2], seen=day2)
        moved = store.add_records([changed], seen=day3)
        versions = store.versions("NCT99100001")
        status = store.tables_for(["NCT99100001"]).studies["status"].tolist()
        counts = store.info()
    assert again.new_versions == 0 and moved.new_versions == 1
    assert [(h, f, last) for h, f, last, _ in versions] == [
        (record_hash(standin_studies[0]), day1, day2), (record_hash(changed), day3, day3)]
    assert versions[1][3]["protocolSection"]["statusModule"]["overallStatus"] == "COMPLETED"
    assert status == ["COMPLETED"]  # the current rows are the latest version's, once
    assert (counts["studies"], counts["sites"], counts["versions"]) == (2, 3, 3)


def test_repeated_ids_and_unusable_records_are_counted_not_lost(store_path: Path) -> None:
    first = fictional_study("NCT99100101", "First Take")
    second = fictional_study("NCT99100101", "Second Take")
    with Store(store_path) as store:
        stats = store.add_records([first, {"no": "protocol"}, second])
        titles = store.tables_for(["NCT99100101"]).studies["title"].tolist()
    assert (stats.studies, stats.skipped) == (1, 1)
    assert titles == ["Second Take"]


def test_contacts_are_the_search_tables_contacts(store_path: Path) -> None:
    site = fictional_site("Fictional Clinic", "Boston", "United States", 42.36, -71.06)
    site["contacts"] = [{"name": "Dr. Imaginary", "phone": "555-0100",
                         "email": "study@example.org"}]
    quiet = fictional_site("Quiet Clinic", "Lyon", "France", 45.76, 4.83)
    record = fictional_study("NCT99100102", "With Contacts", locations=[site, quiet])
    with Store(store_path) as store:
        store.add_records([record])
        rows = store.con.execute(
            "SELECT nct_id, scope, site_index, facility, name, phone, email FROM contacts"
        ).fetchall()
        cols = store.columns("contacts")
    assert cols == list(CONTACT_DTYPES)
    assert rows == [("NCT99100102", "site", 0, "Fictional Clinic", "Dr. Imaginary", "555-0100",
                     "study@example.org")]


def test_store_file_is_private_and_follows_the_data_dir_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    assert default_store_path() == tmp_path / "mine" / "studies.duckdb"
    with Store() as store:
        store.add_records([fictional_study("NCT99100103", "Private")])
    assert stat.S_IMODE((tmp_path / "mine").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "mine" / "studies.duckdb").stat().st_mode) == 0o600


def test_a_file_that_is_not_a_store_is_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.duckdb is not a study store: it is not a DuckDB"):
        Store(junk)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(StoreError, match="not a trialfinder study store"):
        Store(other, read_only=True)
    with pytest.raises(StoreError, match="no study store at"):
        Store(tmp_path / "missing.duckdb", read_only=True)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("make", "why"), [
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(4080)),
     "it is a SQLite database, not a DuckDB one"),
    (lambda p: p.write_bytes(b""), "the file is empty"),
    (lambda p: p.write_bytes(b"PAR1" + bytes(200)), "it is not a DuckDB database file"),
    (lambda p: os.mkfifo(p), "it is not a regular file"),
    (lambda p: p.mkdir(), "it is a folder"),
])
def test_a_store_file_that_is_no_duckdb_database_is_refused_before_duckdb_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], None], why: str,
) -> None:
    """DuckDB would wait forever on a named pipe, and read a SQLite file by fetching an
    extension from the internet: one line instead, for readers and writers alike."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    path = tmp_path / "studies.duckdb"
    make(path)
    line = f"{path} is not a study store: {why}; move it aside or name another store " \
        "(--store FILE)"
    for read_only in (False, True):
        with pytest.raises(StoreError) as caught:
            Store(path, read_only=read_only)
        assert str(caught.value) == line
    for argv in (["sql", "select 1"], ["store", "info"], ["store", "export", "--aact",
                                                          str(tmp_path / "out")]):
        assert run(capsys, *argv) == (1, "", f"trialfinder: error: {line}\n")
    assert not (tmp_path / "out").exists()


def test_a_store_never_fetches_a_duckdb_extension(store_path: Path) -> None:
    with Store(store_path) as store:
        assert store.first_row("SELECT current_setting('autoinstall_known_extensions'), "
                               "current_setting('autoload_known_extensions')") == (False, False)


def test_sql_reads_but_never_writes(store_path: Path,
                                    standin_studies: list[dict[str, Any]]) -> None:
    with Store(store_path) as store:
        store.add_records(standin_studies)
    rows = list(run_sql(store_path, "SELECT status, count(*) AS n FROM studies "
                                    "GROUP BY status ORDER BY n DESC, status"))
    assert rows == [["status", "n"], ["COMPLETED", 7], ["RECRUITING", 2],
                    ["ACTIVE_NOT_RECRUITING", 1], ["NOT_YET_RECRUITING", 1], ["TERMINATED", 1]]
    refused = {
        "DELETE FROM studies": "only SELECT is allowed, not DELETE",
        "with gone as (select 1) delete from studies": "only SELECT is allowed, not DELETE$",
        "select 1; select 2": "exactly one SQL statement, not 2",
        "COPY studies TO 'out.csv'": "not COPY",
        "ATTACH 'other.duckdb'": "not ATTACH",
        "SET enable_external_access = true": "not SET",
        "install httpfs": "not INSTALL$",  # DuckDB calls it a LOAD statement
        "/* a comment */ -- and another\n load httpfs": "not LOAD$",
        "SELECT * FROM read_csv('/etc/hostname')": "file system operations are disabled",
        "SELECT * FROM nowhere": "nowhere does not exist",
    }
    for sql, message in refused.items():
        with pytest.raises(InvalidQueryError, match=message):
            list(run_sql(store_path, sql))
    with Store(store_path, read_only=True) as store:
        assert store.info()["studies"] == 12


def test_an_sql_error_never_advises_a_setting_sql_refuses(store_path: Path) -> None:
    Store(store_path).close()
    deep = "SELECT " + "(" * 1200 + "1" + ")" * 1200
    with pytest.raises(InvalidQueryError) as caught:
        list(run_sql(store_path, deep))
    assert str(caught.value) == (
        "SQL error: Parser Error: Max expression depth limit of 1000 exceeded. (sql cannot "
        "change DuckDB's settings: make the query simpler)")


@pytest.mark.timeout(30)  # unstopped, the query would count to ten billion
def test_a_slow_query_is_stopped(store_path: Path) -> None:
    Store(store_path).close()
    with pytest.raises(InvalidQueryError, match=r"ran past 0\.2 s"):
        list(run_sql(store_path, "SELECT count(*) FROM range(10000000000) a", timeout=0.2))


def test_export_writes_one_parquet_file_per_table(
    store_path: Path, tmp_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    with Store(store_path) as store:
        store.add_records(standin_studies)
        written = store.export(tmp_path / "out")
    assert [p.name for p in written] == [
        "studies.parquet", "sites.parquet", "contacts.parquet", "officials.parquet",
        "conditions.parquet",
        "interventions.parquet", "versions.parquet", "searches.parquet", "runs.parquet",
        "run_studies.parquet"]
    con = duckdb.connect()
    count = con.execute(f"SELECT count(*) FROM '{tmp_path / 'out' / 'studies.parquet'}'")
    assert count.fetchall() == [(12,)]
    cities = con.execute(
        f"SELECT city FROM '{tmp_path / 'out' / 'sites.parquet'}' ORDER BY city").fetchall()
    assert cities == [("Boston",), ("Lyon",), ("Lyon",), ("Lyon",), ("New York",),
                      ("Worcester",)]


def test_export_writes_long_records_in_the_writers_small_memory(
    store_path: Path, tmp_path: Path
) -> None:
    """400 fictional studies of about 50 kB each: `versions` holds over 19 MB of JSON, more
    than one row group of it fits in the 64 MB a writer opens the store with."""
    studies = []
    for i in range(400):
        study = fictional_study(f"NCT99{i:06d}", f"Fictional Long Study {i}")
        study["protocolSection"]["descriptionModule"] = {"briefSummary": f"word{i:03d} " * 6000}
        studies.append(study)
    with Store(store_path) as store:
        store.add_records(studies)
    with Store(store_path) as store:  # the export's own connection, as `store export` opens it
        store.export(tmp_path / "out")
    rows = duckdb.connect().execute(
        f"SELECT count(*), sum(strlen(record)) > 400 * 48_000 "
        f"FROM '{tmp_path / 'out' / 'versions.parquet'}'").fetchall()
    assert rows == [(400, True)]


def test_store_export_of_records_larger_than_the_writers_memory_in_one_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """DuckDB reads up to 2,048 rows at once, each record whole: 400 fictional studies of
    about 180 kB (72 MB of JSON in one read) ended `store export` with "Out of Memory Error"
    in the 64 MB a writer opens the store with. A store synced from studies with many sites
    gets there with a few thousand studies (`store export --aact`: test_aact_store.py)."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    studies = []
    for i in range(400):
        study = fictional_study(f"NCT99{i:06d}", f"Fictional Wide Study {i}")
        study["protocolSection"]["descriptionModule"] = {"briefSummary": f"word{i:03d} " * 20_000}
        studies.append(study)
    with Store(tmp_path / "data" / "studies.duckdb") as store:
        for start in range(0, 400, 50):  # as sync adds them, a page at a time
            store.add_records(studies[start:start + 50])
    code, out, err = run(capsys, "store", "export", str(tmp_path / "pq"))
    assert code == 0, err
    assert out.splitlines()[6] == str(tmp_path / "pq" / "versions.parquet")
    rows = duckdb.connect().execute(
        f"SELECT count(*), min(strlen(record)) > 160_000 "
        f"FROM '{tmp_path / 'pq' / 'versions.parquet'}'").fetchall()
    assert rows == [(400, True)]


def test_export_makes_its_folder_but_none_above_it_as_search_output_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """`store export a/b/DIR` made a, b and DIR, while `search --output a/b/x.csv` refused the
    missing a: a typo in the path (`/nonexistent/x`) made a tree of folders. Each command now
    makes what it is asked to write (the file; the export's folder) and no folder above it,
    and both say so in the same line."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    Store(tmp_path / "data" / "studies.duckdb").close()
    missing = tmp_path / "new" / "deeper"
    for argv in (["store", "export", str(missing / "pq")],
                 ["store", "export", "--aact", str(missing / "pq")],
                 ["search", "-c", "x", "--output", str(missing / "x.csv")]):
        code, out, err = run(capsys, *argv)
        assert (code, out, err) == (1, "", f"trialfinder: error: the folder {missing} does "
                                           "not exist: create it first, or check the path\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    code, out, err = run(capsys, "store", "export", str(tmp_path / "pq"))  # its own folder
    assert code == 0, err
    assert (tmp_path / "pq" / "studies.parquet").is_file()


def test_a_failed_export_into_a_new_folder_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """`store export DIR` makes DIR when it is missing: an export that fails leaves nothing,
    that folder included."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    Store(tmp_path / "data" / "studies.duckdb").close()
    execute = Store.execute

    def full_disk(self: Store, sql: str, params: Any = None) -> None:
        if sql.startswith("COPY"):
            raise duckdb.IOException("could not write file: No space left on device")
        execute(self, sql, params)

    monkeypatch.setattr(Store, "execute", full_disk)
    out = tmp_path / "pq"
    code, _out, err = run(capsys, "store", "export", str(out))
    assert (code, err) == (1, f"trialfinder: error: cannot write the export into {out}: "
                              "could not write file: No space left on device\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_cli_store_info_sql_and_export(
    standin: StandInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code, out, err = run(capsys, "sync", "--base-url", standin.base_url, "--no-cache",
                         "-c", "asthma")
    assert code == 0, err
    assert out.startswith("synced 2 studies (the API reported 2) into ")
    code, out, err = run(capsys, "sql", "select count(*) as n from studies")
    assert (code, out) == (0, "n\r\n2\r\n")
    code, out, _ = run(capsys, "sql", "select nct_id, start_date from studies "
                                      "where nct_id = 'NCT99100006'")
    assert out == "nct_id,start_date\r\nNCT99100006,2019-11-01 00:00:00\r\n"
    code, out, _ = run(capsys, "store", "info")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"store: {tmp_path / 'data' / 'studies.duckdb'}"
    assert lines[1].split() == ["studies", "2"] and lines[7].split() == ["versions", "2"]
    assert lines[-1].startswith("file size")
    code, out, err = run(capsys, "store", "export", str(tmp_path / "pq"))
    assert code == 0 and err.splitlines() == [
        f"wrote 10 tables as Parquet files to {tmp_path / 'pq'}",
        f"trialfinder: note: {FICTIONAL_NOTE}"]  # the stand-in's studies are fictional
    assert (tmp_path / "pq" / "studies.parquet").stat().st_size > 0
    for aact in ([], ["--aact"]):  # a file where the folder should be: one line, untouched
        code, out, err = run(capsys, "store", "export", *aact,
                             str(tmp_path / "pq" / "studies.parquet"))
        assert (code, out) == (1, "")
        assert err == (f"trialfinder: error: {tmp_path / 'pq' / 'studies.parquet'} is not a "
                       "folder: give a folder for the tables, e.g. export/\n")
    assert (tmp_path / "pq" / "studies.parquet").stat().st_size > 0


def test_ctrl_c_while_duckdb_writes_an_export_is_interrupted_not_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """DuckDB reports Ctrl-C during a statement as its own ``RuntimeError("Query
    interrupted")``: the command ends as any Ctrl-C does, not as a bug to report."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    Store(tmp_path / "data" / "studies.duckdb").close()

    def interrupted(self: Store, folder: Path, *, partitioned: bool = False) -> list[Path]:
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(Store, "export", interrupted)
    assert run(capsys, "store", "export", str(tmp_path / "pq")) == (130, "", "interrupted\n")


@pytest.mark.parametrize(("folder", "why"), [
    ("", "the folder's name is empty: give a folder for the tables, e.g. export/"),
    ("-", "'-' is not a folder here: the tables are written as Parquet files into a folder, "
          "e.g. export/"),
])
@pytest.mark.parametrize("aact", [[], ["--aact"]])
def test_store_export_refuses_an_empty_folder_name_and_a_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    folder: str, why: str, aact: list[str],
) -> None:
    """An unset variable (``store export "$OUT"``) must not export into the current folder,
    nor ``-`` make a folder of that name."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    Store(tmp_path / "data" / "studies.duckdb").close()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:  # a usage error, as argparse ends it
        main(["store", "export", *aact, folder])
    assert caught.value.code == 2
    assert capsys.readouterr() == (
        "", f"trialfinder: usage error: argument DIR: {why} (see --help)\n")
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_store_export_says_so_only_when_the_store_holds_fictional_studies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    with Store(tmp_path / "data" / "studies.duckdb") as store:  # an id outside the range
        store.add_records([fictional_study("NCT00012345", "Fictional Early Study")])
    code, _, err = run(capsys, "store", "export", str(tmp_path / "a"))
    assert (code, err) == (0, f"wrote 10 tables as Parquet files to {tmp_path / 'a'}\n")
    with Store(tmp_path / "data" / "studies.duckdb") as store:
        store.add_records([fictional_study("NCT99100001", "Fictional Later Study")])
    for aact, said, folder in (([], "10 tables", "b"), (["--aact"], "21 AACT tables", "c")):
        code, _, err = run(capsys, "store", "export", *aact, str(tmp_path / folder))
        assert (code, err.splitlines()[-2:]) == (0, [
            f"wrote {said} as Parquet files to {tmp_path / folder}",
            f"trialfinder: note: {FICTIONAL_NOTE}"])


def test_cli_sql_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    code, out, err = run(capsys, "sql", "select 1")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith("trialfinder: error: no study store at")
    Store(tmp_path / "data" / "studies.duckdb").close()
    code, out, err = run(capsys, "sql", "drop table studies")
    assert (code, out) == (2, "")
    assert err == ("trialfinder: error: the store is read-only here: only SELECT is allowed, "
                   "not DROP\n")


def test_a_table_the_store_lacks_is_not_suggested_as_duckdbs_own(tmp_path: Path) -> None:
    """``from nope`` got DuckDB's 'Did you mean "pg_enum"?', a catalog table of its own that
    no analyst meant; a near spelling of a store table is still suggested."""
    Store(tmp_path / "s.duckdb").close()
    said = {}
    for sql in ("select * from nope", "select * from studys", "select * from enum"):
        with pytest.raises(InvalidQueryError) as caught:
            list(run_sql(tmp_path / "s.duckdb", sql))
        said[sql.rsplit(" ", 1)[1]] = str(caught.value)
    listed = ' (trialfinder sql "show tables" lists the store\'s tables)'
    assert said == {
        "nope": f"SQL error: Catalog Error: Table with name nope does not exist!{listed}",
        "studys": ('SQL error: Catalog Error: Table with name studys does not exist! Did you '
                   'mean "studies"?'),
        "enum": f"SQL error: Catalog Error: Table with name enum does not exist!{listed}"}


def test_an_empty_store_name_is_one_usage_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """``--store ""`` (an unset variable in ``--store "$STORE"``) named the current folder and
    ended in 'unexpected ValueError ... (a bug in trialfinder)'."""
    monkeypatch.chdir(tmp_path)
    for argv in (["sql", "select 1"], ["store", "info"], ["store", "export", "--aact", "out"],
                 ["watch", "list"], ["history", "NCT99000001"]):
        for empty in ("", "  "):
            with pytest.raises(SystemExit) as caught:  # a usage error, as argparse ends it
                main([*argv, "--store", empty])
            assert caught.value.code == 2, argv
            out, err = capsys.readouterr()
            assert out == "", argv
            assert err == ("trialfinder: usage error: argument --store: the store file's name "
                           "is empty: give a file such as studies.duckdb, or leave out --store "
                           "for the default (see --help)\n"), argv
    assert list(tmp_path.iterdir()) == []


def test_partitioned_export_splits_by_id_block_and_reads_back_as_one_table(
    store_path: Path, tmp_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    early = fictional_study("NCT00012345", "Fictional Early Study")
    with Store(store_path) as store:
        store.add_records([*standin_studies, early])
        written = store.export(tmp_path / "hive", partitioned=True)
    assert [p.name for p in written][:2] == ["studies", "sites"]
    assert written[7].name == "searches.parquet"  # no nct_id: one plain file
    blocks = sorted(p.name for p in (tmp_path / "hive" / "studies").iterdir())
    assert blocks == ["id_block=000", "id_block=991"]
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT id_block, count(*) FROM read_parquet('{tmp_path / 'hive' / 'studies'}/**/*"
        ".parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("000", 1), ("991", 12)]


def test_partitioned_export_splits_an_isrctn_trial_by_its_digits(
    store_path: Path, tmp_path: Path) -> None:
    """id_block is the first three digits of any registry's id, never the letters of
    "ISRCTN" (which put every ISRCTN trial into one block, ``CTN``)."""
    trials = parse_answer(answer_xml(sample_trials())).trials[:2]
    with Store(store_path) as store:
        store.add_records([fictional_study("NCT00012345", "Fictional Early Study")])
        store.add_records([record_of(t) for t in trials], source="isrctn")
        store.export(tmp_path / "hive", partitioned=True)
    rows = duckdb.connect().execute(
        f"SELECT id_block::VARCHAR, nct_id FROM read_parquet('{tmp_path / 'hive' / 'studies'}"
        "/**/*.parquet', hive_partitioning = true, hive_types_autocast = false) ORDER BY 2"
    ).fetchall()
    assert rows == [("990", "ISRCTN99000001"), ("990", "ISRCTN99000002"), ("000", "NCT00012345")]


def test_an_export_replaces_an_earlier_one_whatever_its_form(
    store_path: Path, tmp_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    """Exporting into the same folder as files, then as folders, then as files again leaves
    each table once, in the last form; a folder of a table's name holding other files is
    never deleted: the export is refused before it writes anything."""
    out = tmp_path / "out"

    def listing() -> list[str]:
        return sorted(p.name for p in out.iterdir())

    with Store(store_path) as store:
        store.add_records(standin_studies)
        store.export(out)
        files = listing()
        store.export(out, partitioned=True)
        assert listing() == [
            "conditions", "contacts", "interventions", "officials", "run_studies",
            "runs.parquet", "searches.parquet", "sites", "studies", "versions"]
        store.export(out)
        assert listing() == files == sorted(f"{n}.parquet" for n in (
            "conditions", "contacts", "interventions", "officials", "run_studies", "runs",
            "searches", "sites", "studies", "versions"))
        (out / "studies").mkdir()
        (out / "studies" / "notes.txt").write_text("mine")
        with pytest.raises(DataFileError, match=r"studies holds files an export did not write"):
            store.export(out, partitioned=True)
    assert (out / "studies" / "notes.txt").read_text() == "mine"
    assert listing() == sorted([*files, "studies"])


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("given", "shown"), [("0", "0"), ("-1", "-1"), ("nan", "nan"),
                                              ("inf", "inf"), ("1e308", "1e+308"),
                                              ("86401", "86401")])
def test_cli_sql_timeout_must_be_a_finite_positive_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    given: str, shown: str,
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    assert main(["sql", "--timeout", given, "select 1"]) == 2
    assert capsys.readouterr().err == ("trialfinder: error: --timeout must be a number of "
                                       f"seconds above 0 and at most 86,400, not {shown}\n")



@pytest.mark.parametrize(("fmt", "shown"), [
    ("csv", "nct_id,name,nct_id_1,name_1,name_2\r\nNCT99000001,cramp,NCT99000001,spasm,x\r\n"),
    ("json", '{"nct_id":"NCT99000001","name":"cramp","nct_id_1":"NCT99000001",'
             '"name_1":"spasm","name_2":"x"}\n'),
    ("table", "nct_id       name   nct_id_1     name_1  name_2\n"
              "NCT99000001  cramp  NCT99000001  spasm   x\n"),
])
def test_sql_writes_each_column_when_names_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    fmt: str, shown: str,
) -> None:
    """``select *`` over a join names nct_id twice; rows were written by name, so the first
    nct_id and name columns held the second's values, with no word of it."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    Store(tmp_path / "studies.duckdb").close()
    sql = ("select *, 'x' as name from (values ('NCT99000001', 'cramp')) c(nct_id, name) "
           "join (values ('NCT99000001', 'spasm')) k(nct_id, name) on c.nct_id = k.nct_id")
    code, out, err = run(capsys, "sql", "--format", fmt, sql)
    assert (code, out) == (0, shown)
    assert err.splitlines()[0] == ("trialfinder: note: column names that repeat are numbered: "
                                   "nct_id_1, name_1, name_2 (name them with AS to choose)")


def test_sql_gives_intervals_as_duckdb_writes_them(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """DuckDB's Python client hands an interval over as a timedelta, which has no months:
    ``age()`` of four years was written as 1440 days and a year as 360 days."""
    Store(store_path).close()
    sql = ("select age(date '2027-04-10', date '2023-04-10') as age, "
           "interval '1 year 2 months 3 days' as i, [interval 1 month] as l, "
           "{'interval': 7} as s, date '2027-04-10' - date '2023-04-10' as days, 1 as n, "
           "2 as n; -- the end")
    assert list(run_sql(store_path, sql)) == [
        ["age", "i", "l", "s", "days", "n", "n"],
        ["4 years", "1 year 2 months 3 days", ["1 month"], {"interval": 7}, 1461, 1, 2]]
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(store_path.parent))
    code, out, _ = run(capsys, "sql", "select interval '-1 month' as back, age(date '2026-03-01',"
                       " date '2025-01-31') as age")
    assert (code, out) == (0, "back,age\r\n'-1 month,1 year 1 month 1 day\r\n")


def test_sql_json_lines_keep_a_whole_number_past_64_bits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """JSON lines are written by orjson, which has no form for a whole number past 64 bits
    (DuckDB's HUGEINT): such a row is written by the json module, in the same compact form."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    Store(tmp_path / "studies.duckdb").close()
    code, out, err = run(capsys, "sql", "--format", "json",
                         "select 170141183460469231731687303715884105727::hugeint as big, "
                         "'Ünïcode' as t union all select 7, 'x' order by 1")
    assert (code, err) == (0, "")
    assert out == ('{"big":7,"t":"x"}\n'
                   '{"big":170141183460469231731687303715884105727,"t":"Ünïcode"}\n')


def test_a_pivot_without_its_values_says_how_to_write_it(
    store_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    """DuckDB runs a PIVOT without IN as several statements; sql refused it as 'only SELECT
    is allowed, not SELECT'. With its values named it is one SELECT, and runs."""
    with Store(store_path) as store:
        store.add_records(standin_studies)
    for sql in ("pivot studies on status using count(*)",
                "select * from (pivot studies on status using count(*) group by source)"):
        with pytest.raises(InvalidQueryError) as caught:
            list(run_sql(store_path, sql))
        assert str(caught.value) == (
            "sql runs one SELECT, and DuckDB runs this query as several statements (a PIVOT "
            "without IN does: name the values it pivots on, PIVOT ... ON phase IN ('PHASE1', "
            "'PHASE2'))")
    rows = list(run_sql(store_path, "pivot studies on status in ('COMPLETED', 'RECRUITING') "
                                    "using count(*) group by source"))
    assert rows == [["source", "COMPLETED", "RECRUITING"], ["ctgov", 7, 2]]


@pytest.mark.parametrize("partitioned", [[], ["--partitioned"]])
def test_the_two_exports_never_share_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    standin_studies: list[dict[str, Any]], partitioned: list[str],
) -> None:
    """``store export`` and ``store export --aact`` both write studies, conditions and
    interventions: one into the other's folder replaced those three and left the rest, AACT's
    studies.parquet beside the store's sites.parquet, with no word of it."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    with Store(tmp_path / "data" / "studies.duckdb") as store:
        store.add_records(standin_studies)
    store_folder, aact_folder = tmp_path / "store", tmp_path / "aact"
    assert run(capsys, "store", "export", *partitioned, str(store_folder))[0] == 0
    assert run(capsys, "store", "export", "--aact", *partitioned, str(aact_folder))[0] == 0
    before = {folder: sorted(p.name for p in folder.iterdir())
              for folder in (store_folder, aact_folder)}
    assert run(capsys, "store", "export", "--aact", str(store_folder)) == (1, "", (
        f"trialfinder: error: cannot export the AACT tables into {store_folder}: it holds the "
        "store's own tables of `store export` (sites, contacts, officials, ...), and both "
        "exports write studies, conditions and interventions; export into another folder\n"))
    assert run(capsys, "store", "export", str(aact_folder)) == (1, "", (
        f"trialfinder: error: cannot export the store's tables into {aact_folder}: it holds "
        "AACT tables of `store export --aact` (brief_summaries, detailed_descriptions, designs, "
        "...), and both exports write studies, conditions and interventions; export into "
        "another folder\n"))
    assert {folder: sorted(p.name for p in folder.iterdir())
            for folder in (store_folder, aact_folder)} == before
    columns = duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{store_folder}/studies*/**/*.parquet', "
        "hive_partitioning = true) LIMIT 0" if partitioned else
        f"SELECT * FROM '{store_folder / 'studies.parquet'}' LIMIT 0").description
    assert "title" in [c[0] for c in columns]  # the store's studies, not AACT's
    assert run(capsys, "store", "export", str(store_folder))[0] == 0  # its own folder: fine


def test_an_empty_cache_folder_name_is_one_usage_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """``--cache-dir ""`` (an unset variable in ``--cache-dir "$CACHE"``) made the current
    folder the cache: the search wrote its HTTP cache and saved tables there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIALFINDER_STORE", "0")
    for argv in (["search", "-c", "cramp", "--offline"], ["cache"], ["sync", "-c", "cramp"]):
        for empty in ("", " "):
            with pytest.raises(SystemExit) as caught:  # a usage error, as argparse ends it
                main([*argv, "--cache-dir", empty])
            assert caught.value.code == 2, argv
            assert capsys.readouterr() == ("", (
                "trialfinder: usage error: argument --cache-dir: the cache folder's name is "
                "empty: give a folder, or leave out --cache-dir for the default (see --help)\n"))
    assert list(tmp_path.iterdir()) == []


def test_a_blank_folder_variable_is_unset_as_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``TRIALFINDER_DATA_DIR=" "`` named a folder " " in the current folder (an empty value
    already meant the default)."""
    monkeypatch.chdir(tmp_path)
    for name, folder in (("TRIALFINDER_DATA_DIR", default_data_dir),
                         ("TRIALFINDER_CACHE_DIR", default_cache_dir)):
        monkeypatch.delenv(name, raising=False)
        default = folder()
        for blank in ("", "  ", "\t"):
            monkeypatch.setenv(name, blank)
            assert folder() == default, (name, blank)
        monkeypatch.setenv(name, "mine")
        assert folder() == Path("mine")
