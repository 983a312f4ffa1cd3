"""A search that hands its filtered rows on a page at a time: memory stays flat whatever the
number of studies. The command line's exports and its CSV, JSON lines and Parquet on standard
output use it; the Python API and the dashboard keep
:func:`trialfinder.service.searching.search` and its in-memory
:class:`~trialfinder.service.searching.Results`.

    options -> each registry: translate -> its client's pages -> for each batch: its reader
            (that batch's tables) -> apply_filters -> on_page(outcome)

Every local filter decides study by study (a site's distance is its study's), and the
client drops repeated studies as they come, so the rows, their order and the counts are
those of :func:`~trialfinder.service.searching.search` with the same options: each page's
filter steps are added up (:class:`~trialfinder.tables.stepmerge.StepTotals`). Several
registries are searched in turn, a registry that cannot answer costing its own part as in
:func:`search` (:class:`Down`); ClinicalTrials.gov and ISRCTN together are one list, each
trial once, made as the batches come (:mod:`trialfinder.service.streamjoin`). Saved tables
(:mod:`trialfinder.cache.tablecache`) are written a batch at a time, and read a batch at a
time when they answer (:mod:`trialfinder.cache.tablepages`); the HTTP cache and the study
store get the pages as for any search. What is not the same: a registry of several that
fails after its first rows went out fails the search (in memory its part would be left out,
with a note).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialfinder.cache.tablesaving import PageSaver
from trialfinder.core.errors import ApiError, NetworkError
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.provenance import FilterCount, ResultMeta
from trialfinder.options import SearchOptions
from trialfinder.options.local import local_filters
from trialfinder.registries.base import Registry, RegistryClient, Translation
from trialfinder.registries.result import ProgressCallback, SearchResult
from trialfinder.service.fetching import _spooled, _spooler, saved_info, saved_pages
from trialfinder.service.searching import _unreachable, joined_result, result_meta
from trialfinder.tables.filters import FilterOutcome, FilterStep, apply_filters
from trialfinder.tables.frames import Tables
from trialfinder.tables.stepmerge import StepTotals

__all__ = ["Down", "Part", "Streamed", "Tally", "fetch_part", "stream_search"]

logger = logging.getLogger(__name__)

#: Studies read into one batch of tables before they are filtered and handed on: one of
#: ClinicalTrials.gov's pages of 1,000. Each batch costs a fixed overhead per column (the
#: tables made, the CSV prepared, the saved tables' row group): at 10,000 studies the whole
#: command took about 12% more CPU than holding every table (44 MB less memory); batches of
#: 2,000 took about 9% more with 10 MB more memory, above the 250 MB the issue asks for
#: (benchmarks/results/analyst.md). Saved tables that answer are read in batches of the same
#: size: at 100,000 studies 257 MB at the peak and 6.9 s of CPU, against 754 MB and 4.0 s
#: when read whole.
BATCH_STUDIES = 1000

#: What gets each page's filtered tables.
PageSink = Callable[[FilterOutcome], None]


@dataclass(frozen=True)
class Streamed:
    """What a search that streamed reports at its end: its provenance (rows of studies and
    sites kept, filter counts) and the filter steps, as :class:`Results` has them."""

    meta: ResultMeta
    steps: tuple[FilterStep, ...]

    @property
    def warnings(self) -> list[str]:
        return list(self.meta.warnings)


class Tally:
    """Counts over every page: studies read, records skipped, problems, rows kept."""

    def __init__(self, options: SearchOptions, sink: PageSink) -> None:
        self.filters = local_filters(options)
        self.sink = sink
        self.steps = StepTotals()
        self.studies = self.skipped = self.kept = self.sites = self.pages = self.handed = 0
        self.problems: Counter[str] = Counter()
        self.output_failed = False

    def page(self, tables: Tables,
             hold: Callable[[FilterOutcome], FilterOutcome] | None = None) -> None:
        """One batch filtered, counted and handed on (``hold`` takes out rows that go on
        later, counted here)."""
        outcome = apply_filters(tables, self.filters)
        self.studies += len(tables.studies)
        self.skipped += tables.skipped
        self.problems.update(tables.problems)
        self.steps.add(outcome.steps)
        self.kept += len(outcome.studies)
        self.sites += len(outcome.sites)
        self.pages += 1
        self.hand(outcome if hold is None else hold(outcome))

    def hand(self, outcome: FilterOutcome) -> None:
        """Rows counted already, handed on."""
        self.handed += 1
        try:
            self.sink(outcome)
        except Exception:
            self.output_failed = True
            raise

    def counts(self) -> tuple[int, int, Mapping[str, int]]:
        return self.studies, self.skipped, dict(self.problems)


class _Batch:
    """The pages read since the last batch was handed on, as table columns."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.reader = registry.reader()
        self.held = 0

    def add(self, studies: Sequence[dict[str, Any]]) -> None:
        with gc_paused():  # the records of a page are parsed as they are read
            self.reader.add(studies)
        self.held += len(studies)

    def take(self) -> Tables | None:
        """The batch's tables (``None`` when it holds no study), and a new batch begun."""
        if not self.held:
            return None
        with gc_paused():
            tables = self.reader.tables()
        self.reader, self.held = self.registry.reader(), 0
        return tables


@dataclass
class Part:
    """One registry's part of a search: its client and translation; once searched, its
    report and where its answer came from."""

    client: RegistryClient
    translation: Translation
    result: SearchResult | None = None
    source: str = ""


class Down:
    """The registries of a search of several that could not answer now (see
    :func:`~trialfinder.service.searching.search`: such a registry costs its own part, said in
    a note, unless none answered). A part that has handed on rows already cannot be taken
    back: its error stands."""

    def __init__(self, clients: Sequence[RegistryClient]) -> None:
        self.clients = clients
        self.errors: dict[str, Exception] = {}
        self.notes: list[str] = []

    def excuse(self, client: RegistryClient, exc: Exception, began: bool) -> bool:
        """Whether the search goes on without ``client``'s part (else the caller raises);
        raises the last registry's error when none could answer."""
        if len(self.clients) == 1 or began or not _unreachable(exc):
            return False
        self.errors[client.registry.name] = exc
        if len(self.errors) == len(self.clients):
            raise self.errors[self.clients[-1].registry.name]
        note = (f"{client.registry.title} could not be searched ({exc}); these results come "
                "from the other registries alone")
        logger.warning("%s", note)  # the note's own words: the command line says it once
        self.notes.append(note)
        return True


def fetch_part(part: Part, limit: int | None, progress: ProgressCallback | None,
               tally: Tally, down: Down, take: Callable[[Tables], None]) -> bool:
    """``part``'s batches into ``take``; ``False`` when its registry could not answer and the
    search goes on without it."""
    handed = tally.handed
    try:
        part.result, part.source = _one(part.client, part.translation, limit, progress, tally,
                                        take)
    except (NetworkError, ApiError) as exc:
        if not down.excuse(part.client, exc, tally.handed > handed):
            raise
        return False
    part.result.warnings.extend(part.translation.notes)
    return True


def stream_search(options: SearchOptions, clients: Sequence[RegistryClient],
                  limit: int | None, progress: ProgressCallback | None,
                  on_page: PageSink) -> Streamed:
    """Search each client's registry in turn (``limit`` studies from each at most) and hand
    each page's filtered tables to ``on_page``, at least once (an answer of no studies is one
    page of none, so a file gets its header). ClinicalTrials.gov and ISRCTN searched together
    are one list, each trial once (:mod:`trialfinder.service.streamjoin`). Raises what
    :func:`search` raises."""
    tally = Tally(options, on_page)
    down = Down(clients)
    parts = [Part(c, c.registry.translate(options)) for c in clients]
    notes: list[str] = []
    if len(parts) > 1 and {"ctgov", "isrctn"} <= {c.registry.name for c in clients}:
        from trialfinder.service.streamjoin import stream_joined

        notes = stream_joined(parts, limit, progress, tally, down)
    else:
        for part in parts:
            fetch_part(part, limit, progress, tally, down, tally.page)
    if tally.pages == 0:
        tally.page(clients[0].registry.reader().tables())
    done = [(p, p.result) for p in parts if p.result is not None]
    if down.notes:
        done[0][1].warnings.extend(down.notes)
    if len(done) == 1:
        part, result = done[0]
        meta = result_meta(part.translation.params, result, tally.counts(), result.version,
                           source=part.client.base_url, answered_from=part.source,
                           registries=[part.client])  # not a registry that was down
    else:
        joined, params = joined_result([(p.client.registry, r, p.translation.params)
                                        for p, r in done])
        joined.warnings.extend(notes)
        meta = result_meta(params, joined, tally.counts(), None,
                           source=" + ".join(c.base_url for c in clients),
                           answered_from="; ".join(f"{p.client.registry.title}: {p.source}"
                                                   for p, _ in done),
                           registries=clients)
    steps = tally.steps.steps
    meta = meta.replace(filters=tuple(FilterCount(s.name, s.removed, s.note) for s in steps),
                        rows={"studies": tally.kept, "sites": tally.sites})
    return Streamed(meta, steps)


def _one(client: RegistryClient, translation: Translation, limit: int | None,
         progress: ProgressCallback | None, tally: Tally,
         take: Callable[[Tables], None]) -> tuple[SearchResult, str]:
    """One registry's pages, a batch of tables at a time, into ``take`` (or its saved tables,
    whole); its report and where the answer came from."""
    settings, registry = client.settings, client.registry
    notes: list[str] = []
    store, key, saved = saved_pages(client, translation, limit, progress, notes)
    if saved is not None:
        for tables in saved.batches(BATCH_STUDIES):
            take(tables)
        return saved.result, saved.answered_from
    saver = PageSaver(store, key) if store is not None and not settings.offline else None
    spooler = _spooler(settings, translation, registry.name, notes)
    whole_pages = spooler is not None and limit is None and client.gives_bodies

    batch = _Batch(registry)

    def flush() -> None:
        tables = batch.take()
        if tables is not None:
            if saver is not None:
                saver.add(tables)
            take(tables)

    def on_page(studies: Sequence[dict[str, Any]], fetched: Any) -> None:
        if spooler is not None and not whole_pages:
            studies = list(studies)  # read twice: parsed once
            batch.add(studies)
            spooler.add(studies, fetched)
        else:
            batch.add(studies)
        if batch.held >= BATCH_STUDIES:
            flush()

    try:
        result = client.search(translation.query, limit=limit, progress=progress,
                               on_page=on_page,
                               on_body=spooler.add_body if whole_pages and spooler else None)
        flush()
    except BaseException:
        if saver is not None:
            saver.discard()
        if spooler is not None:
            # the pages that came are real and the store gets them (as for any search cut
            # short), unless the output failed: then nothing changes (the spool is held for
            # a delivery that never comes, and dropped)
            spooler.finish(complete=tally.output_failed)
        raise
    if spooler is not None:
        notes.extend(_spooled(spooler.finish(requests=result.requests, nbytes=result.nbytes)))
    if saver is not None:
        failed = saver.commit(saved_info(result)) if result.stale_age is None else None
        if result.stale_age is not None:
            saver.discard()
        if failed is not None:
            notes.append(f"could not save the tables for next time: {failed}")
    result.warnings.extend(notes)
    logger.info("%d studies from %s streamed (%d requests, %d of %d pages from the HTTP "
                "cache)", result.count, registry.title, result.requests, result.from_cache,
                result.pages)
    return result, "the API" if result.from_cache < result.pages else "the HTTP cache"
