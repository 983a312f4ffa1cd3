"""StudyQuery: what people search by, turned into exactly the API's parameters.

A query is a frozen value: build a new one with :meth:`StudyQuery.replace`. It is validated
when it is built, so a bad query never reaches the network.

Parameter map (``GET /studies``):

==================  ==========================================================
field               API parameter
==================  ==========================================================
conditions          ``query.cond``   (several are joined with ``OR``)
terms               ``query.term``
narrow              ``query.term`` too, each ANDed (narrows a preset's search)
interventions       ``query.intr``
location            ``query.locn``
titles              ``query.titles``
sponsor             ``query.spons``
nct_ids             ``filter.ids``
statuses            ``filter.overallStatus``
near                ``filter.geo=distance(lat,lon,50mi)``
phases, study_types, sex, age, healthy_volunteers, start_from/start_to,
has_results         ``filter.advanced`` (Essie ``AREA[...]`` expressions, ANDed)
==================  ==========================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, cast

from trialfinder.core.checks import flag_or_none, number_or_none, text_or_none, texts
from trialfinder.core.codes import Distance, Phase, Sex, Status, StudyType
from trialfinder.core.dates import partial_date
from trialfinder.core.errors import InvalidQueryError
from trialfinder.topics.presets import Preset

__all__ = [
    "NCT_ID",
    "StudyQuery",
    "essie_text",
    "geo_param",
    "is_nct_id",
    "normalize_nct_id",
    "preset_query",
]


#: The free-text fields of a query (each one's items are ORed).
TEXT_FIELDS: tuple[str, ...] = ("conditions", "terms", "interventions")

_NCT_RE = re.compile(r"^[Nn][Cc][Tt]0*([1-9][0-9]{0,7})$")
#: A record's id as the registry writes it: ``NCT`` and 8 ASCII digits, nothing else.
NCT_ID = re.compile(r"NCT[0-9]{8}")


def is_nct_id(value: object) -> bool:
    """Whether ``value`` is an NCT id exactly as a record must hold it (``NCT01234567``). The
    one rule for records wherever they come in (a search, a sync, a watch, a file, the store's
    spool): a record whose ``nctId`` fails it is skipped and counted, never kept. Digits of
    other scripts, spaces, lower case or a longer number all fail."""
    return isinstance(value, str) and NCT_ID.fullmatch(value) is not None


def normalize_nct_id(value: str) -> str:
    """``nct1234567`` -> ``NCT01234567`` (ASCII digits only); anything else is an
    :class:`InvalidQueryError`."""
    match = _NCT_RE.match(str(value).strip())
    if not match:
        if re.fullmatch(r"[Nn][Cc][Tt]0+", str(value).strip()):
            raise InvalidQueryError(f"{value!r} is not an NCT id: its number is zero")
        raise InvalidQueryError(
            f"{value!r} is not an NCT id (expected NCT followed by up to 8 digits, e.g. "
            "NCT01234567; shorter numbers are padded with zeros)"
        )
    return f"NCT{int(match.group(1)):08d}"


def essie_text(text: str) -> str:
    """Make free text safe for the API's Essie parser, keeping what the user meant.

    Brackets and braces are syntax (``AREA[...]``), never words: they become spaces.
    Quotes are kept only when balanced, parentheses only when they nest properly, and a
    dangling ``AND``/``OR``/``NOT`` at either end is dropped. Returns ``""`` when nothing
    searchable is left.
    """
    cleaned = re.sub(r"[\[\]{}\\^~]", " ", text)
    if cleaned.count('"') % 2:
        cleaned = cleaned.replace('"', " ")
    # a quoted phrase of punctuation only searches for nothing; parentheses inside a phrase are
    # text, so only those outside quotes must nest
    # (quotes pair up left to right: '"a" "b"' is two phrases, not the phrase '" "')
    parts = cleaned.split('"')
    parts[1::2] = [f'"{part}"' if re.search(r"\w", part) else " " for part in parts[1::2]]
    cleaned = "".join(parts)
    depth = 0
    for index, part in enumerate(cleaned.split('"')):
        if index % 2:
            continue
        for char in part:
            depth += (char == "(") - (char == ")")
            if depth < 0:
                break
        if depth < 0:
            break
    if depth != 0:
        cleaned = cleaned.replace("(", " ").replace(")", " ")
    # Dropping one thing can leave another to drop ("( ' )" loses "'", then is an empty
    # group), so tidy until nothing changes.
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _tidy(cleaned)
    return cleaned


def _tidy(text: str) -> str:
    """One pass: empty groups and phrases, punctuation-only words, stray operators."""
    # quotes are balanced by now: a phrase is one token, and parentheses are tokens of their own
    tokens = re.findall(r'"[^"]*"|[()]|[^\s()"]+', text)
    operators = {"AND", "OR", "NOT"}
    out: list[str] = []
    for word in tokens:
        if word == ")":
            while out and out[-1] in operators:
                out.pop()
            if out and out[-1] == "(":
                out.pop()  # an empty group
            else:
                out.append(word)
        elif word in {"AND", "OR"}:
            if out and out[-1] not in operators and out[-1] != "(":
                out.append(word)
        elif word == "(" or re.search(r"\w", word):
            out.append(word)
        # else: a word or phrase of punctuation only (&, -, |, ;) searches for nothing
    while out and out[-1] in operators:
        out.pop()
    joined = " ".join(out)
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", joined))


def _any_of(items: Iterable[str]) -> str:
    """Join several search phrases with OR; multi-word phrases are grouped in parentheses."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    parts = [f"({item})" if " " in item and not item.startswith("(") else item for item in items]
    return " OR ".join(parts)


def geo_param(near: Distance) -> str:
    """The circle as ``filter.geo`` wants it: ``distance(lat,lon,50mi)``."""
    return f"distance({_num(near.lat)},{_num(near.lon)},{_num(near.radius)}{near.unit})"


def _num(value: float) -> str:
    """A coordinate as the API's regex wants it: plain decimal, at most 6 places."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _tuple(value: Any, label: str, *, whole_numbers: bool = False) -> tuple[Any, ...]:
    return texts(value, label, whole_numbers=whole_numbers)  # wrong types: InvalidQueryError


def _date(value: str | date | None, label: str) -> str | None:
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    partial_date(text, label)  # a real YYYY[-MM[-DD]] date, or one clear error
    return text


@dataclass(frozen=True, slots=True)
class StudyQuery:
    """An immutable search. Text fields are free text; filters use the API's codes.

    Friendly values are accepted and normalized: ``statuses=("recruiting",)``,
    ``phases=("2", "phase 3")``, ``sex="female"``, ``nct_ids=("nct1234567",)``.
    """

    conditions: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    location: str | None = None
    titles: str | None = None
    sponsor: str | None = None
    nct_ids: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    phases: tuple[Phase, ...] = ()
    study_types: tuple[StudyType, ...] = ()
    sex: Sex | None = None
    age: float | None = None
    healthy_volunteers: bool | None = None
    start_from: str | None = None
    start_to: str | None = None
    has_results: bool | None = None
    near: Distance | None = None
    narrow: tuple[str, ...] = ()
    advanced: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("location", "titles", "sponsor", "advanced", "sex"):
            text_or_none(getattr(self, name), name)
        for name in ("start_from", "start_to"):
            text_or_none(getattr(self, name), name, dates=True)
        for name in ("healthy_volunteers", "has_results"):
            flag_or_none(getattr(self, name), name)
        if self.near is not None and not isinstance(self.near, Distance):
            raise InvalidQueryError(f"near must be a Distance, not {type(self.near).__name__}")
        for name in ("conditions", "terms", "interventions", "narrow"):
            raw = _tuple(getattr(self, name), name)
            cleaned = tuple(t for t in (essie_text(str(v)) for v in raw) if t)
            if raw and not cleaned:
                shown = ", ".join(repr(str(v)) for v in raw)
                raise InvalidQueryError(f"{_SINGULAR[name]} {shown} has no searchable words")
            set_(self, name, cleaned)
        for name in ("location", "titles", "sponsor"):
            raw_text = getattr(self, name)
            if raw_text is not None:
                set_(self, name, essie_text(str(raw_text)) or None)
        set_(self, "nct_ids", tuple(dict.fromkeys(normalize_nct_id(v) for v in
                                                   _tuple(self.nct_ids, "nct_ids"))))
        set_(self, "statuses", tuple(dict.fromkeys(Status.parse(v) for v in
                                                    _tuple(self.statuses, "statuses"))))
        set_(self, "phases", tuple(dict.fromkeys(
            Phase.parse(v) for v in _tuple(self.phases, "phases", whole_numbers=True))))
        set_(self, "study_types", tuple(dict.fromkeys(StudyType.parse(v) for v in
                                                       _tuple(self.study_types, "study_types"))))
        if self.sex is not None:
            set_(self, "sex", Sex.parse(self.sex))
        if self.age is not None:
            age = cast(float, number_or_none(self.age, "age"))
            if not math.isfinite(age) or not 0 <= age <= 125:
                raise InvalidQueryError(f"age must be within 0..125 years, not {age:g}")
            set_(self, "age", age)
        set_(self, "start_from", _date(self.start_from, "start date (from)"))
        set_(self, "start_to", _date(self.start_to, "start date (to)"))
        if self.start_from and self.start_to and self.start_from > self.start_to:
            raise InvalidQueryError(
                f"start date range is empty: {self.start_from} is after {self.start_to}"
            )

    # -- building ----------------------------------------------------------------------------

    def replace(self, **changes: Any) -> StudyQuery:
        """A copy with some fields changed (the original is left as it was)."""
        return replace(self, **changes)

    def merge(self, other: StudyQuery) -> StudyQuery:
        """Combine two queries: text fields are unioned, ``other``'s set filters win."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, tuple) and f.name in (*TEXT_FIELDS, "narrow"):
                changes[f.name] = tuple(dict.fromkeys(mine + theirs))
            elif theirs not in (None, ()):
                changes[f.name] = theirs
        return replace(self, **changes)

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the search (it would match every study)."""
        return self.to_params() == {}

    # -- to the API --------------------------------------------------------------------------

    def advanced_filter(self) -> str | None:
        """The ``filter.advanced`` Essie expression for the structured filters, if any."""
        clauses: list[str] = []
        if self.phases:
            clauses.append(_group([f"AREA[Phase]{p.value}" for p in self.phases]))
        if self.study_types:
            clauses.append(_group([f"AREA[StudyType]{t.value}" for t in self.study_types]))
        if self.sex is not None and self.sex is not Sex.ALL:
            clauses.append(f"(AREA[Sex]{self.sex.value} OR AREA[Sex]ALL)")
        if self.age is not None:
            years = f"{self.age:g} years"
            clauses.append(f"(AREA[MinimumAge]RANGE[MIN, {years}] OR AREA[MinimumAge]MISSING)")
            clauses.append(f"(AREA[MaximumAge]RANGE[{years}, MAX] OR AREA[MaximumAge]MISSING)")
        if self.healthy_volunteers is not None:
            clauses.append(f"AREA[HealthyVolunteers]{str(self.healthy_volunteers).lower()}")
        if self.start_from or self.start_to:
            low, high = self.start_from or "MIN", self.start_to or "MAX"
            clauses.append(f"AREA[StartDate]RANGE[{low}, {high}]")
        if self.has_results is not None:
            clauses.append(f"AREA[HasResults]{str(self.has_results).lower()}")
        if self.advanced:
            clauses.append(f"({self.advanced})")
        return " AND ".join(clauses) or None

    def to_params(self) -> dict[str, str]:
        """The query's part of the request parameters (no paging, fields or countTotal)."""
        params: dict[str, str] = {}
        if self.conditions:
            params["query.cond"] = _any_of(self.conditions)
        if self.terms or self.narrow:
            parts = [_any_of(self.terms)] if self.terms else []
            parts += list(self.narrow)
            grouped = [f"({p})" if len(parts) > 1 and " " in p else p for p in parts]
            params["query.term"] = " AND ".join(grouped)
        if self.interventions:
            params["query.intr"] = _any_of(self.interventions)
        for key, value in (("query.locn", self.location), ("query.titles", self.titles),
                           ("query.spons", self.sponsor)):
            if value:
                params[key] = value
        if self.nct_ids:
            params["filter.ids"] = ",".join(self.nct_ids)
        if self.statuses:
            params["filter.overallStatus"] = ",".join(s.value for s in self.statuses)
        if self.near is not None:
            params["filter.geo"] = geo_param(self.near)
        advanced = self.advanced_filter()
        if advanced:
            params["filter.advanced"] = advanced
        return params


_SINGULAR = {"conditions": "condition", "terms": "term", "interventions": "intervention",
             "narrow": "narrowing term"}


def _group(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def preset_query(preset: Preset) -> StudyQuery:
    """A topic preset's words as a ClinicalTrials.gov query (``preset_query(p).to_params()``
    are the parameters it sends)."""
    words = preset.query
    return StudyQuery(conditions=words.conditions, interventions=words.interventions,
                      terms=words.terms)
