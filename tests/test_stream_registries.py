"""A search of ClinicalTrials.gov and ISRCTN whose export streams (issue 22, item 1): the
file written a batch at a time has the rows, their order, the counts and the provenance of
the in-memory search's export, twins linked from either side included. Fictional records
(NCT995..., ISRCTN995...) on both loopback stand-ins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from devtools.isrctn import IsrctnFaults, IsrctnServer
from devtools.standin import StandInServer, fictional_site, fictional_study
from tests.conftest import isrctn_trial
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.service.searching import Results, search
from trialfinder.tables.export import write_export
from trialfinder.topics.demo import honest_links

#: Sidecar keys that differ from run to run (times) or with the HTTP traffic of each run.
MOVING = {"written_at", "fetched_at", "requests", "bytes", "pages_from_cache"}
CONDITION = "Motor neurone disease"


def _place(name: str, town: str, nation: str) -> dict[str, Any]:
    return {"name": name, "town": town, "nation": nation}


def _ct(number: int, *sites: dict[str, Any], names: tuple[str, ...] = ()) -> dict[str, Any]:
    record = fictional_study(f"NCT995000{number:02d}", f"Fictional study {number}",
                            conditions=[CONDITION], locations=list(sites),
                            start_date="2024-03")
    if names:
        record["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [
            {"id": n, "type": "REGISTRY", "domain": "ISRCTN"} for n in names]
    return record


SHEFFIELD = fictional_site("Fictional Neuro Centre", "Sheffield", "United Kingdom", 53.3811,
                           -1.4701)
LEEDS = fictional_site("Imaginary Hospital Leeds", "Leeds", "United Kingdom", 53.8008, -1.5491)
GLASGOW = fictional_site("Made-up Unit Glasgow", "Glasgow", "United Kingdom", 55.8642, -4.2518)

#: ClinicalTrials.gov's answer, two studies a page and a batch: 01 is named by ISRCTN 03;
#: 02 names ISRCTN-99500002 (written with a dash); 03 names an ISRCTN id not in the answer;
#: 04 names ISRCTN 03 too (its twin joins 01, the first: an ambiguous link); 05 is named by
#: ISRCTN 01, which comes first in ISRCTN's order but joins a later batch.
CTGOV = [_ct(1, SHEFFIELD), _ct(2, names=("ISRCTN-99500002",)),
         _ct(3, names=("ISRCTN99500099",)), _ct(4, LEEDS, names=("ISRCTN99500003",)),
         _ct(5, GLASGOW), _ct(6)]
ISRCTN = [
    isrctn_trial("ISRCTN99500001", "Fictional trial one", _place("Unit A", "Glasgow",
                 "Scotland"), _place("Unit B", "York", "England"),
                 _place("Unit C", "Cardiff", "Wales"), condition=CONDITION,
                 nct="NCT99500005"),
    isrctn_trial("ISRCTN99500002", "Fictional trial two", _place("Unit D", "Bristol",
                 "England"), condition=CONDITION),
    isrctn_trial("ISRCTN99500003", "Fictional trial three", _place("Unit E", "Sheffield",
                 "England"), _place("Unit F", "Leeds", "England"), condition=CONDITION,
                 nct="NCT99500001"),
    isrctn_trial("ISRCTN99500004", "Fictional trial four", _place("Unit G", "Leeds",
                 "England"), condition=CONDITION, nct="NCT99500077"),
    isrctn_trial("ISRCTN99500005", "Fictional trial five", _place("Unit H", "Oxford",
                 "England"), condition=CONDITION, nct="Nil known"),
]


@pytest.fixture
def both(standin_factory: Callable[..., StandInServer], isrctn_server: IsrctnServer,
         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> IsrctnServer:
    server = standin_factory(CTGOV, max_page_size=2)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    monkeypatch.setenv("TRIALFINDER_RETRIES", "0")
    monkeypatch.setattr("trialfinder.service.streaming.BATCH_STUDIES", 2)
    isrctn_server.api.trials = ISRCTN
    return isrctn_server


def in_memory(**more: Any) -> Results:
    return search(settings=Settings(use_cache=False, use_store=False, retries=0), limit=None,
                  registry="ctgov,isrctn", condition=CONDITION, **more)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The rows of ``columns``, missing values as ``None``."""
    return [tuple(None if pd.isna(v) else v for v in row)
            for row in frame[list(columns)].itertuples(index=False)]


def sidecar(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(path.with_name(path.name + ".meta.json").read_text())
    return {k: v for k, v in meta.items() if k not in MOVING and k != "file"}


def compare(tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str, sites: bool,
            more: dict[str, Any], argv: list[str]) -> tuple[Results, pd.DataFrame]:
    streamed = tmp_path / f"streamed.{ending}"
    code = main(["search", "-c", CONDITION, "--registry", "ctgov,isrctn", "--all",
                 "--no-cache", *argv, *(["--sites"] if sites else []),
                 "--output", str(streamed)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    res = in_memory(**more)
    frame = honest_links(res.sites if sites else res.studies)
    whole = tmp_path / f"whole.{ending}"
    write_export(whole, frame, res.meta, fmt={"jsonl": "jsonl"}.get(ending, ending))
    if ending == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(streamed), pd.read_parquet(whole),
                                      check_categorical=False)
    else:
        assert streamed.read_bytes() == whole.read_bytes()
    mine, theirs = sidecar(streamed), sidecar(whole)
    # the command marks fictional NCT ids (NCT99...) as such; the in-memory export does not
    assert ("fictional" in mine) == frame["nct_id"].str.startswith("NCT99").any()
    mine.pop("fictional", None)
    assert mine == theirs
    return res, frame


@pytest.mark.parametrize("ending", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("sites", [False, True])
def test_the_joined_list_streamed_is_the_in_memory_export(
        both: IsrctnServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str,
        sites: bool) -> None:
    res, frame = compare(tmp_path, capsys, ending, sites, {}, [])
    # the rule as docs/isrctn.md says it, twins from either side
    assert rows(res.studies, "nct_id", "source", "other_ids", "n_sites") == [
        ("NCT99500001", "ctgov+isrctn", "ISRCTN99500003", 2),
        ("NCT99500002", "ctgov+isrctn", "ISRCTN-99500002|ISRCTN99500002", 1),
        ("NCT99500003", "ctgov", "ISRCTN99500099", 0),
        ("NCT99500004", "ctgov", "ISRCTN99500003", 1),
        ("NCT99500005", "ctgov+isrctn", "ISRCTN99500001", 3),
        ("NCT99500006", "ctgov", None, 0),
        ("ISRCTN99500004", "isrctn", "NCT99500077", 1),
        ("ISRCTN99500005", "isrctn", None, 1)]
    problems = res.meta.problems
    assert (problems["merged_duplicate"], problems["ambiguous_link"],
            problems["site_added_from_isrctn"], problems["duplicate_site_left_out"]) == (
        3, 1, 4, 2)
    if sites:
        # the sites twins added come after every ClinicalTrials.gov site, in ISRCTN's order
        # (trial one's for study 05 before trial two's and three's for 02 and 01)
        assert rows(frame, "nct_id", "city", "source")[3:] == [
            ("NCT99500005", "York", "isrctn"), ("NCT99500005", "Cardiff", "isrctn"),
            ("NCT99500002", "Bristol", "isrctn"), ("NCT99500001", "Leeds", "isrctn"),
            ("ISRCTN99500004", "Leeds", "isrctn"), ("ISRCTN99500005", "Oxford", "isrctn")]


@pytest.mark.parametrize("sites", [False, True])
def test_near_a_place_each_studys_sites_come_together_as_in_memory(
        both: IsrctnServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        sites: bool) -> None:
    near = {"near": "53.38,-1.47", "radius": "150mi"}
    res, frame = compare(tmp_path, capsys, "csv", sites, near,
                         ["--near", near["near"], "--radius", near["radius"]])
    assert "NCT99500001" in set(frame["nct_id"]) and len(res.studies) >= 3
    if sites:
        assert rows(frame, "nct_id", "city")[:2] == [
            ("NCT99500001", "Sheffield"), ("NCT99500001", "Leeds")]


def test_standard_output_streams_the_joined_list(
        both: IsrctnServer, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["search", "-c", CONDITION, "--registry", "isrctn,ctgov", "--all",
                 "--no-cache", "--format", "csv", "--columns", "nct_id,source"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.decode().splitlines() == [
        "nct_id,source", "NCT99500001,ctgov+isrctn", "NCT99500002,ctgov+isrctn",
        "NCT99500003,ctgov", "NCT99500004,ctgov", "NCT99500005,ctgov+isrctn",
        "NCT99500006,ctgov", "ISRCTN99500004,isrctn", "ISRCTN99500005,isrctn"]
    assert ("3 trials registered in both ClinicalTrials.gov and ISRCTN listed once"
            in err.decode())


@pytest.mark.parametrize("sites", [False, True])
def test_a_registry_down_costs_its_part_as_in_memory(
        both: IsrctnServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        sites: bool) -> None:
    both.api.faults = IsrctnFaults(statuses=(503,) * 10)
    res, frame = compare(tmp_path, capsys, "csv", sites, {}, [])
    assert set(frame["nct_id"]) <= {r["protocolSection"]["identificationModule"]["nctId"]
                                    for r in CTGOV}
    assert any(w.startswith("ISRCTN could not be searched") for w in res.warnings)


def test_clinicaltrials_gov_down_before_its_first_rows_leaves_isrctn_alone(
        both: IsrctnServer, standin_factory: Callable[..., StandInServer],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    closed = standin_factory(CTGOV)
    url = closed.base_url
    closed.close()  # nothing listens there any more: ClinicalTrials.gov cannot be reached
    monkeypatch.setenv("TRIALFINDER_BASE_URL", url)
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "2")
    _, frame = compare(tmp_path, capsys, "csv", False, {}, [])
    assert list(frame["nct_id"]) == [t.isrctn_id for t in ISRCTN]
    assert list(frame["other_ids"].fillna("")) == ["NCT99500005", "", "NCT99500001",
                                                   "NCT99500077", ""]
