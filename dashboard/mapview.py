"""Maps of the sites: dots coloured by site status, with a sentence saying what the map shows.

The *Map and charts* view first shows a still picture of the map (an SVG drawn on the server,
:mod:`trialfinder.views.stillmap`, cached per set of sites), which is on screen at once;
"Open the interactive map" loads the deck.gl map, whose dots open their studies (in headless
Chromium without a GPU it takes one to five seconds to start). A study's page keeps its small
interactive map.

The borders (about 290 kB) are a static file the browser fetches once and keeps
(``static/outlines.json``, served by Streamlit's static file serving); only the dots travel
with each drawing, as compact JSON. Without static serving (another configuration) the borders
are sent with the map, as before. There is no background map from an online service.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from trialfinder import service
from trialfinder.places.resolve import Place
from trialfinder.views.describe import map_sentence
from trialfinder.views.mapfit import fit_view
from trialfinder.views.outlines import outline_lines, outlines_json, outlines_version
from trialfinder.views.stillmap import Dot, StillMap, still_map
from trialfinder.views.text import escape_md, plural, status_label, text_of

from .state import open_study

MAP_HEIGHT = 460
# The colours Streamlit's light theme gives ``:green[…]`` and its kin (measured in Chromium,
# Streamlit 1.67): the legend's dots are written in these words, so the map's dots take
# the same colours, and legend and map look alike (they are dark enough to stand out on the
# white map, 3:1 and more).
THEME_TEXT: dict[str, tuple[int, int, int]] = {
    "green": (12, 90, 68), "blue": (36, 79, 180), "violet": (111, 51, 184),
    "orange": (155, 69, 25), "gray": (104, 98, 85), "red": (158, 48, 59),
}
#: Site status -> (the legend's colour word, its words); anything else is "gray".
KEY = {
    "RECRUITING": ("green", "recruiting"),
    "NOT_YET_RECRUITING": ("blue", "not yet recruiting"),
    "ENROLLING_BY_INVITATION": ("violet", "by invitation"),
    "ACTIVE_NOT_RECRUITING": ("orange", "active, not recruiting"),
}
SITE_COLOURS: dict[str, list[int]] = {
    status: [*THEME_TEXT[colour], 230] for status, (colour, _) in KEY.items()}
OTHER_COLOUR = [*THEME_TEXT["gray"], 220]
SITE_RGB = {status: THEME_TEXT[colour] for status, (colour, _) in KEY.items()}
DRAW_RANK = {status: rank for rank, status in enumerate(KEY)}
PLACE_COLOUR = [*THEME_TEXT["red"], 235]
LEGEND = " · ".join([*(f":{colour}[●] {words}" for colour, words in KEY.values()),
                     ":gray[●] other or not stated"])


STATIC_OUTLINES = Path(__file__).parents[1] / "static" / "outlines.json"
DOT_PIXELS = 8  # radius of a site's dot: 16 px across, and a tap 12 px off it still picks it
PICK_PIXELS = 12


@lru_cache(maxsize=1)
def outlines_url() -> str | None:
    """The URL of the static outlines file, when Streamlit serves it and it is current
    (``tools/make_static_outlines.py`` writes it); else ``None``."""
    try:
        served = bool(st.get_option("server.enableStaticServing"))
        current = served and STATIC_OUTLINES.read_bytes() == outlines_json()
    except (OSError, RuntimeError):
        return None
    return f"app/static/outlines.json?v={outlines_version()}" if current else None


def outline_layer() -> pdk.Layer:
    """Country and US-state borders shipped with the package: a map without internet."""
    url = outlines_url()
    data: Any = url if url else [{"path": line} for line in outline_lines()]
    return pdk.Layer(
        "PathLayer", data=data, id="outlines",
        get_path="path", get_color=[110, 120, 135, 150], width_units="'pixels'",
        get_width=1, width_min_pixels=1, pickable=False)


class CompactDeck(pdk.Deck):  # type: ignore[misc]
    """A deck whose JSON has no indentation: pydeck's own indents by two spaces per level,
    which made each drawing of a map with its borders about 1.3 MB."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize,
                          separators=(",", ":"))


def _nearest(located: pd.DataFrame, place: Place | None) -> pd.Series[Any] | None:
    """The located site nearest the place (``None`` without a place or distances)."""
    if place is None or "distance_mi" not in located.columns or not len(located):
        return None
    miles = pd.to_numeric(located["distance_mi"], errors="coerce").to_numpy(
        dtype=float, na_value=float("nan"))
    if not (miles == miles).any():
        return None
    return located.iloc[int(np.nanargmin(miles))]


def describe_sites(sites: pd.DataFrame, place: Place | None) -> str:
    """The map in words (plain text): sites per country, and the nearest to the place."""
    located = sites.dropna(subset=["lat", "lon"])
    countries = located["country"].astype(object).where(located["country"].notna(),
                                                         "country not stated")
    counts = {str(k): int(v) for k, v in countries.value_counts().items()}
    row = _nearest(located, place)
    nearest = None
    if row is not None:
        name = ", ".join(p for p in (text_of(row["facility"]), text_of(row["city"])) if p)
        nearest = (name or "a site", float(row["distance_mi"]))
    return map_sentence(counts, int(located["nct_id"].nunique()), len(sites) - len(located),
                        nearest, place.name if place else "")


def _dots(located: pd.DataFrame) -> pd.DataFrame:
    """Only what the layer reads (position, colour, the tooltip's words, the study picked),
    positions to 0.0001° (about 11 m): the less JSON, the less the browser parses."""
    shown = located[["nct_id", "facility", "city", "country", "lat", "lon"]]
    shown = shown.astype({"lat": float, "lon": float}).round({"lat": 4, "lon": 4}).astype(
        {"nct_id": object, "facility": object, "city": object, "country": object})
    shown = shown.where(shown.notna(), "")
    statuses = located["site_status"].astype(object)
    colours: list[Any] = [SITE_COLOURS.get(str(s), OTHER_COLOUR) for s in statuses]
    return shown.assign(colour=colours, status_label=[status_label(s) for s in statuses])


def _located(sites: pd.DataFrame, place: Place | None) -> tuple[pd.DataFrame, str] | None:
    """The sites with a position and the sentence beside the map (written here); ``None``,
    with a line that says so, when no site has a position."""
    located = sites.dropna(subset=["lat", "lon"])
    if not len(located):
        st.caption("No site to show on a map." if not len(sites) else
                   f"None of these {plural(len(sites), 'site')} has a map position.")
        return None
    summary = describe_sites(sites, place)
    st.caption(escape_md(summary))  # the text beside the map: what it shows, in words
    return located, summary


def site_map(sites: pd.DataFrame, place: Place | None, *, key: str,
             height: int = MAP_HEIGHT, pickable: bool = True) -> str | None:
    """Draw the located ``sites`` (and the place) on an interactive map; return the study
    id of a clicked dot."""
    found = _located(sites, place)
    return None if found is None else _deck(*found, place, key, height, pickable)


def _deck(located: pd.DataFrame, summary: str, place: Place | None, key: str,
          height: int, pickable: bool) -> str | None:
    shown = _dots(located)
    layers = [outline_layer(), pdk.Layer(
        "ScatterplotLayer", data=shown, id="sites", get_position=["lon", "lat"],
        get_fill_color="colour", get_radius=DOT_PIXELS, radius_units="'pixels'", stroked=True,
        get_line_color=[255, 255, 255, 220], line_width_min_pixels=1, pickable=True,
    )]
    lats, lons = list(shown["lat"]), list(shown["lon"])
    if place is not None:
        here = pd.DataFrame({"lat": [place.lat], "lon": [place.lon], "facility": [place.name],
                             "city": [""], "country": [""], "status_label": ["Your place"]})
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=here, id="place", get_position=["lon", "lat"],
            get_fill_color=PLACE_COLOUR, get_radius=DOT_PIXELS + 2,
            radius_units="'pixels'",
            pickable=True))
        lats.append(place.lat)
        lons.append(place.lon)
    latitude, longitude, zoom = fit_view(lats, lons)
    # No background map from an online service: the shipped borders are the map. Waiting for
    # one cost 1.3 s or more per drawing (more without internet), and it told a third party
    # which part of the world each visitor looks at. pydeck's own "no style" (map_style left
    # unset) is what Streamlit's front end draws without a base map: ``map_style=None`` sends
    # no style, and the front end then fetches Carto's from basemaps.cartocdn.com.
    deck = CompactDeck(layers=layers, map_provider=None,
                       initial_view_state=pdk.ViewState(latitude=latitude, longitude=longitude,
                                                        zoom=zoom),
                       tooltip={"text": "{facility}\n{city} {country}\n{status_label}"})
    deck.picking_radius = PICK_PIXELS  # a deck.gl prop (pickingRadius): dots easy to tap
    alt = "Map of the sites. " + summary
    if pickable:
        event: Any = st.pydeck_chart(deck, key=key, height=height, on_select="rerun",
                                     selection_mode="single-object", alt=alt)
    else:
        st.pydeck_chart(deck, key=key, height=height, alt=alt)
        event = None
    st.caption(_legend(place))
    return _picked(event)


def _legend(place: Place | None) -> str:
    return LEGEND + (" · :red[●] your place" if place is not None else "")


@st.cache_data(max_entries=8, show_spinner=False)
def _still_svg(digest: str, _sites: tuple[Dot, ...], _place: Dot | None,
               _nearest: Dot | None, _title: str) -> StillMap:
    """The still picture, drawn once per set of dots (``digest`` names them)."""
    return still_map(_sites, title=_title, place=_place, nearest=_nearest)


def still_picture(located: pd.DataFrame, summary: str, place: Place | None) -> StillMap:
    """The still map of the located sites (from the cache when these sites were drawn)."""
    statuses = [str(s) for s in located["site_status"].astype(object)]
    # drawn in the legend's order from its end: recruiting sites on top of the others
    order = sorted(range(len(statuses)), key=lambda i: -DRAW_RANK.get(statuses[i], len(KEY)))
    lats, lons = located["lat"].to_numpy(dtype=float), located["lon"].to_numpy(dtype=float)
    dots = tuple(Dot(float(lats[i]), float(lons[i]), SITE_RGB.get(statuses[i],
                                                                  THEME_TEXT["gray"]))
                 for i in order)
    here = None if place is None else Dot(place.lat, place.lon, THEME_TEXT["red"])
    row = _nearest(located, place)
    near = None if row is None else Dot(float(row["lat"]), float(row["lon"]), SITE_RGB.get(
        str(row["site_status"]), THEME_TEXT["gray"]))
    digest = hashlib.sha256(repr((dots, here, near, summary)).encode()).hexdigest()
    return _still_svg(digest, dots, here, near, summary)


def _set_live(live: bool) -> None:
    st.session_state["_map_live"] = live


def _picked(event: Any) -> str | None:
    try:
        objects = event.selection.objects.get("sites") or []
    except AttributeError:
        return None
    if objects and isinstance(objects[0], dict):
        value = objects[0].get("nct_id")
        return str(value) if value else None
    return None


def show_map(results: service.Results, place: Place | None) -> None:
    """The still map, and the interactive one when asked for (kept for the session)."""
    st.header("Where the sites are", anchor=False)
    ss = st.session_state
    live = bool(ss.get("_map_live"))
    found = _located(results.sites, place)
    if found is not None and live:
        st.caption("Click or tap a dot to open its study.")
        pick = _deck(*found, place, "map", MAP_HEIGHT, True)
        if pick and pick != ss.get("_map_pick"):
            ss["_map_pick"] = pick
            open_study(pick)
            st.rerun()
        st.button("Show the still map", key="map_still", on_click=_set_live, args=(False,),
                  icon=":material/image:")
    elif found is not None:
        located, summary = found
        picture = still_picture(located, summary, place)
        st.image(picture.svg, alt="Map of the sites. " + summary)
        st.caption(_legend(place) + ("" if place is None
                                     else " (a diamond) · the nearest site ringed"))
        if picture.skipped:
            st.caption(f"{plural(picture.skipped, 'site')} with a position off the map "
                       "(not a latitude and longitude) not drawn.")
        st.button("Open the interactive map", key="map_open", on_click=_set_live,
                  args=(True,), icon=":material/map:",
                  help="A map you can move and zoom, whose dots open their studies; it "
                       "takes a few seconds to start.")
    st.caption("Country and US-state borders are drawn from data shipped with trialfinder "
               "(public domain); no online map service is asked.")
