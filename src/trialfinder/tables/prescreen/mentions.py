"""The two text passes of a pre-screen.

* :func:`find_mentions`: every eligibility line naming one of the person's terms, with the
  section it sits in, how the name matched, and whether the line makes an exception for it or
  negates it.
* :func:`find_requirements` (from :mod:`.requirements`): for studies that may fit, the
  inclusion lines that ask for a diagnosis the person did not give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from trialfinder.tables.eligibility import item_text, sectioned_parts
from trialfinder.tables.prescreen.allowances import own_exceptions
from trialfinder.tables.prescreen.finder import Finder, Occurrence, Term
from trialfinder.tables.prescreen.headings import drop_headings
from trialfinder.tables.prescreen.kin import plainly_relatives
from trialfinder.tables.prescreen.kinds import condition_entry, open_kinds, own_kind, their_kind
from trialfinder.tables.prescreen.labs import eases_a_limit, is_lab, lab_row
from trialfinder.tables.prescreen.levels import is_level
from trialfinder.tables.prescreen.pregnancy import is_pregnancy, named_as_a_time, past_or_aside
from trialfinder.tables.prescreen.requirements import find_requirements
from trialfinder.tables.prescreen.scope import clause_bounds
from trialfinder.tables.prescreen.sublists import (
    denied_by_parent,
    may_name_relatives,
    relatives_by_parent,
)
from trialfinder.tables.prescreen.synonyms import key

__all__ = ["MENTION_FIELDS", "find_mentions", "find_requirements"]

MENTION_FIELDS = ["nct_id", "term", "found", "section", "text", "match", "exception",
                  "negated", "positive", "direct", "other_class", "other_kind", "open_kinds",
                  "broader", "narrower", "limited", "relative"]
_SECTION = {"inclusion": "inclusion", "exclusion": "exclusion", "intro": "other"}


def _row(nct: str, section: str, item: str, term: Term, occurrences: list[Occurrence],
         kin: bool = False) -> dict[str, Any]:
    """One line's row for one term; ``kin``: the line is an item under a parent saying its
    items are a relative's ("Family history:")."""
    # another kind of their condition ("type 2 diabetes" for type 1) is not theirs: the line
    # is read by its other names, or, naming only other kinds, speaks of someone else unless
    # it asks for that kind (see verdict)
    occurrences, other_kind, broader, narrower = their_kind(term, item, occurrences)
    if section != "inclusion":  # "Steroids (topical steroids are allowed)": not theirs
        occurrences = own_exceptions(term, occurrences)
    readings = [o.reading for o in occurrences]
    if kin:
        readings = [replace(r, family=True) for r in readings]
    own = term.own
    medicine = term.kind == "medicine"
    # a condition's name that qualifies a noun is not what a negation denies: "no diabetic
    # retinopathy" (a medicine's is: "no metformin therapy"); nor is a relative's condition;
    # a medicine to stop first is one to be without ("must stop NSAIDs 7 days before")
    denied = [(r.negated or (r.stopped and medicine)) and not r.family
              and not (r.modifier and not medicine) for r in readings]
    # a name that says it is absent ("a negative pregnancy test") denies it in any line, and
    # so does a clause that ends by ruling its people out ("Patients with heart failure within
    # 12 months are not eligible")
    absent = _absent(term, occurrences)
    denied = [d or a or (section != "exclusion" and not r.family and _ruled_out(item, o))
              for d, a, r, o in zip(denied, absent, readings, occurrences, strict=True)]
    # an exception only when every place the line names it is excepted ("Uncontrolled
    # hypertension (controlled hypertension is allowed)"; not "Systemic steroids. Inhaled
    # steroids are not exclusionary" for someone taking prednisone), or when the line excepts
    # it by its own name and names it otherwise only through a class ("SSRIs, other than
    # sertraline")
    # (and so does a name the line narrows at once by excepting their own: "Motor neuron
    # diseases other than ALS" for someone with ALS, where "motor neuron disease" is one of its
    # names; not "Any malignancy other than prostate cancer" for someone who gave cancer)
    by_class = [o.how.startswith('class "') or (
        section != "inclusion" and not o.reading.exception
        and _excepts_own(term, item, o, occurrences)) for o in occurrences]
    # (a name saying it is absent excepts it in an exclusion line only: outside both lists,
    # "Negative pregnancy test" asks for its absence, as an inclusion line would)
    # (and a line naming it both ways makes no exception for it: "Positive pregnancy test:
    # women may participate only if they have a negative pregnancy test" allows only those
    # without it)
    exception: bool = section != "inclusion" and not (
        section == "exclusion" and any(absent) and not all(absent)) and (
        all(r.exception or (a and section == "exclusion")
            for r, a in zip(readings, absent, strict=True))
        or (any(r.exception and not c for r, c in zip(readings, by_class, strict=True))
            and all(r.exception or c for r, c in zip(readings, by_class, strict=True))))
    first = next((o for o in occurrences if not o.reading.exception), occurrences[0])
    # an inclusion naming a pregnancy past, or as the cause of another condition, does not
    # name theirs: "a previous pregnancy complicated by preeclampsia", "pregnancy-associated
    # hypertension" (it is no study about their pregnancy, nor a line to note for it)
    aside = ([d or past_or_aside(item, o.start, o.end)
              for d, o in zip(denied, occurrences, strict=True)]
             if section == "inclusion" and is_pregnancy(own) else denied)
    positive = any(not (d or r.optional or r.family) for r, d in zip(readings, aside,
                                                                     strict=True))
    return {
        "nct_id": nct, "term": own, "found": first.found, "section": section,
        "text": item, "match": first.how,
        "exception": exception and not other_kind,
        # the group in general ("any malignancy") for someone who gave one of its kinds,
        # when its kinds are not all there are: it may be theirs, or not
        "broader": broader,
        # and only some of its kinds ("NSCLC") for someone who gave it in general
        "narrower": narrower,
        "negated": section != "exclusion" and all(denied) and not other_kind,
        "positive": positive,
        # an inclusion line capping the dose of their medicine ("prednisone 10 mg or less")
        "limited": section == "inclusion" and medicine and any(
            r.limited and not d for r, d in zip(readings, denied, strict=True)),
        # (nor as an exception: "No other cancer, except melanoma in situ")
        "direct": not (other_kind or broader or narrower) and any(
            not (d or r.optional or r.family or r.exception or c)
            for r, d, c in zip(readings, aside, by_class, strict=True)),
        # named only as "other <class>" ("any other neurological disease"): not the person's
        # condition when the study is about it
        # (or, for someone who gave one kind of it, as "other" of the condition in general:
        # "any other malignancy" in a study about their breast cancer)
        "other_class": (any(by_class) or (broader and any(r.other for r in readings))) and all(
            o.reading.exception or (o.reading.other and (c or broader))
            for o, c in zip(occurrences, by_class, strict=True)),
        "other_kind": other_kind,
        "open_kinds": other_kind and open_kinds(term),
        # a relative's only ("Family history of ALS", "ALS in a first-degree relative"): not
        # the person's own, in any list (not "mothers with HIV", who may be the people asked)
        "relative": all(r.family for r in readings) and (kin or all(
            plainly_relatives(item, o.start, o.end) for o in occurrences)),
    }


# what a clause says of the people it names, after their name: ruled out (not "not eligible
# for surgery", which says who they are, nor "will not be excluded")
_RULED_OUT = re.compile(
    r"\b(?<!not\s)(?:is|are|will\s+be|shall\s+be|would\s+be|be)\s+"
    r"(?:excluded|ineligible|not\s+eligible)"
    r"(?!\s+(?:for|to)\s+(?!(?:this|the)\s+(?:study|trial)|participat|enrol|inclusion|entry))",
    re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _ruled_out(item: str, occurrence: Occurrence) -> bool:
    """Whether the rest of the name's clause rules its people out (brackets left aside:
    "(fine needle aspiration is excluded)" speaks of something else)."""
    if "xclu" not in item and "ligib" not in item:  # most lines: no clause to cut
        return False
    _, high = clause_bounds(item, occurrence.start, occurrence.end)
    tail = item[occurrence.end:high]
    return ("xclu" in tail or "ligib" in tail) and bool(
        _RULED_OUT.search(_BRACKETED.sub(" ", tail)))


# a cue right after a name that excepts what follows from it: "diseases other than ALS"
_EXCEPTING = re.compile(
    r"(?:e?s|\(s\))?\W{0,3}(?:other\s+than|except(?:ing)?(?:\s+for)?|excluding|"
    r"apart\s+from|aside\s+from|besides|but\s+not(?!\s+limited))\b", re.IGNORECASE)
_FIRST_WORDS = re.compile(r"\W*(?:(?:an?|the)\s+)?")
_LAST_WORD = re.compile(r"(?:e?s|'s)?\s*(?:$|[,;:.)\]]|(?:or|and|nor)\b)", re.IGNORECASE)


def _excepts_own(term: Term, item: str, named: Occurrence,
                 occurrences: list[Occurrence]) -> bool:
    """Whether ``item`` excepts the person's own condition from ``named`` at once: a cue right
    after it and their own name right after the cue ("diseases other than ALS"; not "other
    than basal cell carcinoma", where the words before the name make it one kind of it, nor
    "except for malignancy treated with curative intent", where the words after it do)."""
    cue = _EXCEPTING.match(item, named.end)
    return cue is not None and any(
        o.reading.exception and _FIRST_WORDS.fullmatch(item, cue.end(), o.start) is not None
        and _LAST_WORD.match(item, o.end) is not None and own_kind(term, o.found)
        for o in occurrences)


def _absent(term: Term, occurrences: list[Occurrence]) -> list[bool]:
    """Which occurrences are names saying the term's condition is absent."""
    entry = condition_entry(term.own, term.kind)
    if entry is None or not entry.absent:
        return [False] * len(occurrences)
    names = {key(name) for name in entry.absent}
    return [key(o.found) in names for o in occurrences]


def _rows(finder: Finder, nct: str, section: str, item: str, denied: bool = False,
          kin: bool = False) -> list[dict[str, Any]]:
    """The rows of one line; ``denied`` when the line is a sub-item of a list its parent
    line denies ("No prior treatment with any of the following:"), ``kin`` when its parent
    says its items are a relative's ("Family history:")."""
    by_term: dict[int, list[Occurrence]] = {}
    for occurrence in finder.occurrences(item):
        kind = finder.terms[occurrence.term].kind
        if is_level(item, occurrence, kind):  # "Magnesium < LLN": no supplement taken
            continue
        if eases_a_limit(occurrence.how, item, occurrence.start):  # "... if liver metastases"
            continue
        if kind == "condition" and named_as_a_time(item, occurrence.start) and is_pregnancy(
                finder.terms[occurrence.term].own):
            continue  # "Hypertension diagnosed prior to current pregnancy": a time, not theirs
        by_term.setdefault(occurrence.term, []).append(occurrence)
    rows = []
    for index, found in by_term.items():
        term = finder.terms[index]
        plain = [o for o in found if not is_lab(o.how)]
        # a lab test's name counts only in a line that does not name the term itself: "INR
        # > 1.5 unless on anticoagulants" speaks of the person, and the usual rules read it
        row = (_row(nct, section, item, term, plain, kin) if plain else
               lab_row(nct, section, item, term.own, found[0].found, found[0].how))
        if denied and plain and not row["other_kind"]:
            row.update(negated=True, positive=False, direct=False)
        rows.append(row)
    return rows


def find_mentions(finder: Finder, ids: Sequence[str], texts: Sequence[str]
                  ) -> list[dict[str, Any]]:
    """The lines of ``texts`` (one per study of ``ids``) that name a term, one row per line
    and term (see :data:`MENTION_FIELDS`). A text given more than once is read once."""
    unique = list(dict.fromkeys(texts))
    if len(unique) == len(texts):
        return _mentions(finder, ids, texts)
    by_text: dict[str, list[dict[str, Any]]] = {text: [] for text in unique}
    for row in _mentions(finder, unique, unique):
        by_text[row["nct_id"]].append(row)
    return [{**row, "nct_id": nct}
            for nct, text in zip(ids, texts, strict=True) for row in by_text[text]]


def _mentions(finder: Finder, ids: Sequence[str], texts: Sequence[str]
              ) -> list[dict[str, Any]]:
    owners: list[str] = []
    parts: list[tuple[str, str, str]] = []
    for nct, text in zip(ids, texts, strict=True):
        found = sectioned_parts(text)
        owners.extend([nct] * len(found))
        parts.extend(found)
    # which parts name a term, then which of their lines do: two passes of RE2
    lines: list[str] = []
    part_of: list[int] = []  # the part each line comes from
    span: dict[int, tuple[int, int]] = {}  # where each part's lines stand in ``lines``
    for i in np.flatnonzero(finder.lines_matching([part for _, _, part in parts])):
        _, kind, part = parts[i]
        split = part.split("\n") if kind == "block" else [part]
        span[int(i)] = (len(lines), len(lines) + len(split))
        lines.extend(split)
        part_of.extend([int(i)] * len(split))
    found_at: dict[tuple[int, int], list[dict[str, Any]]] = {}  # (part, line): its rows
    headed: set[str] = set()  # the studies with a heading among their exclusions' lines
    kinless: dict[int, bool] = {}  # parts with no parent line about relatives
    for j in np.flatnonzero(finder.lines_matching(lines)):
        at = part_of[j]
        section, kind, _ = parts[at]
        item = item_text(lines[j], kind == "rest")  # after a heading
        if item and not item.startswith("<!--"):
            denied = kin = False
            if kind == "block":
                start, end = span[at]
                previous = parts[at - 1] if at and owners[at - 1] == owners[at] else None
                before = ([previous[2]] if previous and previous[1] == "line"
                          and previous[0] == section else [])
                if section != "exclusion":
                    denied = denied_by_parent(lines[start:end], int(j) - start, before)
                if at not in kinless:  # (once a part: most name no relatives' parent)
                    kinless[at] = not may_name_relatives("\n".join([*before, parts[at][2]]))
                kin = not kinless[at] and relatives_by_parent(lines[start:end],
                                                             int(j) - start, before)
            found_at[(at, int(j) - span[at][0])] = _rows(
                finder, owners[at], _SECTION[section], item, denied, kin)
            if section == "exclusion" and kind != "rest" and item.rstrip().endswith(":"):
                headed.add(owners[at])
    if headed:
        _drop_headings(owners, parts, headed, found_at)
    return [row for key in sorted(found_at) for row in found_at[key]]


def _drop_headings(owners: list[str], parts: list[tuple[str, str, str]], headed: set[str],
                   found_at: dict[tuple[int, int], list[dict[str, Any]]]) -> None:
    """:func:`drop_headings` over the exclusions of each study in ``headed``."""
    raw: dict[str, list[str]] = {}
    where: dict[str, list[tuple[int, int]]] = {}
    for at, (owner, (section, kind, part)) in enumerate(zip(owners, parts, strict=True)):
        if owner in headed and section == "exclusion":
            split = part.split("\n") if kind == "block" else [part]
            raw.setdefault(owner, []).extend(split)
            where.setdefault(owner, []).extend((at, k) for k in range(len(split)))
    for owner, lines in raw.items():
        keys = where[owner]
        rows_at = {n: found_at[key] for n, key in enumerate(keys) if key in found_at}
        drop_headings(lines, rows_at)
        for n, rows in rows_at.items():
            found_at[keys[n]] = rows
