"""TrialsClient.search with ``on_page``: the next page is requested while the current one is
handed on, decoded only once it is done with, and every paging guarantee still holds."""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

import trialfinder.registries.ctgov.client as client_module
from devtools.standin import Faults, StandInServer, fictional_study
from trialfinder.core.config import Settings
from trialfinder.core.errors import ApiError, PagingError
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.page import Page
from trialfinder.registries.ctgov.query import StudyQuery

Factory = Callable[..., StandInServer]
QUERY = StudyQuery(conditions=("cramp",))
WAIT = 5.0  # deadline for anything that must happen; never reached when the code is right


def _settings(server: StandInServer) -> Settings:
    return Settings(base_url=server.base_url, use_cache=False, backoff_factor=0.0,
                    requests_per_minute=60_000, burst=1000, retries=1, timeout=5.0)


def _studies(n: int) -> list[dict[str, Any]]:
    return [fictional_study(f"NCT99{300000 + i:06d}", f"Fictional Cramp Study {i}",
                            conditions=["Muscle Cramp"]) for i in range(1, n + 1)]


def _ids(studies: list[dict[str, Any]]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]


class _Arrivals:
    """Counts the stand-in's answers to /studies as they are built (in its thread) and lets a
    test wait until the n-th has been built."""

    def __init__(self, server: StandInServer) -> None:
        self.count = 0
        self._changed = threading.Condition()
        handle = server.api.handle

        def counted(path: str, query: str = "") -> Any:
            reply = handle(path, query)
            if path.endswith("/studies"):
                with self._changed:
                    self.count += 1
                    self._changed.notify_all()
            return reply

        server.api.handle = counted  # type: ignore[method-assign]

    def wait_for(self, n: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, timeout=WAIT)


def test_the_next_page_is_requested_while_the_current_one_is_handed_on(
    standin_factory: Factory,
) -> None:
    server = standin_factory(_studies(15), max_page_size=5)
    arrivals = _Arrivals(server)
    seen: list[tuple[int, bool]] = []  # (page, whether the next page's answer was built)

    def on_page(studies: list[dict[str, Any]], fetched: datetime | None) -> None:
        page = len(seen) + 1
        # the request for the next page is answered while this page is still being handed on
        # (fetched one after the other, the wait would run out: no request until this returns)
        seen.append((page, arrivals.wait_for(page + 1) if page < 3 else False))

    result = TrialsClient(_settings(server)).search(QUERY, on_page=on_page)
    assert seen == [(1, True), (2, True), (3, False)]
    assert (result.count, result.pages, result.requests, server.stats.requests) == (15, 3, 3, 3)


def test_no_more_than_one_page_is_fetched_ahead(standin_factory: Factory) -> None:
    server = standin_factory(_studies(20), max_page_size=5)
    arrivals = _Arrivals(server)
    counts: list[int] = []

    def on_page(studies: list[dict[str, Any]], fetched: datetime | None) -> None:
        if len(counts) == 0:
            assert arrivals.wait_for(2)
        counts.append(arrivals.count)

    TrialsClient(_settings(server)).search(QUERY, on_page=on_page)
    # the answer to page 2 was built during page 1; page 3 was not asked for until page 2 was
    # taken, so while page 1 was handed on only two answers existed
    assert counts[0] == 2
    assert len(counts) == 4


def test_the_page_ahead_is_decoded_only_once_the_page_in_hand_is_done(
    standin_factory: Factory, monkeypatch: pytest.MonkeyPatch, decode_gate: Any,
) -> None:
    server = standin_factory(_studies(10), max_page_size=5)
    events: list[str] = []
    decoded_second = threading.Event()
    parse = client_module.parse_page

    def spy(body: Any, response: Any) -> Page:
        page = parse(body, response)
        events.append(f"decoded {_ids(page.studies)[0][-2:]}")
        if len(events) > 1:
            decoded_second.set()
        return page

    monkeypatch.setattr(client_module, "parse_page", spy)
    still_waiting: list[bool] = []

    def on_page(studies: list[dict[str, Any]], fetched: datetime | None) -> None:
        events.append(f"handed {_ids(studies)[0][-2:]}")
        if len(still_waiting) == 0:
            # page 2 has arrived and waits for its turn: not decoded while page 1 is in hand
            assert decode_gate.wait_for(2)
            still_waiting.append(not decoded_second.is_set())

    result = TrialsClient(_settings(server)).search(QUERY, on_page=on_page)
    assert still_waiting == [True]
    assert events == ["decoded 01", "handed 01", "decoded 06", "handed 06"]
    assert result.count == 10


def test_an_error_on_page_three_is_raised_after_pages_one_and_two_were_handed_on(
    standin_factory: Factory,
) -> None:
    server = standin_factory(_studies(15), max_page_size=5,
                             faults=Faults(script=[200, 200, 400]))
    handed: list[list[str]] = []
    with pytest.raises(ApiError) as caught:
        TrialsClient(_settings(server)).search(QUERY, on_page=lambda s, _: handed.append(_ids(s)))
    assert caught.value.status == 400
    assert handed == [[f"NCT99{300000 + i:06d}" for i in range(1, 6)],
                      [f"NCT99{300000 + i:06d}" for i in range(6, 11)]]
    assert server.stats.requests == 3


def test_a_paging_error_comes_after_the_pages_before_it(
    standin_factory: Factory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory(_studies(15), max_page_size=5)
    parse = client_module.parse_page
    tokens: list[str | None] = []

    def repeat_the_token(body: Any, response: Any) -> Page:
        page = parse(body, response)
        tokens.append(page.next_token)
        # page 2 offers the token page 1 offered: following it would never end
        return dataclasses.replace(page, next_token=tokens[0]) if len(tokens) == 2 else page

    monkeypatch.setattr(client_module, "parse_page", repeat_the_token)
    handed: list[int] = []
    with pytest.raises(PagingError, match="a second time"):
        TrialsClient(_settings(server)).search(QUERY, on_page=lambda s, _: handed.append(len(s)))
    assert handed == [5, 5]  # both pages went on; the repeat was caught before asking again
    assert server.stats.requests == 2


def test_an_interrupt_in_on_page_stops_the_prefetch_thread(standin_factory: Factory) -> None:
    server = standin_factory(_studies(30), max_page_size=5)
    arrivals = _Arrivals(server)
    calls: list[int] = []

    def on_page(studies: list[dict[str, Any]], fetched: datetime | None) -> None:
        calls.append(len(studies))
        assert arrivals.wait_for(2)  # the thread has the next page in flight, waiting to decode
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TrialsClient(_settings(server)).search(QUERY, on_page=on_page)
    assert calls == [5]
    # the interrupt does not wait for the thread; told to stop, it ends by itself
    for thread in threading.enumerate():
        if thread.name == "trialfinder-prefetch":
            thread.join(WAIT)
            assert not thread.is_alive()
    assert server.stats.requests == 2  # the page in flight, and nothing after it


def test_an_interrupt_while_waiting_for_a_silent_api_does_not_wait_for_it(
    standin_factory: Factory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory(_studies(10), max_page_size=5)
    arrived = threading.Event()
    answer = threading.Event()  # the stand-in holds its answer until the test lets it go
    answered = threading.Event()
    handle = server.api.handle

    def silent(path: str, query: str = "") -> Any:
        arrived.set()
        answer.wait(WAIT)
        reply = handle(path, query)
        answered.set()
        return reply

    server.api.handle = silent  # type: ignore[method-assign]
    progress_calls: list[int] = []
    # Ctrl-C reaches the main thread while it waits for the first page: simulated by a queue
    # whose wait raises KeyboardInterrupt once the request is under way
    real_get = queue.Queue.get

    interrupts = [1]

    def interrupted_get(self: queue.Queue[Any], *args: Any, **kwargs: Any) -> Any:
        # only the prefetch queue (a plain Queue) in the main thread: urllib3's pools use a
        # LifoQueue, and a pool closed by the garbage collector must not take the interrupt
        if (interrupts and type(self) is queue.Queue
                and threading.current_thread() is threading.main_thread()):
            interrupts.pop()
            assert arrived.wait(WAIT)
            raise KeyboardInterrupt
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(queue.Queue, "get", interrupted_get)
    client = TrialsClient(_settings(server))
    try:
        with pytest.raises(KeyboardInterrupt):
            client.search(
                QUERY, on_page=lambda s, _: None, progress=lambda n, _: progress_calls.append(n))
        # returned while the request was still unanswered
        assert not answered.is_set()
        assert any(t.name == "trialfinder-prefetch" and t.is_alive()
                   for t in threading.enumerate())
    finally:
        answer.set()
        monkeypatch.undo()
        for thread in threading.enumerate():  # the abandoned request ends on its own
            if thread.name == "trialfinder-prefetch":
                thread.join(WAIT)
        client.session.close()  # no socket is left for the garbage collector to find
    assert progress_calls == []


def test_the_limit_cuts_the_last_page_and_asks_no_further(standin_factory: Factory) -> None:
    server = standin_factory(_studies(23), max_page_size=5)
    handed: list[int] = []
    result = TrialsClient(_settings(server)).search(QUERY, limit=12,
                                                    on_page=lambda s, _: handed.append(len(s)))
    assert handed == [5, 5, 2]
    assert (result.count, result.truncated, result.studies) == (12, True, [])
    assert server.stats.requests == 3


def test_handed_on_pages_carry_no_body_and_on_body_gets_each_one(
    standin_factory: Any, tmp_path: Path,
) -> None:
    server = standin_factory(max_page_size=5)
    settings = Settings(base_url=server.base_url, use_cache=False, page_size=5,
                        requests_per_minute=60_000, retries=0)
    client = TrialsClient(settings)
    bodies: list[tuple[bytes, int]] = []
    handed: list[list[dict[str, Any]]] = []
    result = client.search(StudyQuery(conditions=("fictional",)),
                           on_page=lambda studies, fetched: handed.append(studies),
                           on_body=lambda body, fetched, studies: bodies.append(
                               (body, len(studies))))
    assert len(bodies) == len(handed) == result.pages > 1
    for (body, count), studies in zip(bodies, handed, strict=True):
        assert orjson.loads(body)["studies"] == studies
        assert count == len(studies)
    pages = list(client.iter_pages(StudyQuery(conditions=("fictional",))))
    assert pages and all(page.body is None for page in pages)


def test_a_page_whose_consumer_failed_still_goes_to_on_body(standin_factory: Any) -> None:
    server = standin_factory(max_page_size=5)
    settings = Settings(base_url=server.base_url, use_cache=False, page_size=5,
                        requests_per_minute=60_000, retries=0)
    bodies: list[list[str]] = []
    handed: list[list[str]] = []

    def on_page(studies: list[dict[str, Any]], fetched: Any) -> None:
        handed.append([s["protocolSection"]["identificationModule"]["nctId"] for s in studies])
        if len(handed) == 2:
            raise RuntimeError("the consumer broke on the second page")

    def on_body(body: bytes, fetched: Any, studies: Any) -> None:
        bodies.append([s["protocolSection"]["identificationModule"]["nctId"]
                       for s in orjson.loads(body)["studies"]])

    with pytest.raises(RuntimeError, match="second page"):
        TrialsClient(settings).search(StudyQuery(conditions=("fictional",)), on_page=on_page,
                                      on_body=on_body)
    # both pages the consumer got were kept as they came (a page fetched ahead may follow)
    assert len(handed) == 2 and bodies[:2] == handed


def test_paging_holds_no_raw_body_while_a_page_is_in_hand(standin_factory: Any) -> None:
    import gc

    server = standin_factory(max_page_size=5)
    settings = Settings(base_url=server.base_url, use_cache=False, page_size=5,
                        requests_per_minute=60_000, retries=0)
    pages = TrialsClient(settings).iter_pages(StudyQuery(conditions=("fictional",)))
    page = next(pages)
    # a sync holds one page at a time; the body it came in (megabytes) must be gone already
    held = [o for o in gc.get_objects() if isinstance(o, Page) and o.body is not None]
    assert page.studies and held == []
    pages.close()
