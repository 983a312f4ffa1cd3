"""What one search option is: :class:`Option`, declared once beside its field of
:class:`~trialfinder.options.model.SearchOptions` with :func:`option`.

Every entry point (the command line, a link, a saved search, keyword arguments) reads and
writes an option through its declaration, so adding an option is one declaration (plus, for
a filter, its step in :mod:`trialfinder.tables.filtersteps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trialfinder.options.kinds import Kind

__all__ = ["Option", "option"]


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a search.

    - ``name``: its field of ``SearchOptions`` and its key in JSON;
    - ``kind``: how its value is read and written (:mod:`trialfinder.options.kinds`);
    - ``help``: what it does, in the command line's ``--help`` and the README;
    - ``flags``, ``metavar``: the command line's spelling (repeatable when the kind is);
    - ``url``: its parameter in a dashboard link; ``kwarg``: its keyword argument of
      ``trialfinder.search()``;
    - ``sent``: the registry is asked for it (``False``: a local filter only, applied to what
      was fetched); ``topic``: it names what to search for (not a filter);
    - ``words``: how a description in words introduces its value (``"treatment: "``);
    - ``order``: it orders the list and filters nothing (``--sort``): never sent, no part
      of what a search looks for, and not taken by commands with an order of their own.
    """

    name: str
    kind: Kind
    help: str
    flags: tuple[str, ...]
    url: str
    kwarg: str
    sent: bool = True
    topic: bool = False
    words: str = ""
    metavar: str = ""
    order: bool = False

    @property
    def flag(self) -> str:
        """The long flag (``--condition``), the one written back and named in messages."""
        return next(f for f in self.flags if f.startswith("--"))

    @property
    def repeatable(self) -> bool:
        return self.kind.repeatable

    @property
    def empty(self) -> Any:
        return self.kind.empty

    def from_python(self, value: object, label: str | None = None) -> Any:
        return self.kind.python(value, label or self.kwarg)

    def from_cli(self, given: str | Sequence[str]) -> Any:
        return self.kind.from_cli([given] if isinstance(given, str) else list(given), self.flag)

    def from_url(self, values: Sequence[str]) -> Any:
        return self.kind.from_text(list(values), self.url)

    def from_json(self, value: object) -> Any:
        return self.kind.from_json(value, self.name)

    def to_cli(self, value: Any) -> list[str]:
        """``["--status", "recruiting", "--status", "completed"]`` (``--title=-x`` for a value
        that would look like a flag)."""
        return [part for text in self.kind.to_text(value)
                for part in ((f"{self.flag}={text}",) if text.startswith("-")
                             else (self.flag, text))]

    def to_url(self, value: Any) -> list[str]:
        return self.kind.to_url(value)

    def to_json(self, value: Any) -> Any:
        return self.kind.to_json(value)

    def describe(self, value: Any) -> str:
        """The value in words, introduced as declared (``treatment: magnesium``)."""
        return self.words + self.kind.words(value)


def option(kind: Kind, *flags: str, help: str, url: str = "", kwarg: str = "",
           sent: bool = True, topic: bool = False, words: str = "", metavar: str = "",
           order: bool = False) -> Any:
    """A field of ``SearchOptions`` declaring its option (the name is the field's). ``kwarg``
    defaults to the long flag's words (``--study-type`` -> ``study_type``), ``url`` to
    ``kwarg``, ``metavar`` to ``kwarg`` in capitals."""
    long = next(f for f in flags if f.startswith("--"))
    kwarg = kwarg or long[2:].replace("-", "_")
    declared = Option(name="", kind=kind, help=help, flags=flags, url=url or kwarg, kwarg=kwarg,
                      sent=sent, topic=topic, words=words, metavar=metavar or kwarg.upper(),
                      order=order)
    return field(default=kind.empty, metadata={"option": declared})
