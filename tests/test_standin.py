"""The loopback stand-in for the ClinicalTrials.gov API v2 (``devtools.standin``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
import requests

from devtools.standin import (
    PIECES,
    Faults,
    Reply,
    StandInApi,
    StandInServer,
    find_shared_dir,
    load_dataset,
    replicate,
)
from trialfinder.core.codes import Phase, Sex, Status
from trialfinder.registries.ctgov.query import StudyQuery

SHARED = find_shared_dir()
SPEC = SHARED / "spec" / "ctg-oas-v2_2.0.5.yaml" if SHARED else None
METADATA = SHARED / "other_endpoints" / "studies_metadata_2025-05_metamonk.json" if SHARED else None
ALL_IDS = [f"NCT991000{n:02d}" for n in range(1, 13)]

#: A malformed id (all zeros): the API answers 400 for it.
ZERO_ID = "NCT" + "0" * 8


def call(api: StandInApi, path: str = "/studies", **params: Any) -> Reply:
    return api.handle("/api/v2" + path, urlencode(params))


def ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in reply.json()["studies"]]


@pytest.fixture
def api(standin_studies: list[dict[str, Any]]) -> StandInApi:
    return StandInApi(standin_studies)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # never send loopback requests through a proxy
        yield s


# -- paging ------------------------------------------------------------------------------------


def test_pages_follow_next_page_token_and_total_count_is_only_on_page_one(
    api: StandInApi,
) -> None:
    first = call(api, pageSize=5, countTotal="true")
    body = first.json()
    assert first.headers == {"Content-Type": "application/json"}
    assert list(body) == ["studies", "nextPageToken", "totalCount"]
    assert body["totalCount"] == 12
    assert ids(first) == ALL_IDS[:5]

    second = call(api, pageSize=5, countTotal="true", pageToken=body["nextPageToken"])
    body2 = second.json()
    assert ids(second) == ALL_IDS[5:10]
    assert "totalCount" not in body2
    assert body2["nextPageToken"] != body["nextPageToken"]

    last = call(api, pageSize=5, pageToken=body2["nextPageToken"])
    assert ids(last) == ALL_IDS[10:]
    assert list(last.json()) == ["studies"]  # no nextPageToken key on the last page


def test_page_size_default_zero_and_coercion(standin_studies: list[dict[str, Any]]) -> None:
    api = StandInApi(standin_studies)
    assert len(ids(call(api))) == 10
    assert len(ids(call(api, pageSize=0))) == 10
    assert len(ids(call(api, pageSize=99999))) == 12  # coerced down to 1000, not rejected
    capped = StandInApi(standin_studies, max_page_size=5)
    reply = call(capped, pageSize=50)
    assert ids(reply) == ALL_IDS[:5]
    assert "nextPageToken" in reply.json()


@pytest.mark.parametrize("size", ["-1", "abc", "2.5"])
def test_bad_page_size_is_a_400(api: StandInApi, size: str) -> None:
    reply = call(api, pageSize=size)
    assert (reply.status, reply.headers["Content-Type"]) == (400, "text/plain")
    assert reply.text == f"Invalid value in parameter `pageSize`: `{size}`"


def test_page_size_may_change_between_pages(api: StandInApi) -> None:
    token = call(api, pageSize=3).json()["nextPageToken"]
    assert ids(call(api, pageSize=8, pageToken=token)) == ALL_IDS[3:11]


def test_page_token_must_match_the_other_parameters(api: StandInApi) -> None:
    token = call(api, pageSize=2, **{"query.cond": "asthma OR migraine"}).json()["nextPageToken"]
    assert ids(call(api, pageSize=2, pageToken=token, **{"query.cond": "asthma OR migraine"})) \
        == ["NCT99100006"]
    other = call(api, pageSize=2, pageToken=token, **{"query.cond": "asthma"})
    assert other.status == 400
    assert other.text.startswith("pageToken does not belong to these parameters")
    garbage = call(api, pageToken="garbage!")
    assert (garbage.status, garbage.text) == (
        400, "pageToken has incorrect format for value garbage!")


def test_empty_pages_still_carry_a_token(standin_studies: list[dict[str, Any]]) -> None:
    api = StandInApi(standin_studies, faults=Faults(empty_page_every=2))
    seen: list[str] = []
    sizes: list[int] = []
    params: dict[str, Any] = {"pageSize": 5}
    while True:
        reply = call(api, **params)
        body = reply.json()
        sizes.append(len(body["studies"]))
        seen += ids(reply)
        if "nextPageToken" not in body:
            break
        params["pageToken"] = body["nextPageToken"]
    assert sizes == [5, 0, 5, 0, 2]
    assert seen == ALL_IDS


# -- queries and filters -----------------------------------------------------------------------


@pytest.mark.parametrize(("params", "expected"), [
    ({"query.cond": "asthma"}, ["NCT99100001", "NCT99100006"]),
    ({"query.cond": "ASTHMA OR migraine"}, ["NCT99100001", "NCT99100003", "NCT99100006"]),
    ({"query.cond": "(asthma OR migraine) AND obesity"}, ["NCT99100006"]),
    ({"query.cond": "asthma NOT obesity"}, ["NCT99100001"]),
    ({"query.cond": "failure heart"}, ["NCT99100002"]),
    ({"query.cond": '"failure heart"'}, []),
    ({"query.cond": '"heart failure"'}, ["NCT99100002"]),
    ({"query.cond": "carcinoma"}, ["NCT99100005"]),  # MeSH term
    ({"query.cond": "headache"}, ["NCT99100003"]),  # keyword
    ({"query.cond": "migr*"}, ["NCT99100003"]),
    # a plural ending matches either way, as the API's stemming does (not a prefix: migraines*)
    ({"query.cond": "migraines"}, ["NCT99100003"]),
    ({"query.cond": "headaches"}, ["NCT99100003"]),
    ({"query.cond": '"heart failures"'}, ["NCT99100002"]),
    ({"query.cond": "migraines*"}, []),
    ({"query.term": "FX-101"}, ["NCT99100001"]),
    ({"query.term": "fictional filler 12"}, ["NCT99100012"]),
    ({"query.intr": "fictonide"}, ["NCT99100001"]),
    ({"query.intr": "FX-101"}, ["NCT99100001"]),
    ({"query.locn": "lyon"}, ["NCT99100001", "NCT99100002", "NCT99100005"]),
    ({"query.locn": "Massachusetts"}, ["NCT99100001", "NCT99100003"]),
    ({"query.titles": "Migraine"}, ["NCT99100003"]),
    ({"query.spons": "Imaginary University"}, ["NCT99100001"]),
    ({"query.id": "NCT99100106"}, ["NCT99100006"]),  # an alias
    ({"filter.overallStatus": "RECRUITING|NOT_YET_RECRUITING"},
     ["NCT99100001", "NCT99100003", "NCT99100004"]),
    ({"filter.overallStatus": "TERMINATED,ACTIVE_NOT_RECRUITING"},
     ["NCT99100005", "NCT99100006"]),
    ({"filter.ids": "NCT99100005,nct99100003"}, ["NCT99100003", "NCT99100005"]),
    ({"filter.ids": "NCT99100002|NCT99100106"}, ["NCT99100002", "NCT99100006"]),
    # a query made only of NCT ids makes the API ignore the filters
    ({"query.term": "NCT99100003", "filter.overallStatus": "COMPLETED"}, ["NCT99100003"]),
    ({"query.cond": "asthma", "filter.overallStatus": "RECRUITING"}, ["NCT99100001"]),
])
def test_queries_and_filters(
    api: StandInApi, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(call(api, pageSize=100, **params)) == expected


@pytest.mark.parametrize(("geo", "expected"), [
    ("distance(42.36,-71.06,50mi)", ["NCT99100001", "NCT99100003"]),  # Boston + Worcester
    ("distance(42.36,-71.06,20mi)", ["NCT99100001"]),
    ("distance(42.36,-71.06,100km)", ["NCT99100001", "NCT99100003"]),
    ("distance(42.36,-71.06,300mi)", ["NCT99100001", "NCT99100003", "NCT99100005"]),
    ("distance(45.76,4.84,10km)", ["NCT99100001", "NCT99100002", "NCT99100005"]),
    ("distance(-33.87,151.21,50mi)", []),
])
def test_geo_filter(api: StandInApi, geo: str, expected: list[str]) -> None:
    assert ids(call(api, **{"filter.geo": geo})) == expected


@pytest.mark.parametrize(("advanced", "expected"), [
    ("AREA[Phase]PHASE2", ["NCT99100001", "NCT99100005"]),
    ("AREA[Phase](PHASE3 OR NA)", ["NCT99100003", "NCT99100004", "NCT99100006"]),
    ("AREA[StudyType]OBSERVATIONAL", ["NCT99100002"]),
    ("AREA[Sex]FEMALE", ["NCT99100003"]),
    ("AREA[HealthyVolunteers]true", ["NCT99100004"]),
    ("AREA[HasResults]true", ["NCT99100002"]),
    ("AREA[MinimumAge]MISSING", ["NCT99100004"]),
    ("AREA[MinimumAge]RANGE[MIN, 14 years]", ["NCT99100003"]),
    ("AREA[MaximumAge]RANGE[58 years, MAX]", ["NCT99100001"]),
    ("AREA[MinimumAge]RANGE[MIN, 58 years] AND "
     "(AREA[MaximumAge]RANGE[58 years, MAX] OR AREA[MaximumAge]MISSING)",
     [i for i in ALL_IDS if i not in ("NCT99100003", "NCT99100004")]),
    ("AREA[StartDate]RANGE[2023-01, MAX]", ["NCT99100003", "NCT99100004"]),
    ("AREA[StartDate]RANGE[2018, 2019]", ["NCT99100002", "NCT99100006"]),
    ("AREA[StartDate]2022", ["NCT99100005"]),
    ("AREA[LocationCountry]France AND NOT AREA[Phase]PHASE2", ["NCT99100002"]),
    ("AREA[OverallStatus]TERMINATED OR AREA[InterventionType]DIETARY_SUPPLEMENT",
     ["NCT99100004", "NCT99100006"]),
])
def test_advanced_filter(api: StandInApi, advanced: str, expected: list[str]) -> None:
    assert ids(call(api, pageSize=100, **{"filter.advanced": advanced})) == expected


def test_study_query_parameters_from_the_library_work(api: StandInApi) -> None:
    query = StudyQuery(conditions=("asthma", "heart failure"), age=50, sex=Sex.FEMALE,
                       statuses=(Status.RECRUITING, Status.COMPLETED))
    assert ids(call(api, **query.to_params())) == ["NCT99100001", "NCT99100002"]
    query = StudyQuery(phases=(Phase.PHASE2, Phase.PHASE3), has_results=False,
                       start_from="2022-01")
    assert ids(call(api, **query.to_params())) == ["NCT99100003", "NCT99100005"]


# -- error messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "message"), [
    ({"query.recrs": "x"}, "`query.recrs` is unknown parameter"),
    ({"filter.overallStatus": "RECRUITING,XYZ"},
     "Invalid value in parameter `overallStatus`: `XYZ`"),
    ({"filter.ids": "NCT99100001,NCT123X"}, "filter.ids has incorrect format for value NCT123X"),
    ({"filter.ids": ZERO_ID}, f"filter.ids has incorrect format for value {ZERO_ID}"),
    ({"filter.geo": "distance(42.36,-71.06)"},
     "filter.geo has incorrect format for value distance(42.36,-71.06)"),
    ({"filter.geo": "distance(42.36,-71.06,50miles)"},
     "filter.geo has incorrect format for value distance(42.36,-71.06,50miles)"),
    ({"filter.advanced": "AREA[NotARealField]x"},
     "Error parsing query in advanced filter: Unknown area name: `NotARealField`"),
    ({"filter.advanced": "AREA[Phase]PHASE9"},
     "Error parsing query in advanced filter: Allowed values for enum field "
     "`protocolSection.designModule.phases` are `NA`, `EARLY_PHASE1`, `PHASE1`, `PHASE2`, "
     "`PHASE3`, `PHASE4`"),
    ({"filter.advanced": "(AREA[Phase]PHASE2"},
     "Error parsing query in advanced filter: missing ')' at '<EOF>'"),
    ({"filter.advanced": "AREA[Phase]PHASE2 AND"},
     "Error parsing query in advanced filter: mismatched input '<EOF>' expecting "
     "{'(', AREA, WORD, QUOTE}"),
    ({"query.term": "foo bar [x]"},
     "Error parsing query in Other terms: no viable alternative at input 'foo bar ['"),
    ({"query.term": "asthma)"}, "Error parsing query in Other terms: extraneous input ')' "
                                "expecting <EOF>"),
    ({"query.cond": "(asthma"}, "Error parsing query in Conditions: missing ')' at '<EOF>'"),
    ({"fields": "NCTId,StudyDesign"},
     "Parameter 'fields' contains invalid field name: 'StudyDesign'"),
    ({"format": "csv"}, "stand-in serves json only"),
    ({"countTotal": "yes"}, "Invalid value in parameter `countTotal`: `yes`"),
    ({"sort": "LastUpdatePostDate"}, "stand-in does not support parameter `sort`"),
])
def test_400_messages(api: StandInApi, params: dict[str, str], message: str) -> None:
    reply = call(api, **params)
    assert (reply.status, reply.headers, reply.text) == (
        400, {"Content-Type": "text/plain"}, message)


def test_unknown_paths_get_the_nginx_404(api: StandInApi) -> None:
    for path in ("/api/query/full_studies", "/", "/api/v1/studies", "/api/v2/nothing"):
        reply = api.handle(path, "")
        assert (reply.status, reply.headers["Content-Type"]) == (404, "text/html")
        assert b"<center>nginx</center>" in reply.body


# -- fields ------------------------------------------------------------------------------------


def test_fields_prune_and_keep_the_nested_shape(api: StandInApi) -> None:
    reply = call(api, pageSize=4, fields="NCTId,LocationCity|LocationGeoPoint")
    studies = reply.json()["studies"]
    assert studies[0] == {"protocolSection": {
        "identificationModule": {"nctId": "NCT99100001"},
        "contactsLocationsModule": {"locations": [
            {"city": "Boston", "geoPoint": {"lat": 42.3601, "lon": -71.0589}},
            {"city": "Lyon", "geoPoint": {"lat": 45.764, "lon": 4.8357}},
        ]},
    }}
    assert studies[3] == {"protocolSection": {"identificationModule": {"nctId": "NCT99100004"}}}


def test_fields_modules_sections_and_has_results(
    api: StandInApi, standin_studies: list[dict[str, Any]]
) -> None:
    study = call(api, pageSize=1, fields="ConditionsModule,HasResults,Phase").json()["studies"][0]
    assert study == {
        "protocolSection": {
            "conditionsModule": {"conditions": ["Asthma"], "keywords": ["inhaler"]},
            "designModule": {"phases": ["PHASE2"]},
        },
        "hasResults": False,
    }
    derived = call(api, pageSize=1, fields="DerivedSection").json()["studies"][0]
    assert derived == {"derivedSection": standin_studies[0]["derivedSection"]}
    mesh = call(api, pageSize=1, fields="conditionmeshterm").json()["studies"][0]
    assert mesh == {"derivedSection": {"conditionBrowseModule": {"meshes": [{"term": "Asthma"}]}}}


# -- single study and version ------------------------------------------------------------------


def test_single_study(api: StandInApi, standin_studies: list[dict[str, Any]]) -> None:
    full = call(api, "/studies/NCT99100003")
    assert full.headers == {"Content-Type": "application/json"}
    assert full.json() == standin_studies[2]
    assert call(api, "/studies/nct99100003").json() == standin_studies[2]
    pruned = call(api, "/studies/NCT99100003", fields="NCTId,BriefTitle").json()
    assert pruned == {"protocolSection": {"identificationModule": {
        "nctId": "NCT99100003", "briefTitle": "Fictional Migraine Prevention Trial"}}}


def test_single_study_errors_and_alias(api: StandInApi) -> None:
    missing = call(api, "/studies/NCT99999998")
    assert (missing.status, missing.headers, missing.text) == (
        404, {"Content-Type": "text/plain"}, "Study NCT99999998 not found")
    bad = call(api, f"/studies/{ZERO_ID}")
    assert (bad.status, bad.text) == (400, f"nctId has incorrect format for value {ZERO_ID}")
    assert call(api, "/studies/NCT9910000X").status == 400
    csv = call(api, "/studies/NCT99100003", format="csv")
    assert (csv.status, csv.text) == (400, "stand-in serves json only")
    unknown = call(api, "/studies/NCT99100003", pageSize=3)
    assert (unknown.status, unknown.text) == (400, "`pageSize` is unknown parameter")
    alias = call(api, "/studies/NCT99100106")
    assert (alias.status, alias.headers["Location"]) == (301, "/api/v2/studies/NCT99100006")


def test_version(standin_studies: list[dict[str, Any]]) -> None:
    assert call(StandInApi(standin_studies), "/version").json() == {
        "apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}
    custom = StandInApi([], api_version="2.0.9", data_timestamp="2027-01-02T03:04:05")
    assert call(custom, "/version").json() == {
        "apiVersion": "2.0.9", "dataTimestamp": "2027-01-02T03:04:05"}
    assert call(custom, "/studies").json() == {"studies": []}


# -- faults ------------------------------------------------------------------------------------


def test_script_faults_come_first_then_normal_answers(
    standin_studies: list[dict[str, Any]],
) -> None:
    api = StandInApi(standin_studies, faults=Faults(script=[429, 503, 200, 0], retry_after="2"))
    first, second, third, fourth, fifth = (call(api, "/version") for _ in range(5))
    assert (first.status, first.headers["Retry-After"], first.fault) == (429, "2", "script_429")
    assert (second.status, second.headers["Retry-After"], second.fault) == (503, "2", "script_503")
    assert (third.status, third.fault) == (200, None)
    assert (fourth.drop, fourth.fault) == (True, "script_drop")
    assert fifth.json()["apiVersion"] == "2.0.5"


def test_random_faults_are_seeded_and_never_starve_a_retrying_client(
    standin_studies: list[dict[str, Any]],
) -> None:
    faults = Faults(seed=7, fail_rate=0.4, drop_rate=0.2, truncate_rate=0.1, html_rate=0.1)

    def kinds() -> list[str | None]:
        api = StandInApi(standin_studies, faults=faults)
        return [call(api, pageSize=2, **{"query.term": str(i % 3)}).fault for i in range(60)]

    first = kinds()
    assert first == kinds()  # same seed, same sequence
    assert {"429", "503", "drop", "truncate", "html"} <= set(first)

    api = StandInApi(standin_studies, faults=faults)
    for _ in range(30):  # the same URL is never faulted more than twice in a row
        attempts = 1
        while call(api, pageSize=5).fault is not None:
            attempts += 1
        assert attempts <= 3


def test_fault_shapes(standin_studies: list[dict[str, Any]]) -> None:
    api = StandInApi(standin_studies, faults=Faults(seed=1, truncate_rate=0.5))
    normal = call(StandInApi(standin_studies), pageSize=3).body
    truncated = next(r for r in (call(api, pageSize=3) for _ in range(50)) if r.fault)
    assert (truncated.status, truncated.body) == (200, normal[: len(normal) // 2])
    with pytest.raises(orjson.JSONDecodeError):
        truncated.json()
    api.set_faults(Faults(seed=1, html_rate=0.5))
    html = next(r for r in (call(api, pageSize=3) for _ in range(50)) if r.fault)
    assert (html.status, html.headers["Content-Type"]) == (200, "text/html")
    assert html.body.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("options", [
    {"fail_rate": 0.6, "drop_rate": 0.4},
    {"fail_rate": 1.5},
    {"empty_page_every": 1},
    {"script": [302]},
    {"latency": -1.0},
])
def test_invalid_faults_are_rejected(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Faults(**options)


# -- over HTTP ---------------------------------------------------------------------------------


def test_server_pages_over_http_with_keep_alive(
    standin: StandInServer, session: requests.Session
) -> None:
    assert standin.base_url == f"http://127.0.0.1:{standin.port}/api/v2"
    url = standin.base_url + "/studies"
    params: dict[str, Any] = {"pageSize": 5, "countTotal": "true", "fields": "NCTId"}
    seen: list[str] = []
    while True:
        response = session.get(url, params=params, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert int(response.headers["Content-Length"]) == len(response.content)
        body = response.json()
        seen += [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]
        if "nextPageToken" not in body:
            break
        params["pageToken"] = body["nextPageToken"]
    assert seen == ALL_IDS
    stats = standin.stats
    assert (stats.requests, stats.connections) == (3, 1)  # one pooled connection
    assert stats.paths == {"/api/v2/studies": 3}
    assert stats.statuses == {200: 3}
    assert stats.bytes_sent > 0
    standin.reset_stats()
    assert standin.stats.requests == 0


def test_server_errors_over_http(standin: StandInServer, session: requests.Session) -> None:
    response = session.get(standin.base_url + "/studies",
                           params={"filter.overallStatus": "XYZ"}, timeout=5)
    assert (response.status_code, response.headers["Content-Type"], response.text) == (
        400, "text/plain", "Invalid value in parameter `overallStatus`: `XYZ`")
    response = session.get(standin.root_url + "/api/query/full_studies", timeout=5)
    assert response.status_code == 404
    assert "nginx" in response.text
    head = session.head(standin.base_url + "/version", timeout=5)
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["Content-Length"]) > 0


def test_server_faults_over_http(
    standin_factory: Callable[..., StandInServer], session: requests.Session
) -> None:
    server = standin_factory(faults=Faults(script=[429, 0, 503]))
    url = server.base_url + "/version"
    first = session.get(url, timeout=5)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "0")
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)
    assert session.get(url, timeout=5).status_code == 503
    assert session.get(url, timeout=5).json()["apiVersion"] == "2.0.5"
    stats = server.stats
    assert stats.requests == 4
    assert stats.faults == {"script_429": 1, "script_drop": 1, "script_503": 1}
    assert stats.faults_injected == 3

    server.faults = Faults(latency=0.2)
    slept: list[float] = []
    server.sleep = slept.append  # the wait, recorded rather than waited out
    assert session.get(url, timeout=5).status_code == 200
    assert slept == [0.2]


def test_server_is_closed_by_the_context_manager(
    standin_studies: list[dict[str, Any]], session: requests.Session
) -> None:
    with StandInServer(standin_studies, max_page_size=5) as server:
        url = server.base_url + "/studies"
        assert len(session.get(url, params={"pageSize": 50}, timeout=5).json()["studies"]) == 5
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_server_refuses_non_loopback_hosts(standin_studies: list[dict[str, Any]]) -> None:
    with pytest.raises(ValueError, match="loopback"):
        StandInServer(standin_studies, host="0.0.0.0")


# -- data sets ---------------------------------------------------------------------------------


def test_load_dataset_from_files(tmp_path: Path, standin_studies: list[dict[str, Any]]) -> None:
    array = tmp_path / "array.json"
    array.write_bytes(orjson.dumps(standin_studies[:3]))
    assert load_dataset(str(array)) == standin_studies[:3]
    page = tmp_path / "page.json"
    page.write_bytes(orjson.dumps({"studies": standin_studies[3:5], "nextPageToken": "x"}))
    assert load_dataset(str(page)) == standin_studies[3:5]
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="no study records"):
        load_dataset(str(junk))


def test_load_demo_dataset() -> None:
    studies = load_dataset("demo")
    nct_ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert nct_ids == [f"NCT{99_000_001 + n:08d}" for n in range(60)]  # the fictional set


@pytest.mark.skipif(SHARED is None, reason="../shared/ctgov is not present")
def test_load_shared_dataset_dedupes_by_nct_id() -> None:
    studies = load_dataset("shared")
    nct_ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert len(nct_ids) == len(set(nct_ids)) > 200
    sizes = [len(s["protocolSection"].get("contactsLocationsModule", {}).get("locations", []))
             for s in studies]
    assert max(sizes) > 1000  # the stress record with more than a thousand sites is there


def test_replicate(standin_studies: list[dict[str, Any]]) -> None:
    copies = replicate(standin_studies, 30)
    nct_ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in copies]
    assert nct_ids[:12] == ALL_IDS
    assert len(set(nct_ids)) == 30
    assert all(i.startswith("NCT99") and i not in ALL_IDS for i in nct_ids[12:])
    assert nct_ids[12] == "NCT99000001"
    copy = copies[17]  # a copy of the sixth study, without its alias
    assert "nctIdAliases" not in copy["protocolSection"]["identificationModule"]
    assert copy["protocolSection"]["conditionsModule"] == \
        standin_studies[5]["protocolSection"]["conditionsModule"]
    assert standin_studies[5]["protocolSection"]["identificationModule"]["nctIdAliases"] == [
        "NCT99100106"]
    assert replicate(standin_studies, 4) == standin_studies[:4]


# -- agreement with the real metadata and the OpenAPI spec -------------------------------------


@pytest.mark.skipif(METADATA is None or not METADATA.exists(), reason="metadata not present")
def test_piece_map_agrees_with_the_real_metadata() -> None:
    assert METADATA is not None
    real: dict[str, str] = {}

    def walk(nodes: list[dict[str, Any]], path: list[str]) -> None:
        for node in nodes:
            real[node["piece"]] = ".".join([*path, node["name"]])
            walk(node.get("children", []), [*path, node["name"]])

    walk(json.loads(METADATA.read_text()), [])
    for piece, path in PIECES.items():
        assert real.get(piece) == path, piece
    wanted_modules = (
        "protocolSection.identificationModule", "protocolSection.statusModule",
        "protocolSection.sponsorCollaboratorsModule", "protocolSection.descriptionModule",
        "protocolSection.conditionsModule", "protocolSection.designModule",
        "protocolSection.armsInterventionsModule", "protocolSection.eligibilityModule",
        "protocolSection.contactsLocationsModule", "derivedSection.conditionBrowseModule",
    )
    for piece, path in real.items():
        if path.startswith(wanted_modules) or path == "hasResults":
            assert PIECES.get(piece) == path, piece


@pytest.fixture
def openapi() -> Any:
    if SPEC is None or not SPEC.exists():
        pytest.skip("the OpenAPI spec is not present")
    from openapi_core import OpenAPI

    return OpenAPI.from_file_path(str(SPEC))


def validate(openapi: Any, server: StandInServer, session: requests.Session, path: str,
             params: dict[str, Any] | None = None) -> requests.Response:
    """GET from the stand-in, then validate the response against the spec, with the request
    URL mapped onto the spec's server (https://clinicaltrials.gov/api/v2)."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    response = session.get(server.base_url + path, params=params, timeout=10)
    prepared = requests.Request(
        "GET", "https://clinicaltrials.gov/api/v2" + path, params=params).prepare()
    openapi.validate_response(RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(response))
    return response


def test_responses_validate_against_the_openapi_spec(
    openapi: Any, standin: StandInServer, session: requests.Session
) -> None:
    page = validate(openapi, standin, session, "/studies", {"pageSize": 5, "countTotal": "true"})
    assert len(page.json()["studies"]) == 5
    last = validate(openapi, standin, session, "/studies",
                    {"pageSize": 5, "pageToken": page.json()["nextPageToken"]})
    assert "totalCount" not in last.json()
    validate(openapi, standin, session, "/studies", {"fields": "NCTId,LocationGeoPoint"})
    assert validate(openapi, standin, session, "/studies/NCT99100001").status_code == 200
    assert validate(openapi, standin, session, "/version").status_code == 200
    bad = validate(openapi, standin, session, "/studies", {"filter.overallStatus": "XYZ"})
    assert bad.status_code == 400
    assert validate(openapi, standin, session, f"/studies/{ZERO_ID}").status_code == 400
    assert validate(openapi, standin, session, "/studies/NCT99999998").status_code == 404


@pytest.mark.skipif(SHARED is None, reason="../shared/ctgov is not present")
def test_real_records_validate_against_the_openapi_spec(
    openapi: Any, standin_factory: Callable[..., StandInServer], session: requests.Session
) -> None:
    shared = load_dataset("shared")
    with_sites = [s for s in shared
                  if 5 < len(s["protocolSection"].get("contactsLocationsModule", {})
                             .get("locations", [])) < 50]
    real = with_sites[:3]
    one = real[1]["protocolSection"]["identificationModule"]["nctId"]
    server = standin_factory(real)
    body = validate(openapi, server, session, "/studies", {"pageSize": 3}).json()
    assert len(body["studies"]) == 3
    near = validate(openapi, server, session, f"/studies/{one}",
                    {"fields": "NCTId,LocationGeoPoint"}).json()
    assert near["protocolSection"]["identificationModule"] == {"nctId": one}


# -- command line ------------------------------------------------------------------------------


def test_command_line_serves_until_interrupted(
    tmp_path: Path, standin_studies: list[dict[str, Any]]
) -> None:
    data = tmp_path / "studies.json"
    data.write_bytes(orjson.dumps(standin_studies))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.standin", "--port", "0", "--data", str(data),
         "--page-cap", "4", "--replicate", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v2")
        with requests.Session() as s:
            s.trust_env = False
            params = {"pageSize": "100", "countTotal": "true"}
            body = s.get(base_url + "/studies", params=params, timeout=5).json()
        assert (len(body["studies"]), body["totalCount"]) == (4, 20)
    finally:
        process.send_signal(2)  # SIGINT, as Ctrl-C
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()  # never leave a server behind
            _, err = process.communicate()
    assert process.returncode == 0, err
