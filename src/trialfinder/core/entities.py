"""HTML character references that the registry leaves in its text, decoded once.

Some records carry ``&gt;``, ``&lt;``, ``&amp;``, ``&#39;``, ``&quot;`` or ``&#8805;`` in their
text, often after a Markdown backslash (``\\&gt;= 18``) and sometimes encoded twice
(``&amp;gt;``). :func:`decode_entities` turns each reference into its character exactly once:
``&amp;gt;`` becomes the text ``&gt;``, never ``>``. It is applied in one place for tables,
:func:`trialfinder.registries.ctgov.normalize.normalize` (every text column), and by the few
readers of a
raw record's text (the study page and ``show``); the raw records, as the store keeps them, are
left as received.

Only complete references are decoded: a name from HTML's list followed by ``;`` (``&amp;``,
``&ge;``; ``&AMP;`` and ``&Amp;`` alike for the four names the registry uses), or a number
(``&#8805;``, ``&#x2265;``). Text such as ``R&D``, ``AT&T;`` or ``&notably`` stays as written.
"""

from __future__ import annotations

import html
import re
from html.entities import html5
from typing import Any, Final

__all__ = ["decode_column", "decode_entities"]

# a number (decimal or hex) or a name (group 1), then ";"
_REFERENCE: Final = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|([A-Za-z][A-Za-z0-9]{1,31}));")
_ANY_CASE: Final = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}


def _one(found: re.Match[str]) -> str:
    name = found.group(1)
    if name is None:  # a number: HTML's rules (0, surrogates and beyond U+10FFFF -> U+FFFD)
        return html.unescape(found.group(0))
    char = html5.get(name + ";")
    if char is None:
        char = _ANY_CASE.get(name.lower())
    return found.group(0) if char is None else char


def decode_entities(text: str) -> str:
    """``text`` with each HTML character reference replaced by its character, in one pass."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(_one, text)


# what may start a reference; a column's text without one is passed on untouched
_START: Final = r"&(?:#[0-9]|#[xX][0-9a-fA-F]|[A-Za-z][A-Za-z0-9]{0,31};)"
_START_BYTES: Final = re.compile(_START.encode())


def _may_hold_reference(data: bytes) -> bool:
    """Whether the UTF-8 text ``data`` holds what may start a reference: each ``&`` is found by
    ``bytes.find`` (a ``memchr`` in C) and the pattern tried there only, where a search by
    the pattern would step through every byte of the column in the regex engine."""
    at = data.find(b"&")
    while at != -1:
        if _START_BYTES.match(data, at):
            return True
        at = data.find(b"&", at + 1)
    return False


def decode_column(values: Any, pool: Any = None) -> Any:
    """One column's strings decoded: a list of str / None, or a pyarrow string array (the
    result comes from ``pool``). Only values that may hold a reference are looked at: for an
    Arrow array, one scan of its text buffer, then the few rows that match."""
    if isinstance(values, list | tuple):
        if not any(v is not None and "&" in v for v in values):
            return values
        return [v if v is None or "&" not in v else decode_entities(v) for v in values]
    data = values.buffers()[2]
    if data is None or not _may_hold_reference(data.to_pybytes()):
        return values
    import pyarrow as pa  # type: ignore[import-untyped]  # only ever given Arrow arrays with it
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    mask = pc.match_substring_regex(values, _START, memory_pool=pool)
    if not pc.any(mask).as_py():  # the buffer's match lay outside this array's slice
        return values
    fixed = [decode_entities(v) for v in pc.filter(values, mask, memory_pool=pool).to_pylist()]
    return pc.replace_with_mask(values, mask, pa.array(fixed, type=values.type,
                                                       memory_pool=pool), memory_pool=pool)
