"""What the command changes in its own process for one search: the collector, OpenBLAS."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHILD_ENV

from trialfinder.cli.oneshot import (
    arrow_on_the_system_heap,
    no_s3_filesystem,
    one_blas_thread,
    settle_before_search,
)
from trialfinder.core.config import ONE_SEARCH, RunProfile
from trialfinder.core.gcpause import gc_paused


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The test process gets its collector back as it was, nothing left frozen."""
    enabled = gc.isenabled()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.usefixtures("collector_restored")
def test_one_search_freezes_then_leaves_the_collector_off() -> None:
    gc.enable()
    assert settle_before_search(ONE_SEARCH) is True
    assert gc.get_freeze_count() > 0
    assert not gc.isenabled()
    with gc_paused():  # each page's pause must not switch it back on when it ends
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_restored")
def test_the_default_profile_leaves_the_collector_alone() -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    assert settle_before_search(RunProfile()) is False
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("collector_restored")
def test_freezing_without_switching_the_collector_off() -> None:
    gc.enable()
    assert settle_before_search(RunProfile(freeze_after_imports=True)) is True
    assert gc.isenabled()


def test_openblas_gets_one_thread_when_numpy_is_not_loaded_yet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delitem(sys.modules, "numpy", raising=False)
    assert one_blas_thread() is True
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"


def test_a_users_own_openblas_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    monkeypatch.delitem(sys.modules, "numpy", raising=False)
    assert one_blas_thread() is False
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


def test_nothing_is_asked_once_numpy_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy  # noqa: F401  # loaded: the setting would come too late

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert one_blas_thread() is False
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_arrow_is_asked_for_the_system_heap_before_it_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    assert arrow_on_the_system_heap() is True
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"


def test_a_users_own_arrow_pool_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    assert arrow_on_the_system_heap() is False
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_arrow_is_left_alone_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow  # noqa: F401  # loaded: its default pool is chosen already

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    assert arrow_on_the_system_heap() is False
    assert "ARROW_DEFAULT_MEMORY_POOL" not in os.environ


def test_pyarrows_s3_filesystem_is_marked_absent_before_pyarrow_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    monkeypatch.delitem(sys.modules, "pyarrow._s3fs", raising=False)
    assert no_s3_filesystem() is True
    with pytest.raises(ImportError):
        import pyarrow._s3fs  # noqa: F401


def test_s3_is_left_alone_once_pyarrow_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow  # noqa: F401

    monkeypatch.delitem(sys.modules, "pyarrow._s3fs", raising=False)
    assert no_s3_filesystem() is False
    assert "pyarrow._s3fs" not in sys.modules


@pytest.mark.usefixtures("collector_restored")
def test_the_collector_is_off_before_the_search_loads_its_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pyarrow as pa

    from trialfinder.cli import oneshot

    monkeypatch.setattr(oneshot, "keep_freed_heap", lambda: False)  # leave malloc alone
    monkeypatch.setattr(oneshot, "one_arena", lambda: False)
    pool = pa.default_memory_pool()
    gc.enable()
    try:
        applied = oneshot.tune_for_one_search()
    finally:
        pa.set_memory_pool(pool)
    assert "collector off" in applied
    assert not gc.isenabled()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "said", "not_said"), [
    (["sync", "--condition", "cramp"], "memory settings for a long run: ",
     "memory settings for one search"),
    (["search", "--condition", "cramp"], "memory settings for one search: ",
     "memory settings for a long run"),
])
def test_a_long_run_gets_one_heap_not_the_one_search_settings(
    tmp_path: Path, argv: list[str], said: str, not_said: str,
) -> None:
    """A sync or a watch stores page after page for a long time: its process shares one heap
    between its threads but keeps the collector on and the heap handed back after each page
    (the one-search settings would turn the collector off for the whole run)."""
    env = CHILD_ENV | {"TRIALFINDER_DATA_DIR": str(tmp_path / "data"),
                       "TRIALFINDER_CACHE_DIR": str(tmp_path / "cache"),
                       "TRIALFINDER_RETRIES": "0", "TRIALFINDER_TIMEOUT": "5"}
    done = subprocess.run([sys.executable, "-m", "trialfinder", *argv, "-vv", "--base-url",
                           "http://127.0.0.1:9/api/v2"],  # refused at once: nothing listens
                          capture_output=True, text=True, env=env, timeout=50, check=False)
    assert done.returncode == 1, done.stderr
    assert said in done.stderr and not_said not in done.stderr
