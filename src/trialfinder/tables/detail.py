"""One study in depth: eligibility split into lists, the columns of the outcome and arm
tables (their rows come from a registry's :class:`~trialfinder.registries.base.StudyPage`),
codes in words, and whom to call ("How to take part")."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

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
