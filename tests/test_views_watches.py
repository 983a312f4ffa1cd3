"""Saved searches on the page: the pure rules (trialfinder.views.watches)."""

from __future__ import annotations

import pytest

from trialfinder.core.codes import Status
from trialfinder.options import Near, Radius, SearchOptions
from trialfinder.options.parse import from_saved
from trialfinder.registries.ctgov.options import query_for
from trialfinder.store.watch import Change, Watch
from trialfinder.views import urlstate
from trialfinder.views.watches import (
    StudyChanges,
    badge_of,
    describe_watch,
    feed_name,
    radius_of,
    study_line,
    study_rows,
    suggest_name,
    watch_options,
)


def _searched(**changes: object) -> dict[str, object]:
    state = {**urlstate.defaults(), **changes}
    return urlstate.snapshot(state)


def test_watch_options_keep_what_was_searched_and_build_the_same_query() -> None:
    searched = _searched(condition="muscle cramp", place="Boston, MA", radius=25,
                         status=["RECRUITING"])
    options = watch_options(searched, (42.36, -71.06))
    assert options == SearchOptions(conditions=("muscle cramp",),
                                    near=Near("Boston, MA", (42.36, -71.06)), radius=Radius(25),
                                    statuses=(Status.RECRUITING,))
    query = query_for(Watch("w", options).options)  # what ClinicalTrials.gov is asked
    assert query.near is not None and query.near.radius_miles == 25
    assert radius_of(options) == 25.0
    assert radius_of(watch_options(_searched(condition="cramp"), None)) is None
    assert radius_of(options.replace(radius=None)) == 50.0  # a place without a radius: 50 mi


def test_suggest_name_says_the_search_in_words() -> None:
    assert suggest_name(_searched(preset="als", place="Boston, MA")) == (
        "ALS (amyotrophic lateral sclerosis) near Boston, MA")
    assert suggest_name(_searched(condition="back  pain", intervention="heat")) == (
        "back pain, heat")
    assert suggest_name(_searched(place="02115")) == "Near 02115"
    assert suggest_name(_searched(condition="  ")) == "My search"
    long = suggest_name(_searched(condition="x" * 200))
    assert len(long) == 80 and long.endswith("…")


def test_a_saved_search_is_described_in_words_not_code() -> None:
    options = watch_options(_searched(condition="back pain", place="Boston, MA", radius=100,
                                      phase=["PHASE2", "PHASE3"], age=54.0, sex="FEMALE"),
                            (42.36, -71.06))
    assert describe_watch(options) == (
        "back pain · within 100 miles of Boston, MA · recruiting or not yet recruiting · "
        "Phase 2 or Phase 3 · age 54 · women")
    # as the command line saved them before options were declared: lists, lower-case codes,
    # a place without its name (read by the options' own reader of old watches)
    cli = {"condition": ["ALS", "MND"], "status": ["recruiting", "completed"],
           "near": [42.3601, -71.0589], "radius": "40km", "healthy_volunteers": True,
           "has_results": False, "start_from": "2020"}
    assert describe_watch(from_saved(cli)) == (
        "ALS, MND · within 40 km of 42.3601,-71.0589 · recruiting or completed · "
        "takes healthy volunteers · started 2020 to … · only without posted results")
    saved = from_saved({"preset": "als", "study_type": ["interventional"]})
    assert describe_watch(saved) == (
        "ALS (amyotrophic lateral sclerosis) · type: interventional · any status")
    assert describe_watch(from_saved({})) == "everything"


@pytest.mark.parametrize(("change", "radius", "badge"), [
    (Change("NCT99000001", "new"), None, "new"),
    (Change("NCT99000001", "status", before="NOT_YET_RECRUITING", after="RECRUITING"), None,
     "now recruiting"),
    (Change("NCT99000001", "status", before="RECRUITING", after="TERMINATED"), None, "closed"),
    (Change("NCT99000001", "status", before="RECRUITING", after="ENROLLING_BY_INVITATION"),
     None, "status"),
    (Change("NCT99000001", "site_added", distance_mi=20.0), 25.0, "new site near you"),
    (Change("NCT99000001", "site_added", distance_mi=30.0), 25.0, "new site"),
    (Change("NCT99000001", "site_added"), None, "new site"),
    (Change("NCT99000001", "gone"), None, "gone"),
    (Change("NCT99000001", "updated", fields=("title",)), None, "updated"),
])
def test_badge_of(change: Change, radius: float | None, badge: str) -> None:
    assert badge_of(change, radius) == badge


def test_one_row_per_study_with_every_reason() -> None:
    changes = [
        Change("NCT99000002", "gone", title="Fictional Closing Study"),
        Change("NCT99000002", "status", title="Fictional Closing Study",
               before="RECRUITING", after="COMPLETED"),
        Change("NCT99000003", "new", title="Fictional Arriving Study"),
        Change("NCT99000003", "site_added", title="Fictional Arriving Study",
               facility="Clinic A", city="Cambridge", distance_mi=3.2),
        Change("NCT99000001", "updated", fields=("primary_completion", "phases")),
        Change("NCT99000004", "site_removed", facility="Clinic B"),
        Change("NCT99000005", "status", before="RECRUITING", after="SUSPENDED"),
        Change("NCT99000006", "status", before="RECRUITING", after="ENROLLING_BY_INVITATION"),
    ]
    rows = study_rows(changes, radius_mi=25.0, place="Boston, MA")
    assert [(r.nct_id, r.badge, r.reasons) for r in rows] == [
        ("NCT99000002", "closed", ("closed: now completed",
                                   "no longer in this search’s results")),
        ("NCT99000005", "closed", ("closed: now suspended",)),
        ("NCT99000003", "new site near you", ("new site 3 mi from Boston, MA: Clinic A, "
                                              "Cambridge", "new in this search")),
        ("NCT99000006", "status", ("status: now enrolling by invitation (was recruiting)",)),
        ("NCT99000004", "site removed", ("site removed: Clinic B",)),
        ("NCT99000001", "updated", ("changed: primary completion, phases",)),
    ]
    assert rows[0].title == "Fictional Closing Study" and rows[-1].title == "NCT99000001"
    # without a place name the distance is from "your place"
    [far] = study_rows([Change("NCT99000007", "site_added", distance_mi=40.0)], 25.0)
    assert (far.badge, far.reasons) == ("new site", ("new site 40 mi from your place: a site",))


def test_study_line_is_inert_and_links_only_a_registrys_id() -> None:
    row = StudyChanges("NCT99000001", "[Click](https://x.example)", "new site near you",
                       ("new site 12 mi from Boston: Clinic <b>",))
    assert study_line(row) == (
        "- :green-badge[new site near you] "
        "[**\\[Click\\]\\(https\\:\u2060\\/\\/x\\.example\\)**]"
        "(?study=NCT99000001) (NCT99000001): "
        "new site 12 mi from Boston\\: Clinic \\<b\\>")
    isrctn = StudyChanges("ISRCTN99000001", "Fictional", "new", ("new in this search",))
    assert study_line(isrctn) == (
        "- :blue-badge[new] [**Fictional**](?study=ISRCTN99000001) "
        "(ISRCTN99000001): new in this search")
    odd = StudyChanges("TRIAL-7", "Fictional", "new", ("new in this search",))
    assert study_line(odd) == "- :blue-badge[new] **Fictional** (TRIAL\\-7): new in this search"


def test_a_fictional_study_links_to_its_page_here_never_to_a_registry() -> None:
    row = StudyChanges("NCT99000001", "Fictional", "new", ("new in this search",))
    assert study_line(row) == (
        "- :blue-badge[new] [**Fictional**](?study=NCT99000001) (NCT99000001): "
        "new in this search")


def test_feed_name_is_safe() -> None:
    assert feed_name("Back pain near Boston, MA", "2026-12-06") == (
        "trialfinder-back-pain-near-boston-ma-2026-12-06.xml")
    assert feed_name("../../etc/passwd", "2026-12-06") == (
        "trialfinder-etc-passwd-2026-12-06.xml")
    assert feed_name("¿?", "2026-12-06") == "trialfinder-saved-search-2026-12-06.xml"
