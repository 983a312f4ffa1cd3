"""``--from-file`` and :func:`~trialfinder.service.searching.search_file`: one reading of a saved
file (:func:`search_saved`), a ClinicalTrials.gov download (JSON) or ISRCTN records: a saved
answer of ISRCTN's API (the ``<allTrials>`` XML of ``/api/query/format/default``), read as
safely as a live answer and filtered locally.

The file is hostile like any answer: only a regular file is read, its size checked before it
is read and while it is (the data file cap, ``TRIALFINDER_MAX_FILE_MB``), then
:func:`~trialfinder.registries.isrctn.xml.parse_answer` reads it (no DTD, no entities,
bounded trees; a bad trial is skipped and counted). Statuses are derived on ISRCTN's
``today``. Every filter the tables can apply applies (status, phase, age, sex, distance,
dates, countries, ``--keyword`` ...); the options only a registry can apply (a condition,
other terms, a treatment, a title, a place in words, a sponsor, ids) are refused
in one line rather than silently not applied.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Final

from trialfinder.core.errors import DataFileError, InvalidQueryError
from trialfinder.options import SearchOptions, get_option
from trialfinder.options.local import local_filters
from trialfinder.registries import get_registry
from trialfinder.registries.ctgov.datafile import max_file_bytes, read_capped
from trialfinder.registries.isrctn.ids import SOURCE
from trialfinder.registries.isrctn.registry import IsrctnRegistry
from trialfinder.registries.isrctn.tables import to_tables
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.service.searching import Results, load_records, result_meta, search_records

__all__ = ["is_xml_file", "search_isrctn_file", "search_saved"]

logger = logging.getLogger(__name__)

#: Options a file of ISRCTN records cannot be searched by (only a registry applies them).
_NOT_LOCAL: Final = ("preset", "conditions", "terms", "interventions", "location", "title",
                     "sponsor", "ids")
_BOM: Final = b"\xef\xbb\xbf"


def is_xml_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts (after a byte order mark and blanks)
    with ``<``: XML, which of the files ``--from-file`` reads only ISRCTN's answers are.
    Anything else, or unreadable: ``False`` (the JSON reader then says why)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.removeprefix(_BOM).lstrip().startswith(b"<")


def search_isrctn_file(path: Path, options: SearchOptions) -> Results:
    """The trials of a saved ISRCTN answer at ``path`` that pass ``options``' filters (see the
    module); :class:`InvalidQueryError` for an option only a registry applies,
    :class:`DataFileError` / :class:`~trialfinder.core.errors.SchemaError` for a file that
    cannot be read as one."""
    cap = max_file_bytes()
    # read first: a file that is no ISRCTN answer says so, not that it holds ISRCTN records
    answer = parse_answer(read_capped(path, cap), source=str(path), max_bytes=cap)
    if not answer.trials and not answer.skipped:
        raise DataFileError(f"{path} holds no ISRCTN trials (an empty answer)")
    refused = [get_option(name).flag for name in options.given if name in _NOT_LOCAL]
    if refused:
        raise InvalidQueryError(
            f"{path} holds ISRCTN records, which are filtered here, not searched: "
            f"{', '.join(refused)} cannot be applied to them (leave them out; --keyword "
            "filters by words)")
    registry = get_registry(SOURCE)
    today = registry.today() if isinstance(registry, IsrctnRegistry) else None
    if today is None:  # another registry took ISRCTN's name: no day to derive statuses on
        raise InvalidQueryError(f"the registry named {SOURCE!r} is not ISRCTN's")
    made = to_tables(answer.trials, today, skipped=answer.skipped, problems=answer.problems)
    logger.info("%d ISRCTN trials read from %s (%d skipped)", len(answer.trials), path,
                answer.skipped)
    meta = result_meta({}, None, (len(made.tables.studies), answer.skipped, answer.problems),
                       None, str(path), records_read=len(answer.trials))
    return Results.from_tables(made.tables, local_filters(options),
                               meta.replace(registries=(SOURCE,)), options.sort)


def search_saved(path: Path, options: SearchOptions) -> Results:
    """The studies of a saved file that pass ``options``: a saved ISRCTN answer (XML,
    :func:`search_isrctn_file`) or the records of a ClinicalTrials.gov download (JSON,
    :func:`~trialfinder.service.searching.search_records`). A file that holds none (empty,
    blank lines only, an empty list) is refused rather than searched; the registries named
    may only be the file's."""
    named = set(options.registries)
    if is_xml_file(path):
        if named - {"isrctn"}:
            raise InvalidQueryError(f"{path} is XML, a saved ISRCTN answer; --registry can "
                                    "only be isrctn with it")
        return search_isrctn_file(path, options.replace(registries=()))
    if named - {"ctgov"}:
        raise InvalidQueryError(f"{path} is no XML, so no saved ISRCTN answer: --from-file "
                                "reads ClinicalTrials.gov JSON or ISRCTN's XML")
    records = load_records(path)
    if not records:
        raise DataFileError(f"{path} holds no study records (it is empty, blank or an empty "
                            "list); expected a ClinicalTrials.gov JSON download")
    return search_records(records, source=str(path), options=options)
