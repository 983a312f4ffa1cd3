"""The ``fields`` asked for in list views: what the tables need, nothing more.

A full record of a large study runs to megabytes (results, documents, every outcome); a list
view needs identifiers, status, dates, design, eligibility limits, contacts and sites. The list
is derived from the column spec (:mod:`trialfinder.tables.schema`): each column names the API
pieces it is read from (``GET /studies/metadata`` spells them), so a new column cannot be
forgotten here.
"""

from __future__ import annotations

from trialfinder.tables.schema import list_fields

LIST_FIELDS: tuple[str, ...] = list_fields()


def fields_param(fields: tuple[str, ...] | None) -> dict[str, str]:
    """``{"fields": "A,B"}``, or nothing for full records."""
    return {"fields": ",".join(fields)} if fields else {}
