"""When a request is tried again, how long the next try waits, and what is said about it.

:class:`~trialfinder.http.transport.GuardedAdapter` sends and bounds each try; the rules of
trying again live here: the statuses that are retried, a server's ``Retry-After`` read, the
backoff between tries (capped, with jitter), and the notes a person gets when a wait would
otherwise look like a hang (a request out of time; a wait of :data:`NOTE_WAIT_FROM` seconds or
more after a "slow down", a server error or a dropped connection), each logged as a warning
marked ``interruptible`` (the command line adds how to stop it).
"""

from __future__ import annotations

import email.utils
import logging
import random
from datetime import UTC, datetime

from trialfinder.core.config import Settings
from trialfinder.core.wording import duration

__all__ = ["NOTE_WAIT_FROM", "RETRY_STATUSES", "backoff", "busy_words", "retry_after_seconds",
           "slow_note", "wait_note"]

logger = logging.getLogger("trialfinder.http.transport")  # the name users' filters know

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: A wait before the next try this long (seconds) or longer is said on the command line: a
#: silent pause of several seconds looks like a hang.
NOTE_WAIT_FROM = 5.0


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


def _backoff_cap(settings: Settings, attempt: int) -> float:
    """The longest wait after try ``attempt`` (from 0): doubling, up to ``backoff_max``."""
    return float(min(settings.backoff_max, settings.backoff_factor * 2.0**attempt))


def backoff(settings: Settings, attempt: int) -> float:
    """The wait after try ``attempt``: half its cap to the whole of it, at random."""
    return _backoff_cap(settings, attempt) * (0.5 + random.random() / 2)


def busy_words(status: int) -> str:
    """What an answer that is retried says, in words."""
    if status == 429:
        return "asked us to slow down (HTTP 429)"
    return f"answered with a server error (HTTP {status})"


def slow_note(name: str, settings: Settings, limit: int) -> None:
    """Say that ``name`` (the API) has not answered in time and is asked again, up to
    ``limit`` times, and about how long that may take in all (once per request)."""
    waits = sum(0.75 * _backoff_cap(settings, n) for n in range(limit))  # backoff's mean
    again = "once" if limit == 1 else f"up to {limit} times"
    logger.warning("%s has not answered within %g s; trying again (%s, about %s in all)",
                   name, settings.timeout, again,
                   duration((limit + 1) * settings.timeout + waits),
                   extra={"interruptible": True})


def wait_note(name: str, what: str, delay: float, noted: bool) -> bool:
    """Say (once per request: ``noted`` says whether it was) that ``name`` ``what`` and that
    the next try waits ``delay`` seconds, when that wait is long enough to look like a hang;
    whether it has been said now."""
    if noted or delay < NOTE_WAIT_FROM:
        return noted
    logger.warning("%s %s; asking again in %s", name, what, duration(delay),
                   extra={"interruptible": True})
    return True
