"""ISRCTN (isrctn.com), the second registry: everything it needs, in one folder.

``query.py``   search options -> ISRCTN's ``q`` language, and the options it cannot express
``client.py``  IsrctnClient: search(), count(), get_trial() on the project's transport
``xml.py``     answers read safely (defusedxml, size-capped, streamed, namespace checked)
``model.py``   IsrctnTrial and its parts: plain typed values
``status.py``  the derived status (ISRCTN has none) and the rule that derives it
``tables.py``  trials -> the project's Tables (same columns and dtypes)
``sites.py``   trial centres -> site rows, placed offline with the gazetteer
``dedupe.py``  one list across ClinicalTrials.gov and ISRCTN: links and the merge rule
``ids.py``     ISRCTN ids, study links, NCT and ISRCTN ids found in cross-references

Nothing here is wired into searches, the CLI, the store or the dashboard yet; docs/isrctn.md
says what a registry seam would call. Importing this package imports none of its modules.
"""
