"""ISRCTN trials as the records the registry seam and the study store carry: JSON-ready, the
same trial read back, and hostile records (from a store's JSON text) costing a value or the
record, never the page; the reader's tables and the study page from records."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.isrctn.records import FictionalTrial, answer_xml, sample_trials
from trialfinder.registries.isrctn.reader import IsrctnReader, study_page
from trialfinder.registries.isrctn.record import record_of, trial_of
from trialfinder.registries.isrctn.registry import ISRCTN
from trialfinder.registries.isrctn.xml import parse_answer

TODAY = date(2026, 6, 1)


def _trials() -> list[Any]:
    return list(parse_answer(answer_xml(sample_trials())).trials)


def test_a_record_is_json_and_reads_back_as_the_same_trial() -> None:
    trials = _trials()
    assert len(trials) == 12
    for trial in trials:
        record = record_of(trial)
        assert orjson.loads(orjson.dumps(record)) == record  # JSON as it is
        assert trial_of(orjson.loads(orjson.dumps(record))) == trial
        assert ISRCTN.record_id(record) == trial.isrctn_id
    first = record_of(trials[0])
    assert first["recruitment_start"] == "2025-01-01"
    assert first["centres"][1] == {"name": "Imaginary Hospital", "city": "Leeds",
                                   "country": "England"}
    assert "acronym" not in first  # empty values are left out


def test_bad_values_cost_the_value_and_a_record_without_an_id_is_skipped() -> None:
    record = record_of(_trials()[0])
    record |= {"recruitment_start": "2025-02-30", "target_enrolment": "about 40",
               "healthy_volunteers": "maybe", "centres": "Sheffield", "title": ["a", "list"],
               "lower_age": {"value": True, "unit": "years"}}
    trial = trial_of(record)
    assert trial is not None
    assert (trial.recruitment_start, trial.target_enrolment, trial.healthy_volunteers,
            trial.centres, trial.title, trial.lower_age) == (None, None, None, (), None, None)
    assert sorted(p for p in trial.problems if p.startswith("bad_record")) == [
        "bad_record_value:centres", "bad_record_value:healthy_volunteers",
        "bad_record_value:lower_age", "bad_record_value:recruitment_start",
        "bad_record_value:target_enrolment", "bad_record_value:title"]
    reader = IsrctnReader(TODAY)
    reader.add([record, {"isrctn_id": "ISRCTN123"}, {"title": "no id"}, record])
    tables = reader.tables()
    assert list(tables.studies["nct_id"]) == ["ISRCTN99000001"]
    assert tables.skipped == 2
    assert tables.problems["record_without_id"] == 2
    assert tables.problems["duplicate_id"] == 1
    assert tables.problems["bad_record_value:centres"] == 1


@given(st.dictionaries(st.sampled_from(["title", "recruitment_end", "centres", "conditions",
                                        "upper_age", "final_enrolment", "purposes", "funders",
                                        "secondary_numbers", "problems"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                                    max_leaves=8)))
def test_any_json_in_a_record_reads_as_a_trial_or_none(values: dict[str, Any]) -> None:
    trial = trial_of({"isrctn_id": "ISRCTN99000001", **values})
    assert trial is not None and trial.isrctn_id == "ISRCTN99000001"
    reader = IsrctnReader(TODAY)
    reader.add([{"isrctn_id": "ISRCTN99000001", **values}])
    assert list(reader.tables().studies["nct_id"]) == ["ISRCTN99000001"]


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, -1, 10**9])
def test_a_count_no_table_can_hold_costs_that_value_only(number: int) -> None:
    record = {"isrctn_id": "ISRCTN99000001", "title": "Pretend trial",
              "final_enrolment": number, "target_enrolment": 120}
    trial = trial_of(record)
    assert trial is not None
    assert (trial.final_enrolment, trial.target_enrolment) == (None, 120)
    assert "bad_record_value:final_enrolment" in trial.problems
    reader = IsrctnReader(TODAY)
    reader.add([record])
    assert list(reader.tables().studies["nct_id"]) == ["ISRCTN99000001"]


def test_the_study_page_of_a_record_says_what_the_status_was_derived_from() -> None:
    trial = FictionalTrial("ISRCTN99000201", "Pretend trial", recruitment_start="2025-01-01",
                           recruitment_end="2026-03-31", overall_end="2026-12-31")
    record = record_of(parse_answer(answer_xml([trial])).trials[0])
    page = study_page(record, TODAY)
    assert page.study_id == "ISRCTN99000201"
    assert page.official_title == "A fictional study: Pretend trial"
    assert page.dates == (
        ("Start", "2025-01-01 (actual)"), ("Recruitment", "2025-01-01 to 2026-03-31"),
        ("End", "2026-12-31 (estimated)"), ("Last update", "2026-01-15"),
        ("Status derived from", "recruitment ended 2026-03-31; the trial ends 2026-12-31"))
    assert page.enrollment == "100 people (target)"
    assert (page.contacts, page.outcomes) == ((), ())
    assert study_page({"title": "no id"}, TODAY).study_id is None


def test_the_study_page_has_the_contact_persons_and_outcomes() -> None:
    trial = FictionalTrial("ISRCTN99000202", "Pretend trial", primary_outcome="Falls a month",
                           contacts=(("Dr", "Ada", "Example", "Scientific", "+44 114 496 0000",
                                      "ada@example.org"), ("", "", "", "Public", "", "")))
    page = study_page(record_of(parse_answer(answer_xml([trial])).trials[0]), TODAY)
    assert [(c.name, c.role, c.phone, c.email) for c in page.contacts] == [
        ("Dr Ada Example", "Scientific", "+44 114 496 0000", "ada@example.org")]
    assert [(o.kind, o.measure) for o in page.outcomes] == [("primary", "Falls a month")]
