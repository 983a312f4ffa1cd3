"""The filter summary in words, and the one-click undo of a filter.

The library names each filter step with the API's codes (``phase PHASE2``); the page says
``Phase: Phase 2`` instead, and knows which widget each step belongs to, so it can offer to
undo it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialfinder.core.wording import one_of
from trialfinder.tables.filters import FilterStep
from trialfinder.views.extrafilters import DATE_RANGES, FUNDER_LABELS
from trialfinder.views.text import HV_LABELS, RESULTS_LABELS, SEX_LABELS, code_label
from trialfinder.views.urlstate import filter_defaults

__all__ = ["StepLine", "filter_words", "status_request_words", "step_key", "step_lines",
           "without"]

# Step-name beginnings of :func:`trialfinder.tables.filters.apply_filters` -> widget key.
_STEP_PREFIXES: tuple[tuple[str, str], ...] = (
    ("status ", "status"), ("phase ", "phase"), ("study type ", "study_type"),
    ("intervention type ", "itype"), ("sex ", "sex"), ("age ", "age"),
    ("accepts healthy volunteers", "hv"), ("does not accept healthy volunteers", "hv"),
    ("start ", "start"), ("has results", "has_results"), ("no results posted", "has_results"),
    ("country ", "country"), ("state ", "state"), ("city ", "city"), ("within ", "radius"),
    ("keyword ", "keyword"), ("funder ", "funder"), ("completion date ", "completion"),
    ("first posted ", "posted"), ("last update ", "updated"),
)

_NAMES = {
    "status": "Status", "phase": "Phase", "study_type": "Study type",
    "itype": "Treatment type", "country": "Country of a site", "age": "Age",
    "sex": "Sex", "hv": "Healthy volunteers", "has_results": "Posted results",
    "keyword": "Keyword", "radius": "Distance", "start": "Start date",
    "funder": "Funder type", "completion": "Completion date", "posted": "First posted",
    "updated": "Last update",
}


def step_key(name: str) -> str | None:
    """The widget key a library filter step belongs to (``"phase PHASE2"`` -> ``"phase"``)."""
    for prefix, key in _STEP_PREFIXES:
        if name.startswith(prefix):
            return key
    return None


def _value_words(key: str, state: Mapping[str, Any]) -> str:
    value = state.get(key)
    if key in ("status", "phase", "study_type", "itype"):
        return ", ".join(code_label(str(c)) for c in value or ()) or "any"
    if key == "country":
        return ", ".join(str(c) for c in value or ()) or "any"
    if key == "age":
        if value is None:
            return "any"
        years = float(value)
        return f"{years:g} {'year' if years == 1 else 'years'}"
    if key == "sex":
        return SEX_LABELS.get(str(value), str(value))
    if key == "hv":
        return HV_LABELS.get(str(value), str(value))
    if key == "has_results":
        return RESULTS_LABELS.get(str(value), str(value)).lower()
    if key == "keyword":
        return f"“{value}”"
    if key == "radius":
        return f"within {value} miles"
    if key in DATE_RANGES:
        return f"{state.get(key + '_from') or '…'} to {state.get(key + '_to') or '…'}"
    if key == "funder":
        return ", ".join(FUNDER_LABELS.get(str(c), str(c)) for c in value or ()) or "any"
    if key == "start":
        return f"{state.get('start_from') or '…'} to {state.get('start_to') or '…'}"
    return str(value)


def filter_words(key: str, state: Mapping[str, Any]) -> str:
    """One filter in words, e.g. ``Phase: Phase 2, Phase 3`` or ``Keyword: “breast”``.

    The result holds user text (a keyword, a country): escape it before rendering."""
    return f"{_NAMES.get(key, key)}: {_value_words(key, state)}"


@dataclass(frozen=True, slots=True)
class StepLine:
    """One applied filter for the summary: widget key (if any), words, studies removed."""

    key: str | None
    words: str
    removed: int
    note: str | None


def step_lines(steps: Sequence[FilterStep], state: Mapping[str, Any]) -> list[StepLine]:
    """The library's filter steps in words, in the order they were applied."""
    out: list[StepLine] = []
    for step in steps:
        key = step_key(step.name)
        words = filter_words(key, state) if key and key not in ("state", "city") else step.name
        out.append(StepLine(key, words, step.removed, step.note))
    return out


def without(state: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``state`` with one filter back at its default (the one-click undo)."""
    out = dict(state)
    base = filter_defaults()
    for name in ((f"{key}_from", f"{key}_to") if key in DATE_RANGES else (key,)):
        if name in base:
            out[name] = base[name]
    return out


def status_request_words(labels: Sequence[str]) -> str:
    """The statuses a search asked the API for, as a person would say it: ``You asked for
    studies that are recruiting or not yet recruiting.`` (``labels`` in lower case; the page
    puts a button beside it that searches any status)."""
    return f"You asked for studies that are {one_of(labels)}."
