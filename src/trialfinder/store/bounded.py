"""Every text the study store writes stays under :data:`MOST_BYTES`.

DuckDB keeps a text of about 64 KiB or more apart from its column (an "overflow string"), and
a checkpoint holds those of a whole row group (up to 2,048 rows) in memory at once, memory that
cannot be written out to make room: a sync of a few hundred records each holding one such text
killed the writer with a FATAL error (365 of 180 kB, or 65 of 1 MB, in the writer's 64 MB).
Neither smaller transactions, more checkpoints, one thread, smaller row groups nor another
storage version or compression helped; only texts below that size do. So:

- a record's JSON text is kept in parts of at most :data:`MOST_BYTES` each (:func:`parts`),
  joined back whole, byte for byte, by the ``versions`` view;
- a single text longer than that (a field of a study: a summary, a reason for stopping) is cut
  at :data:`MOST_BYTES` with :data:`MARK` at its end (:func:`cut_text`), counted, and the
  count said; no real text comes near (the registry's own limit is 32,000 characters).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Final

import numpy as np
import pandas as pd

from trialfinder.core.wording import plural

__all__ = ["MARK", "MOST_BYTES", "cut_frame", "cut_said", "cut_strings", "cut_text",
           "cuts_said_once", "parts", "say_cut"]

logger = logging.getLogger(__name__)

#: The most bytes of UTF-8 one text value the store writes holds (below DuckDB's 64 KiB).
MOST_BYTES: Final = 60 * 1024
#: What ends a text that was cut (``{size}``: the bytes it had).
MARK: Final = " [cut by trialfinder: the text had {size:,} bytes, more than the store keeps]"
# A character is at most 4 bytes of UTF-8: a text of fewer characters needs no byte count.
_SURE_CHARS: Final = MOST_BYTES // 4


def _boundary(data: bytes, end: int) -> int:
    """``end`` moved back to the start of the UTF-8 character it falls in."""
    while end > 0 and end < len(data) and data[end] & 0xC0 == 0x80:
        end -= 1
    return end


def parts(text: bytes) -> list[str]:
    """``text`` (UTF-8) in consecutive parts of at most :data:`MOST_BYTES` each, never
    splitting a character: ``"".join(parts(t)) == t.decode()``."""
    if len(text) <= MOST_BYTES:
        return [text.decode()]
    out: list[str] = []
    start = 0
    while start < len(text):
        end = _boundary(text, start + MOST_BYTES)
        out.append(text[start:end].decode())
        start = end
    return out


def cut_text(text: str) -> str | None:
    """``text`` cut to at most :data:`MOST_BYTES` bytes with :data:`MARK` at its end, or
    ``None`` when it fits as it is."""
    if len(text) <= _SURE_CHARS:
        return None
    data = text.encode()
    if len(data) <= MOST_BYTES:
        return None
    mark = MARK.format(size=len(data))
    keep = _boundary(data, MOST_BYTES - len(mark.encode()))
    return data[:keep].decode() + mark


def _holds_long(value: Any) -> bool:
    """Whether a JSON value holds a string longer than :data:`MOST_BYTES` (a quick look that
    builds nothing, as nearly every record holds none)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > _SURE_CHARS and len(item.encode()) > MOST_BYTES:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def cut_strings(value: Any) -> tuple[Any, int]:
    """A JSON value with every string longer than :data:`MOST_BYTES` cut (:func:`cut_text`),
    and how many were; the value itself when none was (the rest is shared, not copied)."""
    return _cut_strings(value) if _holds_long(value) else (value, 0)


def _cut_strings(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        cut = cut_text(value)
        return (value, 0) if cut is None else (cut, 1)
    if isinstance(value, Mapping):
        count = 0
        out: dict[Any, Any] = {}
        for key, item in value.items():
            out[key], n = _cut_strings(item)
            count += n
        return (out, count) if count else (value, 0)
    if isinstance(value, list):
        count = 0
        items = []
        for item in value:
            new, n = _cut_strings(item)
            items.append(new)
            count += n
        return (items, count) if count else (value, 0)
    return value, 0


def cut_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with every text longer than :data:`MOST_BYTES` cut (:func:`cut_text`), and
    the name of the column of each text cut (one name per text). The frame itself when none
    was; a column of categories with a long one becomes a column of text."""
    named: list[str] = []
    out = frame
    for col in frame.columns:
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = series.cat.categories
            if not any(isinstance(c, str) and len(c) > _SURE_CHARS for c in cats):
                continue
            series = series.astype(object).astype(pd.StringDtype("python"))
        elif not (pd.api.types.is_string_dtype(series.dtype)
                  or pd.api.types.is_object_dtype(series.dtype)):
            continue
        try:
            lengths = series.str.len()
        except AttributeError:  # a column of other values
            continue
        over = lengths.gt(_SURE_CHARS)
        if not over.any():  # nearly always: nothing to look at closer
            continue
        long = np.flatnonzero(over.fillna(False).to_numpy(dtype=bool))
        cuts = {int(i): c for i in long if (c := cut_text(series.array[i])) is not None}
        if not cuts:
            continue
        if out is frame:
            out = frame.copy()
        values = series.array.copy()
        for i, value in cuts.items():
            values[i] = value
        out[col] = pd.Series(values, index=frame.index, name=col)
        named += [str(col)] * len(cuts)
    return out, named


#: Where :func:`say_cut` gathers the cuts while :func:`cuts_said_once` is open (else ``None``).
_GATHERED: ContextVar[list[str] | None] = ContextVar("trialfinder_cut_texts", default=None)


def say_cut(where: Sequence[str]) -> None:
    """Say (a warning) how many texts were cut, and where (``table.column`` of each); inside
    :func:`cuts_said_once`, gathered for its one warning instead."""
    gathered = _GATHERED.get()
    if gathered is not None:
        gathered.extend(where)
        return
    if where:
        logger.warning("%s", cut_said(where))


def cut_said(where: Sequence[str]) -> str:
    """How many texts were cut, and where (``table.column`` of each), in words: ``2 texts
    longer than 60 KiB cut in the study store, with a mark at the end (studies.summary)``."""
    return (f"{plural(len(where), 'text')} longer than {MOST_BYTES // 1024} KiB cut in the "
            f"study store, with a mark at the end ({', '.join(sorted(set(where)))})")


@contextlib.contextmanager
def cuts_said_once() -> Iterator[list[str]]:
    """Within it, the texts cut are gathered (the list yielded) and said in one warning at its
    end, also when it ends by an error: a sync stores many parts, and says its cuts once."""
    gathered: list[str] = []
    token = _GATHERED.set(gathered)
    try:
        yield gathered
    finally:
        _GATHERED.reset(token)
        say_cut(gathered)
