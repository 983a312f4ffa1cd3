"""The typed search request the dashboard sends (and caches on): one frozen value instead of
a long row of positional parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialfinder.tables.filters import LocalFilters

__all__ = ["SearchRequest", "local_filters"]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One submitted search. Text fields are stripped; ``""`` means not given.

    ``near`` is the resolved place (latitude, longitude); ``radius_mi`` applies only with it.
    """

    preset: str = ""
    condition: str = ""
    intervention: str = ""
    term: str = ""
    title: str = ""
    sponsor: str = ""
    ids: str = ""
    start_from: str = ""
    start_to: str = ""
    near: tuple[float, float] | None = None
    radius_mi: int = 50
    statuses: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    study_types: tuple[str, ...] = ()
    age: float | None = None
    sex: str = "ALL"
    hv: str = "any"
    has_results: str = "any"  # "yes" (with posted results), "no" (without) or "any"
    limit: int = 1000

    @classmethod
    def from_snapshot(cls, searched: Mapping[str, Any],
                      near: tuple[float, float] | None) -> SearchRequest:
        """The request of a submitted search (see :func:`trialfinder.views.urlstate.snapshot`)."""
        return cls(
            preset=searched["preset"], condition=searched["condition"],
            intervention=searched["intervention"], term=searched["term"],
            title=searched.get("title", ""), sponsor=searched.get("sponsor", ""),
            ids=searched.get("ids", ""), start_from=searched.get("start_from", ""),
            start_to=searched.get("start_to", ""), near=near,
            radius_mi=int(searched["radius"]), statuses=tuple(searched["status"]),
            phases=tuple(searched["phase"]), study_types=tuple(searched["study_type"]),
            age=searched["age"], sex=searched["sex"], hv=searched["hv"],
            has_results=str(searched["has_results"]), limit=int(searched["limit"]),
        )

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`trialfinder.service.searching.search` (without client, limit
        and progress)."""
        ids = tuple(i for i in self.ids.replace(",", " ").split() if i)
        return {
            "preset": self.preset or None,
            "condition": self.condition or None,
            "intervention": self.intervention or None,
            "term": self.term or None,
            "title": self.title or None,
            "sponsor": self.sponsor or None,
            "nct_ids": ids or None,
            "start_from": self.start_from or None,
            "start_to": self.start_to or None,
            "near": self.near,
            "radius": f"{self.radius_mi}mi" if self.near else None,
            "status": self.statuses,
            "phase": self.phases,
            "study_type": self.study_types,
            "age": self.age,
            "sex": None if self.sex == "ALL" else self.sex,
            "healthy_volunteers": {"yes": True, "no": False}.get(self.hv),
            "has_results": {"yes": True, "no": False}.get(self.has_results),
        }

    def demo_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`trialfinder.service.searching.search_records` on the demo
        set:
        the topic only (every filter applies afterwards, locally)."""
        ids = tuple(i for i in self.ids.replace(",", " ").split() if i)
        return {
            "preset": self.preset or None, "condition": self.condition or None,
            "intervention": self.intervention or None, "term": self.term or None,
            "nct_ids": ids or None,
        }


def local_filters(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
                  point: tuple[float, float] | None) -> LocalFilters:
    """The filter widgets of ``state`` as :class:`LocalFilters`, plus the search's place (for
    distances) and the start-date range it asked for. Raises ``InvalidQueryError`` for
    values the library refuses."""
    given = searched or {}
    return LocalFilters(
        statuses=tuple(state["status"]) or None,
        phases=tuple(state["phase"]) or None,
        study_types=tuple(state["study_type"]) or None,
        intervention_types=tuple(state["itype"]) or None,
        countries=tuple(state["country"]) or None,
        near=point,
        radius_mi=float(state["radius"]) if point else None,
        age=state["age"],
        sex=None if state["sex"] == "ALL" else state["sex"],
        healthy_volunteers={"yes": True, "no": False}.get(state["hv"]),
        has_results={"yes": True, "no": False}.get(state["has_results"]),
        keyword=state["keyword"] or None,
        start_from=given.get("start_from") or None,
        start_to=given.get("start_to") or None,
    )
