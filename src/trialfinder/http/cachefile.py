"""How an answer is stored in the HTTP cache file: JSON for the facts, the body as it came.

requests-cache turns each answer into a dict of plain values (status, headers, URL, times) and
its body. The usual JSON serializers encode the body in base64 inside the JSON: a page of 1,000
studies (about 4.5 MB) becomes a 6 MB string that is encoded, escaped, stored and decoded
again on each read. Here an entry is::

    b"trialfinder-cache 1\\n" + 4-byte length (big-endian) + JSON of the facts + the body

The body is stored byte for byte and never parsed on the way in or out; the facts are JSON
(read with ``orjson``), never pickles, so reading a cache file back cannot run code whoever
wrote it. An entry of any other shape (an older cache, a planted value) fails to load and
counts as a miss: the answer is fetched again.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

__all__ = ["MAGIC", "NAME", "cache_serializer", "pack", "pack_parts", "stored_parts", "unpack"]

MAGIC: Final = b"trialfinder-cache 1\n"
#: The name of the requests-cache serializer of these entries.
NAME: Final = "trialfinder-raw"
_LENGTH: Final = 4
#: The facts of one answer are a few kB; anything far larger is not an entry of ours.
MAX_FACTS_BYTES: Final = 1 << 20


def pack(entry: dict[str, Any]) -> bytes:
    """One unstructured answer as stored bytes (``entry`` loses its ``_content``): the two
    parts of :func:`pack_parts` joined."""
    return b"".join(pack_parts(entry))


def pack_parts(entry: dict[str, Any]) -> tuple[bytes, bytes]:
    """One unstructured answer as the two parts of its stored bytes: the head (the marker,
    the facts' length and the facts) and the body as it came (``entry`` loses its
    ``_content``). The cache file writes them one after the other into the entry, so the
    body is never copied into one joined value (:mod:`trialfinder.http.cachedb`).

    The answers of the redirects that led to it (``history``, each with a body of its own)
    are kept without their bodies: a redirect's body is never read, and only the final
    answer's body is stored as it came."""
    body = entry.pop("_content", None) or b""
    if not isinstance(body, bytes):
        raise TypeError(f"an answer's body must be bytes, not {type(body).__name__}")
    history = entry.get("history")
    if isinstance(history, list):
        entry["history"] = [{k: v for k, v in step.items() if k != "_content"}
                            if isinstance(step, dict) else step for step in history]
    facts = orjson.dumps(entry)
    return b"".join((MAGIC, len(facts).to_bytes(_LENGTH, "big"), facts)), body


def stored_parts(serializer: Any, value: Any) -> tuple[bytes, bytes] | None:
    """The head and body (:func:`pack_parts`) ``serializer`` would store for ``value`` when
    it is :func:`cache_serializer`'s, else ``None``."""
    if getattr(serializer, "name", None) != NAME:
        return None
    return pack_parts(serializer.stages[0].dumps(value))


def unpack(blob: bytes | memoryview) -> dict[str, Any]:
    """The unstructured answer stored as ``blob``; ``ValueError`` when it is not one of ours
    (requests-cache then treats the entry as missing)."""
    data = bytes(blob) if isinstance(blob, memoryview) else blob
    if not isinstance(data, bytes) or not data.startswith(MAGIC):
        raise ValueError("not a trialfinder cache entry")
    start = len(MAGIC) + _LENGTH
    size = int.from_bytes(data[len(MAGIC):start], "big")
    if len(data) < start or size > min(MAX_FACTS_BYTES, len(data) - start):
        raise ValueError("a trialfinder cache entry cut short")
    try:
        facts = orjson.loads(data[start:start + size])
    except orjson.JSONDecodeError:
        raise ValueError("a trialfinder cache entry with unreadable facts") from None
    if not isinstance(facts, dict):
        raise ValueError("a trialfinder cache entry whose facts are not an object")
    facts["_content"] = data[start + size:]
    return facts


def cache_serializer() -> Any:
    """The requests-cache serializer for :func:`pack` / :func:`unpack` entries (requests-cache
    is imported here, so code without the cache never loads it)."""
    from requests_cache.serializers import SerializerPipeline, Stage
    from requests_cache.serializers.cattrs import CattrStage

    facts = CattrStage(_orjson_converter)
    # the body stays bytes through the converter: :func:`pack` stores it as it is
    facts.converter.register_unstructure_hook(bytes, lambda value: value)
    facts.converter.register_structure_hook(bytes, _body)
    facts_stage = Stage(dumps=facts.dumps, loads=_guarded(facts.loads))
    return SerializerPipeline([facts_stage, Stage(dumps=pack, loads=unpack)],
                              name=NAME, is_binary=True)


def _guarded(loads: Any) -> Any:
    """``loads`` whose every failure is a ``ValueError`` (requests-cache then counts a miss):
    facts of the wrong types must cost the entry, never the search."""

    def guarded(entry: dict[str, Any]) -> Any:
        try:
            return loads(entry)
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(f"an unreadable trialfinder cache entry: {type(exc).__name__}") \
                from None

    return guarded


def _orjson_converter(**kwargs: Any) -> Any:
    from cattrs.preconf.orjson import make_converter

    return make_converter(**kwargs)


def _body(value: object, _: object) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"an answer's body must be bytes, not {type(value).__name__}")
    return value
