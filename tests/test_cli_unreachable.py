"""A registry that cannot be reached ends a command with one line that also says how to go
on without the internet: --offline for searches made before, the stand-in for the fictional
demo studies, or, when the stand-in was asked, that it may not be running."""

from __future__ import annotations

import argparse
import socket
import threading
from pathlib import Path

import pytest

from trialfinder.cli.main import main
from trialfinder.cli.unreachable import unreachable_hint
from trialfinder.core.errors import NetworkError, OfflineError


def unused_loopback_url() -> str:
    with socket.socket() as sock:  # bound, never listening: a connection is refused
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/api/v2"


def error_line(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return code, err.strip()


@pytest.fixture
def no_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRIALFINDER_BASE_URL", raising=False)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RETRIES", "0")


@pytest.mark.usefixtures("no_api")
def test_offline_with_nothing_cached_points_to_the_stand_in(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, line = error_line(capsys, "search", "--preset", "als", "--offline")
    assert code == 1
    assert line == (
        "trialfinder: error: offline mode: this search is not in the cache yet; run it once "
        "while online; without the internet, `make standin` serves the fictional demo studies "
        "at http://127.0.0.1:8765/api/v2 (TRIALFINDER_BASE_URL) (README: Trying it without "
        "the internet)")


@pytest.mark.usefixtures("no_api")
@pytest.mark.parametrize("command", [["search", "-c", "ALS"], ["show", "NCT99000017"],
                                     ["sync", "-c", "ALS"]])
def test_a_stand_in_that_is_not_running_is_named(
        command: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_BASE_URL", unused_loopback_url())
    code, line = error_line(capsys, *command)
    assert code == 1
    assert line.startswith("trialfinder: error: cannot reach the API at http://127.0.0.1:")
    assert line.endswith("; is the stand-in running? `make standin` starts it (README: "
                         "Trying it without the internet)")


def args(command: str, base_url: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(command=command, base_url=base_url)


@pytest.mark.usefixtures("no_api")
def test_clinicaltrials_gov_unreachable_offers_offline_and_the_stand_in() -> None:
    down = NetworkError("cannot reach ClinicalTrials.gov at https://clinicaltrials.gov/api/v2: "
                        "the host name does not resolve (is this machine offline?)")
    said = unreachable_hint(down, args("search"))
    assert said.startswith("; without the internet, --offline answers searches made before "
                           "from the cache, and `make standin` serves the fictional demo")
    # sync and watch run ask afresh and take no --offline: only the stand-in is offered
    assert "--offline" not in unreachable_hint(down, args("sync"))
    assert "`make standin`" in unreachable_hint(down, args("sync"))
    assert "--offline" not in unreachable_hint(OfflineError("offline mode: ..."), args("show"))


@pytest.mark.usefixtures("no_api")
def test_no_hint_where_neither_would_help() -> None:
    # someone's own mirror is not the stand-in (of either registry), and ISRCTN offline is
    # told by the error's registry, not by its words: ISRCTN is never cached
    assert unreachable_hint(NetworkError("cannot reach ISRCTN at https://isrctn.example/api",
                                         registry="ISRCTN", address="https://isrctn.example/api",
                                         refused=True),
                            args("search")) == ""
    assert unreachable_hint(OfflineError("offline mode: not cached", registry="ISRCTN"),
                            args("search")) == ""
    assert unreachable_hint(NetworkError("cannot reach the API at https://mirror.example/v2"),
                            args("search", "https://mirror.example/v2")) == ""
    # a loopback server that answers too slowly is running: no "is the stand-in running?"
    slow = NetworkError("the API at http://127.0.0.1:8765/api/v2 did not send its whole "
                        "answer within 2 s (TRIALFINDER_TIMEOUT), after 1 retry")
    assert unreachable_hint(slow, args("search", "http://127.0.0.1:8765/api/v2")) == ""
    # nor one whose connection broke after it was made (its words say "cannot reach" too)
    broke = NetworkError("cannot reach the API at http://127.0.0.1:8765/api/v2: the "
                         "connection was reset")
    assert unreachable_hint(broke, args("search", "http://127.0.0.1:8765/api/v2")) == ""
    refused = NetworkError("cannot reach the API at http://127.0.0.1:8765/api/v2: refused",
                           refused=True)
    assert unreachable_hint(refused, args("search", "http://127.0.0.1:8765/api/v2")).startswith(
        "; is the stand-in running?")


@pytest.mark.usefixtures("no_api")
def test_a_stand_in_that_drops_the_connection_is_not_asked_whether_it_runs(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # a server that takes the connection and closes it unanswered is running: the error
    # stays one line, without the question a refused connection gets
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def drop() -> None:
            for _ in range(4):
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                conn.close()

        worker = threading.Thread(target=drop, daemon=True)
        worker.start()
        monkeypatch.setenv("TRIALFINDER_BASE_URL", f"http://127.0.0.1:{port}/api/v2")
        code, line = error_line(capsys, "show", "NCT99000017")
    assert code == 1
    assert line.startswith(f"trialfinder: error: cannot reach the API at http://127.0.0.1:{port}")
    assert "stand-in" not in line


ISRCTN_DOWN = NetworkError("cannot reach ISRCTN at https://www.isrctn.com/api: the host name "
                           "does not resolve (is this machine offline?)", registry="ISRCTN",
                           address="https://www.isrctn.com/api", refused=True)


@pytest.mark.usefixtures("no_api")
def test_isrctn_unreachable_offers_its_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """ISRCTN out of reach ended with its error alone, though a stand-in of it ships beside
    ClinicalTrials.gov's; and one not running said "[Errno 111] Connection refused" alone."""
    monkeypatch.delenv("TRIALFINDER_ISRCTN_URL", raising=False)
    assert unreachable_hint(ISRCTN_DOWN, args("search")) == (
        "; without the internet, `python -m devtools.isrctn` serves fictional ISRCTN trials at "
        "http://127.0.0.1:8766/api (TRIALFINDER_ISRCTN_URL) (docs/isrctn.md: The stand-in)")
    # ISRCTN is never cached: --offline is not offered for it
    assert "--offline" not in unreachable_hint(ISRCTN_DOWN, args("search"))
    slow = NetworkError("ISRCTN did not send its whole answer within 2 s (TRIALFINDER_TIMEOUT)",
                        registry="ISRCTN", address="https://www.isrctn.com/api")
    assert unreachable_hint(slow, args("search")) == ""


@pytest.mark.usefixtures("no_api")
def test_an_isrctn_stand_in_that_is_not_running_is_named(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_ISRCTN_URL", unused_loopback_url().replace("/v2", ""))
    code, line = error_line(capsys, "search", "-c", "cramp", "--registry", "isrctn")
    assert code == 1
    assert line.startswith("trialfinder: error: cannot reach ISRCTN at http://127.0.0.1:")
    assert line.endswith("; is the ISRCTN stand-in running? `python -m devtools.isrctn` "
                         "starts it (docs/isrctn.md: The stand-in)")
