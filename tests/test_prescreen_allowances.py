"""Pre-screen lines whose exception, washout or dose limit is not the person's: a study whose
text allows only some of those taking their medicine (or with their condition), or asks them
to stop it first, is a question for its team, never a fit.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.scope import read


def screen(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia"
           ) -> dict[str, object]:
    study = fictional_study("NCT99720001", "Fictional study 001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return prescreen(normalize([study]), profile).records()[0]


@pytest.mark.parametrize(("profile", "line"), [
    # the allowance names another member of the class they are named by
    (Profile(medicines=("tizanidine",)), "Muscle relaxants (baclofen at a stable dose is allowed)"),
    (Profile(medicines=("Zanaflex",)), "Muscle relaxants, unless on a stable dose of baclofen"),
    (Profile(medicines=("ibuprofen",)), "NSAIDs (acetaminophen is permitted as rescue)"),
    (Profile(medicines=("azathioprine",)), "Immunosuppressive drugs (low-dose steroids allowed)"),
    (Profile(conditions=("lupus",)),
     "Autoimmune disease (vitiligo or psoriasis not requiring systemic treatment is allowed)"),
    # or only a route, dose or frequency they did not state
    (Profile(medicines=("prednisone",)), "Use of steroids (topical steroids are allowed)"),
    (Profile(medicines=("prednisone",)), "Treatment with steroids, unless topical or inhaled"),
    (Profile(medicines=("Medrol",)), "Corticosteroids (inhaled or intranasal allowed)"),
    (Profile(medicines=("naproxen",)), "Regular NSAID use (occasional use is allowed)"),
])
def test_an_exception_for_only_some_of_them_is_still_a_question(profile: Profile,
                                                                 line: str) -> None:
    record = screen(profile, line)
    assert record["verdict"] == "check", record
    assert record["reasons"][0].startswith("Check with the study team: the exclusion criteria "
                                           "mention ")


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(medicines=("baclofen",)), "Muscle relaxants (baclofen at a stable dose is allowed)"),
    (Profile(medicines=("tizanidine",)), "Muscle relaxants, unless on a stable dose"),
    (Profile(medicines=("prednisone",)), "Inhaled or topical steroids are permitted"),
    (Profile(medicines=("prednisone",)), "Steroids (stable doses of corticosteroids allowed)"),
    (Profile(conditions=("hypertension",)),
     "Uncontrolled hypertension (controlled hypertension is allowed)"),
    # a dose said as another steroid's equivalent, and a cue before the name: the name is
    # part of what is allowed
    (Profile(medicines=("prednisone",)),
     "Brain metastases, unless stable on steroids (up to 10 mg prednisolone equivalent)"),
    (Profile(medicines=("prednisone",)),
     "Brain metastases unless off steroids and antiepileptic drugs for 4 weeks"),
])
def test_an_exception_that_is_theirs_stays_one(profile: Profile, line: str) -> None:
    record = screen(profile, line)
    assert record["verdict"] == "fits", record
    assert [m["exception"] for m in record["mentions"]] == [True]


@pytest.mark.parametrize(("profile", "inclusion"), [
    (Profile(medicines=("baclofen",)), "Must stop baclofen 7 days before the first visit"),
    (Profile(medicines=("Lioresal",)), "Willing to discontinue muscle relaxants for the study"),
    (Profile(medicines=("ibuprofen",)), "Able to stop NSAIDs 7 days before surgery"),
    (Profile(medicines=("Advil",)), "Washout of NSAIDs for 14 days prior to baseline"),
    (Profile(medicines=("prednisone",)), "Steroid-naive"),
    (Profile(medicines=("prednisone",)), "Naive to corticosteroids"),
    (Profile(medicines=("tizanidine",)), "Tapered off tizanidine before randomisation"),
])
def test_an_inclusion_asking_them_to_stop_their_medicine(profile: Profile,
                                                         inclusion: str) -> None:
    record = screen(profile, "None", inclusion)
    assert record["verdict"] == "check", record
    assert [m["negated"] for m in record["mentions"]] == [True]
    assert "ask for people without" in record["reasons"][0]


@pytest.mark.parametrize("inclusion", [
    "Prednisone dose of 10 mg/day or less for 4 weeks",
    "Oral corticosteroids at no more than 10 mg prednisone a day",
    "Stable steroid dose (<= 7.5 mg/day)",
    "Prior systemic glucocorticoids for one week or less",
])
def test_an_inclusion_capping_the_dose_of_their_medicine(inclusion: str) -> None:
    record = screen(Profile(medicines=("prednisone",)), "None", inclusion)
    assert record["verdict"] == "check", record
    assert record["reasons"][0].startswith(
        "Check with the study team: the inclusion criteria set a limit on ")


@pytest.mark.parametrize(("medicines", "conditions", "inclusion"), [
    (("baclofen",), (), "Taking baclofen at a stable dose for 30 days"),
    (("prednisone",), (), "On prednisone for the fictitial rash"),
    # a stop cue before a condition is no washout: "stopped" speaks of medicines
    ((), ("multiple sclerosis",), "Relapsing multiple sclerosis, stopped interferon"),
    # nor does a cue broken off by "but" govern the name after it
    (("baclofen",), (), "Stopped opioids, but still taking baclofen"),
    # nor one about starting something new
    (("prednisone",), (), "Agrees to refrain from starting new medicines, including steroids"),
    # a cap on how many medicines, not on their dose
    (("metformin",), (), "Oral agents limited to metformin, with no more than three agents"),
])
def test_their_medicine_asked_for_plainly_still_fits(medicines: tuple[str, ...],
                                                     conditions: tuple[str, ...],
                                                     inclusion: str) -> None:
    record = screen(Profile(medicines=medicines, conditions=conditions), "None", inclusion)
    assert record["verdict"] == "fits", record


def test_the_reading_of_what_an_exception_allows() -> None:
    line = "Treatment with steroids, unless topical or inhaled"
    at = line.index("steroids")
    reading = read(line, at, at + 8)
    assert (reading.exception, reading.allowance) == (True, ", unless topical or inhaled")
    line = "Anticoagulants except Coumadin"
    reading = read(line, line.index("Coumadin"), len(line))
    assert (reading.exception, reading.allowance) == (True, "")  # excepted by its own name
    line = "Prednisone 10 mg/day or less"
    assert read(line, 0, 10).limited and not read("Prednisone for 10 days", 0, 10).limited


@pytest.mark.parametrize("text", [
    "Adults 18-65 with fictitial back pain.\nProhibited medications: baclofen, tizanidine.",
    "Adults 18-65 with fictitial back pain.\nBaclofen is forbidden during the study.",
    "Adults 18-65 with fictitial back pain.\nDisallowed: muscle relaxants.",
    "Adults 18-65 with fictitial back pain.\nParticipants must avoid muscle relaxants.",
    "Inclusion Criteria:\n* Adults\n* Prohibited: antispastic drugs\n\nExclusion Criteria:\n"
    "* None\n",
    "Inclusion Criteria:\n* Adults willing to avoid muscle relaxants\n\nExclusion Criteria:\n"
    "* None\n",
    "Inclusion Criteria:\n* Adults\n* Baclofen is prohibited\n\nExclusion Criteria:\n* None\n",
])
def test_a_medicine_the_text_prohibits_is_a_question(text: str) -> None:
    study = fictional_study("NCT99720002", "Fictional study 002")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    record = prescreen(normalize([study]), Profile(medicines=("Lioresal",))).records()[0]
    assert record["verdict"] == "check", record


@pytest.mark.parametrize(("typed", "text"), [
    ("ibuprofen", "Inclusion Criteria:\n* Adults\n* Willing to stop the following "
     "medications:\n  * NSAIDs\n  * opioids\n\nExclusion Criteria:\n* None\n"),
    ("ibuprofen", "Inclusion Criteria:\n* Adults\n* Must discontinue the following before "
     "baseline:\n  - ibuprofen\n\nExclusion Criteria:\n* None\n"),
    ("prednisone", "Inclusion Criteria:\n* Adults\n* Prohibited medications:\n"
     "  * systemic steroids\n\nExclusion Criteria:\n* None\n"),
    # a flat list right after a parent that denies it
    ("prednisone", "Participants must not have taken any of the following:\n- prednisone\n"
     "- fictitiamab\n"),
    ("prednisone", "Inclusion Criteria:\n* Adults\n* None of the following:\n* steroids\n"
     "* fictitiamab\n\nExclusion Criteria:\n* None\n"),
])
def test_a_sub_item_under_a_parent_that_stops_or_denies_it(typed: str, text: str) -> None:
    study = fictional_study("NCT99720003", "Fictional study 003")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    record = prescreen(normalize([study]), Profile(medicines=(typed,))).records()[0]
    assert record["verdict"] == "check", record


def test_a_long_item_after_a_flat_denied_list_is_its_own() -> None:
    study = fictional_study("NCT99720004", "Fictional study 004")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n* None of the following:\n* fictitial rash\n* fictitial ache\n"
        "* Taking prednisone at a stable dose for at least three months before the first "
        "visit\n\nExclusion Criteria:\n* None\n")
    record = prescreen(normalize([study]), Profile(medicines=("prednisone",))).records()[0]
    assert record["verdict"] == "fits", record
