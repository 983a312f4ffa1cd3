"""Column converters: one call per column, vectorised where it matters.

Each converter takes the raw values read for one column and returns an array of the column's
declared dtype; values of the wrong type are converted (or NA) and counted in ``problems``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.registries.ctgov.normalize._values import (
    _NAT_INT,
    _PRECISIONS,
    _parse_age,
    _parse_date,
)
from trialfinder.tables.schema import Column

_Problems = dict[str, int]
_NoneType = type(None)
_STR_OK: Final = frozenset([str, _NoneType])
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


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


# pyarrow (or None when it does not back "string") and the memory pool our arrays come from.
_ARROW: list[Any] = [None, None, None]  # pyarrow, the pool, pyarrow.compute


def _check_arrow() -> None:
    """Look once per normalization at what backs the "string" dtype (an option a user may set).

    Our Arrow buffers come from the system allocator rather than pyarrow's default (mimalloc
    in the wheels): building many chunk-sized arrays while the output grows, mimalloc kept
    handing freed pages back to the kernel and faulting fresh ones in, which cost about a
    fifth of normalize()'s time at 100,000 studies in system (page-fault) time."""
    if pd.StringDtype().storage != "pyarrow":
        _ARROW[:] = [None, None, None]
        return
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    _ARROW[:] = [pa, pa.system_memory_pool(), pc]


def _pool() -> Any:
    return _ARROW[1]


def _arrow() -> Any:
    """pyarrow when it backs the "string" dtype (the fast path), else None."""
    return _ARROW[0]


def _arrow_strings(vals: Sequence[Any]) -> Any:
    """``vals`` as one Arrow string array, read in C in one pass, when every value is a string
    or None (the documented shape); otherwise None, and the caller checks value by value."""
    pa = _arrow()
    if pa is None:
        return None
    try:
        return pa.array(vals, type=pa.large_string(), memory_pool=_pool())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return None


# Strings of one column: an Arrow array (fast path) or a list of str / None (checked).
_Strings = Any


def _strings(vals: Sequence[Any], label: str, problems: _Problems) -> _Strings:
    """The column's strings; values of other types are converted or None, and counted."""
    arr = _arrow_strings(vals)
    return arr if arr is not None else _clean_str(list(vals), label, problems)


def _make_string_array(vals: _Strings) -> Any:
    """A "string" array from checked strings (a list) or from an Arrow array."""
    if not isinstance(vals, (list, tuple)):
        return pd.arrays.ArrowStringArray(vals)
    pa = _arrow()
    if pa is not None:  # let pyarrow convert the list in C
        return pd.arrays.ArrowStringArray(
            pa.array(vals, type=pa.large_string(), memory_pool=_pool()))
    return pd.array(vals, dtype="string")


def _factorize(vals: _Strings) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """(codes, distinct values in first-seen order); code -1 = missing."""
    if not isinstance(vals, (list, tuple)):
        pc = _ARROW[2]
        encoded = pc.dictionary_encode(vals, memory_pool=_pool())
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64, copy=False), encoded.dictionary.to_pylist()
    codes_obj, uniques = pd.factorize(np.asarray(vals, dtype=object))
    return np.asarray(codes_obj, dtype=np.int64), list(uniques)


def _categorical(vals: _Strings) -> pd.Categorical:
    """Same result as ``pd.Series(vals).astype("category")``, without the slow path."""
    return _categorical_from(*_factorize(vals))


def _categorical_from(codes_arr: npt.NDArray[np.int64], uniques: list[Any]) -> pd.Categorical:
    uniq = np.asarray(uniques, dtype=object)
    order = np.argsort(uniq, kind="stable")
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order), dtype=np.int64)
    if not len(order):  # all missing (or no rows): no categories, like astype("category")
        return pd.Categorical.from_codes(codes_arr, categories=pd.Index([], dtype=object))
    new_codes = np.where(codes_arr >= 0, remap[np.maximum(codes_arr, 0)], -1)
    return pd.Categorical.from_codes(new_codes, categories=pd.Index(list(uniq[order])))


def _category_strings(
    strings: _Strings, problems: _Problems, known: frozenset[str] | None, key: str
) -> pd.Categorical:
    """A category column from checked strings; codes outside ``known`` are kept and counted."""
    cat = _categorical(strings)
    if known is not None:
        unknown = [i for i, c in enumerate(cat.categories) if c not in known]
        if unknown:
            counts = np.bincount(cat.codes[cat.codes >= 0], minlength=len(cat.categories))
            _bump(problems, key, int(counts[unknown].sum()))
    return cat


def _as_strings(vals: list[Any]) -> _Strings:
    """Checked strings (a list of str / None) in the form :func:`_strings` returns."""
    pa = _arrow()
    return vals if pa is None else pa.array(vals, type=pa.large_string(), memory_pool=_pool())


def _string_array(parts: list[_Strings]) -> Any:
    """A "string" array from a column's parts. Arrow parts are kept as the chunks of one
    chunked array: long text is not copied again, and no large block is allocated at the end."""
    if len(parts) > 1 and not any(isinstance(p, list) for p in parts):
        pa = _arrow()
        return pd.arrays.ArrowStringArray(pa.chunked_array(parts, type=pa.large_string()))
    return _make_string_array(_concat_strings(parts))


def _concat_strings(parts: list[_Strings]) -> _Strings:
    """One column of checked strings from its parts, in order."""
    if not parts:
        return []
    if len(parts) == 1:
        return parts[0]
    if not any(isinstance(p, list) for p in parts):
        pa = _arrow()
        return pa.concat_arrays(parts, memory_pool=_pool())
    out: list[Any] = []
    for p in parts:
        out += p if isinstance(p, list) else p.to_pylist()
    return out


def _to_int(v: Any) -> int | None:
    if type(v) is float and v.is_integer():
        return int(v)
    if type(v) is str:
        s = v.strip().replace(",", "")
        if s.isdigit() and len(s) < 20:
            return int(s)
    return None


def _typed_col(
    vals: Sequence[Any], kind: type, convert: Any, dtype: Any, label: str, problems: _Problems
) -> Any:
    """A nullable column of ``kind``; other values are converted (or NA) and counted."""
    if not set(map(type, vals)) <= {kind, _NoneType}:
        bad = sum(1 for v in vals if v is not None and type(v) is not kind)
        vals = [v if v is None or type(v) is kind else convert(v) for v in vals]
        _bump(problems, "wrong_type:" + label, bad)
    return pd.array(vals, dtype=dtype)


def _int_col(vals: Sequence[Any], label: str, problems: _Problems) -> Any:
    """Int64; a number outside Int64's range (10**20, 1e308) is NA and counted."""
    if not set(map(type, vals)) <= {int, _NoneType}:
        bad = sum(1 for v in vals if v is not None and type(v) is not int)
        vals = [v if v is None or type(v) is int else _to_int(v) for v in vals]
        _bump(problems, "wrong_type:" + label, bad)
    try:
        return pd.array(vals, dtype="Int64")
    except (OverflowError, TypeError, ValueError):
        fits = [v is None or _INT64_MIN <= v <= _INT64_MAX for v in vals]
        _bump(problems, "out_of_range:" + label, fits.count(False))
        return pd.array([v if ok else None for v, ok in zip(vals, fits, strict=True)],
                        dtype="Int64")


def _to_float(v: Any) -> float | None:
    if type(v) is str:
        try:
            f = float(v)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _float_values(vals: Sequence[Any], label: str, problems: _Problems) -> npt.NDArray[np.float64]:
    if not set(map(type, vals)) <= {float, int, _NoneType}:
        bad = sum(1 for v in vals if v is not None and type(v) not in (float, int))
        vals = [v if v is None or type(v) in (float, int) else _to_float(v) for v in vals]
        _bump(problems, "wrong_type:" + label, bad)
    try:
        return np.array(vals, dtype=np.float64)  # None -> nan
    except OverflowError:  # an int beyond float's range
        out = np.full(len(vals), np.nan)
        for i, v in enumerate(vals):
            try:
                out[i] = np.nan if v is None else float(v)
            except OverflowError:
                _bump(problems, "out_of_range:" + label)
        return out


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


def _bool_col(vals: Sequence[Any], label: str, problems: _Problems) -> Any:
    return _typed_col(vals, bool, _to_bool, "boolean", label, problems)


# Days since 1970-01-01 that datetime64[ns] can hold as whole days (1677-09-22 .. 2262-04-11).
_MIN_DAY: Final = int(np.ceil(pd.Timestamp.min.value / 86_400e9))
_MAX_DAY: Final = int(pd.Timestamp.max.value // 86_400_000_000_000)


def _date_col(
    vals: _Strings, label: str, problems: _Problems
) -> tuple[npt.NDArray[np.datetime64], pd.Categorical]:
    """Parse each distinct string once; returns (datetime64[ns] values, precision category).

    A real date that datetime64[ns] cannot hold (``0001-01-01``, ``2300``) is NA, never
    shifted, and counted as ``date_out_of_range``; its text stays in the ``_raw`` column.
    """
    codes_arr, uniques = _factorize(vals)
    n_u = len(uniques)
    days_u = np.full(n_u + 1, _NAT_INT, dtype=np.int64)  # last slot = missing
    prec_u: list[str | None] = [None] * (n_u + 1)
    invalid: list[int] = []
    outside: list[int] = []
    for i, text in enumerate(uniques):
        parsed = _parse_date(text)
        if parsed is None:
            invalid.append(i)
        elif not _MIN_DAY <= parsed[0] <= _MAX_DAY:
            outside.append(i)
        else:
            days_u[i] = parsed[0]
            prec_u[i] = _PRECISIONS[parsed[1]]
    idx = np.where(codes_arr >= 0, codes_arr, n_u)
    if invalid or outside:
        counts = np.bincount(idx, minlength=n_u + 1)
        _bump(problems, "bad_date", int(counts[invalid].sum()))
        _bump(problems, "date_out_of_range", int(counts[outside].sum()))
    values = days_u[idx].view("M8[D]").astype("M8[ns]")
    prec_vals = np.asarray(prec_u, dtype=object)[idx]
    return values, _categorical(list(prec_vals))


def _age_col(vals: _Strings, label: str, problems: _Problems) -> Any:
    codes_arr, uniques = _factorize(vals)
    n_u = len(uniques)
    years_u = np.full(n_u + 1, np.nan, dtype=np.float64)
    invalid: list[int] = []
    for i, text in enumerate(uniques):
        years, ok = _parse_age(text)
        if years is not None and math.isfinite(years):
            years_u[i] = years
        elif years is not None:
            ok = False
        if not ok:
            invalid.append(i)
    idx = np.where(codes_arr >= 0, codes_arr, n_u)
    if invalid:
        counts = np.bincount(idx, minlength=n_u + 1)
        _bump(problems, "bad_age", int(counts[invalid].sum()))
    return _masked_float(years_u[idx])


def _join_one(v: Any, pluck: str | None) -> tuple[str | None, int]:
    """A list cell joined with "|" the slow way: (text, number of wrong-typed items)."""
    if pluck is not None:
        v = [x.get(pluck) if isinstance(x, Mapping) else x for x in v]
    parts: list[str] = []
    bad = 0
    for x in v:
        if type(x) is str:
            parts.append(x)
        elif x is None:
            continue
        elif type(x) in (int, float) and not (type(x) is float and math.isnan(x)):
            parts.append(str(x))
            bad += 1
        else:
            bad += 1
    return "|".join(parts) or None, bad


def _join_col(vals: Sequence[Any], col: Column, label: str, problems: _Problems) -> list[Any]:
    """List cells joined with "|"; items of the wrong type are converted or dropped, counted."""
    pluck = col.keys[-1] if col.path and not col.path.endswith("[]") else None
    out: list[Any] = []
    append = out.append
    bad = 0
    for v in vals:
        if not v:
            append(None)
            continue
        if v.__class__ is not list:
            bad += 1
            v = [v]
        try:
            if pluck is None:
                append("|".join(v) or None)
            else:
                append("|".join([n for n in (x.get(pluck) for x in v) if n]) or None)
        except (TypeError, AttributeError):
            text, n = _join_one(v, pluck)
            append(text)
            bad += n
    _bump(problems, "wrong_type:" + label, bad)
    if col.known is not None:
        _count_unknown(out, col.known, col.problem or "unknown_enum:" + col.name, problems)
    return out


def _count_unknown(joined: list[Any], known: frozenset[str], key: str, problems: _Problems) -> None:
    n = 0
    for value in set(joined):
        if isinstance(value, str):
            parts = value.split("|")
            if not known.issuperset(parts):
                n += joined.count(value) * sum(1 for x in parts if x not in known)
    _bump(problems, key, n)


def _pluck(vals: Sequence[Any], key: str, label: str, problems: _Problems) -> list[Any]:
    """``value.get(key)`` for each cell that is an object; other non-null cells are counted."""
    try:
        return [v.get(key) if v else None for v in vals]
    except AttributeError:
        bad = sum(1 for v in vals if v and not isinstance(v, Mapping))
        _bump(problems, "wrong_type:" + label, bad)
        return [v.get(key) if isinstance(v, Mapping) else None for v in vals]

