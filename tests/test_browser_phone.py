"""End to end, a phone's walk to a study: whom to call is a row of tap targets (44 px high on
a phone, upright or sideways, at least WCAG 2.2's 24 px on a laptop) and on a phone's first
screen, the study page passes axe-core with its ``target-size`` rule (off by default) turned
on, and *About you* stays open while it is filled.

``streamlit run app.py`` against the loopback stand-in serving the fictional demo records, in
headless Debian Chromium (skipped when it is not installed), as tests/test_browser.py starts it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_browser import (
    BROWSER_MARKS,
    WAIT,
    app,
    app_url,
    launch,
    save,
    settle,
    sync_api,
)
from tests.test_browser import PHONE_CONTEXT as PHONE
from tests.test_browser import SHORT_WINDOW_CONTEXT as SHORT_WINDOW
from tests.test_browser import SIDEWAYS_CONTEXT as SIDEWAYS_PHONE
from tests.test_browser import SMALL_PHONE_CONTEXT as SMALL_PHONE

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

LAPTOP = {"viewport": {"width": 1280, "height": 800}}
# a central contact (phone and e-mail) and sites with a contact, the nearest in Minneapolis
STUDY = "?preset=als&near=Boston%2C%20MA&radius=500&status=any&study=NCT99000041"
CONTACT_LINKS = {"tel:206-555-0196;ext=106", "mailto:jordan.redfern@example.org",
                 "tel:312-555-0197;ext=417", "mailto:sasha.redfern@example.org"}


def contact_boxes(page: sync_api.Page) -> list[tuple[str, int, int, int]]:
    """Each visible ``tel:`` and ``mailto:`` link of the page: its address, width, height and
    how many line boxes it is drawn in (2 = broken across lines)."""
    return [(str(href), int(w), int(h), int(n)) for href, w, h, n in page.evaluate(
        """() => [...document.querySelectorAll(
             '[data-testid=stMain] a[href^="tel:"], [data-testid=stMain] a[href^="mailto:"]')]
           .filter(a => a.offsetParent !== null)
           .map(a => { const r = a.getBoundingClientRect();
                       return [a.getAttribute('href'), Math.floor(r.width),
                               Math.floor(r.height), a.getClientRects().length] })""")]


def target_size_violations(page: sync_api.Page) -> list[str]:
    """axe-core's violations with its WCAG 2.2 ``target-size`` rule turned on (any impact)."""
    found: dict[str, Any] = axe_sync.Axe().run(
        page, options={"rules": {"target-size": {"enabled": True}}}).response
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in found["violations"]
            if v["id"] == "target-size" or v["impact"] in ("serious", "critical")]


def open_study(browser: sync_api.Browser, url: str, device: dict[str, Any]) -> sync_api.Page:
    page = browser.new_context(**device).new_page()
    page.goto(url + STUDY)
    page.get_by_text("Contact for the whole study").first.wait_for(timeout=WAIT)
    settle(page)
    return page


@pytest.mark.parametrize(("device", "least"), [(PHONE, 44), (SMALL_PHONE, 44),
                                               (SIDEWAYS_PHONE, 44), (LAPTOP, 24)],
                         ids=["390px", "360px", "844px-touch", "laptop"])
def test_whom_to_call_is_a_row_of_tap_targets(app_url: str, device: dict[str, Any],
                                              least: int) -> None:
    """Each phone number and e-mail address on the study page is a link on a line of its own,
    drawn in one piece and at least ``least`` px high (and 24 px wide); axe's target-size
    rule finds nothing on the page."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = open_study(browser, app_url, device)
            boxes = contact_boxes(page)
            assert {href for href, *_ in boxes} == CONTACT_LINKS, boxes
            small = [box for box in boxes if box[2] < least or box[1] < 24 or box[3] != 1]
            assert small == [], small
            assert target_size_violations(page) == []
            save(page, f"study-contacts-{device['viewport']['width']}")
        finally:
            browser.close()


def test_about_you_stays_open_while_it_is_filled_after_a_typed_search(app_url: str) -> None:
    """At 390 px: a search typed on the first screen, then *About you* opened and an age
    typed: the panel stays open for the next field (it closed on that run, the page's
    elements shifting up by the script that had focused the results), and the Sort box,
    now on the pre-screen's order, shows that choice's whole name (it was cut)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.goto(app_url)
            box = page.get_by_label("Condition or other words")
            box.wait_for(timeout=WAIT)
            settle(page)
            box.fill("muscle spasm")
            page.get_by_label("Near (optional)").fill("Boston, MA")
            box.press("Enter")
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            page.get_by_text("About you: which of these studies may fit you?").click()
            age = page.get_by_label("Your age (years)")
            age.fill("70")
            age.press("Enter")
            summary = page.get_by_text("Of 4 studies, 3 studies may fit you and 0 studies")
            summary.wait_for(state="attached", timeout=WAIT)
            settle(page)
            assert summary.is_visible()
            assert page.get_by_label("Your conditions (comma separated)").is_visible()
            # the age field's ✕ is as big a target as its - and + (it was 24 x 16 px)
            clear = page.get_by_role("button", name="Clear value").bounding_box()
            assert clear is not None and clear["width"] >= 44 and clear["height"] >= 44, clear
            # the list now follows the pre-screen, and the Sort box shows all of its name
            sort = page.get_by_role("combobox", name="Sort")
            assert sort.input_value() == "Best fit for you first (About you)"
            assert sort.evaluate("box => box.scrollWidth <= box.clientWidth")
        finally:
            browser.close()


def on_screen(page: sync_api.Page, locator: sync_api.Locator) -> bool:
    """Whether the element is wholly on the first screen, below Streamlit's top bar (drawn
    over the page)."""
    box = locator.bounding_box()
    bar = page.locator("[data-testid=stHeader]").bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return (box is not None and bar is not None
            and box["y"] >= bar["y"] + bar["height"] - 1 and box["y"] + box["height"] <= height)


def study_with_a_desk(page: sync_api.Page, app_url: str, *, linked: bool) -> None:
    """Open NCT99000017 (a study-wide contact, a long title) from a link naming it alone, or
    from its card in a search near Boston, and wait until its heading has the focus."""
    if linked:
        page.goto(app_url + "?study=NCT99000017")
    else:
        page.goto(app_url + "?preset=muscle-spasm&near=Boston%2C%20MA&status=any")
        card = page.locator(".st-key-card_0")
        card.wait_for(timeout=WAIT)
        settle(page)
        assert "NCT99000017" in card.inner_text()
        card.get_by_role("button", name="Read this study").click()
    page.get_by_text("Contact for the whole study").wait_for(timeout=WAIT)
    settle(page)
    page.wait_for_function("() => document.activeElement"
                           " && !!document.activeElement.closest('.st-key-study_heading')",
                           timeout=WAIT)


@pytest.mark.parametrize("device", [PHONE, SMALL_PHONE], ids=["390px", "360px"])
@pytest.mark.parametrize("linked", [False, True], ids=["from-its-card", "linked-alone"])
def test_a_study_opened_on_a_phone_shows_whom_to_call_on_its_first_screen(
        app_url: str, device: dict[str, Any], linked: bool) -> None:
    """A study opened from its card, or from a link naming it alone, shows without scrolling
    the demo banner, the way back, its title and its first phone number (they were below the
    first screen, under the page's title and caption); the page's title is scrolled just out
    of view."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**device).new_page()
            study_with_a_desk(page, app_url, linked=linked)
            phone = page.locator("[data-testid=stMain] a[href='tel:415-555-0144']:visible")
            for shown in (page.get_by_text("Demo mode: the trials shown here are fictional"),
                          page.locator(".st-key-back_to_list"),
                          page.locator(".st-key-study_heading"), phone):
                assert on_screen(page, shown), shown
            assert not on_screen(page, page.locator("h1"))
            save(page, f"study-first-screen-{device['viewport']['width']}-{linked}")
        finally:
            browser.close()


def test_enter_in_the_saved_search_name_saves_it(app_url: str) -> None:
    """At 390 px, a name typed under *Follow this search* and the keyboard's Go (Enter)
    save the search, as the button does (Enter had only kept the text)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.goto(app_url + "?preset=muscle-spasm&status=any")
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            name = page.get_by_label("Name of the saved search")
            name.fill("Spasms, phone walk")
            name.press("Enter")
            saved = page.get_by_text("Saved as “Spasms, phone walk”.")
            saved.wait_for(timeout=WAIT)
            settle(page)
            assert saved.is_visible()
        finally:
            browser.close()


@pytest.mark.parametrize("device", [SIDEWAYS_PHONE, SHORT_WINDOW],
                         ids=["844x390-sideways", "1280x450-short-window"])
def test_a_study_opened_on_a_short_screen_shows_whom_to_call_on_its_first_screen(
        app_url: str, device: dict[str, Any]) -> None:
    """On a screen at most 500 px high, a study opened from its card shows, without
    scrolling, the demo banner (it says the study is invented and not medical advice), the
    way back, the study's title and a link to call its contact, beside the way back (the
    first phone number was 170 px and more below the first screen), and beside them that it
    is not medical advice (a search of real records has no banner to say it, and the page's
    caption is scrolled away); the call link is a whole target and the page passes axe."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**device).new_page()
            study_with_a_desk(page, app_url, linked=False)
            call = page.locator(".st-key-quick_call a[href='tel:415-555-0144']")
            advice = page.locator(".st-key-quick_call").get_by_text("Not medical advice.")
            for shown in (page.get_by_text("Demo mode: the trials shown here are fictional"),
                          page.locator(".st-key-back_to_list"),
                          page.locator(".st-key-study_heading"), call, advice):
                assert on_screen(page, shown), shown
            box = call.bounding_box()
            assert box is not None and box["height"] >= 24 and box["width"] >= 24, box
            assert target_size_violations(page) == []
            save(page, f"study-first-screen-short-{device['viewport']['width']}")
        finally:
            browser.close()


def test_on_a_tall_screen_the_call_link_beside_the_way_back_is_not_shown(
        app_url: str) -> None:
    """At 390 x 844 whom to call is already on the first screen, under the title: the call
    link beside the way back is left out there (the same number twice on one screen)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = open_study(browser, app_url, PHONE)
            assert page.locator(".st-key-quick_call a[href^='tel:']").count() == 1
            assert not page.locator(".st-key-quick_call a[href^='tel:']").is_visible()
        finally:
            browser.close()
