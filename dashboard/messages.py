"""Messages built from library errors (escaped, ready for Markdown-rendering calls)."""

from __future__ import annotations

import re

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.resolve import Place
from trialfinder.views.text import escape_md

_QUOTED = re.compile(r"""(?<!\w)'([^']*)'(?!\w)|(?<!\w)"([^"]*)"(?!\w)""")


def place_problem(exc: PlaceNotFoundError) -> str:
    """Why a place could not be used: the library's message once (its quotes made curly like
    the rest of the page), then only those suggestions the message does not already list."""
    message = str(exc).rstrip(". ")
    extra = [s for s in dict.fromkeys(exc.suggestions) if s not in message][:5]
    if extra:
        message += "; did you mean: " + "; ".join(extra)
    message = _QUOTED.sub(lambda m: f"“{m.group(1) or m.group(2) or ''}”", message)
    return f"We could not find this place on the map: {escape_md(message)}."


def place_choice(place: Place, field: str = "Near") -> str | None:
    """Which place a name was taken for when it could mean others ("Boston": Boston, MA, of
    five), in the library's words (its quotes made curly) after the ``field`` it was typed
    in, escaped; ``None`` when no choice was made."""
    if not place.note:
        return None
    note = _QUOTED.sub(lambda m: f"“{m.group(1) or m.group(2) or ''}”", place.note.rstrip(". "))
    return f"{field}: {escape_md(note)}."
