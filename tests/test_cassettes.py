"""The client replayed against recorded API answers (cassettes/test_cassettes/).

The cassettes hold answers in the exact API v2 shape for our fictional demo studies
(NCT99xxxxxx); see cassettes/README.md for how they are made and re-recorded.
"""

from __future__ import annotations

from typing import Any

import pytest

from trialfinder.core.config import Settings
from trialfinder.core.errors import ApiError, NotFoundError
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery, preset_query
from trialfinder.service.searching import search
from trialfinder.topics.presets import get_preset

pytestmark = pytest.mark.vcr


def make_client(base_url: str, **changes: Any) -> TrialsClient:
    settings = Settings(base_url=base_url, use_cache=False, backoff_factor=0.0,
                        requests_per_minute=60_000, burst=1000, **changes)
    return TrialsClient(settings)


def ids(studies: list[dict[str, Any]]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("als", ["NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029", "NCT99000041",
                 "NCT99000054"]),
        ("caffeine-muscle", ["NCT99000003", "NCT99000007", "NCT99000042", "NCT99000043",
                             "NCT99000059"]),
        ("muscle-relaxants", ["NCT99000009", "NCT99000017", "NCT99000018", "NCT99000024",
                              "NCT99000026", "NCT99000031", "NCT99000036", "NCT99000037",
                              "NCT99000038", "NCT99000039", "NCT99000044", "NCT99000048"]),
        ("autoimmune-spasms", ["NCT99000001", "NCT99000005", "NCT99000008", "NCT99000014",
                               "NCT99000035", "NCT99000037", "NCT99000038", "NCT99000053"]),
    ],
)
def test_preset_search(api_base_url: str, preset: str, expected: list[str]) -> None:
    result = make_client(api_base_url).search(preset_query(get_preset(preset)))
    assert ids(result.studies) == expected
    assert result.total_count == len(expected)
    assert result.requests == 1  # without a cache, /version is not asked
    assert result.version is None


def test_multi_page_search(api_base_url: str) -> None:
    client = make_client(api_base_url, page_size=10)
    result = client.search(preset_query(get_preset("muscle-spasm")))
    assert result.total_count == 32
    assert len(result.studies) == len(set(ids(result.studies))) == 32
    assert (result.pages, result.requests) == (4, 4)
    assert ids(result.studies)[:3] == ["NCT99000002", "NCT99000003", "NCT99000006"]


def test_service_search_with_filters_and_distance(api_base_url: str) -> None:
    res = search(client=make_client(api_base_url), preset="muscle-relaxants",
                 status=["recruiting", "not yet recruiting"], near=(42.36, -71.06), radius="50mi")
    assert res.meta["query"]["filter.geo"] == "distance(42.36,-71.06,50mi)"
    assert list(res.studies["nct_id"]) == ["NCT99000017", "NCT99000026", "NCT99000039",
                                           "NCT99000044", "NCT99000048"]
    assert set(res.studies["status"]) == {"RECRUITING"}
    assert res.sites["distance_mi"].max() <= 50


def test_bad_request_message_is_the_apis_own(api_base_url: str) -> None:
    query = StudyQuery(conditions=("cramp",), advanced="AREA[NotARealField]x")
    with pytest.raises(ApiError) as caught:
        make_client(api_base_url).search(query)
    assert caught.value.status == 400
    assert caught.value.message == (
        "Error parsing query in advanced filter: Unknown area name: `NotARealField`")


def test_unknown_study_is_not_found(api_base_url: str) -> None:
    with pytest.raises(NotFoundError, match="no study with id NCT09999999"):
        make_client(api_base_url).get_study("NCT09999999")


def test_one_full_study(api_base_url: str) -> None:
    study = make_client(api_base_url).get_study("NCT99000017")
    locations = study["protocolSection"]["contactsLocationsModule"]["locations"]
    assert len(locations) == 1200
    assert "fictional demo study" in study["protocolSection"]["descriptionModule"]["briefSummary"]


@pytest.mark.standin_faults(script=[429])
def test_rate_limited_then_answered(api_base_url: str, vcr: Any) -> None:
    result = make_client(api_base_url).search(preset_query(get_preset("als")))
    assert len(result.studies) == 6
    assert [r["status"]["code"] for r in vcr.responses] == [429, 200]


@pytest.mark.standin_faults(script=[503])
def test_unavailable_then_answered(api_base_url: str, vcr: Any) -> None:
    result = make_client(api_base_url).search(preset_query(get_preset("caffeine-muscle")))
    assert len(result.studies) == 5
    assert [r["status"]["code"] for r in vcr.responses] == [503, 200]
