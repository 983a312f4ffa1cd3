"""The ISRCTN stand-in's trials are shown as fictional: every record it serves carries
trialfinder's own mark (an attribute in a namespace ISRCTN never writes), which the ISRCTN reader
turns into the one rule of ``topics.demo`` (note, provenance key, no link to isrctn.com). A
record without the mark is real, whatever its title says; ISRCTN's numbers are random, so no id
range can say it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from devtools.isrctn import IsrctnServer
from devtools.isrctn.records import answer_xml, sample_trials
from tests.conftest import isrctn_trial
from trialfinder.cli.main import main
from trialfinder.registries.isrctn.record import record_of
from trialfinder.registries.isrctn.registry import ISRCTN
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.topics import demo


def records(*trials: object) -> list[dict[str, object]]:
    return [record_of(t) for t in parse_answer(answer_xml(list(trials))).trials]


def test_the_stand_in_marks_every_trial_and_a_real_record_has_no_such_key() -> None:
    marked = records(*sample_trials())
    assert [r["fictional"] for r in marked] == [True] * 12
    real = records(replace(sample_trials()[0], marked=False))
    assert "fictional" not in real[0]  # a real record's fields, and so its version, unchanged
    assert {k: v for k, v in marked[0].items() if k != "fictional"} == real[0]


def test_the_reader_puts_a_marked_record_under_the_one_rule_and_the_last_reading_wins() -> None:
    first = sample_trials()[0]
    assert not demo.shows_fictional(["ISRCTN99000001"])
    reader = ISRCTN.reader()
    reader.add(records(first))
    studies = reader.tables().studies
    assert demo.shows_fictional(studies["nct_id"])
    assert studies["url"].tolist() == ["https://www.isrctn.com/ISRCTN99000001"]
    assert demo.honest_links(studies)["url"].isna().tolist() == [True]
    # the same number read from a record without the mark (ISRCTN's own) is real again
    ISRCTN.reader().add(records(replace(first, marked=False)))
    assert not demo.shows_fictional(["ISRCTN99000001"])
    ISRCTN.study_page(records(first)[0])
    assert demo.shows_fictional(["ISRCTN99000001"])


def test_a_title_that_says_fictional_marks_nothing() -> None:
    reader = ISRCTN.reader()
    reader.add(records(isrctn_trial("ISRCTN99000201", "A fictional trial (fictional)")))
    assert reader.tables().studies["title"].tolist() == ["A fictional trial (fictional)"]
    assert not demo.shows_fictional(["ISRCTN99000201"])


def test_a_search_of_the_stand_in_says_its_trials_are_fictional_and_links_none(
    isrctn_server: IsrctnServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    isrctn_server.api.trials = sample_trials()
    out = tmp_path / "mnd.csv"
    code = main(["search", "-c", "motor neurone disease", "--registry", "isrctn", "--status",
                 "any", "--no-cache", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"trialfinder: note: {demo.FICTIONAL_NOTE}" in err
    frame = pd.read_csv(out)
    assert frame["nct_id"].tolist() == ["ISRCTN99000001", "ISRCTN99000002", "ISRCTN99000003"]
    assert frame["url"].isna().all()
    sidecar = json.loads(out.with_name("mnd.csv.meta.json").read_text())
    assert sidecar["fictional"] == "invented demo studies, not from any registry"
    assert main(["show", "ISRCTN99000002"]) == 0
    shown = capsys.readouterr()
    assert shown.out.splitlines()[1] == ("ISRCTN99000002  ·  Not yet recruiting (derived)  ·  "
                                         "An invented demo study: it has no page on ISRCTN.")
    assert "isrctn.com" not in shown.out


def test_a_search_of_unmarked_records_shows_them_as_real(
    isrctn_server: IsrctnServer, capsys: pytest.CaptureFixture[str],
) -> None:
    isrctn_server.api.trials = [replace(t, marked=False) for t in sample_trials()[:3]]
    code = main(["search", "-c", "motor neurone disease", "--registry", "isrctn", "--status",
                 "any", "--no-cache", "--format", "csv", "--columns", "nct_id,url"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "fictional" not in err
    assert out.splitlines()[1] == "ISRCTN99000001,https://www.isrctn.com/ISRCTN99000001"
