"""``/version`` and the first page asked early: they travel while the command line loads
pandas, are never sent twice, nor for a search that fails its checks or that saved tables
answer."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import Faults, StandInServer
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import TrialFinderError
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery

VERSION = "/api/v2/version"
STUDIES = "/api/v2/studies"
ROOT = Path(__file__).resolve().parents[1]


def _settings(server: StandInServer, tmp_path: Path, **changes: object) -> Settings:
    return Settings(base_url=server.base_url, cache_dir=tmp_path / "cache",
                    requests_per_minute=1e6, burst=10**6, backoff_factor=0.0,
                    timeout=5).with_(**changes)


WAIT = 10.0  # a deadline for what must happen; never reached when the code is right


def hold(server: StandInServer, path: str) -> threading.Event:
    """Hold the stand-in's answers to ``path`` until the returned event is set: a request
    for it is then surely under way (asked, not yet answered) when the test lets it go."""
    release = threading.Event()
    handle = server.api.handle

    def held(asked: str, query: str = "") -> Any:
        if asked == path:
            release.wait(WAIT)
        return handle(asked, query)

    server.api.handle = held  # type: ignore[method-assign]
    return release


def when_called(monkeypatch: pytest.MonkeyPatch, client: TrialsClient, name: str, times: int,
                event: threading.Event) -> None:
    """Set ``event`` once the client's method ``name`` has been entered ``times`` times (in
    any threads)."""
    real = getattr(client, name)
    calls = [0]
    lock = threading.Lock()

    def counted(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls[0] += 1
            if calls[0] >= times:
                event.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(client, name, counted)


def test_threads_asking_at_once_share_one_request(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory()
    client = TrialsClient(_settings(server, tmp_path))
    # the one /version request is answered only once all four threads have asked
    when_called(monkeypatch, client, "_version_or_none", 4, hold(server, VERSION))
    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(client.version_or_none()))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert server.stats.paths[VERSION] == 1
    assert answers == [{"apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}] * 4


def test_an_early_ask_serves_the_search_and_is_skipped_without_a_cache(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory()
    assert TrialsClient(_settings(server, tmp_path, use_cache=False)).ask_early() is None
    assert TrialsClient(_settings(server, tmp_path, offline=True)).ask_early() is None
    client = TrialsClient(_settings(server, tmp_path))
    # /version is answered only once the search asks for it too (the early thread asked first)
    when_called(monkeypatch, client, "_version_or_none", 2, hold(server, VERSION))
    early = client.ask_early()
    assert early is not None
    # the search does not wait for the thread to end: it finds the request under way
    result = client.search(StudyQuery(conditions=("fictional",)))
    early.join(WAIT)
    assert server.stats.paths[VERSION] == 1
    assert result.version is not None and "apiVersion" in result.version
    assert client.ask_early() is None  # known now: nothing more to ask


@pytest.mark.parametrize("argv, message", [
    (["--status", "sleeping"], "status"),
    ([], "the search is empty"),
])
def test_a_search_that_fails_its_checks_sends_nothing(
    standin: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    argv: list[str], message: str,
) -> None:
    base = ["search", "--base-url", standin.base_url, "--cache-dir", str(tmp_path / "cache")]
    condition = [] if message == "the search is empty" else ["-c", "asthma"]
    assert main([*base, *condition, *argv]) == 2
    assert message in capsys.readouterr().err
    assert sum(standin.stats.paths.values()) == 0


def test_a_bad_output_path_is_refused_before_pandas_loads() -> None:
    code = ("import sys, trialfinder.cli.main as cli\n"
            "code = cli.main(['search', '-c', 'x', '--output', '/no/such/folder/out.csv'])\n"
            "print(code, 'pandas' in sys.modules, 'requests' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.stdout.split() == ["1", "False", "False"], done.stderr
    assert "the folder /no/such/folder does not exist" in done.stderr


def _count_studies(server: StandInServer) -> int:
    return server.stats.paths[STUDIES]


@pytest.mark.parametrize("use_cache", [True, False])
def test_the_first_page_asked_early_is_the_search_s_first_page(
    standin_factory: Callable[..., StandInServer], tmp_path: Path, use_cache: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = StudyQuery(conditions=("fictional",))
    plain_server = standin_factory(max_page_size=5)
    plain = TrialsClient(_settings(plain_server, tmp_path / "plain", use_cache=use_cache,
                                   page_size=5)).search(query, limit=12)
    server = standin_factory(max_page_size=5)
    client = TrialsClient(_settings(server, tmp_path / "early", use_cache=use_cache,
                                    page_size=5))
    # the first page is answered only once the search looks for it: it is under way then
    when_called(monkeypatch, client, "_sent_ahead", 1, hold(server, STUDIES))
    early = client.ask_early(query, limit=12)
    assert early is not None
    result = client.search(query, limit=12)  # takes the page under way, does not ask again
    early.join(WAIT)
    assert _count_studies(server) == _count_studies(plain_server) == 2  # 5 + the other 1
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in result.studies] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in plain.studies]
    assert result.total_count == plain.total_count == 6
    assert (server.stats.paths.get(VERSION, 0) == plain_server.stats.paths.get(VERSION, 0)
            == int(use_cache))


def test_a_page_asked_early_for_another_search_is_not_used(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
) -> None:
    server = standin_factory(max_page_size=5)
    client = TrialsClient(_settings(server, tmp_path, use_cache=False, page_size=5))
    early = client.ask_early(StudyQuery(conditions=("fictional",)), limit=5)
    assert early is not None
    early.join(WAIT)
    result = client.search(StudyQuery(conditions=("fictional",)), limit=4)  # other page size
    assert len(result.studies) == 4
    assert _count_studies(server) == 1 + 1


def test_a_failed_early_page_fails_the_search_as_it_would_have(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
) -> None:
    server = standin_factory(faults=Faults(script=[400]))
    settings = _settings(server, tmp_path, use_cache=False, retries=0)
    client = TrialsClient(settings)
    early = client.ask_early(StudyQuery(conditions=("fictional",)))
    assert early is not None
    early.join(WAIT)
    with pytest.raises(TrialFinderError) as raised:
        client.search(StudyQuery(conditions=("fictional",)))
    assert "400" in str(raised.value)
    assert _count_studies(server) == 1  # the failure was not asked twice


def test_the_command_asks_nothing_early_when_saved_tables_answer(
    standin: StandInServer, tmp_path: Path,
) -> None:
    argv = ["search", "-c", "fictional", "--base-url", standin.base_url,
            "--cache-dir", str(tmp_path / "cache"), "--output", str(tmp_path / "out.csv")]
    assert main(argv) == 0
    first = _count_studies(standin)
    assert first >= 1
    for answers in (tmp_path / "cache").glob("http_cache.sqlite*"):
        answers.unlink()  # only the saved tables are left to answer the repeat
    assert main(argv) == 0
    for thread in threading.enumerate():  # anything asked early has arrived by now
        if thread.name == "trialfinder-early":
            thread.join(WAIT)
    assert _count_studies(standin) == first  # the repeat was answered by the saved tables


def test_a_search_waits_for_a_first_page_asked_early_even_when_it_is_sent_late(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory(max_page_size=5)
    client = TrialsClient(_settings(server, tmp_path, use_cache=False, page_size=5))
    send = client._send_reserved
    searching = threading.Event()
    when_called(monkeypatch, client, "_sent_ahead", 1, searching)

    def late(*args: Any, **kwargs: Any) -> None:
        # the early thread is slow to send: the search's first GET comes first
        searching.wait(WAIT)
        send(*args, **kwargs)

    monkeypatch.setattr(client, "_send_reserved", late)
    query = StudyQuery(conditions=("fictional",))
    early = client.ask_early(query)
    assert early is not None
    result = client.search(query)
    early.join(WAIT)
    assert (result.pages, _count_studies(server)) == (2, 2)  # page 1 was asked once
    assert client._ahead is None  # nothing kept for a later search
    client.search(query)
    assert _count_studies(server) == 4  # the next search asks for both pages itself


def test_a_first_page_given_up_early_is_asked_by_the_search(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
) -> None:
    server = standin_factory(max_page_size=5)
    client = TrialsClient(_settings(server, tmp_path, use_cache=False, page_size=5))
    query = StudyQuery(conditions=("fictional",))
    ahead = client._reserve_ahead("studies", {"query.cond": "fictional", "pageSize": "5",
                                              "countTotal": "true"})
    client._send_reserved(ahead, send=False)  # e.g. /version found the API unreachable
    assert client.search(query, fields=None).pages == 2
    assert client._ahead is None  # the search's first GET was the one reserved, and it asked
    assert _count_studies(server) == 2
