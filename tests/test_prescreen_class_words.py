"""A word that names a class of medicines may describe a disease instead: "immunosuppressive
diseases" are illnesses that weaken the immune system (AIDS), not the immunosuppressant
medicines someone takes, and an exclusion of them does not name their methotrexate.

Every record and criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen

NCT = "NCT99790301"
ON_METHOTREXATE = Profile(age=57, sex="female", conditions=("rheumatoid arthritis",),
                          medicines=("methotrexate",))


def screen(profile: Profile, exclusion: str) -> dict[str, Any]:
    study = fictional_study(NCT, "Fictional study 301", minimum_age="18 Years")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Adults with Fictitia\n\n"
        f"Exclusion Criteria:\n\n* Spondylolisthesis\n* {exclusion}\n* Bone immaturity\n")
    return dict(prescreen(normalize([study]), profile).records()[0])


@pytest.mark.parametrize("line", [
    "Immunosuppressive diseases",
    "Known fictitial syndrome or another immunosuppressive illness",
    "Immunosuppressive disorders.",
    "An immunosuppressive condition such as AIDS",
])
def test_a_disease_called_immunosuppressive_is_no_medicine_of_theirs(line: str) -> None:
    found = screen(ON_METHOTREXATE, line)
    assert (found["verdict"], found["reasons"]) == (
        "fits", ["fits on age, sex and status as far as the record says"])


@pytest.mark.parametrize("line", [
    "Immunosuppressive diseases or immunosuppressive drugs",
    "Immunosuppressive therapy within 3 months",
    "Use of immunosuppressants",
])
def test_immunosuppressive_medicines_still_name_theirs(line: str) -> None:
    found = screen(ON_METHOTREXATE, line)
    assert found["verdict"] == "check"
    assert found["reasons"][0].startswith(
        "Check with the study team: the exclusion criteria mention immunosuppressants, "
        "which include your methotrexate")
