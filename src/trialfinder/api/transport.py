"""The HTTP session: a requests-cache ``CachedSession`` (SQLite by default) whose transport
retries with urllib3's ``Retry`` and is paced by a token bucket.

Layering, outermost first::

    CachedSession  -- answers from the cache without touching the network (no pacing needed)
      PacedAdapter -- takes a token from the bucket for each real request
        urllib3 Retry -- backoff with jitter on 429/5xx and connection errors, honours Retry-After
"""

from __future__ import annotations

import logging
import os
import sqlite3
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, NameResolutionError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from trialfinder.api.pacing import TokenBucket
from trialfinder.config import Settings
from trialfinder.errors import CacheError
from trialfinder.store.cachedir import os_reason, prepare_cache_dir

# requests-cache logs failed refreshes with a traceback at WARNING level; trialfinder reports
# stale answers itself, so keep that noise out of users' terminals unless they configure logging.
logging.getLogger("requests_cache").addHandler(logging.NullHandler())

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class CacheRebuiltWarning(UserWarning):
    """The on-disk cache was unreadable and has been replaced by an empty one."""


class PacedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that takes a token from a shared bucket before each real request."""

    def __init__(self, bucket: TokenBucket, **kwargs: Any) -> None:
        self.bucket = bucket
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.bucket.acquire()
        return super().send(request, **kwargs)


class PoliteRetry(Retry):
    """urllib3's ``Retry``, except that a host name that does not resolve fails at once:
    with no network (or a mistyped base URL) waiting through the backoff helps nobody."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, NameResolutionError):
            raise MaxRetryError(_pool, url or "", error)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


def make_retry(settings: Settings) -> Retry:
    return PoliteRetry(
        total=settings.retries,
        # A refused or unanswered connection rarely heals within seconds: two more tries.
        connect=min(2, settings.retries),
        read=settings.retries,
        status=settings.retries,
        other=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        backoff_jitter=settings.backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def _prepare_cache_file(path: Path) -> None:
    """Create the cache folder and file readable by the user only; rebuild a corrupt file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        try:
            with sqlite3.connect(path) as conn:
                row = conn.execute("PRAGMA quick_check").fetchone()
            if not row or row[0] != "ok":
                raise sqlite3.DatabaseError(str(row))
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
    os.chmod(path, 0o600)


def cacheable(response: requests.Response) -> bool:
    """Only JSON bodies that arrived whole go into the cache (a cut-short body or an HTML page
    sent with status 200 would otherwise be replayed for hours)."""
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind:
        return False
    tail = response.content[-64:].rstrip()
    return tail.endswith((b"}", b"]"))


def make_session(settings: Settings, bucket: TokenBucket | None = None) -> requests.Session:
    """A session for the API: cached (unless ``settings.use_cache`` is off), retried and paced."""
    bucket = bucket or TokenBucket(settings.requests_per_minute, settings.burst)
    session: requests.Session
    cached = settings.use_cache or settings.offline
    if cached:
        try:
            prepare_cache_dir(settings.cache_dir)
            _prepare_cache_file(settings.cache_path)
        except (CacheError, OSError) as exc:
            problem = exc if isinstance(exc, CacheError) else CacheError(
                f"cannot use the cache file {settings.cache_path}: {os_reason(exc)}; "
                "not using the cache")
            if settings.offline:  # only the cache could answer
                raise problem from None
            logging.getLogger(__name__).warning("%s", problem)
            cached = False
    if cached:
        session = CachedSession(
            str(settings.cache_path),
            backend="sqlite",
            expire_after=settings.expire_after,
            urls_expire_after={"*/version": 3600},
            allowable_codes=(200,),
            allowable_methods=("GET",),
            stale_if_error=True,
            filter_fn=cacheable,
            wal=True,
            busy_timeout=30_000,
        )
    else:
        session = requests.Session()
    adapter = PacedAdapter(bucket, max_retries=make_retry(settings), pool_maxsize=8)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
    return session
