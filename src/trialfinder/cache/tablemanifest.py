"""A saved-tables entry's manifest (see :mod:`trialfinder.cache.tablecache`): what it must
hold, and the check of one read back from the cache folder (hostile until checked)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from trialfinder.cache.tableparquet import Unusable as _Unusable
from trialfinder.core.folders import os_reason
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES

__all__ = ["COLUMNS_ID", "DATA_NAME", "FORMAT", "LEGACY_NAME", "MANIFEST_NAME",
           "MAX_MANIFEST_BYTES", "SCHEMA_VERSION", "TEMP_NAME", "checked_file", "named_files",
           "part_name", "read_manifest"]

FORMAT: Final = "trialfinder saved tables"
# 1 was a pickle per search; 2 had no contacts or officials; 3 kept HTML references as sent;
# 4 had no source column; 5 had one file per table, not parts
SCHEMA_VERSION: Final = 6
# Changes whenever a declared column or dtype changes, so older entries are dropped.
COLUMNS_ID: Final = hashlib.sha256(
    json.dumps({name: list(d.items()) for name, d in TABLE_DTYPES.items()}).encode()
).hexdigest()[:16]
MAX_MANIFEST_BYTES: Final = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")

# The names of an entry's files in the folder: its manifest, its tables' parts (the first part
# has no number), the temporary files of a write under way (a process and thread each), and
# the pickles earlier builds wrote (only removed).
_KEY = r"[0-9a-f]{32}"
_TABLE = "|".join(TABLE_NAMES)
MANIFEST_NAME: Final = re.compile(rf"({_KEY})\.json")
DATA_NAME: Final = re.compile(rf"({_KEY})\.({_TABLE})(?:\.[1-9]\d{{0,8}})?\.parquet")
TEMP_NAME: Final = re.compile(rf"({_KEY})\.({_TABLE}|json)(?:\.\d+)?\.\d+-\d+\.tmp")
LEGACY_NAME: Final = re.compile(rf"{_KEY}\.pickle")


def named_files(folder: Path, names: re.Pattern[str], key: str) -> list[Path]:
    """The files in ``folder`` whose name ``names`` matches for the entry ``key``, sorted."""
    try:
        return sorted(p for p in folder.iterdir()
                      if (m := names.fullmatch(p.name)) and m[1] == key)
    except OSError:
        return []


def part_name(key: str, table: str, part: int) -> str:
    """The file of part ``part`` (from 0) of table ``table`` of entry ``key``: the first part
    is ``<key>.<table>.parquet``, the next ones ``<key>.<table>.<part>.parquet``."""
    return f"{key}.{table}.parquet" if part == 0 else f"{key}.{table}.{part}.parquet"


def read_manifest(path: Path, key: str) -> dict[str, Any]:
    """The checked manifest of entry ``key`` at ``path``, its date parsed: each table's parts
    listed in order, each named as :func:`part_name` names it (so a manifest can name no
    other file) with its checksum and rows, which add up to the table's rows;
    :class:`~trialfinder.cache.tableparquet.Unusable` when it is not one of ours,
    ``FileNotFoundError`` when there is none."""
    data = _read_small(path, MAX_MANIFEST_BYTES)
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise _Unusable("the manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _Unusable("the manifest is not one of ours")
    if manifest.get("schema_version") != SCHEMA_VERSION or \
            manifest.get("columns") != COLUMNS_ID:
        raise _Unusable("it was saved by another version of trialfinder")
    if manifest.get("key") != key:
        raise _Unusable("the manifest belongs to another search")
    try:
        created = datetime.fromisoformat(manifest["created"])
    except (KeyError, TypeError, ValueError):
        raise _Unusable("the manifest has no valid date") from None
    if created.tzinfo is None:
        raise _Unusable("the manifest has no valid date")
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(TABLE_NAMES):
        raise _Unusable("the manifest does not list every table")
    for name in TABLE_NAMES:
        entry = files[name]
        parts = entry.get("parts") if isinstance(entry, dict) else None
        if not (isinstance(parts, list) and parts and _count(entry.get("rows"))
                and all(_part(part, part_name(key, name, n)) for n, part in enumerate(parts))
                and sum(part["rows"] for part in parts) == entry["rows"]):
            raise _Unusable(f"the manifest entry for {name} is malformed")
    problems = manifest.get("problems")
    if not (isinstance(problems, dict) and all(
            isinstance(k, str) and _count(v) for k, v in problems.items())):
        raise _Unusable("the manifest's problem counts are malformed")
    if not _count(manifest.get("skipped")) or not isinstance(manifest.get("info"), dict):
        raise _Unusable("the manifest's search report is malformed")
    manifest["created"] = created
    return manifest


def _part(part: Any, file: str) -> bool:
    """Whether ``part`` lists the file ``file`` with a checksum and a row count."""
    return (isinstance(part, dict) and part.get("file") == file
            and isinstance(part.get("sha256"), str) and bool(_SHA256.fullmatch(part["sha256"]))
            and _count(part.get("rows")))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_small(path: Path, cap: int) -> bytes:
    """The bytes of a small regular file; :class:`_Unusable` when it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _Unusable(f"{path.name} cannot be read: {os_reason(exc)}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            raise _Unusable(f"{path.name} is not a manifest (too big or not a file)")
        try:
            return handle.read(cap + 1)
        except OSError as exc:
            raise _Unusable(f"{path.name} cannot be read: {os_reason(exc)}") from None


def checked_file(path: Path, sha256: str) -> BinaryIO:
    """``path`` open for reading, at its start, once it is a regular file whose bytes match
    ``sha256``; :class:`~trialfinder.cache.tableparquet.Unusable` (the file closed) when not."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise _Unusable(f"{path.name} is missing") from None
    except OSError as exc:
        raise _Unusable(f"{path.name} cannot be read: {os_reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _Unusable(f"{path.name} is not a regular file")
        try:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            raise _Unusable(f"{path.name} cannot be read: {os_reason(exc)}") from None
        if digest != sha256:
            raise _Unusable(f"{path.name} does not match its checksum")
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle

