"""trialfinder.views.request: the typed search request and the local filters of a state."""

from __future__ import annotations

import pytest

from trialfinder.core.errors import InvalidQueryError
from trialfinder.service.searching import build_query
from trialfinder.views.request import SearchRequest, local_filters
from trialfinder.views.urlstate import defaults, snapshot


def test_request_from_a_submitted_search() -> None:
    state = defaults() | {"preset": "als", "title": "breathing", "ids": "NCT99000012, nct99000029",
                          "radius": 100, "phase": ["PHASE2"], "sex": "FEMALE", "hv": "no",
                          "has_results": "no", "start_from": "2020"}
    request = SearchRequest.from_snapshot(snapshot(state), near=(42.36, -71.06))
    assert hash(request) == hash(SearchRequest.from_snapshot(snapshot(state), (42.36, -71.06)))
    kwargs = request.search_kwargs()
    assert kwargs["radius"] == "100mi" and kwargs["near"] == (42.36, -71.06)
    assert kwargs["nct_ids"] == ("NCT99000012", "nct99000029")
    assert (kwargs["sex"], kwargs["healthy_volunteers"], kwargs["has_results"]) == (
        "FEMALE", False, False)
    assert "AREA[HasResults]false" in build_query(**kwargs).to_params()["filter.advanced"]
    params = build_query(**kwargs).to_params()
    assert params["query.titles"] == "breathing"
    assert "NCT99000012" in params["filter.ids"]
    assert params["filter.geo"] == "distance(42.36,-71.06,100mi)"
    assert request.demo_kwargs() == {"preset": "als", "condition": None, "intervention": None,
                                     "term": None, "nct_ids": ("NCT99000012", "nct99000029")}


def test_no_place_sends_no_radius() -> None:
    request = SearchRequest.from_snapshot(snapshot(defaults() | {"condition": "ALS"}), None)
    assert request.search_kwargs()["radius"] is None


def test_local_filters_of_a_state() -> None:
    state = defaults() | {"phase": ["PHASE2"], "keyword": " cramp ", "age": 40.0,
                          "status": []}
    filters = local_filters(state, {"start_from": "2020", "start_to": ""}, (42.0, -71.0))
    assert filters.phases == ("PHASE2",) and filters.statuses is None
    assert (filters.keyword, filters.age, filters.start_from, filters.start_to) == (
        "cramp", 40.0, "2020", None)
    assert filters.radius_mi == 50.0
    with pytest.raises(InvalidQueryError):
        local_filters(state | {"age": 300.0}, None, None)
