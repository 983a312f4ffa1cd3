"""What else a study's inclusion lines ask for: for studies that may fit, the lines asking for
a diagnosis the person did not give (a condition of the vocabulary, or one of the study's own
listed conditions, named plainly: not negated, not optional, not of a relative), or for
taking a medicine they did not give ("On riluzole for at least 30 days"; not "Patients on
riluzole are eligible", "If receiving riluzole, ...", "Subjects taking riluzole must be on a
stable dose"), or for a pregnancy they did not say they have (:mod:`.pregnancy`). A line
naming one of their conditions still asks for what else it names beside it, but not for what
it offers as an alternative to theirs ("ALS, PLS or PMA").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from trialfinder.tables.prescreen.allowances import every_name
from trialfinder.tables.prescreen.alternatives import RISK_OF, inclusion_groups
from trialfinder.tables.prescreen.finder import Finder, Term
from trialfinder.tables.prescreen.pregnancy import PREGNANCY, requires_pregnancy
from trialfinder.tables.prescreen.scope import QUALIFIER, read
from trialfinder.tables.prescreen.sublists import under_relatives
from trialfinder.tables.prescreen.synonyms import Name, key, vocabulary

__all__ = ["find_requirements"]

_HEALTHY = ("healthy", "normal volunteer", "control")
@lru_cache(maxsize=1)
def _diagnoses() -> Finder:
    """Every diagnosis of the vocabulary, each under its own name."""
    return Finder(Term(entry.name, "condition",
                       tuple(Name(text, how, exact, entry.name)
                             for text, how, exact in entry.names()))
                  for entry in vocabulary().diagnoses())


def _own_conditions(listed: str) -> list[tuple[str, str]]:
    """A study's own listed conditions worth looking for: (as written, lower case), leaving
    out healthy volunteers, very short names and names the vocabulary already knows."""
    out: list[tuple[str, str]] = []
    for raw in listed.split("|"):
        name = " ".join(raw.split())
        low = name.lower()
        if (len(name) < 4 and not name.isupper()) or any(w in low for w in _HEALTHY):
            continue
        if vocabulary().lookup(name, "condition") is not None:
            continue
        out.append((name, low))
        head, comma, tail = name.partition(", ")
        if comma and tail and "," not in tail:  # the registry's "Osteoarthritis, Knee"
            out.append((name, f"{tail} {head}".lower()))
    return out


def _positive_at(line: str, low: str, needle: str, theirs: Sequence[tuple[int, int]] = ()
                 ) -> bool:
    """Whether ``needle`` stands in ``line`` (``low``: in lower case) as a whole word, named
    plainly, and neither within nor offered beside one of ``theirs`` (the places their own
    condition stands)."""
    start = low.find(needle)
    while start >= 0:
        end = start + len(needle)
        if ((start == 0 or not low[start - 1].isalnum())
                and (end == len(low) or not low[end].isalnum())
                and not _beside(line, theirs, start, end)):
            reading = read(line, start, end)
            if not (reading.negated or reading.optional or reading.family
                    or reading.exception or RISK_OF.search(line, max(0, start - 50), start)):
                return True
        start = low.find(needle, start + 1)
    return False


# what joins names offered as alternatives ("ALS, PLS or PMA", "diabetes and/or obesity"), or
# names another as an example ("diabetes with complications such as neuropathy")
_OR = re.compile(r"\bor\b|/|\bnor\b|\beither\b", re.IGNORECASE)
_EXAMPLE = re.compile(r"\b(?:such\s+as|including|e\.\s?g\b|for\s+example)", re.IGNORECASE)
# ... and what says both are asked for ("ALS patients with diabetes", "diabetes and ALS")
_ALL = re.compile(r"\b(?:with|plus|who|whose|having|has|have)\b|;", re.IGNORECASE)
_BOTH = re.compile(r"\W*\band\W*", re.IGNORECASE)
_JOINT = re.compile(r"[,/]|\b(?:or|and/or|and|nor)\b", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_CHOICE_BEFORE = re.compile(r"\b(?:(?:any|either|one|1)(?:\s+or\s+more)?\s+of|at\s+least\s+"
                            r"(?:one|1))\b", re.IGNORECASE)
_ITEM_WORDS = 4  # words: a longer piece between two names is no list item


_BIRTH_RULE = re.compile(r"pregnancy\s+test|contracept|birth\s+control|child[\s\-]?bearing|"
                         r"reproductive\s+potential|\b(?:WOCBP|FOCBP)\b", re.IGNORECASE)


def _beside(line: str, theirs: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``line[start:end]`` is one of the places of ``theirs`` (their condition's
    names), or offered beside one of them as an alternative: in a list with it ("ALS, PLS
    or PMA", "type 2 diabetes, hypertension and/or heart failure"), after "one of" before
    both, or as an example after theirs ("diabetes with complications such as
    neuropathy"). Not "ALS patients with a history of diabetes", nor "diabetes and ALS":
    those ask for both."""
    for low, high in theirs:
        if start < high and low < end:
            return True
        between = _BRACKETS.sub(" ", line[min(end, high):max(start, low)])
        if (_CHOICE_BEFORE.search(line, 0, min(start, low))
                or (start > high and _EXAMPLE.search(between))):
            return True
        if _ALL.search(between) or _BOTH.fullmatch(between):
            continue
        pieces = _JOINT.split(between)
        if all(len(piece.split()) <= _ITEM_WORDS for piece in pieces) and (
                "," in between or _OR.search(between) or not between.strip()):
            return True
    return False


def find_requirements(person: Finder | None, ids: Sequence[str], texts: Sequence[str],
                      listed: Sequence[str], *, diagnoses: bool = True, medicines: bool = True,
                      pregnancy: bool = False) -> dict[str, list[tuple[str, str]]]:
    """For each study of ``ids``: the diagnoses (unless ``diagnoses`` is False: the person
    gave no condition), medicines (unless ``medicines`` is False: they gave neither) and,
    with ``pregnancy`` (they did not say they are pregnant), the pregnancy its inclusion
    lines ask for that none of the person's terms (found by ``person``) answers, as (name,
    line), first come first. A study whose text and listed conditions another has already
    given is read once."""
    studies = list(zip(texts, listed, strict=True))
    unique = list(dict.fromkeys(studies))
    asked = dict(zip(unique, _asked(person, unique, (diagnoses, medicines, pregnancy)),
                     strict=True))
    out: dict[str, list[tuple[str, str]]] = {}
    for nct, study in zip(ids, studies, strict=True):
        for names, line in asked[study]:
            found = out.setdefault(nct, [])
            known = {key(name) for name, _ in found}
            for name in dict.fromkeys(names):
                if key(name) not in known:
                    found.append((name, line))
                    known.add(key(name))
    return out


def _asked(person: Finder | None, studies: Sequence[tuple[str, str]],
           ask: tuple[bool, bool, bool]) -> list[list[tuple[list[str], str]]]:
    """For each (text, listed conditions): its inclusion lines that ask for a diagnosis, a
    medicine or pregnancy (as ``ask`` says which) the person did not give, as (the names,
    line), in order."""
    ask_diagnoses, ask_medicines, ask_pregnancy = ask
    diagnoses = _diagnoses()
    lines: list[tuple[int, str]] = []
    group_of: list[int | None] = []  # a group of alternatives ("one of the following:")
    head_of: list[str] = []  # its parent line
    quote_of: list[str] = []  # the line it comes from: itself, or a choice written in one
    heads: dict[tuple[int, int], str] = {}  # the line a group's choice is quoted by
    own = [_own_conditions(listed) for _, listed in studies]
    for index, (text, _) in enumerate(studies):
        def asks(head: str, needles: list[tuple[str, str]] = own[index]) -> bool:
            low = head.lower()  # (a whole word: "Fictitia" is not in "fictitial")
            # (one short line: the quick pass, not an RE2 pass built for many lines)
            return diagnoses.keep(head) or any(
                re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", low) for _, needle in needles)
        kin = under_relatives(text)  # ("Family history:" over "- ALS": a relative's)
        for item, group, head, whole_line in inclusion_groups(text, asks):
            if kin and (item in kin or whole_line in kin):
                continue
            lines.append((index, item))
            group_of.append(group)
            head_of.append(head)
            quote_of.append(whole_line)
            if group is not None:
                heads[index, group] = whole_line if whole_line != item else head
    plain = [line for _, line in lines]
    theirs = person.lines_matching(plain) if person is not None else np.zeros(len(plain), bool)
    named = (diagnoses.lines_matching(plain) if ask_diagnoses
             else np.zeros(len(plain), dtype=bool))
    # the vocabulary's names of the person's own conditions: a line never asks them for these
    given = {entry.name for entry in (
        vocabulary().lookup(term.own, "condition") for term in (person.terms if person else ())
        if term.kind == "condition") if entry is not None}
    found: list[tuple[int, int | None, list[str], str]] = []
    answered: set[tuple[int, int]] = set()  # groups one of whose items names their condition
    diagnosed: dict[str, list[tuple[str, int, int]]] = {}
    medicines = every_name("medicine")
    taken = (medicines.lines_matching(plain) if ask_medicines
             else np.zeros(len(plain), dtype=bool))
    for j, (index, whole) in enumerate(lines):
        line = whole
        if taken[j] and ask_medicines:
            # "Taking riluzole for at least 30 days": a medicine they did not give
            needed, theirs_too = _medicines_asked(medicines, person, whole)
            group = group_of[j]
            if theirs_too and group is not None:
                answered.add((index, group))
            if needed:
                found.append((index, group, needed, quote_of[j]))
        mine = [o for o in person.occurrences(line)
                if not (o.reading.negated or o.reading.optional or o.reading.family)
                and person.terms[o.term].kind == "condition"
                and not QUALIFIER.match(line, o.end)] if theirs[j] and person else []
        if mine and head_of[j] and person is not None:
            # a condition the parent line names is what every alternative shares, no choice
            # of theirs ("pregnant women PLUS either of the following:" over "Gestational
            # diabetes diagnosed in current pregnancy")
            shared = {o.term for o in person.occurrences(head_of[j])}
            mine = [o for o in mine if o.term not in shared]
        theirs_at: list[tuple[int, int]] = []
        if mine and person is not None:
            # the line names one of their conditions: it asks for them, and, when it says
            # what must cause it ("Spasticity due to stroke"), for that cause as well
            line = _cause(whole, mine[0].end, person)
            if not line:
                group = group_of[j]
                if group is not None:
                    answered.add((index, group))
                # ... and for what else it names beside theirs, not offered as an
                # alternative to it ("ALS patients with a history of diabetes" asks someone
                # with diabetes for ALS; "ALS, PLS or PMA" asks someone with ALS for nothing)
                line, theirs_at = whole, [(o.start, o.end) for o in mine]
        # pregnancy, which nobody thinks to deny, asked of whoever did not say they are (not
        # by an alternative when the line offering the choice asks for it itself)
        pregnant = ask_pregnancy and requires_pregnancy(whole) and not (
            head_of[j] and requires_pregnancy(head_of[j]))
        asked: list[str] = []
        if not ask_diagnoses:
            if pregnant:
                found.append((index, group_of[j], [PREGNANCY], quote_of[j]))
            continue
        # (a rule on a pregnancy test or birth control asks for none of the study's own
        # listed conditions: "Negative pregnancy test within 30 days of surgery")
        if own[index] and not _BIRTH_RULE.search(whole):
            # the study's own name for it first: it is the more precise
            low = line.lower()
            hits = [(name, needle) for name, needle in own[index]
                    if needle in low and _positive_at(line, low, needle, theirs_at)]
            # "Back Pain" inside "low back pain" is the same ask: the longer name says it
            asked.extend(name for name, needle in hits
                         if not any(needle != other and needle in other for _, other in hits))
        if (named[j] or line != whole) and not asked:
            if line not in diagnosed:  # a line many studies share is read once
                # (nor what the line names as a risk: "at high risk of stroke")
                diagnosed[line] = [(diagnoses.terms[o.term].own, o.start, o.end)
                                   for o in diagnoses.occurrences(line)
                                   if not (o.reading.negated or o.reading.optional
                                           or o.reading.family or o.reading.exception
                                           or RISK_OF.search(line, max(0, o.start - 50),
                                                             o.start))]
            asked.extend(name for name, start, end in diagnosed[line] if name not in given
                         and not (theirs_at and _beside(line, theirs_at, start, end)))
        if pregnant:
            asked.append(PREGNANCY)
        if asked:
            found.append((index, group_of[j], asked, quote_of[j]))
    out: list[list[tuple[list[str], str]]] = [[] for _ in studies]
    # a group none of whose items is theirs asks for one of them: one entry, at its first
    # item's place, quoting its parent line
    choices: dict[tuple[int, int], list[str]] = {}
    for index, group, asked, whole in found:
        if group is None:
            out[index].append((asked, whole))
        elif (index, group) not in answered:
            if (index, group) not in choices:
                choices[index, group] = []
                out[index].append((choices[index, group], heads[index, group]))
            choices[index, group].extend(asked)
    chosen = {id(names) for names in choices.values()}
    for (index, _), names in choices.items():
        # (what a line of its own asks already is said there: "Followed for cancer care at
        # one of the following institutions:" over "* Fictional Cancer Center")
        known = {key(name) for asked, _ in out[index] if id(asked) not in chosen
                 for name in asked}
        fresh = [name for name in dict.fromkeys(names) if key(name) not in known]
        names[:] = [f"one of the alternatives they list ({', '.join(fresh)})"] if fresh else []
    return [[(asked, whole) for asked, whole in study if asked] for study in out]


# what says a medicine is taken now: "Taking riluzole", "on a stable dose of baclofen",
# "Previously treated with at least one DMARD", "Stable dose of prednisone"
_TAKING = re.compile(
    r"\b(?:taking|takes|on|receiving|received|treated\s+with|treatment\s+with|"
    r"therapy\s+with|using|uses|use\s+of|(?:stable|current|regular|daily|maintenance)\s+"
    r"(?:doses?|regimen|use)\s+of)\s+(?:[\w\-]+\s+){0,5}$", re.IGNORECASE)
# ... but not a medicine they may take, will start, or one choice of several: "Steroids are
# allowed", "If receiving Botox, ...", "about to start insulin", "or have been offered"
_NOT_ASKED = re.compile(
    r"\b(?:allowed|permitted|eligible|acceptable|may\s+(?:be\s+)?(?:included|enrolled|"
    r"continue|participate)|if|about\s+to|wish\w*\s+to|plan\w*\s+to|going\s+to|"
    r"scheduled\s+to|expected\s+to|intend\w*\s+to|initiat\w*|candidates?\s+for|offered|"
    r"must\s+(?:discontinue|stop))\b",
    re.IGNORECASE)


# ... nor one said with a cue that it need not be taken now: "For patients receiving
# anticoagulation: ...", "may be receiving corticosteroids", "6 months since receiving
# botulinum toxin", "not required to have received", "agrees not to start taking", "a
# maximum daily dose of 4 mg of dexamethasone" (a cap)
_NOT_TAKING = re.compile(
    r"\b(?:since|may|might|not\s+required|not\s+to|maximum|for\s+(?:those|patients|"
    r"participants|subjects|people|persons|individuals|women|men))\b", re.IGNORECASE)
# ... nor a rule for those who take it, said of who they are: "Subjects taking riluzole must be
# on a stable dose" (not "Patients must be taking riluzole": the rule comes after the name)
_WHO_TAKING = re.compile(
    r"\b(?:subjects?|patients?|participants?|those|people|persons?|individuals?|anyone)\s+"
    r"(?:who\s+(?:are|is|were)\s+(?:currently\s+|already\s+)?)?$", re.IGNORECASE)
_RULE_AFTER = re.compile(
    r"[^;.\n]{0,40}?\b(?:must|should|shall|will\s+need\s+to|need\s+to|needs\s+to|have\s+to|"
    r"has\s+to|(?:is|are)\s+required\s+to)\b", re.IGNORECASE)
# ... or one choice of several: "Untreated, or on antihypertensives", "diet alone or with oral
# antidiabetic agents"
_OR_BEFORE = re.compile(r"\b(?:or|either)\W+(?:[\w/\-]+\W+)?$", re.IGNORECASE)
# ... or one an exception earlier in the line speaks of: "INR <= 1.5 x ULN unless receiving
# anticoagulant therapy, as long as ... within the range of intended use of anticoagulants"
_EXCEPTING = re.compile(r"\b(?:unless|except)\b", re.IGNORECASE)
_CHOICE = re.compile(r"\b(?:or|either)\b", re.IGNORECASE)
# ... or a condition the medicine is part of: "opioid use disorder", "metformin-associated
# lactic acidosis"
_CONDITION_OF = re.compile(
    r"[\s\-]*(?:use\s+disorder|addiction|dependence|withdrawal|overdose|toxicity|allergy|"
    r"intolerance|associated|induced|related)\b", re.IGNORECASE)

# ... unless medicines for that condition are what is asked: "treated with medications for
# opioid use disorder"
_FOR_MEDICINE = re.compile(r"\b(?:medications?|medicines?|drugs?|pharmacotherapy)\s+for\s+$",
                           re.IGNORECASE)


def _medicines_asked(medicines: Finder, person: Finder | None, line: str
                     ) -> tuple[list[str], bool]:
    """The medicines an inclusion line asks them to take that none of theirs answers (by its
    names or its classes), and whether it names one of theirs."""
    mine = ([o for o in person.occurrences(line) if person.terms[o.term].kind == "medicine"
             and not (o.reading.negated or o.reading.stopped)] if person is not None else [])
    if mine:
        return [], True
    if _NOT_ASKED.search(line):
        return [], False
    out: list[str] = []
    for o in medicines.occurrences(line):
        r = o.reading
        if r.negated or r.stopped or r.optional or r.family or r.other:
            continue
        start = max(0, o.start - 60)
        taking = _TAKING.search(line, start, o.start)
        if (taking is None or (_CONDITION_OF.match(line, o.end)
                               and not _FOR_MEDICINE.search(line, start, o.start))
                or _EXCEPTING.search(line, 0, o.start)
                or _NOT_TAKING.search(line, max(0, taking.start() - 30), taking.start())
                or _NOT_TAKING.search(line, taking.start(), o.start)
                or (_WHO_TAKING.search(line, max(0, taking.start() - 40), taking.start())
                    and _RULE_AFTER.match(line, o.end))
                or _OR_BEFORE.search(line, start, taking.start())
                or _CHOICE.search(line, taking.start(), o.start)):
            continue
        out.append(medicines.terms[o.term].own)
    return list(dict.fromkeys(out)), False


# what a condition's name may be said to be caused by ("Spasticity due to stroke")
_CAUSE = re.compile(
    r"[\s,]*(?:\([^()]*\)\s*)?(?:[\w\-]+\s+){0,2}?(?:due\s+to|secondary\s+to|caused\s+by|"
    r"as\s+a\s+(?:result|consequence)\s+of|resulting\s+from|following|attributed\s+to|"
    r"attributable\s+to|because\s+of)\s", re.IGNORECASE)
_CLAUSE_END = re.compile(r";|\.\s|\n")


def _cause(line: str, at: int, person: Finder) -> str:
    """The words after a cause cue right after ``line[:at]`` (their condition's name), up to
    the clause's end: "" when there is none, or when those words name a condition of theirs
    ("Spasticity due to MS or stroke" for someone with MS)."""
    found = _CAUSE.match(line, at)
    if found is None:
        return ""
    end = _CLAUSE_END.search(line, found.end())
    tail = line[found.end():end.start() if end else len(line)]
    if any(person.terms[o.term].kind == "condition" for o in person.occurrences(tail)):
        return ""
    return tail
