"""End to end: ``streamlit run app.py`` against the loopback stand-in, driven in headless
Chromium with Playwright. Skipped when Chromium (or Playwright) is not installed.

Screenshots at laptop and phone width go to a temporary folder and, when the environment
variable TRIALFINDER_SCREENSHOTS names a folder, there as well.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devtools.standin import StandInServer
from trialfinder.cli import main as cli_main
from trialfinder.topics.demo import load_demo_studies

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:g} s")


@pytest.fixture
def app_url(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    server = standin_factory(load_demo_studies())
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)  # for the CLI in the test
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cli-cache"))
    port = free_port()
    env = os.environ | {
        "TRIALFINDER_BASE_URL": server.base_url,
        "TRIALFINDER_CACHE_DIR": str(tmp_path / "cache"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch(p: sync_api.Playwright) -> sync_api.Browser:
    """Debian's Chromium, headless, with no calls home (this machine has no internet)."""
    return p.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def save(page: sync_api.Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    target = os.environ.get("TRIALFINDER_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_preset_search_shows_table_and_map(app_url: str, tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(app_url)
            page.get_by_role("tab", name="About these topics").click()
            page.get_by_role("button", name="Find trials: Muscle spasms and cramps").click()
            page.get_by_role("tab", name="Trials").click()
            table = page.locator("[data-testid=stDataFrame]").first
            table.wait_for(timeout=30_000)
            assert table.locator("canvas").count() >= 1
            page.get_by_text("Study details").first.wait_for()
            save(page, shots, "laptop-trials")
            assert "preset=muscle-spasm" in page.url

            button = page.get_by_role("button", name="Studies (CSV)")
            button.scroll_into_view_if_needed()
            with page.expect_download(timeout=30_000) as download:
                button.click()
            downloaded = Path(download.value.path()).read_bytes()

            page.get_by_role("tab", name="Map and charts").click()
            deck = page.locator("[data-testid=stDeckGlJsonChart]").first
            deck.wait_for(timeout=30_000)
            deck.locator("canvas").first.wait_for(timeout=30_000)
            page.locator("[data-testid=stVegaLiteChart]").first.wait_for(timeout=30_000)
            save(page, shots, "laptop-map")

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(page.url)  # the link reopens the same search
            phone.locator("[data-testid=stDataFrame]").first.wait_for(timeout=30_000)
            save(phone, shots, "phone-trials")
            phone.get_by_role("tab", name="Map and charts").click()
            phone.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(
                timeout=30_000)
            save(phone, shots, "phone-map")
        finally:
            browser.close()
    assert sorted(f.name for f in shots.iterdir()) == [
        "laptop-map.png", "laptop-trials.png", "phone-map.png", "phone-trials.png"]
    # The download is byte for byte what the command line writes for the same search.
    cli_csv = tmp_path / "cli.csv"
    assert cli_main(["search", "--preset", "muscle-spasm", "--status", "recruiting",
                     "--status", "not yet recruiting", "--output", str(cli_csv)]) == 0
    assert downloaded == cli_csv.read_bytes()
    assert downloaded.count(b"\r\n") == 19  # header and 18 studies


def test_near_search_map_and_stopped_trial_detail(app_url: str, tmp_path: Path) -> None:
    """A link with a place: the map fits the place and the site, the detail of a stopped trial
    says why, and no part of the page shows a Python error (also not on a phone)."""
    shots = tmp_path / "shots"
    shots.mkdir()
    query = "?preset=als&near=Boston%2C%20MA&radius=100&status=any"
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in (("laptop", {"width": 1366, "height": 900}),
                                   ("phone", {"width": 390, "height": 844})):
                page = browser.new_page(viewport=viewport)
                page.goto(app_url + query)
                page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=30_000)
                page.get_by_role("tab", name="Map and charts").click()
                page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(
                    timeout=30_000)
                page.get_by_text("needs an internet connection").first.wait_for()
                save(page, shots, f"{name}-near-map")

                page.goto(app_url + "?preset=als&status=any&study=NCT99000012")
                heading = page.get_by_role("heading", name="Inspiratory Muscle Training")
                heading.first.wait_for(timeout=30_000)
                heading.first.scroll_into_view_if_needed()
                page.get_by_text("Why it stopped:").first.wait_for(timeout=30_000)
                save(page, shots, f"{name}-stopped-detail")
                assert page.locator("[data-testid=stException]").count() == 0
                page.close()
        finally:
            browser.close()
    assert len(list(shots.iterdir())) == 4
