"""A large page of studies read one record at a time (registries/ctgov/slices.py): the same
records as decoding it whole, every other shape decoded whole, and an altered record refused
when it is read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.standin import StandInServer, fictional_study
from trialfinder.core.config import Settings
from trialfinder.core.errors import SchemaError
from trialfinder.registries.ctgov import slices
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.gather import Gathering
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.page import Page, StudySlices, ids_of
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.registries.ctgov.registry import CtgovRegistry
from trialfinder.registries.ctgov.slices import SPLIT_FROM, read_page

#: Text enough that 60 studies make a body past SPLIT_FROM.
FILLER = "Fictional muscle cramp study text. " * 600


def _studies(n: int, first: int = 1, summary: str = FILLER) -> list[dict[str, Any]]:
    return [fictional_study(f"NCT99{400000 + i:06d}", f"Fictional Spasm Study {i}",
                            conditions=["Muscle Spasm"], summary=summary,
                            locations=[{"facility": f"Fictional Clinic {i}", "city": "Springfield",
                                        "country": "United States"}])
            for i in range(first, first + n)]


def _body(studies: list[dict[str, Any]], **envelope: Any) -> bytes:
    return orjson.dumps({"studies": studies, **envelope})


def test_a_large_page_is_read_record_by_record_into_the_same_records() -> None:
    studies = _studies(60)
    body = _body(studies, totalCount=61, nextPageToken="Fict10nal_tok-1")
    assert len(body) > SPLIT_FROM
    page = read_page(body)
    assert isinstance(page["studies"], StudySlices)
    assert page["totalCount"] == 61 and page["nextPageToken"] == "Fict10nal_tok-1"
    assert len(page["studies"]) == 60
    assert list(page["studies"].ids)[:2] == ["NCT99400001", "NCT99400002"]
    assert list(page["studies"]) == studies
    assert page["studies"][59] == studies[59]
    assert list(page["studies"][10:12]) == studies[10:12]
    assert ids_of(page["studies"]) == ids_of(studies)


def test_the_bytes_between_two_records_inside_a_text_do_not_split_it() -> None:
    studies = _studies(60)
    trap = '},{"protocolSection":{"identificationModule":{"nctId":"NCT99499999"'
    studies[3]["protocolSection"]["descriptionModule"]["briefSummary"] = FILLER + trap
    page = read_page(_body(studies))
    assert isinstance(page["studies"], StudySlices)
    assert len(page["studies"]) == 60
    assert list(page["studies"]) == studies


@pytest.mark.parametrize("shape", ["indented", "spaced", "id second", "small", "no id",
                                   "trailing line"])
def test_a_body_not_written_as_the_api_writes_a_page_is_decoded_whole(shape: str) -> None:
    studies = _studies(5 if shape == "small" else 60)
    body = _body(studies, totalCount=60)
    if shape == "indented":
        body = orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2)
    elif shape == "spaced":
        body = body.replace(b'},{"protocolSection"', b'}, {"protocolSection"')
    elif shape == "id second":
        ident = studies[7]["protocolSection"]["identificationModule"]
        studies[7]["protocolSection"]["identificationModule"] = {"briefTitle": "x", **ident}
        body = _body(studies, totalCount=60)
    elif shape == "no id":
        del studies[30]["protocolSection"]["identificationModule"]["nctId"]
        body = _body(studies, totalCount=60)
    elif shape == "trailing line":
        body += b"\n"
    page = read_page(body)
    assert isinstance(page["studies"], list)
    assert page["studies"] == studies


def test_a_record_altered_past_its_start_is_refused_when_it_is_read() -> None:
    studies = _studies(60)
    body = _body(studies)
    # a second nctId in one record: decoded whole it would name another study
    at = body.index(b'"nctId":"NCT99400005"') + len(b'"nctId":"NCT99400005"')
    body = body[:at] + b',"nctId":"NCT99400077"' + body[at:]
    page = read_page(body)
    records = iter(page["studies"])
    assert [next(records)["protocolSection"]["identificationModule"]["nctId"]
            for _ in range(4)] == ["NCT99400001", "NCT99400002", "NCT99400003", "NCT99400004"]
    with pytest.raises(SchemaError, match=r"NCT99400005 at byte .* is not one whole record"):
        next(records)


def test_a_record_cut_in_the_middle_is_refused_when_it_is_read() -> None:
    body = _body(_studies(60))
    start = body.index(b'"nctId":"NCT99400009"')
    cut = body.index(b'"briefSummary"', start)
    page = read_page(body[:cut] + body[cut + 1:])  # one quote gone
    with pytest.raises(SchemaError, match="NCT99400009"):
        list(page["studies"])


def _page(studies: Sequence[dict[str, Any]]) -> Page:
    return Page(studies=studies, next_token=None, total_count=None, nbytes=0,
                from_cache=False)


def test_repeats_and_the_limit_are_taken_from_the_ids_alone() -> None:
    first = read_page(_body(_studies(60)))["studies"]
    again = read_page(_body(_studies(60, first=41)))["studies"]  # 41..60 seen before
    gathered = Gathering(90, keep=False, unreachable=False)
    assert len(gathered.take(_page(first))) == 60
    kept = gathered.take(_page(again))
    assert isinstance(kept, StudySlices)
    assert list(kept.ids) == [f"NCT99{400000 + i:06d}" for i in range(61, 91)]
    assert gathered.duplicates == 20 and gathered.count == 90
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in kept][-1] == \
        "NCT99400090"


def test_a_search_reads_large_pages_into_the_same_tables(
    standin_factory: Callable[..., StandInServer],
) -> None:
    studies = _studies(150)
    server = standin_factory(studies, max_page_size=75)
    client = TrialsClient(Settings(base_url=server.base_url, use_cache=False,
                                   requests_per_minute=60_000, burst=1000, retries=0))
    handed: list[Sequence[dict[str, Any]]] = []
    reader = CtgovRegistry().reader()

    def on_page(page: Sequence[dict[str, Any]], fetched: datetime | None) -> None:
        handed.append(page)
        reader.add(page)

    result = client.search(StudyQuery(conditions=("spasm",)), on_page=on_page)
    assert result.count == 150 and [type(p) for p in handed] == [StudySlices, StudySlices]
    tables = reader.tables()
    whole = normalize(studies)
    pd.testing.assert_frame_equal(tables.studies, whole.studies)
    pd.testing.assert_frame_equal(tables.sites, whole.sites)
    kept = client.search(StudyQuery(conditions=("spasm",)))  # no on_page: records kept
    assert len(kept.studies) == 150 and all(type(s) is dict for s in kept.studies)
    assert kept.studies == [study for page in handed for study in page]


_TRICKY = st.lists(st.sampled_from(
    ['a', ' ', '"', '\\', '{', '}', '[', ']', ',', ':', '\n', 'é', '\u2028', 'NCT',
     '},{"protocolSection":', '"nctId":"NCT99400001"', '{"protocolSection":{']),
    max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_TRICKY, min_size=1, max_size=8), token=st.none() | _TRICKY,
       total=st.none() | st.integers(min_value=0, max_value=10**9))
def test_any_texts_read_record_by_record_equal_the_page_decoded_whole(
    texts: list[str], token: str | None, total: int | None,
) -> None:
    studies = [fictional_study(f"NCT99{410000 + i:06d}", text or "Fictional", summary=text)
               for i, text in enumerate(texts)]
    envelope: dict[str, Any] = {"studies": studies}
    if total is not None:
        envelope["totalCount"] = total
    if token is not None:
        envelope["nextPageToken"] = token
    body = orjson.dumps(envelope)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(slices, "SPLIT_FROM", 0)
        page = read_page(body)
    # the API's tokens are letters, digits, - and _: such a page is always cut; a token that
    # needs escapes (or holds "}]") is not the API's writing, and the page is decoded whole
    plain = token is None or (not any(c in token for c in '"\\\n') and "}]" not in token)
    assert isinstance(page["studies"], StudySlices if plain else list)
    assert {k: v for k, v in page.items() if k != "studies"} == {
        k: v for k, v in envelope.items() if k != "studies"}
    assert list(page["studies"]) == studies
