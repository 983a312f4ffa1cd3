"""ISRCTN's derived status: overrides, then the start override, then the dates, on an
injected day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from trialfinder.core.codes import Status
from trialfinder.registries.isrctn.model import IsrctnTrial
from trialfinder.registries.isrctn.status import derive_status

TRIAL = IsrctnTrial("ISRCTN99000001", recruitment_start=date(2026, 1, 1),
                    recruitment_end=date(2026, 12, 31), overall_end=date(2027, 6, 30))


@pytest.mark.parametrize(("today", "status", "basis"), [
    (date(2025, 12, 31), Status.NOT_YET_RECRUITING, "recruitment starts 2026-01-01"),
    (date(2026, 1, 1), Status.RECRUITING, "recruitment runs from 2026-01-01 until 2026-12-31"),
    (date(2026, 12, 31), Status.RECRUITING, "recruitment runs from 2026-01-01 until 2026-12-31"),
    (date(2027, 1, 1), Status.ACTIVE_NOT_RECRUITING,
     "recruitment ended 2026-12-31; the trial ends 2027-06-30"),
    (date(2027, 7, 1), Status.COMPLETED,
     "recruitment ended 2026-12-31; the trial ended 2027-06-30"),
])
def test_the_dates_decide_without_an_override(today: date, status: Status, basis: str) -> None:
    derived = derive_status(TRIAL, today)
    assert (derived.status, derived.basis, derived.from_override) == (status, basis, False)


@pytest.mark.parametrize(("changes", "status", "basis"), [
    ({"recruitment_status_override": "Stopped"}, Status.TERMINATED,
     "recruitmentStatusOverride is 'Stopped'"),
    ({"recruitment_status_override": "Suspended"}, Status.SUSPENDED,
     "recruitmentStatusOverride is 'Suspended'"),
    ({"overall_status_override": "stopped "}, Status.TERMINATED,
     "overallStatusOverride is 'stopped '"),
    ({"recruitment_start_override": "Not yet recruiting"}, Status.NOT_YET_RECRUITING,
     "recruitmentStartStatusOverride is 'Not yet recruiting'"),
    ({"recruitment_status_override": "Paused for lunch"}, Status.RECRUITING,
     "recruitment runs from 2026-01-01 until 2026-12-31 (recruitmentStatusOverride "
     "'Paused for lunch' not understood)"),
])
def test_overrides_come_first(changes: dict[str, str], status: Status, basis: str) -> None:
    derived = derive_status(replace(TRIAL, **changes), date(2026, 6, 1))
    assert (derived.status, derived.basis) == (status, basis)


def test_a_start_override_is_stale_once_recruitment_ended() -> None:
    trial = replace(TRIAL, recruitment_start_override="Not yet recruiting")
    assert derive_status(trial, date(2027, 8, 1)).status is Status.COMPLETED


def test_missing_dates() -> None:
    bare = IsrctnTrial("ISRCTN99000002")
    assert derive_status(bare, date(2026, 1, 1)).status is Status.UNKNOWN
    open_ended = replace(bare, recruitment_start=date(2020, 1, 1))
    assert derive_status(open_ended, date(2026, 1, 1)).basis == \
        "recruitment runs from 2020-01-01 with no end date"
    no_overall = replace(bare, recruitment_end=date(2021, 1, 1))
    assert derive_status(no_overall, date(2026, 1, 1)).status is Status.COMPLETED


def test_the_label_says_derived() -> None:
    assert derive_status(TRIAL, date(2026, 6, 1)).label == "Recruiting (derived)"
