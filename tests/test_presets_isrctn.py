"""Topic presets over ISRCTN: each preset's words in ISRCTN's own ``q`` (phrases as phrases,
its AND / OR / NOT as ISRCTN's, American and British spellings both), found on the ISRCTN
stand-in with fictional trials (ISRCTN99...), and the filter summary naming the place."""

from __future__ import annotations

import pytest

from devtools.isrctn import IsrctnServer
from devtools.isrctn.records import sample_trials
from tests.conftest import isrctn_trial
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.options import from_kwargs
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.registries.isrctn.registry import ISRCTN
from trialfinder.service.searching import search
from trialfinder.topics.presets import PRESETS

LEEDS = {"name": "Imaginary Hospital Leeds", "town": "Leeds", "nation": "England"}


def q_of(**options: object) -> str:
    return ISRCTN.translate(from_kwargs(options)).params["q"]


def test_the_als_preset_asks_isrctn_for_both_spellings_without_the_excluded_conditions(
) -> None:
    assert q_of(preset="als") == (
        '(condition:"Amyotrophic Lateral Sclerosis" OR condition:"Lou Gehrig" OR '
        '((condition:"Motor Neuron Disease" OR condition:"Motor Neurone Disease") AND NOT '
        'condition:"Spinal Muscular Atrophy" AND NOT condition:"Muscular Atrophy, Spinal"))')


def test_a_preset_s_and_or_and_brackets_become_isrctn_s_own() -> None:
    assert ('(condition:"Multiple Sclerosis" AND (condition:"spasticity" OR condition:"spasm" '
            'OR condition:"spasms"))') in q_of(preset="autoimmune-spasms")
    relaxants = q_of(preset="muscle-relaxants")
    assert relaxants.startswith('(condition:"Muscle Spasm" OR condition:"Muscle Spasms" OR ')
    assert ' AND (intervention:"Baclofen" OR intervention:"Intrathecal Baclofen" OR ' in relaxants


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_preset_leaves_a_note_that_its_phrases_were_not_sent(name: str) -> None:
    made = ISRCTN.translate(from_kwargs({"preset": name}))
    assert made.notes == ()
    assert "NOT " not in made.params["q"].replace("AND NOT ", "")  # never inside a phrase


def test_clinicaltrials_gov_still_gets_the_preset_as_written() -> None:
    params = CTGOV.translate(from_kwargs({"preset": "als"})).params
    assert params["query.cond"] == (
        '("Amyotrophic Lateral Sclerosis") OR ("Lou Gehrig") OR ("Motor Neuron Disease" NOT '
        '"Spinal Muscular Atrophy" NOT "Muscular Atrophy, Spinal")')


def test_a_user_s_condition_is_asked_in_both_spellings_and_stays_one_phrase() -> None:
    assert q_of(condition="hypokalaemia") == (
        '(condition:"hypokalaemia" OR condition:"hypokalemia")')
    made = ISRCTN.translate(from_kwargs({"condition": '"motor neuron" OR (x'}))
    assert made.params["q"] == ('(condition:"motor neuron OR x" OR '
                                'condition:"motor neurone OR x")')
    assert made.notes == ("'\"motor neuron\" OR x': quotes and brackets are not sent to "
                          "ISRCTN; the words are one phrase",)


def test_the_topic_notation_never_lets_its_characters_through() -> None:
    from trialfinder.registries.isrctn.topicq import TopicSyntaxError, topic_clause, variants

    # a quote, a colon or a bracket inside a phrase is no syntax: only the writer's own is
    assert topic_clause("condition", 'a:b OR "c) OR title:(d"') == (
        '(condition:"a b" OR condition:"c OR title d")')
    with pytest.raises(TopicSyntaxError):
        topic_clause("condition", '"a" OR (b')
    assert variants("Tumor edema") == ["Tumor edema", "Tumour oedema"]
    assert variants("Hemifacial Spasm") == ["Hemifacial Spasm"]  # no word of the table


@pytest.fixture
def standin(isrctn_server: IsrctnServer) -> IsrctnServer:
    """The stand-in's sample trials (three in motor neurone disease), and three more: a
    spasticity trial in multiple sclerosis, one in low potassium, written the British way,
    and one in spinal muscular atrophy (which the ALS preset leaves out)."""
    isrctn_server.api.trials = [
        *sample_trials(),
        isrctn_trial("ISRCTN99000101", "Stretching for spasticity (fictional)",
                     condition="Spasticity in multiple sclerosis"),
        isrctn_trial("ISRCTN99000102", "Potassium drink (fictional)", condition="Hypokalaemia"),
        isrctn_trial("ISRCTN99000103", "Motor neurone disease in spinal muscular atrophy "
                     "(fictional)", condition="Motor neurone disease; spinal muscular atrophy")]
    return isrctn_server


def test_every_preset_finds_its_trials_on_the_isrctn_stand_in(standin: IsrctnServer) -> None:
    found = {name: search(preset=name, registry="isrctn", status="any",
                          settings=Settings(use_cache=False, timeout=5)).studies["nct_id"]
             .tolist() for name in PRESETS}
    assert found == {
        "knee-twitching": [], "muscle-spasm": ["ISRCTN99000101"],
        "dehydration-deficiency": ["ISRCTN99000102"],
        "muscle-relaxants": [], "anti-inflammatories": [], "caffeine-muscle": [],
        "als": ["ISRCTN99000001", "ISRCTN99000002", "ISRCTN99000003"],
        "autoimmune-spasms": ["ISRCTN99000101"]}


def test_the_als_preset_near_leeds_finds_the_leeds_trial_and_names_the_place(
    isrctn_server: IsrctnServer, capsys: pytest.CaptureFixture[str],
) -> None:
    isrctn_server.api.trials = sample_trials()[:3]  # at Sheffield and Leeds, Glasgow, Cork
    code = main(["search", "--preset", "als", "--registry", "isrctn", "--near", "Leeds, UK",
                 "--status", "any", "--no-cache", "--format", "csv", "--columns", "nct_id"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[1:] == ["ISRCTN99000001"]
    assert "; local filters within 50 mi of Leeds, UK: -2\n" in err
