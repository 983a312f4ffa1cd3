"""ISRCTN's XML read safely: values from fictional records in the exact shape, and hostile
answers (billion laughs, external entities, wrong namespace, size, depth) refused in one line."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from devtools.isrctn.records import FictionalTrial, answer_xml, full_trial_xml
from trialfinder.core.errors import SchemaError
from trialfinder.registries.isrctn.xml import MAX_ELEMENTS_PER_TRIAL, NAMESPACE, parse_answer

DATA = Path(__file__).parent / "data" / "isrctn"
#: ``shared/registries/isrctn`` beside the repository or a folder above it (evidence only).
SHARED = next((base / "shared" / "registries" / "isrctn" for base in Path(__file__).parents
               if (base / "shared" / "registries" / "isrctn").is_dir()), Path("/nonexistent"))


def _three() -> bytes:
    return (DATA / "three_trials.xml").read_bytes()


def test_a_full_answer_reads_into_typed_values() -> None:
    answer = parse_answer(_three())
    assert (answer.total_count, answer.skipped, answer.problems) == (3, 0, {})
    first, second, third = answer.trials
    assert first.isrctn_id == "ISRCTN99000001"
    assert first.last_updated == date(2026, 3, 2)
    assert first.version == 7
    assert first.acronym == "STRIDE-F"
    assert first.ctgov_number == "NCT99000001"
    assert [(n.number_type, n.canonical) for n in first.secondary_numbers] == [
        ("nct", "NCT99000001"), ("iras", "IRAS900001")]
    assert first.recruitment_countries == ("United Kingdom", "England")
    assert (first.centres[0].name, first.centres[0].city, first.centres[0].country) == (
        "Fictional Neurology Centre Sheffield", "Sheffield", "England")
    assert (first.recruitment_start, first.recruitment_end, first.overall_end) == (
        date(2026, 1, 1), date(2027, 6, 30), date(2027, 12, 31))
    assert first.lower_age is not None and first.lower_age.years == 18.0
    assert first.healthy_volunteers is False
    assert first.purposes == ("Treatment",)
    assert [s.name for s in first.sponsors] == ["University of Fictional Studies"]
    assert [f.name for f in first.funders] == ["Made-up Research Foundation"]
    assert (second.overall_status_override, second.recruitment_status_override,
            second.reason_abandoned) == ("Stopped", "Stopped", "Participant recruitment issue")
    assert second.healthy_volunteers is None and second.upper_age is None
    assert third.upper_age is not None and third.upper_age.years == pytest.approx(42 / 365.25)
    assert third.final_enrolment is None and third.exclusion is None


def test_a_bad_value_costs_that_value_only() -> None:
    broken = FictionalTrial("ISRCTN99000020", "Odd values (fictional)",
                            recruitment_start="2026-02-30", target="about 40", healthy="maybe",
                            lower_age=("eighteen", "years"))
    answer = parse_answer(answer_xml([broken]))
    trial, = answer.trials
    assert (trial.recruitment_start, trial.target_enrolment, trial.healthy_volunteers,
            trial.lower_age) == (None, None, None, None)
    assert trial.recruitment_end == date(2027, 12, 31)
    assert trial.title == "Odd values (fictional)"
    assert answer.problems == {"bad_date:recruitmentStart": 1, "bad_number:targetEnrolment": 1,
                               "bad_flag:healthyVolunteersAllowed": 1,
                               "bad_age:lowerAgeLimit": 1}


def test_trials_without_a_usable_id_are_skipped_and_counted() -> None:
    good = FictionalTrial("ISRCTN99000021", "Kept (fictional)")
    no_id = "<fullTrial><trial><trialDescription><title>No id</title></trialDescription>" \
            "</trial></fullTrial>"
    no_trial = "<fullTrial><sponsor id='x'><organisation>Nobody</organisation></sponsor>" \
               "</fullTrial>"
    answer = parse_answer(answer_xml([good, no_id, no_trial,
                                      FictionalTrial("TRIAL-1", "Odd id (fictional)"), good]))
    assert [t.isrctn_id for t in answer.trials] == ["ISRCTN99000021"]
    assert answer.skipped == 4
    assert answer.problems == {"trial_without_id": 2, "bad_isrctn_id": 1, "duplicate_id": 1}


def test_a_missing_sponsor_is_counted() -> None:
    xml = full_trial_xml(FictionalTrial("ISRCTN99000022", "No sponsor element (fictional)"))
    start = xml.index("<sponsor id=")
    xml = xml[:start] + xml[xml.index("</sponsor>") + len("</sponsor>"):]
    trial, = parse_answer(answer_xml([xml])).trials
    assert trial.sponsors == ()
    assert [f.name for f in trial.funders] == ["Imaginary Research Council"]
    assert trial.problems == ("missing_sponsor",)


def test_contact_persons_are_read_in_the_order_the_parties_name_them() -> None:
    first = parse_answer(_three()).trials[0]
    assert [(c.name, c.role, c.phone, c.email) for c in first.contacts] == [
        ("Dr Imogen Madeup", "Principal Investigator", None, "i.madeup@example.org"),
        ("Mr Tom Invented", "Public", "+44 114 496 0123", "stride-f@example.org")]
    assert first.primary_outcome == "Distance walked in six minutes at 12 weeks"
    assert first.secondary_outcome is None


def test_a_missing_contact_is_counted_and_markup_in_one_stays_text() -> None:
    trial = FictionalTrial("ISRCTN99000023", "Odd contacts (fictional)", contacts=(
        ("", "<b>Eve</b>", "Pretend & Co", "Scientific", "0114 496 0999", "x@example.org"),))
    xml = full_trial_xml(trial).replace(
        "</parties>", "<contactId>b9999999-0000-4000-8000-000000000000</contactId></parties>")
    read, = parse_answer(answer_xml([xml])).trials
    assert [(c.name, c.phone) for c in read.contacts] == [
        ("<b>Eve</b> Pretend & Co", "0114 496 0999")]
    assert read.problems == ("missing_contact",)


def test_an_empty_answer_has_a_count_and_no_trials() -> None:
    answer = parse_answer(f'<allTrials totalCount="0" xmlns="{NAMESPACE}"></allTrials>'.encode())
    assert (answer.total_count, answer.trials) == (0, ())


@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_unexpanded() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE allTrials [<!ENTITY l0 "lol">{entities}]>'
            f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial><trial>&l9;</trial>'
            "</fullTrial></allTrials>").encode()
    with pytest.raises(SchemaError, match="DTD or entities") as caught:
        parse_answer(bomb)
    assert "\n" not in str(caught.value)


@pytest.mark.timeout(10)
def test_an_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-ISRCTN-LEAK")
    for declaration in (f'<!ENTITY leak SYSTEM "file://{secret}">',
                        f'<!ENTITY % leak SYSTEM "file://{secret}"> %leak;'):
        xml = (f'<?xml version="1.0"?><!DOCTYPE allTrials [{declaration}]>'
               f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial><trial '
               'publicIdentifierCanonical="ISRCTN99000001"><trialDescription><title>&leak;'
               "</title></trialDescription></trial></fullTrial></allTrials>").encode()
        with pytest.raises(SchemaError) as caught:
            parse_answer(xml)
        assert "SENTINEL" not in str(caught.value)


@pytest.mark.timeout(10)
def test_a_doctype_alone_is_refused() -> None:
    with pytest.raises(SchemaError, match="DTD"):
        parse_answer(f'<!DOCTYPE allTrials><allTrials xmlns="{NAMESPACE}" totalCount="0"/>'
                     .encode())


@pytest.mark.parametrize(("body", "message"), [
    (answer_xml([], namespace="http://example.org/other"), "not ISRCTN's namespace"),
    (b'<allTrials totalCount="0"></allTrials>', "no namespace"),
    (f'<studies xmlns="{NAMESPACE}"/>'.encode(), "root element is 'studies'"),
    (f'<allTrials xmlns="{NAMESPACE}" totalCount="lots"/>'.encode(), "no whole totalCount"),
    (b"<!doctype html><html><body>Maintenance</body></html>", "not well-formed"),
    (b'{"studies": []}', "not well-formed"),
    (b"", "not well-formed"),
    (answer_xml([FictionalTrial("ISRCTN99000023", "Cut short (fictional)")])[:-40],
     "not well-formed"),
])
@pytest.mark.timeout(10)
def test_not_an_isrctn_answer_is_one_clear_line(body: bytes, message: str) -> None:
    with pytest.raises(SchemaError, match=message) as caught:
        parse_answer(body)
    assert "\n" not in str(caught.value)


@pytest.mark.timeout(20)
def test_a_body_over_the_cap_is_refused_before_parsing() -> None:
    body = b"<" * 100_000_001  # 100 MB, not even XML: the size is checked first
    with pytest.raises(SchemaError, match="more than the cap of 64,000,000"):
        parse_answer(body)


@pytest.mark.timeout(20)
def test_deep_or_wide_trees_are_refused() -> None:
    deep = f'<allTrials xmlns="{NAMESPACE}" totalCount="1">' + "<a>" * 5000 + "</a>" * 5000 \
        + "</allTrials>"
    with pytest.raises(SchemaError, match="more than 32 deep"):
        parse_answer(deep.encode())
    wide = (f'<allTrials xmlns="{NAMESPACE}" totalCount="1"><fullTrial>'
            + "<x/>" * (MAX_ELEMENTS_PER_TRIAL + 1) + "</fullTrial></allTrials>")
    with pytest.raises(SchemaError, match="more than 20,000 elements"):
        parse_answer(wide.encode())


def test_many_trials_within_the_bound_each_count_alone() -> None:
    trials = [FictionalTrial(f"ISRCTN99{i:06d}", f"Trial {i} (fictional)") for i in range(300)]
    answer = parse_answer(answer_xml(trials))
    assert len(answer.trials) == 300 and answer.trials[-1].isrctn_id == "ISRCTN99000299"


def _shared_responses() -> dict[str, str]:
    """The real responses in ../shared (evidence only: read as literals, never run)."""
    path = SHARED / "isrctn_responses.py"
    if not path.is_file():
        pytest.skip("the shared ISRCTN responses are not here")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}


def test_real_answers_read_whole() -> None:
    for name, text in _shared_responses().items():
        answer = parse_answer(text.encode(), source=name)
        assert answer.skipped == 0 and answer.problems == {}, name
        assert all(t.title and t.recruitment_start for t in answer.trials), name
        assert len(answer.trials) == min(answer.total_count, 3), name
