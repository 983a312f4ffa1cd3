"""Contract: every real recorded API answer in ../shared/ctgov goes through the client's own
parsing (pages, single studies) and normalization without surprises. Skipped when absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from devtools.standin import _fields_trie, _prune, find_shared_dir, load_dataset
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.query import StudyQuery

SHARED = find_shared_dir() or Path(__file__).resolve().parents[2] / "shared" / "ctgov"
PAGES = [*sorted(SHARED.glob("studies/**/search_*.json")),
         *sorted(SHARED.glob("studies/studies_*.json"))]
SINGLES = sorted(SHARED.glob("single/*.json")) + sorted(SHARED.glob("studies/**/get_*.json"))

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/ctgov is not present")


class ReplaySession(requests.Session):
    """Answers every GET with one recorded body, the way the API would send it."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body
        self.calls: list[dict[str, Any]] = []

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append({"url": url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = self.body
        response.url = str(url)
        return response


def client_for(path: Path) -> tuple[TrialsClient, ReplaySession]:
    session = ReplaySession(path.read_bytes())
    return TrialsClient(Settings(use_cache=False), session=session), session


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_recorded_page_parses(path: Path) -> None:
    raw = json.loads(path.read_bytes())
    client, session = client_for(path)
    page = next(client.iter_pages(StudyQuery(conditions=("anything",))))
    assert len(page.studies) == len(raw["studies"])
    assert page.next_token == raw.get("nextPageToken")
    assert page.total_count == raw.get("totalCount")
    assert page.nbytes == path.stat().st_size
    assert session.calls[0]["params"]["countTotal"] == "true"
    tables = normalize(page.studies)
    assert list(tables.studies["nct_id"]) == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in raw["studies"]
    ]
    assert tables.skipped == 0


@pytest.mark.parametrize("path", SINGLES, ids=lambda p: p.name)
def test_recorded_single_study_parses(path: Path) -> None:
    raw = json.loads(path.read_bytes())
    nct = raw["protocolSection"]["identificationModule"]["nctId"]
    client, session = client_for(path)
    study = client.get_study(nct)
    assert session.calls[0]["url"].endswith(f"/studies/{nct}")
    tables = normalize([study])
    locations = raw["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
    assert list(tables.studies["nct_id"]) == [nct]
    assert len(tables.sites) == len(locations)
    assert int(tables.sites["lat"].isna().sum()) == sum("geoPoint" not in x for x in locations)


def test_last_page_of_a_real_paging_pair_stops_the_client() -> None:
    first = SHARED / "studies/biomcp_fields_subset_2026-08-11/search_phelan_limit5_20260811.json"
    later = SHARED / "studies/biomcp_fields_subset_2026-08-11/search_phelan_limit50_20260811.json"
    assert "nextPageToken" in json.loads(first.read_bytes())
    assert "nextPageToken" not in json.loads(later.read_bytes())
    client, _ = client_for(later)
    pages = list(client.iter_pages(StudyQuery(conditions=("Phelan-McDermid Syndrome",))))
    assert len(pages) == 1 and pages[0].next_token is None


def test_list_view_fields_give_the_same_tables_as_full_records() -> None:
    """Every column the tables read is asked for in list views: pruning the real records to
    LIST_FIELDS (as the API does) changes no table, except the columns marked full-only."""
    records = load_dataset("shared")
    trie = _fields_trie(",".join(LIST_FIELDS))
    full = normalize(records)
    listed = normalize([_prune(r, trie) for r in records])
    for name in ("studies", "sites", "contacts", "officials", "conditions"):
        pd.testing.assert_frame_equal(getattr(listed, name), getattr(full, name), obj=name)
    pd.testing.assert_frame_equal(listed.interventions.drop(columns="description"),
                                  full.interventions.drop(columns="description"))
    assert listed.interventions["description"].isna().all()
    assert len(full.contacts) > 1000 and (full.contacts["scope"] == "study").sum() > 100
    assert full.problems == listed.problems
