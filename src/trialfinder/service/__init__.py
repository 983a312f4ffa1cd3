"""The one path from a search to filtered tables, shared by the command line, the Python API
and the dashboard; and the jobs that search (sync).

``from trialfinder import service`` gives the public names of :mod:`.searching`.
"""

from trialfinder.service.searching import (
    MAX_JSON_DEPTH,
    Results,
    StudyDetail,
    build_query,
    load_records,
    local_filters_for,
    search,
    search_file,
    search_records,
    study_detail,
)

__all__ = [
    "MAX_JSON_DEPTH",
    "Results",
    "StudyDetail",
    "build_query",
    "load_records",
    "local_filters_for",
    "search",
    "search_file",
    "search_records",
    "study_detail",
]
