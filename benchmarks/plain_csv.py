"""The plain script a user would write: every study matching a condition into one CSV file.

    python benchmarks/plain_csv.py BASE_URL CONDITION OUT.csv

``requests`` pages through ``/studies`` (``pageSize=1000``, no ``fields``, following
``nextPageToken``), ``json.loads`` parses each page, ``pandas.json_normalize`` flattens every
study at once and ``DataFrame.to_csv`` writes the file. ``bench_csv.py`` times it as a whole
process beside ``trialfinder search ... --output``; it is kept as plain as a user would keep it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pandas as pd
import requests


def main(base: str, condition: str, out: str) -> None:
    session = requests.Session()
    params: dict[str, Any] = {"query.cond": condition, "pageSize": 1000}
    studies: list[dict[str, Any]] = []
    while True:
        response = session.get(f"{base}/studies", params=params, timeout=120)
        response.raise_for_status()
        page = json.loads(response.content)
        studies.extend(page.get("studies", []))
        token = page.get("nextPageToken")
        if not token:
            break
        params["pageToken"] = token
    pd.json_normalize(studies).to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
