"""Small SQL builders shared by the AACT view definitions (text, never user input).

Every view reads ``main.aact_records r`` (the schema named, so the views also work when the
store file is attached under another name) and the parsed record in ``r.doc``. Lists are
mapped with list comprehensions (``[x FOR x IN l IF ...]``), which every DuckDB the project
allows reads the same way (lambda syntax changed between DuckDB 1.x and 2.0).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ID_STEP",
    "SOURCE",
    "US_PLACES",
    "end_date",
    "field",
    "matches",
    "ps",
    "row_id",
    "sql_list",
]

SOURCE: Final = "main.aact_records r"
#: Row ids: the NCT number times this, plus the row's position within its study (1-based).
#: 10^9 leaves room for 100,000 sites of 10,000 contacts each; an 8-digit NCT number times it
#: stays far within BIGINT.
ID_STEP: Final = 1_000_000_000

#: The places AACT counts as US facilities (``calculated_values.has_us_facility``).
US_PLACES: Final = (
    "United States", "Guam", "Puerto Rico", "U.S. Virgin Islands", "Virgin Islands (U.S.)",
    "Northern Mariana Islands", "American Samoa", "Midway Atoll", "Palmyra Atoll",
    "Baker Island", "Howland Island", "Jarvis Island", "Johnston Atoll", "Kingman Reef",
    "Wake Island", "Navassa Island", "Serranilla Bank", "Bajo Nuevo Bank",
)


def field(path: str, root: str = "r.doc") -> str:
    """A field of a struct: ``field("a.b")`` -> ``r.doc."a"."b"``."""
    return root + "".join(f'."{key}"' for key in path.split("."))


def ps(path: str) -> str:
    """A field of the protocol section."""
    return field("protocolSection." + path)


def sql_list(values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"[{quoted}]"


def end_date(text: str) -> str:
    """A registry date as AACT stores it: ``yyyy`` -> 31 December, ``yyyy-MM`` -> the month's
    last day, ``yyyy-MM-dd`` as it is; anything else ``NULL``."""
    return (f"CASE len(string_split({text}, '-')) "
            f"WHEN 1 THEN try_strptime({text} || '-12-31', '%Y-%m-%d')::DATE "
            f"WHEN 2 THEN last_day(try_strptime({text} || '-01', '%Y-%m-%d')::DATE) "
            f"ELSE try_strptime({text}, '%Y-%m-%d')::DATE END")


def row_id(position: str, nct: str = "r.nct_id") -> str:
    """A row id unique across the store: NCT number x ``ID_STEP`` + position."""
    return f"(try_cast(substr({nct}, 4) AS BIGINT) * {ID_STEP} + ({position}))"


def matches(text: str, pattern: str) -> str:
    """``text`` matches the case-blind regular expression ``pattern`` (``NULL`` text: false)."""
    return f"coalesce(regexp_matches({text}, '{pattern}', 'i'), false)"
