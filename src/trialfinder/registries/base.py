"""The registry seam: what trialfinder asks of a registry, typed.

A registry (ClinicalTrials.gov, ISRCTN, a test's fake) is one object that satisfies
:class:`Registry`: its ids, its study pages' links, its query language (options in, its own
query out, with what it cannot send said), its records read into the common tables, the facts
of one record for the study page, and a :class:`RegistryClient` that talks to it. Nothing
above :mod:`trialfinder.registries` knows a registry's JSON paths, id format, paging or URLs:
the service, the store, watches, the command line and the page go through these two
protocols (the table of registries is :mod:`trialfinder.registries`).

A *record* is one study as the registry gives it, a JSON-ready mapping (the store keeps it
as JSON text, hashed to name its version); only the registry reads inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.core.config import Settings
    from trialfinder.registries.result import ProgressCallback, SearchResult
    from trialfinder.tables.frames import Tables

__all__ = [
    "Arm",
    "BodyConsumer",
    "Contact",
    "Outcome",
    "PageConsumer",
    "Record",
    "RecordPage",
    "RecordReader",
    "Registry",
    "RegistryClient",
    "StudyPage",
    "Translation",
    "View",
    "id_read_note",
]

def id_read_note(given: str, found: str) -> str | None:
    """A line saying how an id was read when it was read as more than its case
    (``id 'NCT123' read as NCT00000123``), for each edge that takes ids (a search's ``--id``,
    ``show``, a dashboard link's ``study=``); ``None`` when it was read as it was given."""
    text = given.strip()
    return None if text.upper() == found.upper() else f"id {text!r} read as {found}"


#: One study as its registry gives it: a JSON-ready mapping, read only by its registry.
Record = Mapping[str, Any]
#: ``on_page(records, fetched)``: a search's consumer of each page's new records, with the
#: time an HTTP cache got that page from the registry (``None``: it just came).
PageConsumer = Callable[[Sequence[dict[str, Any]], datetime | None], None]
#: ``on_body(body, fetched, records)``: each answer's JSON body as it came, for a consumer
#: that keeps pages as they came (the store's spool). A registry calls it only when its
#: answers are JSON objects whose ``"studies"`` list holds the records (the spool reads them
#: back so); any other registry leaves it uncalled, and the spool writes the records instead.
BodyConsumer = Callable[[bytes, datetime | None, Sequence[dict[str, Any]]], None]
#: What a listing asks for: the search tables' fields (``list``), ids only (``ids``: a
#: watch's listing), or everything the registry has on each study (``full``).
View = Literal["list", "ids", "full"]


@dataclass(frozen=True, slots=True)
class Contact:
    """A study-wide contact (whom to call), as the page shows it."""

    name: str
    role: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome measure: ``kind`` is primary, secondary or other."""

    kind: str
    measure: str | None
    time_frame: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Arm:
    """One arm (group) of a study and the interventions it gets; ``type`` is a code
    (``EXPERIMENTAL``...) or ``None``."""

    label: str | None
    type: str | None = None
    interventions: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class StudyPage:
    """The facts of one study's page that its row in the tables does not hold, read from the
    registry's full record (text already decoded; nothing here is markup)."""

    study_id: str | None
    official_title: str = ""
    #: ``(label, text)``: ``("Start", "2023-05 (actual)")``, in the order to show them
    dates: tuple[tuple[str, str], ...] = ()
    #: ``"120 people (estimated)"``, or ``None`` when the record does not say
    enrollment: str | None = None
    contacts: tuple[Contact, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    arms: tuple[Arm, ...] = ()

    def outcomes_frame(self) -> pd.DataFrame:
        """The outcomes as a table (:data:`trialfinder.tables.detail.OUTCOME_DTYPES`)."""
        import pandas as pd

        from trialfinder.tables.detail import OUTCOME_DTYPES

        rows = [(self.study_id, o.kind, o.measure, o.time_frame, o.description)
                for o in self.outcomes]
        return pd.DataFrame(rows, columns=list(OUTCOME_DTYPES)).astype(OUTCOME_DTYPES)

    def arms_frame(self) -> pd.DataFrame:
        """The arms as a table (:data:`trialfinder.tables.detail.ARM_DTYPES`; the
        interventions ``|``-joined)."""
        import pandas as pd

        from trialfinder.tables.detail import ARM_DTYPES

        rows = [(self.study_id, a.label, a.type, "|".join(a.interventions) or None,
                 a.description) for a in self.arms]
        return pd.DataFrame(rows, columns=list(ARM_DTYPES)).astype(ARM_DTYPES)


@dataclass(frozen=True)
class Translation:
    """Search options in a registry's own query language.

    ``query`` is the registry's own query (opaque above the registry: only its client and
    :meth:`Registry.changed_since` read it); ``params`` is what is sent, as text (the key of
    saved tables, the provenance of a result, a run's record); ``unsent`` names the options it
    cannot send, which are applied to what comes back instead; ``notes`` are sentences for
    people (what was left out or changed, and why)."""

    query: Any
    params: Mapping[str, str]
    unsent: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One answer of a listing: its records, the count the registry reported (if it did),
    and what it cost (``requests`` 0 for an answer from the HTTP cache). ``records`` may read
    each record when it is asked for (ClinicalTrials.gov's whole records): take a part of it
    at a time, and read each part once."""

    records: Sequence[dict[str, Any]]
    total: int | None = None
    requests: int = 1
    nbytes: int = 0


@runtime_checkable
class RecordReader(Protocol):
    """Reads one registry's records into the common tables, a batch at a time: ``add`` as
    records come, ``tables`` once at the end. Every table's ``source`` is the registry's
    name; records it cannot use are counted in ``Tables.skipped``/``problems``, never
    dropped silently."""

    def add(self, records: Sequence[Record]) -> None: ...

    def tables(self) -> Tables: ...


@runtime_checkable
class RegistryClient(Protocol):
    """Talks to one registry with the bounds of ``settings`` (deadline, body cap, pacing,
    the HTTP cache). Stateless between calls: one client may serve many threads."""

    @property
    def registry(self) -> Registry: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def base_url(self) -> str:
        """Where this client asks (part of the saved tables' key and of a result's
        provenance)."""
        ...

    @property
    def gives_bodies(self) -> bool:
        """Whether :meth:`search` hands each answer's body to ``on_body``
        (:data:`BodyConsumer`)."""
        ...

    def search(self, query: Any, *, limit: int | None = None,
               progress: ProgressCallback | None = None, on_page: PageConsumer | None = None,
               on_body: BodyConsumer | None = None) -> SearchResult:
        """Every study of ``query`` (a :attr:`Translation.query`) up to ``limit``, each once,
        in the registry's order; with ``on_page`` the records go there as they come and
        are not kept (see :class:`~trialfinder.registries.result.SearchResult`)."""
        ...

    def pages(self, query: Any, *, view: View = "list", limit: int | None = None,
              before_parse: Callable[[], object] | None = None) -> Iterator[RecordPage]:
        """The answers of ``query`` one by one, fresh from the registry (an HTTP cache is
        written, never read): what a watch and a sync store. ``before_parse`` is called once
        an answer has arrived, before it is decoded."""
        ...

    def fetch(self, study_id: str) -> dict[str, Any]:
        """One study's full record; an unknown id raises
        :class:`~trialfinder.core.errors.NotFoundError`."""
        ...

    def version(self) -> Mapping[str, str] | None:
        """What the registry says of its data (``apiVersion``, ``dataTimestamp``), or ``None``
        when it says nothing or cannot be reached (never raises)."""
        ...

    def data_time(self) -> datetime | None:
        """When the registry last refreshed its data, when it says so and it matters (saved
        tables older than this are not used); ``None`` otherwise."""
        ...

    def ask_early(self, query: Any | None, *, limit: int | None = None) -> object:
        """Start asking, in the background, for what a search of ``query`` will need first,
        while the caller loads; may do nothing."""
        ...


@runtime_checkable
class Registry(Protocol):
    """One registry: see the module docstring. ``name`` is the ``source`` column's value."""

    @property
    def name(self) -> str:
        """``ctgov``: the ``source`` column's value, and the name people choose it by."""
        ...

    @property
    def title(self) -> str:
        """``ClinicalTrials.gov``: the name people read."""
        ...

    @property
    def id_label(self) -> str:
        """``NCT id``."""
        ...

    @property
    def id_hint(self) -> str:
        """What an id looks like: ``NCT and up to 8 digits, e.g. NCT01234567``."""
        ...

    @property
    def ids_per_query(self) -> int:
        """How many ids one :meth:`query_for_ids` may hold."""
        ...

    @property
    def official_url(self) -> str:
        """The address of the registry's own API, where a search goes unless told otherwise
        (another address is a stand-in or a mirror, and is named as such)."""
        ...

    @property
    def derives_status(self) -> bool:
        """Whether the registry has no status of its own, so its reader derives one (from
        dates): such a status is shown with "(derived)" beside it."""
        ...

    def parse_id(self, text: str) -> str | None:
        """The canonical id ``text`` names in this registry (``nct1234567`` ->
        ``NCT01234567``), or ``None`` when it names none."""
        ...

    def check_id(self, text: str) -> str:
        """:meth:`parse_id`, or an :class:`~trialfinder.core.errors.InvalidQueryError` that
        says what an id of this registry looks like."""
        ...

    def record_id(self, record: object) -> str | None:
        """A record's id exactly as the registry's rule wants it, else ``None`` (such a record
        is skipped and counted wherever records come in)."""
        ...

    def study_url(self, study_id: str) -> str:
        """The study's page on the registry's site."""
        ...

    def reader(self) -> RecordReader:
        """A fresh reader of this registry's records into the common tables."""
        ...

    def study_page(self, record: Record) -> StudyPage:
        """The facts of one full record for ``show`` and the dashboard's study page."""
        ...

    def list_view(self, record: Record) -> dict[str, Any]:
        """The part of a ``full`` record (:data:`View`) that a search's listing holds: what
        the store keeps as the study's version, so a study synced and then found by a search
        is the same version (the record itself for a registry with one view)."""
        ...

    def translate(self, options: Any) -> Translation:
        """Search options in this registry's query language (a wrong or empty search is an
        :class:`~trialfinder.core.errors.InvalidQueryError` before any request)."""
        ...

    def query_for_ids(self, ids: Sequence[str]) -> Any:
        """A query for exactly these studies (at most :attr:`ids_per_query`)."""
        ...

    def changed_since(self, query: Any, since: date) -> Any | None:
        """``query`` narrowed to the studies changed on or after ``since`` (a watch's
        incremental run), or ``None`` when the registry cannot ask so (then a watch asks for
        everything each time)."""
        ...

    def client(self, settings: Settings | None = None) -> RegistryClient:
        """A client of this registry with ``settings`` (the defaults and environment when
        ``None``)."""
        ...

