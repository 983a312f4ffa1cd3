"""Write cassettes/ from the loopback stand-in serving our fictional demo data.

No network is used: the stand-in (``devtools.standin``) answers in the exact API v2 shape,
and the recorded URLs are rewritten to ``https://clinicaltrials.gov/api/v2`` so the tests replay
them as if from the real API. Run with ``make cassettes`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    os.environ["TRIALFINDER_RECORD_STANDIN"] = "1"
    target = ROOT / "cassettes" / "test_cassettes"
    shutil.rmtree(target, ignore_errors=True)
    return int(pytest.main([str(ROOT / "tests" / "test_cassettes.py"), "--record-mode=all",
                            "-q", "-p", "no:cacheprovider"]))


if __name__ == "__main__":
    sys.exit(main())
