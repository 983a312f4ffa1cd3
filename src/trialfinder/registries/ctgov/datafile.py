"""Study records from a file (the website's "Download JSON", an API answer saved to disk):
read with a size cap, parsed with a depth cap, deduplicated by NCT id. The file is data, never
code: JSON only."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import orjson

from trialfinder.core.bom import without_bom
from trialfinder.core.errors import (
    DataFileError,
    InvalidQueryError,
)

__all__ = ["MAX_FILE_MB", "MAX_JSON_DEPTH", "load_records", "max_file_bytes", "read_capped"]



# A data file bigger than this is refused before it is read: parsed, full study records take
# about 7 times the file's size in memory (a 97 MB download peaked at 800 MB), so 128 MB keeps
# a run near 1 GB. TRIALFINDER_MAX_FILE_MB changes it.
MAX_FILE_MB = 128
# No study record nests deeper than about a dozen levels; anything past this is refused before
# any code walks it (deep nesting makes recursive code fail with RecursionError).
MAX_JSON_DEPTH = 64


def max_file_bytes() -> int:
    """The size cap for :func:`load_records`: ``TRIALFINDER_MAX_FILE_MB`` or 128 MB."""
    raw = os.environ.get("TRIALFINDER_MAX_FILE_MB")
    if raw is None or raw.strip() == "":
        return MAX_FILE_MB * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        raise InvalidQueryError(
            f"TRIALFINDER_MAX_FILE_MB must be a number of megabytes above 0, not {raw!r}")
    return int(value * 1024 * 1024)


def load_records(path: str | Path, *, max_bytes: int | None = None) -> list[dict[str, Any]]:
    """Study records from a file: the website's JSON download (a bare array), one saved API
    page (``{"studies": [...]}``), a list of such pages, one study record, or JSON lines.

    Only regular files up to ``max_bytes`` (default :func:`max_file_bytes`) are read, and JSON
    nested deeper than :data:`MAX_JSON_DEPTH` levels is refused: each with a
    :class:`DataFileError` that says so."""
    file = Path(path)
    cap = max_file_bytes() if max_bytes is None else max_bytes
    data = _parse_data_file(read_capped(file, cap), file)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise DataFileError(f"{file} holds no study records")
    records: list[dict[str, Any]] = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("studies"), list):
            records.extend(item["studies"])
        else:
            records.append(item)
    if data and not any(isinstance(r, dict) and "protocolSection" in r for r in records):
        raise DataFileError(
            f"{file} holds no ClinicalTrials.gov study records (no 'protocolSection' found)"
        )
    return records


def _mb(nbytes: int) -> str:
    return f"{nbytes / (1024 * 1024):,.0f} MB" if nbytes >= 1024 * 1024 else f"{nbytes:,} bytes"


def read_capped(file: Path, cap: int) -> bytes:
    """The bytes of ``file`` if it is a regular file of at most ``cap`` bytes. Devices, pipes
    and folders are refused before they are opened for reading; a file that grows past the cap
    while being read is refused too. Nothing past ``cap + 1`` bytes is ever read."""
    too_big = (f"{file} is over the {_mb(cap)} limit for a data file "
               "(TRIALFINDER_MAX_FILE_MB raises it)")
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise DataFileError(f"{file} is {kind}, not a data file")
        if info.st_size > cap:
            raise DataFileError(too_big)
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the first look
                raise DataFileError(f"{file} is not a regular file")
            raw = handle.read(cap + 1)
    except OSError as exc:
        raise DataFileError(f"cannot read {file}: {exc.strerror or exc}") from None
    if len(raw) > cap:
        raise DataFileError(too_big)
    return raw


def _parse_data_file(raw: bytes, file: Path) -> Any:
    """One JSON document, or else JSON lines; refused when nested too deep. A leading UTF-8
    byte order mark is read past, as in an API answer."""
    raw = without_bom(raw)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        _refuse_if_too_deep(exc, file)
        data = []
        for number, line in enumerate(io.BytesIO(raw), start=1):
            if not line.strip():
                continue
            try:
                data.append(orjson.loads(line))
            except orjson.JSONDecodeError as line_exc:
                _refuse_if_too_deep(line_exc, file)
                raise DataFileError(
                    f"{file} is not JSON (line {number}; expected a ClinicalTrials.gov "
                    "download)") from None
    if _deeper_than(data, MAX_JSON_DEPTH):
        _refuse_deep(file)
    return data


def _refuse_if_too_deep(exc: orjson.JSONDecodeError, file: Path) -> None:
    # orjson stops at 1,024 levels with "depth limit exceeded" (older: "recursion limit").
    if "depth" in str(exc) or "recursion" in str(exc):
        _refuse_deep(file)


def _refuse_deep(file: Path) -> NoReturn:
    raise DataFileError(
        f"{file} nests its JSON deeper than {MAX_JSON_DEPTH} levels; no study download does")


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels deep (a loop, not
    recursion: it cannot overflow the stack whatever the input)."""
    if not isinstance(data, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def dedupe(records: Iterable[Any]) -> tuple[list[Any], int]:
    """Keep the first record of each NCT id (records without one pass through untouched)."""
    seen: set[str] = set()
    kept: list[Any] = []
    duplicates = 0
    for record in records:
        try:
            nct = record["protocolSection"]["identificationModule"]["nctId"]
        except (KeyError, TypeError):
            nct = None
        if isinstance(nct, str):
            if nct in seen:
                duplicates += 1
                continue
            seen.add(nct)
        kept.append(record)
    return kept, duplicates
