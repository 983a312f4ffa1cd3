"""Who the page says answered a search (beside the total it reported)."""

from __future__ import annotations

from trialfinder.core.config import DEFAULT_BASE_URL
from trialfinder.core.provenance import ResultMeta
from trialfinder.views.provenance import answered_by


def test_clinicaltrials_gov_is_named_only_when_it_answered() -> None:
    assert answered_by(ResultMeta(source=DEFAULT_BASE_URL)) == "ClinicalTrials.gov"
    assert answered_by(ResultMeta(source=DEFAULT_BASE_URL + "/")) == "ClinicalTrials.gov"
    # the loopback stand-in (or a mirror) is named by its address, as the CLI's "the API"
    assert answered_by(ResultMeta(source="http://127.0.0.1:8765/api/v2")) == (
        "the API at http://127.0.0.1:8765/api/v2")
    # several registries keep their titles; a file is named by the registry it holds
    assert answered_by(ResultMeta(source="http://127.0.0.1:8765/api/v2 + https://x.example",
                                  registries=("ctgov", "isrctn"))) == (
        "ClinicalTrials.gov and ISRCTN")
    assert answered_by(ResultMeta(source="ctg-studies.json")) == "ClinicalTrials.gov"
