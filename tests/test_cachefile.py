"""The HTTP cache's entry format: JSON facts plus the body byte for byte; anything else a miss."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from devtools.hostile import HostileServer
from trialfinder.core.config import Settings
from trialfinder.http.cachefile import MAGIC, cache_serializer, pack, unpack
from trialfinder.registries.ctgov.client import API_MEMO, TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery

QUERY = StudyQuery(conditions=("cramp",))


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    servers: list[HostileServer] = []

    def start(mode: str) -> HostileServer:
        servers.append(HostileServer(mode))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_an_entry_keeps_the_body_byte_for_byte_beside_its_facts() -> None:
    body = b'{"studies":[{"x":"caf\xc3\xa9 \\"q\\""}]}'
    blob = pack({"status_code": 200, "url": "https://x/api/v2/studies", "_content": body})
    assert blob.startswith(MAGIC)
    assert blob.endswith(body)
    facts = b'{"status_code":200,"url":"https://x/api/v2/studies"}'
    assert blob == MAGIC + len(facts).to_bytes(4, "big") + facts + body
    assert unpack(blob) == {"status_code": 200, "url": "https://x/api/v2/studies",
                            "_content": body}
    assert unpack(memoryview(blob))["_content"] == body


@pytest.mark.parametrize("blob, reason", [
    (b'{"status_code": 200, "_content": "e30="}', "not a trialfinder cache entry"),
    (MAGIC + b"\x00\x00", "cut short"),
    (MAGIC + (1000).to_bytes(4, "big") + b'{"a": 1}', "cut short"),
    (MAGIC + (2**31).to_bytes(4, "big") + b"x" * 64, "cut short"),
    (MAGIC + (3).to_bytes(4, "big") + b"{x}body", "unreadable facts"),
    (MAGIC + (2).to_bytes(4, "big") + b"[]body", "not an object"),
])
def test_anything_else_is_refused_as_a_value_error(blob: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        unpack(blob)


def test_a_stored_answer_comes_back_whole_through_requests_cache() -> None:
    from requests_cache.models import CachedResponse

    serializer = cache_serializer()
    response = CachedResponse(status_code=200, url="https://x/api/v2/version")
    response._content = b'{"apiVersion":"2.0.5"}'
    response.headers["Content-Type"] = "application/json"
    stored = serializer.dumps(response)
    assert isinstance(stored, bytes) and stored.endswith(b'{"apiVersion":"2.0.5"}')
    back = serializer.loads(stored)
    assert back.status_code == 200
    assert back.json() == {"apiVersion": "2.0.5"}
    assert back.headers["Content-Type"] == "application/json"
    # facts of the wrong types cost the entry (a ValueError, which requests-cache counts as a
    # miss), never the search
    facts = orjson.dumps({"status_code": {"not": "a number"}, "url": 5})
    planted = MAGIC + len(facts).to_bytes(4, "big") + facts + b"{}"
    with pytest.raises(ValueError):
        serializer.loads(planted)


def test_an_answer_is_written_into_its_row_in_parts_as_the_serializer_would_join_it(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    from requests_cache.models import CachedResponse

    from trialfinder.http.cachedb import GuardedCache

    serializer = cache_serializer()
    cache = GuardedCache(str(tmp_path / "http.sqlite"), serializer=serializer)
    body = b'{"studies":[' + b'{"n":12345},' * 250_000 + b'{"n":0}]}'  # 3 MB: 3 slices and more
    response = CachedResponse(status_code=200, url="https://x/api/v2/studies?query.cond=x",
                              expires=datetime.now(UTC) + timedelta(hours=1))
    response._content = body
    response.headers["Content-Type"] = "application/json"
    cache.responses["k1"] = response
    with sqlite3.connect(tmp_path / "http.sqlite") as conn:
        value, expires = conn.execute(
            "SELECT value, expires FROM responses WHERE key = 'k1'").fetchone()
    assert value == serializer.dumps(response)
    assert len(value) > len(body) and value.endswith(body)
    assert expires == response.expires_unix
    assert cache.responses["k1"].content == body
    cache.redirects["r1"] = "k1"  # a redirect's alias is not an answer: stored as it is
    assert cache.redirects["r1"] == "k1"


@pytest.mark.timeout(30)
def _sqlite_memory() -> Any:
    """SQLite's own memory counters, when the library Python's sqlite3 uses can be reached."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("sqlite3")
    if name is None:
        pytest.skip("no SQLite library to read the memory counters of")
    lib = ctypes.CDLL(name)
    lib.sqlite3_memory_highwater.restype = ctypes.c_int64
    lib.sqlite3_memory_highwater.argtypes = [ctypes.c_int]
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib


def _stored(cache: Any, key: str, body: bytes) -> Any:
    from datetime import UTC, datetime, timedelta

    from requests_cache.models import CachedResponse

    response = CachedResponse(status_code=200, url=f"https://x/api/v2/studies?k={key}",
                              expires=datetime.now(UTC) + timedelta(hours=1))
    response._content = body
    response.headers["Content-Type"] = "application/json"
    cache.responses[key] = response
    return response


def test_storing_an_answer_does_not_make_its_body_again_in_sqlites_memory(
    tmp_path: Path,
) -> None:
    from trialfinder.http.cachedb import GuardedCache

    lib = _sqlite_memory()
    cache = GuardedCache(str(tmp_path / "http.sqlite"), serializer=cache_serializer())
    body = b'{"studies":[' + b'{"n":12345},' * 700_000 + b'{"n":0}]}'  # 8.4 MB
    _stored(cache, "warm", b"{}")
    if lib.sqlite3_memory_used() <= 0:
        pytest.skip("the SQLite library found is not the one Python's sqlite3 uses")
    lib.sqlite3_memory_highwater(1)  # reset to what is in use now
    in_use = lib.sqlite3_memory_used()
    _stored(cache, "k1", body)
    # with the body before `expires` in the row, SQLite made the zeroblob (and the row) in
    # memory: about twice the body's size above what was in use
    assert lib.sqlite3_memory_highwater(0) - in_use < len(body) // 4
    assert cache.responses["k1"].content == body


def test_a_cache_table_made_in_requests_caches_order_is_still_read_and_written(
    tmp_path: Path,
) -> None:
    from trialfinder.http.cachedb import GuardedCache

    path = tmp_path / "http.sqlite"
    with sqlite3.connect(path) as conn:  # as requests-cache (and trialfinder before) made it
        conn.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB, "
                     "expires INTEGER)")
    cache = GuardedCache(str(path), serializer=cache_serializer())
    response = _stored(cache, "k1", b'{"studies":[]}')
    assert cache.responses["k1"].content == b'{"studies":[]}'
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(responses)")]
        expires = conn.execute("SELECT expires FROM responses").fetchone()[0]
    assert columns == ["key", "value", "expires"]
    assert expires == response.expires_unix


def test_an_answer_reached_through_a_redirect_is_stored_without_the_redirects_body() -> None:
    from requests_cache.models import CachedResponse

    serializer = cache_serializer()
    moved = CachedResponse(status_code=301, url="https://x/api/v2/studies/NCT99100106")
    moved._content = b"moved"
    response = CachedResponse(status_code=200, url="https://x/api/v2/studies/NCT99100006",
                              history=[moved])
    response._content = b'{"protocolSection":{}}'
    stored = serializer.dumps(response)  # was: TypeError, bytes are not JSON serializable
    assert stored.endswith(b'{"protocolSection":{}}') and b"moved" not in stored
    back = serializer.loads(stored)
    assert back.json() == {"protocolSection": {}}
    assert [(h.status_code, h.url, h._content) for h in back.history] == [
        (301, "https://x/api/v2/studies/NCT99100106", None)]


def test_an_older_or_planted_entry_is_fetched_again(
    hostile: Callable[..., HostileServer], tmp_path: Path,
) -> None:
    server = hostile("ok")
    settings: Settings = Settings(base_url=server.base_url, use_cache=True,
                                  cache_dir=tmp_path / "cache", backoff_factor=0.0,
                                  requests_per_minute=60_000, burst=1000, retries=1,
                                  timeout=2.0)
    first = TrialsClient(settings).search(QUERY)
    asked = server.paths["/api/v2/studies"]
    API_MEMO.forget()
    assert TrialsClient(settings).search(QUERY).from_cache == first.pages  # ours: answered
    with sqlite3.connect(settings.cache_path) as conn:
        rows = conn.execute("SELECT key, value FROM responses").fetchall()
        for key, value in rows:
            entry: dict[str, Any] = unpack(value)
            body = entry.pop("_content")
            # the format before this one: one JSON object, the body in base64
            entry["_content"] = base64.b64encode(body).decode()
            conn.execute("UPDATE responses SET value = ? WHERE key = ?",
                         (orjson.dumps(entry), key))
    API_MEMO.forget()
    again = TrialsClient(settings).search(QUERY)
    assert again.from_cache == 0
    assert server.paths["/api/v2/studies"] == asked + first.pages
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in again.studies] == \
        [s["protocolSection"]["identificationModule"]["nctId"] for s in first.studies]
