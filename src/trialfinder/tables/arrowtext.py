"""A text column as one pyarrow array, for pyarrow's fast kernels (hash look-ups, RE2 search).

pyarrow is optional: :func:`arrow_strings` raises ``ImportError`` without it, and each caller
keeps a plain-Python way to the same answer.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

__all__ = ["arrow_strings"]


def arrow_strings(values: pd.Series[Any], *, chunked: bool = False) -> Any:
    """``values`` as one pyarrow ``large_string`` Array (no copy for ``string[pyarrow]``);
    with ``chunked``, the chunks pandas keeps are left as they are (no copy at all, where one
    Array would copy every chunk into one)."""
    pa: Any = importlib.import_module("pyarrow")
    array = values.array
    if hasattr(array, "__arrow_array__"):
        converted = array.__arrow_array__()
    else:
        converted = pa.array(values.to_numpy(dtype=object), from_pandas=True)
    if isinstance(converted, pa.ChunkedArray) and not chunked:
        converted = converted.combine_chunks()
    return converted.cast(pa.large_string())
