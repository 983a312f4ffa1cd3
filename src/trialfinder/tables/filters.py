"""Local filters over the normalized tables, reporting how many studies each one removed.

Everything here is a pure function: the input frames are never modified, and results are
new frames. :func:`apply_filters` is the main entry; the ``by_*`` functions compute one
filter's study mask each (a boolean Series aligned with ``studies.index``) and are public so
they can be tested and reused.

Semantics (see also :class:`LocalFilters`):

* statuses / study types: ``studies.status`` / ``studies.study_type`` is one of the codes.
* phases / intervention types: the ``"|"``-joined column holds **any** of the codes.
* sex ``FEMALE`` or ``MALE``: studies for that sex or ``ALL``; a study with no sex stated is
  kept (and counted in the step's note).
* age: ``min_age_years <= age <= max_age_years``; a missing limit is no limit (kept and
  counted).
* healthy volunteers ``True``: studies that accept them; ``False``: studies that do not say
  they accept them (unknown ones are kept and counted).
* start date: the study's start (at its precision: ``2023-05`` is all of May 2023) overlaps
  ``start_from..start_to`` (each ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, inclusive, a partial
  bound covering its whole month or year). Studies without a start date are removed and
  counted.
* countries / states / cities: at least one site of the study is there (case-, accent- and
  space-insensitive exact match on the ``sites`` table).
* near + radius_mi: at least one site lies within the radius. Sites without coordinates are
  ignored and counted. ``near`` without ``radius_mi`` only computes distances.
* keyword: a case-insensitive substring of title, brief_summary, conditions, interventions or
  keywords.

Filters are applied in the order of :data:`FILTER_ORDER`; each :class:`FilterStep` counts the
studies removed by that filter among those the previous ones kept.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.api.query import Phase, Sex, Status, StudyType
from trialfinder.dates import partial_date
from trialfinder.errors import InvalidQueryError
from trialfinder.folding import fold
from trialfinder.places.geo import haversine_miles
from trialfinder.tables.countries import COUNTRY_ALIASES
from trialfinder.wording import plural

__all__ = [
    "FILTER_ORDER",
    "INTERVENTION_TYPES",
    "KEYWORD_COLUMNS",
    "FilterOutcome",
    "FilterStep",
    "LocalFilters",
    "TablesLike",
    "apply_filters",
    "by_age",
    "by_distance",
    "by_has_results",
    "by_healthy_volunteers",
    "by_intervention_type",
    "by_keyword",
    "by_phase",
    "by_sex",
    "by_site_location",
    "by_start_date",
    "by_status",
    "by_study_type",
    "keyword_terms",
    "site_distances",
]

BoolArray = npt.NDArray[np.bool_]

INTERVENTION_TYPES: tuple[str, ...] = (
    "DRUG", "DEVICE", "BIOLOGICAL", "PROCEDURE", "BEHAVIORAL", "DIETARY_SUPPLEMENT",
    "DIAGNOSTIC_TEST", "RADIATION", "GENETIC", "COMBINATION_PRODUCT", "OTHER",
)
#: Columns the keyword filter searches (those missing from a frame are skipped).
KEYWORD_COLUMNS: tuple[str, ...] = (
    "title", "brief_summary", "conditions", "interventions", "keywords",
)
#: The order in which :func:`apply_filters` applies the active filters.
FILTER_ORDER: tuple[str, ...] = (
    "statuses", "phases", "study_types", "intervention_types", "sex", "age",
    "healthy_volunteers", "start", "has_results", "countries", "states", "cities", "near",
    "keyword",
)


class TablesLike(Protocol):
    """Anything with the four normalized tables as attributes (e.g. ``normalize.Tables``)."""

    @property
    def studies(self) -> pd.DataFrame: ...

    @property
    def sites(self) -> pd.DataFrame: ...

    @property
    def conditions(self) -> pd.DataFrame: ...

    @property
    def interventions(self) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True)
class FilterStep:
    """One applied filter: its label, how many studies it removed, and an optional note."""

    name: str
    removed: int
    note: str | None = None


@dataclass(frozen=True)
class FilterOutcome:
    """The filtered tables plus one :class:`FilterStep` per active filter.

    ``studies`` keeps the input's row order (with a fresh RangeIndex). With ``near`` set it
    gains ``nearest_site`` ("facility, city"), ``nearest_distance_mi`` and
    ``nearest_recruiting_distance_mi`` (Float64, computed over all of the study's sites with
    coordinates; NA when there is none), and ``sites`` gains ``distance_mi`` and is sorted
    nearest first within each study (studies in ``studies`` order); with a radius, ``sites``
    only holds the sites inside it.
    """

    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    steps: list[FilterStep] = field(default_factory=list)
    n_before: int = 0

    @property
    def n_after(self) -> int:
        return len(self.studies)


# -- the filter specification --------------------------------------------------------------


def _codes(value: Any, parse: Callable[[str], str], label: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    out = tuple(dict.fromkeys(parse(str(v)) for v in items))
    return out or None


def _texts(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    out = tuple(dict.fromkeys(s for s in (str(v).strip() for v in items) if s))
    return out or None


def _intervention_type(value: str) -> str:
    code = re.sub(r"[\s\-]+", "_", value.strip()).upper()
    if code not in INTERVENTION_TYPES:
        raise InvalidQueryError(
            f"unknown intervention type {value!r}; choose from: "
            + ", ".join(t.lower() for t in INTERVENTION_TYPES)
        )
    return code


def _date_bounds(text: str, label: str) -> tuple[np.datetime64, np.datetime64]:
    """First and last day covered by ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    first, precision = partial_date(text, label)
    start = np.datetime64(first, "D")
    if precision == "day":
        return start, start
    unit = "M" if precision == "month" else "Y"
    end = (start.astype(f"datetime64[{unit}]") + 1).astype("datetime64[D]") - np.timedelta64(1)
    return start, end


@dataclass(frozen=True, slots=True)
class LocalFilters:
    """Filters applied to already fetched tables. ``None`` (or an empty tuple) = inactive.

    Codes are the API's (``RECRUITING``, ``PHASE2``, ``INTERVENTIONAL``, ``DRUG``); friendly
    spellings are accepted and normalized as in :class:`~trialfinder.query.StudyQuery`
    (``"recruiting"``, ``"2"``). Lists are turned into tuples, so the value stays hashable.
    Invalid values raise :class:`InvalidQueryError` with a one-line message.
    """

    statuses: tuple[str, ...] | None = None
    phases: tuple[str, ...] | None = None
    study_types: tuple[str, ...] | None = None
    intervention_types: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    states: tuple[str, ...] | None = None
    cities: tuple[str, ...] | None = None
    near: tuple[float, float] | None = None
    radius_mi: float | None = None
    age: float | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    start_from: str | None = None
    start_to: str | None = None
    has_results: bool | None = None
    keyword: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "statuses", _codes(self.statuses, lambda v: Status.parse(v).value, "status"))
        set_(self, "phases", _codes(self.phases, lambda v: Phase.parse(v).value, "phase"))
        set_(self, "study_types",
             _codes(self.study_types, lambda v: StudyType.parse(v).value, "study type"))
        set_(self, "intervention_types",
             _codes(self.intervention_types, _intervention_type, "intervention type"))
        for name in ("countries", "states", "cities"):
            set_(self, name, _texts(getattr(self, name)))
        if self.near is not None:
            try:
                lat, lon = (float(v) for v in self.near)
            except (TypeError, ValueError):
                raise InvalidQueryError(
                    f"near must be (latitude, longitude), not {self.near!r}"
                ) from None
            if not (math.isfinite(lat) and -90 <= lat <= 90):
                raise InvalidQueryError(f"latitude must be within -90..90, not {lat:g}")
            if not (math.isfinite(lon) and -180 <= lon <= 180):
                raise InvalidQueryError(f"longitude must be within -180..180, not {lon:g}")
            set_(self, "near", (lat, lon))
        if self.radius_mi is not None:
            radius = _number(self.radius_mi, "radius_mi")
            if radius <= 0:
                raise InvalidQueryError(f"radius must be above 0 miles, not {radius:g}")
            if self.near is None:
                raise InvalidQueryError("a radius needs a place (near) to measure from")
            set_(self, "radius_mi", radius)
        if self.age is not None:
            age = _number(self.age, "age")
            if not 0 <= age <= 125:
                raise InvalidQueryError(f"age must be within 0..125 years, not {age:g}")
            set_(self, "age", age)
        if self.sex is not None:
            sex = Sex.parse(self.sex)
            set_(self, "sex", None if sex is Sex.ALL else sex.value)
        for name in ("healthy_volunteers", "has_results"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool | np.bool_):
                raise InvalidQueryError(f"{name} must be true, false or None, not {value!r}")
            if value is not None:
                set_(self, name, bool(value))
        for name, label in (("start_from", "start date (from)"), ("start_to", "start date (to)")):
            value = getattr(self, name)
            if value is not None and not str(value).strip():
                value = None
            if value is not None:
                value = value.isoformat() if isinstance(value, date) else str(value).strip()
                _date_bounds(value, label)
            set_(self, name, value)
        if self.start_from and self.start_to and (
            _date_bounds(self.start_from, "")[0] > _date_bounds(self.start_to, "")[1]
        ):
            raise InvalidQueryError(
                f"start date range is empty: {self.start_from} is after {self.start_to}"
            )
        if self.keyword is not None:
            set_(self, "keyword", str(self.keyword).strip() or None)

    @property
    def is_active(self) -> bool:
        """True when at least one filter is set."""
        return any(getattr(self, name) is not None for name in self.__slots__)


def _number(value: Any, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidQueryError(f"{label} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InvalidQueryError(f"{label} must be a finite number, not {value!r}")
    return number


# -- vectorised helpers --------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(fold(text).split())


def _per_unique(values: pd.Series[Any], test: Callable[[str], bool]) -> BoolArray:
    """``test`` run once per distinct non-missing value, broadcast back to every row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        uniques: Iterable[Any] = values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lut = np.fromiter((test(str(u)) for u in uniques), dtype=np.bool_)
    lut = np.append(lut, False)  # code -1 (missing) -> last entry -> False
    result: BoolArray = lut[codes]
    return result


def _isin_folded(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    targets = {_fold(w) for w in wanted}
    targets |= {COUNTRY_ALIASES[t] for t in targets if t in COUNTRY_ALIASES}
    return _per_unique(values, lambda v: _fold(v) in targets)


def _any_token(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    """Rows whose ``"|"``-joined value holds any of ``wanted``."""
    targets = set(wanted)
    return _per_unique(values, lambda v: not targets.isdisjoint(v.split("|")))


def _floats(values: pd.Series[Any]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return result


def _bools(values: pd.Series[Any]) -> tuple[BoolArray, BoolArray]:
    """(is True, is missing) of a boolean-ish column."""
    missing = values.isna().to_numpy()
    true = values.to_numpy(dtype=object, na_value=False).astype(bool) & ~missing
    return true, missing


def _series(mask: BoolArray, like: pd.DataFrame) -> pd.Series[bool]:
    return pd.Series(mask, index=like.index, dtype=bool)


def _arrow_strings(values: pd.Series[Any]) -> Any:
    """``values`` as one pyarrow large_string Array (zero-copy for string[pyarrow])."""
    pa: Any = importlib.import_module("pyarrow")
    array = values.array
    if hasattr(array, "__arrow_array__"):
        converted = array.__arrow_array__()
    else:
        converted = pa.array(values.to_numpy(dtype=object), from_pandas=True)
    if isinstance(converted, pa.ChunkedArray):
        converted = converted.combine_chunks()
    return converted.cast(pa.large_string())


def _positions(values: pd.Series[Any], reference: pd.Series[Any]) -> npt.NDArray[np.intp]:
    """For each of ``values``, the position of the same value in ``reference`` (-1 if none).

    ``reference`` must be unique. Uses pyarrow's hash kernels when pyarrow is installed
    (several times faster than ``Index.get_indexer`` on arrow-backed strings).
    """
    try:
        pc: Any = importlib.import_module("pyarrow.compute")
        ref = _arrow_strings(reference)
        if pc.count_distinct(ref, mode="all").as_py() != len(ref):
            raise ValueError("duplicate keys")
        found = pc.index_in(_arrow_strings(values), value_set=ref)
        result: npt.NDArray[np.intp] = (
            found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp))
        return result
    except (ImportError, ValueError, TypeError, NotImplementedError):
        pass  # no pyarrow, unusual dtypes or duplicates: pandas decides (and reports dupes)
    index = pd.Index(reference)
    if not index.is_unique:
        dupes = index[index.duplicated()].unique()[:3].tolist()
        raise ValueError(f"nct_id values are not unique, e.g. {dupes}")
    fallback: npt.NDArray[np.intp] = index.get_indexer(values)
    return fallback


def _site_owner(studies: pd.DataFrame, sites: pd.DataFrame) -> npt.NDArray[np.intp]:
    """For each site row, the position of its study in ``studies`` (-1 if absent)."""
    return _positions(sites["nct_id"], studies["nct_id"])


def _studies_with(owner: npt.NDArray[np.intp], site_mask: BoolArray, n: int) -> BoolArray:
    hit = owner[site_mask & (owner >= 0)]
    result: BoolArray = np.bincount(hit, minlength=n).astype(bool) if n else np.zeros(0, bool)
    return result


# -- one function per filter ---------------------------------------------------------------


def by_status(studies: pd.DataFrame, statuses: Iterable[str]) -> pd.Series[bool]:
    """Overall status is one of ``statuses`` (API codes)."""
    return _series(_isin_exact(studies["status"], statuses), studies)


def _isin_exact(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    result: BoolArray = values.isin(list(wanted)).to_numpy(dtype=bool)
    return result


def by_phase(studies: pd.DataFrame, phases: Iterable[str]) -> pd.Series[bool]:
    """Any of the study's phases (``"PHASE2|PHASE3"``) is one of ``phases``."""
    return _series(_any_token(studies["phases"], phases), studies)


def by_study_type(studies: pd.DataFrame, study_types: Iterable[str]) -> pd.Series[bool]:
    """Study type is one of ``study_types``."""
    return _series(_isin_exact(studies["study_type"], study_types), studies)


def by_intervention_type(studies: pd.DataFrame, types: Iterable[str]) -> pd.Series[bool]:
    """Any of the study's intervention types (``"DRUG|DEVICE"``) is one of ``types``."""
    return _series(_any_token(studies["intervention_types"], types), studies)


def by_sex(studies: pd.DataFrame, sex: str) -> pd.Series[bool]:
    """Open to ``sex`` (``FEMALE``/``MALE``): that sex, ``ALL``, or not stated."""
    column = studies["sex"]
    mask = _isin_exact(column, [sex, "ALL"]) | column.isna().to_numpy()
    return _series(mask, studies)


def by_age(studies: pd.DataFrame, age: float) -> pd.Series[bool]:
    """``min_age_years <= age <= max_age_years``; a missing limit is no limit."""
    low, high = _floats(studies["min_age_years"]), _floats(studies["max_age_years"])
    with np.errstate(invalid="ignore"):
        mask = (np.isnan(low) | (low <= age)) & (np.isnan(high) | (age <= high))
    return _series(mask, studies)


def by_healthy_volunteers(studies: pd.DataFrame, accepts: bool) -> pd.Series[bool]:
    """``True``: accepts healthy volunteers. ``False``: not stated to accept them."""
    true, _missing = _bools(studies["healthy_volunteers"])
    return _series(true if accepts else ~true, studies)


def by_has_results(studies: pd.DataFrame, has_results: bool) -> pd.Series[bool]:
    """Results posted (``True``) or not (``False``; missing counts as no results)."""
    true, _missing = _bools(studies["has_results"])
    return _series(true if has_results else ~true, studies)


def by_start_date(
    studies: pd.DataFrame, start_from: str | None = None, start_to: str | None = None
) -> pd.Series[bool]:
    """The start date, at its precision, overlaps ``start_from..start_to`` (inclusive).

    Without a ``start_date_precision`` column, dates are taken as exact days. Studies without
    a start date never match.
    """
    first = studies["start_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    last = first
    if "start_date_precision" in studies.columns:
        precision = studies["start_date_precision"].astype(object).to_numpy()
        month_end = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
        year_end = (first.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        last = np.where(precision == "month", month_end,
                        np.where(precision == "year", year_end, first))
    mask = ~np.isnat(first)
    if start_from:
        mask &= last >= _date_bounds(start_from, "start date (from)")[0]
    if start_to:
        mask &= first <= _date_bounds(start_to, "start date (to)")[1]
    return _series(mask, studies)


def keyword_terms(keyword: str) -> list[str]:
    """Alternatives of a keyword: ``"insulin OR metformin"`` -> ``["insulin", "metformin"]``.

    Only an upper-case ``OR`` between spaces separates; everything else is literal text.
    """
    return [t for t in (p.strip() for p in re.split(r"\s+OR\s+", keyword)) if t]


def keyword_pattern(keyword: str) -> str:
    """One regular expression for the terms of ``keyword``: each matched as whole words
    (an optional plural ``s``/``es`` allowed), so "ALS" finds "ALS" but not "palsy", and
    "cramp" finds "cramps". Quotes around a phrase are ignored."""
    terms = [re.escape(" ".join(t.strip('"').split())) for t in keyword_terms(keyword)]
    alternatives = "|".join(t.replace(r"\ ", r"\s+") for t in terms if t)
    return rf"(?<!\w)(?:{alternatives})(?:s|es)?(?!\w)"


def by_keyword(studies: pd.DataFrame, keyword: str) -> pd.Series[bool]:
    """Any term of ``keyword`` (see :func:`keyword_terms`) occurs as whole words,
    case-insensitive, in any of :data:`KEYWORD_COLUMNS`."""
    mask = np.zeros(len(studies), dtype=bool)
    if not keyword_terms(keyword):
        return _series(mask, studies)
    pattern = keyword_pattern(keyword)
    for column in KEYWORD_COLUMNS:
        if column not in studies.columns:
            continue
        values = studies[column]
        if not pd.api.types.is_string_dtype(values.dtype):
            values = values.astype("string")
        found = values.str.contains(pattern, case=False, regex=True, na=False)
        mask |= found.to_numpy(dtype=bool, na_value=False)
    return _series(mask, studies)


def by_site_location(
    studies: pd.DataFrame,
    sites: pd.DataFrame,
    countries: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    cities: Iterable[str] | None = None,
) -> pd.Series[bool]:
    """At least one site matches every given part (country, state, city; case-insensitive)."""
    site_mask = np.ones(len(sites), dtype=bool)
    for column, wanted in (("country", countries), ("state", states), ("city", cities)):
        if wanted:
            site_mask &= _isin_folded(sites[column], wanted)
    return _series(_studies_with(_site_owner(studies, sites), site_mask, len(studies)), studies)


def site_distances(sites: pd.DataFrame, lat: float, lon: float) -> pd.Series[float]:
    """Miles from (``lat``, ``lon``) to each site; ``Float64`` with NA when coordinates miss."""
    miles = haversine_miles(lat, lon, _floats(sites["lat"]), _floats(sites["lon"]))
    return pd.Series(pd.array(miles, dtype="Float64"), index=sites.index, name="distance_mi")


def by_distance(
    studies: pd.DataFrame, sites: pd.DataFrame, lat: float, lon: float, radius_mi: float
) -> pd.Series[bool]:
    """At least one of the study's sites is within ``radius_mi`` miles of (lat, lon)."""
    miles = haversine_miles(lat, lon, _floats(sites["lat"]), _floats(sites["lon"]))
    with np.errstate(invalid="ignore"):
        within = miles <= radius_mi
    return _series(_studies_with(_site_owner(studies, sites), within, len(studies)), studies)


# -- the whole pass ------------------------------------------------------------------------


def _list(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Pass:
    """Keeps the running mask and the steps of one :func:`apply_filters` call."""

    def __init__(self, n: int) -> None:
        self.keep = np.ones(n, dtype=bool)
        self.steps: list[FilterStep] = []

    def apply(self, name: str, mask: BoolArray, note: str | None = None) -> None:
        removed = int(np.count_nonzero(self.keep & ~mask))
        self.keep &= mask
        self.steps.append(FilterStep(name, removed, note))

    def count(self, condition: BoolArray) -> int:
        """How many still-kept studies meet ``condition`` (for notes)."""
        return int(np.count_nonzero(self.keep & condition))


def _nearest(
    owner: npt.NDArray[np.intp], miles: npt.NDArray[np.float64], eligible: BoolArray, n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Per study: the smallest distance among eligible sites and that site's row position."""
    ok = eligible & (owner >= 0) & ~np.isnan(miles)
    best = np.full(n, np.inf)
    np.minimum.at(best, owner[ok], miles[ok])
    rows = np.flatnonzero(ok)
    at_best = rows[miles[rows] == best[owner[rows]]]
    position = np.full(n, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(position, owner[at_best], at_best)
    found = np.isfinite(best)
    best[~found] = np.nan
    position[~found] = -1
    return best, position


def _join_site_label(sites: pd.DataFrame, rows: npt.NDArray[np.intp]) -> pd.Series[str]:
    """``"facility, city"`` of the given site rows (-1 -> NA), vectorised."""
    valid = rows >= 0
    take = np.where(valid, rows, 0)
    parts = []
    for column in ("facility", "city"):
        if column in sites.columns and len(sites):
            part = sites[column].iloc[take].astype("string").reset_index(drop=True)
        else:
            part = pd.Series(pd.NA, index=range(len(rows)), dtype="string")
        part = part.str.strip()
        parts.append(part.where(part.str.len() > 0))
    facility, city = parts
    label = (facility + ", " + city).fillna(facility).fillna(city)
    result: pd.Series[str] = label.where(pd.Series(valid)).astype("string")
    return result


class _Run(_Pass):
    """One :func:`apply_filters` call: the running mask plus what the steps share (which study
    owns each site, distances), worked out once and only when a step needs it."""

    def __init__(self, tables: TablesLike, f: LocalFilters) -> None:
        super().__init__(len(tables.studies))
        self.studies, self.sites, self.f = tables.studies, tables.sites, f
        self.n = len(tables.studies)
        self.owner: npt.NDArray[np.intp] | None = None
        self.miles: npt.NDArray[np.float64] | None = None
        if f.countries or f.states or f.cities or f.near is not None:
            self.owner = _site_owner(self.studies, self.sites)
            self.with_sites = _studies_with(self.owner, np.ones(len(self.sites), dtype=bool),
                                            self.n)


def _step_statuses(r: _Run) -> None:
    if r.f.statuses:
        r.apply(f"status {_list(r.f.statuses)}", by_status(r.studies, r.f.statuses).to_numpy())


def _step_phases(r: _Run) -> None:
    if r.f.phases:
        mask = by_phase(r.studies, r.f.phases).to_numpy()
        none = r.count(r.studies["phases"].isna().to_numpy())
        r.apply(f"phase {_list(r.f.phases)}", mask,
                f"{plural(none, 'study')} with no phase removed" if none else None)


def _step_study_types(r: _Run) -> None:
    if r.f.study_types:
        r.apply(f"study type {_list(r.f.study_types)}",
                by_study_type(r.studies, r.f.study_types).to_numpy())


def _step_intervention_types(r: _Run) -> None:
    if r.f.intervention_types:
        mask = by_intervention_type(r.studies, r.f.intervention_types).to_numpy()
        none = r.count(r.studies["intervention_types"].isna().to_numpy())
        r.apply(f"intervention type {_list(r.f.intervention_types)}", mask,
                f"{plural(none, 'study')} with no intervention listed removed"
                if none else None)


def _step_sex(r: _Run) -> None:
    if r.f.sex:
        unstated = r.count(r.studies["sex"].isna().to_numpy())
        r.apply(f"sex {r.f.sex}", by_sex(r.studies, r.f.sex).to_numpy(),
                f"{plural(unstated, 'study')} with no sex stated kept" if unstated else None)


def _step_age(r: _Run) -> None:
    if r.f.age is not None:
        mask = by_age(r.studies, r.f.age).to_numpy()
        open_ended = (r.studies["min_age_years"].isna() | r.studies["max_age_years"].isna())
        no_limit = r.count(mask & open_ended.to_numpy())
        r.apply(f"age {r.f.age:g}", mask,
                f"{plural(no_limit, 'study')} with no age limit kept" if no_limit else None)


def _step_healthy_volunteers(r: _Run) -> None:
    if r.f.healthy_volunteers is not None:
        _true, missing = _bools(r.studies["healthy_volunteers"])
        unknown = r.count(missing)
        verb = "removed" if r.f.healthy_volunteers else "kept"
        r.apply(
            "accepts healthy volunteers" if r.f.healthy_volunteers
            else "does not accept healthy volunteers",
            by_healthy_volunteers(r.studies, r.f.healthy_volunteers).to_numpy(),
            f"{plural(unknown, 'study')} not stating it {verb}" if unknown else None,
        )


def _step_start(r: _Run) -> None:
    f, studies = r.f, r.studies
    if f.start_from or f.start_to:
        no_date = studies["start_date"].isna().to_numpy()
        undated = r.count(no_date)
        unreadable = 0  # a date was sent but could not be stored (e.g. 0001-01-01): unknown
        if "start_date_raw" in studies.columns:
            unreadable = r.count(no_date & studies["start_date_raw"].notna().to_numpy())
        note = f"{plural(undated, 'study')} with no start date removed" if undated else None
        if note and unreadable:
            note = note[: -len(" removed")] + f" ({unreadable:,} with an unreadable date) removed"
        label = (f"start {f.start_from or '…'} to {f.start_to or '…'}")
        r.apply(label, by_start_date(studies, f.start_from, f.start_to).to_numpy(), note)


def _step_has_results(r: _Run) -> None:
    if r.f.has_results is not None:
        r.apply("has results" if r.f.has_results else "no results posted",
                by_has_results(r.studies, r.f.has_results).to_numpy())


def _site_step(column: str, label: str) -> Callable[[_Run], None]:
    def step(r: _Run) -> None:
        wanted = getattr(r.f, column)
        if wanted and r.owner is not None:
            mask = _studies_with(r.owner, _isin_folded(r.sites[label], wanted), r.n)
            siteless = r.count(~r.with_sites)
            r.apply(f"{label} {_list(wanted)}", mask,
                    f"{plural(siteless, 'study')} with no sites removed" if siteless else None)

    return step


def _step_near(r: _Run) -> None:
    if r.f.near is None or r.owner is None:
        return
    lat, lon = r.f.near
    r.miles = miles = haversine_miles(lat, lon, _floats(r.sites["lat"]), _floats(r.sites["lon"]))
    if r.f.radius_mi is not None:
        located = ~np.isnan(miles)
        with np.errstate(invalid="ignore"):
            within = miles <= r.f.radius_mi
        live_sites = (r.owner >= 0) & r.keep[np.maximum(r.owner, 0)]
        unlocated = int(np.count_nonzero(live_sites & ~located))
        no_point = r.count(~_studies_with(r.owner, located, r.n))
        notes = []
        if unlocated:
            notes.append(f"{plural(unlocated, 'site')} without coordinates ignored")
        if no_point:
            notes.append(f"{plural(no_point, 'study')} with no located site removed")
        r.apply(f"within {r.f.radius_mi:g} mi of {lat:g}, {lon:g}",
                _studies_with(r.owner, within, r.n), "; ".join(notes) or None)


def _step_keyword(r: _Run) -> None:
    if r.f.keyword:
        live = np.flatnonzero(r.keep)
        mask = np.zeros(r.n, dtype=bool)
        mask[live] = by_keyword(r.studies.iloc[live], r.f.keyword).to_numpy()
        r.apply(f"keyword {r.f.keyword!r}", mask)


#: Each filter's step, by its name in :data:`FILTER_ORDER`.
_STEPS: dict[str, Callable[[_Run], None]] = {
    "statuses": _step_statuses, "phases": _step_phases, "study_types": _step_study_types,
    "intervention_types": _step_intervention_types, "sex": _step_sex, "age": _step_age,
    "healthy_volunteers": _step_healthy_volunteers, "start": _step_start,
    "has_results": _step_has_results, "countries": _site_step("countries", "country"),
    "states": _site_step("states", "state"), "cities": _site_step("cities", "city"),
    "near": _step_near, "keyword": _step_keyword,
}


def apply_filters(tables: TablesLike, f: LocalFilters) -> FilterOutcome:
    """Apply every active filter of ``f`` to ``tables``; inputs are left unchanged.

    Returns the tables restricted to the kept studies and one :class:`FilterStep` per active
    filter, in the order of :data:`FILTER_ORDER`. ``studies.nct_id`` must be unique.
    """
    run = _Run(tables, f)
    for name in FILTER_ORDER:
        _STEPS[name](run)
    return _assemble(tables, f, run, run.owner, run.miles)


def _assemble(
    tables: TablesLike,
    f: LocalFilters,
    run: _Pass,
    owner: npt.NDArray[np.intp] | None,
    miles: npt.NDArray[np.float64] | None,
) -> FilterOutcome:
    studies, sites = tables.studies, tables.sites
    n = len(studies)
    keep = run.keep
    everything = bool(keep.all())
    kept_rows = np.flatnonzero(keep)
    out_studies = studies.iloc[kept_rows].reset_index(drop=True)

    def by_nct(frame: pd.DataFrame) -> pd.DataFrame:
        if everything:
            return frame.reset_index(drop=True)
        ids = studies["nct_id"].iloc[kept_rows]
        return frame[_positions(frame["nct_id"], ids) >= 0].reset_index(drop=True)

    if miles is None or owner is None:
        out_sites = by_nct(sites)
    else:
        valid = owner >= 0
        site_keep = valid & keep[np.where(valid, owner, 0)]
        if f.radius_mi is not None:
            with np.errstate(invalid="ignore"):
                site_keep &= miles <= f.radius_mi
        rows = np.flatnonzero(site_keep)
        # nearest first within each study (NaN sorts last), studies in table order
        rows = rows[np.lexsort((miles[rows], owner[rows]))]
        out_sites = sites.iloc[rows].reset_index(drop=True)
        out_sites["distance_mi"] = pd.array(miles[rows], dtype="Float64")

        best, position = _nearest(owner, miles, np.ones(len(sites), dtype=bool), n)
        recruiting = (sites["site_status"] == "RECRUITING").to_numpy(dtype=bool, na_value=False)
        best_recruiting, _ = _nearest(owner, miles, recruiting, n)
        out_studies["nearest_site"] = _join_site_label(sites, position[kept_rows]).to_numpy()
        out_studies["nearest_site"] = out_studies["nearest_site"].astype("string")
        out_studies["nearest_distance_mi"] = pd.array(best[kept_rows], dtype="Float64")
        out_studies["nearest_recruiting_distance_mi"] = pd.array(
            best_recruiting[kept_rows], dtype="Float64")
    return FilterOutcome(
        studies=out_studies,
        sites=out_sites,
        conditions=by_nct(tables.conditions),
        interventions=by_nct(tables.interventions),
        steps=run.steps,
        n_before=n,
    )
