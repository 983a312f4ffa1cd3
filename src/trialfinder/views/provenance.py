"""The one place the dashboard reads a result's provenance (its typed ``ResultMeta``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from trialfinder.core.provenance import ResultMeta
from trialfinder.tables.export import meta_json_bytes

__all__ = ["MetaView", "download_name", "mark_fictional", "meta_json", "read_meta"]


class _HasMeta(Protocol):
    @property
    def meta(self) -> ResultMeta: ...


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


def read_meta(result: _HasMeta) -> MetaView:
    """The provenance of ``result`` (a :class:`trialfinder.service.searching.Results`)."""
    meta = result.meta
    status = meta.query.get("filter.overallStatus")
    return MetaView(
        studies_fetched=meta.studies_fetched,
        total_reported=meta.total_reported,
        data_timestamp=meta.data_timestamp or None,
        fetched_at=meta.fetched_at or None,
        status_param=status or None,
        truncated=meta.truncated,
        warnings=tuple(meta.warnings),
    )


def meta_json(result: _HasMeta, *, demo: bool = False) -> bytes:
    """The provenance file offered for download (marked when the data are the demo's)."""
    meta = result.meta.to_dict()
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
