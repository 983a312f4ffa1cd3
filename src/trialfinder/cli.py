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
:mod:`trialfinder.terminal`); ``--format csv``/``json`` keep the data as it is, except on a
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
from typing import TYPE_CHECKING, Any, TextIO, cast

from trialfinder import cli_match, cli_store
from trialfinder._lazy import LazyModule, lazy
from trialfinder._version import __version__
from trialfinder.api.query import Phase, Status, StudyType
from trialfinder.cli_common import (
    listing,
    search_data_file,
    search_options,
    settings_from,
    verbose_option,
)
from trialfinder.config import Settings
from trialfinder.errors import InvalidQueryError, TrialFinderError
from trialfinder.progress import ProgressBar
from trialfinder.terminal import CleanText, clean, display_width, fit_cell
from trialfinder.topics.presets import list_presets
from trialfinder.wording import age_range, plural

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.api.client import TrialsClient
    from trialfinder.places.resolve import resolve_place
    from trialfinder.service import (
        Results,
        StudyDetail,
        search,
        study_detail,
    )
    from trialfinder.tables.countries import check_countries
    from trialfinder.tables.detail import arms_table, code_words, how_to_take_part
    from trialfinder.tables.export import (
        ExportFormat,
        check_output_path,
        format_for_path,
        sidecar_path,
        to_csv_bytes,
        to_jsonl_bytes,
        write_export,
    )
    from trialfinder.tables.normalize import format_partial_date
else:
    # pandas, requests and numpy load on first use, so `--help` and `presets` start at once

    pd = LazyModule("pandas")
    TrialsClient = lazy("trialfinder.api.client", "TrialsClient")
    resolve_place = lazy("trialfinder.places.resolve", "resolve_place")
    search = lazy("trialfinder.service", "search")
    check_countries = lazy("trialfinder.tables.countries", "check_countries")
    study_detail = lazy("trialfinder.service", "study_detail")
    check_output_path = lazy("trialfinder.tables.export", "check_output_path")
    format_for_path = lazy("trialfinder.tables.export", "format_for_path")
    sidecar_path = lazy("trialfinder.tables.export", "sidecar_path")
    to_csv_bytes = lazy("trialfinder.tables.export", "to_csv_bytes")
    to_jsonl_bytes = lazy("trialfinder.tables.export", "to_jsonl_bytes")
    write_export = lazy("trialfinder.tables.export", "write_export")
    format_partial_date = lazy("trialfinder.tables.normalize", "format_partial_date")
    arms_table = lazy("trialfinder.tables.detail", "arms_table")
    code_words = lazy("trialfinder.tables.detail", "code_words")
    how_to_take_part = lazy("trialfinder.tables.detail", "how_to_take_part")

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
    takes two)."""
    if frame.empty:
        return
    width = shutil.get_terminal_size((100, 24)).columns
    cols = [" ".join(clean(str(c)).split()) for c in frame.columns]
    text = frame.astype("string").fillna("")
    rows = [[" ".join(clean(str(v)).split()) for v in row]
            for row in text.itertuples(index=False)]
    natural = [max([display_width(cols[i])] + [display_width(r[i]) for r in rows])
               for i in range(len(cols))]
    widths = _column_widths(natural, width)
    for line in [cols, *rows]:
        out.write("  ".join(fit_cell(v, w) for v, w in zip(line, widths, strict=True))
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


def _resolve_near(text: str | None) -> tuple[tuple[float, float] | None, str | None]:
    """A --near value as coordinates, and a note naming the place a name was taken for
    (printed once the command has succeeded, so an error stays the only line)."""
    if not text:
        return None, None
    place = resolve_place(text)
    note = None
    if place.kind != "coordinates":
        note = f"near {place.name} ({place.lat:.4f}, {place.lon:.4f})"
        if place.note:
            note += f"; {place.note}"
    return (place.lat, place.lon), note


def _cmd_search(args: argparse.Namespace) -> int:
    near, place_note = _resolve_near(args.near)
    kwargs: dict[str, Any] = search_options(args) | {"near": near, "radius": args.radius}
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    if args.all and args.limit is not None:
        raise InvalidQueryError("--all fetches every match and --limit stops at N; "
                                "give one of them")
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    if args.output:
        check_output_path(args.output)  # before any request: a bad path fails at once
    fmt = _output_format(args) if args.output else (args.format or "table")
    countries = check_countries(listing(args.country))
    if args.from_file:
        res = search_data_file(args.from_file, keyword=args.keyword, **kwargs)
        if countries.known:
            res = res.refilter(replace(res.filters, countries=countries.known))
    else:
        bar = ProgressBar()
        try:
            res = search(
                settings=settings_from(args), limit=limit, progress=bar,
                keyword=args.keyword, countries=countries.known, **kwargs,
            )
        finally:
            bar.close()
    notes = [u.note() for u in countries.unknown]
    frame = res.sites if args.sites else res.studies
    what = "site" if args.sites else "study"
    _select(frame, args.columns)  # an unknown column is an error before any note
    for warning in ([place_note] if place_note else []) + notes + res.warnings:
        if limit == DEFAULT_LIMIT and args.limit is None and "limit reached" in warning:
            warning += "; use --limit N or --all to fetch more"
        _NOTES.say(warning)
    if args.output:
        path = write_export(args.output, _select(frame, args.columns), res.meta, fmt=fmt)
        print(f"wrote {plural(len(frame), what)} to {path} "
              f"(provenance in {sidecar_path(path)})", file=sys.stderr)
        print(_summary(res, len(frame), what), file=sys.stderr)
        return 0
    if fmt == "csv":
        _write_data(to_csv_bytes(_select(frame, args.columns)))
        print(_summary(res, len(frame), what), file=sys.stderr)
    elif fmt == "json":
        _write_data(to_jsonl_bytes(_select(frame, args.columns)))
        print(_summary(res, len(frame), what), file=sys.stderr)
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
            out[col] = out[col].astype("string").map(_status_label, na_action="ignore")
    return out


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _wrap(label: str, text: object, width: int) -> str:
    body = _text(text) or "—"
    return textwrap.fill(body, width=width, initial_indent=f"{label:<22}",
                         subsequent_indent=" " * 22)


def _status_label(value: object) -> str:
    text = str(value)
    return Status(text).label if text in Status.__members__ else text



def _codes(value: object, parse: Any) -> str:
    """``PHASE2|PHASE3`` -> ``Phase 2, Phase 3`` (unknown codes are kept as they are)."""
    labels = []
    for code in _text(value).split("|"):
        if not code:
            continue
        try:
            labels.append(parse(code).label)
        except TrialFinderError:
            labels.append(code)
    return ", ".join(labels)


def _date(row: pd.Series, col: str) -> str:
    value = row[col]
    if _text(value) == "" or pd.isna(value):
        return ""
    precision = row.get(f"{col}_precision")
    return format_partial_date(value, precision if isinstance(precision, str) else "day")


def _paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    """Registry Markdown as plain paragraphs and bullets, wrapped, blank lines kept."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().replace("\\", "")
        if not line:
            if lines and lines[-1] != "":
                lines.append("")
            continue
        bullet = line[:2] in ("* ", "- ", "+ ")
        body = "• " + line[2:] if bullet else line
        lines.append(textwrap.fill(body, width=width, initial_indent=indent,
                                   subsequent_indent=indent + ("  " if bullet else "")))
    return lines


def _cmd_show(args: argparse.Namespace) -> int:
    if args.sites < 0:
        raise InvalidQueryError(f"--sites must be 0 or more, not {args.sites}")
    settings = settings_from(args)
    client = TrialsClient(settings)
    width = min(shutil.get_terminal_size((100, 24)).columns, 110)
    near, place_note = _resolve_near(args.near)
    for index, nct in enumerate(args.nct_id):
        detail = study_detail(nct, client=client, near=near)
        out = ["", "─" * width] if index else []
        out += _show_lines(detail, near=near is not None, width=width, n_sites=args.sites)
        print("\n".join(line.rstrip() for line in out))
    if place_note:
        print(f"trialfinder: note: {place_note}", file=sys.stderr)
    return 0


def _contact_text(contact: Any) -> str:
    """``Name (role) · phone ext. N · email`` from one row of the contacts table."""
    name = _text(contact.name)
    role = code_words(contact.role) if _text(contact.role) not in ("", "CONTACT") else ""
    phone = _text(contact.phone)
    if _text(contact.phone_ext):
        phone = f"{phone} ext. {_text(contact.phone_ext)}".strip()
    who = f"{name} ({role.lower()})" if name and role else name or role
    return " · ".join(part for part in (who, phone, _text(contact.email)) if part)


def _take_part_lines(detail: StudyDetail, row: pd.Series, near: bool, width: int,
                     n_sites: int) -> list[str]:
    part = how_to_take_part(detail.results.all.contacts, detail.results.sites, row["nct_id"])
    out = ["How to take part"]
    for contact in part.central.itertuples(index=False):
        out.append(textwrap.fill(f"  Study contact: {_contact_text(contact)}", width=width,
                                 subsequent_indent="    "))
    if part.site is not None:
        site = part.site
        where = ", ".join(_text(site[c]) for c in ("city", "state", "country") if _text(site[c]))
        miles = site.get("distance_mi")
        away = f", {miles:,.1f} mi away" if near and not pd.isna(miles) else ""
        label = "Nearest recruiting site" if near else "A recruiting site"
        out.append(textwrap.fill(f"  {label}: {_text(site['facility'])} — {where}{away}",
                                 width=width, subsequent_indent="    "))
        for contact in part.site_contacts.itertuples(index=False):
            out.append(textwrap.fill(f"    contact: {_contact_text(contact)}", width=width,
                                     subsequent_indent="      "))
    if part.empty:
        sites = detail.results.sites
        line = _no_contact_line(sites[sites["nct_id"] == row["nct_id"]], _text(row["url"]),
                                n_sites)
        out.append(textwrap.fill(f"  {line}", width=width, subsequent_indent="    "))
    return out


def _no_contact_line(sites: pd.DataFrame, url: str, n_sites: int) -> str:
    """What to say when a study lists no study contact and no recruiting site: whether it
    lists sites at all, and whether any of them gives a contact (and where to see it)."""
    if not len(sites):
        return f"No study contact and no site are listed; the study page may say more: {url}"
    columns = [c for c in ("contact_name", "contact_phone", "contact_email") if c in sites]
    text = sites[columns].astype("string").fillna("")
    has_contact = (text.apply(lambda col: col.str.strip()) != "").any(axis=1).to_numpy()
    reached = int(has_contact.sum())
    lead = "No study contact is listed and no site says it is recruiting"
    if not reached:
        which = "its one site gives no contact" if len(sites) == 1 else \
            f"none of its {len(sites):,} sites gives a contact"
        return f"{lead}, and {which}; the study page may say more: {url}"
    shown = int(has_contact[:n_sites].sum())
    where = "see the sites below" if shown == reached else f"--sites {len(sites)} lists them all"
    verb = "gives" if reached == 1 else "give"
    return f"{lead}; {plural(reached, 'site')} of {len(sites):,} {verb} a contact ({where})"


def _dated(row: pd.Series, col: str) -> str:
    """``2023-05 (actual)``: the date at its precision and whether it happened yet."""
    text = _date(row, col) or _text(row.get(f"{col}_raw"))
    kind = _text(row.get(f"{col}_type")).lower()
    return f"{text} ({kind})" if text and kind else text


def _officials(officials: pd.DataFrame, nct_id: str) -> str:
    """``Dr. Lee (principal investigator, Example University); ...`` (listed, not to call)."""
    people = []
    for person in officials[officials["nct_id"] == nct_id].itertuples(index=False):
        about = ", ".join(x for x in (code_words(person.role).lower(),
                                      _text(person.affiliation)) if x)
        people.append(f"{_text(person.name)} ({about})" if about else _text(person.name))
    return "; ".join(p for p in people if p)


def _show_lines(detail: StudyDetail, *, near: bool, width: int, n_sites: int) -> list[str]:
    """What ``trialfinder show`` prints for one study: how to take part first, then the facts."""
    row = detail.results.studies.iloc[0]
    out = [textwrap.fill(_text(row["title"]), width=width),
           f"{row['nct_id']}  ·  {_status_label(row['status'])}  ·  {row['url']}", ""]
    out += _take_part_lines(detail, row, near, width, n_sites)
    out += ["", "Key facts"]
    if _text(row["why_stopped"]):
        out.append(_wrap("Why it stopped", row["why_stopped"], width))
    enrollment = "" if pd.isna(row["enrollment"]) else f"{int(row['enrollment']):,}"
    if enrollment and _text(row["enrollment_type"]):
        enrollment += f" ({_text(row['enrollment_type']).lower()})"
    hv = row["healthy_volunteers"]
    facts = [
        ("Status", _status_label(row["status"])),
        ("Start", _dated(row, "start_date")),
        ("Primary completion", _dated(row, "primary_completion_date")),
        ("Completion", _dated(row, "completion_date")),
        ("Last update", _date(row, "last_update")),
        ("Enrollment", enrollment),
        ("Phases", _codes(row["phases"], Phase.parse) or "—"),
        ("Study type", _codes(row["study_type"], StudyType.parse)),
        ("Sponsor", row["sponsor"]),
        ("Overall official", _officials(detail.results.all.officials, row["nct_id"])),
        ("Ages", age_range(row["min_age_years"], row["max_age_years"])),
        ("Sex", {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}.get(_text(row["sex"]),
                                                                    _text(row["sex"]))),
        ("Healthy volunteers", "" if pd.isna(hv) else ("Accepted" if hv else "Not accepted")),
        ("Conditions", _text(row["conditions"]).replace("|", ", ")),
        ("Interventions", _text(row["interventions"]).replace("|", ", ")),
    ]
    out += [_wrap(label, value, width) for label, value in facts]
    design = [(label, code_words(row[col])) for label, col in (
        ("Allocation", "allocation"), ("Masking", "masking"),
        ("Primary purpose", "primary_purpose")) if _text(row[col])]
    if design:
        out += ["", "Design", *[_wrap(label, value, width) for label, value in design]]
    arms = arms_table(detail.record)
    if len(arms):
        out += ["", "Arms"]
        for arm in arms.itertuples(index=False):
            kind = f" ({code_words(arm.type).lower()})" if _text(arm.type) else ""
            gets = f": {_text(arm.interventions).replace('|', ', ')}" if _text(
                arm.interventions) else ""
            out.append(textwrap.fill(f"  • {_text(arm.label)}{kind}{gets}", width=width,
                                     subsequent_indent="    "))
    summary = _text(row.get("brief_summary"))
    if summary:
        out += ["", "Summary", *_paragraphs(summary, width)]
    criteria = detail.criteria
    for title, items in (("Eligibility", criteria.intro), ("Inclusion criteria",
                          criteria.inclusion), ("Exclusion criteria", criteria.exclusion)):
        if items:
            out += ["", title]
            out += [textwrap.fill(("    " if depth else "  ") + "• " + item, width=width,
                                  subsequent_indent="      " if depth else "    ")
                    for depth, item in items]
    if len(detail.outcomes):
        out += ["", "What the study measures"]
        for outcome in detail.outcomes.itertuples(index=False):
            when = f" ({outcome.time_frame})" if _text(outcome.time_frame) else ""
            out.append(textwrap.fill(f"  • {str(outcome.kind).capitalize()}: "
                                     f"{outcome.measure}{when}", width=width,
                                     subsequent_indent="    "))
    out += _site_lines(detail.results.sites, near=near, width=width, n_sites=n_sites)
    out += ["", "Not medical advice: talk to your doctor before joining any trial."]
    return out


def _site_lines(sites: pd.DataFrame, *, near: bool, width: int, n_sites: int) -> list[str]:
    if not len(sites):
        return []
    shown = sites.head(n_sites)
    order = ", nearest first" if near else ""
    more = len(sites) - len(shown)
    hint = f"; {more:,} more with --sites {len(sites)}" if more else ""
    out = ["", f"{plural(len(sites), 'site')}{order}{hint}"]
    dists = [f"{d:,.1f} mi" for d in shown["distance_mi"].fillna(-1)] if near else []
    pad = max((len(d) for d in dists), default=0)
    for i, site in enumerate(shown.itertuples(index=False)):
        where = ", ".join(_text(v) for v in (site.city, site.state, site.country) if _text(v))
        lead = ""
        if near:
            lead = ("—" if dists[i].startswith("-") else dists[i]).rjust(pad) + "  "
        status = _status_label(site.site_status) if _text(site.site_status) else ""
        tail = f" [{status}]" if status else ""
        out.append(f"  {lead}{_text(site.facility)} — {where}{tail}")
        contact = [_text(v) for v in (site.contact_name, site.contact_phone,
                                      site.contact_email) if _text(v)]
        if contact:
            out.append(f"  {' ' * len(lead)}    contact: {', '.join(contact)}")
    return out


def _cmd_cache(args: argparse.Namespace) -> int:
    from trialfinder.store.contents import cache_contents, clear_cache

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
    for preset in list_presets():
        print(f"{preset.name}: {preset.title}")
        print(textwrap.indent(textwrap.fill(preset.description, 96), "    "))
        if preset.leaves_out:
            print(textwrap.indent(textwrap.fill(f"Leaves out: {preset.leaves_out}", 96), "    "))
        for key, value in preset.to_params().items():
            print(f"    {key}={value}")
        print()
    return 0


def _one_line(exc: BaseException) -> str:
    """An error message on one line, whatever the user typed into it."""
    return " ".join(str(exc).split())


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    out, err = sys.stdout, sys.stderr
    if out is not None and err is not None:  # both are None under pythonw
        sys.stdout, sys.stderr = cast(TextIO, CleanText(out)), cast(TextIO, CleanText(err))
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None) -> int:
    _NOTES.seen.clear()
    parser = build_parser()
    args = parser.parse_args(argv)
    undo = _logging(args.verbose + getattr(args, "verbose_sub", 0))
    handlers = {"search": _cmd_search, "show": _cmd_show, "presets": _cmd_presets,
                "cache": _cmd_cache, "match": cli_match.run}
    try:
        code = (cli_store.run(args) if args.command in cli_store.COMMANDS
                else handlers[args.command](args))
        sys.stdout.flush()
        return code
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        print(f"trialfinder: error: cannot write the output: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    except InvalidQueryError as exc:  # the input was not usable: a usage error
        print(f"trialfinder: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except TrialFinderError as exc:
        print(f"trialfinder: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        undo()


if __name__ == "__main__":
    sys.exit(main())
