"""The registries trialfinder searches, and the seam they share.

- :mod:`~trialfinder.registries.base`: the :class:`Registry` and :class:`RegistryClient`
  protocols and the values that cross the seam (:class:`StudyPage`, :class:`Translation`,
  :class:`RecordPage`);
- :mod:`~trialfinder.registries.result`: :class:`SearchResult`, what a search returns;
- ``ctgov/``: ClinicalTrials.gov API v2 (:data:`~.ctgov.registry.CTGOV`, the default);
- ``isrctn/``: ISRCTN (:data:`~.isrctn.registry.ISRCTN`; docs/isrctn.md);
- :mod:`~trialfinder.registries.union`: one list of several registries' tables, each trial
  once (the duplicate rule).

This module is the table of registries: :data:`REGISTRIES` by name, :func:`get_registry`,
:func:`registry_for_id` (the registry whose id rule a text passes) and
:func:`choose_registries` (``"ctgov,isrctn"``). :func:`register` / :func:`unregister` add and
remove one (a test's fake registry). Light to import: no pandas, no requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean
from trialfinder.options.kinds import REGISTRY_TITLES
from trialfinder.registries.base import Registry, RegistryClient
from trialfinder.registries.ctgov.registry import CTGOV, CtgovClient
from trialfinder.registries.isrctn.registry import ISRCTN

__all__ = [
    "DEFAULT_REGISTRY",
    "REGISTRIES",
    "Registry",
    "choose_registries",
    "client_of",
    "get_registry",
    "register",
    "registry_for_id",
    "registry_of",
    "study_link",
    "unregister",
]

#: The registry searched when none is named.
DEFAULT_REGISTRY: Final = CTGOV.name

_TABLE: dict[str, Registry] = {CTGOV.name: CTGOV, ISRCTN.name: ISRCTN}
REGISTRY_TITLES.update({name: registry.title for name, registry in _TABLE.items()})
#: Every registry by name (``source``), read-only: change it with :func:`register`.
REGISTRIES: Final[Mapping[str, Registry]] = MappingProxyType(_TABLE)


def register(registry: Registry) -> Registry:
    """Add ``registry`` to the table (a registry of the same name is replaced); returns it."""
    if not isinstance(registry, Registry):
        raise TypeError(f"{registry!r} is not a Registry")
    _TABLE[registry.name] = registry
    REGISTRY_TITLES[registry.name] = registry.title  # how a search says it in words
    return registry


def unregister(name: str) -> None:
    """Take the registry ``name`` out of the table (the default one stays)."""
    if name != DEFAULT_REGISTRY:
        _TABLE.pop(name, None)
        REGISTRY_TITLES.pop(name, None)  # --registry no longer offers it


def get_registry(name: str) -> Registry:
    """The registry called ``name`` (its ``source``), or an InvalidQueryError naming those
    there are."""
    found = _TABLE.get(name.strip().lower()) if isinstance(name, str) else None
    if found is None:
        hint = did_you_mean(name, _TABLE) if isinstance(name, str) else ""
        raise InvalidQueryError(f"unknown registry {name!r}{hint}; choose from: "
                                f"{', '.join(_TABLE)}")
    return found


def choose_registries(names: str | Iterable[str] | None) -> tuple[Registry, ...]:
    """The registries of ``"ctgov,isrctn"`` (or a list of names), each once, in order; the
    default one for ``None`` or nothing given."""
    if names is None:
        return (_TABLE[DEFAULT_REGISTRY],)
    items = [names] if isinstance(names, str) else list(names)
    wanted = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
    chosen = {found.name: found for found in map(get_registry, wanted)}
    return tuple(chosen.values()) or (_TABLE[DEFAULT_REGISTRY],)


def registry_for_id(text: str) -> tuple[Registry, str]:
    """The registry whose id rule ``text`` passes, and the id as that registry writes it
    (``nct1234567`` -> ClinicalTrials.gov, ``NCT01234567``). Text that is no registry's id is
    an InvalidQueryError that says what each registry's ids look like."""
    for registry in _TABLE.values():
        found = registry.parse_id(text)
        if found is not None:
            return registry, found
    try:
        _TABLE[DEFAULT_REGISTRY].check_id(text)
    except InvalidQueryError as exc:
        others = [f"nor {r.title}'s {r.id_label} ({r.id_hint})" for r in _TABLE.values()
                  if r.name != DEFAULT_REGISTRY]
        raise InvalidQueryError("; ".join([str(exc), *others])) from None
    raise InvalidQueryError(f"{text!r} is not a study id")  # the default took it after all


def registry_of(study_id: str) -> Registry:
    """The registry of a stored or shown id (one its registry wrote): the default registry
    when no registry claims it, so old rows keep their ClinicalTrials.gov links."""
    for registry in _TABLE.values():
        if registry.parse_id(study_id) == study_id:
            return registry
    return _TABLE[DEFAULT_REGISTRY]


def study_link(study_id: str) -> str | None:
    """The page of a study on its registry's site, when ``study_id`` is exactly an id one of
    the registries writes (``None`` otherwise: nothing to link to)."""
    for registry in _TABLE.values():
        if registry.parse_id(study_id) == study_id:
            return registry.study_url(study_id)
    return None


def client_of(client: object) -> RegistryClient:
    """``client`` as a registry's client: a :class:`RegistryClient` as it is, and a
    ClinicalTrials.gov ``TrialsClient`` (which callers build with their own session) seen
    through the seam."""
    if isinstance(client, RegistryClient):
        return client
    from trialfinder.registries.ctgov.client import TrialsClient

    if isinstance(client, TrialsClient):
        return CtgovClient(client)
    raise InvalidQueryError(f"client must be a registry's client or a TrialsClient, "
                            f"not {type(client).__name__}")
