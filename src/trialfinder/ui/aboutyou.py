"""The "About you" panel's rules: the form's values as a :class:`Profile`, and the pre-screen
as lines of inert Markdown.

Nothing here keeps, logs or sends the profile: the values go from the form to
:func:`~trialfinder.tables.prescreen.fit.prescreen` and into the page, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trialfinder.tables.prescreen.fit import Prescreen
from trialfinder.tables.prescreen.profile import Profile
from trialfinder.ui.text import escape_md

__all__ = ["BADGES", "FitCard", "fit_cards", "is_filled", "mention_line", "profile_from_form",
           "split_terms"]

#: The form's keys in the session (never part of the URL: urlstate writes only its own keys).
FORM_KEYS = ("ay_age", "ay_sex", "ay_hv", "ay_place", "ay_radius", "ay_conditions",
             "ay_medicines")
BADGES = {True: ":green-badge[May fit]", False: ":orange-badge[Probably does not fit]"}
SECTION_WORDS = {"inclusion": "Inclusion", "exclusion": "Exclusion", "other": "Criteria"}


def split_terms(text: object) -> tuple[str, ...]:
    """Comma-separated names, trimmed, empty ones left out (``"a, ,b"`` gives ``a``, ``b``)."""
    return tuple(part.strip() for part in str(text or "").split(",") if part.strip())


def is_filled(form: Mapping[str, Any]) -> bool:
    """True when the person has said anything the pre-screen can use."""
    return bool(form.get("ay_age") is not None
                or form.get("ay_sex") not in (None, "", "ALL")
                or form.get("ay_hv")
                or str(form.get("ay_place") or "").strip()
                or split_terms(form.get("ay_conditions"))
                or split_terms(form.get("ay_medicines")))


def profile_from_form(form: Mapping[str, Any], near: tuple[float, float] | None) -> Profile:
    """The :class:`Profile` of the form; ``near`` is the person's place, resolved by the caller
    (the radius applies only with it). Raises ``InvalidQueryError`` for values it refuses."""
    sex = form.get("ay_sex")
    radius = form.get("ay_radius")
    return Profile(
        age=form.get("ay_age"),
        sex=None if sex in (None, "", "ALL") else str(sex),
        near=near,
        radius_mi=float(radius) if near is not None and radius else None,
        healthy_volunteer=True if form.get("ay_hv") else None,
        conditions=split_terms(form.get("ay_conditions")),
        medicines=split_terms(form.get("ay_medicines")),
    )


@dataclass(frozen=True, slots=True)
class FitCard:
    """One study of a pre-screen, ready to draw: every text already escaped."""

    nct_id: str
    fits: bool
    heading_md: str  # a badge (may fit / probably does not) and the title in bold
    caption_md: str  # the id and the reasons
    mentions_md: tuple[str, ...]  # one list item per criteria line naming a term


def mention_line(term: str, found: str, section: str, text: str) -> str:
    """One criteria line naming a term, as a Markdown list item (all of it inert)."""
    label = SECTION_WORDS.get(section, "Criteria")
    named = escape_md(term)
    if found.casefold() != term.casefold():
        named += f" (as “{escape_md(found)}”)"
    return f"- **{label}** names {named}: {escape_md(text)}"


def _text(value: Any, fallback: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return fallback
    return str(value)


def fit_cards(screen: Prescreen) -> list[FitCard]:
    """The studies of ``screen`` in its order (fitting studies first), with their reasons and
    the criteria lines that name the person's conditions or medicines."""
    cards = []
    for row in screen.records():
        nct = str(row["nct_id"])
        mentions = tuple(mention_line(m["term"], m["found"], m["section"], m["text"])
                         for m in row["mentions"])
        fits = bool(row["fits"])
        badge = BADGES[fits]
        cards.append(FitCard(
            nct_id=nct,
            fits=fits,
            heading_md=f"{badge} **{escape_md(_text(row['title'], nct))}**",
            caption_md=f"{escape_md(nct)} · {escape_md('; '.join(row['reasons']))}",
            mentions_md=mentions,
        ))
    return cards
