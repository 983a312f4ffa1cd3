"""A search of ClinicalTrials.gov and ISRCTN whose export streams (issue 22, item 1): the
file written a batch at a time has the rows, their order, the counts and the provenance of
the in-memory search's export, twins linked from either side included. Fictional records
(NCT995..., ISRCTN995...) on both loopback stand-ins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.isrctn import IsrctnFaults, IsrctnServer
from devtools.isrctn.records import FictionalTrial, answer_xml
from devtools.standin import StandInServer, fictional_site, fictional_study
from tests.conftest import ISRCTN_TODAY as TODAY
from tests.conftest import assert_same_export, isrctn_trial
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.isrctn.tables import to_tables
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.registries.union import one_list
from trialfinder.registries.unionpages import ORDINAL_BASE, TwinJoin
from trialfinder.service.searching import Results, search
from trialfinder.tables.export import write_export
from trialfinder.tables.frames import Tables, concat_tables
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


def in_memory(registry: str = "ctgov,isrctn", **more: Any) -> Results:
    return search(settings=Settings(use_cache=False, use_store=False, retries=0), limit=None,
                  registry=registry, condition=CONDITION, **more)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The rows of ``columns``, missing values as ``None``."""
    return [tuple(None if pd.isna(v) else v for v in row)
            for row in frame[list(columns)].itertuples(index=False)]


def sidecar(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(path.with_name(path.name + ".meta.json").read_text())
    return {k: v for k, v in meta.items() if k not in MOVING and k != "file"}


def compare(tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str, sites: bool,
            more: dict[str, Any], argv: list[str],
            registry: str = "ctgov,isrctn") -> tuple[Results, pd.DataFrame]:
    streamed = tmp_path / f"streamed.{ending}"
    code = main(["search", "-c", CONDITION, "--registry", registry, "--all",
                 "--no-cache", *argv, *(["--sites"] if sites else []),
                 "--output", str(streamed)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    res = in_memory(registry, **more)
    frame = honest_links(res.sites if sites else res.studies)
    whole = tmp_path / f"whole.{ending}"
    write_export(whole, frame, res.meta, fmt={"jsonl": "jsonl"}.get(ending, ending))
    assert_same_export(streamed, whole, ending)
    mine, theirs = sidecar(streamed), sidecar(whole)
    # both files mark fictional NCT ids (NCT99...) as such
    fictional = bool(frame["nct_id"].str.startswith("NCT99").any())
    assert ("fictional" in mine) == ("fictional" in theirs) == fictional
    mine.pop("fictional", None), theirs.pop("fictional", None)
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
def test_the_joined_list_repeated_from_saved_tables_is_the_same_file(
        both: IsrctnServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, sites: bool) -> None:
    """With the cache on, a repeat is answered from each registry's saved tables, read a batch
    at a time (two studies here): the join of those batches is the first run's file."""
    argv = ["search", "-c", CONDITION, "--registry", "ctgov,isrctn", "--all",
            *(["--sites"] if sites else [])]
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    assert main([*argv, "--output", str(first)]) == 0
    capsys.readouterr()
    monkeypatch.setattr("trialfinder.cache.tablecache.TableCache.get", None)  # never whole
    assert main([*argv, "--output", str(again)]) == 0
    assert "tables saved" in sidecar(again)["answered_from"]
    assert again.read_bytes() == first.read_bytes()
    res = in_memory()
    assert len(pd.read_csv(again)) == len(res.sites if sites else res.studies) == (9 if sites
                                                                                   else 8)


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


def test_isrctn_alone_streamed_names_its_registry_as_in_memory(
        both: IsrctnServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res, frame = compare(tmp_path, capsys, "jsonl", False, {}, [], registry="isrctn")
    assert res.meta.registries == ("isrctn",)
    assert list(frame["nct_id"]) == [t.isrctn_id for t in ISRCTN]


# -- the join a batch at a time is the join of the whole (no servers) --------------------------

#: (city, country as each registry writes it, latitude, longitude)
CITIES = [("Sheffield", "United Kingdom", "England", 53.38, -1.47),
          ("Leeds", "United Kingdom", "England", 53.80, -1.55),
          ("Glasgow", "United Kingdom", "Scotland", 55.86, -4.25),
          ("York", "United Kingdom", "England", 53.96, -1.08)]
RULE = ("merged_duplicate", "ambiguous_link", "site_added_from_isrctn",
        "duplicate_site_left_out")


def _part(tables: Tables, ids: list[str]) -> Tables:
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["nct_id"].isin(ids)].reset_index(drop=True)

    return Tables(keep(tables.studies), keep(tables.sites), keep(tables.conditions),
                  keep(tables.interventions), {}, 0, keep(tables.contacts),
                  keep(tables.officials))


def _batches(tables: Tables, sizes: list[int]) -> list[Tables]:
    ids = [str(i) for i in tables.studies["nct_id"]]
    out, start = [], 0
    for size in [*sizes, len(ids)]:
        if start >= len(ids):
            break
        out.append(_part(tables, ids[start:start + size]))
        start += size
    return out


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_join_batch_by_batch_is_the_join_of_the_whole(data: st.DataObject) -> None:
    places = st.lists(st.sampled_from(range(len(CITIES))), unique=True, max_size=3)
    records = []
    for number in range(1, data.draw(st.integers(0, 6)) + 1):
        names = data.draw(st.lists(st.tuples(st.integers(1, 7), st.booleans()), max_size=2))
        records.append(_ct(number, *[fictional_site(f"Site {number}-{c}", CITIES[c][0],
                                                    CITIES[c][1], CITIES[c][3], CITIES[c][4])
                                     for c in data.draw(places)],
                           names=tuple(f"ISRCTN{'-' if dash else ''}995000{k:02d}"
                                       for k, dash in names)))
    trials = [FictionalTrial(
        f"ISRCTN995000{k:02d}", f"Fictional trial {k}", condition=CONDITION,
        centres=tuple((f"Unit {k}-{c}", CITIES[c][0], CITIES[c][2]) for c in data.draw(places)),
        nct=data.draw(st.sampled_from(["", "Nil known", *(f"NCT995000{i:02d}"
                                                          for i in range(1, 9))])))
        for k in range(1, data.draw(st.integers(0, 7)) + 1)]
    ctgov = normalize(records)
    isrctn = to_tables(parse_answer(answer_xml(trials)).trials, TODAY).tables
    whole, notes = one_list([("ctgov", ctgov), ("isrctn", isrctn)])

    sizes = st.lists(st.integers(1, 3), max_size=4)
    kept = _batches(isrctn, data.draw(sizes))
    join = TwinJoin()
    for batch in kept:
        join.isrctn_batch(batch.studies)

    def sites_of(wanted: Any) -> pd.DataFrame:
        frames = []
        for number in sorted(wanted):
            sites = kept[number].sites.copy()
            sites.index = pd.RangeIndex(len(sites)) + number * ORDINAL_BASE
            frames.append(sites[sites["nct_id"].isin(wanted[number])])
        return pd.concat(frames) if frames else kept[0].sites.iloc[:0]

    parts: list[Tables] = []
    held: list[tuple[int, pd.DataFrame]] = []
    for batch in _batches(ctgov, data.draw(sizes)):
        joined, added = join.ctgov_batch(batch, sites_of)
        mine = [added.get((str(n), int(i))) for n, i in zip(
            joined.sites["nct_id"], joined.sites["site_index"], strict=True)]
        held += [(p, joined.sites.iloc[[row]]) for row, p in enumerate(mine) if p is not None]
        own = joined.sites[np.array([p is None for p in mine], dtype=bool)]
        parts.append(Tables(joined.studies, own, joined.conditions, joined.interventions))
    if held:
        extra = pd.concat([f for _, f in sorted(held, key=lambda h: h[0])])
        parts.append(Tables(ctgov.studies.iloc[:0], extra, ctgov.conditions.iloc[:0],
                            ctgov.interventions.iloc[:0]))
    parts += [join.isrctn_rest(batch) for batch in kept]
    streamed = concat_tables(parts) if parts else whole
    for name in ("studies", "sites", "conditions", "interventions", "contacts", "officials"):
        mine, theirs = getattr(streamed, name), getattr(whole, name)
        if len(mine) or len(theirs):  # (an empty table's dtypes may differ: no rows to write)
            pd.testing.assert_frame_equal(mine, theirs, check_categorical=False, obj=name)
        assert list(mine.columns) == list(theirs.columns)
    assert {k: v for k, v in join.finish().items() if v} == \
        {k: whole.problems[k] for k in RULE if whole.problems.get(k)}
    assert join.notes() == notes
