"""End to end, the page's layout at the sizes people use: the sidebar starts closed on a
phone, upright or sideways (Streamlit's "auto" closes it only below 768 px of width, so a
phone turned sideways, 844 x 390, opened with the sidebar over most of its short screen), and
in a desktop window as short; a phone's browser never draws it while the page loads; it
starts open on a desktop and on laptops; where it starts closed its toggle is a 44 px target
that opens it, and it then stays open. On a laptop the Topic box shows the whole name of
the ALS topic (it cut about 10 px off its end).

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

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS

LIST = "?preset=als&status=any"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
BIG_LAPTOP = {"viewport": {"width": 1440, "height": 900}}
SIDEBAR = "[data-testid=stSidebar]"


def sidebar_closed(page: sync_api.Page) -> bool:
    return bool(page.evaluate(
        f"() => document.querySelector('{SIDEBAR}').getAttribute('data-collapsed') === 'true'"))


def opened_list(browser: sync_api.Browser, url: str, device: dict[str, Any]) -> sync_api.Page:
    page = browser.new_context(**device).new_page()
    page.goto(url + LIST)
    page.locator(".st-key-card_0").wait_for(timeout=WAIT)
    settle(page)
    return page


def frames(page: sync_api.Page, count: int = 3) -> None:
    """Let the browser draw ``count`` frames (whatever reacts to a change has then run)."""
    for _ in range(count):
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


@pytest.mark.parametrize("device", [SIDEWAYS_PHONE, PHONE, SHORT_WINDOW],
                         ids=["844x390-sideways", "390x844-upright", "1280x450-short-window"])
def test_on_a_phone_the_sidebar_starts_closed_and_its_toggle_opens_it(
        app_url: str, device: dict[str, Any]) -> None:
    """The sidebar is closed once the list is drawn, and the page beside it is not covered;
    its toggle is at least 44 x 44 px and opens it, the Topic box in view, and it stays open
    (nothing closes it again) with its own 44 px way to close it in view; the page's own
    "Search and filters" button is there too."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = opened_list(browser, app_url, device)
            page.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}')"
                ".getAttribute('data-collapsed') === 'true'", timeout=10_000)
            width = device["viewport"]["width"]
            save(page, f"sidebar-closed-{width}")
            assert page.get_by_role("button", name="Search and filters").is_visible()
            toggle = page.locator("[data-testid=stExpandSidebarButton]")
            box = toggle.bounding_box()
            assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
            toggle.click()
            page.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}')"
                ".getAttribute('data-collapsed') === 'false'", timeout=WAIT)
            frames(page)
            assert not sidebar_closed(page)
            assert page.locator(SIDEBAR).get_by_role("combobox", name="Topic").is_visible()
            save(page, f"sidebar-opened-{width}")
            # the way to close it shows without a pointer over the sidebar (a finger lifted;
            # Streamlit showed it only on hover wider than 640 px), a 44 px target
            page.mouse.move(width - 10, device["viewport"]["height"] - 10)
            frames(page)
            close = page.locator("[data-testid=stSidebarCollapseButton] button")
            assert close.is_visible()
            box = close.bounding_box()  # (a sub-pixel less while it slides in)
            assert box is not None and round(box["width"]) >= 44 and round(box["height"]) >= 44, box
            close.click()
            page.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}')"
                ".getAttribute('data-collapsed') === 'true'", timeout=WAIT)
        finally:
            browser.close()


@pytest.mark.parametrize("device", [DESKTOP, LAPTOP, BIG_LAPTOP],
                         ids=["1280x800", "1366x768", "1440x900"])
def test_on_a_desktop_or_laptop_the_sidebar_stays_open_and_shows_the_whole_topic(
        app_url: str, device: dict[str, Any]) -> None:
    """The sidebar is open, and its Topic box shows "ALS (amyotrophic lateral sclerosis)"
    whole: the text is no wider than the box (it was 216 px in a 206 px box)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = opened_list(browser, app_url, device)
            frames(page)
            assert not sidebar_closed(page)
            topic = page.locator(SIDEBAR).get_by_role("combobox", name="Topic")
            assert topic.input_value() == "ALS (amyotrophic lateral sclerosis)"
            assert topic.is_visible()
            text, box = topic.evaluate("box => [box.scrollWidth, box.clientWidth]")
            assert text <= box, (text, box)
            save(page, f"sidebar-topic-{device['viewport']['width']}")
        finally:
            browser.close()


def test_a_phone_turned_sideways_closes_the_sidebar_streamlit_opens(app_url: str) -> None:
    """Upright (390 x 844) the sidebar is closed; turned sideways (844 x 390), Streamlit opens
    it again (it is wider than 768 px), and the page closes it; opened by the person, it
    stays open when the phone is turned upright and sideways again."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = opened_list(browser, app_url, PHONE)
            assert sidebar_closed(page)
            page.set_viewport_size(SIDEWAYS_PHONE["viewport"])
            frames(page, 5)
            assert sidebar_closed(page)
            page.locator("[data-testid=stExpandSidebarButton]").click()
            frames(page)
            assert not sidebar_closed(page)
            page.set_viewport_size(PHONE["viewport"])
            frames(page, 5)
            page.set_viewport_size(SIDEWAYS_PHONE["viewport"])
            frames(page, 5)
            assert not sidebar_closed(page)
        finally:
            browser.close()


def on_screen(page: sync_api.Page, locator: sync_api.Locator) -> bool:
    """Whether the element is wholly on the screen, below Streamlit's top bar."""
    box = locator.bounding_box()
    bar = page.locator("[data-testid=stHeader]").bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return (box is not None and bar is not None
            and box["y"] >= bar["y"] + bar["height"] - 1 and box["y"] + box["height"] <= height)


def focused(page: sync_api.Page, selector: str) -> None:
    """Wait until the focus is in ``selector`` (the page's script has run)."""
    page.wait_for_function("selector => document.activeElement"
                           " && !!document.activeElement.closest(selector)", arg=selector,
                           timeout=WAIT)


def test_a_phone_sideways_shows_the_results_and_the_study_it_opens(app_url: str) -> None:
    """At 844 x 390, a topic picked from its card at the foot of the first screen shows the
    results heading (the page stayed where the card was, at the list's end), and a study
    opened from the list shows its title (the page's title, caption, banner and the way
    back filled the short screen)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**SIDEWAYS_PHONE).new_page()
            page.goto(app_url)
            card = page.get_by_role("button",
                                    name="Find trials: ALS (amyotrophic lateral sclerosis)")
            card.wait_for(timeout=WAIT)
            settle(page)
            card.click()
            heading = page.locator(".st-key-results_heading h2")
            heading.wait_for(timeout=WAIT)
            settle(page)
            focused(page, ".st-key-results_heading")
            frames(page)
            assert on_screen(page, heading)
            save(page, "sideways-results")
            page.locator(".st-key-card_0").get_by_role("button", name="Read this study").click()
            title = page.locator(".st-key-study_heading h2")
            title.wait_for(timeout=WAIT)
            settle(page)
            focused(page, ".st-key-study_heading")
            frames(page)
            assert on_screen(page, title)
            save(page, "sideways-study")
        finally:
            browser.close()


def test_a_place_typed_on_the_first_screen_goes_with_the_topic_picked_below(
        app_url: str) -> None:
    """At 390 px a person types where they live, then picks a topic's card below: the topic
    is searched near that place (the place, typed into the search form above the cards, was
    never sent, and the topic was searched everywhere without a word)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.goto(app_url)
            near = page.get_by_label("Near (optional)")
            near.wait_for(timeout=WAIT)
            settle(page)
            near.fill("Boston, MA")
            page.get_by_role("button", name="Find trials: Muscle spasms and cramps").click()
            heading = page.locator(".st-key-results_heading h2")
            heading.wait_for(timeout=WAIT)
            settle(page)
            assert "preset=muscle-spasm" in page.url and "near=Boston" in page.url, page.url
            assert page.get_by_role("button", name="within 50 miles of Boston, MA").count() == 1
            save(page, "first-screen-place-and-topic")
        finally:
            browser.close()


ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Mobile Safari/537.36")
# every frame from the page's start: whether the sidebar is drawn on the screen
SIDEBAR_FRAMES = """
window.sidebarFrames = [];
const start = performance.now();
const look = () => {
  const side = document.querySelector('[data-testid=stSidebar]');
  if (side) {
    const box = side.getBoundingClientRect(), style = getComputedStyle(side);
    window.sidebarFrames.push(style.visibility !== 'hidden' && style.display !== 'none'
                              && box.right > 1 && box.width > 1);
  }
  if (performance.now() - start < 60000) requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""


def test_a_phone_sideways_never_draws_the_sidebar_on_loading(app_url: str) -> None:
    """A phone's browser (its User-Agent says "Mobile") turned sideways starts with the
    sidebar closed: it is not drawn on the screen in any frame while the page loads (it
    showed for most of a second before the page's script closed it), and its toggle opens it
    320 px wide; it stays open when the page runs again."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**SIDEWAYS_PHONE, user_agent=ANDROID_UA).new_page()
            page.add_init_script(SIDEBAR_FRAMES)
            page.goto(app_url + LIST)
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            frames(page)
            drawn = page.evaluate("() => window.sidebarFrames")
            assert len(drawn) > 0 and not any(drawn), drawn.count(True)
            assert sidebar_closed(page)
            page.locator("[data-testid=stExpandSidebarButton]").click()
            page.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}')"
                ".getAttribute('data-collapsed') === 'false'", timeout=WAIT)
            # it slides in: measured once it is all on the screen (a busy machine's frames
            # caught it halfway, 170 px still to the left)
            page.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}').getBoundingClientRect().left >= 0",
                timeout=WAIT)
            box = page.locator(SIDEBAR).bounding_box()
            assert box is not None and round(box["width"]) == 320, box
            page.locator(SIDEBAR).get_by_role("button", name="Clear filters").click()
            settle(page)
            frames(page, 5)
            assert not sidebar_closed(page)
        finally:
            browser.close()
