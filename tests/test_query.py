"""StudyQuery -> the API's exact parameters, and validation before any request."""

from __future__ import annotations

import pytest

from trialfinder.core.codes import Distance, Phase, Sex, Status
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.query import StudyQuery, essie_text, geo_param, normalize_nct_id


def test_condition_and_status_become_api_parameters() -> None:
    query = StudyQuery(conditions=("back pain",), statuses=("recruiting", "Not yet recruiting"))
    assert query.to_params() == {
        "query.cond": "back pain",
        "filter.overallStatus": "RECRUITING,NOT_YET_RECRUITING",
    }


def test_several_conditions_are_ored_with_phrases_grouped() -> None:
    query = StudyQuery(conditions=("muscle cramp", "spasticity", "muscle spasm"))
    assert query.to_params()["query.cond"] == "(muscle cramp) OR spasticity OR (muscle spasm)"


def test_every_text_field_has_its_parameter() -> None:
    query = StudyQuery(
        terms=("magnesium",), interventions=("baclofen", "Lioresal"), location="Lyon",
        titles="cramp", sponsor="University", nct_ids=("nct99000001", "NCT99000002"),
    )
    assert query.to_params() == {
        "query.term": "magnesium",
        "query.intr": "baclofen OR Lioresal",
        "query.locn": "Lyon",
        "query.titles": "cramp",
        "query.spons": "University",
        "filter.ids": "NCT99000001,NCT99000002",
    }


def test_distance_becomes_filter_geo() -> None:
    query = StudyQuery(conditions=("ALS",), near=Distance(42.36, -71.06, 50, "mi"))
    assert query.to_params()["filter.geo"] == "distance(42.36,-71.06,50mi)"
    assert geo_param(Distance(45.764043, 4.835659, 80, "km")) == "distance(45.764043,4.835659,80km)"


def test_structured_filters_become_one_essie_expression() -> None:
    query = StudyQuery(
        conditions=("ALS",), phases=("2", "phase 3"), study_types=("interventional",),
        sex="female", age=58, healthy_volunteers=False, start_from="2020-01",
        has_results=True,
    )
    assert query.to_params()["filter.advanced"] == (
        "(AREA[Phase]PHASE2 OR AREA[Phase]PHASE3)"
        " AND AREA[StudyType]INTERVENTIONAL"
        " AND (AREA[Sex]FEMALE OR AREA[Sex]ALL)"
        " AND (AREA[MinimumAge]RANGE[MIN, 58 years] OR AREA[MinimumAge]MISSING)"
        " AND (AREA[MaximumAge]RANGE[58 years, MAX] OR AREA[MaximumAge]MISSING)"
        " AND AREA[HealthyVolunteers]false"
        " AND AREA[StartDate]RANGE[2020-01, MAX]"
        " AND AREA[HasResults]true"
    )


def test_fractional_age_and_sex_all_add_no_sex_clause() -> None:
    query = StudyQuery(conditions=("cramp",), age=0.5, sex="all")
    assert query.to_params()["filter.advanced"] == (
        "(AREA[MinimumAge]RANGE[MIN, 0.5 years] OR AREA[MinimumAge]MISSING)"
        " AND (AREA[MaximumAge]RANGE[0.5 years, MAX] OR AREA[MaximumAge]MISSING)"
    )


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("knee [twitching]", "knee twitching"),
        ('"muscle spasm', "muscle spasm"),
        ('"muscle spasm"', '"muscle spasm"'),
        ("pain (lower back", "pain lower back"),
        ("(ALS OR MND)", "(ALS OR MND)"),
        ("ALS OR", "ALS"),
        ("AND cramps", "cramps"),
        ("AREA[Phase]PHASE3", "AREA Phase PHASE3"),
        ("a ) b (", "a b"),
        ("[]", ""),
        ("a & b -- c", "a b c"),
        ('""', ""),
        ('("")', ""),
        ('a ("" ) b', "a b"),
        ('"a" "b"', '"a" "b"'),
        ('"(")', ""),
        ('"a (b)" c', '"a (b)" c'),
        ('"("', ""),
        ("a (()) b", "a b"),
        ('(("))"', ""),
        ('("a)" b)', '("a)" b)'),
        ('((")\'")"', ""),
        ("(OR)()", ""),
        ('"0"OR', '"0"'),
        ("a (b AND) c", "a (b) c"),
    ],
)
def test_free_text_is_made_safe_for_the_parser(text: str, safe: str) -> None:
    assert essie_text(text) == safe


def test_friendly_names_parse_case_insensitively() -> None:
    assert Status.parse("active") is Status.ACTIVE_NOT_RECRUITING
    assert Status.parse("enrolling by invitation") is Status.ENROLLING_BY_INVITATION
    assert Phase.parse("III") is Phase.PHASE3
    assert Sex.parse("F") is Sex.FEMALE
    assert Status.NOT_YET_RECRUITING.label == "Not yet recruiting"
    assert Phase.EARLY_PHASE1.label == "Early phase 1"


def test_query_is_frozen_and_replace_copies() -> None:
    base = StudyQuery(conditions=("ALS",))
    narrowed = base.replace(statuses=("recruiting",))
    assert base.statuses == ()
    assert narrowed.statuses == (Status.RECRUITING,)
    with pytest.raises(AttributeError):
        base.conditions = ("other",)  # type: ignore[misc]


def test_merge_unions_text_and_overrides_filters() -> None:
    preset = StudyQuery(conditions=("ALS",), statuses=("completed",))
    mine = StudyQuery(conditions=("motor neuron disease",), statuses=("recruiting",), age=40)
    merged = preset.merge(mine)
    assert merged.conditions == ("ALS", "motor neuron disease")
    assert merged.statuses == (Status.RECRUITING,)
    assert merged.age == 40


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statuses": ("bogus",)}, "unknown status 'bogus'; choose from: active_not_recruiting"),
        ({"nct_ids": ("NCT1234567890",)}, "'NCT1234567890' is not an NCT id"),
        ({"nct_ids": ("NCT" + "0" * 8,)}, "is not an NCT id"),
        ({"age": -1}, "age must be within 0..125 years"),
        ({"age": "old"}, "age must be a number"),
        ({"conditions": ("[]",)}, "condition '\\[\\]' has no searchable words"),
        ({"conditions": ("&", "--")}, "condition '&', '--' has no searchable words"),
        ({"start_from": "2024-13"}, "is not a real date"),
        ({"start_from": "May 2024"}, "must be a date like 2024"),
        ({"start_from": "2025", "start_to": "2024"}, "start date range is empty"),
        ({"phases": ("7",)}, "unknown phase '7'"),
    ],
)
def test_invalid_input_is_rejected_before_any_request(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message.replace("(", r"\(").replace(".", r"\.")):
        StudyQuery(**kwargs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((91, 0, 10), "latitude must be within -90..90, not 91"),
        ((0, 181, 10), "longitude must be within -180..180, not 181"),
        ((0, 0, 0), "radius must be above 0, not 0"),
        ((0, 0, -5), "radius must be above 0, not -5"),
    ],
)
def test_distance_validation(args: tuple[float, float, float], message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message.replace(".", r"\.")):
        Distance(*args)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("50mi", (50.0, "mi")), ("80 km", (80.0, "km")), ("25", (25.0, "mi")),
     ("10 miles", (10.0, "mi")), ("2.5KM", (2.5, "km"))],
)
def test_radius_parsing(text: str, parsed: tuple[float, str]) -> None:
    assert Distance.parse_radius(text) == parsed


def test_radius_parsing_rejects_nonsense() -> None:
    with pytest.raises(InvalidQueryError, match="radius 'far' is not like 50mi or 80km"):
        Distance.parse_radius("far")


def test_nct_ids_are_normalized_and_deduplicated() -> None:
    assert normalize_nct_id(" nct1234567 ") == "NCT01234567"
    assert StudyQuery(nct_ids=("NCT99000001", "nct99000001")).nct_ids == ("NCT99000001",)


def test_empty_query_is_flagged() -> None:
    assert StudyQuery().is_empty
    assert not StudyQuery(statuses=("recruiting",)).is_empty


def test_a_search_says_how_a_short_id_was_read() -> None:
    """The library (``tf.search``, the CLI's --id) and the dashboard's ``study=`` say the
    same: a short NCT id is padded, and the search's notes say to what."""
    from trialfinder.options import SearchOptions
    from trialfinder.registries.ctgov.registry import CTGOV

    notes = CTGOV.translate(SearchOptions(ids=("NCT123", "nct99000012"))).notes
    assert notes == ("id 'NCT123' read as NCT00000123",)
