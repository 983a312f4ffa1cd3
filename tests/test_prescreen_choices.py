"""What an inclusion leaves to the person's choice and what it asks them to choose from: a
condition named only "with or without" (by an abbreviation in brackets too) is not asked for;
a line asking for one of several alternatives that name diagnoses is.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import pytest
from conftest import criteria_verdict

from trialfinder.tables.prescreen import Profile


@pytest.mark.parametrize(("inclusion", "expected"), [
    # the abbreviation in brackets is read as the name before it is
    ("Adults with fictitial leg pain with or without low back pain (LBP)", "fits"),
    ("Adults with fictitial leg pain with or without multiple sclerosis (MS)", "fits"),
    ("No or mild ED (erectile dysfunction)", "fits"),
    # still asked for when it is asked for
    ("Adults with chronic low back pain (LBP)", "check"),
    ("Adults with fictitial leg pain and low back pain (LBP)", "check"),
])
def test_a_condition_named_with_or_without_is_not_asked_for(inclusion: str,
                                                            expected: str) -> None:
    assert criteria_verdict(Profile(age=50, conditions=("ALS",)), "None", inclusion,
                            "NCT99740001") == expected


def test_an_abbreviation_in_brackets_keeps_the_exception_before_it() -> None:
    line = ("Currently taking anticoagulant medications (except for aspirin or "
            "nonsteroidal anti-inflammatory drugs [NSAIDS])")
    assert criteria_verdict(Profile(age=30, medicines=("naproxen",)), line,
                            nct="NCT99740002") == "fits"
