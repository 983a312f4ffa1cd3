from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.query import StudyQuery, preset_query
from trialfinder.registries.ctgov.textsearch import matching_ids
from trialfinder.topics.background import SECTIONS, get_section
from trialfinder.topics.presets import PRESETS, Preset, get_preset


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_a_query(name: str) -> None:
    preset = PRESETS[name]
    assert preset.title and preset.description and preset.leaves_out
    assert set(preset_query(preset).to_params()) <= {"query.cond", "query.intr", "query.term"}
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


def test_the_caffeine_preset_needs_caffeine_and_a_muscle_outcome() -> None:
    studies = [
        fictional_study("NCT99300021", "Fictional study", conditions=["Muscle Cramp"],
                        interventions=["Caffeine"]),
        fictional_study("NCT99300022", "Fictional study", conditions=["Athletic Performance"],
                        interventions=["Caffeine"]),
        fictional_study("NCT99300023", "Fictional study", conditions=["Muscle Cramp"],
                        interventions=["Magnesium Citrate"]),
        fictional_study("NCT99300024", "Fictional study", conditions=["Apnea of Prematurity"],
                        interventions=["Caffeine"]),
    ]
    assert matching_ids(studies, preset_query(get_preset("caffeine-muscle")).to_params()) == {
        "NCT99300021", "NCT99300022"}


@pytest.mark.parametrize(("typed", "found"), [
    ("muscle spasms", {"NCT99300041", "NCT99300042"}),
    ("muscle spasm", {"NCT99300041", "NCT99300042"}), ("spasms", {"NCT99300041", "NCT99300042"}),
    ('"leg cramp"', {"NCT99300043"}), ("fasciculation*", {"NCT99300044"}),
    ("twitches", {"NCT99300044"}),
])
def test_a_plural_ending_matches_as_the_api_stems_it(typed: str, found: set[str]) -> None:
    """A search of the demo studies (or a saved download) for "muscle spasms" found none of
    the studies of "Muscle Spasm": the words had to match as written."""
    studies = [
        fictional_study("NCT99300041", "Fictional study", conditions=["Muscle Spasm"]),
        fictional_study("NCT99300042", "Fictional study", conditions=["Muscle Spasms"]),
        fictional_study("NCT99300043", "Fictional study", conditions=["Leg Cramps"]),
        fictional_study("NCT99300044", "Fictional study", conditions=["Fasciculations"],
                        keywords=["Twitch"]),
    ]
    assert matching_ids(studies, StudyQuery(conditions=(typed,)).to_params()) == found


@pytest.mark.parametrize(("name", "condition", "intervention"), [
    # generic, brand and intrathecal names of muscle relaxants, for spasticity
    *(("muscle-relaxants", "Muscle Spasticity", drug) for drug in (
        "Baclofen", "Intrathecal Baclofen", "Lioresal", "Gablofen", "Ozobax", "Lyvispah",
        "Tizanidine", "Zanaflex", "Cyclobenzaprine", "Flexeril", "Methocarbamol", "Robaxin",
        "Diazepam", "Tolperisone", "Dantrolene", "Dantrium", "Ryanodex", "Botulinum Toxin")),
    # steroids and NSAIDs once missing, for knee pain
    *(("anti-inflammatories", "Knee Pain", drug) for drug in (
        "Betamethasone", "Prednisolone", "Aspirin", "Indomethacin")),
    ("knee-twitching", "Myoclonus", None),
    ("knee-twitching", "Restless Legs Syndrome", None),
    ("dehydration-deficiency", "Hyponatremia", None),
    ("dehydration-deficiency", "Vitamin B12 Deficiency", None),
    ("muscle-spasm", "Hemifacial Spasm", None),
    ("muscle-spasm", "Blepharospasm", None),
    ("muscle-spasm", "Dystonia", None),
    ("autoimmune-spasms", "Progressive Encephalomyelitis with Rigidity and Myoclonus", None),
    ("autoimmune-spasms", "Painful Tonic Spasms", None),
])
def test_a_study_named_only_by_a_synonym_is_found(name: str, condition: str,
                                                  intervention: str | None) -> None:
    study = fictional_study("NCT99300031", "Fictional study", conditions=[condition],
                            interventions=[intervention] if intervention else [])
    assert matching_ids([study], preset_query(get_preset(name)).to_params()) == {"NCT99300031"}


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
    found = matching_ids(studies, preset_query(get_preset("muscle-relaxants")).to_params())
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
    def found(name: str) -> set[str]:
        return matching_ids(studies, preset_query(get_preset(name)).to_params())

    assert found("als") == {"NCT99300011", "NCT99300013"}
    assert found("dehydration-deficiency") == {"NCT99300016"}
    assert "NCT99300017" not in found("muscle-spasm")
    assert found("autoimmune-spasms") == {"NCT99300018"}


def test_preset_query_merges_with_user_filters() -> None:
    merged = preset_query(get_preset("als")).merge(StudyQuery(statuses=("recruiting",)))
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
    assert message.endswith(", ".join(PRESETS))
    assert isinstance(info.value, ValueError)


def test_preset_rejects_bad_slug_and_empty_query() -> None:
    with pytest.raises(InvalidQueryError, match="slug"):
        Preset("Bad Name", "t", "d", StudyQuery(conditions=("x",)))
    with pytest.raises(InvalidQueryError, match="empty query"):
        Preset("empty", "t", "d", StudyQuery())


def test_every_background_section_points_at_a_preset() -> None:
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



@pytest.mark.parametrize(("name", "said"), [
    ("ms", "; the preset autoimmune-spasms searches spasticity in multiple sclerosis (for every "
           'such study, search the condition "multiple sclerosis"); choose from: '),
    ("Lou Gehrig", "; the preset als searches ALS (Lou Gehrig disease, motor neuron disease); "
                   "choose from: "),
    ("stiff person syndrome", "; the preset autoimmune-spasms searches stiff-person syndrome; "
                              "choose from: "),
])
def test_a_condition_a_preset_searches_names_that_preset(name: str, said: str) -> None:
    with pytest.raises(InvalidQueryError) as caught:
        get_preset(name)
    assert str(caught.value).startswith(f"unknown preset {name!r}{said}")
