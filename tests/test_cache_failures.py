"""A cache folder that fills up costs a note and the cache for this run, never the search.

Each search runs in a process of its own under a file size limit (``ulimit -f``), which SQLite
and the Parquet writer meet as a full disk does: the HTTP cache cannot be made at all (1 byte),
its first write transaction cannot begin (4 kB: requests-cache retried ``BEGIN IMMEDIATE``
forever), its tables are made but an answer does not fit (40 kB: requests-cache rolled the
write back without a word), or a table's creation fails unseen (100 kB: the next read broke
with "no such table"). Fictional data (the demo's studies) on a loopback stand-in.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_child

from devtools.standin import StandInServer
from trialfinder.core.config import Settings
from trialfinder.http.cachedb import GuardedCache, GuardedDict
from trialfinder.http.session import make_session
from trialfinder.topics.demo import load_demo_studies


@pytest.fixture(scope="module")
def demo_api() -> Iterator[str]:
    with StandInServer(load_demo_studies()) as server:
        yield server.base_url


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("file_size", "note"), [
    (1, "cannot use the cache file {cache}/http_cache.sqlite: disk I/O error"),
    (4096, "cannot use the cache file {cache}/http_cache.sqlite: disk I/O error"),
    (40_000, "the cache file {cache}/http_cache.sqlite failed while saving an answer"),
    (100_000, "cannot use the cache file {cache}/http_cache.sqlite: disk I/O error"),
])
def test_a_cache_that_fills_up_costs_a_note_not_the_search(
    demo_api: str, tmp_path: Path, file_size: int, note: str,
) -> None:
    cache = tmp_path / "cache"
    env = {"TRIALFINDER_BASE_URL": demo_api, "TRIALFINDER_CACHE_DIR": str(cache),
           "TRIALFINDER_DATA_DIR": str(tmp_path / "data"), "TRIALFINDER_STORE": "0",
           "TRIALFINDER_RETRIES": "0", "TRIALFINDER_RATE": "60000"}
    code, out, err = run_child(["search", "--preset", "dehydration-deficiency", "--format",
                                "csv", "--columns", "nct_id"], env=env,
                               file_size=file_size, timeout=60)
    assert code == 0, err
    assert out.splitlines()[1:4] == ["NCT99000002", "NCT99000013", "NCT99000019"]
    assert len(out.splitlines()) == 13  # the header and the 12 studies
    notes = [line for line in err if "cache file" in line]
    assert len(notes) == 1, err
    assert notes[0].startswith("trialfinder: note: " + note.format(cache=cache)), err
    assert not any(line.startswith("trialfinder: error") for line in err), err


@pytest.mark.timeout(30)
def test_a_write_that_fails_mid_run_is_one_warning_then_the_cache_is_left_alone(
    demo_api: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(base_url=demo_api, cache_dir=tmp_path / "cache", retries=0,
                        requests_per_minute=60000)
    http = make_session(settings)
    try:
        backend = http.cache  # type: ignore[attr-defined]
        assert isinstance(backend, GuardedCache)
        first = http.get(f"{demo_api}/studies", params={"query.cond": "cramp"}, timeout=5)
        assert first.status_code == 200 and not first.from_cache  # type: ignore[attr-defined]
        again = http.get(f"{demo_api}/studies", params={"query.cond": "cramp"}, timeout=5)
        assert again.from_cache  # type: ignore[attr-defined]
        # the disk is full from now on: SQLite may not grow the file by a page
        connection: sqlite3.Connection = backend.responses._open()
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        caplog.set_level("WARNING", logger="trialfinder")
        for term in ("tetany", "dehydration", "potassium"):
            answer = http.get(f"{demo_api}/studies", params={"query.cond": term}, timeout=5)
            assert answer.status_code == 200 and b"NCT99" in answer.content
        warnings = [r.getMessage() for r in caplog.records]
        assert len(warnings) == 1, warnings
        assert "failed while saving an answer (database or disk is full); not using the " \
               "cache for the rest of this run" in warnings[0]
        assert backend.broken
        # the answer saved before is not read either: the rest of the run is uncached
        assert not http.get(f"{demo_api}/studies", params={"query.cond": "cramp"},
                            timeout=5).from_cache  # type: ignore[attr-defined]
    finally:
        http.close()


@pytest.mark.timeout(30)
def test_a_cache_damaged_mid_run_is_one_warning_and_the_answer_comes_from_the_api(
    demo_api: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(base_url=demo_api, cache_dir=tmp_path / "cache", retries=0,
                        requests_per_minute=60000)
    params = {"query.cond": "cramp"}
    first = make_session(settings)
    try:
        assert first.get(f"{demo_api}/studies", params=params, timeout=5).status_code == 200
    finally:
        first.close()
    http = make_session(settings)  # the file is whole when it is opened ...
    try:
        path = settings.cache_path
        size = path.stat().st_size
        with path.open("r+b") as handle:  # ... and damaged while the search runs
            handle.seek(512)
            handle.write(b"\xa5" * (size - 512))
        caplog.set_level("WARNING", logger="trialfinder")
        answer = http.get(f"{demo_api}/studies", params=params, timeout=5)
        assert answer.status_code == 200 and b"NCT99" in answer.content
        assert not answer.from_cache  # type: ignore[attr-defined]
        warnings = [r.getMessage() for r in caplog.records]
        assert len(warnings) == 1 and "failed while reading an answer" in warnings[0], warnings
    finally:
        http.close()


def test_a_read_waits_while_another_thread_uses_the_connection(tmp_path: Path) -> None:
    """One thread at a time on the cache's one connection, reads included: a read made while
    another thread holds it waits, then answers (reads sharing it at once crashed the
    interpreter in a test of twenty threads on one session)."""
    table = GuardedDict(str(tmp_path / "c.sqlite"), table_name="responses", serializer=None)
    table["key"] = b"value"
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(table.get("key")))
    with table.connection():  # this thread is using the connection
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and got == []
    reader.join(30)
    assert got == [b"value"]
