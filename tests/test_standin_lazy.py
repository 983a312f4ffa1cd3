"""The stand-in's lazy replication: the same studies as ``replicate``, built only when served."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
import pytest

from devtools.standin import Replicas, StandInApi, fictional_study, replicate


class Counting(Replicas):
    """Replicas that count how many items were built."""

    built = 0

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, int):
            Counting.built += 1
        return super().__getitem__(i)


def page(api: StandInApi, **params: str) -> dict[str, Any]:
    reply = api.handle("/api/v2/studies", urlencode(params))
    assert reply.status == 200, reply.body
    body: dict[str, Any] = orjson.loads(reply.body)
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]


def test_the_same_studies_as_replicate(standin_studies: list[dict[str, Any]]) -> None:
    lazy = Replicas(standin_studies, 30)
    assert len(lazy) == 30
    assert list(lazy) == replicate(standin_studies, 30)
    assert lazy[-1] == lazy[29]
    assert lazy[10:14] == replicate(standin_studies, 30)[10:14]
    assert list(Replicas(standin_studies, 4)) == standin_studies[:4]
    with pytest.raises(IndexError):
        lazy[30]


def test_copies_skip_ids_the_originals_use() -> None:
    base = [fictional_study("NCT99000001", "One"), fictional_study("NCT99000003", "Three"),
            fictional_study("NCT99000004", "Four")]
    lazy = Replicas(base, 7)
    got = [s["protocolSection"]["identificationModule"]["nctId"] for s in lazy]
    assert got == ["NCT99000001", "NCT99000003", "NCT99000004", "NCT99000002",
                   "NCT99000005", "NCT99000006", "NCT99000007"]
    assert list(lazy) == replicate(base, 7)
    assert lazy.ids_of(3) == ("NCT99000002", {"NCT99000002"})


def test_bad_sizes_are_refused_like_replicate() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        Replicas([fictional_study("NCT99000001", "One")], -1)
    with pytest.raises(ValueError, match="empty list"):
        Replicas([], 3)
    with pytest.raises(ValueError, match="range is used up"):
        Replicas([fictional_study("NCT99000001", "One")], 1_000_000)


def test_the_api_serves_the_same_answers(standin_studies: list[dict[str, Any]]) -> None:
    eager = StandInApi(replicate(standin_studies, 40), max_page_size=5)
    lazy = StandInApi(Replicas(standin_studies, 40), max_page_size=5)
    for params in ({"pageSize": "5", "countTotal": "true"},
                   {"pageSize": "5", "fields": "NCTId,BriefTitle,OverallStatus"},
                   {"query.cond": "fictional", "pageSize": "5"},
                   {"filter.overallStatus": "RECRUITING", "pageSize": "5"}):
        first_eager, first_lazy = page(eager, **params), page(lazy, **params)
        assert first_lazy == first_eager
        token = first_eager["nextPageToken"]
        assert page(lazy, **params, pageToken=token) == page(eager, **params, pageToken=token)
    for path in ("/api/v2/studies/NCT99000007", "/api/v2/studies/NCT99100106",
                 "/api/v2/studies/NCT99000099"):
        a, b = eager.handle(path), lazy.handle(path)
        assert (a.status, a.headers, a.body) == (b.status, b.headers, b.body)
    assert lazy.handle("/api/v2/studies/NCT99000007").status == 200
    assert lazy.handle("/api/v2/studies/NCT99100106").status == 301  # an original's alias


def test_only_the_studies_served_are_built(standin_studies: list[dict[str, Any]]) -> None:
    Counting.built = 0
    api = StandInApi(Counting(standin_studies, 5000))
    assert Counting.built == 0  # the id index is made without building copies
    body = page(api, pageSize="10", countTotal="true", fields="NCTId")
    assert body["totalCount"] == 5000
    assert Counting.built == 10
    assert ids(body)[:2] == ["NCT99100001", "NCT99100002"]
