"""The public Python API: exported names, and the README's Python examples run as written."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from pathlib import Path

import pytest

import trialfinder as tf
from devtools.standin import StandInServer
from trialfinder import service
from trialfinder.meta import ResultMeta
from trialfinder.topics.demo import load_demo_studies

README = Path(__file__).resolve().parents[1] / "README.md"


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(tf)
              if not name.startswith("_") and not isinstance(getattr(tf, name), types.ModuleType)}
    assert public | {"__version__"} == set(tf.__all__)
    assert len(tf.__all__) == len(set(tf.__all__))
    assert tf.ResultMeta is ResultMeta
    assert tf.search is service.search
    with pytest.raises(AttributeError, match="no attribute 'serach'"):
        tf.serach  # noqa: B018


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    studies = load_demo_studies()
    server = standin_factory(studies)
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ctg-studies.json").write_text(json.dumps(studies))
    blocks = python_blocks(README.read_text())
    assert blocks, "the README has no Python example"
    code = "\n".join(blocks).replace("NCT01234567", "NCT99000017")  # a study the stand-in has
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    res = namespace["res"]
    assert isinstance(res, tf.Results)
    assert (tmp_path / "als.csv").exists() and (tmp_path / "als.csv.meta.json").exists()
    assert len(namespace["tables"].studies) == 60  # type: ignore[attr-defined]
    detail = namespace["detail"]
    assert isinstance(detail, tf.StudyDetail)
    assert detail.results.sites["distance_mi"].notna().any()
