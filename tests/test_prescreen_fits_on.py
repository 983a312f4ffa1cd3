"""The sentence of a study that fits names only what the person gave and the pre-screen
checked: a card said "fits on age, sex, status and distance" to someone who gave neither a
sex nor a place.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.views.prescreen import fit_cards


def _open_study() -> dict[str, object]:
    study = fictional_study("NCT99700301", "Fictional open study", minimum_age="18 Years")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults with Fictitia\n\nExclusion Criteria:\n\n* None")
    study["protocolSection"]["contactsLocationsModule"] = {"locations": [
        {"facility": "Fictional Clinic", "city": "Boston", "state": "Massachusetts",
         "country": "United States", "status": "RECRUITING",
         "geoPoint": {"lat": 42.36, "lon": -71.06}}]}
    return study


def test_a_card_of_someone_without_sex_or_place_names_only_age_and_status() -> None:
    # the dashboard's steps: age 58, two conditions, two medicines, no sex, no place
    me = Profile(age=58, conditions=("ALS", "muscle cramps"),
                 medicines=("riluzole", "tizanidine"))
    screen = prescreen(normalize([_open_study()]), me)
    [card] = fit_cards(screen)
    assert (card.verdict, card.reasons_md) == (
        "fits", "fits on age and status as far as the record says")


@pytest.mark.parametrize(("profile", "sentence"), [
    (Profile(age=40, sex="female", near=(42.0, -71.0), radius_mi=100),
     "fits on age, sex, status and distance as far as the record says"),
    (Profile(sex="male"), "fits on sex and status as far as the record says"),
    # a place without a distance to keep to checks no distance
    (Profile(age=40, near=(42.0, -71.0)), "fits on age and status as far as the record says"),
    (Profile(near=(42.0, -71.0), radius_mi=50),
     "fits on status and distance as far as the record says"),
    (Profile(conditions=("asthma",)), "recruiting"),
])
def test_the_fits_sentence_names_what_was_given(profile: Profile, sentence: str) -> None:
    [row] = prescreen(normalize([_open_study()]), profile).records()
    assert (row["verdict"], row["reasons"]) == ("fits", [sentence])


def test_a_study_not_yet_recruiting_is_not_said_to_be_recruiting() -> None:
    """Given conditions only, a card said "recruiting" of a study not yet recruiting (its
    status shown beside it: "Not yet recruiting")."""
    study = _open_study()
    study["protocolSection"]["statusModule"]["overallStatus"] = "NOT_YET_RECRUITING"
    [row] = prescreen(normalize([study]), Profile(conditions=("asthma",))).records()
    assert (row["verdict"], row["reasons"]) == ("fits", ["not yet recruiting"])
    [row] = prescreen(normalize([study]), Profile(age=40)).records()  # said as before
    assert row["reasons"] == ["fits on age and status as far as the record says"]
    # a question to ask the team leaves the status alone out, as for a recruiting study
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Asthma")
    [row] = prescreen(normalize([study]), Profile(conditions=("asthma",))).records()
    assert row["verdict"] == "check" and "not yet recruiting" not in row["reasons"]
