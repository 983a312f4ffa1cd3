"""trialfinder: find and filter clinical trials from the ClinicalTrials.gov API v2.

    >>> import trialfinder as tf
    >>> res = tf.search(condition="ALS", status="recruiting", near="Boston, MA", radius="100mi")
    >>> res.studies, res.sites, res.conditions, res.interventions, res.meta

Not medical advice: trialfinder lists research studies; talk to your doctor about any of them.

Every public name is imported on first use (PEP 562), so ``import trialfinder`` is instant and
the command line starts without loading pandas; ``tf.search`` and the rest work as usual.
"""

from trialfinder import _early

# The command line: Ctrl-C while the package loads (logging is the slowest import before the
# command's own handlers) is one line, not a traceback; elsewhere guard() changes nothing.
_before = _early.guard()

import importlib  # noqa: E402
import logging  # noqa: E402
import typing  # noqa: E402

from trialfinder._version import __version__  # noqa: E402

if typing.TYPE_CHECKING:
    from trialfinder.core.codes import Distance, Phase, Sex, Status, StudyType
    from trialfinder.core.config import Settings
    from trialfinder.core.errors import (
        ApiError,
        CacheError,
        DataFileError,
        InvalidQueryError,
        NetworkError,
        NotFoundError,
        OfflineError,
        PlaceNotFoundError,
        RateLimitedError,
        SchemaError,
        TrialFinderError,
    )
    from trialfinder.core.provenance import ResultMeta
    from trialfinder.options import SearchOptions
    from trialfinder.places.resolve import Place, resolve_place
    from trialfinder.registries.ctgov.client import SearchResult, TrialsClient
    from trialfinder.registries.ctgov.normalize import normalize
    from trialfinder.registries.ctgov.query import StudyQuery
    from trialfinder.service.searching import (
        Results,
        StudyDetail,
        build_query,
        load_records,
        search,
        search_file,
        search_records,
        study_detail,
    )
    from trialfinder.tables.export import to_csv_bytes, to_jsonl_bytes, write_export
    from trialfinder.tables.filters import FilterStep, LocalFilters, apply_filters
    from trialfinder.tables.frames import Tables
    from trialfinder.tables.prescreen import Prescreen, Profile, prescreen
    from trialfinder.topics.presets import PRESETS, Preset, get_preset, list_presets

# The library logs under "trialfinder"; applications choose where it goes (the CLI's -v).
logging.getLogger(__name__).addHandler(logging.NullHandler())
_early.unguard(_before)  # trialfinder.__main__.run() answers them again at once

#: Where each public name lives.
_HOMES: dict[str, str] = {
    **dict.fromkeys(["SearchResult", "TrialsClient"], "trialfinder.registries.ctgov.client"),
    **dict.fromkeys(["Distance", "Phase", "Sex", "Status", "StudyType"],
                    "trialfinder.core.codes"),
    "StudyQuery": "trialfinder.registries.ctgov.query",
    "Settings": "trialfinder.core.config",
    **dict.fromkeys(["ApiError", "CacheError", "DataFileError", "InvalidQueryError",
                     "NetworkError",
                     "NotFoundError", "OfflineError", "PlaceNotFoundError", "RateLimitedError",
                     "SchemaError", "TrialFinderError"], "trialfinder.core.errors"),
    "ResultMeta": "trialfinder.core.provenance",
    "SearchOptions": "trialfinder.options",
    **dict.fromkeys(["Place", "resolve_place"], "trialfinder.places.resolve"),
    **dict.fromkeys(["Results", "StudyDetail", "build_query", "load_records", "search",
                     "search_file", "search_records", "study_detail"],
                    "trialfinder.service.searching"),
    **dict.fromkeys(["to_csv_bytes", "to_jsonl_bytes", "write_export"],
                    "trialfinder.tables.export"),
    **dict.fromkeys(["FilterStep", "LocalFilters", "apply_filters"],
                    "trialfinder.tables.filters"),
    "Tables": "trialfinder.tables.frames",
    "normalize": "trialfinder.registries.ctgov.normalize",
    **dict.fromkeys(["Prescreen", "Profile", "prescreen"], "trialfinder.tables.prescreen"),
    **dict.fromkeys(["PRESETS", "Preset", "get_preset", "list_presets"],
                    "trialfinder.topics.presets"),
}


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'trialfinder' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "PRESETS",
    "ApiError",
    "CacheError",
    "DataFileError",
    "Distance",
    "FilterStep",
    "InvalidQueryError",
    "LocalFilters",
    "NetworkError",
    "NotFoundError",
    "OfflineError",
    "Phase",
    "Place",
    "PlaceNotFoundError",
    "Prescreen",
    "Preset",
    "Profile",
    "RateLimitedError",
    "ResultMeta",
    "Results",
    "SchemaError",
    "SearchOptions",
    "SearchResult",
    "Settings",
    "Sex",
    "Status",
    "StudyDetail",
    "StudyQuery",
    "StudyType",
    "Tables",
    "TrialFinderError",
    "TrialsClient",
    "__version__",
    "apply_filters",
    "build_query",
    "get_preset",
    "list_presets",
    "load_records",
    "normalize",
    "prescreen",
    "resolve_place",
    "search",
    "search_file",
    "search_records",
    "study_detail",
    "to_csv_bytes",
    "to_jsonl_bytes",
    "write_export",
]
