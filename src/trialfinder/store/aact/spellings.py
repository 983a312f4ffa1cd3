"""AACT's older spellings of the registry's codes, found in a query's string literals.

AACT before its move to API v2 (and the ClinicalTrials.gov website) wrote the codes in
words: ``'Recruiting'``, ``'Phase 2'``, ``'Interventional'``. The AACT views hold the codes as
the API sends them (``RECRUITING``, ``PHASE2``; docs/aact.md, "Value conventions"), so SQL
brought from AACT that compares with the words finds nothing, and says nothing. This module
names them, for a note; no imports beyond the standard library (the command line reads it
before it loads DuckDB).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["OLD_SPELLINGS", "old_spellings", "spelling_note"]

#: Words AACT and the website use -> the code the views hold (exact, case as written).
OLD_SPELLINGS: Final[dict[str, str]] = {
    # overall_status, facilities.status
    "Recruiting": "RECRUITING", "Not yet recruiting": "NOT_YET_RECRUITING",
    "Active, not recruiting": "ACTIVE_NOT_RECRUITING", "Completed": "COMPLETED",
    "Enrolling by invitation": "ENROLLING_BY_INVITATION", "Suspended": "SUSPENDED",
    "Terminated": "TERMINATED", "Withdrawn": "WITHDRAWN", "Unknown status": "UNKNOWN",
    "Available": "AVAILABLE", "No longer available": "NO_LONGER_AVAILABLE",
    "Temporarily not available": "TEMPORARILY_NOT_AVAILABLE",
    "Approved for marketing": "APPROVED_FOR_MARKETING", "Withheld": "WITHHELD",
    # phase
    "Early Phase 1": "EARLY_PHASE1", "Phase 1": "PHASE1", "Phase 2": "PHASE2",
    "Phase 3": "PHASE3", "Phase 4": "PHASE4", "Phase 1/Phase 2": "PHASE1/PHASE2",
    "Phase 2/Phase 3": "PHASE2/PHASE3", "N/A": "NA", "Not Applicable": "NA",
    # study_type
    "Interventional": "INTERVENTIONAL", "Observational": "OBSERVATIONAL",
    "Expanded Access": "EXPANDED_ACCESS",
    "Observational [Patient Registry]": "OBSERVATIONAL",
    # gender
    "All": "ALL", "Female": "FEMALE", "Male": "MALE",
    # intervention_type
    "Drug": "DRUG", "Device": "DEVICE", "Biological": "BIOLOGICAL", "Procedure": "PROCEDURE",
    "Behavioral": "BEHAVIORAL", "Dietary Supplement": "DIETARY_SUPPLEMENT",
    "Radiation": "RADIATION", "Genetic": "GENETIC", "Diagnostic Test": "DIAGNOSTIC_TEST",
    "Combination Product": "COMBINATION_PRODUCT",
    # agency_class
    "Industry": "INDUSTRY", "U.S. Fed": "FED", "Other": "OTHER",
}
#: A SQL string literal ('it''s' holds a quote).
_LITERAL: Final = re.compile(r"'((?:[^']|'')*)'")
#: The most spellings one note names.
_MOST: Final = 3


def old_spellings(sql: str) -> list[tuple[str, str]]:
    """Each string literal of ``sql`` that is an older spelling, with its code, once, in the
    order written."""
    out: dict[str, str] = {}
    for match in _LITERAL.finditer(sql):
        text = match.group(1).replace("''", "'")
        if text in OLD_SPELLINGS:
            out.setdefault(text, OLD_SPELLINGS[text])
    return list(out.items())


def spelling_note(sql: str) -> str:
    """A note naming the older spellings ``sql`` compares with and their codes, or ``""``."""
    found = old_spellings(sql)
    if not found:
        return ""
    words = ", ".join(f"'{text}'" for text, _ in found[:_MOST])
    codes = ", ".join(f"'{code}'" for _, code in found[:_MOST])
    more = f" and {len(found) - _MOST} more" if len(found) > _MOST else ""
    one = len(found) == 1
    return (f"{words}{more} {'is' if one else 'are'} AACT's older spelling"
            f"{'' if one else 's'}: the AACT tables here hold the codes the API sends "
            f"({codes}), so {'it matches' if one else 'they match'} no code "
            "(docs/aact.md, Value conventions)")
