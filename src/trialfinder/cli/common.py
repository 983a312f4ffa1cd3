"""What the ``trialfinder`` commands share: the connection options and the settings they make,
reading search options (declared in :mod:`trialfinder.options`), -v, --from-file.

Light on purpose (no pandas, no requests): every command's parser imports it.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialfinder.core.codes import status_words as status_label  # the one status wording
from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.options import SearchOptions
from trialfinder.options.cli import read_options
from trialfinder.options.values import Radius, number_text

if TYPE_CHECKING:
    from trialfinder.places.resolve import Place
    from trialfinder.service.searching import Results

__all__ = [
    "NOT_ADVICE",
    "cache_folder",
    "connection_options",
    "none_found",
    "note_if_fictional",
    "place_note",
    "read_search",
    "resolve_near",
    "search_data_file",
    "settings_from",
    "status_label",
    "verbose_option",
]


def cache_folder(text: str) -> Path:
    """--cache-dir's FOLDER: never an empty name (``Path("")`` is the current folder, where an
    unset variable in ``--cache-dir "$CACHE"`` put the cache and its saved tables)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the cache folder's name is empty: give a folder, or "
                                         "leave out --cache-dir for the default")
    return Path(text)


def connection_options(parser: argparse.ArgumentParser, *, no_store: bool = False,
                       refresh: bool = False) -> None:
    """The options of every command that asks the API: --base-url, --no-cache, --offline,
    --cache-dir (and --no-store for the commands whose searches the store keeps). A
    ``refresh`` (sync, watch run) never uses the cache folder and refuses --offline in one
    line: --no-cache, --offline and --cache-dir are taken, as before, but not offered in its
    help, which said they would read the cache."""
    net = parser.add_argument_group("connection")
    net.add_argument("--base-url", help="API root (default: $TRIALFINDER_BASE_URL or the real API)")
    net.add_argument("--no-cache", action="store_true",
                     help=argparse.SUPPRESS if refresh else "do not read or write the local cache")
    net.add_argument("--offline", action="store_true",
                     help=argparse.SUPPRESS if refresh else "answer only from the local cache")
    net.add_argument("--cache-dir", type=cache_folder,
                     help=argparse.SUPPRESS if refresh
                     else "cache folder (default: user cache folder)")
    if no_store:
        net.add_argument("--no-store", action="store_true",
                         help="do not add the studies fetched to the local study store "
                         "(also: TRIALFINDER_STORE=0)")


def read_search(args: argparse.Namespace, names: Collection[str] | None = None, *,
                base: SearchOptions | None = None) -> SearchOptions:
    """The search options given on the command line (see :mod:`trialfinder.options.cli`);
    a country name that is no country is refused (a typo would otherwise widen the search
    to every country)."""
    options = read_options(args, names, base=base)
    if not options.countries:
        return options
    from trialfinder.tables.countries import check_countries  # loads the gazetteer

    countries = check_countries(options.countries)
    if countries.unknown:
        raise InvalidQueryError("; ".join(u.refusal() for u in countries.unknown))
    return options.replace(countries=countries.known)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from --base-url, --no-cache, --offline, --cache-dir and --no-store, with the
    run profile the command chose (``args.profile``: one search in its own process)."""
    if args.no_cache and args.offline:
        raise InvalidQueryError("--offline answers from the cache, so it cannot go with --no-cache")
    changes: dict[str, Any] = {}
    if args.base_url:
        changes["base_url"] = args.base_url
    if args.no_cache:
        changes["use_cache"] = False
    if args.offline:
        changes["offline"] = True
    if args.cache_dir:
        changes["cache_dir"] = args.cache_dir
    if getattr(args, "no_store", False):
        changes["use_store"] = False
    if getattr(args, "profile", None) is not None:
        changes["profile"] = args.profile
    return Settings().with_(**changes) if changes else Settings()


def verbose_option(parser: argparse.ArgumentParser) -> None:
    """``-v``/``--verbose`` after a command's name (``trialfinder store info -v``), added to
    the top-level count (the main parser reads ``verbose_sub``)."""
    parser.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        dest="verbose_sub", help="log what happens on stderr (-vv: debug lines)")


def search_data_file(path: Path, options: SearchOptions) -> Results:
    """--from-file: :func:`trialfinder.service.searching.search_file`, the Python API's own
    path (a saved ISRCTN answer in XML, or a ClinicalTrials.gov download in JSON)."""
    from trialfinder.service.searching import search_file

    return search_file(path, options=options)


def place_note(place: Place) -> str | None:
    """A note naming the place a name was taken for (printed once the command has succeeded,
    so an error stays the only line); ``None`` for coordinates."""
    if place.kind == "coordinates":
        return None
    note = f"near {place.name} ({place.lat:.4f}, {place.lon:.4f})"
    return note + f"; {place.note}" if place.note else note


def resolve_near(text: str | None) -> tuple[tuple[float, float] | None, str | None]:
    """A --near value as coordinates, and :func:`place_note`. An empty --near is an
    error, as a blank one is, never silently no place."""
    if text is None:
        return None, None
    from trialfinder.places.resolve import empty_place, resolve_place  # loads the gazetteer

    if not text.strip():
        raise PlaceNotFoundError(empty_place("--near"))
    place = resolve_place(text)
    return (place.lat, place.lon), place_note(place)


#: The line under results read on a terminal (``search``'s table, ``show``); ``match`` says
#: its pre-screen's own (:data:`~trialfinder.tables.prescreen.profile.DISCLAIMER`).
NOT_ADVICE = "Not medical advice: talk to your doctor before joining any trial."


def note_if_fictional(ids: Iterable[object]) -> bool:
    """Whether the studies ``ids`` are fictional by the one rule
    (:func:`trialfinder.topics.demo.shows_fictional`); when they are, a note says so once the
    output is delivered (after it, as the summary: a failed output stays the only line)."""
    from trialfinder.core.delivery import report
    from trialfinder.topics import demo

    if not demo.shows_fictional(ids):
        return False
    report(f"trialfinder: note: {demo.FICTIONAL_NOTE}")
    return True


#: Radii a note offers past the one searched (the dashboard's steps; the same distances in km).
WIDER_RADII: dict[str, tuple[int, ...]] = {"mi": (100, 250, 500, 1000),
                                           "km": (150, 400, 800, 1600)}


def none_found(options: SearchOptions, *, wider: bool = True) -> list[str]:
    """What to try when a search (sync, watch) found nothing: the names trialfinder knows
    that are spelled nearly as a condition or treatment searched for (a slip finds nothing,
    and said nothing), and with ``wider``, near a place, a wider radius."""
    from trialfinder.options.values import DEFAULT_RADIUS
    from trialfinder.tables.prescreen.synonyms import spelled_nearly

    slips = []
    for flag, kind, words in (("--condition", "condition", options.conditions),
                              ("--intervention", "medicine", options.interventions)):
        for word in words:
            if close := spelled_nearly(word, kind):
                slips.append(f"{flag} {word!r} (did you mean {' or '.join(close)}?)")
    notes = [f"nothing found for {', '.join(slips)}"] if slips else []
    if wider and options.near is not None:
        radius = options.radius or DEFAULT_RADIUS
        notes.append(f"nothing found within {radius.words} of {options.near.text}: "
                     f"{_what_to_widen(options, radius)} may find studies")
    return notes


def _what_to_widen(options: SearchOptions, radius: Radius) -> str:
    """The note's advice: a radius wider than the one searched (its examples in the search's
    own unit, or no --near past the widest), and another --status only when one was given."""
    wider = [f"{number_text(r)}{radius.unit}" for r in WIDER_RADII[radius.unit]
             if r > radius.value][:2]
    ways = [f"a wider --radius (e.g. {' or '.join(wider)})" if wider
            else "a search without --near"]
    if options.statuses:
        ways.append("another --status")
    return " or ".join(ways)
