"""The one error hierarchy of trialfinder.

Callers catch :class:`TrialFinderError`; the CLI and the dashboard catch nothing else.

    TrialFinderError
    ├── InvalidQueryError (also ValueError)   bad input, raised before any request is sent
    ├── PlaceNotFoundError (also ValueError)  a place name we cannot resolve offline
    ├── ApiError                              the API answered with a non-2xx status
    │   ├── NotFoundError                     404, e.g. an unknown NCT id
    │   ├── RateLimitedError                  429 that outlasted the retries (or asked too long)
    │   └── PagingError                       paging that made no progress (the API's doing)
    ├── NetworkError                          timeouts, DNS failures, dropped connections
    │   └── OfflineError                      offline mode and the answer is not in the cache
    ├── SchemaError                           a reply whose shape we did not expect (HTML, bad JSON)
    ├── DataFileError                         a local file that is not a study download
    │   └── StoreError                        the study store cannot be opened or used
    │       ├── StoreBusyError                another program or task has it open
    │       └── StoreOutdatedError            made by an earlier trialfinder: a writer upgrades it
    └── CacheError                            the cache folder cannot be used safely
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "CacheError",
    "DataFileError",
    "InvalidQueryError",
    "NetworkError",
    "NotFoundError",
    "OfflineError",
    "PagingError",
    "PlaceNotFoundError",
    "RateLimitedError",
    "SchemaError",
    "StoreBusyError",
    "StoreError",
    "StoreOutdatedError",
    "TrialFinderError",
    "TrialFinderWarning",
]


class TrialFinderError(Exception):
    """Base class of every error trialfinder raises on purpose."""


class InvalidQueryError(TrialFinderError, ValueError):
    """The query is not valid; nothing was sent."""


class PlaceNotFoundError(InvalidQueryError):
    """A place name could not be resolved to coordinates."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class ApiError(TrialFinderError):
    """The API answered with an error status. ``message`` is the server's own text."""

    def __init__(self, status: int, url: str, message: str) -> None:
        self.status = status
        self.url = url
        self.message = message
        super().__init__(f"ClinicalTrials.gov API error {status}: {message}")


class NotFoundError(ApiError):
    """404: the study (or path) does not exist."""


class RateLimitedError(ApiError):
    """429 that outlasted the retries."""


class PagingError(ApiError):
    """The API's pages did not lead to an end: a page token came back again, pages brought no
    new studies, or there were more pages than the API's own count allows. The search is
    stopped rather than returning a list that only looks whole."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(200, url, message)
        self.args = (f"ClinicalTrials.gov API paging stopped: {message}",)


class NetworkError(TrialFinderError):
    """The API could not be reached (timeout, DNS, refused or dropped connection).

    ``registry`` names the registry asked (``None``: ClinicalTrials.gov or an API of its
    shape) and ``address`` the API's address asked (``None``: not known); ``refused`` is
    true when no connection could be made at all (the server is not there), as against one
    that was too slow or broke."""

    def __init__(self, *args: object, registry: str | None = None,
                 address: str | None = None, refused: bool = False) -> None:
        super().__init__(*args)
        self.registry = registry
        self.address = address
        self.refused = refused


class OfflineError(NetworkError):
    """Offline mode was asked for and the answer is not in the cache."""


class SchemaError(TrialFinderError):
    """The API sent something that is not the JSON shape we expect."""


class DataFileError(TrialFinderError):
    """A local file could not be read as ClinicalTrials.gov study records."""


class StoreError(DataFileError):
    """The study store file cannot be opened or used (locked, damaged, from a newer version)."""


class StoreBusyError(StoreError):
    """Another program (or another task of this one) has the store open; DuckDB allows one
    writer at a time."""


class StoreOutdatedError(StoreError):
    """The store was made by an earlier trialfinder and was opened read-only: it needs the
    migrations this version adds, which only a writer can apply
    (:func:`trialfinder.store.db.open_store` does so by itself)."""


class CacheError(TrialFinderError):
    """The cache folder is unsafe (others can write to it, another user owns it) or unusable
    (read-only, not a folder). Searches go on without the cache; ``cache --clear`` stops."""


class TrialFinderWarning(UserWarning):
    """Base class of the warnings trialfinder gives on purpose (a damaged cache file rebuilt):
    the command line prints each as one note, ``trialfinder: note: ...``."""


ERROR_CODES: dict[int, type[ApiError]] = {404: NotFoundError, 429: RateLimitedError}


def api_error(status: int, url: str, message: str) -> ApiError:
    """Pick the error class for an HTTP status."""
    return ERROR_CODES.get(status, ApiError)(status, url, message)
