"""The one place the dashboard reads a result's provenance.

Today a result carries a ``meta`` mapping; when it becomes a typed ``ResultMeta`` only
:func:`read_meta` changes (the attribute names are the keys used here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from trialfinder.tables.export import meta_json_bytes

__all__ = ["MetaView", "download_name", "mark_fictional", "meta_json", "read_meta"]


class _HasMeta(Protocol):
    @property
    def meta(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class MetaView:
    """What the page says about where a result came from."""

    studies_fetched: int | None
    total_reported: int | None
    data_timestamp: str | None
    fetched_at: str | None
    status_param: str | None  # the ``filter.overallStatus`` sent, if any
    truncated: bool
    warnings: tuple[str, ...]


def _int(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def read_meta(result: _HasMeta) -> MetaView:
    """The provenance of ``result`` (a :class:`trialfinder.service.Results`)."""
    meta = result.meta
    query = meta.get("query")
    status = query.get("filter.overallStatus") if isinstance(query, Mapping) else None
    return MetaView(
        studies_fetched=_int(meta.get("studies_fetched")),
        total_reported=_int(meta.get("total_reported")),
        data_timestamp=_str(meta.get("data_timestamp")),
        fetched_at=_str(meta.get("fetched_at")),
        status_param=_str(status),
        truncated=bool(meta.get("truncated")),
        warnings=tuple(str(w) for w in meta.get("warnings", ()) or ()),
    )


def meta_json(result: _HasMeta, *, demo: bool = False) -> bytes:
    """The provenance file offered for download (marked when the data are the demo's)."""
    meta = dict(result.meta)
    # counted from the result itself, so filters applied after the library's are included
    meta["filters"] = [{"name": s.name, "removed": s.removed, "note": s.note}
                       for s in getattr(result, "steps", ())]
    if hasattr(result, "studies") and hasattr(result, "sites"):
        meta["rows"] = {"studies": len(result.studies), "sites": len(result.sites)}
    if demo:
        meta["fictional"] = "invented demo studies, not from ClinicalTrials.gov"
    return meta_json_bytes(meta)


FICTIONAL_COLUMN = "fictional_demo_data"


def mark_fictional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a first column saying every row is an invented demo study."""
    marker = pd.DataFrame({FICTIONAL_COLUMN: ["yes"] * len(frame)}, index=frame.index)
    return pd.concat([marker, frame], axis=1)


def download_name(kind: str, extension: str, *, demo: bool) -> str:
    """``trialfinder-studies.csv``, or ``trialfinder-DEMO-fictional-studies.csv``."""
    prefix = "trialfinder-DEMO-fictional" if demo else "trialfinder"
    return f"{prefix}-{kind}.{extension}"
