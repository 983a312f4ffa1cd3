"""Settings: where the API is, how we talk to it, and where the cache lives.

Every value can come from the environment, so the CLI, the dashboard and tests agree:

- ``TRIALFINDER_BASE_URL``      API root (default ``https://clinicaltrials.gov/api/v2``)
- ``TRIALFINDER_CACHE_DIR``     folder of the SQLite cache (default: the user's cache folder)
- ``TRIALFINDER_RATE``          sustained requests per minute (default 50)
- ``TRIALFINDER_TIMEOUT``       seconds per request (default 30)
- ``TRIALFINDER_RETRIES``       retries after a failed attempt (default 5)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from platformdirs import user_cache_dir

from trialfinder._version import __version__
from trialfinder.errors import InvalidQueryError

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise InvalidQueryError(f"{name} must be a number, not {raw!r}") from None


def default_cache_dir() -> Path:
    override = os.environ.get("TRIALFINDER_CACHE_DIR")
    return Path(override) if override else Path(user_cache_dir("trialfinder"))


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
    offline: bool = False
    # The API refreshes its data once a day; an answer older than this is fetched again.
    expire_after: timedelta = timedelta(hours=12)
    requests_per_minute: float = field(default_factory=lambda: _env_float("TRIALFINDER_RATE", 50))
    burst: int = 10
    retries: int = field(default_factory=lambda: int(_env_float("TRIALFINDER_RETRIES", 5)))
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    user_agent: str = f"trialfinder/{__version__} (+https://pypi.org/project/trialfinder/)"

    def __post_init__(self) -> None:
        base = self.base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise InvalidQueryError(f"base URL must start with http:// or https://, not {base!r}")
        object.__setattr__(self, "base_url", base)
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidQueryError(f"page size must be within 1..{MAX_PAGE_SIZE}")
        if self.requests_per_minute <= 0:
            raise InvalidQueryError("requests per minute must be above 0")
        if not 0 <= self.retries <= 20:
            raise InvalidQueryError("retries must be within 0..20")
        if self.timeout <= 0:
            raise InvalidQueryError("timeout must be above 0 seconds")

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / "http_cache.sqlite"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
