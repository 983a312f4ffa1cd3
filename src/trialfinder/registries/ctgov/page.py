"""One page of ``GET /studies`` as the client hands it on, and the checks that turn a decoded
answer into one (a wrong shape raises :class:`SchemaError`, never a ``KeyError`` later).

A page's studies are a list of records, or, for a large page a search reads
(:mod:`trialfinder.registries.ctgov.slices`), :class:`StudySlices`: the same records read from
the body one at a time as they are asked for, so a page of 1,000 studies never exists whole as
Python objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import compress
from typing import TYPE_CHECKING, Any, overload

import orjson

from trialfinder.core.bom import without_bom
from trialfinder.core.errors import SchemaError

if TYPE_CHECKING:  # only named in annotations: the store reads ids here without requests
    import requests

__all__ = ["Page", "StudySlices", "ids_of", "nct_of", "parse_page", "parse_version",
           "without_body"]

@dataclass(frozen=True, slots=True)
class Page:
    """One page of ``GET /studies``."""

    studies: Sequence[dict[str, Any]]  # a list, or StudySlices
    next_token: str | None
    total_count: int | None
    nbytes: int
    from_cache: bool
    stale_age: float | None = None  # seconds, when a stale cached answer stood in for the API
    created_at: datetime | None = None  # when a cached answer was stored
    #: the JSON body as it arrived (decoded from gzip), for a consumer that keeps pages as they
    #: came (the study store's spool); dropped before the page is handed on
    body: bytes | None = field(default=None, repr=False, compare=False)


class StudySlices(Sequence[dict[str, Any]]):
    """A page's studies, each read from its slice of the body when it is asked for (and not
    kept): iterating reads each once, in order. ``ids`` are the studies' NCT ids, read from
    the start of each slice without parsing it (the API writes ``nctId`` first); a study whose
    parsed id is not that one, or whose slice does not parse as one object, raises
    :class:`SchemaError` when it is read (only a body altered on purpose can do that)."""

    __slots__ = ("_body", "_bounds", "ids")

    def __init__(self, body: bytes, bounds: Sequence[tuple[int, int]],
                 ids: Sequence[str]) -> None:
        if len(bounds) != len(ids):
            raise ValueError("a slice for every id")
        self._body = body
        self._bounds = tuple(bounds)
        self.ids = tuple(ids)

    def __len__(self) -> int:
        return len(self._bounds)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> StudySlices: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | StudySlices:
        if isinstance(index, slice):
            return StudySlices(self._body, self._bounds[index], self.ids[index])
        return self._read(self._bounds[index], self.ids[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        view = memoryview(self._body)
        for bounds, nct in zip(self._bounds, self.ids, strict=True):
            yield self._read(bounds, nct, view)

    def __repr__(self) -> str:
        return f"StudySlices({len(self)} studies)"

    def sizes(self) -> list[int]:
        """The length in bytes of each study's slice, in order."""
        return [stop - start for start, stop in self._bounds]

    def kept(self, keep: Iterable[bool]) -> StudySlices:
        """The studies whose ``keep`` is true, in order."""
        keep = list(keep)
        return StudySlices(self._body, list(compress(self._bounds, keep)),
                           list(compress(self.ids, keep)))

    def _read(self, bounds: tuple[int, int], nct: str,
              view: memoryview | None = None) -> dict[str, Any]:
        start, stop = bounds
        try:
            study = orjson.loads((view or memoryview(self._body))[start:stop])
        except orjson.JSONDecodeError:
            study = None
        if not isinstance(study, dict) or nct_of(study) != nct:
            raise SchemaError(f"the API's answer could not be read study by study: the study "
                              f"that starts as {nct} at byte {start:,} is not one whole record "
                              "with that id")
        return study


def ids_of(studies: Sequence[Any]) -> list[str | None]:
    """The NCT id of each study (``None`` where it has none), without parsing
    :class:`StudySlices`."""
    if isinstance(studies, StudySlices):
        return list(studies.ids)
    return [nct_of(study) for study in studies]


def nct_of(study: Any) -> str | None:
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def parse_page(body: Any, response: requests.Response) -> Page:
    if not isinstance(body, dict):
        raise SchemaError(f"expected a JSON object with 'studies', got {type(body).__name__}")
    studies = body.get("studies")
    if "studies" not in body and body.get("totalCount") == 0:
        studies = []  # nothing matched: the API may leave the empty list out
    if not isinstance(studies, list | StudySlices):
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
        body=without_bom(response.content or b""),
    )


def parse_version(body: Any, _: requests.Response) -> dict[str, str]:
    if not isinstance(body, dict) or "apiVersion" not in body:
        raise SchemaError("the API's /version answer has no apiVersion")
    return {str(k): str(v)[:200] for k, v in list(body.items())[:20]}


def without_body(page: Page) -> Page:
    """``page`` without its raw body (handed on pages do not hold a second copy of it)."""
    return replace(page, body=None) if page.body is not None else page
