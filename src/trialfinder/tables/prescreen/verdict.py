"""From what was found to a verdict per study, in plain sentences.

* ``no``: the structured fields rule the person out (age, sex, status, distance beyond the
  radius, healthy volunteers).
* ``check``: nothing structured rules them out, but the record cannot tell (no recruiting site
  with a known location, so no distance to hold against a radius), or the text speaks against
  them or asks for
  something they did not give: an exclusion line names one of their conditions or medicines
  (by any name, brand, abbreviation or class) with no exception in that line, and not only as
  a relative's ("Family history of ALS" is noted, not held against someone with ALS); an inclusion
  line asks for its absence ("no history of diabetes"); or, when they gave a condition, an
  inclusion line asks for a diagnosis that is none of theirs.
  An inclusion line naming only another kind of their condition (type 2 diabetes for type 1)
  asks for what they do not have; one naming only another kind under exclusion is no hit.
* ``fits``: nothing in the record speaks against them. Never while an un-excepted exclusion
  line names one of their terms.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from trialfinder.tables.prescreen.labs import is_lab, lab_about
from trialfinder.tables.prescreen.pregnancy import PREGNANCY, PREVENTS
from trialfinder.tables.prescreen.synonyms import vocabulary
from trialfinder.tables.prescreen.treatments import name_relation

#: The sentence of a fitting study when only its status was checked, by its status (a study
#: not yet recruiting was said to be "recruiting").
STATUS_ALONE: dict[str, str] = {"RECRUITING": "recruiting",
                                "NOT_YET_RECRUITING": "not yet recruiting"}

__all__ = ["CHECK_PREFIX", "VERDICTS", "decide", "is_hit", "match_words", "mention_phrase",
           "mention_words", "quote"]

VERDICTS = ("fits", "check", "no")
_QUOTE = 120
#: How a reason that makes a study "check" begins (a card under the badge leaves it out).
CHECK_PREFIX = "Check with the study team: "
_CHECK = CHECK_PREFIX
# a line outside both lists that still speaks of keeping people out
_EXCLUDING = re.compile(r"\b(?:exclu\w*|ineligible|not\s+(?:be\s+)?eligible|must\s+not|cannot|"
                        r"may\s+not|not\s+(?:be\s+)?(?:allowed|permitted)|prohibit\w*|"
                        r"forbid\w*|disallow\w*|avoid\w*)\b", re.IGNORECASE)


# the states that are not a diagnosis, said as a person is: "people who are not pregnant", not
# "people without pregnancy"
_STATES = {"pregnancy": "pregnant", "breastfeeding": "breastfeeding"}
@lru_cache(maxsize=256)
def _state(term: str) -> str | None:
    """"pregnant" for someone who gave pregnancy by any of its names, and so on."""
    entry = vocabulary().lookup(term, "condition")
    return _STATES.get(entry.name) if entry is not None else None


def _without(term: str, what: str) -> str:
    """Whom a line denying ``term`` asks for: "people without diabetes", "people who are not
    pregnant"."""
    state = _state(term)
    return f"people who are not {state}" if state else f"people without {what}"


def quote(text: str, limit: int = _QUOTE) -> str:
    """A criteria line for a sentence: one line, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _class_of(match: str) -> tuple[str, str] | None:
    for prefix, role in (('class "', "class"), ('member of "', "member")):
        if match.startswith(prefix) and match.endswith('"'):
            return role, match[len(prefix):-1]
    return None


def _what(term: str, found: str, match: str) -> str:
    """What a line names, said from the person's side: "diabetes", "anticoagulants, which
    include your warfarin", "warfarin, one of the anticoagulants", "Lioresal, a brand of
    your baclofen"."""
    kind = _class_of(match)
    if kind is None:
        # a brand and its generic name meet: "tizanidine, the generic name of your Zanaflex"
        relation = name_relation(term, found)
        return f"{found}, {relation} of your {term}" if relation else term
    role, name = kind
    if role == "class":
        return f"{name}, which include your {term}"
    return f"{found}, one of the {name}"


def match_words(term: str, found: str, match: str) -> str:
    """How a line's name relates to what the person gave, for a list item: "" when the same,
    else "as “DM”, an abbreviation" and the like."""
    if is_lab(match):
        return f"as “{found}”, a lab test whose limits it may put you outside"
    kind = _class_of(match)
    if kind is not None:
        role, name = kind
        return (f"as “{found}”, a class that includes it" if role == "class"
                else f"as “{found}”, one of the {name}")
    if found.casefold() == term.casefold():
        return ""
    relation = name_relation(term, found)
    said = ("its generic name" if relation == "the generic name"
            else "another brand name" if relation == "another brand"
            else {"brand": "a brand name", "abbreviation": "an abbreviation"}.get(
                match, "another name"))
    return f"as “{found}”, {said}"


def mention_phrase(mention: Mapping[str, Any]) -> str:
    """What a mention says of the person's term, in words: "names diabetes (as “DM”, an
    abbreviation)", "names diabetes, with an exception", "asks for people without
    diabetes"."""
    term, found = str(mention["term"]), str(mention["found"])
    if is_lab(str(mention.get("match") or "")):
        return f"names {lab_about(term, found, str(mention['match']))}"
    how = match_words(term, found, str(mention.get("match") or ""))
    named = f"{term} ({how})" if how else term
    if mention.get("negated"):
        return f"asks for {_without(term, named)}"
    if mention.get("exception"):
        return f"names {named}, with an exception"
    return f"names {named}"


def mention_words(mention: Mapping[str, Any]) -> str:
    """A mention in words, without its line: "exclusion criterion names diabetes (as “DM”,
    an abbreviation)"."""
    section = str(mention["section"])
    label = "criterion" if section == "other" else f"{section} criterion"
    return f"{label} {mention_phrase(mention)}"


def _scope(row: Mapping[str, Any]) -> str | None:
    """What a line naming the person's condition only in general, or only one of its kinds,
    names: "malignancy, which may include your breast cancer", "NSCLC, a kind of cancer"."""
    if row.get("broader"):
        return f'{row["found"]}, which may include your {row["term"]}'
    return f'{row["found"]}, a kind of {row["term"]}' if row.get("narrower") else None


def _hit(row: Mapping[str, Any]) -> str | None:
    """The reason a mention turns a study to ``check``, if it does."""
    what = _scope(row) or _what(str(row["term"]), str(row["found"]), str(row["match"]))
    line = quote(str(row["text"]))
    section = row["section"]
    if is_lab(str(row["match"])):  # a limit that may rule them out, in any section
        where = "criteria" if section == "other" else f"{section} criteria"
        return (f"{_CHECK}the {where} name "
                f'{lab_about(str(row["term"]), str(row["found"]), str(row["match"]))} ("{line}")')
    if row.get("relative"):  # a relative's: not theirs (see _note)
        return None
    if row.get("other_kind"):  # another kind of their condition: asked for, or not theirs
        return (f'{_CHECK}the inclusion criteria ask for {row["found"]}, not your '
                f'{row["term"]} ("{line}")' if section == "inclusion" and row["positive"]
                else None)
    if section == "exclusion" and not row["exception"]:
        return f'{_CHECK}the exclusion criteria mention {what} ("{line}")'
    if row.get("broader") and section == "inclusion" and not row["negated"]:
        return (f'{_CHECK}the inclusion criteria ask for {row["found"]} without saying which '
                f'kind: ask whether your {row["term"]} counts ("{line}")')
    if row.get("narrower") and section == "inclusion" and row["positive"]:
        return (f'{_CHECK}the inclusion criteria ask for {row["found"]}, one kind of '
                f'{row["term"]}: ask whether yours counts ("{line}")')
    if section == "inclusion" and row["negated"]:
        whom = _without(str(row["term"]), what)
        return f'{_CHECK}the inclusion criteria ask for {whom} ("{line}")'
    if _prevents(row):
        where = "criteria" if section == "other" else "inclusion criteria"
        return (f"{_CHECK}the {where} set rules for people who could become pregnant (tests, "
                f'birth control), which may not allow a pregnancy ("{line}")')
    if section == "inclusion" and row.get("limited"):
        return f'{_CHECK}the inclusion criteria set a limit on {what} ("{line}")'
    if section == "other" and not row["exception"] and (
            row["negated"] or _EXCLUDING.search(str(row["text"]))):
        return f'{_CHECK}the criteria mention {what} ("{line}")'
    return None


def _prevents(row: Mapping[str, Any]) -> bool:
    """Whether a line names pregnancy, for someone pregnant, in rules for people who could
    become pregnant ("must use contraception to avoid pregnancy"): a question, not a note
    that it "names pregnancy", which reads as if it asked for it."""
    text = str(row["text"])
    return (row["section"] in ("inclusion", "other") and not row["negated"]
            and _state(str(row["term"])) == "pregnant" and PREVENTS.search(text) is not None
            # "Woman with a positive pregnancy test" asks for it
            and "positive" not in str(row["found"]).lower()
            # outside both lists, a line keeping people out says so ("Pregnant women may not
            # participate; women who could become pregnant ...")
            and not (row["section"] == "other" and _EXCLUDING.search(text)))


def is_hit(row: Mapping[str, Any]) -> bool:
    """True when a mention turns its study to ``check`` whatever else the study says (not
    "other <class>" nor another kind of their condition: another line may answer those)."""
    return _hit(row) is not None and not row.get("other_class") and not row.get("other_kind")


def _note(row: Mapping[str, Any]) -> str | None:
    """A mention worth a sentence that does not change the verdict."""
    what = _scope(row) or _what(str(row["term"]), str(row["found"]), str(row["match"]))
    line = quote(str(row["text"]))
    if is_lab(str(row["match"])) or _prevents(row) or (row["section"] == "inclusion" and (
            row.get("broader") or (row.get("narrower") and row["positive"]))):
        return None
    if row.get("other_kind"):
        return (f'the {row["section"]} criteria name {row["found"]}, not your {row["term"]} '
                f'("{line}")' if row["section"] != "inclusion" else None)
    if row.get("relative"):
        where = "criteria" if row["section"] == "other" else f'{row["section"]} criteria'
        return f'the {where} name {what}, but as a relative\'s condition ("{line}")'
    if row["section"] == "inclusion" and row["positive"]:
        return f'the inclusion criteria name {what} ("{line}")'
    if row["section"] in ("exclusion", "other") and row["exception"]:
        where = "criteria" if row["section"] == "other" else "exclusion criteria"
        return f'the {where} name {what} but make an exception ("{line}")'
    if row["section"] == "other" and row["positive"] and _hit(row) is None:
        # a text without inclusion or exclusion headings: the person sees the line, whichever
        # way it speaks of them
        return f'the criteria name {what} ("{line}")'
    return None


def decide(ids: Sequence[str], structured: Sequence[bool], reasons: list[list[str]],
           rows: Sequence[Mapping[str, Any]], asked: Mapping[str, list[tuple[str, str]]],
           conditions: Collection[str], unknown: Sequence[Sequence[str]] = ()
           ) -> tuple[list[str], list[bool], list[list[str]]]:
    """The verdict, "names one of your conditions" and the reasons of each study.

    ``structured``: the structured fields leave the study open; ``reasons``: their sentences;
    ``rows``: the mentions; ``asked``: the diagnoses inclusion lines ask for that the person
    did not give; ``conditions``: the person's conditions as typed; ``unknown``: per study,
    what the structured fields cannot tell (each sentence makes an open study ``check``)."""
    position = {nct: i for i, nct in enumerate(ids)}
    # only the studies with something to say get a list (fewer objects for the collector)
    hits: dict[int, list[str]] = {i: list(said) for i, said in enumerate(unknown) if said}
    notes: dict[int, list[str]] = {}
    named = [False] * len(ids)
    said: set[tuple[int, str, str]] = set()
    for row in rows:
        if row["section"] == "inclusion" and row["direct"] and row["term"] in conditions:
            # by one of its own names: "neurological disease" is not "about" ALS
            named[position[str(row["nct_id"])]] = True
    for row in rows:
        i = position[str(row["nct_id"])]
        hit, note = _hit(row), _note(row)
        if hit is not None and named[i] and row.get("other_kind") and not row.get("open_kinds"):
            # another line asks for their own kind: groups of either kind (not where kinds
            # are many and a long line names theirs in passing: cancer)
            hit = None
        if hit is not None and row.get("other_class") and named[i]:
            # "any other neurological disease" in a study about their own condition
            named_class = (_class_of(str(row["match"])) or ("", str(row["found"])))[1]
            line = quote(str(row["text"]))
            hit, note = None, (f"the exclusion criteria name other {named_class}, and this "
                               f'study is about your {row["term"]} ("{line}")')
        for target, sentence in ((hits, hit), (notes, note)):
            if sentence is not None:
                kind = sentence.split(' ("', 1)[0]
                if (i, str(row["term"]), kind) not in said:  # one sentence a term and kind
                    said.add((i, str(row["term"]), kind))
                    target.setdefault(i, []).append(sentence)
    for nct, found in asked.items():
        i = position[nct]
        against = hits.setdefault(i, [])
        for condition, line in found[:3]:
            against.append(f"{_CHECK}the inclusion criteria ask for people who are pregnant, "
                           f'which you did not say you are ("{quote(line)}")'
                           if condition == PREGNANCY else
                           f"{_CHECK}the inclusion criteria ask for {condition}, which you "
                           f'did not mention ("{quote(line)}")')
        if len(found) > 3:
            against.append(f"{_CHECK}the inclusion criteria ask for {len(found) - 3} more "
                           "conditions you did not mention")
    verdicts: list[str] = []
    out: list[list[str]] = []
    for i in range(len(ids)):
        if not structured[i]:
            verdicts.append("no")
            out.append(reasons[i])
            named[i] = False
        elif hits.get(i):
            verdicts.append("check")
            out.append([r for r in reasons[i] if not r.startswith("fits on ")
                        and r not in STATUS_ALONE.values()] + hits[i] + notes.get(i, []))
        else:
            verdicts.append("fits")
            out.append(reasons[i] + notes.get(i, []))
    return verdicts, named, out
