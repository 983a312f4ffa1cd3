"""The ``trialfinder`` command line.

    trialfinder search --condition "back pain" --status recruiting --near "Boston, MA" --radius 50mi
    trialfinder search --preset als --format csv --output als.csv
    trialfinder show NCT01234567
    trialfinder presets

Exit codes: 0 done; 1 the search itself failed (the API refused it or could not be reached, a
file could not be read or written); 2 the input is not usable (an unknown option or value, a
place that cannot be found); 130 interrupted (Ctrl-C, at any moment, start-up included).
Errors and Ctrl-C print one line on stderr, never a traceback. Warnings print once each as
``trialfinder: note: ...``. ``-v`` adds the library's log lines (``-vv`` its debug lines).

Text from the API is printed without control characters or escape sequences (see
:mod:`trialfinder.core.terminal`); ``--format csv``/``json`` keep the data as it is, except on a
terminal. One module per command (:mod:`.search`, :mod:`.show`, :mod:`.match`, :mod:`.store`
and the store's commands); the search options of every command come from
:mod:`trialfinder.options`, the output formats from :mod:`trialfinder.cli.formats`.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import re
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trialfinder._version import __version__
from trialfinder.cli import match as cli_match
from trialfinder.cli import search as cli_search
from trialfinder.cli import show as cli_show
from trialfinder.cli import store as cli_store
from trialfinder.cli.common import NOT_ADVICE, cache_folder, connection_options, verbose_option
from trialfinder.cli.oneshot import (
    LONG_RUN_COMMANDS,
    ONE_SEARCH_COMMANDS,
    tune_for_a_long_run,
    tune_for_one_search,
)
from trialfinder.cli.streams import (
    check_file_names,
    command_line,
    failure,
    install_sigterm,
    keep_interrupts,
    standard_streams,
)
from trialfinder.cli.unreachable import unreachable_hint
from trialfinder.core.config import ONE_SEARCH, Settings
from trialfinder.core.delivery import deliver, delivering
from trialfinder.core.errors import NetworkError, TrialFinderWarning
from trialfinder.core.wording import plural
from trialfinder.topics.presets import list_presets

__all__ = ["build_parser", "main"]


#: argparse's words for a number it could not read ("argument --limit: invalid int value: '1x'")
_NOT_A_NUMBER = re.compile(
    r"argument (?P<option>\S+): invalid (?P<kind>int|float) value: (?P<value>.*)")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2
        number = _NOT_A_NUMBER.fullmatch(message)
        if number:  # said as the other numbers are ("--age must be a number, not 'abc'")
            kind = "a whole number" if number["kind"] == "int" else "a number"
            self.exit(2, f"trialfinder: error: {number['option']} must be {kind}, "
                         f"not {number['value']}\n")
        self.exit(2, f"trialfinder: usage error: {message} (see --help)\n")


def parse_command_line(parser: argparse.ArgumentParser,
                       argv: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args(argv)``, naming the command's closest option for one it does not
    know (``--condtion``: did you mean --condition?; ``match --healthy-volunteers``: did you
    mean --healthy-volunteer?)."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}{_closest(parser, argv, extras)}")
    return args


def _closest(parser: argparse.ArgumentParser, argv: Sequence[str],
             extras: Sequence[str]) -> str:
    command = parser
    for word in argv:  # down to the (sub)command the line names: `watch add`
        subcommands = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if subcommands and word in subcommands[0].choices:
            command = subcommands[0].choices[word]
    known = [o for o in command._option_string_actions if o.startswith("--")]
    guesses = [close[0] for word in extras if word.startswith("--")
               if (close := difflib.get_close_matches(word.split("=", 1)[0], known, n=1,
                                                      cutoff=0.8))]
    return f"; did you mean {' or '.join(dict.fromkeys(guesses))}?" if guesses else ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trialfinder",
        description="Find and filter clinical trials from ClinicalTrials.gov (API v2). "
        + NOT_ADVICE,
    )
    parser.add_argument("--version", action="version", version=f"trialfinder {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log what happens on stderr (-vv: debug lines too)")
    loud = _Parser(add_help=False)
    verbose_option(loud)
    common = _Parser(add_help=False, parents=[loud])
    connection_options(common)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cli_search.add_parser(sub, parents=[loud])

    sh = sub.add_parser("show", parents=[common], help="show one study in detail")
    sh.add_argument("nct_id", nargs="+", metavar="ID",
                    help="NCT or ISRCTN id(s), e.g. NCT01234567 or ISRCTN12345678")
    sh.add_argument("--near", help="sort sites by distance from this place or LAT,LON")
    sh.add_argument("--sites", type=int, default=5, help="how many sites to list (default 5)")

    sub.add_parser("presets", parents=[loud],
                   help="list the topic presets and the parameters they send")
    cli_match.add_parser(sub, parents=[loud])

    c = sub.add_parser("cache", parents=[loud],
                       help="where the local cache is and how big; --clear empties it")
    c.add_argument("--cache-dir", type=cache_folder,
                   help="cache folder (default: user cache folder)")
    c.add_argument("--clear", action="store_true", help="delete the HTTP cache and saved tables")
    fresh = _Parser(add_help=False, parents=[loud])  # sync and watch run: no HTTP cache
    connection_options(fresh, refresh=True)
    cli_store.add_parser(sub, parents=[fresh])
    return parser


def _cmd_cache(args: argparse.Namespace) -> int:
    from trialfinder.cache.contents import cache_contents, clear_cache

    folder = args.cache_dir or Settings().cache_dir
    if not folder.exists():
        print(f"cache folder: {folder} (not created yet: nothing cached)")
        return 0
    if args.clear:
        files, size, others = clear_cache(folder)
        left = f"; left {plural(others, 'other file')} alone" if others else ""
        print(f"removed {plural(files, 'file')} ({size / 1e6:,.1f} MB) from {folder}{left}")
        return 0
    held = cache_contents(folder)
    print(f"cache folder: {folder}")
    print(f"HTTP answers: {held.http_bytes / 1e6:,.1f} MB "
          f"({plural(len(held.http_files), 'file')} named http_cache.* or pacing-*.state); "
          f"kept under {Settings().cache_max_mb:,.0f} MB (TRIALFINDER_CACHE_MAX_MB)")
    print(f"saved tables: {plural(held.saved_searches, 'saved search')}, "
          f"{held.table_bytes / 1e6:,.1f} MB")
    if held.other_files:
        print(f"other files: {held.other_files} (not written by trialfinder; --clear leaves them)")
    if held.problem:
        print(f"trialfinder: note: {held.problem}", file=sys.stderr)
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from trialfinder.registries.ctgov.query import preset_query

    for preset in list_presets():
        print(f"{preset.name}: {preset.title}")
        print(textwrap.indent(textwrap.fill(preset.description, 96), "    "))
        if preset.leaves_out:
            print(textwrap.indent(textwrap.fill(f"Leaves out: {preset.leaves_out}", 96), "    "))
        for key, value in preset_query(preset).to_params().items():
            print(f"    {key}={value}")
        print()
    return 0


class _Notes:
    """Warnings for people, each printed once on stderr (``trialfinder: note: ...``), whether
    a result carries it or the library logged it."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._lock = threading.Lock()  # a search's threads may log the same warning at once

    def say(self, text: str) -> None:
        line = " ".join(text.split())
        with self._lock:
            if not line or line in self.seen:
                return
            self.seen.add(line)
        print(f"trialfinder: note: {line}", file=sys.stderr)


_NOTES = _Notes()


class _LogLines(logging.Handler):
    """The "trialfinder" logger on stderr: warnings as notes (once each; one about a wait
    under way, ``interruptible``, says how to stop it), lower levels, when asked for with -v,
    as ``trialfinder: debug: <logger>: <message>``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                _NOTES.say(f"{message}; Ctrl-C stops." if getattr(record, "interruptible", False)
                           else message)
            else:
                level = record.levelname.lower()
                print(f"trialfinder: {level}: {record.name}: {message}", file=sys.stderr)
        except OSError:  # the output failed: the command reports it when it ends
            return
        except Exception:  # a log line must never break the command
            self.handleError(record)


def _logging(verbosity: int) -> Callable[[], None]:
    """Send the "trialfinder" logger to stderr at the -v level; returns the undo."""
    logger = logging.getLogger("trialfinder")
    handler = _LogLines()
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 \
        else logging.DEBUG
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(before)

    return undo


@contextmanager
def _warnings_as_notes() -> Iterator[None]:
    """trialfinder's own warnings (:class:`TrialFinderWarning`: a damaged cache file moved
    aside) as one note each, not as Python prints a warning (the source file, its line number
    and the line of code); other warnings are left as they are. Undone when the command ends."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", TrialFinderWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
            if issubclass(category, TrialFinderWarning):
                _NOTES.say(str(message))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run the command line; returns the exit code (see the module docstring).

    ``own_process``: the process is the command's alone and ends with it (the entry points
    say so), so a command that makes one search may tune its memory
    (:mod:`trialfinder.cli.oneshot`) and SIGTERM ends it as Ctrl-C does; called as a function,
    nothing of the host is changed. Whatever the command, its outputs are delivered before
    its state changes and before it says it succeeded (:mod:`trialfinder.core.delivery`), and it
    ends with one line (:func:`trialfinder.cli.streams.failure`)."""
    if own_process:
        install_sigterm()
        keep_interrupts()
    with standard_streams(own_process=own_process) as err:
        try:
            with delivering(), _warnings_as_notes():
                return _main(argv, own_process=own_process)
        except (KeyboardInterrupt, Exception) as exc:
            return failure(exc, err, own_process=own_process)


def _main(argv: Sequence[str] | None, *, own_process: bool = False) -> int:
    _NOTES.seen.clear()
    parser = build_parser()
    try:
        args = parse_command_line(parser, command_line(argv))
    except SystemExit as done:
        if done.code in (0, None):  # --help, --version: their output is delivered as any is
            deliver()
        raise
    output = getattr(args, "output", None)  # kept as typed (``./-`` is no ``-``): a name too
    check_file_names([*vars(args).values(), *([Path(output)] if isinstance(output, str) else [])])
    args.own_process = own_process
    args.profile = None
    undo = _logging(args.verbose + getattr(args, "verbose_sub", 0))
    if own_process and args.command in ONE_SEARCH_COMMANDS:
        tune_for_one_search()
        args.profile = ONE_SEARCH
    elif own_process and args.command in LONG_RUN_COMMANDS:
        tune_for_a_long_run()
    handlers = {"search": lambda a: cli_search.run(a, _NOTES), "show": cli_show.run,
                "presets": _cmd_presets, "cache": _cmd_cache, "match": cli_match.run}
    try:
        code = (cli_store.run(args) if args.command in cli_store.COMMANDS
                else handlers[args.command](args))
        deliver()
        return code
    except NetworkError as exc:  # the one line says how to go on without the internet
        hint = unreachable_hint(exc, args)
        if hint:  # the same error (its class, say OfflineError, kept), its line longer
            exc.args = (f"{exc}{hint}",)
        raise
    finally:
        _wait_for_saved_tables()
        undo()


def _wait_for_saved_tables() -> None:
    """Wait for saved tables written behind the output, so a failure to save them is a note
    (the module is loaded only when a search ran)."""
    behind = sys.modules.get("trialfinder.cache.behind")
    if behind is not None:
        behind.wait_for_saves()


if __name__ == "__main__":
    sys.exit(main(own_process=True))
