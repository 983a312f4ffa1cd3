"""The prefetch helper's ``taken`` hook, and the heap trim a search makes after each page."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from trialfinder.api import heap
from trialfinder.api.prefetch import prefetch


def test_taken_is_called_for_each_item_before_the_worker_goes_on() -> None:
    taken: list[int] = []
    snapshots: list[int] = []  # how many items had been taken when each item was produced

    def source() -> Iterator[int]:
        for n in range(5):
            snapshots.append(len(taken))
            yield n

    got = list(prefetch(source(), taken=lambda: taken.append(1)))
    assert got == [0, 1, 2, 3, 4]
    assert snapshots == [0, 1, 2, 3, 4]
    assert len(taken) == 5


def test_trim_does_nothing_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    heap._malloc_trim.cache_clear()
    heap._libc.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert heap._malloc_trim() is None
        assert heap.trim() is False
    finally:
        heap._malloc_trim.cache_clear()
        heap._libc.cache_clear()


def test_trim_gives_freed_heap_back_on_glibc() -> None:
    if heap._malloc_trim() is None:
        pytest.skip("no glibc malloc_trim here")
    blocks = [bytes(2000) for _ in range(20_000)]  # ~40 MB of heap (over pymalloc's 512 B)
    del blocks
    assert heap.trim() is True


def test_a_kept_heap_is_not_trimmed_after_each_page(monkeypatch: pytest.MonkeyPatch) -> None:
    if heap._malloc_trim() is None:
        pytest.skip("no glibc here")
    monkeypatch.setattr(heap, "_trim_each_page", True)
    blocks = [bytes(2000) for _ in range(20_000)]
    del blocks
    assert heap.after_page() is True  # by default each page's freed heap goes back
    assert heap.keep_freed_heap() is True
    blocks = [bytes(2000) for _ in range(20_000)]
    del blocks
    assert heap.after_page() is False  # kept for the next page
    assert heap.trim() is True  # an explicit trim still works


def test_keeping_the_heap_needs_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    heap._libc.cache_clear()
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(heap, "_trim_each_page", True)
    try:
        assert heap.keep_freed_heap() is False
        assert heap.after_page() is False  # and no trim either: there is none
    finally:
        heap._libc.cache_clear()
        heap._malloc_trim.cache_clear()


def test_the_read_step_can_be_raised_but_not_made_absurd(monkeypatch: pytest.MonkeyPatch) -> None:
    from trialfinder.api import transport

    monkeypatch.setattr(transport, "_read_chunk", transport.CHUNK)
    transport.use_read_chunk(transport.ONE_SEARCH_CHUNK)
    assert transport._read_chunk == 1024 * 1024
    with pytest.raises(ValueError, match="under 1 kB"):
        transport.use_read_chunk(10)
    assert transport._read_chunk == 1024 * 1024
