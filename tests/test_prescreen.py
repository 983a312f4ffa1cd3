"""The personal pre-screen: structured fit, criteria mentions, ordering, privacy, the CLI."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import trialfinder as tf
from devtools.standin import StandInApi, StandInServer, fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.errors import InvalidQueryError
from trialfinder.service.searching import search_records
from trialfinder.tables.prescreen import DISCLAIMER, Profile, names_for, prescreen

BOSTON = fictional_site("Fictional General", "Boston", "United States", 42.3601, -71.0589,
                        state="Massachusetts", status="RECRUITING")
WORCESTER = fictional_site("Imaginary Clinic", "Worcester", "United States", 42.2626, -71.8023,
                           state="Massachusetts", status="RECRUITING")
CLOSED_NEAR = fictional_site("Pretend Closed Site", "Cambridge", "United States", 42.3736,
                             -71.1097, state="Massachusetts", status="COMPLETED")
LYON = fictional_site("Centre Fictif", "Lyon", "France", 45.764, 4.8357, status="RECRUITING")

CRITERIA = {
    "NCT99500001": ("Inclusion Criteria:\n\n* Adults with ALS\n* Stable dose of riluzole\n\n"
                    "Exclusion Criteria:\n\n* Current use of Lioresal or Ozobax\n"
                    "* Calls to the study line are recorded\n"),
    "NCT99500002": ("Inclusion Criteria:\n\n* Spasticity after stroke\n\nExclusion Criteria:\n\n"
                    "* Taking Zanaflex\n* Regular Advil or Motrin use\n* Also: no aspirin\n"),
    "NCT99500003": "Inclusion Criteria:\n\n* Healthy adults\n* Takes no baclofen-like drugs\n",
}


def study(nct: str, **options: Any) -> dict[str, Any]:
    record = fictional_study(nct, f"Fictional study {nct[-2:]}", **options)
    text = CRITERIA.get(nct)
    if text is not None:
        record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = text
    return record


def records() -> list[dict[str, Any]]:
    return [
        study("NCT99500001", conditions=["ALS"], minimum_age="18 Years",
              maximum_age="80 Years", locations=[WORCESTER]),
        study("NCT99500002", conditions=["Spasticity"], locations=[BOSTON, LYON]),
        study("NCT99500003", conditions=["Healthy"], healthy_volunteers=True, sex="FEMALE",
              locations=[BOSTON]),
        study("NCT99500004", conditions=["Spasticity"], status="COMPLETED", locations=[BOSTON]),
        study("NCT99500005", conditions=["Spasticity"], minimum_age="18 Years",
              maximum_age="50 Years", locations=[BOSTON]),
        study("NCT99500006", conditions=["Spasticity"], locations=[LYON, CLOSED_NEAR]),
    ]


def results() -> tf.Results:
    return search_records(records(), source="test")


def test_names_and_brands() -> None:
    assert {"baclofen", "Lioresal", "Ozobax", "Lyvispah"} <= set(names_for("Lioresal",
                                                                            "medicine"))
    assert "tizanidine" in names_for("Zanaflex", "medicine")
    assert {"ibuprofen", "Advil", "Motrin"} <= set(names_for("advil", "medicine"))
    assert names_for("Fictomab", "medicine") == ("Fictomab",)


def test_structured_fit_and_order() -> None:
    me = Profile(age=60, sex="male", near=(42.3601, -71.0589), radius_mi=100)
    screen = prescreen(results(), me)
    table = screen.studies
    assert list(table["nct_id"]) == [
        "NCT99500002", "NCT99500001",  # fit, nearest first (0 mi, then Worcester ~40 mi)
        "NCT99500003", "NCT99500004", "NCT99500005", "NCT99500006",
    ]
    assert list(table["fits"]) == [True, True, False, False, False, False]
    reasons = dict(zip(table["nct_id"], table["reasons"], strict=True))
    assert reasons["NCT99500003"] == ["open to women only"]
    assert reasons["NCT99500004"] == ["not recruiting (status: Completed)"]
    assert reasons["NCT99500005"] == ["age 60 is outside 18 to 50 years"]
    # the only site near Boston has finished recruiting: the nearest open one is in Lyon
    assert reasons["NCT99500006"][0].startswith("nearest recruiting site is 3,")
    miles = dict(zip(table["nct_id"], table["nearest_site_mi"], strict=True))
    assert miles["NCT99500002"] == pytest.approx(0, abs=0.01)
    assert 38 < miles["NCT99500001"] < 40


def test_healthy_volunteer() -> None:
    screen = prescreen(results(), Profile(healthy_volunteer=True, sex="female"))
    fits = dict(zip(screen.studies["nct_id"], screen.studies["fits"], strict=True))
    reasons = dict(zip(screen.studies["nct_id"], screen.studies["reasons"], strict=True))
    assert bool(fits["NCT99500003"])
    assert not fits["NCT99500002"]
    assert reasons["NCT99500002"] == ["does not take healthy volunteers"]


def test_mentions_use_brands_whole_words_and_sections() -> None:
    me = Profile(medicines=("baclofen", "tizanidine", "ibuprofen", "aspirin"),
                 conditions=("amyotrophic lateral sclerosis",))
    mentions = prescreen(results(), me).mentions
    rows = {(r.nct_id, r.term, r.found, r.section) for r in mentions.itertuples()}
    assert rows == {
        ("NCT99500001", "amyotrophic lateral sclerosis", "ALS", "inclusion"),
        ("NCT99500001", "baclofen", "Lioresal", "exclusion"),
        ("NCT99500002", "tizanidine", "Zanaflex", "exclusion"),
        ("NCT99500002", "ibuprofen", "Advil", "exclusion"),
        ("NCT99500002", "aspirin", "aspirin", "exclusion"),
        ("NCT99500003", "baclofen", "baclofen", "inclusion"),
    }
    # "ALS" in capitals only: "Calls" and "Also" are not ALS
    texts = set(mentions["text"])
    assert "Calls to the study line are recorded" not in texts
    assert "Also: no aspirin" in texts  # found for aspirin, not for ALS


def test_profile_is_checked_and_private() -> None:
    me = Profile(age=54, medicines=("Lyvispah",))
    assert repr(me) == str(me) == "Profile(<private>)"
    with pytest.raises(InvalidQueryError, match="age"):
        Profile(age=300)
    with pytest.raises(InvalidQueryError, match="radius needs a place"):
        Profile(radius_mi=10)
    with pytest.raises(InvalidQueryError, match="no letters"):
        Profile(medicines=("--",))
    # a pasted list as one medicine: the message says which entry and what to do
    with pytest.raises(InvalidQueryError) as err:
        Profile(medicines=("baclofen", "tizanidine; " * 12))
    assert str(err.value) == ("medicine 'tizanidine; tizanidine; tizani…' is 143 characters "
                              "long; one medicine is at most 100 (give several one by one)")


def test_prescreen_names_what_it_does_not_know_for_library_users(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`tf.prescreen` looked for "baclofenn" as typed and said nothing: the CLI's note was its
    own. The result now carries the names it does not know, each with the names spelled nearly
    so, in the order given (conditions, then medicines); the note is worded from them, and
    neither the repr nor any log line holds what was typed."""
    caplog.set_level(logging.DEBUG, logger="trialfinder")
    me = Profile(medicines=("baclofenn", "Zanaflex"), conditions=("spasticty", "knee twinges"))
    screen = tf.prescreen(results(), me)
    assert [(u.text, u.kind, u.suggestions) for u in screen.unknown_names] == [
        ("spasticty", "condition", ("spasticity",)),
        ("knee twinges", "condition", ()),
        ("baclofenn", "medicine", ("baclofen",))]
    assert screen.unknown_names[2].note == (
        "'baclofenn' is no medicine trialfinder knows by name: the criteria are searched for "
        "it only as typed, not by other names, brands or classes; did you mean baclofen?")
    assert repr(screen.unknown_names[0]) == "UnknownName(<private>)"
    assert "spastic" not in repr(screen) and "baclofen" not in repr(screen.unknown_names)
    assert not any(w in r.getMessage() for r in caplog.records
                   for w in ("baclofen", "spastic", "twinges"))
    assert tf.prescreen(results(), Profile(medicines=("Lioresal",))).unknown_names == ()


def test_public_names() -> None:
    assert tf.prescreen is prescreen and tf.Profile is Profile


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_match_json_flags_a_brand_under_exclusion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code, out, err = run(capsys, "match", "--from-file", str(download), "--takes", "baclofen",
                         "--format", "json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    by_id = {row["nct_id"]: row for row in lines}
    assert set(by_id) == {"NCT99500001", "NCT99500002", "NCT99500003", "NCT99500005",
                          "NCT99500006"}  # the completed study is not searched by default
    assert by_id["NCT99500001"]["mentions"] == [
        {"term": "baclofen", "found": "Lioresal", "section": "exclusion",
         "text": "Current use of Lioresal or Ozobax", "match": "brand", "exception": False,
         "negated": False}]
    # an exclusion line names their medicine: never "fits", and the old key says the same
    assert (by_id["NCT99500001"]["verdict"], by_id["NCT99500001"]["fits"]) == ("check", False)
    assert by_id["NCT99500001"]["reasons"] == [
        'Check with the study team: the exclusion criteria mention Lioresal, a brand of your '
        'baclofen ("Current use of Lioresal or Ozobax")']
    assert by_id["NCT99500002"]["mentions"] == []
    assert (by_id["NCT99500002"]["verdict"], by_id["NCT99500002"]["fits"]) == ("fits", True)
    # "Takes no baclofen-like drugs" under inclusion asks for people without it
    assert by_id["NCT99500003"]["verdict"] == "check"
    assert by_id["NCT99500003"]["mentions"][0]["negated"] is True
    assert DISCLAIMER in err


def test_match_says_which_of_your_words_it_knows_no_other_names_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A misspelt medicine is looked for as typed and found nowhere: the study whose
    exclusion names baclofen by its brand was "fits" for "baclofenn", without a word. The
    table names each such word (it is the person's own output, as the mentions are); stderr,
    where -vv logs, only counts them."""
    monkeypatch.setenv("COLUMNS", "400")
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    mine = ["--takes", "baclofenn", "--has", "spasticty", "--has", "knee twinges", "--takes",
            "Zanaflex"]
    code, out, err = run(capsys, "match", "--from-file", str(download), *mine)
    assert code == 0, err
    assert [line for line in out.splitlines() if line.startswith("Note: ")] == [
        "Note: 'spasticty' is no condition trialfinder knows by name: the criteria are "
        "searched for it only as typed, not by other names, abbreviations or classes; did you "
        "mean spasticity?",
        "Note: 'knee twinges' is no condition trialfinder knows by name: the criteria are "
        "searched for it only as typed, not by other names, abbreviations or classes",
        "Note: 'baclofenn' is no medicine trialfinder knows by name: the criteria are searched "
        "for it only as typed, not by other names, brands or classes; did you mean baclofen?"]
    code, out, err = run(capsys, "match", "--from-file", str(download), *mine,
                         "--format", "json")
    assert code == 0, err
    assert "trialfinder: note: 3 conditions or medicines you gave are no name trialfinder " \
        "knows: searched for only as typed, not by other names, brands, abbreviations or " \
        "classes (--format table names them)\n" in err
    assert not any(word in err for word in ("baclofen", "spastic", "knee"))
    by_id = {row["nct_id"]: row for row in map(json.loads, out.splitlines())}
    assert by_id["NCT99500001"]["mentions"] == []  # what the note warns of
    _, out, err = run(capsys, "match", "--from-file", str(download), "--takes", "Lioresal",
                      "--has", "spasticity")
    assert "Note: " not in out and "you gave" not in err


def test_match_reads_several_names_with_commas_as_the_dashboard_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`--takes "Zanaflex, baclofen"` was one medicine of that name, found nowhere, so no
    study was "check"; the dashboard's *About you* reads the same text as two."""
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code, out, err = run(capsys, "match", "--from-file", str(download), "--format", "json",
                         "--takes", "Zanaflex, baclofen", "--has", "ALS,")
    assert code == 0, err
    by_id = {row["nct_id"]: row for row in map(json.loads, out.splitlines())}
    assert [(m["term"], m["found"]) for m in by_id["NCT99500001"]["mentions"]] == [
        ("ALS", "ALS"), ("baclofen", "Lioresal")]
    assert [(m["term"], m["found"]) for m in by_id["NCT99500002"]["mentions"]] == [
        ("Zanaflex", "Zanaflex")]
    assert "you gave" not in err  # each name is known
    code, _, err = run(capsys, "match", "--from-file", str(download), "--takes", " , ")
    assert (code, err) == (2, "trialfinder: error: medicine ' , ' has no letters or digits\n")


def test_match_that_finds_nothing_says_what_may_be_a_slip(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`match -c "spasticty"` said "no studies found" and nothing more, as `search` did."""
    server = standin_factory(records())
    monkeypatch.setenv("TRIALFINDER_RATE", "60000")
    code, out, err = run(capsys, "match", "--base-url", server.base_url, "--cache-dir",
                         str(tmp_path / "cache"), "--no-store", "-c", "spasticty",
                         "--age", "40")
    assert code == 0, err
    assert out.startswith("no studies found\n")
    assert ("trialfinder: note: nothing found for --condition 'spasticty' (did you mean "
            "spasticity?)\n") in err


def test_match_table_says_it_is_a_first_look(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps(records()))
    code, out, _ = run(capsys, "match", "--from-file", str(download), "--takes", "Zanaflex",
                       "--age", "60", "--near", "42.3601,-71.0589", "--radius", "50mi",
                       "--status", "any")
    assert code == 0
    heads = [line for line in out.splitlines() if line[:7] in ("fits   ", "check  ", "no     ")]
    # fits first, then check, then no, nearest first within each: the study whose exclusion
    # names the medicine is "check", not "fits", though its structured fields fit, and so is
    # the one whose inclusion asks for a medicine they did not give (they gave their medicines)
    assert [line[:18] for line in heads] == [
        "fits   NCT99500003", "check  NCT99500002", "check  NCT99500001", "no     NCT99500004",
        "no     NCT99500005", "no     NCT99500006"]
    assert ("Check with the study team: the inclusion criteria ask for riluzole, which you did "
            "not") in out
    assert "exclusion criterion names Zanaflex: Taking Zanaflex" in out
    assert ('· Check with the study team: the exclusion criteria mention Zanaflex ("Taking '
            'Zanaflex")') in out
    assert "not medical advice" in out
    assert "1 of 6 studies may fit; 2 to check with the study team" in out


def test_match_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "match", "--from-file", str(tmp_path / "none.json"),
                         "--age", "-3")
    assert code == 2
    assert err.strip().count("\n") == 0 and "age must be within" in err


@pytest.mark.parametrize("near", [
    "42.2626,-71.8023",
    "Shrewsbry, MA",  # a slip of the pen: its reading was logged with the text as typed
])
def test_profile_never_leaves_the_machine(
    standin_factory: Callable[..., StandInServer], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    near: str,
) -> None:
    server = standin_factory(records())
    seen: list[str] = []
    handle = StandInApi.handle

    def spy(self: StandInApi, path: str, query: str = "") -> Any:
        seen.append(f"{path}?{query}")
        return handle(self, path, query)

    monkeypatch.setattr(StandInApi, "handle", spy)
    cache = tmp_path / "cache"
    caplog.set_level(logging.DEBUG, logger="trialfinder")
    # -vv: every debug line is on, and none may carry the profile
    code, out, err = run(capsys, "-vv", "match", "--base-url", server.base_url, "--cache-dir",
                         str(cache), "-c", "spasticity", "--age", "64.5", "--sex", "male",
                         "--near", near, "--radius", "30mi",
                         "--takes", "Lyvispah", "--has", "Fictitia")
    assert code == 0, err
    assert seen and all("/studies" in s or "/version" in s for s in seen)
    # (64.5: a value no byte count or file name holds by chance; timestamps: see below)
    secrets = ("64.5", "Lyvispah", "lyvispah", "Fictitia", "42.26", "71.80", "MALE", "Shrewsb",
               "shrewsb")
    for request in seen:
        assert not any(s in request for s in secrets), request
    assert any(r.name == "trialfinder.tables.prescreen.fit" for r in caplog.records)
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)
    assert not any(s in err for s in secrets), err
    # in the cache's bytes a number counts when it stands alone: a stored clock reading such
    # as 1765080364.51 holds "64.5" by chance about once in a few hundred runs
    alone = [re.compile(rb"(?<![0-9])" + re.escape(s.encode()) + rb"(?![0-9])") for s in secrets]
    for path in cache.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = [p.pattern for p in alone if p.search(data)]
            assert not found, (path, found)
    assert "NCT99500002" in out


def test_same_mentions_without_pyarrow(hide_pyarrow: Callable[[], None]) -> None:
    me = Profile(medicines=("baclofen", "Zanaflex"), conditions=("ALS",))
    with_arrow = prescreen(results(), me).mentions
    hide_pyarrow()
    without = prescreen(results(), me).mentions
    assert len(with_arrow) == 4
    pd.testing.assert_frame_equal(with_arrow, without)


def test_an_unknown_distance_is_a_question_not_a_no() -> None:
    """No recruiting site with a known location: within a radius the distance is unknown,
    which rules nobody out (issue 18: `no` is a rule of the record), so the study is
    `check`; a site too far is still `no`."""
    nowhere = [study("NCT99500007", conditions=["ALS"]),
               study("NCT99500008", conditions=["ALS"], locations=[LYON]),
               study("NCT99500009", conditions=["ALS"], locations=[CLOSED_NEAR])]
    me = Profile(age=54, sex="male", near=(42.3601, -71.0589), radius_mi=100)
    table = prescreen(search_records(nowhere, source="test"), me).studies
    verdicts = dict(zip(table["nct_id"], table["verdict"], strict=True))
    reasons = dict(zip(table["nct_id"], table["reasons"], strict=True))
    assert verdicts == {"NCT99500007": "check", "NCT99500008": "no", "NCT99500009": "check"}
    assert reasons["NCT99500007"] == [
        "the record gives no recruiting site with a known location: ask the study team where "
        "it runs"]
    # (the one nearby site has finished recruiting; the rest of the record says nothing)
    assert reasons["NCT99500009"] == reasons["NCT99500007"]
    # without a radius the distance only orders the list: the same words, and still fits
    loose = prescreen(search_records(nowhere, source="test"),
                      Profile(age=54, near=(42.3601, -71.0589))).studies
    assert dict(zip(loose["nct_id"], loose["verdict"], strict=True))["NCT99500007"] == "fits"
