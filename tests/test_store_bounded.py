"""No text the study store writes reaches 64 KiB: records kept in parts and joined back whole,
single texts over the limit cut with a mark and counted, and a sync of records that once
killed DuckDB's checkpoint (a FATAL error) going through.

DuckDB keeps a text of 64 KiB or more apart ("overflow strings"), and its checkpoint holds
those of a whole row group at once in memory that cannot spill: on the previous store, 60
records of about 1 MB each, synced ten a page into the writer's 64 MB, ended the sync with
"FATAL Error: ... the autocheckpoint failed" (the sync test below; 50 went through).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.standin import fictional_study
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.options import SearchOptions
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.service.sync import sync
from trialfinder.store.bounded import MARK, MOST_BYTES, cut_frame, cut_strings, cut_text, parts
from trialfinder.store.db import Store
from trialfinder.store.watch import history


def _sizes(texts: list[str]) -> list[int]:
    return [len(t.encode()) for t in texts]


# -- parts and cuts ---------------------------------------------------------------------------


@given(st.text(alphabet="aé試😀\n\"", min_size=1, max_size=40), st.integers(1, 9_000))
def test_parts_join_back_byte_for_byte_each_under_the_limit(piece: str, times: int) -> None:
    text = (piece * times).encode()
    got = parts(text)
    assert "".join(got).encode() == text
    assert max(_sizes(got)) <= MOST_BYTES
    assert (len(got) == 1) == (len(text) <= MOST_BYTES)
    assert all(got)  # no empty part


def test_a_character_across_the_limit_goes_whole_into_the_next_part() -> None:
    text = ("a" * (MOST_BYTES - 2) + "😀" + "b").encode()  # the emoji's 4 bytes span the limit
    got = parts(text)
    assert _sizes(got) == [MOST_BYTES - 2, 5]
    assert got[1] == "😀b"
    assert parts(b"x" * MOST_BYTES) == ["x" * MOST_BYTES]  # exactly the limit: one part


def test_a_text_over_the_limit_is_cut_with_a_mark_naming_its_size() -> None:
    text = "é" * 40_000  # 80,000 bytes
    cut = cut_text(text)
    assert cut is not None
    mark = MARK.format(size=80_000)
    assert cut.endswith(mark) and "80,000 bytes" in mark
    assert len(cut.encode()) <= MOST_BYTES
    assert text.startswith(cut.removesuffix(mark))
    assert len(cut.removesuffix(mark)) > 29_000  # most of the limit is kept
    assert cut_text("é" * (MOST_BYTES // 2)) is None  # exactly the limit in bytes: kept
    assert cut_text("a" * (MOST_BYTES + 1)) is not None


def test_cut_strings_cuts_every_long_string_of_a_record_and_counts_them() -> None:
    record = {"a": ["x" * 70_000, "short", {"b": "y" * 65_000}], "n": 3, "ok": "fine"}
    got, count = cut_strings(record)
    assert count == 2
    assert got["a"][1] == "short" and got["n"] == 3 and got["ok"] == "fine"
    assert got["a"][0].endswith(MARK.format(size=70_000))
    assert got["a"][2]["b"].endswith(MARK.format(size=65_000))
    assert record["a"][0] == "x" * 70_000  # the record given is not changed
    same = {"a": ["short"]}
    assert cut_strings(same) == (same, 0)


def test_cut_frame_cuts_text_and_category_columns_and_names_them() -> None:
    frame = pd.DataFrame({
        "nct_id": pd.array(["NCT99000801", "NCT99000802"], dtype="string"),
        "summary": pd.array(["z" * 70_000, None], dtype="string"),
        "status": pd.Categorical(["RECRUITING", "Q" * 66_000]),
        "count": pd.array([1, 2], dtype="Int64"),
    })
    got, named = cut_frame(frame)
    assert named == ["summary", "status"]
    assert got["summary"][0].endswith(MARK.format(size=70_000)) and pd.isna(got["summary"][1])
    status = list(got["status"])
    assert status[0] == "RECRUITING" and status[1].endswith(MARK.format(size=66_000))
    assert list(got["count"]) == [1, 2] and list(got["nct_id"]) == list(frame["nct_id"])
    assert frame["summary"][0] == "z" * 70_000  # the frame given is not changed
    small = frame.iloc[:1, [0, 3]]
    assert cut_frame(small) == (small, [])


# -- through the store ------------------------------------------------------------------------


def _big_record(nct: str, title: str) -> dict[str, Any]:
    """A fictional record whose list-view JSON is about 175 kB, with no single text over the
    limit: two keywords of 27 kB, a summary and criteria of 40 kB (Greek, two bytes a letter)."""
    record = fictional_study(nct, title, keywords=[f"κράμπα {k} " + "λέξη " * 3_000
                                                    for k in range(2)])
    record["protocolSection"]["descriptionModule"] = {"briefSummary": "σ " * 20_000}
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "ε " * 20_000
    return record


def test_a_record_over_64_kib_round_trips_byte_for_byte_through_history_sql_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    old = _big_record("NCT99000810", "Fictional Long Study")
    new = _big_record("NCT99000810", "Fictional Long Study")
    new["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    texts = [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in (old, new)]
    assert min(len(t) for t in texts) > 170_000
    with Store(tmp_path / "data" / "studies.duckdb") as store:
        first = store.add_records([old])
        store.add_records([new])
        stored = store.con.execute(
            "SELECT record_parts FROM version_records ORDER BY first_seen").fetchall()
        assert [len(p) for (p,) in stored] == [3, 3]
        assert all(max(_sizes(p)) <= MOST_BYTES for (p,) in stored)
        joined = store.con.execute("SELECT record FROM versions ORDER BY first_seen").fetchall()
        assert [r.encode() for (r,) in joined] == texts
        assert store.record("NCT99000810", first.hashes["NCT99000810"]) == old
        [change] = [c for _, cs in history(store, "NCT99000810") for c in cs]
        assert (change.change, change.before, change.after) == ("status", "RECRUITING",
                                                               "COMPLETED")
        # the search tables hold the texts whole: each is under the limit
        row = store.first_row("SELECT keywords, brief_summary FROM studies")
        assert row == ("|".join(new["protocolSection"]["conditionsModule"]["keywords"]),
                       "σ " * 20_000)
    assert main(["sql", "--format", "json", "SELECT strlen(record) AS n FROM versions "
                 "ORDER BY first_seen"]) == 0
    assert [orjson.loads(line)["n"] for line in capsys.readouterr().out.splitlines()] == \
        [len(t) for t in texts]
    assert main(["store", "export", str(tmp_path / "pq")]) == 0
    exported = duckdb.connect().execute(
        f"SELECT record FROM '{tmp_path / 'pq' / 'versions.parquet'}' "
        "ORDER BY first_seen").fetchall()
    assert [r.encode() for (r,) in exported] == texts


def test_a_long_text_of_a_search_table_is_cut_counted_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    record = fictional_study("NCT99000811", "Fictional Stopped Study", status="TERMINATED")
    record["protocolSection"]["statusModule"]["whyStopped"] = "ö" * 50_000  # 100,000 bytes
    with Store(tmp_path / "studies.duckdb") as store, caplog.at_level(logging.WARNING):
        stats = store.add_records([record])
        why = store.first_row("SELECT why_stopped FROM studies")[0]
        kept = store.record("NCT99000811", stats.hashes["NCT99000811"])
    assert stats.cut == 1
    assert why.endswith(MARK.format(size=100_000)) and len(why.encode()) <= MOST_BYTES
    assert kept == record  # the record itself is kept whole
    assert [r.getMessage() for r in caplog.records] == [
        "1 text longer than 60 KiB cut in the study store, with a mark at the end "
        "(studies.why_stopped)"]


def test_a_sync_of_records_that_killed_the_checkpoint_now_completes(
    standin_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """60 fictional studies of about 1 MB each (ten keywords of 100 kB: a long record, and
    a long keywords text in the search table), and a reason for stopping of 100 kB (a long
    single text, also in the AACT views' records). On the previous store the sync ended at
    its last page with DuckDB's FATAL error, and the store had to be reopened."""
    studies = []
    for i in range(60):
        study = fictional_study(f"NCT99{1000 + i:06d}", f"Fictional Heavy Study {i}",
                                status="TERMINATED",
                                keywords=[f"{i}-{k} " + "x" * 100_000 for k in range(10)])
        study["protocolSection"]["statusModule"]["whyStopped"] = f"{i} " + "w" * 100_000
        studies.append(study)
    server = standin_factory(studies, max_page_size=10)
    settings = Settings(base_url=server.base_url, use_cache=False, timeout=30, retries=0,
                        backoff_factor=0.0, requests_per_minute=60000, page_size=10)
    with Store(tmp_path / "s.duckdb") as store, caplog.at_level(logging.WARNING):
        result = sync(store, TrialsClient(settings), SearchOptions(terms=("heavy",)))
        counts = store.first_row("SELECT (SELECT count(*) FROM versions), "
                                 "(SELECT count(*) FROM aact_records), "
                                 "(SELECT len(record_parts) FROM version_records "
                                 "WHERE nct_id = 'NCT99001059')")
        back = store.first_row("SELECT record FROM versions WHERE nct_id = 'NCT99001059'")[0]
        why = store.first_row("SELECT why_stopped FROM aact.studies "
                              "WHERE nct_id = 'NCT99001059'")[0]
    assert (result.studies, result.pages, result.cut_texts) == (60, 6, 780)
    assert counts == (60, 60, 18)  # each record of about 1 MB in 18 parts
    assert back.encode() == orjson.dumps(CTGOV.list_view(studies[59]),
                                         option=orjson.OPT_SORT_KEYS)
    assert why.endswith(MARK.format(size=100_003))
    said = [r.getMessage() for r in caplog.records if "cut in the study store" in r.getMessage()]
    # said once for the whole sync (its pages are stored in parts): of each study, ten keywords
    # and a reason in its AACT record, a keywords text and a reason in the search table
    assert said == ["780 texts longer than 60 KiB cut in the study store, with a mark at the "
                    "end (aact_records.doc, studies.keywords, studies.why_stopped)"]
