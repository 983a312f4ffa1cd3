"""TrialsClient: talks to ClinicalTrials.gov API v2 and returns raw study dicts.

- ``iter_pages()`` follows ``nextPageToken`` to the end. It never stops on a short or empty page:
  the API may send an empty page that is not the last one.
- ``search()`` gathers every page into a :class:`SearchResult` that says what the API reported
  (``totalCount``), whether the result was cut short by a limit, how many requests and bytes it
  took, and whether any answer came from a stale cache.
- ``get_study()`` fetches one full record; an unknown id raises :class:`NotFoundError`.

Flattening into tables happens in :mod:`trialfinder.tables.normalize`, never here.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any, TypeVar

import orjson
import requests
from urllib3.exceptions import NameResolutionError

from trialfinder._gc import gc_paused
from trialfinder.api.fields import LIST_FIELDS, fields_param
from trialfinder.api.query import StudyQuery, normalize_nct_id
from trialfinder.api.transport import (
    BodyTooLarge,
    DeadlineExceeded,
    OtherOriginRefused,
    _caused_by,
    make_session,
    retry_after_seconds,
    too_dense,
)
from trialfinder.config import DEFAULT_BASE_URL, Settings, redact_url
from trialfinder.errors import (
    ApiError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    OfflineError,
    PagingError,
    SchemaError,
    TrialFinderError,
    api_error,
)
from trialfinder.wording import duration, plural

__all__ = ["API_MEMO", "ApiMemo", "Page", "ProgressCallback", "SearchResult", "TrialsClient"]

logger = logging.getLogger(__name__)

#: Seconds the API's ``/version`` answer is kept in this process.
VERSION_TTL = 3600.0

#: Seconds this process remembers that an API could not be reached (no new wait through retries).
UNREACHABLE_TTL = 30.0

#: Pages in a row that bring no new study before paging is stopped.
STALL_PAGES = 3

#: Pages allowed beyond what the first ``totalCount`` needs (the data may change while paging).
SLACK_PAGES = 3

_TEN_YEARS = 10 * 365 * 86400.0

#: ``progress(fetched_so_far, total_or_None)``, called after each page.
ProgressCallback = Callable[[int, int | None], None]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of ``GET /studies``."""

    studies: list[dict[str, Any]]
    next_token: str | None
    total_count: int | None
    nbytes: int
    from_cache: bool
    stale_age: float | None = None  # seconds, when a stale cached answer stood in for the API
    created_at: datetime | None = None  # when a cached answer was stored


@dataclass(slots=True)
class SearchResult:
    """Every study a search returned, with the facts needed to be honest about it.

    ``fetched_at`` is when the answers were fetched from the API: the start of the search, or,
    when pages came from the HTTP cache, the time the oldest of them was originally fetched.
    """

    studies: list[dict[str, Any]]
    total_count: int | None
    truncated: bool
    requests: int = 0
    pages: int = 0
    nbytes: int = 0
    from_cache: int = 0
    duplicates_dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    fetched_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    elapsed: float = 0.0
    params: dict[str, str] = field(default_factory=dict)
    version: dict[str, str] | None = None  # the API's /version answer, when it could be had
    stale_age: float | None = None  # seconds, when cached answers stood in for an unreachable API
    #: how many studies arrived (``len(studies)`` unless they went to an ``on_page`` consumer)
    count: int = -1

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.studies)

    @property
    def complete(self) -> bool:
        return not self.truncated


class ApiMemo:
    """What this process knows about each API, by base URL: its ``/version`` answer (kept
    ``VERSION_TTL`` seconds) and a recent failure to connect (kept ``UNREACHABLE_TTL``).

    Clients hold no such state themselves, so one client can serve many threads and sessions;
    this small table is shared on purpose and guarded by a lock. ``clock`` is for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._versions: dict[str, tuple[float, dict[str, str]]] = {}
        self._unreachable: dict[str, tuple[float, NetworkError]] = {}

    def version(self, base_url: str) -> dict[str, str] | None:
        with self._lock:
            entry = self._versions.get(base_url)
            if entry is None or not 0 <= self._clock() - entry[0] < VERSION_TTL:
                self._versions.pop(base_url, None)
                return None
            return dict(entry[1])

    def unreachable(self, base_url: str) -> NetworkError | None:
        with self._lock:
            entry = self._unreachable.get(base_url)
            if entry is None or not 0 <= self._clock() - entry[0] < UNREACHABLE_TTL:
                self._unreachable.pop(base_url, None)
                return None
            return entry[1]

    def remember_version(self, base_url: str, answer: dict[str, str]) -> None:
        with self._lock:
            self._versions[base_url] = (self._clock(), dict(answer))
            self._unreachable.pop(base_url, None)

    def remember_unreachable(self, base_url: str, error: NetworkError) -> None:
        with self._lock:
            self._unreachable[base_url] = (self._clock(), error)

    def forget(self) -> None:
        with self._lock:
            self._versions.clear()
            self._unreachable.clear()


#: The process-wide memo every client uses unless given another.
API_MEMO = ApiMemo()


@dataclass(slots=True)
class _Tally:
    """Requests sent and bytes received for one call (never shared between calls)."""

    requests: int = 0
    nbytes: int = 0


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class TrialsClient:
    """A client for the ClinicalTrials.gov API v2.

    ``session`` may be supplied (tests pass a plain ``requests.Session``); by default it is a
    cached, retried, paced and bounded session built from ``settings``. The client keeps no
    state between calls, so one instance may be shared by threads and dashboard sessions.
    """

    def __init__(
        self, settings: Settings | None = None, session: requests.Session | None = None,
        *, memo: ApiMemo | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.session = session if session is not None else make_session(self.settings)
        self.memo = memo if memo is not None else API_MEMO

    # -- one GET ----------------------------------------------------------------------------

    def _api_name(self) -> str:
        base = self.settings.base_url
        return f"ClinicalTrials.gov at {base}" if base == DEFAULT_BASE_URL else f"the API at {base}"

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url}/{path.lstrip('/')}"

    def _get(
        self, path: str, params: dict[str, str] | None,
        check: Callable[[Any, requests.Response], T], tally: _Tally, *,
        force_refresh: bool = False, cache_only: bool = False,
    ) -> T:
        """GET ``path``, decode its JSON and ``check`` its shape; every failure becomes a
        ``TrialFinderError``.

        Statuses 429/5xx and failed connections are retried by the transport. A body that
        arrives broken (an HTML page sent with status 200, or JSON that does not parse) is
        retried here, with the same backoff, since only the decoded body shows it. An answer
        whose shape ``check`` refuses is deleted from the cache, so it is never replayed.
        """
        retries = self.settings.retries
        for attempt in range(retries + 1):
            try:
                body, response = self._get_once(
                    path, params, tally, force_refresh=force_refresh or attempt > 0,
                    cache_only=cache_only)
            except _BrokenBody as broken:
                if broken.response is not None:
                    self._forget(broken.response)
                if attempt == retries or self.settings.offline:
                    raise broken.error from broken.error.__cause__
                delay = min(self.settings.backoff_max, self.settings.backoff_factor * 2**attempt)
                logger.debug("retrying %s in %.2f s: %s", path, delay, broken.error)
                time.sleep(delay * (0.5 + random.random() / 2))
                continue
            try:
                return check(body, response)
            except SchemaError:
                self._forget(response)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _forget(self, response: requests.Response) -> None:
        """Delete a cached answer that failed its shape check."""
        cache = getattr(self.session, "cache", None)
        key = getattr(response, "cache_key", None)
        if cache is None or not key:
            return
        try:
            cache.delete(key)
            logger.debug("deleted the cached answer for %s: wrong shape", redact_url(response.url))
        except Exception as exc:  # a broken cache must not hide the shape error
            logger.debug("could not delete a cached answer: %s", exc)

    def _get_once(
        self, path: str, params: dict[str, str] | None, tally: _Tally, *, force_refresh: bool,
        cache_only: bool = False,
    ) -> tuple[Any, requests.Response]:
        url = self._url(path)
        kwargs: dict[str, Any] = {"params": params, "timeout": self.settings.timeout}
        cached = hasattr(self.session, "cache")
        offline = self.settings.offline or cache_only
        if cached and offline:
            kwargs["only_if_cached"] = True
        elif cached and force_refresh:
            kwargs["force_refresh"] = True
        try:
            response = self.session.get(url, **kwargs)
        except OtherOriginRefused as exc:
            if exc.status is not None:
                raise ApiError(exc.status, url, (
                    f"the API redirected to {exc.target}, another host than {exc.allowed}; "
                    "not followed")) from exc
            raise NetworkError(str(exc)) from exc
        except BodyTooLarge as exc:
            raise SchemaError(
                f"the answer from {url} is larger than {self.settings.max_body_mb:g} MB; "
                "stopped reading it (the cap is TRIALFINDER_MAX_BODY_MB)"
            ) from exc
        except DeadlineExceeded as exc:
            raise NetworkError(
                f"{self._api_name()} did not send its whole answer within "
                f"{self.settings.timeout:g} s (TRIALFINDER_TIMEOUT), after "
                f"{self.settings.retries} retries ({url})"
            ) from exc
        except requests.exceptions.TooManyRedirects as exc:
            raise NetworkError(f"too many redirects from {url}") from exc
        except requests.exceptions.RetryError as exc:
            raise NetworkError(f"gave up on {url} after {self.settings.retries} retries") from exc
        except requests.exceptions.Timeout as exc:
            raise NetworkError(
                f"{self._api_name()} did not answer within {self.settings.timeout:g} s ({url})"
            ) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise NetworkError(
                f"the connection broke while reading {url}: {_reason(exc)}") from exc
        except requests.exceptions.ConnectionError as exc:
            if _caused_by(exc, NameResolutionError):
                raise NetworkError(
                    f"cannot reach {self._api_name()}: the host name does not resolve "
                    "(is this machine offline?)"
                ) from exc
            raise NetworkError(f"cannot reach {self._api_name()}: {_reason(exc)}") from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise _BrokenBody(NetworkError(
                f"the answer from {url} could not be decompressed: {_reason(exc)}")) from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"request to {url} failed: {_reason(exc)}") from exc
        from_cache = bool(getattr(response, "from_cache", False))
        content = response.content or b""
        shown = redact_url(response.url or url)
        if from_cache:
            logger.debug("cache hit: %s", shown)
        else:
            tally.requests += 1
            logger.debug("HTTP %d from the API: %s (%d bytes)%s", response.status_code, shown,
                         len(content), " (cache miss)" if cached else "")
        tally.nbytes += len(content)
        if offline and response.status_code == 504:
            raise OfflineError(
                "offline mode: this search is not in the cache yet; run it once while online"
            )
        if response.status_code >= 400:
            raise api_error(response.status_code, response.url or url,
                            _error_text(response) + self._come_back(response))
        if response.status_code != 200:
            raise SchemaError(f"unexpected HTTP {response.status_code} from {url}")
        if _looks_like_html(response):
            raise _BrokenBody(SchemaError(
                f"the API sent an HTML page instead of JSON ({url}); it may be down for maintenance"
            ), response)
        try:
            _check_density(content, url)
        except SchemaError:
            self._forget(response)
            raise
        try:
            with gc_paused():  # CPU only: a page of 1,000 studies is 10^5 small objects
                body = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            error = SchemaError(
                f"the API sent a reply that is not valid JSON ({len(content):,} bytes "
                f"from {url}): {exc}"
            )
            error.__cause__ = exc
            raise _BrokenBody(error, response) from exc
        return body, response

    def _come_back(self, response: requests.Response) -> str:
        """For a 429/503 whose ``Retry-After`` is past the cap: when the API asked us back."""
        if response.status_code not in (429, 503):
            return ""
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        cap = self.settings.retry_after_max
        if asked is None or asked <= cap:
            return ""
        if asked > _TEN_YEARS:
            when = "more than ten years from now"
        else:
            back = datetime.now(UTC) + timedelta(seconds=asked)
            when = f"in {duration(asked)}, after {back:%Y-%m-%d %H:%M} UTC"
        return (f" (the API asked us to come back {when}; this client waits at most "
                f"{cap:g} s: TRIALFINDER_RETRY_AFTER_MAX)")

    # -- paging -----------------------------------------------------------------------------

    def iter_pages(
        self,
        query: StudyQuery,
        *,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        limit: int | None = None,
        count_total: bool = True,
        force_refresh: bool = False,
        cache_only: bool = False,
    ) -> Generator[Page, None, None]:
        """Yield pages lazily until the API sends no ``nextPageToken`` (or ``limit`` is met).

        Paging must make progress: a token sent before, ``STALL_PAGES`` pages in a row without
        a new study, or more pages than the first ``totalCount`` allows raise
        :class:`PagingError`.
        """
        return self._pages(query, _Tally(), fields=fields, limit=limit, count_total=count_total,
                           force_refresh=force_refresh, cache_only=cache_only)

    def _pages(
        self,
        query: StudyQuery,
        tally: _Tally,
        *,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        limit: int | None = None,
        count_total: bool = True,
        force_refresh: bool = False,
        cache_only: bool = False,
    ) -> Generator[Page, None, None]:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit < 1):
            raise InvalidQueryError(f"limit must be a whole number of at least 1, not {limit!r}")
        base = query.to_params() | fields_param(fields)
        progress = _Progress(self._url("studies"), count_asked=count_total)
        token: str | None = None
        seen = 0
        first = True
        while True:
            size = self.settings.page_size
            if limit is not None:
                size = min(size, limit - seen)
            params = base | {"pageSize": str(size)}
            if first and count_total:
                params["countTotal"] = "true"
            if token:
                params["pageToken"] = token
            page = self._get("studies", params, _parse_page, tally, force_refresh=force_refresh,
                             cache_only=cache_only)
            seen += len(page.studies)
            first = False
            token = page.next_token
            done = not token or (limit is not None and seen >= limit)
            yield page
            # checked before asking for the next page, so a caller taking one page never fails
            progress.check(page, size, done)
            if done:
                return

    def search(
        self,
        query: StudyQuery,
        *,
        limit: int | None = None,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        progress: ProgressCallback | None = None,
        on_page: Callable[[list[dict[str, Any]], datetime | None], None] | None = None,
    ) -> SearchResult:
        """Fetch every study matching ``query`` (up to ``limit``), each once, in API order.

        With ``on_page``, each page's studies go to it as they arrive, with the time an HTTP
        cache got that page from the API (``None``: it just came from the API), and are not kept:
        ``result.studies`` stays empty and ``result.count`` says how many there were, so a
        caller that turns pages into tables never holds every raw record at once.

        With a cache, ``/version`` (kept for an hour) tells when the API last refreshed its
        data; cached pages older than that are fetched anew.
        """
        started = time.perf_counter()
        started_at = datetime.now(UTC)
        tally = _Tally()
        # /version: provenance, and when the data last changed (kept an hour, so this is one
        # request an hour at most). Asked first, in turn: requests run one at a time.
        # Without a cache /version is not asked: it would cost one more request per search.
        cached = hasattr(self.session, "cache")
        version = self._version_or_none(tally) if cached else None
        unreachable = self.memo.unreachable(self.settings.base_url) if (
            cached and version is None) else None
        # /version just failed to connect, after its retries: asking for every page the same
        # way would only repeat the wait. Answer from the cache if it can.
        data_time = self._data_time(version)
        pages_iter = self._pages(query, tally, fields=fields, limit=limit,
                                 cache_only=unreachable is not None)
        try:
            first = next(pages_iter)
        except OfflineError:
            if unreachable is None:
                raise
            raise unreachable from None
        if (data_time is not None and first.from_cache and first.created_at is not None
                and first.created_at < data_time):
            logger.debug("cached pages predate the API's data (%s); fetching anew", data_time)
            pages_iter.close()
            pages_iter = self._pages(query, tally, fields=fields, limit=limit,
                                     force_refresh=True)
            first = next(pages_iter)
        studies: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        total: int | None = None
        duplicates = pages = cached_pages = count = 0
        worst_stale: float | None = None
        oldest: datetime | None = None
        last_token: str | None = None
        for page in chain([first], pages_iter):
            pages += 1
            cached_pages += page.from_cache
            if page.total_count is not None:
                total = page.total_count
            if page.from_cache and page.created_at is not None:
                oldest = page.created_at if oldest is None else min(oldest, page.created_at)
            if page.stale_age is not None:
                worst_stale = max(worst_stale or 0.0, page.stale_age)
            elif unreachable is not None and page.created_at is not None:
                age = (datetime.now(UTC) - page.created_at).total_seconds()
                worst_stale = max(worst_stale or 0.0, age)
            kept: list[dict[str, Any]] = []
            for study in page.studies:
                nct = _nct_of(study)
                if nct is not None:
                    if nct in seen_ids:
                        duplicates += 1
                        continue
                    seen_ids.add(nct)
                kept.append(study)
            if limit is not None:
                del kept[max(0, limit - count):]
            count += len(kept)
            if on_page is None:
                studies.extend(kept)
            elif kept:
                on_page(kept, page.created_at if page.from_cache else None)
            del kept
            last_token = page.next_token
            if progress is not None:
                progress(count, total)
        truncated = limit is not None and count >= limit and (
            bool(last_token) or (total is not None and total > count)
        )
        result = SearchResult(
            count=count,
            studies=studies,
            total_count=total,
            truncated=truncated,
            requests=tally.requests,
            pages=pages,
            nbytes=tally.nbytes,
            from_cache=cached_pages,
            duplicates_dropped=duplicates,
            fetched_at=_stamp(oldest if oldest is not None else started_at),
            elapsed=time.perf_counter() - started,
            params=query.to_params(),
            version=version,
            stale_age=worst_stale,
        )
        result.warnings.extend(_warnings(result, self.settings.offline))
        return result

    # -- single study and metadata ----------------------------------------------------------

    def get_study(self, nct_id: str, *, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        """One full record (or the given ``fields``). Unknown ids raise ``NotFoundError``."""
        nct = normalize_nct_id(nct_id)

        def check(body: Any, _: requests.Response) -> dict[str, Any]:
            if not isinstance(body, dict) or "protocolSection" not in body:
                raise SchemaError(f"the API's answer for {nct} is not a study record")
            return body

        try:
            return self._get(f"studies/{nct}", fields_param(fields) or None, check, _Tally())
        except NotFoundError as exc:
            raise NotFoundError(exc.status, exc.url, f"no study with id {nct}") from exc

    def version(self) -> dict[str, str]:
        """``GET /version``: ``{"apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}``.

        Kept for an hour in this process (and in the HTTP cache), since it changes once a day.
        A failure to connect is remembered for ``UNREACHABLE_TTL`` seconds and raised again
        meanwhile, so callers do not wait through the retries twice.
        """
        return self._version(_Tally())

    def _version(self, tally: _Tally) -> dict[str, str]:
        base = self.settings.base_url
        known = self.memo.version(base)
        if known is not None:
            return known
        failed = self.memo.unreachable(base)
        if failed is not None:
            raise failed
        try:
            answer = self._get("version", None, _parse_version, tally)
        except NetworkError as exc:
            self.memo.remember_unreachable(base, exc)
            raise
        self.memo.remember_version(base, answer)
        return dict(answer)

    def version_or_none(self) -> dict[str, str] | None:
        """:meth:`version`, or ``None`` when it cannot be had (never raises)."""
        return self._version_or_none(_Tally())

    def _version_or_none(self, tally: _Tally) -> dict[str, str] | None:
        try:
            return self._version(tally)
        except TrialFinderError as exc:
            logger.debug("no /version answer: %s", exc)
            return None

    def data_time(self, version: dict[str, str] | None) -> datetime | None:
        """When the API last refreshed its data (``dataTimestamp`` of ``version``), if known."""
        stamp = (version or {}).get("dataTimestamp", "")
        try:
            return datetime.fromisoformat(stamp).replace(tzinfo=UTC) if stamp else None
        except ValueError:
            return None

    def _data_time(self, version: dict[str, str] | None) -> datetime | None:
        """:meth:`data_time`, when a cache makes it matter."""
        if getattr(self.session, "cache", None) is None or self.settings.offline:
            return None
        return self.data_time(version)


def _warnings(result: SearchResult, offline: bool) -> list[str]:
    """What a reader of ``result`` must be told."""
    notes: list[str] = []
    total, got = result.total_count, result.count
    if result.duplicates_dropped:
        notes.append(
            f"{plural(result.duplicates_dropped, 'study')} appeared on more than one page; "
            "each was kept once (the data changed while paging)"
        )
    if total is not None and not result.truncated and got != total:
        notes.append(
            f"the API counted {plural(total, 'matching study')} but sent {got:,}"
            + (" (the data may have changed while paging)" if got < total else "")
        )
    if result.stale_age is not None:
        notes.append(
            "ClinicalTrials.gov could not be reached; showing cached results from "
            f"{duration(result.stale_age)} ago"
        )
    if offline:
        notes.append("offline mode: results come from the local cache only")
    if result.truncated:
        shown = (f"{got:,} of {plural(total, 'matching study')}" if total is not None
                 else plural(got, "matching study"))
        notes.append(f"showing the first {shown} (limit reached)")
    return notes


class _Progress:
    """Stops paging that does not move towards an end (see :meth:`TrialsClient.iter_pages`)."""

    def __init__(self, url: str, *, count_asked: bool) -> None:
        self.url = url
        self.count_asked = count_asked
        self.tokens: set[str] = set()
        self.ids: set[str] = set()
        self.new = 0
        self.pages = 0
        self.stalled = 0
        self.total: int | None = None
        self.allowed_pages: int | None = None

    def check(self, page: Page, asked: int, done: bool) -> None:
        self.pages += 1
        fresh = 0
        for study in page.studies:
            nct = _nct_of(study)
            if nct is None or nct not in self.ids:
                fresh += 1
                if nct is not None:
                    self.ids.add(nct)
        self.new += fresh
        self.stalled = 0 if fresh else self.stalled + 1
        if self.pages == 1 and page.total_count is not None:
            self.total = page.total_count
            per_page = len(page.studies) or asked
            self.allowed_pages = math.ceil(self.total / max(1, per_page)) + SLACK_PAGES
        if done:
            return
        if self.pages == 1 and self.count_asked and self.total is None:
            self._stop("it did not say how many studies match (no totalCount on the first "
                       "page, though it was asked for), so there is no telling where its pages "
                       "end")
        token = page.next_token or ""
        if token in self.tokens:
            self._stop(f"it sent the page token {token[:40]!r} a second time, after "
                       f"{self.pages} pages; following it would never end")
        self.tokens.add(token)
        if self.stalled >= STALL_PAGES:
            self._stop(f"{self.stalled} pages in a row brought no new study, yet it still "
                       f"offered a next page (after {self.pages} pages and {self.new:,} studies)")
        if self.allowed_pages is not None and self.total is not None:
            slack = max(10, self.total // 10)
            if self.pages >= self.allowed_pages or self.new > self.total + slack:
                self._stop(f"it counted {self.total:,} matching studies, but after "
                           f"{self.pages} pages and {self.new:,} studies it still offered "
                           "a next page")

    def _stop(self, what: str) -> None:
        raise PagingError(self.url, f"the API's paging made no progress: {what}; "
                                    "the search was stopped rather than returned incomplete")


def _parse_version(body: Any, _: requests.Response) -> dict[str, str]:
    if not isinstance(body, dict) or "apiVersion" not in body:
        raise SchemaError("the API's /version answer has no apiVersion")
    return {str(k): str(v)[:200] for k, v in list(body.items())[:20]}


class _BrokenBody(Exception):
    """A reply whose body cannot be used; retried, then ``error`` is raised."""

    def __init__(self, error: TrialFinderError,
                 response: requests.Response | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.response = response


def _check_density(content: bytes, url: str) -> None:
    """Refuse a large answer packed so densely with tiny values that parsing it could use many
    times its size in memory (the body cap bounds bytes; this bounds what they become)."""
    dense = too_dense(content)
    if dense is not None:
        containers, values = dense
        raise SchemaError(
            f"the answer from {url} ({len(content):,} bytes) is packed with {containers:,} "
            f"objects and {values:,} values, far denser than real study records; refused "
            "rather than parsed, since that could exhaust memory"
        )


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, as one short line."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    text = str(inner).strip() or type(inner).__name__
    return text.splitlines()[0][:200]


def _looks_like_html(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "")
    if "html" in kind:
        return True
    head = (response.content or b"")[:64].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html"))


def _error_text(response: requests.Response) -> str:
    """The API's own text/plain message, or a short description of an HTML error page."""
    if _looks_like_html(response):
        return f"HTTP {response.status_code} {response.reason or ''}".strip() + " (HTML error page)"
    text = response.text.strip()
    if not text:
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
    first = text.splitlines()[0]
    return first if len(first) <= 500 else first[:500] + "..."


def _nct_of(study: Any) -> str | None:
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _parse_page(body: Any, response: requests.Response) -> Page:
    if not isinstance(body, dict):
        raise SchemaError(f"expected a JSON object with 'studies', got {type(body).__name__}")
    studies = body.get("studies")
    if "studies" not in body and body.get("totalCount") == 0:
        studies = []  # nothing matched: the API may leave the empty list out
    if not isinstance(studies, list):
        raise SchemaError("the API's answer has no 'studies' list")
    token = body.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise SchemaError("the API's 'nextPageToken' is not a string")
    total = body.get("totalCount")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
        raise SchemaError("the API's 'totalCount' is not a whole number")
    from_cache = bool(getattr(response, "from_cache", False))
    created: datetime | None = None
    stale: float | None = None
    if from_cache:
        stamp = getattr(response, "created_at", None)
        if isinstance(stamp, datetime):
            created = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            if getattr(response, "is_expired", False):
                stale = max(0.0, (datetime.now(UTC) - created).total_seconds())
    return Page(
        studies=studies,
        next_token=token or None,
        total_count=total,
        nbytes=len(response.content or b""),
        from_cache=from_cache,
        stale_age=stale,
        created_at=created,
    )
