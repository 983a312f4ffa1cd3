"""TrialsClient against the loopback stand-in: paging, limits, retries, errors, caching."""

from __future__ import annotations

import os
import stat
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import Faults, StandInServer, fictional_study
from trialfinder.api.client import ApiMemo, TrialsClient
from trialfinder.api.query import Distance, StudyQuery
from trialfinder.api.transport import CacheRebuiltWarning
from trialfinder.config import Settings
from trialfinder.errors import (
    ApiError,
    NetworkError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    SchemaError,
)

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
    with pytest.raises(RateLimitedError, match="API error 429") as caught:
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
    assert str(caught.value) == (
        "ClinicalTrials.gov API error 400: "
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


def test_unreachable_api_falls_back_to_stale_cache_with_its_age(
    standin: StandInServer, tmp_path: Path
) -> None:
    query = StudyQuery(conditions=("asthma",))
    settings = cached_settings(standin, tmp_path, retries=0, expire_after=timedelta(seconds=1))
    TrialsClient(settings).search(query)
    standin.close()
    time.sleep(1.2)
    client = TrialsClient(settings)
    result = client.search(query)
    assert ids(result.studies) == ["NCT99100001", "NCT99100006"]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(
        "ClinicalTrials.gov could not be reached; showing cached results from ")
    assert result.warnings[0].endswith(" seconds ago")


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
