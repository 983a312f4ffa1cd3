"""Pre-screen verdicts that an audit over many profiles found at odds with a study's own text:
each test holds one pattern, on fictional records in the API's shape.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen


def record(nct: str, criteria: str, **options: Any) -> dict[str, Any]:
    study = fictional_study(nct, f"Fictional study {nct[-3:]}", **options)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    return study


def sectioned(inclusion: str, exclusion: str) -> str:
    return f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n"


def screen(profile: Profile, *studies: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["nct_id"]: r for r in prescreen(normalize(list(studies)), profile).records()}


def verdict(profile: Profile, exclusion: str, inclusion: str = "Adults with Fictitia") -> str:
    study = record("NCT99700001", sectioned(inclusion, exclusion))
    return str(screen(profile, study)["NCT99700001"]["verdict"])


def test_a_healthy_volunteer_and_a_record_silent_on_healthy_volunteers_is_check() -> None:
    silent = record("NCT99700002", sectioned("Adults with Fictitia for a year", "None"),
                    healthy_volunteers=True)
    del silent["protocolSection"]["eligibilityModule"]["healthyVolunteers"]
    taking = record("NCT99700003", sectioned("Healthy adults", "None"), healthy_volunteers=True)
    found = screen(Profile(age=30, healthy_volunteer=True), silent, taking)
    assert found["NCT99700002"]["verdict"] == "check"
    assert found["NCT99700002"]["reasons"] == [
        "the record does not say whether it takes healthy volunteers: ask the study team"]
    assert found["NCT99700003"]["verdict"] == "fits"
