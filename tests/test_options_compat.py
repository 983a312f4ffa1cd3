"""What earlier versions wrote keeps working: dashboard links made before the options were
declared once, and watches saved in the store as keyword arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest

from trialfinder.core.codes import FunderType, InterventionType, Phase, Sex, Status, StudyType
from trialfinder.core.errors import InvalidQueryError
from trialfinder.options import Near, Radius, SearchOptions
from trialfinder.registries.ctgov.options import query_for
from trialfinder.store.db import Store
from trialfinder.store.watch import add_watch, get_watch, list_watches
from trialfinder.views.request import SearchRequest
from trialfinder.views.urlstate import defaults, read_url, snapshot, url_params

# -- links -----------------------------------------------------------------------------------

#: A link as the dashboard wrote it before (every search field and filter set).
OLD_LINK = ("preset=als&condition=cramp&intervention=magnesium&term=night&near=Boston%2C+MA"
            "&radius=100&limit=500&title=breathing&sponsor=a+university"
            "&id=NCT99000012+NCT99000029&start_from=2020&start_to=2024-12-31&status=any"
            "&phase=PHASE2&phase=PHASE3&type=INTERVENTIONAL&itype=DRUG&country=France"
            "&age=58.5&sex=FEMALE&hv=no&results=yes&keyword=breathing&funder=NIH"
            "&completion_from=2021&posted_to=2023-06&updated_from=2024&study=NCT99000012")


def test_an_old_link_fills_every_field_as_before_and_is_written_back_the_same() -> None:
    params = parse_qs(OLD_LINK)
    state, ignored = read_url(params)
    assert ignored == []
    assert state == defaults() | {
        "preset": "als", "condition": "cramp", "intervention": "magnesium", "term": "night",
        "place": "Boston, MA", "radius": 100, "limit": 500, "title": "breathing",
        "sponsor": "a university", "ids": "NCT99000012 NCT99000029", "start_from": "2020",
        "start_to": "2024-12-31", "status": [], "phase": ["PHASE2", "PHASE3"],
        "study_type": ["INTERVENTIONAL"], "itype": ["DRUG"], "country": ["France"],
        "age": 58.5, "sex": "FEMALE", "hv": "no", "has_results": "yes", "keyword": "breathing",
        "funder": ["NIH"], "completion_from": "2021", "posted_to": "2023-06",
        "updated_from": "2024", "study": "NCT99000012"}
    assert url_params(state, snapshot(state), demo_mode=False) == params
    request = SearchRequest.from_snapshot(snapshot(state), (42.36, -71.06))
    assert request.limit == 500
    assert request.options == SearchOptions(
        preset="als", conditions=("cramp",), interventions=("magnesium",), terms=("night",),
        title="breathing", sponsor="a university", ids=("NCT99000012", "NCT99000029"),
        near=Near("Boston, MA", (42.36, -71.06)), radius=Radius(100), start_from="2020",
        start_to="2024-12-31", phases=(Phase.PHASE2, Phase.PHASE3),
        study_types=(StudyType.INTERVENTIONAL,), age=58.5, sex=Sex.FEMALE,
        healthy_volunteers=False, has_results=True)


@pytest.mark.parametrize(("link", "changes", "ignored"), [
    ("condition=ALS", {"condition": "ALS"}, []),
    ("condition=ALS&status=RECRUITING", {"condition": "ALS", "status": ["RECRUITING"]}, []),
    ("preset=muscle-spasm&results=without&hv=any", {"preset": "muscle-spasm",
                                                    "has_results": "no"}, []),
    ("near=02115&radius=25&sex=male", {"place": "02115", "radius": 25, "sex": "MALE"}, []),
    ("itype=dietary+supplement&funder=INDUSTRY&funder=bogus",
     {"itype": ["DIETARY_SUPPLEMENT"], "funder": ["INDUSTRY"]}, ["funder"]),
    ("status=bogus&age=200&radius=-9&id=" + "x" * 301, {}, ["id", "status", "radius", "age"]),
    # a radius the page does not offer is the nearest it does (the page says so)
    ("near=02115&radius=9000", {"place": "02115", "radius": 500}, []),
])
def test_old_links(link: str, changes: dict[str, Any], ignored: list[str]) -> None:
    state, refused = read_url(parse_qs(link))
    assert (state, [r.param for r in refused]) == (defaults() | changes, ignored)


# -- watches saved as keyword arguments --------------------------------------------------------

OLD_WATCHES: list[tuple[str, dict[str, Any], SearchOptions]] = [
    ("cli", {"condition": ["ALS"], "status": ["recruiting", "not_yet_recruiting"],
             "radius": "100mi", "near": [42.3601, -71.0589], "place": "Boston, MA"},
     SearchOptions(conditions=("ALS",), statuses=(Status.RECRUITING, Status.NOT_YET_RECRUITING),
                   near=Near("Boston, MA", (42.3601, -71.0589)), radius=Radius(100))),
    ("coordinates", {"term": ["fictional"], "near": [42.36, -71.06], "place": "42.36,-71.06"},
     SearchOptions(terms=("fictional",), near=Near(point=(42.36, -71.06)))),
    ("dashboard", {"condition": "muscle cramp", "status": ["RECRUITING"],
                   "near": [42.36, -71.06], "radius": "25mi", "place": "Boston, MA",
                   "healthy_volunteers": False, "has_results": True,
                   "nct_ids": ["NCT99000012"], "phase": ["PHASE2"], "sex": "FEMALE",
                   "age": 40.0, "start_from": "2020", "study_type": ["INTERVENTIONAL"]},
     SearchOptions(conditions=("muscle cramp",), statuses=(Status.RECRUITING,),
                   near=Near("Boston, MA", (42.36, -71.06)), radius=Radius(25),
                   healthy_volunteers=False, has_results=True, ids=("NCT99000012",),
                   phases=(Phase.PHASE2,), sex=Sex.FEMALE, age=40.0, start_from="2020",
                   study_types=(StudyType.INTERVENTIONAL,))),
    ("python", {"term": ["fictional"], "near": "Boston, MA", "preset": "als"},
     SearchOptions(terms=("fictional",), near=Near("Boston, MA"), preset="als")),
    # the default radius without a place read as none; refused now where it is given, a
    # watch saved so still reads as it did
    ("default radius", {"condition": ["ALS"], "radius": "50mi"},
     SearchOptions(conditions=("ALS",))),
]


def _store_old(store: Store, name: str, options: dict[str, Any]) -> None:
    store.execute("INSERT INTO searches VALUES (?, ?, ?)",
                  [name, orjson.dumps(options).decode(), None])


def test_watches_saved_before_are_read_as_search_options(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        for name, old, _ in OLD_WATCHES:
            _store_old(store, name, old)
        read = {w.name: w.options for w in list_watches(store)}
        assert read == {name: options for name, _, options in OLD_WATCHES}
        cli = get_watch(store, "cli")
        assert cli.describe() == ("ALS · within 100 miles of Boston, MA · recruiting or not "
                                  "yet recruiting")
        assert query_for(cli.options).to_params() == {
            "query.cond": "ALS", "filter.overallStatus": "RECRUITING,NOT_YET_RECRUITING",
            "filter.geo": "distance(42.3601,-71.0589,100mi)"}
        assert get_watch(store, "python").place == pytest.approx((42.3601, -71.0589), abs=0.1)
        # read as before; a watch saved now with the same keyword arguments is refused, as
        # tf.search(radius=50) is without a place
        with pytest.raises(InvalidQueryError, match=r"^a radius needs a place: give near="):
            add_watch(store, "new", {"condition": ["ALS"], "radius": "50mi"})


def test_a_watch_saved_now_is_search_options_json(tmp_path: Path) -> None:
    options = SearchOptions(conditions=("ALS",), near="Boston, MA", keyword="breathing",
                            intervention_types=["drug"], funder_types=["nih"])
    with Store(tmp_path / "s.duckdb") as store:
        saved = add_watch(store, "new", options)
        row = store.first_row("SELECT options FROM searches WHERE name = 'new'", [])
        stored = orjson.loads(row[0])
        assert stored["format"] == "search/1" and stored["keyword"] == "breathing"
        assert stored["near"]["place"] == "Boston, MA" and "lat" in stored["near"]  # looked up
        assert get_watch(store, "new").options == saved.options
        assert saved.options.intervention_types == (InterventionType.DRUG,)
        assert saved.options.funder_types == (FunderType.NIH,)
        _store_old(store, "damaged", {"condition": ["ALS"], "colour": "blue"})
        with pytest.raises(InvalidQueryError, match="saved options of watch 'damaged' are "
                                                    "damaged: unknown search option"):
            get_watch(store, "damaged")
