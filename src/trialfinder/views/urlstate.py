"""The dashboard's state as plain data: defaults, URL parameters, the submitted search.

A *state* is a mapping of widget key to value (the dashboard keeps it in Streamlit's session
state). Each search option the page has a field for is one widget (:data:`WIDGET`): its
value there is the option's link text (a list for a multi-select), and a link names it as
the option declares (:mod:`trialfinder.options`), so links made before keep working.
:func:`read_url` reads a state from hostile URL parameters (unknown or malformed values fall
back to the defaults, and are named) and :func:`url_params` writes the parameters of a
shareable link, leaving out defaults and anything stale (a radius without a place).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from trialfinder.core.codes import OPEN_STATUSES
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import OPTIONS, Option, Refused, SearchOptions, read_link, to_url
from trialfinder.options.kinds import Code, Codes, Flag, Number, RadiusKind
from trialfinder.options.model import DATE_RANGES, conflicts
from trialfinder.options.parse import MAX_TEXT, why_refused
from trialfinder.options.values import DEFAULT_RADIUS
from trialfinder.registries import DEFAULT_REGISTRY, REGISTRIES, registry_for_id
from trialfinder.tables.countries import check_countries
from trialfinder.views.linknotes import (
    NO_FIELD,
    RADII,
    SHOWN_TEXT,
    VIEWS,
    ignored_note,
    linked_radius,
    linked_sort,
    linked_study,
    linked_view,
    overlong,
    radius_note,
    sort_note,
    sort_param,
    unknown_params,
    unreadable_study,
    view_param,
)

__all__ = [
    "BASE",
    "DEFAULT_LIMIT",
    "DEFAULT_RADIUS_MI",
    "DEFAULT_STATUSES",
    "FILTER_KEYS",
    "LOCAL_ONLY",
    "MAX_TEXT",
    "RADII",
    "REGISTRY_KEY",
    "SEARCH_KEYS",
    "SHOWN_TEXT",
    "TEXT_SEARCH_KEYS",
    "VIEWS",
    "WIDGET",
    "defaults",
    "empty_widget",
    "filter_defaults",
    "has_topic",
    "ignored_note",
    "linked_sort",
    "linked_study",
    "linked_view",
    "options_of",
    "overlong",
    "radius_note",
    "read_url",
    "snapshot",
    "sort_note",
    "state_from_url",
    "topic_changed",
    "unknown_params",
    "unreadable_study",
    "url_params",
    "wider_than_search",
]

#: The search a page starts from: studies you may be able to join.
BASE: Final = SearchOptions(statuses=OPEN_STATUSES)
DEFAULT_STATUSES: Final = tuple(s.value for s in OPEN_STATUSES)
DEFAULT_RADIUS_MI: Final = int(DEFAULT_RADIUS.miles)
DEFAULT_LIMIT: Final = 1000
#: The studies a link may ask the page to fetch (``limit=``).
_LIMIT: Final = Number(10, 10_000, "studies")

#: Options the page has no field for (a link that gives one is told it was left out, but
#: for the order: the list's own Sort control, :mod:`trialfinder.views.sorting`, takes it).
_NO_FIELD: Final = frozenset({"location", "states", "cities", "sort"})
#: The widget of the registries searched (a multi-select of names; none or only the default
#: one is the default search, which links do not name).
REGISTRY_KEY: Final = "registry"
#: Widget keys that are not the option's link parameter.
_KEYS: Final = {"near": "place", "study_types": "study_type", "has_results": "has_results",
                "ids": "ids"}
#: Widget key -> the option it holds.
WIDGET: Final[dict[str, Option]] = {_KEYS.get(d.name, d.url): d for d in OPTIONS
                                    if d.name not in _NO_FIELD}
#: Filters that sit in the search form (sent with the search, not applied at once).
_IN_FORM: Final = frozenset({"near", "radius", "start_from", "start_to"})
_TOPIC: Final = tuple(key for key, d in WIDGET.items() if d.topic)

#: Free-text parts of a search (each is sent to the API).
TEXT_SEARCH_KEYS: Final = tuple(key for key, d in WIDGET.items()
                                if (d.topic and d.name != "preset")
                                or (d.name in _IN_FORM and d.name != "radius"))
#: Widget keys of the search itself (sent to the API when Search is pressed).
SEARCH_KEYS: Final = ("preset", *TEXT_SEARCH_KEYS, REGISTRY_KEY, "radius", "limit")
#: Widget keys of the filters: applied at once to what was fetched (Search sends most too).
FILTER_KEYS: Final = tuple(key for key, d in WIDGET.items()
                           if not d.topic and d.name not in _IN_FORM and key != REGISTRY_KEY)
#: Filters the API never sees.
LOCAL_ONLY: Final = tuple(key for key, d in WIDGET.items() if not d.sent)
_SENT_FILTERS: Final = tuple(key for key in FILTER_KEYS if WIDGET[key].sent)


def _widget(d: Option, value: Any) -> Any:
    """An option's value as its widget holds it."""
    kind, text = d.kind, d.to_url(value)
    if d.name == "registries":
        return [n for n in text if n in REGISTRIES] or [DEFAULT_REGISTRY]
    if isinstance(kind, Codes) or d.name == "countries":
        return text
    if isinstance(kind, Number):
        return value
    if isinstance(kind, RadiusKind):  # whole miles, as the slider offers them
        miles = (value or DEFAULT_RADIUS).miles
        return int(miles) if miles.is_integer() else miles
    if isinstance(kind, Code):
        return text[0] if text else kind.unset
    if isinstance(kind, Flag):
        return {True: "yes", False: "no"}.get(value, "any")
    return " OR ".join(text)


def empty_widget(key: str) -> Any:
    """The value of widget ``key`` that gives its option no value (any status, no place)."""
    d = WIDGET[key]
    return _widget(d, d.empty)


def _label(d: Option) -> str:
    """An option as the page names it in a message (``completion date (until)``)."""
    prefix, _, end = d.name.rpartition("_")
    if prefix in DATE_RANGES and end in ("from", "to"):
        return f"{DATE_RANGES[prefix][0]} ({'from' if end == 'from' else 'until'})"
    return d.url


def _option(d: Option, widget: Any) -> Any:
    """A widget's value as its option's (checked: :class:`InvalidQueryError`)."""
    kind = d.kind
    if d.name == "registries":
        names = [str(n) for n in widget or []]
        return () if names in ([], [DEFAULT_REGISTRY]) else d.from_python(names, _label(d))
    if isinstance(kind, Codes) or d.name == "countries":
        return d.from_python(list(widget or []), _label(d))
    if isinstance(kind, Number | RadiusKind):
        return d.from_python(widget, _label(d))
    if isinstance(kind, Flag):
        return {"yes": True, "no": False}.get(str(widget))
    text = str(widget or "").strip()
    return d.kind.from_text([text], _label(d)) if text else d.empty


def options_of(values: Mapping[str, Any], *, lenient: bool = False) -> SearchOptions:
    """The search options of these widget values (a radius only with a place). A bad value
    is an :class:`InvalidQueryError`; ``lenient`` leaves it out instead (for a link)."""
    chosen: dict[str, Any] = {}
    for key, widget in values.items():
        d = WIDGET.get(key)
        if d is None or (d.name == "radius" and not str(values.get("place") or "").strip()):
            continue
        try:
            chosen[d.name] = _option(d, widget)
        except InvalidQueryError:
            if not lenient:
                raise
    for name, _ in conflicts(chosen) if lenient else ():
        chosen.pop(name, None)
    return SearchOptions(**chosen)


def _widgets(options: SearchOptions) -> dict[str, Any]:
    return {key: _widget(d, getattr(options, d.name)) for key, d in WIDGET.items()}


def defaults() -> dict[str, Any]:
    """Every widget's value on an empty page."""
    return {**_widgets(BASE), "radius": DEFAULT_RADIUS_MI, "limit": DEFAULT_LIMIT,
            "study": None, "sort": None}


def filter_defaults() -> dict[str, Any]:
    """The filters as they are before anyone touches them."""
    base = defaults()
    return {key: base[key] for key in FILTER_KEYS}


def has_topic(state: Mapping[str, Any]) -> bool:
    """True when the state names something to search for (not only filters)."""
    return any(str(state.get(k) or "").strip() for k in (*_TOPIC, "place"))


def topic_changed(state: Mapping[str, Any], searched: Mapping[str, Any] | None) -> bool:
    """True when the topic of ``state`` differs from the last submitted search."""
    if searched is None:
        return True
    return any(str(state.get(k) or "").strip() != str(searched.get(k) or "") for k in _TOPIC)


def snapshot(state: Mapping[str, Any]) -> dict[str, Any]:
    """The search as submitted: topic, place, and the filters sent to the API."""
    snap: dict[str, Any] = {key: state.get(key, defaults()[key]) for key in SEARCH_KEYS}
    for key in TEXT_SEARCH_KEYS:
        snap[key] = str(snap[key] or "").strip()
    snap["preset"] = str(snap["preset"] or "")
    for key in _SENT_FILTERS:
        value = state[key]
        snap[key] = tuple(value) if isinstance(value, list) else value
    snap[REGISTRY_KEY] = tuple(snap[REGISTRY_KEY] or ())
    return snap


def state_from_url(params: Mapping[str, list[str]]) -> dict[str, Any]:
    """Widget values from URL parameters (see :func:`read_url`)."""
    return read_url(params)[0]


def read_url(params: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[Refused]]:
    """Widget values from URL parameters, and each value left out (:func:`ignored_note`
    words them).

    The options are read as :func:`trialfinder.options.read_link` reads a link someone
    followed: a bad value is left out (a list keeps its good values; all bad, the default
    stays), text longer than :data:`MAX_TEXT` characters is refused rather than cut. Text is
    kept as typed: it is escaped where it is shown, and the library checks it before anything
    is sent. A radius is one the page offers, the nearest to the link's (3000 mi: 500 mi;
    :func:`radius_note` says so), and is left out without a place; a limit is 10 to 10,000.
    """
    names = [d.name for d in WIDGET.values()]
    options, read = read_link(params, base=BASE, names=names)
    refused = list(read)
    for d in OPTIONS:
        if d.name in _NO_FIELD and d.name != "sort" and params.get(d.url):
            texts = [v for v in params[d.url] if v.strip()] or [""]
            refused += [Refused(d.url, v, NO_FIELD) for v in texts]
    state = defaults() | _widgets(options)
    readable = tuple(i for i in options.ids if _is_study_id(i))
    if readable != options.ids:  # one bad id costs itself, not the search (it would stop it)
        state["ids"] = _widget(WIDGET["ids"], readable)
        refused += [Refused(WIDGET["ids"].url, i) for i in options.ids if i not in readable]
    unknown = {u.value for u in check_countries(state["country"]).unknown}
    if unknown:  # a name we cannot read would remove every study (the CLI refuses it)
        refused += [Refused(WIDGET["country"].url, c) for c in state["country"]
                    if c.strip() in unknown]
        state["country"] = [c for c in state["country"] if c.strip() not in unknown]
    state["study"] = linked_study(params)  # an unreadable one: see unreadable_study
    state["sort"] = linked_sort(params, bool(state["place"].strip()))[0]  # its note: linked_sort
    refused += [Refused(WIDGET[REGISTRY_KEY].url, n) for n in options.registries
                if n not in REGISTRIES]  # those known are kept (see _widget)
    if options.radius is not None:  # the slider's own rule: the nearest radius it offers
        state["radius"] = linked_radius(params)[1] or DEFAULT_RADIUS_MI
    raw = _last(params, "limit")
    try:
        number = _LIMIT.from_text([raw], "limit")
    except InvalidQueryError:
        refused.append(Refused("limit", raw, why_refused(_LIMIT, raw)))
    else:
        state["limit"] = int(number) if number is not None else DEFAULT_LIMIT
    return state, refused


def _last(params: Mapping[str, list[str]], name: str) -> str:
    """The last value a link gives ``name`` (blank ones are none), as given."""
    return ([v for v in params.get(name) or [] if v.strip()] or [""])[-1]


def _is_study_id(text: str) -> bool:
    try:
        registry_for_id(text)
    except InvalidQueryError:
        return False
    return True


def url_params(state: Mapping[str, Any], searched: Mapping[str, Any] | None,
               demo_mode: bool) -> dict[str, list[str]]:
    """The URL parameters of a search (as submitted) plus the current filters, written as
    :func:`trialfinder.options.to_url` writes options (a value the library would refuse is
    left out).

    Nothing stale is written: a radius only with a place; the view of a search (``view=map``,
    ``view=table``: :func:`view_param`) only with one, but *What's new* (``view=new``), which
    needs none; the open study, with or without a search (a study is its own address:
    ``?study=NCT…`` opens it alone).
    """
    values = {key: state.get(key) for key in FILTER_KEYS}
    if searched:
        values |= {key: searched.get(key) for key in SEARCH_KEYS if key in WIDGET}
    out = to_url(options_of(values, lenient=True), base=BASE)
    if searched and searched.get("limit", DEFAULT_LIMIT) != DEFAULT_LIMIT:
        out["limit"] = [str(searched["limit"])]
    if searched and (sort := sort_param(state.get("sort"), bool(searched.get("place")))):
        out["sort"] = sort  # the list's order; the pre-screen's is kept out
    if searched and (view := view_param(state.get("view"), bool(state.get("as_table")))):
        out["view"] = view  # the view of the search: the map, the list as a table, ...
    elif state.get("view") == "new" and not state.get("study"):
        out["view"] = ["new"]  # What's new needs no search: its own step in the history
    if state.get("study"):
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

