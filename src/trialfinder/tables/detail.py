"""One study in depth: eligibility split into lists, the columns of the outcome and arm
tables (their rows come from a registry's :class:`~trialfinder.registries.base.StudyPage`),
codes in words, and whom to call ("How to take part")."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from trialfinder.core.codes import status_words
from trialfinder.core.missing import is_blank
from trialfinder.tables.eligibility import Criteria, split_criteria

__all__ = [
    "ARM_DTYPES",
    "OUTCOME_DTYPES",
    "Criteria",
    "TakePart",
    "code_words",
    "how_to_take_part",
    "split_criteria",
    "take_part_words",
    "takes_people",
]


OUTCOME_DTYPES = {"nct_id": "string", "kind": "category", "measure": "string",
                  "time_frame": "string", "description": "string"}


ARM_DTYPES = {"nct_id": "string", "label": "string", "type": "category",
              "interventions": "string", "description": "string"}


_WORDS = {"NA": "Not applicable", "NON_RANDOMIZED": "Non-randomized", "ECT": "Early clinical test",
          "NONE": "None (open label)"}


def code_words(code: object) -> str:
    """A registry code in words: ``SUPPORTIVE_CARE`` -> ``Supportive care`` ("" when missing)."""
    if not isinstance(code, str) or not code:
        return ""
    return _WORDS.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True)
class TakePart:
    """Whom to call about one study: its central contacts first, then the nearest recruiting
    site (nearest when the sites were sorted by distance, else the first listed) and that
    site's own contacts. ``site`` is None when no site is recruiting."""

    central: pd.DataFrame
    site: pd.Series | None
    site_contacts: pd.DataFrame

    @property
    def empty(self) -> bool:
        return not len(self.central) and self.site is None


def how_to_take_part(contacts: pd.DataFrame, sites: pd.DataFrame, nct_id: str) -> TakePart:
    """Pick the contacts to show first for ``nct_id`` (see :class:`TakePart`)."""
    mine = contacts[contacts["nct_id"] == nct_id]
    central = mine[(mine["scope"] == "study").to_numpy(dtype=bool, na_value=False)]
    own_sites = sites[sites["nct_id"] == nct_id]
    recruiting = (own_sites["site_status"] == "RECRUITING").to_numpy(dtype=bool, na_value=False)
    site = own_sites[recruiting].iloc[0] if recruiting.any() else None
    site_contacts = mine.iloc[0:0]
    if site is not None and "site_index" in own_sites.columns and not is_blank(site["site_index"]):
        at_site = (mine["scope"] == "site") & (mine["site_index"] == site["site_index"])
        site_contacts = mine[at_site.to_numpy(dtype=bool, na_value=False)]
    return TakePart(central=central.reset_index(drop=True), site=site,
                    site_contacts=site_contacts.reset_index(drop=True))


#: statuses of a study that may take someone now (by invitation, or expanded access, too)
_TAKING = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"})
#: statuses of a study that has stopped taking people for a while
_PAUSED = frozenset({"SUSPENDED", "TEMPORARILY_NOT_AVAILABLE"})


def takes_people(status: object) -> bool:
    """Whether a study of this status may take someone now (true when no status is given)."""
    return is_blank(status) or not str(status).strip() or str(status).strip().upper() in _TAKING


def take_part_words(status: object) -> str:
    """What to do about taking part, by the study's status: ask whether you could (a study
    that takes people, or one whose status is not given), or, for one that takes no one now,
    say so (a terminated study said "Ask the study team whether you could take part")."""
    if takes_people(status):
        return "Ask the study team whether you could take part; bring the study id."
    code = str(status).strip().upper()
    label = status_words(code).lower()
    if code in _PAUSED:
        return (f"This study takes no one new for now ({label}); ask the study team whether "
                "it will again, and bring the study id.")
    if code == "UNKNOWN":
        return ("This study's status is unknown (its record has not been checked lately); ask "
                "the study team whether it still takes people, and bring the study id.")
    return (f"This study takes no one new ({label}); its team may still answer questions "
            "about it.")
