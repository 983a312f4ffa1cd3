"""The registries a dashboard search names while it runs and when it fails."""

from __future__ import annotations

from trialfinder.core.errors import ApiError, NetworkError
from trialfinder.views.registrynames import failed_title, searched_title


def test_searched_title_names_each_registry_asked() -> None:
    assert searched_title(("ctgov", "isrctn")) == "ClinicalTrials.gov and ISRCTN"
    assert searched_title(("isrctn",)) == "ISRCTN"
    assert searched_title(None) == "ClinicalTrials.gov"
    assert searched_title(()) == "ClinicalTrials.gov"


def test_searched_title_falls_back_to_the_default_for_an_unknown_name() -> None:
    assert searched_title(("nosuchregistry",)) == "ClinicalTrials.gov"


def test_failed_title_names_isrctn_when_its_client_failed() -> None:
    error = NetworkError("cannot reach ISRCTN at http://127.0.0.1:9/api: refused")
    assert failed_title(error, ("ctgov", "isrctn")) == "ISRCTN"
    assert failed_title(error, ("isrctn",)) == "ISRCTN"


def test_failed_title_names_clinicaltrials_gov_for_its_own_errors() -> None:
    error = NetworkError("cannot reach the API at http://127.0.0.1:9/api/v2: refused")
    assert failed_title(error, ("ctgov", "isrctn")) == "ClinicalTrials.gov"
    api = ApiError(400, "http://127.0.0.1:9/api/v2/studies?query.term=ISRCTN99000001",
                   "bad term")
    assert failed_title(api, ("ctgov", "isrctn")) == "ClinicalTrials.gov"


def test_failed_title_of_a_search_of_isrctn_alone_names_isrctn() -> None:
    error = NetworkError("gave up on http://127.0.0.1:9/api/query after 3 retries")
    assert failed_title(error, ("isrctn",)) == "ISRCTN"
