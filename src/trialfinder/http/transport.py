"""The HTTP session: a requests-cache ``CachedSession`` (SQLite by default) over one adapter that
paces, retries and bounds every request.

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
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import os
import random
import socket
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
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
from trialfinder.core.errors import CacheError
from trialfinder.core.folders import os_reason, prepare_cache_dir
from trialfinder.http.pacing import TokenBucket, shared_bucket

__all__ = [
    "RETRY_STATUSES",
    "BodyTooLarge",
    "CacheRebuiltWarning",
    "DeadlineExceeded",
    "GuardedAdapter",
    "OtherOriginRefused",
    "cacheable",
    "make_session",
    "retry_after_seconds",
    "too_dense",
]

logger = logging.getLogger(__name__)

# requests-cache logs failed refreshes with a traceback at WARNING level; trialfinder reports
# stale answers itself, so keep that noise out of users' terminals unless they configure logging.
logging.getLogger("requests_cache").addHandler(logging.NullHandler())

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# Answers are read ``settings.profile.read_chunk`` decoded bytes at a time: 64 kB by default;
# 1 MB for a process that makes one search and ends (a page of 1,000 studies is about 4.5 MB,
# and at 64 kB a read the loop around each read and the hand-over of the interpreter lock to a
# thread busy with the previous page cost a 10,000-study search about a tenth of its time).
# Long runs keep 64 kB: with 1 MB steps a 100,000-study sync peaked 15 MB higher (414 against
# 398 MB, benchmarks/bench_store.py).


#: Redirects followed within the base URL's host (the API redirects NCT aliases once).
MAX_REDIRECTS = 5


class CacheRebuiltWarning(UserWarning):
    """The on-disk cache was unreadable and has been replaced by an empty one."""


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


# -- Retry-After ------------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` value (delta seconds or an HTTP date), or ``None``
    when it is missing or unreadable. A date in the past gives 0."""
    if not value:
        return None
    text = value.strip()[:100]
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


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
        sleep: Callable[[float], None] = time.sleep, **kwargs: Any,
    ) -> None:
        self.settings = settings
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
                delay = self._backoff(attempt)
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
            delay = max(self._backoff(attempt), asked or 0.0)
            logger.debug("HTTP %d from %s; retrying in %.2f s", response.status_code,
                         redact_url(url), delay)
            response.close()
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        settings = self.settings
        delay = min(settings.backoff_max, settings.backoff_factor * 2.0**attempt)
        return float(delay * (0.5 + random.random() / 2))

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


# -- the cache --------------------------------------------------------------------------------


def _cached_session(path: Path, **options: Any) -> requests.Session:
    """A requests-cache session whose answers are stored as JSON facts plus the body as it
    came (:mod:`trialfinder.http.cachefile`), never as pickles: reading a cache file back must
    not be able to run code, whoever wrote the file. requests-cache is imported here, so a
    search without the cache never loads it."""
    from requests_cache import CachedSession

    from trialfinder.http.cachedb import GuardedCache
    from trialfinder.http.cachefile import cache_serializer

    backend = GuardedCache(str(path), serializer=cache_serializer(),
                           **{k: options.pop(k) for k in ("wal", "busy_timeout")})
    return CachedSession(backend=backend, **options)


def _cache_reason(exc: BaseException) -> str:
    if isinstance(exc, sqlite3.Error):
        from trialfinder.http.cachedb import sqlite_reason

        return sqlite_reason(exc)
    return os_reason(exc) if isinstance(exc, OSError) else str(exc)


def _prepare_cache_file(path: Path) -> None:
    """Create the cache folder and file readable by the user only; rebuild a corrupt file.

    A file SQLite cannot use for another reason (a full disk, a lock, an I/O error: an
    ``OperationalError``) is left as it is and the error raised: it is not damaged."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        try:
            with contextlib.closing(sqlite3.connect(path)) as conn:
                row = conn.execute("PRAGMA quick_check").fetchone()
            if not row or row[0] != "ok":
                raise sqlite3.DatabaseError(str(row))
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError as exc:
            broken = path.with_suffix(".corrupt")
            os.replace(path, broken)
            for extra in ("-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
            warnings.warn(
                f"the cache file {path} was unreadable ({exc}); moved it to {broken.name} and "
                "started an empty cache",
                CacheRebuiltWarning,
                stacklevel=3,
            )
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            with contextlib.closing(sqlite3.connect(path)) as conn:
                # set before the first table: a page of 1,000 studies (about 4.5 MB) is then 70
                # database pages instead of 1,100, about a third of the time to store
                conn.execute(f"PRAGMA page_size = {CACHE_PAGE_SIZE}")
                conn.execute("VACUUM")
        except sqlite3.Error as exc:  # a speed-up only (another process may be creating it)
            logger.debug("the cache file keeps SQLite's default page size: %s", exc)
    os.chmod(path, 0o600)


#: The page size of a new HTTP cache file (SQLite's largest; small answers still share pages).
CACHE_PAGE_SIZE: Final = 65536


#: Below these averages a large answer is refused before it is parsed. Real answers hold one
#: object or list per 47+ bytes and one value per 10+ bytes; a body packed tighter (``[{},{},...]``)
#: would take over 20 times its size in memory once parsed.
MIN_BYTES_PER_CONTAINER = 24
MIN_BYTES_PER_VALUE = 7
DENSITY_FROM = 1_000_000


def too_dense(content: bytes) -> tuple[int, int] | None:
    """``(objects and lists, values)`` when a large JSON body is packed tighter than real
    records ever are, else ``None`` (small bodies are never refused)."""
    size = len(content)
    if size < DENSITY_FROM:
        return None
    containers, values = _structure_counts(content)
    if containers * MIN_BYTES_PER_CONTAINER > size or values * MIN_BYTES_PER_VALUE > size:
        return containers, values
    return None


#: Bytes compared at a time by :func:`_structure_counts` (its scratch memory is this size).
_COUNT_WINDOW = 1 << 20


def _structure_counts(content: bytes) -> tuple[int, int]:
    """``(objects and lists opened, commas and colons)`` of a body: numpy compares the bytes
    in C without holding the interpreter lock, about 4x faster than ``bytes.count`` four
    times (numpy is loaded by pandas in any search), a window of 1 MB at a time."""
    import numpy as np

    data = np.frombuffer(content, dtype=np.uint8)
    opened = separators = 0
    for start in range(0, len(data), _COUNT_WINDOW):
        window = data[start:start + _COUNT_WINDOW]
        opened += int(np.count_nonzero(window == 0x7B)) + int(np.count_nonzero(window == 0x5B))
        separators += (int(np.count_nonzero(window == 0x2C))
                       + int(np.count_nonzero(window == 0x3A)))  # { [ and , :
    return opened, separators


def cacheable(response: requests.Response) -> bool:
    """Only JSON bodies that arrived whole go into the cache (a cut-short body or an HTML page
    sent with status 200 would otherwise be replayed for hours). The client checks the density
    and shape of each answer before it uses it, and deletes a cached one that fails."""
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind:
        return False
    tail = response.content[-64:].rstrip()
    return tail.endswith((b"}", b"]"))


def make_session(
    settings: Settings, bucket: TokenBucket | None = None,
    *, sleep: Callable[[float], None] = time.sleep,
) -> requests.Session:
    """A session for the API: cached (unless ``settings.use_cache`` is off), retried, paced by the
    API's shared budget and bounded in time and size."""
    session: requests.Session
    state_folder: Path | None = None
    cached = settings.use_cache or settings.offline
    if cached:
        try:
            prepare_cache_dir(settings.cache_dir)
            _prepare_cache_file(settings.cache_path)
            session = _cached_session(
                settings.cache_path,
                expire_after=settings.expire_after,
                urls_expire_after={"*/version": 3600},
                allowable_codes=(200,),
                allowable_methods=("GET",),
                stale_if_error=True,
                filter_fn=cacheable,
                wal=True,
                busy_timeout=30_000,
            )
            state_folder = settings.cache_dir
        except (CacheError, OSError, sqlite3.Error) as exc:
            problem = exc if isinstance(exc, CacheError) else CacheError(
                f"cannot use the cache file {settings.cache_path}: {_cache_reason(exc)}; "
                "not using the cache")
            if settings.offline:  # only the cache could answer
                raise problem from None
            logger.warning("%s", problem)
            cached = False
    if not cached:
        session = requests.Session()
    if bucket is None:
        bucket = shared_bucket(settings.base_url, settings.requests_per_minute, settings.burst,
                               state_folder=state_folder)
    adapter = GuardedAdapter(settings, bucket, sleep=sleep, pool_maxsize=8)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.max_redirects = MAX_REDIRECTS
    if settings.credentials is not None:
        session.auth = settings.credentials
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
    return session
