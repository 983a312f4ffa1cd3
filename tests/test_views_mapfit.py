"""trialfinder.views.mapfit and trialfinder.views.provenance: the first map view; provenance."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from trialfinder.core.provenance import ResultMeta
from trialfinder.views import urlstate
from trialfinder.views.mapfit import MAX_ZOOM, MIN_ZOOM, fit_view
from trialfinder.views.provenance import (
    STALE_AFTER,
    age_of,
    download_name,
    fetched_day,
    mark_fictional,
    meta_json,
    read_meta,
    search_slug,
    slug,
)


def pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    size = 512 * 2**zoom
    phi = math.radians(lat)
    return ((lon + 180) / 360 * size,
            (0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)) * size)


@pytest.mark.parametrize("points", [
    [(42.36, -71.06), (41.76, -72.67)],              # Boston and Hartford
    [(51.5, -0.12), (-33.87, 151.2), (40.7, -74.0)],  # three continents
    [(10.0, 10.0), (10.0001, 10.0001)],              # nearly one point
])
def test_fit_view_shows_every_point_in_the_box(points: list[tuple[float, float]]) -> None:
    lats, lons = zip(*points, strict=True)
    lat, lon, zoom = fit_view(lats, lons)
    assert MIN_ZOOM <= zoom <= MAX_ZOOM
    cx, cy = pixel(lat, lon, zoom)
    for plat, plon in points:
        x, y = pixel(plat, plon, zoom)
        if zoom > MIN_ZOOM:  # at zoom 0 the world itself is the limit
            assert abs(x - cx) <= 290 / 2 + 1e-6 and abs(y - cy) <= 380 / 2 + 1e-6


def test_fit_view_of_nothing_and_of_one_point() -> None:
    assert fit_view([], []) == (20.0, 0.0, MIN_ZOOM)
    lat, lon, zoom = fit_view([42.0], [-71.0])
    assert (round(lat, 6), lon, zoom) == (42.0, -71.0, MAX_ZOOM)


@dataclass
class Result:
    meta: ResultMeta = field(default_factory=ResultMeta)


def test_read_meta_reads_the_typed_record() -> None:
    view = read_meta(Result(ResultMeta(studies_fetched=12, total_reported=30,
                                       query={"filter.overallStatus": "RECRUITING"},
                                       warnings=("a",), fetched_at="")))
    assert (view.studies_fetched, view.total_reported, view.status_param, view.warnings,
            view.fetched_at) == (12, 30, "RECRUITING", ("a",), None)
    assert read_meta(Result(ResultMeta(query={"query.cond": "x"}))).status_param is None


def test_demo_provenance_says_fictional() -> None:
    assert b'"fictional": "invented demo studies' in meta_json(Result(), demo=True)
    assert b"fictional" not in meta_json(Result())


def test_demo_downloads_are_marked() -> None:
    frame = pd.DataFrame({"nct_id": ["NCT99000001", "NCT99000002"]}, index=[5, 7])
    marked = mark_fictional(frame)
    assert list(marked.columns) == ["fictional_demo_data", "nct_id"]
    assert list(marked["fictional_demo_data"]) == ["yes", "yes"]
    assert list(frame.columns) == ["nct_id"]  # the input is left alone
    assert download_name("studies", "csv", demo=True, topic="als", day=DAY) == (
        "trialfinder-DEMO-fictional-als-2026-12-06.csv")
    assert download_name("sites", "csv", demo=False) == "trialfinder-sites.csv"


DAY = date(2026, 12, 6)


def test_downloads_are_named_from_the_search_and_the_day() -> None:
    searched = {**urlstate.snapshot(urlstate.defaults()), "preset": "als", "place": "Boston"}
    topic = search_slug(searched)
    assert topic == "als-boston"
    assert download_name("studies", "csv", demo=False, topic=topic, day=DAY) == (
        "trialfinder-als-boston-2026-12-06.csv")
    assert download_name("sites", "csv", demo=False, topic=topic, day=DAY) == (
        "trialfinder-als-boston-2026-12-06-sites.csv")
    assert download_name("provenance", "json", demo=False, topic=topic, day=DAY) == (
        "trialfinder-als-boston-2026-12-06-provenance.json")
    # only safe characters, whatever was typed
    hostile = {**searched, "preset": "", "condition": "../../etc/passwd; rm -rf ~",
               "place": "Zürich, Ça"}
    assert search_slug(hostile) == "etc-passwd-rm-rf-zurich-ca"
    name = download_name("studies", "csv", demo=False, topic=search_slug(
        {**hostile, "condition": "word " * 40}), day=DAY)
    assert re.fullmatch(r"[a-z0-9.-]+", name) and len(name) <= 80
    assert slug("“ ” ✓") == ""


def test_a_result_says_how_old_it_is() -> None:
    view = read_meta(Result(ResultMeta(fetched_at="2026-12-06T09:12:00+00:00")))
    now = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert age_of(view, now) == timedelta(hours=6, minutes=48)
    assert age_of(view, now) > STALE_AFTER  # (six hours)
    assert age_of(view, datetime(2026, 12, 6, 12, 0, tzinfo=UTC)) < STALE_AFTER
    assert age_of(view, datetime(2026, 12, 6, 9, 0, tzinfo=UTC)) == timedelta(0)  # clock skew
    assert fetched_day(view, date(2030, 1, 1)) == DAY
    unknown = read_meta(Result(ResultMeta(fetched_at="soon")))
    assert age_of(unknown, now) is None and fetched_day(unknown, DAY) == DAY
