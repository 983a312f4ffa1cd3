"""ClinicalTrials.gov behind the registry seam (:mod:`trialfinder.registries.base`):
:data:`CTGOV`, its ids and links, its query language, its reader and its study pages, and
:class:`CtgovClient`, the seam's client over :class:`~.client.TrialsClient`.

Light to import (no pandas, no requests): the command line names registries before it loads
anything heavy; the client and the reader are imported when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from trialfinder.core.config import DEFAULT_BASE_URL
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.base import (
    BodyConsumer,
    PageConsumer,
    Record,
    RecordPage,
    RecordReader,
    StudyPage,
    Translation,
    View,
    id_read_note,
)
from trialfinder.registries.ctgov import SOURCE
from trialfinder.registries.ctgov.query import StudyQuery, is_nct_id, normalize_nct_id

if TYPE_CHECKING:
    from trialfinder.core.config import Settings
    from trialfinder.options import SearchOptions
    from trialfinder.registries.ctgov.client import TrialsClient
    from trialfinder.registries.result import ProgressCallback, SearchResult

__all__ = ["CTGOV", "CtgovClient", "CtgovRegistry"]

#: A study's page on ClinicalTrials.gov is this and its NCT id.
STUDY_URL_PREFIX: Final = "https://clinicaltrials.gov/study/"
#: What a watch's listing asks for: the ids only.
_ID_FIELDS: Final = ("NCTId",)


@dataclass(frozen=True)
class CtgovRegistry:
    """ClinicalTrials.gov API v2 (see :class:`~trialfinder.registries.base.Registry`)."""

    name: str = SOURCE
    title: str = "ClinicalTrials.gov"
    id_label: str = "NCT id"
    id_hint: str = "NCT and up to 8 digits, e.g. NCT01234567"
    ids_per_query: int = 100
    derives_status: bool = False
    official_url: str = DEFAULT_BASE_URL

    def parse_id(self, text: str) -> str | None:
        try:
            return normalize_nct_id(text)
        except InvalidQueryError:
            return None

    def check_id(self, text: str) -> str:
        return normalize_nct_id(text)

    def record_id(self, record: object) -> str | None:
        """``protocolSection.identificationModule.nctId`` when it is ``NCT`` and 8 ASCII
        digits (:func:`~.query.is_nct_id`, the one rule for records however they come)."""
        from trialfinder.registries.ctgov.page import nct_of

        value = nct_of(record)
        return value if is_nct_id(value) else None

    def study_url(self, study_id: str) -> str:
        return STUDY_URL_PREFIX + study_id

    def reader(self) -> RecordReader:
        from trialfinder.registries.ctgov.normalize import Normalizer

        return Normalizer()

    def study_page(self, record: Record) -> StudyPage:
        from trialfinder.registries.ctgov.record import study_page

        return study_page(record)

    def list_view(self, record: Record) -> dict[str, Any]:
        from trialfinder.registries.ctgov.fullrecord import list_view

        return list_view(record)

    def translate(self, options: SearchOptions) -> Translation:
        """``options`` as a :class:`StudyQuery`: ClinicalTrials.gov can be asked for every
        option but the local-only ones (which the local filters apply)."""
        from trialfinder.registries.ctgov.options import query_for

        query = query_for(options)
        notes = [id_read_note(str(given), normalize_nct_id(str(given))) for given in options.ids]
        return Translation(query=query, params=query.to_params(),
                           notes=tuple(n for n in notes if n))

    def query_for_ids(self, ids: Sequence[str]) -> StudyQuery:
        return StudyQuery(nct_ids=tuple(ids))

    def changed_since(self, query: StudyQuery, since: date) -> StudyQuery:
        """``query`` and ``AREA[LastUpdatePostDate]RANGE[<since>, MAX]``."""
        clause = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()}, MAX]"
        advanced = f"({query.advanced}) AND {clause}" if query.advanced else clause
        return query.replace(advanced=advanced)

    def client(self, settings: Settings | None = None) -> CtgovClient:
        from trialfinder.registries.ctgov.client import TrialsClient

        return CtgovClient(TrialsClient(settings))


#: The ClinicalTrials.gov registry (``source`` ``ctgov``).
CTGOV: Final = CtgovRegistry()


class CtgovClient:
    """The seam's client of ClinicalTrials.gov: a :class:`TrialsClient` (which the dashboard
    and tests may build themselves, with their own session) seen through
    :class:`~trialfinder.registries.base.RegistryClient`."""

    def __init__(self, client: TrialsClient) -> None:
        self.trials = client

    @property
    def registry(self) -> CtgovRegistry:
        return CTGOV

    @property
    def settings(self) -> Settings:
        return self.trials.settings

    @property
    def base_url(self) -> str:
        return self.trials.settings.base_url

    @property
    def gives_bodies(self) -> bool:
        return True

    def search(self, query: StudyQuery, *, limit: int | None = None,
               progress: ProgressCallback | None = None, on_page: PageConsumer | None = None,
               on_body: BodyConsumer | None = None) -> SearchResult:
        from trialfinder.registries.ctgov.fields import LIST_FIELDS

        return self.trials.search(query, limit=limit, fields=LIST_FIELDS, progress=progress,
                                  on_page=on_page, on_body=on_body)

    def pages(self, query: StudyQuery, *, view: View = "list", limit: int | None = None,
              before_parse: Callable[[], object] | None = None) -> Iterator[RecordPage]:
        from trialfinder.registries.ctgov.fields import LIST_FIELDS
        from trialfinder.registries.ctgov.fullrecord import SYNC_FIELDS

        fields = {"list": LIST_FIELDS, "ids": _ID_FIELDS, "full": SYNC_FIELDS}[view]
        # whole records are read from a large page one at a time, as the caller asks for
        # them (StudySlices): a page of 1,000 never exists whole as Python objects
        full = view == "full"
        for page in self.trials.iter_pages(query, fields=fields, limit=limit,
                                           count_total=full, force_refresh=True,
                                           before_parse=before_parse, sliced=full):
            fresh = not page.from_cache
            yield RecordPage(page.studies if full else list(page.studies), page.total_count,
                             int(fresh), page.nbytes if fresh else 0)

    def fetch(self, study_id: str) -> dict[str, Any]:
        return self.trials.get_study(study_id)

    def version(self) -> Mapping[str, str] | None:
        return self.trials.version_or_none()

    def data_time(self) -> datetime | None:
        client = self.trials
        if getattr(client.session, "cache", None) is None or client.settings.offline:
            return None
        return client.data_time(client.version_or_none())

    def ask_early(self, query: StudyQuery | None, *, limit: int | None = None) -> object:
        return self.trials.ask_early(query, limit=limit)
