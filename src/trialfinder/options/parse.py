"""Search options read from where people give them: keyword arguments, a link's parameters
(:func:`from_url`, with the rules for hostile links), JSON (:func:`from_json`) and a watch
saved by an earlier version (:func:`from_saved`). The command line is read in
:mod:`trialfinder.options.cli`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from trialfinder.core.checks import shown
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean
from trialfinder.options.declare import Option
from trialfinder.options.kinds import ANY, Codes
from trialfinder.options.model import GIVE_NEAR, OPTIONS, SearchOptions, conflicts, get_option
from trialfinder.options.values import Near

__all__ = ["FORMAT", "MAX_ITEMS", "MAX_TEXT", "from_json", "from_kwargs", "from_saved",
           "from_url"]

#: The ``format`` of search options written as JSON (a saved watch's options).
FORMAT: Final = "search/1"
#: Characters of one value of a link read at the most; a longer one is refused, not cut.
MAX_TEXT: Final = 300
#: Values of one parameter of a link read at the most.
MAX_ITEMS: Final = 50
_BY_KWARG: Final = {declared.kwarg: declared for declared in OPTIONS}


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
        return base.replace(**given) if base is not None else SearchOptions(**given)
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
    someone followed) costs a bad value only itself: it is left out, a list keeps its good
    values (none good: the ``base`` value stays), a value longer than :data:`MAX_TEXT` and
    values past :data:`MAX_ITEMS` are refused, and the names of the parameters that held
    anything refused come back as the second item."""
    values = {d.name: getattr(base or SearchOptions(), d.name) for d in OPTIONS}
    refused: list[str] = []
    for declared in OPTIONS:
        given = [v for v in params.get(declared.url) or [] if v.strip()]
        if not given or (names is not None and declared.name not in names):
            continue
        if not lenient:
            values[declared.name] = declared.from_url(given)
            continue
        value, bad = _read_leniently(declared, given)
        if bad:
            refused.append(declared.url)
        if value is not None:
            values[declared.name] = value
    for name, why in conflicts(values):
        if not lenient:
            raise InvalidQueryError(why)
        values[name] = get_option(name).empty
        refused.append(get_option(name).url)
    return SearchOptions(**values), list(dict.fromkeys(refused))


def _read_leniently(declared: Option, given: list[str]) -> tuple[Any, bool]:
    """(the value read, or ``None`` to keep the base value; whether anything was refused)."""
    if not declared.repeatable:
        if len(given[-1]) > MAX_TEXT:
            return None, True
        try:
            return declared.from_url(given[-1:]), False
        except InvalidQueryError:
            return None, True
    codes = isinstance(declared.kind, Codes)  # where "any" means no restriction
    if codes and [v.strip().lower() for v in given] == [ANY]:
        return declared.empty, False
    good: list[Any] = []
    bad = len(given) > MAX_ITEMS
    for text in given[:MAX_ITEMS]:
        if codes and text.strip().lower() == ANY:
            continue
        try:
            if len(text) > MAX_TEXT:
                raise InvalidQueryError(text)
            good.extend(declared.from_url([text]))
        except InvalidQueryError:
            bad = True
    return (tuple(dict.fromkeys(good)) if good or not bad else None), bad


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
