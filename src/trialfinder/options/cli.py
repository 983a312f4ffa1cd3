"""Search options on the command line: the argument groups every searching command adds from
:data:`~trialfinder.options.model.OPTIONS` (so ``search``, ``sync``, ``match`` and
``watch add`` spell, explain and read each option the same way), and the options read back
from the parsed arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any, Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.options.declare import Option
from trialfinder.options.kinds import ANY
from trialfinder.options.model import OPTIONS, SearchOptions, refuse_conflicts

__all__ = ["GROUPS", "add_options", "chosen", "read_options"]

#: The groups of ``--help``: title, and which options belong.
GROUPS: Final[tuple[tuple[str, Callable[[Option], bool]], ...]] = (
    ("what to search", lambda d: d.topic),
    ("where to search", lambda d: d.name == "registries"),
    ("filters", lambda d: d.sent and not d.topic and d.name != "registries"),
    ("local filters (applied to the studies fetched; never sent)",
     lambda d: not d.sent and not d.order),
    ("order", lambda d: d.order),
)


def chosen(names: Collection[str] | None) -> list[Option]:
    """The declarations of ``names`` (every option for ``None``), in declaration order."""
    return [d for d in OPTIONS if names is None or d.name in names]


def add_options(parser: argparse.ArgumentParser, names: Collection[str] | None = None, *,
                base: SearchOptions | None = None, title: str = "") -> dict[str, Any]:
    """Add the options ``names`` (every one for ``None``) to ``parser``, in their groups
    (``title`` is added to each group's title); returns the groups by their title in
    :data:`GROUPS`, for a command to add its own arguments. An option that ``base`` sets
    says its default in its help, and that ``any`` lifts it."""
    start = base or SearchOptions()
    groups: dict[str, Any] = {}
    for heading, belongs in GROUPS:
        members = [d for d in chosen(names) if belongs(d)]
        if not members:
            continue
        group = groups[heading] = parser.add_argument_group(heading + title)
        for d in members:
            notes = ["repeatable"] if d.repeatable else []
            default = getattr(start, d.name)
            if default != d.empty:
                notes += [f"default: {d.kind.words(default)}", f"'{ANY}' for all"]
            text = d.help + (f" ({'; '.join(notes)})" if notes else "")
            group.add_argument(*d.flags, dest=d.name, metavar=d.metavar, help=text,
                               action="append" if d.repeatable else "store")
    return groups


def read_options(args: argparse.Namespace, names: Collection[str] | None = None, *,
                 base: SearchOptions | None = None) -> SearchOptions:
    """The options ``names`` (every one for ``None``) given in ``args``, over ``base``; a
    bad value is one :class:`~trialfinder.core.errors.InvalidQueryError` naming its flag."""
    start = base or SearchOptions()
    values = {d.name: getattr(start, d.name) for d in OPTIONS}
    for d in chosen(names):
        given = getattr(args, d.name, None)
        if given is None:
            continue
        value = d.from_cli(given)
        items = given if isinstance(given, list) else [given]
        if d.name != "near" and value in (None, "", ()) and items and all(
                isinstance(item, str) and not item.replace(",", " ").strip() for item in items):
            # an option given with nothing in it is a mistake to say, never no option at all
            flag = next(f for f in d.flags if f.startswith("--"))
            raise InvalidQueryError(f"{flag} is empty: give a value or leave the option out")
        values[d.name] = value
    given = [d.name for d in chosen(names) if getattr(args, d.name, None) is not None]
    refuse_conflicts(values, given)  # --radius 50mi reads as the default, yet was given
    return SearchOptions(**values)
