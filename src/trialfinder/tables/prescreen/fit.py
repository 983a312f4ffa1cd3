"""The personal pre-screen: may this person join each study, and what do its criteria say?

For every study of a search it checks the structured fields (age limits, sex, healthy
volunteers, status, distance to the nearest recruiting site), then reads the eligibility
lines naming the person's conditions or medicines (by any name, brand, abbreviation or class
from :mod:`trialfinder.tables.prescreen.synonyms`) and, when they gave a condition, the
inclusion lines asking for a diagnosis they did not give. Each study gets a verdict (fits,
check, no: see :mod:`trialfinder.tables.prescreen.verdict`) and plain reasons.

It is a first look, not medical advice: only the study team can say who may join. Nothing here
logs, caches or sends the profile.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from trialfinder.core.codes import OPEN_STATUSES, Status
from trialfinder.core.wording import age_range
from trialfinder.places.geo import haversine_miles
from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.prescreen.ages import age_lines, stated_age_against, stated_age_for
from trialfinder.tables.prescreen.finder import Finder, Term, asks_for_healthy
from trialfinder.tables.prescreen.labs import lab_names
from trialfinder.tables.prescreen.mentions import (
    MENTION_FIELDS,
    find_mentions,
    find_requirements,
)
from trialfinder.tables.prescreen.pregnancy import is_pregnancy, may_require_pregnancy
from trialfinder.tables.prescreen.profile import DISCLAIMER, Profile
from trialfinder.tables.prescreen.result import MENTION_COLUMNS, TEXT_COLUMNS, Prescreen
from trialfinder.tables.prescreen.sexes import one_sex_in_text, sex_against_text
from trialfinder.tables.prescreen.synonyms import expand, unknown_names
from trialfinder.tables.prescreen.treatments import treatment_notes
from trialfinder.tables.prescreen.verdict import STATUS_ALONE, VERDICTS, decide, is_hit, quote

__all__ = ["DISCLAIMER", "MENTION_COLUMNS", "VERDICTS", "Prescreen", "prescreen"]

logger = logging.getLogger(__name__)  # counts only: never a value from the profile

_OPEN = frozenset(s.value for s in OPEN_STATUSES)
_SEX_WORDS = {"FEMALE": "women", "MALE": "men"}
UNLOCATED = ("the record gives no recruiting site with a known location: ask the study team "
             "where it runs")
UNSAID_HEALTHY = ("the record does not say whether it takes healthy volunteers: ask the study "
                  "team")


class _HasTables(Protocol):
    @property
    def studies(self) -> pd.DataFrame: ...

    @property
    def sites(self) -> pd.DataFrame: ...


def _floats(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(values, errors="coerce").astype("float64"), dtype=float)


def _codes(values: pd.Series) -> np.ndarray:
    """A column of codes as an object array of str ("" for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = np.asarray([*values.cat.categories, ""], dtype=object)
        return cats[values.cat.codes.to_numpy()]  # code -1 (missing) picks the ""
    return np.asarray(values.astype(object).where(values.notna(), "").to_numpy(), dtype=object)



def _owners(ids: pd.Series, of_sites: pd.Series) -> np.ndarray:
    """The row in ``ids`` (unique study ids) of each site's study, -1 for none."""
    try:
        pc: Any = importlib.import_module("pyarrow.compute")
        known, wanted = arrow_strings(ids), arrow_strings(of_sites)
        if known.null_count == 0 and wanted.null_count == 0 and (
                pc.count_distinct(known).as_py() == len(known)):
            found = pc.index_in(wanted, value_set=known).fill_null(-1)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.intp)
    except (ImportError, AttributeError, ValueError, TypeError, LookupError):
        pass
    # no pyarrow, or ids that are missing or not unique (get_indexer refuses those)
    owner: np.ndarray = pd.Index(ids.astype(object)).get_indexer(of_sites.astype(object))
    return owner


def _nearest_sites(studies: pd.DataFrame, sites: pd.DataFrame,
                   point: tuple[float, float]) -> np.ndarray:
    """Miles from ``point`` to each study's nearest recruiting site (NaN: none located).

    A site counts when it is recruiting or not yet recruiting; when a study gives no site
    statuses at all, each of its sites counts."""
    n = len(studies)
    nearest = np.full(n, np.inf)
    if sites.empty or n == 0:
        return np.full(n, np.nan)
    owner = _owners(studies["nct_id"], sites["nct_id"])
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


class _Ranges:
    """The words of each study's age limits (:func:`age_range`), each pair worded once."""

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        self.low, self.high = low, high
        self._lows, self._highs = low.tolist(), high.tolist()
        self._said: dict[tuple[float | None, float | None], str] = {}

    def of(self, i: int) -> str:
        lo, hi = self._lows[i], self._highs[i]
        pair = (None if math.isnan(lo) else lo, None if math.isnan(hi) else hi)
        if pair not in self._said:
            self._said[pair] = age_range(self.low[i], self.high[i])
        return self._said[pair]


def _structured(studies: pd.DataFrame, sites: pd.DataFrame, profile: Profile
                ) -> tuple[np.ndarray, list[list[str]], np.ndarray, list[list[str]]]:
    """Whether the structured fields leave each study open, their reasons, the miles to the
    nearest recruiting site, and what they cannot tell (a study to ``check``)."""
    n = len(studies)
    reasons: list[list[str]] = [[] for _ in range(n)]
    unknown: list[list[str]] = [[] for _ in range(n)]
    status = _codes(studies["status"])
    closed = ~np.isin(status, list(_OPEN))
    said: dict[str, str] = {}  # each status's sentence, once
    for i in np.flatnonzero(closed).tolist():
        code = status[i]
        if code not in said:
            label = Status(code).label if code in Status.__members__ else "unknown"
            said[code] = f"not recruiting (status: {label})"
        reasons[i].append(said[code])
    fits = ~closed
    if profile.age is not None:
        age = profile.age
        low, high = _floats(studies["min_age_years"]), _floats(studies["max_age_years"])
        with np.errstate(invalid="ignore"):
            # "65 Years" holds someone 65.5 (ages count in whole years), but a limit said in
            # months reads the same: past it by less than a year is a question, not a no
            within_year = (high < age) & (math.floor(age) <= high)
            outside = (low > age) | ((high < age) & ~within_year)
        outside &= ~_fields_against_text(studies, outside & fits, age, low, high, unknown)
        fits &= ~outside
        ranges = _Ranges(low, high)
        for i in np.flatnonzero(outside).tolist():
            reasons[i].append(f"age {age:g} is outside {ranges.of(i)}")
        for i in np.flatnonzero(within_year & fits).tolist():
            unknown[i].append(f"age {age:g} is past {ranges.of(i)} by less "
                              f"than a year: ask the study team whether you still count as "
                              f"{high[i]:g}")
    if profile.sex is not None:
        sex = _codes(studies["sex"])
        other = np.isin(sex, [s for s in _SEX_WORDS if s != profile.sex])
        other &= ~sex_against_text(studies, other & fits, sex, _SEX_WORDS, unknown)
        fits &= ~other
        for i in np.flatnonzero(other).tolist():
            reasons[i].append(f"open to {_SEX_WORDS[sex[i]]} only")
        _one_sex_against_field(studies, fits & (sex == "ALL"), profile.sex, unknown)
    if profile.healthy_volunteer:
        accepts = _codes(studies["healthy_volunteers"].astype("boolean").astype("string"))
        refuses = accepts == "False"
        column = studies["eligibility_criteria"]
        rows = np.flatnonzero(refuses & fits & column.notna().to_numpy()).tolist()
        for i, text in zip(rows, column.iloc[rows].astype(object).tolist(), strict=True):
            # the field says no, but the criteria ask for healthy people: ask, do not hide
            line = asks_for_healthy(str(text))
            if line is not None:
                refuses[i] = False
                unknown[i].append("the record says it takes no healthy volunteers, but its "
                                  f'criteria ask for healthy people ("{quote(line)}"): ask '
                                  "the study team")
        fits &= ~refuses
        for i in np.flatnonzero(refuses).tolist():
            reasons[i].append("does not take healthy volunteers")
        for i in np.flatnonzero(accepts == "").tolist():  # an unknown is a question, not a fit
            unknown[i].append(UNSAID_HEALTHY)
    nearest = np.full(n, np.nan)
    if profile.near is not None:
        nearest = _nearest_sites(studies, sites, profile.near)
        # an unknown distance rules nobody out: within a radius it is a question to ask
        target = unknown if profile.radius_mi is not None else reasons
        for i in np.flatnonzero(np.isnan(nearest)).tolist():
            target[i].append(UNLOCATED)
        if profile.radius_mi is not None:
            radius = profile.radius_mi
            with np.errstate(invalid="ignore"):
                far = nearest > radius
            fits &= ~far
            miles = nearest.tolist()  # a float formats as its numpy scalar does, quicker
            for i in np.flatnonzero(far).tolist():
                reasons[i].append(f"nearest recruiting site is {miles[i]:,.0f} mi away "
                                  f"(more than {radius:g} mi)")
    plain = _fits_on(profile)
    for i in np.flatnonzero(fits).tolist():
        if not reasons[i]:  # the status alone: said as the study's own
            reasons[i].append(plain or STATUS_ALONE.get(str(status[i]), "recruiting"))
    return fits, reasons, nearest, unknown


def _fits_on(profile: Profile) -> str | None:
    """The sentence of a study the structured fields leave open: it names only what the
    person gave and was checked (the status always is), never a sex or distance not given;
    ``None`` when only the status was (each study's own is said)."""
    checked = [word for word, given in (
        ("age", profile.age is not None), ("sex", profile.sex is not None), ("status", True),
        ("distance", profile.radius_mi is not None)) if given]
    if len(checked) == 1:
        return None
    return f"fits on {', '.join(checked[:-1])} and {checked[-1]} as far as the record says"


def _fields_against_text(studies: pd.DataFrame, outside: np.ndarray, age: float,
                         low: np.ndarray, high: np.ndarray, unknown: list[list[str]]
                         ) -> np.ndarray:
    """Where the age fields put ``age`` outside but the criteria state an age that holds it
    ("Ages 16-65 years inclusive" with a minimum age of 18), the study is ``check``, not
    ``no``: the mask of those studies (each with its sentence in ``unknown``)."""
    held = np.zeros(len(studies), dtype=bool)
    column = studies["eligibility_criteria"]
    rows = np.flatnonzero(outside & column.notna().to_numpy())
    if not len(rows):
        return held
    texts = [str(t) for t in column.iloc[rows].astype(object).tolist()]
    said: dict[tuple[str, bool], str | None] = {}  # a text given more than once is read once
    for i, text, lines in zip(rows, texts, age_lines(texts), strict=True):
        below = bool(low[i] > age)
        if (text, below) not in said:
            said[(text, below)] = stated_age_for(age, lines, below=below) if lines else None
        line = said[(text, below)]
        if line is not None:
            held[i] = True
            unknown[i].append(f"the record's age fields say {age_range(low[i], high[i])}, but "
                              f'its criteria give an age that holds {age:g} ("{quote(line)}"): '
                              "ask the study team")
    return held


def _stated_ages(studies: pd.DataFrame, open_: np.ndarray, age: float, sex: str | None,
                 unknown: list[list[str]]) -> None:
    """Where the record's age fields hold ``age``, an age its criteria state that ``age`` may
    be outside (on a side the fields leave open, or narrower than they are: "Aged 40 to 60"
    under fields of 18 to 80) makes the study ``check`` (a sentence in ``unknown``)."""
    low, high = _floats(studies["min_age_years"]), _floats(studies["max_age_years"])
    column = studies["eligibility_criteria"]
    rows = np.flatnonzero(open_ & column.notna().to_numpy())
    texts = [str(t) for t in column.iloc[rows].astype(object).tolist()]
    lows = [None if math.isnan(v) else v for v in low[rows].tolist()]
    highs = [None if math.isnan(v) else v for v in high[rows].tolist()]
    # a text given more than once, under the same fields, is read once
    said: dict[tuple[str, float | None, float | None], str | None] = {}
    for i, text, lines, lo, hi in zip(rows, texts, age_lines(texts), lows, highs, strict=True):
        if not lines:
            continue
        key = (text, lo, hi)
        if key not in said:
            said[key] = stated_age_against(age, lines, low=lo, high=hi, sex=sex)
        line = said[key]
        if line is not None:
            fields = ("leave it open" if lo is None or hi is None
                      else f"say {age_range(low[i], high[i])}")
            unknown[i].append(f"Check with the study team: the record's age fields {fields}, "
                              f'but its criteria give an age {age:g} may be outside '
                              f'("{quote(line)}")')


def _mentions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MENTION_FIELDS)
    out = frame[TEXT_COLUMNS].astype("string")
    out["exception"] = frame["exception"].astype(bool)
    out["negated"] = frame["negated"].astype(bool)
    return out


def prescreen(results: _HasTables, profile: Profile) -> Prescreen:
    """Pre-screen the studies of ``results`` (a :class:`~trialfinder.service.searching.Results` or
    :class:`~trialfinder.registries.ctgov.normalize.Tables`) for one person.

    ``tf.prescreen(tf.search(preset="als"), tf.Profile(age=54, medicines=("Lioresal",)))``
    """
    studies = results.studies.reset_index(drop=True)
    sites = results.sites
    open_, reasons, nearest, unknown = _structured(studies, sites, profile)
    if profile.age is not None:
        _stated_ages(studies, open_, profile.age, profile.sex, unknown)
    terms = [Term(m, "medicine", expand(m, "medicine") + lab_names(m, "medicine"))
             for m in profile.medicines]
    terms += [Term(c, "condition", expand(c, "condition") + lab_names(c, "condition"))
              for c in profile.conditions]
    ids = [str(i) for i in studies["nct_id"].astype(object).tolist()]
    rows: list[dict[str, Any]] = []
    asked: dict[str, list[tuple[str, str]]] = {}
    column = studies["eligibility_criteria"]
    finder = Finder(terms, remember=True) if terms else None
    readable = np.flatnonzero(open_ & column.notna().to_numpy())
    if finder is not None and len(readable):
        # the criteria of studies the structured fields already rule out are not read
        chosen = readable[finder.candidates(column.iloc[readable])]
        texts: list[Any] = column.iloc[chosen].astype(object).tolist()
        rows = find_mentions(finder, [ids[i] for i in chosen], [str(t) for t in texts])
    # pregnancy is asked of anyone who said something of themselves but not that they are
    # pregnant (nobody thinks to say they are not)
    pregnancy = _said_anything(profile) and not any(map(is_pregnancy, profile.conditions))
    if (profile.conditions or profile.medicines or pregnancy) and len(readable):
        # what else the inclusion lines ask for, where nothing speaks against them yet: the
        # diagnoses when they gave a condition, the medicines when they gave either (a person
        # who gave neither is asked for neither, as the "fits" sentence says)
        against = {str(row["nct_id"]) for row in rows if is_hit(row)}
        still = np.asarray([i for i in readable if ids[i] not in against], dtype=int)
        gave = bool(profile.conditions or profile.medicines)
        if not gave and len(still):  # pregnancy alone: only the texts that may ask for it
            texts = column.iloc[still].astype(object).tolist()
            still = np.asarray([i for i, text in zip(still.tolist(), texts, strict=True)
                                if may_require_pregnancy(str(text))], dtype=int)
        listed = studies["conditions"].astype(object).where(studies["conditions"].notna(), "")
        asked = find_requirements(
            finder, [ids[i] for i in still],
            [str(t) for t in column.iloc[still].astype(object).tolist()],
            [str(c) for c in listed.iloc[still].tolist()], diagnoses=bool(profile.conditions),
            medicines=gave, pregnancy=pregnancy)
    verdicts, named, reasons = decide(ids, list(open_), reasons, rows, asked,
                                      set(profile.conditions), unknown)
    # the study's own treatments that are one of their medicines, by any name: a note
    tested = treatment_notes(getattr(results, "interventions", None),
                             [ids[i] for i in readable], profile.medicines)
    for i in readable.tolist() if tested else ():
        reasons[i].extend(tested.get(ids[i], ()))
    mentions = _mentions_frame(rows)
    counts = mentions["nct_id"].value_counts() if len(mentions) else pd.Series(dtype="int64")
    verdict = np.asarray(verdicts, dtype=object)
    table = pd.DataFrame({
        "nct_id": studies["nct_id"].astype("string"),
        "title": studies["title"].astype("string"),
        "status": studies["status"].astype("string"),
        "verdict": pd.Series(verdicts, dtype="string"),
        "fits": verdict == "fits",
        "names_your_condition": np.asarray(named, dtype=bool),
        "reasons": pd.Series(reasons, dtype=object),
        "nearest_site_mi": pd.array(nearest, dtype="Float64"),
        "n_mentions": pd.array(
            counts.reindex(studies["nct_id"].astype(str)).fillna(0).to_numpy(dtype="int64"),
            dtype="Int64"),
    })
    rank = np.asarray([0 if first else 1 + VERDICTS.index(v)
                       for first, v in zip(named, verdicts, strict=True)], dtype=int)
    order = np.lexsort((table["nct_id"].to_numpy(dtype=str),
                        np.nan_to_num(nearest, nan=np.inf), rank))
    table = table.iloc[order].reset_index(drop=True)
    if len(mentions):
        place = {nct: i for i, nct in enumerate(table["nct_id"].tolist())}
        mentions = mentions.iloc[
            np.argsort([place[n] for n in mentions["nct_id"]], kind="stable")
        ].reset_index(drop=True)
    logger.debug("pre-screen: %d studies, %d fit, %d to check, %d criteria lines name a term",
                 len(table), verdicts.count("fits"), verdicts.count("check"), len(mentions))
    return Prescreen(studies=table, mentions=mentions,
                     unknown_names=unknown_names(profile.conditions, profile.medicines))


def _said_anything(profile: Profile) -> bool:
    return bool(profile.age is not None or profile.sex or profile.near is not None
                or profile.healthy_volunteer or profile.conditions or profile.medicines)


def profile_from(values: Mapping[str, Any]) -> Profile:
    """A :class:`Profile` from plain values (the dashboard's form, a JSON file)."""
    return Profile(**{k: v for k, v in values.items() if v not in (None, "", ())})


def _one_sex_against_field(studies: pd.DataFrame, open_to_all: np.ndarray, sex: str,
                           unknown: list[list[str]]) -> None:
    """Studies whose field takes both sexes but whose criteria leave out someone of ``sex``
    ("Women only"): a question for the study team (:func:`one_sex_in_text`)."""
    column = studies["eligibility_criteria"]
    rows = np.flatnonzero(open_to_all & column.notna().to_numpy()).tolist()
    for i, text in zip(rows, column.iloc[rows].astype(object).tolist(), strict=True):
        line = one_sex_in_text(str(text), sex)
        if line is not None:
            unknown[i].append(f'the record says it is open to all, but its criteria say '
                              f'"{quote(line)}": ask the study team')
