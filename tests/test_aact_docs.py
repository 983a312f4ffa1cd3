"""docs/aact.md: its five analyst questions give, on the demo data, the output it shows."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from trialfinder.cli.main import main
from trialfinder.registries.ctgov.fullrecord import list_view
from trialfinder.store.aact.source import keep_records
from trialfinder.store.db import Store
from trialfinder.topics.demo import load_demo_studies

DOC = Path(__file__).resolve().parents[1] / "docs" / "aact.md"
EXAMPLE = re.compile(r'```bash\ntrialfinder sql "(.*?)"\n```\n\n```\n(.*?)\n```', re.S)


def test_the_five_questions_answer_as_the_docs_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = list(load_demo_studies())
    with Store(tmp_path / "studies.duckdb") as store:  # as `sync --whole-registry` leaves it
        store.add_records([list_view(r) for r in demo])
        keep_records(store, demo, datetime(2026, 1, 1))
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path))
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert len(examples) == 5
    for sql, shown in examples:
        assert main(["sql", sql]) == 0
        assert capsys.readouterr().out.replace("\r\n", "\n") == shown + "\n", sql
