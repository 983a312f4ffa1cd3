"""Search options written back: as command-line arguments, a link's parameters, JSON,
keyword arguments, and words for people."""

from __future__ import annotations

from typing import Any

from trialfinder.options.kinds import ANY
from trialfinder.options.model import DATE_RANGES, OPTIONS, SearchOptions
from trialfinder.options.parse import FORMAT
from trialfinder.options.values import DEFAULT_RADIUS

__all__ = ["to_cli", "to_json", "to_kwargs", "to_url", "word_parts", "words"]


def to_cli(options: SearchOptions) -> list[str]:
    """The arguments that give these options on the command line:
    ``["--condition", "ALS", "--status", "recruiting"]``."""
    return [part for d in OPTIONS for part in d.to_cli(getattr(options, d.name))]


def to_url(options: SearchOptions, base: SearchOptions | None = None) -> dict[str, list[str]]:
    """A link's parameters for the options that differ from ``base`` (an option ``base``
    sets and these leave unset is written ``any``)."""
    start = base or SearchOptions()
    out: dict[str, list[str]] = {}
    for d in OPTIONS:
        value = getattr(options, d.name)
        if value != getattr(start, d.name):
            out[d.url] = d.to_url(value) or [ANY]
    return out


def to_json(options: SearchOptions) -> dict[str, Any]:
    """The options as a JSON object (see :func:`trialfinder.options.parse.from_json`): the
    options that are set, by name, and the ``format``."""
    out: dict[str, Any] = {"format": FORMAT}
    for name in options.given:
        out[name] = next(d for d in OPTIONS if d.name == name).to_json(getattr(options, name))
    return out


def to_kwargs(options: SearchOptions) -> dict[str, Any]:
    """The options as keyword arguments of ``trialfinder.search()`` (those that are set)."""
    return {d.kwarg: getattr(options, d.name) for d in OPTIONS if d.name in options.given}


def word_parts(options: SearchOptions) -> list[tuple[tuple[str, ...], str]]:
    """The parts of :func:`words`, each with the names of the options it says (a place with
    its radius, a date range with both ends): ``[(("conditions",), "ALS"), (("near",
    "radius"), "within 100 miles of Boston, MA"), ...]``. Plain text: escape it."""
    parts: list[tuple[tuple[str, ...], str]] = []
    # what it is about, where, then the filters (in declaration order)
    for d in sorted(OPTIONS, key=lambda d: 0 if d.topic else 1 if d.name == "near" else 2):
        value = getattr(options, d.name)
        if value == d.empty or d.name == "radius" or d.order:  # the order: not what it seeks
            continue
        if d.name == "near":
            parts.append((("near", "radius"),
                          f"within {(options.radius or DEFAULT_RADIUS).words} of {value.text}"))
        elif d.name.endswith("_from") or d.name.endswith("_to"):
            prefix = d.name.rsplit("_", 1)[0]
            low, high = getattr(options, f"{prefix}_from"), getattr(options, f"{prefix}_to")
            said = f"{DATE_RANGES[prefix][1]} {low or '…'} to {high or '…'}"
            if all(words != said for _, words in parts):
                parts.append(((f"{prefix}_from", f"{prefix}_to"), said))
        else:
            parts.append(((d.name,), d.describe(value)))
    return parts


def words(options: SearchOptions) -> str:
    """What a search looks for, in words (its topic, its place, then its filters): ``ALS ·
    within 100 miles of Boston, MA · recruiting or not yet recruiting``; ``everything`` when
    nothing is set. Plain text that holds what people typed: escape it before rendering it as
    Markdown."""
    return " · ".join(said for _, said in word_parts(options)) or "everything"
