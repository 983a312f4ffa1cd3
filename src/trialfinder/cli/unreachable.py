"""What a command says after its one error line when the registry cannot be reached: how to
go on without the internet (``--offline`` for searches already made, the loopback stand-in
for the fictional demo studies), or, when the stand-in is what was asked, that it may not be
running. Light on purpose (no requests): :mod:`trialfinder.cli.main` imports it.
"""

from __future__ import annotations

import argparse
import os
from typing import Final
from urllib.parse import urlsplit

from trialfinder.core.config import DEFAULT_BASE_URL
from trialfinder.core.errors import NetworkError, OfflineError

__all__ = ["STANDIN_URL", "unreachable_hint"]

#: The address ``make standin`` serves the demo studies at (README, "Trying it without the
#: internet").
STANDIN_URL: Final = "http://127.0.0.1:8765/api/v2"
_README: Final = "(README: Trying it without the internet)"
#: The commands that ask the registry afresh and take no --offline.
_FRESH: Final = frozenset({"sync", "watch"})


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def unreachable_hint(exc: NetworkError, args: argparse.Namespace) -> str:
    """The words added to ``exc``'s line (from ``; ``), or ``""`` when there is nothing to
    add: a registry other than ClinicalTrials.gov (ISRCTN is never cached), an API at
    another address than ClinicalTrials.gov's or a loopback one (someone's own mirror), or a
    loopback server that answered too slowly or wrongly (it is running)."""
    base = (getattr(args, "base_url", None) or os.environ.get("TRIALFINDER_BASE_URL")
            or DEFAULT_BASE_URL).rstrip("/")
    if exc.registry is not None:  # ISRCTN: its answers are never cached
        return ""
    if _loopback(base):  # refused, not slow or broken: that server is running
        return (f"; is the stand-in running? `make standin` starts it {_README}"
                if exc.refused else "")
    if base != DEFAULT_BASE_URL:
        return ""
    standin = (f"`make standin` serves the fictional demo studies at {STANDIN_URL} "
               f"(TRIALFINDER_BASE_URL) {_README}")
    if isinstance(exc, OfflineError) or args.command in _FRESH:
        return f"; without the internet, {standin}"
    return (f"; without the internet, --offline answers searches made before from the cache, "
            f"and {standin}")
