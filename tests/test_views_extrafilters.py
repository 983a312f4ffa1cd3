"""trialfinder.views.extrafilters: funder type and date ranges applied after the library's
filters."""

from __future__ import annotations

import pandas as pd
import pytest

from devtools.standin import fictional_site, fictional_study
from trialfinder import service
from trialfinder.core.errors import InvalidQueryError
from trialfinder.views.extrafilters import apply_registry_filters, date_bounds
from trialfinder.views.provenance import meta_json
from trialfinder.views.summary import step_lines, without
from trialfinder.views.urlstate import defaults, state_from_url, url_params


def results() -> service.Results:
    records = []
    for i, (funder, completed) in enumerate([("INDUSTRY", "2021-06"), ("NIH", "2023-01-15"),
                                             ("OTHER", None), ("INDUSTRY", "2024")]):
        record = fictional_study(f"NCT9900095{i}", f"Study {i}", locations=[
            fictional_site(f"Site {i}", "Boston", "United States", 42.36, -71.06)])
        record["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"]["class"] = funder
        status = record["protocolSection"]["statusModule"]
        status.pop("completionDateStruct", None)
        if completed:
            status["completionDateStruct"] = {"date": completed, "type": "ACTUAL"}
        records.append(record)
    return service.search_records(records, source="test")


def test_date_bounds() -> None:
    assert date_bounds("2020", "x") == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31"))
    assert date_bounds(" 2024-02 ", "x") == (pd.Timestamp("2024-02-01"),
                                             pd.Timestamp("2024-02-29"))
    assert date_bounds("2024-05-31", "x") == (pd.Timestamp("2024-05-31"),) * 2
    for bad in ("2024-13", "soon", "2024-02-30", "[x](y)"):
        with pytest.raises(InvalidQueryError, match="completion date"):
            date_bounds(bad, "completion date")


def test_funder_and_completion_range() -> None:
    found = results()
    assert apply_registry_filters(found, defaults()) is found  # nothing set, nothing changed
    state = defaults() | {"funder": ["INDUSTRY", "NIH"], "completion_from": "2022",
                          "completion_to": "2024-06"}
    narrowed = apply_registry_filters(found, state)
    assert list(narrowed.studies["nct_id"]) == ["NCT99000951", "NCT99000953"]
    assert set(narrowed.sites["nct_id"]) == {"NCT99000951", "NCT99000953"}
    assert [(s.name, s.removed) for s in narrowed.steps[-2:]] == [
        ("funder INDUSTRY, NIH", 1), ("completion date 2022 to 2024-06", 1)]
    assert [line.words for line in step_lines(narrowed.steps[-2:], state)] == [
        "Funder type: Industry, NIH", "Completion date: 2022 to 2024-06"]
    undone = without(state, "completion")
    assert (undone["completion_from"], undone["completion_to"]) == ("", "")
    assert len(apply_registry_filters(found, undone).studies) == 3
    assert b'"studies": 2' in meta_json(narrowed)  # the provenance counts what is shown


def test_registry_filters_in_links() -> None:
    state = state_from_url({"funder": ["NIH", "bogus"], "updated_from": ["2023"]})
    assert (state["funder"], state["updated_from"]) == (["NIH"], "2023")
    params = url_params(state, None, demo_mode=False)
    assert params == {"funder": ["NIH"], "updated_from": ["2023"]}
