"""The store's commands: ``store info|export``, ``sql``, ``watch add|list|remove|run``,
``history`` and ``sync``.

    trialfinder sync --condition "ALS"                  # every ALS study into the store
    trialfinder sync --whole-registry                   # the whole registry, page by page
    trialfinder sql "select status, count(*) from studies group by 1"
    trialfinder store info
    trialfinder store export parquet/
    trialfinder store export --aact aact/               # the AACT-compatible tables
    trialfinder watch add als-boston --condition ALS --status recruiting --near "Boston, MA"
    trialfinder watch run --format json --feed als.xml
    trialfinder history NCT01234567

``cli.py`` registers these with :func:`add_parser` and hands them to :func:`run`.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trialfinder.cli import sql as cli_sql
from trialfinder.cli.common import note_if_fictional, search_options, verbose_option
from trialfinder.cli.progress import ProgressBar
from trialfinder.core.config import Settings
from trialfinder.core.delivery import deliver, report
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.lazy import lazy
from trialfinder.core.terminal import fit_cell
from trialfinder.core.textcap import CSV_CELL_CHARS, LINE_CHARS, cap
from trialfinder.core.wording import plural, skipped_notes
from trialfinder.registries.ctgov.query import StudyQuery, normalize_nct_id

if TYPE_CHECKING:
    from trialfinder.places.resolve import resolve_place
    from trialfinder.registries.ctgov.client import TrialsClient
    from trialfinder.service.searching import build_query
    from trialfinder.service.sync import sync
    from trialfinder.store.aact.export import export_aact
    from trialfinder.store.db import Store, StoreError, default_store_path, open_store
    from trialfinder.store.feed import check_feed_path, write_feed
    from trialfinder.store.watch import (
        Change,
        WatchRun,
        add_watch,
        get_watch,
        history,
        list_watches,
        refresh,
        remove_watch,
    )
    from trialfinder.store.watch import studies as matching
else:  # requests, pandas and DuckDB load when a command runs, not for --help
    TrialsClient = lazy("trialfinder.registries.ctgov.client", "TrialsClient")
    resolve_place = lazy("trialfinder.places.resolve", "resolve_place")
    build_query = lazy("trialfinder.service.searching", "build_query")
    export_aact = lazy("trialfinder.store.aact.export", "export_aact")
    Store = lazy("trialfinder.store.db", "Store")
    StoreError = lazy("trialfinder.store.db", "StoreError")
    open_store = lazy("trialfinder.store.db", "open_store")
    default_store_path = lazy("trialfinder.store.db", "default_store_path")
    write_feed = lazy("trialfinder.store.feed", "write_feed")
    check_feed_path = lazy("trialfinder.store.feed", "check_feed_path")
    sync = lazy("trialfinder.service.sync", "sync")
    add_watch = lazy("trialfinder.store.watch", "add_watch")
    get_watch = lazy("trialfinder.store.watch", "get_watch")
    history = lazy("trialfinder.store.watch", "history")
    list_watches = lazy("trialfinder.store.watch", "list_watches")
    refresh = lazy("trialfinder.store.watch", "refresh")
    remove_watch = lazy("trialfinder.store.watch", "remove_watch")
    matching = lazy("trialfinder.store.watch", "studies")

__all__ = ["COMMANDS", "add_parser", "run"]

logger = logging.getLogger(__name__)

COMMANDS: Final = frozenset({"store", "sql", "watch", "history", "sync"})
CHANGE_COLUMNS: Final = ("watch", "nct_id", "change", "before", "after", "fields", "facility",
                         "city", "distance_mi", "title", "when")


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"yes", "y", "true", "1"}:
        return True
    if value in {"no", "n", "false", "0"}:
        return False
    raise argparse.ArgumentTypeError(f"expected yes or no, not {text!r}")



def _store_option(parser: argparse.ArgumentParser, *, verbose: bool = True) -> None:
    """--store, and -v unless the command's parents (the connection options) bring it."""
    if verbose:
        verbose_option(parser)
    parser.add_argument("--store", type=Path, dest="store_path",
                        help="the store file (default: studies.duckdb in $TRIALFINDER_DATA_DIR "
                        "or the user data folder)")


def _search_options(parser: argparse.ArgumentParser) -> None:
    what = parser.add_argument_group("what to search")
    what.add_argument("--preset", help="a topic preset (see `trialfinder presets`)")
    what.add_argument("-c", "--condition", action="append", help="condition (repeatable)")
    what.add_argument("-t", "--term", action="append", help="other terms (repeatable)")
    what.add_argument("-i", "--intervention", action="append", help="treatment (repeatable)")
    what.add_argument("--location", help="location text")
    what.add_argument("--title", help="words in the title")
    what.add_argument("--sponsor", help="sponsor or collaborator")
    what.add_argument("--id", dest="nct_ids", action="append", help="NCT id(s) (repeatable)")
    flt = parser.add_argument_group("filters")
    flt.add_argument("-s", "--status", action="append", help="status (repeatable)")
    flt.add_argument("--phase", action="append", help="phase: 1, 2, 3, 4, early_phase1, na")
    flt.add_argument("--study-type", action="append", help="interventional, observational...")
    flt.add_argument("--near", help='a place ("Boston, MA", a US ZIP code) or LAT,LON')
    flt.add_argument("--radius", help="distance from --near, e.g. 100mi (default 50mi)")
    flt.add_argument("--age", type=float, help="a person's age in years")
    flt.add_argument("--sex", help="female or male")
    flt.add_argument("--healthy-volunteers", type=_bool, metavar="yes|no")
    flt.add_argument("--start-from", help="studies starting on or after (2024, 2024-05...)")
    flt.add_argument("--start-to", help="studies starting on or before")
    flt.add_argument("--has-results", type=_bool, metavar="yes|no")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The search options given, as a watch keeps them (JSON values; a place as coordinates
    plus its name)."""
    options: dict[str, Any] = search_options(args) | {"radius": args.radius}
    if args.near is not None:  # "" is an empty place (an error), not no place
        place = resolve_place(args.near)
        options["near"] = [place.lat, place.lon]
        options["place"] = place.name if place.kind != "coordinates" else args.near
    elif args.radius:
        raise InvalidQueryError("a radius needs a place: give --near as well")
    return {k: v for k, v in options.items() if v not in (None, "", [])}


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """Add the store's commands to the ``trialfinder`` parser (``parents``: the connection
    options shared with ``search``)."""
    st = subparsers.add_parser("store", help="the local study store: info, export")
    st_sub = st.add_subparsers(dest="store_command", required=True, metavar="COMMAND")
    info = st_sub.add_parser("info", help="rows per table and the file size")
    _store_option(info)
    export = st_sub.add_parser("export", help="write every table as Parquet into DIR")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.add_argument("--partitioned", action="store_true",
                        help="one folder per table, split by id_block (first 3 digits of the "
                        "NCT number), for Spark, Trino or DuckDB over object storage")
    export.add_argument("--aact", action="store_true",
                        help="write the AACT-compatible tables (schema aact) instead; see "
                        "docs/aact.md")
    _store_option(export)

    store_only = argparse.ArgumentParser(add_help=False)
    _store_option(store_only)
    cli_sql.add_parser(subparsers, [store_only])

    sy = subparsers.add_parser("sync", parents=list(parents),
                               help="fetch a search (or --whole-registry) into the store, "
                               "page by page")
    _search_options(sy)
    whole = sy.add_mutually_exclusive_group()
    whole.add_argument("--whole-registry", action="store_true",
                       help="every study in ClinicalTrials.gov, with no search options (about "
                       "an hour); a search is always synced in full, up to --limit")
    whole.add_argument("--all", action="store_true", dest="all_old",
                       help="the old spelling of --whole-registry (it will go away)")
    sy.add_argument("--limit", type=int, help="at most N studies (default: every match)")
    _store_option(sy, verbose=False)

    wa = subparsers.add_parser("watch", help="saved searches that report what changed")
    wa_sub = wa.add_subparsers(dest="watch_command", required=True, metavar="COMMAND")
    add = wa_sub.add_parser("add", help="save a search as a watch")
    add.add_argument("name", help="a short name, up to 80 characters (quote one with spaces)")
    _search_options(add)
    _store_option(add)
    lst = wa_sub.add_parser("list", help="the saved watches and their last run")
    _store_option(lst)
    rm = wa_sub.add_parser("remove", help="forget a watch (its runs stay in the store)")
    rm.add_argument("name")
    _store_option(rm)
    wr = wa_sub.add_parser("run", parents=list(parents),
                           help="run watches and print what changed since their last run")
    wr.add_argument("names", nargs="*", metavar="NAME", help="watches to run (default: all)")
    wr.add_argument("--format", choices=["table", "csv", "json"], default="table",
                    help="table (default), csv, or json (one object per change and line)")
    wr.add_argument("--feed", type=Path, metavar="FILE.xml", help="also write an Atom feed")
    wr.add_argument("--full", action="store_true",
                    help="fetch every matching record instead of only what changed")
    _store_option(wr, verbose=False)

    hi = subparsers.add_parser("history", help="what changed between the versions seen")
    hi.add_argument("nct_id", nargs="+", help="NCT id(s)")
    _store_option(hi)


def _settings(args: argparse.Namespace) -> Settings:
    """Connection settings for sync and watch runs. The store keeps what they fetch, so the
    HTTP cache is left out (the whole registry would not belong there), and offline makes no
    sense for a refresh."""
    if getattr(args, "offline", False):
        raise InvalidQueryError(f"{args.command} asks the API for fresh data; it cannot run "
                                "--offline (use `trialfinder sql` to read the store)")
    changes: dict[str, Any] = {"use_cache": False}
    if getattr(args, "base_url", None):
        changes["base_url"] = args.base_url
    if getattr(args, "cache_dir", None):
        changes["cache_dir"] = args.cache_dir
    return Settings().with_(**changes)


def _path(args: argparse.Namespace) -> Path:
    return args.store_path or default_store_path()


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"


def _cmd_store(args: argparse.Namespace) -> int:
    path = _path(args)
    with open_store(path, read_only=args.store_command == "info") as store:
        if args.store_command == "export":
            # written aside, moved into place once the list below is delivered
            written = (export_aact(store, args.folder, partitioned=args.partitioned)
                       if args.aact else store.export(args.folder, partitioned=args.partitioned))
            for file in written:
                print(file)
            what = "Parquet folders" if args.partitioned else "Parquet files"
            table = "AACT table" if args.aact else "table"
            report(f"wrote {plural(len(written), table)} as {what} to {args.folder}")
            return 0
        counts = store.info()
        aborted = store.aborted_runs()
    print(f"store: {path}")
    size = counts.pop("file_bytes")
    for name, count in counts.items():
        print(f"{name:<14}{count:>12,}")
        if name == "runs" and aborted:
            print(f"{'  aborted':<14}{aborted:>12,}")
    print(f"{'file size':<14}{_size(size):>12}")
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    if args.all_old:
        print("trialfinder: note: `sync --all` is now spelled `sync --whole-registry`; "
              "the old spelling still works for now", file=sys.stderr)
    whole = args.whole_registry or args.all_old
    options = _options(args)
    if whole and options:
        raise InvalidQueryError("--whole-registry syncs every study; leave out the search "
                                "options")
    if not whole and not options:
        raise InvalidQueryError("give search options, or --whole-registry for every study")
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    query = StudyQuery() if whole else build_query(**_query_kwargs(options))
    from trialfinder.store.aact.fields import SYNC_PAGE_SIZE  # pages of whole records

    settings = _settings(args)
    client = TrialsClient(settings.with_(page_size=min(settings.page_size, SYNC_PAGE_SIZE)))
    bar = ProgressBar()
    with open_store(_path(args)) as store:
        try:
            result = sync(store, client, query, limit=args.limit, progress=bar, finish=False)
        finally:
            bar.close()
        total = f" (the API reported {result.total_reported:,})" if result.total_reported else ""
        try:  # the run is closed once its line is out
            print(f"synced {plural(result.studies, 'study')}{total} into {_path(args)}: "
                  f"{result.new_versions:,} new or changed, {plural(result.requests, 'request')}"
                  f", {_size(result.nbytes)}, {result.elapsed:,.1f} s")
            deliver()
            store.finish_run(result.run_id, requests=result.requests, nbytes=result.nbytes)
        except BaseException:
            store.abort_run(result.run_id)
            raise
    for note in skipped_notes(result.skipped, result.skipped):
        print(f"trialfinder: note: {note}", file=sys.stderr)
    return 0


def _query_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: v for k, v in options.items() if k != "place"}
    if "near" in kwargs:
        kwargs["near"] = tuple(kwargs["near"])
    return kwargs


def _cmd_watch(args: argparse.Namespace) -> int:
    command = args.watch_command
    if command == "add":
        options = _options(args)
        with open_store(_path(args)) as store, store.transaction():
            watch = add_watch(store, args.name, options)
            print(f"watch {watch.name!r} saved: {watch.describe()}")
            deliver()  # committed once that line is out
        return 0
    if command == "remove":
        with open_store(_path(args)) as store, store.transaction():
            remove_watch(store, args.name)
            print(f"watch {args.name!r} removed")
            deliver()
        return 0
    if command == "list":
        path = _path(args)
        if not path.exists():
            print("no watches yet (add one with `trialfinder watch add NAME ...`)")
            return 0
        with open_store(path, read_only=True) as store:
            watches = list_watches(store)
            last = {w.name: store.last_run(w.name) for w in watches}
        if not watches:
            print("no watches yet (add one with `trialfinder watch add NAME ...`)")
        for w in watches:
            run = last[w.name]
            when = run[1].strftime("%Y-%m-%d %H:%M") if run else "never run"
            print(f"{w.name}  [{when}]  {w.describe()}")
        return 0
    return _cmd_watch_run(args)


def _cmd_watch_run(args: argparse.Namespace) -> int:
    """Run the watches, write every output asked for, and only then record the runs: when an
    output fails, no run is recorded and the next run reports the same changes again."""
    client = TrialsClient(_settings(args))
    runs: list[WatchRun] = []
    with open_store(_path(args)) as store:
        watches = [get_watch(store, n) for n in args.names] if args.names \
            else list_watches(store)
        if not watches:
            raise InvalidQueryError("no watches to run (add one with `trialfinder watch add`)")
        if args.feed is not None:
            check_feed_path(args.feed)  # before any request
        for watch in watches:
            runs.append(refresh(store, client, watch, full=args.full, record=False))
        changes = [c for r in runs for c in r.changes]
        _print_changes(changes, args.format)
        note_if_fictional(c.nct_id for c in changes)
        if args.feed is not None:
            names = ", ".join(r.watch for r in runs)
            write_feed(args.feed, changes, title=f"trialfinder watch: {names}",
                       feed_id=f"urn:trialfinder:watch:{'+'.join(r.watch for r in runs)}")
        deliver()  # standard output flushed, the feed in place: now the runs count
        for r in runs:
            r.record(store)
    for r in runs:
        for note in r.notes:
            print(f"trialfinder: note: {note}", file=sys.stderr)
        print(f"{r.watch}: {plural(len(r.changes), 'change')}, {matching(r.studies)} "
              f"({r.mode}, {plural(r.requests, 'request')}, {_size(r.nbytes)})",
              file=sys.stderr)
    if args.feed is not None:
        print(f"wrote the feed {args.feed}", file=sys.stderr)
    return 0


def _row(change: Change) -> list[Any]:
    data = change.to_dict()
    cells = [", ".join(data[c]) if c == "fields" and c in data else data.get(c, "")
             for c in CHANGE_COLUMNS]
    return [cap(v, CSV_CELL_CHARS) if isinstance(v, str) else v for v in cells]


def _print_changes(changes: Sequence[Change], fmt: str) -> None:
    out = sys.stdout
    if fmt == "json":
        for change in changes:
            out.write(json.dumps(change.to_dict(), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CHANGE_COLUMNS)
        for change in changes:
            writer.writerow(_row(change))
        return
    for change in changes:
        detail = change.detail()
        title = _one_line(change.title or "")
        out.write(f"{change.watch}  {change.nct_id}  {change.change:<12}  "
                  f"{_one_line(detail) + '  ' if detail else ''}"
                  f"{fit_cell(title, _TITLE_COLUMNS).rstrip()}\n")


#: Terminal columns of a title in ``watch run``'s lines (a longer one is cut with ``…``).
_TITLE_COLUMNS = 70


def _one_line(text: str) -> str:
    """Text for a terminal line: whitespace collapsed, control characters (escape sequences
    included) dropped, so a record cannot move the cursor or recolour the screen."""
    kept = "".join(c for c in cap(text, LINE_CHARS) if c.isprintable() or c.isspace())
    return " ".join(kept.split())


def _cmd_history(args: argparse.Namespace) -> int:
    ids = [normalize_nct_id(n) for n in args.nct_id]
    with open_store(_path(args), read_only=True) as store:
        for nct in ids:
            versions = store.versions(nct)
            steps = history(store, nct)
            first = versions[0]
            print(f"{nct}: {plural(len(versions), 'version')} seen; "
                  f"first {first[1]:%Y-%m-%d %H:%M}, last {versions[-1][2]:%Y-%m-%d %H:%M}")
            for when, changes in steps:
                if not changes:
                    print(f"  {when:%Y-%m-%d %H:%M}  record changed (update date only)")
                for change in changes:
                    print(f"  {when:%Y-%m-%d %H:%M}  {change.change:<12}  "
                          f"{_one_line(change.detail())}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run one of the store's commands (``args.command`` in :data:`COMMANDS`). An error of
    DuckDB itself (a damaged file, a full disk) is one line naming the store."""
    handlers = {"store": _cmd_store, "sql": cli_sql.run, "sync": _cmd_sync, "watch": _cmd_watch,
                "history": _cmd_history}
    logger.info("%s: the store is %s", args.command, _path(args))
    try:
        return handlers[args.command](args)
    except Exception as exc:
        duckdb = sys.modules.get("duckdb")
        if duckdb is None or not isinstance(exc, duckdb.Error):
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"the study store {_path(args)} failed: {first}") from None
