"""trialfinder.views.device: a phone's browser told by its User-Agent's "Mobi" token."""

from __future__ import annotations

import pytest

from trialfinder.views.device import phone_browser

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Mobile Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"
IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
ANDROID_TABLET = ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/131.0.0.0 Safari/537.36")
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")


@pytest.mark.parametrize(("agent", "phone"), [
    (ANDROID, True), (IPHONE, True), (FIREFOX_ANDROID, True),
    # a tablet is tall enough for the sidebar when turned, like a laptop
    (IPAD, False), (ANDROID_TABLET, False), (DESKTOP, False),
    (None, False), ("", False),
    # the token only counts in the header's first 512 characters (a header is bounded)
    ("x" * 600 + " Mobile", False),
])
def test_a_phone_browser_by_its_user_agent(agent: str | None, phone: bool) -> None:
    assert phone_browser(agent) is phone
