"""Exports that stream (issue 22, items 1 and 2): a search of the API written page by page
gives the rows, the bytes and the provenance the in-memory search gives; Parquet out of a
search is typed like the tables and reads back in pandas and DuckDB."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from conftest import assert_same_export
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.service.searching import Results, search
from trialfinder.service.streaming import Tally
from trialfinder.tables.export import to_csv_bytes, to_jsonl_bytes, write_export
from trialfinder.tables.filters import LocalFilters, apply_filters
from trialfinder.tables.filterspec import FilterStep
from trialfinder.tables.parquetout import ParquetPages
from trialfinder.tables.stepmerge import StepTotals
from trialfinder.topics.demo import FICTIONAL_PROVENANCE, honest_links, load_demo_studies

#: The search every test here runs: the demo studies over pages of at most 7, distances
#: computed (a note of sites without coordinates on several pages), a keyword that only
#: the library checks removing studies from several pages.
ARGS = ("--preset", "muscle-spasm", "--near", "42.36,-71.06", "--radius", "2000mi",
        "--keyword", "pain", "--all")
KWARGS: dict[str, Any] = {"preset": "muscle-spasm", "near": "42.36,-71.06",
                          "radius": "2000mi", "keyword": "pain"}
#: Sidecar keys that differ from run to run (times) or with the HTTP traffic of each run.
MOVING = {"written_at", "fetched_at", "requests", "bytes", "pages_from_cache"}


@pytest.fixture
def paged(standin_factory: Any, monkeypatch: pytest.MonkeyPatch,
          tmp_path: Path) -> StandInServer:
    server: StandInServer = standin_factory(load_demo_studies(), max_page_size=7)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    # a batch of tables a page: the counts of several batches are added up
    monkeypatch.setattr("trialfinder.service.streaming.BATCH_STUDIES", 7)
    return server


def in_memory(server: StandInServer, tmp_path: Path) -> Results:
    return search(settings=Settings(base_url=server.base_url, cache_dir=tmp_path / "other",
                                    use_cache=False, use_store=False), limit=None, **KWARGS)


def sidecar(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(path.with_name(path.name + ".meta.json").read_text())
    return {k: v for k, v in meta.items() if k not in MOVING}


@pytest.mark.parametrize("sites", [False, True])
@pytest.mark.parametrize("ending", ["csv", "jsonl", "parquet"])
def test_a_file_written_page_by_page_is_the_in_memory_export(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        ending: str, sites: bool) -> None:
    streamed = tmp_path / f"streamed.{ending}"
    code = main(["search", *ARGS, "--no-cache", *(["--sites"] if sites else []),
                 "--output", str(streamed)])
    err = capsys.readouterr().err
    assert code == 0, err
    pages = paged.stats.requests  # no /version without a cache
    res = in_memory(paged, tmp_path)
    assert pages == -(-(res.meta.total_reported or 0) // 7) >= 3  # seven studies a page
    whole = tmp_path / f"whole.{ending}"
    frame = res.sites if sites else res.studies
    write_export(whole, frame, res.meta, fmt={"jsonl": "jsonl"}.get(ending, ending))
    assert_same_export(streamed, whole, ending)
    mine, theirs = sidecar(streamed), sidecar(whole)
    assert mine.pop("file") == streamed.name and theirs.pop("file") == whole.name
    # both files say their studies are fictional (NCT99...)
    assert mine.pop("fictional") == theirs.pop("fictional") == FICTIONAL_PROVENANCE
    assert mine == theirs
    assert mine["rows_written"] == len(frame) > 0
    assert mine["rows"] == {"studies": len(res.studies), "sites": len(res.sites)}
    what = "sites" if sites else "studies"
    assert f"wrote {len(frame):,} {what} to {streamed}" in err


def test_the_filter_counts_add_up_over_the_pages(paged: StandInServer, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.csv"
    assert main(["search", *ARGS, "--no-cache", "--output", str(out)]) == 0
    capsys.readouterr()
    filters = json.loads(out.with_name("s.csv.meta.json").read_text())["filters"]
    whole = in_memory(paged, tmp_path).meta.to_dict()["filters"]
    assert filters == whole
    assert [(f["name"], f["removed"], f["note"]) for f in filters] == [
        ("within 2000 mi of 42.36, -71.06", 0, "42 sites without coordinates ignored"),
        ("keyword 'pain'", 18, None)]


@pytest.mark.parametrize(("fmt", "encode"), [("csv", to_csv_bytes), ("json", to_jsonl_bytes)])
def test_standard_output_is_written_page_by_page_with_the_same_bytes(
        paged: StandInServer, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes],
        fmt: str, encode: Any) -> None:
    assert main(["search", *ARGS, "--no-cache", "--format", fmt]) == 0
    out, err = capsysbinary.readouterr()
    res = in_memory(paged, tmp_path)
    assert out == encode(honest_links(res.studies))  # the invented studies' urls emptied
    assert len(res.studies) == 7 and b"clinicaltrials.gov/study" not in out
    assert err.decode().endswith("7 studies; the API reported 25 matching studies, 25 fetched; "
                                 "local filters keyword 'pain': -18\n")


def test_an_answer_of_no_studies_is_a_file_of_its_columns(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "none.csv"
    assert main(["search", "-c", "no such condition anywhere", "--output", str(out)]) == 0
    assert "wrote 0 studies" in capsys.readouterr().err
    header = out.read_text().splitlines()
    assert len(header) == 1 and header[0].startswith("nct_id,")
    assert json.loads(out.with_name("none.csv.meta.json").read_text())["rows_written"] == 0


def test_an_unknown_column_fails_before_the_search_goes_on(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", *ARGS, "--no-cache", "--columns", "nct_id,colour",
                 "--output", str(tmp_path / "x.csv")])
    assert code == 2
    assert "unknown column(s) 'colour'" in capsys.readouterr().err
    # at most the first page, asked for early in its own thread while pandas loaded (whether
    # it reached the server before the refusal is a race); no page after it
    assert paged.stats.requests <= 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("columns", "said"), [
    (",", "--columns ',' names no column"),
    ("", "--columns '' names no column"),
    ("nct_id,title,nct_id", "--columns names 'nct_id' more than once"),
])
def test_a_column_list_of_no_names_or_a_name_twice_is_refused_before_any_request(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        columns: str, said: str) -> None:
    """It had written a file of no columns (``,``), every column (``""``), or failed with
    an AttributeError as a bug (a name twice)."""
    for output in (["--output", str(tmp_path / "x.csv")], ["--format", "csv"]):
        code = main(["search", *ARGS, "--no-cache", "--columns", columns, *output])
        err = capsys.readouterr().err
        assert code == 2
        assert err.splitlines() == [f"trialfinder: error: {said}" + (
            "; give names such as nct_id,title,status" if "no column" in said
            else "; give each column once")]
    assert paged.stats.requests == 0
    assert list(tmp_path.iterdir()) == []


def test_parquet_is_typed_like_the_tables(paged: StandInServer, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "studies.parquet"
    assert main(["search", *ARGS, "--no-cache", "--output", str(out)]) == 0
    capsys.readouterr()
    res = in_memory(paged, tmp_path)
    back = pd.read_parquet(out)  # plainly: the file says what the tables' dtypes are
    assert list(back.columns) == list(res.studies.columns)
    assert {c: str(back[c].dtype) for c in back.columns} == {
        c: str(res.studies[c].dtype) for c in res.studies.columns}
    assert isinstance(back["status"].dtype, pd.CategoricalDtype)
    assert str(back["start_date"].dtype) == "datetime64[ns]"
    assert str(back["nearest_distance_mi"].dtype) == "Float64"
    assert str(back["enrollment"].dtype) == "Int64"
    assert list(back["nct_id"]) == list(res.studies["nct_id"])
    assert list(back["enrollment"]) == [int(v) for v in res.studies["enrollment"]]
    assert list(back["status"].astype(str)) == list(res.studies["status"].astype(str))
    assert back["start_date"].equals(res.studies["start_date"])
    types = dict(duckdb.sql(f"describe select * from read_parquet('{out}')").fetchall()[i][:2]
                 for i in range(len(back.columns)))
    assert (types["nct_id"], types["status"], types["enrollment"], types["start_date"],
            types["nearest_distance_mi"]) == ("VARCHAR", "VARCHAR", "BIGINT", "TIMESTAMP_NS",
                                              "DOUBLE")
    by_status = duckdb.sql(f"select status, count(*) from read_parquet('{out}') group by 1 "
                           "order by 1").fetchall()
    assert by_status == sorted(res.studies["status"].astype(str).value_counts().items())


def test_one_page_writer_stores_categories_as_asked(tmp_path: Path) -> None:
    studies = normalize(load_demo_studies()[:12]).studies
    dtypes = {c: str(studies[c].dtype) for c in ("nct_id", "status", "enrollment",
                                                  "start_date")}
    frame = studies[list(dtypes)]
    for storage in ("dictionary", "text"):
        path = tmp_path / f"{storage}.parquet"
        out = ParquetPages(path, categories=storage, dtypes=dtypes, compression="snappy")
        out.write(frame.iloc[:5])
        out.write(frame.iloc[5:])
        out.end()
        read = pq.ParquetFile(path)
        assert read.metadata.num_row_groups == 2
        assert str(read.schema_arrow.field("status").type) == (
            "dictionary<values=string, indices=int32, ordered=0>" if storage == "dictionary"
            else "string")
        assert read.metadata.row_group(0).column(0).compression == "SNAPPY"
        back = read.read().to_pandas()
        assert list(back["status"].astype(str)) == list(frame["status"].astype(str))
        assert list(back["enrollment"].fillna(-1)) == list(frame["enrollment"].fillna(-1))
        assert back["start_date"].equals(frame["start_date"].reset_index(drop=True))
    # no page at all: a file of no rows, typed by the dtypes given
    empty = tmp_path / "empty.parquet"
    out = ParquetPages(empty, categories="text", dtypes=dtypes)
    out.end()
    schema = pq.ParquetFile(empty).schema_arrow
    assert [str(schema.field(c).type) for c in dtypes] == ["string", "string", "int64",
                                                           "timestamp[ns]"]
    assert pq.ParquetFile(empty).metadata.num_rows == 0


def test_parquet_of_a_file_search_and_of_the_python_api(tmp_path: Path) -> None:
    tables = normalize(load_demo_studies()[:5])
    res = Results.from_tables(tables)
    path = write_export(tmp_path / "five.parquet", res.studies, res.meta, fmt="parquet")
    back = pd.read_parquet(path)
    assert list(back["nct_id"]) == ["NCT99000001", "NCT99000002", "NCT99000003",
                                    "NCT99000004", "NCT99000005"]
    assert json.loads(path.with_name("five.parquet.meta.json").read_text())["format"] == \
        "parquet"


# -- the steps of pages added up are the steps of the whole -----------------------------------

FILTERS = [
    LocalFilters(sex="FEMALE", age=30),
    LocalFilters(near=(42.36, -71.06), radius_mi=300.0, healthy_volunteers=True),
    LocalFilters(countries=("United States",), start_from="2020", keyword="pain"),
    LocalFilters(statuses=("RECRUITING", "COMPLETED"), phases=("PHASE2",)),
]


@settings(max_examples=25, deadline=None)
@given(which=st.integers(0, len(FILTERS) - 1),
       cuts=st.lists(st.integers(1, 59), max_size=8, unique=True))
def test_steps_of_pages_add_up_to_the_steps_of_the_whole(which: int, cuts: list[int]) -> None:
    records = load_demo_studies()
    filters = FILTERS[which]
    whole = apply_filters(normalize(records), filters)
    totals = StepTotals()
    kept: list[str] = []
    bounds = [0, *sorted(cuts), len(records)]
    for start, stop in itertools.pairwise(bounds):
        page = apply_filters(normalize(records[start:stop]), filters)
        totals.add(page.steps)
        kept += list(page.studies["nct_id"])
    assert totals.steps == tuple(whole.steps)
    assert kept == list(whole.studies["nct_id"])


def test_numbers_in_notes_are_added_with_their_nouns() -> None:
    totals = StepTotals()
    totals.add([FilterStep("start 2020 to …", 1, "1 study with no start date removed")])
    totals.add([FilterStep("start 2020 to …", 2, "1,200 studies with no start date "
                           "(1 with an unreadable date) removed; 1 site without coordinates "
                           "ignored")])
    totals.add([FilterStep("start 2020 to …", 0, "2 sites without coordinates ignored")])
    assert totals.steps == (FilterStep(
        "start 2020 to …", 3, "1,201 studies with no start date (1 with an unreadable date) "
        "removed; 3 sites without coordinates ignored"),)


def test_a_search_that_streams_saves_its_tables_for_the_next_one(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "first.csv"
    assert main(["search", *ARGS, "--output", str(out)]) == 0  # the cache on: saved
    capsys.readouterr()
    asked = paged.stats.requests
    again = search(settings=Settings(base_url=paged.base_url, cache_dir=tmp_path / "cache",
                                     use_store=False), limit=None, **KWARGS)
    assert again.meta.answered_from is not None
    assert again.meta.answered_from.startswith("tables saved")
    assert paged.stats.requests == asked  # not even /version: it is cached for an hour
    whole = in_memory(paged, tmp_path)
    for name in ("studies", "sites", "conditions", "interventions", "contacts", "officials"):
        pd.testing.assert_frame_equal(getattr(again.all, name), getattr(whole.all, name))
    repeat = tmp_path / "repeat.csv"
    assert main(["search", *ARGS, "--output", str(repeat)]) == 0
    assert "answered_from" in sidecar(repeat)
    assert sidecar(repeat)["answered_from"].startswith("tables saved")
    assert repeat.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("extra", [["--sites"], ["--limit", "9"]])
def test_a_repeat_answered_from_saved_tables_reads_them_a_batch_at_a_time(
        paged: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> None:
    first = tmp_path / "first.csv"
    assert main(["search", *ARGS, "--output", str(first)]) == 0  # the --all answer saved
    fresh = tmp_path / "fresh.csv"
    args = [a for a in ARGS if a != "--all"] if "--limit" in extra else list(ARGS)
    assert main(["search", *args, *extra, "--no-cache", "--output", str(fresh)]) == 0
    capsys.readouterr()
    asked = paged.stats.requests

    def whole(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("saved tables read whole by a search that streams")

    monkeypatch.setattr("trialfinder.cache.tablecache.TableCache.get", whole)
    handed: list[int] = []
    real = Tally.page

    def page(self: Tally, tables: Any, hold: Any = None) -> None:
        handed.append(len(tables.studies))
        real(self, tables, hold)

    monkeypatch.setattr(Tally, "page", page)
    repeat = tmp_path / "repeat.csv"
    assert main(["search", *args, *extra, "--output", str(repeat)]) == 0
    assert paged.stats.requests == asked
    assert sidecar(repeat)["answered_from"].startswith("tables saved")
    assert repeat.read_bytes() == fresh.read_bytes()
    # batches of seven studies (the fixture's batch size): the first nine are 7 + 2
    assert handed[:2] == ([7, 2] if "--limit" in extra else [7, 7])


def test_a_parquet_export_given_up_closes_its_writer_while_the_file_is_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C part-way through a Parquet export: no file is left, and the writer is not left
    for the garbage collector to close into a closed file ("Exception ignored in
    ParquetWriter.__del__ ... write to closed file")."""
    import gc
    import sys

    from trialfinder.tables.exportpages import export_pages
    from trialfinder.topics.demo import load_demo_studies

    ignored: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda report: ignored.append(repr(report.exc_value)))
    frame = normalize(load_demo_studies()[:5]).studies
    path = tmp_path / "x.parquet"
    with pytest.raises(KeyboardInterrupt), export_pages(path, "parquet") as out:
        out.write(frame)
        raise KeyboardInterrupt
    del out
    gc.collect()
    assert ignored == [] and not path.exists()
    assert list(tmp_path.iterdir()) == []
