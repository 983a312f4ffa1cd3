"""Pacing: the token bucket lets a burst through, then holds the sustained rate, and one budget
per API is shared by threads, clients and processes (all with a fake clock)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from trialfinder.core.config import Settings
from trialfinder.http.pacing import (
    TokenBucket,
    forget_shared_buckets,
    shared_bucket,
    state_file_for,
)
from trialfinder.http.transport import GuardedAdapter
from trialfinder.registries.ctgov.client import TrialsClient


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_burst_passes_without_waiting_then_rate_applies() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, burst=3, clock=clock, sleep=clock.sleep)  # one a second
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(1.0)
    assert bucket.acquire() == pytest.approx(1.0)
    assert clock.now == pytest.approx(2.0)
    assert bucket.waited == pytest.approx(2.0)


def test_idle_time_refills_up_to_the_burst_only() -> None:
    clock = FakeClock()
    bucket = TokenBucket(50, burst=2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()
    clock.now += 3600  # an hour idle refills two tokens, not 3,000
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(60 / 50)


def test_rejects_nonsense_rates() -> None:
    with pytest.raises(ValueError, match="rate must be above 0"):
        TokenBucket(0, burst=1)


# -- one budget per API, shared by threads, clients and processes -----------------------------


def test_twenty_threads_together_keep_the_rate() -> None:
    frozen = 1000.0
    slept: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    forget_shared_buckets()
    bucket = shared_bucket("http://127.0.0.1:19/api", 60, 5, clock=lambda: frozen, sleep=sleep)
    # Every acquisition happens at the same instant, so each one's wait is when it may go.
    workers = [threading.Thread(target=lambda: [bucket.acquire(60, 5) for _ in range(5)])
               for _ in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(5)
    # 100 requests at one a second after a burst of 5: the last may go 95 s later, and no two
    # share a slot.
    assert sorted(round(s, 6) for s in slept) == [float(n) for n in range(1, 96)]


def test_clients_of_one_api_share_one_budget() -> None:
    settings = Settings(base_url="http://127.0.0.1:9/api/v2", use_cache=False)
    first, second = TrialsClient(settings), TrialsClient(settings.with_(timeout=5))
    other = TrialsClient(settings.with_(base_url="http://127.0.0.1:10/api/v2"))

    def bucket(client: TrialsClient) -> TokenBucket:
        adapter = client.session.get_adapter(client.settings.base_url)
        assert isinstance(adapter, GuardedAdapter)
        return adapter.bucket

    assert bucket(first) is bucket(second)
    assert bucket(other) is not bucket(first)


def test_processes_share_the_budget_through_the_state_file(tmp_path: Path) -> None:
    clock = FakeClock()
    clock.now = 5000.0
    state = tmp_path / "pacing.state"
    # Two buckets on one file stand for two processes (each opens and locks the file itself).
    one = TokenBucket(60, burst=2, clock=clock, sleep=clock.sleep, state_file=state)
    two = TokenBucket(60, burst=2, clock=clock, sleep=clock.sleep, state_file=state)
    assert [one.acquire(), two.acquire()] == [0.0, 0.0]  # the shared burst of two
    assert two.acquire() == pytest.approx(1.0)
    assert one.acquire() == pytest.approx(1.0)  # one's own count would still hold a token
    assert oct(state.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("content", [b"garbage", b"-1e300 0", b"1 1e30", b"\xff\xfe"])
def test_an_unbelievable_state_file_counts_as_a_full_bucket(tmp_path: Path,
                                                            content: bytes) -> None:
    clock = FakeClock()
    clock.now = 5000.0
    state = tmp_path / "pacing.state"
    state.write_bytes(content)
    bucket = TokenBucket(60, burst=2, clock=clock, sleep=clock.sleep, state_file=state)
    assert [bucket.acquire(), bucket.acquire(), bucket.acquire()] == [0.0, 0.0, 1.0]


def test_an_unusable_state_file_leaves_pacing_to_the_process(tmp_path: Path) -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, burst=1, clock=clock, sleep=clock.sleep,
                         state_file=tmp_path / "missing-folder" / "pacing.state")
    assert [bucket.acquire(), bucket.acquire()] == [0.0, pytest.approx(1.0)]


def test_a_cached_session_keeps_its_state_file_in_the_cache_folder(tmp_path: Path) -> None:
    settings = Settings(base_url="http://127.0.0.1:9/api/v2", cache_dir=tmp_path)
    adapter = TrialsClient(settings).session.get_adapter(settings.base_url)
    assert isinstance(adapter, GuardedAdapter)
    assert adapter.bucket.state_file == state_file_for(settings.base_url, tmp_path)
    assert adapter.bucket.state_file.parent == tmp_path
