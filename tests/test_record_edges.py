"""Issue 19, classes 8 and 9: what a record must be to come in, decided once at the edge.

A record whose ``nctId`` is not ``NCT`` and 8 ASCII digits is skipped and counted wherever
records come in (a search, a sync, a file, the store's spool), and the same JSON is read the
same way from the API and from a file, with or without a UTF-8 byte order mark."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.standin import StandInServer, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.config import Settings
from trialfinder.core.errors import SchemaError
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.registries.ctgov.datafile import load_records
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.query import is_nct_id
from trialfinder.store import spool
from trialfinder.store.db import Store, open_store

GOOD = "NCT99000181"
NOT_IDS: list[Any] = [
    "NCT\u0669\u0669\u0660\u0660\u0660\u0661\u0668\u0662",  # Arabic-Indic digits
    "NCT\uff19\uff19\uff10\uff10\uff10\uff11\uff18\uff13",  # full-width digits
    "\uff2e\uff23\uff3499000184",  # full-width letters
    "NCT9900\u200b0185",  # a zero-width space inside
    "../../NCT99000186",
    "[NCT99000187](https://example.invalid)",
    "NCT" + "9" * 5000,
    "NCT99000188\n",
    " NCT99000189",
    "nct99000190",
    99000191,  # a number, not text
    None,
]
SKIPPED_NOTE = "whose nctId is not an NCT id (NCT and 8 digits)"


def study(nct: Any, title: str = "Fictional edge study") -> dict[str, Any]:
    record = fictional_study("NCT99000199", title)
    ident = record["protocolSection"]["identificationModule"]
    if nct is None:
        del ident["nctId"]
    else:
        ident["nctId"] = nct
    return record


def hostile_records() -> list[dict[str, Any]]:
    return [study(GOOD, "Fictional good study"), *(study(n) for n in NOT_IDS)]


# -- 8. ids are NCT ids ------------------------------------------------------------------------


def test_the_one_rule() -> None:
    assert is_nct_id(GOOD)
    assert [n for n in NOT_IDS if is_nct_id(n)] == []


# the rule itself is tested on every kind of look-alike (test_the_one_rule); this checks
# that normalize applies it to anything
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=20), st.integers(), st.none(),
                 st.text(alphabet="NCT0123456789\u0660\u0669\uff10 \n", max_size=14)))
def test_any_other_id_is_skipped_and_counted(nct: Any) -> None:
    records = [study(GOOD), study(nct)]
    tables = normalize(records)
    if isinstance(nct, str) and re.fullmatch(r"NCT[0-9]{8}", nct, re.ASCII):
        assert tables.skipped == 0
        return
    assert tables.studies["nct_id"].tolist() == [GOOD]
    assert tables.skipped == 1
    assert sum(tables.problems.get(k, 0) for k in ("bad_nct_id", "record_without_nct_id")) == 1


def test_a_file_import_skips_and_counts_them(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "download.json"
    path.write_text(json.dumps(hostile_records()))
    assert main(["search", "--from-file", str(path), "--columns", "nct_id,title"]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()[1:-2]] == [GOOD]
    assert f"skipped 11 records {SKIPPED_NOTE}" in err
    assert "skipped 1 record that could not be read" in err  # the one without an id


def test_search_and_sync_store_only_nct_ids(standin_factory: Callable[..., StandInServer],
                                            private_data_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    server = standin_factory(hostile_records())
    assert main(["search", "--condition", "fictional", "--base-url", server.base_url,
                 "--no-cache"]) == 0
    out, err = capsys.readouterr()
    assert GOOD in out and f"skipped 11 records {SKIPPED_NOTE}" in err
    assert main(["sync", "--condition", "fictional", "--base-url", server.base_url]) == 0
    assert f"skipped 12 records {SKIPPED_NOTE}" in capsys.readouterr().err
    with Store(private_data_dir / "studies.duckdb", read_only=True) as store:
        assert store.con.execute("SELECT nct_id FROM studies").fetchall() == [(GOOD,)]
        assert store.con.execute("SELECT DISTINCT nct_id FROM versions").fetchall() == \
            [(GOOD,)]


def test_the_spool_adds_only_nct_ids(private_data_dir: Path) -> None:
    path = private_data_dir / "studies.duckdb"
    writer = spool.SpoolWriter(path)
    writer.add(hostile_records())
    assert writer.finish().studies == 13
    with open_store(path) as store:
        assert store.con.execute("SELECT nct_id FROM studies").fetchall() == [(GOOD,)]
        rows = store.con.execute("SELECT studies FROM runs").fetchall()
    assert rows == [(1,)]


def test_show_refuses_an_answer_without_an_nct_id(
        standin_factory: Callable[..., StandInServer]) -> None:
    # the stand-in files a record under its id in upper case, so it answers for GOOD with
    # a record whose own id is in lower case
    server = standin_factory([study(GOOD.lower())])
    client = TrialsClient(Settings(base_url=server.base_url, use_cache=False))
    with pytest.raises(SchemaError, match="not a study record with an NCT id"):
        client.get_study(GOOD)


# -- 9. a byte order mark reads the same from a file and from the API ---------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("lines", [False, True])
def test_a_file_with_a_bom_reads_as_without(tmp_path: Path, lines: bool) -> None:
    records = [study(GOOD), study("NCT99000182")]
    as_lines = b"".join(orjson.dumps(r) + b"\n" for r in records)
    text = as_lines if lines else orjson.dumps(records)
    plain, marked = tmp_path / "plain.json", tmp_path / "marked.json"
    plain.write_bytes(text)
    marked.write_bytes(BOM + text)
    assert load_records(marked) == load_records(plain) == records


@pytest.fixture
def bom_api() -> Iterator[str]:
    """A loopback API whose every answer starts with a UTF-8 byte order mark."""
    page = {"studies": [study(GOOD, "Fictional marked study")], "totalCount": 1}
    version = {"apiVersion": "2.0.5", "dataTimestamp": "2026-11-20T09:00:00"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = BOM + json.dumps(version if "/version" in self.path else page).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v2"
    server.shutdown()
    server.server_close()


def test_an_api_answer_with_a_bom_reads_and_is_stored(
        bom_api: str, private_data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--condition", "fictional", "--base-url", bom_api,
                 "--no-cache"]) == 0
    from_api = capsys.readouterr().out
    assert "Fictional marked study" in from_api
    path = tmp_path / "saved.json"
    path.write_bytes(BOM + json.dumps([study(GOOD, "Fictional marked study")]).encode())
    assert main(["search", "--from-file", str(path)]) == 0
    from_file = capsys.readouterr().out
    assert from_file.splitlines()[:2] == from_api.splitlines()[:2]
    with open_store(private_data_dir / "studies.duckdb", read_only=True) as store:
        assert store.con.execute("SELECT nct_id FROM studies").fetchall() == [(GOOD,)]
