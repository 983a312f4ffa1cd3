"""The fictional demo data set, for trying trialfinder without the network.

``data/demo_studies.json.gz`` holds about sixty invented study records in the exact shape of the
ClinicalTrials.gov API v2 (a bare JSON array, like the website's "Download JSON"). Their ids
run from ``NCT99000001`` upwards, a range the real registry does not use, and every summary
says it is a fictional demo study. The file is produced by ``tools/make_demo_data.py`` and
shipped gzip-compressed; it is read with a cap on its unpacked size.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from trialfinder.core.errors import DataFileError
from trialfinder.core.packed import unpack_gzip

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEMO_BANNER", "DEMO_FILE", "FICTIONAL_COLUMN", "FICTIONAL_NOTE",
           "FICTIONAL_PROVENANCE", "NO_STUDY_PAGE", "declare_fictional", "forget_declared",
           "honest_links",
           "is_demo_id", "load_demo_studies", "mark_fictional", "no_study_page",
           "shows_fictional"]

#: Name of the packaged file, inside ``trialfinder/data``.
DEMO_FILE = "demo_studies.json.gz"

#: The unpacked demo file may not exceed this many bytes (it is about 0.7 MB).
MAX_DEMO_BYTES = 8_000_000

#: Shown wherever demo records are on screen.
DEMO_BANNER = (
    "Demo mode: the trials shown here are fictional examples made up for this demo, not real "
    "studies you can join, and this is not medical advice."
)

#: The command line's note when fictional studies are shown (the banner's words).
FICTIONAL_NOTE = ("fictional data: the trials shown here are fictional examples made up for "
                  "trialfinder's demo (ids from NCT99000000 up, or records a stand-in marks as "
                  "invented), not real studies you can join")

#: What a provenance file says of fictional studies (its ``fictional`` key).
FICTIONAL_PROVENANCE = "invented demo studies, not from any registry"

def no_study_page(registry: str) -> str:
    """Said instead of a link to ``registry``'s site (its title) for a fictional study."""
    return f"An invented demo study: it has no page on {registry}."


#: Said instead of a link to ClinicalTrials.gov for a fictional study.
NO_STUDY_PAGE = no_study_page("ClinicalTrials.gov")

#: The first column of an exported table of fictional studies ("yes" on every row).
FICTIONAL_COLUMN = "fictional_demo_data"

_DEMO_ID = re.compile(r"^NCT99\d{6}$", re.IGNORECASE)
#: Ids whose records declared themselves invented when they were last read (a registry with no
#: free id range, such as ISRCTN, whose stand-in marks every record it serves).
_DECLARED: set[str] = set()
_DECLARED_LOCK = threading.Lock()


def declare_fictional(study_id: str, fictional: bool) -> None:
    """Record what the record of ``study_id`` just read says of itself: invented
    (``fictional``, a mark only a stand-in writes) or not. A registry's reader calls it for
    every record it reads, so the last reading of an id decides: a real record read after a
    stand-in's record with the same id (ISRCTN's numbers are random, no range is free) is
    real again. Nothing is ever guessed from a record's words."""
    key = str(study_id).strip().upper()
    with _DECLARED_LOCK:
        if fictional:
            _DECLARED.add(key)
        else:
            _DECLARED.discard(key)


def forget_declared() -> None:
    """Forget every id read as invented (a test starts afresh)."""
    with _DECLARED_LOCK:
        _DECLARED.clear()


def is_demo_id(nct_id: str) -> bool:
    """True for ids of the fictional range ``NCT99000000``-``NCT99999999``, and for ids whose
    record, when last read, declared itself invented (:func:`declare_fictional`)."""
    text = str(nct_id).strip()
    return bool(_DEMO_ID.match(text)) or (bool(_DECLARED) and text.upper() in _DECLARED)


def shows_fictional(ids: Iterable[object]) -> bool:
    """The one rule for results on screen or in a file: they are shown as fictional (the
    demo's banner, note, file names and first column) when any study among them has an id of
    the fictional range, or one whose record declared itself invented (:func:`is_demo_id`),
    whatever served them (the demo, a stand-in of the API, a file). Fictional data are never
    shown as real."""
    return any(is_demo_id(str(i)) for i in ids)


def honest_links(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the ``url`` of each fictional study emptied (missing): an invented study
    has no page on ClinicalTrials.gov, so a file or table must not link one there. Fiction is
    decided per row by the one rule (:func:`shows_fictional`); ``frame`` itself when no row is
    fictional or it has no ``url`` column."""
    if "url" not in frame.columns or "nct_id" not in frame.columns:
        return frame
    fake = [shows_fictional((i,)) for i in frame["nct_id"].astype(str)]
    if not any(fake):
        return frame
    import pandas as pd

    out = frame.copy()
    out["url"] = out["url"].mask(pd.Series(fake, index=frame.index, dtype=bool))
    return out


def mark_fictional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a first column saying every row is an invented demo study."""
    import pandas as pd

    marker = pd.DataFrame({FICTIONAL_COLUMN: ["yes"] * len(frame)}, index=frame.index)
    return pd.concat([marker, frame], axis=1)


@cache
def _demo_text() -> str:
    try:
        packed = (resources.files("trialfinder") / "data" / DEMO_FILE).read_bytes()
    except (FileNotFoundError, OSError) as exc:  # pragma: no cover - broken install
        raise DataFileError(f"the demo data file {DEMO_FILE} is missing: {exc}") from exc
    return unpack_gzip(packed, MAX_DEMO_BYTES, DEMO_FILE).decode("utf-8")


def load_demo_studies() -> list[dict[str, Any]]:
    """The demo study records, freshly parsed on every call.

    The file is read once and cached; each call parses it again, so callers get their own
    copy and may change it without affecting anybody else.
    """
    data = json.loads(_demo_text())
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise DataFileError(f"{DEMO_FILE} is not a JSON array of study records")
    return data
