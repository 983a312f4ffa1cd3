"""Shared pytest fixtures.

Stand-in API (``devtools.standin``):

* ``standin_studies`` — twelve small fictional records (ids NCT99100001..NCT99100012), with
  sites in Boston, Worcester MA, New York and Lyon;
* ``standin_factory(studies=None, **options)`` — start a :class:`StandInServer` (options as
  its constructor: ``max_page_size``, ``faults``...), closed at teardown;
* ``standin`` — a default server over ``standin_studies`` (page cap 1000, no faults).

A second registry (``tests/fakeregistry``):

* ``fake_registry`` — the fake registry (ids ``FAKE-0001``...), registered for the test and
  holding :func:`~tests.fakeregistry.day_one`'s three records (``fake_registry.api.records``
  may be replaced to make a second day).

ISRCTN (``devtools/isrctn``):

* ``isrctn_server`` — the ISRCTN stand-in with no trials yet (``isrctn_server.api.trials``
  takes :func:`isrctn_trial`'s), ``TRIALFINDER_ISRCTN_URL`` pointing at it, and ISRCTN's
  statuses derived on ``ISRCTN_TODAY``.

Threads, without sleeping:

* ``decode_gate`` — counts the pages whose body has arrived and that now wait for their turn
  to be decoded (a search's or a sync's ``before_parse`` hook), so a test can wait until the
  page fetched ahead is there (``decode_gate.wait_for(n)``) instead of sleeping.

The network is blocked for every test (pytest-recording's ``--block-network``) except loopback
(``--allowed-hosts`` in pyproject.toml), so tests reach the stand-in and nothing else.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from devtools.isrctn import FictionalTrial, IsrctnServer
from devtools.standin import StandInServer, fictional_site, fictional_study
from tests.fakeregistry import FakeApi, FakeRegistry, day_one
from trialfinder import registries
from trialfinder.http.pacing import forget_shared_buckets
from trialfinder.http.requester import Requester
from trialfinder.registries.ctgov.client import API_MEMO
from trialfinder.registries.isrctn.registry import ISRCTN, IsrctnRegistry
from trialfinder.topics.demo import forget_declared

BOSTON = fictional_site("Fictional General Hospital", "Boston", "United States", 42.3601,
                        -71.0589, state="Massachusetts", zip_code="02114", status="RECRUITING")
WORCESTER = fictional_site("Imaginary Clinic Worcester", "Worcester", "United States", 42.2626,
                           -71.8023, state="Massachusetts")
NEW_YORK = fictional_site("Pretend Cancer Center", "New York", "United States", 40.7128,
                          -74.0060, state="New York")
LYON = fictional_site("Centre Hospitalier Fictif", "Lyon", "France", 45.7640, 4.8357)

# No per-example deadline: how fast a property runs is for benchmarks/, and a test that hangs is
# stopped by pytest-timeout. Under a loaded machine hypothesis's 200 ms default failed tests
# that were right ("FlakyFailure ... DeadlineExceeded").
settings.register_profile("trialfinder", deadline=None)
settings.load_profile("trialfinder")


def make_standin_studies() -> list[dict[str, Any]]:
    studies = [
        fictional_study(
            "NCT99100001", "Fictional Asthma Inhaler Study", conditions=["Asthma"],
            mesh_terms=["Asthma"], keywords=["inhaler"],
            interventions=[{"type": "DRUG", "name": "Fictonide", "otherNames": ["FX-101"]}],
            minimum_age="18 Years", maximum_age="65 Years", start_date="2021-03",
            sponsor="Fictional Lung Institute", collaborators=["Imaginary University"],
            locations=[BOSTON, LYON],
        ),
        fictional_study(
            "NCT99100002", "Imaginary Heart Failure Registry", status="COMPLETED",
            conditions=["Heart Failure"], phases=(), study_type="OBSERVATIONAL",
            minimum_age="40 Years", start_date="2018-06-15", has_results=True,
            locations=[LYON],
        ),
        fictional_study(
            "NCT99100003", "Fictional Migraine Prevention Trial", phases=("PHASE3",),
            conditions=["Migraine Disorders"], keywords=["headache"], sex="FEMALE",
            minimum_age="12 Years", maximum_age="17 Years", start_date="2023-09",
            locations=[WORCESTER],
        ),
        fictional_study(
            "NCT99100004", "Pretend Diabetes Diet Study", status="NOT_YET_RECRUITING",
            phases=("NA",), conditions=["Type 2 Diabetes"], healthy_volunteers=True,
            minimum_age=None, start_date="2025-01",
            interventions=[{"type": "DIETARY_SUPPLEMENT", "name": "Imaginary Fibre"}],
        ),
        fictional_study(
            "NCT99100005", "Fictional Lung Cancer Combination Study",
            status="ACTIVE_NOT_RECRUITING", phases=("PHASE1", "PHASE2"),
            conditions=["Non-small Cell Lung Cancer"],
            mesh_terms=["Carcinoma, Non-Small-Cell Lung"], interventions=["Drug A", "Drug B"],
            start_date="2022-05", locations=[NEW_YORK, LYON],
        ),
        fictional_study(
            "NCT99100006", "Imaginary Asthma Exercise Program", status="TERMINATED",
            phases=("NA",), conditions=["Asthma", "Obesity"], start_date="2019-11",
            interventions=[{"type": "BEHAVIORAL", "name": "Walking Programme"}],
            aliases=["NCT99100106"],
        ),
    ]
    for number in range(7, 13):
        studies.append(fictional_study(
            f"NCT991000{number:02d}", f"Fictional Filler Study {number}", status="COMPLETED",
            phases=("PHASE4",), start_date=f"2015-{number:02d}",
        ))
    return studies


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    """Searches add to the study store by default: each test gets its own data folder, so no
    test writes to the user's folder or sees another test's studies."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output wrapped to the terminal is wrapped at 100 columns in every test, whatever the
    terminal (or the worker process of a parallel run) says: a test sets its own width with
    ``COLUMNS`` when width is what it is about."""
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture(autouse=True)
def fresh_api_state() -> Iterator[None]:
    """Each test starts with no remembered /version answers and no request budgets: a server
    port reused by a later test must not inherit an earlier test's state."""
    API_MEMO.forget()
    forget_shared_buckets()
    forget_declared()  # no id read as invented by an earlier test
    yield


@pytest.fixture
def as_if_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results shown as real ClinicalTrials.gov studies are (links, "ClinicalTrials.gov
    reported ..."): a test's studies are fictional (NCT99...), so by the one rule
    (``topics.demo.shows_fictional``) they are otherwise shown as fictional."""
    from trialfinder.topics import demo

    monkeypatch.setattr(demo, "shows_fictional", lambda ids: False)


@pytest.fixture
def hide_pyarrow(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make every later ``importlib.import_module("pyarrow...")`` fail, as in an
    install without pyarrow (the library looks its optional modules up that way)."""
    import importlib

    real_import = importlib.import_module

    def no_arrow(name: str, package: str | None = None) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, package)

    def hide() -> None:
        monkeypatch.setattr(importlib, "import_module", no_arrow)

    return hide


@pytest.fixture
def standin_studies() -> list[dict[str, Any]]:
    return make_standin_studies()


@pytest.fixture
def standin_factory(
    standin_studies: list[dict[str, Any]],
) -> Iterator[Callable[..., StandInServer]]:
    servers: list[StandInServer] = []

    def start(studies: Sequence[dict[str, Any]] | None = None, **options: Any) -> StandInServer:
        server = StandInServer(standin_studies if studies is None else studies, **options)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def standin(standin_factory: Callable[..., StandInServer]) -> StandInServer:
    return standin_factory()


@pytest.fixture
def fake_registry() -> Iterator[FakeRegistry]:
    registry = FakeRegistry(FakeApi(day_one()))
    registries.register(registry)
    yield registry
    registries.unregister(registry.name)


#: The day ISRCTN's statuses are derived on, in these tests (they have no status of their own).
ISRCTN_TODAY = date(2026, 11, 20)


def isrctn_trial(isrctn_id: str, title: str, *places: dict[str, Any],
                 **facts: Any) -> FictionalTrial:
    """A fictional ISRCTN trial at the fake registry's places (recruiting on ISRCTN_TODAY),
    written as ISRCTN sends one: without the stand-in's mark of an invented trial (unless
    ``marked=True``), so its links and pages are those a real record gets."""
    dates = {"recruitment_start": "2024-03-01", "recruitment_end": "2027-12-31",
             "overall_end": "2028-06-30", "marked": False}
    return FictionalTrial(isrctn_id, title, centres=tuple(
        (p["name"], p["town"], p["nation"]) for p in places), **(dates | facts))


@pytest.fixture
def isrctn_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[IsrctnServer]:
    """The ISRCTN stand-in (no trials yet), ``TRIALFINDER_ISRCTN_URL`` pointing at it, and
    ISRCTN's statuses derived on :data:`ISRCTN_TODAY`."""
    with IsrctnServer([], today=ISRCTN_TODAY) as server:
        monkeypatch.setenv("TRIALFINDER_ISRCTN_URL", server.base_url)
        registries.register(IsrctnRegistry(today=lambda: ISRCTN_TODAY))
        try:
            yield server
        finally:
            registries.register(ISRCTN)


class DecodeGate:
    """How many pages have arrived at the hook that runs before a body is decoded."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def arrived(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait_for(self, n: int, timeout: float = 10.0) -> bool:
        """Wait until the ``n``-th page has arrived (``timeout`` is only reached on failure)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, timeout=timeout)


@pytest.fixture
def decode_gate(monkeypatch: pytest.MonkeyPatch) -> DecodeGate:
    gate = DecodeGate()
    real = Requester._get_once

    def spied(self: Requester, *args: Any, before_parse: Callable[[], object] | None = None,
              **kwargs: Any) -> Any:
        if before_parse is None:
            return real(self, *args, **kwargs)
        waits = before_parse

        def announced() -> None:
            gate.arrived()  # the body is here; it waits for its turn to be decoded
            waits()

        return real(self, *args, before_parse=announced, **kwargs)

    monkeypatch.setattr(Requester, "_get_once", spied)
    return gate


# -- cassettes --------------------------------------------------------------------------------
#
# Tests marked ``vcr`` replay the YAML files in cassettes/<test module>/ (pytest-recording; the
# default record mode "none" fails a test whose request is not in its cassette, so nothing can
# reach the network). ``tools/make_cassettes.py`` writes them from the loopback stand-in serving
# our fictional demo data, with URLs rewritten to the real API's; ``make record-live`` re-records
# them from the real API on a connected machine.

REAL_BASE_URL = "https://clinicaltrials.gov/api/v2"
RECORD_FROM_STANDIN = os.environ.get("TRIALFINDER_RECORD_STANDIN") == "1"
RECORD_LIVE = os.environ.get("TRIALFINDER_RECORD_LIVE") == "1"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
KEPT_RESPONSE_HEADERS = {"content-type", "retry-after"}
LOOPBACK_API = re.compile(r"^http://127\.0\.0\.1:\d+/api/v2")


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    def keep_few_headers(response: dict[str, Any]) -> dict[str, Any]:
        response["headers"] = {k: v for k, v in response["headers"].items()
                               if k.lower() in KEPT_RESPONSE_HEADERS}
        return response

    def real_url(req: Any) -> Any:
        req.uri = LOOPBACK_API.sub(REAL_BASE_URL, req.uri)
        return req

    return {
        "before_record_request": real_url,
        "decode_compressed_response": True,
        "filter_headers": ["User-Agent", "Accept-Encoding", "Connection", "Accept"],
        "before_record_response": keep_few_headers,
    }


@pytest.fixture
def api_base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The API root a cassette test talks to: the real one (replayed from the cassette), or
    while recording with TRIALFINDER_RECORD_STANDIN=1 a stand-in serving the demo data, whose
    URLs are rewritten to the real API's before they are written down."""
    marker = request.node.get_closest_marker("standin_faults")
    if marker is not None and RECORD_LIVE:
        pytest.skip("fault cassettes are written from the stand-in only")
    if not RECORD_FROM_STANDIN:
        yield REAL_BASE_URL
        return
    from devtools.standin import Faults
    from trialfinder.topics.demo import load_demo_studies

    faults = Faults(**marker.kwargs) if marker is not None else None
    with StandInServer(load_demo_studies(), faults=faults) as server:
        yield server.base_url


# -- the command in a process of its own ------------------------------------------------------
#
# Some failures need a real file descriptor: standard output on /dev/full or closed, a file
# size limit (``ulimit -f``), a signal. ``run_child`` starts ``python -m trialfinder`` so.

CHILD_ROOT = Path(__file__).resolve().parents[1]
CHILD_ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(CHILD_ROOT / "src"),
                                                          str(CHILD_ROOT)])}


def child_preexec(*, close_stdout: bool = False, file_size: int | None = None,
                  ) -> Callable[[], None]:
    """What the child does before it starts: Ctrl-C as a terminal delivers it (a suite run in
    the background hands its children SIGINT ignored), then the asked-for trouble."""
    def prepare() -> None:
        import resource
        import signal

        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if close_stdout:
            os.close(1)
    return prepare


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None,
              stdout: str = "pipe", file_size: int | None = None, timeout: float = 120,
              ) -> tuple[int, str, list[str]]:
    """``trialfinder ARGV`` in a process of its own: (exit code, standard output, the lines of
    standard error). ``stdout``: ``pipe``, ``full`` (/dev/full) or ``closed``."""
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        target: Any = {"pipe": subprocess.PIPE, "full": full,
                       "closed": subprocess.DEVNULL}[stdout]
        done = subprocess.run(
            [sys.executable, "-m", "trialfinder", *argv], stdout=target,
            stderr=subprocess.PIPE, env=CHILD_ENV | (env or {}), timeout=timeout,
            preexec_fn=child_preexec(close_stdout=stdout == "closed", file_size=file_size))
    out = done.stdout.decode("utf-8", "replace") if done.stdout else ""
    return done.returncode, out, done.stderr.decode("utf-8", "replace").splitlines()


def assert_same_export(streamed: Path, whole: Path, ending: str) -> None:
    """A streamed export holds what the in-memory one does: the same bytes (CSV, JSON lines),
    or the same frame (Parquet, whose categories' codes follow the order pages met them)."""
    import pandas as pd

    if ending == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(streamed), pd.read_parquet(whole),
                                      check_categorical=False)
    else:
        assert streamed.read_bytes() == whole.read_bytes()


def criteria_verdict(profile: Any, exclusion: str, inclusion: str = "Adults with Fictitia",
                     nct: str = "NCT99730001") -> str:
    """The pre-screen's verdict for ``profile`` on one fictional study whose criteria are one
    inclusion line and one exclusion line."""
    from trialfinder.registries.ctgov.normalize import normalize
    from trialfinder.tables.prescreen import prescreen

    study = fictional_study(nct, "Fictional study 001")
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return str(prescreen(normalize([study]), profile).records()[0]["verdict"])
