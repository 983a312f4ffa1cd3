"""End to end, issue 21: what a person does while the page is still running is not undone.

Streamlit's messages to the page are held back here, as on a slow link or a busy machine,
while the person acts on what is on screen: a Back pressed as soon as a study shows returns
to the card that opened it (not to an older step of the history), and a filter cleared just
before a click stays cleared (the click's run carries the address the page showed, older
than the page's state). Holding the messages makes each order certain, where the benchmark
met them one time in a few.

``streamlit run app.py`` against the loopback stand-in serving the fictional demo records, in
headless Debian Chromium (skipped when it is not installed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.test_browser import (
    BROWSER_MARKS,
    LAPTOP,
    WAIT,
    app,
    app_url,
    launch,
    settle,
    sync_api,
)
from tests.test_browser_nav import CARD, LIST, focused, on_screen

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS

KEYWORD = "Keyword in title, summary or conditions"
EMPTY = "Your filters removed all"


class SlowLink:
    """Streamlit's websocket between the page and the server, through Playwright: the
    server's messages reach the page at once, or are held back (from a given message on)
    until :meth:`release`. Counts the runs the server finished."""

    def __init__(self, page: sync_api.Page) -> None:
        self.page = page
        self.held: list[str | bytes] = []
        self.holding = False
        self.hold_after: bytes | None = None  # hold what comes after the message holding it
        self.finished = 0
        self.to_page: sync_api.WebSocketRoute | None = None
        page.route_web_socket(re.compile(r".*/_stcore/stream$"), self._route)

    def _route(self, ws: sync_api.WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.to_page = ws
        ws.on_message(server.send)
        server.on_message(self._from_server)

    def _from_server(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(message)
            if msg.WhichOneof("type") == "script_finished":
                self.finished += 1
        if self.holding:
            self.held.append(message)
            return
        assert self.to_page is not None
        self.to_page.send(message)
        if self.hold_after is not None and isinstance(message, bytes) \
                and self.hold_after in message:
            self.holding, self.hold_after = True, None

    def release(self) -> None:
        assert self.to_page is not None
        self.holding = False
        for message in self.held:
            self.to_page.send(message)
        self.held.clear()

    def until(self, done: Callable[[], bool]) -> None:
        """Let Playwright deliver messages until ``done()`` (bounded by the test's wait)."""
        deadline = time.monotonic() + WAIT / 1000
        while not done():
            assert time.monotonic() < deadline, "the server did not get there in time"
            self.page.wait_for_timeout(20)  # hands control to Playwright's message loop


def test_back_as_soon_as_a_study_shows_returns_to_its_card(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP)
            link = SlowLink(page)
            page.goto(app_url + LIST)
            card = page.locator(CARD)
            card.wait_for(timeout=WAIT)
            settle(page)
            # an earlier step of the history in this page: a filter that empties the list,
            # then cleared
            box = page.get_by_label(KEYWORD)
            box.fill("zzz")
            box.press("Enter")
            page.get_by_text(EMPTY).first.wait_for(timeout=WAIT)
            settle(page)
            box.fill("")
            box.press("Enter")
            card.wait_for(timeout=WAIT)
            settle(page)
            address = page.url
            assert "keyword" not in address
            card.scroll_into_view_if_needed()
            title = card.locator("strong").first.inner_text()

            # the study's text shows, the rest of its run is still on the way
            link.hold_after = b"How to take part"
            card.get_by_role("button", name="Read this study").click()
            page.get_by_text("How to take part").first.wait_for(timeout=WAIT)
            assert page.locator(".st-key-study_heading").inner_text() == title
            page.go_back()  # at once, as a person who opened the wrong study
            link.release()

            marked = page.locator(".st-key-return_card")
            marked.wait_for(timeout=WAIT)
            settle(page)
            focused(page, ".st-key-return_card")
            assert page.url == address
            assert marked.locator("strong").first.inner_text() == title
            assert on_screen(page, ".st-key-return_card", LAPTOP["height"])
            assert page.get_by_label(KEYWORD).input_value() == ""
        finally:
            browser.close()


def test_a_filter_cleared_just_before_a_click_stays_cleared(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP)
            link = SlowLink(page)
            page.goto(app_url + LIST)
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            box = page.get_by_label(KEYWORD)
            box.fill("zzz")
            box.press("Enter")
            page.get_by_text(EMPTY).first.wait_for(timeout=WAIT)
            settle(page)
            assert "keyword=zzz" in page.url

            # the keyword cleared; its run ends on the server, but the page has not heard yet
            link.holding = True
            runs = link.finished
            box.fill("")
            box.press("Enter")
            link.until(lambda: link.finished > runs)
            # the person goes on: the map view, from a page that still shows the old address
            runs = link.finished
            page.locator("[data-testid=stButtonGroup]").get_by_text("Map and charts").click()
            link.release()
            link.until(lambda: link.finished > runs)
            settle(page)

            assert page.get_by_label(KEYWORD).input_value() == ""
            assert "keyword" not in page.url
            assert page.get_by_text(EMPTY).count() == 0
            page.locator("[data-testid=stButtonGroup]").get_by_text("Studies").click()
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            assert page.get_by_label(KEYWORD).input_value() == ""
        finally:
            browser.close()


def test_a_filter_typed_and_cleared_before_the_page_heard_leaves_the_address_clear(
        app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP)
            link = SlowLink(page)
            page.goto(app_url + LIST)
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            start = page.url

            # a keyword, and its run ends on the server; the page has not heard of it when
            # the person clears the keyword again
            link.holding = True
            runs = link.finished
            box = page.get_by_label(KEYWORD)
            box.fill("zzz")
            box.press("Enter")
            link.until(lambda: link.finished > runs)
            runs = link.finished
            box.fill("")
            box.press("Enter")
            link.until(lambda: link.finished > runs)
            link.release()
            page.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(page)
            assert page.url == start and box.input_value() == ""  # the last one's, not "zzz"

            # so a study's Back comes back to this list, at its card
            card = page.locator(".st-key-card_0")
            card.get_by_role("button", name="Read this study").click()
            page.locator(".st-key-study_heading").wait_for(timeout=WAIT)
            settle(page)
            page.go_back()
            page.locator(".st-key-return_card").wait_for(timeout=WAIT)
            settle(page)
            assert page.url == start and box.input_value() == ""
        finally:
            browser.close()
