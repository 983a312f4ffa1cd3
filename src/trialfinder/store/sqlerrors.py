"""What ``trialfinder sql`` says when DuckDB refuses a query: one line, with DuckDB's own
suggestion kept and, for SQL written for AACT, where the AACT tables are.

DuckDB's message has its first line, then lines of help (``Did you mean "aact.facilities"?``,
``Candidate bindings: ...``), a blank line and an excerpt of the query. The first line alone
lost the help: ``from facilities`` said only that there is no such table. SQL written for AACT
reads ``ctgov.studies`` (AACT's schema, whose views the store has too), ``ctgov_v2.studies``
(AACT's schema while it moved to API v2) or, with AACT's search path, a bare ``studies`` (here
the store's own table, with other columns); the last two get a note that names the tables.
"""

from __future__ import annotations

import itertools
import logging
import re
from typing import Final

import duckdb

from trialfinder.store.aact.names import AACT_SCHEMA, READS_AACT, SCHEMA

__all__ = ["aact_hint", "sql_error"]

logger = logging.getLogger(__name__)

# DuckDB's advice to change a setting: `sql` runs SELECT only, so it is refused here
_SET_ADVICE: Final = re.compile(r"\s*(?:Use|Try|Set)\b[^.]*\bSET\b[^.]*\.?", re.IGNORECASE)
#: The lines of help under DuckDB's first line that are kept.
_HELP: Final = ("Did you mean", "Candidate bindings")
#: AACT's schema while it moved to API v2 (``ctgov`` itself is here).
_AACT_SCHEMA: Final = re.compile(r'schema "(ctgov_v2)" does not exist', re.IGNORECASE)
_NO_COLUMN: Final = re.compile(r'(?:Referenced column|does not have a column named) "([^"]+)"')
#: The most AACT tables named for a column (``id`` and ``nct_id`` are in every one).
_MOST_TABLES: Final = 4
#: DuckDB's "Did you mean" naming one of its own catalog tables (``from nope``: "pg_enum"),
#: which is no table of the store and only puzzles.
_SYSTEM_TABLE: Final = re.compile(
    r'^Did you mean "(?:pg_|duckdb_|sqlite_|pragma_|information_schema\.)[^"]*"\?$')
_NO_TABLE: Final = re.compile(r"Table with name \S+ does not exist")
#: PostgreSQL's functions that DuckDB lacks, as AACT's users write them -> DuckDB's way (DuckDB's
#: own "Did you mean" names a function of another kind: to_char -> "to_hours").
_PG_FUNCTIONS: Final = {
    "to_char": "strftime here: to_char(start_date, 'YYYY-MM') is strftime(start_date, '%Y-%m')",
    "to_date": "strptime here: to_date(t, 'YYYY-MM-DD') is strptime(t, '%Y-%m-%d')::date",
    "to_number": "a cast here: to_number(t, '999') is try_cast(t AS INTEGER)",
}
_GUESS: Final = re.compile(r'\s*Did you mean "[^"]*"\?')
_NO_FUNCTION: Final = re.compile(r"Function with name (\w+) does not exist", re.IGNORECASE)
#: Said instead, for a table the store does not have.
_LIST_TABLES: Final = " (trialfinder sql \"show tables\" lists the store's tables)"


def sql_error(exc: BaseException, hint: str = "") -> str:
    """DuckDB's error in one line, its suggestions kept (``Did you mean ...?``; candidate
    columns only without ``hint``) but for one of its own catalog tables (a table the store
    lacks is then told where its tables are listed), without advice to ``SET`` something
    (refused here), and ``hint`` (:func:`aact_hint`) at the end."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    helps = (h.strip() for h in itertools.takewhile(str.strip, lines[1:]))
    kept_help = _HELP[:1] if hint else _HELP  # a hint says better than the candidates
    said = [lines[0].strip(), *(h for h in helps
                                if h.startswith(kept_help) and not _SYSTEM_TABLE.match(h))]
    if len(said) == 1 and not hint and _NO_TABLE.search(said[0]):
        said[0] += _LIST_TABLES
    line = " ".join(said)
    if hint and _NO_FUNCTION.search(line):  # DuckDB's guess (to_char: "to_hours") misleads
        line = _GUESS.sub("", line)
    kept = _SET_ADVICE.sub("", line).strip()
    if kept != line:
        kept += " (sql cannot change DuckDB's settings: make the query simpler)"
    return f"SQL error: {kept}{hint}"


def aact_hint(con: duckdb.DuckDBPyConnection, sql: str, exc: BaseException) -> str:
    """A note for a query written for AACT that DuckDB refused, or ``""``: DuckDB's way for a
    function of PostgreSQL it lacks (``to_char``), AACT's schema name (``ctgov.studies``), or
    a column that is in AACT's tables but not where the query looked (the store's own
    ``studies``, or another AACT table)."""
    message = str(exc)
    function = _NO_FUNCTION.search(message)
    if function and (way := _PG_FUNCTIONS.get(function.group(1).lower())):
        return f" (PostgreSQL's {function.group(1)} is {way}; docs/aact.md)"
    schema = _AACT_SCHEMA.search(message)
    if schema:
        return (f" (the AACT tables are in the schemas {SCHEMA} and {AACT_SCHEMA} here: write "
                f"{AACT_SCHEMA}.studies for {schema.group(1)}.studies; docs/aact.md)")
    column = _NO_COLUMN.search(message)
    if not column or not isinstance(exc, duckdb.BinderException):
        return ""
    try:
        found = con.execute("SELECT DISTINCT table_name FROM information_schema.columns WHERE "
                            "table_schema = ? AND column_name = ? ORDER BY 1",
                            [SCHEMA, column.group(1)]).fetchall()
    except duckdb.Error as err:  # only a note: the error itself is said anyway
        logger.debug("no AACT tables looked up for the error: %s", err)
        return ""
    if not found:
        return ""
    tables = ", ".join(f"{SCHEMA}.{name}" for (name,) in found[:_MOST_TABLES])
    more = f" and {len(found) - _MOST_TABLES} more" if len(found) > _MOST_TABLES else ""
    where = "" if READS_AACT.search(sql) else (
        f": the AACT tables are in the schemas {SCHEMA} and {AACT_SCHEMA}, the store's own "
        "tables have other columns; docs/aact.md")
    return f" (AACT's {column.group(1)} is in {tables}{more}{where})"
