"""One page of ``GET /studies`` as the client hands it on, and the checks that turn a decoded
answer into one (a wrong shape raises :class:`SchemaError`, never a ``KeyError`` later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from trialfinder.core.bom import without_bom
from trialfinder.core.errors import SchemaError

if TYPE_CHECKING:  # only named in annotations: the store reads ids here without requests
    import requests

__all__ = ["Page", "nct_of", "parse_page", "parse_version"]

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
    #: the JSON body as it arrived (decoded from gzip), for a consumer that keeps pages as they
    #: came (the study store's spool); dropped before the page is handed on
    body: bytes | None = field(default=None, repr=False, compare=False)


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
        body=without_bom(response.content or b""),
    )


def parse_version(body: Any, _: requests.Response) -> dict[str, str]:
    if not isinstance(body, dict) or "apiVersion" not in body:
        raise SchemaError("the API's /version answer has no apiVersion")
    return {str(k): str(v)[:200] for k, v in list(body.items())[:20]}
