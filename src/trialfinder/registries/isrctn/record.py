"""An ISRCTN trial as a *record*: the JSON-ready mapping the registry seam passes around and
the study store keeps (hashed to name its version), and back.

ISRCTN answers are XML; :mod:`.xml` reads them into :class:`~.model.IsrctnTrial`. A record is
that trial's fields by name (``isrctn_id``, ``title``, ``recruitment_start`` ...), dates as
``YYYY-MM-DD`` text, nested parts (centres, conditions, sponsors ...) as lists of mappings, and
``None`` / empty values left out, so a record is small and two reads of the same trial give
the same record (the same hash). :func:`trial_of` reads a record back (a record from the
store is JSON text, hostile like any other): a value of the wrong type costs that value only
and is named in the trial's ``problems``; a record without an ISRCTN id is no trial (``None``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from trialfinder.registries.isrctn.ids import is_isrctn_id
from trialfinder.registries.isrctn.model import (
    AgeLimit,
    Centre,
    Condition,
    ContactPerson,
    Intervention,
    IsrctnTrial,
    Organisation,
    SecondaryNumber,
)

__all__ = ["ID_KEY", "record_of", "trial_of"]

#: The key of a record's id.
ID_KEY: Final = "isrctn_id"
_PARTS: Final[dict[str, type]] = {
    "secondary_numbers": SecondaryNumber, "centres": Centre, "conditions": Condition,
    "interventions": Intervention, "sponsors": Organisation, "funders": Organisation,
    "contacts": ContactPerson,
}
_TEXT_LISTS: Final = frozenset({"purposes", "trial_types", "recruitment_countries",
                                "participant_types", "problems"})
_AGES: Final = frozenset({"lower_age", "upper_age"})
_INTS: Final = frozenset({"version", "target_enrolment", "final_enrolment"})
_BOOLS: Final = frozenset({"healthy_volunteers", "fictional"})
_MAX_INT: Final = 999_999_999
_DATES: Final = frozenset(f.name for f in dataclasses.fields(IsrctnTrial)
                          if "date" in str(f.type))
#: Longest text kept from a record (a store's record is hostile; ISRCTN's texts are short).
_MAX_TEXT: Final = 100_000


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()
                if v not in (None, "", ())}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def record_of(trial: IsrctnTrial) -> dict[str, Any]:
    """``trial`` as a JSON-ready record (see the module docstring)."""
    return {f.name: _plain(getattr(trial, f.name)) for f in dataclasses.fields(trial)
            if getattr(trial, f.name) not in (None, "", ())}


def _text(value: object) -> str | None:
    return value[:_MAX_TEXT] if isinstance(value, str) and value else None


def _part(kind: type, value: object) -> Any:
    if not isinstance(value, Mapping):
        return None
    names = {f.name for f in dataclasses.fields(kind)}
    given = {k: _text(v) for k, v in value.items() if k in names}
    if kind in (Organisation, ContactPerson) and not given.get("id"):
        given["id"] = ""
    if kind is SecondaryNumber and not given.get("value"):
        return None
    return kind(**given)


def _value(name: str, value: object) -> tuple[Any, bool]:
    """The field ``name``'s value read from ``value``, and whether it was readable."""
    if name in _PARTS:
        if not isinstance(value, list):
            return (), False
        parts = [_part(_PARTS[name], v) for v in value]
        return tuple(p for p in parts if p is not None), None not in parts
    if name in _TEXT_LISTS:
        if not isinstance(value, list):
            return (), False
        return tuple(v[:_MAX_TEXT] for v in value if isinstance(v, str)), \
            all(isinstance(v, str) for v in value)
    if name in _DATES:
        try:
            return (date.fromisoformat(value), True) if isinstance(value, str) else (None, False)
        except ValueError:
            return None, False
    if name in _AGES:
        if isinstance(value, Mapping) and isinstance(value.get("value"), int | float) \
                and not isinstance(value.get("value"), bool) and isinstance(value.get("unit"),
                                                                             str):
            return AgeLimit(float(value["value"]), value["unit"],
                            _text(value.get("text")) or ""), True
        return None, False
    if name in _INTS:
        # whole numbers of up to nine digits, as ISRCTN's XML is read: a larger one (or one
        # below zero) cannot be a count of people or a version, and would not fit the tables
        good = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_INT
        return (value if good else None), good
    if name in _BOOLS:
        return (value if isinstance(value, bool) else None), isinstance(value, bool)
    return _text(value), isinstance(value, str)


def trial_of(record: object) -> IsrctnTrial | None:
    """The trial a record holds, or ``None`` when it has no ISRCTN id (see the module)."""
    if not isinstance(record, Mapping) or not is_isrctn_id(record.get(ID_KEY)):
        return None
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in dataclasses.fields(IsrctnTrial):
        if field.name in (ID_KEY, "problems") or field.name not in record:
            continue
        value, good = _value(field.name, record[field.name])
        values[field.name] = value
        if not good:
            problems.append(f"bad_record_value:{field.name}")
    kept, _ = _value("problems", record.get("problems", []))
    return IsrctnTrial(record[ID_KEY], **values, problems=(*kept, *problems))
