"""What a pre-screen gives back: :class:`Prescreen` (its tables, the names it does not know)
and its JSON-ready records. It holds what the person gave: kept in memory, never logged."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trialfinder.core.missing import is_blank
from trialfinder.tables.prescreen.synonyms import UnknownName

__all__ = ["MENTION_COLUMNS", "TEXT_COLUMNS", "Prescreen"]

MENTION_COLUMNS = ["nct_id", "term", "found", "section", "text", "match", "exception",
                   "negated"]
TEXT_COLUMNS = ["nct_id", "term", "found", "section", "text", "match"]


def _text(value: Any) -> str | None:
    return None if is_blank(value) else str(value)


@dataclass(frozen=True)
class Prescreen:
    """The pre-screen of a set of studies.

    ``studies``: one row per study, in the order to read them (studies whose inclusion names
    one of the person's conditions first, then ``fits``, ``check``, ``no``; nearest first
    within each), with ``verdict`` (fits, check or no), ``fits`` (``verdict == "fits"``, kept
    for older callers), ``names_your_condition``, ``reasons`` (a list of short sentences),
    ``nearest_site_mi`` (miles to the nearest recruiting site, when a place was given) and
    ``n_mentions``. ``mentions``: one row per eligibility line naming one of the person's
    terms: ``term`` as they gave it, ``found`` the name in the text, ``section`` inclusion,
    exclusion or other, ``text`` the line, ``match`` how it matched (as typed, other name,
    brand, abbreviation, class "x", member of "x"), ``exception`` (the line makes an exception
    for it) and ``negated`` (the line says it must be absent). ``unknown_names``: the
    person's conditions and medicines the vocabulary does not know by name
    (:class:`~trialfinder.tables.prescreen.synonyms.UnknownName`: ``text``, ``kind``,
    ``suggestions``, ``note``), looked for only as typed: a slip ("baclofenn") finds nothing.
    """

    studies: pd.DataFrame
    mentions: pd.DataFrame
    unknown_names: tuple[UnknownName, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per study: nct_id, title, status, verdict, fits,
        names_your_condition, reasons, nearest_site_mi, mentions [{term, found, section,
        text, match, exception, negated}]."""
        by_study: dict[str, list[dict[str, Any]]] = {}
        mention: dict[Hashable, Any]
        for mention in self.mentions.to_dict("records"):
            item: dict[str, Any] = {k: str(mention[k]) for k in TEXT_COLUMNS[1:]}
            item["exception"] = bool(mention["exception"])
            item["negated"] = bool(mention["negated"])
            by_study.setdefault(str(mention["nct_id"]), []).append(item)
        out = []
        row: dict[Hashable, Any]
        for row in self.studies.to_dict("records"):
            miles = row["nearest_site_mi"]
            out.append({
                "nct_id": str(row["nct_id"]),
                "title": _text(row["title"]),
                "status": _text(row["status"]),
                "verdict": str(row["verdict"]),
                "fits": bool(row["fits"]),
                "names_your_condition": bool(row["names_your_condition"]),
                "reasons": list(row["reasons"]),
                "nearest_site_mi": None if is_blank(miles) else round(float(miles), 1),
                "mentions": by_study.get(str(row["nct_id"]), []),
            })
        return out
