"""ClinicalTrials.gov API v2: its query language, client, records and ids."""
