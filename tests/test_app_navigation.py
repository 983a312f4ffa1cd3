"""The dashboard's addresses and history (issue 21, items 1 and 3), driven headless with
AppTest against the loopback stand-in serving the fictional demo records.

A Back or Forward of the browser reruns the page with that step's address, and Streamlit marks
that run as one of the history (AppTest cannot): here the test sets the query parameters to the
earlier (or later) address and runs with that mark. What only
a browser shows (the scroll position, the focus) is in tests/test_browser_nav.py; here, that
the page asks for it once, at the right moment.
"""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from streamlit.testing.v1 import AppTest

from devtools.standin import StandInServer
from tests.test_app_page import ROOT, _fresh_caches, api, opened
from trialfinder import service
from trialfinder.topics.demo import DEMO_BANNER, load_demo_studies

__all__ = ["_fresh_caches", "api"]  # the fixtures of tests/test_app_page.py

DEMO = load_demo_studies()
TITLES = {s["protocolSection"]["identificationModule"]["nctId"]:
          s["protocolSection"]["identificationModule"]["briefTitle"] for s in DEMO}
ALS = [str(n) for n in service.search_records(DEMO, source="demo", preset="als")
       .studies["nct_id"]]
SPASM = [str(n) for n in service.search_records(
    DEMO, source="demo", preset="muscle-spasm", status=("RECRUITING", "NOT_YET_RECRUITING"))
    .studies["nct_id"]]




def address(at: AppTest) -> dict[str, list[str]]:
    """The page's address as the browser would show it (every value a list)."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in at.query_params.items()}


def go_to(at: AppTest, params: dict[str, list[str]]) -> AppTest:
    """The browser's Back or Forward to the step whose address was ``params``."""
    at.query_params.clear()
    at.query_params.update(params)
    with mock.patch("dashboard.navigation.browser_moved", return_value=True):
        return at.run()


def plain(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def study_title(at: AppTest) -> str | None:
    """The open study's title (its ``##`` heading), or None on the list."""
    return next((plain(str(m.value))[3:] for m in at.markdown
                 if str(m.value).startswith("## ")), None)


def card_ids(at: AppTest) -> list[str]:
    return [m.group(1) for c in at.caption if (m := re.match(r"^(NCT\d{8}) · ", str(c.value)))]


def scripts(at: AppTest, marker: str) -> int:
    """How many of the focus helper's scripts that look for ``marker`` the run drew."""
    return sum(marker in str(e.proto.body) for e in at.get("html"))


def marked_card(at: AppTest) -> str | None:
    """The key of the card the page wrapped in ``return_card`` (the one brought into view)."""
    def walk(node: Any) -> str | None:
        for child in getattr(node, "children", {}).values():
            if str(getattr(child.proto, "id", "")).endswith("-return_card"):
                return str(next(iter(child.children.values())).proto.id).rsplit("-", 1)[-1]
            found = walk(child)
            if found:
                return found
        return None
    return walk(at.main)


def test_back_and_forward_move_between_the_list_and_a_study(api: StandInServer) -> None:
    at = opened(preset="als", status="any")
    listed = address(at)
    cards = card_ids(at)
    assert cards == ALS and study_title(at) is None
    at.button(key="open_2").click().run()
    assert study_title(at) == TITLES[ALS[2]]
    assert address(at) == listed | {"study": [ALS[2]]}
    assert scripts(at, "title.focus") == 1  # opened: its top, focus on the title
    at.run()  # any later run of the same study (a button, a map) leaves the screen alone
    assert scripts(at, "title.focus") == 0

    go_to(at, listed)  # Back
    assert not at.exception
    assert study_title(at) is None and card_ids(at) == cards
    assert at.session_state["study"] is None
    # the card that was left is marked, and the page brings it into view once
    assert marked_card(at) == "card_2" and scripts(at, "card.scrollIntoView") == 1
    assert address(at) == listed
    at.run()
    assert scripts(at, "card.scrollIntoView") == 0

    go_to(at, listed | {"study": [ALS[2]]})  # Forward
    assert study_title(at) == TITLES[ALS[2]]
    assert scripts(at, "title.focus") == 1

    at.button(key="back_to_list").click().run()  # the page's own Back
    assert study_title(at) is None and card_ids(at) == cards
    assert scripts(at, "card.scrollIntoView") == 1 and address(at) == listed

    # the same way back at the foot of the study, where a long page read on a phone ends
    at.button(key="open_2").click().run()
    foot = at.button(key="back_to_list_foot")
    assert foot.label == "↑ Back to the results"
    foot.click().run()
    assert study_title(at) is None and card_ids(at) == cards
    assert marked_card(at) == "card_2" and address(at) == listed


def test_a_back_whose_run_was_stopped_still_brings_the_card_back(api: StandInServer) -> None:
    at = opened(preset="als", status="any")
    listed = address(at)
    at.button(key="open_3").click().run()
    go_to(at, listed)  # Back
    assert marked_card(at) == "card_3" and scripts(at, "card.scrollIntoView") == 1
    # Streamlit stops a run when a newer rerun comes: one stopped after the card was marked
    # but before it was brought into view leaves the mark behind; the next run marks it again
    at.session_state["_return_to"] = ALS[3]
    at.session_state["_marked"] = True
    at.run()
    assert marked_card(at) == "card_3" and scripts(at, "card.scrollIntoView") == 1
    at.run()
    assert marked_card(at) is None and scripts(at, "card.scrollIntoView") == 0  # once


def test_a_run_with_an_older_address_keeps_what_was_typed(api: StandInServer) -> None:
    # The browser sends each rerun with the address it shows; one asked for before the last
    # run's new address reached it (a keyword cleared, then a click while the page still ran)
    # carries the older address. It is not a Back: the keyword just cleared stays cleared.
    at = opened(preset="als", status="any")
    at.text_input(key="keyword").set_value("zzz").run()
    typed = address(at)
    assert typed["keyword"] == ["zzz"] and card_ids(at) == []
    at.text_input(key="keyword").set_value("").run()
    assert "keyword" not in address(at) and card_ids(at) == ALS
    at.query_params.clear()
    at.query_params.update(typed)  # the older address, in a run that is not a Back
    at.multiselect(key="phase").set_value(["PHASE2"]).run()
    assert at.text_input(key="keyword").value == ""
    assert "keyword" not in address(at) and address(at)["phase"] == ["PHASE2"]
    assert card_ids(at) and set(card_ids(at)) < set(ALS)


def test_back_to_an_earlier_search_and_its_filters(api: StandInServer) -> None:
    at = opened(preset="als", status="any")
    first = address(at)
    at.multiselect(key="phase").set_value(["PHASE2"]).run()
    filtered = address(at)
    assert filtered == first | {"phase": ["PHASE2"]}
    narrowed = card_ids(at)
    assert 0 < len(narrowed) < len(ALS)
    at.selectbox(key="preset").set_value("muscle-spasm")
    at.button(key="search_button").click().run()
    assert card_ids(at) != narrowed

    go_to(at, filtered)  # Back: the ALS search with its phase filter
    assert at.selectbox(key="preset").value == "als"
    assert at.multiselect(key="phase").value == ["PHASE2"]
    assert card_ids(at) == narrowed
    go_to(at, first)  # Back again: the filter lifted
    assert at.multiselect(key="phase").value == []
    assert card_ids(at) == ALS


def test_a_bare_study_link_opens_that_study_alone(api: StandInServer) -> None:
    at = opened(study="nct99000012")
    assert not at.exception
    assert study_title(at) == TITLES["NCT99000012"]
    assert address(at) == {"study": ["NCT99000012"]}  # its own address, no search
    assert api.stats.paths.get("/api/v2/studies/NCT99000012") == 1  # that one record
    assert not [p for p in api.stats.paths if p == "/api/v2/studies"]  # and no search
    assert at.button(key="back_to_list").label == "← Search for studies"
    assert at.button(key="back_to_list_foot").label == "↑ Search for studies"
    # no search ran, yet the study is fictional (NCT99...): the demo's banner says so
    assert [str(w.value) for w in at.warning].count(DEMO_BANNER) == 1
    at.button(key="back_to_list").click().run()
    assert DEMO_BANNER not in [str(w.value) for w in at.warning]  # the empty first screen
    assert study_title(at) is None and address(at) == {}
    assert [b for b in at.button if b.key == "q_submit"]  # the first screen


def test_a_linked_study_outside_the_results_is_opened_alone(api: StandInServer) -> None:
    outside = next(n for n in TITLES if n not in ALS)
    at = opened(preset="als", status="any", study=outside)
    assert not at.exception
    assert study_title(at) == TITLES[outside]
    assert (f"Study {outside} is not among this search’s results; this is its own record."
            in [plain(str(c.value)) for c in at.caption])
    at.button(key="back_to_list").click().run()
    assert card_ids(at) == ALS


def test_a_study_that_does_not_exist_is_said_and_the_list_shown(api: StandInServer,
                                                                as_if_real: None) -> None:
    at = opened(preset="als", status="any", study="NCT99999999")
    assert not at.exception
    assert [plain(str(w.value)) for w in at.warning] == [
        "Study NCT99999999 cannot be shown: ClinicalTrials.gov has no study NCT99999999."]
    assert card_ids(at) == ALS and "study" not in at.query_params


def test_the_phone_search_and_filters_open_in_the_page_and_close_after_search(
        api: StandInServer) -> None:
    at = opened(preset="als", status="any")
    assert [b.label for b in at.main.button if b.key == "filters_toggle"] == [
        "Search and filters"]
    assert [m for m in at.sidebar.multiselect if m.key == "status"]
    at.button(key="filters_toggle").click().run()
    # the whole form and every filter now sit in the page, under the same keys
    assert not [b for b in at.main.button if b.key == "filters_toggle"]
    assert [m for m in at.main.multiselect if m.key == "status"]
    assert [m for m in at.main.multiselect if m.key == "country"]
    assert not [m for m in at.sidebar.multiselect if m.key == "status"]
    at.multiselect(key="phase").set_value(["PHASE2"]).run()  # a filter applies at once
    assert at.multiselect(key="phase").value == ["PHASE2"]
    at.selectbox(key="preset").set_value("muscle-spasm")
    at.button(key="search_button").click().run()
    assert not at.exception
    assert [b for b in at.main.button if b.key == "filters_toggle"]  # closed after Search
    assert [m for m in at.sidebar.multiselect if m.key == "status"]
    assert address(at)["preset"] == ["muscle-spasm"]
    at.button(key="filters_toggle").click().run()
    at.button(key="filters_close").click().run()  # and Close closes it
    assert [b for b in at.main.button if b.key == "filters_toggle"]


def test_what_was_searched_is_said_in_chips_that_can_be_taken_away(
        api: StandInServer) -> None:
    at = opened(preset="als", near="Boston, MA", radius="100", status="any", phase="PHASE2")
    chips = {b.key: plain(b.label) for b in at.button if b.key.startswith("chip_")}
    assert list(chips.values()) == ["ALS (amyotrophic lateral sclerosis)",
                                    "within 100 miles of Boston, MA", "Phase 2"]
    place = next(k for k, v in chips.items() if v.startswith("within"))
    at.button(key=place).click().run()  # its ✕: searched again without the place
    assert not at.exception
    assert "near" not in address(at) and address(at)["phase"] == ["PHASE2"]
    assert at.text_input(key="place").value == ""
    assert [plain(b.label) for b in at.button if b.key.startswith("chip_")] == ["Phase 2"]
    # the topic is now the search's only one: said, not removable
    assert "**ALS (amyotrophic lateral sclerosis)**" in [plain(str(m.value)) for m in at.markdown]


def test_a_bad_place_keeps_the_form_and_offers_places_as_buttons(api: StandInServer) -> None:
    at = opened(condition="ALS", near="Bostn, MA", radius="500", status="any")
    assert not at.exception
    assert at.text_input(key="q_place").value == "Bostn, MA"  # the form shows what failed
    assert at.text_input(key="q_words").value == "ALS"
    fixes = [b for b in at.button if b.key.startswith("place_fix_")]
    assert fixes and plain(fixes[0].label) == "Search near Boston, MA, US"
    fixes[0].click().run()
    assert not at.exception
    assert address(at)["near"] == ["Boston, MA, US"] and card_ids(at)


def test_filters_wider_than_the_search_offer_a_button(api: StandInServer) -> None:
    at = opened(preset="als")  # recruiting or not yet recruiting, as sent
    asked = len(card_ids(at))
    at.multiselect(key="status").set_value([]).run()
    assert any("wider than what the last search asked" in str(i.value) for i in at.info)
    at.button(key="search_wider").click().run()
    assert not at.exception
    assert address(at)["status"] == ["any"] and len(card_ids(at)) == len(ALS) > asked


def test_the_main_box_takes_a_distance_beside_the_place(api: StandInServer) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert at.selectbox(key="q_radius").value == 50  # the default distance
    at.text_input(key="q_words").input("ALS")
    at.text_input(key="q_place").input("Boston, MA")
    at.selectbox(key="q_radius").set_value(250)
    at.button(key="q_submit").click().run()
    assert not at.exception
    assert address(at)["near"] == ["Boston, MA"] and address(at)["radius"] == ["250"]
    assert at.select_slider(key="radius").value == 250  # the sidebar's distance follows
    assert "within 250 miles of Boston, MA" in [
        plain(b.label) for b in at.button if b.key.startswith("chip_")]
    # the "New search" box above the results keeps what was searched
    assert (at.text_input(key="q_words").value, at.text_input(key="q_place").value,
            at.selectbox(key="q_radius").value) == ("ALS", "Boston, MA", 250)


def test_a_link_to_a_demo_study_without_the_demo_offers_it_in_the_demo_data(
        api: StandInServer, monkeypatch: Any) -> None:
    """Offline, a link to an invented study without ``demo=1`` (shared from the demo) said
    its record could not be loaded and no more: it now offers the demo data, where it is."""
    from trialfinder.core.errors import NetworkError

    real_detail = service.study_detail

    def offline(nct_id: str, **kwargs: Any) -> Any:
        if kwargs.get("records") is None:  # asked of the API
            raise NetworkError("cannot reach the API (a test)")
        return real_detail(nct_id, **kwargs)

    monkeypatch.setattr(service, "study_detail", offline)
    nct = str(load_demo_studies()[0]["protocolSection"]["identificationModule"]["nctId"])
    title = str(load_demo_studies()[0]["protocolSection"]["identificationModule"]["briefTitle"])
    at = opened(study=nct)
    assert not at.exception
    assert study_title(at) is None
    assert [plain(str(i.value)) for i in at.info if "invented demo" in str(i.value)] == [
        f"{nct} is one of trialfinder's invented demo studies, not a real trial: its page is "
        "in the demo data."]
    at.button(key="study_in_demo").click().run()
    assert not at.exception
    assert study_title(at) == title
    assert DEMO_BANNER in [str(w.value) for w in at.warning]
