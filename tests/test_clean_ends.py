"""No tracebacks, ever (issue 19, class 6): a redirect with the cache on, a damaged store, a
full disk, a terminal that cannot show the text, SIGTERM. Each ends with one line; a sync
stopped part-way leaves its run marked aborted, never "under way" for ever."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CHILD_ENV, child_preexec, make_standin_studies, run_child

from devtools.standin import StandInServer, fictional_study, replicate
from trialfinder.cli.main import main
from trialfinder.store.db import Store, open_store
from trialfinder.topics.demo import FICTIONAL_NOTE

Factory = Callable[..., StandInServer]


def _runs(path: Path) -> list[tuple[object, ...]]:
    """The runs as the next command sees them (opening marks abandoned runs aborted)."""
    with open_store(path) as store:
        return store.con.execute("SELECT run_id, mode, outcome FROM runs ORDER BY 1").fetchall()


@pytest.mark.timeout(60)
def test_a_same_host_redirect_is_cached_and_answered_from_the_cache(
    standin: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["show", "NCT99100106", "--base-url", standin.base_url,  # an alias: 301 once
            "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    first = capsys.readouterr()
    asked = standin.stats.requests
    assert main(argv) == 0
    second = capsys.readouterr()
    # no warning (the one note says the study is fictional, as it is)
    assert first.err == second.err == f"trialfinder: note: {FICTIONAL_NOTE}\n"
    assert "NCT99100006" in first.out and second.out == first.out
    assert standin.stats.requests == asked  # the redirect and its answer came from the cache


@pytest.mark.timeout(120)
def test_sync_on_a_store_with_a_damaged_block_ends_with_one_line(
    standin: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "good.duckdb"
    with Store(good) as store:
        store.add_records(make_standin_studies())
    size = good.stat().st_size
    failed = 0
    for block in range(size // 262_144):
        damaged = tmp_path / f"damaged{block}.duckdb"
        data = bytearray(good.read_bytes())
        start = block * 262_144 + 12_288 + 64  # inside the block, past the file's headers
        data[start:start + 64] = b"\xff" * 64
        damaged.write_bytes(bytes(data))
        code = main(["sync", "-t", "fictional", "--store", str(damaged),
                     "--base-url", standin.base_url])
        err = capsys.readouterr().err.splitlines()
        assert code in (0, 1), err
        if code == 1:
            assert len(err) == 1 and err[0].startswith("trialfinder: error: "), err
            assert f"the study store {damaged}" in err[0], err
            failed += f"the study store {damaged} failed: " in err[0]  # found while syncing
    assert failed >= 1  # some damage is met after opening: the test reaches that path


@pytest.mark.timeout(120)
def test_sync_on_a_full_disk_ends_with_one_line_and_its_run_is_then_aborted(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    server = standin_factory(replicate(make_standin_studies(), 2000))
    data = tmp_path / "data"
    env = {"TRIALFINDER_DATA_DIR": str(data), "TRIALFINDER_BASE_URL": server.base_url}
    data.mkdir(mode=0o700)
    with Store(data / "studies.duckdb"):  # an empty store, views and all
        pass
    room = (data / "studies.duckdb").stat().st_size + 64 * 1024
    # `ulimit -f`: the store opens and the run begins, but its first page does not fit
    code, _, err = run_child(["sync", "-t", "fictional"], env=env, file_size=room)
    assert code == 1 and len(err) == 1, err
    assert err[0].startswith(f"trialfinder: error: the study store {data / 'studies.duckdb'} "
                             "failed: ") and err[0].endswith("File too large")
    assert _runs(data / "studies.duckdb") == [(1, "sync", "aborted")]
    code, out, err = run_child(["store", "info"], env=env)
    assert code == 0 and "  aborted                1" in out.splitlines(), out


@pytest.mark.timeout(60)
def test_a_run_left_open_by_a_crash_is_marked_aborted_when_the_store_opens_next(
    tmp_path: Path,
) -> None:
    path = tmp_path / "studies.duckdb"
    with Store(path) as store:
        store.finish_run(store.start_run(None, "sync"), requests=1, nbytes=10)
    crash = ("import os, sys\nfrom trialfinder.store.db import Store\n"
             "store = Store(sys.argv[1]); store.start_run(None, 'sync'); store.con.close()\n"
             "os._exit(0)\n")
    done = subprocess.run([sys.executable, "-c", crash, str(path)], env=CHILD_ENV,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with Store(path, read_only=True) as store:  # a reader counts it, and cannot change it
        assert store.aborted_runs() == 1
    assert _runs(path) == [(1, "sync", "finished"), (2, "sync", "aborted")]


@pytest.mark.timeout(60)
def test_text_a_terminal_cannot_show_is_escaped_not_a_crash(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    server = standin_factory([fictional_study("NCT99100801", "Étude café ✓ 日本")])
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "",
           "TRIALFINDER_BASE_URL": server.base_url, "TRIALFINDER_CACHE_DIR": str(tmp_path)}
    code, out, err = run_child(["show", "NCT99100801"], env=env)
    assert (code, err) == (0, [f"trialfinder: note: {FICTIONAL_NOTE}"])
    assert "\\xc9tude caf\\xe9 \\u2713 \\u65e5\\u672c" in out


ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                "PYTHONIOENCODING": ""}


@pytest.mark.timeout(90)
def test_arguments_under_an_ascii_locale_are_read_as_the_utf8_the_terminal_sent(
    standin_factory: Factory, tmp_path: Path,
) -> None:
    """Under ``LC_ALL=C`` (no UTF-8 mode) Python hands "Sjögren" over as surrogate escapes:
    it is read back as UTF-8 at the command's entry, so it is searched for as typed; a file
    name the file system's encoding cannot write, and an argument that is not UTF-8, are one
    line each (exit 2); the table counts the width of what it escapes."""
    server = standin_factory([
        fictional_study("NCT99100811", "Fictional Sjögren dry-eye drops",
                        conditions=["Sjögren Syndrome"]),
        fictional_study("NCT99100812", "Fictional study of dry mouth in Sjögren syndrome, "
                        "a much longer title than the column", conditions=["Sjögren Syndrome"]),
        fictional_study("NCT99100813", "Fictional asthma study", conditions=["Asthma"])])
    env = ASCII_LOCALE | {"TRIALFINDER_BASE_URL": server.base_url, "COLUMNS": "60",
                          "TRIALFINDER_CACHE_DIR": str(tmp_path / "cache"),
                          "TRIALFINDER_DATA_DIR": str(tmp_path / "data")}
    code, out, err = run_child(["search", "-c", "Sjögren", "--columns", "nct_id,title,status"],
                               env=env)
    assert code == 0, err
    lines = out.splitlines()
    assert lines == [  # each escape counted at its width: the columns line up
        "nct_id       title                                status",
        "NCT99100811  Fictional Sj\\xf6gren dry-eye drops   Recruiting",
        "NCT99100812  Fictional study of dry mouth in Sj~  Recruiting",
        "2 studies; the API reported 2 matching studies, 2 fetched",
        "Not medical advice: talk to your doctor before joining any trial."]
    code, _, err = run_child(["search", "-c", "Sjögren", "-o", str(tmp_path / "é.csv")],
                             env=env)
    assert (code, len(err)) == (2, 1)
    assert err[0].startswith("trialfinder: error: the file name ") and "(ascii)" in err[0]
    assert not list(tmp_path.glob("*.csv"))
    # (the search's store) CSV keeps the data as it is (UTF-8); the table escapes what the
    # stream cannot carry
    code, out, err = run_child(["sql", "select 'é' AS word"], env=env)
    assert (code, out.splitlines()) == (0, ["word", "é"]), err
    code, out, err = run_child(["sql", "--format", "table", "select 'é' AS word"], env=env)
    assert (code, out.splitlines()[:2]) == (0, ["word", "\\xe9"]), err
    code, _, err = subprocess_bytes_argument(env)
    assert (code, err) == (2, ["trialfinder: error: the argument 'caf\\udce9' is not UTF-8 "
                               "text"])


def subprocess_bytes_argument(env: dict[str, str]) -> tuple[int, str, list[str]]:
    """``trialfinder search -c caf\\xe9``: one argument whose byte is not UTF-8."""
    done = subprocess.run([sys.executable, "-m", "trialfinder", "search", "-c", b"caf\xe9"],
                          capture_output=True, env=CHILD_ENV | env, timeout=60)
    return done.returncode, "", done.stderr.decode("ascii", "replace").splitlines()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "stdout", "reason"), [
    (["--help"], "full", "No space left on device"),
    (["--version"], "full", "No space left on device"),
    (["--version"], "closed", "standard output is closed"),
    (["search", "--help"], "closed", "standard output is closed"),
])
def test_help_and_version_whose_output_fails_end_with_one_line(
    argv: list[str], stdout: str, reason: str,
) -> None:
    """They said nothing and exited 0, as if the text had arrived."""
    assert run_child(argv, stdout=stdout)[::2] == (
        1, [f"trialfinder: error: cannot write the output: {reason}"])
    code, out, err = run_child(argv)
    assert (code, err) == (0, []) and out.startswith(("usage: trialfinder", "trialfinder "))


def test_command_line_reads_surrogate_escapes_back_as_utf8() -> None:
    from trialfinder.cli.streams import command_line

    escaped = "Sjögren".encode().decode("ascii", "surrogateescape")
    assert command_line(["search", "-c", escaped]) == ["search", "-c", "Sjögren"]
    assert command_line(["-c", "déjà vu"]) == ["-c", "déjà vu"]  # already text: as it is


class SilentServer:
    """A loopback server that takes requests and never answers (until closed)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.asked = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            while True:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
                if conn.recv(65536):
                    self.asked.set()
        except OSError:
            return

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.sock.close()


@pytest.mark.timeout(90)
def test_sigterm_ends_a_sync_with_one_line_exit_143_and_its_run_aborted(tmp_path: Path) -> None:
    server = SilentServer()
    data = tmp_path / "data"
    env = CHILD_ENV | {"TRIALFINDER_DATA_DIR": str(data), "TRIALFINDER_RETRIES": "0",
                       "TRIALFINDER_TIMEOUT": "60",
                       "TRIALFINDER_BASE_URL": f"http://127.0.0.1:{server.port}/api/v2"}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "trialfinder", "sync", "-t", "x"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                preexec_fn=child_preexec())
        with proc:
            assert server.asked.wait(timeout=60), "the sync never reached the server"
            proc.terminate()  # SIGTERM
            out, err = proc.communicate(timeout=60)
    finally:
        server.close()
    assert (proc.returncode, err, out) == (143, b"terminated\n", b"")
    assert _runs(data / "studies.duckdb") == [(1, "sync", "aborted")]


IMPORT_THEN_SIGTERM = """
import importlib.abc, os, runpy, signal, sys

class Term(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "pandas":
            os.kill(os.getpid(), signal.SIGTERM)
        return None

sys.meta_path.insert(0, Term())
sys.argv = ["trialfinder", "search", "-c", "asthma", "--no-cache"]
runpy.run_module("trialfinder", run_name="__main__")
"""


@pytest.mark.timeout(60)
def test_sigterm_during_start_up_is_one_line_and_exit_143(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_THEN_SIGTERM], capture_output=True,
                          timeout=60, preexec_fn=child_preexec(),
                          env=CHILD_ENV | {"TRIALFINDER_BASE_URL": "http://127.0.0.1:9",
                                           "TRIALFINDER_CACHE_DIR": str(tmp_path)})
    assert (done.returncode, done.stderr, done.stdout) == (143, b"terminated\n", b"")



LOST_CTRL_C = """
import sys, weakref
from trialfinder.cli.streams import keep_interrupts

keep_interrupts()


class Thing:
    pass


def gone(ref):  # Ctrl-C arriving while Python runs a weak reference's callback
    raise KeyboardInterrupt


thing = Thing()
held = weakref.ref(thing, gone)
try:
    del thing
    for step in range(100_000_000):  # the command goes on (a sync's next pages)
        pass
    print("went on")
except KeyboardInterrupt:
    print("stopped")
"""


def test_a_ctrl_c_python_swallows_in_a_callback_still_stops_the_command() -> None:
    """Python swallows an exception raised in a weak reference's callback or a ``__del__``
    ("Exception ignored in ..."): a Ctrl-C that came there was lost, and a sync went on to its
    end and exited 0. The command's own process delivers it again."""
    done = subprocess.run([sys.executable, "-c", LOST_CTRL_C], env=CHILD_ENV,
                          preexec_fn=child_preexec(), capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "stopped\n", "")
