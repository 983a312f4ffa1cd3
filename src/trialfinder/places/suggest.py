"""Close names for a place we could not find, offered in the error (``did you mean: ...``).

Over the whole gazetteer a vectorised prefilter (letter histograms) keeps only the names that
could reach :data:`CUTOFF` before :mod:`difflib` ranks them; within a scope the towns of that
scope are ranked directly.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from functools import cache

import numpy as np
import numpy.typing as npt

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.gazetteer import City, Gazetteer
from trialfinder.places.lookup import Scope, in_scope, label
from trialfinder.places.names import key

__all__ = ["CUTOFF", "MAX_SUGGESTIONS", "close_names", "not_found"]

MAX_SUGGESTIONS = 6
CUTOFF = 0.75

_BUCKETS = np.full(256, 37, dtype=np.intp)  # a-z -> 0..25, 0-9 -> 26..35, others -> 37
_BUCKETS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)] = np.arange(26)
_BUCKETS[np.frombuffer(b"0123456789", np.uint8)] = np.arange(26, 36)


def not_found(message: str, suggestions: list[str]) -> PlaceNotFoundError:
    """The error for a place we cannot find, with up to :data:`MAX_SUGGESTIONS` candidates."""
    suggestions = list(dict.fromkeys(suggestions))[:MAX_SUGGESTIONS]
    if suggestions:
        message += "; did you mean: " + "; ".join(suggestions)
    return PlaceNotFoundError(message, suggestions)


def _char_counts(keys: list[str]) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    """Per-key character histograms (38 buckets) and lengths, for a vectorised prefilter."""
    encoded = [k.encode("ascii", "replace") for k in keys]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(keys))
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    owner = np.repeat(np.arange(len(keys)), lengths)
    counts = np.bincount(owner * 38 + _BUCKETS[flat], minlength=len(keys) * 38)
    return counts.reshape(len(keys), 38).astype(np.int16), lengths


@cache
def _index(gaz: Gazetteer) -> tuple[list[str], npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    keys = list(gaz.by_name)
    counts, lengths = _char_counts(keys)
    return keys, counts, lengths


def close_names(gaz: Gazetteer, name_key: str, scope: Scope | None = None) -> list[str]:
    """Labels of towns whose names are close to ``name_key`` (optionally within ``scope``)."""
    if scope is None:
        keys, counts, lengths = _index(gaz)
        q_counts, q_len = _char_counts([name_key])
        common = np.minimum(counts, q_counts[0]).sum(axis=1)
        bound = 2.0 * common / np.maximum(lengths + q_len[0], 1)
        pool = [keys[i] for i in np.flatnonzero(bound >= CUTOFF)]
        close = difflib.get_close_matches(name_key, pool, n=MAX_SUGGESTIONS, cutoff=CUTOFF)
        towns = {k: [gaz.cities[i] for i in gaz.by_name[k]] for k in close}
    else:
        grouped: dict[str, list[City]] = defaultdict(list)
        for city in gaz.cities:
            if in_scope(city, scope):
                grouped[key(city.name)].append(city)
        close = difflib.get_close_matches(name_key, list(grouped), n=MAX_SUGGESTIONS,
                                          cutoff=CUTOFF)
        towns = {k: grouped[k] for k in close}
    labels: list[str] = []
    for k in close:
        labels.extend(label(gaz, c) for c in towns[k][:2])
    return labels[:MAX_SUGGESTIONS]
