"""The one test for a missing value, and the one walk down a record's nested fields.

A table cell is missing when it is ``None``, pandas' ``NA`` or ``NaT``, or a float NaN (NumPy's
too): :func:`is_blank`. :func:`text_of` is a value as text with a default for a missing one,
and :func:`dig` the value at a path of keys in nested mappings (``None`` where one is absent
or not a mapping), as a hostile record may hold anything anywhere.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["dig", "is_blank", "text_of"]


def is_blank(value: Any) -> bool:
    """Whether ``value`` is missing: ``None``, ``pd.NA``, ``pd.NaT`` or a float NaN. Light:
    pandas is not imported here (no pandas loaded, no value of its own to meet)."""
    if value is None:
        return True
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return True
    return isinstance(value, float) and math.isnan(value)


def text_of(value: Any, default: str = "") -> str:
    """``value`` as text, or ``default`` when it is missing (:func:`is_blank`)."""
    return default if is_blank(value) else str(value)


def dig(record: Any, *path: str) -> Any:
    """The value at ``path`` in nested mappings, or ``None`` where a step is not a mapping."""
    value = record
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value
