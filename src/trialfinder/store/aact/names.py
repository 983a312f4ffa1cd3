"""The names of the AACT views' schemas (no imports: the command line reads them before it
loads DuckDB or pandas)."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["AACT_SCHEMA", "READS_AACT", "SCHEMA"]

SCHEMA: Final = "aact"
#: AACT's own schema: the same views under its name too, so SQL written for AACT that names
#: its schema (``ctgov.studies``) runs unchanged. (A bare ``studies``, which AACT's search
#: path allows, is the store's own table here.)
AACT_SCHEMA: Final = "ctgov"
#: A query that reads the views (``aact.studies``, ``"ctgov"."facilities"``).
READS_AACT: Final = re.compile(rf'\b"?(?:{SCHEMA}|{AACT_SCHEMA})"?\s*\.', re.IGNORECASE)
