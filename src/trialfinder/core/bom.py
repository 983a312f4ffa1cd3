"""The UTF-8 byte order mark some tools put before JSON: JSON's grammar has no room for it, so
it is read past wherever JSON text comes in (the API, the HTTP cache, the store's spool, a file)."""

from __future__ import annotations

__all__ = ["UTF8_BOM", "without_bom"]

#: The UTF-8 byte order mark some tools put before JSON; JSON's grammar has no room for it.
UTF8_BOM = b"\xef\xbb\xbf"


def without_bom(data: bytes) -> bytes:
    """``data`` without a leading UTF-8 byte order mark: a JSON text saved by a tool that adds
    one reads the same from the API, the HTTP cache, the store's spool or a file."""
    return data[len(UTF8_BOM):] if data.startswith(UTF8_BOM) else data
