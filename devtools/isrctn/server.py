"""The ISRCTN stand-in on loopback: ``GET /api/query/format/default?q=...&limit=N``.

:class:`IsrctnStandIn` is pure (``handle(path, query) -> Reply``): the trials matching ``q``
(:mod:`.qlang`), the first ``limit`` of them (``limit=0``: the count only; no ``limit``: 400,
as ISRCTN's clients always send one), ``totalCount`` on every answer, no paging. Other paths
answer an HTML 404 page. :class:`IsrctnServer` serves it on 127.0.0.1 in a background thread.

:class:`IsrctnFaults` makes it misbehave, one ``mode`` at a time, for every answer:

- ``statuses``: the first requests get these statuses instead (500, 503 ...), each with
  ``retry_after`` when set; the requests after them are served normally;
- ``latency``: seconds before the headers; ``slow``: the body trickles ``trickle_bytes`` at a
  time every ``trickle_delay`` seconds;
- ``huge``: a well-formed start, then ``huge_mb`` MB of text (streamed, never held);
- ``billion_laughs`` / ``external_entity`` (naming ``entity_path``): a DTD that ISRCTN never
  sends; ``wrong_namespace``; ``missing_fields`` (a trial without any id, one with an id that is
  no ISRCTN id and one with bad dates, beside the real ones); ``html`` (a page with status 200);
  ``deep`` (elements nested 10,000 deep); ``drop`` (the connection closes with no answer).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from devtools.isrctn.qlang import QueryError, matcher
from devtools.isrctn.records import NAMESPACE, FictionalTrial, answer_xml, full_trial_xml

__all__ = ["QUERY_PATH", "IsrctnFaults", "IsrctnServer", "IsrctnStandIn", "Reply"]

QUERY_PATH = "/api/query/format/default"
_HTML = b"<!DOCTYPE html><html><body><h1>Not available</h1></body></html>"


@dataclass(frozen=True)
class IsrctnFaults:
    mode: str | None = None
    statuses: tuple[int, ...] = ()
    retry_after: str | None = None
    latency: float = 0.0
    trickle_bytes: int = 16
    trickle_delay: float = 0.05
    huge_mb: int = 100
    entity_path: str = "/etc/hostname"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: A body sent piece by piece (``huge``, ``slow``); its length is ``length``.
    stream: Iterator[bytes] | None = None
    length: int = 0
    pause: float = 0.0
    drop: bool = False


def _xml(body: bytes) -> Reply:
    return Reply(200, body, {"Content-Type": "application/xml;charset=UTF-8"})


class IsrctnStandIn:
    """The stand-in's answers, without sockets (see the module docstring)."""

    def __init__(self, trials: Sequence[FictionalTrial], *, today: date,
                 faults: IsrctnFaults | None = None) -> None:
        self.trials = list(trials)
        self.today = today
        self.faults = faults or IsrctnFaults()
        self._lock = threading.Lock()
        self.requests = 0
        self.asked: list[dict[str, str]] = []

    def handle(self, path: str, query: str) -> Reply:
        with self._lock:
            index = self.requests
            self.requests += 1
        faults = self.faults
        if index < len(faults.statuses):
            headers = {"Content-Type": "text/html"}
            if faults.retry_after is not None:
                headers["Retry-After"] = faults.retry_after
            return Reply(faults.statuses[index], _HTML, headers)
        if path != QUERY_PATH:
            return Reply(404, _HTML, {"Content-Type": "text/html"})
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        with self._lock:
            self.asked.append(params)
        try:
            limit = int(params["limit"])
            if limit < 0:
                raise ValueError(limit)
            test = matcher(params.get("q", ""), self.today)
        except (KeyError, ValueError, QueryError) as exc:
            return Reply(400, f"Bad query: {exc}".encode(), {"Content-Type": "text/plain"})
        found = [t for t in self.trials if test(t)]
        return self._fault(found[:limit], len(found)) or _xml(answer_xml(found[:limit],
                                                                         len(found)))

    def _fault(self, trials: list[FictionalTrial], total: int) -> Reply | None:
        mode, body = self.faults.mode, answer_xml(trials, total)
        if mode is None:
            return None
        if mode == "slow":
            step = max(1, self.faults.trickle_bytes)
            chunks = iter([body[i:i + step] for i in range(0, len(body), step)])
            return Reply(200, headers={"Content-Type": "application/xml"}, stream=chunks,
                         length=len(body), pause=self.faults.trickle_delay)
        if mode == "huge":
            return _huge(self.faults.huge_mb)
        if mode == "billion_laughs":
            lines = ['<!ENTITY lol0 "lol">'] + [
                f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
            return _xml((f'<?xml version="1.0"?><!DOCTYPE allTrials [{"".join(lines)}]>'
                         f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial><trial>'
                         "<isrctn>&lol9;</isrctn></trial></fullTrial></allTrials>").encode())
        if mode == "external_entity":
            return _xml((f'<?xml version="1.0"?><!DOCTYPE allTrials [<!ENTITY leak SYSTEM '
                         f'"file://{self.faults.entity_path}">]><allTrials xmlns="{NAMESPACE}" '
                         'totalCount="1"><fullTrial><trial><trialDescription><title>&leak;'
                         "</title></trialDescription></trial></fullTrial></allTrials>").encode())
        if mode == "wrong_namespace":
            return _xml(answer_xml(trials, total, namespace="http://example.org/not-isrctn"))
        if mode == "missing_fields":
            broken = ["<fullTrial><trial><trialDescription><title>No id at all (fictional)"
                      "</title></trialDescription></trial></fullTrial>",
                      full_trial_xml(FictionalTrial("TRIAL-X", "Odd id (fictional)")),
                      full_trial_xml(FictionalTrial(
                          "ISRCTN99000999", "Bad dates (fictional)",
                          recruitment_start="2026-13-45", recruitment_end="soon"))]
            return _xml(answer_xml([*trials, *broken], total + len(broken)))
        if mode == "html":
            return Reply(200, _HTML, {"Content-Type": "text/html"})
        if mode == "deep":
            depth = 10_000
            inner = "<x>" * depth + "</x>" * depth
            return _xml(f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial>{inner}'
                        "</fullTrial></allTrials>".encode())
        if mode == "drop":
            return Reply(200, drop=True)
        raise ValueError(f"unknown fault mode {mode!r}")


def _huge(megabytes: int) -> Reply:
    head = (f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial><trial '
            'publicIdentifierCanonical="ISRCTN99000001"><trialDescription><title>').encode()
    block = b"fictional " * 6_554  # about 64 kB
    size = megabytes * 1_000_000

    def chunks() -> Iterator[bytes]:
        yield head
        sent = len(head)
        while sent < size:
            piece = block[:size - sent]
            sent += len(piece)
            yield piece

    return Reply(200, headers={"Content-Type": "application/xml"}, stream=chunks(),
                 length=size)


class _Http(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: IsrctnServer) -> None:
        self.owner = owner
        self.open: set[Any] = set()
        self.open_lock = threading.Lock()
        super().__init__((owner.host, owner.port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hangs up early (a size cap, a deadline) is expected."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Http

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        standin = self.server.owner.api
        split = urlsplit(self.path)
        if standin.faults.latency > 0:
            time.sleep(standin.faults.latency)
        reply = standin.handle(split.path, split.query)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        length = reply.length if reply.stream is not None else len(reply.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            for piece in reply.stream if reply.stream is not None else [reply.body]:
                self.wfile.write(piece)
                if reply.pause:
                    self.wfile.flush()
                    time.sleep(reply.pause)
        except OSError:  # the client stopped reading
            self.close_connection = True


class IsrctnServer:
    """:class:`IsrctnStandIn` on 127.0.0.1 (``port``, or any free port), as a context manager;
    ``base_url`` is what :class:`~trialfinder.registries.isrctn.client.IsrctnClient` takes."""

    def __init__(self, trials: Sequence[FictionalTrial], *, today: date,
                 faults: IsrctnFaults | None = None, port: int = 0) -> None:
        self.api = IsrctnStandIn(trials, today=today, faults=faults)
        self.host = "127.0.0.1"
        self.port = port  # 0: any free port
        self._http: _Http | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self._http = _Http(self)
        self._thread = threading.Thread(target=self._http.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        http, thread = self._http, self._thread
        if http is None:
            return
        self._http = self._thread = None
        http.shutdown()
        with http.open_lock:
            for connection in list(http.open):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        http.server_close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        if self._http is None:
            raise RuntimeError("the stand-in is not running; use it as a context manager")
        return f"http://{self.host}:{self._http.server_address[1]}/api"
