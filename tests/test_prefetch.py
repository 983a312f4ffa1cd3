"""The prefetch helper's ``taken`` hook, and the heap trim a search makes after each page."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.core.config import ONE_SEARCH, RunProfile, Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.http import heap
from trialfinder.http.prefetch import prefetch
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.query import StudyQuery


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


def test_the_run_profile_decides_the_trim_after_each_page() -> None:
    if heap._malloc_trim() is None:
        pytest.skip("no glibc here")
    blocks = [bytes(2000) for _ in range(20_000)]
    del blocks
    assert heap.after_page(True) is True  # the default profile hands each page's heap back
    blocks = [bytes(2000) for _ in range(20_000)]
    del blocks
    assert heap.after_page(False) is False  # one search's profile keeps it for the next page
    assert heap.trim() is True  # an explicit trim still works


def test_keeping_the_heap_needs_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    heap._libc.cache_clear()
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert heap.keep_freed_heap() is False
        assert heap.one_arena() is False
        assert heap.after_page(True) is False  # and no trim either: there is none
    finally:
        heap._libc.cache_clear()
        heap._malloc_trim.cache_clear()


def test_a_read_step_under_1_kb_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="at least 1024 bytes"):
        RunProfile(read_chunk=10)
    assert ONE_SEARCH.read_chunk == 1024 * 1024


def test_answers_are_read_in_the_run_profiles_step(
    standin_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import urllib3.response

    steps: list[int | None] = []
    original = urllib3.response.HTTPResponse.stream

    def recording(self: Any, amt: int | None = 2**16, decode_content: bool | None = None,
                  ) -> Iterator[bytes]:
        steps.append(amt)
        return original(self, amt, decode_content)

    monkeypatch.setattr(urllib3.response.HTTPResponse, "stream", recording)
    server = standin_factory([fictional_study(f"NCT9920000{i}", f"Fictional cramp study {i}",
                                              conditions=["Cramp"]) for i in range(3)])
    for profile in (RunProfile(), ONE_SEARCH):
        settings = Settings(base_url=server.base_url, use_cache=False, use_store=False,
                            cache_dir=tmp_path, profile=profile)
        TrialsClient(settings).search(StudyQuery(conditions=("cramp",)))
    assert set(steps) == {64 * 1024, 1024 * 1024}
