"""What was searched, in the options' own words, as chips the page can take away one at a
time; and what to try when the registry found nothing, as changes the page can make.

A *chip* is one part of :func:`trialfinder.options.render.word_parts` for the search as the
page shows it (the submitted search with the current filters, as its link writes them),
with the widgets it stands for. Taking it away sets those widgets to the option's empty
value (no status at all means any status) and searches again; the search's only topic cannot
be taken away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from trialfinder.options.render import word_parts
from trialfinder.tables.prescreen.synonyms import spelled_nearly
from trialfinder.views.text import code_label
from trialfinder.views.urlstate import (
    DEFAULT_RADIUS_MI,
    FILTER_KEYS,
    SEARCH_KEYS,
    WIDGET,
    empty_widget,
    has_topic,
    options_of,
)

__all__ = ["Chip", "Suggestion", "cleared", "search_chips", "shown_values", "suggestions"]

#: Option name -> the widget that holds it.
_WIDGET_OF: Final = {d.name: key for key, d in WIDGET.items()}


@dataclass(frozen=True, slots=True)
class Chip:
    """One part of the search in words (plain text: escape it) and the widgets it stands
    for; ``removable`` is False for the search's only topic."""

    keys: tuple[str, ...]
    words: str
    removable: bool


def shown_values(state: Mapping[str, Any],
                 searched: Mapping[str, Any] | None) -> dict[str, Any]:
    """The widget values of what the page shows: the submitted search (topic, place, what
    was sent) with the filters as they are now (as :func:`~trialfinder.views.urlstate.
    url_params` writes them)."""
    values = {key: state.get(key) for key in FILTER_KEYS}
    if searched:
        values |= {key: searched.get(key) for key in SEARCH_KEYS if key in WIDGET}
    return values


def cleared(keys: Sequence[str]) -> dict[str, Any]:
    """The widget values that take these widgets' options away (the radius back at its
    default, as the slider has no empty value)."""
    return {key: DEFAULT_RADIUS_MI if key == "radius" else empty_widget(key) for key in keys}


def search_chips(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
                 demo_mode: bool = False) -> list[Chip]:
    """The search the page shows, one chip per part, in the order of its description."""
    values = shown_values(state, searched)
    chips = []
    for names, words in word_parts(options_of(values, lenient=True)):
        keys = tuple(_WIDGET_OF[name] for name in names if name in _WIDGET_OF)
        if not keys:
            continue
        removable = demo_mode or has_topic(values | cleared(keys))
        chips.append(Chip(keys, words, removable))
    return chips


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One thing to try when the registry found nothing: the words of its button (or of the
    advice, when the page cannot do it for you) and the widget values it sets."""

    words: str
    changes: Mapping[str, Any] = field(default_factory=dict)


def suggestions(searched: Mapping[str, Any], radii: Sequence[int]) -> list[Suggestion]:
    """What to try when ClinicalTrials.gov itself found nothing for ``searched``: the name a
    slip in the condition or treatment may be, a wider distance and no place, any status,
    other words, and each sent filter lifted."""
    out: list[Suggestion] = []
    for key, kind in (("condition", "condition"), ("intervention", "medicine")):
        typed = str(searched.get(key) or "").strip()  # a slip: the name it may be, a click away
        if typed and (close := spelled_nearly(typed, kind, n=1)):
            out.append(Suggestion(f"Search for {close[0]}", {key: close[0]}))
    if searched.get("place"):  # the next distance, and, as it may find nothing either, none
        wider = [r for r in radii if r > int(searched.get("radius") or 0)]
        if wider:
            out.append(Suggestion(f"Search within {wider[0]} miles", {"radius": wider[0]}))
        out.append(Suggestion("Search without a place", cleared(["place", "radius"])))
    if searched.get("status"):
        shown = ", ".join(code_label(str(s)).lower() for s in searched["status"])
        out.append(Suggestion(f"Search any status, not only {shown}", {"status": []}))
    words = " ".join(str(searched.get(k) or "") for k in ("condition", "intervention", "term",
                                                         "title", "sponsor")).split()
    if len(words) > 1:
        out.append(Suggestion("Try fewer or more general words"))
    elif words:
        out.append(Suggestion("Try another spelling or a more general word"))
    for key, label in (("phase", "any phase"), ("study_type", "any study type"),
                       ("age", "with no age"), ("sex", "any sex"),
                       ("hv", "whether or not healthy volunteers are taken"),
                       ("has_results", "studies with or without results")):
        empty = cleared([key])
        if searched.get(key, empty[key]) not in (empty[key], (), [], None):
            out.append(Suggestion(f"Search {label}", empty))
    return out
