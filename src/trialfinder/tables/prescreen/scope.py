"""How an eligibility line speaks of a name it holds: plainly, as an exception, as a negation,
as an option, or of someone else (a relative).

The rules read the clause the name sits in (a line cut at ";", at sentence ends and at inner
bullets, "(ii)" and "(b)" included) and, inside it, the brackets around the name:

* **exception**, for exclusion lines: the name comes after "except", "other than",
  "excluding", "apart from", "but not"; or its clause (or a bracket right after it) says
  "unless", "is allowed", "permitted", "may be included", "is not an exclusion", "stable dose",
  "well controlled" (not "not allowed", "poorly controlled"):
  "Uncontrolled hypertension (controlled hypertension is allowed)".
* **negated**, for inclusion lines: a cue shortly before the name ("no history of", "without",
  "free of", "absence of", "must not have", "non-", "other than", "off steroids for at least 7
  days") with no "but" between, or
  shortly after it ("-free", "excluded", "negative").
* **optional**: "with or without", "whether or not", "regardless of".
* **family**: "family history of", "first-degree relative", "parents of", "caregivers of";
  not when the line speaks of the person as well ("personal or family history of").
* **other**: "other", "another", "additional" just before the name ("any other neurological
  disease").
* **stopped**: a cue asking for it to be stopped first ("must stop", "discontinue",
  "washout of", "refrain from", "-naive"); **limited**: a dose or duration capped after it
  ("10 mg/day or less", "<= 7.5 mg"). The pre-screen reads these for medicines only.
* **allowance**: what an exception's cue after the name may narrow (see ``.allowances``).

They are plain word rules, tuned on real texts, not a parser: a first look, not a verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from trialfinder.tables.prescreen.kin import ends_relatives, speaks_of_self

__all__ = ["ODD_CASES", "QUALIFIER", "WHOLE_CUE_WORDS", "Reading", "clause_bounds", "folded",
           "holds", "may_hold", "read"]

_WINDOW_WORDS = 8  # a cue this many words before the name or nearer governs it

# Where a clause ends: ";", an inner bullet, a sentence end (not after "e.g." and the like).
# (an inner bullet is also a numbered part written inline: "..., or (iii) Heart failure")
# As written first: r";|\n|\s[-•·]\s+(?=[A-Z])|\s\*\s+|\s\((?:...)\)\s+(?=[A-Z])"; its
# first character taken out in front (one set) lets re skip to where a break may begin.
_INLINE_NUMBER = r"\((?:i{1,3}|iv|vi{0,3}|ix|x|[a-h]|\d{1,2})\)\s+(?=[A-Z])"
_HARD_BREAK = re.compile(r"[;\n\s](?:(?<=[;\n])|[-•·]\s+(?=[A-Z])|\*\s+|"
                         + _INLINE_NUMBER + ")")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_ABBREVIATIONS = frozenset({"e.g", "eg", "i.e", "ie", "etc", "vs", "approx", "incl", "no",
                            "dr", "st", "fig", "ca", "cf", "resp", "nr", "min", "max", "esp"})

_NEGATORS = re.compile(
    r"(?:\b(?:not|no|never|non|neither|nor|poorly)\b|n't)[\s\-]*(?:\w+[\s\-]+){0,2}$",
    re.IGNORECASE)
_AFTER_CUE = re.compile(
    r"\b(?:except(?:ing)?(?:\s+for)?|with\s+the\s+exception\s+of|other\s+than|excluding|"
    r"apart\s+from|aside\s+from|but\s+not(?!\s+limited)|besides)\b", re.IGNORECASE)
_WHOLE_CUE = re.compile(
    r"\b(?:unless|allowed|permitted|"
    r"(?:is|are|be|considered|deemed)\s+(?:acceptable|accepted)|"
    r"eligible(?!\s+(?:for|to)\b)|"
    r"(?:may|can|could|will)\s+(?:still\s+)?(?:be\s+)?(?:included|enrolled|enroll|participate|"
    r"take\s+part|enter|join)|"
    r"(?:is|are|will|shall)\s+not\s+(?:be\s+)?(?:excluded|an\s+exclusion)|"
    r"not\s+(?:an?\s+)?exclusion(?:ary)?|(?:do|does)\s+not\s+exclude|"
    r"(?:well|adequately|optimally|properly)[\s\-]+controlled|"
    r"(?:is|are|been|be|remains?|remained|clinically|medically|currently|considered)\s+stable|"
    r"stable\s+(?:dose|doses|dosage|dosing|regimen|treatment|therapy|for|on))\b",
    re.IGNORECASE)
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|without|never|nor|neither|none\s+of|free\s+(?:of|from)|absence\s+of|absent|"
    r"negative\s+(?:for|history\s+of)|lack\s+of|lacking|denies|denied|rule[sd]?\s+out|"
    r"exclusion\s+of|excluding|except(?:ing)?(?:\s+for)?|other\s+than|apart\s+from|"
    r"aside\s+from|(?:must|should|will|shall|does|do|did|may|can|could)\s+not|cannot|"
    r"(?<!cut\s)off(?![\-\w])|"
    r"can't|don't|doesn't|didn't|(?:has|have|had)\s+not|hasn't|haven't|hadn't|"
    r"not\s+(?:have|has|had|having|be|being|been|taking|take|takes|using|use|receiving|"
    r"receive|received|requiring|require|undergoing|treated|on|currently|previously|"
    r"diagnosed|suffer\w*|known|with|a|any|history|experienced?))\b",
    re.IGNORECASE)
# a list of examples after a negation: "Not taking any medicine such as analgesics, sedatives
# or muscle relaxants" (the cue governs the list, however long the words before it)
_LIST_HEAD = re.compile(r"\b(?:such\s+as|including|e\.\s?g\.?|for\s+example|like)\W",
                        re.IGNORECASE)
_NOT_NEGATION = re.compile(
    r"^no\s+(?:more|less|later|earlier|longer|sooner|greater|fewer|change|changes|dose|"
    r"modification|adjustment)\b", re.IGNORECASE)
_NON_PREFIX = re.compile(r"\bnon[\s\-]?$", re.IGNORECASE)
# "not" right before the name, or before a short list holding it: "Not pregnant or nursing"
_NOT_LIST = re.compile(r"\bnot\s+(?:[\w\-]+\s*(?:,|/|\bor\b|\bnor\b|\band\b)\s*){0,3}$",
                       re.IGNORECASE)
# a bracket that gives examples of what the words before it name: "No serious illness (e.g.
# diabetes)"; a negation before the bracket governs its names
_EXAMPLES = re.compile(r"^\W*(?:e\.?\s?g\b|i\.?\s?e\b|such\s+as|including|includes|like|"
                       r"for\s+example|for\s+instance|especially|in\s+particular)",
                       re.IGNORECASE)
_NEGATION_AFTER = re.compile(
    r"^[\s\-]*(?:free|negative|(?:(?:is|are|must\s+be|should\s+be|will\s+be|to\s+be|be)\s+)?"
    r"(?:excluded|ruled\s+out|absent|prohibited|forbidden|disallowed|"
    r"not\s+(?:allowed|permitted|present|eligible)))\b",
    re.IGNORECASE)
_BREAKER = re.compile(r"\b(?:but|however|although|though|whereas|yet|instead)\b",
                      re.IGNORECASE)
_OPTIONAL = re.compile(
    r"\b(?:with\s*(?:or|and|/)\s*without|whether\s+or\s+not|regardless\s+of|irrespective\s+of|"
    r"independent(?:ly)?\s+of)\b", re.IGNORECASE)
_FAMILY = re.compile(
    r"\b(?:family\s+(?:history|members?)|relatives?|first[\s\-]degree|second[\s\-]degree|"
    r"parents?\s+of|siblings?|mother|father|offspring|children\s+of|household\s+contacts?|"
    r"caregivers?|carers?|spouses?)\b", re.IGNORECASE)
# (not across a comma or a stop: "No history of heart disease, absence of family history")
_FAMILY_AFTER = re.compile(
    r"^[^\w,;.]*(?:\w+[^\w,;.]+){0,3}?(?:in|among|of)\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+)?"
    r"(?:first[\s\-]degree|second[\s\-]degree|family|relatives?|parents?|siblings?)\b",
    re.IGNORECASE)
_OTHER = re.compile(r"\b(?:other|another|additional|further)\b(?:\W+\w+){0,2}\W*$",
                    re.IGNORECASE)
# nouns that a condition's name qualifies: "no diabetic retinopathy" denies the retinopathy
_HEAD_AFTER = re.compile(
    r"^[\s\-]*(?:related\s+|associated\s+)?(?:complications?|technolog\w*|ketoacidosis|DKA|"
    r"retinopathy|neuropathy|nephropathy|macular|foot|feet|tissues?|ulcers?|wounds?|medications?|"
    r"medicines?|drugs?|agents?|therapy|therapies|treatments?|education|management|clinics?|"
    r"care|devices?|programs?|programmes?|distress|eyes?|camps?|teams?|services?|"
    r"self[\s\-]management|relapses?|attacks?|exacerbations?|flares?|crisis|crises)\b",
    re.IGNORECASE)
# a medicine to stop before the study ("must stop NSAIDs 7 days before", "a washout of
# baclofen", "steroid-naive"), and a limit on its dose ("prednisone 10 mg/day or less")
_STOP_BEFORE = re.compile(
    r"\b(?:stop(?:s|ped|ping)?|discontinu\w*|withdraw\w*|wash[\s\-]?out(?:\s+(?:of|from))?|"
    r"taper\w*|ceas\w*|abstain\w*|refrain\w*|avoid\w*|prohibit\w*|forbid\w*|disallow\w*|"
    r"naive\s+to|na\u00efve\s+to)\b", re.IGNORECASE)
_STOP_WORDS = ("stop", "discontinu", "withdraw", "wash", "taper", "ceas", "abstain",
               "refrain", "avoid", "prohibit", "forbid", "disallow", "naive", "na\u00efve")
_STOP_AFTER = re.compile(r"^[\s\-]*(?:naive|na\u00efve)\b", re.IGNORECASE)
_QUANTITY = (r"(?:\d+(?:[.,]\d+)?|\b(?:one|two|three|four|five|six|seven|eight|ten|twelve))"
             r"\s*(?:mg|mcg|\u00b5g|\u03bcg|g|iu|units?|u|ml|days?|weeks?|"
             r"months?|hours?|doses?)\b")
_LIMIT = re.compile(
    r"(?:(?:\u2264|=?\\?<=?|\b(?:no|not)\s+more\s+than|\bnot\s+(?:to\s+)?exceed\w*|"
    r"\bat\s+most|\bmaximum(?:\s+of)?|\bmax\.?|\bup\s+to)\s*" + _QUANTITY
    + r"|" + _QUANTITY + r"(?:\s*/\s*\w+)?\s+or\s+(?:less|lower|fewer)\b)", re.IGNORECASE)
# what a stop cue says of something new, not of what they take: "refrain from starting new"
_NOT_STOP = re.compile(r"\b(?:start\w*|initiat\w*|begin\w*|new|add\w*|chang\w*|increas\w*)\b",
                       re.IGNORECASE)
_WORD = re.compile(r"\w+")
# a name right before these words is only the cause of another condition: "connective tissue
# disease-associated lung disease", "pregnancy-associated hypertension"
QUALIFIER = re.compile(r"[\s\-]*(?:associated|related|induced|mediated|secondary)\b",
                       re.IGNORECASE)
_OPEN = "([{"
_BRACKET = re.compile(r"[()\[\]{}]")


@dataclass(frozen=True, slots=True)
class Reading:
    """How a line speaks of one occurrence of a name."""

    exception: bool = False
    negated: bool = False
    optional: bool = False
    family: bool = False
    other: bool = False  # "other neurological disease": besides the one the study is about
    modifier: bool = False  # "diabetic retinopathy", "diabetes technology": a word before a noun
    # what an exception's cue may narrow, when a cue in the clause or a bracket right after
    # the name makes it (not "except", "other than" before it): the clause after the name and
    # those brackets ("steroids, unless topical": ", unless topical")
    allowance: str = ""
    stopped: bool = False  # asked to stop it first: "must stop NSAIDs 7 days before", "-naive"
    limited: bool = False  # a dose limit after it: "prednisone 10 mg/day or less"


def _word_before(line: str, at: int) -> str:
    """The last word of ``line[:at]`` once its closing ``.!?`` are taken off (what
    ``line[:at].rstrip(".!?").rsplit(None, 1)[-1]`` gives, or ``""``), read backwards from
    ``at``: a long line with many sentences is not copied and split once for each of them."""
    end = at
    while end and line[end - 1] in ".!?":
        end -= 1
    while end and line[end - 1].isspace():
        end -= 1
    start = end
    while start and not line[start - 1].isspace():
        start -= 1
    return line[start:end]


def _sentence_ends(line: str) -> list[int]:
    ends: list[int] = []
    if "." not in line and "!" not in line and "?" not in line:
        return ends  # no sentence ends without a stop (the pattern's look-behind needs one)
    for found in _SENTENCE.finditer(line):
        word = _word_before(line, found.start()).lower().lstrip("([")
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        ends.append(found.start())
    return ends


@lru_cache(maxsize=256)
def _cuts(line: str) -> tuple[int, ...]:
    return tuple(m.start() for m in _HARD_BREAK.finditer(line)) + tuple(_sentence_ends(line))


def clause_bounds(line: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``line`` around ``line[start:end]``: cut at ";", a line break, an inner
    bullet and a sentence end."""
    cuts = _cuts(line)
    low = max((c for c in cuts if c < start), default=-1) + 1
    high = min((c for c in cuts if c >= end), default=len(line))
    return low, high


def _brackets(text: str) -> list[tuple[int, int]]:
    """(open, close) of each bracket pair of ``text``; an unclosed one runs to the end."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for found in _BRACKET.finditer(text):
        if found.group() in _OPEN:
            stack.append(found.start())
        elif stack:
            pairs.append((stack.pop(), found.start()))
    pairs.extend((i, len(text)) for i in stack)
    return pairs


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _cue_unnegated(text: str, found: re.Match[str]) -> bool:
    return _NEGATORS.search(text[: found.start()]) is None


# a word every match of a pattern holds (in lower case): a text holding none has no match
WHOLE_CUE_WORDS = ("unless", "allowed", "permitted", "accept", "eligible", "included",
                   "enrol", "participate", "take", "enter", "join", "exclu", "controlled",
                   "stable")
_AFTER_CUE_WORDS = ("except", "other", "exclu", "apart", "aside", "but", "besides")
_OPTIONAL_WORDS = ("without", "whether", "regardless", "irrespective", "independent")
_FAMILY_WORDS = ("family", "relative", "degree", "parent", "sibling", "mother", "father",
                 "offspring", "children", "household", "caregiver", "carer", "spouse")
_OTHER_WORDS = ("other", "additional", "further")
# (and of _NON_PREFIX, _NOT_LIST and _NEGATION_BEFORE: "no" is in "non", "not", "nor",
# "none", "cannot")
_LIST_HEAD_WORDS = ("such", "including", "e.", "example", "like")
_NEGATION_WORDS = ("no", "without", "never", "neither", "free", "absen", "negative", "lack",
                   "deni", "rule", "exclu", "except", "other", "apart", "aside", "n't", "off")
# the letters re's IGNORECASE reads as an ASCII one that str.lower() does not make it
ODD_CASES = ("\u0131", "\u017f", "\u0130")  # dotless i, long s, dotted capital I


def folded(text: str) -> str | None:
    """``text`` in lower case for :func:`holds`; None when it holds a letter of
    :data:`ODD_CASES` (then it may hold any word)."""
    if text.isascii():  # (a flag Python keeps: no look at the text)
        return text.lower()
    return None if any(odd in text for odd in ODD_CASES) else text.lower()


def holds(low: str | None, words: tuple[str, ...]) -> bool:
    """False only when the text folded to ``low`` holds none of ``words`` (lower case ASCII)
    in any case, as ``re.IGNORECASE`` reads it: a quick test before a pattern needing one."""
    return low is None or any(word in low for word in words)


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """:func:`holds` for ``text`` itself."""
    return holds(folded(text), words)


@lru_cache(maxsize=256)
def _has_whole_cue(text: str) -> bool:
    return may_hold(text, WHOLE_CUE_WORDS) and any(
        _cue_unnegated(text, m) for m in _WHOLE_CUE.finditer(text))


def _last_cue(pattern: re.Pattern[str], before: str) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``before`` close enough to govern what follows."""
    last = None
    for found in pattern.finditer(before):
        last = found
    if last is None or _words(before[last.end():]) > _WINDOW_WORDS:
        return None
    return last


def _listing_cue(before: str) -> re.Match[str] | None:
    """A negation cue too far from the name that heads a list of examples holding it: the
    cue near the list's head, the name in the list (no sentence between)."""
    heads = list(_LIST_HEAD.finditer(before))
    if not heads or _words(before[heads[-1].end():]) > _WINDOW_WORDS:
        return None
    head = heads[-1]
    return _last_cue(_NEGATION_BEFORE, before[: head.start()])


def _negated(before: str, after: str, lower: str | None) -> bool:
    """Whether a cue negates the name between ``before`` and ``after`` (``lower``:
    ``folded(before)``)."""
    if not holds(lower, _NEGATION_WORDS):  # no cue before the name: only one after it
        return _NEGATION_AFTER.match(after) is not None
    if _NON_PREFIX.search(before) or _NOT_LIST.search(before):
        return True
    if _NEGATION_AFTER.match(after):
        return True
    cue = _last_cue(_NEGATION_BEFORE, before) or (
        _listing_cue(before) if holds(lower, _LIST_HEAD_WORDS) else None)
    if cue is None or _NOT_NEGATION.match(before[cue.start():]):
        return False
    if cue.group(0).lower() == "without" and re.search(r"\bwith\s*(?:or|and|/)\s*$",
                                                        before[: cue.start()], re.I):
        return False
    if _AFTER_CUE.match(before, cue.start()) and _NEGATION_BEFORE.search(before[: cue.start()]):
        return False  # "without other disease except diabetes": a double negation
    return _BREAKER.search(before[cue.end():]) is None


def _stopped(before: str, after: str, lower: str | None) -> bool:
    """Whether a cue asks for the name to be stopped first (``lower``: ``folded(before)``)."""
    if _STOP_AFTER.match(after):
        return True
    cue = _last_cue(_STOP_BEFORE, before) if holds(lower, _STOP_WORDS) else None
    return cue is not None and _BREAKER.search(before[cue.end():]) is None and (
        _NOT_STOP.search(before[cue.end():]) is None)


def _family(before: str, after: str, lower: str | None) -> bool:
    """Whether a cue makes the name a relative's (``lower``: ``folded(before)``)."""
    if _FAMILY_AFTER.match(after) is not None:
        return True
    cue = _last_cue(_FAMILY, before) if holds(lower, _FAMILY_WORDS) else None
    # (not a relative's phrase closed before the name: "sudden death in first-degree
    # relatives, serious hypokalemia")
    return cue is not None and not ends_relatives(before, cue.end())


def read(line: str, start: int, end: int) -> Reading:
    """How ``line`` speaks of the name at ``line[start:end]``."""
    low, high = clause_bounds(line, start, end)
    clause = line[low:high]
    s, e = start - low, end - low
    pairs = _brackets(clause)
    inner = [(o, c) for o, c in pairs if o < s and c >= e]
    outer_negated = False
    if inner:
        o, c = max(inner)  # the innermost pair around the name
        if o > 0 and clause[o + 1:c].strip() == clause[s:e]:
            # a bracket holding only the name is another name of the words before it ("with
            # or without low back pain (LBP)"): it is read as they are
            return read(line, low + o, min(low + c + 1, high))
        if _EXAMPLES.match(clause[o + 1:c]) and not any(a < o < b for a, b in pairs):
            outer_negated = _negated(clause[:o], "", folded(clause[:o]))
        chars = list(clause[o + 1:c])
        s, e = s - o - 1, e - o - 1
        shift = o + 1
        others = [(a - shift, b - shift) for a, b in pairs if a > o and b < c and not
                  (a < s + shift and b >= e + shift)]
    else:
        chars = list(clause)
        shift = 0
        others = [(a, b) for a, b in pairs if not (a < s and b >= e)]
    following = []
    for a, b in others:  # blank out other brackets, keeping those right after the name
        if a >= e and _words("".join(chars[e:a])) <= 3:
            following.append("".join(chars[a + 1:b]))
        first, last = max(a, 0), min(b + 1, len(chars))
        if first < last:
            chars[first:last] = " " * (last - first)  # one slice, not a step per character
    scope = "".join(chars)
    before, after = scope[:s], scope[e:]
    lower = folded(before)  # each pattern below runs only where a word it needs is there
    by_name = holds(lower, _AFTER_CUE_WORDS) and _AFTER_CUE.search(before) is not None
    allowing = [text for text in following if _has_whole_cue(text)]
    exception = by_name or _has_whole_cue(scope) or bool(allowing)
    return Reading(
        exception=exception,
        # (a cue before the name allows the name itself: "unless on a stable dose of x")
        allowance=(" ".join([after, *following])
                   if not by_name and (allowing or _has_whole_cue(after)) else ""),
        stopped=_stopped(before, after, lower),
        limited=any(_LIMIT.search(text) is not None for text in (after, *following)),
        negated=_negated(before, after, lower) or outer_negated,
        optional=holds(lower, _OPTIONAL_WORDS) and _last_cue(_OPTIONAL, before) is not None,
        family=_family(before, after, lower) and not speaks_of_self(scope),
        other=holds(lower, _OTHER_WORDS) and _OTHER.search(before) is not None,
        modifier=_HEAD_AFTER.match(after) is not None,
    )
