"""End to end: ``streamlit run app.py`` against the loopback stand-in, driven in headless
Chromium with Playwright. Skipped when Chromium (or Playwright) is not installed; marked
``browser``, so ``pytest -m "not browser"`` leaves them out.

Screenshots at laptop (1400 px) and phone (390 px) width are saved as artifacts in the
folder named by the environment variable TRIALFINDER_SCREENSHOTS, else in ``screenshots/``
at the top of the repository (ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.standin import Faults, StandInServer
from trialfinder.cli.main import main as cli_main
from trialfinder.topics.demo import load_demo_studies

# the Chromium .ci/run installs (it looks it up on PATH the same way)
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ROOT = Path(__file__).parents[1]

#: The marks of every browser test file: a browser test, skipped without Chromium, and time
#: for the first test to wait for Streamlit to start (all drive a real browser).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(180),
]
pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(proc: subprocess.Popen[str]) -> tuple[str, threading.Thread]:
    """Read Streamlit's output until it names the address it serves (it does so once it
    listens); the rest of its output is drained by the thread returned. The module's
    timeout bounds the wait."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip().startswith("URL: http://"):
            drain = threading.Thread(target=proc.stdout.read, daemon=True)
            drain.start()
            return line.split("URL:", 1)[1].strip(), drain
    raise RuntimeError(f"streamlit exited early with code {proc.wait()}")


@dataclass(frozen=True)
class App:
    url: str  # the dashboard, ending in "/"
    api: str  # the stand-in's API root it searches
    standin: StandInServer  # the stand-in itself (a test may give it faults, then take them back)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One dashboard (and one stand-in serving the demo studies) for every test here: each
    test opens its own browser pages, so no test sees another's session."""
    folder = tmp_path_factory.mktemp("browser")
    with StandInServer(load_demo_studies()) as server:
        env = os.environ | {
            "TRIALFINDER_BASE_URL": server.base_url,
            "TRIALFINDER_CACHE_DIR": str(folder / "cache"),
            "TRIALFINDER_DATA_DIR": str(folder / "data"),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(free_port()),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        drain: threading.Thread | None = None
        try:
            base, drain = wait_until_up(proc)
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as reply:
                assert reply.status == 200
            yield App(f"{base}/", server.base_url, server)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if drain is not None:
                drain.join(10)  # the output ends with the process
            assert proc.stdout is not None
            proc.stdout.close()


@pytest.fixture
def app_url(app: App) -> str:
    return app.url


def launch(p: sync_api.Playwright) -> sync_api.Browser:
    """Debian's Chromium, headless, with no calls home (this machine has no internet)."""
    return p.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run", "--disable-sync"],
    )


LAPTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
# the browser contexts (``new_context`` arguments) of the devices the phone walks use
PHONE_CONTEXT = {"viewport": PHONE, "has_touch": True, "is_mobile": True}
SMALL_PHONE_CONTEXT = {"viewport": {"width": 360, "height": 740}, "has_touch": True,
                       "is_mobile": True}
SIDEWAYS_CONTEXT = {"viewport": {"width": 844, "height": 390}, "has_touch": True,
                    "is_mobile": True}
# a desktop window at most 500 px high (or a laptop's zoomed to 175 %, 780 x 439) is treated as
# a phone turned sideways: its first screen is as short, and the page shows whom to call and
# the results heading as it does there
SHORT_WINDOW_CONTEXT = {"viewport": {"width": 1280, "height": 450}}
WAIT = 30_000  # ms


def shots_folder() -> Path:
    folder = Path(os.environ.get("TRIALFINDER_SCREENSHOTS") or ROOT / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(page: sync_api.Page, name: str) -> Path:
    path = shots_folder() / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def settle(page: sync_api.Page) -> None:
    """Wait until Streamlit has finished the current run and drawn every widget (no
    "running" indicator, no placeholder skeletons), and the browser has painted it. Call it
    once the run's own output is on the page (the run has started then)."""
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=WAIT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid*=Skeleton], .stSkeleton')",
        timeout=WAIT)
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")


def sideways_scroll(page: sync_api.Page) -> int:
    """How many pixels the page can scroll sideways (0 = none)."""
    return int(page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"))


def test_phone_search_from_the_first_screen(app_url: str) -> None:
    """At 390 px: type ALS in the main column, press Enter, read titles with no sideways
    scroll, open a study and find its central contact."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(app_url)
            box = page.get_by_label("Condition or other words")
            box.wait_for(timeout=WAIT)
            assert box.is_visible()  # no sidebar needed
            assert sideways_scroll(page) == 0
            save(page, "phone-first-screen")

            box.fill("ALS")
            box.press("Enter")
            card = page.locator(".st-key-card_0")
            card.wait_for(timeout=WAIT)
            settle(page)
            title = card.locator("strong").first
            top = title.bounding_box()
            assert top is not None and top["y"] + top["height"] <= PHONE["height"]
            assert "condition=ALS" in page.url
            assert sideways_scroll(page) == 0
            save(page, "phone-results")

            card.get_by_role("button", name="Read this study").click()
            page.get_by_text("How to take part").first.wait_for(timeout=WAIT)
            page.get_by_text("Contact for the whole study").first.wait_for(timeout=WAIT)
            settle(page)
            assert sideways_scroll(page) == 0
            assert page.locator("[data-testid=stException]").count() == 0
            save(page, "phone-study")
        finally:
            browser.close()


def test_laptop_topic_cards_downloads_and_map(app: App, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app_url = app.url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP)
            outside: list[str] = []  # the page asks nothing of any other host (the map too)
            page.on("request", lambda r: outside.append(r.url) if urllib.parse.urlsplit(
                r.url).hostname not in ("127.0.0.1", "localhost") else None)
            page.goto(app_url)
            page.get_by_role("button", name="Find trials: Muscle spasms and cramps").click()
            first = page.locator(".st-key-card_0")
            first.wait_for(timeout=WAIT)
            settle(page)
            top = first.bounding_box()
            assert top is not None and top["y"] < LAPTOP["height"]
            assert "preset=muscle-spasm" in page.url
            assert sideways_scroll(page) == 0
            save(page, "laptop-results")

            button = page.get_by_role("button", name="Studies (CSV)")
            button.scroll_into_view_if_needed()
            with page.expect_download(timeout=WAIT) as download:
                button.click()
            downloaded = Path(download.value.path()).read_bytes()
            # the stand-in's studies are fictional: named and marked as the demo's are
            assert re.fullmatch(r"trialfinder-DEMO-fictional-muscle-spasm-\d{4}-\d{2}-\d{2}"
                                r"\.csv", download.value.suggested_filename)

            page.locator("[data-testid=stButtonGroup]").get_by_text("Map and charts").click()
            page.locator("[data-testid=stImage] img[alt^='Map of the sites']").wait_for(
                timeout=WAIT)  # a still map first, then the interactive one on request
            page.get_by_role("button", name="Open the interactive map").click()
            page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(timeout=WAIT)
            page.locator("[data-testid=stVegaLiteChart]").first.wait_for(timeout=WAIT)
            settle(page)
            save(page, "laptop-map")
            assert outside == []

            phone = browser.new_page(viewport=PHONE)
            assert "view=map" in page.url
            phone.goto(page.url)  # the link reopens the same search, in the same view
            phone.locator("[data-testid=stImage] img[alt^='Map of the sites']").wait_for(
                timeout=WAIT)
            settle(phone)
            assert sideways_scroll(phone) == 0
            phone.locator("[data-testid=stButtonGroup]").get_by_text("Studies").click()
            phone.locator(".st-key-card_0").wait_for(timeout=WAIT)
            settle(phone)
            assert sideways_scroll(phone) == 0
            assert "view=" not in phone.url
        finally:
            browser.close()
    # The download is byte for byte what the command line writes for the same search.
    monkeypatch.setenv("TRIALFINDER_BASE_URL", app.api)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cli-cache"))
    cli_csv = tmp_path / "cli.csv"
    assert cli_main(["search", "--preset", "muscle-spasm", "--status", "recruiting",
                     "--status", "not yet recruiting", "--output", str(cli_csv)]) == 0
    lines = downloaded.split(b"\r\n")
    assert lines[0].startswith(b"fictional_demo_data,")
    assert all(line.startswith(b"yes,") for line in lines[1:-1])
    unmarked = b"\r\n".join(line.split(b",", 1)[-1] for line in lines)
    assert unmarked == cli_csv.read_bytes()  # (whose provenance file says "fictional")
    assert downloaded.count(b"\r\n") == 19  # header and 18 studies


def test_near_search_and_stopped_trial_on_both_widths(app_url: str) -> None:
    """A link with a place, and a link to a stopped trial: no Python error, no sideways
    scroll, on a laptop and on a phone."""
    query = "?preset=als&near=Boston%2C%20MA&radius=100&status=any"
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + query)
                page.locator(".st-key-card_0").wait_for(timeout=WAIT)
                page.get_by_text("93 miles").first.wait_for(timeout=WAIT)
                settle(page)
                assert sideways_scroll(page) == 0
                save(page, f"{name}-near")

                page.goto(app_url + "?preset=als&status=any&study=NCT99000012")
                heading = page.get_by_role("heading", name="Inspiratory Muscle Training")
                heading.first.wait_for(timeout=WAIT)
                page.get_by_text("Why it stopped:").first.wait_for(timeout=WAIT)
                settle(page)
                assert sideways_scroll(page) == 0
                save(page, f"{name}-stopped-study")
                assert page.locator("[data-testid=stException]").count() == 0
                page.close()
        finally:
            browser.close()


def test_a_slow_registry_is_said_on_the_page_while_the_search_waits(app: App) -> None:
    """ClinicalTrials.gov asks us to slow down for 8 s: the page says so during the wait (not
    a silent progress bar), then shows the studies and the note is gone."""
    app.standin.api.set_faults(Faults(script=[429, 429], retry_after="8"))
    try:
        with sync_api.sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page(viewport=PHONE)
                page.goto(app.url + "?condition=spasticity&status=any")
                note = page.get_by_text("asked us to slow down (HTTP 429); asking again in 8")
                note.first.wait_for(timeout=WAIT)
                assert "This page keeps waiting" in note.first.inner_text()
                assert sideways_scroll(page) == 0
                save(page, "phone-slow-registry")
                page.locator(".st-key-card_0").wait_for(timeout=WAIT)
                settle(page)
                assert note.count() == 0
                assert page.locator("[data-testid=stException]").count() == 0
            finally:
                browser.close()
    finally:
        app.standin.api.set_faults(Faults())


def test_hostile_link_gives_no_live_link_or_image(app_url: str) -> None:
    """A shared link holding Markdown and bare addresses: the page shows the text, and not
    one link or image points at the attacker's host (Markdown's autolinking included)."""
    evil = "[x](https://evil.example) ![t](https://evil.example/t.png) www.evil.example"
    query = urllib.parse.urlencode({"preset": "als", "status": "any", "study": evil})
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(app_url + "?" + query)
            notice = "The link named a study id we could not read"
            page.get_by_text(notice).first.wait_for(timeout=WAIT)
            settle(page)
            shown = page.get_by_text(notice).first.inner_text()
            assert shown.replace("\u2060", "") == f"{notice}: “{evil}”."
            links = page.evaluate(
                "() => [...document.querySelectorAll('a[href], img[src]')]"
                ".map(e => e.getAttribute('href') || e.getAttribute('src'))")
            assert not [link for link in links if "evil" in link]
            save(page, "phone-hostile-link")
        finally:
            browser.close()
