"""The token bucket lets a burst through, then holds the sustained rate."""

from __future__ import annotations

import pytest

from trialfinder.api.pacing import TokenBucket


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
