"""benchmarks/least_csv.py is a yardstick for issue 22's CPU target only if it writes what the
command writes: the same 51 cells for every study."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.scripts import load_script
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.export import to_csv_bytes
from trialfinder.topics.demo import load_demo_studies


def _least() -> Any:
    return load_script("benchmarks/least_csv.py")


def test_least_script_writes_the_commands_cells_for_every_demo_study() -> None:
    least = _least()
    records = load_demo_studies()
    ours = list(csv.reader(io.StringIO(to_csv_bytes(normalize(records).studies).decode())))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(least.HEADER)
    writer.writerows([least.row(r) for r in records])
    theirs = list(csv.reader(io.StringIO(text.getvalue())))
    assert len(theirs) == len(records) + 1 == len(ours)
    assert theirs[0] == ours[0]
    assert len(ours[0]) == 51
    differ = [(row[0], name, a, b) for row, other in zip(ours[1:], theirs[1:], strict=True)
              for name, a, b in zip(ours[0], row, other, strict=True) if a != b]
    assert differ == []


def test_least_script_reads_ages_dates_and_guards_as_the_command_does() -> None:
    least = _least()
    study = {"protocolSection": {
        "identificationModule": {"nctId": "NCT99000999", "briefTitle": "=1+1 trial"},
        "statusModule": {"startDateStruct": {"date": "2025-08", "type": "ESTIMATED"}},
        "eligibilityModule": {"minimumAge": "6 Months", "healthyVolunteers": False},
        "contactsLocationsModule": {"centralContacts": [{"phone": "555", "phoneExt": "12"}],
                                    "locations": [{"country": "Peru"}, {"country": "Peru"},
                                                  {"country": "Chile"}]},
    }}
    cells = dict(zip(least.HEADER, least.row(study), strict=True))
    ours = next(csv.DictReader(io.StringIO(to_csv_bytes(normalize([study]).studies).decode())))
    picked = ["title", "start_date", "start_date_precision", "min_age_years",
              "healthy_volunteers", "central_contact_phone", "n_sites", "countries"]
    assert {k: str(cells[k]) for k in picked} == {k: ours[k] for k in picked} == {
        "title": "'=1+1 trial", "start_date": "2025-08", "start_date_precision": "month",
        "min_age_years": "0.5", "healthy_volunteers": "false",
        "central_contact_phone": "555 ext. 12", "n_sites": "3", "countries": "Peru|Chile"}
