"""Issue 19, class 3: the data folder follows the cache folder's rules. Nobody else can plant
studies that `store info`, `sql` or the page would show as registry data: a folder others can
write to is refused with one line that names it and the fix, another user's file and a
symbolic link are left alone and named, and nothing follows a link out of the folder.

The tests run as root, which may hand a file to another uid (``os.chown``) and set any mode."""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.standin import StandInServer, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.folders import not_private
from trialfinder.store import spool
from trialfinder.store.db import Store, StoreError, open_store

OTHER_UID = 54321  # a user that is not us
posix_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                                reason="needs POSIX and root (to chown to another user)")


def _spool_file(store_path: Path, nct: str) -> Path:
    """A finished incoming file of one fictional study, as a search leaves it."""
    writer = spool.SpoolWriter(store_path)
    writer.add([fictional_study(nct, "Fictional planted study")])
    writer.finish()
    [file] = spool.pending(store_path)
    return file


def _stored(path: Path) -> list[Any]:
    with open_store(path) as store:
        return store.con.execute("SELECT nct_id FROM studies ORDER BY 1").fetchall()


@given(st.integers(min_value=0, max_value=0o777))
def test_the_rule_for_a_folder_mode(mode: int) -> None:
    info = os.stat_result((stat.S_IFDIR | mode, 0, 0, 2, os.getuid(), 0, 0, 0, 0, 0))
    problem = not_private(info)
    if mode & 0o022:
        assert problem == (f"other users can write to it (mode {mode:o}; 'chmod 700' makes "
                           "it private)")
    else:
        assert problem is None
    theirs = os.stat_result((stat.S_IFDIR | mode, 0, 0, 2, os.getuid() + 1, 0, 0, 0, 0, 0))
    assert not_private(theirs) == f"it belongs to another user (uid {os.getuid() + 1})"


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o702])
def test_a_data_folder_others_can_write_to_is_refused(
        mode: int, private_data_dir: Path, standin: StandInServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = private_data_dir / "studies.duckdb"
    _spool_file(path, "NCT99000171")
    assert _stored(path) == [("NCT99000171",)]
    private_data_dir.chmod(mode)
    refusal = (f"trialfinder: error: refusing the data folder {private_data_dir}: other users "
               f"can write to it (mode {mode:o}; 'chmod 700' makes it private)")
    for command in (["store", "info"], ["sql", "select count(*) from studies"],
                    ["watch", "list"]):
        assert main(command) == 1
        assert capsys.readouterr().err.splitlines() == [refusal]
    # a search goes on, and says in one line why the store did not get it
    assert main(["search", "--condition", "asthma", "--base-url", standin.base_url,
                 "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert (f"this search was not added to the study store: refusing the data folder "
            f"{private_data_dir}: other users can write to it") in err
    private_data_dir.chmod(0o700)
    assert main(["store", "info"]) == 0


@posix_root
def test_a_data_folder_of_another_user_is_refused(private_data_dir: Path) -> None:
    os.chown(private_data_dir, OTHER_UID, -1)
    with pytest.raises(StoreError, match=f"refusing the data folder {private_data_dir}: it "
                                         f"belongs to another user \\(uid {OTHER_UID}\\)"):
        open_store(private_data_dir / "studies.duckdb")


def test_an_incoming_folder_others_can_write_to_is_not_read(
        private_data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = private_data_dir / "studies.duckdb"
    _stored(path)  # an empty store
    _spool_file(path, "NCT99000172")
    incoming = spool.incoming_dir(path)
    incoming.chmod(0o777)
    with caplog.at_level(logging.WARNING):
        assert _stored(path) == []
    assert f"refusing {incoming}: other users can write to it (mode 777; 'chmod 700' makes " \
        "it private); searches left there are not added to the study store" in caplog.text
    writer = spool.SpoolWriter(path)  # nor does a search write there
    writer.add([fictional_study("NCT99000173", "Fictional study")])
    assert (writer.finish().problem or "").startswith(
        f"this search was not added to the study store: refusing {incoming}: other users")
    incoming.chmod(0o700)
    assert _stored(path) == [("NCT99000172",)]


@posix_root
def test_a_file_of_another_user_is_left_alone_and_named(
        private_data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = private_data_dir / "studies.duckdb"
    planted = _spool_file(path, "NCT99000174")
    os.chown(planted, OTHER_UID, -1)
    mine = _spool_file(path, "NCT99000175")
    with caplog.at_level(logging.WARNING):
        assert _stored(path) == [("NCT99000175",)]
    assert f"ignoring {planted}: it belongs to another user (uid {OTHER_UID})" in caplog.text
    assert planted.exists() and not mine.exists()  # theirs untouched, ours added


def test_no_link_is_followed_out_of_the_folder(
        private_data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = private_data_dir / "studies.duckdb"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    real = _spool_file(outside / "studies.duckdb", "NCT99000176")
    link = spool.incoming_dir(path) / real.name
    link.parent.mkdir(mode=0o700)
    link.symlink_to(real)
    with caplog.at_level(logging.WARNING):
        assert _stored(path) == []
    assert f"ignoring {link}: it is a symbolic link" in caplog.text
    assert real.exists() and link.is_symlink()
    # a linked incoming folder is refused whole, and nothing is written through it
    link.unlink()
    link.parent.rmdir()
    link.parent.symlink_to(real.parent)
    assert _stored(path) == []
    writer = spool.SpoolWriter(path)
    writer.add([fictional_study("NCT99000177", "Fictional study")])
    assert "it is a symbolic link" in (writer.finish().problem or "")
    assert [p.name for p in real.parent.iterdir()] == [real.name]


def test_a_rejected_file_is_never_moved_through_a_link(
        private_data_dir: Path, tmp_path: Path) -> None:
    path = private_data_dir / "studies.duckdb"
    incoming = spool.incoming_dir(path)
    incoming.mkdir(mode=0o700)
    (incoming / "20260101T000000000000Z-1-abcd.jsonl").write_text("not a file of pages\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (incoming / "rejected").symlink_to(outside)
    assert _stored(path) == []
    assert list(outside.iterdir()) == []  # deleted rather than moved out
    assert not (incoming / "20260101T000000000000Z-1-abcd.jsonl").exists()


@posix_root
def test_a_store_file_that_is_a_link_or_not_ours_is_refused(
        private_data_dir: Path, tmp_path: Path) -> None:
    path = private_data_dir / "studies.duckdb"
    elsewhere = tmp_path / "elsewhere.duckdb"
    with Store(elsewhere):
        pass
    path.symlink_to(elsewhere)
    with pytest.raises(StoreError, match=re.escape(f"refusing the study store file {path}: it "
                                                   "is a symbolic link; move it aside")):
        Store(path, read_only=True)
    path.unlink()
    with Store(path):
        pass
    wal = path.with_name(path.name + ".wal")
    wal.write_bytes(b"planted")
    os.chown(wal, OTHER_UID, -1)
    with pytest.raises(StoreError, match=f"refusing the study store file {wal}: it belongs "
                                         f"to another user \\(uid {OTHER_UID}\\)"):
        Store(path)
