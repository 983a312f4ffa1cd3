"""Fictional records of the fake registry, in its own JSON shape (not ClinicalTrials.gov's):

    {"ref": "FAKE-0001", "label": ..., "phase_of_life": "open" | "soon" | "closed" | "done" |
     "halted", "illness": [...], "remedies": [{"kind": "drug", "called": ...}],
     "begins": "2024-03", "edited": "2026-11-20", "ages": {"from": 18, "to": 65},
     "blurb": ..., "rules": {"in": [...], "out": [...]}, "measures": [{"what", "when",
     "main"}], "helpdesk": {"name", "phone", "email"}, "people": 40,
     "clinics": [{"name", "town", "region", "nation", "at": [lat, lon]}]}

Every study, place and person here is invented.
"""

from __future__ import annotations

import copy
from typing import Any

BOSTON = {"name": "Fictional General Hospital", "town": "Boston", "region": "Massachusetts",
          "nation": "United States", "at": [42.3601, -71.0589]}
LYON = {"name": "Centre Hospitalier Fictif", "town": "Lyon", "nation": "France",
        "at": [45.7640, 4.8357]}
WORCESTER = {"name": "Imaginary Clinic Worcester", "town": "Worcester",
             "region": "Massachusetts", "nation": "United States", "at": [42.2626, -71.8023]}


def fake_record(ref: str, label: str, *, state: str = "open", illness: tuple[str, ...] = (),
                clinics: tuple[dict[str, Any], ...] = (), begins: str = "2024-03",
                edited: str = "2026-11-01", remedy: str = "Imaginol") -> dict[str, Any]:
    """One record of the fake registry."""
    return {
        "ref": ref, "label": label, "phase_of_life": state, "illness": list(illness),
        "remedies": [{"kind": "drug", "called": remedy}], "begins": begins, "edited": edited,
        "ages": {"from": 18, "to": 80}, "people": 40,
        "blurb": f"An invented study of {remedy} for people with {', '.join(illness)}.",
        "rules": {"in": ["Adults with the condition"], "out": ["Pregnancy"]},
        "measures": [{"what": "Symptom score", "when": "12 weeks", "main": True},
                     {"what": "Days in hospital", "when": "1 year", "main": False}],
        "helpdesk": {"name": "Pretend Study Desk", "phone": "555-0100",
                     "email": "desk@example.org"},
        "clinics": [copy.deepcopy(c) for c in clinics],
    }


def day_one() -> list[dict[str, Any]]:
    """Three fictional studies, as the fake registry holds them on the first day."""
    return [
        fake_record("FAKE-0001", "Fictional Asthma Inhaler Study", illness=("Asthma",),
                    clinics=(BOSTON, LYON)),
        fake_record("FAKE-0002", "Fictional Migraine Diary Study", illness=("Migraine",),
                    clinics=(LYON,), remedy="Pretendamol"),
        fake_record("FAKE-0003", "Fictional Gout Diet Study", state="done", illness=("Gout",),
                    clinics=(WORCESTER,), begins="2019-06", remedy="Makebelieve Fibre"),
    ]
