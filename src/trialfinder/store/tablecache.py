"""Saved search results: the normalized tables of a search, so repeating it is instant.

The HTTP cache (requests-cache) already saves the API's answers, but a repeat would still parse
and normalize them: for 10,000 studies that is most of a second. This keeps the finished tables
beside the HTTP cache, one file per search, and hands them back while they are fresh:

- no older than the cache's expiry (``Settings.expire_after``);
- not older than the API's last data refresh (``/version``'s ``dataTimestamp``).

Files are pickles written by this module only, in the user's private cache folder (0700); a
file that cannot be read is removed and treated as a miss. At most ``max_entries`` are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trialfinder.tables.normalize import Tables

FORMAT = 1


@dataclass(frozen=True)
class Saved:
    tables: Tables
    info: dict[str, Any]  # what the search reported (total, truncated, version, ...)
    created: datetime

    @property
    def age(self) -> float:
        return max(0.0, (datetime.now(UTC) - self.created).total_seconds())


class TableCache:
    def __init__(self, folder: Path, max_entries: int = 32) -> None:
        self.folder = folder
        self.max_entries = max_entries

    @staticmethod
    def key(*parts: Any) -> str:
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def get(
        self, key: str, *, max_age: timedelta | None, newer_than: datetime | None
    ) -> Saved | None:
        """The saved tables for ``key`` if fresh enough (``max_age=None``: any age)."""
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                saved = pickle.load(handle)
            if not isinstance(saved, dict) or saved.get("format") != FORMAT:
                raise ValueError("not a saved search of this version")
            entry = Saved(tables=saved["tables"], info=saved["info"], created=saved["created"])
        except FileNotFoundError:
            return None
        except Exception:  # unreadable or from another version: drop it, fetch anew
            path.unlink(missing_ok=True)
            return None
        if max_age is not None and entry.age > max_age.total_seconds():
            return None
        if newer_than is not None and entry.created < newer_than:
            return None
        os.utime(path)  # recently used: kept longest
        return entry

    def put(self, key: str, tables: Tables, info: dict[str, Any]) -> None:
        """Save the tables of a search (best effort: a full disk only costs speed later)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self._path(key)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            record = {"format": FORMAT, "tables": tables, "info": info,
                      "created": datetime.now(UTC)}
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            self._trim()
        except OSError:
            return

    def _trim(self) -> None:
        files = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.max_entries)]:
            old.unlink(missing_ok=True)

    def clear(self) -> int:
        removed = 0
        for path in self.folder.glob("*.pickle"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
