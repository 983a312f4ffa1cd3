"""trialfinder: find and filter clinical trials from the ClinicalTrials.gov API v2.

    >>> import trialfinder as tf
    >>> res = tf.search(condition="ALS", status="recruiting", near="Boston, MA", radius="100mi")
    >>> res.studies, res.sites, res.conditions, res.interventions, res.meta

Not medical advice: trialfinder lists research studies; talk to your doctor about any of them.
"""

from trialfinder._version import __version__
from trialfinder.api.client import SearchResult, TrialsClient
from trialfinder.api.query import Distance, Phase, Sex, Status, StudyQuery, StudyType
from trialfinder.config import Settings
from trialfinder.errors import (
    ApiError,
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
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.service import (
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
from trialfinder.tables.normalize import Tables, normalize
from trialfinder.tables.prescreen import Prescreen, Profile, prescreen
from trialfinder.topics.presets import PRESETS, Preset, get_preset, list_presets

__all__ = [
    "PRESETS",
    "ApiError",
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
    "Results",
    "SchemaError",
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
