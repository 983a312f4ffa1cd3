"""Country and US-state outlines for an offline map, from the TopoJSON files shipped in
``trialfinder/data`` (gzipped; see ``data/OUTLINES.txt`` for their source and licence).

A TopoJSON file stores each border once, as an *arc*: a run of points, quantized and delta
encoded. Every arc drawn once is exactly the outline picture, so :func:`arcs_to_lines` needs
no polygon assembly.

The dashboard serves the lines as one static file (:func:`outlines_json`, written to
``static/outlines.json`` beside ``app.py`` by ``tools/make_static_outlines.py``), which the
browser fetches once and keeps, instead of sending them with every drawing of a map.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["OUTLINE_FILES", "Line", "arcs_to_lines", "outline_lines", "outlines_json",
           "outlines_version"]

Line = list[list[float]]  # [[lon, lat], ...]

OUTLINE_FILES = ("outlines-world-countries-110m.json.gz", "outlines-us-states-10m.json.gz")
MIN_STEP = 0.05  # degrees: points closer than this to the last kept one are dropped


def arcs_to_lines(topology: Mapping[str, Any], min_step: float = MIN_STEP) -> list[Line]:
    """Every arc of a TopoJSON topology as a line of ``[lon, lat]`` points (rounded to
    0.001°, thinned to steps of at least ``min_step`` degrees, ends always kept, cut where
    it crosses the 180° meridian)."""
    transform = topology.get("transform") or {}
    sx, sy = transform.get("scale", (1.0, 1.0))
    tx, ty = transform.get("translate", (0.0, 0.0))
    quantized = "transform" in topology
    lines: list[Line] = []
    for arc in topology.get("arcs", []):
        points: Line = []
        x = y = 0.0
        for position in arc:
            if quantized:
                x, y = x + position[0], y + position[1]
                lon, lat = x * sx + tx, y * sy + ty
            else:
                lon, lat = position[0], position[1]
            points.append([round(float(lon), 3), round(float(lat), 3)])
        lines.extend(_thin(part, min_step) for part in _split_at_antimeridian(points))
    return [line for line in lines if len(line) >= 2]


def _split_at_antimeridian(points: Line) -> list[Line]:
    """A line that jumps across the 180° meridian, cut there (else it would be drawn as a
    stroke across the whole map)."""
    parts: list[Line] = [[]]
    for point in points:
        if parts[-1] and abs(point[0] - parts[-1][-1][0]) > 180:
            parts.append([])
        parts[-1].append(point)
    return parts


def _thin(points: Sequence[list[float]], min_step: float) -> Line:
    if len(points) <= 2:
        return list(points)
    kept = [points[0]]
    for point in points[1:-1]:
        last = kept[-1]
        if abs(point[0] - last[0]) >= min_step or abs(point[1] - last[1]) >= min_step:
            kept.append(point)
    kept.append(points[-1])
    return kept


@lru_cache(maxsize=1)
def outline_lines() -> tuple[Line, ...]:
    """The shipped world-country and US-state outlines (read once per process)."""
    lines: list[Line] = []
    for name in OUTLINE_FILES:
        packed = (resources.files("trialfinder") / "data" / name).read_bytes()
        lines.extend(arcs_to_lines(json.loads(gzip.decompress(packed))))
    return tuple(lines)


def outlines_json() -> bytes:
    """The outlines as the map's path layer reads them from a URL: a compact JSON list of
    ``{"path": [[lon, lat], ...]}``."""
    rows = [{"path": line} for line in outline_lines()]
    return json.dumps(rows, separators=(",", ":")).encode("utf-8")


@lru_cache(maxsize=1)
def outlines_version() -> str:
    """A short digest of :func:`outlines_json`: put in the file's URL, a browser fetches the
    file again only when the outlines change."""
    return hashlib.sha256(outlines_json()).hexdigest()[:12]
