"""Inclusion items that are alternatives: the sub-items of "Diagnosis of one of the
following:". Someone whose condition one of them names need not have the others, so the
pre-screen does not ask them for those.

The items under such a parent are those indented below it; or, in a flat list, the short
items right after it written with the same bullet ("* ALS", "* MS" up to "2. Age 18 or
over"), or the two items right after a parent offering "either of the following", however
long. A parent may end with a colon or with "of the following" ("pregnant women PLUS
(either of the following)").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from trialfinder.tables.criteriaheads import BULLET
from trialfinder.tables.eligibility import item_text, sectioned_parts
from trialfinder.tables.prescreen.scope import read
from trialfinder.tables.prescreen.sublists import indent

__all__ = ["RISK_OF", "inclusion_groups"]

# a parent offering a choice (not "all of the following")
_ONE_OF = re.compile(r"\b(?:(?:any|either|one|1)(?:\s+or\s+more)?|at\s+least\s+(?:one|1))"
                     r"\s+of\b", re.IGNORECASE)
# ... or, before a colon in the line itself, examples or a choice without "of" ("risk factors,
# which may include: ...", "at least one vascular disease: ...")
_INLINE_HEAD = re.compile(r"(?:\b(?:includ\w*|such\s+as|e\.\s?g\.?|for\s+example)|\bat\s+"
                          r"least\s+(?:one|1)\b[^:]{0,60})\W*$", re.IGNORECASE)
# the items of a list after it: "diabetes, hypertension, or epilepsy" (not the "or" of "with
# or without")
_PIECES = re.compile(r"\s*[;,]\s*(?:(?:or|and/or|and)\s+)?|(?<!\bwith)\s+(?:or|and/or)\s+"
                     r"(?!without)", re.IGNORECASE)
# ... ending the line (the colon's place)
_HEAD_END = re.compile(r"(?::|\bof\s+the\s+following\W*)$", re.IGNORECASE)
_EITHER = re.compile(r"\beither\s+of\b", re.IGNORECASE)
_SHORT = 8  # words: longer flat items are requirements of their own


def _bullet(line: str) -> str:
    """The kind of a line's bullet: "*", "-", "1." as "9.", "a." as "a.", "" for none."""
    found = BULLET.match(line)
    if found is None:
        head = re.match(r"\s*\(?([a-zA-Z])[.)]\s", line)
        return "a." if head else ""
    mark = found.group().strip()
    return re.sub(r"\d+", "9", mark)


def _inline(item: str, asks: Callable[[str], bool]) -> tuple[str, list[str]] | None:
    """A choice written in one line, after a colon: its words before the colon and the
    items after it ("Any of: diabetes, hypertension, or epilepsy"), or None; or, without a
    colon, the examples after "such as", "including" or "e.g." ("Risk factors such as
    obesity, hypertension or diabetes", "a risk factor (e.g. obesity, diabetes)")."""
    for colon in re.finditer(r":\s+", item):
        head = item[:colon.start()]
        if not (_ONE_OF.search(head) or _INLINE_HEAD.search(head)):
            continue
        return _pieces(head + ":", item[colon.end():])
    cue = _EXAMPLES.search(item)
    if cue is None or ":" in item[cue.end():]:
        return None
    # examples of a condition the words before them ask for are kinds or causes of it, no
    # choice and nothing more to ask: "erectile dysfunction of any cause (e.g. after prostate
    # cancer surgery)" asks for erectile dysfunction only
    if asks(item[:cue.start()]) and not _risk_of(item[:cue.start()]):
        return item[:cue.start()].rstrip(" ,(["), []
    rest = item[cue.end():]
    if "(" in item[:cue.start()][-3:]:  # "(e.g. a, b)": the list ends with its bracket
        rest = rest.split(")", 1)[0]
    # "including a and b" may ask for both: a choice only when it says "or"
    if cue.group().lower().startswith("including") and not re.search(r"\bor\b", rest, re.I):
        return None
    return _pieces(item[:cue.end()].rstrip(), rest)


# what a condition is named as the risk of: "a risk factor for heart disease", "at high risk of
# stroke", "at risk for developing diabetes" (what is asked are the risk factors, not it)
RISK_OF = re.compile(r"\brisks?\s+(?:factors?\s+)?(?:of|for)\s+(?:(?:developing|having|getting|"
                     r"an?|the)\s+)?$", re.IGNORECASE)
_RISK_HEAD = re.compile(r"\brisks?\s+(?:factors?\s+)?(?:of|for)\s+(?:[\w\-]+\s+){0,5}?[\w\-]+"
                        r"\W*$", re.IGNORECASE)


def _risk_of(head: str) -> bool:
    """Whether the words before examples end with what they are the risk of ("a risk
    factor for heart disease, such as ..."): the examples are the risk factors."""
    return "risk" in head.lower() and _RISK_HEAD.search(head) is not None


# examples written without a colon
_EXAMPLES = re.compile(r"\b(?:such\s+as|including|e\.\s?g\.|for\s+example,?)\s+", re.IGNORECASE)


def _pieces(head: str, listed: str) -> tuple[str, list[str]] | None:
    # a list its head denies is no choice ("No contraindication such as pregnancy or
    # bowel disease"): read whole, its names stay denied
    probe = f"{head.rstrip(':')} x"
    if read(probe, len(probe) - 1, len(probe)).negated:
        return None
    pieces = [piece.strip(" .;()[]") for piece in _PIECES.split(listed)]
    pieces = [piece for piece in pieces if piece]
    return (head, pieces) if len(pieces) > 1 else None


def inclusion_groups(text: str, asks: Callable[[str], bool] = lambda _: False
                     ) -> list[tuple[str, int | None, str, str]]:
    """The inclusion items of an eligibility text (as :func:`.finder.inclusion_lines` gives
    them), each with the number of the group of alternatives it belongs to, or None, that
    group's parent line ("" for none), and the line it comes from (itself, but for the items
    of a choice written in one line: "Any of: diabetes, hypertension, or epilepsy" gives
    "Any of:", then "diabetes", "hypertension" and "epilepsy" as a group whose parent is
    "Any of:", each from that line)."""
    out: list[tuple[str, int | None, str, str]] = []
    groups = 0
    parent: tuple[int, int] | None = None  # (group, indent) of an open "one of" parent
    head = ""  # its line
    either, pair = False, 0  # a parent offering two: the items still to take
    mode = ""  # how its items are written: "indent", "flat" (with bullet ``flat``)
    flat = ""
    for section, kind, part in sectioned_parts(text):
        if section != "inclusion":
            parent = None
            continue
        lines = part.split("\n") if kind == "block" else [part]
        for line in lines:
            item = item_text(line, kind == "rest")
            if not item or item.startswith("<!--"):
                continue
            group = None
            if parent is not None and kind == "block":
                number, depth = parent
                if not mode:
                    mode, flat = ("indent", "") if indent(line) > depth else (
                        "flat", _bullet(line))
                # (after "either of the following", its two items, however long)
                short = pair > 0 if either else len(item.split()) <= _SHORT
                if (indent(line) > depth if mode == "indent"
                        else _bullet(line) == flat and short):
                    group = number
                    pair -= 1
                else:
                    parent = None
            inline = _inline(item, asks) if group is None else None
            if inline is not None:
                groups += 1
                out.append((inline[0], None, "", item))
                out.extend((piece, groups, inline[0], item) for piece in inline[1])
            else:
                out.append((item, group, head if group is not None else "", item))
            if _HEAD_END.search(item) and _ONE_OF.search(item):
                groups += 1
                parent, mode, head = (groups, indent(line)), "", item
                either = _EITHER.search(item) is not None
                pair = 2
            elif kind != "block":
                parent = None
    return out
