"""trialfinder.views.summary: filter steps in words, undo, what to try when nothing matched."""

from __future__ import annotations

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.filters import FilterStep, LocalFilters, apply_filters
from trialfinder.views.summary import (
    filter_words,
    step_key,
    step_lines,
    without,
)
from trialfinder.views.urlstate import defaults


def test_every_library_step_maps_to_its_widget() -> None:
    tables = normalize([fictional_study("NCT99000900", "A", locations=[
        {"facility": "F", "city": "C", "country": "France",
         "geoPoint": {"lat": 48.85, "lon": 2.35}}])])
    outcome = apply_filters(tables, LocalFilters(
        statuses=("RECRUITING",), phases=("PHASE2",), study_types=("INTERVENTIONAL",),
        intervention_types=("DRUG",), sex="FEMALE", age=40, healthy_volunteers=True,
        start_from="2020", has_results=True, countries=("France",), states=("X",),
        cities=("C",), near=(48.85, 2.35), radius_mi=10, keyword="a"))
    assert [step_key(s.name) for s in outcome.steps] == [
        "status", "phase", "study_type", "itype", "sex", "age", "hv", "start",
        "has_results", "country", "state", "city", "radius", "keyword"]


def test_steps_in_words() -> None:
    state = defaults() | {"phase": ["PHASE2", "EARLY_PHASE1"], "itype": ["DIETARY_SUPPLEMENT"],
                          "keyword": "breast", "age": 58.0, "sex": "FEMALE"}
    lines = step_lines([FilterStep("phase PHASE2, EARLY_PHASE1", 12, "3 with no phase"),
                        FilterStep("intervention type DIETARY_SUPPLEMENT", 1),
                        FilterStep("keyword 'breast'", 0), FilterStep("age 58", 2),
                        FilterStep("sex FEMALE", 0), FilterStep("state MA", 4)], state)
    assert [(x.key, x.words, x.removed, x.note) for x in lines] == [
        ("phase", "Phase: Phase 2, Early phase 1", 12, "3 with no phase"),
        ("itype", "Treatment type: Dietary supplement", 1, None),
        ("keyword", "Keyword: “breast”", 0, None),
        ("age", "Age: 58 years", 2, None),
        ("sex", "Sex: Female", 0, None),
        ("state", "state MA", 4, None),  # no widget: the library's words are kept
    ]
    assert filter_words("hv", state | {"hv": "no"}) == (
        "Healthy volunteers: Only people with the condition")


def test_without_resets_one_filter_only() -> None:
    state = defaults() | {"phase": ["PHASE2"], "keyword": "x", "condition": "ALS"}
    assert without(state, "keyword") == state | {"keyword": ""}
    assert without(state, "condition") == state  # not a filter: left alone


def test_the_statuses_asked_for_read_as_plain_english() -> None:
    from trialfinder.views.summary import status_request_words

    assert status_request_words(["recruiting", "not yet recruiting"]) == (
        "You asked for studies that are recruiting or not yet recruiting.")
    assert status_request_words(["recruiting", "enrolling by invitation", "active, not "
                                 "recruiting"]) == (
        "You asked for studies that are recruiting; enrolling by invitation or active, not "
        "recruiting.")
