"""ISRCTN behind the registry seam (:mod:`trialfinder.registries.base`): :data:`ISRCTN`, its
ids and links, its query language, its reader and its study pages, and :class:`IsrctnSeamClient`,
the seam's client over :class:`~.client.IsrctnClient`.

A record crossing the seam is an ISRCTN trial as a JSON-ready mapping (:mod:`.record`). The
reader derives each trial's status on the day it reads it (:mod:`.status`; ``today`` is
injected, :attr:`IsrctnRegistry.today`), so ISRCTN's statuses are always shown as derived
(:attr:`IsrctnRegistry.derives_status`).

Light to import (no pandas, no requests): the client and the reader are imported when first
asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.base import (
    BodyConsumer,
    PageConsumer,
    Record,
    RecordPage,
    StudyPage,
    Translation,
    View,
)
from trialfinder.registries.isrctn.ids import (
    API_URL,
    SOURCE,
    is_isrctn_id,
    normalize_isrctn_id,
    study_url,
)
from trialfinder.registries.isrctn.query import MAX_LIMIT, IsrctnQuery
from trialfinder.registries.isrctn.record import ID_KEY

if TYPE_CHECKING:
    from trialfinder.core.config import Settings
    from trialfinder.options import SearchOptions
    from trialfinder.registries.isrctn.client import IsrctnClient
    from trialfinder.registries.isrctn.reader import IsrctnReader
    from trialfinder.registries.result import ProgressCallback, SearchResult

__all__ = ["ISRCTN", "IsrctnAsk", "IsrctnRegistry", "IsrctnSeamClient"]

#: Options that ISRCTN's query cannot hold and no local filter applies: named, never dropped.
_NOT_APPLIED: Final = {
    "location": "a place in words", "sponsor": "a sponsor", "nct_ids": "NCT ids",
    "advanced": "ClinicalTrials.gov's own query syntax",
}


def _topic(options: SearchOptions) -> tuple[str, ...]:
    """The conditions and treatments of the search's preset: written in the presets' own
    notation (phrases, AND, OR, NOT, brackets), which ISRCTN's translation reads as such."""
    if not options.preset:
        return ()
    from trialfinder.topics.presets import get_preset

    words = get_preset(options.preset).query
    return (*words.conditions, *words.interventions)


@dataclass(frozen=True, slots=True)
class IsrctnAsk:
    """What the seam's ISRCTN client is asked: an :class:`IsrctnQuery`, and (for a look-up by
    id) the only ids to keep, since a free-text id also finds the trials that cite it."""

    query: IsrctnQuery
    ids: tuple[str, ...] = ()

    def params(self) -> dict[str, str]:
        return {"q": self.query.to_q()}


@dataclass(frozen=True, eq=False)
class IsrctnRegistry:
    """ISRCTN (see :class:`~trialfinder.registries.base.Registry`). ``today`` gives the day
    statuses are derived on (a test passes a fixed one)."""

    today: Callable[[], date] = date.today
    name: str = SOURCE
    title: str = "ISRCTN"
    id_label: str = "ISRCTN id"
    id_hint: str = "ISRCTN and 8 digits, e.g. ISRCTN12345678"
    ids_per_query: int = 50
    derives_status: bool = True
    official_url: str = API_URL

    def parse_id(self, text: str) -> str | None:
        """``isrctn 99000001``, ``ISRCTN-99000001`` -> ``ISRCTN99000001``; eight digits alone
        are no ISRCTN id here (they may be meant as an NCT id)."""
        if not isinstance(text, str) or "isrctn" not in text[:40].lower():
            return None
        try:
            return normalize_isrctn_id(text)
        except InvalidQueryError:
            return None

    def check_id(self, text: str) -> str:
        found = self.parse_id(text)
        if found is None:
            shown = text[:40] if isinstance(text, str) else type(text).__name__
            raise InvalidQueryError(f"{shown!r} is not an ISRCTN id ({self.id_hint})")
        return found

    def record_id(self, record: object) -> str | None:
        value = record.get(ID_KEY) if isinstance(record, Mapping) else None
        return value if is_isrctn_id(value) else None

    def study_url(self, study_id: str) -> str:
        return study_url(study_id)

    def reader(self) -> IsrctnReader:
        from trialfinder.registries.isrctn.reader import IsrctnReader

        return IsrctnReader(self.today())

    def study_page(self, record: Record) -> StudyPage:
        from trialfinder.registries.isrctn.reader import study_page

        return study_page(record, self.today())

    def list_view(self, record: Record) -> dict[str, Any]:
        return dict(record)  # one view: a listing holds the whole trial

    def translate(self, options: SearchOptions) -> Translation:
        """``options`` in ISRCTN's ``q`` (:func:`~.query.translate`); what it cannot ask for
        is checked on what comes back by the local filters, and what no filter applies either
        (a place in words, a sponsor, NCT ids) is named in the notes."""
        from trialfinder.registries.ctgov.options import query_for
        from trialfinder.registries.isrctn.query import translate

        made = translate(query_for(options), countries=options.countries,
                         topic=_topic(options))
        if made.query.is_empty:
            raise InvalidQueryError("ISRCTN is searched by condition, other terms, treatment, "
                                    "title, country, status or dates: give one of them")
        skipped = [u.option for u in made.unexpressed if u.option in _NOT_APPLIED]
        notes = [*made.notes, *(f"ISRCTN cannot be asked for {_NOT_APPLIED[o]}; its trials "
                                "are not narrowed by it" for o in skipped)]
        ask = IsrctnAsk(made.query)
        return Translation(ask, ask.params(), tuple(u.option for u in made.unexpressed),
                           tuple(notes))

    def query_for_ids(self, ids: Sequence[str]) -> IsrctnAsk:
        return IsrctnAsk(IsrctnQuery(terms=tuple(ids)), tuple(ids))

    def changed_since(self, query: IsrctnAsk, since: date) -> IsrctnAsk:
        """``query`` and ``lastEdited GE <since>``."""
        return replace(query, query=replace(query.query, edited_since=since))

    def client(self, settings: Settings | None = None) -> IsrctnSeamClient:
        from trialfinder.registries.isrctn.client import IsrctnClient

        return IsrctnSeamClient(self, IsrctnClient(settings))


#: The ISRCTN registry (``source`` ``isrctn``).
ISRCTN: Final = IsrctnRegistry()


@dataclass(frozen=True, eq=False)
class IsrctnSeamClient:
    """The seam's client of ISRCTN over :class:`IsrctnClient`: one answer per search (ISRCTN
    has no paging), its trials as records; never the HTTP cache (XML is not kept there)."""

    registry: IsrctnRegistry
    isrctn: IsrctnClient
    gives_bodies: bool = field(default=False)

    @property
    def settings(self) -> Settings:
        return self.isrctn.settings

    @property
    def base_url(self) -> str:
        return self.isrctn.base_url

    def _records(self, ask: IsrctnAsk, limit: int | None) -> tuple[list[dict[str, Any]], Any]:
        from trialfinder.registries.isrctn.record import record_of

        if not isinstance(ask, IsrctnAsk):
            raise InvalidQueryError(f"an ISRCTN search takes an IsrctnAsk, "
                                    f"not {type(ask).__name__}")
        found = self.isrctn.search(ask.query, None if limit is None else min(limit, MAX_LIMIT))
        trials = [t for t in found.trials if not ask.ids or t.isrctn_id in ask.ids]
        return [record_of(t) for t in trials], found

    def search(self, query: IsrctnAsk, *, limit: int | None = None,
               progress: ProgressCallback | None = None, on_page: PageConsumer | None = None,
               on_body: BodyConsumer | None = None) -> SearchResult:
        from trialfinder.core.wording import plural
        from trialfinder.registries.result import SearchResult, stamp, warnings_for

        del on_body  # its answers are XML, not JSON bodies of "studies"
        records, found = self._records(query, limit)
        if on_page is not None and records:
            on_page(records, None)
        if progress is not None:
            progress(len(records), found.total_count)
        result = SearchResult(
            studies=[] if on_page is not None else records, count=len(records),
            total_count=found.total_count, truncated=found.truncated,
            requests=found.requests, pages=1, nbytes=found.nbytes, params=query.params(),
            fetched_at=stamp(found.fetched_at))
        result.warnings.extend(warnings_for(result, False, registry=self.registry.title))
        if found.skipped:
            result.warnings.append(f"{plural(found.skipped, 'trial')} in ISRCTN's answer "
                                   "had no usable ISRCTN id and were skipped")
        return result

    def pages(self, query: IsrctnAsk, *, view: View = "list", limit: int | None = None,
              before_parse: Callable[[], object] | None = None) -> Iterator[RecordPage]:
        records, found = self._records(query, limit)
        if before_parse is not None:
            before_parse()
        if view == "ids":
            records = [{ID_KEY: r[ID_KEY]} for r in records]
        yield RecordPage(records, found.total_count, found.requests, found.nbytes)

    def fetch(self, study_id: str) -> dict[str, Any]:
        from trialfinder.registries.isrctn.record import record_of

        return record_of(self.isrctn.get_trial(study_id))

    def version(self) -> Mapping[str, str] | None:
        return None  # ISRCTN says nothing of its data's version

    def data_time(self) -> datetime | None:
        return None

    def ask_early(self, query: IsrctnAsk | None, *, limit: int | None = None) -> object:
        return None
