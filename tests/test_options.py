"""trialfinder.options: every option, declared once, is taken by every entry point and comes
back the same (command line, link, JSON, keyword arguments, the dashboard's state)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trialfinder as tf
from trialfinder.cli.main import build_parser
from trialfinder.cli.match import PERSONAL
from trialfinder.cli.store import SYNC_OPTIONS
from trialfinder.core.codes import FunderType, Phase, Sex, Status
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import (
    OPTIONS,
    Near,
    Option,
    Radius,
    Refused,
    SearchOptions,
    from_json,
    from_kwargs,
    from_url,
    read_link,
    to_cli,
    to_json,
    to_kwargs,
    to_url,
)
from trialfinder.options.choice import Choice
from trialfinder.options.cli import read_options
from trialfinder.options.kinds import (
    Code,
    Codes,
    Date,
    Flag,
    NearKind,
    Number,
    Preset,
    RadiusKind,
    Text,
    Texts,
)
from trialfinder.topics.presets import list_presets
from trialfinder.views.urlstate import (
    BASE,
    WIDGET,
    defaults,
    read_url,
    snapshot,
    url_params,
)

BOSTON = Near(point=(42.36, -71.06))
#: Each shown option's widget value on an empty page (a list for a multi-select).
WIDGET_VALUE = {d.name: defaults()[key] for key, d in WIDGET.items()}


def example(d: Option) -> Any:
    """A canonical value of an option that is not its empty value, from its kind alone (a new
    option is covered without touching this test)."""
    kind = d.kind
    if isinstance(kind, Preset):
        return list_presets()[0].name
    if isinstance(kind, Date):
        return "2024-05"
    if isinstance(kind, Text):
        return "fictional words"
    if isinstance(kind, Texts):
        if d.name == "registries":  # names the dashboard offers: the registries there are
            return ("ctgov", "isrctn")
        if d.name == "countries":  # a link's country the page does not know is left out
            return ("France", "Czechia")
        return ("NCT99000001", "NCT99000002") if d.name == "ids" else ("alpha", "beta gamma")
    if isinstance(kind, Codes):
        return tuple(list(kind.codes)[:2])
    if isinstance(kind, Code):
        return next(c for c in kind.codes if c.value != kind.unset)
    if isinstance(kind, Flag):
        return False
    if isinstance(kind, Number):
        return (kind.low + kind.high) / 2 + 0.5
    if isinstance(kind, NearKind):
        return Near("Boston, MA")
    if isinstance(kind, RadiusKind):
        return Radius(80, "km")
    if isinstance(kind, Choice):  # the last: the first may need another option (nearest)
        return list(kind.choices)[-1]
    raise AssertionError(f"no example for the kind of {d.name}")


def one(d: Option) -> SearchOptions:
    """Options with ``d`` set (and a place, which a radius needs)."""
    extra = {"near": BOSTON} if d.name == "radius" else {}
    return SearchOptions(**{d.name: example(d)}, **extra)


#: The options each searching command takes.
COMMANDS: dict[str, list[str]] = {
    "search": [d.name for d in OPTIONS],
    "sync": list(SYNC_OPTIONS),
    "match": [d.name for d in OPTIONS if d.name not in PERSONAL and not d.order],
    "watch add": [d.name for d in OPTIONS if not d.order],
}


def _argv(command: str, options: SearchOptions) -> list[str]:
    return [*command.split(), *(["NAME"] if command == "watch add" else []), *to_cli(options)]


def test_the_commands_take_what_they_should() -> None:
    assert [d.name for d in OPTIONS if d.sent] == COMMANDS["sync"]
    assert "has_results" in COMMANDS["sync"]  # `sync --has-results only` was a usage error
    assert sorted(PERSONAL) == ["age", "healthy_volunteers", "near", "radius", "sex"]
    assert len({d.name for d in OPTIONS}) == len({d.kwarg for d in OPTIONS}) == len(
        {d.url for d in OPTIONS}) == len({f for d in OPTIONS for f in d.flags}) - 4  # -c -t -i -s


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("declared", OPTIONS, ids=lambda d: d.name)
def test_every_command_takes_every_option_and_gives_it_back(command: str,
                                                            declared: Option) -> None:
    options = one(declared)
    parser = build_parser()
    if declared.name not in COMMANDS[command]:
        try:  # not a search option here: refused, or (match) about you, never searched
            args = parser.parse_args(_argv(command, options))
        except SystemExit:
            return
        assert command == "match" and declared.name in PERSONAL
        assert read_options(args, COMMANDS[command]) == SearchOptions()
        return
    args = parser.parse_args(_argv(command, options))
    assert read_options(args, COMMANDS[command]) == options
    assert to_cli(read_options(args, COMMANDS[command])) == to_cli(options)


@pytest.mark.parametrize("declared", OPTIONS, ids=lambda d: d.name)
def test_every_option_round_trips_through_links_json_and_keyword_arguments(
    declared: Option,
) -> None:
    options = one(declared)
    assert from_url(to_url(options))[0] == options
    assert from_url(to_url(options), lenient=True) == (options, [])
    assert from_json(json.loads(json.dumps(to_json(options)))) == options
    assert from_kwargs(to_kwargs(options)) == options
    # the order of the list is no part of what a search looks for
    assert (options.words() == "everything") == declared.order


@pytest.mark.parametrize("declared", OPTIONS, ids=lambda d: d.name)
def test_the_python_api_takes_every_option_by_its_keyword(declared: Option) -> None:
    kwargs = to_kwargs(one(declared))
    res = tf.search_records([], source="nothing", **kwargs)
    assert len(res.studies) == 0
    with pytest.raises(InvalidQueryError, match=f"^{declared.kwarg} must be "):
        tf.search_records([], source="nothing", **{declared.kwarg: object()})


@pytest.mark.parametrize("declared", list(WIDGET.values()), ids=lambda d: d.name)
def test_the_dashboard_reads_and_writes_every_option_it_shows(declared: Option) -> None:
    options = one(declared)
    if declared.name == "radius":
        options = options.replace(near=Near("Boston, MA"), radius=Radius(100))
    if (isinstance(declared.kind, Texts) and not declared.kind.joined
            and not isinstance(WIDGET_VALUE[declared.name], list)):
        # one text box: several values are read as alternatives in one text
        state, _ = read_url(to_url(options, base=BASE))
        assert url_params(state, snapshot(state), demo_mode=False)[declared.url] == [
            " OR ".join(getattr(options, declared.name))]
        options = options.replace(**{declared.name: getattr(options, declared.name)[:1]})
    state, ignored = read_url(to_url(options, base=BASE))
    assert ignored == []
    assert url_params(state, snapshot(state), demo_mode=False) == to_url(options, base=BASE)


def test_sync_has_results_only(tmp_path: Any) -> None:
    parser = build_parser()
    args = parser.parse_args(["sync", "-c", "asthma", "--has-results", "only"])
    assert read_options(args, SYNC_OPTIONS) == SearchOptions(conditions=("asthma",),
                                                             has_results=True)
    search = parser.parse_args(["search", "-c", "asthma", "--has-results", "only"])
    assert read_options(search) == read_options(args, SYNC_OPTIONS)


def test_friendly_values_and_one_clear_error() -> None:
    options = SearchOptions(conditions="ALS", statuses=("recruiting", "Not yet recruiting"),
                            phases=(2, "phase 3"), sex="female", radius="100mi",
                            near=" Boston,   MA ", age=54)
    assert options == SearchOptions(
        conditions=("ALS",), statuses=(Status.RECRUITING, Status.NOT_YET_RECRUITING),
        phases=(Phase.PHASE2, Phase.PHASE3), sex=Sex.FEMALE, radius=Radius(100.0, "mi"),
        near=Near("Boston, MA"), age=54.0)
    assert options.words() == ("ALS · within 100 miles of Boston, MA · recruiting or not yet "
                               "recruiting · Phase 2 or Phase 3 · age 54 · women")
    assert SearchOptions(near="42.36, -71.06").near == BOSTON
    assert SearchOptions(near=BOSTON, radius="50mi").radius is None  # the default, as unset
    assert SearchOptions(statuses="any").statuses == ()
    assert repr(SearchOptions(funder_types=["nih"])) == (
        "SearchOptions(funder_types=(<FunderType.NIH: 'NIH'>,))")
    for kwargs, message in [
        ({"radius": "5mi"}, "a radius needs a place: give --near as well"),
        ({"radius": "50mi"}, "a radius needs a place: give --near as well"),
        ({"start_from": "2024", "start_to": "2023-12"}, "start date range is empty"),
        ({"statuses": ["bogus"]}, "unknown status 'bogus'; choose from"),
        ({"age": 130}, "age must be within 0..125 years, not 130"),
        ({"preset": "nothing-like-it"}, "unknown preset 'nothing-like-it'"),
        ({"funder_types": ["bank"]}, "unknown funder type 'bank'"),
        ({"near": (95, 0)}, "latitude must be within -90..90"),
    ]:
        with pytest.raises(InvalidQueryError, match=message):
            SearchOptions(**kwargs)
    with pytest.raises(InvalidQueryError, match=r"unknown search option.*'conditon'"):
        from_kwargs({"conditon": "ALS"})
    assert FunderType.parse("federal") is FunderType.FED


def test_lenient_links_cost_a_bad_value_only_itself() -> None:
    options, refused = from_url({"status": ["recruiting", "bogus"], "age": ["old"],
                                 "condition": ["x" * 301, "ALS"], "radius": ["10"],
                                 "country": [f"C{i}" for i in range(60)]}, lenient=True)
    assert options.statuses == (Status.RECRUITING,) and options.age is None
    assert options.conditions == ("ALS",) and options.radius is None
    assert len(options.countries) == 50
    assert refused == ["condition", "status", "age", "country", "radius"]
    with pytest.raises(InvalidQueryError, match="age must be a number, not 'old'"):
        from_url({"age": ["old"]})
    assert from_url({"status": ["any"]}, base=BASE, lenient=True)[0].statuses == ()
    assert from_url({"status": ["bogus"]}, base=BASE, lenient=True)[0] == BASE
    assert to_url(SearchOptions(), base=BASE) == {"status": ["any"]}


def test_a_links_reading_gives_each_value_it_refused_and_why() -> None:
    """``from_url`` names the parameters; ``read_link`` gives each value left out, as the
    link gives it, and why, so that a note need not read the link again."""
    options, refused = read_link({"status": ["recruiting", "bogus"], "age": ["old"],
                                  "condition": ["x" * 301, "ALS"], "radius": ["10"],
                                  "phase": [str(n % 4 + 1) for n in range(52)]})
    assert options.statuses == (Status.RECRUITING,) and len(options.phases) == 4
    assert refused == (
        Refused("condition", "x" * 301, "longer than the 300 characters a value of a link "
                "may hold"),
        Refused("status", "bogus", "not understood"),
        Refused("phase", "3", "past the first 50 values a link may give one name"),
        Refused("phase", "4", "past the first 50 values a link may give one name"),
        Refused("age", "old", "not understood"),
        Refused("radius", "10", "a radius needs a place"))
    assert read_link({"start_from": ["2030"], "start_to": ["2020"]}).refused == (
        Refused("start_to", "2020", "start date range is empty: 2030 is after 2020"),)


def test_json_is_checked() -> None:
    assert to_json(SearchOptions(near=Near("Boston, MA", (42.36, -71.06)), radius="80km")) == {
        "format": "search/1", "near": {"place": "Boston, MA", "lat": 42.36, "lon": -71.06},
        "radius": "80km"}
    for bad, message in [({"conditions": ["x"]}, "must be a JSON object with \"format\""),
                         ({"format": "search/1", "cond": ["x"]}, "unknown search option"),
                         ({"format": "search/1", "near": {"lat": 1}}, "near must hold"),
                         ({"format": "search/1", "age": "54"}, "age must be a number")]:
        with pytest.raises(InvalidQueryError, match=message):
            from_json(bad)


# -- property-based: any text comes back as it went in ---------------------------------------

# any text but control characters (a bell or an escape is refused in one line: below)
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).map(
    lambda t: " ".join(t.split())).filter(bool)
NO_COMMA = TEXT.filter(lambda t: "," not in t)


@pytest.mark.parametrize(("bad", "code"), [
    ("back\x07 pain", "0007"), ("disc\x00", "0000"), ("\x1b[31mred", "001B"), ("a\x7fb", "007F"),
    ("a\x9bb", "009B"),
])
def test_a_control_character_in_a_text_is_refused_in_one_line(
        bad: str, code: str, capsys: pytest.CaptureFixture[str]) -> None:
    message = f"holds a control character \\(U\\+{code}\\); remove it"
    with pytest.raises(InvalidQueryError, match="conditions " + message):
        SearchOptions(conditions=("sciatica", bad))
    with pytest.raises(InvalidQueryError, match="title " + message):
        SearchOptions(title=bad)
    # a link someone followed: the bad value costs itself only, and is named
    options, refused = from_url({"condition": [bad, "sciatica"], "title": ["Fictional"]},
                                lenient=True)
    assert (options.conditions, options.title, refused) == (("sciatica",), "Fictional",
                                                            ["condition"])
    # line breaks and tabs are spacing, as before
    assert SearchOptions(conditions=("back\tpain\n",)).conditions == ("back pain",)
    from trialfinder.cli.main import main

    assert main(["search", "--condition", bad]) == 2
    assert capsys.readouterr().err == (
        f"trialfinder: error: --condition holds a control character (U+{code}); remove it\n")


def _back(options: SearchOptions, names: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(exit_on_error=False)
    from trialfinder.options.cli import add_options

    add_options(parser)
    assert read_options(parser.parse_args(to_cli(options))) == options
    assert from_url(to_url(options))[0] == options
    assert from_json(json.loads(json.dumps(to_json(options)))) == options
    assert from_kwargs(to_kwargs(options)) == options


@given(title=TEXT, sponsor=TEXT, keyword=TEXT, location=TEXT)
def test_any_free_text_round_trips(title: str, sponsor: str, keyword: str,
                                   location: str) -> None:
    _back(SearchOptions(title=title, sponsor=sponsor, keyword=keyword, location=location))


@given(conditions=st.lists(NO_COMMA, max_size=4), terms=st.lists(TEXT, max_size=4),
       countries=st.lists(NO_COMMA, max_size=4))
def test_any_list_of_texts_round_trips(conditions: list[str], terms: list[str],
                                       countries: list[str]) -> None:
    _back(SearchOptions(conditions=conditions, terms=terms, countries=countries))


@given(place=TEXT.filter(lambda t: not t[0].isdigit() and not t.startswith(("+", "-"))),
       miles=st.integers(min_value=1, max_value=5000))
def test_any_place_and_radius_round_trip(place: str, miles: int) -> None:
    _back(SearchOptions(near=place, radius=f"{miles}km"))


def test_the_readme_table_is_written_from_the_declarations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from tests.scripts import load_script

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "tools"))
    tool = load_script("tools/gen_options_doc.py")
    text = (root / "README.md").read_text(encoding="utf-8")
    assert tool.updated(text) == text, "run: python tools/gen_options_doc.py"
    for d in OPTIONS:
        assert f"| `{d.name}` | " in text and f"| `{d.url}=` | `{d.kwarg}=` |" in text


def test_the_python_api_takes_options_as_one_value_too() -> None:
    from trialfinder.topics.demo import load_demo_studies

    records = load_demo_studies()
    given = tf.SearchOptions(conditions=("ALS",), statuses=(Status.NOT_YET_RECRUITING,))
    by_value = tf.search_records(records, source="demo", options=given)
    by_keyword = tf.search_records(records, source="demo", condition="ALS",
                                   status="not yet recruiting")
    assert list(by_value.studies["nct_id"]) == list(by_keyword.studies["nct_id"])
    assert len(by_value.studies) > 0
    # keyword arguments change the options given as a value
    wider = tf.search_records(records, source="demo", options=given, status="any")
    assert len(wider.studies) > len(by_value.studies)
    with pytest.raises(InvalidQueryError, match="options must be a SearchOptions or None, not "
                                                "dict"):
        tf.search_records(records, source="demo", options={"condition": "ALS"})


def test_registries_are_said_by_their_titles() -> None:
    import trialfinder.registries  # noqa: F401  (registering them gives the titles)

    both = SearchOptions(conditions="ALS", registries="ctgov,ISRCTN")
    assert both.registries == ("ctgov", "isrctn")
    assert both.words() == "ALS · in ClinicalTrials.gov and ISRCTN"
    assert SearchOptions(registries="elsewhere").words() == "in elsewhere"  # no title known


@pytest.mark.parametrize("argv", [["--status", ""], ["--registry", " "], ["-c", ""],
                                  ["--title", ""], ["--phase", ","]])
def test_an_option_given_empty_on_the_command_line_is_an_error(argv: list[str]) -> None:
    args = build_parser().parse_args(["search", *argv])
    with pytest.raises(tf.InvalidQueryError, match=r"^--[a-z-]+ is empty: give a value"):
        read_options(args)


def test_a_comma_is_text_where_the_option_is_one_text() -> None:
    args = build_parser().parse_args(["search", "--location", ",", "--status", "any"])
    options = read_options(args)
    assert options.location == "," and options.statuses == ()  # "any" is no restriction
