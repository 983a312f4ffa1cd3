"""A search that hands its filtered rows on a page at a time: memory stays flat whatever the
number of studies. The command line's exports and its CSV and JSON lines on standard output
use it; the Python API and the dashboard keep :func:`trialfinder.service.searching.search`
and its in-memory :class:`~trialfinder.service.searching.Results`.

    options -> each registry: translate -> its client's pages -> for each page: its reader
            (that page's tables) -> apply_filters -> on_page(outcome)

Every local filter decides study by study (a site's distance is its study's), and the
client drops repeated studies as they come, so the rows, their order and the counts are
those of :func:`~trialfinder.service.searching.search` with the same options: each page's
filter steps are added up (:class:`~trialfinder.tables.stepmerge.StepTotals`). Saved tables
(:mod:`trialfinder.cache.tablecache`) fresh enough for the search answer it whole, as one
page; otherwise the pages' tables are saved as they go
(:class:`~trialfinder.cache.tablesaving.PageSaver`, committed only when the search ends
whole). The HTTP cache and the study store get the pages as they do for any search.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialfinder.cache.tablesaving import PageSaver
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.provenance import FilterCount, ResultMeta
from trialfinder.options import SearchOptions
from trialfinder.options.local import local_filters
from trialfinder.registries.base import Registry, RegistryClient
from trialfinder.registries.result import ProgressCallback, SearchResult
from trialfinder.service.fetching import _spooled, _spooler, saved_info, saved_tables
from trialfinder.service.searching import joined_result, result_meta
from trialfinder.tables.filters import FilterOutcome, FilterStep, apply_filters
from trialfinder.tables.frames import Tables
from trialfinder.tables.stepmerge import StepTotals

__all__ = ["Streamed", "stream_search"]

logger = logging.getLogger(__name__)

#: Studies read into one batch of tables before they are filtered and handed on: one of
#: ClinicalTrials.gov's pages of 1,000. Each batch costs a fixed overhead per column (the
#: tables made, the CSV prepared, the saved tables' row group): at 10,000 studies the whole
#: command took about 12% more CPU than holding every table (44 MB less memory); batches of
#: 2,000 took about 9% more with 10 MB more memory, above the 250 MB the issue asks for
#: (benchmarks/results/analyst.md).
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


class _Tally:
    """Counts over every page: studies read, records skipped, problems, rows kept."""

    def __init__(self, options: SearchOptions, sink: PageSink) -> None:
        self.filters = local_filters(options)
        self.sink = sink
        self.steps = StepTotals()
        self.studies = self.skipped = self.kept = self.sites = self.pages = 0
        self.problems: Counter[str] = Counter()
        self.output_failed = False

    def page(self, tables: Tables) -> None:
        outcome = apply_filters(tables, self.filters)
        self.studies += len(tables.studies)
        self.skipped += tables.skipped
        self.problems.update(tables.problems)
        self.steps.add(outcome.steps)
        self.kept += len(outcome.studies)
        self.sites += len(outcome.sites)
        self.pages += 1
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

    def add(self, studies: list[dict[str, Any]]) -> None:
        with gc_paused():
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


def stream_search(options: SearchOptions, clients: Sequence[RegistryClient],
                  limit: int | None, progress: ProgressCallback | None,
                  on_page: PageSink) -> Streamed:
    """Search each client's registry in turn (``limit`` studies from each at most) and hand
    each page's filtered tables to ``on_page``, at least once (an answer of no studies is one
    page of none, so a file gets its header). Raises what :func:`search` raises."""
    tally = _Tally(options, on_page)
    parts: list[tuple[Registry, SearchResult, Mapping[str, str]]] = []
    sources: list[str] = []
    for client in clients:
        registry = client.registry
        translation = registry.translate(options)
        result, source = _one(client, translation, limit, progress, tally)
        result.warnings.extend(translation.notes)
        parts.append((registry, result, translation.params))
        sources.append(source)
    if tally.pages == 0:
        tally.page(clients[0].registry.reader().tables())
    if len(parts) == 1:
        registry, result, params = parts[0]
        meta = result_meta(params, result, tally.counts(), result.version,
                           source=clients[0].base_url, answered_from=sources[0])
    else:
        joined, params = joined_result(parts)
        meta = result_meta(params, joined, tally.counts(), None,
                           source=" + ".join(c.base_url for c in clients),
                           answered_from="; ".join(f"{r.title}: {source}" for (r, _, _), source
                                                   in zip(parts, sources, strict=True)))
    steps = tally.steps.steps
    meta = meta.replace(filters=tuple(FilterCount(s.name, s.removed, s.note) for s in steps),
                        rows={"studies": tally.kept, "sites": tally.sites})
    return Streamed(meta, steps)


def _one(client: RegistryClient, translation: Any, limit: int | None,
         progress: ProgressCallback | None, tally: _Tally) -> tuple[SearchResult, str]:
    """One registry's pages, each read and filtered on its own, into ``tally`` (or its saved
    tables, whole); its report and where the answer came from."""
    settings, registry = client.settings, client.registry
    notes: list[str] = []
    store, key, saved = saved_tables(client, translation, limit, progress, notes)
    if saved is not None:
        tally.page(saved.tables)
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
            tally.page(tables)

    def on_page(studies: list[dict[str, Any]], fetched: Any) -> None:
        batch.add(studies)
        if spooler is not None and not whole_pages:
            spooler.add(studies, fetched)
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
