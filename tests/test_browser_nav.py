"""End to end, issue 21 (items 1 and 3): the browser's Back and Forward move between the list
and a study; a study opens at its top (on a phone, just below the page's title); Back returns
to the card that was left; a link naming only a study opens it; on a phone a labelled "Search
and filters" button opens the whole form in the page and a search closes it; axe-core finds no
serious or critical violation on these pages. At laptop (1400 px) and phone (390 px) width.

``streamlit run app.py`` against the loopback stand-in serving the fictional demo records, in
headless Debian Chromium (skipped when it is not installed).
"""

from __future__ import annotations

from tests.test_browser import (
    BROWSER_MARKS,
    LAPTOP,
    PHONE,
    WAIT,
    app,
    app_url,
    launch,
    save,
    settle,
    sideways_scroll,
    sync_api,
)
from tests.test_browser_page import check_page
from trialfinder.topics.demo import load_demo_studies

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS

WIDTHS = [("laptop", LAPTOP), ("phone", PHONE)]
LIST = "?preset=muscle-spasm&status=any"
CARD = ".st-key-card_6"  # far enough down the list that the page has to scroll to it
TITLES = {s["protocolSection"]["identificationModule"]["nctId"]:
          s["protocolSection"]["identificationModule"]["briefTitle"]
          for s in load_demo_studies()}


def scrolled(page: sync_api.Page) -> int:
    """How far the page's main column is scrolled down (Streamlit scrolls it, not the
    window)."""
    return int(page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop"))


def at_the_top(page: sync_api.Page, phone: bool) -> bool:
    """Whether a study is shown from its top: the page's top on a laptop; on a phone just
    below the page's title and caption (under Streamlit's top bar), whom to call in view."""
    if not phone:
        return scrolled(page) == 0
    return bool(page.evaluate(
        "() => Math.abs(document.querySelector('.st-key-masthead').getBoundingClientRect()"
        ".bottom - document.querySelector('[data-testid=stHeader]').getBoundingClientRect()"
        ".bottom) <= 1"))


def on_screen(page: sync_api.Page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def focused(page: sync_api.Page, selector: str) -> None:
    """Wait until the keyboard focus is inside ``selector`` (the focus helper runs once the
    element is drawn)."""
    page.wait_for_function(
        "s => !!document.activeElement && !!document.activeElement.closest(s)", arg=selector,
        timeout=WAIT)


def test_back_and_forward_a_study_at_its_top_and_back_at_the_card(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + LIST)
                card = page.locator(CARD)
                card.wait_for(timeout=WAIT)
                settle(page)
                card.scroll_into_view_if_needed()
                assert scrolled(page) > viewport["height"] // 2, name  # well down the list
                listed = page.url
                title = card.locator("strong").first.inner_text()

                card.get_by_role("button", name="Read this study").click()
                heading = page.locator(".st-key-study_heading")
                heading.wait_for(timeout=WAIT)
                settle(page)
                focused(page, ".st-key-study_heading")
                # the study opens at its top: its title on screen, not its exclusion criteria
                assert heading.inner_text() == title
                assert at_the_top(page, viewport is PHONE), name
                assert on_screen(page, ".st-key-study_heading", viewport["height"]), name
                assert "study=NCT" in page.url
                opened = page.url
                save(page, f"{name}-study-opened-at-top")

                page.go_back()  # the browser's Back (a phone's back gesture)
                heading.wait_for(state="detached", timeout=WAIT)
                card.wait_for(timeout=WAIT)
                settle(page)
                focused(page, CARD)
                assert page.url == listed
                assert on_screen(page, CARD, viewport["height"]), name  # the card left
                assert card.locator("strong").first.inner_text() == title
                save(page, f"{name}-back-at-the-card")

                page.go_forward()
                heading.wait_for(timeout=WAIT)
                settle(page)
                focused(page, ".st-key-study_heading")
                assert page.url == opened and heading.inner_text() == title
                assert at_the_top(page, viewport is PHONE), name
                assert page.locator("[data-testid=stException]").count() == 0
                page.close()
        finally:
            browser.close()


def test_a_link_naming_only_a_study_opens_it(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + "?study=NCT99000041")
                heading = page.locator(".st-key-study_heading")
                heading.wait_for(timeout=WAIT)
                page.get_by_text("How to take part").first.wait_for(timeout=WAIT)
                settle(page)
                assert heading.inner_text() == TITLES["NCT99000041"]
                assert page.url.endswith("?study=NCT99000041")  # its own address, kept
                assert page.get_by_text("search first").count() == 0
                check_page(page, f"{name} study linked alone")
                save(page, f"{name}-study-linked-alone")
                page.get_by_role("button", name="← Search for studies").click()
                page.get_by_label("Condition or other words").wait_for(timeout=WAIT)
                settle(page)
                page.wait_for_url(lambda url: "study=" not in url, timeout=WAIT)
                page.close()
        finally:
            browser.close()


def test_the_phone_search_and_filters_button_opens_and_closes(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            laptop = browser.new_page(viewport=LAPTOP)
            laptop.goto(app_url + LIST)
            laptop.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(laptop)
            # beside an open sidebar the button is not shown: the fields are in view
            assert not laptop.get_by_role("button", name="Search and filters").is_visible()
            assert laptop.locator("[data-testid=stSidebar]").get_by_text("Status").is_visible()
            check_page(laptop, "laptop list with the search in chips")
            laptop.close()

            page = browser.new_page(viewport=PHONE)
            page.goto(app_url + LIST)
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            button = page.get_by_role("button", name="Search and filters")
            assert button.is_visible()
            top = button.bounding_box()
            assert top is not None and top["y"] + top["height"] <= PHONE["height"]
            check_page(page, "phone list with the button")

            button.click()
            panel = page.locator(".st-key-filters_panel")
            panel.wait_for(timeout=WAIT)
            settle(page)
            assert panel.get_by_label("Condition", exact=True).is_visible()
            assert panel.get_by_text("Status").first.is_visible()
            assert panel.get_by_text("Country of a site").first.is_visible()
            assert sideways_scroll(page) == 0
            check_page(page, "phone search and filters open")
            save(page, "phone-search-and-filters")

            panel.get_by_label("Condition", exact=True).fill("cramp")
            panel.get_by_role("button", name="Search", exact=True).click()
            panel.wait_for(state="detached", timeout=WAIT)
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            assert "condition=cramp" in page.url
            assert button.is_visible()  # closed again, ready for the next time
            focused(page, ".st-key-results_heading")
            save(page, "phone-after-search")

            button.click()
            panel.wait_for(timeout=WAIT)
            page.get_by_role("button", name="Close search and filters").first.click()
            panel.wait_for(state="detached", timeout=WAIT)
            settle(page)
            assert button.is_visible()
        finally:
            browser.close()
