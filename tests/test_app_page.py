"""The dashboard's list and study page (issue 21), driven headless with AppTest against the
loopback stand-in serving the fictional demo records: the order of the list, the study's
contacts as links, an old list that offers Refresh, saved searches that can be turned off."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from devtools.standin import StandInServer
from trialfinder import service
from trialfinder.tables.prescreen.fit import prescreen
from trialfinder.tables.prescreen.profile import Profile
from trialfinder.topics.demo import load_demo_studies
from trialfinder.views.text import NOT_ADVICE, escape_md

ROOT = Path(__file__).parents[1]
DEMO = load_demo_studies()
NEAR = {"preset": "muscle-spasm", "near": "Boston, MA", "radius": "500", "status": "any"}
# the same search through the library's offline path (the registry's order)
NEAR_FOUND = service.search_records(DEMO, source="demo", preset="muscle-spasm",
                                    near="Boston, MA", radius=500)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def api(standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> StandInServer:
    server = standin_factory(DEMO)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    return server


def opened(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(params)
    return at.run()


def card_ids(at: AppTest) -> list[str]:
    """The ids of the list's cards (near a place each names its nearest site; the cards of
    About you do not)."""
    return [m.group(1) for e in at.caption
            if (m := re.match(r"^(NCT\d{8}) · .* · nearest site ", str(e.value)))]


def card_miles(at: AppTest) -> list[int]:
    """The miles each card gives (0 for "under a mile")."""
    return [int(m.group(1).replace(",", "")) if m.group(1) else 0 for e in at.caption
            if (m := re.search(r"nearest site (?:([\d,]+) miles|under a mile) away",
                               str(e.value)))]


def test_near_a_place_the_list_is_nearest_first_and_can_be_sorted(api: StandInServer) -> None:
    registry = [str(n) for n in NEAR_FOUND.studies["nct_id"]]
    miles = list(NEAR_FOUND.studies["nearest_distance_mi"])
    assert miles != sorted(miles)  # the registry's order is not nearest first
    at = opened(**NEAR)
    assert not at.exception
    assert at.selectbox(key="sort").value == "nearest"
    shown = card_miles(at)
    assert shown == sorted(shown) and shown[0] == 0 and len(shown) == 19
    assert set(card_ids(at)) == set(registry)

    at.selectbox(key="sort").set_value("registry").run()
    assert card_ids(at) == registry
    at.selectbox(key="sort").set_value("newest").run()
    posted = NEAR_FOUND.studies.set_index("nct_id")["first_posted"]
    dates = [posted[n] for n in card_ids(at)]
    assert dates == sorted(dates, reverse=True)
    assert "fit" not in at.selectbox(key="sort").options  # only once About you is filled

    # the pre-screen's own order, once About you is filled
    at.number_input(key="ay_age").set_value(70).run()
    assert "Best fit for you first (About you)" in at.selectbox(key="sort").options
    at.selectbox(key="sort").set_value("fit").run()
    results = service.search_records(DEMO, source="demo", preset="muscle-spasm",
                                     near="Boston, MA", radius=500)
    screen = prescreen(results, Profile(age=70, near=(42.3601, -71.0589)))
    order = [str(n) for n in screen.studies["nct_id"]]
    assert card_ids(at) == order[:len(card_ids(at))]

    # a new search starts in its default order again
    at.selectbox(key="preset").set_value("als")
    at.text_input(key="place").input("")
    at.button(key="search_button").click().run()
    assert at.selectbox(key="sort").value == "registry"


def test_a_links_order_opens_the_list_so_and_a_bad_one_costs_only_itself(
    api: StandInServer,
) -> None:
    """A colleague's link with ``sort=newest`` shows the list newest first, and the page's
    own link keeps it; a misspelt order is named and the list keeps its default order."""
    at = opened(**NEAR, sort="newest")
    assert not at.exception and not at.info
    assert at.selectbox(key="sort").value == "newest"
    posted = NEAR_FOUND.studies.set_index("nct_id")["first_posted"]
    dates = [posted[n] for n in card_ids(at)]
    assert dates == sorted(dates, reverse=True) and len(dates) == 19
    assert at.query_params["sort"] == "newest"
    at.selectbox(key="sort").set_value("nearest").run()  # the default near a place
    assert "sort" not in at.query_params

    at = opened(**NEAR, sort="neweset")
    assert not at.exception
    assert [str(e.value) for e in at.info] == [escape_md(
        "The link’s order “neweset” is not one this list offers, so it keeps its default "
        "order; the orders are nearest, registry, newest or updated (did you mean newest?).")]
    assert at.selectbox(key="sort").value == "nearest"
    assert card_miles(at) == sorted(card_miles(at)) and len(card_miles(at)) == 19


def test_an_order_in_a_link_without_a_search_is_named_not_dropped(api: StandInServer) -> None:
    """``?study=NCT…&sort=newest`` opens the study alone: there is no list for the order to
    sort, and the page dropped it from its link without a word."""
    at = opened(study="NCT99000017", sort="newest")
    assert not at.exception
    assert [str(e.value) for e in at.info] == [escape_md(
        "The link’s order “newest” sorts a list of studies, but the link names no search, "
        "so it was left out.")]
    assert "sort" not in at.query_params and at.query_params["study"] == "NCT99000017"
    # one misspelt is named the same way, not as an order the (absent) list keeps
    at = opened(sort="nearst")
    assert [str(e.value) for e in at.info if "link" in str(e.value)] == [escape_md(
        "The link’s order “nearst” sorts a list of studies, but the link names no search, "
        "so it was left out.")]
    # with a search, the order is the list's as before
    at = opened(study="NCT99000017", condition="back pain", sort="newest")
    assert not at.info and at.query_params["sort"] == "newest"


def test_the_way_back_from_a_study_keeps_the_lists_order(api: StandInServer) -> None:
    """Streamlit forgets the Sort box's value while a study is open (the box is not drawn):
    the page's Back gave the list nearest first again, the card left elsewhere."""
    at = opened(**NEAR)
    at.selectbox(key="sort").set_value("newest").run()
    newest = card_ids(at)
    at.button(key="open_2").click().run()
    at.run()  # any run on the study's page (a tap on its map, a rerun)
    assert at.query_params["sort"] == "newest" and at.query_params["study"] == newest[2]
    at.button(key="back_to_list").click().run()
    assert at.selectbox(key="sort").value == "newest"
    assert card_ids(at) == newest and at.query_params["sort"] == "newest"


def test_a_demo_list_the_distance_emptied_offers_a_way_that_shows_studies(
    api: StandInServer,
) -> None:
    """The demo's studies are fetched whatever the place, so its distance is a filter: ALS
    near Boston emptied the list and offered only "Undo Status (shows 0 studies)"."""
    at = opened(demo="1", condition="ALS", near="Boston, MA")
    assert not at.exception
    assert [str(e.value) for e in at.warning][-1] == (
        "Your filters and the distance removed all 6 studies that were fetched.")
    assert [b.key for b in at.button if str(b.key).startswith(("undo_", "farther_"))] == [
        "farther_0"]  # no undo that still shows nothing
    farther = at.button(key="farther_0")
    assert farther.label == "Search without a place (shows 2 studies)"
    farther.click().run()
    assert not at.exception
    assert [b.key for b in at.button if str(b.key).startswith("open_")] == ["open_0", "open_1"]
    assert "near" not in at.query_params and at.query_params["demo"] == "1"


def test_a_study_page_gives_phone_numbers_as_tel_links(api: StandInServer) -> None:
    at = opened(preset="als", status="any", study="NCT99000041")
    assert not at.exception
    markdown = [str(e.value) for e in at.markdown]
    contact = next(t for t in markdown if t.startswith("Contact for the whole study"))
    assert "[206\\-555\\-0196 ext\\. 106](tel:206-555-0196;ext=106)" in contact
    site = next(t for t in markdown if t.startswith("Contact: "))  # the site's card
    assert "(tel:312-555-0197;ext=417)" in site and "(mailto:sasha.redfern@example.org)" in site
    # every tel: link came from a phone number of the record
    assert all(re.fullmatch(r"tel:[0-9+\-]+(;ext=[0-9]+)?", link)
               for t in markdown for link in re.findall(r"\]\((tel:[^)]*)\)", t))


def test_a_closed_study_says_it_takes_no_one_new_under_how_to_take_part(
        api: StandInServer) -> None:
    """A terminated ALS study's page asked, under *How to take part*, to "Ask the study team
    whether you could take part", right below "Why it stopped"."""
    at = opened(preset="als", status="any", study="NCT99000012")
    assert not at.exception
    captions = [str(e.value) for e in at.caption]
    assert not [t for t in captions if "whether you could take part" in t]
    assert ("This study takes no one new (terminated); its team may still answer questions "
            "about it. " + NOT_ADVICE) in captions
    at = opened(preset="als", status="any", study="NCT99000041")  # not yet recruiting
    assert any(str(e.value).startswith("Ask the study team whether you could take part")
               for e in at.caption)


def test_an_invented_study_is_said_to_be_in_no_registry(api: StandInServer) -> None:
    at = opened(preset="als", status="any", study="NCT99000041")
    assert not at.exception
    markdown = [str(e.value) for e in at.markdown]
    assert ("**Not registered:** an invented demo study (ClinicalTrials\\.gov NCT99000041), in "
            "no registry." in markdown)
    assert not any(t.startswith("**Registered in:**") for t in markdown)


def test_an_old_list_says_when_it_was_fetched_and_refresh_fetches_it_again(
    api: StandInServer, monkeypatch: pytest.MonkeyPatch, as_if_real: None,
) -> None:
    from dashboard import results

    calls: list[dict[str, Any]] = []
    real = service.search

    def counting(*args: Any, **kwargs: Any) -> service.Results:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "search", counting)
    at = opened(preset="als", status="any")
    assert not any(str(w.value).startswith("This list was fetched") for w in at.warning)
    monkeypatch.setattr(results, "STALE_AFTER", timedelta(0))  # any age is old now
    at.run()
    warning = next(str(w.value) for w in at.warning
                   if str(w.value).startswith("This list was fetched"))
    # the stand-in answered, not ClinicalTrials.gov: the page names it by its address
    assert f"{escape_md(f'the API at {api.base_url}')} may have changed since" in warning
    assert (f"in the order {escape_md(f'the API at {api.base_url}')} sent them."
            in [str(c.value).rsplit(", ", 1)[-1] for c in at.caption])
    assert len(calls) == 1
    at.button(key="refresh").click().run()
    assert not at.exception
    assert len(calls) == 2  # asked again, past the page's cache
    at.run()
    assert len(calls) == 2  # and only once


def test_saved_searches_can_be_turned_off(api: StandInServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_SAVED_SEARCHES", "0")
    at = opened(preset="als", status="any")
    assert not at.exception
    assert not [b for b in at.button if b.key == "save_watch"]
    off = "Saved searches are turned off on this dashboard"
    assert any(str(c.value).startswith(off) for c in at.caption)
    at.segmented_control(key="view").set_value("new").run()
    assert any(str(i.value).startswith(off) for i in at.info)


def test_after_a_search_the_focus_moves_to_the_results_heading(api: StandInServer) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="q_words").input("cramp")
    at.button(key="q_submit").click().run()
    assert not at.exception
    scripts = [e for e in at.get("html") if "heading.focus" in str(e.proto.body)]
    assert len(scripts) == 1 and "results_heading" in scripts[0].proto.body
    assert [str(h.value) for h in at.header][:1] == ["Results: 6 studies"]
    at.selectbox(key="sort").set_value("newest").run()  # a filter or a sort: no focus move
    assert not [e for e in at.get("html") if "heading.focus" in str(e.proto.body)]


def test_a_study_page_gives_the_about_you_verdict_beside_whom_to_call(
        api: StandInServer) -> None:
    at = opened(**NEAR)
    at.number_input(key="ay_age").set_value(70).run()
    at.text_input(key="ay_conditions").input("multiple sclerosis").run()
    listed = [str(e.value) for e in at.markdown]
    at.button(key=f"open_{card_ids(at).index('NCT99000017')}").click().run()
    assert not at.exception
    markdown = [str(e.value) for e in at.markdown]
    verdict = "**About you:** :orange-badge[:material/help: Check with the study team]"
    assert verdict in markdown
    # after the study's contact, before the key facts; the reasons as on the list's card
    assert (next(i for i, t in enumerate(markdown) if t.startswith("Contact for the whole"))
            < markdown.index(verdict)
            < next(i for i, t in enumerate(markdown) if t.startswith("### Key facts")))
    assert escape_md('the inclusion criteria ask for back pain, which you did not mention '
                     '("Diagnosis of low back pain")') in [str(e.value) for e in at.caption]
    assert verdict not in listed  # the list's cards carry it in their titles
    # nothing typed: no verdict
    plain = opened(**NEAR, study="NCT99000017")
    assert not any(str(e.value).startswith("**About you:**") for e in plain.markdown)


def test_how_to_take_part_says_how_far_the_nearest_site_is(api: StandInServer) -> None:
    """Near a place, the study's page said whom to call but not how far: its nearest site
    (under a mile away) was named only on the list's card and far down among the sites, as
    "0 miles away", because that site names no contact of its own."""
    def take_part(at: AppTest) -> list[str]:
        markdown = [str(e.value) for e in at.markdown]
        start = markdown.index("### How to take part")
        return markdown[start + 1: markdown.index("### Key facts")]

    at = opened(**NEAR, study="NCT99000017")
    assert not at.exception
    contact, nearest = take_part(at)
    assert contact.startswith("Contact for the whole study:")
    assert nearest == ("Nearest site: " + escape_md("Elm Street Neurology Associates, Boston, "
                                                    "under a mile away")
                       + "; it names no contact of its own, so ask the contact above.")
    site_cards = [str(e.value) for e in at.caption if str(e.value).startswith("Boston")]
    assert site_cards and all("0 miles" not in t for t in site_cards)
    assert "under a mile away" in site_cards[0]
    # the nearest site that names a contact says its distance too
    at = opened(preset="als", status="any", near="Chicago, IL", study="NCT99000041")
    assert take_part(at)[1].startswith("Nearest site with a contact: " + escape_md(
        "Lakeview Spine and Pain Center, Minneapolis, 355 miles away") + "  \n")
    # without a place, no distance is said
    at = opened(preset="als", status="any", study="NCT99000041")
    assert take_part(at)[1].startswith("A site with a contact: " + escape_md(
        "Lakeview Spine and Pain Center, Minneapolis") + "  \n")
