"""``sync``: stream a search (or a whole registry) into the study store, page by page.

Each page is normalized and appended as it arrives, and then let go: memory holds about two
pages whatever the number of studies (the next page is fetched while the current one is
stored, see :mod:`trialfinder.http.prefetch`). The run and the studies it found are recorded;
a sync that stops part-way (an error, Ctrl-C, a full disk) leaves its run marked aborted,
and the studies it stored stay.

A sync asks the registry for everything it has on each study (the ``full`` view of its
client's pages): the list view cut out of each record
(:meth:`~trialfinder.registries.base.Registry.list_view`) goes to the search tables and
``versions`` as a search would have stored it. ClinicalTrials.gov's records themselves also go
to ``aact_records`` for the AACT views (:mod:`trialfinder.store.aact`, AACT being
ClinicalTrials.gov's own database schema).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trialfinder.http.prefetch import prefetch
from trialfinder.options import SearchOptions
from trialfinder.registries import client_of
from trialfinder.registries.base import RecordPage, Registry, RegistryClient
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.store.aact.source import keep_records
from trialfinder.store.bounded import cuts_said_once
from trialfinder.store.db import Store, naive_utc
from trialfinder.store.tally import Tally

__all__ = ["SyncResult", "sync"]

logger = logging.getLogger(__name__)

#: A part of a page stored at once holds at most this much JSON (and ``chunk`` records): about
#: five times as much as Python objects while it is stored.
PART_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class SyncResult:
    run_id: int
    studies: int  # distinct studies the run found
    new_versions: int  # studies new to the store or changed since last seen
    pages: int
    requests: int
    nbytes: int
    elapsed: float
    total_reported: int | None
    skipped: int
    cut_texts: int = 0  # texts over the store's bound, stored cut with a mark (said once)


def sync(
    store: Store,
    client: RegistryClient | Any,
    options: SearchOptions,
    *,
    limit: int | None = None,
    name: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    now: datetime | None = None,
    chunk: int = 250,
    finish: bool = True,
) -> SyncResult:
    """Fetch every study matching the search ``options`` (none: the whole registry) into
    ``store``, through ``client`` (a registry's client, or a TrialsClient).

    Each page is stored ``chunk`` records at a time, which bounds the size of the tables built
    from it. Pages always come from the API (a sync is a refresh): an HTTP cache is not read.
    With ``finish`` false the run is left open for the caller to close
    (``store.finish_run``) once it has delivered its output, or to abort."""
    started = time.perf_counter()
    when = now or datetime.now(UTC)
    client = client_of(client)
    registry = client.registry
    translation = registry.translate(options)
    run_id = store.start_run(name, "sync", when, params=translation.params)
    tally = Tally()
    # The next page is requested while this one is stored, but decoded only once this one is
    # done (``idle``): a decoded page waiting in line would double the memory of the run.
    idle = threading.Event()
    idle.set()
    pages_iter = client.pages(translation.query, view="full", limit=limit, before_parse=idle.wait)
    try:
        try:
            with cuts_said_once() as cut:  # one warning for the whole sync, not one a part
                counts = _fetch(store, registry,
                                prefetch(tally.count(pages_iter), taken=idle.clear), idle,
                                run_id, when, chunk, progress)
        finally:
            idle.set()  # a worker waiting to decode goes on, sees the stop and ends
        found = (store.finish_run(run_id, requests=tally.requests, nbytes=tally.nbytes)
                 if finish else store.found_count(run_id))
    except BaseException:
        store.abort_run(run_id)
        raise
    new_versions, pages, skipped, total = counts
    result = SyncResult(
        run_id=run_id, studies=found, new_versions=new_versions, pages=pages,
        requests=tally.requests,
        nbytes=tally.nbytes, elapsed=time.perf_counter() - started,
        total_reported=total, skipped=skipped, cut_texts=len(cut),
    )
    logger.debug("sync run %d: %d studies, %d pages, %d bytes", run_id, found, pages,
                 result.nbytes)
    return result


def _fetch(store: Store, registry: Registry, pages: Iterator[RecordPage], idle: threading.Event,
           run_id: int, when: datetime, chunk: int,
           progress: Callable[[int, int | None], None] | None,
           ) -> tuple[int, int, int, int | None]:
    """Store every page; (new versions, pages, skipped, total reported)."""
    studies = new_versions = count = skipped = 0
    total: int | None = None
    aact = registry.name == CTGOV.name  # the AACT views are ClinicalTrials.gov's
    for page in pages:
        count += 1
        if page.total is not None:
            total = page.total
        records = page.records
        del page
        for part in _parts(records, chunk):
            stats = store.add_records([registry.list_view(r) for r in part],
                                      source=registry.name, seen=when, run_id=run_id)
            if aact:
                keep_records(store, part, naive_utc(when))
            studies += stats.studies
            new_versions += stats.new_versions
            skipped += stats.skipped
            del part
        del records
        if progress is not None:
            progress(studies, total)
        idle.set()
    return new_versions, count, skipped, total


def _parts(records: Sequence[dict[str, Any]], chunk: int) -> Iterator[list[dict[str, Any]]]:
    """``records`` as lists of at most ``chunk`` records, each read once; where the page
    knows each record's size in bytes (``sizes()``: ClinicalTrials.gov's pages read a record
    at a time), a part also ends once it holds :data:`PART_BYTES` of JSON, so a page of very
    long records (thousands of sites, long results) is never read as a whole."""
    sizes_of = getattr(records, "sizes", None)
    sizes: list[int] = sizes_of() if callable(sizes_of) else [0] * len(records)
    start = 0
    while start < len(records):
        stop, held = start, 0
        while stop < len(records) and stop - start < chunk and (held < PART_BYTES
                                                                  or stop == start):
            held += sizes[stop]
            stop += 1
        yield list(records[start:stop])
        start = stop
