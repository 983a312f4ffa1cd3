"""study_detail(): one study in depth, from its registry (the one whose id it has) or from
records in hand: the usual tables (sites nearest first when a point is given), the facts of
its page (:class:`~trialfinder.registries.base.StudyPage`: outcomes, arms, dates, contacts),
its eligibility split into lists, and the raw record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from trialfinder.core.checks import text_or_none
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError, NotFoundError
from trialfinder.core.provenance import ResultMeta
from trialfinder.core.textcap import LONG_CHARS, cap
from trialfinder.options.kinds import point_of
from trialfinder.registries import DEFAULT_REGISTRY, client_of, registry_for_id
from trialfinder.registries.base import RegistryClient, StudyPage
from trialfinder.tables.filters import LocalFilters

if TYPE_CHECKING:
    from trialfinder.service.searching import Results
    from trialfinder.tables.detail import Criteria

__all__ = ["StudyDetail", "study_detail"]


@dataclass(frozen=True)
class StudyDetail:
    """One study from its full record: the usual tables (sites nearest first when a point is
    given), its outcomes, its eligibility split into lists, and the raw record."""

    results: Results
    outcomes: pd.DataFrame
    criteria: Criteria
    record: Mapping[str, Any]
    page: StudyPage | None = None
    #: the registry the study comes from (its name: ``ctgov``)
    source: str = DEFAULT_REGISTRY


def study_detail(
    nct_id: str,
    *,
    client: RegistryClient | Any | None = None,
    settings: Settings | None = None,
    records: Iterable[Mapping[str, Any]] | None = None,
    near: tuple[float, float] | None = None,
) -> StudyDetail:
    """The full record of one study (an id of any registry: ``NCT01234567``), from its
    registry (one request, cached) or from ``records``. ``client`` is used when it is a
    client of that registry (a ``TrialsClient`` for ClinicalTrials.gov); otherwise a client of
    the study's registry is made with ``client``'s settings (or ``settings``)."""
    text_or_none(nct_id, "nct_id")
    if settings is not None and not isinstance(settings, Settings):
        raise InvalidQueryError(f"settings must be a Settings or None, "
                                f"not {type(settings).__name__}")
    given = client_of(client) if client is not None else None
    if near is not None:
        near = point_of(near)
    registry, nct = registry_for_id(nct_id)
    record: Mapping[str, Any] | None = None
    if records is not None:
        record = next((r for r in records if registry.record_id(r) == nct), None)
        if record is None:
            raise NotFoundError(404, nct, f"no study with id {nct} in these records")
    elif given is not None and given.registry.name == registry.name:
        record = given.fetch(nct)
    else:
        record = registry.client(given.settings if given else settings).fetch(nct)
    from trialfinder.service.searching import Results
    from trialfinder.tables.detail import split_criteria  # one study in depth

    reader = registry.reader()
    reader.add([record])
    tables = reader.tables()
    results = Results.from_tables(tables, LocalFilters(near=near), ResultMeta(source="detail"))
    text = tables.studies["eligibility_criteria"].iloc[0] if len(tables.studies) else None
    # the lists are made to be read: a text past what a page or a terminal shows is cut first
    criteria = split_criteria(cap(text, LONG_CHARS) if isinstance(text, str) else None)
    page = registry.study_page(record)
    return StudyDetail(results=results, outcomes=page.outcomes_frame(), criteria=criteria,
                       record=record, page=page, source=registry.name)
