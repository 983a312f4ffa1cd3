"""Where an export goes: the endings we write, the checks on an output path, the sidecar's name.

Kept apart from :mod:`trialfinder.tables.export` (which loads pandas) so the command line can
refuse a bad ``--output`` at once, before anything heavy is loaded or any request is sent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from trialfinder.core.delivery import check_parent
from trialfinder.core.errors import DataFileError, InvalidQueryError

__all__ = ["SUFFIX_FORMATS", "ExportFormat", "check_output_path", "format_for_path",
           "sidecar_path"]

ExportFormat = Literal["csv", "jsonl", "parquet"]

#: The file name endings we write, and the format each one means.
SUFFIX_FORMATS: dict[str, ExportFormat] = {
    ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet",
}
#: Endings that name no format, allowed only when the format is given (``--format csv``).
_PLAIN_SUFFIXES = ("", ".txt")


def sidecar_path(path: Path) -> Path:
    """The provenance file of an export: ``out/studies.csv`` -> ``out/studies.csv.meta.json``
    (one per file, so a CSV and a JSON-lines export of the same name keep their own)."""
    path = Path(path)
    return path.with_name(path.name + ".meta.json")


def format_for_path(path: Path, wanted: ExportFormat | None = None) -> ExportFormat:
    """The format to write ``path`` in: ``wanted`` when given, else the one its ending names
    (:data:`SUFFIX_FORMATS`). An ending we do not write (``.xlsx``), or one that names another
    format than ``wanted``, raises :class:`InvalidQueryError`; a file without an ending (or a
    ``.txt``) needs ``wanted``."""
    suffix = path.suffix.lower()
    named = SUFFIX_FORMATS.get(suffix)
    if named is not None:
        if wanted is not None and wanted != named:
            raise InvalidQueryError(
                f"{path.name!r} names {_LABELS[named]} but {_LABELS[wanted]} was asked for")
        return named
    if wanted is not None and suffix in _PLAIN_SUFFIXES:
        return wanted
    plain = suffix in _PLAIN_SUFFIXES  # no ending, or .txt: a format given would do
    what = f"{path.name!r} without a format" if plain else f"{suffix} files"
    raise InvalidQueryError(
        f"cannot write {what}: trialfinder writes CSV (.csv), JSON lines (.jsonl, .json, "
        ".ndjson) and Parquet (.parquet); choose one of those endings"
        + (", or give the format (--format csv, json or parquet)" if plain else ""))


_LABELS: dict[str, str] = {"csv": "CSV", "jsonl": "JSON lines", "parquet": "Parquet"}


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """One clear error for an output path that cannot be an export file; the path as a
    :class:`~pathlib.Path` when it can be one.

    Decided on the name as written, before :class:`~pathlib.Path` shortens it: an empty name
    and a bare ``-`` (standard output, to many tools) are bad input
    (:class:`InvalidQueryError`), while ``./-`` names a file in the current folder. (A
    ``Path("./-")`` is already ``Path("-")``, and refused as ``-`` is.)"""
    text = os.fspath(path)
    if not text:
        raise InvalidQueryError("the output file name is empty; give a file name such as "
                                "studies.csv")
    if text == "-":  # many tools read it as standard output: never a file named "-"
        raise InvalidQueryError("'-' is not a file name here: to write to standard output, "
                                "leave out the output file and give --format csv, json or "
                                "parquet")
    out = Path(text)
    if not out.name or out.name in {".", ".."} or text.endswith(("/", "\\")):
        raise DataFileError(f"{text!r} is a folder; give a file name such as studies.csv")
    if out.is_dir():
        raise DataFileError(f"{out} is a folder; give a file name such as {out / 'studies.csv'}")
    if out.exists() and not out.is_file():
        raise DataFileError(f"{out} exists and is not a regular file; choose another name")
    check_parent(out)  # the file is made, no folder above it (as `store export` does)
    return out
