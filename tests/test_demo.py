from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from trialfinder.cli.main import main
from trialfinder.core.errors import DataFileError
from trialfinder.core.packed import unpack_gzip
from trialfinder.tables.export import write_export
from trialfinder.topics.demo import (
    FICTIONAL_PROVENANCE,
    honest_links,
    is_demo_id,
    load_demo_studies,
)

SHARED = Path("/work/shared/ctgov")
STATUS_ENUM = {
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "UNKNOWN",
}
PHASE_ENUM = {"NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"}
DATE_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
AGE_RE = re.compile(r"^\d+ (Year|Month|Week|Day)s?$")


@pytest.fixture(scope="module")
def studies() -> list[dict[str, Any]]:
    return load_demo_studies()


def _sites(study: dict[str, Any]) -> list[dict[str, Any]]:
    module = study["protocolSection"].get("contactsLocationsModule", {})
    locations: list[dict[str, Any]] = module.get("locations", [])
    return locations


def _date_structs(study: dict[str, Any]) -> list[dict[str, Any]]:
    status = study["protocolSection"]["statusModule"]
    return [v for k, v in status.items() if k.endswith("DateStruct")]


def test_about_sixty_records_with_demo_ids(studies: list[dict[str, Any]]) -> None:
    assert 55 <= len(studies) <= 65
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"NCT99\d{6}", i) for i in ids)
    assert all(is_demo_id(i) for i in ids)
    assert ids[0] == "NCT99000001"
    assert sorted(ids) == [f"NCT{99_000_000 + n:08d}" for n in range(1, len(ids) + 1)]


def test_records_have_pure_api_shape(studies: list[dict[str, Any]]) -> None:
    allowed_top = {"protocolSection", "resultsSection", "derivedSection", "hasResults"}
    for study in studies:
        assert set(study) <= allowed_top
        assert isinstance(study["hasResults"], bool)
        protocol = study["protocolSection"]
        assert protocol["identificationModule"]["nctId"]
        assert protocol["statusModule"]["overallStatus"] in STATUS_ENUM
        assert re.fullmatch(r"\d{4}-\d{2}", protocol["statusModule"]["statusVerifiedDate"])
        for struct in _date_structs(study):
            assert DATE_RE.match(struct["date"])
            assert struct.get("type", "ACTUAL") in {"ACTUAL", "ESTIMATED"}
        assert set(protocol["designModule"].get("phases", [])) <= PHASE_ENUM
        elig = protocol["eligibilityModule"]
        assert "Inclusion Criteria:" in elig["eligibilityCriteria"]
        assert "Exclusion Criteria:" in elig["eligibilityCriteria"]
        assert elig["sex"] in {"ALL", "FEMALE", "MALE"}
        for key in ("minimumAge", "maximumAge"):
            if key in elig:
                assert AGE_RE.match(elig[key])
        assert study["derivedSection"]["miscInfoModule"]["versionHolder"]
        for site in _sites(study):
            if "geoPoint" in site:
                assert set(site["geoPoint"]) == {"lat", "lon"}
                assert -90 <= site["geoPoint"]["lat"] <= 90


def test_every_summary_says_it_is_fictional(studies: list[dict[str, Any]]) -> None:
    for study in studies:
        assert "fictional demo study" in study["protocolSection"]["descriptionModule"][
            "briefSummary"]


def test_awkward_cases_are_present(studies: list[dict[str, Any]]) -> None:
    structs = [d for s in studies for d in _date_structs(s)]
    assert any(len(d["date"]) == 7 for d in structs)  # month-only, e.g. 2023-05
    assert any("type" not in d for d in structs)
    all_sites = [site for s in studies for site in _sites(s)]
    assert any("geoPoint" not in site for site in all_sites)
    assert max(len(_sites(s)) for s in studies) > 1000
    assert sum(len(_sites(s)) > 1000 for s in studies) == 1
    assert any("contactsLocationsModule" not in s["protocolSection"] for s in studies)
    assert any("enrollmentInfo" not in s["protocolSection"]["designModule"] for s in studies)
    assert any(s["hasResults"] for s in studies)
    assert any(s["protocolSection"]["designModule"].get("phases") == ["PHASE2", "PHASE3"]
               for s in studies)
    assert any("phases" not in s["protocolSection"]["designModule"] for s in studies)
    elig = [s["protocolSection"]["eligibilityModule"] for s in studies]
    assert any("maximumAge" not in e for e in elig)
    assert {e["sex"] for e in elig} == {"ALL", "FEMALE", "MALE"}
    assert any(e.get("minimumAge") == "6 Months" for e in elig)
    statuses = Counter(s["protocolSection"]["statusModule"]["overallStatus"] for s in studies)
    assert {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED",
            "TERMINATED", "WITHDRAWN", "UNKNOWN", "ENROLLING_BY_INVITATION"} <= set(statuses)
    for study in studies:
        status = study["protocolSection"]["statusModule"]
        if status["overallStatus"] == "UNKNOWN":
            assert status["lastKnownStatus"] in STATUS_ENUM
        if status["overallStatus"] in {"TERMINATED", "WITHDRAWN"}:
            assert status["whyStopped"]


def test_sites_near_boston_and_abroad(studies: list[dict[str, Any]]) -> None:
    cities = {(site["city"], site["country"]) for s in studies for site in _sites(s)}
    assert ("Boston", "United States") in cities
    assert ("Lyon", "France") in cities
    countries = {c for _, c in cities}
    assert {"Canada", "Germany", "United Kingdom", "Australia"} <= countries
    emails = [c["email"] for s in studies for site in _sites(s) for c in site.get("contacts", [])]
    assert emails and all(e.endswith("@example.org") for e in emails)


def test_load_returns_independent_copies() -> None:
    first = load_demo_studies()
    first[0]["protocolSection"]["identificationModule"]["nctId"] = "changed"
    first.pop()
    second = load_demo_studies()
    assert second[0]["protocolSection"]["identificationModule"]["nctId"] == "NCT99000001"
    assert len(second) == len(first) + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("NCT99000001", True), ("nct99123456", True), (" NCT99999999 ", True),
     ("NCT01234567", False), ("NCT9900001", False), ("NCT990000011", False), ("", False)],
)
def test_is_demo_id(value: str, expected: bool) -> None:
    assert is_demo_id(value) is expected



def test_unpack_gzip_refuses_a_bomb() -> None:
    bomb = gzip.compress(b"[" + b" " * 5_000_000 + b"]")
    assert len(bomb) < 10_000
    with pytest.raises(DataFileError, match="unpacks to more than 1,000,000 bytes"):
        unpack_gzip(bomb, 1_000_000, "bomb.gz")
    with pytest.raises(DataFileError, match="not a readable gzip file"):
        unpack_gzip(b"not gzip at all", 1_000_000, "junk.gz")
    assert unpack_gzip(gzip.compress(b"[1]"), 10, "ok.gz") == b"[1]"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no recorded real records here")
def test_no_real_nct_id_in_demo_file() -> None:
    nct = re.compile(r"NCT\d{8}")
    real: set[str] = set()
    for path in SHARED.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".csv", ".md", ".yaml", ".txt"}:
            real.update(nct.findall(path.read_text("utf-8", errors="replace")))
    assert real, "expected some real ids in the shared folder"
    demo_text = json.dumps(load_demo_studies())
    assert not real & set(nct.findall(demo_text))


LINKED = pd.DataFrame({
    "nct_id": pd.array(["NCT99000001", "ISRCTN99000001"], dtype="string"),
    "url": pd.array(["https://clinicaltrials.gov/study/NCT99000001",
                     "https://www.isrctn.com/ISRCTN99000001"], dtype="string"),
})


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_an_exported_fictional_study_links_nowhere(tmp_path: Path, fmt: str) -> None:
    """The demo's rule decides per row: NCT99... is invented (no page on ClinicalTrials.gov,
    url empty), while an ISRCTN id is not of the invented range and keeps its page."""
    path = write_export(tmp_path / f"t.{fmt}", LINKED, {"fictional": FICTIONAL_PROVENANCE},
                        fmt=fmt)
    if fmt == "csv":
        back = pd.read_csv(path, dtype=str, keep_default_na=False)
        urls = list(back["url"])
    elif fmt == "jsonl":
        urls = [json.loads(line)["url"] for line in path.read_text().splitlines()]
    else:
        urls = [u if isinstance(u, str) else None for u in pd.read_parquet(path)["url"]]
    assert [u or None for u in urls] == [None, "https://www.isrctn.com/ISRCTN99000001"]
    assert LINKED.at[0, "url"] == "https://clinicaltrials.gov/study/NCT99000001"  # not changed


def test_search_output_of_the_demo_links_nowhere(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps(load_demo_studies()[:3]))
    assert main(["search", "--from-file", str(download), "--format", "csv",
                 "--columns", "nct_id,url"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["nct_id,url", "NCT99000001,", "NCT99000002,", "NCT99000003,"]


def test_honest_links_keeps_a_frame_without_fiction() -> None:
    real_looking = LINKED.iloc[[1]]
    assert honest_links(real_looking) is real_looking
    emptied = honest_links(LINKED)
    assert emptied["url"].isna().tolist() == [True, False]


def test_the_dashboards_downloads_link_no_fictional_study() -> None:
    from dashboard.results import marked

    for demo_mode in (True, False):  # per row, whether or not the page is in demo mode
        frame = marked(LINKED, demo_mode)
        assert frame["url"].isna().tolist() == [True, False]
    assert list(marked(LINKED, True).columns) == ["fictional_demo_data", "nct_id", "url"]
