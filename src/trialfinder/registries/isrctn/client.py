"""IsrctnClient: searches ISRCTN and reads one trial, with the same bounds as our
ClinicalTrials.gov client, because it is built on the same transport.

The session comes from :func:`trialfinder.http.session.make_session` with the ISRCTN host as
its base URL, so every request has the project's guards: a whole-request deadline
(``TRIALFINDER_TIMEOUT``), a cap on the decoded body (``TRIALFINDER_MAX_BODY_MB``), one host
only (a redirect elsewhere is refused), retries of 429/5xx and dropped connections with backoff
and a capped ``Retry-After``, and pacing by a token bucket of the ISRCTN host's own (at most
:data:`MAX_RATE` requests a minute; ISRCTN documents no limit). ISRCTN answers are XML, which
the HTTP cache does not keep, so this client never uses the cache, and offline mode cannot
search ISRCTN (:class:`~trialfinder.core.errors.OfflineError`).

ISRCTN has no paging: one answer holds every trial asked for. :meth:`IsrctnClient.search`
first asks for ``limit=0`` (the count only), refuses above :data:`~.query.MAX_LIMIT` trials or
when the answer could not fit under the body cap, then asks for exactly that many (as ctrdata
does). :meth:`IsrctnClient.get_trial` looks the id up through the same query endpoint (an
unknown id there is an empty answer; the single-trial path answers an unknown id with a 500
page, which would be retried as a server fault) and keeps the trial whose id is the one asked.

The base URL is ``TRIALFINDER_ISRCTN_URL`` or :data:`DEFAULT_BASE_URL`, or the ``base_url``
argument (the stand-in in ``devtools/isrctn/`` passes its own).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import requests

from trialfinder.core.config import Settings
from trialfinder.core.errors import (
    InvalidQueryError,
    NotFoundError,
    OfflineError,
    SchemaError,
)
from trialfinder.http.replies import looks_like_html
from trialfinder.http.requester import Requester, Tally
from trialfinder.registries.isrctn.ids import API_URL, normalize_isrctn_id
from trialfinder.registries.isrctn.model import IsrctnTrial, ParsedAnswer
from trialfinder.registries.isrctn.query import MAX_LIMIT, IsrctnQuery
from trialfinder.registries.isrctn.xml import parse_answer

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "MAX_RATE",
    "MIN_BYTES_PER_TRIAL",
    "QUERY_PATH",
    "IsrctnClient",
    "IsrctnResult",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = API_URL
ENV_BASE_URL: Final = "TRIALFINDER_ISRCTN_URL"
QUERY_PATH: Final = "query/format/default"
#: Requests a minute at most (ISRCTN documents no limit; its answers can be large).
MAX_RATE: Final = 30.0
#: No real ISRCTN trial takes fewer bytes than this (real ones take 11 to 30 kB); a search
#: whose count times this is over the body cap is refused before its answer is asked for.
MIN_BYTES_PER_TRIAL: Final = 4_000
#: Trials asked for when one is looked up by id (records citing it may come first).
LOOKUP_LIMIT: Final = 25


@dataclass(frozen=True)
class IsrctnResult:
    """One search: the trials, what ISRCTN counted, and what it took."""

    trials: tuple[IsrctnTrial, ...]
    total_count: int
    q: str
    skipped: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    nbytes: int = 0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def truncated(self) -> bool:
        """Whether ISRCTN holds more trials for this search than were asked for."""
        return self.total_count > len(self.trials) + self.skipped


class IsrctnClient:
    """A client for ISRCTN's query API (see the module docstring).

    ``session`` may be supplied (tests pass a plain ``requests.Session``); by default it is the
    project's guarded session for the ISRCTN host. Nothing is kept between calls.
    """

    def __init__(self, settings: Settings | None = None, *, base_url: str | None = None,
                 session: requests.Session | None = None) -> None:
        given = settings if settings is not None else Settings()
        if not isinstance(given, Settings):
            raise InvalidQueryError(f"settings must be Settings, not {type(given).__name__}")
        base = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        self.offline = given.offline
        # the ClinicalTrials.gov base URL's credentials are never sent to another host
        try:
            self.settings = given.with_(
                base_url=base, credentials=None, use_cache=False, offline=False,
                requests_per_minute=min(given.requests_per_minute, MAX_RATE))
        except InvalidQueryError as exc:  # say whose URL it is, and where it came from
            source = "" if base_url or not os.environ.get(ENV_BASE_URL) else \
                f" (from {ENV_BASE_URL})"
            raise InvalidQueryError(f"ISRCTN's {exc}{source}") from exc
        self._requester = Requester(self.settings, session, name="ISRCTN")
        self.session = self._requester.session
        self.session.headers["Accept"] = "application/xml"

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    # -- searching ------------------------------------------------------------------------

    def count(self, query: IsrctnQuery) -> int:
        """How many trials ISRCTN holds for ``query`` (one small request)."""
        return self._answer(self._checked(query).params(0), Tally()).total_count

    def search(self, query: IsrctnQuery, limit: int | None = None) -> IsrctnResult:
        """The trials of ``query``, at most ``limit`` (default: all, up to ``MAX_LIMIT``)."""
        query = self._checked(query)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 1 <= limit <= MAX_LIMIT):
            raise InvalidQueryError(f"limit must be a whole number within 1..{MAX_LIMIT:,}, "
                                    f"not {limit!r}")
        tally = Tally()
        total = self._answer(query.params(0), tally).total_count
        wanted = total if limit is None else min(limit, total)
        if wanted == 0:
            return IsrctnResult((), total, query.to_q(), requests=tally.requests,
                                nbytes=tally.nbytes)
        if wanted > MAX_LIMIT:
            raise InvalidQueryError(
                f"ISRCTN holds {total:,} trials for this search and sends them all in one "
                f"answer (it has no paging); more than {MAX_LIMIT:,} are not asked for: narrow "
                "the search or give a limit")
        cap = self.settings.max_body_bytes
        if wanted * MIN_BYTES_PER_TRIAL > cap:
            raise InvalidQueryError(
                f"{wanted:,} ISRCTN trials make an answer of at least "
                f"{wanted * MIN_BYTES_PER_TRIAL / 1e6:,.0f} MB, more than the cap of "
                f"{self.settings.max_body_mb:g} MB (TRIALFINDER_MAX_BODY_MB): narrow the "
                "search, give a smaller limit or raise the cap")
        answer = self._answer(query.params(wanted), tally)
        problems = Counter(answer.problems)
        trials = answer.trials[:wanted]
        if len(answer.trials) > wanted:
            problems["more_than_asked"] += len(answer.trials) - wanted
        if answer.total_count != total:
            problems["count_changed"] += 1
            logger.debug("ISRCTN's count changed from %d to %d between two requests",
                         total, answer.total_count)
        return IsrctnResult(trials, answer.total_count, query.to_q(), answer.skipped,
                            dict(problems), tally.requests, tally.nbytes)

    def get_trial(self, isrctn_id: str) -> IsrctnTrial:
        """One trial by id (``ISRCTN12345678``, ``isrctn 12345678`` or the 8 digits);
        :class:`NotFoundError` when ISRCTN has none by that id."""
        wanted = normalize_isrctn_id(isrctn_id)
        self._check_online()
        answer = self._answer({"q": wanted, "limit": str(LOOKUP_LIMIT)}, Tally())
        for trial in answer.trials:
            if trial.isrctn_id == wanted:
                return trial
        error = NotFoundError(404, self._url(), f"ISRCTN has no trial {wanted}")
        error.args = (f"ISRCTN has no trial {wanted}",)
        raise error

    # -- one GET ----------------------------------------------------------------------------

    def _checked(self, query: IsrctnQuery) -> IsrctnQuery:
        if not isinstance(query, IsrctnQuery):
            raise InvalidQueryError(f"query must be an IsrctnQuery, not {type(query).__name__}")
        if query.is_empty:
            raise InvalidQueryError("the ISRCTN search is empty: give a condition, term, "
                                    "intervention, country, status or date")
        self._check_online()
        return query

    def _check_online(self) -> None:
        if self.offline:
            raise OfflineError("offline mode: ISRCTN answers are not kept in the cache, so "
                               "ISRCTN cannot be searched offline", registry="ISRCTN")

    def _url(self) -> str:
        return f"{self.settings.base_url}/{QUERY_PATH}"

    def _answer(self, params: dict[str, str], tally: Tally) -> ParsedAnswer:
        content = self._get(params, tally)
        return parse_answer(content, source=f"the ISRCTN answer from {self._url()}",
                            max_bytes=self.settings.max_body_bytes)

    def _get(self, params: dict[str, str], tally: Tally) -> bytes:
        """GET the query endpoint through the shared requester (its one translation of every
        failure into a :class:`TrialFinderError`); an HTML page instead of XML is refused."""
        response = self._requester.response(QUERY_PATH, params, tally)
        if looks_like_html(response):
            raise SchemaError(f"ISRCTN sent an HTML page instead of XML ({self._url()}); it may "
                              "be down for maintenance")
        return response.content or b""
