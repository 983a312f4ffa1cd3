"""`--near 75013` is a US ZIP code (Allen, TX); with `--country France` it is a French
postcode, which trialfinder cannot place: one line says so, rather than a search around
Texas filtered to French sites (which finds nothing, without a word)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import trialfinder as tf
from devtools.standin import fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.errors import PlaceNotFoundError

PARIS = fictional_site("Hôpital Fictif", "Paris", "France", 48.8322, 2.3561,
                       status="RECRUITING")
ALLEN = fictional_site("Imaginary Allen Clinic", "Allen", "United States", 33.1186, -96.6773,
                       state="Texas", status="RECRUITING")
REFUSAL = ("--near '75013' is a US ZIP code (75013 (Allen, TX)), but --country names "
           "France only: trialfinder reads no other country's postcodes; give the town "
           "('Paris, France') or LAT,LON")


def records() -> list[dict[str, object]]:
    return [fictional_study("NCT99610001", "Fictional Paris study", locations=[PARIS]),
            fictional_study("NCT99610002", "Fictional Allen study", locations=[ALLEN])]


def test_a_zip_code_with_other_countries_only_is_refused() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        tf.search_records(records(), source="t", near="75013", countries=("France",))
    assert str(err.value) == REFUSAL
    # a US country among them, or none at all: the ZIP code is read as before
    for countries in (("USA", "France"), ("United States",), ()):
        res = tf.search_records(records(), source="t", near="75013", countries=countries)
        assert list(res.studies["nct_id"]) == ["NCT99610002"]


def test_cli_says_it_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code = main(["search", "--from-file", str(download), "--near", "75013", "--country",
                 "france"])
    out, err = capsys.readouterr()
    # the country as typed
    assert (code, out, err) == (2, "", "trialfinder: error: "
                                f"{REFUSAL.replace('names France', 'names france')}\n")
    code = main(["search", "--from-file", str(download), "--near", "75013"])
    out, err = capsys.readouterr()
    assert code == 0 and "trialfinder: note: near 75013 (Allen, TX)" in err


def test_match_reads_its_near_as_search_does(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`match`'s --near is about you, read apart from the search: the same refusal."""
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code = main(["match", "--from-file", str(download), "--near", "75013", "--country",
                 "France"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"trialfinder: error: {REFUSAL}\n")
    code = main(["match", "--from-file", str(download), "--near", "75013", "--radius",
                 "20mi"])
    out, err = capsys.readouterr()
    assert code == 0 and "NCT99610002" in out, err


LEEDS = fictional_site("Imaginary Leeds Clinic", "Leeds", "United Kingdom", 53.8010, -1.5500,
                       status="RECRUITING")


def test_a_uk_postcode_with_other_countries_only_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--near "LS1 4AP" --country France` searched around Leeds for sites in France, and
    found nothing without a word."""
    found = [*records(), fictional_study("NCT99610003", "Fictional Leeds study",
                                         locations=[LEEDS])]
    refusal = ("--near 'LS1 4AP' is a UK postcode (LS1 4AP, United Kingdom), but --country "
               "names France only: give a town in France ('Town, Country') or LAT,LON, or "
               "leave out --country")
    with pytest.raises(PlaceNotFoundError) as err:
        tf.search_records(found, source="t", near="LS1 4AP", countries=("France",))
    assert str(err.value) == refusal
    for countries in (("UK", "France"), ("England",), ()):  # the UK named, or no country
        res = tf.search_records(found, source="t", near="LS1 4AP", countries=countries)
        assert list(res.studies["nct_id"]) == ["NCT99610003"]
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(found))
    for command in ("search", "match"):
        code = main([command, "--from-file", str(download), "--near", "LS1 4AP", "--country",
                     "France"])
        out, err_text = capsys.readouterr()
        assert (code, out, err_text) == (2, "", f"trialfinder: error: {refusal}\n")
