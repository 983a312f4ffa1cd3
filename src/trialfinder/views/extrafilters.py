"""Words for the registry filters the dashboard shows beyond the usual ones: funder type,
and the completion, first-posted and last-update date ranges. The filters themselves are
search options (:mod:`trialfinder.options`) applied by the library's local filters
(:mod:`trialfinder.tables.filtersteps`), each as one more counted step.
"""

from __future__ import annotations

from typing import Final

from trialfinder.tables.filterspec import DATE_RANGES

__all__ = ["DATE_RANGES", "FUNDER_LABELS"]

#: Funder type code (:class:`~trialfinder.core.codes.FunderType`) -> words on the page.
FUNDER_LABELS: Final = {
    "INDUSTRY": "Industry", "NIH": "NIH", "FED": "US federal agency",
    "OTHER_GOV": "Other government", "NETWORK": "Network", "INDIV": "Individual",
    "OTHER": "Other (university, hospital, foundation...)", "AMBIG": "Unclear",
    "UNKNOWN": "Unknown",
}
