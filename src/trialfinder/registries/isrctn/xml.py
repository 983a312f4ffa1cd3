"""ISRCTN's XML answers, read safely, into :class:`~.model.IsrctnTrial` values.

An answer is ``<allTrials xmlns="http://www.67bricks.com/isrctn" totalCount="N">`` holding one
``<fullTrial>`` per trial (``trial`` plus the ``contact``, ``sponsor`` and ``funder``
elements its ``parties`` refer to by id). Every byte of it is hostile until read:

- **Size first.** A body over the cap is refused before a byte is parsed.
- **No DTD, no entities.** defusedxml's parser refuses a document type declaration, entity
  declarations and external references outright, so "billion laughs" cannot expand and an
  external entity can never read a local file or reach the network. ISRCTN sends none of them.
- **Bounded trees.** The answer is read as a stream (``iterparse``); each ``fullTrial`` is
  turned into plain values and dropped before the next is read, a trial of more than
  :data:`MAX_ELEMENTS_PER_TRIAL` elements or nesting deeper than :data:`MAX_DEPTH` stops the
  parse, so a small body cannot become a huge tree.
- **The right document.** The root must be ``allTrials`` in ISRCTN's namespace with a whole
  ``totalCount``; anything else is one clear :class:`~trialfinder.core.errors.SchemaError`.
- **A bad record costs that record; a bad value costs that value.** A ``fullTrial`` without a
  usable id (or repeating an id already read) is skipped and counted; a date, number, flag or
  age that cannot be read is ``None`` and counted in ``problems`` (``bad_date:recruitmentEnd``).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from functools import cache
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from trialfinder.core.errors import SchemaError
from trialfinder.registries.isrctn.ids import is_isrctn_id
from trialfinder.registries.isrctn.model import (
    AgeLimit,
    Centre,
    Condition,
    ContactPerson,
    Intervention,
    IsrctnTrial,
    Organisation,
    ParsedAnswer,
    SecondaryNumber,
)

__all__ = [
    "FICTIONAL_MARK",
    "FICTIONAL_NAMESPACE",
    "MAX_DEPTH",
    "MAX_ELEMENTS_PER_TRIAL",
    "NAMESPACE",
    "parse_answer",
    "read_trial",
]

NAMESPACE: Final = "http://www.67bricks.com/isrctn"
_Q: Final = f"{{{NAMESPACE}}}"
#: The namespace of trialfinder's own mark: a name under ``.invalid``, which can name no real
#: site, so ISRCTN never writes it.
FICTIONAL_NAMESPACE: Final = "https://trialfinder.invalid/fictional"
#: The attribute of ``<trial>`` that declares the trial invented (value ``true``): put on every
#: trial by trialfinder's stand-in (``devtools/isrctn``), never sent by ISRCTN.
FICTIONAL_MARK: Final = f"{{{FICTIONAL_NAMESPACE}}}fictional"
#: Elements one ``fullTrial`` may hold (a real one holds a few hundred; a trial with 500
#: centres about 4,000).
MAX_ELEMENTS_PER_TRIAL: Final = 20_000
#: Nesting deeper than this is no ISRCTN answer (real ones reach 6).
MAX_DEPTH: Final = 32
#: The default cap on an answer's size, in bytes (``Settings.max_body_bytes`` is the usual one).
DEFAULT_MAX_BYTES: Final = 64_000_000

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T[0-9:.]{0,30}(?:Z|[+-][0-9:]+)?)?")
_AGE_TEXT: Final = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)")
_INT: Final = re.compile(r"[0-9]{1,9}")


def parse_answer(content: bytes, *, source: str = "the ISRCTN answer",
                 max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedAnswer:
    """Read one answer of ``/api/query/format/default``; see the module docstring for what is
    refused (:class:`SchemaError`, one line) and what is skipped or counted."""
    if not isinstance(content, bytes | bytearray):
        raise SchemaError(f"{source} is not bytes but {type(content).__name__}")
    if len(content) > max_bytes:
        raise SchemaError(f"{source} is {len(content):,} bytes, more than the cap of "
                          f"{max_bytes:,}; refused before parsing")
    problems: Counter[str] = Counter()
    trials: list[IsrctnTrial] = []
    seen: set[str] = set()
    skipped = 0
    total: int | None = None
    root: Element | None = None
    depth = 0
    elements = 0
    try:
        events = iterparse(io.BytesIO(content), events=("start", "end"), forbid_dtd=True,
                           forbid_entities=True, forbid_external=True)
        for event, element in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    total = _check_root(element, source)
                    continue
                if depth > MAX_DEPTH:
                    raise SchemaError(f"{source} nests elements more than {MAX_DEPTH} deep; "
                                      "no ISRCTN record does")
                elements += 1
                if elements > MAX_ELEMENTS_PER_TRIAL:
                    raise SchemaError(f"{source} has a trial of more than "
                                      f"{MAX_ELEMENTS_PER_TRIAL:,} elements; refused")
                continue
            depth -= 1
            if depth != 1 or root is None:
                continue
            elements = 0
            if element.tag == _Q + "fullTrial":
                trial, problem = read_trial(element)
                if trial is None or trial.isrctn_id in seen:
                    skipped += 1
                    problems[problem or "duplicate_id"] += 1
                else:
                    seen.add(trial.isrctn_id)
                    trials.append(trial)
                    problems.update(trial.problems)
            else:
                problems[f"unexpected_element:{_local(element.tag)[:40]}"] += 1
            root.remove(element)
    except DefusedXmlException as exc:
        raise SchemaError(
            f"{source} declares a DTD or entities ({type(exc).__name__}); ISRCTN never sends "
            "them, and they could expand without bound or read local files: refused unparsed"
        ) from None
    except ParseError as exc:
        raise SchemaError(f"{source} is not well-formed XML: {exc}") from None
    except (ValueError, LookupError) as exc:  # odd encodings, absurd numbers
        raise SchemaError(f"{source} cannot be read as XML: {str(exc)[:200]}") from None
    if root is None or total is None:
        raise SchemaError(f"{source} is empty")
    return ParsedAnswer(total_count=total, trials=tuple(trials), skipped=skipped,
                        problems=dict(problems))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _check_root(root: Element, source: str) -> int:
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "allTrials":
        raise SchemaError(f"{source} is not an ISRCTN answer: its root element is "
                          f"{_local(root.tag)[:60]!r}, not 'allTrials'")
    if namespace != NAMESPACE:
        shown = repr(namespace[:80]) if namespace else "no namespace"
        raise SchemaError(f"{source} is in {shown}, not ISRCTN's namespace {NAMESPACE}; "
                          "refused rather than guessed at")
    raw = (root.get("totalCount") or "").strip()
    if not _INT.fullmatch(raw):
        raise SchemaError(f"{source} has no whole totalCount (got {raw[:40]!r})")
    return int(raw)


# -- one fullTrial ---------------------------------------------------------------------------


class _Reader:
    """Reads values under one element, noting values it could not use."""

    def __init__(self, trial: Element) -> None:
        self.trial = trial
        self.problems: list[str] = []

    def node(self, path: str, under: Element | None = None) -> Element | None:
        base = self.trial if under is None else under
        return base.find(_qualified(path))

    def nodes(self, path: str, under: Element | None = None) -> list[Element]:
        base = self.trial if under is None else under
        return base.findall(_qualified(path))

    def text(self, path: str, under: Element | None = None) -> str | None:
        found = self.node(path, under)
        return _text_of(found)

    def texts(self, path: str) -> tuple[str, ...]:
        return tuple(t for t in (_text_of(n) for n in self.nodes(path)) if t)

    def as_date(self, raw: str | None, label: str) -> date | None:
        """``raw`` as a date (``None`` when absent; counted as ``bad_date:label`` when bad)."""
        if not raw:
            return None
        match = _DATE.fullmatch(raw)
        try:
            if match is None:
                raise ValueError(raw)
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.problems.append(f"bad_date:{label}")
            return None

    def date(self, path: str) -> date | None:
        return self.as_date(self.text(path), path.rpartition("/")[2])

    def flag(self, path: str) -> bool | None:
        raw = self.text(path)
        if raw is None:
            return None
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        self.problems.append(f"bad_flag:{path.rpartition('/')[2]}")
        return None

    def number(self, path: str) -> int | None:
        return self.as_number(self.text(path), path.rpartition("/")[2])

    def as_number(self, raw: str | None, label: str) -> int | None:
        """``raw`` as a whole number (``None`` when absent; ``bad_number:label`` when bad)."""
        if not raw:
            return None
        if _INT.fullmatch(raw):
            return int(raw)
        self.problems.append(f"bad_number:{label}")
        return None

    def age(self, path: str) -> AgeLimit | None:
        found = self.node(path)
        if found is None:
            return None
        text = _text_of(found) or ""
        unit, value = (found.get("unit") or "").strip(), (found.get("value") or "").strip()
        if not unit and not value and not text:
            return None
        match = _AGE_TEXT.fullmatch(text) if text else None
        if not (unit and value) and match:
            value, unit = match[1], match[2]
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        limit = AgeLimit(number, unit.lower(), text)
        if number != number or not 0 <= number <= 1e4 or limit.years is None:
            self.problems.append(f"bad_age:{path.rpartition('/')[2]}")
            return None
        return limit


@cache
def _qualified(path: str) -> str:
    """``a/b`` in ISRCTN's namespace (made once per path: every trial asks for the same)."""
    return "/".join(_Q + part for part in path.split("/"))


def _text_of(node: Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


def read_trial(full: Element) -> tuple[IsrctnTrial | None, str | None]:
    """One ``fullTrial`` as an :class:`IsrctnTrial`, or ``(None, problem)`` when it has no
    usable id (``trial_without_id``, ``bad_isrctn_id``)."""
    trial = full.find(_Q + "trial")
    if trial is None:
        return None, "trial_without_id"
    canonical = (trial.get("publicIdentifierCanonical") or "").strip()
    number = _text_of(trial.find(_Q + "isrctn"))
    isrctn_id = canonical or (f"ISRCTN{number}" if number else "")
    if not isrctn_id:
        return None, "trial_without_id"
    if not is_isrctn_id(isrctn_id):
        return None, "bad_isrctn_id"
    r = _Reader(trial)
    values: dict[str, Any] = {
        "isrctn_id": isrctn_id,
        "last_updated": _attr_date(trial, "lastUpdated", r),
        "version": _attr_int(trial, "version", r),
        "date_assigned": _attr_date(trial, "publicIdentifierDateAssigned", r),
        **_description(r), **_refs(r), **_design(r), **_participants(r),
        "conditions": tuple(
            Condition(r.text("description", c), r.text("diseaseClass1", c),
                      r.text("diseaseClass2", c)) for c in r.nodes("conditions/condition")),
        "interventions": tuple(
            Intervention(r.text("description", i), r.text("interventionType", i),
                         r.text("phase", i), r.text("drugNames", i))
            for i in r.nodes("interventions/intervention")),
        "publication_stage": r.text("results/publicationStage"),
        "basic_report": r.text("results/basicReport"),
        "fictional": True if (trial.get(FICTIONAL_MARK) or "").strip() == "true" else None,
    }
    values["sponsors"] = _parties(full, r, "sponsorId", "sponsor")
    values["funders"] = _parties(full, r, "funderId", "funder")
    values["contacts"] = tuple(
        ContactPerson(ident, r.text("title", c), r.text("forename", c), r.text("surname", c),
                      r.text("contactType", c), r.text("contactDetails/telephone", c),
                      r.text("contactDetails/email", c))
        for ident, c in _named(full, r, "contactId", "contact"))
    return IsrctnTrial(**values, problems=tuple(r.problems)), None


def _attr_date(trial: Element, name: str, r: _Reader) -> date | None:
    return r.as_date((trial.get(name) or "").strip(), f"@{name}")


def _attr_int(trial: Element, name: str, r: _Reader) -> int | None:
    return r.as_number((trial.get(name) or "").strip(), f"@{name}")


def _description(r: _Reader) -> dict[str, Any]:
    d = "trialDescription/"
    return {"title": r.text(d + "title"), "scientific_title": r.text(d + "scientificTitle"),
            "acronym": r.text(d + "acronym"), "hypothesis": r.text(d + "studyHypothesis"),
            "plain_summary": r.text(d + "plainEnglishSummary"),
            "primary_outcome": r.text(d + "primaryOutcome"),
            "secondary_outcome": r.text(d + "secondaryOutcome")}


def _refs(r: _Reader) -> dict[str, Any]:
    e = "externalRefs/"
    numbers = tuple(
        SecondaryNumber(text, (n.get("numberType") or "").strip() or None,
                        (n.get("canonicalSecondaryNumber") or "").strip() or None)
        for n in r.nodes(e + "secondaryNumbers/secondaryNumber")
        if (text := _text_of(n)) is not None)
    return {"doi": r.text(e + "doi"), "eudract_number": r.text(e + "eudraCTNumber"),
            "iras_number": r.text(e + "irasNumber"),
            "ctgov_number": r.text(e + "clinicalTrialsGovNumber"),
            "protocol_number": r.text(e + "protocolSerialNumber"),
            "secondary_numbers": numbers}


def _design(r: _Reader) -> dict[str, Any]:
    d = "trialDesign/"
    i = d + "interventionalTrialDesign/"
    return {"study_design": r.text(d + "studyDesign"),
            "primary_design": r.text(d + "primaryStudyDesign"),
            "secondary_design": r.text(d + "secondaryStudyDesign"),
            "allocation": r.text(i + "allocation"), "masking": r.text(i + "masking"),
            "control": r.text(i + "control"), "assignment": r.text(i + "assignment"),
            "purposes": r.texts(i + "purposes/purpose"),
            "trial_types": r.texts(d + "trialTypes/trialType"),
            "overall_start": r.date(d + "overallStartDate"),
            "overall_end": r.date(d + "overallEndDate"),
            "overall_status_override": r.text(d + "overallStatusOverride"),
            "reason_abandoned": r.text(d + "reasonAbandoned")}


def _participants(r: _Reader) -> dict[str, Any]:
    p = "participants/"
    centres = tuple(
        Centre(r.text("name", c), r.text("address", c), r.text("city", c), r.text("state", c),
               r.text("country", c), r.text("zip", c))
        for c in r.nodes(p + "trialCentres/trialCentre"))
    return {"recruitment_countries": r.texts(p + "recruitmentCountries/country"),
            "centres": centres,
            "participant_types": r.texts(p + "participantTypes/participantType"),
            "healthy_volunteers": r.flag(p + "healthyVolunteersAllowed"),
            "inclusion": r.text(p + "inclusion"), "exclusion": r.text(p + "exclusion"),
            "age_range": r.text(p + "ageRange"), "lower_age": r.age(p + "lowerAgeLimit"),
            "upper_age": r.age(p + "upperAgeLimit"), "gender": r.text(p + "gender"),
            "target_enrolment": r.number(p + "targetEnrolment"),
            "final_enrolment": r.number(p + "totalFinalEnrolment"),
            "recruitment_start": r.date(p + "recruitmentStart"),
            "recruitment_end": r.date(p + "recruitmentEnd"),
            "recruitment_start_override": r.text(p + "recruitmentStartStatusOverride"),
            "recruitment_status_override": r.text(p + "recruitmentStatusOverride")}


def _named(full: Element, r: _Reader, ref: str, kind: str) -> list[tuple[str, Element]]:
    """The ``kind`` elements of ``full`` (sponsors, funders, contacts) in the order
    ``trial/parties`` names them by ``ref``, then any it does not name; an id named but not
    present is counted (``missing_sponsor``)."""
    by_id: dict[str, Element] = {}
    for node in full.findall(_Q + kind):
        by_id.setdefault((node.get("id") or "").strip(), node)
    out: list[tuple[str, Element]] = []
    for ident in dict.fromkeys([*r.texts(f"parties/{ref}"), *by_id]):
        if (party := by_id.get(ident)) is None:
            r.problems.append(f"missing_{kind}")
        else:
            out.append((ident, party))
    return out


def _parties(full: Element, r: _Reader, ref: str, kind: str) -> tuple[Organisation, ...]:
    """The sponsors (or funders), as :func:`_named` orders them."""
    return tuple(Organisation(
        id=ident, name=r.text("organisation" if kind == "sponsor" else "name", party),
        sponsor_type=r.text("sponsorType", party),
        commercial_status=r.text("commercialStatus", party), ror_id=r.text("rorId", party),
        fund_ref=r.text("fundRef", party)) for ident, party in _named(full, r, ref, kind))
