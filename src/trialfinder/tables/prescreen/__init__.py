"""The personal pre-screen: a private first look at which studies may fit one person.

    >>> import trialfinder as tf
    >>> me = tf.Profile(age=54, sex="male", medicines=("Lioresal",), conditions=("ALS",))
    >>> screen = tf.prescreen(tf.search(preset="als", status="recruiting"), me)
    >>> screen.studies, screen.mentions

The profile stays on this machine: it is not sent with the search, cached, logged or written
to a provenance file. A first look, not medical advice.
"""

from trialfinder.tables.prescreen.fit import DISCLAIMER, Prescreen, prescreen
from trialfinder.tables.prescreen.profile import Profile
from trialfinder.tables.prescreen.synonyms import names_for

__all__ = ["DISCLAIMER", "Prescreen", "Profile", "names_for", "prescreen"]
