"""Reliability: fault storms, bad input of every kind, schema drift, many threads on one cache."""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.standin import Faults, StandInApi, StandInServer, replicate
from trialfinder.cli.main import main
from trialfinder.core.codes import Distance
from trialfinder.core.config import Settings
from trialfinder.core.errors import ApiError, InvalidQueryError, TrialFinderError
from trialfinder.places.resolve import resolve_place
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.query import StudyQuery, geo_param
from trialfinder.service.searching import search
from trialfinder.topics.demo import load_demo_studies

SHARED = Path(__file__).resolve().parents[2] / "shared" / "ctgov"
Factory = Callable[..., StandInServer]


def quick(server: StandInServer, **changes: Any) -> Settings:
    values: dict[str, Any] = {"base_url": server.base_url, "use_cache": False,
                              "backoff_factor": 0.0, "requests_per_minute": 1e6,
                              "burst": 10**6, "retries": 6}
    return Settings(**(values | changes))


def nct(study: dict[str, Any]) -> str:
    return str(study["protocolSection"]["identificationModule"]["nctId"])


# -- fault storms -----------------------------------------------------------------------------


def test_fault_storm_returns_every_study_once_in_order(standin_factory: Factory) -> None:
    studies = replicate(load_demo_studies(), 5000)
    faults = Faults(seed=7, fail_rate=0.15, drop_rate=0.05, truncate_rate=0.05, html_rate=0.05,
                    empty_page_every=7)
    server = standin_factory(studies, max_page_size=250, faults=faults)
    query = StudyQuery(terms=("fictional",))
    result = TrialsClient(quick(server)).search(query)
    assert [nct(s) for s in result.studies] == [nct(s) for s in studies]
    assert result.total_count == 5000 and not result.truncated
    stats = server.stats
    assert stats.faults_injected > 10  # about 30% of the attempts failed
    assert stats.faults_injected / stats.requests > 0.2


def test_when_retries_run_out_there_is_an_error_not_a_partial_result(
    standin_factory: Factory,
) -> None:
    server = standin_factory(replicate(load_demo_studies(), 300), max_page_size=50,
                             faults=Faults(seed=1, fail_rate=0.6, max_consecutive=50))
    with pytest.raises(ApiError) as caught:
        search(settings=quick(server, retries=1), term="fictional")
    assert caught.value.status in (429, 503)


# -- bad input --------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
ESSIE_NOISE = st.text(alphabet='abc ()[]{}"\\:^~*-ANDORNOT', max_size=30)


@settings(max_examples=200, deadline=None)
@given(conditions=st.lists(st.one_of(TEXT, ESSIE_NOISE), max_size=3),
       term=st.one_of(st.none(), TEXT, ESSIE_NOISE),
       location=st.one_of(st.none(), TEXT))
def test_any_text_is_a_clear_error_or_a_query_the_api_parses(
    conditions: list[str], term: str | None, location: str | None
) -> None:
    try:
        query = StudyQuery(conditions=tuple(conditions), terms=(term,) if term else (),
                           location=location)
    except InvalidQueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    params = query.to_params()
    for value in params.values():
        assert not set(value) & set("[]{}")
    reply = API.handle("/api/v2/studies", urlencode(params | {"pageSize": "1"}))
    assert reply.status == 200, reply.text


API = StandInApi(load_demo_studies())


@settings(max_examples=150, deadline=None)
@given(lat=st.floats(allow_nan=True), lon=st.floats(allow_nan=True),
       radius=st.floats(allow_nan=True), unit=st.sampled_from(["mi", "km", "m", ""]))
def test_any_distance_is_a_clear_error_or_a_valid_filter(
    lat: float, lon: float, radius: float, unit: str
) -> None:
    try:
        near = Distance(lat, lon, radius, unit)
    except InvalidQueryError:
        return
    reply = API.handle("/api/v2/studies", urlencode({"filter.geo": geo_param(near)}))
    assert reply.status == 200, reply.text


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(
    TEXT,
    st.from_regex(r"-?\d{1,3}(\.\d+)?, ?-?\d{1,3}(\.\d+)?", fullmatch=True),
    st.from_regex(r"\d{5}", fullmatch=True),
))
def test_any_place_text_resolves_or_is_a_clear_error(text: str) -> None:
    try:
        place = resolve_place(text)
    except InvalidQueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180


OPTIONS = ["--condition", "--term", "--intervention", "--status", "--phase", "--study-type",
           "--near", "--radius", "--age", "--sex", "--healthy-volunteers", "--start-from",
           "--start-to", "--has-results", "--limit", "--format", "--columns", "--keyword",
           "--preset", "--id", "--sites", "--location"]


@pytest.fixture(scope="module")
def module_api() -> Any:
    with StandInServer(load_demo_studies()) as server:
        yield server


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.sampled_from(OPTIONS), st.one_of(TEXT, ESSIE_NOISE)),
                      min_size=1, max_size=4))
def test_any_cli_arguments_end_in_a_result_or_one_clear_line(
    pairs: list[tuple[str, str]], module_api: StandInServer,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    monkeypatch.setenv("TRIALFINDER_BASE_URL", module_api.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TRIALFINDER_RETRIES", "0")
    argv = ["search", "--no-cache"]
    for option, value in pairs:
        argv += [option] if option == "--sites" else [f"{option}={value}"]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code:
        assert err.startswith("trialfinder: ")
        assert len(err.strip().splitlines()) == 1, err


# -- schema drift -----------------------------------------------------------------------------


def real_records() -> list[dict[str, Any]]:
    if not SHARED.is_dir():
        pytest.skip("../shared/ctgov is not present")
    records: list[dict[str, Any]] = []
    for path in sorted(SHARED.glob("web_export/*.json")):
        records.extend(json.loads(path.read_bytes()))
    return records


def mutate(record: dict[str, Any], n: int) -> dict[str, Any]:
    """One of several kinds of drift, chosen by ``n``."""
    out = copy.deepcopy(record)
    proto = out["protocolSection"]
    kind = n % 6
    if kind == 0:
        proto.pop("statusModule", None)
        proto.pop("contactsLocationsModule", None)
    elif kind == 1:
        proto["designModule"] = {"phases": "PHASE2", "enrollmentInfo": {"count": "many"}}
    elif kind == 2:
        proto.setdefault("statusModule", {})["overallStatus"] = "RECRUITING_SOON_MAYBE"
    elif kind == 3:
        proto["identificationModule"]["briefTitle"] = "x" * 1_000_000
    elif kind == 4:
        for loc in proto.get("contactsLocationsModule", {}).get("locations", []):
            loc["geoPoint"] = {"lat": "north", "lon": None}
    else:
        proto["eligibilityModule"] = ["not", "a", "dict"]
    return out


def test_drifted_real_records_normalize_and_problems_are_counted() -> None:
    records = [mutate(r, i) for i, r in enumerate(real_records())]
    tables = normalize(records)
    assert len(tables.studies) == len(records)
    assert tables.skipped == 0
    assert tables.problems["unknown_status"] >= len(records) // 6
    assert sum(v for k, v in tables.problems.items() if k.startswith("wrong_type")) > 0
    assert tables.studies["title"].str.len().max() == 1_000_000


def test_drift_is_reported_to_the_user(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    records = [mutate(r, 2) for r in real_records()[:10]]
    path = tmp_path / "drift.json"
    path.write_text(json.dumps(records))
    out = tmp_path / "out.csv"
    assert main(["search", "--from-file", str(path), "--output", str(out)]) == 0
    meta = json.loads((tmp_path / "out.csv.meta.json").read_text())
    assert meta["problems"]["unknown_status"] == 10
    assert meta["rows_written"] == 10


# -- concurrency ------------------------------------------------------------------------------


def run_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[:3]
    return results


PRESET_IDS = {
    "als": ["NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029", "NCT99000041",
            "NCT99000054"],
    "caffeine-muscle": ["NCT99000003", "NCT99000007", "NCT99000042", "NCT99000043",
                        "NCT99000059"],
}


def test_twenty_threads_share_one_on_disk_cache(standin_factory: Factory, tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies(), max_page_size=2)
    # a generous timeout: on a busy machine twenty threads may wait for the CPU a while
    settings_ = quick(server, use_cache=True, cache_dir=tmp_path / "cache", timeout=120.0)
    shared_client = TrialsClient(settings_)
    names = list(PRESET_IDS)

    def work(i: int) -> list[str]:
        client = shared_client if i % 2 else TrialsClient(settings_)  # sessions and one client
        res = search(client=client, preset=names[i % 2])
        return list(res.studies["nct_id"])

    for _ in range(2):  # cold, then warm
        results = run_threads(20, work)
        assert results == [PRESET_IDS[names[i % 2]] for i in range(20)]
    with sqlite3.connect(settings_.cache_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_every_error_is_a_trialfinder_error(standin_factory: Factory) -> None:
    server = standin_factory(load_demo_studies(), faults=Faults(seed=2, truncate_rate=0.99,
                                                                 max_consecutive=100))
    with pytest.raises(TrialFinderError, match="not valid JSON"):
        search(settings=quick(server, retries=1), preset="als")
