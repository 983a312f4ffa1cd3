"""One study in depth: eligibility split into lists, outcomes as a table.

The list view asks the API only for ``fields`` (see :mod:`trialfinder.api.fields`); a detail view
fetches the full record once and reads what only it has (outcomes, intervention descriptions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trialfinder.tables.eligibility import Criteria, split_criteria

__all__ = ["OUTCOME_DTYPES", "Criteria", "outcomes_table", "split_criteria"]

OUTCOME_DTYPES = {"nct_id": "string", "kind": "category", "measure": "string",
                  "time_frame": "string", "description": "string"}


def outcomes_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """Primary, secondary and other outcome measures of one full study record."""
    proto = record.get("protocolSection")
    proto = proto if isinstance(proto, Mapping) else {}
    ident = proto.get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, Mapping) else None
    module = proto.get("outcomesModule")
    module = module if isinstance(module, Mapping) else {}
    rows: list[dict[str, Any]] = []
    for kind in ("primary", "secondary", "other"):
        items = module.get(f"{kind}Outcomes")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                rows.append({"nct_id": nct, "kind": kind, "measure": item.get("measure"),
                             "time_frame": item.get("timeFrame"),
                             "description": item.get("description")})
    frame = pd.DataFrame(rows, columns=list(OUTCOME_DTYPES))
    return frame.astype(OUTCOME_DTYPES)
