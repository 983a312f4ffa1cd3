from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.api.query import StudyQuery
from trialfinder.errors import InvalidQueryError
from trialfinder.tables.textsearch import matching_ids
from trialfinder.topics.background import SECTIONS, Section, get_section
from trialfinder.topics.presets import PRESETS, Preset, get_preset, list_presets

EXPECTED_NAMES = [
    "knee-twitching",
    "muscle-spasm",
    "dehydration-deficiency",
    "muscle-relaxants",
    "anti-inflammatories",
    "caffeine-muscle",
    "als",
    "autoimmune-spasms",
]


def test_presets_are_listed_in_display_order() -> None:
    assert list(PRESETS) == EXPECTED_NAMES
    assert [p.name for p in list_presets()] == EXPECTED_NAMES


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_every_preset_builds_a_query(name: str) -> None:
    preset = PRESETS[name]
    assert preset.name == name
    assert preset.title and preset.description and preset.leaves_out
    params = preset.to_params()
    assert params == preset.query.to_params()
    assert set(params) <= {"query.cond", "query.intr", "query.term"}
    # every phrase survives Essie cleaning unchanged, and no bracket reaches the API
    for phrases in (preset.query.conditions, preset.query.interventions, preset.query.terms):
        assert phrases == StudyQuery(conditions=phrases).conditions
        for phrase in phrases:
            assert not set(phrase) & set("[]{}\\")
            assert phrase.count('"') % 2 == 0


def test_multi_word_phrases_are_quoted() -> None:
    for preset in PRESETS.values():
        for phrase in (*preset.query.conditions, *preset.query.interventions):
            assert " " not in phrase or phrase.startswith('"'), (preset.name, phrase)


def test_als_preset_parameters_exactly() -> None:
    assert get_preset("als").to_params() == {
        "query.cond": '("Amyotrophic Lateral Sclerosis") OR ("Lou Gehrig") OR '
        '("Motor Neuron Disease" NOT "Spinal Muscular Atrophy" NOT "Muscular Atrophy, Spinal")'
    }


def test_caffeine_preset_parameters_exactly() -> None:
    assert get_preset("caffeine-muscle").to_params() == {
        "query.cond": '("Muscle Fatigue") OR ("Muscle Cramp") OR ("Muscle Spasm") OR '
        '("Muscle Tension") OR Fasciculation OR ("Exercise Performance") OR '
        '("Athletic Performance")',
        "query.intr": "Caffeine",
    }


def test_relaxant_preset_includes_brand_and_intrathecal_names() -> None:
    names = get_preset("muscle-relaxants").query.interventions
    for expected in ("Baclofen", '"Intrathecal Baclofen"', "Lioresal", "Gablofen", "Ozobax",
                     "Lyvispah", "Tizanidine", "Zanaflex", "Cyclobenzaprine", "Flexeril",
                     "Methocarbamol", "Robaxin", "Diazepam", "Tolperisone", "Dantrolene",
                     "Dantrium", "Ryanodex", '"Botulinum Toxin"'):
        assert expected in names


def test_missing_synonyms_are_there() -> None:
    text = " ".join(" ".join((*p.query.conditions, *p.query.interventions))
                    for p in PRESETS.values())
    for word in ("Betamethasone", "Prednisolone", "Aspirin", "Indomethacin", "Myoclonus",
                 "Restless Legs", "Hyponatremia", "Vitamin B12 Deficiency", "Hemifacial Spasm",
                 "Blepharospasm", "Dystonia", "Rigidity and Myoclonus", "tonic spasms"):
        assert word in text, word


def relaxant_study(nct: str, condition: str, drug: str) -> dict[str, Any]:
    return fictional_study(nct, f"Fictional {drug} study", conditions=[condition],
                           interventions=[drug])


def test_drug_presets_keep_to_their_conditions() -> None:
    studies = [
        relaxant_study("NCT99300001", "Muscle Spasticity", "Baclofen"),
        relaxant_study("NCT99300002", "Alcohol Use Disorder", "Baclofen"),
        relaxant_study("NCT99300003", "Malignant Hyperthermia", "Dantrolene"),
        relaxant_study("NCT99300004", "Fibromyalgia", "Cyclobenzaprine"),
        relaxant_study("NCT99300005", "Cervical Dystonia", "Botox"),
        relaxant_study("NCT99300006", "Low Back Pain", "Ozobax"),
        relaxant_study("NCT99300007", "Muscle Spasms", "Diazepam"),
        relaxant_study("NCT99300008", "Anxiety", "Diazepam"),
    ]
    found = matching_ids(studies, get_preset("muscle-relaxants").to_params())
    assert found == {"NCT99300001", "NCT99300005", "NCT99300006", "NCT99300007"}


def test_condition_presets_leave_out_look_alikes() -> None:
    studies = [
        fictional_study("NCT99300011", "Fictional ALS", conditions=["ALS"],
                        mesh_terms=["Amyotrophic Lateral Sclerosis"]),
        fictional_study("NCT99300012", "Fictional SMA", conditions=["Spinal Muscular Atrophy"],
                        mesh_terms=["Muscular Atrophy, Spinal", "Motor Neuron Disease"]),
        fictional_study("NCT99300013", "Fictional MND", conditions=["Motor Neuron Disease"]),
        fictional_study("NCT99300014", "Fictional life support",
                        conditions=["Cardiac Arrest"], keywords=["ALS", "advanced life support"]),
        fictional_study("NCT99300015", "Fictional Hyperkalemia",
                        conditions=["Hyperkalemia", "Electrolyte Imbalance"]),
        fictional_study("NCT99300016", "Fictional Hyponatremia", conditions=["Hyponatremia"]),
        fictional_study("NCT99300017", "Fictional infantile spasms",
                        conditions=["Infantile Spasms"]),
        fictional_study("NCT99300018", "Fictional MS spasms",
                        conditions=["Multiple Sclerosis", "Spasticity"]),
        fictional_study("NCT99300019", "Fictional MS relapse", conditions=["Multiple Sclerosis"]),
    ]
    assert matching_ids(studies, get_preset("als").to_params()) == {"NCT99300011",
                                                                    "NCT99300013"}
    assert matching_ids(studies, get_preset("dehydration-deficiency").to_params()) == {
        "NCT99300016"}
    assert "NCT99300017" not in matching_ids(studies, get_preset("muscle-spasm").to_params())
    assert matching_ids(studies, get_preset("autoimmune-spasms").to_params()) == {
        "NCT99300018"}


def test_preset_query_merges_with_user_filters() -> None:
    merged = get_preset("als").query.merge(StudyQuery(statuses=("recruiting",)))
    params = merged.to_params()
    assert params["filter.overallStatus"] == "RECRUITING"
    assert params["query.cond"].startswith('("Amyotrophic Lateral Sclerosis") OR')


@pytest.mark.parametrize(
    "spelling",
    ["muscle-spasm", "Muscle-Spasm", "MUSCLE_SPASM", "muscle spasm", "  muscle   spasm ",
     "muscle_-spasm"],
)
def test_get_preset_normalises_the_name(spelling: str) -> None:
    assert get_preset(spelling) is PRESETS["muscle-spasm"]


def test_get_preset_unknown_name_lists_valid_names() -> None:
    with pytest.raises(InvalidQueryError) as info:
        get_preset("knee pain")
    message = str(info.value)
    assert message.startswith("unknown preset 'knee pain'; choose from: ")
    assert message.endswith(", ".join(EXPECTED_NAMES))
    assert isinstance(info.value, ValueError)


def test_preset_rejects_bad_slug_and_empty_query() -> None:
    with pytest.raises(InvalidQueryError, match="slug"):
        Preset("Bad Name", "t", "d", StudyQuery(conditions=("x",)))
    with pytest.raises(InvalidQueryError, match="empty query"):
        Preset("empty", "t", "d", StudyQuery())


def test_every_background_section_points_at_a_preset() -> None:
    assert len(SECTIONS) >= 4
    assert all(isinstance(s, Section) for s in SECTIONS)
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)
    for section in SECTIONS:
        assert section.preset in PRESETS, section.key
        assert section.title and section.body_markdown.strip()
    # every preset is introduced by some section
    assert {s.preset for s in SECTIONS} == set(PRESETS)


def test_background_covers_the_focus_topics() -> None:
    text = " ".join(s.body_markdown for s in SECTIONS).lower()
    for word in ("magnesium", "calcium", "potassium", "thiamine", "vitamin d", "vitamin e",
                 "adrenaline", "als", "baclofen", "tizanidine", "physical therapy", "caffeine",
                 "nsaids", "corticosteroids", "sleepy", "dizzy"):
        assert word in text, word
    knee = get_section("knee-twitching").body_markdown
    assert "weakness" in knee and "doctor" in knee


def test_get_section_unknown_key() -> None:
    with pytest.raises(KeyError, match="knee-twitching"):
        get_section("nope")

