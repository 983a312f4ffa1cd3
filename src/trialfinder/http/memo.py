"""What this process remembers about each API it talks to: its ``/version`` answer and a
recent failure to connect. Shared by every client on purpose (see :class:`ApiMemo`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from trialfinder.core.errors import NetworkError

__all__ = ["API_MEMO", "UNREACHABLE_TTL", "VERSION_TTL", "ApiMemo"]

#: Seconds the API's ``/version`` answer is kept in this process.
VERSION_TTL = 3600.0

#: Seconds this process remembers that an API could not be reached (no new wait through retries).
UNREACHABLE_TTL = 30.0


class ApiMemo:
    """What this process knows about each API, by base URL: its ``/version`` answer (kept
    ``VERSION_TTL`` seconds) and a recent failure to connect (kept ``UNREACHABLE_TTL``).

    Clients hold no such state themselves, so one client can serve many threads and sessions;
    this small table is shared on purpose and guarded by a lock. ``clock`` is for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._versions: dict[str, tuple[float, dict[str, str]]] = {}
        self._unreachable: dict[str, tuple[float, NetworkError]] = {}
        self._asking: dict[str, threading.Lock] = {}

    @contextmanager
    def asking_version(self, base_url: str) -> Iterator[None]:
        """Held while one thread asks ``base_url`` for ``/version``: another thread that wants
        it too waits here, then finds the answer (or the failure) remembered, instead of
        sending the same request a second time."""
        with self._lock:
            lock = self._asking.setdefault(base_url, threading.Lock())
        with lock:
            yield

    def version(self, base_url: str) -> dict[str, str] | None:
        with self._lock:
            entry = self._versions.get(base_url)
            if entry is None or not 0 <= self._clock() - entry[0] < VERSION_TTL:
                self._versions.pop(base_url, None)
                return None
            return dict(entry[1])

    def unreachable(self, base_url: str) -> NetworkError | None:
        with self._lock:
            entry = self._unreachable.get(base_url)
            if entry is None or not 0 <= self._clock() - entry[0] < UNREACHABLE_TTL:
                self._unreachable.pop(base_url, None)
                return None
            return entry[1]

    def remember_version(self, base_url: str, answer: dict[str, str]) -> None:
        with self._lock:
            self._versions[base_url] = (self._clock(), dict(answer))
            self._unreachable.pop(base_url, None)

    def remember_unreachable(self, base_url: str, error: NetworkError) -> None:
        with self._lock:
            self._unreachable[base_url] = (self._clock(), error)

    def forget(self) -> None:
        with self._lock:
            self._versions.clear()
            self._unreachable.clear()


#: The process-wide memo every client uses unless given another.
API_MEMO = ApiMemo()
