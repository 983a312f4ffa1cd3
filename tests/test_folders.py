"""The cache folder: created private, refused when others could plant files in it, and a folder
that cannot be used costs one warning, never the search."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from devtools.standin import StandInServer
from trialfinder.cli.main import main
from trialfinder.core import folders as cachedir
from trialfinder.core.config import Settings
from trialfinder.core.errors import CacheError
from trialfinder.core.folders import prepare_cache_dir
from trialfinder.registries.ctgov.client import TrialsClient
from trialfinder.service.searching import search
from trialfinder.topics.demo import load_demo_studies

Factory = Callable[..., StandInServer]
STUDIES = "/api/v2/studies"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def settings_for(server: StandInServer, folder: Path, **changes: object) -> Settings:
    return Settings(base_url=server.base_url, cache_dir=folder, requests_per_minute=1e6,
                    burst=10**6, backoff_factor=0.0).with_(**changes)


def make_read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder this process cannot write to. Root writes anywhere, so for root the check is
    told what a read-only file system would answer."""
    folder.chmod(0o500)
    if IS_ROOT:
        real_access = os.access

        def access(path: object, mode: int, **kwargs: object) -> bool:
            if Path(str(path)) == folder and mode & os.W_OK:
                return False
            return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(cachedir.os, "access", access)


def test_a_new_folder_is_private(tmp_path: Path) -> None:
    folder = prepare_cache_dir(tmp_path / "a" / "cache")
    assert folder == tmp_path / "a" / "cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_existing_private_folder_is_used_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir(mode=0o755)
    assert prepare_cache_dir(tmp_path / "c") == tmp_path / "c"
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o755  # others may read, not write


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o1777])
def test_a_folder_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(CacheError) as caught:
        prepare_cache_dir(folder)
    assert str(caught.value) == (
        f"refusing the cache folder {folder}: other users can write to it (mode {mode:o}; "
        "'chmod 700' makes it private); not using the cache")


def test_a_folder_of_another_user_is_refused(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    if IS_ROOT:
        os.chown(folder, 4242, -1)
    else:
        monkeypatch.setattr(cachedir.os, "getuid", lambda: folder.stat().st_uid + 1)
    owner = folder.stat().st_uid
    with pytest.raises(CacheError, match=rf"^refusing the cache folder {folder}: it belongs to "
                       rf"another user \(uid {owner}\); not using the cache$"):
        prepare_cache_dir(folder)


def test_a_file_in_place_of_the_folder_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("x")
    with pytest.raises(CacheError, match=r"is not a folder; not using the cache$"):
        prepare_cache_dir(tmp_path / "cache")
    with pytest.raises(CacheError, match=r"^cannot create the cache folder .*/cache/sub: "
                       r"Not a directory; not using the cache$"):
        prepare_cache_dir(tmp_path / "cache" / "sub")


def test_a_read_only_folder_is_unusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o700)
    make_read_only(folder, monkeypatch)
    with pytest.raises(CacheError, match=rf"^the cache folder {folder} is read-only; "):
        prepare_cache_dir(folder)


def test_search_goes_on_without_a_world_writable_cache(standin_factory: Factory,
                                                       tmp_path: Path) -> None:
    server = standin_factory(load_demo_studies())
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    res = search(settings=settings_for(server, folder), preset="als")
    assert len(res.studies) == 6
    assert res.warnings == [f"refusing the cache folder {folder}: other users can write to it "
                            "(mode 777; 'chmod 700' makes it private); not using the cache"]
    assert list(folder.iterdir()) == []  # nothing read or written there
    again = search(settings=settings_for(server, folder), preset="als")
    assert server.stats.paths[STUDIES] == 2  # no cache: asked again
    assert len(again.warnings) == 1


def test_search_goes_on_without_a_read_only_cache(standin_factory: Factory, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    server = standin_factory(load_demo_studies())
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o700)
    make_read_only(folder, monkeypatch)
    client = TrialsClient(settings_for(server, folder))
    assert not hasattr(client.session, "cache")  # the HTTP cache was left out too
    res = search(client=client, preset="als")
    assert len(res.studies) == 6
    assert res.warnings == [f"the cache folder {folder} is read-only; not using the cache"]
    assert list(folder.iterdir()) == []


def test_offline_mode_with_an_unusable_cache_is_one_clear_error(standin: StandInServer,
                                                                tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("x")
    # offline, only the cache could answer: the error does not say the search goes on
    with pytest.raises(CacheError, match=r"^offline mode answers from the cache only, and the "
                                         r"cache folder .* is not a folder$"):
        TrialsClient(settings_for(standin, tmp_path / "cache", offline=True))


def test_cli_search_with_an_unusable_cache_prints_one_note(
    standin_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(load_demo_studies())
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(folder))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code = main(["search", "--preset", "als"])
    out, err = capsys.readouterr()
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:-2]] == [
        "NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029", "NCT99000041",
        "NCT99000054"]  # the six ALS studies, between the header and the total
    assert [line for line in err.splitlines() if "cache" in line] == [
        f"trialfinder: note: refusing the cache folder {folder}: other users can write to it "
        "(mode 777; 'chmod 700' makes it private); not using the cache"]
    assert "Traceback" not in err and "cannot write the output" not in err
