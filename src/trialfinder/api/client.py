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

import random
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import orjson
import requests
from urllib3.exceptions import NameResolutionError

from trialfinder._gc import gc_paused
from trialfinder.api.fields import LIST_FIELDS, fields_param
from trialfinder.api.query import StudyQuery, normalize_nct_id
from trialfinder.api.transport import make_session
from trialfinder.config import DEFAULT_BASE_URL, Settings
from trialfinder.errors import (
    NetworkError,
    NotFoundError,
    OfflineError,
    SchemaError,
    TrialFinderError,
    api_error,
)

__all__ = ["Page", "ProgressCallback", "SearchResult", "TrialsClient"]

#: Seconds a client keeps the API's ``/version`` answer.
VERSION_TTL = 3600.0

#: Seconds a client remembers that the API could not be reached (no new wait through retries).
UNREACHABLE_TTL = 30.0

#: ``progress(fetched_so_far, total_or_None)``, called after each page.
ProgressCallback = Callable[[int, int | None], None]


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
    """Every study a search returned, with the facts needed to be honest about it."""

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

    @property
    def complete(self) -> bool:
        return not self.truncated


def _age_text(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


class TrialsClient:
    """A client for the ClinicalTrials.gov API v2.

    ``session`` may be supplied (tests pass a plain ``requests.Session`` replayed by cassettes);
    by default it is a cached, retried and paced session built from ``settings``.
    """

    def __init__(
        self, settings: Settings | None = None, session: requests.Session | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.session = session if session is not None else make_session(self.settings)
        self.requests_made = 0
        self.bytes_received = 0
        self._version_memo: tuple[float, dict[str, str]] | None = None
        self._unreachable: NetworkError | None = None
        self._version_failed: tuple[float, NetworkError] | None = None

    # -- one GET ----------------------------------------------------------------------------

    def _api_name(self) -> str:
        base = self.settings.base_url
        return f"ClinicalTrials.gov at {base}" if base == DEFAULT_BASE_URL else f"the API at {base}"

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url}/{path.lstrip('/')}"

    def _get(
        self, path: str, params: dict[str, str] | None = None, *, force_refresh: bool = False,
        cache_only: bool = False,
    ) -> tuple[Any, requests.Response]:
        """GET ``path`` and decode its JSON; every failure becomes a ``TrialFinderError``.

        Statuses 429/5xx and failed connections are retried by urllib3 below the session. A
        body that arrives broken (cut short, or an HTML page sent with status 200) is retried
        here, with the same backoff, since only the decoded body shows it.
        """
        retries = self.settings.retries
        for attempt in range(retries + 1):
            try:
                return self._get_once(path, params, force_refresh=force_refresh or attempt > 0,
                                      cache_only=cache_only)
            except _BrokenBody as broken:
                if attempt == retries or self.settings.offline:
                    raise broken.error from broken.error.__cause__
                delay = min(self.settings.backoff_max, self.settings.backoff_factor * 2**attempt)
                time.sleep(delay * (0.5 + random.random() / 2))
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(
        self, path: str, params: dict[str, str] | None, *, force_refresh: bool,
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
        except requests.exceptions.RetryError as exc:
            raise NetworkError(f"gave up on {url} after {self.settings.retries} retries") from exc
        except requests.exceptions.Timeout as exc:
            raise NetworkError(
                f"ClinicalTrials.gov did not answer within {self.settings.timeout:g} s ({url})"
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            if _caused_by(exc, NameResolutionError):
                raise NetworkError(
                    f"cannot reach {self._api_name()}: the host name does not resolve "
                    "(is this machine offline?)"
                ) from exc
            raise NetworkError(f"cannot reach {self._api_name()}: {_reason(exc)}") from exc
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise _BrokenBody(NetworkError(
                f"the connection broke while reading {url}: {_reason(exc)}")) from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"request to {url} failed: {_reason(exc)}") from exc
        from_cache = bool(getattr(response, "from_cache", False))
        if not from_cache:
            self.requests_made += 1
        content = response.content or b""
        self.bytes_received += len(content)
        if offline and response.status_code == 504:
            raise OfflineError(
                "offline mode: this search is not in the cache yet; run it once while online"
            )
        if response.status_code >= 400:
            raise api_error(response.status_code, response.url or url, _error_text(response))
        if response.status_code != 200:
            raise SchemaError(f"unexpected HTTP {response.status_code} from {url}")
        if _looks_like_html(response):
            raise _BrokenBody(SchemaError(
                f"the API sent an HTML page instead of JSON ({url}); it may be down for maintenance"
            ))
        try:
            with gc_paused():  # CPU only: a page of 1,000 studies is 10^5 small objects
                body = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            error = SchemaError(
                f"the API sent a reply that is not valid JSON ({len(content):,} bytes "
                f"from {url}): {exc}"
            )
            error.__cause__ = exc
            raise _BrokenBody(error) from exc
        return body, response

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
        """Yield pages lazily until the API sends no ``nextPageToken`` (or ``limit`` is met)."""
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        base = query.to_params() | fields_param(fields)
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
            body, response = self._get("studies", params, force_refresh=force_refresh,
                                       cache_only=cache_only)
            page = _parse_page(body, response)
            seen += len(page.studies)
            yield page
            first = False
            token = page.next_token
            if not token or (limit is not None and seen >= limit):
                return

    def search(
        self,
        query: StudyQuery,
        *,
        limit: int | None = None,
        fields: tuple[str, ...] | None = LIST_FIELDS,
        progress: ProgressCallback | None = None,
    ) -> SearchResult:
        """Fetch every study matching ``query`` (up to ``limit``), each once, in API order.

        With a cache, ``/version`` (cached for an hour) tells when the API last refreshed its
        data; cached pages older than that are fetched anew.
        """
        started = time.perf_counter()
        requests_before, bytes_before = self.requests_made, self.bytes_received
        # /version: provenance, and when the data last changed (kept an hour, so this is one
        # request an hour at most). Asked first, in turn: requests run one at a time.
        # Without a cache /version is not asked: it would cost one more request per search.
        cached = hasattr(self.session, "cache")
        version, unreachable = (self.version_or_none() if cached else None), None
        if version is None and self._unreachable is not None:
            # /version just failed to connect, after its retries: asking for every page the
            # same way would only repeat the wait. Answer from the cache if it can.
            unreachable, self._unreachable = self._unreachable, None
            if not cached:
                raise unreachable
        data_time = self._data_time(version)
        pages_iter = self.iter_pages(query, fields=fields, limit=limit,
                                     cache_only=unreachable is not None)
        try:
            first = next(pages_iter)
        except OfflineError:
            if unreachable is None:
                raise
            raise unreachable from None
        if (data_time is not None and first.from_cache and first.created_at is not None
                and first.created_at < data_time):
            pages_iter.close()
            pages_iter = self.iter_pages(query, fields=fields, limit=limit, force_refresh=True)
            first = next(pages_iter)
        studies: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        total: int | None = None
        duplicates = pages = cached_pages = 0
        worst_stale: float | None = None
        last_token: str | None = None
        for page in chain([first], pages_iter):
            pages += 1
            cached_pages += page.from_cache
            if page.total_count is not None:
                total = page.total_count
            if page.stale_age is not None:
                worst_stale = max(worst_stale or 0.0, page.stale_age)
            elif unreachable is not None and page.created_at is not None:
                age = (datetime.now(UTC) - page.created_at).total_seconds()
                worst_stale = max(worst_stale or 0.0, age)
            for study in page.studies:
                nct = _nct_of(study)
                if nct is not None:
                    if nct in seen_ids:
                        duplicates += 1
                        continue
                    seen_ids.add(nct)
                studies.append(study)
            last_token = page.next_token
            if progress is not None:
                progress(len(studies), total)
        if limit is not None and len(studies) > limit:
            del studies[limit:]
        truncated = limit is not None and len(studies) >= limit and (
            bool(last_token) or (total is not None and total > len(studies))
        )
        result = SearchResult(
            studies=studies,
            total_count=total,
            truncated=truncated,
            requests=self.requests_made - requests_before,
            pages=pages,
            nbytes=self.bytes_received - bytes_before,
            from_cache=cached_pages,
            duplicates_dropped=duplicates,
            elapsed=time.perf_counter() - started,
            params=query.to_params(),
            version=version,
            stale_age=worst_stale,
        )
        if duplicates:
            result.warnings.append(
                f"{duplicates} studies appeared on more than one page and were kept once "
                "(the data changed while paging)"
            )
        if worst_stale is not None:
            result.warnings.append(
                "ClinicalTrials.gov could not be reached; showing cached results from "
                f"{_age_text(worst_stale)} ago"
            )
        if self.settings.offline:
            result.warnings.append("offline mode: results come from the local cache only")
        if truncated:
            of = f" of {total:,}" if total is not None else ""
            result.warnings.append(
                f"showing the first {len(studies):,}{of} matching studies (limit reached)"
            )
        return result

    def iter_studies(
        self, query: StudyQuery, limit: int | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Studies one by one, lazily (requests stop when ``limit`` is reached)."""
        count = 0
        for page in self.iter_pages(query, limit=limit, **kwargs):
            for study in page.studies:
                yield study
                count += 1
                if limit is not None and count >= limit:
                    return

    # -- single study and metadata ----------------------------------------------------------

    def get_study(self, nct_id: str, *, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        """One full record (or the given ``fields``). Unknown ids raise ``NotFoundError``."""
        nct = normalize_nct_id(nct_id)
        try:
            body, _ = self._get(f"studies/{nct}", fields_param(fields) or None)
        except NotFoundError as exc:
            raise NotFoundError(exc.status, exc.url, f"no study with id {nct}") from exc
        if not isinstance(body, dict) or "protocolSection" not in body:
            raise SchemaError(f"the API's answer for {nct} is not a study record")
        return body

    def version(self) -> dict[str, str]:
        """``GET /version``: ``{"apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}``.

        Kept for an hour in this client (and in the HTTP cache), since it changes once a day.
        """
        now = time.monotonic()
        memo = self._version_memo
        if memo is not None and now - memo[0] < VERSION_TTL:
            return dict(memo[1])
        failed = self._version_failed
        if failed is not None and now - failed[0] < UNREACHABLE_TTL:
            raise failed[1]  # it just failed to connect: don't wait through the retries again
        try:
            body, _ = self._get("version")
        except NetworkError as exc:
            self._version_failed = (now, exc)
            raise
        self._version_failed = None
        if not isinstance(body, dict) or "apiVersion" not in body:
            raise SchemaError("the API's /version answer has no apiVersion")
        answer = {k: str(v) for k, v in body.items()}
        self._version_memo = (now, answer)
        return dict(answer)

    def version_or_none(self) -> dict[str, str] | None:
        """:meth:`version`, or ``None`` when it cannot be had (never raises). A failure to
        connect is kept in ``_unreachable`` for :meth:`search`."""
        try:
            return self.version()
        except NetworkError as exc:
            self._unreachable = exc
            return None
        except TrialFinderError:
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


class _BrokenBody(Exception):
    """A reply whose body cannot be used; retried, then ``error`` is raised."""

    def __init__(self, error: TrialFinderError) -> None:
        super().__init__(str(error))
        self.error = error


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: object = exc
    while isinstance(current, BaseException) and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = (getattr(current, "reason", None) or current.__cause__
                   or current.__context__ or (current.args[0] if current.args else None))
    return False


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
    studies = body.get("studies", [])
    if not isinstance(studies, list):
        raise SchemaError("the API's 'studies' value is not a list")
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
