"""Pre-screen verdicts that an audit of muscle, nerve and autoimmune profiles (spasms and
cramps, muscle relaxants, steroids, lupus, low calcium) found at odds with a study's own
text: each test holds one pattern, on fictional records in the API's shape.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    study = fictional_study("NCT99710001", "Fictional study 001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    rows = prescreen(normalize([study]), profile).records()
    return str(rows[0]["verdict"])


@pytest.mark.parametrize(("profile", "line"), [
    (Profile(medicines=("steroids",)), "Current treatment with prednisone"),
    (Profile(medicines=("steroids",)), "Systemic corticosteroids within 4 weeks"),
    (Profile(conditions=("muscle cramps",)), "Nocturnal leg cramp requiring treatment"),
    (Profile(conditions=("spasms",)), "Painful muscle spasm of the neck"),
    (Profile(conditions=("seizures",)), "History of epilepsy"),
])
def test_a_name_typed_in_the_plural_is_looked_for_by_all_its_names(profile: Profile,
                                                                    line: str) -> None:
    assert verdict(profile, line) == "check"
