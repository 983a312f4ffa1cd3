"""``trialfinder search``: search studies and print, or export, the matches.

    trialfinder search --condition "back pain" --status recruiting --near "Boston, MA" --radius 50mi
    trialfinder search --preset als --format csv --output als.csv
    trialfinder search --from-file ctg-studies.json --sites --format csv --output sites.csv

Its search options are declared in :mod:`trialfinder.options` (as for ``sync``, ``match`` and
``watch add``); its output formats in :mod:`trialfinder.cli.formats`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from trialfinder.cli.common import (
    NOT_ADVICE,
    connection_options,
    none_found,
    note_if_fictional,
    place_note,
    read_search,
    search_data_file,
    settings_from,
    status_label,
)
from trialfinder.cli.formats import FORMATS, add_format_option, refuse_terminal, write_rows
from trialfinder.cli.oneshot import settle_before_search
from trialfinder.cli.progress import ProgressBar
from trialfinder.core.delivery import report
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.lazy import lazy
from trialfinder.core.wording import plural
from trialfinder.options.cli import add_options
from trialfinder.tables.exportpath import check_output_path, format_for_path, sidecar_path
from trialfinder.topics import demo

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.service.searching import Results, search
    from trialfinder.service.streaming import Streamed, stream_search
    from trialfinder.tables.export import write_export
    from trialfinder.tables.exportpages import export_pages
    from trialfinder.tables.exportpath import ExportFormat
    from trialfinder.tables.filters import FilterOutcome
else:  # pandas, requests and numpy load on first use, so `--help` starts at once
    search = lazy("trialfinder.service.searching", "search")
    stream_search = lazy("trialfinder.service.streaming", "stream_search")
    write_export = lazy("trialfinder.tables.export", "write_export")
    export_pages = lazy("trialfinder.tables.exportpages", "export_pages")

__all__ = ["DEFAULT_LIMIT", "add_parser", "run"]

#: Studies the CLI fetches unless told otherwise (--limit N, --all): a broad search such as
#: "--sex female" alone would otherwise page through the whole registry.
DEFAULT_LIMIT = 10_000
TABLE_COLUMNS = ["nct_id", "status", "title"]
#: What rows on standard output say of their provenance (a file has it beside it).
NO_SIDECAR = ("trialfinder: note: no provenance file with standard output; --output FILE "
              "writes one beside the file (FILE.meta.json)")
SITE_COLUMNS = ["nct_id", "distance_mi", "site_status", "facility", "city", "state", "country"]


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add ``search`` to the ``trialfinder`` parser (``parents``: -v)."""
    s = subparsers.add_parser("search", parents=list(parents), help="search studies",
                              description="Search studies and print, or export, the matches. "
                              "With --near, the table lists them nearest first (as the "
                              "dashboard does); files and CSV or JSON output keep the "
                              "registry's order. --sort asks for an order everywhere (a "
                              "file or stream is then held whole: at most --limit 10000).")
    groups = add_options(s)
    groups["what to search"].add_argument(
        "--from-file", type=Path,
        help="filter a saved ClinicalTrials.gov JSON download, or a saved ISRCTN API answer "
             "(XML), instead of asking the registry")
    out = s.add_argument_group("output")
    out.add_argument("--limit", type=int,
                     help=f"fetch at most N studies (default {DEFAULT_LIMIT:,})")
    out.add_argument("--all", action="store_true",
                     help=f"fetch every study that matches, however many (no --limit; "
                     f"without it a search stops at {DEFAULT_LIMIT:,})")
    add_format_option(out, default=None, rows="study or site", files=True, binary=True)
    # kept as written (a str): Path("./-") would be "-", and "" would be "."
    out.add_argument("--output", "-o",
                     help="write to this file, CSV (.csv), JSON lines (.jsonl, .json, "
                     ".ndjson) or Parquet (.parquet), with its provenance in PATH.meta.json; "
                     "a search of the API is written page by page as it comes, in flat "
                     "memory (so is --format csv, json or parquet to standard output, "
                     "which has no provenance file)")
    out.add_argument("--sites", action="store_true", help="one row per study site")
    out.add_argument("--columns", help="comma-separated columns to output")
    connection_options(s, no_store=True)


def _column_list(columns: str | None) -> list[str] | None:
    """The names ``--columns`` gives (``None`` when it is not given); a list that names no
    column, or one column twice, is refused (a file of no columns, or two columns of one
    name, is never what was meant)."""
    if columns is None:
        return None
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    if not wanted:
        raise InvalidQueryError(f"--columns {columns!r} names no column; give names such as "
                                "nct_id,title,status")
    twice = sorted({c for c in wanted if wanted.count(c) > 1})
    if twice:
        raise InvalidQueryError(f"--columns names {', '.join(map(repr, twice))} more than "
                                "once; give each column once")
    return wanted


def _select(frame: pd.DataFrame, columns: str | None) -> pd.DataFrame:
    wanted = _column_list(columns)
    if wanted is None:
        return frame
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        raise InvalidQueryError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(frame.columns)}"
        )
    return frame[wanted]


def _summary(res: Results | Streamed, rows: int, what: str) -> str:
    meta = res.meta
    fetched = meta.studies_fetched
    parts = [plural(rows, what)]
    if meta.total_reported is not None:
        who = "the API"  # several registries: each has its own API and count, so they are named
        if meta.registries and len(meta.registries) > 1:
            from trialfinder.registries.links import registries_title

            who = registries_title(meta.registries)
        parts.append(f"{who} reported {plural(meta.total_reported, 'matching study')}, "
                     f"{fetched:,} fetched")
    elif meta.records_read is not None:
        parts.append(f"{plural(meta.records_read, 'study')} in the file"
                     + (f", {fetched:,} on the topic" if meta.topic is not None else ""))
    removed = [f"{_step_words(s.name)}: -{s.removed}" for s in res.steps if s.removed]
    if removed:
        parts.append("local filters " + ", ".join(removed))
    return "; ".join(parts)


def _step_words(name: str) -> str:
    """A filter step's name with its statuses in words (``status NOT_YET_RECRUITING`` ->
    ``status Not yet recruiting``), as the rest of the output says them."""
    head, _, values = name.partition(" ")
    if head != "status" or not values:
        return name
    return f"status {', '.join(status_label(v) for v in values.split(', '))}"


def _say_filter_notes(meta: Any, notes: Any) -> None:
    """What each local filter could not judge (sites without coordinates, studies that do
    not state a value), as the provenance file and the dashboard say it."""
    for step in meta.filters:
        if step.note:
            notes.say(f"{step.name}: {step.note}")


def _output_format(args: argparse.Namespace) -> str:
    """csv or jsonl for --output: --format when given, else the file's ending; an ending we
    do not write is refused (see :func:`trialfinder.tables.exportpath.format_for_path`)."""
    chosen = FORMATS[args.format] if args.format else None
    if chosen is not None and chosen.export is None:
        files = " or ".join(f"--format {f.name}" for f in FORMATS.values() if f.export)
        raise InvalidQueryError(f"--format {chosen.name} prints to the terminal; to write a "
                                f"file use {files} (or a .csv / .jsonl name)")
    return format_for_path(Path(args.output), chosen.export if chosen else None)


def run(args: argparse.Namespace, notes: Any) -> int:
    """Run ``trialfinder search``; ``notes.say`` prints each warning once."""
    options = read_search(args)
    _column_list(args.columns)  # before any request: a list of no names, or a name twice
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    if args.all and args.limit is not None:
        raise InvalidQueryError("--all fetches every match and --limit stops at N; "
                                "give one of them")
    if args.from_file and (args.limit is not None or args.all):
        raise InvalidQueryError("--limit and --all set how many studies to fetch from the API; "
                                "--from-file reads every study in the file")
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    streams = not args.from_file and bool(args.output or not FORMATS[
        args.format or "table"].for_people)
    sorted_whole = streams and options.sort not in (None, "registry")
    if sorted_whole:  # a stream is written as it comes: sorted, the answer is held whole
        _check_sort_bound(limit)
    if args.output is not None:  # "" too: refused here, so a true args.output is a file
        check_output_path(args.output)  # before any request: a bad path fails at once
    fmt = _output_format(args) if args.output else (args.format or "table")
    if not args.output:
        refuse_terminal(fmt)  # Parquet's bytes never go to a terminal
    from trialfinder.options.local import resolve_near

    options, place = resolve_near(options)  # a place we cannot find fails here
    from trialfinder.registries import choose_registries  # light: no pandas, no requests

    registries = choose_registries(options.registries or None)
    if args.from_file and len(registries) > 1:
        raise InvalidQueryError("--from-file reads one registry's records (ClinicalTrials.gov "
                                "JSON or ISRCTN's XML); leave out --registry")
    settings = settings_from(args)
    clients = []
    if not args.from_file:
        from trialfinder.cache.tablekey import may_be_saved
        from trialfinder.options import check_asks

        # a wrong value or an empty search fails here, before any request
        try:
            check_asks(options)
        except InvalidQueryError as exc:  # --all of nothing: every study is another command
            if not args.all:
                raise
            raise InvalidQueryError(
                f"{exc}; every study of the registry is `trialfinder sync --whole-registry`, "
                "then `trialfinder store export DIR` or `trialfinder sql`") from exc
        asks = [(r.client(settings), r.translate(options)) for r in registries]
        # every check is passed: what each registry needs first (ClinicalTrials.gov: /version
        # when a cache is on and, unless saved tables may answer, the first page) now travels
        # while pandas loads
        for client, translation in asks:
            saved = settings.use_cache and may_be_saved(
                settings.cache_dir, client.registry.name, client.base_url, translation.params,
                limit)
            client.ask_early(None if saved else translation.query, limit=limit)
        clients = [client for client, _ in asks]
    settle_before_search(settings.profile)
    # rows written to a file or a pipe stream a page at a time (a search of several
    # registries too: joined into one list without duplicates as the pages come)
    if clients and (args.output or not FORMATS[fmt].for_people) and not sorted_whole:
        return _stream(args, options, clients, limit, fmt, [place_note(place) if place
                                                            else None], notes)
    if not clients:
        res = search_data_file(args.from_file, options)
    else:
        bar = ProgressBar()
        try:
            res = search(options=options, client=clients, limit=limit, progress=bar)
        finally:
            bar.close()
    # an invented study links nowhere: its url is empty in every output (demo.honest_links)
    frame = demo.honest_links(res.sites if args.sites else res.studies)
    what = "site" if args.sites else "study"
    _select(frame, args.columns)  # an unknown column is an error before any note
    for warning in [n for n in [place_note(place) if place else None] if n] + res.warnings:
        if limit == DEFAULT_LIMIT and args.limit is None and "limit reached" in warning:
            warning += "; use --limit N or --all to fetch more"
        notes.say(warning)
    _say_filter_notes(res.meta, notes)
    if not len(frame):
        for note in none_found(options):
            notes.say(note)
    # fictional studies are never shown as real: a note says so, and their provenance file
    fictional = note_if_fictional(frame["nct_id"].astype(str))
    if args.output:
        meta = res.meta.to_dict() | (
            {"fictional": demo.FICTIONAL_PROVENANCE} if fictional else {})
        path = write_export(args.output, _select(frame, args.columns), meta, fmt=fmt)
        report(f"wrote {plural(len(frame), what)} to {args.output} "
               f"(provenance in {sidecar_path(path)})")
        report(_summary(res, len(frame), what))
        return 0
    if not FORMATS[fmt].for_people:
        write_rows(fmt, _select(frame, args.columns))
        report(NO_SIDECAR)
        report(_summary(res, len(frame), what))
        return 0
    default = SITE_COLUMNS if args.sites else TABLE_COLUMNS
    if not args.sites and "nearest_distance_mi" in frame.columns and options.near:
        default = ["nct_id", "status", "nearest_distance_mi", "title"]
    columns = args.columns or ",".join(c for c in default if c in frame.columns)
    if not args.sites and options.near is not None and options.sort is None:
        from trialfinder.tables.order import nearest_first  # as the dashboard's list; files

        frame = nearest_first(frame)  # keep the registry's order unless --sort says
    write_rows(fmt, _for_people(_select(frame, columns)))
    print(_summary(res, len(frame), what), file=sys.stdout)
    if len(frame):
        print(NOT_ADVICE, file=sys.stdout)  # where the results are read; not in files
    return 0


def _check_sort_bound(limit: int | None) -> None:
    """A sorted stream holds the whole answer (as the table does): refused without a bound,
    or past :data:`DEFAULT_LIMIT` studies."""
    if limit is None or limit > DEFAULT_LIMIT:
        given = "--all" if limit is None else f"--limit {limit:,}"
        raise InvalidQueryError(
            f"--sort orders the whole answer, so it holds it in memory: give --limit N (at "
            f"most {DEFAULT_LIMIT:,}) instead of {given}, or leave out --sort to write every "
            "study as it comes")


def _stream(args: argparse.Namespace, options: Any, clients: list[Any], limit: int | None,
            fmt: str, first_notes: list[str | None], notes: Any) -> int:
    """A search of the API into a file or onto standard output (CSV, JSON lines, Parquet) a
    page at a time (:mod:`trialfinder.service.streaming`): each page is read,
    filtered and written before the next, so memory stays flat with the number of studies.
    Its warnings come at the end, with the summary."""
    from trialfinder.options.local import local_filters
    from trialfinder.tables.filters import apply_filters

    what = "site" if args.sites else "study"

    fictional: list[bool] = []  # fictional studies are never shown as real (see below)

    def rows_of(outcome: FilterOutcome) -> pd.DataFrame:
        frame = demo.honest_links(outcome.sites if args.sites else outcome.studies)
        if not fictional and demo.shows_fictional(frame["nct_id"].astype(str)):
            fictional.append(True)
        return _select(frame, args.columns)

    # an unknown --columns fails before the search reads a page: the columns of no studies
    none = apply_filters(clients[0].registry.reader().tables(), local_filters(options))
    _select(none.sites if args.sites else none.studies, args.columns)
    bar = ProgressBar()
    try:
        if args.output:
            with export_pages(args.output, cast("ExportFormat", fmt)) as out:
                done = stream_search(options, clients, limit, bar,
                                     lambda outcome: out.write(rows_of(outcome)))
                out.finish(done.meta.to_dict() | (
                    {"fictional": demo.FICTIONAL_PROVENANCE} if fictional else {}))
        else:
            writer = FORMATS[fmt].writer(sys.stdout)
            begun: list[bool] = []

            def put(outcome: FilterOutcome) -> None:
                frame = rows_of(outcome)
                if not begun:
                    writer.begin([str(c) for c in frame.columns])
                    begun.append(True)
                writer.write(frame)

            try:
                done = stream_search(options, clients, limit, bar, put)
            except BaseException:
                writer.abandon()  # Parquet ends unfinished, never as a whole file
                raise
            writer.end()
    finally:
        bar.close()
    rows = done.meta.rows.get("sites" if args.sites else "studies", 0)
    for warning in [n for n in first_notes if n] + done.warnings:
        if limit == DEFAULT_LIMIT and args.limit is None and "limit reached" in warning:
            warning += "; use --limit N or --all to fetch more"
        notes.say(warning)
    _say_filter_notes(done.meta, notes)
    if not rows:
        for note in none_found(options):
            notes.say(note)
    if fictional:
        report(f"trialfinder: note: {demo.FICTIONAL_NOTE}")
    report(f"wrote {plural(rows, what)} to {args.output} (provenance in "
           f"{sidecar_path(Path(args.output))})" if args.output else NO_SIDECAR)
    report(_summary(done, rows, what))
    return 0


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Terminal view: distances rounded, status codes as words; a study's status that its
    registry derives (ISRCTN) says so: "Recruiting (derived)"."""
    from trialfinder.registries.links import status_is_derived

    out = frame.copy()
    for col in out.columns:
        if col.endswith("distance_mi"):
            out[col] = out[col].round(1)
        elif col in ("status", "site_status", "last_known_status"):
            out[col] = out[col].astype("string").map(status_label, na_action="ignore")
    if "status" in out.columns and "nct_id" in out.columns:
        derived = [status_is_derived(i) and isinstance(s, str)
                   for i, s in zip(out["nct_id"], out["status"], strict=True)]
        out.loc[derived, "status"] = out.loc[derived, "status"] + " (derived)"
    return out
