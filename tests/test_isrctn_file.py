"""``--from-file`` with a saved ISRCTN answer (fictional trials, ISRCTN99...): read as safely
as a live answer, filtered locally, statuses derived on ISRCTN's day; the options only a
registry applies are refused in one line, as are a wrong ``--registry`` and hostile XML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.isrctn.records import FictionalTrial, answer_xml
from tests.conftest import ISRCTN_TODAY
from trialfinder import registries
from trialfinder.cli.main import main
from trialfinder.registries.isrctn.registry import ISRCTN, IsrctnRegistry

TRIALS = [
    FictionalTrial("ISRCTN99500001", "Walking aid trial (fictional)", condition="Asthma",
                   contacts=(("Dr", "Ada", "Example", "Scientific", "+44 114 496 0000",
                              "ada@example.org"),)),
    FictionalTrial("ISRCTN99500002", "Finished trial (fictional)", recruitment_start="2020-01-01",
                   recruitment_end="2021-01-01", overall_end="2021-06-30"),
    FictionalTrial("ISRCTN99500003", "Children's trial (fictional)", lower_age=("5.0", "years"),
                   upper_age=("11.0", "years")),
]


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[None]:
    registries.register(IsrctnRegistry(today=lambda: ISRCTN_TODAY))
    try:
        yield
    finally:
        registries.register(ISRCTN)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "isrctn.xml"
    path.write_bytes(b"\xef\xbb\xbf\n" + answer_xml(TRIALS))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_saved_answer_is_filtered_locally_with_derived_statuses(
        saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "--from-file", str(saved), "--status", "recruiting",
                         "--age", "40", "--format", "json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["nct_id"], r["status"], r["source"]) for r in rows] == [
        ("ISRCTN99500001", "RECRUITING", "isrctn")]
    assert rows[0]["central_contact_email"] == "ada@example.org"
    code, out, err = run(capsys, "search", "--from-file", str(saved), "--registry", "isrctn",
                         "--status", "completed", "--format", "json")
    assert code == 0, err
    assert [json.loads(line)["nct_id"] for line in out.splitlines()] == ["ISRCTN99500002"]
    code, out, err = run(capsys, "search", "--from-file", str(saved), "--columns",
                         "nct_id,status")
    assert code == 0, err
    assert [line.split("  ", 1)[1].strip() for line in out.splitlines()[1:4]] == [
        "Recruiting (derived)", "Completed (derived)", "Recruiting (derived)"]


def test_match_screens_a_saved_answer(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "match", "--from-file", str(saved), "--age", "8",
                         "--keyword", "children")
    assert code == 0, err
    assert out.splitlines()[0].split()[:2] == ["fits", "ISRCTN99500003"]


def test_match_help_says_it_reads_a_saved_isrctn_answer_too(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`match --from-file` screens ISRCTN's XML (above); its help named only
    ClinicalTrials.gov's JSON download."""
    with pytest.raises(SystemExit):
        main(["match", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("--from-file FROM_FILE check the studies of a saved ClinicalTrials.gov JSON "
            "download, or of a saved ISRCTN API answer (XML)") in text


@pytest.mark.parametrize(("argv", "message"), [
    (("-c", "asthma"), "--condition cannot be applied to them"),
    (("--registry", "ctgov"), "--registry can only be isrctn with it"),
])
def test_what_a_saved_answer_cannot_do_is_one_line(
        saved: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
        message: str) -> None:
    code, out, err = run(capsys, "search", "--from-file", str(saved), *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and message in err


def test_a_broken_xml_file_with_a_condition_says_what_is_wrong_with_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file cut short ('<allTrials><bad') searched with --condition was said to hold ISRCTN
    records that a condition cannot be applied to: the file was never read."""
    path = tmp_path / "cut.xml"
    path.write_text('<?xml version="1.0"?><allTrials><bad')
    code, out, err = run(capsys, "search", "--from-file", str(path), "-c", "asthma")
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and "holds ISRCTN records" not in err
    assert err.startswith(f"trialfinder: error: {path} ")


def test_json_is_not_read_as_isrctn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "studies.json"
    path.write_text("[]")
    code, _, err = run(capsys, "search", "--from-file", str(path), "--registry", "isrctn")
    assert code == 2
    assert "is no XML, so no saved ISRCTN answer" in err


@pytest.mark.timeout(20)
def test_hostile_or_oversized_files_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.xml"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb.write_text(f'<?xml version="1.0"?><!DOCTYPE allTrials [<!ENTITY l0 "lol">{entities}]>'
                    '<allTrials totalCount="1">&l9;</allTrials>')
    code, out, err = run(capsys, "search", "--from-file", str(bomb))
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and "declares a DTD or entities" in err
    big = tmp_path / "big.xml"
    big.write_bytes(answer_xml(TRIALS * 4))  # about 40 kB: refused before it is parsed
    monkeypatch.setenv("TRIALFINDER_MAX_FILE_MB", "0.01")
    code, out, err = run(capsys, "search", "--from-file", str(big))
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and "limit for a data file" in err


def test_the_python_api_reads_a_saved_answer_as_from_file_does(saved: Path) -> None:
    import trialfinder as tf

    res = tf.search_file(saved, status="recruiting", age=40)
    assert [(r.nct_id, r.status, r.source) for r in res.studies.itertuples()] == [
        ("ISRCTN99500001", "RECRUITING", "isrctn")]
    assert res.meta.registries == ("isrctn",)
    assert list(tf.search_file(str(saved), registry="isrctn", status="completed")
                .studies["nct_id"]) == ["ISRCTN99500002"]
    with pytest.raises(tf.InvalidQueryError, match="--registry can only be isrctn with it"):
        tf.search_file(saved, registry="ctgov")
    with pytest.raises(tf.InvalidQueryError, match="cannot be applied to them"):
        tf.search_file(saved, condition="asthma")
