"""Local filters over the normalized tables, reporting how many studies each one removed.

Everything here is a pure function: the input frames are never modified, and results are
new frames. :func:`apply_filters` is the main entry; the ``by_*`` functions compute one
filter's study mask each (a boolean Series aligned with ``studies.index``) and are public so
they can be tested and reused.

Semantics (see also :class:`LocalFilters`):

* statuses / study types: ``studies.status`` / ``studies.study_type`` is one of the codes.
* phases / intervention types: the ``"|"``-joined column holds **any** of the codes.
* sex ``FEMALE`` or ``MALE``: studies for that sex or ``ALL``; a study with no sex stated is
  kept (and counted in the step's note).
* age: ``min_age_years <= age <= max_age_years``; a missing limit is no limit (kept and
  counted).
* healthy volunteers ``True``: studies that accept them; ``False``: studies that do not say
  they accept them (unknown ones are kept and counted).
* start date: the study's start (at its precision: ``2023-05`` is all of May 2023) overlaps
  ``start_from..start_to`` (each ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, inclusive, a partial
  bound covering its whole month or year). Studies without a start date are removed and
  counted.
* countries / states / cities: at least one site of the study is there (case-, accent- and
  space-insensitive exact match on the ``sites`` table).
* near + radius_mi: at least one site lies within the radius. Sites without coordinates are
  ignored and counted. ``near`` without ``radius_mi`` only computes distances.
* keyword: a case-insensitive substring of title, brief_summary, conditions, interventions or
  keywords.

Filters are applied in the order of :data:`FILTER_ORDER`; each :class:`FilterStep` counts the
studies removed by that filter among those the previous ones kept.

The parts live in their own modules, and every name is also importable from here:
:mod:`~trialfinder.tables.filterspec` (:class:`LocalFilters`, checked when made, and the
result types), :mod:`~trialfinder.tables.masks` (the ``by_*`` masks of the study fields),
:mod:`~trialfinder.tables.keywordfilter`, :mod:`~trialfinder.tables.sitefilter` (places and
distances of sites), :mod:`~trialfinder.tables.countries` (country names) and
:mod:`~trialfinder.tables.filtersteps` (one step per name of :data:`FILTER_ORDER`). This
module runs the pass and assembles its output.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.tables.countries import COUNTRY_ALIASES
from trialfinder.tables.filterspec import (
    INTERVENTION_TYPES,
    FilterOutcome,
    FilterStep,
    LocalFilters,
    TablesLike,
)
from trialfinder.tables.filtersteps import FILTER_ORDER, STEPS, Pass, Run
from trialfinder.tables.keywordfilter import (
    KEYWORD_COLUMNS,
    by_keyword,
    keyword_pattern,
    keyword_terms,
)
from trialfinder.tables.masks import (
    by_age,
    by_has_results,
    by_healthy_volunteers,
    by_intervention_type,
    by_phase,
    by_sex,
    by_start_date,
    by_status,
    by_study_type,
)
from trialfinder.tables.sitefilter import (
    by_distance,
    by_site_location,
    join_site_label,
    nearest,
    positions,
    site_distances,
)

__all__ = [
    "COUNTRY_ALIASES",
    "FILTER_ORDER",
    "INTERVENTION_TYPES",
    "KEYWORD_COLUMNS",
    "FilterOutcome",
    "FilterStep",
    "LocalFilters",
    "TablesLike",
    "apply_filters",
    "by_age",
    "by_distance",
    "by_has_results",
    "by_healthy_volunteers",
    "by_intervention_type",
    "by_keyword",
    "by_phase",
    "by_sex",
    "by_site_location",
    "by_start_date",
    "by_status",
    "by_study_type",
    "keyword_pattern",
    "keyword_terms",
    "site_distances",
]


def apply_filters(tables: TablesLike, f: LocalFilters) -> FilterOutcome:
    """Apply every active filter of ``f`` to ``tables``; inputs are left unchanged.

    Returns the tables restricted to the kept studies and one :class:`FilterStep` per active
    filter, in the order of :data:`FILTER_ORDER`. ``studies.nct_id`` must be unique.
    """
    run = Run(tables, f)
    for name in FILTER_ORDER:
        STEPS[name](run)
    return _assemble(tables, f, run, run.owner, run.miles)


def _assemble(
    tables: TablesLike,
    f: LocalFilters,
    run: Pass,
    owner: npt.NDArray[np.intp] | None,
    miles: npt.NDArray[np.float64] | None,
) -> FilterOutcome:
    studies, sites = tables.studies, tables.sites
    n = len(studies)
    keep = run.keep
    everything = bool(keep.all())
    kept_rows = np.flatnonzero(keep)
    out_studies = studies.iloc[kept_rows].reset_index(drop=True)

    def by_nct(frame: pd.DataFrame) -> pd.DataFrame:
        if everything:
            return frame.reset_index(drop=True)
        ids = studies["nct_id"].iloc[kept_rows]
        return frame[positions(frame["nct_id"], ids) >= 0].reset_index(drop=True)

    if miles is None or owner is None:
        out_sites = by_nct(sites)
    else:
        valid = owner >= 0
        site_keep = valid & keep[np.where(valid, owner, 0)]
        if f.radius_mi is not None:
            with np.errstate(invalid="ignore"):
                site_keep &= miles <= f.radius_mi
        rows = np.flatnonzero(site_keep)
        # nearest first within each study (NaN sorts last), studies in table order
        rows = rows[np.lexsort((miles[rows], owner[rows]))]
        out_sites = sites.iloc[rows].reset_index(drop=True)
        out_sites["distance_mi"] = pd.array(miles[rows], dtype="Float64")

        best, position = nearest(owner, miles, np.ones(len(sites), dtype=bool), n)
        recruiting = (sites["site_status"] == "RECRUITING").to_numpy(dtype=bool, na_value=False)
        best_recruiting, _ = nearest(owner, miles, recruiting, n)
        out_studies["nearest_site"] = join_site_label(sites, position[kept_rows]).to_numpy()
        out_studies["nearest_site"] = out_studies["nearest_site"].astype("string")
        out_studies["nearest_distance_mi"] = pd.array(best[kept_rows], dtype="Float64")
        out_studies["nearest_recruiting_distance_mi"] = pd.array(
            best_recruiting[kept_rows], dtype="Float64")
    return FilterOutcome(
        studies=out_studies,
        sites=out_sites,
        conditions=by_nct(tables.conditions),
        interventions=by_nct(tables.interventions),
        steps=run.steps,
        n_before=n,
    )
