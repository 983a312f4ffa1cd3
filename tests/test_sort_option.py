"""`--sort` / `sort=`: one declared option orders the list on the command line, in the Python
API and in a stream to a file (the page has its own control, with the same sorts)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trialfinder as tf
from devtools.standin import StandInServer, fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import from_json, get_option, to_cli
from trialfinder.views.sorting import SORTS

BOSTON = fictional_site("Fictional General", "Boston", "United States", 42.3601, -71.0589,
                        state="Massachusetts", status="RECRUITING")
WORCESTER = fictional_site("Imaginary Clinic", "Worcester", "United States", 42.2626, -71.8023,
                           state="Massachusetts", status="RECRUITING")
LYON = fictional_site("Centre Fictif", "Lyon", "France", 45.764, 4.8357, status="RECRUITING")


def _study(nct: str, posted: str | None, updated: str, sites: list[Any]) -> dict[str, Any]:
    record = fictional_study(nct, f"Fictional sort study {nct[-2:]}",
                             conditions=["Fictional Sortitis"], locations=sites)
    status = record["protocolSection"]["statusModule"]
    if posted is None:
        del status["studyFirstPostDateStruct"]
    else:
        status["studyFirstPostDateStruct"] = {"date": posted, "type": "ACTUAL"}
    status["lastUpdatePostDateStruct"] = {"date": updated, "type": "ACTUAL"}
    return record


def records() -> list[dict[str, Any]]:
    # the registry's order: 01, 02, 03, 04
    return [_study("NCT99600001", "2021-03-04", "2025-01-10", [LYON]),
            _study("NCT99600002", "2024-06-01", "2023-02-02", [WORCESTER]),
            _study("NCT99600003", None, "2026-05-05", [BOSTON]),
            _study("NCT99600004", "2022-08", "2024-12-12", [LYON, WORCESTER])]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_library_sorts_as_asked_and_keeps_the_registry_order_otherwise() -> None:
    def ids(**options: Any) -> list[str]:
        return list(tf.search_records(records(), source="t", **options).studies["nct_id"])

    assert ids() == ["NCT99600001", "NCT99600002", "NCT99600003", "NCT99600004"]
    # newest first posted first; a study without the date last
    assert ids(sort="newest") == ["NCT99600002", "NCT99600004", "NCT99600001", "NCT99600003"]
    assert ids(sort="updated") == ["NCT99600003", "NCT99600001", "NCT99600004", "NCT99600002"]
    assert ids(sort="nearest", near=(42.3601, -71.0589), radius="5000mi") == [
        "NCT99600003", "NCT99600002", "NCT99600004", "NCT99600001"]
    res = tf.search_records(records(), source="t", sort="newest")
    # the sites follow their studies; re-filtering keeps the order asked for
    assert list(dict.fromkeys(res.sites["nct_id"])) == list(res.studies["nct_id"])
    assert list(res.refilter(tf.LocalFilters()).studies["nct_id"]) == list(res.studies["nct_id"])


def test_a_bad_sort_is_one_line_with_a_suggestion(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    with pytest.raises(InvalidQueryError) as err:
        tf.search_records(records(), source="t", sort="neweset")
    assert str(err.value) == ("sort 'neweset' is not a way to sort; choose nearest, registry, "
                              "newest or updated (did you mean newest?)")
    # keyword arguments are told the keyword (near=), not the command line's --near
    with pytest.raises(InvalidQueryError, match=r"^sorting nearest first needs a place: give "
                                                r"near= as well$"):
        tf.search_records(records(), source="t", sort="nearest")
    with pytest.raises(InvalidQueryError, match=r"^a radius needs a place: give near= as well$"):
        tf.search(condition="Fictional Sortitis", radius=25)
    for default in (50, "50mi", "80.4672km"):  # the default distance: it was dropped
        with pytest.raises(InvalidQueryError, match=r"^a radius needs a place: give near="):
            tf.search(condition="Fictional Sortitis", radius=default)
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code, out, err = run(capsys, "search", "--from-file", str(download), "--sort", "Updatd")
    assert (code, out) == (2, "")
    assert err == ("trialfinder: error: --sort 'Updatd' is not a way to sort; choose nearest, "
                   "registry, newest or updated (did you mean updated?)\n")


def test_cli_sorts_the_table_and_files(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code, out, err = run(capsys, "search", "--from-file", str(download), "--sort", "NEWEST",
                         "--format", "csv", "--columns", "nct_id,first_posted")
    assert code == 0, err
    assert [row["nct_id"] for row in csv.DictReader(io.StringIO(out))] == [
        "NCT99600002", "NCT99600004", "NCT99600001", "NCT99600003"]
    # --near alone: the table nearest first (as before), a file in the registry's order...
    code, out, err = run(capsys, "search", "--from-file", str(download), "--near",
                         "42.3601,-71.0589", "--radius", "5000mi", "--format", "csv",
                         "--columns", "nct_id")
    assert out.split() == ["nct_id", "NCT99600001", "NCT99600002", "NCT99600003",
                           "NCT99600004"]
    # ...unless it is asked for
    code, out, err = run(capsys, "search", "--from-file", str(download), "--near",
                         "42.3601,-71.0589", "--radius", "5000mi", "--sort", "nearest",
                         "--format", "csv", "--columns", "nct_id")
    assert out.split() == ["nct_id", "NCT99600003", "NCT99600002", "NCT99600004",
                           "NCT99600001"]
    # and the table may be asked for the registry's order near a place
    code, out, err = run(capsys, "search", "--from-file", str(download), "--near",
                         "42.3601,-71.0589", "--radius", "5000mi", "--sort", "registry",
                         "--columns", "nct_id")
    assert [line.strip() for line in out.splitlines()[1:5]] == [
        "NCT99600001", "NCT99600002", "NCT99600003", "NCT99600004"]


def test_a_stream_to_a_file_is_sorted_within_its_limit_and_refused_without_one(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(records())
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    common = ["search", "--base-url", server.base_url, "--cache-dir", str(tmp_path / "cache"),
              "--no-store", "-c", "Fictional Sortitis"]
    out_file = tmp_path / "sorted.csv"
    code, out, err = run(capsys, *common, "--sort", "updated", "--output", str(out_file))
    assert code == 0, err
    with out_file.open(newline="") as f:
        assert [row["nct_id"] for row in csv.DictReader(f)] == [
            "NCT99600003", "NCT99600001", "NCT99600004", "NCT99600002"]
    code, out, err = run(capsys, *common, "--sort", "updated", "--format", "json")
    assert code == 0, err
    assert [json.loads(line)["nct_id"] for line in out.splitlines()] == [
        "NCT99600003", "NCT99600001", "NCT99600004", "NCT99600002"]
    code, out, err = run(capsys, *common, "--all", "--sort", "updated", "--output",
                         str(tmp_path / "all.csv"))
    assert (code, out) == (2, "")
    assert err == ("trialfinder: error: --sort orders the whole answer, so it holds it in "
                   "memory: give --limit N (at most 10,000) instead of --all, or leave out "
                   "--sort to write every study as it comes\n")
    assert not (tmp_path / "all.csv").exists()
    code, out, err = run(capsys, *common, "--limit", "20000", "--sort", "updated",
                         "--format", "csv")
    assert code == 2 and "give --limit N (at most 10,000)" in err


def test_one_declaration_gives_the_flag_the_keyword_and_the_page_sorts() -> None:
    sort = get_option("sort")
    assert (sort.flag, sort.kwarg, sort.sent) == ("--sort", "sort", False)
    # the page offers the same sorts, and its own pre-screen order
    assert set(SORTS) == {*sort.kind.choices, "fit"}  # type: ignore[attr-defined]
    options = tf.SearchOptions(conditions=("ALS",), sort="Newest")
    assert options.sort == "newest"
    assert to_cli(options) == ["--condition", "ALS", "--sort", "newest"]
    assert from_json(options.to_json()) == options
    # the order is no part of what the search looks for
    assert options.words() == "ALS"


@pytest.mark.parametrize("command", [["match"], ["watch", "add"]])
def test_commands_with_their_own_order_take_no_sort(
    command: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    out, _ = capsys.readouterr()
    assert "--sort" not in out
