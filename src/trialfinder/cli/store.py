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

``cli.main`` registers these with :func:`add_parser` and hands them to :func:`run`; the watch
commands and ``history`` are in :mod:`trialfinder.cli.watch`, ``sql`` in
:mod:`trialfinder.cli.sql`. ``sync`` takes the search options the registry is asked for
(:mod:`trialfinder.options`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trialfinder.cli import sql as cli_sql
from trialfinder.cli import watch as cli_watch
from trialfinder.cli.common import none_found, note_if_fictional, read_search
from trialfinder.cli.progress import ProgressBar
from trialfinder.cli.storeargs import settings_for_refresh as _settings
from trialfinder.cli.storeargs import size_text as _size
from trialfinder.cli.storeargs import store_option as _store_option
from trialfinder.cli.storeargs import store_path as _path
from trialfinder.core.delivery import check_parent, deliver, report
from trialfinder.core.errors import DataFileError, InvalidQueryError
from trialfinder.core.lazy import lazy
from trialfinder.core.wording import plural, skipped_notes
from trialfinder.options import OPTIONS
from trialfinder.options.cli import add_options
from trialfinder.registries import choose_registries

if TYPE_CHECKING:
    from trialfinder.service.sync import SyncResult, sync
    from trialfinder.store.aact.export import export_aact
    from trialfinder.store.db import StoreError, open_store
else:  # requests, pandas and DuckDB load when a command runs, not for --help
    export_aact = lazy("trialfinder.store.aact.export", "export_aact")
    StoreError = lazy("trialfinder.store.db", "StoreError")
    open_store = lazy("trialfinder.store.db", "open_store")
    sync = lazy("trialfinder.service.sync", "sync")

__all__ = ["COMMANDS", "add_parser", "run"]

logger = logging.getLogger(__name__)

COMMANDS: Final = frozenset({"store", "sql", "watch", "history", "sync"})
#: The options ``sync`` takes: those the registry is asked for (a sync keeps every study the
#: search finds; a local filter would choose among them afterwards).
SYNC_OPTIONS: Final = tuple(d.name for d in OPTIONS if d.sent)


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """Add the store's commands to the ``trialfinder`` parser (``parents``: the connection
    options shared with ``search``)."""
    st = subparsers.add_parser("store", help="the local study store: info, export")
    st_sub = st.add_subparsers(dest="store_command", required=True, metavar="COMMAND")
    info = st_sub.add_parser("info", help="rows per table and the file size")
    _store_option(info)
    export = st_sub.add_parser("export", help="write every table as Parquet into DIR")
    export.add_argument("folder", type=_export_folder, metavar="DIR",
                        help="the folder to write the Parquet files into (made if missing, in "
                        "a folder that is there)")
    export.add_argument("--partitioned", action="store_true",
                        help="one folder per table, split by id_block (first 3 digits of the "
                        "study's id), for Spark, Trino or DuckDB over object storage")
    export.add_argument("--aact", action="store_true",
                        help="write the AACT-compatible tables (schema aact) instead; see "
                        "docs/aact.md")
    _store_option(export)

    store_only = argparse.ArgumentParser(add_help=False)
    _store_option(store_only)
    cli_sql.add_parser(subparsers, [store_only])

    sy = subparsers.add_parser(
        "sync", parents=list(parents),
        help="fetch a search (or --whole-registry) into the store, page by page",
        description="Fetch every study a search finds (or the whole registry) into the local "
        "study store, page by page, whole records included (the AACT tables, docs/aact.md, "
        "read them). Run it again to refresh: an unchanged study adds no version. The local "
        "filters of `search` (--keyword, --country...) are not taken: a sync keeps every "
        "study the registry finds.")
    add_options(sy, SYNC_OPTIONS)
    whole = sy.add_mutually_exclusive_group()
    whole.add_argument("--whole-registry", action="store_true",
                       help="every study in ClinicalTrials.gov, with no search options (about "
                       "11 minutes: 560 requests at the API's pace); a search is always "
                       "synced in full, up to --limit")
    whole.add_argument("--all", action="store_true", dest="all_old",
                       help="the old spelling of --whole-registry (it will go away)")
    sy.add_argument("--limit", type=int, help="at most N studies (default: every match)")
    _store_option(sy, verbose=False)

    cli_watch.add_parsers(subparsers, parents)


def _export_folder(text: str) -> Path:
    """``store export``'s DIR: never an empty name (an unset variable would write into the
    current folder) nor ``-`` (standard output, to many tools)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder's name is empty: give a folder for the "
                                         "tables, e.g. export/")
    if text == "-":
        raise argparse.ArgumentTypeError("'-' is not a folder here: the tables are written as "
                                         "Parquet files into a folder, e.g. export/")
    return Path(text)


def _cmd_store(args: argparse.Namespace) -> int:
    path = _path(args)
    if args.store_command == "export" and args.folder.exists() and not args.folder.is_dir():
        raise DataFileError(f"{args.folder} is not a folder: give a folder for the tables, "
                            "e.g. export/")
    if args.store_command == "export" and not args.folder.exists():
        check_parent(args.folder)  # DIR is made, no folder above it (as search --output)
    # an export of a store that is not there yet is an error, not an empty store made for it
    with open_store(path, read_only=args.store_command == "info", create=False) as store:
        if args.store_command == "export":
            # written aside, moved into place once the list below is delivered
            written = (export_aact(store, args.folder, partitioned=args.partitioned)
                       if args.aact else store.export(args.folder, partitioned=args.partitioned))
            for file in written:
                print(file)
            what = "Parquet folders" if args.partitioned else "Parquet files"
            table = "AACT table" if args.aact else "table"
            report(f"wrote {plural(len(written), table)} as {what} to {args.folder}")
            # fictional studies are never shown as real: a note says when the files hold some
            note_if_fictional(store.ids_starting("NCT99"))
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


def _cut(texts: int) -> str:
    """The sync line's words for the texts it stored cut (its warning names their columns)."""
    from trialfinder.store.bounded import MOST_BYTES  # loaded by the sync already

    return f", {plural(texts, 'text')} cut to {MOST_BYTES // 1024} KiB" if texts else ""


def _report_sync(store: Any, result: SyncResult, args: argparse.Namespace, title: str) -> None:
    """The line of one registry's sync; its run is closed once the line is out."""
    total = f" (the API reported {result.total_reported:,})" if result.total_reported else ""
    try:
        print(f"{title + ': ' if title else ''}synced {plural(result.studies, 'study')}{total} "
              f"into {_path(args)}: {result.new_versions:,} new or changed, "
              f"{plural(result.requests, 'request')}, {_size(result.nbytes)}, "
              f"{result.elapsed:,.1f} s{_cut(result.cut_texts)}")
        # fictional studies are never shown as real: a note says when the run stored some
        note_if_fictional(store.found_ids_starting(result.run_id, "NCT99"))
        deliver()
        store.finish_run(result.run_id, requests=result.requests, nbytes=result.nbytes)
    except BaseException:
        store.abort_run(result.run_id)
        raise


def _cmd_sync(args: argparse.Namespace) -> int:
    if args.all_old:
        print("trialfinder: note: `sync --all` is now spelled `sync --whole-registry`; "
              "the old spelling still works for now", file=sys.stderr)
    whole = args.whole_registry or args.all_old
    options = read_search(args, SYNC_OPTIONS)
    registries = choose_registries(options.registries or None)
    if whole and options.replace(registries=()).given:
        raise InvalidQueryError("--whole-registry syncs every study; leave out the search "
                                "options")
    if not whole and options.is_empty:
        raise InvalidQueryError("give search options, or --whole-registry for every study")
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    for registry in registries:  # before any request: a registry that cannot take the search
        try:  # (ISRCTN is asked by a query) fails here, not after the others' long syncs
            registry.translate(options)
        except InvalidQueryError as exc:
            if not whole:
                raise
            raise InvalidQueryError(f"--whole-registry syncs ClinicalTrials.gov only, and "
                                    f"{exc} (in a sync of its own)") from None
    from trialfinder.registries.ctgov.fullrecord import SYNC_PAGE_SIZE  # whole records

    settings = _settings(args)
    settings = settings.with_(page_size=min(settings.page_size, SYNC_PAGE_SIZE))
    skipped = found = 0
    with open_store(_path(args)) as store:
        for registry in registries:
            bar = ProgressBar()
            try:
                result = sync(store, registry.client(settings), options, limit=args.limit,
                              progress=bar, finish=False)
            finally:
                bar.close()
            _report_sync(store, result, args, registry.title if len(registries) > 1 else "")
            skipped += result.skipped
            found += result.studies
    for note in skipped_notes(skipped, skipped) + ([] if found else none_found(options)):
        print(f"trialfinder: note: {note}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run one of the store's commands (``args.command`` in :data:`COMMANDS`). An error of
    DuckDB itself (a damaged file, a full disk) is one line naming the store."""
    handlers = {"store": _cmd_store, "sql": cli_sql.run, "sync": _cmd_sync,
                "watch": cli_watch.run_watch, "history": cli_watch.run_history}
    logger.info("%s: the store is %s", args.command, _path(args))
    try:
        return handlers[args.command](args)
    except Exception as exc:
        duckdb = sys.modules.get("duckdb")
        if duckdb is None or not isinstance(exc, duckdb.Error):
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"the study store {_path(args)} failed: {first}") from None
