"""The client against a hostile server (``devtools.hostile``): every search ends, within a
deadline (each test's timeout), with either the complete result or one clear error, and memory
stays bounded."""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from devtools.hostile import HostileServer
from trialfinder.core.config import DEFAULT_BASE_URL, Settings
from trialfinder.core.errors import (
    ApiError,
    NetworkError,
    PagingError,
    RateLimitedError,
    SchemaError,
    TrialFinderError,
)
from trialfinder.http.cachefile import unpack
from trialfinder.http.session import make_session
from trialfinder.http.transport import DeadlineExceeded
from trialfinder.registries.ctgov.client import API_MEMO, TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery

T = TypeVar("T")
QUERY = StudyQuery(conditions=("cramp",))
ROOT = Path(__file__).resolve().parents[1]

# Every search here must end, with its result or one clear error, well within this deadline
# (the slowest ends after its two 0.5 s attempts; the command line after two 2 s attempts).
pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    servers: list[HostileServer] = []

    def start(mode: str, **options: Any) -> HostileServer:
        servers.append(HostileServer(mode, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def settings_for(server: HostileServer, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": server.base_url, "use_cache": False, "backoff_factor": 0.0,
        "requests_per_minute": 60_000, "burst": 1000, "retries": 1, "timeout": 0.6,
        "max_body_mb": 8.0,
    }
    return Settings(**(values | changes))


def outcome(call: Callable[[], T]) -> tuple[T | None, BaseException | None]:
    """``call``'s value, or the error it raised. Every test here has a deadline (the module's
    timeout mark), so a search that never ends fails its test instead of hanging the suite."""
    try:
        return call(), None
    except Exception as exc:  # handed back to the test
        return None, exc


def search_error(server: HostileServer, **changes: Any) -> TrialFinderError:
    client = TrialsClient(settings_for(server, **changes))
    value, error = outcome(lambda: client.search(QUERY))
    assert value is None, "expected one clear error, got a result"
    assert isinstance(error, TrialFinderError), repr(error)
    assert "\n" not in str(error)
    return error


def ids(studies: list[dict[str, Any]]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]


def test_a_well_behaved_server_gives_the_complete_result(hostile: Callable[..., HostileServer]
                                                         ) -> None:
    server = hostile("ok")
    result, error = outcome(lambda: TrialsClient(settings_for(server)).search(QUERY))
    assert error is None and result is not None
    assert ids(result.studies) == [f"NCT9930000{n}" for n in range(1, 7)]
    assert (result.total_count, result.pages, result.warnings) == (6, 3, [])


# -- paging that never ends -------------------------------------------------------------------


def test_a_repeated_page_token_stops_the_search(hostile: Callable[..., HostileServer]) -> None:
    server = hostile("repeat_token")
    error = search_error(server)
    assert isinstance(error, PagingError)
    assert "sent the page token 'AAAA' a second time, after 2 pages" in str(error)
    assert server.paths["/api/v2/studies"] == 2


def test_endless_empty_pages_stop_the_search(hostile: Callable[..., HostileServer]) -> None:
    server = hostile("empty_pages")
    error = search_error(server)
    assert isinstance(error, PagingError)
    assert "3 pages in a row brought no new study" in str(error)
    assert server.paths["/api/v2/studies"] == 4  # the first page and three empty ones


def test_the_same_studies_on_every_page_stop_the_search(hostile: Callable[..., HostileServer]
                                                        ) -> None:
    server = hostile("same_studies")
    error = search_error(server)
    assert isinstance(error, PagingError)
    assert "3 pages in a row brought no new study" in str(error)
    assert server.paths["/api/v2/studies"] == 4


def test_more_pages_than_the_count_allows_stop_the_search(hostile: Callable[..., HostileServer]
                                                          ) -> None:
    server = hostile("endless_new")
    error = search_error(server)
    assert isinstance(error, PagingError)
    assert "it counted 6 matching studies, but after 6 pages" in str(error)
    # 6 studies at 2 a page need 3 pages; 3 more are allowed for data that changes meanwhile.
    assert server.paths["/api/v2/studies"] == 6


def test_a_count_that_disagrees_with_the_studies_is_said(hostile: Callable[..., HostileServer]
                                                         ) -> None:
    server = hostile("total_mismatch")
    result, error = outcome(lambda: TrialsClient(settings_for(server)).search(QUERY))
    assert error is None and result is not None
    assert len(result.studies) == 4
    assert result.warnings == [
        "the API counted 10 matching studies but sent 4 (the data may have changed while paging)"
    ]


# -- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["trickle_body", "trickle_headers"])
def test_a_trickling_answer_ends_at_the_deadline(hostile: Callable[..., HostileServer],
                                                 mode: str) -> None:
    server = hostile(mode, interval=0.1)
    client = TrialsClient(settings_for(server, timeout=0.5, retries=1))
    _, error = outcome(lambda: client.search(QUERY))
    assert isinstance(error, NetworkError)
    assert "did not send its whole answer within 0.5 s (TRIALFINDER_TIMEOUT)" in str(error)
    assert server.paths["/api/v2/studies"] == 2  # one try and one retry, each cut at 0.5 s


def test_a_request_out_of_time_warns_once_saying_what_comes_next(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # the defaults a person gets: 30 s a try, 5 retries; no try is sent, no backoff waited
    client = TrialsClient(Settings(base_url=DEFAULT_BASE_URL, use_cache=False, timeout=30.0,
                                   retries=5, requests_per_minute=60_000, burst=1000))
    adapter = client.session.get_adapter(DEFAULT_BASE_URL)
    tries: list[str] = []
    waits: list[float] = []

    def out_of_time(request: Any, *args: Any) -> Any:
        tries.append(request.url)
        raise DeadlineExceeded(request.url, 30.0, "connecting and reading the headers")

    monkeypatch.setattr(adapter, "_attempt", out_of_time)
    monkeypatch.setattr(adapter, "_sleep", waits.append)
    with caplog.at_level(logging.WARNING, logger="trialfinder"), \
            pytest.raises(DeadlineExceeded):
        client.session.get(f"{DEFAULT_BASE_URL}/studies", timeout=30.0)
    assert (len(tries), len(waits)) == (6, 5)
    assert [(r.levelno, r.getMessage(), getattr(r, "interruptible", False))
            for r in caplog.records] == [
        (logging.WARNING, "ClinicalTrials.gov has not answered within 30 s; trying again "
         "(up to 5 times, about 3 minutes in all)", True)]


def _busy_client(monkeypatch: pytest.MonkeyPatch, answers: list[tuple[int, dict[str, str]]],
                 ) -> tuple[TrialsClient, list[float]]:
    """A client whose tries get ``answers`` in turn (status, headers), no wait really waited."""
    client = TrialsClient(Settings(base_url=DEFAULT_BASE_URL, use_cache=False, timeout=30.0,
                                   retries=5, requests_per_minute=60_000, burst=1000))
    adapter = client.session.get_adapter(DEFAULT_BASE_URL)
    waits: list[float] = []
    queue = list(answers)

    def answer(request: Any, *args: Any) -> requests.Response:
        response = requests.Response()
        response.status_code, headers = queue.pop(0)
        response.headers.update({"Content-Type": "application/json", **headers})
        response._content, response._content_consumed = b"{}", True
        response.url = request.url
        return response

    monkeypatch.setattr(adapter, "_attempt", answer)
    monkeypatch.setattr(adapter, "_sleep", waits.append)
    return client, waits


def test_a_long_wait_for_a_busy_api_is_said_once(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    # two "slow down" answers asking for 30 s each, then the page: one note, not two
    client, waits = _busy_client(monkeypatch, [(429, {"Retry-After": "30"}),
                                               (429, {"Retry-After": "30"}), (200, {})])
    with caplog.at_level(logging.WARNING, logger="trialfinder"):
        response = client.session.get(f"{DEFAULT_BASE_URL}/studies", timeout=30.0)
    assert response.status_code == 200 and waits == [30.0, 30.0]
    assert [(r.getMessage(), getattr(r, "interruptible", False)) for r in caplog.records] == [
        ("ClinicalTrials.gov asked us to slow down (HTTP 429); asking again in 30 seconds",
         True)]


def test_a_short_wait_after_a_server_error_is_not_said(monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    # a 503 without Retry-After waits the first backoff (under a second): nothing to say;
    # one that asks for 8 s is said, in words
    client, waits = _busy_client(monkeypatch, [(503, {}), (200, {})])
    with caplog.at_level(logging.WARNING, logger="trialfinder"):
        client.session.get(f"{DEFAULT_BASE_URL}/studies", timeout=30.0)
    assert len(waits) == 1 and waits[0] < 1 and caplog.records == []
    client, waits = _busy_client(monkeypatch, [(503, {"Retry-After": "8"}), (200, {})])
    with caplog.at_level(logging.WARNING, logger="trialfinder"):
        client.session.get(f"{DEFAULT_BASE_URL}/studies", timeout=30.0)
    assert [r.getMessage() for r in caplog.records] == [
        "ClinicalTrials.gov answered with a server error (HTTP 503); asking again in 8 seconds"]


def test_a_long_retry_after_fails_at_once_saying_when(hostile: Callable[..., HostileServer]
                                                      ) -> None:
    server = hostile("retry_after_long")
    settings = settings_for(server, retries=3, retry_after_max=120)
    waits: list[float] = []
    client = TrialsClient(settings, make_session(settings, sleep=waits.append))
    _, error = outcome(lambda: client.search(QUERY))
    assert isinstance(error, RateLimitedError)
    assert "the API asked us to come back in 60 minutes, after " in str(error)
    assert "this client waits at most 120 s: TRIALFINDER_RETRY_AFTER_MAX" in str(error)
    assert server.paths["/api/v2/studies"] == 1
    assert waits == []  # not a moment waited before failing


def test_an_absurd_retry_after_fails_at_once(hostile: Callable[..., HostileServer]) -> None:
    server = hostile("retry_after_absurd")
    error = search_error(server, retries=3)
    assert isinstance(error, RateLimitedError)
    assert "come back more than ten years from now" in str(error)
    assert server.paths["/api/v2/studies"] == 1


def test_an_unreadable_retry_after_falls_back_to_backoff(hostile: Callable[..., HostileServer]
                                                         ) -> None:
    server = hostile("retry_after_garbage")
    error = search_error(server, retries=2)
    assert isinstance(error, RateLimitedError)
    assert str(error) == f"the API at {server.base_url} answered with error 429: Too many requests"
    assert server.paths["/api/v2/studies"] == 3


# -- size -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["endless_chunked", "gzip_bomb"])
def test_an_endless_or_exploding_body_stops_at_the_cap(hostile: Callable[..., HostileServer],
                                                       mode: str) -> None:
    server = hostile(mode, bomb_mb=64)
    tracemalloc.start()
    try:
        error = search_error(server, max_body_mb=4.0, timeout=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, SchemaError)
    assert "is larger than 4 MB; stopped reading it" in str(error)
    assert peak < 32_000_000  # the cap is 4 MB; the body would be 64 MB or endless
    assert server.paths["/api/v2/studies"] == 1  # too large is not retried


# -- place ------------------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_refused(hostile: Callable[..., HostileServer]) -> None:
    server = hostile("cross_redirect")
    assert server.decoy is not None
    error = search_error(server)
    assert isinstance(error, ApiError) and error.status == 302
    assert (f"the API redirected to {server.decoy.base_url}/studies, another host than "
            "http://127.0.0.1:") in str(error)
    assert server.decoy.requests == 0


def test_credentials_in_the_base_url_are_used_but_never_shown(
    hostile: Callable[..., HostileServer], tmp_path: Path
) -> None:
    server = hostile("wrong_shape")
    with_secret = server.base_url.replace("http://", "http://ann:s3cret-pw@")
    settings = settings_for(server, base_url=with_secret, use_cache=True, cache_dir=tmp_path)
    assert settings.base_url == server.base_url
    assert settings.credentials == ("ann", "s3cret-pw")
    assert "s3cret" not in repr(settings)
    error = search_error(server, base_url=with_secret, use_cache=True, cache_dir=tmp_path)
    assert "s3cret" not in str(error)
    assert server.authorizations and server.authorizations[0].startswith("Basic ")
    for path in tmp_path.iterdir():
        assert b"s3cret" not in path.read_bytes()


# -- shape ------------------------------------------------------------------------------------


def test_a_wrong_shape_is_an_error_and_never_cached(hostile: Callable[..., HostileServer],
                                                    tmp_path: Path) -> None:
    server = hostile("wrong_shape")
    first = search_error(server, use_cache=True, cache_dir=tmp_path)
    assert str(first) == "the API's answer has no 'studies' list"
    again = search_error(server, use_cache=True, cache_dir=tmp_path)
    assert str(again) == str(first)
    assert server.paths["/api/v2/studies"] == 2  # asked again: nothing was kept


@pytest.mark.parametrize(("mode", "message"), [
    ("json_list", "expected a JSON object with 'studies', got list"),
    ("html_200", "the API sent an HTML page instead of JSON"),
])
def test_other_wrong_answers_are_one_clear_error(hostile: Callable[..., HostileServer],
                                                 mode: str, message: str) -> None:
    error = search_error(hostile(mode))
    assert isinstance(error, SchemaError)
    assert str(error).startswith(message)


# -- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "expected", "noted"), [
    ("repeat_token", "paging made no progress", False),
    ("trickle_body", "did not send its whole answer within 2 s", True),
    ("gzip_bomb", "is larger than 4 MB", False),
])
def test_the_cli_ends_with_one_line(hostile: Callable[..., HostileServer], tmp_path: Path,
                                    mode: str, expected: str, noted: bool) -> None:
    server = hostile(mode, interval=0.5, bomb_mb=64)
    env = os.environ | {
        "TRIALFINDER_BASE_URL": server.base_url, "TRIALFINDER_TIMEOUT": "2",
        "TRIALFINDER_RETRIES": "1", "TRIALFINDER_CACHE_DIR": str(tmp_path),
        "TRIALFINDER_MAX_BODY_MB": "4", "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "trialfinder.cli.main", "search", "--all", "-c", "cramp"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode == 1, done.stderr
    *notes, last = done.stderr.splitlines()
    assert notes == [  # a try cut off at its deadline is said once, before it is retried
        f"trialfinder: note: the API at {server.base_url} has not answered within 2 s; trying "
        "again (once, about 4 seconds in all); Ctrl-C stops."] * noted, done.stderr
    assert expected in last
    assert "Traceback" not in done.stderr


# -- the cache file ---------------------------------------------------------------------------


class _Planted:
    """Unpickling this would create the file named in ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.marker),))


def test_a_planted_pickle_in_the_cache_is_never_run(hostile: Callable[..., HostileServer],
                                                    tmp_path: Path) -> None:
    server = hostile("ok")
    settings = settings_for(server, use_cache=True, cache_dir=tmp_path / "cache")
    first = TrialsClient(settings).search(QUERY)
    with sqlite3.connect(settings.cache_path) as conn:
        values = [row[0] for row in conn.execute("SELECT value FROM responses")]
        assert values and all(unpack(value)["status_code"] == 200 for value in values)
        marker = tmp_path / "ran"
        conn.execute("UPDATE responses SET value = ?", (pickle.dumps(_Planted(str(marker))),))
    API_MEMO.forget()
    again = TrialsClient(settings).search(QUERY)
    assert not marker.exists()
    assert ids(again.studies) == ids(first.studies)
    assert again.from_cache == 0  # the planted entries were not answers


def test_pages_without_a_count_are_not_followed_blindly(hostile: Callable[..., HostileServer]
                                                         ) -> None:
    server = hostile("no_count")
    error = search_error(server)
    assert isinstance(error, PagingError)
    assert "no totalCount on the first page, though it was asked for" in str(error)
    assert server.paths["/api/v2/studies"] == 1


def test_a_body_that_does_not_parse_is_not_kept(hostile: Callable[..., HostileServer],
                                                tmp_path: Path) -> None:
    server = hostile("bad_json")
    settings = settings_for(server, use_cache=True, cache_dir=tmp_path, retries=1)
    for _ in range(2):
        error = search_error(server, use_cache=True, cache_dir=tmp_path, retries=1)
        assert str(error).startswith("the API sent a reply that is not valid JSON (36 bytes")
    assert server.paths["/api/v2/studies"] == 4  # two tries per search: nothing was replayed
    with sqlite3.connect(settings.cache_path) as conn:
        kept = [unpack(row[0])["url"] for row in conn.execute("SELECT value FROM responses")]
    assert kept == [server.base_url + "/version"]


def test_a_body_packed_with_tiny_objects_is_not_kept_in_the_cache(
    hostile: Callable[..., HostileServer], tmp_path: Path,
) -> None:
    server = hostile("dense_json", bomb_mb=2)
    settings = settings_for(server, use_cache=True, cache_dir=tmp_path)
    for _ in range(2):
        error = search_error(server, use_cache=True, cache_dir=tmp_path)
        assert "far denser than real study records" in str(error)
    assert server.paths["/api/v2/studies"] == 2  # asked again: the refused answer was not kept
    with sqlite3.connect(settings.cache_path) as conn:
        kept = [unpack(row[0])["url"] for row in conn.execute("SELECT value FROM responses")]
    assert kept == [server.base_url + "/version"]


def test_a_body_packed_with_tiny_objects_is_refused_unparsed(
    hostile: Callable[..., HostileServer]
) -> None:
    server = hostile("dense_json", bomb_mb=6)
    tracemalloc.start()
    try:
        error = search_error(server, timeout=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, SchemaError)
    assert "(6,000,028 bytes) is packed with 2,000,002 objects and 2,000,002 values" in str(error)
    # parsing it would have taken about 24 times its 6 MB
    assert peak < 40_000_000
