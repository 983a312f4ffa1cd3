"""Study versions: a record's content hash and its JSON text, as the store keeps them.

A version is named by a short digest of the record with its keys sorted, so the same content
gets the same name whatever order the API sent the keys in. Its text is stored in parts of at
most 60 KiB (:func:`trialfinder.store.bounded.parts`, in ``version_records.record_parts``),
which the ``versions`` view joins back whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pandas as pd

from trialfinder.store.bounded import parts

__all__ = ["VersionRows", "record_hash", "version_rows"]


def _text(record: Mapping[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def _digest(text: bytes) -> str:
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def record_hash(record: Mapping[str, Any]) -> str:
    """A short digest of a record's content (keys sorted), naming one version of a study."""
    return _digest(_text(record))


@dataclass(frozen=True, slots=True)
class VersionRows:
    """One page's study versions, ready to store: ids, hashes and the records' JSON text."""

    ids: list[str]
    digests: list[str]
    texts: list[bytes]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def hashes(self) -> dict[str, str]:
        return dict(zip(self.ids, self.digests, strict=True))

    def relation(self) -> Any:
        """The rows for DuckDB (``nct_id``, ``hash``, ``record_parts``: the JSON text in
        parts, :func:`~trialfinder.store.bounded.parts`): a pyarrow table when pyarrow is
        installed, else a pandas DataFrame."""
        split = [parts(t) for t in self.texts]
        try:
            import pyarrow as pa  # type: ignore[import-untyped]
        except ImportError:
            text = pd.StringDtype("python")
            return pd.DataFrame({
                "nct_id": pd.array(self.ids, dtype=text),
                "hash": pd.array(self.digests, dtype=text),
                "record_parts": pd.Series(split, dtype=object),
            })
        return pa.table({
            "nct_id": pa.array(self.ids, pa.string()),
            "hash": pa.array(self.digests, pa.string()),
            "record_parts": pa.array(split, pa.list_(pa.string())),
        })


def version_rows(records: Sequence[Mapping[str, Any]],
                 record_id: Callable[[object], str | None]) -> VersionRows:
    """The versions of ``records``, each named by ``record_id`` (its registry's
    :meth:`~trialfinder.registries.base.Registry.record_id`: records without a valid id are
    left out; a study given twice keeps its last record). The JSON text is the record with its
    keys sorted, and the hash (:func:`record_hash`) is taken over that text."""
    latest: dict[str, bytes] = {}
    for record in records:
        nct = record_id(record)
        if nct is not None:
            latest[nct] = _text(record)
    texts = list(latest.values())
    return VersionRows(list(latest), [_digest(t) for t in texts], texts)
