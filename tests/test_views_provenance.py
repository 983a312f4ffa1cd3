"""Who the page says answered a search (beside the total it reported)."""

from __future__ import annotations

from trialfinder.core.config import DEFAULT_BASE_URL
from trialfinder.core.provenance import ResultMeta
from trialfinder.views.provenance import answered_by, nothing_found


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


def test_an_empty_answer_names_who_gave_it() -> None:
    """An empty list said "ClinicalTrials.gov found nothing for this search" when the loopback
    stand-in had answered, right above its own provenance line naming the stand-in."""
    standin = ResultMeta(source="http://127.0.0.1:8765/api/v2")
    assert nothing_found(standin, demo_mode=False) == (
        "No study: the API at http://127.0.0.1:8765/api/v2 found nothing for this search, "
        "before any filter of this page.")
    assert nothing_found(ResultMeta(source=DEFAULT_BASE_URL), demo_mode=False).startswith(
        "No study: ClinicalTrials.gov found nothing for this search")
    both = ResultMeta(source="a + b", registries=("ctgov", "isrctn"))
    assert nothing_found(both, demo_mode=False).startswith(
        "No study: ClinicalTrials.gov and ISRCTN found nothing")
    assert nothing_found(standin, demo_mode=True).startswith(
        "No study: the demo data hold nothing for this search")
