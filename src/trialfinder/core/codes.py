"""The common vocabulary of every registry: study statuses, phases, study types, sex, and a
circle on the map. Registries map their own values onto these (ClinicalTrials.gov's codes are
the same words); the tables, filters and pre-screen speak only these.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from trialfinder.core.checks import number_or_none
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.units import KM_PER_MILE
from trialfinder.core.wording import did_you_mean

__all__ = ["OPEN_STATUSES", "CodeEnum", "Distance", "FunderType", "InterventionType", "Phase",
           "Sex", "Status", "StudyType", "status_words"]

_RADIUS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mi|miles?|km|kilomet(?:er|re)s?)?\s*$", re.I)


class CodeEnum(StrEnum):
    """An enum of the API's UPPER_SNAKE codes that also accepts friendly names."""

    @classmethod
    def parse(cls, value: str | Self) -> Self:
        if isinstance(value, cls):
            return value
        key = re.sub(r"[\s\-,/]+", "_", str(value).strip()).upper()
        key = _ALIASES.get(cls.__name__, {}).get(key, key)
        try:
            return cls(key)
        except ValueError:
            allowed = _CHOICES.get(cls.__name__) or ", ".join(m.value.lower() for m in cls)
            label = _LABELS.get(cls.__name__, cls.__name__.lower())
            hint = did_you_mean(str(value), allowed.replace(" or ", ", ").split(", "))
            raise InvalidQueryError(
                f"unknown {label} {value!r}{hint}; choose from: {allowed}"
            ) from None

    @property
    def label(self) -> str:
        """Human text, e.g. ``NOT_YET_RECRUITING`` -> ``Not yet recruiting``."""
        return _PRETTY.get(self.value, self.value.replace("_", " ").capitalize())


class Status(CodeEnum):
    """Overall recruitment status (``filter.overallStatus``)."""

    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    COMPLETED = "COMPLETED"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"
    AVAILABLE = "AVAILABLE"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING"
    WITHHELD = "WITHHELD"
    UNKNOWN = "UNKNOWN"


def status_words(value: object) -> str:
    """A status code as people read it (``NOT_YET_RECRUITING`` -> ``Not yet recruiting``), for
    the edge that shows it; what is no status code is kept as it is. Stored values stay codes."""
    text = str(value)
    return Status(text).label if text in Status.__members__ else text


class Phase(CodeEnum):
    NA = "NA"
    EARLY_PHASE1 = "EARLY_PHASE1"
    PHASE1 = "PHASE1"
    PHASE2 = "PHASE2"
    PHASE3 = "PHASE3"
    PHASE4 = "PHASE4"


class StudyType(CodeEnum):
    INTERVENTIONAL = "INTERVENTIONAL"
    OBSERVATIONAL = "OBSERVATIONAL"
    EXPANDED_ACCESS = "EXPANDED_ACCESS"


class Sex(CodeEnum):
    """The sex of the person looking; studies open to ``ALL`` match either."""

    ALL = "ALL"
    FEMALE = "FEMALE"
    MALE = "MALE"


class InterventionType(CodeEnum):
    """The kind of a treatment a study tests (``interventionType``)."""

    DRUG = "DRUG"
    DEVICE = "DEVICE"
    BIOLOGICAL = "BIOLOGICAL"
    PROCEDURE = "PROCEDURE"
    BEHAVIORAL = "BEHAVIORAL"
    DIETARY_SUPPLEMENT = "DIETARY_SUPPLEMENT"
    DIAGNOSTIC_TEST = "DIAGNOSTIC_TEST"
    RADIATION = "RADIATION"
    GENETIC = "GENETIC"
    COMBINATION_PRODUCT = "COMBINATION_PRODUCT"
    OTHER = "OTHER"


class FunderType(CodeEnum):
    """The kind of a study's lead sponsor (``leadSponsor.class``)."""

    INDUSTRY = "INDUSTRY"
    NIH = "NIH"
    FED = "FED"
    OTHER_GOV = "OTHER_GOV"
    NETWORK = "NETWORK"
    INDIV = "INDIV"
    OTHER = "OTHER"
    AMBIG = "AMBIG"
    UNKNOWN = "UNKNOWN"


_LABELS = {"Status": "status", "Phase": "phase", "StudyType": "study type", "Sex": "sex",
           "InterventionType": "intervention type", "FunderType": "funder type"}
#: The choices an unknown value's error lists, as the options' help says them (where that is
#: not every code in lower case: ``PHASE2`` is typed ``2``, a sex filter is ``female or male``).
_CHOICES = {"Phase": "1, 2, 3, 4, early_phase1, na", "Sex": "female or male"}
_ALIASES: dict[str, dict[str, str]] = {
    "Status": {
        "ACTIVE": "ACTIVE_NOT_RECRUITING",
        "OPEN": "RECRUITING",
        "NOT_RECRUITING": "ACTIVE_NOT_RECRUITING",
        "BY_INVITATION": "ENROLLING_BY_INVITATION",
        "INVITATION": "ENROLLING_BY_INVITATION",
        "NOT_YET": "NOT_YET_RECRUITING",
    },
    "Phase": {
        "0": "EARLY_PHASE1", "EARLY_1": "EARLY_PHASE1", "EARLY": "EARLY_PHASE1",
        "1": "PHASE1", "2": "PHASE2", "3": "PHASE3", "4": "PHASE4",
        "PHASE_1": "PHASE1", "PHASE_2": "PHASE2", "PHASE_3": "PHASE3", "PHASE_4": "PHASE4",
        "I": "PHASE1", "II": "PHASE2", "III": "PHASE3", "IV": "PHASE4",
        "N_A": "NA", "NONE": "NA", "NOT_APPLICABLE": "NA",
    },
    "StudyType": {"EXPANDED": "EXPANDED_ACCESS"},
    "Sex": {"F": "FEMALE", "M": "MALE", "WOMAN": "FEMALE", "MAN": "MALE", "ANY": "ALL",
            "WOMEN": "FEMALE", "MEN": "MALE"},
    "FunderType": {"FEDERAL": "FED", "INDIVIDUAL": "INDIV", "GOVERNMENT": "OTHER_GOV"},
}
_PRETTY = {
    "NA": "Not applicable",
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NIH": "NIH",
    "FED": "US federal agency",
    "OTHER_GOV": "Other government",
    "INDIV": "Individual",
    "AMBIG": "Unclear",
}

#: Statuses meaning "you may be able to join".
OPEN_STATUSES: tuple[Status, ...] = (Status.RECRUITING, Status.NOT_YET_RECRUITING)

@dataclass(frozen=True, slots=True)
class Distance:
    """A circle on the map: ``filter.geo=distance(lat,lon,radius unit)``."""

    lat: float
    lon: float
    radius: float = 50.0
    unit: str = "mi"

    def __post_init__(self) -> None:
        for name, value, bound in (("latitude", self.lat, 90), ("longitude", self.lon, 180)):
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise InvalidQueryError(f"{name} must be a number, not {value!r}")
            if not -bound <= value <= bound:
                raise InvalidQueryError(f"{name} must be within -{bound}..{bound}, not {value}")
        number_or_none(self.radius, "radius")
        if not math.isfinite(self.radius) or self.radius <= 0:
            raise InvalidQueryError(f"radius must be above 0, not {self.radius:g}")
        if self.unit not in ("mi", "km"):
            raise InvalidQueryError(f"radius unit must be mi or km, not {self.unit!r}")

    @classmethod
    def parse_radius(cls, text: str | float) -> tuple[float, str]:
        """``"50mi"``, ``"80 km"``, ``"25"`` (miles) -> (value, unit)."""
        if isinstance(text, int | float):
            return float(text), "mi"
        match = _RADIUS_RE.match(text)
        if not match:
            raise InvalidQueryError(f"radius {text!r} is not like 50mi or 80km")
        unit = (match.group(2) or "mi").lower()
        return float(match.group(1)), "km" if unit.startswith("k") else "mi"

    @property
    def radius_miles(self) -> float:
        return self.radius if self.unit == "mi" else self.radius / KM_PER_MILE
