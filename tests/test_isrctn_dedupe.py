"""One list across ClinicalTrials.gov and ISRCTN: each trial once, ClinicalTrials.gov's
fields win, ISRCTN adds its id, link and sites in cities the other lacks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from devtools.isrctn.records import FictionalTrial, answer_xml
from devtools.standin import fictional_site, fictional_study
from trialfinder.registries.ctgov.normalize import empty_tables, normalize
from trialfinder.registries.isrctn.dedupe import (
    Link,
    links_from_ctgov,
    links_from_isrctn,
    merge,
)
from trialfinder.registries.isrctn.tables import to_tables
from trialfinder.registries.isrctn.xml import parse_answer

TODAY = date(2026, 6, 1)


def _ctgov() -> tuple[list[dict[str, Any]], Any]:
    records = [
        fictional_study("NCT99000001", "Walking aid (fictional)", status="COMPLETED",
                        phases=("PHASE3",), locations=[
                            fictional_site("Fictional Neuro", "Sheffield", "United Kingdom",
                                           53.38, -1.47)]),
        fictional_study("NCT99000005", "Named by its secondary id (fictional)"),
        fictional_study("NCT99000007", "Alone (fictional)"),
    ]
    records[1]["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [
        {"id": "ISRCTN-99000003", "type": "REGISTRY", "domain": "ISRCTN"},
        {"id": "99000004", "type": "OTHER", "domain": "ISRCTN registry"},
        {"id": "12345678", "type": "OTHER", "domain": "Local hospital"},
    ]
    return records, normalize(records)


def _isrctn() -> Any:
    trials = [
        FictionalTrial("ISRCTN99000001", "Walking aid (fictional, ISRCTN)", nct="NCT99000001",
                       centres=(("Fictional Neuro Centre", "Sheffield", "England"),
                                ("Imaginary Hospital", "Leeds", "England"),
                                ("Made-up Unit", "Dublin", "Ireland"))),
        FictionalTrial("ISRCTN99000002", "Junk cross-reference (fictional)", nct="Nil known",
                       centres=(("Pretend Clinic", "Cork", "Ireland"),)),
        FictionalTrial("ISRCTN99000003", "Named from the other side (fictional)"),
    ]
    return to_tables(parse_answer(answer_xml(trials)).trials, TODAY)


def _links(records: list[dict[str, Any]], isrctn: Any) -> list[Link]:
    return links_from_isrctn(isrctn.nct_links) + links_from_ctgov(records)


def test_links_from_both_sides() -> None:
    records, _ = _ctgov()
    isrctn = _isrctn()
    assert _links(records, isrctn) == [
        Link("NCT99000001", "ISRCTN99000001", "isrctn"),
        Link("NCT99000005", "ISRCTN99000003", "ctgov"),
        Link("NCT99000005", "ISRCTN99000004", "ctgov"),
    ]


def test_each_trial_once_with_both_ids() -> None:
    records, ctgov = _ctgov()
    isrctn = _isrctn()
    merged = merge(ctgov, isrctn.tables, _links(records, isrctn))
    studies = merged.tables.studies
    assert list(studies["nct_id"]) == ["NCT99000001", "NCT99000005", "NCT99000007",
                                       "ISRCTN99000002"]
    assert merged.sources == ("ctgov+isrctn", "ctgov+isrctn", "ctgov", "isrctn")
    assert merged.merged == 2
    assert merged.also_known_as == {"NCT99000001": ("ISRCTN99000001",),
                                    "NCT99000005": ("ISRCTN99000003", "ISRCTN99000004")}


def test_ctgov_fields_win_and_isrctn_adds_sites_in_other_cities() -> None:
    records, ctgov = _ctgov()
    isrctn = _isrctn()
    merged = merge(ctgov, isrctn.tables, _links(records, isrctn))
    kept = merged.tables.studies.set_index("nct_id").loc["NCT99000001"]
    assert (kept["title"], kept["status"], kept["phases"]) == (
        "Walking aid (fictional)", "COMPLETED", "PHASE3")
    assert (kept["n_sites"], kept["countries"]) == (3, "United Kingdom|Ireland")
    sites = merged.tables.sites
    mine = sites[sites["nct_id"] == "NCT99000001"]
    assert list(mine["city"]) == ["Sheffield", "Leeds", "Dublin"]
    assert list(mine["site_index"]) == [0, 1, 2]
    assert list(mine["source"]) == ["ctgov", "isrctn", "isrctn"]  # the sites ISRCTN added
    assert set(sites["nct_id"]) == {"NCT99000001", "ISRCTN99000002"}
    assert not merged.tables.conditions["nct_id"].str.startswith("ISRCTN99000001").any()
    assert merged.tables.problems == {"duplicate_site_left_out": 1,
                                      "site_added_from_isrctn": 2, "merged_duplicate": 2}
    for name in ("studies", "sites", "conditions", "interventions"):
        assert [str(t) for t in getattr(merged.tables, name).dtypes] == \
            [str(t) for t in getattr(empty_tables(), name).dtypes], name


def test_without_links_nothing_merges() -> None:
    _, ctgov = _ctgov()
    isrctn = _isrctn()
    merged = merge(ctgov, isrctn.tables, [])
    assert len(merged.tables.studies) == 6 and merged.merged == 0
    assert merged.sources.count("isrctn") == 3
    assert merged.tables.problems == {}


def test_a_link_to_a_record_not_in_the_list_merges_nothing_but_is_named() -> None:
    isrctn = _isrctn()
    merged = merge(empty_tables(), isrctn.tables, links_from_isrctn(isrctn.nct_links))
    assert merged.merged == 0 and len(merged.tables.studies) == 3
    assert merged.also_known_as == {"ISRCTN99000001": ("NCT99000001",)}


def test_an_isrctn_record_linked_to_two_joins_the_first() -> None:
    _, ctgov = _ctgov()
    isrctn = _isrctn()
    links = [Link("NCT99000007", "ISRCTN99000002", "isrctn"),
             Link("NCT99000005", "ISRCTN99000002", "ctgov")]
    merged = merge(ctgov, isrctn.tables, links)
    assert merged.sources[:3] == ("ctgov", "ctgov+isrctn", "ctgov")
    assert merged.tables.problems["ambiguous_link"] == 1
    assert pd.Series(merged.tables.studies["nct_id"]).is_unique
