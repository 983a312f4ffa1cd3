"""The study store's migrations: a new store, the previous release's store upgraded in one go,
a store of a newer trialfinder refused, a failing step leaving the store as it was, and pages
never narrowed to the columns a store happens to have.

``tests/data/store-daae3fa.duckdb.gz`` was written by trialfinder 0.1.0 (commit daae3fa, the
last release before migrations) from fictional data: ``trialfinder sync -c "Stiff-Person
Syndrome"`` (3 studies), ``watch add gout -c Gout`` and ``watch run gout`` (2), and ``search -c
"Isaacs Syndrome"`` (3, added to the store from its spool by ``store info``), all against
``python -m devtools.standin --data demo``. Gzipped: the file is 5.5 MB of mostly empty DuckDB
blocks.
"""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pandas as pd
import pytest

from devtools.standin import fictional_site, fictional_study
from trialfinder._version import __version__
from trialfinder.cli.main import main
from trialfinder.core.errors import StoreError, StoreOutdatedError
from trialfinder.options import SearchOptions
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.store import migrations
from trialfinder.store.bounded import MOST_BYTES
from trialfinder.store.db import Store, open_store
from trialfinder.store.versions import version_rows
from trialfinder.store.watch import get_watch, history

FIXTURE = Path(__file__).resolve().parent / "data" / "store-daae3fa.duckdb.gz"
SYNCED = ["NCT99000001", "NCT99000008", "NCT99000014"]  # Stiff-Person Syndrome
WATCHED = ["NCT99000004", "NCT99000032"]  # Gout
SEARCHED = ["NCT99000005", "NCT99000035", "NCT99000053"]  # Isaacs Syndrome
STUDY_TABLES = ["studies", "sites", "contacts", "officials", "conditions", "interventions"]


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    """A copy of the store trialfinder 0.1.0 wrote, in a private data folder."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    path = folder / "studies.duckdb"
    with gzip.open(FIXTURE, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    path.chmod(0o600)
    return path


def _schema(path: Path) -> list[tuple[str, str, str, int]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name, column_name, data_type, ordinal_position "
            "FROM information_schema.columns WHERE table_schema = 'main' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return [(str(t), str(c), str(d), int(o)) for t, c, d, o in rows]


def _ledger(store: Store) -> list[tuple[str, datetime]]:
    rows = store.con.execute("SELECT name, applied_at FROM migrations ORDER BY name").fetchall()
    return [(str(n), when) for n, when in rows]


def _record(nct: str) -> dict[str, Any]:
    return fictional_study(nct, "Stretching for night cramps", collaborators=["Demo Labs"],
                           interventions=["Calf stretching"],
                           locations=[fictional_site("Example Clinic", "Lyon", "France",
                                                     45.75, 4.85)])


def test_a_new_store_has_every_column_a_normalized_record_has_and_reads_it_back(
    tmp_path: Path,
) -> None:
    record = _record("NCT99000601")
    made = normalize([record])
    with Store(tmp_path / "studies.duckdb") as store:
        names = [name for name, _ in _ledger(store)]
        store.add_records([record])
        back = store.tables_for(["NCT99000601"])
    assert names == ["0001_first_store", "0002_runs_params", "0003_runs_outcome",
                     "0004_store_info_schema_2", "0005_source", "0006_other_ids",
                     "0007_versions_in_parts", "0008_cut_long_texts"]
    held: dict[str, set[str]] = {}
    for table, column, _, _ in _schema(tmp_path / "studies.duckdb"):
        held.setdefault(table, set()).add(column)
    for name, frame in made.frames().items():
        assert held[name] == set(frame.columns), name
        assert list(frame["source"]) == ["ctgov"] * len(frame), name
        pd.testing.assert_frame_equal(back.frames()[name], frame, check_categorical=False)
    assert len(back.sites) == 1 and len(back.interventions) == 1


def test_the_previous_release_store_is_upgraded_in_one_go_and_reads_back(
    old_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with open_store(old_store) as store:
        ledger = _ledger(store)
        assert len(ledger) == 8 and len({when for _, when in ledger}) == 1  # one transaction
        assert store.first_row("SELECT value FROM store_info WHERE key = 'schema'") == ("2",)
        ids = [r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()]
        assert sorted(ids) == sorted(SYNCED + WATCHED + SEARCHED)
        for table in STUDY_TABLES:
            assert store.con.execute(f"SELECT DISTINCT source FROM {table}").fetchall() == [
                ("ctgov",)], table
        assert store.first_row("SELECT count(*) FROM sites") == (34,)
        tables = store.tables_for(WATCHED)
        assert set(tables.studies["title"]) == {
            "Ketorolac Versus Prednisone in Acute Gouty Knee in Older Adults",
            "Ketorolac Versus Prednisone in Acute Gouty Knee in Adults"}
        assert list(tables.studies["source"]) == ["ctgov", "ctgov"]
        runs = store.con.execute("SELECT run_id, name, mode, params, outcome FROM runs "
                                 "ORDER BY run_id").fetchall()
        assert runs == [
            (1, None, "sync", '{"query.cond": "Stiff-Person Syndrome"}', "finished"),
            (2, "gout", "first", '{"query.cond": "Gout"}', "finished"),
            (3, None, "search", '{"query.cond": "Isaacs Syndrome"}', "finished")]
        assert store.aborted_runs() == 0
        # the 0.1.0 watch (saved as a plain dict) reads back as the same search
        assert get_watch(store, "gout").options == SearchOptions(conditions=("Gout",))
        assert get_watch(store, "gout").registries == ("ctgov",)  # saved before registries
        assert store.last_run("gout") is not None
        assert sorted(store.run_found(2)) == WATCHED
        [(hash_, _, _, record)] = store.versions("NCT99000005")
        assert record["protocolSection"]["identificationModule"]["nctId"] == "NCT99000005"
        assert store.current_hashes(["NCT99000005"]) == {"NCT99000005": hash_}
        assert history(store, "NCT99000005") == []
        # and it goes on being a store: a new page, the same study seen again
        stats = store.add_records([_record("NCT99000602")])
        assert (stats.studies, stats.new_versions) == (1, 1)
    fresh = tmp_path / "fresh.duckdb"
    Store(fresh).close()
    assert _schema(old_store) == _schema(fresh)  # the same tables, columns, types and order
    with open_store(old_store) as store:
        assert len(_ledger(store)) == 8  # nothing left to do the second time
    assert main(["sql", "--store", str(old_store),
                 "SELECT nct_id, source FROM sites WHERE nct_id = 'NCT99000602'"]) == 0
    assert capsys.readouterr().out.splitlines() == ["nct_id,source", "NCT99000602,ctgov"]


def test_a_reader_of_an_older_store_upgrades_it_first_and_store_alone_says_so(
    old_store: Path,
) -> None:
    with pytest.raises(StoreOutdatedError) as caught:
        Store(old_store, read_only=True)
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith("was made by an earlier trialfinder and needs upgrading (8 step(s),"
                            " from 0001_first_store); a command that writes to it does that")
    with open_store(old_store, read_only=True) as store:
        assert store.read_only
        assert len(_ledger(store)) == 8
        assert store.first_row("SELECT count(*) FROM studies WHERE source = 'ctgov'") == (8,)


def test_a_store_of_a_newer_trialfinder_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "data" / "studies.duckdb"
    with Store(path) as store:
        store.execute("INSERT INTO migrations VALUES ('0042_from_the_future', now(), '9.1.0')")
    for read_only in (False, True):
        with pytest.raises(StoreError) as caught:
            Store(path, read_only=read_only)
        assert str(caught.value) == (
            f"the study store {path} was upgraded by trialfinder 9.1.0, newer than this one "
            f"({__version__}): it knows no migration '0042_from_the_future'; use trialfinder "
            "9.1.0 or later, or move the file aside")
    capsys.readouterr()
    assert main(["store", "info", "--store", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"trialfinder: error: {caught.value}"]


@pytest.fixture
def failing_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def half_done(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE studies ADD COLUMN half_done VARCHAR").fetchall()
        con.execute("UPDATE studies SET half_done = 'x'").fetchall()
        raise duckdb.ConversionException("Conversion Error: a step that fails\nsecond line")

    steps = (*migrations.MIGRATIONS, migrations.Migration("0099_fails", "fails", half_done))
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)


def test_a_failing_migration_leaves_the_store_as_it_was(
    old_store: Path, failing_step: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _schema(old_store)
    with pytest.raises(StoreError) as caught:
        open_store(old_store)
    assert str(caught.value) == (
        f"cannot upgrade the study store {old_store}: migration 0099_fails failed "
        "(Conversion Error: a step that fails); the store is left as it was")
    assert _schema(old_store) == before  # no migrations table, no outcome, no source
    assert ("runs", "outcome") not in {(t, c) for t, c, _, _ in before}
    monkeypatch.undo()
    with open_store(old_store) as store:  # this trialfinder's own steps still apply whole
        assert [name for name, _ in _ledger(store)][-1] == "0008_cut_long_texts"


def test_a_page_with_a_column_the_store_lacks_is_an_error_not_narrowed(tmp_path: Path) -> None:
    records = [_record("NCT99000603")]
    tables = normalize(records)
    wider = tables.studies.assign(novel="value")
    with Store(tmp_path / "studies.duckdb") as store:
        page = type(tables).of({**tables.frames(), "studies": wider})
        with pytest.raises(StoreError, match=r"has no column studies\.novel$"):
            store.add_tables(page, version_rows(records, CTGOV.record_id))
        assert store.first_row("SELECT count(*) FROM studies") == (0,)  # nothing half-written
        assert store.first_row("SELECT count(*) FROM versions") == (0,)


def test_a_store_that_lacks_a_column_of_the_spec_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "studies.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE sites DROP COLUMN zip").fetchall()
    con.close()
    with pytest.raises(StoreError, match=r"lacks the column\(s\) sites\.zip and no migration"):
        Store(path)


def test_export_of_an_upgraded_store_carries_source(old_store: Path, tmp_path: Path) -> None:
    with open_store(old_store) as store:
        store.export(tmp_path / "out")
    frame = pd.read_parquet(tmp_path / "out" / "interventions.parquet")
    assert list(frame.columns)[-1] == "source"
    assert set(frame["source"]) == {"ctgov"} and len(frame) == 14


def test_the_versions_of_an_older_store_move_into_parts_and_read_back_whole(
    old_store: Path,
) -> None:
    """0007_versions_in_parts: each record's text goes into parts under 60 KiB (a text of 64 KiB
    or more, by the hundred, killed DuckDB's checkpoint), and ``versions`` joins them back."""
    record = _record("NCT99000650")
    record["protocolSection"]["descriptionModule"] = {"briefSummary": "ζωή 試験 " * 12_000}
    text = orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()
    assert len(text.encode()) > 2 * MOST_BYTES + 1  # three parts
    con = duckdb.connect(str(old_store))
    con.execute("INSERT INTO versions VALUES ('NCT99000650', 'fictionalhash', "
                "TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-02', ?)", [text]).fetchall()
    small = con.execute("SELECT nct_id, hash, record FROM versions ORDER BY ALL").fetchall()
    con.close()
    with open_store(old_store) as store:
        rows = store.con.execute(
            "SELECT nct_id, hash, record_parts FROM version_records ORDER BY ALL").fetchall()
        assert store.first_row("SELECT record FROM versions WHERE nct_id = 'NCT99000650'") == (
            text,)
        assert [(n, h, "".join(p)) for n, h, p in rows] == small  # every text, whole
        assert store.versions("NCT99000650")[0][3] == record
        assert store.record("NCT99000650", "fictionalhash") == record
    parts = {n: p for n, _, p in rows}
    assert [len(p) for p in parts.values()].count(1) == len(parts) - 1
    assert len(parts["NCT99000650"]) == 3
    assert max(len(p.encode()) for p in parts["NCT99000650"]) <= MOST_BYTES


def _long_texts(path: Path) -> tuple[str, str, str]:
    """Into the store at ``path`` (any shape), as a store written before sync cut texts kept
    them: a summary of 70,000 bytes, a condition of 61,444 bytes in 30,722 characters (Greek:
    two bytes each) and an eligibility text of exactly 60 KiB (it fits)."""
    summary, condition, fits = "s" * 70_000, "ζω" * 15_361, "e" * MOST_BYTES
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO studies (nct_id, brief_summary, eligibility_criteria) "
                "VALUES ('NCT99000660', ?, ?)", [summary, fits]).fetchall()
    con.execute("INSERT INTO conditions (nct_id, condition) VALUES ('NCT99000660', ?)",
                [condition]).fetchall()
    con.close()
    return summary, condition, fits


def _cut_rows(store: Store) -> tuple[str, str, str]:
    row = store.first_row("SELECT s.brief_summary, c.condition, s.eligibility_criteria "
                          "FROM studies s JOIN conditions c USING (nct_id) "
                          "WHERE nct_id = 'NCT99000660'")
    assert row is not None
    return str(row[0]), str(row[1]), str(row[2])


def test_texts_an_older_store_kept_whole_are_cut_by_a_migration_and_counted(
    old_store: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A store written before sync cut texts over 60 KiB kept them whole (DuckDB's checkpoint
    holds such texts of a row group in memory: hundreds killed it); 0008_cut_long_texts cuts
    them as a sync does, and the upgrade's log line counts them."""
    summary, condition, fits = _long_texts(old_store)
    with caplog.at_level("INFO", logger="trialfinder.store.migrations"), \
            open_store(old_store) as store:
        cut_summary, cut_condition, kept = _cut_rows(store)
    assert kept == fits  # 60 KiB exactly: kept whole
    for before, after in ((summary, cut_summary), (condition, cut_condition)):
        mark = f" [cut by trialfinder: the text had {len(before.encode()):,} bytes, more than " \
               "the store keeps]"
        assert after.endswith(mark) and len(after.encode()) <= MOST_BYTES
        assert before.startswith(after.removesuffix(mark))
    assert len(cut_summary.encode()) > MOST_BYTES - 4  # cut at the limit, not far below it
    [said] = [r for r in caplog.records if "upgraded" in r.getMessage()]
    assert said.levelname == "WARNING"
    assert said.getMessage().endswith(
        "0007_versions_in_parts, 0008_cut_long_texts: 2 texts longer than 60 KiB cut in the "
        "study store, with a mark at the end (conditions.condition, studies.brief_summary)")


def test_a_store_of_the_previous_release_gets_its_long_texts_cut_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """The store a release before this one wrote (every migration to 0007) and its long
    texts: only 0008 runs; a store with none has nothing to say but its upgrade."""
    path = tmp_path / "studies.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:7])
    Store(path).close()
    Store(tmp_path / "none.duckdb").close()
    monkeypatch.undo()
    summary, _, _ = _long_texts(path)
    with caplog.at_level("INFO", logger="trialfinder.store.migrations"):
        with Store(path) as store:
            assert [name for name, _ in _ledger(store)][-1] == "0008_cut_long_texts"
            assert _cut_rows(store)[0].startswith(summary[:1000])
            assert len(_cut_rows(store)[0].encode()) <= MOST_BYTES
        Store(tmp_path / "none.duckdb").close()
    assert [(r.levelname, r.getMessage().rpartition(": ")[2]) for r in caplog.records
            if "upgraded" in r.getMessage()] == [
        ("WARNING", "2 texts longer than 60 KiB cut in the study store, with a mark at the "
         "end (conditions.condition, studies.brief_summary)"),
        ("INFO", "0008_cut_long_texts")]
