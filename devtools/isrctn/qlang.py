"""The part of ISRCTN's ``q`` language the stand-in understands, over :class:`FictionalTrial`.

Words and quoted phrases (anywhere in the trial), ``field:word`` and ``field:"a phrase"``
(condition, intervention, title, recruitmentCountry, trialStatus), ``field GE|GT|LE|LT
<instant>`` (overallStartDate, overallEndDate, lastEdited), ``AND``, ``OR``, ``NOT`` and
parentheses; terms side by side are ORed, as ISRCTN does with plain words. Words match whole,
ignoring case and accents. ``overallStartDate`` is compared with the recruitment start (the
fictional records have no separate overall start). ``trialStatus`` is ISRCTN's overall status:
``stopped`` when an override says so, else ``ongoing`` until the overall end, then
``completed``. Anything else is a :class:`QueryError` (the stand-in answers 400).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from devtools.isrctn.records import FictionalTrial

__all__ = ["QueryError", "matcher"]

Predicate = Callable[[FictionalTrial], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|"(?P<phrase>[^"]*)"'
    r'|(?P<field>\w+):(?:"(?P<fphrase>[^"]*)"|(?P<fword>[^\s()"]+))'
    r"|(?P<cfield>\w+)\s+(?P<op>GE|GT|LE|LT)\s+(?P<when>[0-9T:.\-Z]+)"
    r'|(?P<word>[^\s()"]+))')
_TEXT_FIELDS = ("condition", "intervention", "title", "recruitmentCountry", "trialStatus")
_DATE_FIELDS = ("overallStartDate", "overallEndDate", "lastEdited")


class QueryError(ValueError):
    """A ``q`` the stand-in cannot read."""


def _fold(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"\w+", plain)


def _contains(texts: list[str], words: list[str]) -> bool:
    if not words:
        return False
    for text in texts:
        folded = _fold(text)
        for i in range(len(folded) - len(words) + 1):
            if folded[i:i + len(words)] == words:
                return True
    return False


def trial_status(t: FictionalTrial, today: date) -> str:
    if "stopped" in (t.status_override.lower(), t.overall_status_override.lower()):
        return "stopped"
    return "ongoing" if not t.overall_end or t.overall_end >= today.isoformat() else "completed"


def _texts(t: FictionalTrial, field: str | None, today: date) -> list[str]:
    by_field = {
        "condition": [t.condition],
        "intervention": [t.intervention, t.drug_names, t.intervention_type],
        "title": [t.title, "A fictional study: " + t.title],
        "recruitmentCountry": list(t.countries),
        "trialStatus": [trial_status(t, today)],
    }
    if field is not None:
        return by_field[field]
    every = [x for texts in by_field.values() for x in texts]
    return [*every, t.isrctn_id, t.nct, t.sponsor, t.funder, t.inclusion, t.exclusion,
            *(" ".join(c) for c in t.centres)]


def _compare(field: str, op: str, when: str) -> Predicate:
    day = when[:10]
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
        raise QueryError(f"bad date {when!r}")

    def value(t: FictionalTrial) -> str:
        return {"overallStartDate": t.recruitment_start, "overallEndDate": t.overall_end,
                "lastEdited": t.last_edited[:10]}[field]

    tests = {"GE": lambda v: v >= day, "GT": lambda v: v > day, "LE": lambda v: v <= day,
             "LT": lambda v: v < day}
    return lambda t: bool(value(t)) and tests[op](value(t))


class _Parser:
    def __init__(self, q: str, today: date) -> None:
        self.tokens = self._lex(q)
        self.at = 0
        self.today = today

    @staticmethod
    def _lex(q: str) -> list[re.Match[str]]:
        tokens, at = [], 0
        while at < len(q):
            if q[at:].strip() == "":
                break
            match = _TOKEN.match(q, at)
            if match is None or match.end() == at:
                raise QueryError(f"cannot read the query at {q[at:at + 20]!r}")
            tokens.append(match)
            at = match.end()
        return tokens

    def peek(self) -> re.Match[str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def word(self) -> str | None:
        token = self.peek()
        return token["word"] if token is not None else None

    def parse(self) -> Predicate:
        node = self.expr()
        if self.peek() is not None:
            raise QueryError("unbalanced parentheses")
        return node

    def expr(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek() is not None and self.peek()["close"] is None:  # type: ignore[index]
            if self.word() == "OR":
                self.at += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda t: any(p(t) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.word() == "AND":
            self.at += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda t: all(p(t) for p in parts))

    def unary(self) -> Predicate:
        if self.word() == "NOT":
            self.at += 1
            inner = self.unary()
            return lambda t: not inner(t)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.peek()
        if token is None or token["close"] is not None or token["word"] in ("AND", "OR"):
            raise QueryError("a term is missing")
        self.at += 1
        if token["open"] is not None:
            inner = self.expr()
            closing = self.peek()
            if closing is None or closing["close"] is None:
                raise QueryError("unbalanced parentheses")
            self.at += 1
            return inner
        if token["cfield"] is not None:
            if token["cfield"] not in _DATE_FIELDS:
                raise QueryError(f"unknown date field {token['cfield']!r}")
            return _compare(token["cfield"], token["op"], token["when"])
        field = token["field"]
        if field is not None and field not in _TEXT_FIELDS:
            raise QueryError(f"unknown field {field!r}")
        text = token["fphrase"] or token["fword"] or token["phrase"] or token["word"] or ""
        words, today = _fold(text), self.today
        return lambda t: _contains(_texts(t, field, today), words)


def matcher(q: str, today: date) -> Predicate:
    """A test for trials matching ``q`` (every trial for an empty ``q``)."""
    if not q.strip():
        return lambda t: True
    return _Parser(q, today).parse()
