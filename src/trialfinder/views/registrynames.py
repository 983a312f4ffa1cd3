"""Which registry a page names while it searches, and which one an error came from, by the
registries' own titles (never text from an answer): "Asking ClinicalTrials.gov and ISRCTN…",
"ISRCTN cannot be reached right now"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from trialfinder.registries import DEFAULT_REGISTRY, Registry, choose_registries
from trialfinder.registries.links import registries_title

__all__ = ["failed_title", "searched_title"]


def _chosen(names: Iterable[str] | None) -> tuple[Registry, ...]:
    """The registries a search over ``names`` asks (the default when a name is unknown: the
    search refuses it itself)."""
    try:
        return choose_registries(tuple(names) if names is not None else None)
    except ValueError:
        return choose_registries(None)


def searched_title(names: Iterable[str] | None) -> str:
    """The registries a search asks, as people name them (ClinicalTrials.gov when none are
    named: the default). Unknown names are left out (the search refuses them itself)."""
    return registries_title(r.name for r in _chosen(names))


def failed_title(error: object, names: Iterable[str] | None) -> str:
    """The registry an error of a search over ``names`` came from: one of them that is not the
    default and whose title its message names before any address (ISRCTN's errors say
    "ISRCTN at ...", "ISRCTN API error ..."); else the default registry when it was asked
    (its errors name it, or only its address); else every registry asked."""
    chosen = _chosen(names)
    text = str(error)[:2000].split("http", 1)[0]
    named = [r.name for r in chosen if r.name != DEFAULT_REGISTRY
             and re.search(rf"(?<!\w){re.escape(r.title)}(?!\w)", text)]
    if named:
        return registries_title(named)
    if any(r.name == DEFAULT_REGISTRY for r in chosen):
        return registries_title([DEFAULT_REGISTRY])
    return registries_title(r.name for r in chosen)
