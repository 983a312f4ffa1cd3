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
``record.py``  a trial as the JSON-ready record the seam and the study store carry
``reader.py``  records -> the tables (the seam's reader), and one record's study page
``registry.py`` ISRCTN behind the registry seam (:data:`~.registry.ISRCTN`, ``isrctn``)

The table of registries (:mod:`trialfinder.registries`) holds :data:`~.registry.ISRCTN`, so
searches, sync, match, watches, ``show`` and the dashboard reach ISRCTN through the seam;
docs/isrctn.md says how. Importing this package imports none of its modules.
"""
