"""The API's piece names, from the column spec: the ``fields`` asked for in list views, and
where each piece's text sits in a record (for the text search of records in hand).

A full record of a large study runs to megabytes (results, documents, every outcome); a list
view needs identifiers, status, dates, design, eligibility limits, contacts and sites. The list
is derived from the column spec (:mod:`trialfinder.tables.schema`): each column names the API
pieces it is read from (``GET /studies/metadata`` spells them), so a new column cannot be
forgotten here. The same declarations say where each piece's values are in a record
(:func:`piece_paths`), which is all the offline text search needs to know
(:mod:`trialfinder.registries.ctgov.textsearch`).
"""

from __future__ import annotations

from typing import Final

from trialfinder.tables.schema import TABLES, list_fields

__all__ = ["LIST_FIELDS", "fields_param", "piece_paths"]

LIST_FIELDS: tuple[str, ...] = list_fields()

# Kinds whose value is the piece's text as sent (a date, a number or a code is not searched).
_TEXT_KINDS: Final = frozenset(["key", "text", "list"])


def piece_paths() -> dict[str, tuple[str, ...]]:
    """Each API piece of a text column -> the keys of its values in a record
    (``"LocationCity"`` -> ``("protocolSection", "contactsLocationsModule", "locations",
    "city")``; a list on the way means every item). A child table's column is read under each
    list its rows come from: with several (contacts: central and site contacts) its pieces
    name them in the same order."""
    out: dict[str, tuple[str, ...]] = {}
    for table in TABLES:
        for col in table.columns:
            if col.kind not in _TEXT_KINDS or not col.pieces:
                continue
            roots = ("",) if col.kind == "key" else table.items  # the key's path is absolute
            if len(roots) == 1:
                roots = roots * len(col.pieces)
            if len(roots) != len(col.pieces):  # pragma: no cover - a slip in the spec
                raise ValueError(f"{table.name}.{col.name}: {len(col.pieces)} pieces for "
                                 f"{len(roots)} lists")
            for piece, root in zip(col.pieces, roots, strict=True):
                keys = tuple(p.removesuffix("[]") for p in root.split(".") if p) + col.keys
                if out.setdefault(piece, keys) != keys:  # pragma: no cover - a slip in the spec
                    raise ValueError(f"piece {piece} is read at two paths")
    return out


def fields_param(fields: tuple[str, ...] | None) -> dict[str, str]:
    """``{"fields": "A,B"}``, or nothing for full records."""
    return {"fields": ",".join(fields)} if fields else {}
