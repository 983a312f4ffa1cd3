"""The dashboard's state as plain data: defaults, URL parameters, the submitted search.

A *state* is a mapping of widget key to value (the dashboard keeps it in Streamlit's session
state). :func:`state_from_url` reads one from hostile URL parameters (unknown or malformed
values fall back to the defaults) and :func:`url_params` writes the parameters of a shareable
link, leaving out defaults and anything stale (a radius without a place, a study not shown).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from trialfinder.core.codes import Phase, Status, StudyType
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries import registry_for_id
from trialfinder.tables.filters import INTERVENTION_TYPES
from trialfinder.topics import presets
from trialfinder.views.extrafilters import DATE_RANGES, FUNDER_LABELS, REGISTRY_DEFAULTS
from trialfinder.views.text import HV_LABELS, SEX_LABELS

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_RADIUS",
    "DEFAULT_STATUSES",
    "FILTER_KEYS",
    "LOCAL_ONLY",
    "PARAM",
    "RADII",
    "SEARCH_KEYS",
    "SHOWN_TEXT",
    "TEXT_SEARCH_KEYS",
    "defaults",
    "filter_defaults",
    "has_topic",
    "linked_study",
    "read_url",
    "snapshot",
    "state_from_url",
    "topic_changed",
    "unreadable_study",
    "url_params",
    "wider_than_search",
]

DEFAULT_STATUSES: Final = ("RECRUITING", "NOT_YET_RECRUITING")
RADII: Final = (5, 10, 25, 50, 100, 250, 500)
DEFAULT_RADIUS: Final = 50
DEFAULT_LIMIT: Final = 1000
MAX_TEXT = 300  # characters kept of one text parameter

#: Free-text parts of a search (each is sent to the API).
TEXT_SEARCH_KEYS: Final = ("condition", "intervention", "term", "place", "title", "sponsor",
                           "ids", "start_from", "start_to")
#: Widget keys of the search itself (sent to the API when Search is pressed).
SEARCH_KEYS: Final = ("preset", *TEXT_SEARCH_KEYS, "radius", "limit")
#: Widget keys of the filters: applied at once to what was fetched (Search sends most too).
LIST_FILTERS: Final = ("status", "phase", "study_type", "itype", "country", "funder")
_DATE_KEYS: Final = tuple(f"{k}_{end}" for k in DATE_RANGES for end in ("from", "to"))
SCALAR_FILTERS: Final = ("age", "sex", "hv", "has_results", "keyword", *_DATE_KEYS)
FILTER_KEYS: Final = (*LIST_FILTERS, *SCALAR_FILTERS)
#: Filters the API never sees.
LOCAL_ONLY: Final = ("itype", "country", "keyword", "funder", *_DATE_KEYS)

#: URL parameter name for each widget key.
PARAM: Final = {
    "preset": "preset", "condition": "condition", "intervention": "intervention",
    "term": "term", "place": "near", "radius": "radius", "limit": "limit",
    "title": "title", "sponsor": "sponsor", "ids": "id", "start_from": "start_from",
    "start_to": "start_to",
    "status": "status", "phase": "phase", "study_type": "type", "itype": "itype",
    "country": "country", "age": "age", "sex": "sex", "hv": "hv",
    "has_results": "results", "keyword": "keyword", "study": "study", "funder": "funder",
    **{key: key for key in _DATE_KEYS},
}


def defaults() -> dict[str, Any]:
    """Every widget's value on an empty page."""
    return {
        "preset": "", **dict.fromkeys(TEXT_SEARCH_KEYS, ""),
        "radius": DEFAULT_RADIUS, "limit": DEFAULT_LIMIT, **filter_defaults(), "study": None,
    }


def filter_defaults() -> dict[str, Any]:
    """The filters as they are before anyone touches them."""
    return {
        "status": list(DEFAULT_STATUSES), "phase": [], "study_type": [], "itype": [],
        "country": [], "age": None, "sex": "ALL", "hv": "any", "has_results": "any",
        "keyword": "", **REGISTRY_DEFAULTS,
    }


def has_topic(state: Mapping[str, Any]) -> bool:
    """True when the state names something to search for (not only filters)."""
    return any(str(state.get(k) or "").strip()
               for k in ("preset", "condition", "intervention", "term", "place", "title",
                         "sponsor", "ids"))


def topic_changed(state: Mapping[str, Any], searched: Mapping[str, Any] | None) -> bool:
    """True when the topic of ``state`` differs from the last submitted search."""
    if searched is None:
        return True
    return any(str(state.get(k) or "").strip() != str(searched.get(k) or "")
               for k in ("preset", "condition", "intervention", "term", "title", "sponsor",
                         "ids"))


def snapshot(state: Mapping[str, Any]) -> dict[str, Any]:
    """The search as submitted: topic, place, and the filters sent to the API."""
    snap: dict[str, Any] = {key: state.get(key, defaults()[key]) for key in SEARCH_KEYS}
    for key in TEXT_SEARCH_KEYS:
        snap[key] = str(snap[key] or "").strip()
    snap["preset"] = str(snap["preset"] or "")
    snap.update(
        status=tuple(state["status"]), phase=tuple(state["phase"]),
        study_type=tuple(state["study_type"]), age=state["age"], sex=state["sex"],
        hv=state["hv"], has_results=state["has_results"],
    )
    return snap


def _parse_codes(values: list[str], parse: Callable[[str], str]) -> list[str]:
    out: list[str] = []
    for value in values:
        try:
            code = parse(value)
        except (InvalidQueryError, ValueError):
            continue
        if code not in out:
            out.append(code)
    return out


def _itype(value: str) -> str:
    code = re.sub(r"[\s\-]+", "_", value.strip()).upper()
    if code not in INTERVENTION_TYPES:
        raise ValueError(value)
    return code


def state_from_url(params: Mapping[str, list[str]]) -> dict[str, Any]:
    """Widget values from URL parameters (see :func:`read_url`)."""
    return read_url(params)[0]


def read_url(params: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Widget values from URL parameters, and the names of the parameters that were ignored.

    Unknown or malformed values are left at their defaults, and text longer than
    :data:`MAX_TEXT` characters is ignored rather than cut. Text is kept as typed: it is
    escaped where it is shown, and the library checks it before anything is sent.
    """
    state = defaults()
    ignored: list[str] = []

    def one(key: str) -> str | None:
        values = params.get(PARAM[key]) or []
        return values[-1].strip() if values else None

    state["study"] = linked_study(params)  # an unreadable one: see unreadable_study
    for key in (*TEXT_SEARCH_KEYS, "keyword", *_DATE_KEYS):
        value = one(key)
        if value and len(value) <= MAX_TEXT:
            state[key] = value
        elif value:
            ignored.append(PARAM[key])
    names = {p.name for p in presets.list_presets()}
    if one("preset") in names:
        state["preset"] = one("preset")
    elif one("preset"):
        ignored.append(PARAM["preset"])
    for key, low, high in (("radius", 1, 500), ("limit", 10, 10000), ("age", 0, 125)):
        raw = one(key)
        try:
            number = float(raw) if raw else None
        except ValueError:
            number = None
        if number is not None and math.isfinite(number) and low <= number <= high:
            state[key] = number if key == "age" else int(number)
        elif raw:
            ignored.append(PARAM[key])
    if state["radius"] not in RADII:
        state["radius"] = min(RADII, key=lambda r: abs(r - state["radius"]))
    status = params.get(PARAM["status"])
    if status:
        parsed = [] if status == ["any"] else _parse_codes(
            status, lambda v: Status.parse(v).value)
        # a link whose statuses are all unknown keeps the default rather than showing any status
        state["status"] = parsed if parsed or status == ["any"] else state["status"]
    state["phase"] = _parse_codes(params.get(PARAM["phase"], []), lambda v: Phase.parse(v).value)
    state["study_type"] = _parse_codes(
        params.get(PARAM["study_type"], []), lambda v: StudyType.parse(v).value)
    state["itype"] = _parse_codes(params.get(PARAM["itype"], []), _itype)
    funders = params.get(PARAM["funder"], [])
    state["funder"] = [f for f in dict.fromkeys(funders) if f in FUNDER_LABELS]
    if len(state["funder"]) < len(set(funders)):
        ignored.append(PARAM["funder"])
    state["country"] = list(dict.fromkeys(
        c.strip() for c in params.get(PARAM["country"], []) if c.strip()
        and len(c) <= MAX_TEXT))[:50]
    parsers: dict[str, Callable[[str], str]] = {
        "status": lambda v: Status.parse(v).value, "phase": lambda v: Phase.parse(v).value,
        "study_type": lambda v: StudyType.parse(v).value, "itype": _itype,
    }
    for key, parse in parsers.items():
        given = [v for v in params.get(PARAM[key], []) if v != "any"]
        if len(_parse_codes(given, parse)) < len(set(given)):
            ignored.append(PARAM[key])
    sex = (one("sex") or "").upper()
    state["sex"] = sex if sex in SEX_LABELS else "ALL"
    hv = (one("hv") or "").lower()
    state["hv"] = hv if hv in HV_LABELS else "any"
    for key, ok in (("sex", sex in SEX_LABELS), ("hv", hv in HV_LABELS)):
        if one(key) and not ok:
            ignored.append(PARAM[key])
    results = (one("has_results") or "").lower()
    state["has_results"] = ("yes" if results in ("1", "true", "yes", "with")
                            else "no" if results in ("0", "false", "no", "without") else "any")
    if results and state["has_results"] == "any" and results != "any":
        ignored.append(PARAM["has_results"])
    return state, ignored


def linked_study(params: Mapping[str, list[str]]) -> str | None:
    """The study id a link's ``study`` parameter names, as its registry writes it
    (``nct99000012`` -> ``NCT99000012``), or ``None`` when it names none or one we cannot
    read (see :func:`unreadable_study`)."""
    values = params.get(PARAM["study"]) or []
    try:
        return registry_for_id(values[-1])[1] if values and values[-1].strip() else None
    except InvalidQueryError:
        return None


#: Characters of an unreadable study id quoted back in a notice.
SHOWN_TEXT = 80


def unreadable_study(params: Mapping[str, list[str]]) -> str | None:
    """A line for a link whose ``study`` parameter is no study id, quoting what it held (cut
    to :data:`SHOWN_TEXT` characters; the page escapes it); ``None`` when there is nothing
    to say."""
    values = params.get(PARAM["study"]) or []
    text = " ".join(values[-1].split()) if values else ""
    if not text or linked_study(params) is not None:
        return None
    if len(text) > SHOWN_TEXT:
        text = text[: SHOWN_TEXT - 1] + "…"
    return f"The link named a study id we could not read: “{text}”"


def url_params(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
               demo_mode: bool) -> dict[str, list[str]]:
    """The URL parameters of a search (as submitted) plus the current filters.

    Nothing stale is written: a radius only with a place, the study only after a search
    (the caller clears ``study`` when it is not among the results).
    """
    base = defaults()
    out: dict[str, list[str]] = {}
    if searched:
        for key in SEARCH_KEYS:
            if key == "radius" and not searched.get("place"):
                continue
            if searched.get(key, base[key]) != base[key]:
                out[PARAM[key]] = [str(searched[key])]
    for key in LIST_FILTERS:
        values = list(state.get(key) or [])
        if values != base[key]:
            out[PARAM[key]] = values or ["any"]
    for key in SCALAR_FILTERS:
        value = state.get(key)
        if value not in (None, "") and value != base[key]:
            out[PARAM[key]] = [f"{value:g}" if isinstance(value, float) else str(value)]
    if searched and state.get("study"):
        out["study"] = [str(state["study"])]
    if demo_mode:
        out["demo"] = ["1"]
    return out


def wider_than_search(state: Mapping[str, Any], searched: Mapping[str, Any]) -> list[str]:
    """Filters now set wider than what the last search asked the API for, in words."""
    wider: list[str] = []
    for key, label in (("status", "status"), ("phase", "phase"), ("study_type", "study type")):
        was, now = set(searched[key]), set(state[key])
        if was and (not now or not now <= was):
            wider.append(label)
    for key, label, neutral in (("age", "age", None), ("sex", "sex", "ALL"),
                                ("hv", "healthy volunteers", "any"),
                                ("has_results", "results", "any")):
        if searched[key] != neutral and state[key] != searched[key]:
            wider.append(label)
    if searched["place"] and state["radius"] > searched["radius"]:
        wider.append("distance")
    return wider
