"""Same answer offline as online: search_records over records == the API (stand-in) over them.

The stand-in (``devtools.standin``) answers ``query.*``, ``filter.*`` parameters with the
API's semantics; ``search_records`` must pick the same studies from the same records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devtools.standin import StandInServer, fictional_site, fictional_study, find_shared_dir
from trialfinder.core.config import Settings
from trialfinder.service.searching import search, search_records
from trialfinder.topics.presets import PRESETS

BOSTON = fictional_site("Fictional Spine Centre", "Boston", "United States", 42.36, -71.06,
                        state="Massachusetts", status="RECRUITING")
LYON = fictional_site("Clinique Imaginaire", "Lyon", "France", 45.76, 4.84, status="RECRUITING")


def records() -> list[dict[str, Any]]:
    return [
        fictional_study("NCT99200001", "Fictional Ibuprofen for Low Back Pain",
                        conditions=["Low Back Pain"], interventions=["Ibuprofen"],
                        locations=[BOSTON], maximum_age="65 Years"),
        fictional_study("NCT99200002", "Imaginary Coffee and Exercise", phases=("NA",),
                        conditions=["Exercise Performance"], interventions=["Caffeine"],
                        healthy_volunteers=True, locations=[LYON]),
        fictional_study("NCT99200003", "Pretend Baclofen for Spasticity after Stroke",
                        conditions=["Muscle Spasticity", "Stroke"],
                        mesh_terms=["Muscle Spasticity"], interventions=["Baclofen"],
                        status="COMPLETED", phases=("PHASE3",), locations=[BOSTON]),
        fictional_study("NCT99200004", "Fictional Baclofen for Drinking",
                        conditions=["Alcohol Use Disorder"], interventions=["Baclofen"],
                        locations=[LYON]),
        fictional_study("NCT99200005", "Imaginary ALS Riluzole Add-on",
                        conditions=["Amyotrophic Lateral Sclerosis"],
                        mesh_terms=["Amyotrophic Lateral Sclerosis", "Motor Neuron Disease"],
                        interventions=["Riluzole"], minimum_age="40 Years"),
        fictional_study("NCT99200006", "Pretend Gene Therapy in Spinal Muscular Atrophy",
                        conditions=["Spinal Muscular Atrophy"], keywords=["motor neuron"],
                        mesh_terms=["Muscular Atrophy, Spinal"], interventions=["Gene X"],
                        minimum_age=None, maximum_age="2 Years"),
        fictional_study("NCT99200007", "Fictional Night Cramp Magnesium Study",
                        conditions=["Muscle Cramp", "Hypomagnesemia"],
                        interventions=["Magnesium Citrate"], sex="FEMALE", locations=[BOSTON]),
        fictional_study("NCT99200008", "Imaginary Hyperkalemia Binder",
                        conditions=["Hyperkalemia", "Electrolyte Imbalance"],
                        interventions=["Potassium Binder"]),
        fictional_study("NCT99200009", "Pretend Tizanidine in MS Spasticity",
                        conditions=["Multiple Sclerosis", "Spasticity"], keywords=["spasm"],
                        interventions=[{"type": "DRUG", "name": "Tizanidine",
                                        "otherNames": ["Zanaflex"]}],
                        status="NOT_YET_RECRUITING", locations=[LYON, BOSTON]),
        fictional_study("NCT99200010", "Fictional Stiff Person Syndrome IVIG",
                        conditions=["Stiff-Person Syndrome"], interventions=["IVIG"],
                        phases=("PHASE2", "PHASE3")),
    ]


QUERIES: list[dict[str, Any]] = [
    {"condition": "low back pain", "intervention": "caffeine"},
    {"condition": "low back pain"},
    {"condition": ["spasticity", "muscle cramp"]},
    {"intervention": "baclofen"},
    {"condition": "spasticity", "intervention": "baclofen"},
    {"intervention": ["zanaflex", "baclofen"], "status": "recruiting"},
    {"condition": '"motor neuron disease"'},
    {"condition": "motor neuron"},
    {"term": "fictional", "phase": "3"},
    {"term": "baclofen", "age": 70},
    {"condition": "spasticity", "near": (42.36, -71.06), "radius": "20mi"},
    {"term": "pretend OR imaginary", "status": ["recruiting", "completed"]},
    {"location": "Lyon"},
    {"term": "stroke NOT baclofen"},
    {"intervention": "magnes*"},
    *({"preset": name} for name in PRESETS),
    {"preset": "muscle-relaxants", "condition": "stroke"},
]


def online(server: StandInServer, **query: Any) -> set[str]:
    settings = Settings(base_url=server.base_url, use_cache=False, requests_per_minute=6000,
                        timeout=5)
    return set(search(settings=settings, **query).studies["nct_id"])


def offline(studies: list[dict[str, Any]], **query: Any) -> set[str]:
    return set(search_records(studies, source="test", **query).studies["nct_id"])


def test_condition_and_treatment_that_never_meet_find_nothing() -> None:
    assert offline(records(), condition="low back pain", intervention="caffeine") == set()
    assert offline(records(), condition="low back pain") == {"NCT99200001"}


def test_fields_are_anded_and_phrases_ored() -> None:
    assert offline(records(), condition="spasticity", intervention="baclofen") == {
        "NCT99200003"}
    assert offline(records(), condition=["spasticity", "muscle cramp"]) == {
        "NCT99200003", "NCT99200007", "NCT99200009"}


def test_same_ids_as_the_standin(standin_factory: Callable[..., StandInServer]) -> None:
    studies = records()
    server = standin_factory(studies)
    for query in QUERIES:
        assert offline(studies, **query) == online(server, **query), query
    assert online(server, condition="spasticity", near=(42.36, -71.06),
                  radius="20mi") == {"NCT99200003", "NCT99200009"}


@pytest.mark.skipif(find_shared_dir() is None, reason="no ../shared/ctgov records")
def test_same_ids_as_the_standin_on_real_records(
    standin_factory: Callable[..., StandInServer],
) -> None:
    from devtools.standin import load_dataset

    studies = load_dataset("shared")
    server = standin_factory(studies)
    queries: list[dict[str, Any]] = [
        {"condition": "disc herniation"},
        {"condition": '"degenerative disc disease"', "status": "completed"},
        {"condition": "back pain", "intervention": "caffeine"},
        {"condition": ["lumbar", "cervical"], "phase": "na"},
        {"intervention": "device OR surgery", "age": 30},
        {"term": "cancer", "near": (40.71, -74.0), "radius": "200mi"},
        *({"preset": name} for name in PRESETS),
    ]
    nonempty = 0
    for query in queries:
        mine = offline(studies, **query)
        assert mine == online(server, **query), query
        nonempty += bool(mine)
    assert nonempty >= 4
    assert offline(studies, condition="back pain", intervention="caffeine") == set()
