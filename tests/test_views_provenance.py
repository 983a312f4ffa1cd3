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
    # several registries: each by its title when it answered at its own address
    assert answered_by(ResultMeta(
        source=DEFAULT_BASE_URL + " + https://www.isrctn.com/api",
        registries=("ctgov", "isrctn"))) == "ClinicalTrials.gov and ISRCTN"
    # a file is named by the registry it holds
    assert answered_by(ResultMeta(source="ctg-studies.json")) == "ClinicalTrials.gov"


def test_a_registry_asked_elsewhere_is_named_by_its_address_beside_the_others() -> None:
    """ISRCTN's stand-in alone was named "ISRCTN", and beside ClinicalTrials.gov's stand-in
    both were named by title: the page said the registries had answered."""
    isrctn = ResultMeta(source="http://127.0.0.1:8766/api", registries=("isrctn",))
    assert answered_by(isrctn) == "the API at http://127.0.0.1:8766/api"
    both = ResultMeta(source=DEFAULT_BASE_URL + " + http://127.0.0.1:8766/api",
                      registries=("ctgov", "isrctn"))
    assert answered_by(both) == (
        "ClinicalTrials.gov and the API at http://127.0.0.1:8766/api, standing in for ISRCTN")
    standins = ResultMeta(source="http://127.0.0.1:8765/api/v2 + http://127.0.0.1:8766/api",
                          registries=("ctgov", "isrctn"))
    assert answered_by(standins) == (
        "the API at http://127.0.0.1:8765/api/v2, standing in for ClinicalTrials.gov and "
        "the API at http://127.0.0.1:8766/api, standing in for ISRCTN")
    assert answered_by(ResultMeta(source="https://www.isrctn.com/api/",
                                  registries=("isrctn",))) == "ISRCTN"


def test_an_empty_answer_names_who_gave_it() -> None:
    """An empty list said "ClinicalTrials.gov found nothing for this search" when the loopback
    stand-in had answered, right above its own provenance line naming the stand-in."""
    standin = ResultMeta(source="http://127.0.0.1:8765/api/v2")
    assert nothing_found(standin, demo_mode=False) == (
        "No study: the API at http://127.0.0.1:8765/api/v2 found nothing for this search, "
        "before any filter of this page.")
    assert nothing_found(ResultMeta(source=DEFAULT_BASE_URL), demo_mode=False).startswith(
        "No study: ClinicalTrials.gov found nothing for this search")
    both = ResultMeta(source=DEFAULT_BASE_URL + " + https://www.isrctn.com/api",
                      registries=("ctgov", "isrctn"))
    assert nothing_found(both, demo_mode=False).startswith(
        "No study: ClinicalTrials.gov and ISRCTN found nothing")
    assert nothing_found(standin, demo_mode=True).startswith(
        "No study: the demo data hold nothing for this search")
