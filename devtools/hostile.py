"""A hostile stand-in for the API on 127.0.0.1: one misbehaviour per mode (tests only).

Each :class:`HostileServer` answers ``GET /api/v2/version`` normally and ``GET /api/v2/studies``
(and ``/api/v2/studies/{id}``) the way its ``mode`` says:

=====================  =======================================================================
``ok``                 three pages of two studies, ``totalCount`` 6 (a well-behaved API)
``repeat_token``       the second page offers the page token of the first again
``empty_pages``        a first page, then endless empty pages, each with a new token
``same_studies``       the same two studies on every page, each with a new token
``endless_new``        two new studies on every page, forever, while ``totalCount`` says 6
``total_mismatch``     ``totalCount`` 10, but only four studies over two pages
``no_count``           two new studies on every page, forever, and no ``totalCount`` at all
``trickle_body``       headers at once, then the body one byte every ``interval`` seconds
``trickle_headers``    the status line and headers one byte every ``interval`` seconds
``retry_after_long``   429 with ``Retry-After: 3600``
``retry_after_garbage`` 429 with an unreadable ``Retry-After``
``retry_after_absurd`` 429 with a 30-digit ``Retry-After``
``endless_chunked``    a chunked body that never ends (JSON whitespace)
``gzip_bomb``          a small gzip body that inflates to ``bomb_mb`` MB of spaces
``cross_redirect``     302 to the same path on another loopback server (``decoy``)
``wrong_shape``        200, ``application/json``, but an object without ``studies``
``json_list``          200, ``application/json``, a JSON list
``bad_json``           200, ``application/json``, an object that does not parse
``dense_json``         200, valid JSON packed with ``bomb_mb`` MB of empty objects
``html_200``           200 with an HTML maintenance page
=====================  =======================================================================

The decoy of ``cross_redirect`` counts what reaches it, so a test can show it got no request.
Records are fictional (ids from NCT99300001). Run ``python -m devtools.hostile MODE`` to serve
one mode until Ctrl-C (for trying the CLI by hand).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import orjson

__all__ = ["MODES", "HostileServer", "study"]

MODES = (
    "ok", "repeat_token", "empty_pages", "same_studies", "endless_new", "total_mismatch",
    "no_count",
    "trickle_body", "trickle_headers", "retry_after_long", "retry_after_garbage",
    "retry_after_absurd", "endless_chunked", "gzip_bomb", "cross_redirect", "wrong_shape",
    "json_list", "bad_json", "dense_json", "html_200",
)

_VERSION = b'{"apiVersion":"2.0.5","dataTimestamp":"2026-11-20T09:00:00"}'
_BOMBS: dict[int, bytes] = {}
_BOMB_LOCK = threading.Lock()


def study(number: int) -> dict[str, Any]:
    """A tiny fictional record, ``NCT99300000 + number``."""
    nct = f"NCT{99300000 + number:08d}"
    return {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": f"Fictional Hostile Study {number}"},
        "statusModule": {"overallStatus": "RECRUITING"},
    }}


def _bomb(megabytes: int) -> bytes:
    """gzip of ``megabytes`` MB of spaces (built once per size)."""
    with _BOMB_LOCK:
        if megabytes not in _BOMBS:
            out = io.BytesIO()
            block = b" " * 1_000_000
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
                for _ in range(megabytes):
                    packed.write(block)
            _BOMBS[megabytes] = out.getvalue()
        return _BOMBS[megabytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: clients hanging up on a hostile server is the point."""

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        owner.record(parts.path, self.headers.get("Authorization"))
        if parts.path.endswith("/version"):
            self._send(200, _VERSION)
            return
        token = (parse_qs(parts.query).get("pageToken") or [""])[0]
        try:
            getattr(self, f"_mode_{owner.mode}")(token)
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            self.close_connection = True

    # -- helpers

    def _send(self, status: int, body: bytes, kind: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, numbers: range | list[int], token: str | None,
              total: int | None = None) -> None:
        body: dict[str, Any] = {"studies": [study(n) for n in numbers]}
        if token:
            body["nextPageToken"] = token
        if total is not None:
            body["totalCount"] = total
        self._send(200, orjson.dumps(body))

    def _wait(self) -> bool:
        """Sleep one interval; ``False`` when the server is closing."""
        return not self.server.owner.stopping.wait(self.server.owner.interval)

    @staticmethod
    def _number(token: str) -> int:
        return int(token[1:]) if token[1:].isdigit() else 0

    # -- modes

    def _mode_ok(self, token: str) -> None:
        page = self._number(token)
        nxt = f"p{page + 1}" if page < 2 else None
        self._page(range(2 * page + 1, 2 * page + 3), nxt, 6 if page == 0 else None)

    def _mode_repeat_token(self, token: str) -> None:
        if not token:
            self._page(range(1, 3), "AAAA", 40)
        else:
            self._page(range(3, 5), "AAAA")

    def _mode_empty_pages(self, token: str) -> None:
        page = self._number(token)
        if page == 0:
            self._page(range(1, 3), "p1", 40)
        else:
            self._page([], f"p{page + 1}")

    def _mode_same_studies(self, token: str) -> None:
        page = self._number(token)
        self._page(range(1, 3), f"p{page + 1}", 40 if page == 0 else None)

    def _mode_endless_new(self, token: str) -> None:
        page = self._number(token)
        self._page(range(2 * page + 1, 2 * page + 3), f"p{page + 1}", 6 if page == 0 else None)

    def _mode_no_count(self, token: str) -> None:
        page = self._number(token)
        self._page(range(2 * page + 1, 2 * page + 3), f"p{page + 1}")

    def _mode_total_mismatch(self, token: str) -> None:
        if not token:
            self._page(range(1, 3), "p1", 10)
        else:
            self._page(range(3, 5), None)

    def _mode_trickle_body(self, token: str) -> None:
        body = orjson.dumps({"studies": [study(1)], "totalCount": 1})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            self.wfile.write(bytes([byte]))
            if not self._wait():
                return

    def _mode_trickle_headers(self, token: str) -> None:
        head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000 + b"\r\n\r\n"
        for byte in head:
            self.wfile.write(bytes([byte]))
            if not self._wait():
                return
        self.close_connection = True

    def _mode_retry_after_long(self, token: str) -> None:
        self._send(429, b"Too many requests", "text/plain", {"Retry-After": "3600"})

    def _mode_retry_after_garbage(self, token: str) -> None:
        self._send(429, b"Too many requests", "text/plain", {"Retry-After": "soon, maybe"})

    def _mode_retry_after_absurd(self, token: str) -> None:
        self._send(429, b"Too many requests", "text/plain", {"Retry-After": "9" * 30})

    def _mode_endless_chunked(self, token: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b" " * 65536
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not self.server.owner.stopping.is_set():
            self.wfile.write(frame)

    def _mode_gzip_bomb(self, token: str) -> None:
        self._send(200, _bomb(self.server.owner.bomb_mb), headers={"Content-Encoding": "gzip"})

    def _mode_cross_redirect(self, token: str) -> None:
        decoy = self.server.owner.decoy
        assert decoy is not None
        self._send(302, b"", "text/plain", {"Location": decoy.base_url + "/studies"})

    def _mode_wrong_shape(self, token: str) -> None:
        self._send(200, b'{"results": [], "note": "not what you asked for"}')

    def _mode_json_list(self, token: str) -> None:
        self._send(200, b"[1, 2, 3]")

    def _mode_bad_json(self, token: str) -> None:
        self._send(200, b'{"studies": [{"protocolSection": }]}')

    def _mode_dense_json(self, token: str) -> None:
        count = self.server.owner.bomb_mb * 1_000_000 // 3
        self._send(200, b'{"studies":[' + b"{}," * (count - 1) + b'{}],"totalCount":1}')

    def _mode_html_200(self, token: str) -> None:
        self._send(200, b"<!DOCTYPE html><html><body>Down for maintenance</body></html>",
                   "text/html")


class HostileServer:
    """One hostile mode on 127.0.0.1 (any free port), served from a background thread."""

    def __init__(self, mode: str, *, interval: float = 0.2, bomb_mb: int = 256) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
        self.mode = mode
        self.interval = interval
        self.bomb_mb = bomb_mb
        self.stopping = threading.Event()
        self.paths: Counter[str] = Counter()
        self.authorizations: list[str] = []
        self._lock = threading.Lock()
        self.decoy = HostileServer("ok") if mode == "cross_redirect" else None
        self._httpd = _Server(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name=f"hostile-{mode}")
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/api/v2"

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(self.paths.values())

    def record(self, path: str, authorization: str | None = None) -> None:
        with self._lock:
            self.paths[path] += 1
            if authorization:
                self.authorizations.append(authorization)

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        if self.decoy is not None:
            self.decoy.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.hostile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds per trickled byte")
    args = parser.parse_args(argv)
    server = HostileServer(args.mode, interval=args.interval)
    print(f"TRIALFINDER_BASE_URL={server.base_url}  (Ctrl-C stops)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        server.stopping.wait()
    server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
