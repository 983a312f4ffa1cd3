"""What a new user trips on, found by walking the dashboard as a patient would (a phone and
a desktop, the fictional demo records behind the loopback stand-in): each test here failed
before its fix."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dashboard.results import FICTIONAL_LIST
from devtools.standin import StandInServer
from tests.test_app import (
    ALS_ANY,
    NEAR_BOSTON,
    NEAR_BOSTON_FOUND,
    _fresh_caches,
    api,
    calls,
    new_app,
    open_url,
    param,
    plain,
    table_ids,
    texts,
)
from trialfinder.topics import demo
from trialfinder.views.text import NOT_ADVICE

__all__ = ["_fresh_caches", "api", "calls"]  # the fixtures of tests/test_app.py


def test_a_misspelt_link_part_is_named_not_silently_dropped(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = open_url(new_app(), conditon="ALS", preset="als", status="any")
    assert not at.exception
    assert [plain(n) for n in texts(at.info)] == [
        "This page does not know the link’s “conditon”, so it was left out."]
    assert table_ids(at)  # the rest of the link searches as before
    assert "conditon" not in at.query_params


def test_a_place_name_of_several_places_says_which_was_taken(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """"Boston" is searched as Boston, MA (the CLI says so in a note); the page said only
    "within 100 miles of Boston", so someone in Boston, Lincolnshire was not told."""
    at = open_url(new_app(), condition="spasticity", near="Boston", radius="100")
    assert not at.exception
    [choice] = [plain(t) for t in texts(at.caption) if t.startswith("Near:")]
    assert choice.startswith("Near: “Boston” taken as Boston, MA, US (")
    assert "also: Boston, United Kingdom" in choice
    others = [b for b in at.button if str(b.key).startswith("place_other_")]
    assert [plain(b.label) for b in others][:1] == ["Search near Boston, United Kingdom"]
    others[0].click().run()
    assert not at.exception
    assert at.query_params["near"] == "Boston, United Kingdom"
    assert calls[-1]["near"].place == "Boston, United Kingdom"


def test_an_unambiguous_place_adds_no_note(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = open_url(new_app(), condition="spasticity", near="Boston, MA", radius="100")
    assert not at.exception and table_ids(at)
    assert not [t for t in texts(at.caption) if t.startswith("Near:")]
    assert not [b for b in at.button if str(b.key).startswith("place_other_")]


def test_a_link_with_one_bad_study_id_still_searches_the_others(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """``?id=NCT99000012,<b>x</b>`` stopped the whole search ("The search could not run:
    '<b>x</b>' is not an NCT id"): a bad value of a link costs that value only."""
    at = open_url(new_app(), id="NCT99000012,<b>x</b>", status="any")
    assert not at.exception and not at.error
    assert [plain(n) for n in texts(at.info)] == [
        "The link’s id “<b>x</b>” was not understood and was left out."]
    assert table_ids(at) == ["NCT99000012"]
    assert calls[-1]["nct_ids"] == ("NCT99000012",)


def test_a_link_with_an_unknown_country_does_not_empty_the_list(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """``?country=Atlantis`` filtered every study away ("Your filters removed all 6 studies")
    where the command line refuses the name before any request."""
    at = open_url(new_app(), preset="als", status="any", country="Atlantis")
    assert not at.exception
    assert [plain(n) for n in texts(at.info)] == [
        "The link’s country “Atlantis” was not understood and was left out."]
    assert set(table_ids(at)) == set(ALS_ANY)  # every ALS study, none filtered away
    assert "country" not in at.query_params


def test_about_you_says_which_of_several_places_is_where_you_live(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """*Where you live* "Portland" measured from Portland, OR without a word (the list's
    distances and the pre-screen's radius then belong to the other coast)."""
    at = open_url(new_app(), preset="muscle-spasm")
    at.text_input(key="ay_place").set_value("Portland").run()
    assert not at.exception
    [choice] = [plain(t) for t in texts(at.caption) if t.startswith("Where you live:")]
    assert choice.startswith("Where you live: “Portland” taken as Portland, OR, US (")
    assert "also: Portland, ME, US" in choice


def test_a_search_too_long_for_a_link_is_refused_in_one_line(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """The form took any length while a link holds at most 300 characters a field: a long
    search ran, and its copied link then said "The link’s “condition” value was not
    understood". A longer search is now refused, in one line, before it runs."""
    at = new_app().run()
    at.text_input(key="q_words").set_value("cramp " * 60)  # 360 characters
    at.button(key="q_submit").click().run()
    assert not at.exception and calls == []
    assert [plain(n) for n in texts(at.info)][:1] == [
        "The condition field holds 359 characters; a search field takes at most 300. "
        "Shorten it and search again."]
    assert "condition" not in at.query_params
    at.text_input(key="q_words").set_value(("cramp " * 50).strip())
    at.button(key="q_submit").click().run()  # 299 characters: searched, and its link opens
    assert not at.exception and len(calls) == 1
    again = open_url(new_app(), **{k: at.query_params[k] for k in at.query_params})
    assert not again.exception and not texts(again.info)
    assert param(again, "condition") == [("cramp " * 50).strip()]


def test_the_sidebar_refuses_a_search_too_long_for_a_link(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = new_app().run()
    at.text_input(key="condition").set_value("ALS")
    at.text_input(key="sponsor").set_value("s" * 301)
    at.button(key="search_button").click().run()
    assert not at.exception and calls == []
    assert [plain(n) for n in texts(at.info)][:1] == [
        "The sponsor field holds 301 characters; a search field takes at most 300. "
        "Shorten it and search again."]


def test_the_first_screen_names_the_way_to_the_filters_a_phone_shows(
    api: StandInServer,
) -> None:
    """On a phone the sidebar is closed and its only way in is a button; the first screen
    spoke of "the sidebar" alone."""
    at = new_app().run()
    label = at.button(key="filters_toggle").label
    [words] = [t for t in texts(at.markdown) if t.startswith("Look for clinical trials")]
    assert f"**{label}**" in words


def test_near_a_place_the_site_count_says_it_counts_those_within_reach(
    api: StandInServer,
) -> None:
    """"Sites 318" under four studies, one of which lists 1,200 sites on its own page: near a
    place the count is of the sites within the distance, and now says so."""
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception
    counts = {m.label: m.value for m in at.metric}
    within = NEAR_BOSTON_FOUND.sites
    assert counts["Sites within 100 miles"] == f"{len(within):,}"
    assert len(within) and float(within["distance_mi"].max()) <= 100
    assert "Sites" in {m.label for m in open_url(new_app(), preset="als", status="any").metric}


@pytest.mark.parametrize("real", [False, True])
def test_not_medical_advice_is_said_right_under_the_results_heading(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, real: bool
) -> None:
    """After a search a phone scrolls the results heading to the top, past the page's
    caption and the demo's banner: under the heading no line said "not medical advice"."""
    if real:
        monkeypatch.setattr(demo, "shows_fictional", lambda ids: False)
    at = open_url(new_app(), **NEAR_BOSTON)
    assert not at.exception and table_ids(at)
    captions = texts(at.main.caption)  # the sidebar's own line is not where the list is
    assert NOT_ADVICE in captions  # a line of its own, not only the end of the top caption
    assert (FICTIONAL_LIST in captions) is not real


def test_a_place_typed_after_a_topic_keeps_the_topic(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """After the ALS topic, a place typed alone under *New search* searched every study near
    it, the topic silently gone (the form's words box is empty for a topic): the form says
    a place alone keeps the topic, and does; words typed start a new search as before."""
    at = open_url(new_app(), preset="als", status="any")
    assert not at.exception
    assert ("Topic: ALS (amyotrophic lateral sclerosis). A place alone looks for this topic "
            "near it; words start a new search.") in [plain(t) for t in texts(at.caption)]
    at.text_input(key="q_place").input("Boston, MA")
    at.button(key="q_submit").click().run()
    assert not at.exception
    assert calls[-1]["preset"] == "als" and calls[-1]["near"].place == "Boston, MA"
    assert (param(at, "preset"), param(at, "near")) == (["als"], ["Boston, MA"])
    at.text_input(key="q_words").input("leg cramps")
    at.button(key="q_submit").click().run()
    assert not at.exception
    assert calls[-1]["preset"] is None and calls[-1]["condition"] == ("leg cramps",)
    assert param(at, "preset") == [] and param(at, "condition") == ["leg cramps"]


def test_a_uk_postcode_is_searched_near_with_how_precise_it_is(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """Someone in Leeds typed their postcode: the page said only that this place could not
    be found on the map (trialfinder read US ZIP codes only)."""
    at = open_url(new_app(), condition="spasticity", near="LS1 4AP", radius="100")
    assert not at.exception
    assert not at.error
    [choice] = [plain(t) for t in texts(at.caption) if t.startswith("Near:")]
    assert choice.startswith("Near: “LS1 4AP” placed at the middle of the postcode sector "
                             "LS1 4 (by Leeds), not at the address: ")
    assert calls[-1]["near"].place == "LS1 4AP"


def test_about_you_checks_the_rest_when_where_you_live_is_not_found(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    """A slip in *Where you live* turned the whole pre-screen off: the age, conditions and
    medicines given were not checked, the cards had no verdict, and the page said only that
    the place could not be found."""
    at = open_url(new_app(), condition="ALS", status="any")
    at.text_input(key="ay_place").input("Qwxzvq").run()
    assert not at.exception
    # the place alone: nothing to check yet, and nothing said of checking
    place = [plain(t) for t in texts(at.warning) if t.startswith("We could not find")]
    assert place == ["We could not find this place on the map: unknown place “Qwxzvq”."]
    assert not [t for t in texts(at.markdown) if t.startswith(":green-badge[")]
    at.text_input(key="ay_conditions").input("amyotrophic lateral sclerosis").run()
    assert not at.exception
    assert [plain(t) for t in texts(at.warning) if t.startswith("We could not find")] == [
        "We could not find this place on the map: unknown place “Qwxzvq”. Until it is found, "
        "the studies below are checked on the rest of what you gave, without a distance."]
    badges = [t for t in texts(at.markdown) if re.match(r":(green|orange|gray)-badge\[", t)]
    assert len(badges) == len(table_ids(at)) == len(ALS_ANY)
    assert any(t.startswith(":green-badge[:material/check_circle: May fit]") for t in badges)
    # the study's page gives its verdict too
    at.button(key="open_0").click().run()
    assert not at.exception
    assert any(str(e.value).startswith("**About you:** ") for e in at.markdown)
