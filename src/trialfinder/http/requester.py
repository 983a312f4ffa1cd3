"""One GET to the API, every failure turned into a :class:`TrialFinderError`: the part of
:class:`~trialfinder.registries.ctgov.client.TrialsClient` that knows HTTP, JSON and the cache, and
nothing of
paging or searches.

A broken body (an HTML page with status 200, JSON that does not parse) is retried with backoff;
an answer whose shape the caller's ``check`` refuses is deleted from the cache so it is never
replayed; statuses 429/5xx and failed connections are retried by the transport below.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from trialfinder.core.bom import without_bom
from trialfinder.core.config import DEFAULT_BASE_URL, Settings, redact_url
from trialfinder.core.errors import (
    ApiError,
    NetworkError,
    OfflineError,
    SchemaError,
    TrialFinderError,
    api_error,
)
from trialfinder.core.gcpause import gc_paused
from trialfinder.core.wording import duration, plural
from trialfinder.http.density import check_density
from trialfinder.http.memo import API_MEMO, ApiMemo
from trialfinder.http.replies import error_text, looks_like_html, reason
from trialfinder.http.session import make_session
from trialfinder.http.transport import (
    BodyTooLarge,
    DeadlineExceeded,
    OtherOriginRefused,
    _caused_by,
    retry_after_seconds,
)

__all__ = ["Requester", "Tally"]

logger = logging.getLogger(__name__)

_TEN_YEARS = 10 * 365 * 86400.0

T = TypeVar("T")


@dataclass(slots=True)
class Tally:
    """Requests sent and bytes received for one call (never shared between calls)."""

    requests: int = 0
    nbytes: int = 0


#: An answer asked ahead and not taken within this many seconds is dropped, not used.
AHEAD_MAX_AGE = 60.0


@dataclass
class _Ahead:
    """One GET sent (or about to be sent) before its caller was ready for it, and what came of
    it; ``done`` with neither a response nor an error: it was not sent after all."""

    url: str
    params: dict[str, str]
    done: threading.Event = field(default_factory=threading.Event)
    response: requests.Response | None = None
    error: BaseException | None = None
    since: float = field(default_factory=time.monotonic)


class Requester:
    """Settings, session and memo, and the one-GET machinery built on them.

    ``session`` may be supplied (tests pass a plain ``requests.Session``); by default it is a
    cached, retried, paced and bounded session built from ``settings``. Nothing is kept between
    calls (but the one answer asked ahead, until it is taken: :meth:`_reserve_ahead`), so one
    instance may be shared by threads and dashboard sessions.
    """

    def __init__(
        self, settings: Settings | None = None, session: requests.Session | None = None,
        *, memo: ApiMemo | None = None, name: str | None = None,
    ) -> None:
        #: How errors name the API (``None``: ClinicalTrials.gov, or the API at its base URL).
        self.name = name
        self.settings = settings or Settings()
        self.session = session if session is not None else make_session(
            self.settings, name=self._short_name())
        self.memo = memo if memo is not None else API_MEMO
        self._ahead: _Ahead | None = None
        self._ahead_lock = threading.Lock()

    def _reserve_ahead(self, path: str, params: dict[str, str]) -> _Ahead:
        """Announce a GET of ``path`` with ``params`` that another thread sends ahead
        (:meth:`_send_reserved`): from now on the first GET of the same URL and parameters
        waits for it and takes its answer instead of sending another. Only the answer is kept:
        that GET checks and decodes it as usual, and an error is raised there, as if it had
        happened there. Another GET sent meanwhile is not affected; a later reservation
        replaces one never used, and an answer not taken within ``AHEAD_MAX_AGE`` seconds is
        dropped."""
        ahead = _Ahead(self._url(path), dict(params))
        with self._ahead_lock:
            self._ahead = ahead
        return ahead

    def _send_reserved(self, ahead: _Ahead | None, *, send: bool = True) -> None:
        """Send the reserved GET (``send``) or give it up, so whoever waits for it goes on."""
        if ahead is None:
            return
        try:
            if send:
                ahead.response = self.session.get(ahead.url, params=ahead.params,
                                                  timeout=self.settings.timeout)
        except BaseException as exc:  # raised in the thread that takes the answer
            ahead.error = exc
        finally:
            ahead.done.set()

    def _sent_ahead(self, url: str, params: dict[str, str] | None) -> _Ahead | None:
        """The answer sent ahead for exactly this GET, taken (once), or ``None``: none, one for
        another GET (left in place), one given up, or one too old to use (dropped)."""
        with self._ahead_lock:
            ahead = self._ahead
            if ahead is None or ahead.url != url or ahead.params != (params or {}):
                return None
            self._ahead = None
        if time.monotonic() - ahead.since > AHEAD_MAX_AGE:
            return None
        ahead.done.wait()
        if ahead.response is None and ahead.error is None:
            return None  # not sent after all: ask now
        return ahead

    # -- one GET ----------------------------------------------------------------------------

    def _short_name(self) -> str:
        """How a note names the API: ``ISRCTN``, ``ClinicalTrials.gov``, the API at its URL."""
        base = self.settings.base_url
        return self.name or ("ClinicalTrials.gov" if base == DEFAULT_BASE_URL
                             else f"the API at {base}")

    def _api_name(self) -> str:
        base = self.settings.base_url
        if self.name:
            return f"{self.name} at {base}"
        return f"ClinicalTrials.gov at {base}" if base == DEFAULT_BASE_URL else f"the API at {base}"

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url}/{path.lstrip('/')}"

    def _get(
        self, path: str, params: dict[str, str] | None,
        check: Callable[[Any, requests.Response], T], tally: Tally, *,
        force_refresh: bool = False, cache_only: bool = False,
        before_parse: Callable[[], object] | None = None,
        decode: Callable[[bytes], Any] = orjson.loads,
    ) -> T:
        """GET ``path``, decode its JSON and ``check`` its shape; every failure becomes a
        ``TrialFinderError``.

        Statuses 429/5xx and failed connections are retried by the transport. A body that
        arrives broken (an HTML page sent with status 200, or JSON that does not parse) is
        retried here, with the same backoff, since only the decoded body shows it. An answer
        whose shape ``check`` refuses is deleted from the cache, so it is never replayed.
        ``before_parse`` is called once the body has arrived, before it is decoded (a search
        uses it to wait until the previous page is handed on, see ``TrialsClient.search``).
        ``decode`` turns the body into values (``orjson.loads``, or a reader that leaves parts
        of a large body to be parsed later); it raises ``orjson.JSONDecodeError`` for a body
        that is not JSON.
        """
        retries = self.settings.retries
        for attempt in range(retries + 1):
            try:
                body, response = self._get_once(
                    path, params, tally, force_refresh=force_refresh or attempt > 0,
                    cache_only=cache_only, before_parse=before_parse, decode=decode)
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

    def response(
        self, path: str, params: dict[str, str] | None, tally: Tally, *,
        force_refresh: bool = False, cache_only: bool = False,
    ) -> requests.Response:
        """GET ``path`` once (the transport retries 429/5xx and failed connections) and return
        the answer whose status is 200, its body not yet looked at; every failure of the
        request and every other status becomes a :class:`TrialFinderError` (the one place
        where requests' errors are translated, for every registry's client)."""
        try:
            return self._response(path, params, tally, force_refresh=force_refresh,
                                  cache_only=cache_only)
        except _BrokenBody as broken:  # retried only by _get, which decodes JSON
            raise broken.error from broken.error.__cause__

    def _response(
        self, path: str, params: dict[str, str] | None, tally: Tally, *,
        force_refresh: bool = False, cache_only: bool = False,
    ) -> requests.Response:
        url = self._url(path)
        kwargs: dict[str, Any] = {"params": params, "timeout": self.settings.timeout}
        cached = hasattr(self.session, "cache")
        offline = self.settings.offline or cache_only
        if cached and offline:
            kwargs["only_if_cached"] = True
        elif cached and force_refresh:
            kwargs["force_refresh"] = True
        ahead = None if offline or force_refresh else self._sent_ahead(url, params)
        try:
            if ahead is None:
                response = self.session.get(url, **kwargs)
            else:
                if ahead.error is not None:
                    raise ahead.error
                assert ahead.response is not None
                response = ahead.response
                logger.debug("answer asked for ahead: %s", redact_url(url))
        except OtherOriginRefused as exc:
            if exc.status is not None:
                raise self._named(ApiError(exc.status, url, (
                    f"{self.name or 'the API'} redirected to {exc.target}, another host than "
                    f"{exc.allowed}; not followed"))) from exc
            raise self._down(str(exc)) from exc
        except BodyTooLarge as exc:
            raise SchemaError(
                f"the answer from {url} is larger than {self.settings.max_body_mb:g} MB; "
                "stopped reading it (the cap is TRIALFINDER_MAX_BODY_MB)"
            ) from exc
        except DeadlineExceeded as exc:
            raise self._down(
                f"{self._api_name()} did not send its whole answer within "
                f"{self.settings.timeout:g} s (TRIALFINDER_TIMEOUT), after "
                f"{plural(self.settings.retries, 'retry')} ({url})"
            ) from exc
        except requests.exceptions.TooManyRedirects as exc:
            raise self._down(f"too many redirects from {url}") from exc
        except requests.exceptions.RetryError as exc:
            raise self._down(
                f"gave up on {url} after {plural(self.settings.retries, 'retry')}") from exc
        except requests.exceptions.Timeout as exc:
            raise self._down(
                f"{self._api_name()} did not answer within {self.settings.timeout:g} s ({url})"
            ) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise self._down(
                f"the connection broke while reading {url}: {reason(exc)}") from exc
        except requests.exceptions.ConnectionError as exc:
            if _caused_by(exc, NameResolutionError):
                raise self._down(
                    f"cannot reach {self._api_name()}: the host name does not resolve "
                    "(is this machine offline?)", refused=True
                ) from exc
            raise self._down(f"cannot reach {self._api_name()}: {reason(exc)}",
                             refused=_caused_by(exc, NewConnectionError)) from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise _BrokenBody(self._down(
                f"the answer from {url} could not be decompressed: {reason(exc)}")) from exc
        except requests.exceptions.RequestException as exc:
            raise self._down(f"request to {url} failed: {reason(exc)}") from exc
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
                "offline mode: this search is not in the cache yet; run it once while online",
                registry=self.name)
        if response.status_code >= 400:
            raise self._named(api_error(response.status_code, response.url or url,
                                        error_text(response) + self._come_back(response)))
        if response.status_code != 200:
            raise SchemaError(f"unexpected HTTP {response.status_code} from {url}")
        return response

    def _down(self, message: str, *, refused: bool = False) -> NetworkError:
        """A :class:`NetworkError` naming this client's registry (``refused``: no connection
        could be made at all)."""
        return NetworkError(message, registry=self.name, address=self.settings.base_url,
                            refused=refused)

    def _named(self, error: ApiError) -> ApiError:
        """``error`` with its message naming this client's API (class, status, URL kept): a
        named registry by its name; ClinicalTrials.gov's client by that name only at
        ClinicalTrials.gov's own address, another address (a stand-in, a mirror) by itself,
        since its 404 is not ClinicalTrials.gov's."""
        if self.name:
            error.args = (f"{self.name} API error {error.status}: {error.message}",)
        elif self.settings.base_url != DEFAULT_BASE_URL:
            error.args = (f"the API at {self.settings.base_url} answered with error "
                          f"{error.status}: {error.message}",)
        return error

    def _get_once(
        self, path: str, params: dict[str, str] | None, tally: Tally, *, force_refresh: bool,
        cache_only: bool = False, before_parse: Callable[[], object] | None = None,
        decode: Callable[[bytes], Any] = orjson.loads,
    ) -> tuple[Any, requests.Response]:
        url = self._url(path)
        response = self._response(path, params, tally, force_refresh=force_refresh,
                                  cache_only=cache_only)
        content = response.content or b""
        if looks_like_html(response):
            raise _BrokenBody(SchemaError(
                f"the API sent an HTML page instead of JSON ({url}); it may be down for maintenance"
            ), response)
        if before_parse is not None:
            before_parse()
        # checked once the caller waits for this body: the check's passes release the
        # interpreter lock, which costs them a wait each while another thread holds it
        try:
            check_density(content, url)
        except SchemaError:
            self._forget(response)
            raise
        try:
            with gc_paused():  # CPU only: a page of 1,000 studies is 10^5 small objects
                body = decode(without_bom(content))
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


class _BrokenBody(Exception):
    """A reply whose body cannot be used; retried, then ``error`` is raised."""

    def __init__(self, error: TrialFinderError,
                 response: requests.Response | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.response = response

