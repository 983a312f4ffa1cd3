"""The public Python API: exported names, and the README's Python examples run as written."""

from __future__ import annotations

import gc
import json
import os
import pickle
import re
import subprocess
import sys
import threading
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trialfinder as tf
from devtools.standin import StandInServer
from trialfinder import service
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.provenance import FilterCount, ResultMeta
from trialfinder.options import OPTIONS
from trialfinder.topics.demo import load_demo_studies

README = Path(__file__).resolve().parents[1] / "README.md"
SRC = os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"),
                       os.environ.get("PYTHONPATH", "")])


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(tf)
              if not name.startswith("_") and not isinstance(getattr(tf, name), types.ModuleType)}
    assert public | {"__version__"} == set(tf.__all__)
    assert len(tf.__all__) == len(set(tf.__all__))
    assert tf.ResultMeta is ResultMeta
    assert tf.search is service.search
    with pytest.raises(AttributeError, match="no attribute 'serach'"):
        tf.serach  # noqa: B018


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    studies = load_demo_studies()
    server = standin_factory(studies)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ctg-studies.json").write_text(json.dumps(studies))
    blocks = python_blocks(README.read_text())
    assert blocks, "the README has no Python example"
    code = "\n".join(blocks).replace("NCT01234567", "NCT99000017")  # a study the stand-in has
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    res = namespace["res"]
    assert list(res.studies["nct_id"]) == [  # type: ignore[attr-defined]
        "NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029", "NCT99000041",
        "NCT99000054"]
    assert (tmp_path / "als.csv").exists() and (tmp_path / "als.csv.meta.json").exists()
    assert len(namespace["tables"].studies) == 60  # type: ignore[attr-defined]
    detail = namespace["detail"]
    assert list(detail.results.studies["nct_id"]) == ["NCT99000017"]  # type: ignore[attr-defined]
    assert detail.results.sites["distance_mi"].notna().any()  # type: ignore[attr-defined]
    # the pre-screen's example has studies to judge (as `match` searches: recruiting or not
    # yet recruiting), not an empty table on the demo's studies
    screen = namespace["screen"]
    assert dict(zip(screen.studies["nct_id"], screen.studies["verdict"],  # type: ignore[attr-defined]
                    strict=True)) == {"NCT99000054": "check", "NCT99000041": "no"}


# -- wrong argument types are our errors, and nothing is sent ------------------------------


class NoNetwork(requests.Session):
    """A session that records any attempt to send (none is expected)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        self.sent.append(str(url))
        raise AssertionError(f"a request was sent: {url!r}")


def offline_client(tmp_path: Path) -> tuple[tf.TrialsClient, NoNetwork]:
    session = NoNetwork()
    settings = tf.Settings(base_url="http://127.0.0.1:9", cache_dir=tmp_path, use_cache=False)
    return tf.TrialsClient(settings, session=session), session


ANYTHING = st.one_of(st.integers(), st.floats(allow_nan=True), st.binary(max_size=5),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                     st.builds(object), st.booleans())
NOT_TEXT = ANYTHING.filter(lambda v: not isinstance(v, str))
NOT_A_LIST_OF_TEXTS = st.one_of(NOT_TEXT, st.lists(NOT_TEXT, min_size=1, max_size=3))
NOT_A_FLAG = st.one_of(st.integers(), st.text(max_size=4), st.floats(), st.builds(object))
NOT_A_NUMBER = st.one_of(st.text(max_size=4), st.booleans(), st.lists(st.integers(), max_size=2),
                         st.binary(max_size=3), st.builds(object))
NOT_A_LIMIT = st.one_of(st.floats(), st.text(max_size=4), st.booleans(), st.builds(object),
                        st.integers(max_value=0))
NOT_A_PLACE = st.one_of(st.integers(), st.floats(), st.binary(max_size=3), st.builds(object),
                        st.lists(st.floats(-10, 10), min_size=3, max_size=4).map(tuple),
                        st.tuples(st.text(max_size=3), st.text(max_size=3)))

def _whole_numbers(value: Any) -> bool:
    """Phases may be given as numbers (``phase=(2, 3)``): not a wrong type."""
    items = value if isinstance(value, list) else [value]
    return any(isinstance(v, int) and not isinstance(v, bool) for v in items)


WRONG = st.one_of(
    *(st.tuples(st.just(name), NOT_A_LIST_OF_TEXTS) for name in
      ("condition", "term", "intervention", "nct_ids", "status", "study_type",
       "countries", "states", "cities", "intervention_types")),
    st.tuples(st.just("phase"), NOT_A_LIST_OF_TEXTS.filter(lambda v: not _whole_numbers(v))),
    *(st.tuples(st.just(name), NOT_TEXT.filter(lambda v: v is not None)) for name in
      ("location", "title", "sponsor", "sex", "preset", "keyword", "start_from", "start_to")),
    *(st.tuples(st.just(name), NOT_A_FLAG) for name in ("healthy_volunteers", "has_results")),
    st.tuples(st.just("age"), NOT_A_NUMBER),
    st.tuples(st.just("limit"), NOT_A_LIMIT),
    st.tuples(st.just("near"), NOT_A_PLACE),
    st.tuples(st.just("radius"), NOT_A_NUMBER.filter(lambda v: not isinstance(v, str))),
    st.tuples(st.just("progress"), st.one_of(st.integers(), st.text(max_size=3))),
    st.tuples(st.just("bogus_option"), ANYTHING),
)


# each option's own message is checked in test_wrong_arguments_are_named; 150 examples still
# give every option several wrong values
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(wrong=WRONG)
def test_a_wrong_argument_type_is_an_invalid_query_and_nothing_is_sent(
    wrong: tuple[str, Any], tmp_path: Path
) -> None:
    name, value = wrong
    client, session = offline_client(tmp_path)
    args: dict[str, Any] = {"condition": "asthma", name: value}
    if name == "radius":
        args["near"] = (42.36, -71.06)
    with pytest.raises(tf.InvalidQueryError) as caught:
        tf.search(client=client, **args)
    message = str(caught.value)
    if name == "bogus_option":  # told every name search takes: a fixed list, bounded by them
        message, listing = message.split("; choose from: ")
        assert set(listing.split(", ")) == _search_takes()
    assert "\n" not in message and len(message) < 400
    assert name in message or "radius" in message or "near" in message or "unknown" in message
    assert session.sent == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"limit": 2.5}, "limit must be a whole number of studies, not float 2.5"),
        ({"limit": "x"}, "limit must be a whole number of studies, not str 'x'"),
        ({"limit": 0}, "limit must be at least 1, not 0"),
        ({"condition": 5}, "condition must be text or a list of texts, not int 5"),
        ({"condition": b"als"}, "condition must be text or a list of texts, not bytes b'als'"),
        ({"status": 3}, "status must be text or a list of texts, not int 3"),
        ({"near": "42.36,-71.06", "radius": object()}, "radius must be a number, not object"),
        ({"healthy_volunteers": "yes"},
         "healthy_volunteers must be True, False or None, not str 'yes'"),
        ({"countries": [1]}, "countries must be text or a list of texts, not a list holding"),
        # the one meant is named, as a misspelt --condtion is on the command line
        ({"conditon": "als"}, "unknown search option(s) 'conditon' (did you mean "
                              "condition?); choose from: preset, "),
        ({"colour": "red"}, "unknown search option(s) 'colour'; choose from: preset, "),
    ],
)
def test_wrong_arguments_are_named(tmp_path: Path, args: dict[str, Any], message: str) -> None:
    client, session = offline_client(tmp_path)
    with pytest.raises(tf.InvalidQueryError) as caught:
        tf.search(client=client, **({"condition": "asthma"} | args))
    assert str(caught.value).startswith(message)
    assert session.sent == []


def _search_takes() -> set[str]:
    """Every keyword argument ``tf.search`` takes: its own and the search options'."""
    import inspect

    own = [name for name, p in inspect.signature(tf.search).parameters.items()
           if p.kind is not p.VAR_KEYWORD]
    return set(own) | {d.kwarg for d in OPTIONS}


def test_an_unknown_option_lists_every_option_search_takes(tmp_path: Path) -> None:
    """``limit`` and ``keyword`` were taken but not listed."""
    client, session = offline_client(tmp_path)
    with pytest.raises(tf.InvalidQueryError) as caught:
        tf.search(client=client, condtion="asthma")
    listed = str(caught.value).split("; choose from: ")[1].split(", ")
    assert _search_takes() == set(listed) and len(listed) == len(set(listed))
    assert {"limit", "keyword"} <= set(listed)
    with pytest.raises(tf.InvalidQueryError) as caught:
        tf.search_records([], source="a test", condtion="asthma")
    assert "keyword" in str(caught.value).split("; choose from: ")[1].split(", ")
    assert session.sent == []


def test_settings_take_folders_as_text_and_refuse_other_types(tmp_path: Path) -> None:
    """A folder given as text (what a script passes) is a path: the cache file lands in it;
    a folder of another type is one clear error, not a TypeError when the cache opens."""
    settings = tf.Settings(base_url="http://127.0.0.1:9/api/v2", cache_dir=str(tmp_path / "c"),
                           data_dir=str(tmp_path / "d"))
    assert settings.cache_path == tmp_path / "c" / "http_cache.sqlite"
    assert settings.store_path == tmp_path / "d" / "studies.duckdb"
    with pytest.raises(tf.InvalidQueryError, match=r"^cache_dir must be a folder's path, not int$"):
        tf.Settings(cache_dir=3)  # type: ignore[arg-type]


def test_study_query_and_build_query_check_types_too() -> None:
    with pytest.raises(tf.InvalidQueryError, match="conditions must be text"):
        tf.StudyQuery(conditions=5)  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="age must be a number, not bool True"):
        tf.StudyQuery(conditions=("asthma",), age=True)
    with pytest.raises(tf.InvalidQueryError, match="near must be a Distance, not tuple"):
        tf.StudyQuery(conditions=("asthma",), near=(42.0, -71.0))  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="radius must be a number"):
        tf.Distance(42.0, -71.0, object())  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="start_from must be text or a date"):
        tf.build_query(condition="asthma", start_from=2024)  # type: ignore[arg-type]
    # friendly values keep working
    query = tf.build_query(condition=["asthma"], phase=(2, "phase 3"), age=30,
                           start_from=date(2024, 5, 1), near=[42.36, -71.06], radius=25)
    assert query.to_params()["filter.geo"] == "distance(42.36,-71.06,25mi)"
    assert "AREA[StartDate]RANGE[2024-05-01, MAX]" in query.to_params()["filter.advanced"]
    assert [p.value for p in query.phases] == ["PHASE2", "PHASE3"]


# -- ResultMeta ----------------------------------------------------------------------------


def test_result_meta_round_trips_through_plain_json(tmp_path: Path) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps(load_demo_studies()))
    res = tf.search_file(download, preset="als", status="terminated")
    meta = res.meta
    assert isinstance(meta, tf.ResultMeta)
    assert (meta.records_read, meta.studies_fetched, meta.total_reported) == (60, 6, None)
    assert meta.rows == {"studies": 2, "sites": len(res.sites)}
    assert [(f.name, f.removed) for f in meta.filters if f.removed] == [("status TERMINATED", 4)]
    data = json.loads(json.dumps(meta.to_dict()))
    assert "answered_from" not in data and data["records_read"] == 60
    assert tf.ResultMeta.from_dict(data) == meta
    # the provenance file of an export reads back as the same record
    written = res.to_csv(tmp_path / "als.csv")
    sidecar = json.loads((tmp_path / "als.csv.meta.json").read_text())
    assert sidecar["rows_written"] == 2 and sidecar["file"] == written.name
    assert tf.ResultMeta.from_dict(sidecar) == meta
    # code written for the old dict still reads it
    assert meta["records_read"] == 60 and meta.get("answered_from") is None
    assert "topic" in meta and "answered_from" not in meta


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"total_reported": "12"}, "provenance field 'total_reported' must be a whole number"),
        ({"requests": -1}, "provenance field 'requests' must be a whole number of 0 or more"),
        ({"truncated": 1}, "provenance field 'truncated' must be true or false, not int"),
        ({"warnings": "one"}, "provenance field 'warnings' must be a list of texts, not text"),
        ({"query": {"query.cond": 5}}, "provenance field 'query' must be an object of texts"),
        ({"problems": {"bad_date": True}}, "provenance field 'problems.bad_date' must be"),
        ({"filters": [{"name": "status"}]}, "provenance field 'filters.removed' must be"),
        ({"pickle": "x"}, "provenance has unknown field(s): pickle"),
    ],
)
def test_result_meta_from_dict_refuses_wrong_values(change: dict[str, Any], message: str) -> None:
    data = tf.ResultMeta(source="s", query={"query.cond": "asthma"}).to_dict() | change
    with pytest.raises(tf.DataFileError) as caught:
        tf.ResultMeta.from_dict(data)
    assert str(caught.value).startswith(message)
    with pytest.raises(tf.DataFileError, match="must be a JSON object, not a list"):
        tf.ResultMeta.from_dict([])  # type: ignore[arg-type]


def test_importing_trialfinder_loads_no_pandas() -> None:
    code = ("import sys, trialfinder as tf; assert 'pandas' not in sys.modules; "
            "tf.ResultMeta; assert 'pandas' not in sys.modules; tf.search; "
            "assert 'pandas' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=os.environ | {"PYTHONPATH": SRC})
    assert done.returncode == 0, done.stderr


# -- the GC pause is short and scoped ------------------------------------------------------


def test_the_collector_runs_while_pages_are_fetched(
    standin_factory: Callable[..., StandInServer], tmp_path: Path
) -> None:
    server = standin_factory(load_demo_studies())
    settings = tf.Settings(base_url=server.base_url, cache_dir=tmp_path, use_cache=False,
                           page_size=10, requests_per_minute=60000)
    seen: list[bool] = []
    res = tf.search(condition="muscle", settings=settings, limit=25,
                    progress=lambda fetched, total: seen.append(gc.isenabled()))
    assert len(res.all.studies) == 25
    assert seen == [True, True, True]
    assert gc.isenabled()


def test_pauses_from_two_threads_nest() -> None:
    first_in, second_in, first_out = (threading.Event() for _ in range(3))
    states: dict[str, bool] = {}

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with gc_paused():
            second_in.set()
            first_out.wait(10)
            states["after the first left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == {"after the first left": False}
    assert gc.isenabled()


def test_local_searches_check_their_arguments(tmp_path: Path) -> None:
    with pytest.raises(tf.InvalidQueryError, match="records must be a list of study records"):
        tf.search_records(b"[]", source="x")  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="keyword must be text, not int 5"):
        tf.search_records([], source="x", keyword=5)  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="path must be a file name, not int"):
        tf.search_file(5)  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match="unknown search option"):
        tf.search_records([], source="x", conditon="als")
    studies = load_demo_studies()
    with pytest.raises(tf.InvalidQueryError, match=r"near \(lat, lon\) must be a number"):
        tf.study_detail("NCT99000017", records=studies, near=("42", "-71"))  # type: ignore[arg-type]
    with pytest.raises(tf.InvalidQueryError, match=r"latitude must be within -90\.\.90"):
        tf.study_detail("NCT99000017", records=studies, near=(95.0, 0.0))
    detail = tf.study_detail("NCT99000017", records=studies, near=(42.36, -71.06))
    assert detail.results.sites["distance_mi"].notna().any()


def test_result_meta_survives_pickling() -> None:
    # the dashboard caches results with st.cache_data, which pickles them
    meta = tf.ResultMeta(source="x", query={"query.cond": "asthma"}, warnings=("w",),
                         filters=(FilterCount("status", 2, None),), rows={"studies": 1})
    assert pickle.loads(pickle.dumps(meta)) == meta


def test_records_narrowed_by_a_text_query_keep_only_their_contacts_and_officials() -> None:
    from trialfinder.topics.demo import load_demo_studies

    records = load_demo_studies()
    every = tf.search_records(records, source="demo records")
    res = tf.search_records(records, source="demo records", condition="ALS")
    kept = set(res.all.studies["nct_id"])
    assert 0 < len(kept) < len(every.all.studies)
    for name in ("sites", "conditions", "interventions", "contacts", "officials"):
        table = getattr(res.all, name)
        assert set(table["nct_id"]) <= kept, name
        assert len(table) == int(getattr(every.all, name)["nct_id"].isin(kept).sum()), name
