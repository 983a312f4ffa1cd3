"""ClinicalTrials.gov API v2: its query language, client, records and ids."""

from typing import Final

#: The value of every table's ``source`` column for rows read from ClinicalTrials.gov.
SOURCE: Final = "ctgov"
