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
from functools import cache
from importlib import resources
from typing import Any

from trialfinder.core.errors import DataFileError
from trialfinder.core.packed import unpack_gzip

__all__ = ["DEMO_BANNER", "DEMO_FILE", "is_demo_id", "load_demo_studies"]

#: Name of the packaged file, inside ``trialfinder/data``.
DEMO_FILE = "demo_studies.json.gz"

#: The unpacked demo file may not exceed this many bytes (it is about 0.7 MB).
MAX_DEMO_BYTES = 8_000_000

#: Shown wherever demo records are on screen.
DEMO_BANNER = (
    "Demo mode: the trials shown here are fictional examples made up for this demo, not real "
    "studies you can join, and this is not medical advice."
)

_DEMO_ID = re.compile(r"^NCT99\d{6}$", re.IGNORECASE)


def is_demo_id(nct_id: str) -> bool:
    """True for ids of the fictional range ``NCT99000000``-``NCT99999999``."""
    return bool(_DEMO_ID.match(str(nct_id).strip()))


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
