"""trialfinder.views.searchline: what was searched as removable chips, and what to try when the
registry found nothing, as changes the page can make."""

from __future__ import annotations

from trialfinder.options import SearchOptions
from trialfinder.options.render import word_parts, words
from trialfinder.views.searchline import (
    Suggestion,
    cleared,
    search_chips,
    shown_values,
    suggestions,
)
from trialfinder.views.urlstate import RADII, defaults, snapshot


def test_each_part_of_the_words_names_its_options() -> None:
    options = SearchOptions(conditions="ALS", near="Boston, MA", radius="25mi",
                               phases=("PHASE2",), start_from="2020", start_to="2022")
    parts = word_parts(options)
    assert [names for names, _ in parts] == [
        ("conditions",), ("near", "radius"), ("phases",), ("start_from", "start_to")]
    assert " · ".join(said for _, said in parts) == words(options)
    assert words(SearchOptions()) == "everything" and word_parts(SearchOptions()) == []


def test_chips_say_the_search_and_the_current_filters_one_part_each() -> None:
    submitted = defaults() | {"preset": "als", "place": "Boston, MA", "radius": 100,
                              "status": []}
    # a filter changed after the search is part of what the page shows
    now = submitted | {"phase": ["PHASE2"], "place": "typed, not searched"}
    chips = search_chips(now, snapshot(submitted))
    assert [(c.keys, c.words, c.removable) for c in chips] == [
        (("preset",), "ALS (amyotrophic lateral sclerosis)", True),
        (("place", "radius"), "within 100 miles of Boston, MA", True),
        (("phase",), "Phase 2", True),
    ]


def test_the_only_topic_is_said_but_cannot_be_taken_away() -> None:
    state = defaults() | {"condition": "ALS"}
    chips = search_chips(state, snapshot(state))
    assert [(c.words, c.removable) for c in chips] == [
        ("ALS", False), ("recruiting or not yet recruiting", True)]
    # a place is a topic too: either one can go while the other stays
    state = defaults() | {"condition": "ALS", "place": "Boston, MA", "status": []}
    assert [c.removable for c in search_chips(state, snapshot(state))] == [True, True]
    # the demo searches with no topic at all, so everything can go
    assert [c.removable for c in search_chips(state, snapshot(state), demo_mode=True)] == [
        True, True]


def test_taking_a_part_away_sets_its_widgets_to_no_value() -> None:
    assert cleared(["place", "radius", "status", "phase", "sex", "hv", "age"]) == {
        "place": "", "radius": 50, "status": [], "phase": [], "sex": "ALL", "hv": "any",
        "age": None}
    state = defaults() | {"condition": "ALS", "phase": ["PHASE3"]}
    assert "condition" not in shown_values(state, None)  # nothing searched: filters only
    assert shown_values(state, snapshot(state))["condition"] == "ALS"


def test_suggestions_are_buttons_where_the_page_can_do_them() -> None:
    searched = snapshot(defaults() | {"condition": "rare thing", "place": "Boston",
                                      "radius": 500, "phase": ["PHASE3"]})
    assert suggestions(searched, RADII) == [
        Suggestion("Search without a place", {"place": "", "radius": 50}),
        Suggestion("Search any status, not only recruiting, not yet recruiting",
                   {"status": []}),
        Suggestion("Try fewer or more general words"),  # only the person can do this one
        Suggestion("Search any phase", {"phase": []}),
    ]
    searched = snapshot(defaults() | {"condition": "ALS", "place": "Boston", "radius": 25,
                                      "status": [], "sex": "FEMALE"})
    assert suggestions(searched, RADII) == [
        Suggestion("Search within 50 miles", {"radius": 50}),
        # nothing near Austin within 50, 100, 250 or 500 miles took five searches to say so
        Suggestion("Search without a place", {"place": "", "radius": 50}),
        Suggestion("Try another spelling or a more general word"),
        Suggestion("Search any sex", {"sex": "ALL"}),
    ]


def test_a_slip_in_the_condition_or_treatment_is_a_button_to_its_spelling() -> None:
    """"musle spasm" found nothing, and the page said only "Try another spelling": the name
    trialfinder knows, spelled nearly so, is one click away (as `search` names it)."""
    searched = snapshot(defaults() | {"condition": "musle spasm", "intervention": "tizanidin",
                                      "status": []})
    assert suggestions(searched, RADII) == [
        Suggestion("Search for muscle spasm", {"condition": "muscle spasm"}),
        Suggestion("Search for tizanidine", {"intervention": "tizanidine"}),
        Suggestion("Try fewer or more general words"),
    ]
    searched = snapshot(defaults() | {"condition": "muscle spasm", "status": []})
    assert suggestions(searched, RADII) == [
        Suggestion("Try fewer or more general words")]
