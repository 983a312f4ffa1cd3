"""Saved tables: a repeated search is answered without parsing again, while fresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from devtools.standin import StandInServer
from trialfinder.api.client import API_MEMO, TrialsClient
from trialfinder.config import Settings
from trialfinder.service import search
from trialfinder.store.tablecache import TableCache
from trialfinder.tables.normalize import normalize
from trialfinder.topics.demo import load_demo_studies

Factory = Callable[..., StandInServer]


def settings_for(server: StandInServer, tmp_path: Path, **changes: object) -> Settings:
    return Settings(base_url=server.base_url, cache_dir=tmp_path, requests_per_minute=1e6,
                    burst=10**6, backoff_factor=0.0).with_(**changes)


def test_repeat_search_uses_the_saved_tables(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies(), max_page_size=10)
    settings = settings_for(server, tmp_path)
    first = search(settings=settings, preset="muscle-spasm")
    assert server.stats.paths["/api/v2/studies"] == 4
    assert len(list((tmp_path / "tables").glob("*.pickle"))) == 1
    again = search(client=TrialsClient(settings), preset="muscle-spasm")
    assert server.stats.paths["/api/v2/studies"] == 4  # nothing asked again
    pd.testing.assert_frame_equal(again.studies, first.studies)
    pd.testing.assert_frame_equal(again.sites, first.sites)
    assert again.meta["total_reported"] == first.meta["total_reported"] == 32
    assert again.meta["fetched_at"] == first.meta["fetched_at"]
    assert again.meta["requests"] == 0
    assert again.meta["answered_from"] == "tables saved 0 seconds ago"
    assert first.meta["answered_from"] == "the API"


def test_saved_tables_expire_and_yield_to_newer_data(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    tables = normalize(load_demo_studies()[:3])
    store.put("k", tables, {"total_count": 3})
    now = datetime.now(UTC)
    hit = store.get("k", max_age=timedelta(hours=1), newer_than=now - timedelta(days=1))
    assert hit is not None and hit.info == {"total_count": 3}
    pd.testing.assert_frame_equal(hit.tables.studies, tables.studies)
    assert store.get("k", max_age=timedelta(0), newer_than=None) is None  # too old
    assert store.get("k", max_age=None, newer_than=now + timedelta(days=1)) is None  # data newer
    assert store.get("other", max_age=None, newer_than=None) is None


def test_newer_api_data_is_fetched_again(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    search(settings=settings_for(server, tmp_path), preset="als")
    server.api.data_timestamp = "2999-01-01T00:00:00"
    client = TrialsClient(settings_for(server, tmp_path))
    client.session.cache.clear()  # type: ignore[attr-defined]  # forget the cached /version
    API_MEMO.forget()  # and what this process remembers of it, as a new process would
    search(client=client, preset="als")
    assert server.stats.paths["/api/v2/studies"] == 2


def test_an_unreadable_saved_file_is_a_miss(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    settings = settings_for(server, tmp_path)
    search(settings=settings, preset="als")
    (saved,) = (tmp_path / "tables").glob("*.pickle")
    saved.write_bytes(b"garbage")
    res = search(settings=settings, preset="als")
    assert len(res.studies) == 6
    assert saved.exists() and saved.read_bytes() != b"garbage"  # replaced by a good one


def test_offline_mode_uses_saved_tables_of_any_age(standin_factory: Factory,
                                                   tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    search(settings=settings_for(server, tmp_path), preset="als")
    offline = settings_for(server, tmp_path, offline=True, expire_after=timedelta(0))
    server.close()
    res = search(settings=offline, preset="als")
    assert len(res.studies) == 6
    assert res.warnings == ["offline mode: results come from the local cache only"]


def test_no_cache_saves_nothing(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    search(settings=settings_for(server, tmp_path, use_cache=False), preset="als")
    assert not (tmp_path / "tables").exists()
