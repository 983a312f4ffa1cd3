"""Rough edges a new user met in the command line: each test runs ``trialfinder.cli.main.main``
against local files or the loopback stand-in, as tests/test_cli.py does."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import StandInServer, fictional_study
from trialfinder.cli.main import main
from trialfinder.cli.progress import ProgressBar
from trialfinder.core.terminal import display_width
from trialfinder.topics.demo import FICTIONAL_NOTE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _download(tmp_path: Path, *studies: dict[str, object]) -> Path:
    path = tmp_path / "ctg-studies.json"
    path.write_text(json.dumps(list(studies)), encoding="utf-8")
    return path


# -- 1. the table lines up with its header at any width -------------------------------------

WIDE_TITLE = "筋萎縮性側索硬化症の患者を対象とした架空の試験 " * 3
LONG_TITLE = "A fictional study of a made-up treatment " * 5


def _column_at(line: str, text: str) -> int:
    """The terminal column where ``text`` starts in ``line``."""
    return display_width(line[: line.index(text)])


@pytest.mark.parametrize("columns", [60, 80, 30])
def test_search_table_rows_line_up_with_the_header_at_any_width(
    columns: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    path = _download(tmp_path,
                     fictional_study("NCT99000101", LONG_TITLE),
                     fictional_study("NCT99000102", WIDE_TITLE, status="NOT_YET_RECRUITING"),
                     fictional_study("NCT99000103", "Short", status="COMPLETED"))
    code, out, err = run(capsys, "search", "--from-file", str(path))
    assert code == 0, err
    header, *rows, summary, _advice = out.splitlines()
    assert summary.startswith("3 studies")
    assert len(rows) == 3
    for line in [header, *rows]:
        assert display_width(line) <= columns, line
    status_at = _column_at(header, "sta")
    title_at = _column_at(header, "tit")
    assert [_column_at(row, "NCT99") for row in rows] == [0, 0, 0]
    for row, status in zip(rows, ("Recr", "Not ", "Comp"), strict=True):
        assert _column_at(row, status) == status_at, row
        assert display_width(row[: row.index(status)]) == status_at
    assert _column_at(rows[0], "A fi") == title_at
    assert _column_at(rows[1], "筋") == title_at
    assert rows[0].endswith("…") and rows[1].endswith("…")  # cut, and the cut is shown
    assert rows[2].endswith("Short")


def test_cells_are_fitted_by_terminal_columns() -> None:
    from trialfinder.core.terminal import fit_cell

    assert display_width("NCT99000101") == 11
    assert display_width("試験") == 4 and display_width("e\u0301") == 1  # wide; combining
    assert fit_cell("abc", 5) == "abc  "
    assert fit_cell("abcdef", 4) == "abc…"
    assert fit_cell("試験試験", 6) == "試験… "  # a wide character never straddles the edge
    assert fit_cell("a\tb\n\x1b[31mc", 10) == "a b c     "  # one line, no escape codes
    assert [display_width(fit_cell("試験ab試験", w)) for w in range(1, 12)] == list(range(1, 12))


# -- 2. --all: every match in `search`; the whole registry in `sync` is --whole-registry ------


def test_sync_whole_registry_and_its_old_spelling(
    standin_factory: Callable[..., StandInServer], standin_studies: list[dict[str, Any]],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(standin_studies[:12], max_page_size=5)
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    errors = []
    for spelling in ("--whole-registry", "--all"):
        code, out, err = run(capsys, "sync", spelling, "--base-url", server.base_url)
        assert code == 0, err
        assert out.startswith("synced 12 studies (the API reported 12) into ")
        errors.append(err)
    fictional = f"trialfinder: note: {FICTIONAL_NOTE}\n"  # the stand-in's studies are invented
    assert errors[0] == fictional
    assert errors[1] == ("trialfinder: note: `sync --all` is now spelled `sync --whole-registry`; "
                         "the old spelling still works for now\n" + fictional)


def test_the_help_of_each_all_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    search_help = " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    sync_help = " ".join(capsys.readouterr().out.split())
    assert ("--all fetch every study that matches, however many (no --limit; without it a "
            "search stops at 10,000)") in search_help
    assert "--whole-registry every study in ClinicalTrials.gov, with no search options" \
        in sync_help
    assert "--all the old spelling of --whole-registry" in sync_help
    # how long it takes: the README and the help say the same figure, the benchmark's
    root = Path(__file__).parents[1]
    measured = (root / "benchmarks" / "results" / "aact.md").read_text("utf-8")
    readme = (root / "README.md").read_text("utf-8")
    assert "the 560 requests take about 11 minutes" in " ".join(measured.split())
    assert "(about 11 minutes: 560 requests at the API's pace)" in sync_help
    assert "# every study in the registry (about 11 minutes)" in readme
    assert "hour" not in sync_help


def test_search_all_with_a_limit_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "-c", "asthma", "--all", "--limit", "5")
    assert (code, out) == (2, "")
    assert err == ("trialfinder: error: --all fetches every match and --limit stops at N; "
                   "give one of them\n")


# -- 3. --output names a format we write, or is refused ---------------------------------------


@pytest.mark.parametrize(("name", "extra", "message"), [
    ("x.xlsx", [], "cannot write .xlsx files: trialfinder writes CSV (.csv), JSON lines "
     "(.jsonl, .json, .ndjson) and Parquet (.parquet); choose one of those endings"),
    ("x.xlsx", ["--format", "csv"], "cannot write .xlsx files: trialfinder writes CSV (.csv), "
     "JSON lines (.jsonl, .json, .ndjson) and Parquet (.parquet); choose one of those endings"),
    ("results", [], "cannot write 'results' without a format: trialfinder writes CSV (.csv), "
     "JSON lines (.jsonl, .json, .ndjson) and Parquet (.parquet); choose one of those endings, "
     "or give the format (--format csv, json or parquet)"),
    ("x.txt", [], "cannot write 'x.txt' without a format: trialfinder writes CSV (.csv), "
     "JSON lines (.jsonl, .json, .ndjson) and Parquet (.parquet); choose one of those endings, "
     "or give the format (--format csv, json or parquet)"),
    ("x.parquet", ["--format", "csv"], "'x.parquet' names Parquet but CSV was asked for"),
    ("x.csv", ["--format", "json"], "'x.csv' names CSV but JSON lines was asked for"),
])
def test_output_with_an_ending_we_do_not_write_is_refused(
    name: str, extra: list[str], message: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _download(tmp_path, fictional_study("NCT99000101", "A fictional study"))
    target = tmp_path / name
    code, out, err = run(capsys, "search", "--from-file", str(path), "--output", str(target),
                         *extra)
    assert (code, out, err) == (2, "", f"trialfinder: error: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctg-studies.json"]


@pytest.mark.parametrize(("name", "extra", "first"), [
    ("x.ndjson", [], '{"nct_id":"NCT99000101"'),
    ("x.txt", ["--format", "csv"], "nct_id,"),
    ("x", ["--format", "json"], '{"nct_id":"NCT99000101"'),
])
def test_output_writes_what_was_asked_for(
    name: str, extra: list[str], first: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _download(tmp_path, fictional_study("NCT99000101", "A fictional study"))
    target = tmp_path / name
    code, _, err = run(capsys, "search", "--from-file", str(path), "--output", str(target),
                       *extra)
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith(first)


# -- 4. --from-file with nothing in it is refused -------------------------------------------


@pytest.mark.parametrize("command", ["search", "match"])
@pytest.mark.parametrize("content", ["", "\n\n  \n", "[]"])
def test_from_file_without_records_is_refused(
    command: str, content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, command, "--from-file", str(path))
    assert (code, out) == (1, "")
    assert err == (f"trialfinder: error: {path} holds no study records (it is empty, blank "
                   "or an empty list); expected a ClinicalTrials.gov JSON download\n")


def test_from_file_with_only_comments_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.json"
    path.write_text("# my saved search\n\n# nothing yet\n", encoding="utf-8")
    code, out, err = run(capsys, "search", "--from-file", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"trialfinder: error: {path} is not JSON (line 1;")
    assert len(err.splitlines()) == 1


# -- 5. a country we cannot read costs that value, never the search --------------------------


def _site(city: str, country: str) -> dict[str, object]:
    return {"facility": f"Fictional Clinic {city}", "city": city, "country": country,
            "status": "RECRUITING"}


@pytest.fixture
def two_countries(tmp_path: Path) -> Path:
    return _download(
        tmp_path,
        fictional_study("NCT99000111", "In France", locations=[_site("Lyon", "France")]),
        fictional_study("NCT99000112", "In Germany", locations=[_site("Bonn", "Germany")]),
    )


def _ids(out: str) -> list[str]:
    return [line.split(",")[0] for line in out.splitlines()[1:]]


def test_an_unknown_country_is_refused_with_close_matches(
    two_countries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a typo must not widen the search to every country: refused like an unknown --near
    code, out, err = run(capsys, "search", "--from-file", str(two_countries), "--country",
                         "Frnace", "--format", "csv", "--columns", "nct_id")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["trialfinder: error: --country 'Frnace' is not a country we "
                                "know (did you mean France?)"]


def test_a_bad_country_next_to_a_good_one_is_named_alone(
    two_countries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "--from-file", str(two_countries), "--country",
                         "Narnia,Germany", "--format", "csv", "--columns", "nct_id")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["trialfinder: error: --country 'Narnia' is not a country we "
                                "know (did you mean Armenia or Argentina or Mauritania?)"]


def test_a_country_named_another_way_still_finds_its_sites(
    two_countries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "--from-file", str(two_countries), "--country",
                         "DE", "--format", "csv", "--columns", "nct_id")
    assert code == 0, err
    assert _ids(out) == ["NCT99000112"]
    assert "not a country we know" not in err


def test_an_unknown_country_in_an_api_search_is_refused_before_any_request(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory([
        fictional_study("NCT99000111", "In France", locations=[_site("Lyon", "France")]),
        fictional_study("NCT99000112", "In Germany", locations=[_site("Bonn", "Germany")]),
    ])
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code, out, err = run(capsys, "search", "--base-url", server.base_url, "-c", "fictional",
                         "--country", "Narnia", "--country", "france", "--format", "csv",
                         "--columns", "nct_id")
    assert (code, out) == (2, "")
    assert "--country 'Narnia' is not a country we know" in err
    assert server.stats.requests == 0


# -- 6. -v after any command's name ---------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["store", "info", "-v"], ["sql", "select 1", "-v"], ["history", "NCT99000101", "-vv"],
    ["watch", "list", "--verbose"], ["watch", "remove", "nothing", "-v"],
    ["store", "export", "DIR", "-v"], ["watch", "add", "x", "-c", "asthma", "-v"],
    ["sync", "-c", "asthma", "-v"], ["watch", "run", "-v"], ["search", "-c", "x", "-v"],
])
def test_verbose_is_accepted_after_every_command(argv: list[str]) -> None:
    from trialfinder.cli.main import build_parser

    args = build_parser().parse_args(argv)
    assert args.verbose_sub == (2 if "-vv" in argv else 1)


def test_store_info_verbose_logs_what_happens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    code, _, err = run(capsys, "watch", "add", "mine", "-c", "asthma")
    assert code == 0, err
    code, out, err = run(capsys, "store", "info", "-vv")
    assert code == 0, err
    assert out.startswith(f"store: {tmp_path / 'data' / 'studies.duckdb'}\n")
    assert f"trialfinder: info: trialfinder.cli.store: store: the store is {tmp_path}" in err


# -- 7. counts of one are singular ----------------------------------------------------------


def sync_fictional(server: StandInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``sync -c fictional`` from ``server`` into a store of its own under ``tmp_path``."""
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    return run(capsys, "sync", "-c", "fictional", "--no-cache")


def test_counts_of_one_are_singular_in_sync_watch_and_history(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory([fictional_study("NCT99000121", "A fictional study")])
    code, out, err = sync_fictional(server, tmp_path, monkeypatch, capsys)
    assert code == 0, err
    assert out.startswith("synced 1 study (the API reported 1) into ")
    assert ": 1 new or changed, 1 request, " in out
    code, out, err = run(capsys, "history", "NCT99000121")
    assert code == 0, err
    assert out.startswith("NCT99000121: 1 version seen; first ")
    assert run(capsys, "watch", "add", "one", "-c", "fictional")[0] == 0
    code, out, err = run(capsys, "watch", "run", "--no-cache")
    assert code == 0, err
    assert "one: 0 changes, 1 matching study (" in err
    code, out, err = run(capsys, "store", "export", str(tmp_path / "out"))
    assert code == 0, err
    assert " tables as Parquet files to " in err and " 1 tables " not in err


def test_the_progress_line_counts_one_study(capsys: pytest.CaptureFixture[str]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    ProgressBar(screen)(1, None)
    assert screen.getvalue() == "\rFetching 1 study"


def test_the_api_notes_count_one_study() -> None:
    from trialfinder.registries.result import SearchResult, warnings_for

    result = SearchResult(studies=[{}], total_count=None, pages=1, requests=1,
                          duplicates_dropped=1, truncated=True)
    assert warnings_for(result, offline=False) == [
        "1 study appeared on more than one page; each was kept once (the data changed while "
        "paging)",
        "showing the first 1 matching study (limit reached)",
    ]


# -- 8. `show` says truly whom to contact ----------------------------------------------------


def _located(city: str, status: str | None, contact: bool) -> dict[str, object]:
    site: dict[str, object] = {"facility": f"Fictional Clinic {city}", "city": city,
                               "country": "France"}
    if status:
        site["status"] = status
    if contact:
        site["contacts"] = [{"name": f"Desk {city}", "phone": "555-0100"}]
    return site


def _show(standin_factory: Callable[..., StandInServer], study: dict[str, Any],
          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    server = standin_factory([study])
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code, out, err = run(capsys, "show", "NCT99000131", "--base-url", server.base_url, *extra)
    assert code == 0, err
    lines = out.splitlines()
    start = lines.index("How to take part")
    return " ".join(" ".join(lines[start + 1: lines.index("Key facts")]).split())


URL = "https://clinicaltrials.gov/study/NCT99000131"


@pytest.mark.parametrize(("locations", "extra", "expected"), [
    ([], [], f"No study contact and no site are listed; the study page may say more: {URL}"),
    ([_located("Lyon", "COMPLETED", True), _located("Nice", None, False)], [],
     "No study contact is listed and no site says it is recruiting; 1 site of 2 gives a "
     "contact (see the sites below)"),
    ([_located("Nice", None, False), _located("Lyon", "COMPLETED", True)], ["--sites", "1"],
     "No study contact is listed and no site says it is recruiting; 1 site of 2 gives a "
     "contact (--sites 2 lists them all)"),
    ([_located("Lyon", "COMPLETED", False)], [],
     "No study contact is listed and no site says it is recruiting, and its one site gives "
     f"no contact; the study page may say more: {URL}"),
    ([_located("Lyon", None, False), _located("Nice", "WITHDRAWN", False)], [],
     "No study contact is listed and no site says it is recruiting, and none of its 2 sites "
     f"gives a contact; the study page may say more: {URL}"),
    ([_located("Lyon", "RECRUITING", True)], [],
     "A recruiting site: Fictional Clinic Lyon — Lyon, France contact: Desk Lyon · 555-0100"),
])
def test_show_says_truly_whom_to_contact(
    locations: list[dict[str, object]], extra: list[str], expected: str,
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], as_if_real: None,
) -> None:
    study = fictional_study("NCT99000131", "A fictional study", locations=locations)
    assert _show(standin_factory, study, tmp_path, monkeypatch, capsys, *extra) == expected


@pytest.mark.parametrize(("status", "first"), [
    ("TERMINATED", "This study takes no one new (terminated); its team may still answer "
                   "questions about it."),
    ("SUSPENDED", "This study takes no one new for now (suspended); ask the study team "
                  "whether it will again, and bring the study id."),
])
def test_show_says_a_closed_study_takes_no_one_new(
    status: str, first: str, standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], as_if_real: None,
) -> None:
    """A terminated study's *How to take part* listed its contacts as a recruiting one's."""
    study = fictional_study("NCT99000131", "A fictional study", status=status,
                            locations=[_located("Lyon", None, True)])
    said = _show(standin_factory, study, tmp_path, monkeypatch, capsys)
    assert said.startswith(first + " No study contact is listed")


def test_show_gives_a_fictional_study_no_link_and_says_it_is_invented(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    study = fictional_study("NCT99000131", "A fictional study", locations=[])
    assert _show(standin_factory, study, tmp_path, monkeypatch, capsys) == (
        "No study contact and no site are listed (an invented demo study: it has no page on "
        "ClinicalTrials.gov)")
    server = standin_factory([study])
    code, out, err = run(capsys, "show", "NCT99000131", "--base-url", server.base_url)
    assert code == 0
    assert ("NCT99000131  ·  Recruiting  ·  An invented demo study: it has no page on "
            "ClinicalTrials.gov.") in out.splitlines()
    assert "clinicaltrials.gov/study" not in out
    assert err.splitlines() == [
        "trialfinder: note: fictional data: the trials shown here are fictional examples made "
        "up for trialfinder's demo (ids from NCT99000000 up, or records a stand-in marks as "
        "invented), not real studies you can join"]


def test_show_with_a_central_contact_names_it_first(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    study = fictional_study("NCT99000131", "A fictional study",
                            locations=[_located("Lyon", "COMPLETED", False)])
    study["protocolSection"]["contactsLocationsModule"]["centralContacts"] = [
        {"name": "Fictional Desk", "role": "CONTACT", "email": "desk@example.org"}]
    assert _show(standin_factory, study, tmp_path, monkeypatch, capsys) == \
        "Study contact: Fictional Desk · desk@example.org"


def test_limit_with_a_file_is_refused_rather_than_ignored(
    two_countries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in (["--limit", "1"], ["--all"]):
        code, out, err = run(capsys, "search", "--from-file", str(two_countries), *extra)
        assert (code, out) == (2, "")
        assert err.splitlines() == ["trialfinder: error: --limit and --all set how many "
                                    "studies to fetch from the API; --from-file reads every "
                                    "study in the file"]


def test_match_without_a_search_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # statuses alone would screen up to 10,000 open studies of every kind
    code = main(["match", "--age", "50", "--base-url", "http://127.0.0.1:9/api/v2"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("trialfinder: error: the search is empty: give a condition, term, "
                           "intervention or preset; match screens the studies that search "
                           "finds")


@pytest.mark.parametrize("command", [
    ["search", "-c", "cramp"], ["match", "-c", "cramp", "--age", "40"], ["show", "NCT99000054"],
    ["watch", "add", "cramps", "-c", "cramp"]])
@pytest.mark.parametrize("near", ["", "   "])
def test_an_empty_place_is_an_error_however_it_is_empty(
    command: list[str], near: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--near ""` was silently no place while `--near "   "` said the place is empty: both
    say it now, before anything is fetched (no server runs here) or saved."""
    monkeypatch.setenv("TRIALFINDER_BASE_URL", "http://127.0.0.1:9")
    code, out, err = run(capsys, *command, "--near", near)
    assert (code, out) == (2, "")
    assert err == ("trialfinder: error: --near is empty; type a city ('Boston, MA'), a US ZIP "
                   "code, a UK postcode or 'LAT,LON'\n")


def test_sync_and_sql_say_when_they_store_or_list_fictional_studies(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory([fictional_study("NCT99000122", "A fictional study")])
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    monkeypatch.setenv("TRIALFINDER_TIMEOUT", "10")
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    note = f"trialfinder: note: {FICTIONAL_NOTE}\n"
    code, out, err = run(capsys, "sync", "-c", "fictional", "--no-cache")
    assert code == 0 and out.startswith("synced 1 study") and err.endswith(note)
    code, out, err = run(capsys, "sql", "select nct_id from studies", "--format", "csv")
    assert (code, out, err) == (0, "nct_id\r\nNCT99000122\r\n", note)
    code, out, err = run(capsys, "sql", "select count(*) as n from studies", "--format", "csv")
    assert (code, out, err) == (0, "n\r\n1\r\n", "")


def test_watch_and_history_help_say_what_they_are_for(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`watch --help` listed its four subcommands and nothing of what a watch is."""
    with pytest.raises(SystemExit):
        main(["watch", "--help"])
    watch_help = " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["history", "--help"])
    history_help = " ".join(capsys.readouterr().out.split())
    assert ("Follow a search: `watch add NAME` saves it (with any search option), `watch run` "
            "searches again and prints each study that changed since the previous run") \
        in watch_help
    assert "with the dashboard's saved searches" in watch_help
    assert "The versions of each study that the local study store has seen" in history_help


@pytest.mark.parametrize("command", ["show", "history"])
def test_show_and_history_help_name_both_kinds_of_id(
        capsys: pytest.CaptureFixture[str], command: str) -> None:
    """Both take an ISRCTN id as well (`show ISRCTN12345678`); their help said "NCT id(s)"."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "ID [ID ...]" in text
    assert "ID NCT or ISRCTN id(s), e.g. NCT01234567 or ISRCTN12345678" in text


def test_sync_help_says_what_it_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    """`sync --help` went from its usage straight to the options: nothing of what a sync
    keeps, how to refresh, or why the local filters of `search` are not among them."""
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("Fetch every study a search finds (or the whole registry) into the local study "
            "store, page by page, whole records included (the AACT tables, docs/aact.md, "
            "read them). Run it again to refresh: an unchanged study adds no version. The "
            "local filters of `search` (--keyword, --country...) are not taken: a sync keeps "
            "every study the registry finds.") in text


def test_match_with_nothing_about_you_says_that_fits_means_little(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`match -c cramp` with no personal option called every open study "fits" without a
    word, where the dashboard asks for at least one answer first."""
    from trialfinder.topics.demo import load_demo_studies

    path = _download(tmp_path, *load_demo_studies())
    code, out, err = run(capsys, "match", "--from-file", str(path), "-c", "cramp")
    assert code == 0 and "fits   NCT990000" in out
    assert ("trialfinder: note: nothing about you was given (--age, --sex, --near, "
            "--healthy-volunteer, --has, --takes), so only each study's status was checked: "
            "\"fits\" here says nothing about you") in err.splitlines()
    code, out, err = run(capsys, "match", "--from-file", str(path), "-c", "cramp",
                         "--age", "40")
    assert code == 0 and "nothing about you" not in err


def test_the_sync_line_counts_the_texts_it_stored_cut(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    study = fictional_study("NCT99000122", "A fictional study stopped at length",
                            status="TERMINATED")
    study["protocolSection"]["statusModule"]["whyStopped"] = "w" * 70_000
    server = standin_factory([study, fictional_study("NCT99000123", "A fictional short one")])
    code, out, err = sync_fictional(server, tmp_path, monkeypatch, capsys)
    assert code == 0, err
    # the reason is cut where the search table and the AACT views' record keep it
    first = out.splitlines()[0]
    assert first.startswith("synced 2 studies (the API reported 2) into ")
    assert first.endswith(" s, 2 texts cut to 60 KiB"), first
    assert "2 texts longer than 60 KiB cut in the study store" in err


def test_a_corrupt_cache_file_is_one_note_not_a_python_warning(
    standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A cache file that is no database was moved aside with Python's own warning: two lines
    naming a source file of trialfinder and the line of code that called it
    (``.../http/requester.py:100: CacheRebuiltWarning: ...``). It is one note now, and the
    search goes on from the API."""
    server = standin_factory([fictional_study("NCT99000121", "A fictional cramp study",
                                              conditions=("Muscle Cramp",))])
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / "http_cache.sqlite").write_bytes(b"not a database at all " * 200)
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(cache))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code, out, err = run(capsys, "search", "--base-url", server.base_url, "-c", "cramp",
                         "--format", "csv", "--columns", "nct_id")
    assert (code, out.split()) == (0, ["nct_id", "NCT99000121"]), err
    assert [line for line in err.splitlines() if "cache" in line] == [
        f"trialfinder: note: the cache file {cache / 'http_cache.sqlite'} was unreadable (file "
        "is not a database); moved it to http_cache.corrupt and started an empty cache"]
    assert (cache / "http_cache.corrupt").exists()


@pytest.mark.parametrize("first", [["-c", "cramp"], ["-c", "cramp", "--all"]],
                         ids=["same-search", "whole-answer"])
def test_saved_tables_that_fail_their_check_are_one_note(
    first: list[str], standin_factory: Callable[..., StandInServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A saved search whose table was damaged was said twice, in two wordings ("saved tables
    1f3... dropped: ... does not match its checksum", then "saved tables for this search were
    dropped (...); fetched again"). Once now, also when the damaged entry is the whole answer
    of an earlier ``--all`` that a search with a limit reads."""
    server = standin_factory([fictional_study(f"NCT9900013{n}", f"Fictional cramp study {n}",
                                              conditions=("Muscle Cramp",)) for n in range(3)])
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    argv = ["search", "--base-url", server.base_url, "--format", "csv", "--columns", "nct_id"]
    assert run(capsys, *argv, *first)[0] == 0
    [table] = (tmp_path / "cache" / "tables").glob("*.studies.parquet")
    table.write_bytes(b"not the table that was saved")
    code, out, err = run(capsys, *argv, "-c", "cramp", "--no-store")
    assert (code, len(out.split())) == (0, 4), err
    assert [line for line in err.splitlines() if "dropped" in line] == [
        f"trialfinder: note: saved tables for this search were dropped ({table.name} does not "
        "match its checksum); fetched again"]


def test_search_all_with_no_search_names_the_whole_registry_download(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``search --all --output x.parquet`` with nothing to search for (an analyst after every
    study) was told only to give a condition; the download of every study is another command."""
    code, out, err = run(capsys, "search", "--all", "--output", "x.parquet", "--base-url",
                         "http://127.0.0.1:9/api/v2")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "trialfinder: error: the search is empty: give a condition, term, intervention, place "
        "or preset; every study of the registry is `trialfinder sync --whole-registry`, then "
        "`trialfinder store export DIR` or `trialfinder sql`"]


def test_a_table_too_wide_for_the_terminal_shows_the_columns_that_fit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """``sql "select * from aact.studies" --format table`` (71 columns) on an 80-column
    terminal printed every cell as a lone ``…``: nothing could be read. The table now shows
    the first columns, as many as fit, and a note says how many
    it left out and how to get them all (those shown at 12 columns each at least, so their
    names can be told apart)."""
    from trialfinder.cli.formats import TableWriter

    monkeypatch.setenv("COLUMNS", "80")
    names = [f"column_{i:02d}" for i in range(30)]
    out = io.StringIO()
    table = TableWriter(out)
    table.begin(names)
    table.write([{name: f"v{i:02d}" for i, name in enumerate(names)}])
    table.end()
    header, row = out.getvalue().splitlines()
    assert row.split() == [f"v{i:02d}" for i in range(7)]
    assert header.split() == names[:7] and len(header) <= 80
    assert capsys.readouterr().err == (
        "trialfinder: note: the table shows the first 7 of 30 columns, as many as fit a "
        "terminal 80 columns wide; --format csv or json writes them all\n")
    narrow = io.StringIO()  # a table that fits is left whole, without a note
    table = TableWriter(narrow)
    table.begin(names[:3])
    table.write([{name: "x" for name in names[:3]}])
    table.end()
    assert narrow.getvalue().split() == [*names[:3], "x", "x", "x"]
    assert capsys.readouterr().err == ""


def test_offline_with_an_unusable_cache_folder_does_not_say_it_goes_on_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """``--offline`` with a cache folder that is a file ended with "the cache folder ... is
    not a folder; not using the cache", the words of a search that goes on from the API."""
    folder = tmp_path / "afile"
    folder.write_text("not a folder")
    monkeypatch.setenv("TRIALFINDER_CACHE_DIR", str(folder))
    code, out, err = run(capsys, "search", "-c", "cramp", "--offline",
                         "--base-url", "http://127.0.0.1:9/api/v2")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"trialfinder: error: offline mode answers from the cache only, and the cache folder "
        f"{folder} is not a folder"]
