"""trialfinder.views.urlstate: hostile URL parameters in, shareable links out."""

from __future__ import annotations

from trialfinder.options import Refused
from trialfinder.options.parse import TOO_LONG
from trialfinder.views.urlstate import (
    defaults,
    has_topic,
    ignored_note,
    linked_sort,
    linked_study,
    linked_view,
    overlong,
    radius_note,
    read_url,
    snapshot,
    sort_note,
    state_from_url,
    topic_changed,
    unknown_params,
    unreadable_study,
    url_params,
    wider_than_search,
)

LIMIT_RANGE = "out of range (it must be within 10..10000 studies)"


def test_empty_url_gives_the_defaults() -> None:
    assert state_from_url({}) == defaults()
    assert read_url({})[1] == []


def test_values_are_read_and_bad_ones_named() -> None:
    state, ignored = read_url({
        "preset": ["no-such-topic"], "condition": ["  ALS "], "radius": ["70"],
        "limit": ["1e9"], "age": ["nan"], "status": ["recruiting", "bogus"],
        "phase": ["2", "PHASE3", "2"], "itype": ["dietary supplement"], "sex": ["female"],
        "hv": ["maybe"], "results": ["1"], "country": ["France", " ", "France"],
    })
    assert state["preset"] == "" and state["condition"] == "ALS"
    assert state["radius"] == 50  # the default: a radius without a place is left out
    assert state["limit"] == 1000 and state["age"] is None
    assert state["status"] == ["RECRUITING"]
    assert state["phase"] == ["PHASE2", "PHASE3"]
    assert state["itype"] == ["DIETARY_SUPPLEMENT"]
    assert (state["sex"], state["hv"], state["has_results"]) == ("FEMALE", "any", "yes")
    assert state_from_url({"results": ["without"]})["has_results"] == "no"
    assert read_url({"results": ["maybe"]}) == (defaults(), [Refused("results", "maybe")])
    assert state["country"] == ["France"]
    assert ignored == [Refused("preset", "no-such-topic"), Refused("status", "bogus"),
                       Refused("age", "nan"), Refused("hv", "maybe"),
                       Refused("radius", "70", "a radius needs a place"),
                       Refused("limit", "1e9", LIMIT_RANGE)]


def test_a_number_out_of_range_in_a_link_is_said_so_with_its_range() -> None:
    """``limit=999999999`` was "not understood"; it is a number, outside the page's range,
    and the note names the range as the command line does (``--age must be within 0..125
    years``). A limit that is no number is still not understood."""
    state, ignored = read_url({"condition": ["ALS"], "limit": ["999999999"], "age": ["200"]})
    assert (state["limit"], state["age"]) == (1000, None)
    assert ignored == [Refused("age", "200", "out of range (it must be within 0..125 years)"),
                       Refused("limit", "999999999", LIMIT_RANGE)]
    assert ignored_note(ignored) == (
        "The link’s age “200” was out of range (it must be within 0..125 years) and was left "
        "out. The link’s limit “999999999” was out of range (it must be within 10..10000 "
        "studies) and was left out")
    assert read_url({"limit": ["5"]})[1] == [Refused("limit", "5", LIMIT_RANGE)]
    assert read_url({"limit": ["lots"]})[1] == [Refused("limit", "lots", "not understood")]
    assert read_url({"limit": ["10000"]})[0]["limit"] == 10000


def test_hostile_text_is_kept_as_typed_but_bounded() -> None:
    evil = "[x](https://evil.example)"
    state, ignored = read_url({"study": [evil], "keyword": ["k" * 301]})
    assert state["study"] is None  # not an NCT id: the page says so (unreadable_study)
    assert unreadable_study({"study": [evil]}) == (
        "The link named a study id we could not read: “[x](https://evil.example)”")
    assert state["keyword"] == "" and ignored == [Refused("keyword", "k" * 301, TOO_LONG)]


def test_a_linked_study_is_read_as_an_nct_id_or_reported() -> None:
    assert read_url({"study": [" nct99000012 "]})[0]["study"] == "NCT99000012"
    assert unreadable_study({"study": ["nct99000012"]}) is None
    assert unreadable_study({}) is None and unreadable_study({"study": ["  "]}) is None
    assert unreadable_study({"study": ["x" * 500]}) == (
        "The link named a study id we could not read: “" + "x" * 79 + "…”")


def test_all_unknown_statuses_keep_the_default_and_any_means_none() -> None:
    assert state_from_url({"status": ["bogus"]})["status"] == ["RECRUITING", "NOT_YET_RECRUITING"]
    assert state_from_url({"status": ["any"]})["status"] == []


def test_link_round_trip() -> None:
    state = state_from_url({"preset": ["als"], "near": ["Boston, MA"], "radius": ["100"],
                            "phase": ["PHASE2"], "keyword": ["breathing"], "age": ["58.5"],
                            "status": ["any"], "study": ["NCT99000012"]})
    params = url_params(state, snapshot(state), demo_mode=False)
    assert params == {"preset": ["als"], "near": ["Boston, MA"], "radius": ["100"],
                      "status": ["any"], "phase": ["PHASE2"], "age": ["58.5"],
                      "keyword": ["breathing"], "study": ["NCT99000012"]}
    assert state_from_url(params) == state


def test_no_stale_parameters() -> None:
    state = defaults() | {"condition": "ALS", "radius": 100, "study": "NCT99000012"}
    params = url_params(state, snapshot(state), demo_mode=True)
    assert params == {"condition": ["ALS"], "study": ["NCT99000012"], "demo": ["1"]}
    # nothing searched: the study alone (its own address), and no search's parameters
    assert url_params(state, None, demo_mode=False) == {"study": ["NCT99000012"]}
    assert url_params(state | {"study": None}, None, demo_mode=False) == {}


def test_topic_and_wider_filters() -> None:
    state = defaults() | {"preset": "als", "phase": ["PHASE2"]}
    assert has_topic(state) and not has_topic(defaults() | {"keyword": "x"})
    searched = snapshot(state)
    assert not topic_changed(state, searched)
    assert topic_changed(state | {"condition": "cramp"}, searched)
    assert wider_than_search(state | {"phase": ["PHASE2", "PHASE3"], "status": []},
                             searched) == ["status", "phase"]
    assert wider_than_search(state | {"phase": []}, searched) == ["phase"]


def test_a_radius_the_page_does_not_offer_becomes_the_nearest_offered_one() -> None:
    """The CLI takes 3000 mi; a link with it gets the page's widest, and a note, not the
    default distance with "not understood"."""
    boston = {"near": ["Boston, MA"]}
    state, ignored = read_url(boston | {"radius": ["3000"]})
    assert (state["radius"], ignored) == (500, [])
    assert radius_note(boston | {"radius": ["3000"]}) == (
        "The link’s distance, 3,000 mi, is not one this page offers: the nearest, 500 mi, "
        "is used.")
    assert read_url(boston | {"radius": ["0.5"]})[0]["radius"] == 5
    assert radius_note(boston | {"radius": ["100"]}) is None and radius_note({}) is None
    assert read_url(boston | {"radius": ["-5"]})[1] == [Refused("radius", "-5")]
    assert radius_note(boston | {"radius": ["-5"]}) is None


def test_a_radius_in_a_link_without_a_place_is_left_out_and_said() -> None:
    """``?radius=50`` (the default distance) was dropped without a word, and ``?radius=3000``
    was said to be "used" as 500 mi: without a place neither is used, and the note says so,
    once, as the command line refuses ``--radius`` without ``--near``."""
    for given in ("50", "3000"):
        state, ignored = read_url({"condition": ["ALS"], "radius": [given]})
        assert state["radius"] == 50 and radius_note({"radius": [given]}) is None
        assert ignored_note(ignored) == (
            f"The link’s radius “{given}” was left out: a radius needs a place")
    # an unreadable radius is said once, as not understood
    assert read_url({"radius": ["-5"]})[1] == [Refused("radius", "-5")]


def test_a_short_study_id_in_a_link_is_read_padded_and_said() -> None:
    assert linked_study({"study": ["NCT123"]}) == "NCT00000123"
    assert unreadable_study({"study": ["NCT123"]}) == (
        "The link’s study id 'NCT123' read as NCT00000123")
    assert unreadable_study({"study": [" nct99000012 "]}) is None


def test_a_link_part_the_page_does_not_know_is_named() -> None:
    assert unknown_params({"conditon": ["ALS"]}) == (
        "This page does not know the link’s “conditon”, so it was left out")
    assert unknown_params({"a": [], "b": ["1"], "condition": ["ALS"]}) == (
        "This page does not know the link’s “a”, “b”, so they were left out")
    many = unknown_params({f"p{i}": [] for i in range(7)} | {"x" * 200: []})
    assert many == ("This page does not know the link’s “p0”, “p1”, “p2”, “p3”, “p4” and 3 "
                    "more, so they were left out")
    assert unknown_params({"k" * 100: []}) == (
        "This page does not know the link’s “" + "k" * 79 + "…”, so it was left out")
    # every part the page writes is known: a link it made is never told off
    state = defaults() | {"condition": "ALS", "place": "Boston, MA", "radius": 100,
                          "study": "NCT99000012", "country": ["France"], "limit": 500}
    assert unknown_params(url_params(state, snapshot(state), demo_mode=True)) is None
    assert unknown_params({"city": ["Lyon"], "id": ["NCT99000012"]}) is None


def test_a_linked_id_that_is_no_study_id_costs_itself_not_the_search() -> None:
    state, ignored = read_url({"id": ["NCT12,<b>x</b>", "NCT99000012 isrctn99000001"]})
    assert state["ids"] == "NCT12 NCT99000012 isrctn99000001"  # each read by its registry
    assert ignored == [Refused("id", "<b>x</b>")]
    assert read_url({"id": ["[x](https://evil.example)"]}) == (
        defaults(), [Refused("id", "[x](https://evil.example)")])
    assert read_url({"id": ["NCT99000012"]})[1] == []


def test_a_linked_country_we_do_not_know_is_left_out_and_named() -> None:
    state, ignored = read_url({"country": ["France", "Atlantis **x**", "DE"]})
    assert state["country"] == ["France", "DE"]
    assert ignored == [Refused("country", "Atlantis **x**")]
    assert read_url({"country": ["Narnia"]}) == (defaults(), [Refused("country", "Narnia")])


def test_a_search_field_longer_than_a_link_holds_is_named() -> None:
    assert overlong({"condition": "ALS", "place": "p" * 300}) is None  # 300 fit
    assert overlong({"condition": "ALS", "term": " " + "w" * 301 + " "}) == (
        "The other words field holds 301 characters; a search field takes at most "
        "300. Shorten it and search again.")
    assert overlong({"ids": "NCT99000012 " * 30}) == (
        "The NCT ids field holds 359 characters; a search field takes at most 300. "
        "Shorten it and search again.")


def test_a_linked_order_is_applied_and_written_back() -> None:
    """``sort=`` is read as ``--sort`` reads it and restored by the link the page writes;
    the list's default order (nearest near a place, else the registry's) is not written."""
    state, ignored = read_url({"condition": ["ALS"], "sort": ["Newest"]})
    assert (state["sort"], ignored) == ("newest", [])
    assert url_params(state, snapshot(state), demo_mode=False) == {
        "condition": ["ALS"], "sort": ["newest"]}
    near = state_from_url({"condition": ["ALS"], "near": ["Boston, MA"], "sort": ["nearest"]})
    assert near["sort"] == "nearest"
    assert "sort" not in url_params(near, snapshot(near), demo_mode=False)
    assert url_params(near | {"sort": "registry"}, snapshot(near),
                      demo_mode=False)["sort"] == ["registry"]
    # the pre-screen's order is private (About you), so no link carries it
    assert "sort" not in url_params(near | {"sort": "fit"}, snapshot(near), demo_mode=False)


def test_a_linked_order_the_list_cannot_follow_costs_itself_with_a_note() -> None:
    state, ignored = read_url({"condition": ["ALS"], "sort": ["neweset"], "phase": ["PHASE2"]})
    assert (state["sort"], state["condition"], state["phase"], ignored) == (
        None, "ALS", ["PHASE2"], [])
    assert linked_sort({"sort": ["neweset"]}, has_place=False) == (None, (
        "The link’s order “neweset” is not one this list offers, so it keeps its default "
        "order; the orders are nearest, registry, newest or updated (did you mean newest?)"))
    assert linked_sort({"sort": ["fit"]}, has_place=True)[0] is None  # About you's: private
    assert read_url({"condition": ["ALS"], "sort": ["nearest"]})[0]["sort"] is None
    assert linked_sort({"sort": ["nearest"]}, has_place=False) == (None, (
        "The link asks for the nearest studies first but names no place, so the list keeps "
        "the registry’s order"))
    assert linked_sort({"sort": ["z" * 500]}, has_place=False)[1] == (
        "The link’s order “" + "z" * 79 + "…” is not one this list offers, so it keeps its "
        "default order; the orders are nearest, registry, newest or updated")
    assert linked_sort({}, has_place=True) == (None, None)


def test_an_order_in_a_link_with_no_search_is_named_whatever_it_says() -> None:
    no_list = ("The link’s order “{}” sorts a list of studies, but the link names no search, "
               "so it was left out")
    assert sort_note({"sort": ["newest"], "study": ["NCT99000017"]}, has_place=False,
                     has_search=False) == no_list.format("newest")
    assert sort_note({"sort": ["nearest"]}, has_place=False,
                     has_search=False) == no_list.format("nearest")
    # with a search it is the list's note, as before
    assert sort_note({"sort": ["nearest"]}, has_place=False, has_search=True) == linked_sort(
        {"sort": ["nearest"]}, has_place=False)[1]
    assert sort_note({"sort": ["newest"]}, has_place=False, has_search=True) is None
    assert sort_note({}, has_place=False, has_search=False) is None


def test_a_searchs_view_is_in_its_link_and_read_back() -> None:
    near = state_from_url({"condition": ["ALS"], "near": ["Boston, MA"]})
    searched = snapshot(near)
    assert "view" not in url_params(near | {"view": "list"}, searched, demo_mode=False)
    assert url_params(near | {"view": "map"}, searched, demo_mode=False)["view"] == ["map"]
    assert url_params(near | {"view": "list", "as_table": True}, searched,
                      demo_mode=False)["view"] == ["table"]
    assert url_params(near | {"view": "topics"}, searched, demo_mode=False)["view"] == ["topics"]
    # no search, no view: the first screen has none
    assert "view" not in url_params({"view": "map"}, None, demo_mode=False)
    assert linked_view({"view": ["map"]}) == ("map", False, None)
    assert linked_view({"view": ["Table"]}) == ("list", True, None)
    assert linked_view({}) == ("list", False, None)
    assert linked_view({"view": ["mapp"]}) == ("list", False, (
        "The link’s view “mapp” is not one this page has (map, topics, new or table; did you "
        "mean map?), so it shows the list"))
    assert "view" not in read_url({"condition": ["ALS"], "view": ["map"]})[1]


def test_the_note_on_a_link_names_the_values_it_left_out() -> None:
    """``?phase=7&phase=2`` kept phase 2 and dropped 7, yet the note said the "phase" value
    was "left at the default"; it names each value left out now, and no value kept."""
    params = {"condition": ["spasm"], "phase": ["7", "2"], "status": ["recruting"],
              "id": ["NCT99000012,<b>x</b>"], "registry": ["ctgov,isrctm"],
              "country": ["Narnia", "Korea, Republic of"], "limit": ["999999999"],
              "age": ["abc"]}
    state, ignored = read_url(params)
    assert state["phase"] == ["PHASE2"] and state["ids"] == "NCT99000012"
    assert ignored_note(ignored) == (
        "The link’s status “recruting”, phase “7”, age “abc”, id “<b>x</b>”, country "
        "“Narnia” and registry “isrctm” were not understood and were left out. The link’s "
        "limit “999999999” was out of range (it must be within 10..10000 studies) and was "
        "left out")
    one = {"condition": ["spasm"], "sex": ["alien"]}
    assert ignored_note(read_url(one)[1]) == (
        "The link’s sex “alien” was not understood and was left out")
    assert ignored_note([]) is None


def test_the_note_words_what_the_reading_refused_and_why() -> None:
    """The note read each value again with copies of the reading's rules, and the copies
    drifted: a list past 50 values named the values that were read, an id list split at
    spaces was named whole though one id in it was read, and a clash or a value too long
    was "not understood". The note now words what the reading refused."""
    many = {"condition": ["spasm"], "phase": ["1"] * 50 + ["3"]}
    state, ignored = read_url(many)
    assert state["phase"] == ["PHASE1"]
    assert ignored_note(ignored) == (
        "The link’s phase “3” was past the first 50 values a link may give one name and was "
        "left out")
    spaced = {"condition": ["spasm"], "id": ["NCT99000012 <b>x</b>"]}
    assert read_url(spaced)[0]["ids"] == "NCT99000012"
    assert ignored_note(read_url(spaced)[1]) == (
        "The link’s id “<b>x</b>” was not understood and was left out")
    # a registry value too long was refused by the reading and then again, as a name unknown
    registries = {"condition": ["spasm"], "registry": ["r" * 301, "ctgov,IsrctM"]}
    state, ignored = read_url(registries)
    assert state["registry"] == ["ctgov"]
    assert ignored == [Refused("registry", "r" * 301, TOO_LONG), Refused("registry", "isrctm")]
    both = {"condition": ["spasm"], "start_from": ["2030"], "start_to": ["2020"],
            "keyword": ["k" * 301], "state": ["MA"]}
    assert ignored_note(read_url(both)[1]) == (
        "The link’s keyword “" + "k" * 79 + "…” was longer than the 300 characters a value "
        "of a link may hold and was left out. The link’s start_to “2020” was left out: start "
        "date range is empty: 2030 is after 2020. The link’s state “MA” was left out: this "
        "page has no field for it")
