"""The options of a search, declared once (what people give on the command line, in a link,
in a saved search or as keyword arguments) and made into a registry's query.

- :mod:`~trialfinder.options.model`: :class:`SearchOptions` and :data:`OPTIONS`;
- :mod:`~trialfinder.options.declare`: what an :class:`Option` declares;
- :mod:`~trialfinder.options.kinds`: how each kind of value is read and written;
- :mod:`~trialfinder.options.parse` / :mod:`~trialfinder.options.render`: from and to keyword
  arguments, links, JSON and words; :mod:`~trialfinder.options.cli`: the command line;
- :mod:`~trialfinder.options.local`: the place looked up and the local filters (loads numpy:
  imported on use).
"""

from trialfinder.options.declare import Option
from trialfinder.options.model import OPTIONS, SearchOptions, check_asks, get_option
from trialfinder.options.parse import (
    LinkReading,
    Refused,
    from_json,
    from_kwargs,
    from_saved,
    from_url,
    read_link,
)
from trialfinder.options.render import to_cli, to_json, to_kwargs, to_url, words
from trialfinder.options.values import DEFAULT_RADIUS, Near, Radius

__all__ = [
    "DEFAULT_RADIUS",
    "OPTIONS",
    "LinkReading",
    "Near",
    "Option",
    "Radius",
    "Refused",
    "SearchOptions",
    "check_asks",
    "from_json",
    "from_kwargs",
    "from_saved",
    "from_url",
    "get_option",
    "read_link",
    "to_cli",
    "to_json",
    "to_kwargs",
    "to_url",
    "words",
]
