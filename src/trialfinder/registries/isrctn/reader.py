"""ISRCTN records (:mod:`.record`) into the common tables, and one record's study page.

:class:`IsrctnReader` is the seam's :class:`~trialfinder.registries.base.RecordReader`: it
keeps the trials a batch at a time and makes the tables once (:func:`~.tables.to_tables`,
statuses derived on its ``today``). A record that holds no ISRCTN trial is skipped and counted
(``record_without_id``); a value it holds of the wrong type costs that value and is counted
(``bad_record_value:<field>``), as the XML reader counts what it could not read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from trialfinder.core.wording import plural
from trialfinder.registries.base import Contact, Outcome, Record, StudyPage
from trialfinder.registries.isrctn.model import IsrctnTrial
from trialfinder.registries.isrctn.record import trial_of
from trialfinder.registries.isrctn.sites import Placer
from trialfinder.registries.isrctn.status import derive_status
from trialfinder.registries.isrctn.tables import contact_row, to_tables
from trialfinder.tables.frames import Tables
from trialfinder.topics.demo import declare_fictional

__all__ = ["IsrctnReader", "study_page"]

_OUTCOME_MAX = 5_000  # characters kept of one outcome text


class IsrctnReader:
    """ISRCTN records into the common tables (``source`` ``isrctn``)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.trials: list[IsrctnTrial] = []
        self.seen: set[str] = set()
        self.problems: Counter[str] = Counter()
        self.skipped = 0

    def add(self, records: Sequence[Record]) -> None:
        for record in records:
            trial = trial_of(record)
            if trial is None:
                self.skipped += 1
                self.problems["record_without_id"] += 1
                continue
            if trial.isrctn_id in self.seen:
                self.problems["duplicate_id"] += 1
                continue
            self.seen.add(trial.isrctn_id)
            declare_fictional(trial.isrctn_id, trial.fictional is True)
            self.problems.update(trial.problems)
            self.trials.append(trial)

    def tables(self) -> Tables:
        made = to_tables(self.trials, self.today, placer=Placer(), skipped=self.skipped,
                         problems=self.problems)
        return made.tables


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def study_page(record: Record, today: date) -> StudyPage:
    """The facts of one ISRCTN record that its row does not hold: the scientific title, the
    dates (with the derived status's basis), the enrolment, the contact persons (as the
    contacts table has them, with ISRCTN's own words for their role) and the primary and
    secondary outcomes (each one free text, so one row each). ISRCTN has no arms."""
    trial = trial_of(record)
    if trial is None:
        return StudyPage(None)
    declare_fictional(trial.isrctn_id, trial.fictional is True)
    derived = derive_status(trial, today)
    dates = [("Start", _when(trial.overall_start or trial.recruitment_start, today)),
             ("Recruitment", _recruitment(trial)),
             ("End", _when(trial.overall_end, today)),
             ("Last update", _day(trial.last_updated)),
             ("Status derived from", derived.basis)]
    final, target = trial.final_enrolment, trial.target_enrolment
    enrollment = (f"{plural(final, 'person', 'people')} (final)" if final
                  else f"{plural(target, 'person', 'people')} (target)" if target else None)
    contacts = tuple(
        Contact(row["name"] or "", " ".join((person.role or "").split())[:100],
                row["phone"] or "", row["email"] or "")
        for person in trial.contacts
        if (row := contact_row(trial.isrctn_id, person))["name"] or row["phone"]
        or row["email"])
    outcomes = tuple(Outcome(kind, text[:_OUTCOME_MAX]) for kind, text in (
        ("primary", trial.primary_outcome), ("secondary", trial.secondary_outcome)) if text)
    return StudyPage(trial.isrctn_id, official_title=trial.scientific_title or "",
                     dates=tuple((k, v) for k, v in dates if v), enrollment=enrollment,
                     contacts=contacts, outcomes=outcomes)



def _when(value: date | None, today: date) -> str | None:
    """``2024-03-01 (actual)`` once the day has come, else ``(estimated)``, as the table's
    date types say."""
    if value is None:
        return None
    return f"{value.isoformat()} ({'actual' if value <= today else 'estimated'})"


def _recruitment(trial: IsrctnTrial) -> str | None:
    start, end = _day(trial.recruitment_start), _day(trial.recruitment_end)
    if start and end:
        return f"{start} to {end}"
    return f"from {start}" if start else f"until {end}" if end else None
