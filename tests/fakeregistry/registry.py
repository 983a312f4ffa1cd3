"""A test-only second registry behind trialfinder's registry seam: its own ids (``FAKE-0001``),
its own JSON shape (:mod:`.records`), its own query, an in-process "API" (:class:`FakeApi`:
pages of two records, counted requests) and its own reader into the common tables.

Nothing in ``src/`` knows it: a fixture registers it (:func:`trialfinder.registries.register`)
and the same search, store, watch, ``show`` and study-page code that serves ClinicalTrials.gov
serves it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Final

import orjson
import pandas as pd

from trialfinder.core.config import Settings
from trialfinder.core.errors import InvalidQueryError, NotFoundError
from trialfinder.options import SearchOptions
from trialfinder.registries.base import (
    Arm,
    BodyConsumer,
    Contact,
    Outcome,
    PageConsumer,
    RecordPage,
    StudyPage,
    Translation,
    View,
)
from trialfinder.registries.result import ProgressCallback, SearchResult, warnings_for
from trialfinder.tables.frames import TABLE_DTYPES, Tables

NAME: Final = "fake"
PAGE_SIZE: Final = 2
_ID = re.compile(r"^\s*fake-?0*([1-9][0-9]{0,3})\s*$", re.IGNORECASE | re.ASCII)
_EXACT = re.compile(r"FAKE-[0-9]{4}")
#: the fake registry's words for a study's state -> the common status codes
STATES: Final = {"open": "RECRUITING", "soon": "NOT_YET_RECRUITING",
                 "closed": "ACTIVE_NOT_RECRUITING", "done": "COMPLETED", "halted": "TERMINATED"}
_ASKED: Final = {status: state for state, status in STATES.items()}


@dataclass(frozen=True)
class FakeQuery:
    """The fake registry's query: words (any of them in a label or an illness), states, ids,
    and the day a record must have been edited on or after."""

    words: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    since: date | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        text = " ".join([str(record.get("label", "")), *map(str, record.get("illness", []))])
        return ((not self.words or any(w.lower() in text.lower() for w in self.words))
                and (not self.states or record.get("phase_of_life") in self.states)
                and (not self.ids or record.get("ref") in self.ids)
                and (self.since is None or str(record.get("edited", "")) >= str(self.since)))

    def params(self) -> dict[str, str]:
        out = {"words": "|".join(self.words), "states": "|".join(self.states),
               "ids": "|".join(self.ids), "since": str(self.since or "")}
        return {k: v for k, v in out.items() if v}


@dataclass
class FakeApi:
    """The fake registry's service, in process: the records it holds and the requests asked."""

    records: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    def answer(self, query: FakeQuery) -> list[list[dict[str, Any]]]:
        """The pages of ``query`` (two records a page); each page is one request."""
        found = [orjson.loads(orjson.dumps(r)) for r in self.records if query.matches(r)]
        pages = [found[i:i + PAGE_SIZE] for i in range(0, len(found), PAGE_SIZE)] or [[]]
        self.requests += len(pages)
        return pages


@dataclass(frozen=True, eq=False)
class FakeRegistry:
    """The registry seam's second user (see the module docstring)."""

    api: FakeApi
    name: str = NAME
    title: str = "Fake Registry"
    id_label: str = "fake id"
    id_hint: str = "FAKE- and up to 4 digits, e.g. FAKE-0001"
    ids_per_query: int = 2
    derives_status: bool = False
    official_url: str = "https://registry.example/api"

    def parse_id(self, text: str) -> str | None:
        found = _ID.match(text) if isinstance(text, str) else None
        return f"FAKE-{int(found.group(1)):04d}" if found else None

    def check_id(self, text: str) -> str:
        found = self.parse_id(text)
        if found is None:
            raise InvalidQueryError(f"{text!r} is not a fake id ({self.id_hint})")
        return found

    def record_id(self, record: object) -> str | None:
        ref = record.get("ref") if isinstance(record, Mapping) else None
        return ref if isinstance(ref, str) and _EXACT.fullmatch(ref) else None

    def study_url(self, study_id: str) -> str:
        return f"https://fake-registry.example/trials/{study_id}"

    def reader(self) -> FakeReader:
        return FakeReader(self)

    def list_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return dict(record)

    def study_page(self, record: Mapping[str, Any]) -> StudyPage:
        desk = record.get("helpdesk") or {}
        return StudyPage(
            study_id=self.record_id(record),
            official_title=f"{record.get('label')}: an invented official title",
            dates=(("Start", str(record.get("begins"))),
                   ("Last update", str(record.get("edited")))),
            enrollment=f"{record.get('people')} people",
            contacts=(Contact(desk.get("name", ""), "Study desk", desk.get("phone", ""),
                              desk.get("email", "")),),
            outcomes=tuple(Outcome("primary" if m.get("main") else "secondary", m.get("what"),
                                   m.get("when")) for m in record.get("measures", [])),
            arms=(Arm("Everyone", "EXPERIMENTAL",
                      tuple(r.get("called") for r in record.get("remedies", []))),),
        )

    def translate(self, options: SearchOptions) -> Translation:
        words = (*options.conditions, *options.terms, *options.interventions)
        ids = tuple(self.check_id(i) for i in options.ids)
        if not words and not ids:
            raise InvalidQueryError("the fake registry searches by words or ids: give a "
                                    "condition, term or treatment")
        states = tuple(_ASKED[s.value] for s in options.statuses if s.value in _ASKED)
        unsent = [name for name in ("preset", "phases", "age", "near")
                  if getattr(options, name) not in ((), None)]
        notes = tuple(f"the fake registry cannot ask for {n}; it is applied to what it sent"
                      for n in unsent)
        query = FakeQuery(words=tuple(words), states=states, ids=ids)
        return Translation(query, query.params(), tuple(unsent), notes)

    def query_for_ids(self, ids: Sequence[str]) -> FakeQuery:
        return FakeQuery(ids=tuple(ids))

    def changed_since(self, query: FakeQuery, since: date) -> FakeQuery:
        return replace(query, since=since)

    def client(self, settings: Settings | None = None) -> FakeClient:
        return FakeClient(self, settings or Settings())


@dataclass(frozen=True)
class FakeClient:
    """The fake registry's client: pages from :class:`FakeApi`, never a cache."""

    registry: FakeRegistry
    settings: Settings
    base_url: str = "fake://in-process"
    gives_bodies: bool = False

    def _pages(self, query: FakeQuery) -> list[list[dict[str, Any]]]:
        return self.registry.api.answer(query)

    def search(self, query: FakeQuery, *, limit: int | None = None,
               progress: ProgressCallback | None = None, on_page: PageConsumer | None = None,
               on_body: BodyConsumer | None = None) -> SearchResult:
        del on_body  # its answers are no JSON bodies of "studies"
        pages = self._pages(query)
        total = sum(len(p) for p in pages)
        kept: list[dict[str, Any]] = []
        count = 0
        for page in pages:
            page = page[: None if limit is None else max(0, limit - count)]
            count += len(page)
            if on_page is not None and page:
                on_page(page, None)
            elif on_page is None:
                kept += page
            if progress is not None:
                progress(count, total)
        result = SearchResult(studies=kept, count=count, total_count=total,
                              truncated=count < total, requests=len(pages), pages=len(pages),
                              nbytes=len(orjson.dumps(pages)), params=query.params(),
                              fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))
        result.warnings.extend(warnings_for(result, False, registry=self.registry.title))
        return result

    def pages(self, query: FakeQuery, *, view: View = "list", limit: int | None = None,
              before_parse: Callable[[], object] | None = None) -> Iterator[RecordPage]:
        for page in self._pages(query):
            if before_parse is not None:
                before_parse()
            records = [{"ref": r["ref"]} for r in page] if view == "ids" else page
            yield RecordPage(records, None, 1, len(orjson.dumps(records)))

    def fetch(self, study_id: str) -> dict[str, Any]:
        found = self._pages(FakeQuery(ids=(study_id,)))[0]
        if not found:
            raise NotFoundError(404, self.registry.study_url(study_id),
                                f"no study with id {study_id}")
        return found[0]

    def version(self) -> Mapping[str, str] | None:
        return {"apiVersion": "fake-1"}

    def data_time(self) -> datetime | None:
        return None

    def ask_early(self, query: FakeQuery | None, *, limit: int | None = None) -> object:
        return None


class FakeReader:
    """The fake registry's records into the common tables (``source`` ``fake``)."""

    def __init__(self, registry: FakeRegistry) -> None:
        self.registry = registry
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_DTYPES}
        self.skipped = 0

    def add(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            ref = self.registry.record_id(record)
            if ref is None:
                self.skipped += 1
                continue
            self._study(ref, record)

    def _study(self, ref: str, record: Mapping[str, Any]) -> None:
        clinics = list(record.get("clinics", []))
        remedies = [r.get("called") for r in record.get("remedies", [])]
        rules = record.get("rules") or {}
        desk = record.get("helpdesk") or {}
        begins = str(record.get("begins"))
        self.rows["studies"].append({
            "nct_id": ref, "title": record.get("label"),
            "status": STATES.get(str(record.get("phase_of_life"))),
            "conditions": "|".join(record.get("illness", [])) or None,
            "interventions": "|".join(remedies) or None, "intervention_types": "DRUG",
            "start_date": pd.Timestamp(begins), "start_date_raw": begins,
            "start_date_precision": "month" if len(begins) == 7 else "day",
            "last_update": pd.Timestamp(str(record.get("edited"))),
            "enrollment": record.get("people"),
            "min_age_years": (record.get("ages") or {}).get("from"),
            "max_age_years": (record.get("ages") or {}).get("to"), "sex": "ALL",
            "brief_summary": record.get("blurb"),
            "eligibility_criteria": "Inclusion Criteria:\n\n"
            + "\n".join(f"* {r}" for r in rules.get("in", [])) + "\n\nExclusion Criteria:\n\n"
            + "\n".join(f"* {r}" for r in rules.get("out", [])),
            "central_contact_name": desk.get("name"), "central_contact_phone": desk.get("phone"),
            "central_contact_email": desk.get("email"), "n_sites": len(clinics),
            "countries": "|".join(dict.fromkeys(c["nation"] for c in clinics)) or None,
            "url": self.registry.study_url(ref)})
        self.rows["sites"] += [
            {"nct_id": ref, "site_index": i, "facility": c.get("name"), "city": c.get("town"),
             "state": c.get("region"), "country": c.get("nation"), "lat": c["at"][0],
             "lon": c["at"][1]}  # it says nothing of a site's own status
            for i, c in enumerate(clinics)]
        self.rows["conditions"] += [{"nct_id": ref, "condition": c}
                                    for c in record.get("illness", [])]
        self.rows["interventions"] += [{"nct_id": ref, "type": "DRUG", "name": name}
                                       for name in remedies]
        self.rows["contacts"].append({"nct_id": ref, "scope": "study", "name": desk.get("name"),
                                      "phone": desk.get("phone"), "email": desk.get("email")})

    def tables(self) -> Tables:
        frames = {}
        for name, dtypes in TABLE_DTYPES.items():
            frame = pd.DataFrame(self.rows[name], columns=list(dtypes))
            frame["source"] = NAME
            frames[name] = frame.astype(dict(dtypes))
        problems = {"record_without_id": self.skipped} if self.skipped else {}
        return Tables.of(frames, problems, self.skipped)
