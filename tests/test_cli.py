"""The trialfinder command line, end to end against the loopback stand-in and local files."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from devtools.standin import Faults, StandInServer, fictional_study
from trialfinder.cli.main import main
from trialfinder.cli.progress import ProgressBar
from trialfinder.cli.search import NO_SIDECAR
from trialfinder.core.provenance import ResultMeta
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.service.searching import Results
from trialfinder.service.streaming import Streamed
from trialfinder.tables.filters import LocalFilters, apply_filters
from trialfinder.topics.demo import FICTIONAL_NOTE, load_demo_studies

SHARED = Path(__file__).resolve().parents[2] / "shared" / "ctgov"
Factory = Callable[..., StandInServer]


@pytest.fixture
def demo_api(standin_factory: Factory, monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> StandInServer:
    server = standin_factory(load_demo_studies())
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    return server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_prints_one_line_per_study_and_the_total(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "--preset", "als")
    lines = out.splitlines()
    assert code == 0, err
    assert lines[0].split() == ["nct_id", "status", "title"]
    assert [line.split()[0] for line in lines[1:-2]] == [
        "NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029", "NCT99000041", "NCT99000054"]
    assert lines[-2] == "6 studies; the API reported 6 matching studies, 6 fetched"
    assert lines[-1] == "Not medical advice: talk to your doctor before joining any trial."
    code, out, _ = run(capsys, "search", "--preset", "als", "--format", "csv")
    assert code == 0 and "medical advice" not in out  # a file holds the rows only


def test_search_near_a_place_sends_filter_geo_and_sorts_by_distance(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "search", "-c", "muscle spasm", "--near", "42.36,-71.06",
                       "--radius", "50mi", "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0
    assert list(frame["nct_id"]) == ["NCT99000009", "NCT99000017", "NCT99000026", "NCT99000030",
                                     "NCT99000038", "NCT99000048"]
    assert frame["nearest_distance_mi"].max() <= 50
    assert demo_api.stats.requests == 2  # /version, then one page


def test_limit_is_reported_on_stderr(demo_api: StandInServer,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "--preset", "muscle-spasm", "--limit", "5")
    assert code == 0
    assert len(out.splitlines()) == 8  # header, five studies, summary, not medical advice
    assert "trialfinder: note: showing the first 5 of 32 matching studies (limit reached)" in err


def test_sites_csv_with_sidecar(demo_api: StandInServer, capsys: pytest.CaptureFixture[str],
                                tmp_path: Path) -> None:
    target = tmp_path / "als-sites.csv"
    code, _, err = run(capsys, "search", "--preset", "als", "--sites", "--output", str(target))
    assert code == 0, err
    sites = pd.read_csv(target)
    meta = json.loads((tmp_path / "als-sites.csv.meta.json").read_text())
    assert meta["rows_written"] == len(sites) > 0
    assert meta["total_reported"] == 6
    assert meta["query"]["query.cond"].startswith('("Amyotrophic Lateral Sclerosis") OR')
    assert set(sites["nct_id"]) <= {"NCT99000006", "NCT99000012", "NCT99000023", "NCT99000029",
                                    "NCT99000041", "NCT99000054"}


def test_fictional_studies_from_an_api_are_said_to_be_fictional(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """An API that serves fictional studies (the stand-in) is no demo, but its studies are
    still never shown as real: a note on every output, and the provenance file says so."""
    code, out, err = run(capsys, "search", "--preset", "als")
    assert code == 0 and "NCT99000054" in out
    assert err.splitlines() == [f"trialfinder: note: {FICTIONAL_NOTE}"]
    target = tmp_path / "als.csv"
    code, _, err = run(capsys, "search", "--preset", "als", "--output", str(target))
    assert code == 0 and f"trialfinder: note: {FICTIONAL_NOTE}" in err.splitlines()
    sidecar = json.loads((tmp_path / "als.csv.meta.json").read_text())
    assert sidecar["fictional"] == "invented demo studies, not from any registry"
    assert ResultMeta.from_dict(sidecar).total_reported == 6  # it reads back
    code, _, err = run(capsys, "match", "--preset", "als", "--age", "54")
    assert code == 0 and f"trialfinder: note: {FICTIONAL_NOTE}" in err.splitlines()


def test_columns_and_json_lines(demo_api: StandInServer,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--preset", "caffeine-muscle", "--format", "json",
                       "--columns", "nct_id,enrollment")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["nct_id"] for r in rows] == ["NCT99000003", "NCT99000007", "NCT99000042",
                                           "NCT99000043", "NCT99000059"]
    assert set(rows[0]) == {"nct_id", "enrollment"}


def test_show_prints_a_readable_detail(demo_api: StandInServer,
                                       capsys: pytest.CaptureFixture[str],
                                       as_if_real: None) -> None:
    code, out, err = run(capsys, "show", "NCT99000017", "--near", "Boston, MA", "--sites", "2")
    assert code == 0, err
    assert "https://clinicaltrials.gov/study/NCT99000017" in out
    assert "1,200 sites, nearest first; 1,198 more with --sites 1200" in out
    assert "Ages                  18 to 80 years" in out
    assert "\nInclusion criteria\n" in out and "\nExclusion criteria\n" in out
    assert "\nWhat the study measures\n" in out
    assert "Not medical advice" in out


def test_presets_lists_the_parameters_they_send(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "presets")
    assert code == 0
    assert "als: " in out
    assert ('query.cond=("Amyotrophic Lateral Sclerosis") OR ("Lou Gehrig") OR '
            '("Motor Neuron Disease" NOT "Spinal Muscular Atrophy"') in out


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (["search", "--status", "bogus"], "trialfinder: error: unknown status 'bogus'; choose",
         2),
        (["show", "NCT09999999"],
         "trialfinder: error: ClinicalTrials.gov API error 404: no study with id NCT09999999",
         1),
        (["show", "NCT1"], "trialfinder: error: ClinicalTrials.gov API error 404: no study", 1),
        (["show", "12345"], "trialfinder: error: '12345' is not an NCT id", 2),
        (["search", "-c", "cramp", "--near", "Nowhereville, Atlantis"],
         "trialfinder: error: ", 2),
        (["search", "-c", "cramp", "--radius", "10mi"],
         "trialfinder: error: a radius needs a place: give --near as well", 2),
        # the default distance too: it was dropped without a word
        (["search", "-c", "cramp", "--radius", "50mi"],
         "trialfinder: error: a radius needs a place: give --near as well", 2),
        (["search", "-c", "cramp", "--near", "42,-71", "--radius=-5mi"],
         "trialfinder: error: --radius must be above 0, not '-5mi'", 2),
        (["search", "-c", "cramp", "--near", "42,-71", "--radius", "10 parsecs"],
         "trialfinder: error: --radius '10 parsecs' is not like 50mi or 80km", 2),
        (["search", "-c", "cramp", "--near", "42,-71", "--radius", "0"],
         "trialfinder: error: --radius must be above 0, not 0", 2),
        (["match", "-c", "cramp", "--near", "42,-71", "--radius=-5"],
         "trialfinder: error: --radius must be above 0, not '-5'", 2),
        (["search", "-c", "cramp", "--near", "95,10"], "trialfinder: error: latitude", 2),
        (["search"], "trialfinder: error: the search is empty", 2),
        (["search", "-c", "&"], "trialfinder: error: condition '&' has no searchable words", 2),
        (["search", "-c", "cramp", "--columns", "nope"],
         "trialfinder: error: unknown column(s) 'nope'", 2),
        (["search", "-c", "cramp", "--limit", "0"], "trialfinder: error: --limit must be", 2),
        (["search", "-c", "cramp", "--age=-3"],
         "trialfinder: error: --age must be within 0..125 years, not -3", 2),
        (["search", "-c", "cramp", "--age", "old"],
         "trialfinder: error: --age must be a number, not 'old'", 2),
        (["sync", "-c", "cramp", "--has-results", "maybe"],
         "trialfinder: error: --has-results takes yes or no, not 'maybe'", 2),
        (["search", "-c", "cramp", "--format", "table", "--output", "t.txt"],
         "trialfinder: error: --format table prints to the terminal", 2),
        (["search", "-c", "cramp", "--output", "."], "trialfinder: error: '.' is a folder", 1),
        (["search", "-c", "cramp", "--output", ""],
         "trialfinder: error: the output file name is empty; give a file name such as "
         "studies.csv\n", 2),
        # every spelling of a bare "-" is bad input, as other bad arguments are
        *[(["search", "-c", "cramp", *dash],
           "trialfinder: error: '-' is not a file name here: to write to standard output, leave "
           "out the output file and give --format csv, json or parquet\n", 2)
          for dash in (["--output", "-"], ["--output=-"], ["-o", "-"], ["-o-"])],
        (["search", "-c", "cramp", "--output", "/no/such/dir/x.csv"],
         "trialfinder: error: the folder /no/such/dir does not exist", 1),
        (["search", "--from-file", "/no/such/file.json"], "trialfinder: error: cannot read", 1),
        (["search", "--offline", "--no-cache", "-c", "x"],
         "trialfinder: error: --offline answers", 2),
        (["show", "NCT99000017", "--sites", "-1"],
         "trialfinder: error: --sites must be 0 or more", 2),
        # each lists the choices as the option's help does, and names its option
        (["search", "-c", "cramp", "--phase", "5"],
         "trialfinder: error: unknown phase '5'; choose from: 1, 2, 3, 4, early_phase1, na\n", 2),
        (["search", "-c", "cramp", "--sex", "other"],
         "trialfinder: error: unknown sex 'other'; choose from: female or male\n", 2),
        # a slip names the choice it may be first (the list of 14 statuses hid it)
        (["search", "-c", "cramp", "--status", "recruting"],
         "trialfinder: error: unknown status 'recruting' (did you mean recruiting?); choose "
         "from: active_not_recruiting, ", 2),
        (["search", "--preset", "muscle-spasms"],
         "trialfinder: error: unknown preset 'muscle-spasms' (did you mean muscle-spasm?); "
         "choose from: knee-twitching, ", 2),
        (["match", "-c", "cramp", "--age", "200"],
         "trialfinder: error: --age must be within 0..125 years, not 200\n", 2),
        (["search", "-c", "cramp", "--near", ""], "trialfinder: error: --near is empty; ", 2),
        (["match", "-c", "cramp", "--near", " "], "trialfinder: error: --near is empty; ", 2),
    ],
)
def test_errors_are_one_line(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], argv: list[str], message: str,
    code: int,
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == code
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_the_chosen_place_is_named(demo_api: StandInServer,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "--preset", "als", "--near", "Lyon, France")
    assert code == 0
    assert err.startswith("trialfinder: note: near Lyon, France (45.7")


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_nothing_near_the_place_says_what_to_widen(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], fmt: str,
) -> None:
    code, _, err = run(capsys, "search", "--preset", "als", "--near", "Lyon, France",
                       "--format", fmt)
    assert code == 0
    assert ("trialfinder: note: nothing found within 50 miles of Lyon, France: a wider "
            "--radius (e.g. 100mi or 250mi) may find studies") in err
    code, _, err = run(capsys, "search", "--preset", "als", "--near", "42.36,-71.06",
                       "--radius", "500mi", "--format", fmt)
    assert code == 0 and "nothing found" not in err


@pytest.mark.parametrize(("radius", "status", "advice"), [
    (["--radius", "500mi"], [], "a wider --radius (e.g. 1000mi)"),
    (["--radius", "100km"], ["-s", "completed"],
     "a wider --radius (e.g. 150km or 400km) or another --status"),
    (["--radius", "1000mi"], [], "a search without --near"),
])
def test_the_note_of_nothing_near_offers_only_what_is_wider(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], radius: list[str],
    status: list[str], advice: str,
) -> None:
    """Nothing within 500 miles of a place was told to try "a wider --radius (e.g. 100mi or
    250mi) or a wider --status", narrower radii, and a status for a search of every status."""
    code, _, err = run(capsys, "search", "--condition", "no such condition zz", "--near",
                       "Lyon, France", *radius, *status)
    assert code == 0
    assert f"of Lyon, France: {advice} may find studies" in err, err


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_what_a_local_filter_could_not_judge_is_said(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], fmt: str,
) -> None:
    """The distance filter left 40 sites without coordinates out of its judgement, and the
    provenance file said so; the terminal said nothing (the dashboard says it under the
    list)."""
    code, _, err = run(capsys, "search", "-c", "muscle spasm", "--near", "42.36,-71.06",
                       "--format", fmt)
    assert code == 0
    assert ("trialfinder: note: within 50 mi of 42.36, -71.06: 40 sites without coordinates "
            "ignored\n") in err
    code, _, err = run(capsys, "search", "-c", "muscle spasm", "--start-from", "2024",
                       "--format", fmt)
    assert code == 0 and "start 2024" not in err  # a filter with nothing to say says nothing


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_nothing_found_for_a_slip_says_what_it_may_be(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], fmt: str,
) -> None:
    """A misspelt condition found nothing and said nothing (0 studies, exit code 0): the
    names trialfinder knows that are spelled nearly so are offered."""
    code, _, err = run(capsys, "search", "-c", "musle spasm", "-i", "tizanidin",
                         "--format", fmt)
    assert code == 0
    assert ("trialfinder: note: nothing found for --condition 'musle spasm' (did you mean "
            "muscle spasm?), --intervention 'tizanidin' (did you mean tizanidine?)") in err
    code, _, err = run(capsys, "search", "-c", "muscle spasm", "-i", "tizanidine",
                       "--format", fmt)
    assert code == 0 and "nothing found" not in err
    code, _, err = run(capsys, "search", "-c", "zzqx unheard of", "--format", fmt)
    assert code == 0 and "nothing found" not in err  # no close name: nothing to offer


def test_a_sync_that_finds_nothing_says_what_may_be_a_slip(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The analyst's `sync -c "musle spasm"` said "synced 0 studies" and nothing else."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    code, out, err = run(capsys, "sync", "-c", "musle spasm")
    assert code == 0 and out.startswith("synced 0 studies")
    assert err == ("trialfinder: note: nothing found for --condition 'musle spasm' (did you "
                   "mean muscle spasm?)\n")
    code, out, err = run(capsys, "sync", "-c", "muscle spasm")
    assert code == 0 and "nothing found" not in err


def test_output_format_follows_the_file_name(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "als.jsonl"
    code, _, err = run(capsys, "search", "--preset", "als", "--output", str(target))
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert code == 0
    assert [r["nct_id"] for r in rows][:2] == ["NCT99000006", "NCT99000012"]
    assert f"(provenance in {tmp_path / 'als.jsonl.meta.json'})" in err


def test_an_output_under_a_file_says_the_file_is_in_the_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("kept")
    code, out, err = run(capsys, "search", "-c", "cramp", "--output", "x.csv/inner.csv")
    assert (code, out, err) == (1, "", "trialfinder: error: x.csv is a file, not a folder\n")
    assert (tmp_path / "x.csv").read_text() == "kept"


@pytest.mark.parametrize("source", ["file", "api"])
def test_dot_slash_dash_is_a_file_in_the_current_folder(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, source: str,
) -> None:
    """Only a bare "-" means standard output; "./-" is written as any other file name."""
    records = tmp_path / "records.json"
    records.write_text(json.dumps(load_demo_studies()[:5]))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    what = ["--from-file", str(records), "--status", "any"] if source == "file" else \
        ["--preset", "als"]
    code, out, err = run(capsys, "search", *what, "--format", "csv", "--output", "./-")
    assert code == 0, err
    assert out == ""
    assert f"wrote {'5' if source == 'file' else '6'} studies to ./- (provenance in " \
           "-.meta.json)\n" in err
    assert sorted(p.name for p in (tmp_path / "here").iterdir()) == ["-", "-.meta.json"]
    rows = pd.read_csv(tmp_path / "here" / "-")
    assert len(rows) == (5 if source == "file" else 6)


def test_a_preset_with_your_own_condition_narrows_it(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "search", "--preset", "als", "-c", "spasticity",
                       "--format", "csv", "--columns", "nct_id")
    assert code == 0
    assert out.split() == ["nct_id", "NCT99000006", "NCT99000041"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["search", "--no-such-option"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err == ("trialfinder: usage error: unrecognized arguments: --no-such-option "
                   "(see --help)\n")


@pytest.mark.parametrize(("argv", "said"), [
    (["search", "-c", "ALS", "--limit", "10x"], "--limit must be a whole number, not '10x'"),
    (["show", "--sites", "abc", "NCT99000012"], "--sites must be a whole number, not 'abc'"),
    (["match", "-c", "ALS", "--age", "forty"], "--age must be a number, not 'forty'"),
    (["sql", "select 1", "--timeout", "1m"], "--timeout must be a number, not '1m'"),
])
def test_a_number_not_read_is_said_as_the_other_numbers_are(
        argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """argparse said "usage error: argument --limit: invalid int value: '10x' (see --help)",
    where `--age 4.5.6` says "--age must be a number, not '4.5.6'"."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert capsys.readouterr().err == f"trialfinder: error: {said}\n"


@pytest.mark.parametrize(("argv", "said"), [
    (["search", "--condtion", "ALS"], "--condtion ALS; did you mean --condition?"),
    (["search", "-c", "ALS", "--limt=5"], "--limt=5; did you mean --limit?"),
    # match's own option about you is singular; search's filter plural
    (["match", "-c", "ALS", "--healthy-volunteers", "yes"],
     "--healthy-volunteers yes; did you mean --healthy-volunteer?"),
    (["watch", "add", "als", "--conditon", "ALS"], "--conditon ALS; did you mean --condition?"),
    (["search", "-c", "ALS", "--sites", "--colums", "nct_id", "--formt", "csv"],
     "--colums nct_id --formt csv; did you mean --columns or --format?"),
])
def test_an_unknown_option_names_the_commands_closest(
        argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert capsys.readouterr().err == (
        f"trialfinder: usage error: unrecognized arguments: {said} (see --help)\n")


def test_api_unreachable_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str],
                                     standin_factory: Factory) -> None:
    server = standin_factory(load_demo_studies(), faults=Faults(script=[0] * 20))
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TRIALFINDER_RETRIES", "1")
    code, _, err = run(capsys, "search", "-c", "cramp", "--no-cache")
    assert code == 1
    assert err.startswith("trialfinder: error: cannot reach the API at http://127.0.0.1")
    assert len(err.strip().splitlines()) == 1


def test_formula_in_a_title_cannot_become_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = fictional_study("NCT99300001", '=HYPERLINK("http://evil.example","x")')
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps([evil]))
    code, out, _ = run(capsys, "search", "--from-file", str(download), "--format", "csv")
    assert code == 0
    assert "\r\nNCT99300001,'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"," not in out
    assert ",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"," in out


def test_from_file_filters_locally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps(load_demo_studies()))
    code, out, err = run(capsys, "search", "--from-file", str(download), "--preset", "als",
                         "--status", "terminated,not_yet_recruiting", "--format", "csv",
                         "--columns", "nct_id,status")
    assert code == 0
    assert out.splitlines() == ["nct_id,status", "NCT99000012,TERMINATED", "NCT99000029,TERMINATED",
                                "NCT99000041,NOT_YET_RECRUITING", "NCT99000054,NOT_YET_RECRUITING"]
    # the summary says statuses in words, as the table does; the CSV keeps the codes
    assert err.splitlines()[-1].endswith(
        "local filters status Terminated, Not yet recruiting: -2")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/ctgov is not present")
@pytest.mark.parametrize("name", ["ctg-studies_herniated_disc_100_2024-12_koy570.json",
                                  "ctg-studies_degenerative_disc_88_2024-12_scampbe3.json",
                                  "ctg-studies_mixed_50_2023-07_dgg32.json"])
def test_real_website_download_gives_one_row_per_site(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SHARED / "web_export" / name
    records: list[dict[str, Any]] = json.loads(source.read_bytes())
    locations = [loc for r in records
                 for loc in r["protocolSection"].get("contactsLocationsModule", {})
                 .get("locations", [])]
    sites_csv, studies_csv = tmp_path / "sites.csv", tmp_path / "studies.csv"
    assert run(capsys, "search", "--from-file", str(source), "--sites", "--format", "csv",
               "--output", str(sites_csv))[0] == 0
    assert run(capsys, "search", "--from-file", str(source), "--format", "csv",
               "--output", str(studies_csv))[0] == 0
    sites = pd.read_csv(sites_csv, dtype={"zip": str})
    studies = pd.read_csv(studies_csv)
    assert len(sites) == len(locations)
    assert int(sites["lat"].isna().sum()) == sum("geoPoint" not in loc for loc in locations)
    assert list(studies["nct_id"]) == [r["protocolSection"]["identificationModule"]["nctId"]
                                       for r in records]
    assert list(studies["n_sites"]) == [
        len(r["protocolSection"].get("contactsLocationsModule", {}).get("locations", []))
        for r in records]
    assert list(studies["status"]) == [r["protocolSection"]["statusModule"]["overallStatus"]
                                       for r in records]


def test_cache_command_reports_and_clears_only_its_own_files(
    demo_api: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "search", "--preset", "als")[0] == 0
    folder = tmp_path / "cache"
    (folder / "thesis.tex").write_text("\\chapter{One}")  # the user's own file
    (folder / "tables" / "notes.txt").write_text("mine too")
    code, out, _ = run(capsys, "cache")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"cache folder: {folder}"
    assert lines[2].startswith("saved tables: 1 saved search, ")
    assert lines[3] == "other files: 2 (not written by trialfinder; --clear leaves them)"
    ours = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".tex", ".txt")]
    assert len(ours) >= 6  # http_cache.sqlite (+ SQLite's companions) and 5 saved-table files
    code, out, err = run(capsys, "cache", "--clear")
    assert (code, err) == (0, "")
    assert out.startswith(f"removed {len(ours)} files (")
    assert out.endswith("; left 2 other files alone\n")
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == ["tables/notes.txt", "thesis.tex"]
    assert (folder / "thesis.tex").read_text() == "\\chapter{One}"


def test_cache_clear_refuses_a_folder_others_can_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "http_cache.sqlite").write_bytes(b"")
    folder.chmod(0o777)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(folder))
    code, out, err = run(capsys, "cache", "--clear")
    assert (code, out) == (1, "")
    assert err == (f"trialfinder: error: refusing the cache folder {folder}: other users can "
                   "write to it (mode 777; 'chmod 700' makes it private); not using the cache\n")
    assert (folder / "http_cache.sqlite").exists()


def test_progress_bar_draws_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar(screen, width=10)
    bar(500, 1000)
    bar(1000, 1000)
    bar.close()
    assert "\rFetching 1,000 / 1,000 studies [##########]" in screen.getvalue()
    plain = io.StringIO()
    ProgressBar(plain)(10, 20)
    assert plain.getvalue() == ""


# -- start-up, Ctrl-C, terminal safety, -v, notes ------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CHILD_ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _as_at_a_terminal() -> None:
    """(in the child) Ctrl-C as a user's terminal delivers it: a suite started in the
    background (``cmd &``) hands its children SIGINT ignored, and Python then keeps it so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child(code: str, *, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=CHILD_ENV | env, preexec_fn=_as_at_a_terminal)


@pytest.mark.parametrize("argv", [["--help"], ["presets"], ["search", "--help"]])
def test_help_and_presets_load_no_pandas(argv: list[str]) -> None:
    done = child(
        "import sys, trialfinder.cli.main as cli\n"
        f"try:\n    code = cli.main({argv!r})\nexcept SystemExit as exit:\n    code = exit.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', "
        "'requests', 'requests_cache'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "HEAVY [] 0"


# Ctrl-C while pandas is being imported: the finder sends SIGINT to its own process at once.
INTERRUPT_ON_IMPORT = """
import importlib.abc, os, runpy, signal, sys

class CtrlC(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == {module!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["trialfinder", *{argv!r}]
runpy.run_module({entry!r}, run_name="__main__")
"""


@pytest.mark.parametrize(
    ("entry", "module"),
    [("trialfinder.cli.main", "pandas"), ("trialfinder.cli.main", "requests"),
     ("trialfinder.cli.main", "trialfinder.registries.ctgov.normalize"),
     ("trialfinder", "trialfinder.core.config"), ("trialfinder", "argparse"),
     ("trialfinder", "pandas")],
)
def test_ctrl_c_during_start_up_imports_prints_interrupted(entry: str, module: str,
                                                           tmp_path: Path) -> None:
    argv = ["search", "-c", "asthma", "--no-cache"]
    done = child(INTERRUPT_ON_IMPORT.format(module=module, argv=argv, entry=entry),
                 TRIALFINDER_BASE_URL="http://127.0.0.1:9", TRIALFINDER_CACHE_DIR=str(tmp_path))
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")


# Ctrl-C as the package itself loads (its logging, the slowest import before the command's
# handlers), the finder put in place before anything of trialfinder: by a copy of the console
# script pip writes, or by a sitecustomize for ``python -m trialfinder``.
CTRL_C_FINDER = """
import importlib.abc, os, signal, sys

class CtrlC(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "logging":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
"""
CONSOLE_SCRIPT = CTRL_C_FINDER + """
from trialfinder.__main__ import run
if __name__ == "__main__":
    sys.exit(run())
"""


@pytest.mark.parametrize("how", ["console script", "python -m"])
def test_ctrl_c_while_the_package_loads_prints_interrupted(how: str, tmp_path: Path) -> None:
    """The console script imports trialfinder.__main__, so the package's __init__ (and its
    logging) loaded before any handler: Ctrl-C there was a KeyboardInterrupt traceback."""
    if how == "console script":
        script = tmp_path / "trialfinder"
        script.write_text(CONSOLE_SCRIPT)
        argv, env = [sys.executable, str(script), "--version"], CHILD_ENV
    else:
        (tmp_path / "sitecustomize.py").write_text(CTRL_C_FINDER)
        argv = [sys.executable, "-m", "trialfinder", "--version"]
        env = CHILD_ENV | {"PYTHONPATH": os.pathsep.join([str(tmp_path), CHILD_ENV["PYTHONPATH"]])}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env,
                          preexec_fn=_as_at_a_terminal)
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")


def test_a_program_importing_the_library_keeps_pythons_ctrl_c() -> None:
    """Only the command answers Ctrl-C with one line: a program that imports trialfinder
    still gets its KeyboardInterrupt (here, from inside the import)."""
    done = child(CTRL_C_FINDER + "try:\n    import trialfinder\nexcept KeyboardInterrupt:\n"
                 "    print('caught')\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "caught\n", "")


class SilentServer:
    """A loopback server that accepts a request and never answers (until closed)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.asked = threading.Event()
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
                conn.settimeout(10)
                with contextlib.suppress(OSError):
                    if conn.recv(65536):
                        self.asked.set()

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.sock.close()


def test_ctrl_c_during_a_search_prints_interrupted_and_exits_130(tmp_path: Path) -> None:
    server = SilentServer()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "trialfinder.cli.main", "search", "-c", "asthma", "--no-cache"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_as_at_a_terminal,
            env=CHILD_ENV | {"TRIALFINDER_BASE_URL": f"http://127.0.0.1:{server.port}",
                             "TRIALFINDER_TIMEOUT": "30", "TRIALFINDER_RETRIES": "0",
                             "TRIALFINDER_CACHE_DIR": str(tmp_path)})
        try:
            assert server.asked.wait(timeout=30), "the search never reached the server"
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
            proc.wait(timeout=10)
    finally:
        server.close()
    assert (proc.returncode, err, out) == (130, "interrupted\n", "")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("registry", "noted", "failed", "path"), [
    ("ctgov", "the API at {base}", "the API at {base}", "/studies"),
    ("isrctn", "ISRCTN", "ISRCTN at {base}", "/query/format/default"),
])
def test_a_server_that_never_answers_is_said_once_before_the_error(
    registry: str, noted: str, failed: str, path: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = SilentServer()
    base = f"http://127.0.0.1:{server.port}"
    for name, value in {"TRIALFINDER_BASE_URL": base, "TRIALFINDER_ISRCTN_URL": base,
                        "TRIALFINDER_TIMEOUT": "0.2", "TRIALFINDER_RETRIES": "1",
                        "TRIALFINDER_RATE": "60000",
                        "TRIALFINDER_CACHE_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    try:
        code, out, err = run(capsys, "search", "-c", "asthma", "--no-cache", "--no-store",
                             "--registry", registry)
    finally:
        server.close()
    note, error = err.splitlines()  # the note once (not once per try), then the error
    assert (code, out) == (1, "")
    assert note == (f"trialfinder: note: {noted.format(base=base)} has not answered within "
                    "0.2 s; trying again (once, about 1 second in all); Ctrl-C stops.")
    # the socket's read timeout or the deadline's watchdog, whichever fires first, words it
    assert error.startswith(f"trialfinder: error: {failed.format(base=base)} did not ")
    assert " within 0.2 s" in error
    assert error.endswith(f" ({base}{path})")


HOSTILE_TITLE = ("Evil\x1b]0;owned\x07 title\x1b[2J\x1b[31m red\x9b1m\x00\x08 end\r"
                 "\x1bP+q\x1b\\ done")


@pytest.fixture
def hostile_download(tmp_path: Path) -> Path:
    evil = fictional_study("NCT99300002", HOSTILE_TITLE)
    path = tmp_path / "ctg-studies.json"
    path.write_text(json.dumps([evil]))
    return path


def assert_inert(text: str) -> None:
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)


def test_table_output_strips_control_characters(
    hostile_download: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "--from-file", str(hostile_download))
    assert code == 0, err
    assert_inert(out + err)
    assert "NCT99300002  RECRUITING  Evil title red1m end done" in out.replace("Recruiting",
                                                                            "RECRUITING")


def test_show_strips_control_characters(standin_factory: Factory,
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server = standin_factory([fictional_study("NCT99300002", HOSTILE_TITLE)])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path))
    code, out, err = run(capsys, "show", "NCT99300002", "--no-cache")
    assert code == 0, err
    assert_inert(out.replace("\n", "").replace("\t", ""))
    assert "Evil title red1m end done" in " ".join(out.split())


def test_errors_strip_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "--from-file", "/no/such/\x1b[31mfile\x07.json")
    assert code == 1
    assert err.startswith("trialfinder: error: cannot read /no/such/file.json")
    assert_inert(err.rstrip("\n"))


def test_csv_keeps_the_data_as_it_is(hostile_download: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run(capsys, "search", "--from-file", str(hostile_download), "--format", "csv",
                       "--columns", "nct_id,title")
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["title"].tolist() == [HOSTILE_TITLE]
    assert run(capsys, "search", "--from-file", str(hostile_download), "--output", str(target),
               "--columns", "nct_id,title")[0] == 0
    assert pd.read_csv(target)["title"].tolist() == [HOSTILE_TITLE]


def test_verbose_sends_the_library_log_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps(load_demo_studies()))
    argv = ["search", "--from-file", str(download), "--preset", "als", "--format", "csv"]
    quiet = run(capsys, *argv)[2]
    info = run(capsys, "-v", *argv)[2]
    debug = run(capsys, *argv, "-vv")[2]
    line = f"trialfinder: info: trialfinder.service.searching: 60 studies read from {download}"
    assert line not in quiet and "trialfinder: debug:" not in quiet
    assert line in info and "trialfinder: debug:" not in info
    assert line in debug
    assert ("trialfinder: debug: trialfinder.service.searching: local search "
            "{'query.cond': ") in debug
    assert logging.getLogger("trialfinder").handlers == [
        h for h in logging.getLogger("trialfinder").handlers
        if isinstance(h, logging.NullHandler)]


@pytest.mark.parametrize("fmt", ["table", "csv"])  # in memory; page by page
def test_each_warning_reaches_stderr_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    down = ("the API could not be reached; these answers come from the local cache, "
            "fetched 3.0 hours ago")
    count = "the API reported 40 matching studies but 38 arrived"
    tables = normalize(load_demo_studies()[:2])
    meta = ResultMeta(source="http://127.0.0.1:9", warnings=(down, count))

    def fake_search(**_: Any) -> Results:
        logging.getLogger("trialfinder.registries.ctgov.client").warning(down)
        return Results.from_tables(tables, meta=meta)

    def fake_stream(*_: Any, on_page: Any = None, **__: Any) -> Streamed:
        logging.getLogger("trialfinder.registries.ctgov.client").warning(down)
        done = Results.from_tables(tables, meta=meta)
        _[-1](apply_filters(tables, LocalFilters()))
        return Streamed(done.meta, done.steps)

    monkeypatch.setattr("trialfinder.service.searching.search", fake_search)
    monkeypatch.setattr("trialfinder.service.streaming.stream_search", fake_stream)
    code, out, err = run(capsys, "search", "-c", "asthma", "--format", fmt)
    assert code == 0
    assert "NCT99000001" in out
    notes = [line for line in err.splitlines() if line.startswith("trialfinder: note:")]
    assert notes == [f"trialfinder: note: {down}", f"trialfinder: note: {count}",
                     f"trialfinder: note: {FICTIONAL_NOTE}",  # (the demo's studies)
                     *([NO_SIDECAR] if fmt == "csv" else [])]  # rows with no sidecar


def test_csv_on_a_terminal_loses_its_escape_codes(
    hostile_download: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    screen = Terminal(io.BytesIO(), encoding="utf-8", newline="")
    monkeypatch.setattr(sys, "stdout", screen)
    code = main(["search", "--from-file", str(hostile_download), "--format", "csv",
                 "--columns", "nct_id,title"])
    screen.flush()
    text = screen.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    assert code == 0
    assert text.splitlines() == ["nct_id,title", 'NCT99300002,"Evil title red1m end done"']



def test_only_the_command_in_its_own_process_tunes_memory_for_one_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps([fictional_study("NCT99300002", "Calf cramps")]))
    # called as a function (a test, a notebook): the host process is left as it is
    frozen_before = gc.get_freeze_count()
    assert run(capsys, "search", "--from-file", str(download), "--format", "csv")[0] == 0
    assert gc.get_freeze_count() == frozen_before
    argv = ["search", "--from-file", str(download), "--format", "csv", "-vv"]
    done = subprocess.run([sys.executable, "-m", "trialfinder", *argv], capture_output=True,
                          text=True, timeout=60, env=CHILD_ENV)
    assert done.returncode == 0, done.stderr
    assert "NCT99300002" in done.stdout
    tuned = [line for line in done.stderr.splitlines() if "memory settings" in line]
    assert len(tuned) == 1 and "pyarrow on the system heap" in tuned[0]
    frozen = [line for line in done.stderr.splitlines() if "frozen for the garbage" in line]
    assert len(frozen) == 1
    assert int(re.search(r"(\d+) objects frozen", frozen[0]).group(1)) > 20_000  # type: ignore[union-attr]
    # other commands (sync, watch run: long ones) keep handing the heap back after each page
    done = subprocess.run([sys.executable, "-m", "trialfinder", "presets", "-vv"],
                          capture_output=True, text=True, timeout=60, env=CHILD_ENV)
    assert done.returncode == 0, done.stderr
    assert "memory settings" not in done.stderr


def test_every_output_says_which_registry_each_row_came_from(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str],
) -> None:
    # `source` is the last column of every table (after `url` for studies), so the columns
    # that were there before keep their places; what a search adds (distances) comes after
    code, out, _ = run(capsys, "search", "-c", "muscle spasm", "--near", "42.36,-71.06",
                       "--radius", "50mi", "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert code == 0
    assert header[header.index("url") + 1:][:2] == ["source", "nearest_site"]
    assert list(pd.read_csv(io.StringIO(out))["source"]) == ["ctgov"] * 6
    code, out, _ = run(capsys, "search", "--preset", "als", "--sites", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows
    assert {r["source"] for r in rows} == {"ctgov"}
    assert list(rows[0])[:2] == ["nct_id", "site_index"]


def test_the_table_near_a_place_lists_the_nearest_first_as_the_dashboard_does(
    demo_api: StandInServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from trialfinder.views.sorting import sort_studies

    argv = ["search", "-c", "muscle spasm", "--near", "42.36,-71.06", "--radius", "3000mi"]
    code, out, _ = run(capsys, *argv, "--columns", "nct_id,nearest_distance_mi")
    assert code == 0
    rows = [line.split() for line in out.splitlines()[1:-2]]
    miles = [float(row[1].replace(",", "")) for row in rows]
    assert miles == sorted(miles) and len(miles) > 2
    code, out, _ = run(capsys, *argv, "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))  # the CSV keeps the registry's order
    assert list(frame["nct_id"]) != [row[0] for row in rows]
    assert [row[0] for row in rows] == list(sort_studies(frame, "nearest")["nct_id"])


def test_a_short_id_is_read_padded_and_the_note_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = tmp_path / "ctg-studies.json"
    download.write_text(json.dumps(load_demo_studies()))
    code, _, err = run(capsys, "search", "--from-file", str(download), "--id", "NCT123")
    assert code == 0
    assert "trialfinder: note: id 'NCT123' read as NCT00000123\n" in err
    code, out, err = run(capsys, "search", "--from-file", str(download), "--id", "nct99000012")
    assert code == 0 and "read as" not in err and out.splitlines()[1].startswith("NCT99000012")
