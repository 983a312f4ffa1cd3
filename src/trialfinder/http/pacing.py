"""Pacing: one request budget per API, shared by every client and thread of a process and, through
a small state file in the cache folder, by every process that uses that folder.

The budget is a token bucket: ``burst`` requests may go at once, then ``rate_per_minute`` a minute.
A caller that finds no token reserves the next one (the count goes below zero) and sleeps outside
the lock, so waiting threads queue up at the sustained rate instead of all waking together.

The state file holds two numbers, ``tokens stamp`` (``stamp`` is wall-clock seconds, since
processes share no monotonic clock). It is locked with ``fcntl.flock`` while it is read and
rewritten. An unreadable or absurd file is treated as a full bucket and rewritten; a file that
cannot be opened at all leaves the budget to this process alone (logged at debug level).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from trialfinder.core.config import origin

__all__ = ["TokenBucket", "forget_shared_buckets", "shared_bucket", "state_file_for"]

logger = logging.getLogger(__name__)

#: Reservations beyond this many tokens are not believed (a hostile or stale state file).
_MAX_DEBT = 10_000.0


class TokenBucket:
    """``rate_per_minute`` tokens are added per minute, up to ``burst`` stored.

    :meth:`acquire` takes one token, sleeping until it is due. ``clock`` and ``sleep`` can be
    replaced in tests; ``state_file`` shares the count with other processes.
    """

    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        state_file: Path | None = None,
    ) -> None:
        _check(rate_per_minute, burst)
        self.rate_per_minute = float(rate_per_minute)
        self.burst = int(burst)
        self.state_file = state_file
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self, rate_per_minute: float | None = None, burst: int | None = None) -> float:
        """Take one token (refilled at ``rate_per_minute``, default this bucket's); return the
        seconds slept for it."""
        rate = (rate_per_minute or self.rate_per_minute) / 60.0
        cap = float(burst or self.burst)
        with self._lock:
            now = self._clock()
            wait = self._reserve_shared(now, rate, cap) if self.state_file else None
            if wait is None:
                self._tokens, self._stamp, wait = _take(self._tokens, self._stamp, now, rate, cap)
        if wait > 0:
            self._sleep(wait)
            self.waited += wait
        return wait

    def _reserve_shared(self, now: float, rate: float, cap: float) -> float | None:
        assert self.state_file is not None
        try:
            fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            logger.debug("pacing state file %s unusable (%s); pacing this process alone",
                         self.state_file, exc)
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            tokens, stamp = _parse_state(os.pread(fd, 64, 0), now, cap)
            tokens, stamp, wait = _take(tokens, stamp, now, rate, cap)
            data = f"{tokens!r} {stamp!r}\n".encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            return wait
        except OSError as exc:
            logger.debug("pacing state file %s failed (%s); pacing this process alone",
                         self.state_file, exc)
            return None
        finally:
            os.close(fd)  # closing releases the lock


def _check(rate_per_minute: float, burst: int) -> None:
    if not rate_per_minute > 0 or burst < 1:
        raise ValueError("rate must be above 0 and burst at least 1")


def _take(tokens: float, stamp: float, now: float, rate: float,
          cap: float) -> tuple[float, float, float]:
    """Refill from ``stamp`` to ``now``, take one token; ``(tokens, stamp, seconds to wait)``."""
    elapsed = max(0.0, now - stamp)  # a clock that went back refills nothing
    tokens = min(cap, tokens + elapsed * rate) - 1.0
    wait = 0.0 if tokens >= 0 else -tokens / rate
    return tokens, max(now, stamp), wait


def _parse_state(raw: bytes, now: float, cap: float) -> tuple[float, float]:
    try:
        tokens_text, stamp_text = raw.decode("ascii").split()
        tokens, stamp = float(tokens_text), float(stamp_text)
    except (UnicodeDecodeError, ValueError):
        return cap, now
    if not (-_MAX_DEBT <= tokens <= cap and now - 86400 * 365 <= stamp <= now + 86400):
        logger.debug("pacing state %r is not believable; starting from a full bucket", raw[:64])
        return cap, now
    return tokens, stamp


# -- one budget per API in this process ---------------------------------------------------------

_SHARED: dict[tuple[tuple[str, str, int], Path | None], TokenBucket] = {}
_SHARED_LOCK = threading.Lock()


def state_file_for(base_url: str, folder: Path) -> Path:
    """The state file in ``folder`` for the API at ``base_url`` (one per scheme, host and port)."""
    scheme, host, port = origin(base_url)
    digest = hashlib.sha256(f"{scheme}://{host}:{port}".encode()).hexdigest()[:16]
    return folder / f"pacing-{digest}.state"


def shared_bucket(
    base_url: str,
    rate_per_minute: float,
    burst: int,
    *,
    state_folder: Path | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> TokenBucket:
    """The process-wide bucket of the API at ``base_url`` (created on first use). With
    ``state_folder``, the count is also shared with other processes through a file there."""
    _check(rate_per_minute, burst)
    state = state_file_for(base_url, state_folder) if state_folder is not None else None
    key = (origin(base_url), state)
    with _SHARED_LOCK:
        bucket = _SHARED.get(key)
        if bucket is None:
            bucket = TokenBucket(rate_per_minute, burst, clock=clock, sleep=sleep,
                                 state_file=state)
            _SHARED[key] = bucket
        return bucket


def forget_shared_buckets() -> None:
    """Drop every process-wide bucket (tests)."""
    with _SHARED_LOCK:
        _SHARED.clear()
