"""What a dashboard link holds besides the search's widgets, and the notes it gets.

The parts of a link the page reads on their own (the open study, the distance it offers
nearest to the link's, the list's order) and the one-line notes for what a link gets wrong
(a study id it cannot read, a distance it does not offer, an order it cannot follow, names
it does not know, a search field longer than a link may hold). :mod:`.urlstate` reads the rest
of a link into the page's widgets and re-exports these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean, one_of
from trialfinder.options import DEFAULT_RADIUS, OPTIONS, Refused, get_option, read_link
from trialfinder.options.choice import SORT_ORDERS
from trialfinder.options.parse import MAX_TEXT, OUT_OF_RANGE, TOO_LONG, TOO_MANY, UNREADABLE
from trialfinder.registries import registry_for_id
from trialfinder.registries.base import id_read_note

__all__ = [
    "NO_FIELD",
    "RADII",
    "SHOWN_TEXT",
    "VIEWS",
    "ignored_note",
    "linked_radius",
    "linked_sort",
    "linked_study",
    "linked_view",
    "overlong",
    "radius_note",
    "sort_note",
    "sort_param",
    "unknown_params",
    "unreadable_study",
    "view_param",
]

#: The distances (miles) the page's slider offers.
RADII: Final = (5, 10, 25, 50, 100, 250, 500)
#: The page's views of a search (its segmented control), by the names a link gives them
#: (``view=map``); the list is the default and is named by none. ``view=table`` is the list
#: shown as a table.
VIEWS: Final = {"list": "Studies", "map": "Map and charts", "topics": "Topics",
                "new": "What’s new"}
_TABLE: Final = "table"
#: Characters of a link's text quoted back in a notice.
SHOWN_TEXT: Final = 80

#: The search fields in a person's words (a too-long one is named so).
_FIELD_WORDS: Final = {"condition": "condition", "term": "other words",
                       "intervention": "treatment", "title": "title words",
                       "sponsor": "sponsor", "ids": "NCT ids", "place": "place",
                       "start_from": "start date", "start_to": "start date"}


def overlong(values: Mapping[str, object]) -> str | None:
    """A line for the first search field of ``values`` (widget key -> text) longer than a
    link may hold (:data:`MAX_TEXT` characters: a search that ran would write a link the
    page then refuses); ``None`` when each fits."""
    for key, value in values.items():
        length = len(str(value or "").strip())
        if length > MAX_TEXT:
            words = _FIELD_WORDS.get(key, key)
            return (f"The {words} field holds {length:,} characters; a search field takes "
                    f"at most {MAX_TEXT:,}. Shorten it and search again.")
    return None


def _shown(text: str) -> str:
    """``text`` on one line, cut to :data:`SHOWN_TEXT` characters (the page escapes it)."""
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def linked_radius(params: Mapping[str, list[str]]) -> tuple[float | None, int | None]:
    """The link's radius in miles (``None``: it gives none) and the offered one nearest to it
    (``None``: none, or one not understood)."""
    radius = get_option("radius")
    given = [v for v in params.get(radius.url) or [] if v.strip()]
    if not given:
        return None, None
    try:
        miles = (radius.from_url(given) or DEFAULT_RADIUS).miles
    except InvalidQueryError:
        return 0.0, None
    if not math.isfinite(miles) or miles <= 0:
        return 0.0, None
    return miles, min(RADII, key=lambda r: abs(r - miles))


def radius_note(params: Mapping[str, list[str]]) -> str | None:
    """What the page says when a link's radius is not one it offers and the nearest offered
    one is used instead, e.g. ``The link’s distance, 3,000 mi, is not one this page offers:
    the nearest, 500 mi, is used.``; ``None`` when the link's radius is used as it is."""
    miles, offered = linked_radius(params)
    place = read_link(params, names=["near"]).options.near
    if miles is None or offered is None or math.isclose(miles, offered) or place is None:
        return None  # without a place the radius is left out (ignored_note says so)
    return (f"The link’s distance, {miles:,.4g} mi, is not one this page offers: the "
            f"nearest, {offered:,} mi, is used.")


def linked_sort(params: Mapping[str, list[str]],
                has_place: bool) -> tuple[str | None, str | None]:
    """The order a link's ``sort`` asks the list for, read as ``--sort`` reads it (any case;
    the last one given), and a line for one the list cannot follow: a name that is none of
    its orders (with the one spelled nearly so), or nearest first without a place. Such a
    value costs itself (``None``: the list's default order), not the page; ``(None, None)``
    when the link names no order."""
    sort = get_option("sort")
    given = [v for v in params.get(sort.url) or [] if v.strip()]
    if not given:
        return None, None
    try:
        name = sort.from_url(given[-1:])
    except InvalidQueryError:
        return None, (f"The link’s order “{_shown(given[-1])}” is not one this list offers, "
                      f"so it keeps its default order; the orders are "
                      f"{one_of(list(SORT_ORDERS))}{did_you_mean(given[-1], SORT_ORDERS)}")
    if name == "nearest" and not has_place:
        return None, ("The link asks for the nearest studies first but names no place, so "
                      "the list keeps the registry’s order")
    return str(name), None


def sort_note(params: Mapping[str, list[str]], has_place: bool,
              has_search: bool) -> str | None:
    """The line for a link's ``sort``: :func:`linked_sort`'s note when the link holds a
    search, and, when it holds none (``?study=NCT…&sort=newest`` opens that study alone, or
    ``?sort=newest`` the first screen), that there is no list for its order to sort, so it
    was left out; ``None`` when the link names no order or the list can follow it."""
    if has_search:
        return linked_sort(params, has_place)[1]
    given = [v for v in params.get(get_option("sort").url) or [] if v.strip()]
    if not given:
        return None
    return (f"The link’s order “{_shown(given[-1])}” sorts a list of studies, but the link "
            "names no search, so it was left out")


def sort_param(sort: object, has_place: bool) -> list[str]:
    """The ``sort`` parameter of a link to a list shown in ``sort`` order: none for the
    list's default (nearest first near a place, else the registry's) or for an order a link
    does not carry (the pre-screen's: what *About you* holds stays out of links)."""
    default = "nearest" if has_place else "registry"
    return [sort] if isinstance(sort, str) and sort in SORT_ORDERS and sort != default else []


def view_param(view: object, as_table: bool) -> list[str]:
    """The ``view`` parameter of a link to ``view`` (one of :data:`VIEWS`; the list is
    ``table`` when shown as one): none for the list of cards, the default."""
    if view in VIEWS and view != "list":
        return [str(view)]
    return [_TABLE] if as_table else []


def linked_view(params: Mapping[str, list[str]]) -> tuple[str, bool, str | None]:
    """The view a link's ``view`` names (any case; the last one given), whether the list is
    a table, and a line for a name that is none of them (the list is shown, as cards)."""
    given = [v for v in params.get("view") or [] if v.strip()]
    if not given:
        return "list", False, None
    name = given[-1].strip().lower()
    if name == _TABLE:
        return "list", True, None
    if name in VIEWS:
        return name, False, None
    names = [*[v for v in VIEWS if v != "list"], _TABLE]
    guess = did_you_mean(given[-1], names).strip().strip("()")
    return "list", False, (f"The link’s view “{_shown(given[-1])}” is not one this page has "
                           f"({one_of(names)}{'; ' + guess if guess else ''}), so it shows "
                           "the list")


def linked_study(params: Mapping[str, list[str]]) -> str | None:
    """The study id a link's ``study`` parameter names, as its registry writes it
    (``nct99000012`` -> ``NCT99000012``), or ``None`` when it names none or one we cannot
    read (see :func:`unreadable_study`)."""
    values = params.get("study") or []
    try:
        return registry_for_id(values[-1])[1] if values and values[-1].strip() else None
    except InvalidQueryError:
        return None


def unreadable_study(params: Mapping[str, list[str]]) -> str | None:
    """A line for a link whose ``study`` parameter is no study id, quoting what it held (cut
    to :data:`SHOWN_TEXT` characters; the page escapes it), or that says how a short one was
    read (``id 'NCT123' read as NCT00000123``, as ``--id`` says it); ``None`` when there is
    nothing to say."""
    values = params.get("study") or []
    text = " ".join(values[-1].split()) if values else ""
    found = linked_study(params) if text else None
    if found is not None:
        note = id_read_note(text, found)
        return f"The link’s study {note}" if note else None
    if not text:
        return None
    return f"The link named a study id we could not read: “{_shown(text)}”"


#: The parameters a link of this page may hold: every option's, the list's size, the open
#: study and the demo switch (Streamlit keeps its own, ``embed``, out of the page's view).
_KNOWN: Final = frozenset({d.url for d in OPTIONS} | {"limit", "study", "demo", "view"})
_NAMED_AT_MOST: Final = 5


def unknown_params(params: Mapping[str, list[str]]) -> str | None:
    """A line naming the parameters of a link that this page does not know (a misspelt
    ``conditon=ALS``, a name from elsewhere), which are left out; ``None`` when there are
    none. Each name is cut to :data:`SHOWN_TEXT` characters (the page escapes them)."""
    names = [_shown(k) for k in params if k not in _KNOWN]
    if not names:
        return None
    shown = ", ".join(f"“{n}”" for n in names[:_NAMED_AT_MOST])
    more = (f" and {len(names) - _NAMED_AT_MOST} more" if len(names) > _NAMED_AT_MOST
            else "")
    return (f"This page does not know the link’s {shown}{more}, so "
            f"{'it was' if len(names) == 1 else 'they were'} left out")


#: Why a value of a link the page has no field for was left out.
NO_FIELD: Final = "this page has no field for it"
#: The reasons that read as "... was <why> and was left out" (and ``out of range (...)``:
#: :data:`~trialfinder.options.parse.OUT_OF_RANGE`); any other reason is said
#: after the value (``The link’s radius “50” was left out: a radius needs a place``).
_SAID_BEFORE: Final = (UNREADABLE, TOO_LONG, TOO_MANY)


def ignored_note(refused: Sequence[Refused]) -> str | None:
    """A line naming each value of a link that the page left out (``refused``: as
    :func:`~trialfinder.views.urlstate.read_url` gives them), and why, as ``The link’s phase
    “7” was not understood and was left out``: a parameter whose other values were read
    keeps them, so the line names only those left out. Each value is cut to
    :data:`SHOWN_TEXT` characters (the page escapes them); ``None`` when nothing was left
    out."""
    whys = list(dict.fromkeys(r.why for r in refused))
    said = [_sentence([r for r in refused if r.why == why], why) for why in whys]
    return ". ".join(said) or None


def _sentence(refused: Sequence[Refused], why: str) -> str:
    """One sentence for the values left out for one reason."""
    parts: list[str] = []
    for name in dict.fromkeys(r.param for r in refused):
        bad = list(dict.fromkeys(r.value for r in refused if r.param == name and r.value))
        shown = ", ".join(f"“{_shown(b)}”" for b in bad[:_NAMED_AT_MOST])
        more = f" and {len(bad) - _NAMED_AT_MOST} more" if len(bad) > _NAMED_AT_MOST else ""
        parts.append(f"{_shown(name)} {shown}{more}" if shown else f"“{_shown(name)}”")
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    was = "were" if len(parts) > 1 or sum(p.count("“") for p in parts) > 1 else "was"
    if why in _SAID_BEFORE or why.startswith(OUT_OF_RANGE):
        return f"The link’s {listed} {was} {why} and {was} left out"
    return f"The link’s {listed} {was} left out: {why}"
