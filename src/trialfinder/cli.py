"""The ``trialfinder`` command line.

    trialfinder search --condition "back pain" --status recruiting --near "Boston, MA" --radius 50mi
    trialfinder search --preset als --format csv --output als.csv
    trialfinder search --from-file ctg-studies.json --sites --format csv --output sites.csv
    trialfinder show NCT01234567
    trialfinder presets

Errors print one line on stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ._version import __version__
from .client import TrialsClient
from .config import Settings
from .errors import TrialFinderError
from .export import to_csv_bytes, to_jsonl_bytes, write_export
from .filters import LocalFilters, apply_filters
from .normalize import format_partial_date, normalize
from .places import resolve_place
from .presets import list_presets
from .progress import ProgressBar
from .query import Status
from .service import Results, search, search_file

__all__ = ["main"]

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


def _listing(values: list[str] | None) -> list[str]:
    """Repeatable options that also accept comma lists: --status recruiting,completed."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trialfinder",
        description="Find and filter clinical trials from ClinicalTrials.gov (API v2). "
        "Not medical advice: talk to your doctor about any trial.",
    )
    parser.add_argument("--version", action="version", version=f"trialfinder {__version__}")
    common = _Parser(add_help=False)
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
    out.add_argument("--limit", type=int, help="fetch at most N studies (stops the requests too)")
    out.add_argument("--format", choices=["table", "csv", "json"], default="table")
    out.add_argument("--output", "-o", type=Path, help="write to this file (+ NAME.meta.json)")
    out.add_argument("--sites", action="store_true", help="one row per study site")
    out.add_argument("--columns", help="comma-separated columns to output")

    sh = sub.add_parser("show", parents=[common], help="show one study in detail")
    sh.add_argument("nct_id", nargs="+", help="NCT id(s)")
    sh.add_argument("--near", help="sort sites by distance from this place or LAT,LON")
    sh.add_argument("--sites", type=int, default=5, help="how many sites to list (default 5)")

    sub.add_parser("presets", help="list the topic presets and the parameters they send")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, Any] = {}
    if args.base_url:
        changes["base_url"] = args.base_url
    if args.no_cache:
        changes["use_cache"] = False
    if args.offline:
        changes["offline"] = True
    if args.cache_dir:
        changes["cache_dir"] = args.cache_dir
    if args.no_cache and args.offline:
        raise TrialFinderError("--offline answers from the cache, so it cannot go with --no-cache")
    return Settings().with_(**changes) if changes else Settings()


def _select(frame: pd.DataFrame, columns: str | None) -> pd.DataFrame:
    if not columns:
        return frame
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        raise TrialFinderError(
            f"unknown column(s) {', '.join(unknown)}; available: {', '.join(frame.columns)}"
        )
    return frame[wanted]


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _print_table(frame: pd.DataFrame, out: TextIO) -> None:
    """Rows fitted to the terminal: fixed columns first, the last one takes what is left."""
    width = shutil.get_terminal_size((100, 24)).columns
    cols = list(frame.columns)
    if frame.empty:
        return
    text = frame.astype("string").fillna("")
    widths = {c: min(max(text[c].str.len().max(), len(c)), 40) for c in cols[:-1]}
    used = sum(widths.values()) + 2 * (len(cols) - 1)
    last = max(20, width - used)
    header = "  ".join([c.ljust(widths[c]) for c in cols[:-1]] + [cols[-1]])
    out.write(_fit(header, width) + "\n")
    for row in text.itertuples(index=False):
        values = [str(v) for v in row]
        parts = [_fit(v, widths[c]).ljust(widths[c]) for v, c in zip(values, cols[:-1],
                                                                      strict=False)]
        out.write("  ".join([*parts, _fit(values[-1], last)]) + "\n")


def _summary(res: Results, rows: int, what: str) -> str:
    meta = res.meta
    total = meta.get("total_reported")
    fetched = meta.get("studies_fetched", 0)
    parts = [f"{rows:,} {what}"]
    if total is not None:
        parts.append(f"API reported {total:,} matching studies, {fetched:,} fetched")
    else:
        parts.append(f"{fetched:,} studies read")
    removed = [f"{s.name}: -{s.removed}" for s in res.steps if s.removed]
    if removed:
        parts.append("local filters " + ", ".join(removed))
    return "; ".join(parts)


def _cmd_search(args: argparse.Namespace) -> int:
    kwargs: dict[str, Any] = {
        "preset": args.preset,
        "condition": _listing(args.condition) if args.condition else None,
        "term": args.term,
        "intervention": _listing(args.intervention) if args.intervention else None,
        "location": args.location,
        "title": args.title,
        "sponsor": args.sponsor,
        "nct_ids": _listing(args.nct_ids),
        "status": _listing(args.status),
        "phase": _listing(args.phase),
        "study_type": _listing(args.study_type),
        "sex": args.sex,
        "age": args.age,
        "healthy_volunteers": args.healthy_volunteers,
        "start_from": args.start_from,
        "start_to": args.start_to,
        "has_results": args.has_results,
        "near": args.near or None,
        "radius": args.radius,
    }
    if args.limit is not None and args.limit < 1:
        raise TrialFinderError(f"--limit must be at least 1, not {args.limit}")
    if args.from_file:
        res = search_file(args.from_file, keyword=args.keyword, **kwargs)
    else:
        bar = ProgressBar()
        try:
            res = search(
                settings=_settings(args), limit=args.limit, progress=bar,
                keyword=args.keyword, countries=_listing(args.country), **kwargs,
            )
        finally:
            bar.close()
    for warning in res.warnings:
        print(f"trialfinder: note: {warning}", file=sys.stderr)
    frame = res.sites if args.sites else res.studies
    what = "sites" if args.sites else "studies"
    if args.output:
        fmt = "jsonl" if args.format == "json" else "csv"
        path = write_export(args.output, _select(frame, args.columns), res.meta, fmt=fmt)
        print(f"wrote {len(frame):,} {what} to {path} (+ provenance in "
              f"{path.with_suffix('').name}.meta.json)", file=sys.stderr)
        print(_summary(res, len(frame), what), file=sys.stderr)
        return 0
    if args.format == "csv":
        sys.stdout.buffer.write(to_csv_bytes(_select(frame, args.columns)))
        print(_summary(res, len(frame), what), file=sys.stderr)
    elif args.format == "json":
        sys.stdout.buffer.write(to_jsonl_bytes(_select(frame, args.columns)))
        print(_summary(res, len(frame), what), file=sys.stderr)
    else:
        default = SITE_COLUMNS if args.sites else TABLE_COLUMNS
        if not args.sites and "nearest_distance_mi" in frame.columns and args.near:
            default = ["nct_id", "status", "nearest_distance_mi", "title"]
        columns = args.columns or ",".join(c for c in default if c in frame.columns)
        _print_table(_rounded(_select(frame, columns)), sys.stdout)
        print(_summary(res, len(frame), what))
    return 0


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if col.endswith("distance_mi"):
            out[col] = out[col].round(1)
    return out


def _wrap(label: str, text: object, width: int) -> str:
    body = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    if body in ("", "<NA>", "nan"):
        body = "—"
    return textwrap.fill(body, width=width, initial_indent=f"{label:<22}",
                         subsequent_indent=" " * 22)


def _status_label(value: object) -> str:
    text = str(value)
    return Status(text).label if text in Status.__members__ else text


def _cmd_show(args: argparse.Namespace) -> int:
    settings = _settings(args)
    client = TrialsClient(settings)
    width = min(shutil.get_terminal_size((100, 24)).columns, 110)
    near = None
    if args.near:
        place = resolve_place(args.near)
        near = (place.lat, place.lon)
    for index, nct in enumerate(args.nct_id):
        record = client.get_study(nct)
        tables = normalize([record])
        outcome = apply_filters(tables, LocalFilters(near=near, radius_mi=None))
        row = tables.studies.iloc[0]
        if index:
            print("\n" + "─" * width)
        print(textwrap.fill(str(row["title"]), width=width))
        print(f"{row['nct_id']}  ·  {_status_label(row['status'])}  ·  {row['url']}\n")
        for label, col in (("Phases", "phases"), ("Study type", "study_type"),
                           ("Conditions", "conditions"), ("Interventions", "interventions"),
                           ("Sponsor", "sponsor"), ("Enrollment", "enrollment"),
                           ("Start", "start_date"), ("Primary completion",
                                                     "primary_completion_date"),
                           ("Completion", "completion_date"), ("Last update", "last_update"),
                           ("Ages", ""), ("Sex", "sex"),
                           ("Healthy volunteers", "healthy_volunteers")):
            if label == "Ages":
                low, high = row["min_age_years"], row["max_age_years"]
                text = (f"{'any' if pd.isna(low) else f'{low:g}'} to "
                        f"{'no upper limit' if pd.isna(high) else f'{high:g} years'}")
                print(_wrap(label, text, width))
                continue
            value = row[col]
            if col.endswith("date") and f"{col}_precision" in row.index:
                value = format_partial_date(value, row[f"{col}_precision"])
            print(_wrap(label, value, width))
        summary = row.get("brief_summary")
        if isinstance(summary, str) and summary:
            print("\nSummary\n" + textwrap.fill(summary, width=width))
        criteria = row.get("eligibility_criteria")
        if isinstance(criteria, str) and criteria:
            print("\nEligibility")
            for line in criteria.splitlines():
                if line.strip():
                    print(textwrap.fill(line.strip(), width=width, subsequent_indent="    "))
        sites = outcome.sites
        if len(sites):
            shown = sites.head(args.sites)
            print(f"\nSites ({len(sites):,}{', nearest first' if near else ''}; "
                  f"showing {len(shown)})")
            for site in shown.itertuples(index=False):
                dist = getattr(site, "distance_mi", None)
                where = ", ".join(str(v) for v in (site.city, site.state, site.country)
                                  if isinstance(v, str) and v)
                lead = f"{dist:,.1f} mi  " if dist is not None and not pd.isna(dist) else ""
                status = site.site_status if isinstance(site.site_status, str) else ""
                print(f"  {lead}{site.facility} — {where} {f'[{status}]' if status else ''}")
                contact = [str(v) for v in (site.contact_name, site.contact_phone,
                                            site.contact_email) if isinstance(v, str) and v]
                if contact:
                    print(f"      contact: {', '.join(contact)}")
        print("\nNot medical advice: talk to your doctor before joining any trial.")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    for preset in list_presets():
        print(f"{preset.name}: {preset.title}")
        print(textwrap.indent(textwrap.fill(preset.description, 96), "    "))
        for key, value in preset.to_params().items():
            print(f"    {key}={value}")
        print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"search": _cmd_search, "show": _cmd_show, "presets": _cmd_presets}
    try:
        return handlers[args.command](args)
    except TrialFinderError as exc:
        print(f"trialfinder: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("trialfinder: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
