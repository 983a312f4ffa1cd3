"""Benchmark the dashboard in a real browser: search, filter change, map tab, study page.

Serves 1,000 fictional studies (NCT99000000 upwards, all about muscle cramps, two sites each:
2,000 sites) from the loopback stand-in, starts ``streamlit run app.py`` against it and drives
Debian's Chromium with Playwright at 1400 px:

- *search*: from pressing Enter in the first screen's search box to the first result card
  on screen (a cold search each time: the words differ in case, so no cache answers);
- *filter*: from pressing Enter in the sidebar's keyword filter to the settled page (a
  keyword that removes everything, then clearing it again: two redraws per round);
- *map*: from clicking "Map and charts" to what a user sees first there: the still map (an SVG
  picture drawn by the server) loaded and on screen; *map (first)* is the first opening in a
  page, *map* the later ones;
- *map settled*: the same click to the whole view drawn (the run finished: the charts too);
- *interactive map*: from pressing "Open the interactive map" to the deck.gl map drawn (its
  canvas on the page and the run finished) with every site: the first time in a page loads
  the map's code and borders (*interactive (first)*), the later ones find them in the
  browser;
- *study*: from pressing "Read this study" on the first card to the study's page drawn;
- *back*: from the browser's Back on that page to the list drawn again with the card that
  was left on screen.

For each later opening of the interactive map it also adds up the CPU seconds spent by the
server, Chromium's page (renderer) and its GPU process (from /proc, Linux only): with no GPU,
Chromium draws the map's WebGL in software there, and that is where most of its time goes.

Targets (issues 12 and 21): search under 1.5 s, filter under 0.5 s, map under 1 s at 2,000
sites, study under 1 s (and Back, the whole map view and the interactive map, which the issues
set no figure for, under 1 s too). Writes ``benchmarks/results/browser.md``.

    .venv/bin/python benchmarks/bench_browser.py [--studies 1000] [--sites 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repo's devtools/

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from devtools.standin import StandInServer, fictional_site, fictional_study  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
RESULTS = ROOT / "benchmarks" / "results" / "browser.md"
TARGETS = {"search": 1.5, "filter": 0.5, "map (first)": 1.0, "map": 1.0, "map settled": 1.0,
           "interactive (first)": 1.0, "interactive map": 1.0, "study": 1.0, "back": 1.0}
CITIES = [("Boston", "MA", 42.36, -71.06), ("Denver", "CO", 39.74, -104.99),
          ("Seattle", "WA", 47.61, -122.33), ("Austin", "TX", 30.27, -97.74)]


def studies(n: int, per_study: int = 2) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        sites = [fictional_site(f"Clinic {i}-{k}", city, "United States",
                                lat + (i % 50) * 0.02, lon + k * 0.1, state=state,
                                status="RECRUITING")
                 for k, (city, state, lat, lon) in enumerate(CITIES[:per_study])]
        out.append(fictional_study(f"NCT{99000000 + i:08d}", f"Fictional cramp study {i}",
                                   conditions=["Muscle Cramp"], locations=sites,
                                   phases=["PHASE2"] if i % 2 else ["PHASE3"]))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(server: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of the server and of this process's Chromium, by
    kind of process; empty without /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    found: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        kind = ("server" if pid == server else "gpu" if b"--type=gpu-process" in command
                else "page" if b"--type=renderer" in command else "")
        if kind:
            found[pid] = (kind, (int(fields[11]) + int(fields[12])) / tick)
    totals: dict[str, float] = {}
    for pid, (kind, seconds) in found.items():
        ancestor = pid
        for _ in range(10):  # only processes started by this benchmark
            if ancestor == os.getpid():
                totals[kind] = totals.get(kind, 0.0) + seconds
                break
            ancestor = parents.get(ancestor, 0)
    return totals


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("streamlit exited early")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("streamlit did not start within 60 s")


def idle(page: Page) -> None:
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=60_000)


def one_search(page: Page, url: str, words: str) -> float:
    page.goto(url)
    box = page.get_by_label("Condition or other words")
    box.wait_for(timeout=60_000)
    idle(page)
    box.fill(words)
    started = time.perf_counter()
    box.press("Enter")
    page.locator(".st-key-card_0").wait_for(timeout=60_000)
    return time.perf_counter() - started


def one_filter(page: Page, keyword: str, expect: str) -> float:
    box = page.get_by_label("Keyword in title, summary or conditions")
    box.fill(keyword)
    started = time.perf_counter()
    box.press("Enter")
    page.get_by_text(expect).first.wait_for(timeout=60_000)
    idle(page)
    return time.perf_counter() - started


def idle_page(page: Page) -> None:
    """The run finished and nothing is left to draw."""
    idle(page)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid*=Skeleton], .stSkeleton')",
        timeout=60_000)


STILL_MAP = "[data-testid=stImage] img[alt^='Map of the sites']"


def one_map(page: Page) -> tuple[float, float]:
    """Open the map view: the seconds to the still map on screen, and to the view settled."""
    views = page.locator("[data-testid=stButtonGroup]")
    started = time.perf_counter()
    views.get_by_text("Map and charts").click()
    picture = page.locator(STILL_MAP)
    picture.wait_for(timeout=60_000)  # attached and visible, then decoded and painted:
    picture.evaluate("img => img.decode().then(() => new Promise(done => "
                     "requestAnimationFrame(() => requestAnimationFrame(done))))")
    seen = time.perf_counter() - started
    idle_page(page)
    return seen, time.perf_counter() - started


def back_to_list(page: Page) -> None:
    page.locator("[data-testid=stButtonGroup]").get_by_text("Studies").click()
    page.locator(".st-key-card_0").wait_for(timeout=60_000)
    idle_page(page)


def one_interactive(page: Page, server: int, cpu: dict[str, list[float]]) -> float:
    """In the map view, "Open the interactive map": the seconds to its canvas and the run
    finished; then back to the still map."""
    before = cpu_seconds(server)
    started = time.perf_counter()
    page.get_by_role("button", name="Open the interactive map").click()
    page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(timeout=60_000)
    idle_page(page)
    took = time.perf_counter() - started
    after = cpu_seconds(server)
    for kind in after:
        cpu.setdefault(kind, []).append(after[kind] - before.get(kind, 0.0))
    page.get_by_role("button", name="Show the still map").click()
    page.locator(STILL_MAP).wait_for(timeout=60_000)
    idle_page(page)
    return took


def map_round(page: Page, server: int, times: dict[str, list[float]],
              cpu: dict[str, list[float]]) -> None:
    """A fresh page's map openings: the first (the still map; then the interactive map
    loads its code), two later ones of each. First (untimed) the list with every study: a
    keyword cleared while the page still ran has been seen to come back."""
    box = page.get_by_label("Keyword in title, summary or conditions")
    idle_page(page)
    if box.input_value():
        box.fill("")
        box.press("Enter")
        page.get_by_text("Your filters removed all").wait_for(state="detached", timeout=60_000)
        page.locator(".st-key-card_0").wait_for(timeout=60_000)
        idle_page(page)
    for step in ("first", "later", "later"):
        seen, settled = one_map(page)
        times["map (first)" if step == "first" else "map"].append(seen)
        times["map settled"].append(settled)
        took = one_interactive(page, server, cpu if step == "later" else {})
        times["interactive (first)" if step == "first" else "interactive map"].append(took)
        back_to_list(page)


def one_study(page: Page) -> tuple[float, float]:
    """Open the first card's study, then the browser's Back: the seconds each took."""
    started = time.perf_counter()
    page.locator(".st-key-card_0").get_by_role("button", name="Read this study").click()
    page.get_by_text("How to take part").first.wait_for(timeout=60_000)
    idle_page(page)
    took = time.perf_counter() - started
    started = time.perf_counter()
    page.go_back()
    page.locator(".st-key-return_card").wait_for(timeout=60_000)  # the card left, marked
    idle_page(page)
    return took, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=2, choices=range(1, len(CITIES) + 1),
                        help="sites per study (default 2: 2,000 sites for 1,000 studies)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = StandInServer(studies(args.studies, args.sites)).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"TRIALFINDER_BASE_URL": server.base_url,
                            "TRIALFINDER_CACHE_DIR": cache, "TRIALFINDER_RATE": "100000",
                            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times: dict[str, list[float]] = {step: [] for step in TARGETS}
        map_cpu: dict[str, list[float]] = {}
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_up(url + "_stcore/health", proc)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--headless", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync"])
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                one_search(page, url, "cramp")  # the first run imports everything
                spellings = ["muscle cramp", "Muscle cramp", "muscle Cramp", "MUSCLE CRAMP",
                             "Muscle Cramp", "mUSCLE cRAMP"]
                for i in range(args.repeat):
                    times["search"].append(one_search(page, url, spellings[i % 6]))
                    idle_page(page)
                    times["filter"].append(one_filter(page, "zzz", "Your filters removed all"))
                    times["filter"].append(one_filter(page, "", "Fictional cramp study 0"))
                    # a fresh page each round (the search loads it)
                    map_round(page, proc.pid, times, map_cpu)
                    opened, back = one_study(page)
                    times["study"].append(opened)
                    times["back"].append(back)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            server.close()
    lines = [
        "# Browser benchmark",
        "",
        f"{args.studies:,} fictional studies ({args.studies * args.sites:,} sites) from the "
        "stand-in on 127.0.0.1; `streamlit run "
        "app.py` driven by Playwright in headless Chromium at 1400 px; "
        f"Python {platform.python_version()} on {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every step). "
        "Seconds. *map*: the click on *Map and charts* to the still map (an SVG picture "
        "drawn by the server) on screen, *map (first)* the first time in a page; *map "
        "settled*: the same click to the whole view drawn, charts too; *interactive*: "
        "pressing *Open the interactive map* to its deck.gl map drawn, *(first)* when the "
        "page loads its code and the borders.",
        "",
        "| step | median | worst | target | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for step, values in times.items():
        lines.append(f"| {step} | {statistics.median(values):.2f} | {max(values):.2f} | "
                     f"{TARGETS[step]:.1f} | {len(values)} |")
    if map_cpu:
        lines += ["", "CPU seconds per later opening of the interactive map (median of "
                  f"{len(next(iter(map_cpu.values())))}): " + ", ".join(
                      f"{kind} {statistics.median(map_cpu[kind]):.2f}"
                      for kind in ("server", "page", "gpu") if kind in map_cpu)
                  + " (*page*: Chromium's renderer; *gpu*: its GPU process, which draws the "
                  "map's WebGL in software here)."]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
