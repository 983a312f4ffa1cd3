"""TrialsClient against the loopback stand-in: paging, limits, retries, errors, caching."""

from __future__ import annotations

import logging
import os
import stat
import threading
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import Faults, StandInServer, fictional_study
from trialfinder.core.codes import Distance
from trialfinder.core.config import Settings, redact_url
from trialfinder.core.errors import (
    ApiError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    SchemaError,
)
from trialfinder.http.pacing import TokenBucket
from trialfinder.http.session import CacheRebuiltWarning, make_session
from trialfinder.http.transport import retry_after_seconds
from trialfinder.registries.ctgov.client import ApiMemo, TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery

Factory = Callable[..., StandInServer]


def fast_settings(server: StandInServer, **changes: Any) -> Settings:
    """No sleeping between retries, no pacing, no cache (unless asked)."""
    values: dict[str, Any] = {
        "base_url": server.base_url, "use_cache": False, "backoff_factor": 0.0,
        "requests_per_minute": 60_000, "burst": 1000, "retries": 3, "timeout": 5.0,
    }
    return Settings(**(values | changes))


def ids(studies: list[dict[str, Any]]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]


def many(n: int) -> list[dict[str, Any]]:
    return [fictional_study(f"NCT99{200000 + i:06d}", f"Fictional Cramp Study {i}",
                            conditions=["Muscle Cramp"]) for i in range(1, n + 1)]


def test_paging_follows_tokens_to_the_end(standin_factory: Factory) -> None:
    server = standin_factory(many(23), max_page_size=5)
    client = TrialsClient(fast_settings(server))
    result = client.search(StudyQuery(conditions=("cramp",)))
    assert ids(result.studies) == [f"NCT99{200000 + i:06d}" for i in range(1, 24)]
    assert result.total_count == 23
    assert (result.pages, result.requests, server.stats.requests) == (5, 5, 5)
    assert server.stats.paths["/api/v2/studies"] == 5
    assert not result.truncated and result.warnings == []


def test_a_listing_sent_anew_is_followed_from_the_api(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    import sqlite3

    from trialfinder.http.cachefile import unpack

    server = standin_factory(many(12), max_page_size=5)
    settings = fast_settings(server, use_cache=True, cache_dir=tmp_path)
    query = StudyQuery(conditions=("cramp",))
    assert TrialsClient(settings).search(query).pages == 3
    with sqlite3.connect(settings.cache_path) as conn:  # the first page alone has expired
        rows = [(key, unpack(value)["url"]) for key, value in
                conn.execute("SELECT key, value FROM responses")]
        firsts = [key for key, url in rows if "/studies" in url and "pageToken" not in url]
        assert len(firsts) == 1
        conn.execute("DELETE FROM responses WHERE key = ?", (firsts[0],))
    again = TrialsClient(settings).search(query)
    # pages 2 and 3, though kept, are asked anew after the new first page: a listing is read
    # from one answer of the API, never pieced together from two
    assert (again.from_cache, server.stats.paths["/api/v2/studies"]) == (0, 6)
    assert ids(again.studies) == [f"NCT99{200000 + i:06d}" for i in range(1, 13)]
    repeat = TrialsClient(settings).search(query)  # all kept now: nothing asked
    assert (repeat.from_cache, server.stats.paths["/api/v2/studies"]) == (3, 6)


def test_an_empty_page_in_the_middle_does_not_stop_paging(standin_factory: Factory) -> None:
    server = standin_factory(many(12), max_page_size=4, faults=Faults(empty_page_every=2))
    result = TrialsClient(fast_settings(server)).search(StudyQuery(conditions=("cramp",)))
    assert len(result.studies) == 12
    assert len(set(ids(result.studies))) == 12
    assert result.pages > 3  # the empty pages were followed


def test_limit_stops_the_requests_and_says_so(standin_factory: Factory) -> None:
    server = standin_factory(many(23), max_page_size=5)
    result = TrialsClient(fast_settings(server)).search(StudyQuery(conditions=("cramp",)), limit=7)
    assert ids(result.studies) == [f"NCT99{200000 + i:06d}" for i in range(1, 8)]
    assert server.stats.paths["/api/v2/studies"] == 2
    assert result.truncated
    assert result.warnings == ["showing the first 7 of 23 matching studies (limit reached)"]


def test_page_size_asks_for_no_more_than_the_limit(standin_factory: Factory) -> None:
    server = standin_factory(many(30))
    client = TrialsClient(fast_settings(server))
    pages = list(client.iter_pages(StudyQuery(conditions=("cramp",)), limit=12))
    assert [len(p.studies) for p in pages] == [12]
    assert pages[0].total_count == 30
    assert server.stats.requests == 1


def test_list_view_asks_only_for_list_fields(standin_factory: Factory) -> None:
    server = standin_factory(many(3))
    client = TrialsClient(fast_settings(server))
    listed = client.search(StudyQuery(conditions=("cramp",))).studies[0]
    full = client.get_study("NCT99200001")
    assert "descriptionModule" in full["protocolSection"]
    assert set(listed["protocolSection"]) <= set(full["protocolSection"])
    assert "outcomesModule" not in listed["protocolSection"]


def test_distance_filter_reaches_the_api(standin: StandInServer) -> None:
    client = TrialsClient(fast_settings(standin))
    result = client.search(StudyQuery(near=Distance(42.36, -71.06, 50)))
    # Boston and Worcester sites are within 50 miles; New York and Lyon are not.
    assert ids(result.studies) == ["NCT99100001", "NCT99100003"]


@pytest.mark.parametrize("first", [429, 503, 502, 0])
def test_a_failed_attempt_is_retried(standin_factory: Factory, first: int) -> None:
    server = standin_factory(many(3), faults=Faults(script=[first]))
    result = TrialsClient(fast_settings(server)).search(StudyQuery(conditions=("cramp",)))
    assert len(result.studies) == 3
    assert server.stats.requests == 2  # the failed attempt and its retry


def test_rate_limit_that_outlasts_retries_is_one_clear_error(standin_factory: Factory) -> None:
    server = standin_factory(many(3), faults=Faults(script=[429] * 10))
    client = TrialsClient(fast_settings(server, retries=2))
    with pytest.raises(RateLimitedError, match="answered with error 429") as caught:
        client.search(StudyQuery(conditions=("cramp",)))
    assert caught.value.status == 429
    assert server.stats.requests == 3  # the first try and two retries


def test_server_errors_that_outlast_retries(standin_factory: Factory) -> None:
    server = standin_factory(many(3), faults=Faults(script=[503] * 10))
    with pytest.raises(ApiError) as caught:
        TrialsClient(fast_settings(server, retries=1)).search(StudyQuery(conditions=("cramp",)))
    assert caught.value.status == 503


def test_dropped_connections_that_outlast_retries(standin_factory: Factory) -> None:
    server = standin_factory(many(3), faults=Faults(script=[0] * 10))
    client = TrialsClient(fast_settings(server, retries=1))
    with pytest.raises(NetworkError, match=r"cannot reach the API at http://127"):
        client.search(StudyQuery(conditions=("cramp",)))


def test_broken_bodies_are_retried(standin_factory: Factory) -> None:
    server = standin_factory(many(40), max_page_size=5,
                             faults=Faults(seed=3, truncate_rate=0.3, html_rate=0.2))
    result = TrialsClient(fast_settings(server, retries=4)).search(
        StudyQuery(conditions=("cramp",)))
    assert ids(result.studies) == [f"NCT99{200000 + i:06d}" for i in range(1, 41)]
    assert server.stats.faults_injected > 0


def test_html_page_is_never_parsed_as_data(standin_factory: Factory) -> None:
    server = standin_factory(many(3), faults=Faults(html_rate=0.99, max_consecutive=100))
    with pytest.raises(SchemaError, match="sent an HTML page instead of JSON"):
        TrialsClient(fast_settings(server, retries=1)).search(StudyQuery(conditions=("cramp",)))


def test_the_apis_400_text_reaches_the_user_verbatim(standin: StandInServer) -> None:
    client = TrialsClient(fast_settings(standin))
    with pytest.raises(ApiError) as caught:
        client.search(StudyQuery(conditions=("asthma",), advanced="AREA[NotARealField]x"))
    assert caught.value.status == 400
    assert caught.value.message == (
        "Error parsing query in advanced filter: Unknown area name: `NotARealField`"
    )
    # the stand-in answered, not ClinicalTrials.gov: it is named by its address
    assert str(caught.value) == (
        f"the API at {standin.base_url} answered with error 400: "
        "Error parsing query in advanced filter: Unknown area name: `NotARealField`"
    )


def test_unknown_study_is_not_found_naming_the_id(standin: StandInServer) -> None:
    with pytest.raises(NotFoundError, match="no study with id NCT09999999"):
        TrialsClient(fast_settings(standin)).get_study("nct9999999")


def test_one_study_by_id(standin: StandInServer) -> None:
    study = TrialsClient(fast_settings(standin)).get_study("NCT99100003")
    ident = study["protocolSection"]["identificationModule"]
    assert ident["briefTitle"] == "Fictional Migraine Prevention Trial"


def test_progress_is_reported_per_page(standin_factory: Factory) -> None:
    server = standin_factory(many(12), max_page_size=5)
    seen: list[tuple[int, int | None]] = []
    TrialsClient(fast_settings(server)).search(
        StudyQuery(conditions=("cramp",)), progress=lambda n, total: seen.append((n, total)))
    assert seen == [(5, 12), (10, 12), (12, 12)]


# -- cache ------------------------------------------------------------------------------------


def cached_settings(server: StandInServer, tmp_path: Path, **changes: Any) -> Settings:
    return fast_settings(server, use_cache=True, cache_dir=tmp_path / "cache", **changes)


def test_second_search_comes_from_the_cache(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(many(12), max_page_size=5)
    client = TrialsClient(cached_settings(server, tmp_path))
    query = StudyQuery(conditions=("cramp",))
    first = client.search(query)
    assert (first.requests, first.from_cache) == (4, 0)  # /version + 3 pages
    again = client.search(query)
    assert (again.requests, again.from_cache) == (0, 3)
    assert ids(again.studies) == ids(first.studies)


def test_cache_file_is_private(standin: StandInServer, tmp_path: Path) -> None:
    client = TrialsClient(cached_settings(standin, tmp_path))
    client.search(StudyQuery(conditions=("asthma",)))
    path = client.settings.cache_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_offline_mode_answers_only_from_the_cache(standin: StandInServer, tmp_path: Path) -> None:
    query = StudyQuery(conditions=("asthma",))
    TrialsClient(cached_settings(standin, tmp_path)).search(query)
    standin.reset_stats()
    offline = TrialsClient(cached_settings(standin, tmp_path, offline=True))
    result = offline.search(query)
    assert ids(result.studies) == ["NCT99100001", "NCT99100006"]
    assert result.warnings == ["offline mode: results come from the local cache only"]
    assert standin.stats.requests == 0
    with pytest.raises(OfflineError, match="not in the cache yet"):
        offline.search(StudyQuery(conditions=("migraine",)))


def age_cached_answers(client: TrialsClient, *, created: datetime,
                       expires: datetime | None = None) -> None:
    """Pretend every answer in ``client``'s cache was fetched at ``created``."""
    responses = client.session.cache.responses  # type: ignore[attr-defined]
    for key in list(responses.keys()):
        response = responses[key]
        response.created_at = created
        if expires is not None:
            response.expires = expires
        responses[key] = response


def test_unreachable_api_falls_back_to_stale_cache_with_its_age(
    standin: StandInServer, tmp_path: Path
) -> None:
    query = StudyQuery(conditions=("asthma",))
    settings = cached_settings(standin, tmp_path, retries=0)
    first = TrialsClient(settings)
    first.search(query)
    now = datetime.now(UTC)
    age_cached_answers(first, created=now - timedelta(hours=2),
                       expires=now - timedelta(hours=1))
    standin.close()
    result = TrialsClient(settings, memo=ApiMemo()).search(query)
    assert ids(result.studies) == ["NCT99100001", "NCT99100006"]
    assert result.warnings == [
        "ClinicalTrials.gov could not be reached; showing cached results from 2.0 hours ago"]
    assert result.fetched_at == (now - timedelta(hours=2)).isoformat(timespec="seconds")


def test_cached_answers_keep_the_time_they_were_fetched(standin: StandInServer,
                                                        tmp_path: Path) -> None:
    query = StudyQuery(conditions=("asthma",))
    client = TrialsClient(cached_settings(standin, tmp_path))
    fresh = client.search(query)
    assert fresh.from_cache == 0
    # After the API's data time (2026-11-20T09:00), so the pages are still good to use.
    age_cached_answers(client, created=datetime(2026, 11, 21, 3, 4, 5, tzinfo=UTC))
    again = client.search(query)
    assert again.from_cache == 1
    assert again.fetched_at == "2026-11-21T03:04:05+00:00"


def test_corrupt_cache_is_rebuilt_with_a_warning(standin: StandInServer, tmp_path: Path) -> None:
    settings = cached_settings(standin, tmp_path)
    settings.cache_dir.mkdir(parents=True)
    settings.cache_path.write_bytes(b"this is not a database" * 100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = TrialsClient(settings)
    assert [w.category for w in caught] == [CacheRebuiltWarning]
    assert "was unreadable" in str(caught[0].message)
    assert (settings.cache_dir / "http_cache.corrupt").exists()
    result = client.search(StudyQuery(conditions=("asthma",)))
    assert len(result.studies) == 2


def test_a_new_cache_file_uses_large_pages_and_works_without_them(
    standin: StandInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    import trialfinder.http.session as transport

    settings = cached_settings(standin, tmp_path / "large")
    assert len(TrialsClient(settings).search(StudyQuery(conditions=("asthma",))).studies) == 2
    with sqlite3.connect(settings.cache_path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (65536,)

    connect = sqlite3.connect
    refused: list[str] = []

    def locked_once(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if not refused:  # the first connection is the one that sets the page size
            refused.append(str(args[0]))
            raise sqlite3.OperationalError("database is locked")
        return connect(*args, **kwargs)

    monkeypatch.setattr(transport.sqlite3, "connect", locked_once)
    settings = cached_settings(standin, tmp_path / "default")
    result = TrialsClient(settings).search(StudyQuery(conditions=("asthma",)))  # no traceback
    monkeypatch.setattr(transport.sqlite3, "connect", connect)
    assert refused == [str(settings.cache_path)] and len(result.studies) == 2
    with sqlite3.connect(settings.cache_path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (4096,)
        assert conn.execute("SELECT count(*) FROM responses").fetchone()[0] >= 1


def test_unreachable_api_answers_from_the_cache_without_retrying_every_page(
    standin: StandInServer, tmp_path: Path
) -> None:
    query = StudyQuery(conditions=("asthma",))
    settings = cached_settings(standin, tmp_path)
    first = TrialsClient(settings)
    first.search(query)
    first.session.cache.delete(urls=[f"{standin.base_url}/version"])  # type: ignore[attr-defined]
    standin.close()
    client = TrialsClient(settings, memo=ApiMemo())  # as a new process would start
    result = client.search(query)  # /version fails to connect; the pages come from the cache
    assert ids(result.studies) == ["NCT99100001", "NCT99100006"]
    assert result.requests == 0
    assert result.warnings[0].startswith(
        "ClinicalTrials.gov could not be reached; showing cached results from ")
    with pytest.raises(NetworkError, match=r"cannot reach the API at http://127"):
        client.search(StudyQuery(conditions=("migraine",)))


# -- no hidden state: one client, many threads ------------------------------------------------


def test_one_client_serves_many_threads_each_with_its_own_counts(
    standin_factory: Factory
) -> None:
    server = standin_factory(many(12), max_page_size=2)
    client = TrialsClient(fast_settings(server))
    queries = [StudyQuery(conditions=("cramp",), terms=(f"Study {n}",)) for n in range(1, 9)]
    results: dict[int, Any] = {}

    def run(n: int) -> None:
        results[n] = client.search(queries[n])

    workers = [threading.Thread(target=run, args=(n,)) for n in range(len(queries))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    assert sorted(results) == list(range(len(queries)))
    for result in results.values():
        assert result.requests == result.pages == max(1, -(-len(result.studies) // 2))
    assert sum(r.requests for r in results.values()) == server.stats.requests


def test_the_version_memo_and_the_failure_memo_expire() -> None:
    now = [0.0]
    memo = ApiMemo(clock=lambda: now[0])
    memo.remember_version("http://a", {"apiVersion": "2.0.5"})
    memo.remember_unreachable("http://b", NetworkError("cannot reach b"))
    now[0] = 29.0
    assert memo.version("http://a") == {"apiVersion": "2.0.5"}
    assert str(memo.unreachable("http://b")) == "cannot reach b"
    assert memo.version("http://b") is None and memo.unreachable("http://a") is None
    now[0] = 30.0  # UNREACHABLE_TTL
    assert memo.unreachable("http://b") is None
    now[0] = 3599.0
    assert memo.version("http://a") == {"apiVersion": "2.0.5"}
    now[0] = 3600.0  # VERSION_TTL
    assert memo.version("http://a") is None


def test_a_success_clears_the_failure_memo() -> None:
    memo = ApiMemo(clock=lambda: 0.0)
    memo.remember_unreachable("http://a", NetworkError("down"))
    memo.remember_version("http://a", {"apiVersion": "2.0.5"})
    assert memo.unreachable("http://a") is None


# -- small parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "shown"), [
    ("https://ann:pw@host.example/api", "https://ann:***@host.example/api"),
    ("https://ann@host.example/api", "https://ann:***@host.example/api"),
    ("https://:pw@host.example:8443/api?q=1", "https://***@host.example:8443/api?q=1"),
    ("https://host.example/api", "https://host.example/api"),
])
def test_credentials_are_redacted_in_urls(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_settings_keep_credentials_out_of_the_base_url() -> None:
    settings = Settings(base_url="https://ann:p%40ss@host.example:8443/api/v2/")
    assert settings.base_url == "https://host.example:8443/api/v2"
    assert settings.credentials == ("ann", "p@ss")
    assert settings.with_(timeout=3).credentials == ("ann", "p@ss")
    assert "p@ss" not in repr(settings) and "p%40ss" not in repr(settings)
    with pytest.raises(InvalidQueryError, match=r"^base URL must start with http:// or https://, "
                                                r"not 'ftp://ann:\*\*\*@host'$"):
        Settings(base_url="ftp://ann:secret@host")


@pytest.mark.parametrize(("name", "raw"), [
    ("TRIALFINDER_TIMEOUT", "nan"), ("TRIALFINDER_RETRIES", "inf"),
    ("TRIALFINDER_MAX_BODY_MB", "lots"), ("TRIALFINDER_RETRY_AFTER_MAX", "-inf"),
])
def test_limits_from_the_environment_must_be_finite_numbers(
    monkeypatch: pytest.MonkeyPatch, name: str, raw: str
) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(InvalidQueryError, match=f"^{name} must be a number"):
        Settings()


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_RETRY_AFTER_MAX", "30")
    monkeypatch.setenv("TRIALFINDER_MAX_BODY_MB", "2.5")
    settings = Settings()
    assert (settings.retry_after_max, settings.max_body_bytes) == (30.0, 2_500_000)


@pytest.mark.parametrize(("name", "raw", "said"), [
    ("TRIALFINDER_RATE", "-1", "requests per minute (TRIALFINDER_RATE) must be above 0, not -1"),
    ("TRIALFINDER_RETRIES", "99", "retries (TRIALFINDER_RETRIES) must be within 0..20, not 99"),
    ("TRIALFINDER_TIMEOUT", "0", "the deadline of a request (TRIALFINDER_TIMEOUT) must be above 0 "
     "and at most 3600 seconds, not 0"),
    ("TRIALFINDER_RETRY_AFTER_MAX", "100000", "the longest Retry-After waited out "
     "(TRIALFINDER_RETRY_AFTER_MAX) must be within 0..86400 seconds, not 100000"),
    ("TRIALFINDER_MAX_BODY_MB", "1000", "the largest answer (TRIALFINDER_MAX_BODY_MB) must be "
     "within 0.01..900 MB, not 1000"),
])
def test_a_limit_out_of_range_names_its_variable_and_value(
    monkeypatch: pytest.MonkeyPatch, name: str, raw: str, said: str
) -> None:
    """``TRIALFINDER_RATE=-1`` ended a search with "requests per minute must be above 0 and
    burst at least 1": neither the variable to fix nor the value it held."""
    monkeypatch.setenv(name, raw)
    with pytest.raises(InvalidQueryError) as refused:
        Settings()
    assert str(refused.value) == said


NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("0", 0.0),
    ("Thu, 26 Nov 2026 12:05:00 GMT", 300.0),
    ("Thu, 26 Nov 2026 11:00:00 GMT", 0.0),  # already past
    ("9" * 30, 1e30 - 1),
    ("soon", None), ("-5", None), ("1.5", None), ("", None), (None, None), ("٣", None),
])
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


def test_debug_lines_tell_requests_cache_decisions_waits_and_retries(
    standin_factory: Factory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = standin_factory(many(3), faults=Faults(script=[503]))
    settings = cached_settings(server, tmp_path, burst=1, requests_per_minute=60)
    clock = FakeClock()
    bucket = TokenBucket(60, burst=1, clock=clock, sleep=clock.sleep)
    client = TrialsClient(settings, make_session(settings, bucket, sleep=clock.sleep),
                          memo=ApiMemo())
    caplog.set_level(logging.DEBUG, logger="trialfinder")
    client.search(StudyQuery(conditions=("cramp",)))
    client.search(StudyQuery(conditions=("cramp",)))
    lines = [r.getMessage() for r in caplog.records
             if r.name.startswith(("trialfinder.http", "trialfinder.registries"))]
    base = server.base_url
    assert f"GET {base}/version (attempt 1 of 4)" in lines
    assert f"HTTP 503 from {base}/version; retrying in 0.00 s" in lines
    assert f"GET {base}/version (attempt 2 of 4)" in lines
    assert "waited 1.00 s for the request budget of http://127.0.0.1:" + str(
        server.port) in lines
    assert any(line.startswith(f"HTTP 200 from the API: {base}/studies?") and
               line.endswith("(cache miss)") for line in lines)
    assert any(line.startswith(f"cache hit: {base}/studies?") for line in lines)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("changes", [
    {"timeout": "5"}, {"retries": 2.5}, {"page_size": True}, {"max_body_mb": float("nan")},
    {"base_url": None}, {"burst": 0}, {"backoff_factor": -1.0},
])
def test_settings_of_the_wrong_kind_are_our_error(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidQueryError):
        Settings(**changes)


@pytest.mark.parametrize("limit", [0, 2.5, True, "3"])
def test_a_limit_must_be_a_whole_number(standin: StandInServer, limit: Any) -> None:
    client = TrialsClient(fast_settings(standin))
    with pytest.raises(InvalidQueryError, match="limit must be a whole number of at least 1"):
        next(client.iter_pages(StudyQuery(conditions=("asthma",)), limit=limit))
    assert standin.stats.requests == 0


@pytest.mark.parametrize(("asked", "cap", "slept", "requests"), [
    ("7", 120.0, [7.0], 2),        # waited out, then answered
    ("121", 120.0, [], 1),         # beyond the cap: no wait, one clear error
    ("later", 120.0, [0.0], 2),    # unreadable: the usual backoff (0 here)
])
def test_retry_after_is_waited_out_up_to_the_cap(
    standin_factory: Factory, asked: str, cap: float, slept: list[float], requests: int
) -> None:
    server = standin_factory(many(2), faults=Faults(script=[429], retry_after=asked))
    settings = fast_settings(server, retry_after_max=cap)
    waits: list[float] = []
    client = TrialsClient(settings, make_session(settings, sleep=waits.append))
    try:
        result = client.search(StudyQuery(conditions=("cramp",)))
    except RateLimitedError as exc:
        assert requests == 1
        assert "asked us to come back in 2 minutes, after " in str(exc)
    else:
        assert len(result.studies) == 2
    assert waits == slept
    assert server.stats.requests == requests
