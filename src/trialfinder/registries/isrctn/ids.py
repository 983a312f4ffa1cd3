"""ISRCTN ids, study links, and the cross-references between ISRCTN and ClinicalTrials.gov.

An ISRCTN id is ``ISRCTN`` and eight ASCII digits (``ISRCTN99000001``); a record's own id is
kept in exactly that form. People and other registries write it more loosely (``isrctn
99000001``, ``ISRCTN-99000001``, ``ISRCTN: 99000001``), and ClinicalTrials.gov records
sometimes give only the eight digits with "ISRCTN" as the id's domain: :func:`isrctn_in_text`
reads those. NCT cross-references in ISRCTN records are free text too ("Nil known", "N/A",
"NCT 01234567"): :func:`nct_in_text` keeps only a real NCT id and ignores the rest.
"""

from __future__ import annotations

import re
from typing import Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.registries.ctgov.query import is_nct_id

#: ISRCTN's own API, where a search goes unless ``TRIALFINDER_ISRCTN_URL`` says otherwise.
API_URL: Final = "https://www.isrctn.com/api"

__all__ = [
    "API_URL",
    "ISRCTN_ID",
    "SOURCE",
    "STUDY_URL_PREFIX",
    "is_isrctn_id",
    "isrctn_in_text",
    "nct_in_text",
    "normalize_isrctn_id",
    "study_url",
]

#: The value of ``source`` for rows that come from ISRCTN.
SOURCE: Final = "isrctn"
STUDY_URL_PREFIX: Final = "https://www.isrctn.com/"
#: A record's id exactly as it is kept: ``ISRCTN`` and eight ASCII digits.
ISRCTN_ID: Final = re.compile(r"ISRCTN[0-9]{8}")
_LOOSE: Final = re.compile(r"^\s*(?:ISRCTN)?[\s:_#-]*([0-9]{8})\s*$", re.IGNORECASE | re.ASCII)
_IN_TEXT: Final = re.compile(r"ISRCTN[\s:_#-]*([0-9]{8})(?![0-9])", re.IGNORECASE | re.ASCII)
_NCT_IN_TEXT: Final = re.compile(r"(?<![A-Za-z0-9])NCT[\s:_#-]*([0-9]{8})(?![0-9])",
                                 re.IGNORECASE | re.ASCII)
_DIGITS_ONLY: Final = re.compile(r"^\s*([0-9]{8})\s*$", re.ASCII)


def is_isrctn_id(value: object) -> bool:
    """Whether ``value`` is an ISRCTN id exactly as a record holds it (``ISRCTN99000001``)."""
    return isinstance(value, str) and ISRCTN_ID.fullmatch(value) is not None


def normalize_isrctn_id(value: str) -> str:
    """``isrctn 99000001``, ``ISRCTN-99000001`` or ``99000001`` -> ``ISRCTN99000001``;
    anything else is an :class:`InvalidQueryError`."""
    match = _LOOSE.match(value) if isinstance(value, str) and len(value) <= 40 else None
    if match is None:
        shown = value[:40] if isinstance(value, str) else type(value).__name__
        raise InvalidQueryError(
            f"{shown!r} is not an ISRCTN id (expected ISRCTN and 8 digits, e.g. ISRCTN12345678)")
    return f"ISRCTN{match.group(1)}"


def study_url(isrctn_id: str) -> str:
    """``https://www.isrctn.com/ISRCTN...``, the study's page on the registry."""
    return STUDY_URL_PREFIX + isrctn_id


def isrctn_in_text(text: object, *, domain: object = None) -> str | None:
    """The ISRCTN id a secondary id names, or ``None``: ``"ISRCTN-99000001"`` ->
    ``ISRCTN99000001``; eight bare digits count only when ``domain`` (the id's registry, as a
    ClinicalTrials.gov record writes it) mentions ISRCTN."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    found = _IN_TEXT.search(text)
    if found:
        return f"ISRCTN{found.group(1)}"
    bare = _DIGITS_ONLY.match(text)
    if bare and isinstance(domain, str) and "isrctn" in domain.lower():
        return f"ISRCTN{bare.group(1)}"
    return None


def nct_in_text(text: object) -> str | None:
    """The NCT id in a cross-reference, or ``None`` for junk ("Nil known", "N/A", "", a
    placeholder whose eight digits are all the same): ``"NCT 99000001"`` -> ``NCT99000001``.
    A text naming two different NCT ids names none (which one is meant cannot be told)."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    found = {f"NCT{m.group(1)}" for m in _NCT_IN_TEXT.finditer(text)}
    if len(found) != 1:
        return None
    nct = found.pop()
    return nct if is_nct_id(nct) and len(set(nct[3:])) > 1 else None
