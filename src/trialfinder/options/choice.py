"""A kind of option value that is one name of a short, fixed list: :class:`Choice` (the order
of the list, ``--sort``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from trialfinder.core.checks import text_or_none
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean, one_of
from trialfinder.options.kinds import Kind

__all__ = ["SORT_ORDERS", "Choice"]

#: The orders of a result list (``--sort``, ``sort=``), each with its words; the page offers
#: the same ones (:mod:`trialfinder.views.sorting`) and its pre-screen order besides.
SORT_ORDERS: Final = {
    "nearest": "nearest first",
    "registry": "in the registry's order",
    "newest": "newest first",
    "updated": "last updated first",
}


class Choice(Kind):
    """One of ``choices`` (name -> words), read in any case; ``what`` names the list in an
    error ("a way to sort"), which lists every choice and the one spelled nearly so."""

    def __init__(self, choices: Mapping[str, str], what: str) -> None:
        self.choices, self.what = dict(choices), what

    def python(self, value: object, label: str) -> str | None:
        text = text_or_none(value, label)
        if text is None or not text.strip():
            return None
        name = str(text).strip().lower()
        if name not in self.choices:
            raise InvalidQueryError(f"{label} {text!r} is not {self.what}; choose "
                                    f"{one_of(list(self.choices))}"
                                    f"{did_you_mean(name, self.choices)}")
        return name

    def words(self, value: Any) -> str:
        return self.choices[value]
