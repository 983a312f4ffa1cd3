"""An Atom feed (RFC 4287) of watch changes, written with the standard library.

Every text from a record goes in as element text, which ElementTree escapes; nothing is
written as markup. Every text and attribute passes :func:`xml_text` first: capped, and
without the characters XML 1.0 forbids, so the feed always parses. Entry ids are stable for
the same change of the same run, so a feed reader shows each change once.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from trialfinder._version import __version__
from trialfinder.core.delivery import stage
from trialfinder.core.errors import DataFileError
from trialfinder.core.textcap import LINE_CHARS, cap
from trialfinder.registries import registry_of
from trialfinder.store.watch import Change
from trialfinder.topics import demo

__all__ = ["ATOM_NS", "check_feed_path", "feed_bytes", "watch_feed_id", "write_feed", "xml_text"]

ATOM_NS = "http://www.w3.org/2005/Atom"

_PART_CHARS = LINE_CHARS // 2 - 100  # a title and a detail together fit in one entry's line

_HEADLINES = {
    "new": "new in the results",
    "gone": "left the results",
    "status": "status changed",
    "site_added": "new site",
    "site_removed": "site removed",
    "updated": "record updated",
}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}",
                            {name: xml_text(value) for name, value in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


# Every character XML 1.0 cannot carry (its ``Char`` production): C0 controls but tab, line
# feed and carriage return; surrogates (unpaired ones reach us from JSON's \ud800 escapes);
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str, limit: int = LINE_CHARS) -> str:
    """``text`` as a feed carries it: capped at ``limit`` characters (a feed reader shows a
    line, not a book), without the characters XML 1.0 forbids (dropped, as the terminal drops
    control characters), so the feed parses in any XML parser."""
    return _NOT_XML.sub("", cap(text, limit))


def _stamp(when: datetime) -> str:
    moment = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def watch_feed_id(names: Sequence[str]) -> str:
    """The feed's id (an IRI, as RFC 4287 asks) for the changes of the watches ``names``,
    the same from the command line and the dashboard: each name percent-encoded, so a name
    with spaces or signs gives a valid id, and two names give two ids."""
    return "urn:trialfinder:watch:" + "+".join(quote(name, safe="") for name in names)


def feed_bytes(changes: Sequence[Change], *, title: str, feed_id: str,
               updated: datetime | None = None) -> bytes:
    """The Atom document for ``changes`` (UTF-8 bytes)."""
    ET.register_namespace("", ATOM_NS)
    now = _stamp(updated or datetime.now(UTC))
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(root, "title", title)
    _sub(root, "id", feed_id)
    _sub(root, "updated", now)
    _sub(root, "generator", "trialfinder", version=__version__)
    author = _sub(root, "author")
    _sub(author, "name", "trialfinder")
    for change in changes:
        entry = _sub(root, "entry")
        headline = _HEADLINES.get(change.change, change.change)
        detail = change.detail()
        # the id keys a status change on its codes, as earlier feeds did (its words may change)
        coded = f"{change.before} -> {change.after}" if change.change == "status" else detail
        key = "|".join([change.watch, change.nct_id, change.change, change.when or "", coded])
        # each part capped on its own, so an entry says which part was cut and how long it was
        detail = cap(detail, _PART_CHARS)
        text = f"{change.nct_id}: {headline}" + (f" ({detail})" if detail else "")
        _sub(entry, "title", text)
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        _sub(entry, "id", f"urn:trialfinder:change:{digest}")
        _sub(entry, "updated", change.when or now)
        if demo.shows_fictional((change.nct_id,)):  # no page to link to: said in words
            _sub(entry, "content", demo.no_study_page(registry_of(change.nct_id).title),
                 type="text")
        else:
            _sub(entry, "link", href=registry_of(change.nct_id).study_url(change.nct_id))
        summary = f"{cap(change.title or change.nct_id, _PART_CHARS)} — {headline}" + (
            f": {detail}" if detail else "")
        _sub(entry, "summary", summary)
        _sub(entry, "category", term=change.change)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def write_feed(path: Path, changes: Sequence[Change], *, title: str, feed_id: str) -> Path:
    """Write the feed atomically (a reader never sees half a file; a write that fails leaves
    no temporary file and raises :class:`~trialfinder.core.errors.DataFileError`). Under the
    command line it is renamed into place with the command's other outputs
    (:func:`trialfinder.core.delivery.stage`)."""
    stage((path, feed_bytes(changes, title=title, feed_id=feed_id)))
    return path


def check_feed_path(path: Path) -> None:
    """Refuse at once a feed path that cannot be a file (a folder, a folder that is missing),
    before a watch run asks anything of the API."""
    if path.is_dir() or not path.name:
        raise DataFileError(f"cannot write the feed to {path}: it is a folder; give a file "
                                "name such as changes.xml")
    if path.exists() and not path.is_file():  # a device or a pipe is never replaced
        raise DataFileError(f"cannot write the feed to {path}: it exists and is not a "
                                "regular file")
    if not path.parent.is_dir():
        raise DataFileError(f"cannot write the feed: no folder {path.parent}")
