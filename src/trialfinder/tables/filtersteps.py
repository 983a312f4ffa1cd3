"""The steps of one :func:`~trialfinder.tables.filters.apply_filters` pass: one function per
name of :data:`FILTER_ORDER`, each narrowing the running mask and recording a
:class:`~trialfinder.tables.filterspec.FilterStep` with how many studies it removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from trialfinder.core.wording import plural
from trialfinder.places.geo import haversine_miles
from trialfinder.tables.filterspec import DATE_RANGES, FilterStep, LocalFilters, TablesLike
from trialfinder.tables.keywordfilter import by_keyword
from trialfinder.tables.masks import (
    BoolArray,
    bools,
    by_age,
    by_date_range,
    by_funder_type,
    by_has_results,
    by_healthy_volunteers,
    by_intervention_type,
    by_phase,
    by_sex,
    by_start_date,
    by_status,
    by_study_type,
    floats,
)
from trialfinder.tables.sitefilter import SITE_MATCHERS, site_owner, studies_with

__all__ = [
    "FILTER_ORDER",
    "STEPS",
    "Run",
]

#: The order in which :func:`apply_filters` applies the active filters.
FILTER_ORDER: tuple[str, ...] = (
    "statuses", "phases", "study_types", "intervention_types", "sex", "age",
    "healthy_volunteers", "start", "has_results", "countries", "states", "cities", "near",
    "keyword", "funder_types", *DATE_RANGES,
)


def _list(values: Iterable[str]) -> str:
    return ", ".join(values)


class Pass:
    """Keeps the running mask and the steps of one :func:`apply_filters` call."""

    def __init__(self, n: int) -> None:
        self.keep = np.ones(n, dtype=bool)
        self.steps: list[FilterStep] = []

    def apply(self, name: str, mask: BoolArray, note: str | None = None) -> None:
        removed = int(np.count_nonzero(self.keep & ~mask))
        self.keep &= mask
        self.steps.append(FilterStep(name, removed, note))

    def count(self, condition: BoolArray) -> int:
        """How many still-kept studies meet ``condition`` (for notes)."""
        return int(np.count_nonzero(self.keep & condition))


class Run(Pass):
    """One :func:`apply_filters` call: the running mask plus what the steps share (which study
    owns each site, distances), worked out once and only when a step needs it."""

    def __init__(self, tables: TablesLike, f: LocalFilters) -> None:
        super().__init__(len(tables.studies))
        self.studies, self.sites, self.f = tables.studies, tables.sites, f
        self.n = len(tables.studies)
        self.owner: npt.NDArray[np.intp] | None = None
        self.miles: npt.NDArray[np.float64] | None = None
        if f.countries or f.states or f.cities or f.near is not None:
            self.owner = site_owner(self.studies, self.sites)
            self.with_sites = studies_with(self.owner, np.ones(len(self.sites), dtype=bool),
                                            self.n)


def _step_statuses(r: Run) -> None:
    if r.f.statuses:
        r.apply(f"status {_list(r.f.statuses)}", by_status(r.studies, r.f.statuses).to_numpy())


def _step_phases(r: Run) -> None:
    if r.f.phases:
        mask = by_phase(r.studies, r.f.phases).to_numpy()
        none = r.count(r.studies["phases"].isna().to_numpy())
        r.apply(f"phase {_list(r.f.phases)}", mask,
                f"{plural(none, 'study')} with no phase removed" if none else None)


def _step_study_types(r: Run) -> None:
    if r.f.study_types:
        r.apply(f"study type {_list(r.f.study_types)}",
                by_study_type(r.studies, r.f.study_types).to_numpy())


def _step_intervention_types(r: Run) -> None:
    if r.f.intervention_types:
        mask = by_intervention_type(r.studies, r.f.intervention_types).to_numpy()
        none = r.count(r.studies["intervention_types"].isna().to_numpy())
        r.apply(f"intervention type {_list(r.f.intervention_types)}", mask,
                f"{plural(none, 'study')} with no intervention listed removed"
                if none else None)


def _step_sex(r: Run) -> None:
    if r.f.sex:
        unstated = r.count(r.studies["sex"].isna().to_numpy())
        r.apply(f"sex {r.f.sex}", by_sex(r.studies, r.f.sex).to_numpy(),
                f"{plural(unstated, 'study')} with no sex stated kept" if unstated else None)


def _step_age(r: Run) -> None:
    if r.f.age is not None:
        mask = by_age(r.studies, r.f.age).to_numpy()
        open_ended = (r.studies["min_age_years"].isna() | r.studies["max_age_years"].isna())
        no_limit = r.count(mask & open_ended.to_numpy())
        r.apply(f"age {r.f.age:g}", mask,
                f"{plural(no_limit, 'study')} with no age limit kept" if no_limit else None)


def _step_healthy_volunteers(r: Run) -> None:
    if r.f.healthy_volunteers is not None:
        _true, missing = bools(r.studies["healthy_volunteers"])
        unknown = r.count(missing)
        verb = "removed" if r.f.healthy_volunteers else "kept"
        r.apply(
            "accepts healthy volunteers" if r.f.healthy_volunteers
            else "does not accept healthy volunteers",
            by_healthy_volunteers(r.studies, r.f.healthy_volunteers).to_numpy(),
            f"{plural(unknown, 'study')} not stating it {verb}" if unknown else None,
        )


def _step_start(r: Run) -> None:
    f, studies = r.f, r.studies
    if f.start_from or f.start_to:
        no_date = studies["start_date"].isna().to_numpy()
        undated = r.count(no_date)
        unreadable = 0  # a date was sent but could not be stored (e.g. 0001-01-01): unknown
        if "start_date_raw" in studies.columns:
            unreadable = r.count(no_date & studies["start_date_raw"].notna().to_numpy())
        note = f"{plural(undated, 'study')} with no start date removed" if undated else None
        if note and unreadable:
            note = note[: -len(" removed")] + f" ({unreadable:,} with an unreadable date) removed"
        label = (f"start {f.start_from or '…'} to {f.start_to or '…'}")
        r.apply(label, by_start_date(studies, f.start_from, f.start_to).to_numpy(), note)


def _step_has_results(r: Run) -> None:
    if r.f.has_results is not None:
        r.apply("has results" if r.f.has_results else "no results posted",
                by_has_results(r.studies, r.f.has_results).to_numpy())


def _site_step(column: str, label: str) -> Callable[[Run], None]:
    def step(r: Run) -> None:
        wanted = getattr(r.f, column)
        if wanted and r.owner is not None:
            mask = studies_with(r.owner, SITE_MATCHERS[label](r.sites[label], wanted), r.n)
            siteless = r.count(~r.with_sites)
            r.apply(f"{label} {_list(wanted)}", mask,
                    f"{plural(siteless, 'study')} with no sites removed" if siteless else None)

    return step


def _step_near(r: Run) -> None:
    if r.f.near is None or r.owner is None:
        return
    lat, lon = r.f.near
    r.miles = miles = haversine_miles(lat, lon, floats(r.sites["lat"]), floats(r.sites["lon"]))
    if r.f.radius_mi is not None:
        located = ~np.isnan(miles)
        with np.errstate(invalid="ignore"):
            within = miles <= r.f.radius_mi
        live_sites = (r.owner >= 0) & r.keep[np.maximum(r.owner, 0)]
        unlocated = int(np.count_nonzero(live_sites & ~located))
        no_point = r.count(~studies_with(r.owner, located, r.n))
        notes = []
        if unlocated:
            notes.append(f"{plural(unlocated, 'site')} without coordinates ignored")
        if no_point:
            notes.append(f"{plural(no_point, 'study')} with no located site removed")
        r.apply(f"within {r.f.radius_mi:g} mi of {r.f.near_name or f'{lat:g}, {lon:g}'}",
                studies_with(r.owner, within, r.n), "; ".join(notes) or None)


def _step_keyword(r: Run) -> None:
    if r.f.keyword:
        live = np.flatnonzero(r.keep)
        mask = np.zeros(r.n, dtype=bool)
        mask[live] = by_keyword(r.studies.iloc[live], r.f.keyword).to_numpy()
        r.apply(f"keyword {r.f.keyword!r}", mask)


def _step_funder_types(r: Run) -> None:
    if r.f.funder_types:
        r.apply(f"funder {_list(r.f.funder_types)}",
                by_funder_type(r.studies, r.f.funder_types).to_numpy())


def _date_step(prefix: str) -> Callable[[Run], None]:
    column, words = DATE_RANGES[prefix]

    def step(r: Run) -> None:
        low, high = getattr(r.f, f"{prefix}_from"), getattr(r.f, f"{prefix}_to")
        if low or high:
            undated = r.count(r.studies[column].isna().to_numpy())
            r.apply(f"{words} {low or '…'} to {high or '…'}",
                    by_date_range(r.studies, column, low, high).to_numpy(),
                    f"{plural(undated, 'study')} with no {words} removed" if undated else None)

    return step


#: Each filter's step, by its name in :data:`FILTER_ORDER`.
STEPS: dict[str, Callable[[Run], None]] = {
    "statuses": _step_statuses, "phases": _step_phases, "study_types": _step_study_types,
    "intervention_types": _step_intervention_types, "sex": _step_sex, "age": _step_age,
    "healthy_volunteers": _step_healthy_volunteers, "start": _step_start,
    "has_results": _step_has_results, "countries": _site_step("countries", "country"),
    "states": _site_step("states", "state"), "cities": _site_step("cities", "city"),
    "near": _step_near, "keyword": _step_keyword, "funder_types": _step_funder_types,
    **{prefix: _date_step(prefix) for prefix in DATE_RANGES},
}
