"""What is written beside an export: its provenance sidecar as JSON (:func:`meta_json_bytes`),
and the clean-up of temporary files killed exports left (:func:`clean_stale_tmp`).

Kept apart from :mod:`trialfinder.tables.export` (the CSV and JSON lines bytes) so the
exports that stream (:mod:`trialfinder.tables.exportpages`) and the dashboard's provenance
use the same rules.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
import time
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trialfinder.core.missing import is_blank
from trialfinder.core.provenance import ResultMeta

__all__ = ["STALE_TMP_SECONDS", "clean_stale_tmp", "json_default", "meta_json_bytes"]

#: A temporary export file older than this (seconds) was left by a killed export.
STALE_TMP_SECONDS = 15 * 60

_TMP_RE = re.compile(r"^\..+\.trialfinder-\d+-[0-9a-f]{8}\.tmp$")

logger = logging.getLogger(__name__)


def json_default(value: Any) -> Any:
    converted = _jsonable(value)
    if converted is value:
        raise TypeError(f"cannot write a {type(value).__name__} value as JSON")
    return converted


def _jsonable(value: Any) -> Any:
    """Plain JSON data from ``value`` (mappings, sequences, dates, enums, numpy...)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if is_blank(value):  # pd.NA, pd.NaT (None and floats are above)
        return None
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return [_jsonable(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple | np.ndarray | pd.Index | pd.Series):
        return [_jsonable(v) for v in list(value)]
    return value


def meta_json_bytes(meta: ResultMeta | Mapping[str, Any]) -> bytes:
    """``meta`` as pretty JSON (UTF-8, trailing newline). Dates, enums, paths, dataclasses,
    sets and numpy values are converted; NaN becomes ``null``; anything else is a TypeError.
    """
    data = _jsonable(meta.to_dict() if isinstance(meta, ResultMeta) else meta)
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False,
                      default=json_default)
    return (text + "\n").encode("utf-8")


def clean_stale_tmp(folder: Path, *, older_than: float = STALE_TMP_SECONDS,
                    now: float | None = None) -> list[Path]:
    """Remove the temporary files killed exports left in ``folder`` (only names this module
    makes, only when older than ``older_than`` seconds). Returns what was removed; a file that
    cannot be removed is left (and logged), never an error."""
    removed: list[Path] = []
    limit = (time.time() if now is None else now) - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TMP_RE.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat(
                    follow_symlinks=False).st_mtime > limit:
                continue
            os.unlink(entry.path)
        except OSError as exc:
            logger.debug("could not remove the stale export file %s: %s", entry.path, exc)
            continue
        logger.debug("removed a stale export file: %s", entry.path)
        removed.append(Path(entry.path))
    return removed


