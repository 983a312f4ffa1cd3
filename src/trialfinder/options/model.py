"""SearchOptions: every option of a search, each field declaring its option (see
:mod:`trialfinder.options.declare`), and :data:`OPTIONS`, those declarations in order.

A ``SearchOptions`` is a frozen value, checked and made canonical when it is made: friendly
values are accepted (``statuses=("recruiting",)``, ``phases=(2, "phase 3")``,
``near="Boston, MA"`` or ``(42.36, -71.06)``, ``radius="80km"``) and a wrong one raises one
:class:`~trialfinder.core.errors.InvalidQueryError` naming it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final

from trialfinder.core.codes import FunderType, InterventionType, Phase, Sex, Status, StudyType
from trialfinder.core.dates import partial_date
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options.choice import SORT_ORDERS, Choice
from trialfinder.options.declare import Option, option
from trialfinder.options.kinds import (
    REGISTRY_TITLES,
    Code,
    Codes,
    Date,
    Flag,
    Names,
    NearKind,
    Number,
    Preset,
    RadiusKind,
    Text,
    Texts,
)
from trialfinder.options.values import Near, Radius

__all__ = ["DATE_RANGES", "FINDING", "OPTIONS", "SearchOptions", "check_asks", "conflicts",
           "get_option", "named", "refuse_conflicts"]


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """Every option of a search (see the README's "Search options" for the table)."""

    # -- what to search for ---------------------------------------------------------------
    preset: str | None = option(Preset(), "--preset", topic=True, metavar="NAME",
                                help="a topic preset (see `trialfinder presets`)")
    conditions: tuple[str, ...] = option(Texts(), "-c", "--condition", topic=True,
                                         help="condition")
    terms: tuple[str, ...] = option(Texts(split=False), "-t", "--term", topic=True,
                                    words="words: ", help="other terms")
    interventions: tuple[str, ...] = option(Texts(), "-i", "--intervention", topic=True,
                                            words="treatment: ",
                                            help="treatment")
    location: str | None = option(Text(), "--location", topic=True, words="location: ",
                                  help="location text, e.g. a city or country name")
    title: str | None = option(Text(), "--title", topic=True, words="title words: ",
                               help="words in the title")
    sponsor: str | None = option(Text(), "--sponsor", topic=True, words="sponsor: ",
                                 help="sponsor or collaborator")
    ids: tuple[str, ...] = option(Texts(joined=True), "--id", kwarg="nct_ids", url="id",
                                  topic=True, words="ids: ", metavar="NCT_ID",
                                  help="NCT id(s); a shorter number is padded with zeros "
                                  "(NCT123: NCT00000123), and a note says so")
    # -- where to search ----------------------------------------------------------------------
    registries: tuple[str, ...] = option(
        Names(REGISTRY_TITLES), "--registry", kwarg="registry", words="in ", metavar="NAME",
        help="the registries to search, by name: ctgov (ClinicalTrials.gov, the default), "
        "isrctn (ISRCTN); several with commas (each trial listed once)")
    # -- filters the registry is asked for (and checked again on what comes back) -----------
    statuses: tuple[Status, ...] = option(
        Codes(Status), "-s", "--status",
        help="status, e.g. recruiting, not_yet_recruiting, completed")
    phases: tuple[Phase, ...] = option(Codes(Phase, whole_numbers=True, lower=False), "--phase",
                                       help="phase: 1, 2, 3, 4, early_phase1, na")
    study_types: tuple[StudyType, ...] = option(
        Codes(StudyType), "--study-type", url="type", words="type: ",
        help="interventional, observational or expanded_access")
    near: Near | None = option(
        NearKind(), "--near", metavar="PLACE",
        help='a place ("Boston, MA", a US ZIP code, a UK postcode, "Lyon, France") or LAT,LON')
    radius: Radius | None = option(
        RadiusKind(), "--radius",
        help="distance from --near (only with it), e.g. 50mi or 80km (default 50mi)")
    age: float | None = option(Number(0, 125, "years"), "--age", words="age ",
                               help="a person's age in years")
    sex: Sex | None = option(Code(Sex, "ALL", {"FEMALE": "women", "MALE": "men"}), "--sex",
                             help="female or male (studies open to all are kept)")
    healthy_volunteers: bool | None = option(
        Flag("takes healthy volunteers", "only people with the condition"),
        "--healthy-volunteers", url="hv", metavar="yes|no",
        help="only studies that do (yes) or do not (no) accept healthy volunteers")
    start_from: str | None = option(
        Date(), "--start-from", metavar="DATE",
        help="studies starting on or after (2024, 2024-05, 2024-05-31)")
    start_to: str | None = option(Date(), "--start-to", metavar="DATE",
                                  help="studies starting on or before")
    has_results: bool | None = option(
        Flag("only with posted results", "only without posted results"), "--has-results",
        url="results", metavar="yes|no", help="results posted (yes) or not (no)")
    # -- local filters: never sent, applied to what was fetched ------------------------------
    keyword: str | None = option(
        Text(), "--keyword", sent=False, words="keyword: ",
        help="words in title, summary, conditions, drugs")
    countries: tuple[str, ...] = option(
        Texts(), "--country", kwarg="countries", url="country", sent=False,
        words="sites in ", metavar="COUNTRY", help="a site in this country")
    states: tuple[str, ...] = option(
        Texts(), "--state", kwarg="states", url="state", sent=False, words="sites in ",
        metavar="STATE",
        help="a site in this state or region (a US state by name or two letters)")
    cities: tuple[str, ...] = option(
        Texts(), "--city", kwarg="cities", url="city", sent=False, words="sites in ",
        metavar="CITY", help="a site in this city (also by an everyday name: NYC)")
    intervention_types: tuple[InterventionType, ...] = option(
        Codes(InterventionType), "--intervention-type", kwarg="intervention_types",
        url="itype", sent=False, words="treatment type: ", metavar="TYPE",
        help="drug, device, biological, procedure, behavioral, dietary_supplement, "
        "diagnostic_test, radiation, genetic, combination_product or other")
    funder_types: tuple[FunderType, ...] = option(
        Codes(FunderType, lower=False), "--funder-type", kwarg="funder_types", url="funder",
        sent=False, words="funder: ", metavar="TYPE",
        help="the lead sponsor: industry, nih, fed, other_gov, network, indiv, "
        "other, ambig or unknown")
    completion_from: str | None = option(
        Date(), "--completion-from", sent=False, metavar="DATE",
        help="studies completing on or after (2024, 2024-05, 2024-05-31)")
    completion_to: str | None = option(Date(), "--completion-to", sent=False, metavar="DATE",
                                       help="studies completing on or before")
    posted_from: str | None = option(Date(), "--posted-from", sent=False, metavar="DATE",
                                     help="studies first posted on or after")
    posted_to: str | None = option(Date(), "--posted-to", sent=False, metavar="DATE",
                                   help="studies first posted on or before")
    updated_from: str | None = option(Date(), "--updated-from", sent=False, metavar="DATE",
                                      help="studies last updated on or after")
    updated_to: str | None = option(Date(), "--updated-to", sent=False, metavar="DATE",
                                    help="studies last updated on or before")
    # -- the order of the list: filters nothing ------------------------------------------
    sort: str | None = option(
        Choice(SORT_ORDERS, "a way to sort"), "--sort", sent=False, order=True,
        metavar="ORDER",
        help="the order of the list: nearest (first; needs --near), registry (its own order), "
        "newest (first posted) or updated (last updated first); studies without the value "
        "go last. Without it the table of a search near a place is nearest first and "
        "everything else keeps the registry's order")

    def __post_init__(self) -> None:
        given = named({d.name: getattr(self, d.name) for d in OPTIONS})
        for declared in OPTIONS:
            value = declared.from_python(getattr(self, declared.name), declared.name)
            object.__setattr__(self, declared.name, value)
        refuse_conflicts({d.name: getattr(self, d.name) for d in OPTIONS}, given)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.given)
        return f"SearchOptions({shown})"

    def replace(self, **changes: Any) -> SearchOptions:
        """A copy with some options changed (checked like a new one)."""
        return replace(self, **changes)

    @property
    def given(self) -> tuple[str, ...]:
        """The names of the options that are set, in declaration order."""
        return tuple(d.name for d in OPTIONS if getattr(self, d.name) != d.empty)

    @property
    def is_empty(self) -> bool:
        return not self.given

    def only(self, names: Iterable[str]) -> SearchOptions:
        """These options alone (every other one left unset)."""
        return SearchOptions(**{name: getattr(self, name) for name in names})

    def to_json(self) -> dict[str, Any]:
        from trialfinder.options.render import to_json

        return to_json(self)

    def words(self) -> str:
        """What the search looks for, in words (plain text: escape it before rendering)."""
        from trialfinder.options.render import words

        return words(self)


def _collect() -> tuple[Option, ...]:
    out = []
    for f in fields(SearchOptions):
        declared: Option = f.metadata["option"]
        out.append(replace(declared, name=f.name))
    return tuple(out)


#: Every option, in declaration order (the order of ``--help``, links and descriptions).
OPTIONS: Final[tuple[Option, ...]] = _collect()
_BY_NAME: Final = {declared.name: declared for declared in OPTIONS}
#: The options that say what a search finds: every one but the order of the list (for
#: commands with an order of their own: ``match``, ``watch add``).
FINDING: Final[tuple[str, ...]] = tuple(d.name for d in OPTIONS if not d.order)

#: The date ranges, each a pair of options ``<prefix>_from`` and ``<prefix>_to``: prefix ->
#: (what the dates are, how a description says it).
DATE_RANGES: Final = {"start": ("start date", "started"),
                      "completion": ("completion date", "completing"),
                      "posted": ("first posted", "first posted"),
                      "updated": ("last update", "last updated")}


def get_option(name: str) -> Option:
    """The declaration of the option ``name`` (a field of ``SearchOptions``)."""
    return _BY_NAME[name]


def check_asks(options: SearchOptions) -> SearchOptions:
    """``options``, or :class:`InvalidQueryError` when they ask a registry for nothing (only
    local filters, or where to search): a search of every study is never run by mistake."""
    if not any(getattr(options, d.name) != d.empty for d in OPTIONS
               if d.sent and d.name != "registries"):
        raise InvalidQueryError(
            "the search is empty: give a condition, term, intervention, place or preset")
    return options


#: How a conflict asks for the place (keyword arguments say ``near=``: see from_kwargs).
GIVE_NEAR: Final = "give --near as well"


def conflicts(values: Mapping[str, Any],
              given: Collection[str] = ()) -> list[tuple[str, str]]:
    """What in these (canonical) option values cannot go together: (the option to leave out,
    why) for each — a radius without a place, a date range that ends before it starts.
    ``given`` names the options given whatever their value reads as: ``50mi``, the default
    radius, reads as none, yet given without a place it is still refused, not dropped."""
    out: list[tuple[str, str]] = []
    if (values.get("radius") is not None or "radius" in given) and values.get("near") is None:
        out.append(("radius", f"a radius needs a place: {GIVE_NEAR}"))
    if values.get("sort") == "nearest" and values.get("near") is None:
        out.append(("sort", f"sorting nearest first needs a place: {GIVE_NEAR}"))
    for prefix, (words, _) in DATE_RANGES.items():
        low, high = values.get(f"{prefix}_from"), values.get(f"{prefix}_to")
        if low and high and partial_date(low, words)[0] > _last_day(high, words):
            out.append((f"{prefix}_to", f"{words} range is empty: {low} is after {high}"))
    return out


def named(raw: Mapping[str, object]) -> set[str]:
    """The names in ``raw`` (option name -> a value as given, before it is read) given a
    value: not ``None``, nor blank text, nor an empty list."""
    return {name for name, value in raw.items()
            if not (value is None or (isinstance(value, str) and not value.strip())
                    or (isinstance(value, tuple | list) and not value))}


def refuse_conflicts(values: Mapping[str, Any], given: Collection[str] = ()) -> None:
    """:class:`InvalidQueryError` for the first of :func:`conflicts`, if any."""
    problems = conflicts(values, given)
    if problems:
        raise InvalidQueryError(problems[0][1])


def _last_day(text: str, words: str) -> Any:
    from datetime import timedelta

    first, precision = partial_date(text, words)
    if precision == "day":
        return first
    if precision == "month":
        following = first.replace(year=first.year + first.month // 12,
                                  month=first.month % 12 + 1)
    else:
        following = first.replace(year=first.year + 1)
    return following - timedelta(days=1)
