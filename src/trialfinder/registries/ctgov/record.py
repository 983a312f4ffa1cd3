"""Facts the study page reads straight from one raw study record (hostile: any shape).

Every function returns plain text or ``None``; nothing here trusts the record's types. HTML
character references in the record's text are decoded once (:mod:`trialfinder.core.entities`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialfinder.core.entities import decode_entities
from trialfinder.core.wording import plural

__all__ = ["Contact", "central_contacts", "enrollment_text", "key_dates", "official_title"]

MAX_FIELD = 500  # characters kept of one contact field


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    role: str
    phone: str
    email: str


def _dig(record: Any, *path: str) -> Any:
    value = record
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return decode_entities(" ".join(str(value).split()))[:MAX_FIELD]


def central_contacts(record: Mapping[str, Any]) -> list[Contact]:
    """The study-wide contacts (``contactsLocationsModule.centralContacts``)."""
    raw = _dig(record, "protocolSection", "contactsLocationsModule", "centralContacts")
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
    status = _dig(record, "protocolSection", "statusModule")
    out: list[tuple[str, str]] = []
    for field, label in _DATES:
        struct = _dig(status, field)
        date = _text(_dig(struct, "date"))
        if date:
            kind = _text(_dig(struct, "type")).lower()
            out.append((label, f"{date} ({kind})" if kind in ("actual", "estimated") else date))
    for field, label in (("studyFirstPostDateStruct", "First posted"),
                         ("lastUpdatePostDateStruct", "Last update")):
        date = _text(_dig(status, field, "date"))
        if date:
            out.append((label, date))
    return out


def enrollment_text(record: Mapping[str, Any]) -> str | None:
    """``"120 people (estimated)"`` or ``None``."""
    info = _dig(record, "protocolSection", "designModule", "enrollmentInfo")
    count = _dig(info, "count")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < 10**9:
        return None
    kind = _text(_dig(info, "type")).lower()
    when = f" ({kind})" if kind in ("actual", "estimated") else ""
    return plural(count, "person", "people") + when


def official_title(record: Mapping[str, Any]) -> str:
    return _text(_dig(record, "protocolSection", "identificationModule", "officialTitle"))
