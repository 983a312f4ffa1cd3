"""The map's still picture (trialfinder.views.stillmap): projection, framing, borders kept
only near the frame, one dot per spot, the nearest and the place marked, and a title that
stays text."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.views.stillmap import (
    HEIGHT,
    MARGIN,
    WIDTH,
    Dot,
    Frame,
    frame_for,
    still_map,
    xml_text,
)

SVG = "{http://www.w3.org/2000/svg}"
GREEN, GRAY, RED = (12, 90, 68), (104, 98, 85), (158, 48, 59)
BOSTON, DENVER, HARTFORD = Dot(42.36, -71.06, GREEN), Dot(39.74, -104.99, GREEN), Dot(
    41.76, -72.67, GRAY)


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def site_circles(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(SVG + "circle") if "class" in c.attrib]


def test_projection_is_web_mercator_of_the_frame() -> None:
    whole = Frame(left=0.0, top=0.0, scale=512.0)
    assert whole.project(0.0, 0.0) == (256.0, 256.0)
    assert whole.project(0.0, -180.0) == (0.0, 256.0)
    assert whole.project(0.0, 90.0) == (384.0, 256.0)
    x, y = whole.project(60.0, 0.0)  # Mercator stretches the north: 60° N is 4/5 of 85° N
    assert x == 256.0 and math.isclose(y, 256 - 512 * math.asinh(math.sqrt(3)) / (2 * math.pi))
    assert whole.project(89.0, 0.0) == whole.project(85.0, 0.0)  # clamped at the edge


def test_two_cities_fill_the_frame_inside_its_margin() -> None:
    frame = frame_for([(BOSTON.lat, BOSTON.lon), (DENVER.lat, DENVER.lon)])
    (bx, by), (dx, dy) = (frame.project(d.lat, d.lon) for d in (BOSTON, DENVER))
    # east-west is the tighter side: Denver on the left margin, Boston on the right one
    assert math.isclose(dx, MARGIN) and math.isclose(bx, WIDTH - MARGIN)
    assert math.isclose((by + dy) / 2, HEIGHT / 2)  # centred north-south


def test_one_site_is_framed_with_its_region_not_a_street() -> None:
    frame = frame_for([(BOSTON.lat, BOSTON.lon)])
    assert frame.project(BOSTON.lat, BOSTON.lon) == pytest.approx((WIDTH / 2, HEIGHT / 2))
    assert math.isclose(WIDTH / frame.scale * 360, 6.0 + 360 * 2 * MARGIN / frame.scale)


def test_sites_around_the_world_show_the_whole_world_at_most() -> None:
    frame = frame_for([(-45.0, -170.0), (70.0, 170.0)])
    assert frame.project(0.0, -170.0)[0] == pytest.approx(MARGIN)  # the world fits the width
    frame = frame_for([(-84.0, -170.0), (84.0, 170.0)])
    assert frame.scale == HEIGHT  # the world's height fills the picture, not less
    assert math.isclose(frame.left, 0.5 - WIDTH / HEIGHT / 2)  # centred, blank sides


@given(st.lists(st.tuples(st.floats(-60, 70), st.floats(-179, 179)), min_size=1,
                max_size=30))
def test_every_point_lies_inside_the_picture(points: list[tuple[float, float]]) -> None:
    """Inside the margin, unless the frame was moved sideways to stay on the world (its
    margin would cross the 180° meridian) or is as wide as the world (then centred on it):
    then at least inside the picture."""
    frame = frame_for(points)
    moved = frame.left <= 0 or frame.left + WIDTH / frame.scale >= 1 - 1e-9
    low = 0.0 if moved else MARGIN - 1e-6
    for lat, lon in points:
        x, y = frame.project(lat, lon)
        assert low <= x <= WIDTH - low
        assert MARGIN - 1e-6 <= y <= HEIGHT - MARGIN + 1e-6


def test_one_dot_per_spot_and_colour_and_bad_positions_counted() -> None:
    sites = [BOSTON, BOSTON, Dot(BOSTON.lat, BOSTON.lon, GRAY), DENVER,
             Dot(float("nan"), 0.0), Dot(95.0, 10.0), Dot(10.0, 200.0)]
    drawn = still_map(sites, title="Five sites")
    assert (drawn.drawn, drawn.skipped) == (3, 3)
    circles = site_circles(parsed(drawn.svg))
    assert len(circles) == 3
    assert {c.attrib["class"] for c in circles} == {"c0", "c1"}  # green and gray
    style = parsed(drawn.svg).findtext(SVG + "style") or ""
    assert ".c0{fill:#0c5a44}" in style and ".c1{fill:#686255}" in style


def test_the_nearest_is_ringed_and_the_place_is_a_diamond() -> None:
    place = Dot(42.36, -71.06, RED)
    drawn = still_map([HARTFORD, DENVER], title="t", place=place, nearest=HARTFORD)
    root = parsed(drawn.svg)
    ring = [c for c in root.iter(SVG + "circle") if "class" not in c.attrib]
    assert len(ring) == 1 and "stroke:#111" in ring[0].attrib["style"]
    frame = frame_for([(d.lat, d.lon) for d in (HARTFORD, DENVER, place, HARTFORD)])
    x, y = frame.project(HARTFORD.lat, HARTFORD.lon)
    assert (ring[0].attrib["cx"], ring[0].attrib["cy"]) == (f"{x:.1f}", f"{y:.1f}")
    diamond = [p for p in root.iter(SVG + "path") if p.attrib.get("fill") == "#9e303b"]
    px, py = frame.project(place.lat, place.lon)
    assert len(diamond) == 1 and diamond[0].attrib["d"].startswith(f"M{px:.1f} {py - 12:.1f}l")


def test_borders_far_from_the_frame_are_left_out_and_thinned() -> None:
    near = [[-71.0 + i * 0.001, 42.0] for i in range(100)]  # 0.1° in 100 tiny steps
    far = [[150.0, -30.0], [151.0, -31.0]]  # Australia
    root = parsed(still_map([BOSTON], title="t", lines=[near, far]).svg)
    borders = [p for p in root.iter(SVG + "path") if p.attrib.get("fill") == "none"]
    (data,) = (p.attrib["d"] for p in borders)
    assert data.count("M") == 1  # only the line near Boston
    # 0.1° is about 13 px at this scale: about 9 points of 100 kept, ends included
    assert 5 <= len(data.split("L", 1)[1].split()) // 2 <= 10


def test_the_title_is_text_whatever_it_holds() -> None:
    hostile = 'Clinic <script>alert(1)</script> & "Town" \x00\x1b]8;;x\x07 ok'
    svg = still_map([BOSTON], title=hostile).svg
    assert "<script>" not in svg
    root = parsed(svg)  # still well-formed XML
    assert root.findtext(SVG + "title") == 'Clinic <script>alert(1)</script> & "Town" ]8;;x ok'
    assert xml_text('a<b>&"c"') == "a&lt;b&gt;&amp;&quot;c&quot;"


def test_no_site_gives_the_world_without_dots() -> None:
    drawn = still_map([], title="No site")
    root = parsed(drawn.svg)
    assert (drawn.drawn, drawn.skipped) == (0, 0)
    assert not list(root.iter(SVG + "circle"))
    assert root.attrib["viewBox"] == f"0 0 {WIDTH} {HEIGHT}"
    assert root.findtext(SVG + "title") == "No site"
    assert frame_for([]).scale == HEIGHT
