"""Maps of the sites: dots coloured by site status; a dot opens its study."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from trialfinder import service
from trialfinder.places.resolve import Place
from trialfinder.views.mapfit import fit_view
from trialfinder.views.outlines import outline_lines
from trialfinder.views.text import plural, status_label

MAP_HEIGHT = 460
SITE_COLOURS: dict[str, list[int]] = {
    "RECRUITING": [33, 160, 84, 220],
    "NOT_YET_RECRUITING": [28, 131, 225, 220],
    "ENROLLING_BY_INVITATION": [128, 61, 245, 220],
    "ACTIVE_NOT_RECRUITING": [245, 150, 20, 220],
}
OTHER_COLOUR = [150, 155, 170, 190]
LEGEND = (
    ":green[●] recruiting · :blue[●] not yet recruiting · :violet[●] by invitation · "
    ":orange[●] active, not recruiting · :gray[●] other or not stated"
)


def outline_layer() -> pdk.Layer:
    """Country and US-state borders shipped with the package: a map without internet."""
    return pdk.Layer(
        "PathLayer", data=[{"path": line} for line in outline_lines()], id="outlines",
        get_path="path", get_color=[110, 120, 135, 150], width_units="'pixels'",
        get_width=1, width_min_pixels=1, pickable=False)


def _dots(located: pd.DataFrame) -> pd.DataFrame:
    shown = located[["nct_id", "facility", "city", "country", "site_status", "lat", "lon"]]
    shown = shown.astype({"lat": float, "lon": float}).astype(
        {"nct_id": object, "facility": object, "city": object, "country": object,
         "site_status": object})
    shown = shown.where(shown.notna(), "")
    colours: list[Any] = [SITE_COLOURS.get(str(s), OTHER_COLOUR) for s in shown["site_status"]]
    return shown.assign(colour=colours,
                        status_label=[status_label(s) for s in shown["site_status"]])


def site_map(sites: pd.DataFrame, place: Place | None, *, key: str,
             height: int = MAP_HEIGHT, pickable: bool = True) -> str | None:
    """Draw the located ``sites`` (and the place); return the study id of a clicked dot."""
    located = sites.dropna(subset=["lat", "lon"])
    missing = len(sites) - len(located)
    if missing:
        st.caption(f"{missing:,} of {plural(len(sites), 'site')} "
                   f"{'has' if missing == 1 else 'have'} no map position and "
                   f"{'is' if missing == 1 else 'are'} not shown.")
    if not len(located):
        st.caption("None of these sites has a map position.")
        return None
    shown = _dots(located)
    layers = [outline_layer(), pdk.Layer(
        "ScatterplotLayer", data=shown, id="sites", get_position=["lon", "lat"],
        get_fill_color="colour", get_radius=6, radius_units="'pixels'", stroked=True,
        get_line_color=[255, 255, 255, 220], line_width_min_pixels=1, pickable=True,
    )]
    lats, lons = list(shown["lat"]), list(shown["lon"])
    if place is not None:
        here = pd.DataFrame({"lat": [place.lat], "lon": [place.lon], "facility": [place.name],
                             "city": [""], "country": [""], "status_label": ["Your place"]})
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=here, id="place", get_position=["lon", "lat"],
            get_fill_color=[200, 30, 45, 230], get_radius=8, radius_units="'pixels'",
            pickable=True))
        lats.append(place.lat)
        lons.append(place.lon)
    latitude, longitude, zoom = fit_view(lats, lons)
    deck = pdk.Deck(layers=layers,
                    initial_view_state=pdk.ViewState(latitude=latitude, longitude=longitude,
                                                     zoom=zoom),
                    tooltip={"text": "{facility}\n{city} {country}\n{status_label}"})
    if pickable:
        event: Any = st.pydeck_chart(deck, key=key, height=height, on_select="rerun",
                                     selection_mode="single-object")
    else:
        st.pydeck_chart(deck, key=key, height=height)
        event = None
    st.caption(LEGEND + (" · :red[●] your place" if place is not None else ""))
    return _picked(event)


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
    st.subheader("Where the sites are")
    st.caption("Click a dot to open its study.")
    pick = site_map(results.sites, place, key="map")
    ss = st.session_state
    if pick and pick != ss.get("_map_pick"):
        ss["_map_pick"] = pick
        ss["study"] = pick
        st.rerun()
    st.caption("Borders are drawn from data shipped with trialfinder; the background map under "
               "them comes from an online map service and shows only with an internet "
               "connection.")
