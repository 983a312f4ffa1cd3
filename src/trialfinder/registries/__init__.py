"""Registries other than ClinicalTrials.gov, one package each (``isrctn/``).

Each package is self-contained: its query language, its client (built on the project's
transport), its parser, its status rule and its way into the project's tables. The seam that
lets a search, the store and the dashboard choose among registries is not part of these
packages; docs/isrctn.md says what a seam would call.
"""
