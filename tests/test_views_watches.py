"""Saved searches on the page: the pure rules (trialfinder.views.watches)."""

from __future__ import annotations

import pytest

from trialfinder.core.codes import Status
from trialfinder.options import Near, Radius, SearchOptions
from trialfinder.store.watch import Change, Watch
from trialfinder.views import urlstate
from trialfinder.views.watches import (
    badge_of,
    change_line,
    radius_of,
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
    query = Watch("w", options).query()
    assert query.near is not None and query.near.radius_miles == 25
    assert radius_of(options) == 25.0
    assert radius_of(watch_options(_searched(condition="cramp"), None)) is None
    assert radius_of(options.replace(radius=None)) == 50.0  # a place without a radius: 50 mi


def test_suggest_name_is_a_valid_watch_name() -> None:
    assert suggest_name(_searched(preset="als", place="Boston, MA")) == "als-Boston-MA"
    assert suggest_name(_searched(condition="  ")) == "my-search"
    assert len(suggest_name(_searched(condition="x" * 200))) == 60


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


def test_change_line_is_inert_and_says_what_changed() -> None:
    site = Change("NCT99000001", "site_added", title="[Click](https://x.example)",
                  facility="Clinic <b>", city="Boston", distance_mi=12.4)
    assert change_line(site, 50.0) == (
        ":green-badge[new site near you] **\\[Click\\]\\(https\\:\u2060\\/\\/x\\.example\\)** "
        "(NCT99000001): Clinic \\<b\\>\\, Boston \\(12 miles away\\)")
    updated = Change("NCT99000002", "updated", fields=("primary_completion", "phases"))
    assert change_line(updated) == (
        ":gray-badge[updated] **NCT99000002** (NCT99000002): changed\\: primary completion\\, "
        "phases")
