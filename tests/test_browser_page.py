"""End to end, issue 21: the list near a place is nearest first, a study's phone numbers are
``tel:`` links, the first screen, the results and a study page pass axe-core (no serious or
critical violation) at laptop (1400 px) and phone (390 px) width, with one H1, ordered
headings, 44 px touch targets, no hidden control in the Tab order, and the focus on the
results after a search; the map view shows a still map first (with its text, passing
axe-core at both widths) and the interactive map on request; the map's borders come once per
browser.

``streamlit run app.py`` against the loopback stand-in serving the fictional demo records, in
headless Debian Chromium (skipped when it is not installed). axe-core is the copy that the
``axe-playwright-python`` package ships (no download).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pytest

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
from trialfinder import service
from trialfinder.topics.demo import load_demo_studies

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

WIDTHS = [("laptop", LAPTOP), ("phone", PHONE)]
NEAR = "?preset=muscle-spasm&near=Boston%2C%20MA&radius=500&status=any"
STUDY = "?preset=als&status=any&study=NCT99000041"  # a central contact and a site contact


def serious(page: sync_api.Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    found: dict[str, Any] = axe_sync.Axe().run(page).response
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in found["violations"] if v["impact"] in ("serious", "critical")]


def headings(page: sync_api.Page) -> list[int]:
    return [int(level) for level in page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.offsetParent !== null).map(h => h.tagName[1])")]


def small_targets(page: sync_api.Page) -> list[str]:
    """Visible controls of the main column smaller than 44 px (a field counts by its box, a
    check box by its label, a control in a box that draws none, such as a multiselect's
    chip, by itself; the skip link shows only when focused)."""
    return list(page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=stMain] button, [data-testid=stMain] a[href], [data-testid=stMain] input,'
        + '[data-testid=stMain] [role=combobox], [data-testid=stExpandSidebarButton]')]
      .filter(e => e.offsetParent !== null && e.getClientRects().length)
      .map(e => [e, e.closest('[data-testid=stTextInputRootElement], [role=group], label,'
                              + ' [data-testid=stNumberInputContainer],'
                              + ' [data-testid=stMarkdownContainer] p, li')])
      .map(([e, box]) => box && getComputedStyle(box).display !== 'contents' ? box : e)
      .filter(e => !e.matches('p, li'))
      .map(e => { const r = e.getBoundingClientRect();
                  const name = e.innerText || e.getAttribute('aria-label') || e.tagName;
                  return [Math.round(r.width), Math.round(r.height), name.slice(0, 30)] })
      .filter(([w, h]) => w < 44 || h < 44)
      .map(([w, h, name]) => `${name}: ${w}x${h}`)"""))


def check_page(page: sync_api.Page, name: str) -> None:
    assert serious(page) == [], name
    levels = headings(page)
    assert levels.count(1) == 1 and levels[0] == 1, (name, levels)
    assert all(b - a <= 1 for a, b in pairwise(levels)), (name, levels)
    assert small_targets(page) == [], name
    assert sideways_scroll(page) == 0, name


def tabs_into_sidebar(page: sync_api.Page, presses: int = 30) -> int:
    count = 0
    for _ in range(presses):
        page.keyboard.press("Tab")
        count += bool(page.evaluate(
            "() => !!document.activeElement.closest('[data-testid=stSidebar]')"))
    return count


def test_first_screen_results_and_study_pass_axe_at_both_widths(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url)
                box = page.get_by_label("Condition or other words")
                box.wait_for(timeout=WAIT)
                settle(page)
                check_page(page, f"{name} first screen")

                box.fill("cramp")
                box.press("Enter")
                page.locator(".st-key-card_0").wait_for(timeout=WAIT)
                settle(page)
                # the focus is on the results heading, not lost on <body>
                focused = page.evaluate("() => document.activeElement.tagName + ' '"
                                        " + document.activeElement.innerText")
                assert focused.startswith("H2 Results: "), focused
                check_page(page, f"{name} results")
                save(page, f"{name}-results-a11y")
                if viewport is PHONE:  # the closed sidebar's controls are out of reach
                    assert tabs_into_sidebar(page) == 0

                page.goto(app_url + STUDY)
                page.get_by_text("How to take part").first.wait_for(timeout=WAIT)
                settle(page)
                check_page(page, f"{name} study")
                page.close()
        finally:
            browser.close()


def test_near_a_place_the_nearest_study_comes_first_at_both_widths(app_url: str) -> None:
    registry = service.search_records(load_demo_studies(), source="demo",
                                      preset="muscle-spasm", near="Boston, MA", radius=500)
    ahead = [round(m) for m in registry.studies["nearest_distance_mi"]]
    assert ahead != sorted(ahead)  # so the order on screen is the page's own doing
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + NEAR)
                shown = min(len(ahead), 20)
                # every card's distance line is drawn (a run can still be replacing the list
                # when the first card shows)
                page.wait_for_function(
                    "n => [...document.querySelectorAll("
                    "'[class*=st-key-card_] [data-testid=stCaptionContainer]')]"
                    ".filter(e => /nearest site/.test(e.innerText)).length >= n",
                    arg=shown, timeout=WAIT)
                settle(page)
                captions = page.locator("[class*=st-key-card_] [data-testid=stCaptionContainer]")
                miles = [int(m.group(1).replace(",", "")) if m.group(1) else 0
                         for text in captions.all_inner_texts()
                         if (m := re.search(r"nearest site (?:([\d,]+) miles|under a mile)"
                                            " away", text))]
                assert len(miles) == shown and miles == sorted(miles), miles
                assert miles[0] == 0 and sorted(ahead)[: len(miles)] == miles
                first = page.locator(".st-key-card_0").inner_text()
                assert "nearest site under a mile away: " in first
                save(page, f"{name}-nearest-first")
                page.close()
        finally:
            browser.close()


def test_a_study_with_a_phone_gives_a_tel_link_at_both_widths(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + STUDY)
                page.get_by_text("How to take part").first.wait_for(timeout=WAIT)
                settle(page)
                links = page.evaluate(
                    "() => [...document.querySelectorAll('a[href^=\"tel:\"]')]"
                    ".map(a => [a.getAttribute('href'), a.innerText])")
                assert ["tel:206-555-0196;ext=106", "206-555-0196 ext. 106"] in links
                assert ["tel:312-555-0197;ext=417", "312-555-0197 ext. 417"] in links
                # the site's contact is on a card, readable without sideways scrolling
                site = page.get_by_text("312-555-0197 ext. 417").last
                site.scroll_into_view_if_needed()
                box = site.bounding_box()
                assert box is not None and box["x"] + box["width"] <= viewport["width"]
                assert sideways_scroll(page) == 0
                save(page, f"{name}-study-contacts")
                page.close()
        finally:
            browser.close()


STILL_MAP = "[data-testid=stImage] img[alt^='Map of the sites. ']"


def test_the_map_view_shows_a_still_map_then_the_interactive_one_at_both_widths(
        app_url: str) -> None:
    """The still map (an image with its text) comes first and passes axe-core; its button
    loads the interactive map, which draws every site; "Show the still map" goes back."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in WIDTHS:
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + NEAR)
                page.locator(".st-key-card_0").wait_for(timeout=WAIT)
                settle(page)
                page.locator("[data-testid=stButtonGroup]").get_by_text("Map and charts").click()
                picture = page.locator(STILL_MAP)
                picture.wait_for(timeout=WAIT)
                settle(page)
                # drawn (decoded, with its own size), inside the column, no WebGL yet
                size = picture.evaluate("img => img.decode().then(() => "
                                        "[img.naturalWidth, img.getBoundingClientRect().width])")
                assert size[0] == 800 and 0 < size[1] <= viewport["width"], size
                assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
                alt = picture.get_attribute("alt") or ""
                assert alt.startswith("Map of the sites. 619 sites of 19 studies on the map: "
                                      "United States 557, Canada 62. The nearest, Elm Street "
                                      "Neurology Associates, Boston, is under a mile from "
                                      "Boston"), alt
                assert page.get_by_text(alt.removeprefix("Map of the sites. ")).count() == 1
                check_page(page, f"{name} still map")
                save(page, f"{name}-still-map")

                page.get_by_role("button", name="Open the interactive map").click()
                page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(
                    timeout=WAIT)
                page.locator(STILL_MAP).wait_for(state="detached", timeout=WAIT)
                settle(page)
                assert serious(page) == [], f"{name} interactive map"
                page.get_by_role("button", name="Show the still map").click()
                page.locator(STILL_MAP).wait_for(timeout=WAIT)
                page.locator("[data-testid=stDeckGlJsonChart]").wait_for(state="detached",
                                                                        timeout=WAIT)
                page.close()
        finally:
            browser.close()


def test_the_map_borders_come_once_per_browser(app_url: str) -> None:
    """Opening the interactive map twice transfers the borders once: the second time they
    come from the browser's cache (Chromium's own record of each response, read through its
    DevTools protocol). Once asked for, it stays the map view's map in that session."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP)
            devtools = page.context.new_cdp_session(page)
            devtools.send("Network.enable")
            fetched: list[bool] = []  # for each response of the file: from the cache?
            devtools.on("Network.responseReceived", lambda event: fetched.append(
                bool(event["response"].get("fromDiskCache")))
                if "/app/static/outlines.json" in event["response"]["url"] else None)
            page.goto(app_url + "?preset=muscle-spasm&status=any")
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            views = page.locator("[data-testid=stButtonGroup]")
            for first in (True, False):
                views.get_by_text("Map and charts").click()
                if first:
                    page.get_by_role("button", name="Open the interactive map").click()
                page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(
                    timeout=WAIT)
                settle(page)
                views.get_by_text("Studies").click()
                page.locator(".st-key-card_0").wait_for(timeout=WAIT)
                settle(page)
            assert fetched and fetched.count(False) == 1, fetched
        finally:
            browser.close()
