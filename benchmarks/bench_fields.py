"""What the ``fields`` list costs: bytes per study with the list views' fields.

Run: ``python benchmarks/bench_fields.py``. Prunes every full real record in ../shared/ctgov to
the fields asked for in list views, the way the API does (the stand-in's pruning), once with
the list as it was before contacts, officials, design and date types were added and once with
today's ``LIST_FIELDS``, and prints the compact JSON size of each (and of the full records).
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools/

from devtools.standin import _fields_trie, _prune, find_shared_dir, load_dataset
from trialfinder.registries.ctgov.fields import LIST_FIELDS

# The list as it stood before the contacts work (kept here only to measure the difference).
BEFORE: tuple[str, ...] = (
    "NCTId", "BriefTitle", "OfficialTitle", "Acronym", "OverallStatus", "LastKnownStatus",
    "WhyStopped", "StartDate", "PrimaryCompletionDate", "CompletionDate", "StudyFirstPostDate",
    "LastUpdatePostDate", "LeadSponsorName", "LeadSponsorClass", "CollaboratorName",
    "BriefSummary", "Condition", "Keyword", "ConditionMeshId", "ConditionMeshTerm", "StudyType",
    "Phase", "EnrollmentCount", "EnrollmentType", "InterventionType", "InterventionName",
    "InterventionOtherName", "InterventionArmGroupLabel", "EligibilityCriteria",
    "HealthyVolunteers", "Sex", "MinimumAge", "MaximumAge", "StdAge", "LocationFacility",
    "LocationStatus", "LocationCity", "LocationState", "LocationZip", "LocationCountry",
    "LocationGeoPoint", "LocationContactName", "LocationContactPhone", "LocationContactEMail",
    "HasResults",
)


def pruned_bytes(records: list[dict[str, object]], fields: tuple[str, ...]) -> int:
    trie = _fields_trie(",".join(fields))
    return sum(len(orjson.dumps(_prune(r, trie) or {})) for r in records)


def main() -> int:
    if find_shared_dir() is None:
        print("bench_fields: ../shared/ctgov not found; nothing to measure.")
        return 2
    records = load_dataset("shared")
    n = len(records)
    full = sum(len(orjson.dumps(r)) for r in records)
    before = pruned_bytes(records, BEFORE)
    after = pruned_bytes(records, LIST_FIELDS)
    added = sorted(set(LIST_FIELDS) - set(BEFORE))
    print(f"{n} real studies; full records {full / n / 1024:,.1f} KiB per study")
    print(f"list fields before: {len(BEFORE)} pieces, {before / n / 1024:,.2f} KiB per study")
    print(f"list fields now:    {len(LIST_FIELDS)} pieces, {after / n / 1024:,.2f} KiB per study "
          f"(+{(after - before) / before:.1%}, {(after - before) / n:,.0f} bytes per study)")
    print(f"added: {', '.join(added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
