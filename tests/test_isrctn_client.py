"""The ISRCTN client against the loopback stand-in: searches, one trial, the project's bounds
(deadline, body cap, one host, retries), and hostile answers as one clear line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from devtools.isrctn import IsrctnFaults, IsrctnServer, sample_trials
from trialfinder.core.config import Settings
from trialfinder.core.errors import (
    ApiError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    OfflineError,
    SchemaError,
    TrialFinderError,
)
from trialfinder.registries.isrctn.client import IsrctnClient
from trialfinder.registries.isrctn.query import IsrctnQuery, translate
from trialfinder.registries.isrctn.tables import to_tables

TODAY = date(2026, 6, 1)
MND = IsrctnQuery(conditions=("motor neurone disease",))

Start = Callable[..., tuple[IsrctnServer, IsrctnClient]]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    servers: list[IsrctnServer] = []

    def begin(faults: IsrctnFaults | None = None, **settings: Any) -> tuple[IsrctnServer,
                                                                             IsrctnClient]:
        server = IsrctnServer(sample_trials(), today=TODAY, faults=faults).__enter__()
        servers.append(server)
        options = {"cache_dir": tmp_path, "retries": 2, "backoff_factor": 0.0, "timeout": 10.0}
        client = IsrctnClient(Settings(**(options | settings)), base_url=server.base_url)
        return server, client

    yield begin
    for server in servers:
        server.__exit__(None, None, None)


@pytest.mark.timeout(30)
def test_search_counts_then_asks_for_exactly_that_many(start: Start) -> None:
    server, client = start()
    result = client.search(MND)
    assert [t.isrctn_id for t in result.trials] == [
        "ISRCTN99000001", "ISRCTN99000002", "ISRCTN99000003"]
    assert (result.total_count, result.requests, result.truncated) == (3, 2, False)
    assert [a["limit"] for a in server.api.asked] == ["0", "3"]
    assert result.q == '(condition:"motor neurone disease" OR condition:"motor neuron disease")'


@pytest.mark.timeout(30)
def test_a_limit_cuts_and_says_so(start: Start) -> None:
    _, client = start()
    result = client.search(MND, limit=2)
    assert len(result.trials) == 2 and result.truncated and result.total_count == 3


@pytest.mark.timeout(30)
def test_a_translated_search_with_status_and_country(start: Start) -> None:
    _, client = start()
    from trialfinder.registries.ctgov.query import StudyQuery

    out = translate(StudyQuery(conditions=("motor neurone disease",), statuses=("recruiting",)),
                    countries=("England",))
    result = client.search(out.query)
    assert [t.isrctn_id for t in result.trials] == ["ISRCTN99000001", "ISRCTN99000002"]
    tables = to_tables(result.trials, TODAY).tables
    recruiting = tables.studies[tables.studies["status"] == "RECRUITING"]  # applied locally
    assert list(recruiting["nct_id"]) == ["ISRCTN99000001"]
    assert out.local_options == ("statuses",)


@pytest.mark.timeout(30)
def test_incremental_run_asks_for_trials_edited_since(start: Start) -> None:
    server, client = start()
    assert client.count(IsrctnQuery(edited_since=date(2021, 1, 1))) == 12
    assert client.count(IsrctnQuery(edited_since=date(2025, 1, 1))) == 11
    assert server.api.asked[-1]["q"] == "lastEdited GE 2025-01-01T00:00:00.000Z"


@pytest.mark.timeout(30)
def test_one_trial_by_id(start: Start) -> None:
    server, client = start()
    assert client.get_trial("isrctn-99000006").title == "Inhaler timing in asthma (fictional)"
    with pytest.raises(NotFoundError, match="ISRCTN has no trial ISRCTN99000099"):
        client.get_trial("ISRCTN99000099")
    with pytest.raises(InvalidQueryError, match="not an ISRCTN id"):
        client.get_trial("NCT99000001")
    assert [a["q"] for a in server.api.asked] == ["ISRCTN99000006", "ISRCTN99000099"]


def test_empty_and_offline_searches_are_refused_before_sending(start: Start,
                                                               tmp_path: Path) -> None:
    server, client = start()
    with pytest.raises(InvalidQueryError, match="search is empty"):
        client.search(IsrctnQuery())
    offline = IsrctnClient(Settings(cache_dir=tmp_path, offline=True), base_url=server.base_url)
    with pytest.raises(OfflineError, match="cannot be searched offline"):
        offline.search(MND)
    with pytest.raises(InvalidQueryError, match="limit"):
        client.search(MND, limit=10_001)
    assert server.api.requests == 0


@pytest.mark.timeout(30)
def test_an_answer_that_cannot_fit_under_the_cap_is_not_asked_for(start: Start) -> None:
    server, client = start(max_body_mb=0.01)  # 10 kB: fewer than three trials' worth
    with pytest.raises(InvalidQueryError, match=r"more than the cap of 0\.01 MB"):
        client.search(MND)
    assert [a["limit"] for a in server.api.asked] == ["0"]


@pytest.mark.timeout(30)
def test_a_bad_isrctn_url_is_named_as_isrctns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_ISRCTN_URL", "notaurl")
    with pytest.raises(InvalidQueryError) as caught:
        IsrctnClient(Settings(base_url="http://127.0.0.1:9/api/v2"))
    assert str(caught.value) == ("ISRCTN's base URL must start with http:// or https://, not "
                                 "'notaurl' (from TRIALFINDER_ISRCTN_URL)")


def test_server_errors_are_retried_then_served(start: Start) -> None:
    server, client = start(IsrctnFaults(statuses=(500, 503)))
    assert client.count(MND) == 3
    assert server.api.requests == 3


@pytest.mark.timeout(30)
def test_server_errors_that_outlast_the_retries_name_isrctn(start: Start) -> None:
    _, client = start(IsrctnFaults(statuses=(500,) * 5))
    with pytest.raises(ApiError, match=r"^ISRCTN API error 500: HTTP 500") as caught:
        client.count(MND)
    assert caught.value.status == 500


@pytest.mark.timeout(30)
def test_a_long_retry_after_ends_at_once(start: Start) -> None:
    server, client = start(IsrctnFaults(statuses=(429,), retry_after="86400"))
    with pytest.raises(ApiError, match="ISRCTN API error 429"):
        client.count(MND)
    assert server.api.requests == 1


@pytest.mark.timeout(30)
def test_credentials_of_the_ctgov_url_never_go_to_isrctn(start: Start, tmp_path: Path) -> None:
    server, _ = start()
    settings = Settings(base_url="https://ann:secret@clinicaltrials.example/api/v2",
                        cache_dir=tmp_path)
    client = IsrctnClient(settings, base_url=server.base_url)
    assert client.settings.credentials is None and client.session.auth is None


@pytest.mark.parametrize(("faults", "error", "message"), [
    (IsrctnFaults(mode="billion_laughs"), SchemaError, "DTD or entities"),
    (IsrctnFaults(mode="external_entity"), SchemaError, "DTD or entities"),
    (IsrctnFaults(mode="wrong_namespace"), SchemaError, "not ISRCTN's namespace"),
    (IsrctnFaults(mode="html"), SchemaError, "HTML page instead of XML"),
    (IsrctnFaults(mode="deep"), SchemaError, "more than 32 deep"),
    (IsrctnFaults(mode="drop"), NetworkError, "cannot reach ISRCTN"),
    (IsrctnFaults(mode="huge", huge_mb=100), SchemaError, "larger than 2 MB"),
    (IsrctnFaults(mode="slow", trickle_bytes=8, trickle_delay=0.2), NetworkError,
     r"did not send its whole answer within 1 s"),
])
@pytest.mark.timeout(60)
def test_hostile_answers_are_one_clear_line(start: Start, faults: IsrctnFaults,
                                            error: type[TrialFinderError], message: str) -> None:
    _, client = start(faults, max_body_mb=2.0, timeout=1.0, retries=0)
    with pytest.raises(error, match=message) as caught:
        client.search(MND)
    assert "\n" not in str(caught.value)


@pytest.mark.timeout(30)
def test_an_external_entity_reads_no_file(start: Start, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-ISRCTN-LEAK")
    _, client = start(IsrctnFaults(mode="external_entity", entity_path=str(secret)))
    with pytest.raises(SchemaError) as caught:
        client.search(MND)
    assert "SENTINEL" not in str(caught.value)


@pytest.mark.timeout(30)
def test_records_missing_fields_are_skipped_with_a_note(start: Start) -> None:
    _, client = start(IsrctnFaults(mode="missing_fields"))
    result = client.search(MND)
    ids = [t.isrctn_id for t in result.trials]
    assert ids == ["ISRCTN99000001", "ISRCTN99000002", "ISRCTN99000003", "ISRCTN99000999"]
    assert result.skipped == 2
    assert result.problems == {"trial_without_id": 1, "bad_isrctn_id": 1,
                               "bad_date:recruitmentStart": 1, "bad_date:recruitmentEnd": 1}
    odd = result.trials[-1]
    assert (odd.recruitment_start, odd.recruitment_end) == (None, None)


class _Raising(requests.adapters.HTTPAdapter):
    """An adapter whose every send fails with ``error``, as requests would raise it."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def send(self, *args: Any, **kwargs: Any) -> requests.Response:
        raise self.error


@pytest.mark.parametrize(("error", "message"), [
    (requests.exceptions.RetryError("Max retries exceeded"),
     r"^gave up on http://127\.0\.0\.1:9/api/query/format/default after 2 retries$"),
    (requests.exceptions.TooManyRedirects("Exceeded 30 redirects."),
     r"^too many redirects from http://127\.0\.0\.1:9/api/query/format/default$"),
    (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
     r"^the connection broke while reading http://127\.0\.0\.1:9/api/query/format/default: "
     r"Connection broken: IncompleteRead$"),
])
def test_failures_of_the_request_are_translated_as_for_ctgov(tmp_path: Path, error: Exception,
                                                             message: str) -> None:
    session = requests.Session()
    session.mount("http://", _Raising(error))
    client = IsrctnClient(Settings(cache_dir=tmp_path, retries=2),
                          base_url="http://127.0.0.1:9/api", session=session)
    with pytest.raises(NetworkError, match=message) as caught:
        client.count(MND)
    assert caught.value.__cause__ is error


def test_the_stand_in_command_takes_a_port_and_help(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m devtools.isrctn`` took no option: ``--help`` started a server, on a port
    of its own choosing each time, so the address to give TRIALFINDER_ISRCTN_URL changed
    from run to run. It serves on 8766 unless ``--port`` says otherwise, as the command line
    says when ISRCTN cannot be reached."""
    import socket

    from devtools.isrctn.__main__ import main
    from trialfinder.cli.unreachable import ISRCTN_STANDIN_URL

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "--port PORT" in capsys.readouterr().out
    assert main(["--port", "-1"]) == 2
    assert capsys.readouterr().err.startswith("devtools.isrctn: ")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with IsrctnServer(sample_trials(), today=date(2026, 1, 1), port=port) as server:
        assert server.base_url == f"http://127.0.0.1:{port}/api"
        assert IsrctnClient(Settings(), base_url=server.base_url).search(MND).total_count == 3
    assert ISRCTN_STANDIN_URL == "http://127.0.0.1:8766/api"
