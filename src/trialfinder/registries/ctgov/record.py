"""Facts the study page reads straight from one raw v2 study record (hostile: any shape):
:func:`study_page` gives them as one :class:`~trialfinder.registries.base.StudyPage` (the
official title, key dates, enrollment, central contacts, outcomes and arms).

Every function returns plain text, ``None`` or typed values; nothing here trusts the record's
types. HTML character references in the record's text are decoded once
(:mod:`trialfinder.core.entities`). The list view asks the API only for ``fields``
(:mod:`trialfinder.registries.ctgov.fields`); a study's page fetches the full record once and
reads what only it has here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trialfinder.core.entities import decode_entities
from trialfinder.core.missing import dig
from trialfinder.core.wording import plural
from trialfinder.registries.base import Arm, Contact, Outcome, StudyPage

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Contact", "arms", "arms_table", "central_contacts", "enrollment_text", "key_dates",
           "official_title", "outcomes", "outcomes_table", "study_page"]

MAX_FIELD = 500  # characters kept of one contact field


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return decode_entities(" ".join(str(value).split()))[:MAX_FIELD]


def central_contacts(record: Mapping[str, Any]) -> list[Contact]:
    """The study-wide contacts (``contactsLocationsModule.centralContacts``)."""
    raw = dig(record, "protocolSection", "contactsLocationsModule", "centralContacts")
    out: list[Contact] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        phone = _text(item.get("phone"))
        ext = _text(item.get("phoneExt"))
        contact = Contact(
            name=_text(item.get("name")),
            role=_text(item.get("role")).replace("_", " ").capitalize(),
            phone=f"{phone} ext. {ext}" if phone and ext else phone,
            email=_text(item.get("email")),
        )
        if contact.name or contact.phone or contact.email:
            out.append(contact)
    return out


_DATES = (
    ("startDateStruct", "Start"),
    ("primaryCompletionDateStruct", "Primary completion"),
    ("completionDateStruct", "Completion"),
)


def key_dates(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``[("Start", "2023-05 (actual)"), ...]``; dates as written in the record, with
    whether they are actual or estimated when the record says so."""
    status = dig(record, "protocolSection", "statusModule")
    out: list[tuple[str, str]] = []
    for field, label in _DATES:
        struct = dig(status, field)
        date = _text(dig(struct, "date"))
        if date:
            kind = _text(dig(struct, "type")).lower()
            out.append((label, f"{date} ({kind})" if kind in ("actual", "estimated") else date))
    for field, label in (("studyFirstPostDateStruct", "First posted"),
                         ("lastUpdatePostDateStruct", "Last update")):
        date = _text(dig(status, field, "date"))
        if date:
            out.append((label, date))
    return out


def enrollment_text(record: Mapping[str, Any]) -> str | None:
    """``"120 people (estimated)"`` or ``None``."""
    info = dig(record, "protocolSection", "designModule", "enrollmentInfo")
    count = dig(info, "count")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < 10**9:
        return None
    kind = _text(dig(info, "type")).lower()
    when = f" ({kind})" if kind in ("actual", "estimated") else ""
    return plural(count, "person", "people") + when


def official_title(record: Mapping[str, Any]) -> str:
    return _text(dig(record, "protocolSection", "identificationModule", "officialTitle"))


def _decoded(value: Any) -> str | None:
    """A record's text with its HTML character references decoded once; ``None`` for
    anything that is not text."""
    return decode_entities(value) if isinstance(value, str) else None


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _texts(value: Any) -> list[str]:
    return [decode_entities(v) for v in value if isinstance(v, str) and v] \
        if isinstance(value, list) else []


def outcomes(record: Mapping[str, Any]) -> tuple[Outcome, ...]:
    """Primary, secondary and other outcome measures (``outcomesModule``)."""
    module = dig(record, "protocolSection", "outcomesModule")
    return tuple(
        Outcome(kind, _decoded(item.get("measure")), _decoded(item.get("timeFrame")),
                _decoded(item.get("description")))
        for kind in ("primary", "secondary", "other")
        for item in _items(dig(module, f"{kind}Outcomes")))


def arms(record: Mapping[str, Any]) -> tuple[Arm, ...]:
    """The arm groups, each with the interventions it gets: the arm's own
    ``interventionNames`` ("Drug: Baclofen") when given, otherwise the names of the
    interventions whose ``armGroupLabels`` name the arm."""
    module = dig(record, "protocolSection", "armsInterventionsModule")
    by_label: dict[str, list[str]] = {}
    for iv in _items(dig(module, "interventions")):
        name = iv.get("name")
        if isinstance(name, str) and name:
            for group in _texts(iv.get("armGroupLabels")):
                by_label.setdefault(group, []).append(decode_entities(name))
    out: list[Arm] = []
    for arm in _items(dig(module, "armGroups")):
        label = _decoded(arm.get("label"))
        names = _texts(arm.get("interventionNames")) or by_label.get(label or "", [])
        kind = arm.get("type")
        out.append(Arm(label, kind if isinstance(kind, str) else None, tuple(names),
                       _decoded(arm.get("description"))))
    return tuple(out)


def study_page(record: Mapping[str, Any]) -> StudyPage:
    """Every fact of the study page that a full record holds beyond the tables."""
    nct = dig(record, "protocolSection", "identificationModule", "nctId")
    return StudyPage(
        study_id=nct if isinstance(nct, str) else None,
        official_title=official_title(record),
        dates=tuple(key_dates(record)),
        enrollment=enrollment_text(record),
        contacts=tuple(central_contacts(record)),
        outcomes=outcomes(record),
        arms=arms(record),
    )


def outcomes_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """The outcome measures of one full record as a table."""
    return study_page(record).outcomes_frame()


def arms_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """The arm groups of one full record as a table (interventions ``|``-joined)."""
    return study_page(record).arms_frame()
