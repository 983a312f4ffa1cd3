"""The personal pre-screen: does each study fit this person, and what do its criteria say?

For every study of a search it checks the structured fields (age limits, sex, healthy
volunteers, status, distance to the nearest recruiting site) and lists the eligibility lines
that name the person's conditions or medicines (whole words, with other names and brands from
:mod:`trialfinder.prescreen.synonyms`), each tagged inclusion or exclusion.

It is a first look, not medical advice: only the study team can say who may join. Nothing here
logs, caches or sends the profile.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from trialfinder.api.query import OPEN_STATUSES, Status
from trialfinder.places.geo import haversine_miles
from trialfinder.prescreen.profile import Profile
from trialfinder.prescreen.synonyms import names_for
from trialfinder.tables.eligibility import split_criteria

__all__ = ["DISCLAIMER", "MENTION_COLUMNS", "Prescreen", "prescreen"]

DISCLAIMER = (
    "A first look, not medical advice: only the study team can say whether you may join. "
    "Talk to your doctor before taking part in any study."
)
MENTION_COLUMNS = ["nct_id", "term", "found", "section", "text"]
_OPEN = frozenset(s.value for s in OPEN_STATUSES)
_SEX_WORDS = {"FEMALE": "women", "MALE": "men"}


class _HasTables(Protocol):
    @property
    def studies(self) -> pd.DataFrame: ...

    @property
    def sites(self) -> pd.DataFrame: ...


@dataclass(frozen=True)
class Prescreen:
    """The pre-screen of a set of studies.

    ``studies``: one row per study, fitting studies first and nearest first, with ``fits``
    (bool), ``reasons`` (a list of short sentences), ``nearest_site_mi`` (miles to the
    nearest recruiting site, when a place was given) and ``n_mentions``. ``mentions``: one
    row per eligibility line naming one of the person's terms (``term`` as they gave it,
    ``found`` the name in the text, ``section`` inclusion, exclusion or other).
    """

    studies: pd.DataFrame
    mentions: pd.DataFrame

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per study: nct_id, title, status, fits, reasons, distance,
        mentions [{term, found, section, text}]."""
        by_study: dict[str, list[dict[str, str]]] = {}
        mention: dict[Hashable, Any]
        for mention in self.mentions.to_dict("records"):
            by_study.setdefault(str(mention["nct_id"]), []).append(
                {key: str(mention[key]) for key in ("term", "found", "section", "text")})
        out = []
        row: dict[Hashable, Any]
        for row in self.studies.to_dict("records"):
            miles = row["nearest_site_mi"]
            title, status = row["title"], row["status"]
            out.append({
                "nct_id": str(row["nct_id"]),
                "title": None if title is pd.NA or title is None else str(title),
                "status": None if status is pd.NA or status is None else str(status),
                "fits": bool(row["fits"]),
                "reasons": list(row["reasons"]),
                "nearest_site_mi": None if miles is pd.NA or miles is None or miles != miles
                else round(float(miles), 1),
                "mentions": by_study.get(str(row["nct_id"]), []),
            })
        return out


def _floats(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(values, errors="coerce").astype("float64"), dtype=float)


def _age_text(low: float, high: float) -> str:
    if not np.isnan(low) and low > 0 and not np.isnan(high):
        return f"{low:g} to {high:g} years"
    if not np.isnan(low) and low > 0:
        return f"{low:g} years and over"
    return f"up to {high:g} years" if not np.isnan(high) else "any age"


def _nearest_sites(studies: pd.DataFrame, sites: pd.DataFrame,
                   point: tuple[float, float]) -> np.ndarray:
    """Miles from ``point`` to each study's nearest recruiting site (NaN: none located).

    A site counts when it is recruiting or not yet recruiting; when a study gives no site
    statuses at all, each of its sites counts."""
    if sites.empty:
        return np.full(len(studies), np.nan)
    miles = haversine_miles(point[0], point[1], _floats(sites["lat"]), _floats(sites["lon"]))
    status = sites["site_status"].astype("string")
    open_site = status.isin(list(_OPEN)).to_numpy(dtype=bool, na_value=False)
    unstated = status.isna().groupby(sites["nct_id"].to_numpy()).transform("all")
    counts = open_site | unstated.to_numpy(dtype=bool)
    frame = pd.DataFrame({"nct_id": sites["nct_id"].to_numpy(),
                          "miles": np.where(counts, miles, np.nan)})
    nearest = frame.groupby("nct_id")["miles"].min()
    return nearest.reindex(studies["nct_id"].to_numpy()).to_numpy(dtype=float)


def _structured(studies: pd.DataFrame, sites: pd.DataFrame,
                profile: Profile) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    n = len(studies)
    fits = np.ones(n, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(n)]
    status = studies["status"].astype("string").fillna("").to_numpy(dtype=object)
    for i, code in enumerate(status):
        if code not in _OPEN:
            fits[i] = False
            label = Status(code).label if code in Status.__members__ else "unknown"
            reasons[i].append(f"not recruiting (status: {label})")
    if profile.age is not None:
        age = profile.age
        low, high = _floats(studies["min_age_years"]), _floats(studies["max_age_years"])
        for i in range(n):
            if (not np.isnan(low[i]) and age < low[i]) or (not np.isnan(high[i])
                                                            and age > high[i]):
                fits[i] = False
                reasons[i].append(f"age {age:g} is outside {_age_text(low[i], high[i])}")
    if profile.sex is not None:
        sex = studies["sex"].astype("string").fillna("").to_numpy(dtype=object)
        for i, value in enumerate(sex):
            if value in _SEX_WORDS and value != profile.sex:
                fits[i] = False
                reasons[i].append(f"open to {_SEX_WORDS[value]} only")
    if profile.healthy_volunteer:
        accepts = studies["healthy_volunteers"].astype("boolean")
        raw: list[Any] = accepts.tolist()
        values = [None if v is pd.NA else bool(v) for v in raw]
        for i, value in enumerate(values):
            if value is False:
                fits[i] = False
                reasons[i].append("does not take healthy volunteers")
            elif value is None:
                reasons[i].append("does not say whether it takes healthy volunteers")
    nearest = np.full(n, np.nan)
    if profile.near is not None:
        nearest = _nearest_sites(studies, sites, profile.near)
        for i in range(n):
            if np.isnan(nearest[i]):
                if profile.radius_mi is not None:
                    fits[i] = False
                reasons[i].append("no recruiting site with a known location")
            elif profile.radius_mi is not None and nearest[i] > profile.radius_mi:
                fits[i] = False
                reasons[i].append(f"nearest recruiting site is {nearest[i]:,.0f} mi away "
                                  f"(more than {profile.radius_mi:g} mi)")
    for i in range(n):
        if fits[i] and not reasons[i]:
            reasons[i].append("fits on age, sex, status and distance as far as the record says"
                              if profile.age is not None or profile.near is not None
                              else "recruiting")
    return fits, reasons, nearest


@dataclass(frozen=True)
class _Term:
    own: str
    pattern: re.Pattern[str]
    needles: tuple[tuple[str, bool], ...]  # (text, case-sensitive)

    def maybe_in(self, text: str, folded: str) -> bool:
        return any((needle in text) if exact else (needle in folded)
                   for needle, exact in self.needles)


def _term(own: str, kind: str) -> _Term:
    names = names_for(own, kind)
    parts = []
    needles = []
    for name in sorted(names, key=len, reverse=True):
        exact = len(name) <= 5 and name.isupper()
        body = r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", name))
        parts.append(body if exact else f"(?i:{body})")
        first = re.split(r"[\s\-]+", name)[0]
        needles.append((first, True) if exact else (first.casefold(), False))
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?:'?s)?(?![\w])")
    return _Term(own, pattern, tuple(dict.fromkeys(needles)))


def _mentions(nct: str, text: str, terms: Iterable[_Term]) -> list[dict[str, str]]:
    folded = text.casefold()
    live = [t for t in terms if t.maybe_in(text, folded)]
    if not live:
        return []
    criteria = split_criteria(text)
    rows: list[dict[str, str]] = []
    for section, items in (("inclusion", criteria.inclusion), ("exclusion", criteria.exclusion),
                           ("other", criteria.intro)):
        for _, item in items:
            for term in live:
                found = term.pattern.search(item)
                if found:
                    rows.append({"nct_id": nct, "term": term.own, "found": found.group(0),
                                 "section": section, "text": item})
    return rows


def prescreen(results: _HasTables, profile: Profile) -> Prescreen:
    """Pre-screen the studies of ``results`` (a :class:`~trialfinder.service.Results` or
    :class:`~trialfinder.tables.normalize.Tables`) for one person.

    ``tf.prescreen(tf.search(preset="als"), tf.Profile(age=54, medicines=("Lioresal",)))``
    """
    studies = results.studies.reset_index(drop=True)
    sites = results.sites
    fits, reasons, nearest = _structured(studies, sites, profile)
    terms = [_term(m, "medicine") for m in profile.medicines]
    terms += [_term(c, "condition") for c in profile.conditions]
    rows: list[dict[str, str]] = []
    if terms:
        texts = studies["eligibility_criteria"].astype("string").fillna("")
        for nct, text in zip(studies["nct_id"].astype(str), texts, strict=True):
            if text:
                rows.extend(_mentions(nct, str(text), terms))
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS).astype("string")
    counts = mentions["nct_id"].value_counts() if len(mentions) else pd.Series(dtype="int64")
    table = pd.DataFrame({
        "nct_id": studies["nct_id"].astype("string"),
        "title": studies["title"].astype("string"),
        "status": studies["status"].astype("string"),
        "fits": fits,
        "reasons": pd.Series(reasons, dtype=object),
        "nearest_site_mi": pd.array(nearest, dtype="Float64"),
        "n_mentions": pd.array(
            counts.reindex(studies["nct_id"].astype(str)).fillna(0).to_numpy(dtype="int64"),
            dtype="Int64"),
    })
    order = np.lexsort((table["nct_id"].to_numpy(dtype=str),
                        np.nan_to_num(nearest, nan=np.inf), ~fits))
    table = table.iloc[order].reset_index(drop=True)
    rank = {nct: i for i, nct in enumerate(table["nct_id"])}
    if len(mentions):
        mentions = mentions.iloc[
            np.argsort([rank[n] for n in mentions["nct_id"]], kind="stable")
        ].reset_index(drop=True)
    return Prescreen(studies=table, mentions=mentions)


def profile_from(values: Mapping[str, Any]) -> Profile:
    """A :class:`Profile` from plain values (the dashboard's form, a JSON file)."""
    return Profile(**{k: v for k, v in values.items() if v not in (None, "", ())})
