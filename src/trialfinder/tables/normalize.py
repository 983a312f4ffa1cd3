"""Raw ClinicalTrials.gov v2 study dicts -> four tidy tables with declared dtypes.

``normalize(records)`` makes one pass over the records, pulling the values it needs into plain
Python column lists, then builds each DataFrame once and converts column by column (vectorised
date and age parsing over the *distinct* strings only). Schemas are in ``docs/design.md``; the
dtype dicts below are the code form of them (column order = schema order).

Robustness: every record shape normalizes without raising. A record is first read on a fast
path that assumes the documented shape; if that fails (a string where a list is expected, a
list where an object is expected...) the record is repaired by :func:`_sanitize` (counting each
repair in ``problems`` as ``wrong_type:<json path>``) and read again. Scalar values of the wrong
type (``"87"`` as enrollment, a number as a zip code) are coerced column-wise and counted the
same way. Records that cannot be used at all (not a mapping, no usable ``nctId``) are counted in
``skipped`` and in ``problems``. Nothing is dropped silently.

Problem keys: ``record_not_a_dict``, ``record_without_nct_id``, ``odd_nct_id`` (kept),
``duplicate_nct_id`` (kept), ``unknown_status`` (kept), ``unknown_enum:<column>`` (kept),
``bad_date``, ``bad_age``, ``site_without_geopoint``, ``bad_geopoint``, ``wrong_type:<path>``,
``dropped_list_item:<path>`` (a list item that was not an object, e.g. ``null`` in locations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.api.query import Phase, Sex, Status, StudyType

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

__all__ = [
    "CONDITION_DTYPES",
    "INTERVENTION_DTYPES",
    "SITE_DTYPES",
    "STUDY_DTYPES",
    "STUDY_URL_PREFIX",
    "Tables",
    "age_to_years",
    "empty_tables",
    "format_partial_date",
    "format_partial_dates",
    "normalize",
    "parse_partial_date",
    "study_url",
]

STUDY_URL_PREFIX: Final = "https://clinicaltrials.gov/study/"
_DT: Final = "datetime64[ns]"

STUDY_DTYPES: Final[dict[str, str]] = {
    "nct_id": "string",
    "title": "string",
    "official_title": "string",
    "acronym": "string",
    "status": "category",
    "last_known_status": "category",
    "why_stopped": "string",
    "phases": "string",
    "study_type": "category",
    "conditions": "string",
    "keywords": "string",
    "interventions": "string",
    "intervention_types": "string",
    "sponsor": "string",
    "sponsor_class": "category",
    "collaborators": "string",
    "enrollment": "Int64",
    "enrollment_type": "category",
    "start_date": _DT,
    "start_date_precision": "category",
    "primary_completion_date": _DT,
    "primary_completion_date_precision": "category",
    "completion_date": _DT,
    "completion_date_precision": "category",
    "first_posted": _DT,
    "last_update": _DT,
    "min_age_years": "Float64",
    "max_age_years": "Float64",
    "sex": "category",
    "healthy_volunteers": "boolean",
    "std_ages": "string",
    "has_results": "boolean",
    "brief_summary": "string",
    "eligibility_criteria": "string",
    "n_sites": "Int64",
    "countries": "string",
    "url": "string",
}

SITE_DTYPES: Final[dict[str, str]] = {
    "nct_id": "string",
    "facility": "string",
    "city": "string",
    "state": "string",
    "zip": "string",
    "country": "string",
    "lat": "Float64",
    "lon": "Float64",
    "site_status": "category",
    "contact_name": "string",
    "contact_phone": "string",
    "contact_email": "string",
    "distance_mi": "Float64",
}

CONDITION_DTYPES: Final[dict[str, str]] = {
    "nct_id": "string",
    "condition": "string",
    "mesh_id": "string",
    "mesh_term": "string",
}

INTERVENTION_DTYPES: Final[dict[str, str]] = {
    "nct_id": "string",
    "type": "category",
    "name": "string",
    "other_names": "string",
    "arm_labels": "string",
    "description": "string",
}

# Known enum values (official spec 2.0.5). Values outside these are kept and counted.
_STATUSES: Final = frozenset(s.value for s in Status)
_ENUMS: Final[dict[str, frozenset[str]]] = {
    "study_type": frozenset(s.value for s in StudyType),
    "sex": frozenset(s.value for s in Sex),
    "sponsor_class": frozenset(
        ["NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"]
    ),
    "enrollment_type": frozenset(["ACTUAL", "ESTIMATED"]),
    "site_status": frozenset(
        [
            "ACTIVE_NOT_RECRUITING",
            "COMPLETED",
            "ENROLLING_BY_INVITATION",
            "NOT_YET_RECRUITING",
            "RECRUITING",
            "SUSPENDED",
            "TERMINATED",
            "WITHDRAWN",
            "AVAILABLE",
        ]
    ),
    "intervention_type": frozenset(
        [
            "BEHAVIORAL",
            "BIOLOGICAL",
            "COMBINATION_PRODUCT",
            "DEVICE",
            "DIAGNOSTIC_TEST",
            "DIETARY_SUPPLEMENT",
            "DRUG",
            "GENETIC",
            "PROCEDURE",
            "RADIATION",
            "OTHER",
        ]
    ),
}
_PHASES: Final = frozenset(p.value for p in Phase)

_NCT_RE: Final = re.compile(r"NCT\d{8}")


@dataclass(frozen=True, eq=False)
class Tables:
    """The four tables of one normalization, plus what was odd about the input.

    ``problems`` counts odd things met (see the module docstring for the keys); ``skipped``
    counts records that could not be used at all (they are also in ``problems``).
    """

    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    problems: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


# ---------------------------------------------------------------------------------------------
# small public helpers

_AGE_RE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")
_AGE_UNITS: Final[dict[str, float]] = {
    "year": 1.0,
    "years": 1.0,
    "month": 1.0 / 12.0,
    "months": 1.0 / 12.0,
    "week": 7.0 / 365.25,
    "weeks": 7.0 / 365.25,
    "day": 1.0 / 365.25,
    "days": 1.0 / 365.25,
    "hour": 1.0 / (24.0 * 365.25),
    "hours": 1.0 / (24.0 * 365.25),
    "minute": 1.0 / (60.0 * 24.0 * 365.25),
    "minutes": 1.0 / (60.0 * 24.0 * 365.25),
}
_NO_AGE: Final = frozenset(["", "n/a", "na", "none", "not applicable"])


def _parse_age(text: object) -> tuple[float | None, bool]:
    """Return (years, ok). ``ok`` is False for text that is present but not understood."""
    if text is None:
        return None, True
    if not isinstance(text, str):
        return None, False
    m = _AGE_RE.fullmatch(text)
    if m is None:
        return None, text.strip().lower() in _NO_AGE
    factor = _AGE_UNITS.get(m.group(2).lower() or "years")
    if factor is None:
        return None, False
    return float(m.group(1)) * factor, True


def age_to_years(text: str | None) -> float | None:
    """``"18 Years"`` -> 18.0, ``"6 Months"`` -> 0.5, ``"1 Year"`` -> 1.0.

    Weeks, days, hours and minutes use 365.25-day years (``"2 Weeks"`` -> 14/365.25); a bare
    number is taken as years.
    ``"N/A"``, ``None`` and text that is not an age give ``None`` (no limit).
    """
    return _parse_age(text)[0]


_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_NAT_INT: Final = np.iinfo(np.int64).min
_DATE_RE: Final = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*")
_PRECISIONS: Final = ("day", "month", "year")
_LEGACY_FORMATS: Final = (
    ("%B %d, %Y", "day"),
    ("%B %Y", "month"),
    ("%b %d, %Y", "day"),
    ("%b %Y", "month"),
)


def _parse_date(text: str) -> tuple[int, int] | None:
    """(days since 1970-01-01, precision index into _PRECISIONS) or None when invalid."""
    m = _DATE_RE.fullmatch(text)
    if m is not None:
        year, month, day = m.groups()
        try:
            d = date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
        prec = 0 if day else (1 if month else 2)
        return d.toordinal() - _EPOCH_ORDINAL, prec
    stripped = text.strip()
    for fmt, precision in _LEGACY_FORMATS:  # older exports: "March 2020", "March 15, 2020"
        try:
            d = datetime.strptime(stripped, fmt).date()
        except ValueError:
            continue
        return d.toordinal() - _EPOCH_ORDINAL, _PRECISIONS.index(precision)
    return None


def parse_partial_date(text: str | None) -> tuple[pd.Timestamp | NaTType, str | None]:
    """``"2023-05"`` -> ``(Timestamp("2023-05-01"), "month")``.

    Accepts ``yyyy-MM-dd`` ("day"), ``yyyy-MM`` ("month"), ``yyyy`` ("year") and the legacy
    ``"March 2020"`` / ``"March 15, 2020"`` forms. Missing or unreadable text gives
    ``(pd.NaT, None)``.
    """
    if not isinstance(text, str):
        return pd.NaT, None
    parsed = _parse_date(text)
    if parsed is None:
        return pd.NaT, None
    days, prec = parsed
    return pd.Timestamp(np.datetime64(days, "D")), _PRECISIONS[prec]


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_partial_date(ts: object, precision: object) -> str:
    """Inverse of :func:`parse_partial_date`: ``(2023-05-01, "month")`` -> ``"2023-05"``.

    A missing timestamp gives ``""``; a missing or unknown precision writes the full day.
    """
    if _is_missing(ts):
        return ""
    stamp = pd.Timestamp(ts)  # type: ignore[arg-type]
    if precision == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    if precision == "year":
        return f"{stamp.year:04d}"
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def format_partial_dates(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Vectorised :func:`format_partial_date` for export (``""`` where the date is missing)."""
    day = dates.dt.strftime("%Y-%m-%d")
    prec = precision.astype("object")
    out = day.where(prec != "month", dates.dt.strftime("%Y-%m"))
    out = out.where(prec != "year", dates.dt.strftime("%Y"))
    result: pd.Series = out.fillna("").astype("object")
    return result


def study_url(nct_id: str) -> str:
    """``https://clinicaltrials.gov/study/NCT...``"""
    return STUDY_URL_PREFIX + nct_id


# ---------------------------------------------------------------------------------------------
# column conversion (one call per column, vectorised where it matters)

_Problems = dict[str, int]
_NoneType = type(None)
_STR_OK: Final = frozenset([str, _NoneType])


def _bump(problems: _Problems, key: str, n: int = 1) -> None:
    if n:
        problems[key] = problems.get(key, 0) + n


def _clean_str(vals: list[Any], label: str, problems: _Problems) -> list[Any]:
    if set(map(type, vals)) <= _STR_OK:
        return vals
    out: list[Any] = []
    bad = 0
    for v in vals:
        if v is None or type(v) is str:
            out.append(v)
        elif type(v) in (int, float) and not (type(v) is float and math.isnan(v)):
            out.append(str(v))
            bad += 1
        else:
            out.append(None)
            bad += 1
    _bump(problems, "wrong_type:" + label, bad)
    return out


def _make_string_array(vals: list[Any]) -> Any:
    dtype = pd.StringDtype()
    if dtype.storage == "pyarrow":  # fast path: let pyarrow convert the list in C
        import pyarrow as pa  # type: ignore[import-untyped]

        return pd.arrays.ArrowStringArray(pa.array(vals, type=pa.large_string()))
    return pd.array(vals, dtype="string")


def _string_col(vals: list[Any], label: str, problems: _Problems) -> Any:
    return _make_string_array(_clean_str(vals, label, problems))


def _categorical(vals: list[Any]) -> pd.Categorical:
    """Same result as ``pd.Series(vals).astype("category")``, without the slow path."""
    codes, uniques = pd.factorize(np.asarray(vals, dtype=object))
    uniq = np.asarray(uniques, dtype=object)
    order = np.argsort(uniq, kind="stable")
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order), dtype=np.int64)
    codes_arr = np.asarray(codes, dtype=np.int64)
    if not len(order):  # all missing (or no rows): no categories, like astype("category")
        return pd.Categorical.from_codes(codes_arr, categories=pd.Index([], dtype=object))
    new_codes = np.where(codes_arr >= 0, remap[np.maximum(codes_arr, 0)], -1)
    return pd.Categorical.from_codes(new_codes, categories=pd.Index(list(uniq[order])))


def _category_col(
    vals: list[Any],
    label: str,
    problems: _Problems,
    known: frozenset[str] | None = None,
    unknown_key: str | None = None,
) -> pd.Categorical:
    cat = _categorical(_clean_str(vals, label, problems))
    if known is not None:
        unknown = [i for i, c in enumerate(cat.categories) if c not in known]
        if unknown:
            counts = np.bincount(cat.codes[cat.codes >= 0], minlength=len(cat.categories))
            _bump(problems, unknown_key or "unknown_enum:" + label, int(counts[unknown].sum()))
    return cat


def _to_int(v: Any) -> int | None:
    if type(v) is float and v.is_integer():
        return int(v)
    if type(v) is str:
        s = v.strip().replace(",", "")
        if s.isdigit():
            return int(s)
    return None


def _typed_col(
    vals: list[Any], kind: type, convert: Any, dtype: Any, label: str, problems: _Problems
) -> Any:
    """A nullable column of ``kind``; other values are converted (or NA) and counted."""
    if not set(map(type, vals)) <= {kind, _NoneType}:
        bad = sum(1 for v in vals if v is not None and type(v) is not kind)
        vals = [v if v is None or type(v) is kind else convert(v) for v in vals]
        _bump(problems, "wrong_type:" + label, bad)
    return pd.array(vals, dtype=dtype)


def _int_col(vals: list[Any], label: str, problems: _Problems) -> Any:
    return _typed_col(vals, int, _to_int, "Int64", label, problems)


def _to_float(v: Any) -> float | None:
    if type(v) is str:
        try:
            f = float(v)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _float_values(vals: list[Any], label: str, problems: _Problems) -> npt.NDArray[np.float64]:
    if not set(map(type, vals)) <= {float, int, _NoneType}:
        bad = sum(1 for v in vals if v is not None and type(v) not in (float, int))
        vals = [v if v is None or type(v) in (float, int) else _to_float(v) for v in vals]
        _bump(problems, "wrong_type:" + label, bad)
    return np.array(vals, dtype=np.float64)  # None -> nan


def _masked_float(values: npt.NDArray[np.float64]) -> Any:
    mask = np.isnan(values)
    return pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask)


_TRUE: Final = frozenset(["true", "yes", "y", "1"])
_FALSE: Final = frozenset(["false", "no", "n", "0"])


def _to_bool(v: Any) -> bool | None:
    if type(v) is str:
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    elif type(v) is int and v in (0, 1):
        return bool(v)
    return None


def _bool_col(vals: list[Any], label: str, problems: _Problems) -> Any:
    return _typed_col(vals, bool, _to_bool, "boolean", label, problems)


def _date_col(
    vals: list[Any], label: str, problems: _Problems
) -> tuple[npt.NDArray[np.datetime64], pd.Categorical]:
    """Parse each distinct string once; returns (datetime64[ns] values, precision category)."""
    vals = _clean_str(vals, label, problems)
    codes, uniques = pd.factorize(np.asarray(vals, dtype=object))
    codes_arr = np.asarray(codes, dtype=np.int64)
    n_u = len(uniques)
    days_u = np.full(n_u + 1, _NAT_INT, dtype=np.int64)  # last slot = missing
    prec_u: list[str | None] = [None] * (n_u + 1)
    invalid: list[int] = []
    for i, text in enumerate(uniques):
        parsed = _parse_date(text)
        if parsed is None:
            invalid.append(i)
        else:
            days_u[i] = parsed[0]
            prec_u[i] = _PRECISIONS[parsed[1]]
    idx = np.where(codes_arr >= 0, codes_arr, n_u)
    if invalid:
        counts = np.bincount(idx, minlength=n_u + 1)
        _bump(problems, "bad_date", int(counts[invalid].sum()))
    values = days_u[idx].view("M8[D]").astype("M8[ns]")
    prec_vals = np.asarray(prec_u, dtype=object)[idx]
    return values, _categorical(list(prec_vals))


def _age_col(vals: list[Any], label: str, problems: _Problems) -> Any:
    vals = _clean_str(vals, label, problems)
    codes, uniques = pd.factorize(np.asarray(vals, dtype=object))
    codes_arr = np.asarray(codes, dtype=np.int64)
    n_u = len(uniques)
    years_u = np.full(n_u + 1, np.nan, dtype=np.float64)
    invalid: list[int] = []
    for i, text in enumerate(uniques):
        years, ok = _parse_age(text)
        if years is not None:
            years_u[i] = years
        if not ok:
            invalid.append(i)
    idx = np.where(codes_arr >= 0, codes_arr, n_u)
    if invalid:
        counts = np.bincount(idx, minlength=n_u + 1)
        _bump(problems, "bad_age", int(counts[invalid].sum()))
    return _masked_float(years_u[idx])


# ---------------------------------------------------------------------------------------------
# repair of records whose shape is not the documented one (slow path, rare)

_S: Final = "str"
_N: Final = "num"
_B: Final = "bool"
_I: Final = "int"
_DATE: Final[dict[str, Any]] = {"date": _S}
_SCHEMA: Final[dict[str, Any]] = {
    "protocolSection": {
        "identificationModule": {
            "nctId": _S,
            "briefTitle": _S,
            "officialTitle": _S,
            "acronym": _S,
        },
        "statusModule": {
            "overallStatus": _S,
            "lastKnownStatus": _S,
            "whyStopped": _S,
            "startDateStruct": _DATE,
            "primaryCompletionDateStruct": _DATE,
            "completionDateStruct": _DATE,
            "studyFirstPostDateStruct": _DATE,
            "lastUpdatePostDateStruct": _DATE,
        },
        "sponsorCollaboratorsModule": {
            "leadSponsor": {"name": _S, "class": _S},
            "collaborators": [{"name": _S}],
        },
        "descriptionModule": {"briefSummary": _S},
        "conditionsModule": {"conditions": [_S], "keywords": [_S]},
        "designModule": {
            "studyType": _S,
            "phases": [_S],
            "enrollmentInfo": {"count": _I, "type": _S},
        },
        "armsInterventionsModule": {
            "interventions": [
                {
                    "type": _S,
                    "name": _S,
                    "description": _S,
                    "otherNames": [_S],
                    "armGroupLabels": [_S],
                }
            ]
        },
        "eligibilityModule": {
            "eligibilityCriteria": _S,
            "healthyVolunteers": _B,
            "sex": _S,
            "minimumAge": _S,
            "maximumAge": _S,
            "stdAges": [_S],
        },
        "contactsLocationsModule": {
            "locations": [
                {
                    "facility": _S,
                    "status": _S,
                    "city": _S,
                    "state": _S,
                    "zip": _S,
                    "country": _S,
                    "contacts": [{"name": _S, "phone": _S, "phoneExt": _S, "email": _S}],
                    "geoPoint": {"lat": _N, "lon": _N},
                }
            ]
        },
    },
    "derivedSection": {"conditionBrowseModule": {"meshes": [{"id": _S, "term": _S}]}},
    "hasResults": _B,
}

_SCALAR_COERCE: Final[dict[str, Callable[[Any], Any]]] = {
    _I: _to_int,
    _N: _to_float,
    _B: _to_bool,
}
_SCALAR_OK: Final[dict[str, tuple[type, ...]]] = {
    _S: (str,),
    _I: (int,),
    _N: (int, float),
    _B: (bool,),
}


def _sanitize_scalar(value: Any, kind: str, path: str, problems: _Problems) -> Any:
    if value is None or (
        type(value) in _SCALAR_OK[kind] and not (kind != _B and type(value) is bool)
    ):
        return value
    _bump(problems, "wrong_type:" + path)
    if kind == _S:
        if type(value) in (int, float):
            return str(value)
        return None
    return _SCALAR_COERCE[kind](value)


def _sanitize(value: Any, schema: Any, path: str, problems: _Problems) -> Any:
    """Return a copy of ``value`` reduced to the parts of ``schema``, with the right types."""
    if value is None:
        return None
    if isinstance(schema, dict):
        if isinstance(value, str) and schema is _DATE:  # "startDateStruct": "2023-05"
            _bump(problems, "wrong_type:" + path)
            return {"date": value}
        if not isinstance(value, Mapping):
            _bump(problems, "wrong_type:" + path)
            return None
        out: dict[str, Any] = {}
        for key, sub in schema.items():
            if key in value:
                out[key] = _sanitize(value[key], sub, f"{path}.{key}" if path else key, problems)
        return out
    if isinstance(schema, list):
        item_schema = schema[0]
        if isinstance(value, (str, Mapping)) or not isinstance(value, (list, tuple)):
            _bump(problems, "wrong_type:" + path)
            value = [value]  # a single item where a list was expected
        items: list[Any] = []
        for item in value:
            if isinstance(item_schema, dict):
                if isinstance(item, Mapping):
                    items.append(_sanitize(item, item_schema, path, problems))
                else:
                    _bump(problems, "dropped_list_item:" + path)
            else:
                cleaned = _sanitize_scalar(item, item_schema, path, problems)
                if cleaned is None:
                    if item is not None:
                        _bump(problems, "dropped_list_item:" + path)
                else:
                    items.append(cleaned)
        return items
    return _sanitize_scalar(value, schema, path, problems)


# ---------------------------------------------------------------------------------------------
# the one pass


class _Odd(Exception):
    """Raised on the fast path when a value has a shape the fast path does not handle."""


def _join(v: Any) -> str | None:
    if not v:
        return None
    if v.__class__ is not list:
        raise _Odd
    return "|".join(v) or None


_EMPTY: Final[Mapping[str, Any]] = {}
_N_STUDY_RAW: Final = 33
_N_SITE: Final = 12


def normalize(records: Iterable[Mapping[str, Any]]) -> Tables:
    """Turn raw v2 study dicts (``protocolSection``, ``derivedSection``, ``hasResults``) into
    :class:`Tables`.

    Conditions rule: one ``conditions`` row per condition text, in the record's order. A MeSH
    term from ``derivedSection.conditionBrowseModule.meshes`` whose term equals the condition
    text ignoring case (and surrounding blanks) fills ``mesh_id``/``mesh_term`` of that row.
    MeSH terms that match no condition text are added after them as extra rows with
    ``condition`` NA, so no MeSH term is lost.

    Studies: list fields are joined with ``"|"``; ``interventions`` = intervention names,
    ``intervention_types`` = distinct types in first-seen order; ``n_sites`` = number of
    locations; ``countries`` = distinct countries in site order. ``first_posted`` and
    ``last_update`` carry no precision column (the API sends full days for them).
    """
    problems: _Problems = {}
    skipped = 0
    study_cols: list[list[Any]] = [[] for _ in range(_N_STUDY_RAW)]
    appends = [c.append for c in study_cols]
    site_rows: list[tuple[Any, ...]] = []
    cond_rows: list[tuple[Any, ...]] = []
    iv_rows: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    no_geo = 0
    odd_ids = 0
    dups = 0
    nct_match = _NCT_RE.fullmatch
    E = _EMPTY

    for rec in records:
        if not isinstance(rec, Mapping):
            skipped += 1
            _bump(problems, "record_not_a_dict")
            continue
        src: Mapping[str, Any] = rec
        no_geo0 = no_geo
        odd_ids0 = odd_ids
        for attempt in (0, 1):
            try:
                ps = src.get("protocolSection") or E
                idm = ps.get("identificationModule") or E
                nct = idm.get("nctId")
                if nct.__class__ is not str:
                    if nct is None or attempt:
                        nct = None
                        break
                    raise _Odd
                if nct_match(nct) is None:
                    nct = nct.strip().upper()
                    if not nct:
                        nct = None
                        break
                    if nct_match(nct) is None:
                        odd_ids += 1
                sm = ps.get("statusModule") or E
                dm = ps.get("designModule") or E
                ei = dm.get("enrollmentInfo") or E
                cm = ps.get("conditionsModule") or E
                conds = cm.get("conditions")
                if conds and conds.__class__ is not list:
                    raise _Odd
                scm = ps.get("sponsorCollaboratorsModule") or E
                lead = scm.get("leadSponsor") or E
                collabs = scm.get("collaborators")
                em = ps.get("eligibilityModule") or E
                aim = ps.get("armsInterventionsModule") or E
                clm = ps.get("contactsLocationsModule") or E
                cbm = (src.get("derivedSection") or E).get("conditionBrowseModule") or E

                # sites
                srows: list[tuple[Any, ...]] = []
                sapp = srows.append
                for loc in clm.get("locations") or ():
                    gp = loc.get("geoPoint")
                    if gp:
                        lat = gp.get("lat")
                        lon = gp.get("lon")
                    else:
                        lat = lon = None
                        no_geo += 1
                    cs = loc.get("contacts")
                    if cs:
                        c = cs[0]
                        name, phone, email = c.get("name"), c.get("phone"), c.get("email")
                        ext = c.get("phoneExt")
                        if ext:
                            phone = f"{phone or ''} ext. {ext}"
                    else:
                        name = phone = email = None
                    sapp(
                        (
                            nct,
                            loc.get("facility"),
                            loc.get("city"),
                            loc.get("state"),
                            loc.get("zip"),
                            loc.get("country"),
                            lat,
                            lon,
                            loc.get("status"),
                            name,
                            phone,
                            email,
                        )
                    )
                if srows:
                    countries = (
                        "|".join([k for k in dict.fromkeys(map(itemgetter(5), srows)) if k]) or None
                    )
                else:
                    countries = None

                # conditions (+ MeSH)
                crows: list[tuple[Any, ...]] = []
                meshes = cbm.get("meshes")
                if meshes:
                    by_term: dict[str, tuple[Any, Any, int]] = {}
                    for i, m in enumerate(meshes):
                        term = m.get("term")
                        if term:
                            by_term.setdefault(term.strip().lower(), (m.get("id"), term, i))
                    used: set[int] = set()
                    for cond in conds or ():
                        hit = by_term.get(cond.strip().lower())
                        if hit is None:
                            crows.append((nct, cond, None, None))
                        else:
                            used.add(hit[2])
                            crows.append((nct, cond, hit[0], hit[1]))
                    for i, m in enumerate(meshes):
                        if i not in used:
                            crows.append((nct, None, m.get("id"), m.get("term")))
                elif conds:
                    for cond in conds:
                        cond.__len__()  # a non-str item raises -> repair path
                        crows.append((nct, cond, None, None))

                # interventions
                irows: list[tuple[Any, ...]] = []
                names: list[Any] = []
                types: dict[Any, None] = {}
                for iv in aim.get("interventions") or ():
                    name = iv.get("name")
                    itype = iv.get("type")
                    irows.append(
                        (
                            nct,
                            itype,
                            name,
                            _join(iv.get("otherNames")),
                            _join(iv.get("armGroupLabels")),
                            iv.get("description"),
                        )
                    )
                    if name:
                        names.append(name)
                    if itype:
                        types[itype] = None

                row = (
                    nct,
                    idm.get("briefTitle"),
                    idm.get("officialTitle"),
                    idm.get("acronym"),
                    sm.get("overallStatus"),
                    sm.get("lastKnownStatus"),
                    sm.get("whyStopped"),
                    _join(dm.get("phases")),
                    dm.get("studyType"),
                    _join(conds),
                    _join(cm.get("keywords")),
                    "|".join(names) or None,
                    "|".join(types) or None,
                    lead.get("name"),
                    lead.get("class"),
                    "|".join([n for n in (c.get("name") for c in collabs) if n]) or None
                    if collabs
                    else None,
                    ei.get("count"),
                    ei.get("type"),
                    (sm.get("startDateStruct") or E).get("date"),
                    (sm.get("primaryCompletionDateStruct") or E).get("date"),
                    (sm.get("completionDateStruct") or E).get("date"),
                    (sm.get("studyFirstPostDateStruct") or E).get("date"),
                    (sm.get("lastUpdatePostDateStruct") or E).get("date"),
                    em.get("minimumAge"),
                    em.get("maximumAge"),
                    em.get("sex"),
                    em.get("healthyVolunteers"),
                    _join(em.get("stdAges")),
                    src.get("hasResults"),
                    (ps.get("descriptionModule") or E).get("briefSummary"),
                    em.get("eligibilityCriteria"),
                    len(srows),
                    countries,
                )
            except Exception:
                if attempt:  # pragma: no cover - the repaired shape always reads
                    nct = None
                    _bump(problems, "record_unusable")
                    break
                no_geo = no_geo0
                odd_ids = odd_ids0
                src = _sanitize(rec, _SCHEMA, "", problems) or {}
                continue
            # success: commit the record
            for app, value in zip(appends, row, strict=True):
                app(value)
            site_rows += srows
            cond_rows += crows
            iv_rows += irows
            if nct in seen:
                dups += 1
            else:
                seen.add(nct)
            break
        if nct is None:
            skipped += 1
            _bump(problems, "record_without_nct_id")

    _bump(problems, "odd_nct_id", odd_ids)
    _bump(problems, "duplicate_nct_id", dups)
    tables = _build(study_cols, site_rows, cond_rows, iv_rows, problems)
    _bump(problems, "site_without_geopoint", no_geo)
    return Tables(
        studies=tables[0],
        sites=tables[1],
        conditions=tables[2],
        interventions=tables[3],
        problems=dict(sorted(problems.items())),
        skipped=skipped,
    )


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(map(itemgetter(i), rows)) for i in range(width)]


def _build(
    sc: list[list[Any]],
    site_rows: list[tuple[Any, ...]],
    cond_rows: list[tuple[Any, ...]],
    iv_rows: list[tuple[Any, ...]],
    problems: _Problems,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    p = problems
    s = _string_col
    nct = sc[0]
    studies: dict[str, Any] = {
        "nct_id": s(nct, "nctId", p),
        "title": s(sc[1], "briefTitle", p),
        "official_title": s(sc[2], "officialTitle", p),
        "acronym": s(sc[3], "acronym", p),
        "status": _category_col(sc[4], "overallStatus", p, _STATUSES, "unknown_status"),
        "last_known_status": _category_col(
            sc[5], "lastKnownStatus", p, _STATUSES, "unknown_status"
        ),
        "why_stopped": s(sc[6], "whyStopped", p),
        "phases": s(sc[7], "phases", p),
        "study_type": _category_col(
            sc[8], "studyType", p, _ENUMS["study_type"], "unknown_enum:study_type"
        ),
        "conditions": s(sc[9], "conditions", p),
        "keywords": s(sc[10], "keywords", p),
        "interventions": s(sc[11], "interventions", p),
        "intervention_types": s(sc[12], "interventions.type", p),
        "sponsor": s(sc[13], "leadSponsor.name", p),
        "sponsor_class": _category_col(
            sc[14], "leadSponsor.class", p, _ENUMS["sponsor_class"], "unknown_enum:sponsor_class"
        ),
        "collaborators": s(sc[15], "collaborators", p),
        "enrollment": _int_col(sc[16], "enrollmentInfo.count", p),
        "enrollment_type": _category_col(
            sc[17],
            "enrollmentInfo.type",
            p,
            _ENUMS["enrollment_type"],
            "unknown_enum:enrollment_type",
        ),
    }
    for col, raw, label in (
        ("start_date", sc[18], "startDateStruct.date"),
        ("primary_completion_date", sc[19], "primaryCompletionDateStruct.date"),
        ("completion_date", sc[20], "completionDateStruct.date"),
    ):
        values, prec = _date_col(raw, label, p)
        studies[col] = values
        studies[col + "_precision"] = prec
    studies["first_posted"] = _date_col(sc[21], "studyFirstPostDateStruct.date", p)[0]
    studies["last_update"] = _date_col(sc[22], "lastUpdatePostDateStruct.date", p)[0]
    studies["min_age_years"] = _age_col(sc[23], "minimumAge", p)
    studies["max_age_years"] = _age_col(sc[24], "maximumAge", p)
    studies["sex"] = _category_col(sc[25], "sex", p, _ENUMS["sex"], "unknown_enum:sex")
    studies["healthy_volunteers"] = _bool_col(sc[26], "healthyVolunteers", p)
    studies["std_ages"] = s(sc[27], "stdAges", p)
    studies["has_results"] = _bool_col(sc[28], "hasResults", p)
    studies["brief_summary"] = s(sc[29], "briefSummary", p)
    studies["eligibility_criteria"] = s(sc[30], "eligibilityCriteria", p)
    studies["n_sites"] = pd.array(sc[31], dtype="Int64")
    studies["countries"] = s(sc[32], "locations.country", p)
    studies["url"] = _make_string_array([STUDY_URL_PREFIX + n for n in nct])
    _count_unknown_phases(sc[7], p)

    sv = _columns(site_rows, _N_SITE)
    lat = _float_values(sv[6], "geoPoint.lat", p)
    lon = _float_values(sv[7], "geoPoint.lon", p)
    present = ~(np.isnan(lat) & np.isnan(lon))
    bad = present & ~((np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))  # also one-sided NaN
    if bad.any():
        _bump(p, "bad_geopoint", int(bad.sum()))
        lat = np.where(bad, np.nan, lat)
        lon = np.where(bad, np.nan, lon)
    sites: dict[str, Any] = {
        "nct_id": s(sv[0], "nctId", p),
        "facility": s(sv[1], "locations.facility", p),
        "city": s(sv[2], "locations.city", p),
        "state": s(sv[3], "locations.state", p),
        "zip": s(sv[4], "locations.zip", p),
        "country": s(sv[5], "locations.country", p),
        "lat": _masked_float(lat),
        "lon": _masked_float(lon),
        "site_status": _category_col(
            sv[8], "locations.status", p, _ENUMS["site_status"], "unknown_enum:site_status"
        ),
        "contact_name": s(sv[9], "contacts.name", p),
        "contact_phone": s(sv[10], "contacts.phone", p),
        "contact_email": s(sv[11], "contacts.email", p),
        "distance_mi": _masked_float(np.full(len(site_rows), np.nan)),
    }

    cv = _columns(cond_rows, 4)
    conditions = {
        "nct_id": s(cv[0], "nctId", p),
        "condition": s(cv[1], "conditions", p),
        "mesh_id": s(cv[2], "meshes.id", p),
        "mesh_term": s(cv[3], "meshes.term", p),
    }

    iv = _columns(iv_rows, 6)
    interventions = {
        "nct_id": s(iv[0], "nctId", p),
        "type": _category_col(
            iv[1],
            "interventions.type",
            p,
            _ENUMS["intervention_type"],
            "unknown_enum:intervention_type",
        ),
        "name": s(iv[2], "interventions.name", p),
        "other_names": s(iv[3], "interventions.otherNames", p),
        "arm_labels": s(iv[4], "interventions.armGroupLabels", p),
        "description": s(iv[5], "interventions.description", p),
    }
    return (
        pd.DataFrame(studies, copy=False),
        pd.DataFrame(sites, copy=False),
        pd.DataFrame(conditions, copy=False),
        pd.DataFrame(interventions, copy=False),
    )


def _count_unknown_phases(joined: list[Any], problems: _Problems) -> None:
    n = 0
    for value in set(joined):
        if isinstance(value, str):
            parts = value.split("|")
            if not _PHASES.issuperset(parts):
                n += joined.count(value) * sum(1 for x in parts if x not in _PHASES)
    _bump(problems, "unknown_enum:phases", n)


def empty_tables() -> Tables:
    """Tables with every column and declared dtype, and no rows."""
    return normalize(())
