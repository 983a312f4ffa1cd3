"""Settings: where the API is, how we talk to it, and where the cache lives.

Every value can come from the environment, so the CLI, the dashboard and tests agree:

- ``TRIALFINDER_BASE_URL``      API root (default ``https://clinicaltrials.gov/api/v2``)
- ``TRIALFINDER_CACHE_DIR``     folder of the SQLite cache (default: the user's cache folder)
- ``TRIALFINDER_RATE``          sustained requests per minute (default 50)
- ``TRIALFINDER_SAVED_SEARCHES`` ``0`` (or ``off``...) turns the dashboard's saved searches
  off: they live in this computer's study store and are shared by everyone who opens the
  dashboard it serves (default on)
- ``TRIALFINDER_TIMEOUT``       whole-request deadline in seconds: connecting, the headers and
  the entire body must arrive within it (default 30)
- ``TRIALFINDER_RETRIES``       retries after a failed attempt (default 5)
- ``TRIALFINDER_RETRY_AFTER_MAX`` longest ``Retry-After`` wait honoured, in seconds (default 120);
  an API asking for a longer pause fails the request at once
- ``TRIALFINDER_MAX_BODY_MB``   largest decoded answer accepted, in MB (default 64)
- ``TRIALFINDER_DATA_DIR``      folder of the local study store (default: the user's data folder)
- ``TRIALFINDER_STORE``         ``0`` (or ``off``, ``no``, ``false``) stops searches from adding
  what they fetch to the study store (default on)
- ``TRIALFINDER_SQL_MEMORY_MB`` memory for one ``trialfinder sql`` query, in MB (default 512)
- ``TRIALFINDER_CACHE_MAX_MB``  the HTTP cache's largest size, in MB: a larger cache file loses
  the answers that expire first as a session opens it (default 1024)

A user name and password written into the base URL (``https://user:pw@host/api``) are taken out
of ``base_url`` and kept in ``credentials``, so the URL that reaches messages, logs, the cache and
provenance files never carries them; :func:`redact_url` does the same for any other URL.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from platformdirs import user_cache_dir, user_data_dir

from trialfinder._version import __version__
from trialfinder.core.errors import InvalidQueryError

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidQueryError(f"{name} must be a number, not {raw[:40]!r}")
    return value


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (``https://ann:***@host/path``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    netloc = f"{user}:***@{hostport}" if user else f"***@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``(url without user:password@, (user, password) or None)``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=hostport)), (unquote(user), unquote(password))


def origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of ``url``, the port filled in from the scheme when absent."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


_YES = frozenset({"1", "on", "yes", "true"})
_NO = frozenset({"0", "off", "no", "false"})


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise InvalidQueryError(f"{name} must be 1 or 0 (on/off, yes/no), not {raw[:40]!r}")


def default_data_dir() -> Path:
    """The folder of the study store: ``TRIALFINDER_DATA_DIR`` or the user's data folder."""
    override = os.environ.get("TRIALFINDER_DATA_DIR", "")
    # blank is unset, as empty is: "  " would be a folder of that name in the current folder
    return Path(override) if override.strip() else Path(user_data_dir("trialfinder"))


def default_cache_dir() -> Path:
    override = os.environ.get("TRIALFINDER_CACHE_DIR", "")
    return Path(override) if override.strip() else Path(user_cache_dir("trialfinder"))


@dataclass(frozen=True, slots=True)
class RunProfile:
    """How the process using these settings runs a search. The default suits a library caller,
    the dashboard and long jobs (``sync``, ``watch run``): answers are read 64 kB at a time and
    the heap a page freed is handed back after each page, so memory stays flat however many
    pages come. :data:`ONE_SEARCH` is for a process that makes one search and ends (the
    ``trialfinder`` command's ``search`` and ``match``): 1 MB reads, freed heap kept for the next
    page, the saved tables written in a thread of their own while the output is written, the
    objects its imports made frozen for the garbage collector, and the collector off from then
    on (benchmarks/results/csv.md and analyst.md measure each)."""

    #: Decoded bytes read at a time (it also bounds one step of decompression, so the body cap
    #: is passed by at most this much).
    read_chunk: int = 64 * 1024
    #: Hand the heap a page freed back to the system after each page (glibc's malloc_trim).
    trim_heap_each_page: bool = True
    #: Write a search's saved tables in the background (the caller waits for them at exit).
    save_tables_behind: bool = False
    #: Freeze every object alive for the garbage collector once the search's modules are in.
    freeze_after_imports: bool = False
    #: Leave the cyclic garbage collector off once the search's modules are in (a search makes
    #: next to no cyclic garbage; each collection walks every page's objects again).
    collector_off: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.read_chunk, bool) or not isinstance(self.read_chunk, int) \
                or self.read_chunk < 1024:
            raise InvalidQueryError(f"read_chunk must be at least 1024 bytes, not "
                                    f"{self.read_chunk!r}")


#: A process that makes one search and ends (see :class:`RunProfile`).
ONE_SEARCH = RunProfile(read_chunk=1024 * 1024, trim_heap_each_page=False,
                        save_tables_behind=True, freeze_after_imports=True, collector_off=True)


@dataclass(frozen=True, slots=True)
class Settings:
    """How the client talks to the API. Immutable; use :meth:`with_` to vary one value."""

    base_url: str = field(
        default_factory=lambda: os.environ.get("TRIALFINDER_BASE_URL") or DEFAULT_BASE_URL
    )
    timeout: float = field(default_factory=lambda: _env_float("TRIALFINDER_TIMEOUT", 30.0))
    page_size: int = MAX_PAGE_SIZE
    cache_dir: Path = field(default_factory=default_cache_dir)
    use_cache: bool = True
    #: Searches add what they fetch from the API to the study store in ``data_dir``.
    use_store: bool = field(default_factory=lambda: _env_flag("TRIALFINDER_STORE", True))
    #: The dashboard offers "Save this search" and "What's new" (shared by its visitors).
    saved_searches: bool = field(
        default_factory=lambda: _env_flag("TRIALFINDER_SAVED_SEARCHES", True))
    data_dir: Path = field(default_factory=default_data_dir)
    offline: bool = False
    # The API refreshes its data once a day; an answer older than this is fetched again.
    expire_after: timedelta = timedelta(hours=12)
    requests_per_minute: float = field(default_factory=lambda: _env_float("TRIALFINDER_RATE", 50))
    burst: int = 10
    retries: int = field(default_factory=lambda: int(_env_float("TRIALFINDER_RETRIES", 5)))
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    user_agent: str = f"trialfinder/{__version__} (+https://pypi.org/project/trialfinder/)"
    #: The longest pause asked for by ``Retry-After`` that is waited out, in seconds.
    retry_after_max: float = field(
        default_factory=lambda: _env_float("TRIALFINDER_RETRY_AFTER_MAX", 120.0)
    )
    #: The largest decoded answer accepted, in MB (a real 1,000-study full page is about 20 MB).
    max_body_mb: float = field(default_factory=lambda: _env_float("TRIALFINDER_MAX_BODY_MB", 64.0))
    #: The memory of one ``sql`` query, in MB (DuckDB's limit; the command caps its process
    #: at about one and a half times this above what it holds when the query starts).
    sql_memory_mb: float = field(
        default_factory=lambda: _env_float("TRIALFINDER_SQL_MEMORY_MB", 512.0))
    #: The HTTP cache's largest size, in MB (:mod:`trialfinder.http.cachetrim`).
    cache_max_mb: float = field(
        default_factory=lambda: _env_float("TRIALFINDER_CACHE_MAX_MB", 1024.0))
    #: How this process runs a search (read size, heap, background saving).
    profile: RunProfile = field(default_factory=RunProfile)
    #: ``(user, password)`` taken out of a base URL that carried them; never printed.
    credentials: tuple[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.base_url, str):
            raise InvalidQueryError(f"base URL must be text, not {type(self.base_url).__name__}")
        for name in ("cache_dir", "data_dir"):  # a folder given as text is a path
            value = getattr(self, name)
            if isinstance(value, str | os.PathLike) and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
            elif not isinstance(value, Path):
                raise InvalidQueryError(f"{name} must be a folder's path, not "
                                        f"{type(value).__name__}")
        for name in ("timeout", "requests_per_minute", "retries", "page_size", "burst",
                     "retry_after_max", "max_body_mb", "backoff_factor", "backoff_max",
                     "sql_memory_mb", "cache_max_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or (
                    isinstance(value, float) and not math.isfinite(value)):
                raise InvalidQueryError(f"{name} must be a finite number, not {value!r}")
        for name in ("page_size", "burst", "retries"):
            if not isinstance(getattr(self, name), int):
                raise InvalidQueryError(f"{name} must be a whole number, not "
                                        f"{getattr(self, name)!r}")
        base = self.base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise InvalidQueryError(
                f"base URL must start with http:// or https://, not {redact_url(base)!r}"
            )
        try:
            base, found = split_credentials(base)
            host_ok = bool(urlsplit(base).hostname)
        except ValueError:
            host_ok = False
        if not host_ok:
            raise InvalidQueryError(f"base URL has no usable host: {redact_url(base)!r}")
        object.__setattr__(self, "base_url", base)
        if found is not None:
            object.__setattr__(self, "credentials", found)
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidQueryError(f"page size must be within 1..{MAX_PAGE_SIZE}")
        # each limit that the environment can set names its variable and the value it held
        if self.requests_per_minute <= 0:
            raise InvalidQueryError(f"requests per minute (TRIALFINDER_RATE) must be above 0, "
                                    f"not {self.requests_per_minute:g}")
        if self.burst < 1:
            raise InvalidQueryError(f"the burst of requests must be at least 1, not {self.burst}")
        if self.backoff_factor < 0 or self.backoff_max < 0:
            raise InvalidQueryError("backoff times cannot be negative")
        if not 0 <= self.retries <= 20:
            raise InvalidQueryError(f"retries (TRIALFINDER_RETRIES) must be within 0..20, "
                                    f"not {self.retries}")
        if not 0 < self.timeout <= 3600:
            raise InvalidQueryError(f"the deadline of a request (TRIALFINDER_TIMEOUT) must be "
                                    f"above 0 and at most 3600 seconds, not {self.timeout:g}")
        if not 0 <= self.retry_after_max <= 86400:
            raise InvalidQueryError(f"the longest Retry-After waited out "
                                    f"(TRIALFINDER_RETRY_AFTER_MAX) must be within 0..86400 "
                                    f"seconds, not {self.retry_after_max:g}")
        if not 0.01 <= self.max_body_mb <= 900:
            raise InvalidQueryError(f"the largest answer (TRIALFINDER_MAX_BODY_MB) must be "
                                    f"within 0.01..900 MB, not {self.max_body_mb:g}")
        if not 16 <= self.sql_memory_mb <= 1_048_576:
            raise InvalidQueryError("the SQL memory limit must be within 16..1048576 MB")
        if not 0.01 <= self.cache_max_mb <= 10_000_000:
            raise InvalidQueryError("the HTTP cache's largest size (TRIALFINDER_CACHE_MAX_MB) "
                                    "must be within 0.01..10000000 MB")

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1_000_000)

    @property
    def store_path(self) -> Path:
        """The study store's file (``studies.duckdb`` in ``data_dir``)."""
        return self.data_dir / "studies.duckdb"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / "http_cache.sqlite"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
