"""Packaged data files are gzipped; unpacking is bounded, so a damaged or hostile file costs
one clear error, never all the memory."""

from __future__ import annotations

import zlib

from trialfinder.core.errors import DataFileError

__all__ = ["unpack_gzip"]


def unpack_gzip(packed: bytes, limit: int, name: str) -> bytes:
    """``packed`` gunzipped, refusing anything that unpacks to more than ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    try:
        data = inflater.decompress(packed, limit + 1)
    except zlib.error as exc:
        raise DataFileError(f"{name} is not a readable gzip file: {exc}") from exc
    if len(data) > limit or inflater.unconsumed_tail:
        raise DataFileError(f"{name} unpacks to more than {limit:,} bytes")
    return data
