"""ISRCTN's query language: the mapping, safe quoting, and the options left to apply locally."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.registries.isrctn.query import (
    MAX_LIMIT,
    IsrctnQuery,
    iso_instant,
    phrase,
    translate,
)


def test_fields_are_quoted_and_joined_with_and() -> None:
    query = IsrctnQuery(conditions=("motor neurone disease", "ALS"), interventions=("riluzole",),
                        countries=("United Kingdom",), trial_statuses=("ongoing",))
    assert query.to_q() == (
        '(condition:"motor neurone disease" OR condition:"motor neuron disease" OR '
        'condition:"ALS") AND intervention:"riluzole" '
        'AND recruitmentCountry:"United Kingdom" AND trialStatus:ongoing')


def test_free_words_are_each_quoted_and_all_required() -> None:
    assert IsrctnQuery(terms=("walking aid",)).to_q() == '("walking" AND "aid")'
    assert IsrctnQuery(terms=("walking aid", "cane")).to_q() == '(("walking" AND "aid") OR "cane")'


def test_a_partial_date_range_covers_its_whole_period() -> None:
    query = IsrctnQuery(terms=("x",), start_from="2020", start_to="2021-02",
                        end_from="2024-02-29", end_to="2024-12-31")
    assert query.to_q().split(" AND ")[1:] == [
        "overallStartDate GE 2020-01-01T00:00:00.000Z",
        "overallStartDate LT 2021-03-01T00:00:00.000Z",
        "overallEndDate GE 2024-02-29T00:00:00.000Z",
        "overallEndDate LT 2025-01-01T00:00:00.000Z",
    ]


def test_edited_since_is_an_instant_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    when = datetime(2026, 3, 1, 0, 30, 5, 250_000, tzinfo=paris)
    assert IsrctnQuery(edited_since=when).to_q() == "lastEdited GE 2026-02-28T23:30:05.250Z"
    assert iso_instant(date(2026, 1, 2)) == "2026-01-02T00:00:00.000Z"
    with pytest.raises(InvalidQueryError, match="time zone"):
        IsrctnQuery(edited_since=datetime(2026, 1, 1))


@pytest.mark.parametrize("text", [
    'cancer" OR condition:"*',
    "heart) OR (lung",
    'x\\" AND NOT "y',
    "a:b {c} [d] ^e ~f *g ?h |i !j",
])
def test_user_text_cannot_end_its_phrase(text: str) -> None:
    q = IsrctnQuery(conditions=(text,)).to_q()
    assert q.startswith('condition:"') and q.endswith('"')
    assert q.count('"') == 2
    assert not re.search(r"[\\(){}\[\]^~*?|!:]", q.removeprefix("condition:"))


_USER_TEXT = st.text(min_size=1, max_size=60)


@given(_USER_TEXT)
def test_any_text_is_one_phrase_or_none(text: str) -> None:
    quoted = phrase(text)
    if quoted:
        assert quoted[0] == quoted[-1] == '"' and quoted.count('"') == 2
        assert "\\" not in quoted


@given(st.lists(_USER_TEXT, min_size=1, max_size=3))
def test_free_terms_never_carry_operators_or_syntax(terms: list[str]) -> None:
    try:
        q = IsrctnQuery(terms=tuple(terms)).to_q()
    except InvalidQueryError:
        return  # no searchable word: refused before sending, never sent empty
    outside = re.sub(r'"[^"]*"', "", q)  # everything not in a phrase is ours
    assert set(outside) <= set("() ANDOR")
    assert not re.search(r"\bNOT\b", outside)


def test_text_without_words_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="no searchable words"):
        IsrctnQuery(conditions=('"" ()',))
    with pytest.raises(InvalidQueryError, match="no searchable words"):
        IsrctnQuery(terms=("AND OR",))


def test_limit_is_checked() -> None:
    query = IsrctnQuery(terms=("asthma",))
    assert query.params(0) == {"q": '"asthma"', "limit": "0"}
    for bad in (-1, MAX_LIMIT + 1, 2.5, True):
        with pytest.raises(InvalidQueryError, match="limit"):
            query.params(bad)  # type: ignore[arg-type]


def test_unknown_trial_status_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="ongoing, completed, stopped"):
        IsrctnQuery(trial_statuses=("recruiting",))


def test_translate_sends_what_isrctn_can_say_and_returns_the_rest() -> None:
    query = StudyQuery(conditions=("motor neurone disease",), terms=("walking AND aid",),
                       statuses=("recruiting", "not yet recruiting"), phases=("2",), age=40,
                       sex="female", healthy_volunteers=False, start_from="2020")
    out = translate(query, countries=("United Kingdom",), edited_since=date(2026, 1, 1))
    assert out.query.to_q() == (
        '(condition:"motor neurone disease" OR condition:"motor neuron disease") AND '
        'recruitmentCountry:"United Kingdom" AND '
        '("walking" AND "aid") AND trialStatus:ongoing AND '
        "overallStartDate GE 2020-01-01T00:00:00.000Z AND "
        "lastEdited GE 2026-01-01T00:00:00.000Z")
    assert out.local_options == ("phases", "sex", "age", "healthy_volunteers", "statuses")
    assert out.notes == ("'walking AND aid': AND/OR/NOT are not sent to ISRCTN; every word "
                         "must match",)


def test_translate_names_options_that_cannot_be_applied_at_all() -> None:
    out = translate(StudyQuery(conditions=("asthma",), advanced="AREA[Phase]PHASE2"))
    assert [(u.option, u.local) for u in out.unexpressed] == [("advanced", False)]


def test_a_status_without_an_isrctn_superset_is_not_narrowed_on_the_server() -> None:
    out = translate(StudyQuery(conditions=("asthma",), statuses=("recruiting", "unknown")))
    assert "trialStatus" not in out.query.to_q()
    assert out.local_options == ("statuses",)


def test_sex_all_asks_for_nothing_local() -> None:
    out = translate(StudyQuery(conditions=("asthma",), sex="all"))
    assert out.unexpressed == ()


def test_an_overlong_query_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="more than 2,000"):
        IsrctnQuery(conditions=tuple(f"condition {i}" for i in range(200)))


def test_utc_instant_keeps_milliseconds() -> None:
    assert iso_instant(datetime(2026, 5, 1, 12, 0, 0, 999_999, tzinfo=UTC)) == \
        "2026-05-01T12:00:00.999Z"
