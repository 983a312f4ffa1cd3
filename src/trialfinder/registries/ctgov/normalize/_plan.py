"""The reading plan compiled from the spec at import: which dicts to open, which keys to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from trialfinder.tables.schema import (
    CONDITION_SPEC,
    CONTACT_SPEC,
    INTERVENTION_SPEC,
    OFFICIAL_SPEC,
    SITE_SPEC,
    STUDY_SPEC,
    Column,
    TableSpec,
)


def _item_keys(spec: TableSpec) -> tuple[str, ...]:
    """The distinct first keys of the columns read from each item (spec order)."""
    keys: dict[str, None] = {}
    for col in spec.columns:
        if col.kind not in ("derived", "key") and col.keys:
            keys[col.keys[0]] = None
    return tuple(keys)



def _items_path(spec: TableSpec, index: int = 0) -> tuple[str, ...]:
    return tuple(part.removesuffix("[]") for part in spec.items[index].split("."))


_Steps = list[tuple[int, str]]
_Groups = list[tuple[int, tuple[str, ...]]]


def _read_keys(col: Column) -> tuple[str, ...]:
    """The keys to read for a study column: up to its first list (``collaborators[].name``)."""
    parts = (col.path or "").split(".")
    for i, part in enumerate(parts):
        if part.endswith("[]"):
            return (*parts[:i], part[:-2])
    return tuple(parts)


def _plan(paths: list[tuple[str, ...]]) -> tuple[_Steps, _Groups, dict[tuple[str, ...], int]]:
    """Steps that open each dict once, groups of keys read from each, and each path's slot."""
    nodes: dict[tuple[str, ...], int] = {(): 0}
    steps: list[tuple[int, str]] = []
    for path in paths:
        for depth in range(1, len(path)):
            prefix = path[:depth]
            if prefix not in nodes:
                nodes[prefix] = len(nodes)
                steps.append((nodes[path[: depth - 1]], path[depth - 1]))
    by_node: dict[int, list[str]] = {}
    for path in paths:
        by_node.setdefault(nodes[path[:-1]], []).append(path[-1])
    groups = [(node, tuple(keys)) for node, keys in by_node.items()]
    slot: dict[tuple[str, ...], int] = {}
    for node, keys in groups:
        parent = next(p for p, i in nodes.items() if i == node)
        for key in keys:
            slot[(*parent, key)] = len(slot)
    return steps, groups, slot


_STUDY_PATHS: Final = list(dict.fromkeys(
    [_read_keys(c) for c in STUDY_SPEC.columns if c.kind != "derived" and c.path]
    + [_items_path(SITE_SPEC), _items_path(CONTACT_SPEC), _items_path(OFFICIAL_SPEC),
       _items_path(INTERVENTION_SPEC),
       CONDITION_SPEC.column("mesh_id").keys[:-1]]
))
_STEPS, _GROUPS, _SLOT = _plan(_STUDY_PATHS)


def _compile_reader(steps: _Steps, groups: _Groups) -> Callable[[Any, Any], list[Any]]:
    """The plan as one straight-line function: ``read(record, empty) -> [value per slot]``.

    Written out from the spec's own key names (``repr`` of each, so any name is a plain string
    literal) and compiled once at import; it reads the record and runs nothing from it. It
    does what a loop over ``steps`` and ``groups`` would do, about a third faster: each nested
    object is opened once (``or empty`` when missing) and its keys read with ``.get``. A value
    of the wrong shape on the way (a list where an object is expected) raises, and the caller
    repairs the record."""
    lines = ["def read(n0, empty):"]
    for i, (parent, key) in enumerate(steps, start=1):
        lines.append(f"    n{i} = n{parent}.get({key!r}) or empty")
    reads = [f"n{node}.get({key!r})" for node, keys in groups for key in keys]
    lines.append("    return [" + ", ".join(reads) + "]")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<trialfinder study reader>", "exec"), namespace)
    reader: Callable[[Any, Any], list[Any]] = namespace["read"]
    return reader


_READ: Final = _compile_reader(_STEPS, _GROUPS)
_I_NCT: Final = _SLOT[_read_keys(STUDY_SPEC.column("nct_id"))]
_I_CONDS: Final = _SLOT[_read_keys(STUDY_SPEC.column("conditions"))]
_I_MESH: Final = _SLOT[CONDITION_SPEC.column("mesh_id").keys[:-1]]
_I_LOCS: Final = _SLOT[_items_path(SITE_SPEC)]
_I_CENTRAL: Final = _SLOT[_items_path(CONTACT_SPEC)]
_I_OFFICIALS: Final = _SLOT[_items_path(OFFICIAL_SPEC)]
_I_IVS: Final = _SLOT[_items_path(INTERVENTION_SPEC)]

_SITE_KEYS: Final = _item_keys(SITE_SPEC)
_SITE_CONTACTS_KEY: Final = _items_path(CONTACT_SPEC, 1)[-1]  # locations[].contacts
_CONTACT_KEYS: Final = _item_keys(CONTACT_SPEC)
_OFFICIAL_KEYS: Final = _item_keys(OFFICIAL_SPEC)
_IV_KEYS: Final = _item_keys(INTERVENTION_SPEC)
_I_FACILITY: Final = _SITE_KEYS.index("facility")
_I_COUNTRY: Final = _SITE_KEYS.index("country")
_I_GEO: Final = _SITE_KEYS.index(SITE_SPEC.column("lat").keys[0])
_C_NAME, _C_PHONE, _C_EXT, _C_EMAIL = (_CONTACT_KEYS.index(k)
                                       for k in ("name", "phone", "phoneExt", "email"))
_IV_NAME: Final = _IV_KEYS.index("name")
_IV_TYPE: Final = _IV_KEYS.index("type")

# Row layouts of the child tables (derived values first or last, read keys in between).
_SITE_READ: Final = (*_SITE_KEYS, _SITE_CONTACTS_KEY)  # what is read from each location
_CONTACT_SLOTS: Final = ("nct_id", "scope", "site_index", "facility", *_CONTACT_KEYS)
_OFFICIAL_SLOTS: Final = ("nct_id", *_OFFICIAL_KEYS)
_IV_SLOTS: Final = ("nct_id", *_IV_KEYS)
_COND_SLOTS: Final = ("nct_id", "condition", "mesh_id", "mesh_term")
# Study columns computed per record, in this order (the rest are read through the plan).
_STUDY_DERIVED: Final = ("interventions", "intervention_types", "n_sites", "countries",
                         "central_contact_name", "central_contact_phone",
                         "central_contact_email")

