"""The guarded adapter under every HTTP session (:mod:`trialfinder.http.session` makes the
session): it paces, retries and bounds every request.

Layering, outermost first::

    CachedSession   -- answers from the cache without touching the network (no pacing needed)
      GuardedAdapter  -- for each attempt: takes a token from the API's shared budget, sends,
                         reads the whole body under a deadline and a size cap; retries 429/5xx
                         and broken connections with backoff, honouring a capped Retry-After

Every attempt is bounded:

- **Time.** ``Settings.timeout`` is a deadline for the whole attempt: connecting, the headers
  and the entire body. Socket timeouts bound each read, and a watchdog timer shuts the socket
  down when the deadline passes, so a server that trickles its headers or body one byte at a
  time cannot hold a request open.
- **Size.** At most ``Settings.max_body_bytes`` decoded bytes are read, counted as they arrive
  (decompression is done in small steps), so a gzip bomb or an endless chunked body stops early.
- **Place.** A request to another scheme, host or port than the base URL is refused before
  anything is sent, so a redirect cannot lead the client to another server.
- **Patience.** ``Retry-After`` is waited out up to ``Settings.retry_after_max``; a longer one
  ends the retries at once and the answer goes back to the caller, who says when to come back.
  The first time a request runs out of time and is tried again, a warning says so, what comes
  next and about how long it may take in all (the command line prints it once, as a note).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    DecodeError,
    NameResolutionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.util.retry import Retry

from trialfinder.core.config import Settings, origin, redact_url
from trialfinder.http.pacing import TokenBucket
from trialfinder.http.retrying import (
    RETRY_STATUSES,
    backoff,
    busy_words,
    retry_after_seconds,
    slow_note,
    wait_note,
)

__all__ = [
    "RETRY_STATUSES",
    "BodyTooLarge",
    "DeadlineExceeded",
    "GuardedAdapter",
    "OtherOriginRefused",
    "retry_after_seconds",
]

logger = logging.getLogger(__name__)

# requests-cache logs failed refreshes with a traceback at WARNING level; trialfinder reports
# stale answers itself, so keep that noise out of users' terminals unless they configure logging.
logging.getLogger("requests_cache").addHandler(logging.NullHandler())

# Answers are read ``settings.profile.read_chunk`` decoded bytes at a time: 64 kB by default;
# 1 MB for a process that makes one search and ends (a page of 1,000 studies is about 4.5 MB,
# and at 64 kB a read the loop around each read and the hand-over of the interpreter lock to a
# thread busy with the previous page cost a 10,000-study search about a tenth of its time).
# Long runs keep 64 kB: with 1 MB steps a 100,000-study sync peaked 15 MB higher (414 against
# 398 MB, benchmarks/bench_store.py).


#: Redirects followed within the base URL's host (the API redirects NCT aliases once).
MAX_REDIRECTS = 5



class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole attempt (connect, headers, body) did not finish within the deadline."""

    def __init__(self, url: str, seconds: float, stage: str) -> None:
        self.seconds = seconds
        self.stage = stage
        super().__init__(f"{stage} of {redact_url(url)} did not finish within {seconds:g} s")


class BodyTooLarge(requests.exceptions.RequestException):
    """The decoded answer grew past the size cap."""

    def __init__(self, url: str, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the answer from {redact_url(url)} is larger than {limit:,} bytes")


class OtherOriginRefused(requests.exceptions.RequestException):
    """A request (usually a redirect) to another scheme, host or port than the base URL."""

    def __init__(self, target: str, allowed: str, status: int | None = None) -> None:
        self.target = redact_url(target)
        self.allowed = allowed
        self.status = status
        super().__init__(
            f"refused to follow a redirect to {self.target}: only {allowed} is contacted"
        )


# -- the watchdog that ends an attempt at its deadline ------------------------------------------


class _Watch:
    """Shuts down the sockets of one attempt's connections when its deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def add(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._connections:
                sock = getattr(connection, "sock", None)
                if isinstance(sock, socket.socket):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._connections.clear()


_ACTIVE = threading.local()


def _watch(connection: Any) -> None:
    watch: _Watch | None = getattr(_ACTIVE, "watch", None)
    if watch is not None:
        watch.add(connection)


class _WatchedHTTPPool(HTTPConnectionPool):
    """A pool whose connections are handed to the current attempt's watchdog. (The connection
    class itself is left alone, so recording tools that replace it keep working.)"""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        _watch(connection)
        return connection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        _watch(connection)
        return connection


# -- the adapter ------------------------------------------------------------------------------


_RETRYABLE_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class GuardedAdapter(HTTPAdapter):
    """Sends each request to the base URL's host only, paced, retried and bounded in time and
    size (see the module docstring). ``sleep`` can be replaced in tests."""

    def __init__(
        self, settings: Settings, bucket: TokenBucket, *,
        sleep: Callable[[float], None] = time.sleep, name: str = "the API", **kwargs: Any,
    ) -> None:
        self.settings = settings
        self.name = name  # how the warning about a slow answer names the API
        self.bucket = bucket
        self.origin = origin(settings.base_url)
        self._sleep = sleep
        # urllib3 itself never retries: every attempt goes through the budget and the deadline.
        super().__init__(max_retries=Retry(0, read=False, redirect=False), **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool, "https": _WatchedHTTPSPool,
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme") and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        return manager

    @property
    def allowed(self) -> str:
        scheme, host, port = self.origin
        return f"{scheme}://{host}:{port}"

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = request.url or ""
        if origin(url) != self.origin:
            raise OtherOriginRefused(url, self.allowed)
        settings = self.settings
        attempt = 0
        noted = False  # whether a long wait of this request was said (once per request)
        while True:
            waited = self.bucket.acquire(settings.requests_per_minute, settings.burst)
            if waited > 0:
                logger.debug("waited %.2f s for the request budget of %s", waited, self.allowed)
            logger.debug("GET %s (attempt %d of %d)", redact_url(url), attempt + 1,
                         settings.retries + 1)
            try:
                response = self._attempt(request, verify, cert, proxies)
            except _RETRYABLE_ERRORS as exc:
                if _caused_by(exc, NameResolutionError):
                    raise  # a name that does not resolve will not resolve in a second either
                limit = settings.retries
                if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
                        exc, requests.exceptions.ChunkedEncodingError):
                    limit = min(2, limit)  # a refused connection rarely heals within seconds
                if attempt >= limit:
                    raise
                if attempt == 0 and isinstance(exc, requests.exceptions.Timeout):
                    slow_note(self.name, settings, limit)
                delay = backoff(settings, attempt)
                if not isinstance(exc, requests.exceptions.Timeout):
                    noted = wait_note(self.name, "dropped the connection", delay, noted)
                logger.debug("retrying %s in %.2f s after %s", redact_url(url), delay,
                             type(exc).__name__)
                self._sleep(delay)
                attempt += 1
                continue
            self._check_redirect(response)
            if response.status_code not in RETRY_STATUSES or attempt >= settings.retries:
                return response
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None and asked > settings.retry_after_max:
                logger.debug("HTTP %d with Retry-After %.0f s, beyond the %.0f s cap: giving up",
                             response.status_code, asked, settings.retry_after_max)
                return response
            if asked is None and "Retry-After" in response.headers:
                logger.debug("unreadable Retry-After %r ignored",
                             response.headers["Retry-After"][:60])
            delay = max(backoff(settings, attempt), asked or 0.0)
            logger.debug("HTTP %d from %s; retrying in %.2f s", response.status_code,
                         redact_url(url), delay)
            noted = wait_note(self.name, busy_words(response.status_code), delay, noted)
            response.close()
            self._sleep(delay)
            attempt += 1

    def _check_redirect(self, response: requests.Response) -> None:
        if not response.is_redirect:
            return
        target = urljoin(response.url or "", response.headers.get("Location", ""))
        if origin(target) != self.origin:
            response.close()
            raise OtherOriginRefused(target, self.allowed, response.status_code)

    def _attempt(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any, proxies: Any
    ) -> requests.Response:
        url = request.url or ""
        seconds = self.settings.timeout
        deadline = time.monotonic() + seconds
        watch = _Watch(seconds)
        _ACTIVE.watch = watch
        try:
            try:
                response = super().send(request, stream=True, timeout=(seconds, seconds),
                                        verify=verify, cert=cert, proxies=proxies)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if watch.expired:
                    raise DeadlineExceeded(url, seconds, "connecting and reading the headers") \
                        from exc
                raise
            try:
                self._read_body(response, url, deadline, watch)
            except BaseException:
                response.close()
                raise
            return response
        finally:
            _ACTIVE.watch = None
            watch.cancel()

    def _read_body(
        self, response: requests.Response, url: str, deadline: float, watch: _Watch
    ) -> None:
        raw = response.raw
        limit = self.settings.max_body_bytes
        seconds = self.settings.timeout
        parts: list[bytes] = []
        size = 0
        try:
            for chunk in raw.stream(self.settings.profile.read_chunk, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(url, limit)
                if watch.expired or time.monotonic() > deadline:
                    raise DeadlineExceeded(url, seconds, "reading the answer")
                parts.append(chunk)
        except (BodyTooLarge, DeadlineExceeded):
            raise  # (both are OSErrors, as every requests exception is)
        except (ProtocolError, ReadTimeoutError, Urllib3SSLError, OSError) as exc:
            if watch.expired:
                raise DeadlineExceeded(url, seconds, "reading the answer") from exc
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        if watch.expired:
            raise DeadlineExceeded(url, seconds, "reading the answer")
        response._content = b"".join(parts)
        response._content_consumed = True  # type: ignore[attr-defined]
        raw.release_conn()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain of ``exc`` (``reason``, cause, context, args)."""
    seen: set[int] = set()
    current: object = exc
    while isinstance(current, BaseException) and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = (getattr(current, "reason", None) or current.__cause__
                   or current.__context__ or (current.args[0] if current.args else None))
    return False
