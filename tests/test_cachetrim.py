"""The HTTP cache kept under its size: a session that opens a cache file larger than
``cache_max_mb`` deletes the answers that expire first; the newest stay and still answer."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError
from trialfinder.http.cachetrim import KEEP_SHARE, trim_cache
from trialfinder.http.session import make_session
from trialfinder.topics.demo import load_demo_studies


@pytest.fixture
def server() -> StandInServer:
    with StandInServer(load_demo_studies()) as running:
        yield running


def settings_for(server: StandInServer, tmp_path: Path, **changes: object) -> Settings:
    return Settings(base_url=server.base_url, cache_dir=tmp_path, requests_per_minute=1e6,
                    burst=10**6, backoff_factor=0.0).with_(**changes)


def ask(settings: Settings, condition: str) -> None:
    session = make_session(settings)
    try:
        answer = session.get(f"{settings.base_url}/studies",
                             params={"query.cond": condition, "pageSize": "20"}, timeout=5)
        answer.raise_for_status()
    finally:
        session.close()


def held(path: Path) -> dict[str, int]:
    """Each stored answer's condition and size."""
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT key, length(value) FROM responses").fetchall()
    return {key: size for key, size in rows}


def test_the_answers_that_expire_first_go_when_the_cache_is_too_big(
        server: StandInServer, tmp_path: Path) -> None:
    roomy = settings_for(server, tmp_path)
    ask(roomy, "spasm")  # the older answer (about 300 kB of fictional studies)
    first = held(roomy.cache_path)
    ask(roomy, "cramp")  # the newer one (about 70 kB)
    both = held(roomy.cache_path)
    (older,) = first
    newer = next(key for key in both if key != older)
    total = sum(both.values())
    on_disk = sum(p.stat().st_size for p in tmp_path.glob("http_cache.sqlite*"))
    # a limit the cache is over, whose three quarters hold the newer answer but not both
    limit = min(total / KEEP_SHARE, on_disk) * 0.99
    assert both[newer] <= limit * KEEP_SHARE < total < on_disk
    tight = roomy.with_(cache_max_mb=limit / 1e6)
    asked = server.stats.requests
    ask(tight, "cramp")  # the session trims as it opens: the older answer goes
    assert set(held(roomy.cache_path)) == {newer}
    assert server.stats.requests == asked  # the newer one still answers
    ask(tight, "spasm")
    assert server.stats.requests == asked + 1  # the older one is fetched again


def test_a_cache_under_its_size_and_an_offline_one_are_left_alone(
        server: StandInServer, tmp_path: Path) -> None:
    settings = settings_for(server, tmp_path)
    ask(settings, "cramp")
    ask(settings, "spasm")
    before = held(settings.cache_path)
    assert trim_cache(settings.cache_path, 1024) == 0
    tiny = settings.with_(cache_max_mb=0.01, offline=True)
    make_session(tiny).close()  # offline, the old answers are all there is
    assert held(settings.cache_path) == before
    assert trim_cache(settings.cache_path, 0.01) == 2  # every answer is over 7.5 kB
    assert held(settings.cache_path) == {}


def test_a_new_cache_file_gives_the_space_back(server: StandInServer, tmp_path: Path) -> None:
    settings = settings_for(server, tmp_path)
    for condition in ("spasm", "pain", "spasticity"):  # the newest answer the smallest
        ask(settings, condition)
    with sqlite3.connect(settings.cache_path) as con:
        assert con.execute("PRAGMA auto_vacuum").fetchone() == (2,)  # incremental
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = settings.cache_path.stat().st_size
    sizes = list(held(settings.cache_path).values())
    assert sizes[-1] <= 0.1e6 * KEEP_SHARE < sum(sizes[-2:])  # the newest alone fits
    assert trim_cache(settings.cache_path, 0.1) == 2
    assert list(held(settings.cache_path).values()) == sizes[-1:]
    assert settings.cache_path.stat().st_size < size / 2


def test_a_busy_cache_is_not_trimmed_and_costs_nothing(
        server: StandInServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(server, tmp_path)
    ask(settings, "cramp")
    holder = sqlite3.connect(settings.cache_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writes it now
    try:
        with caplog.at_level(logging.INFO, logger="trialfinder.http.cachetrim"):
            assert trim_cache(settings.cache_path, 0.01) == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [r.getMessage() for r in caplog.records] == [
        f"the cache file {settings.cache_path} was not trimmed now: database is locked"]
    assert len(held(settings.cache_path)) == 1


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_a_cache_size_that_is_not_a_size_is_one_line(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_CACHE_MAX_MB", value)
    with pytest.raises(InvalidQueryError, match="TRIALFINDER_CACHE_MAX_MB"):
        Settings()


def test_the_cache_command_says_the_size_the_cache_is_kept_under(
        server: StandInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ask(settings_for(server, tmp_path), "spasm")
    monkeypatch.setenv("TRIALFINDER_CACHE_MAX_MB", "2500")
    assert main(["cache", "--cache-dir", str(tmp_path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("HTTP"))
    assert line.endswith("; kept under 2,500 MB (TRIALFINDER_CACHE_MAX_MB)")

