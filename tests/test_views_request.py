"""trialfinder.views.request: the typed search request and the local filters of a state."""

from __future__ import annotations

import pytest

from trialfinder.core.codes import Phase, Sex, Status
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import Near, Radius, SearchOptions
from trialfinder.registries.ctgov.options import query_for
from trialfinder.views.request import SearchRequest, local_filters
from trialfinder.views.urlstate import defaults, snapshot


def test_request_from_a_submitted_search() -> None:
    state = defaults() | {"preset": "als", "title": "breathing", "ids": "NCT99000012, nct99000029",
                          "place": "Boston, MA", "radius": 100, "phase": ["PHASE2"],
                          "sex": "FEMALE", "hv": "no", "has_results": "no", "start_from": "2020"}
    request = SearchRequest.from_snapshot(snapshot(state), near=(42.36, -71.06))
    assert hash(request) == hash(SearchRequest.from_snapshot(snapshot(state), (42.36, -71.06)))
    assert request.options == SearchOptions(
        preset="als", title="breathing", ids=("NCT99000012", "nct99000029"),
        near=Near("Boston, MA", (42.36, -71.06)), radius=Radius(100),
        statuses=(Status.RECRUITING, Status.NOT_YET_RECRUITING), phases=(Phase.PHASE2,),
        sex=Sex.FEMALE, healthy_volunteers=False, has_results=False, start_from="2020")
    assert request.search_kwargs() == {"options": request.options}
    params = query_for(request.options).to_params()
    assert "AREA[HasResults]false" in params["filter.advanced"]
    assert params["query.titles"] == "breathing"
    assert params["filter.ids"] == "NCT99000012,NCT99000029"
    assert params["filter.geo"] == "distance(42.36,-71.06,100mi)"
    assert request.demo_kwargs() == {"options": SearchOptions(
        preset="als", title="breathing", ids=("NCT99000012", "nct99000029"))}


def test_no_place_sends_no_radius() -> None:
    request = SearchRequest.from_snapshot(snapshot(defaults() | {"condition": "ALS",
                                                                 "radius": 100}), None)
    assert (request.options.near, request.options.radius) == (None, None)
    with pytest.raises(InvalidQueryError, match=r"start date \(from\) must be a date like 2024"):
        SearchRequest.from_snapshot(snapshot(defaults() | {"condition": "ALS",
                                                           "start_from": "soon"}), None)


def test_local_filters_of_a_state() -> None:
    state = defaults() | {"phase": ["PHASE2"], "keyword": " cramp ", "age": 40.0,
                          "status": [], "funder": ["NIH"], "updated_from": "2023"}
    filters = local_filters(state, {"start_from": "2020", "start_to": ""}, (42.0, -71.0))
    assert filters.phases == ("PHASE2",) and filters.statuses is None
    assert (filters.keyword, filters.age, filters.start_from, filters.start_to) == (
        "cramp", 40.0, "2020", None)
    assert (filters.funder_types, filters.updated_from) == (("NIH",), "2023")
    assert filters.near == (42.0, -71.0) and filters.radius_mi == 50.0
    with pytest.raises(InvalidQueryError):
        local_filters(state | {"age": 300.0}, None, None)
