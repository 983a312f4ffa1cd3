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

__all__ = ["ISRCTN_STANDIN_URL", "STANDIN_URL", "unreachable_hint"]

#: The address ``make standin`` serves the demo studies at (README, "Trying it without the
#: internet").
STANDIN_URL: Final = "http://127.0.0.1:8765/api/v2"
_README: Final = "(README: Trying it without the internet)"
#: The address ``python -m devtools.isrctn`` serves its fictional ISRCTN trials at (docs/isrctn.md,
#: "The stand-in"), and ISRCTN's own, which ``TRIALFINDER_ISRCTN_URL`` replaces.
ISRCTN_STANDIN_URL: Final = "http://127.0.0.1:8766/api"
_ISRCTN_URL: Final = "https://www.isrctn.com/api"
_ISRCTN_DOCS: Final = "(docs/isrctn.md: The stand-in)"
#: The commands that ask the registry afresh and take no --offline.
_FRESH: Final = frozenset({"sync", "watch"})


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _isrctn_hint(exc: NetworkError) -> str:
    """ISRCTN's stand-in, where it would help: never ``--offline`` (ISRCTN is never cached)."""
    if not exc.refused:  # slow or broken: it is running; offline: it is never cached
        return ""
    base = (exc.address or os.environ.get("TRIALFINDER_ISRCTN_URL") or _ISRCTN_URL).rstrip("/")
    if _loopback(base):
        return (f"; is the ISRCTN stand-in running? `python -m devtools.isrctn` starts it "
                f"{_ISRCTN_DOCS}")
    if base != _ISRCTN_URL:
        return ""
    return (f"; without the internet, `python -m devtools.isrctn` serves fictional ISRCTN "
            f"trials at {ISRCTN_STANDIN_URL} (TRIALFINDER_ISRCTN_URL) {_ISRCTN_DOCS}")


def unreachable_hint(exc: NetworkError, args: argparse.Namespace) -> str:
    """The words added to ``exc``'s line (from ``; ``), or ``""`` when there is nothing to
    add: an API at another address than ClinicalTrials.gov's or a loopback one (someone's own
    mirror), or a loopback server that answered too slowly or wrongly (it is running). ISRCTN
    (``exc.registry``) gets its own stand-in's hint and never ``--offline``."""
    base = (getattr(args, "base_url", None) or os.environ.get("TRIALFINDER_BASE_URL")
            or DEFAULT_BASE_URL).rstrip("/")
    if exc.registry == "ISRCTN":
        return _isrctn_hint(exc)
    if exc.registry is not None:  # another registry: none has a stand-in or a cache yet
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
