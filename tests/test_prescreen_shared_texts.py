"""The pre-screen reads a criteria text once when several studies give it: each study must
still get the answer it gets alone (its own id, age fields, listed conditions), and a second
person screened over the same studies must get their own answers, not the first one's. Each
site is matched to its study with pyarrow when it can: without it, the same distances.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from devtools.standin import fictional_site, fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

AGES = ("Inclusion Criteria:\n\n* Adults aged 18 to 40 with Fictitia\n* Diagnosis of asthma\n\n"
        "Exclusion Criteria:\n\n* Type 2 diabetes\n* Taking warfarin\n")
OLDER = ("Inclusion Criteria:\n\n* Adults with Fictitia\n\n"
         "Exclusion Criteria:\n\n* Aged over 60 years\n")
ASKS = "Inclusion Criteria:\n\n* Diagnosis of Fictitia gravis\n\nExclusion Criteria:\n\n* None\n"


def record(nct: str, criteria: str, **options: Any) -> dict[str, Any]:
    study = fictional_study(nct, f"Fictional study {nct[-3:]}", **options)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    return study


def studies() -> list[dict[str, Any]]:
    return [
        record("NCT99710001", AGES, minimum_age="18 Years", maximum_age="40 Years"),
        record("NCT99710002", AGES, minimum_age="18 Years", maximum_age=None),
        record("NCT99710003", AGES, minimum_age=None, maximum_age="30 Years"),
        record("NCT99710004", ASKS, conditions=("Fictitia Gravis",)),
        record("NCT99710005", ASKS, conditions=("Fictional Condition",)),
        record("NCT99710006", AGES, minimum_age="18 Years", maximum_age=None),
        record("NCT99710007", OLDER, minimum_age="18 Years", maximum_age=None),
        record("NCT99710008", OLDER, minimum_age=None, maximum_age="80 Years"),
        record("NCT99710009", OLDER, minimum_age=None, maximum_age="65 Years"),
    ]


def screen(profile: Profile, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["nct_id"]: r for r in prescreen(normalize(records), profile).records()}


def alone(profile: Profile) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for study in studies():
        found.update(screen(profile, [study]))
    return found


PEOPLE = {
    "older, with diabetes and warfarin": Profile(age=52, conditions=("type 2 diabetes",),
                                                 medicines=("warfarin",)),
    "younger, with asthma": Profile(age=25, conditions=("asthma",)),
    "70": Profile(age=70),
}


def test_studies_sharing_a_text_get_what_each_gets_alone() -> None:
    for profile in PEOPLE.values():
        together = screen(profile, studies())
        assert together == alone(profile)


def test_one_text_gives_each_study_its_own_verdict() -> None:
    found = screen(PEOPLE["older, with diabetes and warfarin"], studies())
    assert found["NCT99710001"]["verdict"] == "no"  # 52 is past the fields' 40
    assert found["NCT99710001"]["mentions"] == []  # closed by its fields: the text is not read
    # the fields leave the upper side open: the text's "18 to 40" makes it a question
    assert found["NCT99710002"]["verdict"] == "check"
    assert [m["term"] for m in found["NCT99710002"]["mentions"]] == ["type 2 diabetes",
                                                                    "warfarin"]
    assert [m["term"] for m in found["NCT99710006"]["mentions"]] == ["type 2 diabetes",
                                                                    "warfarin"]
    assert found["NCT99710003"]["verdict"] == "no"  # past the fields' 30


def test_listed_conditions_stay_each_studys_own() -> None:
    found = screen(PEOPLE["younger, with asthma"], studies())
    # the same line asks for the listed condition by the study's own name in one study only
    assert any("ask for Fictitia Gravis" in r for r in found["NCT99710004"]["reasons"])
    assert not any("Fictitia Gravis" in r for r in found["NCT99710005"]["reasons"])


def test_a_second_person_over_the_same_studies_gets_their_own_answers() -> None:
    tables = normalize(studies())
    first = {r["nct_id"]: r for r in prescreen(tables, PEOPLE["older, with diabetes and "
                                                              "warfarin"]).records()}
    second = {r["nct_id"]: r for r in prescreen(tables, PEOPLE["younger, with asthma"]
                                                ).records()}
    assert second == alone(PEOPLE["younger, with asthma"])
    assert first["NCT99710002"]["mentions"] != second["NCT99710002"]["mentions"]
    assert second["NCT99710001"]["verdict"] != "no"  # 25 is within 18 to 40


def test_one_text_read_against_each_studys_fields() -> None:
    found = screen(PEOPLE["70"], studies())
    # no upper age in the fields: the exclusion's "over 60" speaks for the missing side
    assert found["NCT99710007"]["verdict"] == "check"
    assert any("leave it open" in r and "Aged over 60 years" in r
               for r in found["NCT99710007"]["reasons"])
    # fields of up to 80 hold 70, but the same line excludes them: a question, not a fit
    assert found["NCT99710008"]["verdict"] == "check"
    assert any("Aged over 60 years" in r for r in found["NCT99710008"]["reasons"])
    # fields of up to 65 rule 70 out: the same text is not read
    assert found["NCT99710009"]["verdict"] == "no"


def test_each_site_counts_for_its_own_study_with_or_without_pyarrow(
        hide_pyarrow: Callable[[], None]) -> None:
    near = fictional_site("Fictional Near Clinic", "Boston", "United States", 42.36, -71.06,
                          status="RECRUITING")
    far = fictional_site("Fictional Far Clinic", "Worcester", "United States", 42.26, -71.80,
                         status="RECRUITING")
    records = [record("NCT99710011", ASKS, locations=[far]),
               record("NCT99710012", ASKS, locations=[far, near]),
               record("NCT99710013", ASKS)]
    me = Profile(near=(42.36, -71.06), radius_mi=20)
    tables = normalize(records)
    with_arrow = prescreen(tables, me).studies
    miles = dict(zip(with_arrow["nct_id"], with_arrow["nearest_site_mi"], strict=True))
    assert miles["NCT99710012"] == 0
    assert 38 < miles["NCT99710011"] < 40
    assert pd.isna(miles["NCT99710013"])
    assert list(with_arrow["verdict"]) == ["fits", "check", "no"]
    # the sites of a study left out of the table (a narrowed one) count for no other
    narrowed = type(tables)(**{**{f: getattr(tables, f) for f in tables.__dataclass_fields__},
                               "studies": tables.studies.iloc[[2, 0]]})
    alone = prescreen(narrowed, me).studies
    assert list(alone["nct_id"]) == ["NCT99710013", "NCT99710011"]
    assert list(alone["verdict"]) == ["check", "no"]
    hide_pyarrow()
    pd.testing.assert_frame_equal(with_arrow, prescreen(tables, me).studies)
    pd.testing.assert_frame_equal(alone, prescreen(narrowed, me).studies)


def test_a_finder_that_remembers_finds_what_one_that_does_not_finds() -> None:
    from trialfinder.tables.prescreen.finder import Finder, Term
    from trialfinder.tables.prescreen.synonyms import expand

    terms = [Term("warfarin", "medicine", expand("warfarin", "medicine")),
             Term("diabetes", "condition", expand("diabetes", "condition"))]
    lines = ["No anticoagulants other than warfarin", "Type 2 diabetes (DM) is allowed",
             "Adults with Fictitia", "No anticoagulants other than warfarin"]
    plain, remembering = Finder(terms), Finder(terms, remember=True)
    found = [remembering.occurrences(line) for line in lines]
    assert found == [plain.occurrences(line) for line in lines]
    assert [[(o.term, o.found) for o in each] for each in found] == [
        [(0, "anticoagulants"), (0, "warfarin")], [(1, "Type 2 diabetes"), (1, "DM")], [],
        [(0, "anticoagulants"), (0, "warfarin")]]
