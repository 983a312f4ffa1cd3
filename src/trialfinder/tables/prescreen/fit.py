"""The personal pre-screen: does each study fit this person, and what do its criteria say?

For every study of a search it checks the structured fields (age limits, sex, healthy
volunteers, status, distance to the nearest recruiting site) and lists the eligibility lines
that name the person's conditions or medicines (whole words, with other names and brands from
:mod:`trialfinder.tables.prescreen.synonyms`), each tagged inclusion or exclusion.

It is a first look, not medical advice: only the study team can say who may join. Nothing here
logs, caches or sends the profile.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from trialfinder.api.query import OPEN_STATUSES, Status
from trialfinder.places.geo import haversine_miles
from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.eligibility import item_text, sectioned_parts
from trialfinder.tables.prescreen.profile import DISCLAIMER, Profile
from trialfinder.tables.prescreen.synonyms import names_for
from trialfinder.wording import age_range

__all__ = ["DISCLAIMER", "MENTION_COLUMNS", "Prescreen", "prescreen"]

logger = logging.getLogger(__name__)  # counts only: never a value from the profile

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


def _codes(values: pd.Series) -> np.ndarray:
    """A column of codes as an object array of str ("" for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = np.asarray([*values.cat.categories, ""], dtype=object)
        return cats[values.cat.codes.to_numpy()]  # code -1 (missing) picks the ""
    return np.asarray(values.astype(object).where(values.notna(), "").to_numpy(), dtype=object)



def _nearest_sites(studies: pd.DataFrame, sites: pd.DataFrame,
                   point: tuple[float, float]) -> np.ndarray:
    """Miles from ``point`` to each study's nearest recruiting site (NaN: none located).

    A site counts when it is recruiting or not yet recruiting; when a study gives no site
    statuses at all, each of its sites counts."""
    n = len(studies)
    nearest = np.full(n, np.inf)
    if sites.empty or n == 0:
        return np.full(n, np.nan)
    owner = pd.Index(studies["nct_id"].astype(object)).get_indexer(
        sites["nct_id"].astype(object))
    miles = haversine_miles(point[0], point[1], _floats(sites["lat"]), _floats(sites["lon"]))
    status = _codes(sites["site_status"])
    known = owner >= 0
    stated = known & (status != "")
    stated_per_study = np.bincount(owner[stated], minlength=n)
    open_site = np.isin(status, list(_OPEN))
    counts = known & ~np.isnan(miles) & (open_site | (stated_per_study[np.maximum(owner, 0)]
                                                       == 0))
    np.minimum.at(nearest, owner[counts], miles[counts])
    nearest[np.isinf(nearest)] = np.nan
    return nearest


def _structured(studies: pd.DataFrame, sites: pd.DataFrame,
                profile: Profile) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    n = len(studies)
    reasons: list[list[str]] = [[] for _ in range(n)]
    status = _codes(studies["status"])
    closed = ~np.isin(status, list(_OPEN))
    for i in np.flatnonzero(closed):
        code = status[i]
        label = Status(code).label if code in Status.__members__ else "unknown"
        reasons[i].append(f"not recruiting (status: {label})")
    fits = ~closed
    if profile.age is not None:
        age = profile.age
        low, high = _floats(studies["min_age_years"]), _floats(studies["max_age_years"])
        with np.errstate(invalid="ignore"):
            outside = (low > age) | (high < age)
        fits &= ~outside
        for i in np.flatnonzero(outside):
            reasons[i].append(f"age {age:g} is outside {age_range(low[i], high[i])}")
    if profile.sex is not None:
        sex = _codes(studies["sex"])
        other = np.isin(sex, [s for s in _SEX_WORDS if s != profile.sex])
        fits &= ~other
        for i in np.flatnonzero(other):
            reasons[i].append(f"open to {_SEX_WORDS[sex[i]]} only")
    if profile.healthy_volunteer:
        accepts = _codes(studies["healthy_volunteers"].astype("boolean").astype("string"))
        refuses = accepts == "False"
        fits &= ~refuses
        for i in np.flatnonzero(refuses):
            reasons[i].append("does not take healthy volunteers")
        for i in np.flatnonzero(accepts == ""):
            reasons[i].append("does not say whether it takes healthy volunteers")
    nearest = np.full(n, np.nan)
    if profile.near is not None:
        nearest = _nearest_sites(studies, sites, profile.near)
        unlocated = np.isnan(nearest)
        for i in np.flatnonzero(unlocated):
            reasons[i].append("no recruiting site with a known location")
        if profile.radius_mi is not None:
            radius = profile.radius_mi
            with np.errstate(invalid="ignore"):
                far = nearest > radius
            fits &= ~(far | unlocated)
            for i in np.flatnonzero(far):
                reasons[i].append(f"nearest recruiting site is {nearest[i]:,.0f} mi away "
                                  f"(more than {radius:g} mi)")
    plain = ("fits on age, sex, status and distance as far as the record says"
             if profile.age is not None or profile.near is not None else "recruiting")
    for i in np.flatnonzero(fits):
        if not reasons[i]:
            reasons[i].append(plain)
    return fits, reasons, nearest


class _Finder:
    """Every name of every term of a profile, in one pattern (whole words; abbreviations in
    capitals match only in capitals).

    ``candidates`` finds the texts with a match in one pass over the column (pyarrow's RE2,
    linear time); only those are read line by line.
    """

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self.own: list[str] = []
        parts: list[str] = []
        re2: list[str] = []
        exact: set[str] = set()
        folded: set[str] = set()
        for index, (own, kind) in enumerate(terms):
            self.own.append(own)
            alternatives = []
            for name in sorted(names_for(own, kind), key=len, reverse=True):
                words = [w for w in re.split(r"[\s\-]+", name) if w]
                body = r"[\s\-]+".join(re.escape(w) for w in words)
                if len(name) <= 5 and name.isupper():
                    alternatives.append(body)
                    exact.add(words[0])
                else:
                    alternatives.append(f"(?i:{body})")
                    folded.add(words[0].lower())
            parts.append(f"(?P<t{index}>{'|'.join(alternatives)})")
            re2.extend(alternatives)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?:'?s)?(?!\w)")
        self.re2 = r"\b(?:" + "|".join(re2) + r")(?:'?s)?\b"
        self.exact = tuple(exact)
        self.folded = tuple(folded)

    def candidates(self, texts: pd.Series) -> np.ndarray:
        """A mask over ``texts``: True where some name may occur as a whole word."""
        try:
            pc: Any = importlib.import_module("pyarrow.compute")
            found = pc.match_substring_regex(arrow_strings(texts), self.re2).fill_null(False)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        except (ImportError, AttributeError, ValueError, TypeError, LookupError):
            raw: list[Any] = texts.astype(object).tolist()
            return np.asarray([isinstance(t, str) and self.keep(t) for t in raw], dtype=bool)

    def maybe_in(self, line: str) -> bool:
        if any(needle in line for needle in self.exact):
            return True
        low = line.lower()
        return any(needle in low for needle in self.folded)

    def keep(self, line: str) -> bool:
        return self.maybe_in(line) and self.pattern.search(line) is not None

    def lines_matching(self, lines: list[str]) -> np.ndarray:
        """A mask over ``lines``: True where some name occurs (one RE2 pass when it can)."""
        try:
            pa: Any = importlib.import_module("pyarrow")
            pc: Any = importlib.import_module("pyarrow.compute")
            found = pc.match_substring_regex(pa.array(lines, type=pa.large_string()),
                                             self.re2)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        except (ImportError, AttributeError, ValueError, TypeError, LookupError):
            return np.asarray([self.keep(line) for line in lines], dtype=bool)

    def mentions(self, ids: list[str], texts: list[str]) -> list[dict[str, str]]:
        """The lines of ``texts`` (one per study of ``ids``) that name a term."""
        owners: list[str] = []
        parts: list[tuple[str, str, str]] = []
        for nct, text in zip(ids, texts, strict=True):
            found = sectioned_parts(text)
            owners.extend([nct] * len(found))
            parts.extend(found)
        # which parts name a term, then which of their lines do: two passes of RE2
        lines: list[tuple[str, str, str, bool]] = []  # nct, section, line, after a heading
        for i in np.flatnonzero(self.lines_matching([part for _, _, part in parts])):
            section, kind, part = parts[i]
            if kind == "block":
                lines.extend((owners[i], section, line, False) for line in part.split("\n"))
            else:
                lines.append((owners[i], section, part, kind == "rest"))
        rows: list[dict[str, str]] = []
        for j in np.flatnonzero(self.lines_matching([line for _, _, line, _ in lines])):
            nct, section, line, rest = lines[j]
            item = item_text(line, rest)
            if item and not item.startswith("<!--"):
                rows.extend(self._rows(nct, section, item))
        return rows

    def _rows(self, nct: str, section: str, item: str) -> list[dict[str, str]]:
        rows = []
        seen: set[str] = set()
        for found in self.pattern.finditer(item):
            own = self.own[int(str(found.lastgroup)[1:])]
            if own not in seen:
                seen.add(own)
                rows.append({"nct_id": nct, "term": own, "found": found.group(0),
                             "section": _SECTION[section], "text": item})
        return rows


_SECTION = {"inclusion": "inclusion", "exclusion": "exclusion", "intro": "other"}


def prescreen(results: _HasTables, profile: Profile) -> Prescreen:
    """Pre-screen the studies of ``results`` (a :class:`~trialfinder.service.Results` or
    :class:`~trialfinder.tables.normalize.Tables`) for one person.

    ``tf.prescreen(tf.search(preset="als"), tf.Profile(age=54, medicines=("Lioresal",)))``
    """
    studies = results.studies.reset_index(drop=True)
    sites = results.sites
    fits, reasons, nearest = _structured(studies, sites, profile)
    terms = [(m, "medicine") for m in profile.medicines]
    terms += [(c, "condition") for c in profile.conditions]
    rows: list[dict[str, str]] = []
    if terms and len(studies):
        finder = _Finder(terms)
        column = studies["eligibility_criteria"]
        chosen = np.flatnonzero(finder.candidates(column))
        texts: list[Any] = column.iloc[chosen].astype(object).tolist()
        ids: list[Any] = studies["nct_id"].iloc[chosen].astype(object).tolist()
        rows = finder.mentions([str(i) for i in ids], [str(t) for t in texts])
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
    logger.debug("pre-screen: %d studies, %d fit, %d criteria lines name a term",
                 len(table), int(fits.sum()), len(mentions))
    return Prescreen(studies=table, mentions=mentions)


def profile_from(values: Mapping[str, Any]) -> Profile:
    """A :class:`Profile` from plain values (the dashboard's form, a JSON file)."""
    return Profile(**{k: v for k, v in values.items() if v not in (None, "", ())})
