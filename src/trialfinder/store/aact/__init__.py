"""AACT-compatible tables in the study store: the schema ``aact``, shaped like CTTI's AACT.

- :mod:`.fields`: what ``sync`` asks the API for, and the list view cut out of it;
- :mod:`.source`: ``aact_records``, the synced records parsed once into typed columns;
- :mod:`.sqlparts`, :mod:`.views_study`, :mod:`.views_rows`: the view definitions;
- :mod:`.install`: the views put into a store file and kept in step with the release;
- :mod:`.export`: ``store export --aact``.

``docs/aact.md`` is the reader's guide (tables, conventions, what is not derivable).
"""
