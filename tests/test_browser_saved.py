"""End to end: someone coming back finds their saved searches on the first screen. A search
is saved under the list; a new session (a new browser) starts on the first screen, whose
*What's new in the saved searches* opens *What's new* at its own address with the keyboard
focus on its heading, and *← Search for studies* puts the focus back on that button (the
focus fell to the page's top each time: the control pressed was gone). At phone width.

``streamlit run app.py`` against the loopback stand-in serving the fictional demo records (a
dashboard of its own: the saved search would show on the other modules' first screens), in
headless Debian Chromium (skipped when it is not installed).
"""

from __future__ import annotations

from tests.test_browser import (
    BROWSER_MARKS,
    PHONE_CONTEXT,
    WAIT,
    app,
    app_url,
    launch,
    settle,
    sync_api,
)
from tests.test_browser_nav import focused

__all__ = ["app", "app_url"]  # the fixtures of tests/test_browser.py (one dashboard here)

pytestmark = BROWSER_MARKS


def test_coming_back_opens_whats_new_from_the_first_screen(app_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(**PHONE_CONTEXT).new_page()
            page.goto(app_url + "?condition=muscle+spasm")
            page.get_by_role("button", name="Save this search").wait_for(timeout=WAIT)
            settle(page)
            assert page.get_by_role("button", name="What’s new in the saved searches").count() \
                == 0  # a search of this session: the views are beside its list
            page.get_by_label("Name of the saved search").fill("Spasm, coming back")
            page.get_by_role("button", name="Save this search").click()
            page.get_by_text("Saved as “Spasm, coming back”").wait_for(timeout=WAIT)

            later = browser.new_context(**PHONE_CONTEXT).new_page()  # another day
            later.goto(app_url)
            later.get_by_text("Coming back?").wait_for(timeout=WAIT)
            settle(later)
            assert "This dashboard has 1 saved search." in later.locator(
                "[data-testid=stMain]").inner_text()
            later.get_by_role("button", name="What’s new in the saved searches").click()
            focused(later, ".st-key-new_alone h2")
            assert later.url.endswith("?view=new")
            later.get_by_text("Looks for: muscle spasm").wait_for(timeout=WAIT)
            later.get_by_role("button", name="← Search for studies").click()
            focused(later, ".st-key-open_new")
            later.go_back()  # the browser's Back: What's new again, and Back once more leaves it
            later.get_by_role("heading", name="What’s new").wait_for(timeout=WAIT)
            later.go_back()
            later.get_by_text("Coming back?").wait_for(timeout=WAIT)
            assert later.get_by_role("heading", name="What’s new").count() == 0
        finally:
            browser.close()
