"""Names on the focus topics (cramps, twitching, blood levels, muscle relaxants, NSAIDs,
steroids) that a review of fictional texts in the registry's shapes found the pre-screen
missing, each letting a study "fit" someone its own text speaks against; and nearby words
that mean something else.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest
from conftest import criteria_verdict

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    return criteria_verdict(profile, exclusion, inclusion, "NCT99750001")


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("muscle cramps",)), "Muscle cramping at rest"),
    (Profile(conditions=("leg cramps",)), "Leg cramping more than twice a week"),
    (Profile(conditions=("knee twitching",)), "Muscle twitching or fasciculations"),
    (Profile(conditions=("muscle twitching",)), "Fasciculations on examination"),
    (Profile(conditions=("low potassium",)), "K+ < 3.5 mmol/L at screening"),
    (Profile(medicines=("tizanidine",)), "Use of alpha-2 agonists"),
    (Profile(medicines=("clonidine",)), "Alpha-2 adrenergic agonists within 2 weeks"),
    (Profile(medicines=("Advil",)), "Use of COX inhibitors"),
    (Profile(medicines=("naproxen",)), "Cyclooxygenase inhibitors within 7 days"),
])
def test_a_focus_name_in_an_exclusion_makes_them_check(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "check"


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(conditions=("muscle cramps",)), "Abdominal cramping in the last week"),
    (Profile(conditions=("muscle cramps",)), "Menstrual cramps requiring treatment"),
    (Profile(conditions=("knee twitching",)), "Fast-twitch fibre biopsy refused"),
])
def test_nearby_words_that_are_not_the_focus_names(profile: Profile, line: str) -> None:
    assert verdict(profile, line) == "fits"


@pytest.mark.parametrize(("medicines", "expected"), [
    (("prednisolone",), "check"),
    (("Deltasone",), "fits"),
])
def test_a_stable_dose_of_a_medicine_is_asked_for(medicines: tuple[str, ...],
                                                  expected: str) -> None:
    profile = Profile(medicines=medicines)
    assert verdict(profile, "None", "Stable dose of prednisone for 4 weeks") == expected


@pytest.mark.parametrize(("age", "inclusion", "exclusion", "expected"), [
    (16, "Over the age of 18", "None", "check"),
    (30, "Over the age of 18", "None", "fits"),
    (80, "Under the age of 75", "None", "check"),
    (80, "Adults with Fictitia", "Over the age of 75", "check"),
    (60, "Adults with Fictitia", "Over the age of 75", "fits"),
    # an age of something else
    (12, "Adults with Fictitia; an MRI not older than 4 years", "None", "fits"),
])
def test_ages_said_as_the_age_of(age: float, inclusion: str, exclusion: str,
                                 expected: str) -> None:
    study = fictional_study("NCT99750002", "Fictional study 002", minimum_age=None)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    found = prescreen(normalize([study]), Profile(age=age)).records()[0]
    assert found["verdict"] == expected


@pytest.mark.parametrize(("profile", "inclusion", "exclusion"), [
    (Profile(conditions=("hypomagnesaemia",)), "Normal serum electrolytes", "None"),
    (Profile(conditions=("low potassium",)), "Electrolyte levels within normal limits", "None"),
    (Profile(conditions=("hypokalaemia",)), "Normokalemia at screening", "None"),
    (Profile(conditions=("low calcium",)), "Normocalcaemia", "None"),
    (Profile(conditions=("rheumatoid arthritis",)), "Adults with Fictitia",
     "Inflammatory arthritis"),
    (Profile(conditions=("Hashimoto's",)), "Adults with Fictitia", "Autoimmune thyroid disease"),
    (Profile(conditions=("Hashimoto's thyroiditis",)), "Adults with Fictitia",
     "Any autoimmune disease requiring treatment"),
    (Profile(conditions=("charley horse",)), "Adults with Fictitia", "Nocturnal muscle cramps"),
])
def test_a_group_that_holds_theirs_makes_them_check(profile: Profile, inclusion: str,
                                                    exclusion: str) -> None:
    assert verdict(profile, exclusion, inclusion) == "check"
