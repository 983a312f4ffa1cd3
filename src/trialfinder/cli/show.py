"""``trialfinder show ID...``: one study in depth for a person at a terminal (an id of any
registry: its registry is the one whose ids look so): how to take part first (whom to call,
the nearest site), then what the study is, who may join, the sites."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from trialfinder.cli.common import (
    NOT_ADVICE,
    note_if_fictional,
    resolve_near,
    settings_from,
    status_label,
)
from trialfinder.core.codes import Phase, StudyType
from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.core.lazy import LazyModule, lazy
from trialfinder.core.missing import is_blank
from trialfinder.core.textcap import LINE_CHARS, LONG_CHARS, cap
from trialfinder.core.wording import age_range, plural
from trialfinder.registries import registry_for_id, registry_of
from trialfinder.registries.base import id_read_note
from trialfinder.registries.links import record_links, status_is_derived
from trialfinder.topics import demo

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.registries.ctgov.normalize import format_partial_date
    from trialfinder.service.detail import StudyDetail, study_detail
    from trialfinder.tables.detail import (
        code_words,
        how_to_take_part,
        take_part_words,
        takes_people,
    )
else:  # pandas and requests load when the command runs
    pd = LazyModule("pandas")
    study_detail = lazy("trialfinder.service.detail", "study_detail")
    format_partial_date = lazy("trialfinder.registries.ctgov.normalize", "format_partial_date")
    code_words = lazy("trialfinder.tables.detail", "code_words")
    how_to_take_part = lazy("trialfinder.tables.detail", "how_to_take_part")
    take_part_words = lazy("trialfinder.tables.detail", "take_part_words")
    takes_people = lazy("trialfinder.tables.detail", "takes_people")

__all__ = ["run"]


def _text(value: object, limit: int = LINE_CHARS) -> str:
    """A field as text to show, capped at ``limit`` characters (wrapping a longer text for the
    terminal would take time that grows faster than its length)."""
    if is_blank(value):
        return ""
    return cap(str(value), limit).strip()


def _wrap(label: str, text: object, width: int) -> str:
    body = _text(text) or "—"
    return textwrap.fill(body, width=width, initial_indent=f"{label:<22}",
                         subsequent_indent=" " * 22)



def _codes(value: object, parse: Any) -> str:
    """``PHASE2|PHASE3`` -> ``Phase 2, Phase 3`` (unknown codes are kept as they are)."""
    labels = []
    for code in _text(value).split("|"):
        if not code:
            continue
        try:
            labels.append(parse(code).label)
        except TrialFinderError:
            labels.append(code)
    return ", ".join(labels)


def _date(row: pd.Series, col: str) -> str:
    value = row[col]
    if _text(value) == "":
        return ""
    precision = row.get(f"{col}_precision")
    return format_partial_date(value, precision if isinstance(precision, str) else "day")


def _paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    """Registry Markdown as plain paragraphs and bullets, wrapped, blank lines kept."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().replace("\\", "")
        if not line:
            if lines and lines[-1] != "":
                lines.append("")
            continue
        bullet = line[:2] in ("* ", "- ", "+ ")
        body = "• " + line[2:] if bullet else line
        lines.append(textwrap.fill(body, width=width, initial_indent=indent,
                                   subsequent_indent=indent + ("  " if bullet else "")))
    return lines


def run(args: argparse.Namespace) -> int:
    """`trialfinder show ID...`."""
    if args.sites < 0:
        raise InvalidQueryError(f"--sites must be 0 or more, not {args.sites}")
    settings = settings_from(args)
    ids = [registry_for_id(text) for text in args.nct_id]  # every id checked before a request
    clients = {registry.name: registry.client(settings) for registry, _ in ids}
    width = min(shutil.get_terminal_size((100, 24)).columns, 110)
    near, place_note = resolve_near(args.near)
    shown: list[str] = []
    for index, (registry, nct) in enumerate(ids):
        detail = study_detail(nct, client=clients[registry.name], near=near)
        out = ["", "─" * width] if index else []
        out += _show_lines(detail, near=near is not None, width=width, n_sites=args.sites)
        print("\n".join(line.rstrip() for line in out))
        shown.append(str(detail.results.studies.iloc[0]["nct_id"]))
    note_if_fictional(shown)
    if place_note:
        print(f"trialfinder: note: {place_note}", file=sys.stderr)
    for text, (_, nct) in zip(args.nct_id, ids, strict=True):
        if note := id_read_note(text, nct):
            print(f"trialfinder: note: {note}", file=sys.stderr)
    return 0


def _contact_text(contact: Any) -> str:
    """``Name (role) · phone ext. N · email`` from one row of the contacts table."""
    name = _text(contact.name)
    role = code_words(contact.role) if _text(contact.role) not in ("", "CONTACT") else ""
    phone = _text(contact.phone)
    if _text(contact.phone_ext):
        phone = f"{phone} ext. {_text(contact.phone_ext)}".strip()
    who = f"{name} ({role.lower()})" if name and role else name or role
    return " · ".join(part for part in (who, phone, _text(contact.email)) if part)


def _take_part_lines(detail: StudyDetail, row: pd.Series, near: bool, width: int,
                     n_sites: int) -> list[str]:
    part = how_to_take_part(detail.results.all.contacts, detail.results.sites, row["nct_id"])
    out = ["How to take part"]
    if not takes_people(row["status"]):  # a closed study: no one new, whoever is listed
        out.append(textwrap.fill(f"  {take_part_words(row['status'])}", width=width,
                                 subsequent_indent="    "))
    for contact in part.central.itertuples(index=False):
        out.append(textwrap.fill(f"  Study contact: {_contact_text(contact)}", width=width,
                                 subsequent_indent="    "))
    if part.site is not None:
        site = part.site
        where = ", ".join(_text(site[c]) for c in ("city", "state", "country") if _text(site[c]))
        miles = site.get("distance_mi")
        away = f", {miles:,.1f} mi away" if near and not is_blank(miles) else ""
        label = "Nearest recruiting site" if near else "A recruiting site"
        out.append(textwrap.fill(f"  {label}: {_text(site['facility'])} — {where}{away}",
                                 width=width, subsequent_indent="    "))
        for contact in part.site_contacts.itertuples(index=False):
            out.append(textwrap.fill(f"    contact: {_contact_text(contact)}", width=width,
                                     subsequent_indent="      "))
    if part.empty:
        sites = detail.results.sites
        line = _no_contact_line(sites[sites["nct_id"] == row["nct_id"]], _page(row), n_sites,
                                row["nct_id"])
        out.append(textwrap.fill(f"  {line}", width=width, subsequent_indent="    "))
    return out


def _page(row: pd.Series) -> str | None:
    """The study's page in its registry; ``None`` for a fictional study, which has none."""
    return None if demo.shows_fictional((row["nct_id"],)) else _text(row["url"])


def _more(url: str | None, study_id: object) -> str:
    if url is not None:
        return f"; the study page may say more: {url}"
    page = demo.no_study_page(_registry_title(study_id))
    return f" ({page[0].lower()}{page[1:-1]})"


def _registry_title(study_id: object) -> str:
    """The title of the registry ``study_id`` is in (ClinicalTrials.gov when none says)."""
    return registry_of(str(study_id)).title


def _or_no_page(url: str | None, study_id: object) -> str:
    return demo.no_study_page(_registry_title(study_id)) if url is None else url


def _no_contact_line(sites: pd.DataFrame, url: str | None, n_sites: int,
                     study_id: object = "") -> str:
    """What to say when a study lists no study contact and no recruiting site: whether it
    lists sites at all, and whether any of them gives a contact (and where to see it)."""
    if not len(sites):
        return f"No study contact and no site are listed{_more(url, study_id)}"
    columns = [c for c in ("contact_name", "contact_phone", "contact_email") if c in sites]
    text = sites[columns].astype("string").fillna("")
    has_contact = (text.apply(lambda col: col.str.strip()) != "").any(axis=1).to_numpy()
    reached = int(has_contact.sum())
    lead = "No study contact is listed and no site says it is recruiting"
    if not reached:
        which = "its one site gives no contact" if len(sites) == 1 else \
            f"none of its {len(sites):,} sites gives a contact"
        return f"{lead}, and {which}{_more(url, study_id)}"
    shown = int(has_contact[:n_sites].sum())
    where = "see the sites below" if shown == reached else f"--sites {len(sites)} lists them all"
    verb = "gives" if reached == 1 else "give"
    return f"{lead}; {plural(reached, 'site')} of {len(sites):,} {verb} a contact ({where})"


def _dated(row: pd.Series, col: str) -> str:
    """``2023-05 (actual)``: the date at its precision and whether it happened yet."""
    text = _date(row, col) or _text(row.get(f"{col}_raw"))
    kind = _text(row.get(f"{col}_type")).lower()
    return f"{text} ({kind})" if text and kind else text


def _officials(officials: pd.DataFrame, nct_id: str) -> str:
    """``Dr. Lee (principal investigator, Example University); ...`` (listed, not to call)."""
    people = []
    for person in officials[officials["nct_id"] == nct_id].itertuples(index=False):
        about = ", ".join(x for x in (code_words(person.role).lower(),
                                      _text(person.affiliation)) if x)
        people.append(f"{_text(person.name)} ({about})" if about else _text(person.name))
    return "; ".join(p for p in people if p)


def _show_lines(detail: StudyDetail, *, near: bool, width: int, n_sites: int) -> list[str]:
    """What ``trialfinder show`` prints for one study: how to take part first, then the facts."""
    row = detail.results.studies.iloc[0]
    status = status_label(row["status"])
    if status_is_derived(row["nct_id"]) and _text(row["status"]):
        status += " (derived)"
    out = [textwrap.fill(_text(row["title"]), width=width),
           f"{row['nct_id']}  ·  {status}  ·  {_or_no_page(_page(row), row['nct_id'])}"]
    # a twin of the fictional range has no page either, whatever the study's own id
    out += [f"Also in {link.registry}: {link.study_id}  ·  " + _or_no_page(
                None if demo.shows_fictional((link.study_id,)) else link.url, link.study_id)
            for link in record_links(row["nct_id"], row["other_ids"])[1:]]
    out.append("")
    out += _take_part_lines(detail, row, near, width, n_sites)
    out += ["", "Key facts"]
    if _text(row["why_stopped"]):
        out.append(_wrap("Why it stopped", row["why_stopped"], width))
    enrollment = "" if is_blank(row["enrollment"]) else f"{int(row['enrollment']):,}"
    if enrollment and _text(row["enrollment_type"]):
        enrollment += f" ({_text(row['enrollment_type']).lower()})"
    hv = row["healthy_volunteers"]
    facts = [
        ("Status", status),
        ("Start", _dated(row, "start_date")),
        ("Primary completion", _dated(row, "primary_completion_date")),
        ("Completion", _dated(row, "completion_date")),
        ("Last update", _date(row, "last_update")),
        ("Enrollment", enrollment),
        ("Phases", _codes(row["phases"], Phase.parse) or "—"),
        ("Study type", _codes(row["study_type"], StudyType.parse)),
        ("Sponsor", row["sponsor"]),
        ("Overall official", _officials(detail.results.all.officials, row["nct_id"])),
        ("Ages", age_range(row["min_age_years"], row["max_age_years"])),
        ("Sex", {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}.get(_text(row["sex"]),
                                                                    _text(row["sex"]))),
        ("Healthy volunteers", "" if is_blank(hv) else ("Accepted" if hv else "Not accepted")),
        ("Conditions", _text(row["conditions"]).replace("|", ", ")),
        ("Interventions", _text(row["interventions"]).replace("|", ", ")),
    ]
    out += [_wrap(label, value, width) for label, value in facts]
    design = [(label, code_words(row[col])) for label, col in (
        ("Allocation", "allocation"), ("Masking", "masking"),
        ("Primary purpose", "primary_purpose")) if _text(row[col])]
    if design:
        out += ["", "Design", *[_wrap(label, value, width) for label, value in design]]
    arms = detail.page.arms if detail.page is not None else ()
    if arms:
        out += ["", "Arms"]
        for arm in arms:
            kind = f" ({code_words(arm.type).lower()})" if _text(arm.type) else ""
            gets = f": {', '.join(_text(i) for i in arm.interventions)}" \
                if arm.interventions else ""
            out.append(textwrap.fill(f"  • {_text(arm.label)}{kind}{gets}", width=width,
                                     subsequent_indent="    "))
    summary = _text(row.get("brief_summary"), LONG_CHARS)
    if summary:
        out += ["", "Summary", *_paragraphs(summary, width)]
    criteria = detail.criteria
    for title, section in (("Eligibility", "intro"), ("Inclusion criteria", "inclusion"),
                           ("Exclusion criteria", "exclusion")):
        items = getattr(criteria, section)
        said = criteria.said_instead(section)
        if items or said:
            out += ["", title]
            out += [textwrap.fill(("    " if depth else "  ") + "• " + _text(item, LONG_CHARS),
                                  width=width, subsequent_indent="      " if depth else "    ")
                    for depth, item in items]
            if not items:
                out.append(textwrap.fill(f'  None (the record says "{said}")', width=width,
                                         subsequent_indent="    "))
    if len(detail.outcomes):
        out += ["", "What the study measures"]
        for outcome in detail.outcomes.itertuples(index=False):
            when = f" ({_text(outcome.time_frame)})" if _text(outcome.time_frame) else ""
            out.append(textwrap.fill(f"  • {_text(outcome.kind).capitalize()}: "
                                     f"{_text(outcome.measure)}{when}", width=width,
                                     subsequent_indent="    "))
    out += _site_lines(detail.results.sites, near=near, width=width, n_sites=n_sites)
    out += ["", NOT_ADVICE]
    return out


def _site_lines(sites: pd.DataFrame, *, near: bool, width: int, n_sites: int) -> list[str]:
    if not len(sites):
        return []
    shown = sites.head(n_sites)
    order = ", nearest first" if near else ""
    more = len(sites) - len(shown)
    hint = f"; {more:,} more with --sites {len(sites)}" if more else ""
    out = ["", f"{plural(len(sites), 'site')}{order}{hint}"]
    dists = [f"{d:,.1f} mi" for d in shown["distance_mi"].fillna(-1)] if near else []
    pad = max((len(d) for d in dists), default=0)
    for i, site in enumerate(shown.itertuples(index=False)):
        where = ", ".join(_text(v) for v in (site.city, site.state, site.country) if _text(v))
        lead = ""
        if near:
            lead = ("—" if dists[i].startswith("-") else dists[i]).rjust(pad) + "  "
        status = status_label(site.site_status) if _text(site.site_status) else ""
        tail = f" [{status}]" if status else ""
        out.append(f"  {lead}{_text(site.facility)} — {where}{tail}")
        contact = [_text(v) for v in (site.contact_name, site.contact_phone,
                                      site.contact_email) if _text(v)]
        if contact:
            out.append(f"  {' ' * len(lead)}    contact: {', '.join(contact)}")
    return out
