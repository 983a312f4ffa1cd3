"""A study's status as people read it: with "(derived)" when its registry has no status of its
own (ISRCTN; :func:`trialfinder.registries.links.status_is_derived`)."""

from __future__ import annotations

from typing import Any

from trialfinder.registries.links import status_is_derived
from trialfinder.views.text import NOT_STATED, status_label

__all__ = ["study_status_label"]


def study_status_label(code: Any, study_id: Any) -> str:
    """``status_label(code)``, with " (derived)" when the study's registry derives statuses
    (``Recruiting (derived)``)."""
    label = status_label(code)
    return f"{label} (derived)" if label != NOT_STATED and status_is_derived(study_id) \
        else label
