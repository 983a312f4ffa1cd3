"""The "About you" panel: a private first look at which of the listed studies may fit.

What the person types is held in the server's memory for this browser session only
(``st.session_state``): it is not written to the URL (only :mod:`trialfinder.views.urlstate`'s
keys are), not passed to a cached function, not put in the study store, the provenance file or
a download, and not logged. The pre-screen runs afresh on each redraw. When the page is served
to another machine, the panel says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from trialfinder import service
from trialfinder.core.errors import PlaceNotFoundError, TrialFinderError
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.tables.prescreen.fit import Prescreen, prescreen
from trialfinder.tables.prescreen.profile import DISCLAIMER
from trialfinder.views.prescreen import (
    FORM_KEYS,
    FitCard,
    fit_cards,
    fit_summary,
    is_filled,
    privacy_words,
    profile_from_form,
    served_elsewhere,
)
from trialfinder.views.text import SEX_LABELS, escape_md
from trialfinder.views.urlstate import RADII

from .messages import place_choice, place_problem

#: after a *Where you live* that cannot be found, when the rest of the form is filled
WITHOUT_PLACE = (" Until it is found, the studies below are checked on the rest of what you "
                 "gave, without a distance.")


def keep_form() -> None:
    """Put back what the person typed when the form was not drawn on the last run (Streamlit
    forgets the value of a widget that is not drawn)."""
    ss = st.session_state
    for key in FORM_KEYS:
        if key not in ss and f"_{key}" in ss:
            ss[key] = ss[f"_{key}"]


def _form(place: Place | None) -> None:
    cols = st.columns(3)
    cols[0].number_input("Your age (years)", min_value=0.0, max_value=125.0, step=1.0,
                         value=None, key="ay_age", placeholder="Not given", format="%g")
    cols[1].selectbox("Your sex", list(SEX_LABELS), key="ay_sex",
                      format_func=lambda code: "Not given" if code == "ALL"
                      else SEX_LABELS[code])
    cols[2].checkbox("I would join as a healthy volunteer", key="ay_hv")
    where = st.columns(2)
    hint = f"empty: the search's place, {place.name}" if place else "e.g. Boston, MA"
    where[0].text_input("Where you live", key="ay_place", placeholder=hint)
    where[1].selectbox("How far you can travel", [0, *RADII], key="ay_radius",
                      format_func=lambda miles: "Any distance" if not miles
                      else f"{miles} miles")
    st.text_input("Your conditions (comma separated)", key="ay_conditions",
                  placeholder="e.g. multiple sclerosis, asthma")
    st.text_input("Medicines you take (comma separated, brand or generic)",
                  key="ay_medicines", placeholder="e.g. Lioresal, metformin")


def _point(place: Place | None, rest: bool) -> tuple[float, float] | bool | None:
    """The person's place: typed (resolved here, never cached), else the search's; ``False``
    when the typed place cannot be found (the reason is shown, and, when ``rest`` of the form
    is filled, that the studies are checked without it)."""
    typed = str(st.session_state.get("ay_place") or "").strip()
    if not typed:
        return (place.lat, place.lon) if place else None
    try:
        found = resolve_place(typed)
    except PlaceNotFoundError as exc:
        st.warning(place_problem(exc) + (WITHOUT_PLACE if rest else ""))
        return False
    choice = place_choice(found, "Where you live")  # "Boston": which one the distances use
    if choice:
        st.caption(choice)
    return (found.lat, found.lon)


def _remote() -> bool:
    """Whether this page is served to a browser on another machine."""
    try:
        host = st.context.headers.get("Host")
        address = st.context.ip_address
    except (AttributeError, RuntimeError):  # no browser session (a bare script run)
        return False
    return served_elsewhere(host, address)


@dataclass(frozen=True, slots=True)
class Fits:
    """A filled *About you*: the pre-screen's order of the studies, each study's verdict card
    (drawn by the list, once per study), and, when the person asks for it, the only studies
    to list (those whose criteria name their conditions or medicines)."""

    order: list[str]
    cards: dict[str, FitCard]
    only: frozenset[str] | None


def about_you(results: service.Results, place: Place | None) -> Fits | None:
    """The panel (an expander above the list) and, once filled, the pre-screen (returned:
    the list shows each study's verdict, and can be sorted in its order)."""
    keep_form()
    with st.expander("About you: which of these studies may fit you?", icon=":material/person:",
                     expanded=bool(st.session_state.get("ay_open"))):
        st.caption(escape_md(privacy_words(_remote())) + " " + escape_md(DISCLAIMER))
        _form(place)
        form = {key: st.session_state.get(key) for key in FORM_KEYS}
        for key, value in form.items():  # kept while a study's page hides the form
            st.session_state[f"_{key}"] = value
        if not is_filled(form):
            st.caption("Fill in any of the above to check the studies listed below.")
            return None
        st.session_state["ay_open"] = True
        rest = is_filled({**form, "ay_place": ""})  # more than the place
        point = _point(place, rest)
        if point is False and not rest:
            return None
        try:
            profile = profile_from_form(form, point if isinstance(point, tuple) else None)
            screen = prescreen(results, profile)
        except TrialFinderError as exc:
            st.error(f"The check could not run: {escape_md(exc)}")
            return None
        # a slip is looked for as typed, and found nowhere
        for name in screen.unknown_names:
            st.warning(escape_md(name.note))
        return summarise(screen)


def study_fit(results: service.Results, place: Place | None, nct: str) -> FitCard | None:
    """The pre-screen's card of study ``nct`` for the study's page, from what the person typed
    in *About you* (kept while that page hides the form); ``None`` when nothing is typed, or
    when the check cannot run (the list's panel says why)."""
    ss = st.session_state
    form = {key: ss.get(key, ss.get(f"_{key}")) for key in FORM_KEYS}
    if not is_filled(form):
        return None
    typed = str(form.get("ay_place") or "").strip()
    try:
        found = resolve_place(typed) if typed else place
    except PlaceNotFoundError:  # checked without it, as the list's panel says
        found = None
    try:
        point = (found.lat, found.lon) if found is not None else None
        screen = prescreen(results, profile_from_form(form, point))
    except TrialFinderError:
        return None
    return next((card for card in fit_cards(screen) if card.nct_id == nct), None)


def summarise(screen: Prescreen) -> Fits:
    """How many studies may fit, in words, and the switch to list only those whose criteria
    name the person's conditions or medicines; the cards themselves are the list's."""
    cards = fit_cards(screen)
    fitting = sum(card.verdict == "fits" for card in cards)
    checking = sum(card.verdict == "check" for card in cards)
    st.info(fit_summary(len(cards), fitting, checking) + " Each card below says which, and "
            "why. " + escape_md(DISCLAIMER), icon=":material/info:")
    named_only = st.toggle("Only studies whose criteria name your conditions or medicines",
                           key="ay_named_only")
    return Fits(order=[card.nct_id for card in cards],
                cards={card.nct_id: card for card in cards},
                only=frozenset(c.nct_id for c in cards if c.mentions_md) if named_only
                else None)
