"""ISRCTN has no status field: a trial's recruitment status is derived, always.

The rule, relative to an injected ``today`` (the first that applies wins):

1. **A registrant's override.** ``participants/recruitmentStatusOverride`` and then
   ``trialDesign/overallStatusOverride`` name a status in words; the words we know map onto
   ours: "Stopped" (or "Terminated") -> ``TERMINATED``, "Suspended" -> ``SUSPENDED``, "Withdrawn" ->
   ``WITHDRAWN``, "Completed" -> ``COMPLETED``, "Recruiting" -> ``RECRUITING``, "Not yet
   recruiting" -> ``NOT_YET_RECRUITING``, "No longer recruiting" -> ``ACTIVE_NOT_RECRUITING``.
   An override in words we do not know is set aside (and said so in ``basis``).
2. **The start override**, ``participants/recruitmentStartStatusOverride``, in the same words,
   while recruitment has not ended (no recruitment end, or today is on or before it): it
   corrects a start date that came and went without recruitment starting, or the reverse.
3. **The dates.** Before ``recruitmentStart``: ``NOT_YET_RECRUITING``. From the start to
   ``recruitmentEnd`` (both days included; an end without a start counts from any time):
   ``RECRUITING``. After the recruitment end: ``ACTIVE_NOT_RECRUITING`` while today is on or
   before the overall end (``trialDesign/overallEndDate``), else ``COMPLETED``.
4. **Nothing to go by** (no override we know, no recruitment dates): ``UNKNOWN``.

Every status made here is *derived*: :attr:`DerivedStatus.label` says so ("Recruiting
(derived)") and :attr:`DerivedStatus.basis` says from what, so wherever an ISRCTN status is
shown it can be shown as derived. ctrdata's rule (an override, else completed after the
recruitment end, else ongoing or planned) is the same idea with coarser categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from trialfinder.core.codes import Status
from trialfinder.registries.isrctn.model import IsrctnTrial

__all__ = ["DERIVED", "OVERRIDE_WORDS", "DerivedStatus", "derive_status", "status_of_words"]

#: The word shown beside every ISRCTN status.
DERIVED: Final = "derived"

#: Override words (folded) and our status for each.
OVERRIDE_WORDS: Final[dict[str, Status]] = {
    "stopped": Status.TERMINATED,
    "terminated": Status.TERMINATED,
    "suspended": Status.SUSPENDED,
    "withdrawn": Status.WITHDRAWN,
    "completed": Status.COMPLETED,
    "recruiting": Status.RECRUITING,
    "not yet recruiting": Status.NOT_YET_RECRUITING,
    "no longer recruiting": Status.ACTIVE_NOT_RECRUITING,
}


@dataclass(frozen=True, slots=True)
class DerivedStatus:
    """A derived status and the one-line reason for it (``basis``)."""

    status: Status
    basis: str
    #: Whether a registrant's override decided it (rather than the dates).
    from_override: bool = False

    @property
    def label(self) -> str:
        """``"Recruiting (derived)"``: the status as it must be shown."""
        return f"{self.status.label} ({DERIVED})"


def status_of_words(words: str | None) -> Status | None:
    """Our status for an override's words ("Stopped" -> TERMINATED), or ``None``."""
    if not words:
        return None
    return OVERRIDE_WORDS.get(" ".join(words.lower().replace(",", " ").split()))


def derive_status(trial: IsrctnTrial, today: date) -> DerivedStatus:
    """The status of ``trial`` on ``today`` by the rule in the module docstring."""
    set_aside: list[str] = []
    for field_name, words in (("recruitmentStatusOverride", trial.recruitment_status_override),
                              ("overallStatusOverride", trial.overall_status_override)):
        status = status_of_words(words)
        if status is not None:
            return DerivedStatus(status, f"{field_name} is {words!r}", True)
        if words:
            set_aside.append(f"{field_name} {words[:40]!r} not understood")
    start, end = trial.recruitment_start, trial.recruitment_end
    open_now = end is None or today <= end
    start_status = status_of_words(trial.recruitment_start_override)
    if start_status is not None and open_now:
        return DerivedStatus(start_status, "recruitmentStartStatusOverride is "
                             f"{trial.recruitment_start_override!r}", True)
    if trial.recruitment_start_override and start_status is None:
        set_aside.append("recruitmentStartStatusOverride "
                         f"{trial.recruitment_start_override[:40]!r} not understood")
    status, basis = _by_dates(start, end, trial.overall_end, today)
    if set_aside:
        basis = f"{basis} ({'; '.join(set_aside)})"
    return DerivedStatus(status, basis)


def _by_dates(start: date | None, end: date | None, overall_end: date | None,
              today: date) -> tuple[Status, str]:
    if start is None and end is None:
        return Status.UNKNOWN, "no recruitment dates"
    if start is not None and today < start:
        return Status.NOT_YET_RECRUITING, f"recruitment starts {start.isoformat()}"
    if end is None or today <= end:
        since = f"from {start.isoformat()} " if start else ""
        until = f"until {end.isoformat()}" if end else "with no end date"
        return Status.RECRUITING, f"recruitment runs {since}{until}"
    if overall_end is not None and today <= overall_end:
        return Status.ACTIVE_NOT_RECRUITING, (
            f"recruitment ended {end.isoformat()}; the trial ends {overall_end.isoformat()}")
    ended = f"; the trial ended {overall_end.isoformat()}" if overall_end else ""
    return Status.COMPLETED, f"recruitment ended {end.isoformat()}{ended}"
