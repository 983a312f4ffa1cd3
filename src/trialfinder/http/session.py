"""The HTTP session: a requests-cache ``CachedSession`` (SQLite by default, answers stored as
JSON, never pickles) over the guarded adapter of :mod:`trialfinder.http.transport`, or a plain
session when the cache is off or cannot be used (a cache that fails costs one note, never the
search)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import requests

from trialfinder.core.config import Settings
from trialfinder.core.errors import CacheError, TrialFinderWarning
from trialfinder.core.folders import os_reason, prepare_cache_dir
from trialfinder.http.cachetrim import trim_cache
from trialfinder.http.pacing import TokenBucket, shared_bucket
from trialfinder.http.transport import MAX_REDIRECTS, GuardedAdapter

__all__ = ["CACHE_PAGE_SIZE", "CacheRebuiltWarning", "cacheable", "make_session"]

logger = logging.getLogger(__name__)


class CacheRebuiltWarning(TrialFinderWarning):
    """The on-disk cache was unreadable and has been replaced by an empty one."""


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
                # database pages instead of 1,100, about a third of the time to store; and the
                # space of answers deleted to keep it under its size is given back
                # (http.cachetrim)
                conn.execute(f"PRAGMA page_size = {CACHE_PAGE_SIZE}")
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
                conn.execute("VACUUM")
        except sqlite3.Error as exc:  # a speed-up only (another process may be creating it)
            logger.debug("the cache file keeps SQLite's default page size: %s", exc)
    os.chmod(path, 0o600)


#: The page size of a new HTTP cache file (SQLite's largest; small answers still share pages).
CACHE_PAGE_SIZE: Final = 65536


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
    *, sleep: Callable[[float], None] = time.sleep, name: str = "the API",
) -> requests.Session:
    """A session for the API: cached (unless ``settings.use_cache`` is off), retried, paced by the
    API's shared budget and bounded in time and size. ``name``: how its warnings name the API."""
    session: requests.Session
    state_folder: Path | None = None
    cached = settings.use_cache or settings.offline
    if cached:
        try:
            prepare_cache_dir(settings.cache_dir)
            _prepare_cache_file(settings.cache_path)
            if not settings.offline:  # offline, the old answers are all there is
                trim_cache(settings.cache_path, settings.cache_max_mb)
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
            if settings.offline:  # only the cache could answer: nothing goes on without it
                said = str(problem).removesuffix("; not using the cache")
                raise CacheError(f"offline mode answers from the cache only, and "
                                 f"{said[:1].lower()}{said[1:]}") from None
            logger.warning("%s", problem)
            cached = False
    if not cached:
        session = requests.Session()
    if bucket is None:
        bucket = shared_bucket(settings.base_url, settings.requests_per_minute, settings.burst,
                               state_folder=state_folder)
    adapter = GuardedAdapter(settings, bucket, sleep=sleep, name=name, pool_maxsize=8)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.max_redirects = MAX_REDIRECTS
    if settings.credentials is not None:
        session.auth = settings.credentials
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
    return session
