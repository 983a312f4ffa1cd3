"""The ``trialfinder`` command line.

    trialfinder search --condition "back pain" --status recruiting --near "Boston, MA" --radius 50mi
    trialfinder search --preset als --format csv --output als.csv
    trialfinder search --from-file ctg-studies.json --sites --format csv --output sites.csv
    trialfinder show NCT01234567
    trialfinder presets

Exit codes: 0 done; 1 the search itself failed (the API refused it or could not be reached, a
file could not be read or written); 2 the input is not usable (an unknown option or value, a
place that cannot be found); 130 interrupted (Ctrl-C, at any moment, start-up included).
Errors and Ctrl-C print one line on stderr, never a traceback. Warnings print once each as
``trialfinder: note: ...``. ``-v`` adds the library's log lines (``-vv`` its debug lines).

Text from the API is printed without control characters or escape sequences (see
:mod:`trialfinder.core.terminal`); ``--format csv``/``json`` keep the data as it is, except on a
terminal.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from trialfinder._version import __version__
from trialfinder.cli import match as cli_match
from trialfinder.cli import show as cli_show
from trialfinder.cli import store as cli_store
from trialfinder.cli.common import (
    listing,
    note_if_fictional,
    resolve_near,
    search_data_file,
    search_options,
    settings_from,
    status_label,
    verbose_option,
)
from trialfinder.cli.oneshot import ONE_SEARCH_COMMANDS, settle_before_search, tune_for_one_search
from trialfinder.cli.progress import ProgressBar
from trialfinder.cli.streams import (
    check_file_names,
    command_line,
    failure,
    install_sigterm,
    standard_streams,
)
from trialfinder.core.config import ONE_SEARCH, Settings
from trialfinder.core.delivery import deliver, delivering, report
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.lazy import LazyModule, lazy
from trialfinder.core.terminal import as_shown, clean, display_width, fit_cell
from trialfinder.core.textcap import LINE_CHARS, cap
from trialfinder.core.wording import plural
from trialfinder.tables.exportpath import (
    ExportFormat,
    check_output_path,
    format_for_path,
    sidecar_path,
)
from trialfinder.topics import demo
from trialfinder.topics.presets import list_presets

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.service.searching import Results, search
    from trialfinder.tables.countries import check_countries
    from trialfinder.tables.export import to_csv_bytes, to_jsonl_bytes, write_export
else:
    # pandas, requests and numpy load on first use, so `--help` and `presets` start at once

    pd = LazyModule("pandas")
    search = lazy("trialfinder.service.searching", "search")
    check_countries = lazy("trialfinder.tables.countries", "check_countries")
    to_csv_bytes = lazy("trialfinder.tables.export", "to_csv_bytes")
    to_jsonl_bytes = lazy("trialfinder.tables.export", "to_jsonl_bytes")
    write_export = lazy("trialfinder.tables.export", "write_export")

__all__ = ["main"]

#: Studies the CLI fetches unless told otherwise (--limit N, --all): a broad search such as
#: "--sex female" alone would otherwise page through the whole registry.
DEFAULT_LIMIT = 10_000
TABLE_COLUMNS = ["nct_id", "status", "title"]
SITE_COLUMNS = ["nct_id", "distance_mi", "site_status", "facility", "city", "state", "country"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2
        self.exit(2, f"trialfinder: usage error: {message} (see --help)\n")


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"yes", "y", "true", "1", "only"}:
        return True
    if value in {"no", "n", "false", "0", "none"}:
        return False
    raise argparse.ArgumentTypeError(f"expected yes or no, not {text!r}")



def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trialfinder",
        description="Find and filter clinical trials from ClinicalTrials.gov (API v2). "
        "Not medical advice: talk to your doctor about any trial.",
    )
    parser.add_argument("--version", action="version", version=f"trialfinder {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log what happens on stderr (-vv: debug lines too)")
    loud = _Parser(add_help=False)
    verbose_option(loud)
    common = _Parser(add_help=False, parents=[loud])
    net = common.add_argument_group("connection")
    net.add_argument("--base-url", help="API root (default: $TRIALFINDER_BASE_URL or the real API)")
    net.add_argument("--no-cache", action="store_true", help="do not read or write the local cache")
    net.add_argument("--offline", action="store_true", help="answer only from the local cache")
    net.add_argument("--cache-dir", type=Path, help="cache folder (default: user cache folder)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("search", parents=[common], help="search studies",
                       description="Search studies and print, or export, the matches.")
    what = s.add_argument_group("what to search")
    what.add_argument("--preset", help="a topic preset (see `trialfinder presets`)")
    what.add_argument("-c", "--condition", action="append", help="condition (repeatable)")
    what.add_argument("-t", "--term", action="append", help="other terms (repeatable)")
    what.add_argument("-i", "--intervention", action="append", help="treatment (repeatable)")
    what.add_argument("--location", help="location text, e.g. a city or country name")
    what.add_argument("--title", help="words in the title")
    what.add_argument("--sponsor", help="sponsor or collaborator")
    what.add_argument("--id", dest="nct_ids", action="append", help="NCT id(s) (repeatable)")
    what.add_argument("--from-file", type=Path,
                      help="filter a saved ClinicalTrials.gov JSON download instead of the API")
    flt = s.add_argument_group("filters")
    flt.add_argument("-s", "--status", action="append",
                     help="status, e.g. recruiting, not_yet_recruiting, completed (repeatable)")
    flt.add_argument("--phase", action="append", help="phase: 1, 2, 3, 4, early_phase1, na")
    flt.add_argument("--study-type", action="append",
                     help="interventional, observational or expanded_access")
    flt.add_argument("--near",
                     help='a place ("Boston, MA", a US ZIP code, "Lyon, France") or LAT,LON')
    flt.add_argument("--radius", help="distance from --near, e.g. 50mi or 80km (default 50mi)")
    flt.add_argument("--age", type=float, help="a person's age in years")
    flt.add_argument("--sex", help="female or male (studies open to all are kept)")
    flt.add_argument("--healthy-volunteers", type=_bool, metavar="yes|no",
                     help="only studies that do (yes) or do not (no) accept healthy volunteers")
    flt.add_argument("--start-from",
                     help="studies starting on or after (2024, 2024-05, 2024-05-31)")
    flt.add_argument("--start-to", help="studies starting on or before")
    flt.add_argument("--has-results", type=_bool, metavar="yes|no", help="results posted or not")
    flt.add_argument("--keyword", help="local filter: words in title, summary, conditions, drugs")
    flt.add_argument("--country", action="append", help="local filter: a site in this country")
    out = s.add_argument_group("output")
    out.add_argument("--limit", type=int,
                     help=f"fetch at most N studies (default {DEFAULT_LIMIT:,})")
    out.add_argument("--all", action="store_true",
                     help=f"fetch every study that matches, however many (no --limit; "
                     f"without it a search stops at {DEFAULT_LIMIT:,})")
    out.add_argument("--format", choices=["table", "csv", "json"],
                     help="table (default on screen), csv, or json (one object per line); with "
                     "--output the file's extension decides when --format is not given")
    out.add_argument("--output", "-o", type=Path,
                     help="write to this file, CSV (.csv) or JSON lines (.jsonl, .json, "
                     ".ndjson), with its provenance in PATH.meta.json")
    out.add_argument("--sites", action="store_true", help="one row per study site")
    out.add_argument("--columns", help="comma-separated columns to output")
    out.add_argument("--no-store", action="store_true",
                     help="do not add the studies fetched to the local study store "
                     "(also: TRIALFINDER_STORE=0)")

    sh = sub.add_parser("show", parents=[common], help="show one study in detail")
    sh.add_argument("nct_id", nargs="+", help="NCT id(s)")
    sh.add_argument("--near", help="sort sites by distance from this place or LAT,LON")
    sh.add_argument("--sites", type=int, default=5, help="how many sites to list (default 5)")

    sub.add_parser("presets", parents=[loud],
                   help="list the topic presets and the parameters they send")
    cli_match.add_parser(sub, parents=[loud])

    c = sub.add_parser("cache", parents=[loud],
                       help="where the local cache is and how big; --clear empties it")
    c.add_argument("--cache-dir", type=Path, help="cache folder (default: user cache folder)")
    c.add_argument("--clear", action="store_true", help="delete the HTTP cache and saved tables")
    cli_store.add_parser(sub, parents=[common])
    return parser



def _select(frame: pd.DataFrame, columns: str | None) -> pd.DataFrame:
    if not columns:
        return frame
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        raise InvalidQueryError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(frame.columns)}"
        )
    return frame[wanted]


#: How a table too wide for the terminal gives way: (which column, its narrowest), in order.
#: The last column (a title) gives way first, then the others (the widest first) to the
#: width of an NCT id, then each again.
_GIVE_WAY = (("last", 20), ("others", 11), ("last", 8), ("others", 6), ("last", 1),
             ("others", 1))


def _column_widths(natural: list[int], width: int) -> list[int]:
    """Column widths that fit ``width`` terminal columns with two spaces between columns:
    each column as wide as its widest cell (40 at most but for the last), narrowed as
    :data:`_GIVE_WAY` says when the terminal is narrower."""
    widths = [min(n, 40) for n in natural[:-1]] + [natural[-1]]
    room = width - 2 * (len(widths) - 1)
    for which, floor in _GIVE_WAY:
        over = sum(widths) - room
        if over <= 0:
            break
        if which == "last":
            widths[-1] = max(min(widths[-1], floor), widths[-1] - over)
            continue
        while over > 0:
            widest = max(range(len(widths) - 1), key=widths.__getitem__, default=-1)
            if widest < 0 or widths[widest] <= floor:
                break
            widths[widest] -= 1
            over -= 1
    return widths


def _print_table(frame: pd.DataFrame, out: TextIO) -> None:
    """Rows fitted to the terminal and lined up with the header at any width: a cell that is
    too wide is cut with ``…``, and width is counted in terminal columns (a wide character
    takes two; on a stream that cannot carry a character, its ``\\xe9`` escape)."""
    if frame.empty:
        return
    width = shutil.get_terminal_size((100, 24)).columns
    encoding = getattr(out, "encoding", None)
    mark = as_shown("…", encoding)
    mark = mark if len(mark) == 1 else "~"  # one column, whatever the stream carries

    def shown(value: object) -> str:
        return as_shown(" ".join(clean(cap(str(value), LINE_CHARS)).split()), encoding)

    cols = [shown(c) for c in frame.columns]
    text = frame.astype("string").fillna("")
    rows = [[shown(v) for v in row] for row in text.itertuples(index=False)]
    natural = [max([display_width(cols[i])] + [display_width(r[i]) for r in rows])
               for i in range(len(cols))]
    widths = _column_widths(natural, width)
    for line in [cols, *rows]:
        out.write("  ".join(fit_cell(v, w, mark) for v, w in zip(line, widths, strict=True))
                  .rstrip() + "\n")


def _summary(res: Results, rows: int, what: str) -> str:
    meta = res.meta
    fetched = meta.studies_fetched
    parts = [plural(rows, what)]
    if meta.total_reported is not None:
        parts.append(f"the API reported {plural(meta.total_reported, 'matching study')}, "
                     f"{fetched:,} fetched")
    elif meta.records_read is not None:
        parts.append(f"{plural(meta.records_read, 'study')} in the file"
                     + (f", {fetched:,} on the topic" if meta.topic is not None else ""))
    removed = [f"{s.name}: -{s.removed}" for s in res.steps if s.removed]
    if removed:
        parts.append("local filters " + ", ".join(removed))
    return "; ".join(parts)


def _output_format(args: argparse.Namespace) -> str:
    """csv or jsonl for --output: --format when given, else the file's ending; an ending we
    do not write is refused (see :func:`trialfinder.tables.export.format_for_path`)."""
    if args.format == "table":
        raise InvalidQueryError("--format table prints to the terminal; to write a file use "
                                "--format csv or --format json (or a .csv / .jsonl name)")
    wanted: ExportFormat | None = ("jsonl" if args.format == "json"
                                   else "csv" if args.format == "csv" else None)
    return format_for_path(args.output, wanted)


def _cmd_search(args: argparse.Namespace) -> int:
    near, place_note = resolve_near(args.near)
    kwargs: dict[str, Any] = search_options(args) | {"near": near, "radius": args.radius}
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    if args.all and args.limit is not None:
        raise InvalidQueryError("--all fetches every match and --limit stops at N; "
                                "give one of them")
    if args.from_file and (args.limit is not None or args.all):
        raise InvalidQueryError("--limit and --all set how many studies to fetch from the API; "
                                "--from-file reads every study in the file")
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    if args.output:
        check_output_path(args.output)  # before any request: a bad path fails at once
    fmt = _output_format(args) if args.output else (args.format or "table")
    countries = check_countries(listing(args.country))
    if countries.unknown:  # a typo would otherwise widen the search to every country
        raise InvalidQueryError("; ".join(u.refusal() for u in countries.unknown))
    client = query = None
    if not args.from_file:
        from trialfinder.cache.tablekey import may_be_saved
        from trialfinder.registries.ctgov.client import TrialsClient
        from trialfinder.registries.ctgov.options import build_query, check_not_empty

        # a wrong value or an empty search fails here, before any request
        query = check_not_empty(build_query(**kwargs))
        client = TrialsClient(settings_from(args))
        # every check is passed: /version (asked before the pages when a cache is on) and,
        # unless saved tables may answer, the first page now travel while pandas loads
        settings = client.settings
        saved = settings.use_cache and may_be_saved(settings.cache_dir, settings.base_url,
                                                    query.to_params(), limit)
        client.ask_early(None if saved else query, limit=limit)
    settle_before_search(client.settings.profile if client else settings_from(args).profile)
    if client is None:
        res = search_data_file(args.from_file, keyword=args.keyword, **kwargs)
        if countries.known:
            res = res.refilter(replace(res.filters, countries=countries.known))
    else:
        bar = ProgressBar()
        try:
            res = search(
                query=query, client=client, limit=limit, progress=bar,
                keyword=args.keyword, countries=countries.known,
            )
        finally:
            bar.close()
    notes: list[str] = []
    frame = res.sites if args.sites else res.studies
    what = "site" if args.sites else "study"
    _select(frame, args.columns)  # an unknown column is an error before any note
    for warning in ([place_note] if place_note else []) + notes + res.warnings:
        if limit == DEFAULT_LIMIT and args.limit is None and "limit reached" in warning:
            warning += "; use --limit N or --all to fetch more"
        _NOTES.say(warning)
    # fictional studies are never shown as real: a note says so, and their provenance file
    fictional = note_if_fictional(frame["nct_id"].astype(str))
    if args.output:
        meta = res.meta.to_dict() | (
            {"fictional": demo.FICTIONAL_PROVENANCE} if fictional else {})
        path = write_export(args.output, _select(frame, args.columns), meta, fmt=fmt)
        report(f"wrote {plural(len(frame), what)} to {path} "
               f"(provenance in {sidecar_path(path)})")
        report(_summary(res, len(frame), what))
        return 0
    if fmt in ("csv", "json"):
        to_bytes = to_csv_bytes if fmt == "csv" else to_jsonl_bytes
        _write_data(to_bytes(_select(frame, args.columns)))
        report(_summary(res, len(frame), what))
    else:
        default = SITE_COLUMNS if args.sites else TABLE_COLUMNS
        if not args.sites and "nearest_distance_mi" in frame.columns and args.near:
            default = ["nct_id", "status", "nearest_distance_mi", "title"]
        columns = args.columns or ",".join(c for c in default if c in frame.columns)
        _print_table(_for_people(_select(frame, columns)), sys.stdout)
        print(_summary(res, len(frame), what))
    return 0


def _write_data(data: bytes) -> None:
    """CSV or JSON lines on stdout, as they are (but never escape codes onto a terminal)."""
    sys.stdout.flush()
    if sys.stdout.isatty():
        data = clean(data.decode("utf-8")).encode("utf-8")
    sys.stdout.buffer.write(data)


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Terminal view: distances rounded, status codes as words."""
    out = frame.copy()
    for col in out.columns:
        if col.endswith("distance_mi"):
            out[col] = out[col].round(1)
        elif col in ("status", "site_status", "last_known_status"):
            out[col] = out[col].astype("string").map(status_label, na_action="ignore")
    return out


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
          f"({plural(len(held.http_files), 'file')} named http_cache.* or pacing-*.state)")
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

    def say(self, text: str) -> None:
        line = " ".join(text.split())
        if line and line not in self.seen:
            self.seen.add(line)
            print(f"trialfinder: note: {line}", file=sys.stderr)


_NOTES = _Notes()


class _LogLines(logging.Handler):
    """The "trialfinder" logger on stderr: warnings as notes (once each), lower levels, when
    asked for with -v, as ``trialfinder: debug: <logger>: <message>``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                _NOTES.say(message)
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
    with standard_streams(own_process=own_process) as err:
        try:
            with delivering():
                return _main(argv, own_process=own_process)
        except (KeyboardInterrupt, Exception) as exc:
            return failure(exc, err, own_process=own_process)


def _main(argv: Sequence[str] | None, *, own_process: bool = False) -> int:
    _NOTES.seen.clear()
    parser = build_parser()
    try:
        args = parser.parse_args(command_line(argv))
    except SystemExit as done:
        if done.code in (0, None):  # --help, --version: their output is delivered as any is
            deliver()
        raise
    check_file_names(list(vars(args).values()))
    args.own_process = own_process
    args.profile = None
    undo = _logging(args.verbose + getattr(args, "verbose_sub", 0))
    if own_process and args.command in ONE_SEARCH_COMMANDS:
        tune_for_one_search()
        args.profile = ONE_SEARCH
    handlers = {"search": _cmd_search, "show": cli_show.run, "presets": _cmd_presets,
                "cache": _cmd_cache, "match": cli_match.run}
    try:
        code = (cli_store.run(args) if args.command in cli_store.COMMANDS
                else handlers[args.command](args))
        deliver()
        return code
    finally:
        _wait_for_saved_tables()
        undo()


def _wait_for_saved_tables() -> None:
    """Wait for saved tables written behind the output, so a failure to save them is a note
    (the module is loaded only when a search ran)."""
    tables = sys.modules.get("trialfinder.cache.tablecache")
    if tables is not None:
        tables.wait_for_saves()


if __name__ == "__main__":
    sys.exit(main(own_process=True))
