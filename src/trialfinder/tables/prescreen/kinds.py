"""Kinds of a condition in a line: which names in it may be the person's own kind (type 1
diabetes, not type 2; gestational diabetes, not a diabetes diagnosed before the pregnancy),
read by a kind's name, by its first words before a general name ("Type II diabetic") or after
it ("Diabetes mellitus-insulin dependent"), and whether a line names the condition only in
general ("any malignancy") or only some of its kinds ("NSCLC").
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialfinder.tables.prescreen.finder import Occurrence, Term
from trialfinder.tables.prescreen.synonyms import Entry, key, vocabulary

__all__ = ["condition_entry", "open_kinds", "own_kind", "their_kind"]


def own_kind(term: Term, found: str) -> bool:
    """Whether ``found`` names the person's own kind of their condition (any of its names when
    it has no kinds): not only one kind of what they gave in general."""
    entry = condition_entry(term.own, term.kind)
    if entry is None or not entry.kinds:
        return True
    return entry.kind_of(found) == entry.kind_of(term.own)


@lru_cache(maxsize=256)
def condition_entry(own: str, kind: str) -> Entry | None:
    """The vocabulary's condition group or class a term names, if any (once per term)."""
    return vocabulary().lookup(own, kind) if kind == "condition" else None


def open_kinds(term: Term) -> bool:
    """Whether the term's condition has more kinds than the vocabulary lists (cancer)."""
    entry = condition_entry(term.own, term.kind)
    return entry is not None and entry.more_kinds


@lru_cache(maxsize=64)
def _kind_heads(name: str, mine: int) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """For the condition ``name`` and the person's kind ``mine``: a pattern for another
    kind's first words ending a text ("type ii" before "diabetic"), and one for their own
    kind's first words in a line, alone or in a list ("type 1", "type 1 or 2")."""
    entry = vocabulary().entries[("condition", name)]
    generic = {key(n) for n, _, _ in entry.names()} - {key(n) for k in entry.kinds for n in k}

    def heads(kind: int) -> set[str]:  # "type 2" of "type 2 diabetes"
        return {key(n)[: -len(g)].strip() for n in entry.kinds[kind] for g in generic
                if key(n).endswith(" " + g)} - {""}

    others = sorted({h for k in range(len(entry.kinds)) if k != mine for h in heads(k)})
    before = re.compile(r"(?<!\w)(?<!non )(?:" + "|".join(map(re.escape, others)) + ")$"
                        if others else r"(?!)")
    own = sorted(heads(mine)) if mine < len(entry.kinds) else []
    return before, (re.compile("|".join(_said(h) for h in own)) if own else None)


@lru_cache(maxsize=64)
def _kind_tails(name: str) -> tuple[re.Pattern[str], dict[str, int]]:
    """For the condition ``name``: a pattern for a kind's first words right after one of its
    names: after a dash ("Diabetes mellitus-insulin dependent", also in a list), after an
    open bracket or "mellitus" when they end there or are listed with another kind only
    ("diabetes mellitus (type 1 or 2)", "insulin-dependent diabetes mellitus type II"; not
    "cancer (lung or other)"), or after a comma ending the line ("Diabetes mellitus, type 1";
    not "cancer, kidney or liver disease"); and the kind of each."""
    entry = vocabulary().entries[("condition", name)]
    generic = {key(n) for n, _, _ in entry.names()} - {key(n) for k in entry.kinds for n in k}
    kinds = {key(n)[: -len(g)].strip(): k for k, names in enumerate(entry.kinds)
             for n in names for g in generic if key(n).endswith(" " + g)}
    kinds.pop("", None)
    if not kinds:
        return re.compile(r"(?!)"), kinds
    heads = "|".join(r"[\s\-]+".join(map(re.escape, h.split()))
                     for h in sorted(kinds, key=len, reverse=True))
    loose = r"(?=\s*(?:$|[).;,:/]|or\b|and\b))"
    strict = (rf"(?=\s*(?:$|[).;:]|(?:[,/]|or\b|and\b)\s*(?:{heads}|"
              r"(?:type\s+)?(?:\d|i{1,2})\b)))")
    return re.compile(
        rf"(?:\s+mellitus)?\s*[\-\u2010-\u2015]\s*({heads}){loose}"
        rf"|(?:\s+mellitus)?\s*\(\s*({heads}){strict}|\s+mellitus\s+({heads}){strict}"
        rf"|\s*,\s*({heads})(?=\s*(?:$|[).;]))", re.IGNORECASE), kinds


def _kind_after(name: str, item: str, end: int) -> int | None:
    """The kind a condition's name ending at ``item[end]`` is said to be by the words right
    after it, if any."""
    pattern, kinds = _kind_tails(name)
    found = pattern.match(item, end)
    return None if found is None else kinds[key(next(g for g in found.groups() if g))]


def their_kind(term: Term, item: str, occurrences: list[Occurrence]
                ) -> tuple[list[Occurrence], bool, bool, bool]:
    """The occurrences that may be the person's kind of their condition, whether the line
    names only other kinds (not theirs by its first words either: "Type 1 or type 2
    diabetes"), and, where the condition's kinds are not all there are, whether it names the
    condition only in general ("any malignancy" for someone with breast cancer) or only some
    of its kinds ("NSCLC" for someone with cancer); all of them and three False when the
    condition has no kinds."""
    entry = condition_entry(term.own, term.kind)
    if entry is None or not entry.kinds:
        return occurrences, False, False, False
    mine = entry.kind_of(term.own)
    if mine is None:  # the condition in general
        if not entry.more_kinds:
            return occurrences, False, False, False
        any_head, _ = _kind_heads(entry.name, len(entry.kinds))
        return occurrences, False, False, all(
            entry.kind_of(o.found) is not None
            or any_head.search(key(item[max(0, o.start - 20):o.start])) is not None
            for o in occurrences)
    other_head, own_head = _kind_heads(entry.name, mine)
    # a kind that begins with a pregnancy (gestational diabetes) is not one diagnosed before
    # it: "Pre-pregnancy diagnosis of diabetes mellitus", "Pregestational diabetes"
    before = _BEFORE_PREGNANCY.search(item) is not None and any(
        "gestational" in name.lower() for name in entry.kinds[mine])
    theirs: list[Occurrence] = []
    named = False  # their own kind, by one of its names
    for o in occurrences:
        kind = entry.kind_of(o.found)
        # a kind's first words after it: "Diabetes mellitus-insulin dependent" (and theirs
        # after another kind's name: "insulin-dependent diabetes mellitus type II")
        after = _kind_after(entry.name, item, o.end)
        if kind is None or after == mine:
            kind = after if after is not None else kind
        if kind is None and (before or other_head.search(
                key(item[max(0, o.start - 20):o.start]))):
            kind = -1  # a plain name after another kind's first words: "Type II diabetic"
        if kind is None or kind == mine:
            theirs.append(o)
            named = named or kind == mine
    said = own_head is not None and own_head.search(key(item)) is not None
    if theirs:
        return theirs, False, entry.more_kinds and not (named or said), False
    return occurrences, not said, False, False


_BEFORE_PREGNANCY = re.compile(
    r"\bpre-?(?:pregnancy|gestational)|\b(?:before|prior\s+to|preceding)\s+(?:the\s+|this\s+|"
    r"a\s+|her\s+|their\s+)?(?:current\s+|index\s+)?pregnan", re.IGNORECASE)


def _said(head: str) -> str:
    """A kind's first words in a line, alone or in a list: "type 2", "type 1 or 2"."""
    words = head.split()
    plain = rf"(?<!\w){re.escape(head)}(?![\w.])"
    if len(words) < 2:
        return plain
    listed = (rf"(?<!\w){re.escape(words[0])}s?\s+\S+\s*(?:or|and|/|,|&)\s*"
              rf"{re.escape(words[-1])}(?![\w.])")
    return f"{plain}|{listed}"
