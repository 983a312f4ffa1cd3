"""The study page: how to take part first, then key facts, eligibility, treatments, outcomes
and sites; the full title and the link to the study's registry (the facts a registry's full
record holds beyond the tables come as its :class:`~trialfinder.registries.base.StudyPage`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from trialfinder import service
from trialfinder.core.wording import plural
from trialfinder.places.resolve import Place
from trialfinder.registries import registry_of
from trialfinder.registries.base import StudyPage
from trialfinder.registries.links import record_links
from trialfinder.tables.detail import split_criteria, take_part_words
from trialfinder.topics.demo import is_demo_id
from trialfinder.views.contact import BREAK, contact_lines, quick_call
from trialfinder.views.prescreen import FitCard
from trialfinder.views.sources import study_status_label
from trialfinder.views.text import (
    NOT_ADVICE,
    NOT_STATED,
    SEX_LABELS,
    SHORT_NOT_ADVICE,
    age_range,
    codes_label,
    escape_md,
    inert_markdown,
    is_blank,
    joined_label,
    miles_away,
    sentence,
    status_label,
    text_of,
)

from .detail_parts import show_criteria, show_outcomes, show_sites, show_treatments
from .fetch import load_detail
from .state import open_study


def show_study(results: service.Results, place: Place | None, nct: str,
               demo_mode: bool, fit: FitCard | None = None) -> None:
    """The page of study ``nct`` (one of ``results``), with a way back to the list (or, for a
    study linked alone, to a search); ``fit`` is its pre-screen, when *About you* is filled."""
    back = ("← Back to the results" if st.session_state.get("searched")
            else "← Search for studies")
    with st.container(horizontal=True, vertical_alignment="center", key="study_top"):
        st.button(back, key="back_to_list", on_click=open_study, args=(None,))
        call = st.container(key="quick_call")  # filled once the record is read
    near = (place.lat, place.lon) if place else None
    detail = load_detail(nct, near, demo_mode)
    shown = detail.results if detail is not None else results
    matches = shown.studies.loc[shown.studies["nct_id"] == nct]
    row = (matches if len(matches) else shown.studies).iloc[0]
    record_id = str(row["nct_id"])  # differs from ``nct`` only if the id was an alias
    page = detail.page if detail is not None and detail.page is not None \
        else StudyPage(record_id)
    registry_title = registry_of(record_id).title  # a registry's own name (code, not data)
    with_contact = site_contacts(shown, record_id)
    # a short screen (a phone turned sideways) shows it beside the way back, where the first
    # screen ends above the contacts; the style hides it on a taller one, which shows them
    # (the page's caption saying it is not medical advice is scrolled away there: it is said
    # on that line too)
    reach = quick_call(
        [("for the whole study", c.phone, c.email) for c in page.contacts]
        + [("nearest site" if near else "a site", text_of(r["contact_phone"]),
            text_of(r["contact_email"])) for _, r in with_contact.iterrows()])
    call.markdown(f"{reach} · {SHORT_NOT_ADVICE}" if reach else SHORT_NOT_ADVICE)

    with st.container(key="study_heading"):  # where the focus goes when it opens
        st.markdown(f"## {escape_md(text_of(row['title'], record_id))}", anchors=False)
    st.caption(escape_md(f"{record_id} · {study_status_label(row['status'], record_id)} · "
                         f"{codes_label(row['phases'])}"))
    show_source(record_id, row, demo_mode or is_demo_id(record_id))
    if not is_blank(row["why_stopped"]) and str(row["why_stopped"]).strip():
        st.info(f"**Why it stopped:** {escape_md(row['why_stopped'])}",
                icon=":material/do_not_disturb_on:")

    show_take_part(page, with_contact, near is not None,
                   demo_mode or is_demo_id(record_id), registry_title, fit,
                   nearest_site(shown, record_id) if near else None, row["status"])
    show_facts(row, page)

    st.markdown("### Summary", anchors=False)
    st.markdown(inert_markdown(text_of(row["brief_summary"], "No summary given.")))
    criteria = (detail.criteria if detail is not None
                else split_criteria(text_of(row["eligibility_criteria"])))
    show_criteria(criteria)
    show_treatments(shown.interventions[shown.interventions["nct_id"] == record_id])
    if detail is not None:
        show_outcomes(detail.outcomes)
    show_sites(shown.sites[shown.sites["nct_id"] == record_id], place)

    full = page.official_title or text_of(row.get("official_title"))
    if full:
        st.markdown("### Full title", anchors=False)
        st.markdown(escape_md(full))
    if demo_mode or is_demo_id(record_id):
        st.caption(f"An invented demo study: it has no page on {registry_title}.")
    else:
        st.link_button(f"Open on {registry_title}", text_of(row["url"]), key="study_link")
    st.caption(NOT_ADVICE)
    # the way back again at the foot: a long study read on a phone ends far below the first
    st.button(back.replace("←", "↑", 1), key="back_to_list_foot", on_click=open_study,
              args=(None,))


def show_source(record_id: str, row: Any, fictional: bool) -> None:
    """Where the record comes from: its registry, and the same trial in other registries
    (links built from ids a registry writes exactly so; none for invented studies)."""
    links = record_links(record_id, row.get("other_ids"))
    if fictional or is_demo_id(record_id):  # made up: in no registry, whatever its ids say
        ids = [f"{escape_md(link.registry)} {link.study_id}" for link in links]
        st.markdown("**Not registered:** an invented demo study (" + " · ".join(ids)
                    + "), in no registry.")
        return
    parts = [f"{escape_md(link.registry)} {link.study_id}"
             if fictional or is_demo_id(link.study_id)  # an invented twin has no page either
             else f"[{escape_md(link.registry)} {link.study_id}]({link.url})" for link in links]
    if parts:
        st.markdown("**Registered in:** " + " · ".join(parts))


def site_contacts(shown: service.Results, record_id: str) -> pd.DataFrame:
    """The study's sites that name a contact (a name, a phone or an e-mail), in their order
    (nearest first when a place is set)."""
    sites = shown.sites[shown.sites["nct_id"] == record_id]
    return sites[[any(text_of(r[c]).strip() for c in
                      ("contact_name", "contact_phone", "contact_email"))
                  for _, r in sites.iterrows()]] if len(sites) else sites


def nearest_site(shown: service.Results, record_id: str) -> Any:
    """The study's site nearest the place searched (a row of ``shown.sites``), or ``None``
    without a place or a site with a known distance."""
    sites = shown.sites[shown.sites["nct_id"] == record_id]
    if "distance_mi" not in sites.columns:
        return None
    sites = sites[sites["distance_mi"].notna()]
    return sites.sort_values("distance_mi", kind="stable").iloc[0] if len(sites) else None


def _where(site: Any, near: bool) -> str:
    """``Facility, City`` of a site, and how far it is from the place searched."""
    where = ", ".join(p for p in (text_of(site["facility"]), text_of(site["city"])) if p)
    miles = site.get("distance_mi")
    return where + (f", {miles_away(float(miles))}" if near and not is_blank(miles) else "")


def show_take_part(page: StudyPage, with_contact: pd.DataFrame,
                   near: bool, fictional: bool, registry_title: str,
                   fit: FitCard | None = None, nearest: Any = None,
                   status: object = None) -> None:
    """Whom to call (the study's contacts, the nearest site that names one) and, near a
    place, how far the nearest site is, whether or not it names a contact of its own; what
    to ask them follows the study's ``status`` (a closed study takes no one new)."""
    st.markdown("### How to take part", anchors=False)
    contacts = page.contacts
    if contacts:
        lines = ["- " + contact_lines(c.name, c.role, c.phone, c.email) for c in contacts]
        st.markdown("Contact for the whole study:\n\n" + "\n".join(lines))
    if nearest is not None and (not len(with_contact) or nearest["site_index"]
                                != with_contact.iloc[0]["site_index"]):
        alone = not contacts and not len(with_contact)  # "The record names no contact" follows
        st.markdown(f"Nearest site: {escape_md(_where(nearest, near))}"
                    + ("." if alone else "; it names no contact of its own"
                       + (", so ask the contact above." if contacts else ".")))
    if len(with_contact):
        first = with_contact.iloc[0]
        who = contact_lines(text_of(first["contact_name"]), "",
                            text_of(first["contact_phone"]), text_of(first["contact_email"]))
        label = "Nearest site with a contact" if near else "A site with a contact"
        st.markdown(f"{label}: {escape_md(_where(first, near))}{BREAK}{who}")
    if not contacts and not len(with_contact):
        st.markdown("The record names no contact. "
                    + ("The sites below are where the study runs."
                       if fictional else f"The study's page on {registry_title} may say "
                       "more."))
    if fit is not None:
        show_fit(fit)
    # a phone opens the study below the page's own caption: the first screen says it again
    st.caption(take_part_words(status) + " " + NOT_ADVICE)


def show_fit(fit: FitCard) -> None:
    """What *About you* found for this study, next to whom to ask about it."""
    st.markdown("**About you:** " + fit.badge_md)
    if fit.reasons_md:
        st.caption(fit.reasons_md)
    if fit.mentions_md:
        st.markdown("\n".join(fit.mentions_md))


def show_facts(row: Any, page: StudyPage) -> None:
    st.markdown("### Key facts", anchors=False)
    facts = [
        ("Status", study_status_label(row["status"], row["nct_id"])),
        ("Phase", codes_label(row["phases"])),
        ("Type", status_label(row["study_type"])),
    ]
    dates = list(page.dates)
    if not dates and not is_blank(row["start_date"]):
        dates = [("Start", str(row["start_date"])[:10])]
    facts += dates
    enrollment = page.enrollment or (
        plural(int(row["enrollment"]), "person", "people")
        if not is_blank(row["enrollment"]) else None)
    facts.append(("Enrollment", enrollment or NOT_STATED))
    facts.append(("Sponsor", text_of(row["sponsor"], NOT_STATED)))
    facts.append(("Ages", sentence(age_range(row["min_age_years"], row["max_age_years"]))))
    facts.append(("Sex", SEX_LABELS.get(text_of(row["sex"]), NOT_STATED)))
    hv = row["healthy_volunteers"]
    facts.append(("Healthy volunteers", NOT_STATED if is_blank(hv)
                  else "Accepted" if bool(hv) else "Not accepted"))
    conditions = joined_label(row["conditions"])
    if conditions:
        facts.append(("Conditions", conditions))
    st.markdown("\n".join(f"- **{escape_md(k)}:** {escape_md(v)}" for k, v in facts))
