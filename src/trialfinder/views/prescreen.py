"""The "About you" panel's rules: the form's values as a :class:`Profile`, and the pre-screen
as lines of inert Markdown.

Nothing here keeps, logs or sends the profile: the values go from the form to
:func:`~trialfinder.tables.prescreen.fit.prescreen` and into the page, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialfinder.core.wording import plural
from trialfinder.tables.prescreen.fit import Prescreen
from trialfinder.tables.prescreen.profile import Profile, split_terms
from trialfinder.tables.prescreen.verdict import CHECK_PREFIX, mention_phrase
from trialfinder.views.text import escape_md, text_of

__all__ = ["BADGES", "FitCard", "fit_cards", "fit_summary", "is_filled", "mention_line",
           "privacy_words", "profile_from_form", "served_elsewhere", "split_terms"]

#: The form's keys in the session (never part of the URL: urlstate writes only its own keys).
FORM_KEYS = ("ay_age", "ay_sex", "ay_hv", "ay_place", "ay_radius", "ay_conditions",
             "ay_medicines")
#: One badge per verdict: a distinct word for each, not a colour alone.
BADGES = {
    "fits": ":green-badge[:material/check_circle: May fit]",
    "check": ":orange-badge[:material/help: Check with the study team]",
    "no": ":gray-badge[:material/block: Does not fit]",
}
SECTION_WORDS = {"inclusion": "Inclusion", "exclusion": "Exclusion", "other": "Criteria"}
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1"})
PRIVACY_LOCAL = (
    "What you type here is held in the server's memory for your browser session only: it is "
    "not put in the link, the cache, the logs, the study store or the downloads, and it is gone "
    "when the session ends.")
PRIVACY_REMOTE = (
    " This page is served by another computer, not the one you are using: what you type is "
    "sent to that computer and held in its memory for your session.")


def served_elsewhere(host: object, ip_address: object) -> bool:
    """True when the page is not served to a browser on this very machine: the browser asked
    for a host that is not a loopback name, or the connection came from another address.

    ``host``: the request's Host header ("localhost:8501"); ``ip_address``: the client's
    address as Streamlit gives it (None for a loopback connection)."""
    if isinstance(ip_address, str) and ip_address:  # (anything else is no answer)
        return ip_address not in _LOOPBACK_NAMES
    name = host.strip().lower() if isinstance(host, str) else ""
    if not name:
        return False
    if name.startswith("["):  # [::1]:8501
        name = name.split("]", 1)[0] + "]"
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    return not (name in _LOOPBACK_NAMES or name.startswith("127.") or name.endswith(".localhost"))


def privacy_words(remote: bool) -> str:
    """What the page says about where the form's values go."""
    return PRIVACY_LOCAL + (PRIVACY_REMOTE if remote else "")


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
    verdict: str  # fits, check or no
    heading_md: str  # the verdict's badge and the title in bold
    reasons_md: str  # the reasons of the verdict (a check's without the badge's words)
    mentions_md: tuple[str, ...]  # one list item per criteria line naming a term

    @property
    def fits(self) -> bool:
        return self.verdict == "fits"

    @property
    def badge_md(self) -> str:
        """The verdict's badge alone (a distinct word for each verdict)."""
        return BADGES[self.verdict]

    @property
    def caption_md(self) -> str:
        """The id and the reasons."""
        return f"{escape_md(self.nct_id)} · {self.reasons_md}"


def mention_line(term: str, found: str, section: str, text: str, match: str = "",
                 exception: bool = False, negated: bool = False) -> str:
    """One criteria line naming a term, as a Markdown list item (all of it inert)."""
    label = SECTION_WORDS.get(section, "Criteria")
    phrase = mention_phrase({"term": term, "found": found, "match": match,
                             "exception": exception, "negated": negated})
    return f"- **{label}** {escape_md(phrase)}: {escape_md(text)}"


def fit_summary(total: int, fitting: int, checking: int) -> str:
    """How many of the listed studies may fit and how many need a word with the study team:
    ``Of 4 studies, 3 studies may fit you and 1 study needs a word ...`` (``Of 1 study``)."""
    return (f"Of {plural(total, 'study', 'studies')}, {plural(fitting, 'study', 'studies')} "
            f"may fit you and {plural(checking, 'study', 'studies')} "
            f"{'needs' if checking == 1 else 'need'} a word with the study team first, as far "
            "as the records say.")


def fit_cards(screen: Prescreen) -> list[FitCard]:
    """The studies of ``screen`` in its order, with their verdict, reasons and the criteria
    lines that name the person's conditions or medicines."""
    cards = []
    for row in screen.records():
        nct = str(row["nct_id"])
        mentions = tuple(mention_line(m["term"], m["found"], m["section"], m["text"],
                                      m["match"], m["exception"], m["negated"])
                         for m in row["mentions"])
        verdict = str(row["verdict"])
        # under the "Check with the study team" badge its reasons need not say it again
        reasons = [str(r).removeprefix(CHECK_PREFIX) if verdict == "check" else str(r)
                   for r in row["reasons"]]
        cards.append(FitCard(
            nct_id=nct,
            verdict=verdict,
            heading_md=f"{BADGES[verdict]} **{escape_md(text_of(row['title'], nct))}**",
            reasons_md=escape_md("; ".join(reasons)),
            mentions_md=mentions,
        ))
    return cards
