"""Search options -> ISRCTN's query language, and what it cannot express.

ISRCTN takes one ``q`` parameter: free words and ``field:value`` terms joined with ``AND`` /
``OR``, dates compared as ``field GE 2024-01-01T00:00:00.000Z``; plain words are ORed unless
joined with ``AND``, and quotes make a phrase. ``limit`` says how many trials to send (there is
no paging). :class:`IsrctnQuery` builds ``q``:

==================  ===============================================================
option              ``q`` clause (clauses are joined with ``AND``)
==================  ===============================================================
conditions          ``condition:"motor neurone disease"`` (several: ORed)
terms, narrow       every word quoted and ANDed: ``"walking" AND "aid"`` (terms: ORed)
interventions       ``intervention:"riluzole"`` (several: ORed)
titles              ``title:"..."``
countries           ``recruitmentCountry:"United Kingdom"`` (several: ORed)
trial_statuses      ``trialStatus:ongoing`` (ISRCTN's words: ongoing, completed, stopped)
start_from/_to      ``overallStartDate GE ... AND overallStartDate LT ...``
end_from/_to        ``overallEndDate GE ... AND overallEndDate LT ...``
edited_since        ``lastEdited GE ...`` (incremental runs)
==================  ===============================================================

**User text never becomes syntax.** Every value goes inside double quotes, and before that
everything but letters, digits, spaces and ``' - . , / & + %`` is turned into spaces, so a
quote, a backslash, a colon or a bracket cannot end the phrase, and ``AND``/``OR`` inside
quotes are words. Free-text terms are sent word by word; ``AND``, ``OR`` and ``NOT`` written
in them are dropped (and named in :attr:`Translation.notes`), since the words are ANDed anyway.

:func:`translate` reads the project's :class:`~trialfinder.registries.ctgov.query.StudyQuery` and
returns
the :class:`IsrctnQuery` plus the options ISRCTN cannot express (:class:`Unexpressed`): phase,
study type, age, sex, healthy volunteers, results, distance, location text, sponsor, NCT ids,
and (always, see below) status. The caller applies those locally; nothing is dropped silently.

Status is sent as a superset and also applied locally: ISRCTN's ``trialStatus`` follows its own
overall trial status (ongoing until the overall end date, or stopped), while ours is derived
from the recruitment dates (:mod:`.status`); so "recruiting" asks ISRCTN for ``ongoing`` trials
and the derived status then picks the recruiting ones. A trial whose own dates disagree (a
recruitment end after its overall end) can be missed by that superset; docs/isrctn.md says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from trialfinder.core.codes import Sex, Status
from trialfinder.core.dates import partial_date
from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.query import StudyQuery
from trialfinder.registries.isrctn.topicq import TopicSyntaxError, phrase_clauses, topic_clause

__all__ = [
    "MAX_LIMIT",
    "MAX_Q_LENGTH",
    "TRIAL_STATUSES",
    "IsrctnQuery",
    "Translation",
    "Unexpressed",
    "iso_instant",
    "phrase",
    "translate",
]

#: ISRCTN sends every trial in one answer; above this many it is not asked (as in ctrdata).
MAX_LIMIT: Final = 10_000
#: A ``q`` longer than this is refused before it is sent.
MAX_Q_LENGTH: Final = 2_000
#: ISRCTN's trial statuses (``trialStatus:``).
TRIAL_STATUSES: Final = ("ongoing", "completed", "stopped")
#: Our statuses -> the ISRCTN trial statuses that can hold them (a superset).
_STATUS_SUPERSET: Final[dict[Status, tuple[str, ...]]] = {
    Status.NOT_YET_RECRUITING: ("ongoing",),
    Status.RECRUITING: ("ongoing",),
    Status.ENROLLING_BY_INVITATION: ("ongoing",),
    Status.ACTIVE_NOT_RECRUITING: ("ongoing",),
    Status.SUSPENDED: ("ongoing", "stopped"),
    Status.COMPLETED: ("completed",),
    Status.TERMINATED: ("stopped",),
    Status.WITHDRAWN: ("stopped",),
}
_UNSAFE: Final = re.compile(r"[^\w\s'\-.,/&+%]|_")
_OPERATORS: Final = frozenset({"AND", "OR", "NOT"})


def phrase(text: str) -> str:
    """``text`` as a safe quoted phrase (``""`` when no word is left): see the module."""
    words = _UNSAFE.sub(" ", text).split()
    return f'"{" ".join(words)}"' if any(re.search(r"\w", w) for w in words) else ""


def iso_instant(value: date | datetime) -> str:
    """A date (midnight UTC) or an aware time as ISRCTN writes instants:
    ``2024-05-01T00:00:00.000Z``."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidQueryError("a time for ISRCTN needs a time zone (UTC is usual)")
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00.000Z"
    raise InvalidQueryError(f"expected a date or time, not {type(value).__name__}")


def _range(field: str, low: str | None, high: str | None) -> list[str]:
    """``field GE first day of low``, ``field LT the day after high's period`` (a partial
    date covers its whole month or year, as the local filter reads it)."""
    clauses = []
    if low:
        first, _ = partial_date(low, f"{field} (from)")
        clauses.append(f"{field} GE {iso_instant(first)}")
    if high:
        first, precision = partial_date(high, f"{field} (to)")
        if precision == "day":
            after = first + timedelta(days=1)
        elif precision == "month":
            after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            after = first.replace(year=first.year + 1) if first.year < 9999 else first
        clauses.append(f"{field} LT {iso_instant(after)}")
    return clauses


def _any(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


@dataclass(frozen=True, slots=True)
class IsrctnQuery:
    """One ISRCTN search as values; :meth:`to_q` writes its ``q``."""

    conditions: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    narrow: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    titles: str | None = None
    countries: tuple[str, ...] = ()
    trial_statuses: tuple[str, ...] = ()
    start_from: str | None = None
    start_to: str | None = None
    end_from: str | None = None
    end_to: str | None = None
    edited_since: date | datetime | None = None
    #: The conditions and interventions written in a topic's notation (a preset's words:
    #: :func:`~.topicq.topic_clause`); the others are phrases.
    topic: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("conditions", "terms", "narrow", "interventions", "countries",
                     "trial_statuses", "topic"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise InvalidQueryError(f"{name} must be a tuple of texts")
            object.__setattr__(self, name, tuple(value))
        for status in self.trial_statuses:
            if status not in TRIAL_STATUSES:
                raise InvalidQueryError(f"unknown ISRCTN trial status {status!r}; choose from: "
                                        f"{', '.join(TRIAL_STATUSES)}")
        self.to_q()  # every value checked now, so a bad query never reaches the network

    def _texts(self) -> list[str]:
        clauses: list[str] = []
        for field, values in (("condition", self.conditions),
                              ("intervention", self.interventions),
                              ("recruitmentCountry", self.countries)):
            parts = [p for v in values for p in self._clause(field, v)]
            if values and not parts:
                raise InvalidQueryError(f"{field} {', '.join(map(repr, values))} has no "
                                        "searchable words")
            if parts:
                clauses.append(_any(parts))
        if self.titles:
            title = phrase(self.titles)
            if not title:
                raise InvalidQueryError(f"title {self.titles!r} has no searchable words")
            clauses.append(f"title:{title}")
        free = [w for w in (_words(t) for t in self.terms) if w]
        if self.terms and not free:
            raise InvalidQueryError("the terms have no searchable words")
        if free:
            clauses.append(_any([_all(w) for w in free]))
        clauses += [_all(words) for words in (_words(t) for t in self.narrow) if words]
        return clauses

    def _clause(self, field: str, value: str) -> list[str]:
        """One condition, intervention or country as its alternatives ``field:"..."``: a
        condition or an intervention in every spelling, or in the topic's notation when it is
        the topic's (one clause); ``[]`` when no word is left."""
        if field == "recruitmentCountry":
            quoted = phrase(value)
            return [f"{field}:{quoted}"] if quoted else []
        if value in self.topic:
            try:
                return [topic_clause(field, value)]
            except TopicSyntaxError:
                pass
        return phrase_clauses(field, value)

    def to_q(self) -> str:
        """The ``q`` parameter (``""`` for a query that narrows nothing)."""
        clauses = self._texts()
        if self.trial_statuses:
            clauses.append(_any([f"trialStatus:{s}" for s in dict.fromkeys(self.trial_statuses)]))
        clauses += _range("overallStartDate", self.start_from, self.start_to)
        clauses += _range("overallEndDate", self.end_from, self.end_to)
        if self.edited_since is not None:
            clauses.append(f"lastEdited GE {iso_instant(self.edited_since)}")
        q = " AND ".join(clauses)
        if len(q) > MAX_Q_LENGTH:
            raise InvalidQueryError(f"the ISRCTN query would be {len(q):,} characters, more than "
                                    f"{MAX_Q_LENGTH:,}; search for fewer things at once")
        return q

    @property
    def is_empty(self) -> bool:
        return self.to_q() == ""

    def params(self, limit: int) -> dict[str, str]:
        """The request parameters for ``limit`` trials (0 asks for the count only)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
            raise InvalidQueryError(f"an ISRCTN limit must be a whole number within "
                                    f"0..{MAX_LIMIT:,}, not {limit!r}")
        return {"q": self.to_q(), "limit": str(limit)}


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _UNSAFE.sub(" ", text).split()
                 if w not in _OPERATORS and re.search(r"\w", w))


def _all(words: tuple[str, ...]) -> str:
    quoted = [f'"{w}"' for w in words]
    return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"


@dataclass(frozen=True, slots=True)
class Unexpressed:
    """An option ISRCTN's query cannot express. ``local``: the caller can apply it to the
    tables (every option here but ``advanced``, which is ClinicalTrials.gov's own syntax)."""

    option: str
    reason: str
    local: bool = True


@dataclass(frozen=True, slots=True)
class Translation:
    """What :func:`translate` made of a search: the ISRCTN query, the options left for the
    caller to apply, and the simplifications made to the user's text (``notes``)."""

    query: IsrctnQuery
    unexpressed: tuple[Unexpressed, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def local_options(self) -> tuple[str, ...]:
        return tuple(u.option for u in self.unexpressed if u.local)


_LOCAL_REASONS: Final = (
    ("phases", "ISRCTN's phases ('Phase I/II') are free text per intervention"),
    ("study_types", "applied to the derived study type"),
    ("sex", "ISRCTN has no gender filter in its query language"),
    ("age", "ISRCTN's query has age groups only, not ages"),
    ("healthy_volunteers", "ISRCTN has no such filter in its query language"),
    ("has_results", "ISRCTN marks results as publications, not as posted results"),
    ("near", "ISRCTN has no distance search; sites are placed offline"),
    ("location", "ISRCTN has no free-text place search (countries are sent)"),
    ("sponsor", "ISRCTN's query has no sponsor field we can rely on"),
    ("nct_ids", "ISRCTN records are matched to NCT ids by their cross-references"),
)


def translate(query: StudyQuery, *, countries: tuple[str, ...] = (),
              edited_since: date | datetime | None = None, end_from: str | None = None,
              end_to: str | None = None, topic: tuple[str, ...] = ()) -> Translation:
    """The ISRCTN side of a search (see the module docstring for the mapping). ``topic``: the
    conditions and interventions written in a topic's notation (a preset's), read as such."""
    if not isinstance(query, StudyQuery):
        raise InvalidQueryError(f"query must be a StudyQuery, not {type(query).__name__}")
    notes = [f"{t!r}: AND/OR/NOT are not sent to ISRCTN; every word must match"
             for t in (*query.terms, *query.narrow) if _OPERATORS & set(t.split())]
    notes += [f"{t!r}: quotes and brackets are not sent to ISRCTN; the words are one phrase"
              for t in (*query.conditions, *query.interventions)
              if t not in topic and re.search(r'["()]', t)]
    unexpressed = [Unexpressed(name, reason) for name, reason in _LOCAL_REASONS
                   if getattr(query, name) not in (None, (), Sex.ALL)]
    statuses: tuple[str, ...] = ()
    if query.statuses:
        supersets = [_STATUS_SUPERSET.get(s) for s in query.statuses]
        if all(supersets):
            statuses = tuple(dict.fromkeys(w for ws in supersets if ws for w in ws))
        unexpressed.append(Unexpressed("statuses", "ISRCTN has no recruitment status; it is "
                                       "derived from the dates and applied locally"))
    if query.advanced:
        unexpressed.append(Unexpressed("advanced", "ClinicalTrials.gov's Essie syntax has no "
                                       "ISRCTN form", local=False))
    isrctn = IsrctnQuery(
        conditions=query.conditions, terms=query.terms, narrow=query.narrow,
        interventions=query.interventions, titles=query.titles, countries=tuple(countries),
        trial_statuses=statuses, start_from=query.start_from, start_to=query.start_to,
        end_from=end_from, end_to=end_to, edited_since=edited_since, topic=tuple(topic))
    return Translation(isrctn, tuple(unexpressed), tuple(notes))
