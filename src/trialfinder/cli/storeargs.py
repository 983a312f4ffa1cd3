"""What the store's commands share: --store, the store's path, the settings of a refresh, a
size in words. Light on purpose (no DuckDB, no pandas): every parser imports it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trialfinder.cli.common import verbose_option
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError

__all__ = ["settings_for_refresh", "size_text", "store_option", "store_path"]


def store_option(parser: argparse.ArgumentParser, *, verbose: bool = True) -> None:
    """--store, and -v unless the command's parents (the connection options) bring it."""
    if verbose:
        verbose_option(parser)
    parser.add_argument("--store", type=_store_file, dest="store_path",
                        help="the store file (default: studies.duckdb in $TRIALFINDER_DATA_DIR "
                        "or the user data folder)")


def _store_file(text: str) -> Path:
    """--store's FILE: never an empty name (``Path("")`` is the current folder, and an unset
    variable in ``--store "$STORE"`` would name it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the store file's name is empty: give a file such as "
                                         "studies.duckdb, or leave out --store for the default")
    return Path(text)


def store_path(args: argparse.Namespace) -> Path:
    from trialfinder.store.db import default_store_path

    path: Path = args.store_path or default_store_path()
    return path


def settings_for_refresh(args: argparse.Namespace) -> Settings:
    """Connection settings for sync and watch runs. The store keeps what they fetch, so the
    HTTP cache is left out (the whole registry would not belong there), and offline makes no
    sense for a refresh."""
    if getattr(args, "offline", False):
        raise InvalidQueryError(f"{args.command} asks the API for fresh data; it cannot run "
                                "--offline (use `trialfinder sql` to read the store)")
    changes: dict[str, Any] = {"use_cache": False}
    if getattr(args, "base_url", None):
        changes["base_url"] = args.base_url
    if getattr(args, "cache_dir", None):
        changes["cache_dir"] = args.cache_dir
    return Settings().with_(**changes)


def size_text(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"
