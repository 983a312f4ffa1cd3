"""Building each table from its raw values, column by column, as the spec says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trialfinder.tables.normalize._columns import (
    _age_col,
    _bool_col,
    _bump,
    _categorical,
    _category_col,
    _date_col,
    _float_values,
    _int_col,
    _join_col,
    _make_string_array,
    _masked_float,
    _pluck,
    _Problems,
    _string_col,
    _strings,
)
from trialfinder.tables.normalize._plan import (
    _I_GEO,
    _I_NCT,
    _SITE_READ,
    _SLOT,
    _STUDY_DERIVED,
    _items_path,
    _read_keys,
)
from trialfinder.tables.normalize._values import STUDY_URL_PREFIX
from trialfinder.tables.schema import SITE_SPEC, STUDY_SPEC, Column, TableSpec


class _Builder:
    """Converts one table's raw values, column by column, as its spec says."""

    def __init__(self, spec: TableSpec, prefix: str, problems: _Problems) -> None:
        self.spec = spec
        self.prefix = prefix
        self.problems = problems
        self._dates: dict[str, tuple[Any, pd.Categorical]] = {}
        self._clean: dict[str, Any] = {}

    def label(self, col: Column) -> str:
        return self.prefix + ".".join(col.keys)

    def clean(self, col: Column, vals: Sequence[Any]) -> Any:
        """Strings (others converted and counted once per path, though two columns read it)."""
        key = col.path or col.name
        if key not in self._clean:
            self._clean[key] = _strings(vals, self.label(col), self.problems)
        return self._clean[key]

    def convert(self, col: Column, vals: Sequence[Any]) -> Any:
        p = self.problems
        label = self.label(col)
        kind = col.kind
        if kind in ("key", "text"):
            return _make_string_array(self.clean(col, vals))
        if kind == "category":
            key = col.problem or "unknown_enum:" + col.name
            return _category_col(vals, label, p, col.known, key)
        if kind == "int":
            return _int_col(vals, label, p)
        if kind == "float":
            return _masked_float(_float_values(vals, label, p))
        if kind == "bool":
            return _bool_col(vals, label, p)
        if kind == "list":
            return _make_string_array(_join_col(vals, col, label, p))
        if kind == "age":
            return _age_col(_strings(vals, label, p), label, p)
        if kind in ("date", "precision"):
            key = col.path or col.name
            if key not in self._dates:
                self._dates[key] = _date_col(self.clean(col, vals), label, p)
            return self._dates[key][0 if kind == "date" else 1]
        return self.derived(col, vals)

    @staticmethod
    def derived(col: Column, vals: Sequence[Any]) -> Any:
        """Values we computed from others (already counted where they were read)."""
        scratch: _Problems = {}
        if col.dtype == "string":
            return _string_col(vals, col.name, scratch)
        if col.dtype == "category":
            return _categorical(_strings(vals, col.name, scratch))
        if col.dtype == "Float64":
            return _masked_float(_float_values(vals, col.name, scratch))
        dtype: Any = col.dtype
        return pd.array(vals, dtype=dtype)

    def frame(self, columns: dict[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({c.name: columns[c.name] for c in self.spec.columns}, copy=False)


def _transpose(rows: list[Any], width: int) -> list[Sequence[Any]]:
    """Row tuples -> one tuple per column (``zip`` does it in C)."""
    if not rows:
        return [() for _ in range(width)]
    return list(zip(*rows, strict=True))


def _slot_columns(
    builder: _Builder, raw: list[Sequence[Any]], slots: tuple[str, ...],
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Columns of a child table from its raw columns, laid out as ``slots``."""
    n_rows = len(raw[0]) if raw else 0
    where = {name: i for i, name in enumerate(slots)}
    out: dict[str, Any] = dict(overrides or {})
    for col in builder.spec.columns:
        if col.name in out:
            continue
        keys = col.keys
        if col.kind != "derived" and keys and keys[0] in where:
            vals = raw[where[keys[0]]]
            for depth, key in enumerate(keys[1:], start=1):  # geoPoint.lat
                if col.kind != "list" or depth < len(keys) - 1:
                    vals = _pluck(vals, key, builder.prefix + ".".join(keys[:depth]),
                                  builder.problems)
            out[col.name] = builder.convert(col, vals)
        elif col.name in where:
            out[col.name] = builder.derived(col, raw[where[col.name]])
        elif col.dtype == "Float64":  # distance_mi: known only once a point is given
            out[col.name] = _masked_float(np.full(n_rows, np.nan))
        else:
            out[col.name] = builder.derived(col, [None] * n_rows)
    return out



def _item_prefix(spec: TableSpec) -> str:
    """Problem labels of a child table start with its list's path (``...locations.``)."""
    return ".".join(_items_path(spec)) + "."


def _build_child(
    spec: TableSpec, rows: list[tuple[Any, ...]], slots: tuple[str, ...], prefix: str,
    problems: _Problems,
) -> pd.DataFrame:
    builder = _Builder(spec, prefix, problems)
    return builder.frame(_slot_columns(builder, _transpose(rows, len(slots)), slots))


def _build_sites(
    rows: list[tuple[Any, ...]], nct: list[str], index: list[int],
    first: list[tuple[int, Any, Any, Any]], problems: _Problems,
) -> pd.DataFrame:
    builder = _Builder(SITE_SPEC, _item_prefix(SITE_SPEC), problems)
    raw = _transpose(rows, len(_SITE_READ))
    contact_cols: list[list[Any]] = [[None] * len(rows) for _ in range(3)]
    for row, *values in first:
        for col, value in zip(contact_cols, values, strict=True):
            col[row] = value
    raw += [nct, index, *contact_cols]
    slots = (*_SITE_READ, "nct_id", "site_index", "contact_name", "contact_phone",
             "contact_email")
    geo = raw[_I_GEO]
    lat_col, lon_col = SITE_SPEC.column("lat"), SITE_SPEC.column("lon")
    geo_label = builder.prefix + lat_col.keys[0]
    lat = _float_values(_pluck(geo, lat_col.keys[1], geo_label, problems),
                        builder.label(lat_col), problems)
    lon = _float_values(_pluck(geo, lon_col.keys[1], geo_label, {}), builder.label(lon_col),
                        problems)
    present = ~(np.isnan(lat) & np.isnan(lon))
    bad = present & ~((np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))  # also one-sided NaN
    if bad.any():
        _bump(problems, "bad_geopoint", int(bad.sum()))
        lat = np.where(bad, np.nan, lat)
        lon = np.where(bad, np.nan, lon)
    overrides = {"lat": _masked_float(lat), "lon": _masked_float(lon)}
    return builder.frame(_slot_columns(builder, raw, slots, overrides))


def _build_studies(
    rows: list[list[Any]], derived: list[tuple[Any, ...]], problems: _Problems
) -> pd.DataFrame:
    builder = _Builder(STUDY_SPEC, "", problems)
    raw = _transpose(rows, len(_SLOT))
    extra = _transpose(derived, len(_STUDY_DERIVED))
    computed = dict(zip(_STUDY_DERIVED, extra, strict=True))
    nct = raw[_I_NCT]
    columns: dict[str, Any] = {}
    for col in STUDY_SPEC.columns:
        if col.name in computed:
            columns[col.name] = builder.derived(col, computed[col.name])
        elif col.name == "url":
            columns["url"] = _make_string_array([STUDY_URL_PREFIX + n for n in nct])
        else:
            columns[col.name] = builder.convert(col, raw[_SLOT[_read_keys(col)]])
    return builder.frame(columns)

