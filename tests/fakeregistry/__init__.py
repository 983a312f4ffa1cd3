"""A fake second registry, for tests only: its own ids (``FAKE-0001``), its own JSON shape and
an in-process API, registered by the ``fake_registry`` fixture (tests/conftest.py) through
:func:`trialfinder.registries.register`. It proves the registry seam: search, tables, the
store, watches, ``show`` and the study page take it with no edit outside this folder."""

from tests.fakeregistry.records import BOSTON, LYON, WORCESTER, day_one, fake_record
from tests.fakeregistry.registry import NAME, STATES, FakeApi, FakeClient, FakeQuery, FakeRegistry

__all__ = ["BOSTON", "LYON", "NAME", "STATES", "WORCESTER", "FakeApi", "FakeClient",
           "FakeQuery", "FakeRegistry", "day_one", "fake_record"]
