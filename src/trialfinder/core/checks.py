"""Argument checks for the public Python API: a wrong type is an :class:`InvalidQueryError`
that names the argument and what it takes, never a ``TypeError`` from deep inside, and never a
value quietly reinterpreted (``limit=2.5`` is refused, not sent as ``pageSize=2.5``; ``b"als"``
is not read as three numbers).
"""

from __future__ import annotations

import numbers
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from trialfinder.core.errors import InvalidQueryError

__all__ = [
    "flag_or_none",
    "limit_or_none",
    "number_or_none",
    "shown",
    "text_or_none",
    "texts",
    "without_controls",
]


def shown(value: object) -> str:
    """A value's type and a short repr, for messages (``int 5``, ``bytes b'als'``)."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def texts(value: object, label: str, *, whole_numbers: bool = False) -> tuple[Any, ...]:
    """``None`` -> ``()``; one text -> ``(text,)``; a list, tuple or set of texts -> a tuple.
    ``whole_numbers`` also lets ints through (``phase=(2, 3)``). Anything else is refused."""
    if value is None:
        return ()
    if isinstance(value, str) or _whole(value, whole_numbers):
        return (value,)
    want = "text or a list of texts" + (" or whole numbers" if whole_numbers else "")
    if isinstance(value, bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise InvalidQueryError(f"{label} must be {want}, not {shown(value)}")
    items = tuple(value)
    for item in items:
        if not (isinstance(item, str) or _whole(item, whole_numbers)):
            raise InvalidQueryError(f"{label} must be {want}, not a list holding "
                                    f"{shown(item)}")
    return items


def without_controls(text: str, label: str) -> str:
    """``text`` when it holds no control character (a pasted bell, escape or NUL; line breaks
    and tabs are spacing, made spaces before this); otherwise one clear error naming the
    first, never a value quietly changed or sent on."""
    if text.isprintable():
        return text
    for char in text:
        if unicodedata.category(char) == "Cc":
            raise InvalidQueryError(f"{label} holds a control character (U+{ord(char):04X}); "
                                    "remove it")
    return text


def _whole(value: object, allowed: bool) -> bool:
    return allowed and isinstance(value, numbers.Integral) and not isinstance(value, bool)


def text_or_none(value: object, label: str, *, dates: bool = False) -> Any:
    """A text (or, with ``dates``, a ``datetime.date``) or ``None``."""
    if value is None or isinstance(value, str) or (dates and isinstance(value, date)):
        return value
    want = "text or a date" if dates else "text"
    raise InvalidQueryError(f"{label} must be {want}, not {shown(value)}")


def flag_or_none(value: object, label: str) -> bool | None:
    """``True``, ``False`` or ``None`` (``"yes"`` or ``1`` are refused, not guessed)."""
    if value is None or isinstance(value, bool):
        return value
    raise InvalidQueryError(f"{label} must be True, False or None, not {shown(value)}")


def number_or_none(value: object, label: str) -> float | None:
    """A real number (not a bool) as a float, or ``None``."""
    if value is None:
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise InvalidQueryError(f"{label} must be a number, not {shown(value)}")


def limit_or_none(value: object, label: str = "limit") -> int | None:
    """A whole number of at least 1, or ``None`` (no limit)."""
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise InvalidQueryError(f"{label} must be a whole number of studies, "
                                f"not {shown(value)}")
    if value < 1:
        raise InvalidQueryError(f"{label} must be at least 1, not {value}")
    return int(value)
