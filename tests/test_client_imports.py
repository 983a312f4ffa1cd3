"""What a search without the cache loads: requests-cache (and its stack) stays out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
HEAVY = ("requests_cache", "cattrs", "yaml", "url_normalize", "itsdangerous")


def _loaded_after(code: str) -> list[str]:
    tops = "{m.split('.')[0] for m in sys.modules}"
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({tops} & {set(HEAVY)!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, env=ENV, check=True)
    names: list[str] = json.loads(done.stdout)
    return names


def test_a_search_without_the_cache_does_not_import_requests_cache() -> None:
    code = ("import trialfinder as tf\n"
            "from trialfinder.registries.ctgov.client import TrialsClient\n"
            "from trialfinder.core.config import Settings\n"
            "tf.search\n"
            "TrialsClient(Settings(use_cache=False))\n")
    assert _loaded_after(code) == []


def test_a_cached_session_still_imports_it(tmp_path: Path) -> None:
    code = ("from pathlib import Path\n"
            "from trialfinder.registries.ctgov.client import TrialsClient\n"
            "from trialfinder.core.config import Settings\n"
            f"TrialsClient(Settings(use_cache=True, cache_dir=Path({str(tmp_path)!r})))\n")
    assert "requests_cache" in _loaded_after(code)
