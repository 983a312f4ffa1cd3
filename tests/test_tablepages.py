"""Saved tables read a batch of studies at a time (a search that streams, answered from saved
tables, never holds them whole): the batches add up to the whole entry, each holds its own
studies' rows, a limit takes the first studies, and an entry that is not what we wrote fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from trialfinder.cache.tablecache import Dropped, Saved, SavedPages, TableCache
from trialfinder.core.errors import CacheError
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.frames import TABLE_NAMES, Tables
from trialfinder.topics.demo import load_demo_studies

KEY = "0123456789abcdef0123456789abcdef"
INFO = {"total_count": 60, "truncated": False}


@pytest.fixture
def whole() -> Tables:
    return normalize(load_demo_studies())


def saved(tmp_path: Path, tables: Tables) -> TableCache:
    cache = TableCache(tmp_path)
    assert cache.put(KEY, tables, INFO) is None
    return cache


def pages(cache: TableCache) -> SavedPages:
    found = cache.get_pages(KEY, max_age=None, newer_than=None)
    assert isinstance(found, SavedPages)
    return found


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain values (categories of several batches differ: compare their values)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_the_batches_add_up_to_the_whole_entry(tmp_path: Path, whole: Tables) -> None:
    entry = pages(saved(tmp_path, whole))
    assert entry.studies == 60
    batches = list(entry.batches(None, 7))
    assert [len(b.studies) for b in batches] == [7] * 8 + [4]
    for name in TABLE_NAMES:
        joined = pd.concat([getattr(b, name) for b in batches], ignore_index=True)
        assert plain(joined) == plain(getattr(whole, name)), name
        for batch in batches:  # each batch has the declared dtypes
            assert [str(d) for d in getattr(batch, name).dtypes] == \
                [str(d) for d in getattr(whole, name).dtypes], name
    # each batch holds its own studies' rows, and no other study's
    for batch in batches:
        ids = set(batch.studies["nct_id"])
        for name in TABLE_NAMES:
            assert set(getattr(batch, name)["nct_id"]) <= ids
    # the problem counts come once, with the first batch
    assert batches[0].problems == {"site_without_geopoint": 46}
    assert all(b.problems == {} and b.skipped == 0 for b in batches[1:])


def test_a_limit_takes_the_first_studies_and_their_rows(tmp_path: Path, whole: Tables) -> None:
    batches = list(pages(saved(tmp_path, whole)).batches(10, 4))
    assert [len(b.studies) for b in batches] == [4, 4, 2]
    first = list(whole.studies["nct_id"][:10])
    assert [i for b in batches for i in b.studies["nct_id"]] == first
    sites = pd.concat([b.sites for b in batches], ignore_index=True)
    assert plain(sites) == plain(whole.sites[whole.sites["nct_id"].isin(first)])
    assert len(sites) < len(whole.sites)


def test_an_entry_of_no_studies_is_one_batch_of_empty_tables(tmp_path: Path,
                                                              whole: Tables) -> None:
    empty = Tables.of({name: getattr(whole, name).iloc[:0] for name in TABLE_NAMES})
    (batch,) = pages(saved(tmp_path, empty)).batches(None, 5)
    assert [len(getattr(batch, name)) for name in TABLE_NAMES] == [0] * len(TABLE_NAMES)
    assert list(batch.sites.columns) == list(whole.sites.columns)


def test_rows_of_no_saved_study_fail_the_reading(tmp_path: Path, whole: Tables) -> None:
    stray = whole.sites.iloc[:1].copy()
    stray["nct_id"] = "NCT99999998"  # a site of a study the entry does not hold
    damaged = dataclasses.replace(whole, sites=pd.concat([whole.sites, stray],
                                                         ignore_index=True))
    batches = pages(saved(tmp_path, damaged)).batches(None, 25)
    with pytest.raises(CacheError, match="rows of sites belong to no saved study"):
        list(batches)


def test_a_changed_file_drops_the_entry_before_any_row(tmp_path: Path, whole: Tables) -> None:
    cache = saved(tmp_path, whole)
    path = tmp_path / f"{KEY}.sites.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    found = cache.get_pages(KEY, max_age=None, newer_than=None)
    assert isinstance(found, Dropped)
    assert "does not match its checksum" in found.reason
    assert not list(tmp_path.glob(f"{KEY}*"))


def open_entry_files() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += KEY in str(fd.readlink())
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_files_close_when_the_reader_stops_early(tmp_path: Path, whole: Tables) -> None:
    entry = pages(saved(tmp_path, whole))
    assert open_entry_files() == len(TABLE_NAMES)  # open, checked, until read
    batches = entry.batches(None, 7)
    next(batches)
    batches.close()  # the reader stopped after its first batch
    assert open_entry_files() == 0


def test_without_pyarrow_the_tables_come_whole(tmp_path: Path, whole: Tables,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = saved(tmp_path, whole)
    monkeypatch.setattr("trialfinder.cache.tablecache.arrow_parquet", lambda: None)
    entry = pages(cache)
    (batch,) = entry.batches(None, 7)
    assert len(batch.studies) == 60
    (first,) = entry.batches(12, 7)
    assert list(first.studies["nct_id"]) == list(whole.studies["nct_id"][:12])
    assert set(first.sites["nct_id"]) <= set(first.studies["nct_id"])
    assert isinstance(cache.get(KEY, max_age=None, newer_than=None), Saved)
