"""Repair of records whose shape is not the documented one (the slow path, rare)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from trialfinder.registries.ctgov.normalize._columns import (
    _bump,
    _Problems,
    _to_bool,
    _to_float,
    _to_int,
)
from trialfinder.tables.schema import STUDY_SPEC, TABLES

_S: Final = "str"
_N: Final = "num"
_B: Final = "bool"
_I: Final = "int"
_SCALAR_KIND: Final[dict[str, str]] = {"int": _I, "float": _N, "bool": _B}


def _repair_schema() -> dict[str, Any]:
    """The nested shape every spec path expects, for :func:`_sanitize`."""
    root: dict[str, Any] = {}
    for spec in TABLES:
        for items in spec.items:
            parts = items.split(".") if items else []
            prefix = ".".join([*parts[:-1], parts[-1] + "[]", ""]) if parts else ""
            for col in spec.columns:
                if col.path is None or col.kind == "derived" or (
                    col.kind == "key" and spec is not STUDY_SPEC
                ):
                    continue
                _insert(root, (prefix + col.path).split("."), _SCALAR_KIND.get(col.kind, _S))
    return root


def _insert(node: dict[str, Any], parts: list[str], leaf: str) -> None:
    for part in parts[:-1]:
        name = part.removesuffix("[]")
        node = node.setdefault(name, [{}])[0] if part.endswith("[]") else node.setdefault(name, {})
    last = parts[-1]
    if last.endswith("[]"):
        node.setdefault(last[:-2], [leaf])
    else:
        node.setdefault(last, leaf)


_SCHEMA: Final = _repair_schema()

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
        if type(value) in (int, float) and not (type(value) is float and math.isnan(value)):
            return str(value)
        return None
    return _SCALAR_COERCE[kind](value)


def _sanitize(value: Any, schema: Any, path: str, problems: _Problems) -> Any:
    """Return a copy of ``value`` reduced to the parts of ``schema``, with the right types."""
    if value is None:
        return None
    if isinstance(schema, dict):
        if isinstance(value, str) and "date" in schema:  # "startDateStruct": "2023-05"
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

