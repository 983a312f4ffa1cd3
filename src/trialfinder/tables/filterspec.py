"""What the local filters are: :class:`LocalFilters` (checked and normalized when made)
and the shapes of a filter pass's input and output (:class:`TablesLike`,
:class:`FilterStep`, :class:`FilterOutcome`).

See :mod:`trialfinder.tables.filters` for what each filter means.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from trialfinder.core.codes import FunderType, InterventionType, Phase, Sex, Status, StudyType
from trialfinder.core.dates import partial_date
from trialfinder.core.errors import InvalidQueryError

if TYPE_CHECKING:  # in annotations only: building filters (and a query) does not load pandas
    import pandas as pd

__all__ = [
    "DATE_RANGES",
    "INTERVENTION_TYPES",
    "FilterOutcome",
    "FilterStep",
    "LocalFilters",
    "TablesLike",
]

INTERVENTION_TYPES: tuple[str, ...] = tuple(t.value for t in InterventionType)

#: The date ranges of :class:`LocalFilters` besides the start date: name -> (studies column,
#: words). A study without the date is removed (and counted).
DATE_RANGES: dict[str, tuple[str, str]] = {
    "completion": ("completion_date", "completion date"),
    "posted": ("first_posted", "first posted"),
    "updated": ("last_update", "last update"),
}


class TablesLike(Protocol):
    """Anything with the four normalized tables as attributes (e.g. ``normalize.Tables``)."""

    @property
    def studies(self) -> pd.DataFrame: ...

    @property
    def sites(self) -> pd.DataFrame: ...

    @property
    def conditions(self) -> pd.DataFrame: ...

    @property
    def interventions(self) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True)
class FilterStep:
    """One applied filter: its label, how many studies it removed, and an optional note."""

    name: str
    removed: int
    note: str | None = None


@dataclass(frozen=True)
class FilterOutcome:
    """The filtered tables plus one :class:`FilterStep` per active filter.

    ``studies`` keeps the input's row order (with a fresh RangeIndex). With ``near`` set it
    gains ``nearest_site`` ("facility, city"), ``nearest_distance_mi`` and
    ``nearest_recruiting_distance_mi`` (Float64, computed over all of the study's sites with
    coordinates; NA when there is none), and ``sites`` gains ``distance_mi`` and is sorted
    nearest first within each study (studies in ``studies`` order); with a radius, ``sites``
    only holds the sites inside it.
    """

    studies: pd.DataFrame
    sites: pd.DataFrame
    conditions: pd.DataFrame
    interventions: pd.DataFrame
    steps: list[FilterStep] = field(default_factory=list)
    n_before: int = 0

    @property
    def n_after(self) -> int:
        return len(self.studies)


def _codes(value: Any, parse: Callable[[str], str], label: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    out = tuple(dict.fromkeys(parse(str(v)) for v in items))
    return out or None


def _texts(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    out = tuple(dict.fromkeys(s for s in (str(v).strip() for v in items) if s))
    return out or None


def date_bounds(text: str, label: str) -> tuple[np.datetime64, np.datetime64]:
    """First and last day covered by ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    first, precision = partial_date(text, label)
    start = np.datetime64(first, "D")
    if precision == "day":
        return start, start
    unit = "M" if precision == "month" else "Y"
    end = (start.astype(f"datetime64[{unit}]") + 1).astype("datetime64[D]") - np.timedelta64(1)
    return start, end


@dataclass(frozen=True, slots=True)
class LocalFilters:
    """Filters applied to already fetched tables. ``None`` (or an empty tuple) = inactive.

    Codes are the API's (``RECRUITING``, ``PHASE2``, ``INTERVENTIONAL``, ``DRUG``); friendly
    spellings are accepted and normalized as in :class:`~trialfinder.query.StudyQuery`
    (``"recruiting"``, ``"2"``). Lists are turned into tuples, so the value stays hashable.
    Invalid values raise :class:`InvalidQueryError` with a one-line message.
    """

    statuses: tuple[str, ...] | None = None
    phases: tuple[str, ...] | None = None
    study_types: tuple[str, ...] | None = None
    intervention_types: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    states: tuple[str, ...] | None = None
    cities: tuple[str, ...] | None = None
    near: tuple[float, float] | None = None
    radius_mi: float | None = None
    #: The place ``near`` is, as given or looked up (``"Leeds, United Kingdom"``): how the
    #: filter's summary names it (``None``: by its coordinates). Plain text, at most 200
    #: characters.
    near_name: str | None = None
    age: float | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    start_from: str | None = None
    start_to: str | None = None
    has_results: bool | None = None
    keyword: str | None = None
    funder_types: tuple[str, ...] | None = None
    completion_from: str | None = None
    completion_to: str | None = None
    posted_from: str | None = None
    posted_to: str | None = None
    updated_from: str | None = None
    updated_to: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "statuses", _codes(self.statuses, lambda v: Status.parse(v).value, "status"))
        set_(self, "phases", _codes(self.phases, lambda v: Phase.parse(v).value, "phase"))
        set_(self, "study_types",
             _codes(self.study_types, lambda v: StudyType.parse(v).value, "study type"))
        set_(self, "intervention_types", _codes(
            self.intervention_types, lambda v: InterventionType.parse(v).value,
            "intervention type"))
        set_(self, "funder_types",
             _codes(self.funder_types, lambda v: FunderType.parse(v).value, "funder type"))
        for name in ("countries", "states", "cities"):
            set_(self, name, _texts(getattr(self, name)))
        if self.near is not None:
            try:
                lat, lon = (float(v) for v in self.near)
            except (TypeError, ValueError):
                raise InvalidQueryError(
                    f"near must be (latitude, longitude), not {self.near!r}"
                ) from None
            if not (math.isfinite(lat) and -90 <= lat <= 90):
                raise InvalidQueryError(f"latitude must be within -90..90, not {lat:g}")
            if not (math.isfinite(lon) and -180 <= lon <= 180):
                raise InvalidQueryError(f"longitude must be within -180..180, not {lon:g}")
            set_(self, "near", (lat, lon))
        if self.near_name is not None:
            if not isinstance(self.near_name, str):
                raise InvalidQueryError(f"near_name must be text, not "
                                        f"{type(self.near_name).__name__}")
            set_(self, "near_name", " ".join(self.near_name.split())[:200] or None)
        if self.radius_mi is not None:
            radius = _number(self.radius_mi, "radius_mi")
            if radius <= 0:
                raise InvalidQueryError(f"radius must be above 0 miles, not {radius:g}")
            if self.near is None:
                raise InvalidQueryError("a radius needs a place (near) to measure from")
            set_(self, "radius_mi", radius)
        if self.age is not None:
            age = _number(self.age, "age")
            if not 0 <= age <= 125:
                raise InvalidQueryError(f"age must be within 0..125 years, not {age:g}")
            set_(self, "age", age)
        if self.sex is not None:
            sex = Sex.parse(self.sex)
            set_(self, "sex", None if sex is Sex.ALL else sex.value)
        for name in ("healthy_volunteers", "has_results"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool | np.bool_):
                raise InvalidQueryError(f"{name} must be true, false or None, not {value!r}")
            if value is not None:
                set_(self, name, bool(value))
        ranges = {"start": "start date", **{k: words for k, (_, words) in DATE_RANGES.items()}}
        for prefix, words in ranges.items():
            self._date_range(prefix, words)
        if self.keyword is not None:
            set_(self, "keyword", str(self.keyword).strip() or None)

    def _date_range(self, prefix: str, words: str) -> None:
        """Check and tidy ``<prefix>_from`` and ``<prefix>_to`` (``YYYY[-MM[-DD]]``)."""
        for end, side in (("from", "from"), ("to", "to")):
            name = f"{prefix}_{end}"
            value = getattr(self, name)
            if value is not None and not str(value).strip():
                value = None
            if value is not None:
                value = value.isoformat() if isinstance(value, date) else str(value).strip()
                date_bounds(value, f"{words} ({side})")
            object.__setattr__(self, name, value)
        low, high = getattr(self, f"{prefix}_from"), getattr(self, f"{prefix}_to")
        if low and high and date_bounds(low, "")[0] > date_bounds(high, "")[1]:
            raise InvalidQueryError(f"{words} range is empty: {low} is after {high}")

    @property
    def is_active(self) -> bool:
        """True when at least one filter is set."""
        return any(getattr(self, name) is not None for name in self.__slots__)


def _number(value: Any, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidQueryError(f"{label} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InvalidQueryError(f"{label} must be a finite number, not {value!r}")
    return number
