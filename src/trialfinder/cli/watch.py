"""The watch commands: ``watch add|list|remove|run`` and ``history``.

    trialfinder watch add als-boston --condition ALS --status recruiting --near "Boston, MA"
    trialfinder watch run --format json --feed als.xml
    trialfinder history NCT01234567

A watch takes every search option of ``search`` (:mod:`trialfinder.options`); its changes are
written in any output format of :mod:`trialfinder.cli.formats`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from trialfinder.cli.common import none_found, note_if_fictional, read_search
from trialfinder.cli.formats import FORMATS, add_format_option, write_rows
from trialfinder.cli.storeargs import settings_for_refresh as _settings
from trialfinder.cli.storeargs import size_text as _size
from trialfinder.cli.storeargs import store_option
from trialfinder.cli.storeargs import store_path as _path
from trialfinder.core.delivery import deliver
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.lazy import lazy
from trialfinder.core.terminal import fit_cell
from trialfinder.core.textcap import CSV_CELL_CHARS, LINE_CHARS, cap
from trialfinder.core.wording import plural
from trialfinder.options.cli import add_options
from trialfinder.options.model import FINDING
from trialfinder.registries import registry_for_id

if TYPE_CHECKING:
    from trialfinder.service.watchrun import WatchRun, clients_for, refresh
    from trialfinder.service.watchrun import studies as matching
    from trialfinder.store.db import open_store
    from trialfinder.store.feed import check_feed_path, watch_feed_id, write_feed
    from trialfinder.store.watch import (
        Change,
        add_watch,
        get_watch,
        history,
        list_watches,
        remove_watch,
    )
else:  # requests, pandas and DuckDB load when a command runs, not for --help
    refresh = lazy("trialfinder.service.watchrun", "refresh")
    clients_for = lazy("trialfinder.service.watchrun", "clients_for")
    matching = lazy("trialfinder.service.watchrun", "studies")
    open_store = lazy("trialfinder.store.db", "open_store")
    write_feed = lazy("trialfinder.store.feed", "write_feed")
    watch_feed_id = lazy("trialfinder.store.feed", "watch_feed_id")
    check_feed_path = lazy("trialfinder.store.feed", "check_feed_path")
    add_watch = lazy("trialfinder.store.watch", "add_watch")
    get_watch = lazy("trialfinder.store.watch", "get_watch")
    history = lazy("trialfinder.store.watch", "history")
    list_watches = lazy("trialfinder.store.watch", "list_watches")
    remove_watch = lazy("trialfinder.store.watch", "remove_watch")

__all__ = ["add_parsers", "run_history", "run_watch"]

CHANGE_COLUMNS: Final = ("watch", "nct_id", "change", "before", "after", "fields", "facility",
                         "city", "distance_mi", "title", "when")


def add_parsers(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """Add ``watch`` and ``history`` (``parents``: the connection options, for a run)."""
    wa = subparsers.add_parser(
        "watch", help="saved searches that report what changed",
        description="Follow a search: `watch add NAME` saves it (with any search option), "
        "`watch run` searches again and prints each study that changed since the previous "
        "run (new, closed, now recruiting, a new site), `watch list` and `watch remove` "
        "keep the list. Watches live in the local study store, with the dashboard's saved "
        "searches.")
    wa_sub = wa.add_subparsers(dest="watch_command", required=True, metavar="COMMAND")
    add = wa_sub.add_parser("add", help="save a search as a watch")
    add.add_argument("name", help="a short name, up to 80 characters (quote one with spaces)")
    add_options(add, FINDING)  # a watch prints what changed: no --sort
    store_option(add)
    lst = wa_sub.add_parser("list", help="the saved watches and their last run")
    store_option(lst)
    rm = wa_sub.add_parser("remove", help="forget a watch (its runs stay in the store)")
    rm.add_argument("name")
    store_option(rm)
    wr = wa_sub.add_parser("run", parents=list(parents),
                           help="run watches and print what changed since their last run")
    wr.add_argument("names", nargs="*", metavar="NAME", help="watches to run (default: all)")
    add_format_option(wr, default="table", rows="change")
    wr.add_argument("--feed", type=Path, metavar="FILE.xml", help="also write an Atom feed")
    wr.add_argument("--full", action="store_true",
                    help="fetch every matching record instead of only what changed")
    store_option(wr, verbose=False)

    hi = subparsers.add_parser(
        "history", help="what changed between the versions seen",
        description="The versions of each study that the local study store has seen "
        "(searches, syncs and watch runs keep them) and what changed between them.")
    hi.add_argument("nct_id", nargs="+", metavar="ID",
                    help="NCT or ISRCTN id(s), e.g. NCT01234567 or ISRCTN12345678")
    store_option(hi)


def run_watch(args: argparse.Namespace) -> int:
    command = args.watch_command
    if command == "add":
        options = read_search(args, FINDING)
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
    settings = _settings(args)
    runs: list[WatchRun] = []
    with open_store(_path(args)) as store:
        watches = [get_watch(store, n) for n in args.names] if args.names \
            else list_watches(store)
        if not watches:
            raise InvalidQueryError("no watches to run (add one with `trialfinder watch add`)")
        if args.feed is not None:
            check_feed_path(args.feed)  # before any request
        for watch in watches:
            runs.append(refresh(store, clients_for(watch, settings), watch, full=args.full,
                                record=False))
        changes = [c for r in runs for c in r.changes]
        _print_changes(changes, args.format)
        note_if_fictional(c.nct_id for c in changes)
        if args.feed is not None:
            names = ", ".join(r.watch for r in runs)
            write_feed(args.feed, changes, title=f"trialfinder watch: {names}",
                       feed_id=watch_feed_id([r.watch for r in runs]))
        deliver()  # standard output flushed, the feed in place: now the runs count
        for r in runs:
            r.record(store)
    for watch, r in zip(watches, runs, strict=True):
        # a watch that matches nothing may hold a slip (`-c astma`); not a wider radius: what
        # it looks for is the person's own choice, kept
        slips = [] if r.studies else none_found(watch.options, wider=False)
        for note in [*r.notes, *slips]:
            print(f"trialfinder: note: {note}", file=sys.stderr)
        print(f"{r.watch}: {plural(len(r.changes), 'change')}, {matching(r.studies)} "
              f"({r.mode}, {plural(r.requests, 'request')}, {_size(r.nbytes)})",
              file=sys.stderr)
    if args.feed is not None:
        print(f"wrote the feed {args.feed}", file=sys.stderr)
    return 0


def _row(change: Change) -> dict[str, Any]:
    data = change.to_dict()
    cells = {c: ", ".join(data[c]) if c == "fields" and c in data else data.get(c, "")
             for c in CHANGE_COLUMNS}
    return {c: cap(v, CSV_CELL_CHARS) if isinstance(v, str) else v for c, v in cells.items()}


#: A change's kind as the terminal's lines say it (the data keep the codes: csv, json, feed).
_KIND_WORDS: Final = {"site_added": "new site", "site_removed": "site removed"}


def _kind(change: Change) -> str:
    """``site_added`` -> ``new site``: a kind in words, padded to one column's width."""
    return f"{_KIND_WORDS.get(change.change, change.change):<12}"


class _ChangeLines:
    """The table of ``watch run``: one line per change, for a terminal."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def begin(self, columns: Sequence[str]) -> None:
        return None

    def write(self, rows: Any) -> None:
        for change in rows:
            detail = change.detail()
            title = _one_line(change.title or "")
            self.out.write(f"{change.watch}  {change.nct_id}  {_kind(change)}  "
                           f"{_one_line(detail) + '  ' if detail else ''}"
                           f"{fit_cell(title, _TITLE_COLUMNS).rstrip()}\n")

    def end(self) -> None:
        return None

    def abandon(self) -> None:
        return None  # each change's line is out as it comes


#: Terminal columns of a title in ``watch run``'s lines (a longer one is cut with ``…``).
_TITLE_COLUMNS = 70


def _print_changes(changes: Sequence[Change], fmt: str) -> None:
    if FORMATS[fmt].for_people:
        write_rows(fmt, changes, CHANGE_COLUMNS, table=_ChangeLines)
    elif fmt == "json":
        write_rows(fmt, [c.to_dict() for c in changes], CHANGE_COLUMNS)
    else:
        write_rows(fmt, [_row(c) for c in changes], CHANGE_COLUMNS)


def _one_line(text: str) -> str:
    """Text for a terminal line: whitespace collapsed, control characters (escape sequences
    included) dropped, so a record cannot move the cursor or recolour the screen."""
    kept = "".join(c for c in cap(text, LINE_CHARS) if c.isprintable() or c.isspace())
    return " ".join(kept.split())


def run_history(args: argparse.Namespace) -> int:
    ids = [registry_for_id(n)[1] for n in args.nct_id]
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
                    print(f"  {when:%Y-%m-%d %H:%M}  {_kind(change)}  "
                          f"{_one_line(change.detail())}")
    return 0
