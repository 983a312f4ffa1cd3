"""Which saved tables (:mod:`trialfinder.cache.tablecache`) belong to a search, known without
loading pandas: the command line asks whether any may answer a search before it decides to
send that search's first request early."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from trialfinder.registries.ctgov.fields import LIST_FIELDS

__all__ = ["TABLES_FOLDER", "manifest_name", "may_be_saved", "search_key", "table_key"]

#: The saved tables' folder, inside the cache folder.
TABLES_FOLDER: Final = "tables"


def table_key(*parts: Any) -> str:
    """The name of an entry: 32 hex digits of the SHA-256 of ``parts`` as JSON."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def search_key(registry: str, base_url: str, params: Mapping[str, str],
               limit: int | None) -> str:
    """The entry of a search of the registry ``registry`` (its name) at ``base_url`` (what it
    sends, up to ``limit`` studies). ClinicalTrials.gov's list view (``LIST_FIELDS``) stamps
    every key, so a change of the columns read makes new entries."""
    return table_key(registry, base_url, dict(params), LIST_FIELDS, limit)


def manifest_name(key: str) -> str:
    """The file that makes an entry whole (written last)."""
    return f"{key}.json"


def may_be_saved(cache_dir: Path, registry: str, base_url: str, params: Mapping[str, str],
                 limit: int | None) -> bool:
    """Whether saved tables may answer this search: an entry for it, or (for a limited
    search) for the whole search, exists; whether it is fresh and whole is for the reader."""
    folder = cache_dir / TABLES_FOLDER
    keys = {search_key(registry, base_url, params, limit),
            search_key(registry, base_url, params, None)}
    try:
        return any((folder / manifest_name(key)).exists() for key in keys)
    except OSError:
        return True  # cannot tell: as if it might
