"""The one distance conversion trialfinder uses (the international mile, exact by definition)."""

from typing import Final

__all__ = ["KM_PER_MILE"]

KM_PER_MILE: Final = 1.609344
