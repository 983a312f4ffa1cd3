"""A peer client writing every study matching a condition into one CSV file, as a user would.

    python benchmarks/peer_csv.py ctgov|ctgov-pandas BASE_URL CONDITION OUT.csv

``ctgov`` (PyPI): ``ctgov.Client(delay=0).iter_studies("AREA[ConditionSearch]CONDITION")``
streams the pages (full records, ``pageSize`` 1000), ``ctgov.study_context(study)`` makes one
17-column row per study, and:

- ``ctgov``: the standard library's ``csv.DictWriter`` writes each row as it comes (the lean
  way: no pandas, one page in memory);
- ``ctgov-pandas``: the rows go into one ``pandas.DataFrame`` and ``to_csv`` (as
  ``contenders.py`` builds its DataFrame for ``run.py``).

The base URL is ctgov's module constant, pointed at the stand-in; ``delay=0`` turns off its
0.34 s pause after each request (trialfinder's pacing is off in the benchmark too).
``bench_analyst.py`` times it as a whole process beside ``trialfinder search ... --output``.
"""

from __future__ import annotations

import csv
import sys
from typing import Any


def main(name: str, base: str, condition: str, out: str) -> None:
    import ctgov
    import ctgov.client

    ctgov.client.BASE_URL = base + "/"
    client = ctgov.Client(delay=0)
    rows = (ctgov.study_context(study)
            for study in client.iter_studies(f"AREA[ConditionSearch]{condition}"))
    if name == "ctgov-pandas":
        import pandas as pd

        pd.DataFrame(list(rows)).to_csv(out, index=False)
        return
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer: Any = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)


if __name__ == "__main__":
    main(*sys.argv[1:5])
