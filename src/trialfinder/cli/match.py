"""``trialfinder match``: a private first look at which studies may fit you.

    trialfinder match --preset als --age 54 --sex male --near "Boston, MA" --radius 100mi \\
        --has ALS --takes Lioresal --takes riluzole
    trialfinder match --from-file ctg-studies.json --takes baclofen --format json

The search options pick the studies (sent to the API, or read from --from-file). The personal
options (--age, --sex, --near/--radius, --healthy-volunteer, --has, --takes) never leave this
machine: they are not sent with the search, not cached, not logged and not written anywhere.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from trialfinder.cli.common import (
    connection_options,
    none_found,
    note_if_fictional,
    read_search,
    search_data_file,
    settings_from,
)
from trialfinder.cli.formats import FORMATS, add_format_option, write_rows
from trialfinder.cli.oneshot import settle_before_search
from trialfinder.core.codes import OPEN_STATUSES
from trialfinder.core.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.core.textcap import LONG_CHARS, cap
from trialfinder.core.wording import plural
from trialfinder.options import DEFAULT_RADIUS, OPTIONS, SearchOptions
from trialfinder.options.cli import add_options
from trialfinder.options.kinds import Number, RadiusKind
from trialfinder.tables.prescreen.profile import DISCLAIMER, Profile, split_terms

if TYPE_CHECKING:  # the rest loads when `match` runs, so `trialfinder --help` stays quick
    from trialfinder.service.searching import Results
    from trialfinder.tables.prescreen.fit import Prescreen

__all__ = ["add_parser", "run"]

DEFAULT_LIMIT = 10_000



#: The options of ``search`` that are personal here (about you, never sent): left out of the
#: search options ``match`` takes.
PERSONAL: Final = frozenset({"age", "sex", "near", "radius", "healthy_volunteers"})
#: Studies ``match`` screens unless told otherwise: those you may be able to join.
BASE: Final = SearchOptions(statuses=OPEN_STATUSES)


def _search_names() -> list[str]:
    return [d.name for d in OPTIONS if d.name not in PERSONAL and not d.order]  # own order


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
               ) -> argparse.ArgumentParser:
    """Add the ``match`` command to the ``trialfinder`` parser's subcommands."""
    m: argparse.ArgumentParser = subparsers.add_parser(
        "match", parents=list(parents), help="a private first look at which studies may fit you",
        description="Search studies, then check each one against what you say about yourself "
        "(age, sex, where you live, your conditions and medicines). What you say about "
        "yourself stays on this computer. " + DISCLAIMER,
    )
    groups = add_options(m, _search_names(), base=BASE, title=" (as in `trialfinder search`)")
    what = groups["what to search"]
    what.add_argument("--from-file", type=Path,
                      help="check the studies of a saved ClinicalTrials.gov JSON download, "
                      "or of a saved ISRCTN API answer (XML)")
    what.add_argument("--limit", type=int, help=f"fetch at most N studies (default "
                      f"{DEFAULT_LIMIT:,})")
    you = m.add_argument_group("about you (stays on this computer)")
    you.add_argument("--age", type=float, help="your age in years")
    you.add_argument("--sex", help="female or male")
    you.add_argument("--near", help='where you live: "Boston, MA", a US ZIP code, a UK '
                     'postcode or LAT,LON')
    you.add_argument("--radius", help="how far you can travel, e.g. 50mi or 80km")
    you.add_argument("--healthy-volunteer", action="store_true",
                     help="you would join as a healthy volunteer")
    you.add_argument("--has", action="append", metavar="CONDITION",
                     help="a condition you have (repeatable, or several with commas)")
    you.add_argument("--takes", action="append", metavar="MEDICINE",
                     help="a medicine you take, brand or generic name (repeatable, or "
                     "several with commas)")
    out = m.add_argument_group("output")
    add_format_option(out, default="table", rows="study")
    connection_options(m, no_store=True)
    return m


def _radius_miles(text: str | None) -> float | None:
    """--radius in miles, read as search's --radius is (its errors name --radius)."""
    if not text:
        return None
    return (RadiusKind().python(text, "--radius") or DEFAULT_RADIUS).miles  # 50mi reads as None


def _profile(args: argparse.Namespace, options: SearchOptions) -> Profile:
    from trialfinder.options.local import code_in_countries
    from trialfinder.places.resolve import empty_place, resolve_place

    near = None
    if args.near is not None and not args.near.strip():  # an empty place is an error
        raise PlaceNotFoundError(empty_place("--near"))
    if args.near is not None:
        place = resolve_place(args.near)
        if options.countries:  # 75013 or LS1 4AP with France: as search reads it
            code_in_countries(args.near, place, options.countries)
        near = (place.lat, place.lon)
    elif args.radius:
        raise InvalidQueryError("a radius needs a place: give --near as well")
    # checked as search checks its --age, so the error names the option the same way
    Number(0, 125, "years").python(args.age, "--age")
    return Profile(
        age=args.age, sex=args.sex, near=near, radius_mi=_radius_miles(args.radius),
        healthy_volunteer=True if args.healthy_volunteer else None,
        conditions=_names(args.has), medicines=_names(args.takes),
    )


def _names(values: list[str] | None) -> tuple[str, ...]:
    """Each ``--has`` (or ``--takes``), several in one with commas as the dashboard reads
    them; one of nothing but commas is kept whole, for :class:`Profile` to refuse."""
    return tuple(name for value in values or () for name in split_terms(value) or (value,))


def _results(args: argparse.Namespace, options: SearchOptions) -> Results:
    from trialfinder.service.searching import search

    if args.from_file:
        return search_data_file(args.from_file, options)
    if not any(getattr(options, d.name) for d in OPTIONS if d.topic):
        # the statuses alone would screen up to 10,000 open studies of every kind
        raise InvalidQueryError("the search is empty: give a condition, term, intervention "
                                "or preset; match screens the studies that search finds")
    if args.limit is not None and args.limit < 1:
        raise InvalidQueryError(f"--limit must be at least 1, not {args.limit}")
    settings = settings_from(args)
    settle_before_search(settings.profile)
    return search(options=options, settings=settings, limit=args.limit or DEFAULT_LIMIT)


_MARKS = {"fits": "fits   ", "check": "check  ", "no": "no     "}
LEGEND = ("fits: nothing in the record speaks against you; check: ask the study team (an "
          "exclusion line names one of your conditions or medicines, an inclusion line asks "
          "for something you did not give, or the record gives no site to measure a radius "
          "from); no: age, sex, status, distance or healthy volunteers rule you out")


NOTHING_GIVEN: Final = (
    "trialfinder: note: nothing about you was given (--age, --sex, --near, "
    "--healthy-volunteer, --has, --takes), so only each study's status was checked: "
    "\"fits\" here says nothing about you")


def _table(screen: Prescreen) -> str:
    from trialfinder.tables.prescreen.verdict import mention_words

    width = shutil.get_terminal_size((100, 24)).columns
    lines: list[str] = []
    for record in screen.records():
        miles = record["nearest_site_mi"]
        where = f"{miles:,.0f} mi" if miles is not None else "—"
        mark = _MARKS[record["verdict"]]
        head = f"{mark}{record['nct_id']}  {where:>9}  {record['title'] or ''}"
        lines.append(head if len(head) <= width else head[: width - 1] + "…")
        for reason in record["reasons"]:
            lines.append(textwrap.fill(cap(reason, LONG_CHARS), width=max(40, width - 2),
                                       initial_indent="         · ",
                                       subsequent_indent="           "))
        for mention in record["mentions"]:
            lines.append(textwrap.fill(
                f"{mention_words(mention)}: {cap(mention['text'], LONG_CHARS)}",
                width=max(40, width - 2), initial_indent="         ! ",
                subsequent_indent="           "))
    return "\n".join(lines)


_CSV_COLUMNS: Final = ("nct_id", "verdict", "fits", "names_your_condition", "nearest_site_mi",
                       "status", "title", "reasons", "mentions")


def _csv_rows(screen: Prescreen) -> list[dict[str, Any]]:
    from trialfinder.tables.prescreen.verdict import mention_words

    rows = []
    for record in screen.records():
        rows.append({
            **{c: record[c] for c in _CSV_COLUMNS[:7]},
            "reasons": "; ".join(record["reasons"]),
            "mentions": " | ".join(f"{mention_words(m)}: {m['text']}"
                                   for m in record["mentions"]),
        })
    return rows


def run(args: argparse.Namespace) -> int:
    """Run ``trialfinder match``; returns the exit code (errors are raised to ``main``)."""
    from trialfinder.tables.prescreen.fit import prescreen

    options = read_search(args, _search_names(), base=BASE)
    profile = _profile(args, options)  # every personal value is checked before any search
    results = _results(args, options)
    screen = prescreen(results, profile)
    # each condition or medicine with no other names is looked for as typed only, so a slip
    # finds nothing: the notes name what you gave, so they go with the results, never on
    # stderr (-vv's log)
    unknown = [name.note for name in screen.unknown_names]
    if not len(screen.studies):  # a slip in what was searched for (-c spasticty)
        for note in none_found(options, wider=False):
            print(f"trialfinder: note: {note}", file=sys.stderr)
    verdicts = screen.studies["verdict"]
    fitting, checking = int((verdicts == "fits").sum()), int((verdicts == "check").sum())
    naming = int((screen.studies["n_mentions"] > 0).sum())
    summary = (f"{fitting:,} of {plural(len(screen.studies), 'study')} may fit; "
               f"{checking:,} to check with the study team; "
               f"{naming:,} {'names' if naming == 1 else 'name'} your conditions or "
               f"medicines in {'its' if naming == 1 else 'their'} criteria")
    note_if_fictional(screen.studies["nct_id"].astype(str))
    if profile == Profile():  # every open study "fits" someone nobody described
        from trialfinder.core.delivery import report

        report(NOTHING_GIVEN)
    if FORMATS[args.format].for_people:
        text = _table(screen)
        for note in unknown:
            print(textwrap.fill(f"Note: {note}", width=shutil.get_terminal_size((100, 24))
                                .columns - 1, subsequent_indent="  "))
        print(text if text else "no studies found")
        if text:
            print(LEGEND)
        print(summary)
        print(DISCLAIMER)
        return 0
    if args.format == "csv":
        write_rows(args.format, _csv_rows(screen), _CSV_COLUMNS)
    else:
        write_rows(args.format, screen.records(), _CSV_COLUMNS)
    if unknown:  # counted only: stderr carries nothing you gave (-vv logs there too)
        given = plural(len(unknown), "condition or medicine", "conditions or medicines")
        print(f"trialfinder: note: {given} you gave {'is' if len(unknown) == 1 else 'are'} no name "
              "trialfinder knows: searched for only as typed, not by other names, brands, "
              "abbreviations or classes (--format table names them)", file=sys.stderr)
    print(summary, file=sys.stderr)
    print(DISCLAIMER, file=sys.stderr)
    return 0
