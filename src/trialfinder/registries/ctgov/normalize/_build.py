"""Building each table from its raw values, column by column, as the spec says.

The one pass hands over its rows a chunk at a time (a few hundred records). Each chunk's values
are checked and turned into compact parts right away, while the objects they come from are
still in the CPU's caches: strings become Arrow arrays (one pass in C), site coordinates become
float arrays. Whatever needs the whole column (categories, distinct dates and ages, dtypes) is
done once at the end, on the joined parts. Problems are counted where a value is read, so the
counts do not depend on where the chunks are cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.core.entities import decode_column
from trialfinder.registries.ctgov import SOURCE
from trialfinder.registries.ctgov.normalize._columns import (
    _age_col,
    _as_strings,
    _bool_col,
    _bump,
    _categorical,
    _categorical_from,
    _category_strings,
    _concat_strings,
    _date_col,
    _float_values,
    _int_col,
    _join_col,
    _make_string_array,
    _masked_float,
    _pluck,
    _pool,
    _Problems,
    _string_array,
    _strings,
)
from trialfinder.registries.ctgov.normalize._plan import (
    _COND_SLOTS,
    _CONTACT_SLOTS,
    _I_GEO,
    _I_NCT,
    _IV_SLOTS,
    _OFFICIAL_SLOTS,
    _SITE_READ,
    _SLOT,
    _STUDY_DERIVED,
    _items_path,
    _read_keys,
)
from trialfinder.registries.ctgov.normalize._values import STUDY_URL_PREFIX
from trialfinder.tables.schema import (
    CONDITION_SPEC,
    CONTACT_SPEC,
    INTERVENTION_SPEC,
    OFFICIAL_SPEC,
    SITE_SPEC,
    STUDY_SPEC,
    Column,
    TableSpec,
)

_How = Literal["convert", "derived", "override", "missing", "source"]
# One column's recipe: how it is made, which raw column it reads, the keys to pluck on the way.
_Step = tuple[Column, _How, int, tuple[str, ...]]
_STRING_KINDS: Final = frozenset(["key", "text", "date", "precision", "category", "age"])


def _part_key(col: Column) -> str:
    """Where a column's checked strings are kept: by path for the columns that share one (a
    date, its precision and its raw text), else by name."""
    if col.kind in ("key", "text", "date", "precision"):
        return col.path or col.name
    return col.name


def _transpose(rows: list[Any], width: int) -> list[Sequence[Any]]:
    """Row tuples -> one tuple per column (``zip`` does it in C)."""
    if not rows:
        return [() for _ in range(width)]
    return list(zip(*rows, strict=True))


def _item_prefix(spec: TableSpec) -> str:
    """Problem labels of a child table start with its list's path (``...locations.``)."""
    return ".".join(_items_path(spec)) + "."


def _slot_steps(
    spec: TableSpec, slots: Sequence[str], overrides: Sequence[str] = ()
) -> list[_Step]:
    """Recipes of a child table whose rows are laid out as ``slots``."""
    where = {name: i for i, name in enumerate(slots)}
    steps: list[_Step] = []
    for col in spec.columns:
        keys = col.keys
        if col.kind == "source":
            steps.append((col, "source", -1, ()))
        elif col.name in overrides:
            steps.append((col, "override", -1, ()))
        elif col.kind != "derived" and keys and keys[0] in where:
            pluck = keys[1:-1] if col.kind == "list" else keys[1:]  # geoPoint.lat
            steps.append((col, "convert", where[keys[0]], pluck))
        elif col.name in where:
            steps.append((col, "derived", where[col.name], ()))
        else:
            steps.append((col, "missing", -1, ()))
    return steps


def _study_steps() -> list[_Step]:
    """Recipes of the studies table: read through the plan, or computed per record."""
    steps: list[_Step] = []
    for col in STUDY_SPEC.columns:
        if col.kind == "source":
            steps.append((col, "source", -1, ()))
        elif col.name in _STUDY_DERIVED:
            steps.append((col, "derived", len(_SLOT) + _STUDY_DERIVED.index(col.name), ()))
        elif col.name == "url":
            steps.append((col, "derived", len(_SLOT) + len(_STUDY_DERIVED), ()))
        else:
            steps.append((col, "convert", _SLOT[_read_keys(col)], ()))
    return steps


class _TableParts:
    """One table's columns, checked chunk by chunk and finished once."""

    def __init__(self, spec: TableSpec, prefix: str, steps: list[_Step], problems: _Problems):
        self.spec = spec
        self.prefix = prefix
        self.steps = steps
        self.problems = problems
        self.parts: dict[str, list[Any]] = {}
        self.n_rows = 0
        self._labels: dict[str, str] = {}

    def label(self, col: Column) -> str:
        label = self._labels.get(col.name)
        if label is None:
            label = self._labels[col.name] = self.prefix + ".".join(col.keys)
        return label

    def _put(self, key: str, part: Any) -> None:
        self.parts.setdefault(key, []).append(part)

    def add(self, raw: list[Sequence[Any]], n_rows: int) -> None:
        """Check one chunk's raw columns and keep them as parts."""
        p = self.problems
        seen: set[str] = set()  # paths read by several columns are checked once per chunk
        for col, how, slot, pluck in self.steps:
            if how == "derived":
                vals = raw[slot]
                if col.dtype == "string":  # names and labels gathered from the record
                    self._put(col.name, decode_column(_strings(vals, col.name, {}), _pool()))
                elif col.dtype == "category":
                    self._put(col.name, _strings(vals, col.name, {}))
                else:  # tuple(): the row lists are emptied for the next chunk
                    self._put(col.name, tuple(vals))
            elif how == "convert":
                vals = raw[slot]
                for depth, key in enumerate(pluck, start=1):
                    vals = _pluck(vals, key, self.prefix + ".".join(col.keys[:depth]), p)
                kind = col.kind
                if kind in _STRING_KINDS:
                    key = _part_key(col)
                    if key not in seen:
                        seen.add(key)
                        strings = _strings(vals, self.label(col), p)
                        if kind == "text":  # a date's raw text is read by the date column
                            strings = decode_column(strings, _pool())  # first: kept as sent
                        self._put(key, strings)
                elif kind == "list":
                    joined = _join_col(vals, col, self.label(col), p)
                    if col.known is None:  # names, not codes
                        joined = decode_column(joined)
                    self._put(col.name, _as_strings(joined))
                else:  # int, float, bool: checked once the whole column is known
                    self._put(col.name, tuple(vals))
        self.n_rows += n_rows

    def _values(self, key: str) -> list[Any]:
        out: list[Any] = []
        for part in self.parts.get(key, ()):
            out += part
        return out

    def frame(self, overrides: dict[str, Any] | None = None) -> pd.DataFrame:
        """The finished table, with the spec's columns and dtypes."""
        dates: dict[str, tuple[Any, pd.Categorical]] = {}
        columns: dict[str, Any] = {}
        for col, how, _slot, _pluck_keys in self.steps:
            name = col.name
            if how == "override":
                columns[name] = (overrides or {})[name]
            elif how == "source":  # every row is read from ClinicalTrials.gov
                columns[name] = _categorical_from(np.zeros(self.n_rows, dtype=np.int64),
                                                  [SOURCE] if self.n_rows else [])
            elif how == "missing":
                if col.dtype == "Float64":  # distance_mi: known only once a point is given
                    columns[name] = _masked_float(np.full(self.n_rows, np.nan))
                else:
                    columns[name] = _derived(col, [None] * self.n_rows)
            elif how == "derived":
                if col.dtype == "string":
                    columns[name] = _string_array(self.parts.get(name, []))
                elif col.dtype == "category":
                    columns[name] = _derived(col, _concat_strings(self.parts.get(name, [])))
                else:
                    columns[name] = _derived(col, self._values(name))
            else:
                columns[name] = self._convert(col, dates)
        self.parts.clear()  # made once: the parts are not held beside the table
        return pd.DataFrame({c.name: columns[c.name] for c in self.spec.columns}, copy=False)

    def _convert(self, col: Column, dates: dict[str, tuple[Any, pd.Categorical]]) -> Any:
        p = self.problems
        kind, label = col.kind, self.label(col)
        if kind in ("key", "text", "date", "precision"):
            path = _part_key(col)
            if kind in ("key", "text"):
                return _string_array(self.parts.get(path, []))
            if path not in dates:
                dates[path] = _date_col(_concat_strings(self.parts.get(path, [])), label, p)
            return dates[path][0 if kind == "date" else 1]
        if kind == "category":
            strings = _concat_strings(self.parts.get(col.name, []))
            return _category_strings(strings, p, col.known,
                                     col.problem or "unknown_enum:" + col.name)
        if kind == "list":
            return _string_array(self.parts.get(col.name, []))
        if kind == "age":
            return _age_col(_concat_strings(self.parts.get(col.name, [])), label, p)
        vals = self._values(col.name)
        if kind == "int":
            return _int_col(vals, label, p)
        if kind == "float":
            return _masked_float(_float_values(vals, label, p))
        if kind == "bool":
            return _bool_col(vals, label, p)
        return _derived(col, vals)  # pragma: no cover - every kind is handled above


def _derived(col: Column, vals: Any) -> Any:
    """Values we computed from others (already counted where they were read)."""
    if col.dtype == "string":
        return _make_string_array(vals if not isinstance(vals, tuple) else list(vals))
    if col.dtype == "category":
        return _categorical(vals)
    if col.dtype == "Float64":
        return _masked_float(_float_values(vals, col.name, {}))
    dtype: Any = col.dtype
    return pd.array(vals, dtype=dtype)


_SITE_SLOTS: Final = (*_SITE_READ, "nct_id", "site_index", "contact_name", "contact_phone",
                      "contact_email")
_LAT: Final = SITE_SPEC.column("lat")
_LON: Final = SITE_SPEC.column("lon")


class Parts:
    """Every table of one normalization, filled chunk by chunk by the one pass."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.studies = _TableParts(STUDY_SPEC, "", _study_steps(), problems)
        site_prefix = _item_prefix(SITE_SPEC)
        self.sites = _TableParts(SITE_SPEC, site_prefix,
                                 _slot_steps(SITE_SPEC, _SITE_SLOTS, ("lat", "lon")), problems)
        self._lat: list[npt.NDArray[np.float64]] = []
        self._lon: list[npt.NDArray[np.float64]] = []
        self.contacts = _TableParts(CONTACT_SPEC, "contacts.",
                                    _slot_steps(CONTACT_SPEC, _CONTACT_SLOTS), problems)
        self.officials = _TableParts(OFFICIAL_SPEC, _item_prefix(OFFICIAL_SPEC),
                                     _slot_steps(OFFICIAL_SPEC, _OFFICIAL_SLOTS), problems)
        self.conditions = _TableParts(CONDITION_SPEC, "",
                                      _slot_steps(CONDITION_SPEC, _COND_SLOTS), problems)
        self.interventions = _TableParts(INTERVENTION_SPEC, _item_prefix(INTERVENTION_SPEC),
                                         _slot_steps(INTERVENTION_SPEC, _IV_SLOTS), problems)

    def add_studies(self, rows: list[list[Any]], derived: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        raw = _transpose(rows, len(_SLOT))
        raw += _transpose(derived, len(_STUDY_DERIVED))
        raw.append([STUDY_URL_PREFIX + n for n in raw[_I_NCT]])
        self.studies.add(raw, len(rows))

    def add_sites(
        self, rows: list[tuple[Any, ...]], nct: list[str], index: list[int],
        first: list[tuple[int, Any, Any, Any]],
    ) -> None:
        if not rows:
            return
        raw = _transpose(rows, len(_SITE_READ))
        contact_cols: list[list[Any]] = [[None] * len(rows) for _ in range(3)]
        for row, *values in first:
            for col, value in zip(contact_cols, values, strict=True):
                col[row] = value
        raw += [nct, index, *contact_cols]
        geo = raw[_I_GEO]
        p = self.problems
        geo_label = self.sites.prefix + _LAT.keys[0]
        self._lat.append(_float_values(_pluck(geo, _LAT.keys[1], geo_label, p),
                                       self.sites.label(_LAT), p))
        self._lon.append(_float_values(_pluck(geo, _LON.keys[1], geo_label, {}),
                                       self.sites.label(_LON), p))
        self.sites.add(raw, len(rows))

    def add_child(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            table: _TableParts = getattr(self, name)
            table.add(_transpose(rows, len(rows[0])), len(rows))

    def sites_frame(self) -> pd.DataFrame:
        lat = np.concatenate(self._lat) if self._lat else np.empty(0)
        lon = np.concatenate(self._lon) if self._lon else np.empty(0)
        present = ~(np.isnan(lat) & np.isnan(lon))
        bad = present & ~((np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))  # also one-sided NaN
        if bad.any():
            _bump(self.problems, "bad_geopoint", int(bad.sum()))
            lat = np.where(bad, np.nan, lat)
            lon = np.where(bad, np.nan, lon)
        return self.sites.frame({"lat": _masked_float(lat), "lon": _masked_float(lon)})

