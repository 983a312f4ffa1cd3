"""Raw ClinicalTrials.gov v2 study dicts -> tidy tables with declared dtypes.

The tables (studies, sites, contacts, officials, conditions, interventions) and every column
are declared once in :mod:`trialfinder.tables.schema`; this package reads what the spec says:

- the study-level paths are compiled at import into one straight-line reader that opens each
  nested object once per record and reads its keys with ``.get``;
- each child table reads the spec's keys from each item of its list (``locations[]``...), in
  the same single pass over the record;
- the rows are handed over a chunk of about 100 studies at a time and checked right away,
  while the objects they come from are still in the CPU's caches: strings go into Arrow arrays
  in one pass in C when pyarrow backs the ``string`` dtype (the usual case), and are checked
  value by value only when a value is not a string or pyarrow is absent;
- whatever needs a whole column (categories, dates and ages parsed once per *distinct* text,
  dtypes) is done once at the end, to the spec's dtypes (:mod:`trialfinder.tables.frames`);
- ``source`` is ``ctgov`` on every row (:data:`trialfinder.registries.ctgov.SOURCE`).

Values outside JSON's types (``bytes``, numpy strings) may be taken as text on the Arrow path;
JSON input never holds them.

Robustness: every record shape normalizes without raising. A record is first read on a fast
path that assumes the documented shape; if that fails (a string where a list is expected, a
list where an object is expected...) the record is repaired by :func:`_sanitize` against the
shape the spec implies (counting each repair in ``problems`` as ``wrong_type:<json path>``) and
read again. Scalar values of the wrong type (``"87"`` as enrollment, a number as a zip code) are
coerced column-wise and counted the same way. A bad value costs that value only: a number out
of Int64's range and a date out of ``datetime64[ns]``'s range are NA (the date's text stays in
its ``_raw`` column), never shifted. Records that cannot be used at all (not a mapping, no
``nctId``, or one that is not ``NCT`` and 8 ASCII digits:
:func:`trialfinder.registries.ctgov.query.is_nct_id`,
the one rule for ids wherever records come in) are counted in ``skipped`` and in ``problems``.
Nothing is dropped silently.

Problem keys: ``record_not_a_dict``, ``record_without_nct_id``, ``bad_nct_id`` (skipped),
``duplicate_nct_id`` (kept), ``unknown_status`` (kept), ``unknown_enum:<column>`` (kept),
``bad_date``, ``date_out_of_range``, ``out_of_range:<path>``, ``bad_age``,
``site_without_geopoint``, ``bad_geopoint``, ``wrong_type:<path>`` (contacts: ``contacts.<key>``),
``dropped_list_item:<path>`` (a list item that was not an object, e.g. ``null`` in locations).

Modules: ``_plan`` (the reading plan compiled from the spec), ``_extract`` (the one pass over
the records), ``_columns`` (one converter per column kind), ``_build`` (each table from its raw
values), ``_repair`` (the slow path for odd shapes), ``_tables`` (:class:`Tables` and the joining
of tables made apart), ``_values`` (ages, partial dates, study URLs).
"""

from __future__ import annotations

from trialfinder.registries.ctgov.normalize._extract import Normalizer, normalize
from trialfinder.registries.ctgov.normalize._values import (
    STUDY_URL_PREFIX,
    age_to_years,
    format_partial_date,
    format_partial_dates,
    parse_partial_date,
    study_url,
)
from trialfinder.tables.frames import Tables, TablesBuilder, concat_tables, empty_tables

__all__ = [
    "STUDY_URL_PREFIX",
    "Normalizer",
    "Tables",
    "TablesBuilder",
    "age_to_years",
    "concat_tables",
    "empty_tables",
    "format_partial_date",
    "format_partial_dates",
    "normalize",
    "parse_partial_date",
    "study_url",
]
