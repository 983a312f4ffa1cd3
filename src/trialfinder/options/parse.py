"""Search options read from where people give them: keyword arguments, a link's parameters
(:func:`from_url`, with the rules for hostile links), JSON (:func:`from_json`) and a watch
saved by an earlier version (:func:`from_saved`). The command line is read in
:mod:`trialfinder.options.cli`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple

from trialfinder.core.checks import shown
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean
from trialfinder.options.declare import Option
from trialfinder.options.kinds import ANY, Codes, Kind, Number
from trialfinder.options.model import (
    GIVE_NEAR,
    OPTIONS,
    SearchOptions,
    conflicts,
    get_option,
    named,
    refuse_conflicts,
)
from trialfinder.options.values import Near

__all__ = ["FORMAT", "MAX_ITEMS", "MAX_TEXT", "OUT_OF_RANGE", "TOO_LONG", "TOO_MANY", "UNREADABLE",
           "LinkReading", "Refused", "from_json", "from_kwargs", "from_saved", "from_url",
           "read_link", "why_refused"]

#: The ``format`` of search options written as JSON (a saved watch's options).
FORMAT: Final = "search/1"
#: Characters of one value of a link read at the most; a longer one is refused, not cut.
MAX_TEXT: Final = 300
#: Values of one parameter of a link read at the most.
MAX_ITEMS: Final = 50
_BY_KWARG: Final = {declared.kwarg: declared for declared in OPTIONS}

#: Why a value of a link was left out: it could not be read as its option's value.
UNREADABLE: Final = "not understood"
#: Why: longer than :data:`MAX_TEXT` characters.
TOO_LONG: Final = f"longer than the {MAX_TEXT} characters a value of a link may hold"
#: Why: a value past the first :data:`MAX_ITEMS` of its parameter.
TOO_MANY: Final = f"past the first {MAX_ITEMS} values a link may give one name"
#: Why (its start): a number outside its range, which follows (see :func:`why_refused`).
OUT_OF_RANGE: Final = "out of range"


class Refused(NamedTuple):
    """One value of a link that was left out: its parameter (``phase``), the text as the
    link gives it (``7``: one part of it when the rest was read) and why, in words
    (:data:`UNREADABLE`, :data:`TOO_LONG`, :data:`TOO_MANY`, or what it clashes with:
    ``a radius needs a place``)."""

    param: str
    value: str
    why: str = UNREADABLE


class LinkReading(NamedTuple):
    """A link read as :func:`read_link` reads it: the options, and each value left out."""

    options: SearchOptions
    refused: tuple[Refused, ...]


def from_kwargs(kwargs: Mapping[str, Any], base: SearchOptions | None = None, *,
                also: Sequence[str] = ()) -> SearchOptions:
    """``trialfinder.search()``'s keyword arguments (``condition="ALS", status="recruiting"``)
    as options, over ``base`` (each one given replaces its option, ``status="any"`` too); an
    unknown name or a wrong type is an :class:`InvalidQueryError` naming it, and naming every
    one the caller takes: the options and ``also`` (the caller's own, such as ``limit``)."""
    unknown = [name for name in kwargs if name not in _BY_KWARG]
    if unknown:
        hint = did_you_mean(unknown[0], [*_BY_KWARG, *also]) if len(unknown) == 1 else ""
        raise InvalidQueryError(f"unknown search option(s) {', '.join(map(repr, unknown))}"
                                f"{hint}; choose from: {', '.join([*_BY_KWARG, *also])}")
    given = {_BY_KWARG[k].name: _BY_KWARG[k].from_python(v) for k, v in kwargs.items()}
    try:
        options = base.replace(**given) if base is not None else SearchOptions(**given)
        refuse_conflicts({d.name: getattr(options, d.name) for d in OPTIONS},
                         named({_BY_KWARG[k].name: v for k, v in kwargs.items()}))
        return options
    except InvalidQueryError as exc:  # the place is a keyword argument here, not --near
        said = str(exc).replace(GIVE_NEAR, "give near= as well")
        if said == str(exc):
            raise
        raise InvalidQueryError(said) from None


def from_url(params: Mapping[str, Sequence[str]], *, base: SearchOptions | None = None,
             names: Sequence[str] | None = None,
             lenient: bool = False) -> tuple[SearchOptions, list[str]]:
    """Options from a link's parameters (each name -> its values), starting from ``base``
    (``any`` alone clears an option ``base`` sets); ``names`` limits the options read.

    Strict (the default), a bad value is an :class:`InvalidQueryError`. ``lenient`` (a link
    someone followed) reads it as :func:`read_link` does, and the names of the parameters
    that held anything refused come back as the second item (:func:`read_link` gives each
    value refused, and why)."""
    if lenient:
        options, refused = read_link(params, base=base, names=names)
        return options, list(dict.fromkeys(r.param for r in refused))
    values = {d.name: getattr(base or SearchOptions(), d.name) for d in OPTIONS}
    for declared in _chosen(names):
        given = _given(params, declared)
        if given:
            values[declared.name] = declared.from_url(given)
    refuse_conflicts(values, _named(params, names))
    return SearchOptions(**values), []


def read_link(params: Mapping[str, Sequence[str]], *, base: SearchOptions | None = None,
              names: Sequence[str] | None = None) -> LinkReading:
    """Options from a link someone followed, starting from ``base``; ``names`` limits the
    options read. A bad value costs only itself: it is left out, a list keeps its good
    values (none good: the ``base`` value stays), a value longer than :data:`MAX_TEXT` and
    values past :data:`MAX_ITEMS` are refused, and so is a value that clashes with another
    (a radius without a place, a date range that ends before it starts). Each value left
    out comes back as a :class:`Refused`, in the order of the options."""
    values = {d.name: getattr(base or SearchOptions(), d.name) for d in OPTIONS}
    refused: list[Refused] = []
    read: set[str] = set()  # given, and not refused whole (50, the default radius, is read)
    for declared in _chosen(names):
        given = _given(params, declared)
        if not given:
            continue
        value, bad = _read_leniently(declared, given)
        refused += bad
        if value is not None:
            values[declared.name] = value
        if value is not None or not bad:
            read.add(declared.name)
    for name, why in conflicts(values, read):
        declared = get_option(name)
        values[name] = declared.empty
        text = (_given(params, declared) or [""])[-1]
        refused.append(Refused(declared.url, text, why.replace(f": {GIVE_NEAR}", "")))
    return LinkReading(SearchOptions(**values), tuple(refused))


def _chosen(names: Sequence[str] | None) -> list[Option]:
    return [d for d in OPTIONS if names is None or d.name in names]


def _given(params: Mapping[str, Sequence[str]], declared: Option) -> list[str]:
    """The values a link gives ``declared`` (blank ones are none)."""
    return [v for v in params.get(declared.url) or [] if v.strip()]


def _named(params: Mapping[str, Sequence[str]], names: Sequence[str] | None) -> set[str]:
    """The options read that the link gives a value, whatever the value reads as."""
    return {d.name for d in _chosen(names) if _given(params, d)}


def _read_leniently(declared: Option, given: list[str]) -> tuple[Any, list[Refused]]:
    """(the value read, or ``None`` to keep the base value; each value refused)."""
    if not declared.repeatable:
        text = given[-1]
        if len(text) > MAX_TEXT:
            return None, [Refused(declared.url, text, TOO_LONG)]
        try:
            return declared.from_url([text]), []
        except InvalidQueryError:
            return None, [Refused(declared.url, text, why_refused(declared.kind, text))]
    codes = isinstance(declared.kind, Codes)  # where "any" means no restriction
    if codes and [v.strip().lower() for v in given] == [ANY]:
        return declared.empty, []
    good: list[Any] = []
    bad: list[Refused] = []
    for text in given[:MAX_ITEMS]:
        if codes and text.strip().lower() == ANY:
            continue
        if len(text) > MAX_TEXT:
            bad.append(Refused(declared.url, text, TOO_LONG))
            continue
        try:
            good.extend(declared.from_url([text]))
        except InvalidQueryError:
            bad.append(Refused(declared.url, text, why_refused(declared.kind, text)))
    bad += [Refused(declared.url, text, TOO_MANY) for text in given[MAX_ITEMS:]]
    return (tuple(dict.fromkeys(good)) if good or not bad else None), bad


def why_refused(kind: Kind, text: str) -> str:
    """Why a link's ``text`` that ``kind`` refused was refused: a number outside the range
    of a :class:`Number` is :data:`OUT_OF_RANGE`, with the range as the command line says it
    (``out of range (it must be within 0..125 years)``); anything else :data:`UNREADABLE`."""
    try:
        number = float(text)
    except ValueError:
        return UNREADABLE
    if isinstance(kind, Number) and math.isfinite(number):
        return f"{OUT_OF_RANGE} (it must be {kind.within})"
    return UNREADABLE


def from_json(data: object) -> SearchOptions:
    """Options written by :func:`trialfinder.options.render.to_json`: an object whose
    ``format`` is :data:`FORMAT` and whose other keys are option names. Anything else (an
    unknown key, a wrong type) is an :class:`InvalidQueryError`."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise InvalidQueryError(f"search options must be a JSON object with \"format\": "
                                f"\"{FORMAT}\", not {shown(data)}")
    names = {d.name for d in OPTIONS}
    unknown = sorted(str(k) for k in data if k != "format" and k not in names)
    if unknown:
        raise InvalidQueryError(f"unknown search option(s) in JSON: {', '.join(unknown)}")
    return SearchOptions(**{k: get_option(k).from_json(v) for k, v in data.items()
                            if k != "format"})


def from_saved(data: object) -> SearchOptions:
    """A watch's saved options: JSON as :func:`from_json` reads it, or the form earlier
    versions saved (the keyword arguments of ``build_query``, ``near`` as ``[lat, lon]`` and
    the place's name beside it as ``place``)."""
    if isinstance(data, Mapping) and "format" in data:
        return from_json(data)
    if not isinstance(data, Mapping):
        raise InvalidQueryError(f"saved search options must be a JSON object, not {shown(data)}")
    old = dict(data)
    place = old.pop("place", None)
    near = old.get("near")
    if isinstance(near, list | tuple) and isinstance(place, str):
        point = get_option("near").from_python(near).point
        named = get_option("near").from_python(place)
        old["near"] = Near(place="" if named is None or named.point else named.place,
                           point=point)
    return from_kwargs(old)
