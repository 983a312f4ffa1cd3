"""The built wheel carries the product only: no stand-in, no tests, no benchmark or test data."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None,
                    reason="setuptools is needed to build the wheel offline")
def test_wheel_holds_the_package_and_nothing_of_the_workshop(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = list((tmp_path / "dist").glob("trialfinder-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"trialfinder", wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info"}
    assert not [n for n in names if "standin" in n or "/tests/" in n or "cassette" in n]
    # The package's own layers are all there.
    for layer in ("core", "http", "registries", "registries/ctgov", "options", "tables",
                  "places", "topics", "cache", "store", "service", "cli", "views"):
        assert f"trialfinder/{layer}/__init__.py" in names
    assert "trialfinder/py.typed" in names
    data = [n for n in names if n.startswith("trialfinder/data/")]
    assert data and all(not n.endswith(".json") for n in data), data
    assert "trialfinder/data/vocabulary.toml" in data  # the pre-screen's names
