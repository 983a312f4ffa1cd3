"""TrialsClient: talks to ClinicalTrials.gov API v2 and returns raw study dicts.

- ``iter_pages()`` follows ``nextPageToken`` to the end. It never stops on a short or empty page:
  the API may send an empty page that is not the last one.
- ``search()`` gathers every page into a :class:`SearchResult` that says what the API reported
  (``totalCount``), whether the result was cut short by a limit, how many requests and bytes it
  took, and whether any answer came from a stale cache. Page *k + 1* is requested in a
  background thread while page *k* is handed on (:mod:`trialfinder.http.prefetch`).
- ``get_study()`` fetches one full record; an unknown id raises :class:`NotFoundError`.

One GET (errors, retries of broken bodies, the cache) is :mod:`trialfinder.http.requester`; the
page model :mod:`~trialfinder.registries.ctgov.page`; the paging checks
:mod:`~trialfinder.registries.ctgov.paging`; the
consumer side of a search :mod:`~trialfinder.registries.ctgov.gather`; its result
:mod:`~trialfinder.registries.result`; the per-API memo :mod:`~trialfinder.http.memo`.
Flattening into
tables happens in :mod:`trialfinder.registries.ctgov.normalize`, never here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

import orjson
import requests

from trialfinder.core.errors import (
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    OfflineError,
    SchemaError,
    TrialFinderError,
)
from trialfinder.core.threads import start_daemon
from trialfinder.http.heap import after_page
from trialfinder.http.memo import API_MEMO, UNREACHABLE_TTL, VERSION_TTL, ApiMemo
from trialfinder.http.prefetch import prefetch
from trialfinder.http.requester import Requester, Tally
from trialfinder.registries.base import BodyConsumer, PageConsumer
from trialfinder.registries.ctgov.fields import LIST_FIELDS, fields_param
from trialfinder.registries.ctgov.gather import Gathering
from trialfinder.registries.ctgov.page import Page, nct_of, parse_page, parse_version, without_body
from trialfinder.registries.ctgov.paging import SLACK_PAGES, STALL_PAGES, PagingCheck
from trialfinder.registries.ctgov.query import StudyQuery, is_nct_id, normalize_nct_id
from trialfinder.registries.ctgov.registry import CTGOV
from trialfinder.registries.ctgov.slices import read_page
from trialfinder.registries.result import ProgressCallback, SearchResult, stamp, warnings_for

__all__ = [
    "API_MEMO", "SLACK_PAGES", "STALL_PAGES", "UNREACHABLE_TTL", "VERSION_TTL", "ApiMemo",
    "Page", "ProgressCallback", "SearchResult", "TrialsClient",
]

logger = logging.getLogger(__name__)


class TrialsClient(Requester):
    """A client for the ClinicalTrials.gov API v2.

    ``session`` may be supplied (tests pass a plain ``requests.Session``); by default it is a
    cached, retried, paced and bounded session built from ``settings``. The client keeps no
    state between calls, so one instance may be shared by threads and dashboard sessions.
    """

    # -- paging -----------------------------------------------------------------------------

    def iter_pages(
        self,
        query: StudyQuery,
        *,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        limit: int | None = None,
        count_total: bool = True,
        force_refresh: bool = False, cache_only: bool = False,
        before_parse: Callable[[], object] | None = None, sliced: bool = False,
    ) -> Generator[Page, None, None]:
        """Yield pages lazily until the API sends no ``nextPageToken`` (or ``limit`` is met).

        Paging must make progress: a token sent before, ``STALL_PAGES`` pages in a row without
        a new study, or more pages than the first ``totalCount`` allows raise
        :class:`PagingError`. ``before_parse`` is called once a page's body has arrived, before
        it is decoded (a consumer running one page behind uses it to decode only when ready).
        ``sliced``: a large page's studies are read one by one as asked for (``StudySlices``).
        """
        return self._pages(query, Tally(), fields=fields, limit=limit, count_total=count_total,
                           force_refresh=force_refresh, cache_only=cache_only,
                           before_parse=before_parse, sliced=sliced)

    def _pages(
        self,
        query: StudyQuery,
        tally: Tally,
        *,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        limit: int | None = None,
        count_total: bool = True,
        force_refresh: bool = False,
        cache_only: bool = False,
        before_parse: Callable[[], object] | None = None,
        keep_body: bool = False,
        sliced: bool = False,
    ) -> Generator[Page, None, None]:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit < 1):
            raise InvalidQueryError(f"limit must be a whole number of at least 1, not {limit!r}")
        base = query.to_params() | fields_param(fields)
        check = PagingCheck(self._url("studies"), count_asked=count_total)
        token: str | None = None
        seen = 0
        first = True
        while True:
            size = self.settings.page_size
            if limit is not None:
                size = min(size, limit - seen)
            params = _page_params(base, size, count=first and count_total, token=token)
            page = self._get("studies", params, parse_page, tally, force_refresh=force_refresh,
                             cache_only=cache_only, before_parse=before_parse,
                             decode=read_page if sliced else orjson.loads)
            seen += len(page.studies)
            if first and not page.from_cache:
                # a listing the API just sent is followed from the API: a later page kept
                # from an earlier listing may not continue this one (and is not looked up)
                force_refresh = True
            first = False
            token = page.next_token
            done = not token or (limit is not None and seen >= limit)
            if not keep_body:  # then no one holds the body while the page is in hand
                page = without_body(page)
            yield page
            # checked before asking for the next page, so a caller taking one page never fails
            check.check(page, size, done)
            del page  # not held while the next page is fetched and parsed
            if done:
                return

    def _search_pages(
        self, query: StudyQuery, tally: Tally, *, fields: tuple[str, ...] | None,
        limit: int | None, unreachable: NetworkError | None, data_time: datetime | None,
        before_parse: Callable[[], object], on_body: BodyConsumer | None = None,
    ) -> Iterator[Page]:
        """The pages of a search: from the cache alone when the API was just found unreachable,
        and fetched anew when the first cached page predates the API's data. Each page's body
        goes to ``on_body`` (in this, the prefetch thread) before the page is handed on, so a
        page the consumer got is with ``on_body`` whatever happens next, Ctrl-C included."""
        keep = on_body is not None
        pages = self._pages(query, tally, fields=fields, limit=limit, keep_body=keep,
                            cache_only=unreachable is not None, before_parse=before_parse,
                            sliced=True)
        try:
            first = next(pages)
        except OfflineError:
            if unreachable is None:
                raise
            raise unreachable from None
        if (data_time is not None and first.from_cache and first.created_at is not None
                and first.created_at < data_time):
            logger.debug("cached pages predate the API's data (%s); fetching anew", data_time)
            pages.close()
            pages = self._pages(query, tally, fields=fields, limit=limit, force_refresh=True,
                                before_parse=before_parse, keep_body=keep, sliced=True)
            first = next(pages)
        handed = self._handed_on(first, on_body)
        del first  # with its body
        yield handed
        for page in pages:
            handed = self._handed_on(page, on_body)
            del page
            yield handed

    @staticmethod
    def _handed_on(page: Page, on_body: BodyConsumer | None) -> Page:
        """``page`` once its body went to ``on_body``, without the body."""
        if on_body is not None and page.body is not None:
            on_body(page.body, page.created_at if page.from_cache else None, page.studies)
        return without_body(page)

    def search(
        self,
        query: StudyQuery,
        *,
        limit: int | None = None,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        progress: ProgressCallback | None = None,
        on_page: PageConsumer | None = None,
        on_body: BodyConsumer | None = None,
    ) -> SearchResult:
        """Fetch every study matching ``query`` (up to ``limit``), each once, in API order.

        With ``on_page``, each page's studies go to it as they arrive, with the time an HTTP
        cache got that page from the API (``None``: it just came from the API), and are not kept:
        ``result.studies`` stays empty and ``result.count`` says how many there were, so a
        caller that turns pages into tables never holds every raw record at once. While
        ``on_page`` (or ``progress``) works on page *k*, page *k + 1* is requested in a
        background thread, and decoded there as soon as page *k* is done with; never further
        ahead. An error on a page is raised here after the pages before it were handed on, and
        an error in ``on_page`` (or Ctrl-C) stops that thread after the request under way.

        With ``on_body``, each page's JSON body, exactly as it came (it passed the same checks),
        goes to it with the time it came from the API and its parsed studies, in the background
        thread, before the page is handed on: a consumer that keeps pages as they came (the
        study store's spool) writes them while ``on_page`` works on the previous page, and
        holds every page ``on_page`` got, however the search ends. It gets
        whole pages: the studies ``limit`` cuts off and repeats dropped from ``result`` are in
        them, so use it without a ``limit`` (or trim).

        With a cache, ``/version`` (kept for an hour) tells when the API last refreshed its
        data; cached pages older than that are fetched anew.
        """
        started = time.perf_counter()
        started_at = datetime.now(UTC)
        tally = Tally()
        # /version: provenance, and when the data last changed (kept an hour, so this is one
        # request an hour at most). Asked first, in turn: requests run one at a time.
        # Without a cache /version is not asked: it would cost one more request per search.
        cached = hasattr(self.session, "cache")
        version = self._version_or_none(tally) if cached else None
        unreachable = self.memo.unreachable(self.settings.base_url) if (
            cached and version is None) else None
        # /version just failed to connect, after its retries: asking for every page the same
        # way would only repeat the wait. Answer from the cache if it can.
        # Page k + 1 is requested while page k is handed on, but decoded only once page k is
        # done with (``idle``): the two would share one interpreter lock anyway, and a decoded
        # page waiting in line would cost as much memory as the page in hand.
        idle = threading.Event()
        idle.set()
        pages = self._search_pages(query, tally, fields=fields, limit=limit,
                                   unreachable=unreachable, data_time=self._data_time(version),
                                   before_parse=idle.wait, on_body=on_body)
        gathered = Gathering(limit, keep=on_page is None, unreachable=unreachable is not None)
        interrupted = threading.Event()
        with closing(prefetch(pages, taken=idle.clear, abandon=interrupted)) as ahead:
            try:
                for page in ahead:
                    kept = gathered.take(page)
                    fetched = page.created_at if page.from_cache else None
                    del page  # the prefetch thread may hold the next page: hold no third
                    if on_page is not None and kept:
                        on_page(kept, fetched)
                        del kept
                        # the page's records are freed: hand their heap back (run profile)
                        after_page(self.settings.profile.trim_heap_each_page)
                    kept = []
                    if progress is not None:
                        progress(gathered.count, gathered.total)
                    idle.set()
            except (KeyboardInterrupt, SystemExit):
                interrupted.set()  # Ctrl-C in on_page: do not wait for the request under way
                raise
            finally:
                idle.set()  # a worker waiting to decode goes on, sees the stop and ends
        result = SearchResult(
            count=gathered.count,
            studies=gathered.studies,
            total_count=gathered.total,
            truncated=gathered.truncated,
            requests=tally.requests,
            pages=gathered.pages,
            nbytes=tally.nbytes,
            from_cache=gathered.cached_pages,
            duplicates_dropped=gathered.duplicates,
            fetched_at=stamp(gathered.oldest if gathered.oldest is not None else started_at),
            elapsed=time.perf_counter() - started,
            params=query.to_params(),
            version=version,
            stale_age=gathered.worst_stale,
        )
        result.warnings += warnings_for(result, self.settings.offline, registry=CTGOV.title)
        return result

    # -- single study and metadata ----------------------------------------------------------

    def get_study(self, nct_id: str, *, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        """One full record (or the given ``fields``). Unknown ids raise ``NotFoundError``."""
        nct = normalize_nct_id(nct_id)

        def check(body: Any, _: requests.Response) -> dict[str, Any]:
            if not isinstance(body, dict) or not is_nct_id(nct_of(body)):  # ids: one rule
                raise SchemaError(f"the API's answer for {nct} is not a study record with an "
                                  "NCT id (NCT and 8 digits)")
            return body

        try:
            return self._get(f"studies/{nct}", fields_param(fields) or None, check, Tally())
        except NotFoundError as exc:
            raise NotFoundError(exc.status, exc.url, f"no study with id {nct}") from exc

    def version(self) -> dict[str, str]:
        """``GET /version``: ``{"apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}``.

        Kept for an hour in this process (and in the HTTP cache), since it changes once a day.
        A failure to connect is remembered for ``UNREACHABLE_TTL`` seconds and raised again
        meanwhile, so callers do not wait through the retries twice.
        """
        return self._version(Tally())

    def _version(self, tally: Tally) -> dict[str, str]:
        base = self.settings.base_url
        known = self.memo.version(base)
        if known is not None:
            return known
        with self.memo.asking_version(base):  # one request at a time; the others reuse it
            known = self.memo.version(base)
            if known is not None:
                return known
            failed = self.memo.unreachable(base)
            if failed is not None:
                raise failed
            try:
                answer = self._get("version", None, parse_version, tally)
            except NetworkError as exc:
                self.memo.remember_unreachable(base, exc)
                raise
            self.memo.remember_version(base, answer)
            return dict(answer)

    def ask_early(
        self, query: StudyQuery | None = None, *, fields: tuple[str, ...] | None = LIST_FIELDS,
        limit: int | None = None,
    ) -> threading.Thread | None:
        """Start asking, in a background thread, for ``/version`` when a search with this
        client will ask for it (a cache is on and the API may be reached) and, with ``query``,
        for the first page of ``search(query, fields=fields, limit=limit)`` after it (requests
        stay one at a time), so the answers arrive while the caller does other work: the
        command line loads pandas meanwhile. The search then finds ``/version`` remembered (or
        waits for the request under way) and takes the page's answer
        (:meth:`Requester._reserve_ahead`); it never sends either a second time. Ask for the
        page only when that search comes next and no saved result answers it: otherwise the
        page was asked for nothing. Nothing is sent offline, nor the page once ``/version``
        found the API unreachable. Returns the thread (a daemon), or ``None`` when nothing
        is asked."""
        if self.settings.offline:
            return None
        base = self.settings.base_url
        cached = getattr(self.session, "cache", None) is not None
        ask_version = cached and self.memo.version(base) is None
        if query is None and not ask_version:
            return None
        first = None if query is None else _page_params(
            query.to_params() | fields_param(fields),
            min(self.settings.page_size, limit or self.settings.page_size),
            count=True, token=None)

        # reserved now, so the search's first GET waits for this one even if it comes first
        ahead = None if first is None else self._reserve_ahead("studies", first)

        def ask() -> None:
            try:
                unreachable = (ask_version and self.version_or_none() is None
                               and self.memo.unreachable(base) is not None)
            except BaseException:
                self._send_reserved(ahead, send=False)  # never leave the search waiting
                raise
            self._send_reserved(ahead, send=not unreachable)

        return start_daemon(ask, "trialfinder-early")

    def version_or_none(self) -> dict[str, str] | None:
        """:meth:`version`, or ``None`` when it cannot be had (never raises)."""
        return self._version_or_none(Tally())

    def _version_or_none(self, tally: Tally) -> dict[str, str] | None:
        try:
            return self._version(tally)
        except TrialFinderError as exc:
            logger.debug("no /version answer: %s", exc)
            return None

    def data_time(self, version: dict[str, str] | None) -> datetime | None:
        """When the API last refreshed its data (``dataTimestamp`` of ``version``), if known."""
        text = (version or {}).get("dataTimestamp", "")
        try:
            return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None
        except ValueError:
            return None

    def _data_time(self, version: dict[str, str] | None) -> datetime | None:
        """:meth:`data_time`, when a cache makes it matter."""
        if getattr(self.session, "cache", None) is None or self.settings.offline:
            return None
        return self.data_time(version)


def _page_params(base: dict[str, str], size: int, *, count: bool,
                 token: str | None) -> dict[str, str]:
    """The parameters of one page of a search whose own parameters are ``base``."""
    params = base | {"pageSize": str(size)}
    if count:
        params["countTotal"] = "true"
    if token:
        params["pageToken"] = token
    return params

