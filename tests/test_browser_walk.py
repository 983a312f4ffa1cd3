"""End to end, what a person on a phone stumbled over on the way to a study, found by walking
it at 390 x 844, 360 x 740 and 844 x 390: a drop-down list cut by the short screen, its
choices under 44 px, the focus after a download, and the focus as *Search and filters* opens
and closes.

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
from tests.test_browser import SIDEWAYS_CONTEXT as SIDEWAYS_PHONE
from trialfinder.core.codes import Status
from trialfinder.views.text import code_label

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS



def on_screen(page: sync_api.Page, locator: sync_api.Locator) -> bool:
    """Whether the element is wholly on the screen, below Streamlit's top bar."""
    box = locator.bounding_box()
    bar = page.locator("[data-testid=stHeader]").bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return (box is not None and bar is not None
            and box["y"] >= bar["y"] + bar["height"] - 1 and box["y"] + box["height"] <= height)


def frames(page: sync_api.Page, count: int = 3) -> None:
    """Let the browser draw ``count`` frames (whatever reacts to a change has then run)."""
    for _ in range(count):
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


def scrolled_to_its_end(page: sync_api.Page, listbox: sync_api.Locator) -> None:
    """Scroll the open list to its end, as a finger's swipe does."""
    listbox.evaluate("list => list.scrollBy(0, list.scrollHeight)")
    frames(page)


def options(page: sync_api.Page) -> list[tuple[str, int, int]]:
    """The open list's choices: name, top and height in px."""
    return [(str(name), int(top), int(height)) for name, top, height in page.evaluate(
        """() => [...document.querySelectorAll('[role=listbox] [role=option]')].map(o => {
             const box = o.getBoundingClientRect();
             return [o.textContent, Math.round(box.top), Math.round(box.height)] })""")]


@pytest.mark.parametrize("device", [SIDEWAYS_PHONE, PHONE], ids=["844x390", "390x844"])
def test_the_distance_list_can_be_scrolled_to_its_last_choice_by_touch(
        app_url: str, device: dict[str, Any]) -> None:
    """The first screen's Within box, tapped: its list of distances ends on the screen and
    scrolls by itself, so a finger reaches "500 miles" and picks it (sideways the list was cut
    by the screen's bottom after "50 miles", with nothing to scroll); each choice is a 44 px
    target (they were 40 px)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**device).new_page()
            page.goto(app_url)
            within = page.get_by_role("combobox", name="Within")
            within.wait_for(timeout=WAIT)
            settle(page)
            within.tap()
            listbox = page.get_by_role("listbox", name="Within")
            listbox.wait_for(timeout=WAIT)
            frames(page)
            height = device["viewport"]["height"]
            box = listbox.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, box
            assert [h for _, _, h in options(page) if h < 44] == [], options(page)
            scrolled_to_its_end(page, listbox)
            last = page.get_by_role("option", name="500 miles")
            last_box = last.bounding_box()
            assert last_box is not None and last_box["y"] + last_box["height"] <= height, last_box
            last.tap()  # once it holds still (Playwright waits for a stable box)
            page.wait_for_function(
                "() => [...document.querySelectorAll('input[role=combobox]')]"
                ".some(box => box.value === '500 miles')", timeout=WAIT)
            save(page, f"within-chosen-{device['viewport']['width']}")
        finally:
            browser.close()


def open_filters(browser: Any, app_url: str, device: dict[str, Any]) -> Any:
    """A page of ALS studies on ``device``, its *Search and filters* tapped open."""
    page = browser.new_context(**device).new_page()
    page.goto(app_url + "?preset=als&status=any")
    page.locator(".st-key-card_0").wait_for(timeout=WAIT)
    settle(page)
    page.get_by_role("button", name="Search and filters").tap()
    return page


def test_a_filter_list_in_search_and_filters_reaches_its_last_choice_sideways(
        app_url: str) -> None:
    """At 844 x 390, the Status filter under *Search and filters*: its list ends on the screen
    and scrolls by itself to its last choice, drawn whole on the screen (the list was cut after
    its fourth choice, as the distances were, with nothing to scroll)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = open_filters(browser, app_url, SIDEWAYS_PHONE)
            panel = page.locator(".st-key-filters_panel")
            panel.wait_for(timeout=WAIT)
            settle(page)
            status = panel.get_by_role("combobox", name="Status")
            status.scroll_into_view_if_needed()
            status.tap()
            listbox = page.get_by_role("listbox", name="Status")
            listbox.wait_for(timeout=WAIT)
            frames(page)
            box = listbox.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 390, box
            # placed every 40 px by Streamlit: 44 px choices would overlap (WCAG's 24 px is met)
            assert [h for _, _, h in options(page) if h < 40] == [], options(page)
            scrolled_to_its_end(page, listbox)
            # the last choice is drawn whole inside the list's box, on the screen
            name, top, height = options(page)[-1]
            assert name == code_label(list(Status)[-1].value), options(page)
            box = listbox.bounding_box()
            assert box is not None and top + height <= box["y"] + box["height"] + 1, box
            assert top + height <= 390, options(page)
        finally:
            browser.close()


def test_the_focus_stays_on_a_download_button_after_the_download(app_url: str) -> None:
    """At 390 x 844, "Studies (CSV)" pressed with the keyboard downloads the file and keeps the
    focus (Streamlit turns the button off while it makes the file, which dropped the focus to
    the page's top: a keyboard or switch user started again from there)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**PHONE, accept_downloads=True).new_page()
            page.goto(app_url + "?preset=muscle-spasm&status=any")
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            button = page.get_by_role("button", name="Studies (CSV)")
            button.focus()
            with page.expect_download() as download:
                page.keyboard.press("Enter")
            assert download.value.suggested_filename.endswith(".csv")
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.tagName === 'BUTTON'"
                " && document.activeElement.textContent.includes('Studies (CSV)')"
                " && !document.activeElement.disabled",
                timeout=WAIT)
            page.keyboard.press("Tab")  # on to the next button, not the page's first link
            assert page.evaluate("() => [document.activeElement.tagName,"
                                 " document.activeElement.textContent]") == [
                "BUTTON", "Sites (CSV)"]
        finally:
            browser.close()


def focused_on(page: sync_api.Page, selector: str) -> None:
    """Wait until the focus is on ``selector`` (the page's script has run)."""
    page.wait_for_function("selector => document.activeElement"
                           " && document.activeElement.matches(selector)", arg=selector,
                           timeout=WAIT)


@pytest.mark.parametrize("device", [PHONE, SIDEWAYS_PHONE], ids=["390x844", "844x390"])
@pytest.mark.parametrize("close", ["filters_close", "filters_done"], ids=["top", "foot"])
def test_search_and_filters_takes_the_focus_and_gives_it_back(
        app_url: str, device: dict[str, Any], close: str) -> None:
    """*Search and filters* opened: the focus is on the panel's heading, on the screen (it fell
    to the page's top, the button pressed being gone); closed by either of its Close buttons:
    the focus is back on *Search and filters*, on the screen (it fell to the page's top)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = open_filters(browser, app_url, device)
            heading = ".st-key-filters_panel h2"
            page.locator(heading).wait_for(timeout=WAIT)
            settle(page)
            focused_on(page, heading)
            assert on_screen(page, page.locator(heading))
            done = page.locator(f".st-key-{close} button")
            done.scroll_into_view_if_needed()
            done.tap()
            toggle = ".st-key-filters_toggle button"
            page.locator(toggle).wait_for(timeout=WAIT)
            settle(page)
            focused_on(page, toggle)
            assert on_screen(page, page.locator(toggle))
        finally:
            browser.close()
