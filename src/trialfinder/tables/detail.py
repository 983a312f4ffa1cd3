"""One study in depth: eligibility split into lists, outcomes and arms as tables, and whom to
call ("How to take part").

Text read here from the raw record has its HTML character references decoded once, as the
tables' text is (:mod:`trialfinder.core.entities`).

The list view asks the API only for ``fields`` (see :mod:`trialfinder.registries.ctgov.fields`); a
detail view
fetches the full record once and reads what only it has (outcomes, arms, intervention
descriptions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trialfinder.core.entities import decode_entities
from trialfinder.tables.eligibility import Criteria, split_criteria

__all__ = [
    "ARM_DTYPES",
    "OUTCOME_DTYPES",
    "Criteria",
    "TakePart",
    "arms_table",
    "code_words",
    "how_to_take_part",
    "outcomes_table",
    "split_criteria",
]


OUTCOME_DTYPES = {"nct_id": "string", "kind": "category", "measure": "string",
                  "time_frame": "string", "description": "string"}


def outcomes_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """Primary, secondary and other outcome measures of one full study record."""
    proto = record.get("protocolSection")
    proto = proto if isinstance(proto, Mapping) else {}
    ident = proto.get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, Mapping) else None
    module = proto.get("outcomesModule")
    module = module if isinstance(module, Mapping) else {}
    rows: list[dict[str, Any]] = []
    for kind in ("primary", "secondary", "other"):
        items = module.get(f"{kind}Outcomes")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                rows.append({"nct_id": nct, "kind": kind, "measure": _decoded(item.get("measure")),
                             "time_frame": _decoded(item.get("timeFrame")),
                             "description": _decoded(item.get("description"))})
    frame = pd.DataFrame(rows, columns=list(OUTCOME_DTYPES))
    return frame.astype(OUTCOME_DTYPES)


ARM_DTYPES = {"nct_id": "string", "label": "string", "type": "category",
              "interventions": "string", "description": "string"}


def _decoded(value: Any) -> Any:
    """A record's text with its HTML character references decoded once; other values as
    they are (the dtype conversion deals with them)."""
    return decode_entities(value) if isinstance(value, str) else value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _texts(value: Any) -> list[str]:
    return [decode_entities(v) for v in value if isinstance(v, str) and v] \
        if isinstance(value, list) else []


def arms_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """The arm groups of one full record, each with the interventions it gets ("|"-joined).

    The arm's own ``interventionNames`` ("Drug: Baclofen") are used when given; otherwise the
    names of the interventions whose ``armGroupLabels`` name the arm.
    """
    proto = _mapping(record.get("protocolSection"))
    nct = _mapping(proto.get("identificationModule")).get("nctId")
    module = _mapping(proto.get("armsInterventionsModule"))
    arms = module.get("armGroups")
    interventions = module.get("interventions")
    by_label: dict[str, list[str]] = {}
    for iv in interventions if isinstance(interventions, list) else []:
        iv = _mapping(iv)
        name = iv.get("name")
        if isinstance(name, str) and name:
            for label in _texts(iv.get("armGroupLabels")):
                by_label.setdefault(label, []).append(decode_entities(name))
    rows: list[dict[str, Any]] = []
    for arm in arms if isinstance(arms, list) else []:
        if not isinstance(arm, Mapping):
            continue
        raw_label = arm.get("label")
        arm_label = decode_entities(raw_label) if isinstance(raw_label, str) else None
        names = _texts(arm.get("interventionNames")) or by_label.get(arm_label or "", [])
        rows.append({"nct_id": nct if isinstance(nct, str) else None, "label": arm_label,
                     "type": arm.get("type") if isinstance(arm.get("type"), str) else None,
                     "interventions": "|".join(names) or None,
                     "description": decode_entities(arm["description"])
                     if isinstance(arm.get("description"), str) else None})
    return pd.DataFrame(rows, columns=list(ARM_DTYPES)).astype(ARM_DTYPES)


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
    if site is not None and "site_index" in own_sites.columns and not pd.isna(site["site_index"]):
        at_site = (mine["scope"] == "site") & (mine["site_index"] == site["site_index"])
        site_contacts = mine[at_site.to_numpy(dtype=bool, na_value=False)]
    return TakePart(central=central.reset_index(drop=True), site=site,
                    site_contacts=site_contacts.reset_index(drop=True))
