"""trialfinder.views.outlines: TopoJSON arcs to lines; the shipped outline files."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from itertools import pairwise
from pathlib import Path

from trialfinder.views.outlines import (
    OUTLINE_FILES,
    arcs_to_lines,
    outline_lines,
    outlines_json,
    outlines_version,
)


def test_quantized_arcs_are_decoded() -> None:
    topology = {"type": "Topology",
                "transform": {"scale": [0.5, 0.25], "translate": [-10.0, 40.0]},
                "arcs": [[[0, 0], [2, 4], [2, 0]], [[10, 10]], [[1, 1], [0, 0], [0, 0]]]}
    assert arcs_to_lines(topology, min_step=0.0) == [
        [[-10.0, 40.0], [-9.0, 41.0], [-8.0, 41.0]],
        [[-9.5, 40.25], [-9.5, 40.25], [-9.5, 40.25]],
    ]  # the one-point arc is dropped


def test_thinning_keeps_the_ends() -> None:
    topology = {"arcs": [[[0.0, 0.0], [0.01, 0.0], [0.02, 0.0], [1.0, 0.0], [1.001, 0.0]]]}
    assert arcs_to_lines(topology, min_step=0.05) == [[[0.0, 0.0], [1.0, 0.0], [1.001, 0.0]]]


def test_lines_are_cut_at_the_antimeridian() -> None:
    topology = {"arcs": [[[179.0, 65.0], [180.0, 66.0], [-180.0, 66.0], [-179.0, 67.0]]]}
    assert arcs_to_lines(topology, min_step=0.0) == [
        [[179.0, 65.0], [180.0, 66.0]], [[-180.0, 66.0], [-179.0, 67.0]]]


def test_shipped_outlines_cover_the_world_and_the_states() -> None:
    folder = resources.files("trialfinder") / "data"
    for name in OUTLINE_FILES:
        assert (folder / name).is_file()
    assert "public domain" in (folder / "OUTLINES.txt").read_text("utf-8")
    points = [p for line in outline_lines() for p in line]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    assert min(lons) < -179 and max(lons) > 179 and min(lats) < -80 and max(lats) > 80
    assert all(abs(a[0] - b[0]) <= 180 for line in outline_lines()
               for a, b in pairwise(line))
    # a US state border runs along 41°N between Colorado and Wyoming, near 105°W
    assert any(abs(lat - 41.0) < 0.01 and -106 < lon < -104 for lon, lat in points)


def test_the_static_file_the_map_fetches_is_current() -> None:
    """static/outlines.json (what the browser fetches once, by Streamlit's static serving) is
    exactly what tools/make_static_outlines.py writes from the shipped outlines."""
    root = Path(__file__).parents[1]
    assert (root / "static" / "outlines.json").read_bytes() == outlines_json()
    assert json.loads(outlines_json())[0] == {"path": outline_lines()[0]}
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert re.fullmatch(r"[0-9a-f]{12}", outlines_version())
