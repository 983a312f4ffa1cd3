"""Funder type and the completion, first-posted and last-update date ranges: search options
applied by the library's local filters (one counted step each), shown by the page in words,
undone one at a time and kept in links."""

from __future__ import annotations

import pytest

from devtools.standin import fictional_site, fictional_study
from trialfinder import service
from trialfinder.core.errors import InvalidQueryError
from trialfinder.tables.filters import LocalFilters
from trialfinder.views.provenance import meta_json
from trialfinder.views.request import local_filters
from trialfinder.views.summary import step_lines, without
from trialfinder.views.urlstate import defaults, state_from_url, url_params


def records() -> list[dict[str, object]]:
    out = []
    for i, (funder, completed) in enumerate([("INDUSTRY", "2021-06"), ("NIH", "2023-01-15"),
                                             ("OTHER", None), ("INDUSTRY", "2024")]):
        record = fictional_study(f"NCT9900095{i}", f"Study {i}", locations=[
            fictional_site(f"Site {i}", "Boston", "United States", 42.36, -71.06)])
        record["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"]["class"] = funder
        status = record["protocolSection"]["statusModule"]
        status.pop("completionDateStruct", None)
        if completed:
            status["completionDateStruct"] = {"date": completed, "type": "ACTUAL"}
        out.append(record)
    return out


def test_funder_and_completion_range_as_search_options() -> None:
    found = service.search_records(records(), source="test", funder_types=["industry", "nih"],
                                   completion_from="2022", completion_to="2024-06")
    assert list(found.studies["nct_id"]) == ["NCT99000951", "NCT99000953"]
    assert set(found.sites["nct_id"]) == {"NCT99000951", "NCT99000953"}
    assert [(s.name, s.removed, s.note) for s in found.steps] == [
        ("funder INDUSTRY, NIH", 1, None),
        ("completion date 2022 to 2024-06", 1, None)]
    undated = service.search_records(records(), source="test", completion_to="2030")
    assert [(s.removed, s.note) for s in undated.steps] == [
        (1, "1 study with no completion date removed")]
    with pytest.raises(InvalidQueryError, match="completion_from must be a date like 2024"):
        service.search_records(records(), source="test", completion_from="soon")
    with pytest.raises(InvalidQueryError, match="completion date range is empty"):
        LocalFilters(completion_from="2024", completion_to="2023-12")


def test_the_page_filters_says_and_undoes_them() -> None:
    every = service.search_records(records(), source="test")
    state = defaults() | {"status": [], "funder": ["INDUSTRY", "NIH"],
                          "completion_from": "2022", "completion_to": "2024-06"}
    narrowed = every.refilter(local_filters(state, None, None))
    assert list(narrowed.studies["nct_id"]) == ["NCT99000951", "NCT99000953"]
    assert [line.words for line in step_lines(narrowed.steps, state)] == [
        "Funder type: Industry, NIH", "Completion date: 2022 to 2024-06"]
    undone = without(state, "completion")
    assert (undone["completion_from"], undone["completion_to"]) == ("", "")
    assert len(every.refilter(local_filters(undone, None, None)).studies) == 3
    assert b'"studies": 2' in meta_json(narrowed)  # the provenance counts what is shown


def test_registry_filters_in_links() -> None:
    state = state_from_url({"funder": ["NIH", "bogus"], "updated_from": ["2023"]})
    assert (state["funder"], state["updated_from"]) == (["NIH"], "2023")
    params = url_params(state, None, demo_mode=False)
    assert params == {"funder": ["NIH"], "updated_from": ["2023"]}
