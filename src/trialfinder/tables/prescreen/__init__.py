"""The personal pre-screen: a private first look at which studies may fit one person.

    >>> import trialfinder as tf
    >>> me = tf.Profile(age=54, sex="male", medicines=("Lioresal",), conditions=("ALS",))
    >>> screen = tf.prescreen(tf.search(preset="als", status="recruiting"), me)
    >>> screen.studies, screen.mentions

The profile stays on this machine: it is not sent with the search, cached, logged or written
to a provenance file. A first look, not medical advice.
"""

import importlib
import typing

from trialfinder.tables.prescreen.profile import DISCLAIMER, Profile
from trialfinder.tables.prescreen.synonyms import names_for

if typing.TYPE_CHECKING:
    from trialfinder.tables.prescreen.fit import Prescreen, prescreen

__all__ = ["DISCLAIMER", "Prescreen", "Profile", "names_for", "prescreen"]


def __getattr__(name: str) -> typing.Any:
    # the matching half needs pandas: load it on first use, so the CLI's --help stays quick
    if name in ("Prescreen", "prescreen"):
        return getattr(importlib.import_module("trialfinder.tables.prescreen.fit"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
