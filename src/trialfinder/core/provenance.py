"""ResultMeta: what a search did, typed. It travels with every :class:`~trialfinder.Results`
and is written next to an export as its provenance file (``NAME.meta.json``).

The field names are the keys of the provenance JSON, so :meth:`ResultMeta.to_dict` and
:meth:`ResultMeta.from_dict` round-trip through plain JSON (the saved-tables cache keeps it that
way too). :meth:`from_dict` checks every value's type and refuses unknown keys, so an edited
or foreign file gives one clear :class:`~trialfinder.core.errors.DataFileError`, never a half-read
record.

This module imports nothing heavy (no pandas): the CLI and the cache read it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from trialfinder._version import __version__
from trialfinder.core.errors import DataFileError

__all__ = ["EXPORT_KEYS", "FilterCount", "ResultMeta"]

#: Keys an export adds to the provenance file (see ``tables.export.write_export``; ``fictional``
#: marks invented studies, see ``topics.demo.shows_fictional``);
#: :meth:`ResultMeta.from_dict` skips them, so a sidecar reads back as its ResultMeta.
EXPORT_KEYS: frozenset[str] = frozenset(
    {"file", "format", "encoding", "written_at", "rows_written", "columns", "fictional"}
)

#: Fields written only when set (they belong to one kind of search).
_OPTIONAL = ("answered_from", "records_read", "topic", "registries")


@dataclass(frozen=True, slots=True)
class FilterCount:
    """How many studies one local filter removed (``Results.steps`` in short)."""

    name: str
    removed: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ResultMeta:
    """Where a result came from and how complete it is.

    ``total_reported`` is the API's ``totalCount`` (``None`` for a local file);
    ``truncated`` says a limit cut the fetch short; ``warnings`` are sentences for people.
    Search-only: ``answered_from`` (the API, the HTTP cache or saved tables). File-only:
    ``records_read`` (studies in the file) and ``topic`` (the phrases that picked them).
    ``filters`` and ``rows`` describe the local filters applied last.
    """

    tool: str = f"trialfinder {__version__}"
    source: str = ""
    query: Mapping[str, str] = field(default_factory=dict)
    api_version: str | None = None
    data_timestamp: str | None = None
    fetched_at: str | None = None
    total_reported: int | None = None
    studies_fetched: int = 0
    truncated: bool = False
    requests: int = 0
    bytes: int = 0
    pages_from_cache: int = 0
    records_skipped: int = 0
    problems: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    answered_from: str | None = None
    records_read: int | None = None
    topic: tuple[str, ...] | None = None
    #: the registries searched, by name, when not ClinicalTrials.gov alone
    registries: tuple[str, ...] | None = None
    filters: tuple[FilterCount, ...] = ()
    rows: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "query", dict(self.query))
        set_(self, "problems", dict(self.problems))
        set_(self, "rows", dict(self.rows))
        set_(self, "warnings", tuple(self.warnings))
        if self.topic is not None:
            set_(self, "topic", tuple(self.topic))
        if self.registries is not None:
            set_(self, "registries", tuple(self.registries))
        set_(self, "filters", tuple(self.filters))

    def replace(self, **changes: Any) -> ResultMeta:
        """A copy with some fields changed."""
        return replace(self, **changes)

    # -- plain JSON ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (lists and dicts), keys in field order; unset optional fields
        (``answered_from``, ``records_read``, ``topic``, ``registries``) are left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _OPTIONAL and value is None:
                continue
            if f.name == "filters":
                value = [{"name": s.name, "removed": s.removed, "note": s.note} for s in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResultMeta:
        """A ResultMeta from :meth:`to_dict`'s output (or a provenance file). Every value is
        checked; a wrong type or an unknown key raises :class:`DataFileError`."""
        if not isinstance(data, Mapping):
            raise DataFileError(f"provenance must be a JSON object, not {_kind(data)}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known and k not in EXPORT_KEYS)
        if unknown:
            raise DataFileError(f"provenance has unknown field(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name in known:
                values[name] = _CHECKS[name](name, value)
        return cls(**values)

    # -- read like the old dict (for code written before ResultMeta) -------------------------

    def __getitem__(self, key: str) -> Any:
        """``meta["total_reported"]`` as with the old dict; prefer ``meta.total_reported``."""
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def keys(self) -> Iterator[str]:
        return iter(self.to_dict())


# -- validation of plain JSON values -------------------------------------------------------


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null"}.get(type(value), type(value).__name__)


def _fail(name: str, want: str, value: object) -> DataFileError:
    return DataFileError(f"provenance field {name!r} must be {want}, not {_kind(value)}")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(name, "text", value)
    return value


def _text_or_none(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(name, "a whole number of 0 or more", value)
    return value


def _count_or_none(name: str, value: Any) -> int | None:
    return None if value is None else _count(name, value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, "true or false", value)
    return value


def _texts(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(name, "a list of texts", value)
    return tuple(value)


def _texts_or_none(name: str, value: Any) -> tuple[str, ...] | None:
    return None if value is None else _texts(name, value)


def _text_map(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _fail(name, "an object of texts", value)
    return dict(value)


def _count_map(name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise _fail(name, "an object of counts", value)
    return {k: _count(f"{name}.{k}", v) for k, v in value.items()}


def _filter_counts(name: str, value: Any) -> tuple[FilterCount, ...]:
    if not isinstance(value, list):
        raise _fail(name, "a list of filter counts", value)
    out = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"name", "removed", "note"}:
            raise _fail(name, "a list of {name, removed, note} objects", item)
        out.append(FilterCount(name=_text(f"{name}.name", item.get("name")),
                               removed=_count(f"{name}.removed", item.get("removed")),
                               note=_text_or_none(f"{name}.note", item.get("note"))))
    return tuple(out)


_CHECKS: dict[str, Any] = {
    "tool": _text, "source": _text, "query": _text_map, "api_version": _text_or_none,
    "data_timestamp": _text_or_none, "fetched_at": _text_or_none,
    "total_reported": _count_or_none, "studies_fetched": _count, "truncated": _flag,
    "requests": _count, "bytes": _count, "pages_from_cache": _count,
    "records_skipped": _count, "problems": _count_map, "warnings": _texts,
    "answered_from": _text_or_none, "records_read": _count_or_none, "topic": _texts_or_none,
    "registries": _texts_or_none,
    "filters": _filter_counts, "rows": _count_map,
}
