"""The map as a still picture: an SVG drawn here, shown at once when the map opens, while the
interactive map (deck.gl in the browser, seconds to start without a GPU) waits until asked for.

The picture is Web Mercator, as the interactive map is, framed on the dots (and the place)
with a margin: the shipped country and US-state borders (:mod:`.outlines`), kept only where
they cross the frame and thinned to a pixel or more between points, then one dot per site
position (a second site at the very spot of the same colour is not drawn again: it would
cover the first exactly), the nearest site ringed and enlarged, and the place as a diamond.

The SVG is shown as an image (a data URI in an ``<img>``), where a browser runs no script and
loads nothing: still, every text in it (its ``<title>``) is XML-escaped, with the characters
XML forbids dropped, and every number is written by us from a float, so nothing a record
holds can add markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from .outlines import Line, outline_lines

__all__ = ["HEIGHT", "WIDTH", "Dot", "Frame", "StillMap", "frame_for", "still_map", "xml_text"]

WIDTH, HEIGHT = 800, 460  # the picture's own size (the interactive map is 460 px high)
MARGIN = 24.0  # pixels kept clear around the outermost dots
MIN_SPAN = 6.0 / 360  # the narrowest frame, as a share of the world's width (6° of longitude)
DOT_RADIUS = 8.0  # as the interactive map's: 16 px across at the picture's own size
STEP = 1.5  # pixels: a border's point this close to the last one kept is dropped
MAX_LAT = 85.0  # Web Mercator's edge
RGB = tuple[int, int, int]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Dot:
    """A point to draw: a site (its colour) or the place."""

    lat: float
    lon: float
    colour: RGB = (104, 98, 85)


@dataclass(frozen=True, slots=True)
class StillMap:
    svg: str  # the picture
    drawn: int  # site dots drawn (one per position and colour)
    skipped: int  # sites whose position is not on Earth (not a number, out of range)


def _mercator(lat: float, lon: float) -> tuple[float, float]:
    """World coordinates in 0..1: x from 180° W, y from the top (85° N)."""
    phi = math.radians(max(-MAX_LAT, min(MAX_LAT, lat)))
    return (lon + 180) / 360, 0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)


def _on_earth(dot: Dot) -> bool:
    return (math.isfinite(dot.lat) and math.isfinite(dot.lon)
            and -90 <= dot.lat <= 90 and -180 <= dot.lon <= 180)


@dataclass(frozen=True, slots=True)
class Frame:
    """The part of the world drawn: its top-left corner in world coordinates (0..1) and how
    many pixels one world width takes."""

    left: float
    top: float
    scale: float
    width: int = WIDTH
    height: int = HEIGHT

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = _mercator(lat, lon)
        return (x - self.left) * self.scale, (y - self.top) * self.scale


def frame_for(points: Iterable[tuple[float, float]], width: int = WIDTH,
              height: int = HEIGHT, margin: float = MARGIN) -> Frame:
    """The frame that shows every ``(lat, lon)`` point at least ``margin`` pixels inside its
    edges, centred on them and no narrower than :data:`MIN_SPAN`; never more than the whole
    world, which fits the picture's height when there is no point or when the points need
    it (then centred)."""
    world = [_mercator(lat, lon) for lat, lon in points]
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    if world:
        xs, ys = [x for x, _ in world], [y for _, y in world]
        span_x = max(max(xs) - min(xs), MIN_SPAN)
        span_y = max(max(ys) - min(ys), MIN_SPAN * inner_h / inner_w)
        scale = max(min(inner_w / span_x, inner_h / span_y), float(height))
        centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    else:
        scale, centre_x, centre_y = float(height), 0.5, 0.5
    return Frame(_within(centre_x, width / scale), _within(centre_y, height / scale), scale,
                 width, height)


def _within(centre: float, span: float) -> float:
    """The low edge of a ``span`` (share of the world) around ``centre``, kept inside the
    world (0..1), or centred on it when the span is wider than the world."""
    if span >= 1:
        return 0.5 - span / 2
    return min(max(centre - span / 2, 0.0), 1.0 - span)


@dataclass(frozen=True, slots=True)
class _WorldLine:
    """A border in world coordinates (0..1), with its bounding box."""

    points: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _world_lines(lines: Iterable[Line]) -> tuple[_WorldLine, ...]:
    out = []
    for line in lines:
        points = tuple(_mercator(lat, lon) for lon, lat in line)
        if points:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            out.append(_WorldLine(points, (min(xs), min(ys), max(xs), max(ys))))
    return tuple(out)


@lru_cache(maxsize=1)
def _shipped_world_lines() -> tuple[_WorldLine, ...]:
    """The shipped borders, projected once per process."""
    return _world_lines(outline_lines())


def _border_paths(frame: Frame, lines: Iterable[_WorldLine]) -> list[str]:
    """Each border as SVG path data in the frame's pixels: a border whose box misses the
    frame (with a margin) left out; in the others, points outside dropped, except next to one
    inside, and a point under :data:`STEP` pixels from the last one kept dropped."""
    pad = 40.0
    left, top = frame.left - pad / frame.scale, frame.top - pad / frame.scale
    right = frame.left + (frame.width + pad) / frame.scale
    bottom = frame.top + (frame.height + pad) / frame.scale
    paths: list[str] = []
    for line in lines:
        x0, y0, x1, y1 = line.box
        if x1 < left or x0 > right or y1 < top or y0 > bottom:
            continue
        pixels = [((x - frame.left) * frame.scale, (y - frame.top) * frame.scale)
                  for x, y in line.points]
        inside = [-pad <= x <= frame.width + pad and -pad <= y <= frame.height + pad
                  for x, y in pixels]
        run: list[tuple[float, float]] = []
        for i, (x, y) in enumerate(pixels):
            near = inside[i] or (i > 0 and inside[i - 1]) or (
                i + 1 < len(pixels) and inside[i + 1])
            if not near:
                paths.extend(_path(run))
                run = []
                continue
            last = i + 1 == len(pixels) or not inside[i + 1]
            if not run or last or abs(x - run[-1][0]) + abs(y - run[-1][1]) >= STEP:
                run.append((x, y))
        paths.extend(_path(run))
    return paths


def _path(run: Sequence[tuple[float, float]]) -> list[str]:
    if len(run) < 2:
        return []
    head, *rest = (f"{x:.1f} {y:.1f}" for x, y in run)
    return [f"M{head}L" + " ".join(rest)]


def _hex(colour: RGB) -> str:
    r, g, b = (max(0, min(255, int(c))) for c in colour)
    return f"#{r:02x}{g:02x}{b:02x}"


def xml_text(text: object) -> str:
    """``text`` as XML character data: ``& < > "`` escaped, characters XML forbids (most
    control characters) dropped."""
    return escape(_NOT_XML.sub("", str(text)), {'"': "&quot;"})


def still_map(sites: Sequence[Dot], *, title: str, place: Dot | None = None,
              nearest: Dot | None = None, lines: Iterable[Line] | None = None,
              width: int = WIDTH, height: int = HEIGHT) -> StillMap:
    """The picture of ``sites`` (and ``place``; ``nearest``, a site, ringed), titled
    ``title`` (plain text), on the shipped borders (or ``lines``)."""
    usable = [dot for dot in sites if _on_earth(dot)]
    marks = [dot for dot in (place, nearest) if dot is not None and _on_earth(dot)]
    frame = frame_for([(d.lat, d.lon) for d in [*usable, *marks]], width, height)
    colours: dict[RGB, int] = {}
    circles: list[str] = []
    radius = f"{DOT_RADIUS:g}"
    seen: set[tuple[str, str, RGB]] = set()
    for dot in usable:
        x, y = frame.project(dot.lat, dot.lon)
        spot = (f"{x:.0f}", f"{y:.0f}", dot.colour)
        if spot in seen:
            continue
        seen.add(spot)
        kind = colours.setdefault(dot.colour, len(colours))
        circles.append(f'<circle class="c{kind}" cx="{spot[0]}" cy="{spot[1]}" r="{radius}"/>')
    styles = "".join(f".c{kind}{{fill:{_hex(colour)}}}" for colour, kind in colours.items())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>{xml_text(title)}</title>",
        f"<style>circle{{stroke:#fff;stroke-width:1.5px}}{styles}</style>",
        f'<rect width="{width}" height="{height}" fill="#f7f8fa"/>',
        '<path fill="none" stroke="#6e7887" stroke-width="1" stroke-linejoin="round" d="'
        + "".join(_border_paths(frame, _shipped_world_lines() if lines is None
                                else _world_lines(lines))) + '"/>',
        *circles,
    ]
    if nearest is not None and _on_earth(nearest):
        x, y = frame.project(nearest.lat, nearest.lon)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{DOT_RADIUS + 4:g}" '
                     f'style="fill:{_hex(nearest.colour)};stroke:#111;stroke-width:3px"/>')
    if place is not None and _on_earth(place):
        x, y = frame.project(place.lat, place.lon)
        size = DOT_RADIUS + 4
        parts.append(f'<path d="M{x:.1f} {y - size:.1f}l{size:g} {size:g}l{-size:g} {size:g}'
                     f'l{-size:g} {-size:g}z" fill="{_hex(place.colour)}" stroke="#fff" '
                     'stroke-width="2"/>')
    parts.append("</svg>")
    return StillMap("".join(parts), len(circles), len(sites) - len(usable))
