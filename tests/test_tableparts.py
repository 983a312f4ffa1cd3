"""Saved tables written a page at a time go on in a new part of each table every
``PAGES_PER_PART`` pages (so no Parquet writer holds a long search's every footer): the parts
read back whole and a batch at a time as one table, and a part that is changed, missing, extra
or named outside its entry drops the entry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from trialfinder.cache.tablecache import Dropped, Saved, SavedPages, TableCache
from trialfinder.cache.tablesaving import PageSaver
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.frames import TABLE_NAMES, Tables
from trialfinder.topics.demo import load_demo_studies

KEY = "0123456789abcdef0123456789abcdef"
PAGE = 7  # studies a page: 60 demo studies are 9 pages, 2 pages a part make 5 parts


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@pytest.fixture
def records() -> list[dict[str, Any]]:
    return load_demo_studies()


@pytest.fixture
def cache(tmp_path: Path, records: list[dict[str, Any]],
          monkeypatch: pytest.MonkeyPatch) -> TableCache:
    """An entry of 9 pages saved as a streaming search saves it, 2 pages a part."""
    monkeypatch.setattr("trialfinder.cache.tablesaving.PAGES_PER_PART", 2)
    cache = TableCache(tmp_path)
    saver = PageSaver(cache, KEY)
    for start in range(0, len(records), PAGE):
        saver.add(normalize(records[start:start + PAGE]))
    assert saver.commit({"total_count": 60}) is None
    return cache


def manifest(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / f"{KEY}.json").read_text())
    return loaded


def test_a_long_entry_is_saved_in_parts(tmp_path: Path, cache: TableCache) -> None:
    names = [f"{KEY}.{table}.parquet" if n == 0 else f"{KEY}.{table}.{n}.parquet"
             for table in TABLE_NAMES for n in range(5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, f"{KEY}.json"])
    studies = manifest(tmp_path)["files"]["studies"]
    assert studies["rows"] == 60
    assert [part["rows"] for part in studies["parts"]] == [14, 14, 14, 14, 4]
    assert [part["file"] for part in studies["parts"]] == names[:5]
    assert sorted(cache.recognised()) == sorted(tmp_path.iterdir())


def test_the_parts_read_back_whole_as_one_table(cache: TableCache,
                                                records: list[dict[str, Any]]) -> None:
    whole = normalize(records)
    saved = cache.get(KEY, max_age=None, newer_than=None)
    assert isinstance(saved, Saved)
    for name in TABLE_NAMES:
        assert plain(getattr(saved.tables, name)) == plain(getattr(whole, name)), name
        assert [str(d) for d in getattr(saved.tables, name).dtypes] == \
            [str(d) for d in getattr(whole, name).dtypes], name
    assert saved.tables.problems == whole.problems


def test_batches_run_across_the_parts(cache: TableCache, records: list[dict[str, Any]]) -> None:
    whole = normalize(records)
    entry = cache.get_pages(KEY, max_age=None, newer_than=None)
    assert isinstance(entry, SavedPages) and entry.studies == 60
    batches = list(entry.batches(None, 4))  # parts end after 14, 28, 42 and 56 studies
    assert [len(b.studies) for b in batches] == [4] * 15
    for name in TABLE_NAMES:
        joined = pd.concat([getattr(b, name) for b in batches], ignore_index=True)
        assert plain(joined) == plain(getattr(whole, name)), name
    for batch in batches:  # each study's sites etc. come with it, whichever part holds them
        ids = set(batch.studies["nct_id"])
        for name in TABLE_NAMES:
            expected = getattr(whole, name)
            assert plain(getattr(batch, name)) == plain(
                expected[expected["nct_id"].isin(ids)]), name
    limited = list(cache.get_pages(KEY, max_age=None, newer_than=None)  # type: ignore[union-attr]
                   .batches(30, 20))
    assert [len(b.studies) for b in limited] == [20, 10]
    assert list(limited[1].studies["nct_id"]) == list(whole.studies["nct_id"][20:30])


def test_a_changed_part_drops_the_entry(tmp_path: Path, cache: TableCache) -> None:
    path = tmp_path / f"{KEY}.sites.2.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    found = cache.get_pages(KEY, max_age=None, newer_than=None)
    assert found == Dropped(f"{KEY}.sites.2.parquet does not match its checksum")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_part_drops_the_entry(tmp_path: Path, cache: TableCache) -> None:
    (tmp_path / f"{KEY}.contacts.4.parquet").unlink()
    found = cache.get(KEY, max_age=None, newer_than=None)
    assert found == Dropped(f"{KEY}.contacts.4.parquet is missing")
    assert list(tmp_path.iterdir()) == []


def test_a_part_the_manifest_does_not_list_drops_the_entry(tmp_path: Path,
                                                           cache: TableCache) -> None:
    extra = tmp_path / f"{KEY}.studies.5.parquet"
    extra.write_bytes((tmp_path / f"{KEY}.studies.4.parquet").read_bytes())
    found = cache.get(KEY, max_age=None, newer_than=None)
    assert found == Dropped(f"{KEY}.studies.5.parquet is not listed in its manifest")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("named", ["../outside.parquet", f"{'f' * 32}.sites.parquet",
                                   f"{KEY}.sites.parquet", f"{KEY}.sites.3.parquet"])
def test_a_manifest_naming_another_file_is_refused(tmp_path: Path, cache: TableCache,
                                                   named: str) -> None:
    target = tmp_path / named
    if not target.exists():  # a file the manifest points at, checksum and all
        target.write_bytes((tmp_path / f"{KEY}.sites.1.parquet").read_bytes())
    body = target.read_bytes()
    listed = manifest(tmp_path)
    listed["files"]["sites"]["parts"][1].update(
        file=named, sha256=hashlib.sha256(body).hexdigest())
    (tmp_path / f"{KEY}.json").write_text(json.dumps(listed))
    found = cache.get(KEY, max_age=None, newer_than=None)
    assert found == Dropped("the manifest entry for sites is malformed")
    if not named.startswith(KEY):  # a file not of this entry is left alone
        assert target.read_bytes() == body


def test_rows_that_do_not_add_up_are_refused(tmp_path: Path, cache: TableCache) -> None:
    listed = manifest(tmp_path)
    listed["files"]["studies"]["rows"] = 61
    (tmp_path / f"{KEY}.json").write_text(json.dumps(listed))
    found = cache.get(KEY, max_age=None, newer_than=None)
    assert found == Dropped("the manifest entry for studies is malformed")


def test_a_shorter_entry_saved_again_leaves_no_old_part(
        tmp_path: Path, cache: TableCache, records: list[dict[str, Any]]) -> None:
    assert cache.put(KEY, normalize(records[:3]), {}) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{KEY}.json", *(f"{KEY}.{name}.parquet" for name in TABLE_NAMES)])
    saved = cache.get(KEY, max_age=None, newer_than=None)
    assert isinstance(saved, Saved) and len(saved.tables.studies) == 3


def test_clear_removes_every_part(tmp_path: Path, cache: TableCache) -> None:
    assert cache.clear().files == 5 * len(TABLE_NAMES) + 1
    assert list(tmp_path.iterdir()) == []


def test_a_search_that_does_not_end_leaves_no_part(
        tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trialfinder.cache.tablesaving.PAGES_PER_PART", 1)
    cache = TableCache(tmp_path)
    saver = PageSaver(cache, KEY)
    for start in (0, 7, 14):
        saver.add(normalize(records[start:start + 7]))
    assert len(list(tmp_path.iterdir())) == 3 * len(TABLE_NAMES)  # three parts begun
    saver.discard()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_streamed_answer_is_one_empty_part(tmp_path: Path) -> None:
    cache = TableCache(tmp_path)
    assert PageSaver(cache, KEY).commit({}) is None
    saved = cache.get(KEY, max_age=None, newer_than=None)
    assert isinstance(saved, Saved)
    assert [len(getattr(saved.tables, name)) for name in TABLE_NAMES] == [0] * 6
    assert isinstance(saved.tables, Tables)


def test_parts_read_back_whole_by_duckdb_without_pyarrow(
        cache: TableCache, records: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trialfinder.cache.tableparquet.arrow_parquet", lambda: None)
    whole = normalize(records)
    saved = cache.get(KEY, max_age=None, newer_than=None)
    assert isinstance(saved, Saved)
    for name in TABLE_NAMES:
        assert plain(getattr(saved.tables, name)) == plain(getattr(whole, name)), name
        assert [str(d) for d in getattr(saved.tables, name).dtypes] == \
            [str(d) for d in getattr(whole, name).dtypes], name
