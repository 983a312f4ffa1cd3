"""Saved tables: a repeated search is answered without parsing again, while fresh; what is read
back is Parquet checked against its manifest, never a pickle."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from devtools.standin import StandInServer
from trialfinder.cache.tablecache import Dropped, Saved, TableCache
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.client import API_MEMO, TrialsClient
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.service.searching import search
from trialfinder.topics.demo import load_demo_studies

Factory = Callable[..., StandInServer]
STUDIES = "/api/v2/studies"
ROOT = Path(__file__).resolve().parents[1]


def settings_for(server: StandInServer, tmp_path: Path, **changes: object) -> Settings:
    return Settings(base_url=server.base_url, cache_dir=tmp_path, requests_per_minute=1e6,
                    burst=10**6, backoff_factor=0.0).with_(**changes)


def only_key(folder: Path) -> str:
    (manifest,) = folder.glob("*.json")
    return manifest.name.removesuffix(".json")


def assert_same_tables(one: Any, two: Any) -> None:
    for name in ("studies", "sites", "contacts", "officials", "conditions", "interventions"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))


class Planted:
    """Unpickling this creates ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_repeat_search_uses_the_saved_tables(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies(), max_page_size=10)
    settings = settings_for(server, tmp_path)
    first = search(settings=settings, preset="muscle-spasm")
    assert server.stats.paths[STUDIES] == 4
    folder = tmp_path / "tables"
    key = only_key(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{key}.{end}" for end in ("json", "studies.parquet", "sites.parquet",
                                   "contacts.parquet", "officials.parquet",
                                   "conditions.parquet", "interventions.parquet"))
    assert not list(tmp_path.rglob("*.pickle"))
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    manifest = json.loads((folder / f"{key}.json").read_text())
    assert manifest["files"]["studies"]["rows"] == len(first.all.studies) == 32
    assert manifest["info"]["total_count"] == 32

    again = search(client=TrialsClient(settings), preset="muscle-spasm")
    assert server.stats.paths[STUDIES] == 4  # nothing asked again
    assert_same_tables(again.all, first.all)
    pd.testing.assert_frame_equal(again.studies, first.studies)
    # whom to call survives the repeat too
    assert len(first.all.contacts) > 0 and len(first.all.officials) > 0
    pd.testing.assert_frame_equal(again.all.contacts, first.all.contacts)
    pd.testing.assert_frame_equal(again.all.officials, first.all.officials)
    assert again.meta["total_reported"] == first.meta["total_reported"] == 32
    assert again.meta["fetched_at"] == first.meta["fetched_at"]
    assert again.meta["requests"] == 0
    assert re.fullmatch(r"tables saved \d+ seconds? ago", again.meta["answered_from"])
    assert first.meta["answered_from"] == "the API"
    assert again.warnings == first.warnings == []


def test_saved_tables_expire_and_yield_to_newer_data(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    tables = normalize(load_demo_studies()[:3])
    assert store.put("a" * 32, tables, {"total_count": 3}) is None
    now = datetime.now(UTC)
    hit = store.get("a" * 32, max_age=timedelta(hours=1), newer_than=now - timedelta(days=1))
    assert isinstance(hit, Saved) and hit.info == {"total_count": 3}
    assert_same_tables(hit.tables, tables)
    assert store.get("a" * 32, max_age=timedelta(0), newer_than=None) is None  # too old
    assert store.get("a" * 32, max_age=None, newer_than=now + timedelta(days=1)) is None
    assert store.get("b" * 32, max_age=None, newer_than=None) is None


def test_empty_tables_keep_their_columns_and_dtypes(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    empty = normalize([])
    assert store.put("c" * 32, empty, {}) is None
    hit = store.get("c" * 32, max_age=None, newer_than=None)
    assert isinstance(hit, Saved)
    assert_same_tables(hit.tables, empty)


WITHOUT_PYARROW = """
import sys
sys.modules["pyarrow"] = None  # as if pyarrow were not installed
from pathlib import Path
import pandas as pd
from trialfinder.cache.tablecache import Saved, TableCache
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.topics.demo import load_demo_studies
tables = normalize(load_demo_studies())
store = TableCache(Path(sys.argv[1]))
assert store.put("9" * 32, tables, {}) is None
hit = store.get("9" * 32, max_age=None, newer_than=None)
assert isinstance(hit, Saved)
for name in ("studies", "sites", "conditions", "interventions"):
    pd.testing.assert_frame_equal(getattr(hit.tables, name), getattr(tables, name))
print(len(hit.tables.studies), "pyarrow" in sys.modules and sys.modules["pyarrow"] is not None)
"""


def test_tables_round_trip_without_pyarrow(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", WITHOUT_PYARROW, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{len(load_demo_studies())} False\n"


def test_problem_counts_survive_the_round_trip(tmp_path: Path) -> None:
    records: list[Any] = [*load_demo_studies()[:2], "not a record", {"protocolSection": {}}]
    tables = normalize(records)
    assert tables.skipped == 2
    store = TableCache(tmp_path)
    store.put("d" * 32, tables, {})
    hit = store.get("d" * 32, max_age=None, newer_than=None)
    assert isinstance(hit, Saved)
    assert (hit.tables.skipped, hit.tables.problems) == (2, tables.problems)


def test_newer_api_data_is_fetched_again(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    search(settings=settings_for(server, tmp_path), preset="als")
    server.api.data_timestamp = "2999-01-01T00:00:00"
    client = TrialsClient(settings_for(server, tmp_path))
    client.session.cache.clear()  # type: ignore[attr-defined]  # forget the cached /version
    API_MEMO.forget()  # and what this process remembers of it, as a new process would
    search(client=client, preset="als")
    assert server.stats.paths[STUDIES] == 2


def test_a_tampered_table_is_dropped_with_a_warning_and_fetched_again(
    standin_factory: Factory, tmp_path: Path
) -> None:
    server = standin_factory(load_demo_studies())
    settings = settings_for(server, tmp_path)
    first = search(settings=settings, preset="als")
    key = only_key(tmp_path / "tables")
    saved = tmp_path / "tables" / f"{key}.studies.parquet"
    body = bytearray(saved.read_bytes())
    body[len(body) // 2] ^= 0xFF
    saved.write_bytes(bytes(body))
    http = TrialsClient(settings)
    http.session.cache.clear()  # type: ignore[attr-defined]  # so the refetch reaches the API

    res = search(client=http, preset="als")
    assert server.stats.paths[STUDIES] == 2  # fetched again
    assert len(res.studies) == len(first.studies) == 6
    assert res.warnings == [f"saved tables for this search were dropped ({key}.studies.parquet "
                            "does not match its checksum); fetched again"]
    assert res.meta["answered_from"] == "the API"
    third = search(settings=settings, preset="als")  # the new entry is whole again
    assert server.stats.paths[STUDIES] == 2
    assert re.fullmatch(r"tables saved \d+ seconds? ago", third.meta["answered_from"])
    assert third.warnings == []


def test_a_garbage_manifest_is_dropped(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    store.put("e" * 32, normalize(load_demo_studies()[:2]), {})
    (tmp_path / f"{'e' * 32}.json").write_bytes(b"[" * 200_000)
    got = store.get("e" * 32, max_age=None, newer_than=None)
    assert got == Dropped("the manifest is not JSON")
    assert list(tmp_path.iterdir()) == []  # the whole entry went


def test_an_entry_of_another_schema_version_is_dropped(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    store.put("f" * 32, normalize(load_demo_studies()[:2]), {})
    path = tmp_path / f"{'f' * 32}.json"
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = 1
    path.write_text(json.dumps(manifest))
    got = store.get("f" * 32, max_age=None, newer_than=None)
    assert got == Dropped("it was saved by another version of trialfinder")


def test_a_pickle_is_never_loaded_even_with_a_matching_manifest(
    standin_factory: Factory, tmp_path: Path
) -> None:
    server = standin_factory(load_demo_studies())
    settings = settings_for(server, tmp_path)
    search(settings=settings, preset="als")
    folder = tmp_path / "tables"
    key = only_key(folder)
    marker = tmp_path / "pickle-was-loaded"
    payload = pickle.dumps(Planted(marker))
    (folder / f"{key}.pickle").write_bytes(payload)  # where the old format kept it
    studies = folder / f"{key}.studies.parquet"
    studies.write_bytes(payload)  # and in place of a table, with its checksum updated
    manifest = json.loads((folder / f"{key}.json").read_text())
    manifest["files"]["studies"]["parts"][0]["sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / f"{key}.json").write_text(json.dumps(manifest))

    res = search(settings=settings, preset="als")
    assert not marker.exists()
    assert len(res.studies) == 6
    assert res.warnings == [f"saved tables for this search were dropped ({key}.studies.parquet "
                            "is not readable Parquet: ArrowInvalid); fetched again"]
    pickle.loads(payload)  # the payload is live: loading it would have left the marker
    assert marker.is_dir()


def test_a_saved_report_with_foreign_fields_is_dropped(standin_factory: Factory,
                                                       tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    settings = settings_for(server, tmp_path)
    search(settings=settings, preset="als")
    path = tmp_path / "tables" / f"{only_key(tmp_path / 'tables')}.json"
    manifest = json.loads(path.read_text())
    manifest["info"]["studies"] = [{"protocolSection": {}}]
    path.write_text(json.dumps(manifest))
    res = search(settings=settings, preset="als")
    assert len(res.studies) == 6
    assert res.warnings == ["saved tables for this search were dropped (its search report is "
                            "not one of ours); fetched again"]


@pytest.mark.parametrize(("writer", "why"), [("pyarrow", "No such file or directory"),
                                             ("duckdb", "IO Error")])
def test_a_failed_save_is_reported_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, why: str,
) -> None:
    if writer == "duckdb":
        monkeypatch.setattr("trialfinder.cache.tableparquet.arrow_parquet", lambda: None)
    store = TableCache(tmp_path / "gone")
    reason = store.put("a" * 32, normalize(load_demo_studies()[:2]), {})
    assert reason == f"{tmp_path / 'gone' / ('a' * 32)}.studies.parquet: {why}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["pyarrow", "duckdb"])
def test_tables_saved_by_either_writer_read_back_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str,
) -> None:
    if writer == "duckdb":
        monkeypatch.setattr("trialfinder.cache.tableparquet.arrow_parquet", lambda: None)
    tables = normalize(load_demo_studies()[:40])
    store = TableCache(tmp_path)
    assert store.put("b" * 32, tables, {"total_count": 40}) is None
    saved = store.get("b" * 32, max_age=None, newer_than=None)
    assert isinstance(saved, Saved)
    for name in ("studies", "sites", "conditions", "interventions"):
        pd.testing.assert_frame_equal(getattr(saved.tables, name), getattr(tables, name))


def test_only_the_most_recently_used_entries_are_kept(tmp_path: Path) -> None:
    store = TableCache(tmp_path, max_entries=2)
    tables = normalize(load_demo_studies()[:1])
    for n, key in enumerate(("1" * 32, "2" * 32)):
        store.put(key, tables, {})
        os.utime(tmp_path / f"{key}.json", (1000 + n, 1000 + n))
    assert isinstance(store.get("1" * 32, max_age=None, newer_than=None), Saved)  # used now
    foreign = tmp_path / f"{'0' * 32}.json"
    foreign.write_text('{"not": "a manifest"}')
    os.utime(foreign, (1, 1))  # oldest of all, but not ours
    store.put("3" * 32, tables, {})
    assert store.entries() == ["1" * 32, "3" * 32]
    assert not list(tmp_path.glob(f"{'2' * 32}.*"))
    assert foreign.read_text() == '{"not": "a manifest"}'


def test_clear_removes_only_what_it_wrote(tmp_path: Path) -> None:
    store = TableCache(tmp_path)
    store.put("a" * 32, normalize(load_demo_studies()[:2]), {})
    foreign = {
        "thesis.tex": b"\\chapter{One}",
        f"{'b' * 32}.json": b'{"mine": true}',  # our name, not our manifest
        f"{'c' * 32}.studies.parquet": b"PAR1",  # our name, no manifest lists it
        "notes.pickle": b"not ours by name",
    }
    for name, body in foreign.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / f"{'d' * 32}.pickle").write_bytes(b"old format")
    (tmp_path / f"{'e' * 32}.sites.12-34.tmp").write_bytes(b"unfinished")
    cleared = store.clear()
    assert cleared.files == 7 + 2  # the manifest and six tables; the old pickle and the temp
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(foreign)
    assert all((tmp_path / n).read_bytes() == body for n, body in foreign.items())


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


def test_a_limited_search_is_answered_from_the_saved_whole_result(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    server = standin_factory(load_demo_studies(), max_page_size=10)
    settings = settings_for(server, tmp_path)
    whole = search(settings=settings, preset="muscle-spasm")  # no limit: all 32
    asked = server.stats.paths[STUDIES]
    first = search(settings=settings, preset="muscle-spasm", limit=5)
    assert server.stats.paths[STUDIES] == asked  # nothing asked again
    assert list(first.all.studies["nct_id"]) == list(whole.all.studies["nct_id"][:5])
    kept = set(first.all.studies["nct_id"])
    for name in ("sites", "conditions", "interventions", "contacts", "officials"):
        table = getattr(first.all, name)
        assert set(table["nct_id"]) <= kept, name
        expected = getattr(whole.all, name)
        assert len(table) == int(expected["nct_id"].isin(kept).sum()), name
    assert first.meta["answered_from"].startswith("tables saved")
    assert first.warnings == ["showing the first 5 of 32 matching studies (limit reached)"]
    # offline too, after the API is gone
    server.close()
    again = search(settings=settings.with_(offline=True), preset="muscle-spasm", limit=3)
    assert list(again.all.studies["nct_id"]) == list(whole.all.studies["nct_id"][:3])


def test_the_command_saves_its_tables_behind_and_they_are_whole_when_it_ends(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    server = standin_factory(load_demo_studies())
    folder = tmp_path / "cache"
    argv = ["search", "--preset", "als", "--base-url", server.base_url, "--cache-dir",
            str(folder), "--format", "csv"]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
                        "TRIALFINDER_RATE": "1000000"}
    done = subprocess.run([sys.executable, "-m", "trialfinder", *argv], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    # the save ran in a thread of its own while the CSV was written; the process waited
    key = only_key(folder / "tables")
    manifest = json.loads((folder / "tables" / f"{key}.json").read_text())
    assert manifest["files"]["studies"]["rows"] == 6
    again = search(settings=settings_for(server, folder), preset="als",
                   limit=10_000)  # the command's default limit
    assert again.meta["answered_from"].startswith("tables saved")
    assert again.meta["requests"] == 0
