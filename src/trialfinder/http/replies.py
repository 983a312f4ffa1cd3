"""What an HTTP answer says about itself, as short text for error messages: the innermost cause
of a failed request, whether a body is an HTML page, and the server's own error text."""

from __future__ import annotations

import requests

__all__ = ["error_text", "looks_like_html", "reason"]


def reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, as one short line."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    text = str(inner).strip() or type(inner).__name__
    return text.splitlines()[0][:200]


def looks_like_html(response: requests.Response) -> bool:
    """Whether the answer is an HTML page (by its type, or by how its body starts)."""
    kind = response.headers.get("Content-Type", "")
    if "html" in kind:
        return True
    head = (response.content or b"")[:64].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html"))


def error_text(response: requests.Response) -> str:
    """The API's own text/plain message, or a short description of an HTML error page."""
    if looks_like_html(response):
        return f"HTTP {response.status_code} {response.reason or ''}".strip() + " (HTML error page)"
    text = response.text.strip()
    if not text:
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
    first = text.splitlines()[0]
    return first if len(first) <= 500 else first[:500] + "..."
