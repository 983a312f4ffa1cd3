from __future__ import annotations

import pytest

from trialfinder.api.query import StudyQuery
from trialfinder.errors import InvalidQueryError
from trialfinder.topics.background import DISCLAIMER, SECTIONS, Section, get_section
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
    assert preset.title and preset.description
    params = preset.to_params()
    assert params == preset.query.to_params()
    assert set(params) <= {"query.cond", "query.intr", "query.term"}
    # every phrase survives Essie cleaning unchanged: no brackets, quotes or stray operators
    for phrases in (preset.query.conditions, preset.query.interventions, preset.query.terms):
        assert phrases == StudyQuery(conditions=phrases).conditions
        for phrase in phrases:
            assert not set(phrase) & set('[]{}"()\\')


def test_als_preset_parameters_exactly() -> None:
    assert get_preset("als").to_params() == {
        "query.cond": "(Amyotrophic Lateral Sclerosis) OR ALS OR (Lou Gehrig Disease) "
        "OR (Motor Neuron Disease)"
    }


def test_caffeine_preset_parameters_exactly() -> None:
    assert get_preset("caffeine-muscle").to_params() == {
        "query.cond": "(Muscle Fatigue) OR (Muscle Cramp) OR (Muscle Spasm) OR (Muscle Tension) "
        "OR Fasciculation OR (Exercise Performance) OR (Athletic Performance)",
        "query.intr": "Caffeine",
    }


def test_relaxant_preset_includes_brand_and_intrathecal_names() -> None:
    names = get_preset("muscle-relaxants").query.interventions
    for expected in ("Baclofen", "Intrathecal Baclofen", "Lioresal", "Gablofen", "Tizanidine",
                     "Zanaflex", "Cyclobenzaprine", "Flexeril", "Methocarbamol", "Robaxin"):
        assert expected in names


def test_preset_query_merges_with_user_filters() -> None:
    merged = get_preset("als").query.merge(StudyQuery(statuses=("recruiting",)))
    params = merged.to_params()
    assert params["filter.overallStatus"] == "RECRUITING"
    assert params["query.cond"].startswith("(Amyotrophic Lateral Sclerosis) OR ALS")


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


def test_disclaimer_says_not_medical_advice() -> None:
    assert "not medical advice" in DISCLAIMER
    assert "doctor" in DISCLAIMER
