"""The order of the result list: the registry's, nearest first, newest, last updated, or the
pre-screen's.

The library keeps the registry's order unless a search asks for another (``sort=``,
``--sort``: :func:`trialfinder.tables.order.sort_studies`); the page sorts only what it shows,
from the same sorts. Every sort is stable: studies that tie (or lack the value
sorted on, which go last) keep the registry's order among themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from trialfinder.options.choice import SORT_ORDERS
from trialfinder.tables.order import sort_studies

__all__ = ["SORTS", "chosen_sort", "default_sort", "sort_choices", "sort_studies"]

#: Each way of sorting, with the words the page shows for it: the orders of ``--sort``
#: (:data:`~trialfinder.options.choice.SORT_ORDERS`) and the pre-screen's.
SORTS: Final = {
    "nearest": "Nearest first",
    "registry": "The registry’s order",
    "newest": "Newest first (first posted)",
    "updated": "Last updated first",
    "fit": "Best fit for you first (About you)",
}


def sort_choices(has_place: bool, has_screen: bool) -> list[str]:
    """The sorts that make sense for a list: nearest only with a place, the pre-screen's
    order only once *About you* is filled. The first is the default (:func:`default_sort`)."""
    keys = ["nearest"] if has_place else []
    keys += [key for key in SORT_ORDERS if key != "nearest"]
    keys += ["fit"] if has_screen else []
    return keys


def default_sort(has_place: bool) -> str:
    """Nearest first when the search has a place, else the registry's order."""
    return "nearest" if has_place else "registry"


def chosen_sort(wanted: object, choices: Sequence[str]) -> str:
    """``wanted`` when it is one of ``choices``, else the first choice (a sort that no longer
    applies, such as nearest first after a search without a place, falls back)."""
    return wanted if isinstance(wanted, str) and wanted in choices else choices[0]
