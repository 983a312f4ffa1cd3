"""Page-by-page sync into the store, and the one-page-ahead prefetch under it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import Faults, StandInServer, fictional_study, replicate
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import SchemaError
from trialfinder.http.prefetch import prefetch
from trialfinder.options import SearchOptions
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.service.sync import sync
from trialfinder.store.db import Store

Factory = Callable[..., StandInServer]
WAIT = 10.0  # a deadline for what must happen; never reached when the code is right


def _client(server: StandInServer, page_size: int = 1000) -> TrialsClient:
    settings = Settings(base_url=server.base_url, use_cache=False, timeout=5, retries=2,
                        backoff_factor=0.0, requests_per_minute=60000, page_size=page_size)
    return TrialsClient(settings)


# -- prefetch -------------------------------------------------------------------------------


def test_prefetch_keeps_order_and_runs_at_most_one_item_ahead() -> None:
    taken: list[int] = []  # one entry per item the consumer has taken
    at_pull: list[int] = []  # how many items had been taken when each item was pulled
    second_pulled = threading.Event()

    def source() -> Iterator[int]:
        for n in range(5):
            at_pull.append(len(taken))
            if n == 1:
                second_pulled.set()
            yield n

    seen: list[int] = []
    for item in prefetch(source(), taken=lambda: taken.append(1)):
        if item == 0:
            # the worker fetches item 1 while item 0 is still in hand
            assert second_pulled.wait(WAIT)
        seen.append(item)
    assert seen == [0, 1, 2, 3, 4]
    # item n was pulled once n items had been taken, never before: one ahead at most
    assert at_pull == [0, 1, 2, 3, 4]


def test_prefetch_raises_the_sources_error_where_its_item_would_be() -> None:
    def source() -> Iterator[int]:
        yield 1
        raise SchemaError("page 2 was broken")

    got: list[int] = []
    with pytest.raises(SchemaError, match="page 2 was broken"):
        for item in prefetch(source()):
            got.append(item)
    assert got == [1]


def test_prefetch_stops_its_thread_when_the_consumer_stops() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    for item in prefetch(source(), join_timeout=5):
        if item == 3:
            break
    assert closed.wait(WAIT)
    assert not any(t.name == "trialfinder-prefetch" and t.is_alive()
                   for t in threading.enumerate())


def test_prefetch_refuses_a_lookahead_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(prefetch([1], ahead=0))


# -- sync -----------------------------------------------------------------------------------


def test_sync_appends_page_by_page_and_records_the_run(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = standin_factory(replicate(standin_studies, 23), max_page_size=5)
    pages: list[int] = []
    original = Store.add_records

    def spy(self: Store, records: Any, **kwargs: Any) -> Any:
        pages.append(len(records))
        return original(self, records, **kwargs)

    monkeypatch.setattr(Store, "add_records", spy)
    with Store(tmp_path / "s.duckdb") as store:
        result = sync(store, _client(server), SearchOptions(terms=("fictional",)))
        counted = store.first_row("SELECT count(*) FROM studies")[0]
        runs = store.con.execute("SELECT name, mode, studies, requests FROM runs").fetchall()
        params = store.first_row("SELECT params FROM runs")[0]
        found = store.first_row("SELECT count(*) FROM run_studies")[0]
    assert json.loads(params) == {"query.term": "fictional"}
    assert pages == [5, 5, 5, 5, 3]  # never more than one page handed over at once
    assert (result.studies, result.pages, result.requests, result.total_reported) == \
        (23, 5, 5, 23)
    assert counted == 23 and found == 23
    assert runs == [(None, "sync", 23, 5)]


def test_sync_again_adds_no_versions_for_unchanged_studies(
    standin_factory: Factory, tmp_path: Path
) -> None:
    server = standin_factory(max_page_size=4)
    with Store(tmp_path / "s.duckdb") as store:
        first = sync(store, _client(server), SearchOptions(), limit=10)
        second = sync(store, _client(server), SearchOptions())
        versions = store.first_row("SELECT count(*) FROM versions")[0]
    assert (first.studies, first.new_versions, first.pages) == (10, 10, 3)
    assert (second.studies, second.new_versions) == (12, 2)
    assert versions == 12


def test_sync_survives_faults_and_drops_nothing(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path
) -> None:
    faults = Faults(seed=4, fail_rate=0.3, truncate_rate=0.2, retry_after="0",
                    max_consecutive=1)
    server = standin_factory(replicate(standin_studies, 40), max_page_size=7, faults=faults)
    with Store(tmp_path / "s.duckdb") as store:
        result = sync(store, _client(server), SearchOptions(terms=("fictional",)))
        ids = {r[0] for r in store.con.execute("SELECT nct_id FROM studies").fetchall()}
    assert result.studies == 40 and len(ids) == 40
    assert server.stats.faults_injected > 0


def test_cli_sync_all_then_sql_count_gives_the_number_synced(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(replicate(standin_studies, 57), max_page_size=10)
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    assert main(["sync", "--whole-registry", "--base-url", server.base_url, "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("synced 57 studies (the API reported 57) into ")
    assert main(["sql", "select count(*) from studies"]) == 0
    assert capsys.readouterr().out == "count_star()\r\n57\r\n"


def test_sync_always_asks_the_api_even_with_an_http_cache(
    standin_factory: Factory, standin_studies: list[dict[str, Any]], tmp_path: Path
) -> None:
    server = standin_factory(replicate(standin_studies, 30), max_page_size=7)
    settings = Settings(base_url=server.base_url, cache_dir=tmp_path / "cache", timeout=5,
                        requests_per_minute=60000, page_size=7)
    with Store(tmp_path / "s.duckdb") as store:
        first = sync(store, TrialsClient(settings), SearchOptions(terms=("fictional",)))
        server.replace_studies(standin_studies[:3])
        second = sync(store, TrialsClient(settings), SearchOptions(terms=("fictional",)))
    assert (first.studies, first.requests) == (30, 5)
    assert (second.studies, second.requests, second.new_versions) == (3, 1, 0)


@pytest.mark.parametrize(("argv", "message"), [
    (["sync"], "give search options, or --whole-registry for every study"),
    (["sync", "--whole-registry", "--offline"],
     "sync asks the API for fresh data; it cannot run --offline (use `trialfinder sql` to "
     "read the store)"),
    (["sync", "--whole-registry", "-c", "asthma"],
     "--whole-registry syncs every study; leave out the search options"),
    (["sync", "-c", "asthma", "--limit", "0"], "--limit must be at least 1, not 0"),
])
def test_cli_sync_refuses_unclear_requests(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    assert main(argv) == 2
    assert capsys.readouterr().err == f"trialfinder: error: {message}\n"


@pytest.mark.parametrize("command", [["sync"], ["watch", "run"]])
def test_a_refresh_offers_no_cache_options_in_its_help(
    command: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    """sync and watch run never use the cache folder (and refuse --offline): their help
    offered --offline as "answer only from the local cache"; `show`'s still offers it."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert "--base-url" in out
    assert [o for o in ("--offline", "--no-cache", "--cache-dir") if o in out] == []
    with pytest.raises(SystemExit):
        main(["show", "--help"])
    shown = capsys.readouterr().out
    assert "--offline" in shown and "answer only from the local cache" in shown


def test_sync_decodes_the_next_page_only_once_the_current_one_is_stored(
    standin_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    decode_gate: Any,
) -> None:
    import trialfinder.registries.ctgov.client as client_module

    studies = [fictional_study(f"NCT99{400000 + i:06d}", f"Fictional Sync Study {i}",
                               conditions=["Muscle Cramp"]) for i in range(1, 10)]
    server = standin_factory(studies, max_page_size=3)
    events: list[str] = []
    parse = client_module.parse_page

    def spy(body: Any, response: Any) -> Any:
        events.append("decode")
        return parse(body, response)

    real_add = Store.add_records

    def add(self: Store, records: Any, **kwargs: Any) -> Any:
        events.append("store")
        page = events.count("store")
        if page < 3:  # the next page arrives while this one is stored, and waits there
            assert decode_gate.wait_for(page + 1)
        events.append("stored")
        return real_add(self, records, **kwargs)

    monkeypatch.setattr(client_module, "parse_page", spy)
    monkeypatch.setattr(Store, "add_records", add)
    with Store(tmp_path / "s.duckdb") as store:
        result = sync(store, _client(server, page_size=3), SearchOptions(conditions=("cramp",)))
    assert result.studies == 9
    # never two decoded pages at once: each decode comes after the page before it was stored
    assert events == ["decode", "store", "stored"] * 3
    assert decode_gate.count == 3


# -- a large page of whole records, read a part at a time ---------------------------------------

#: About 20 kB of summary: each fictional record below is some 21 kB as the API writes it.
_LONG = "A fictional summary of a study of muscle cramps at night. " * 350


def _large_studies(count: int) -> list[dict[str, Any]]:
    return [fictional_study(f"NCT99{420000 + i:06d}", f"Fictional Cramp Study {i:03d}",
                            conditions=["Muscle Cramp"], summary=_LONG,
                            locations=[{"facility": f"Fictional Clinic {i:03d}",
                                        "city": "Springfield", "country": "United States"}])
            for i in range(count)]


def _stored(path: Path) -> tuple[list[Any], list[Any]]:
    with Store(path) as store:
        versions = store.con.execute(
            "SELECT nct_id, hash, record FROM versions ORDER BY nct_id").fetchall()
        aact = store.con.execute(
            "SELECT nct_id, doc::VARCHAR FROM aact_records ORDER BY nct_id").fetchall()
    return versions, aact


def test_sync_reads_a_large_page_of_whole_records_a_part_at_a_time(
    standin_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import trialfinder.registries.ctgov.slices as slices
    import trialfinder.service.sync as sync_module

    server = standin_factory(_large_studies(120), max_page_size=60)  # two pages of ~1.3 MB
    parts: list[int] = []
    real_add = Store.add_records

    def add(self: Store, records: Any, **kwargs: Any) -> Any:
        parts.append(len(records))
        return real_add(self, records, **kwargs)

    monkeypatch.setattr(Store, "add_records", add)
    # a part ends once it holds 100,000 bytes of JSON: five records of some 21 kB
    monkeypatch.setattr(sync_module, "PART_BYTES", 100_000)
    with Store(tmp_path / "parts.duckdb") as store:
        result = sync(store, _client(server, page_size=60), SearchOptions(conditions=("cramp",)))
    assert (result.studies, result.pages) == (120, 2)
    assert parts == [5] * 24
    # the same store as when each page is decoded whole (a page below the size slices start at)
    monkeypatch.setattr(slices, "SPLIT_FROM", 1 << 40)
    with Store(tmp_path / "whole.duckdb") as store:
        sync(store, _client(server, page_size=60), SearchOptions(conditions=("cramp",)))
    assert parts[24:] == [60, 60]  # no sizes known: a part is ``chunk`` records or the page
    sliced, whole = _stored(tmp_path / "parts.duckdb"), _stored(tmp_path / "whole.duckdb")
    assert len(sliced[0]) == len(sliced[1]) == 120
    assert sliced == whole


def test_parts_of_a_plain_list_are_chunks_of_records() -> None:
    from trialfinder.service.sync import _parts

    records = [{"n": i} for i in range(7)]
    assert [len(p) for p in _parts(records, 3)] == [3, 3, 1]
    assert [p[0]["n"] for p in _parts(records, 3)] == [0, 3, 6]
    assert list(_parts([], 3)) == []
