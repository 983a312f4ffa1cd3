"""The column spec is the one source: dtypes, the fields list and the docs all follow it."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from devtools.standin import PIECES, _BadRequest, _fields_trie, find_shared_dir
from tests.scripts import load_script
from trialfinder.registries.ctgov.fields import LIST_FIELDS
from trialfinder.tables.frames import empty_tables
from trialfinder.tables.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> ModuleType:
    return load_script("tools/gen_schema_doc.py")


def test_design_doc_schema_is_generated_from_the_spec() -> None:
    tool = _tool()
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert tool.updated(text) == text, "run: python tools/gen_schema_doc.py"
    for spec in TABLES:
        for col in spec.columns:
            assert f"| `{col.name}` | {col.dtype} | {col.kind} |" in text


def test_empty_tables_have_every_column_of_the_spec_with_its_dtype() -> None:
    frames = empty_tables().frames()
    assert list(frames) == [spec.name for spec in TABLES]
    for spec in TABLES:
        got = {c: str(d) for c, d in frames[spec.name].dtypes.items()}
        assert got == {c.name: c.dtype for c in spec.columns}
        assert list(got)[-1] == "source"


def test_the_fields_list_is_accepted_by_the_stand_in() -> None:
    # the stand-in keeps its own map of piece names (devtools/standin.py, checked against the
    # API's metadata in test_standin.py) and rejects an unknown name with the API's 400 text
    _fields_trie(",".join(LIST_FIELDS))
    with pytest.raises(_BadRequest, match="invalid field name: 'NoSuchPiece'"):
        _fields_trie(",".join((*LIST_FIELDS, "NoSuchPiece")))


def _recorded_piece_paths() -> dict[str, str]:
    shared = find_shared_dir()
    meta_file = shared / "other_endpoints" / "studies_metadata_2025-05_metamonk.json" \
        if shared else None
    if meta_file is None or not meta_file.is_file():
        pytest.skip("the recorded /studies/metadata answer is not present")
    paths: dict[str, str] = {}

    def walk(nodes: list[dict[str, object]], prefix: str) -> None:
        for node in nodes:
            path = f"{prefix}{node['name']}"
            paths[str(node.get("piece"))] = path
            walk(node.get("children", []), path + ".")  # type: ignore[arg-type]

    walk(json.loads(meta_file.read_text(encoding="utf-8")), "")
    return paths


@pytest.mark.parametrize("source", ["stand-in", "recorded metadata"])
def test_spec_paths_are_the_api_paths_of_their_pieces(source: str) -> None:
    """Each column reads the JSON path that its ``fields`` pieces ask for: a column whose piece
    named another field would be empty in every list view."""
    paths = dict(PIECES) if source == "stand-in" else _recorded_piece_paths()
    checked = 0
    for spec in TABLES:
        for col in spec.columns:
            for piece in col.pieces:
                if piece == "LocationGeoPoint":
                    full = "protocolSection.contactsLocationsModule.locations.geoPoint"
                    assert paths[piece] == full
                    continue
                absolute = col.kind == "key"  # the NCT id: the same path in every table
                prefixes = [""] if absolute else [p.replace("[]", "") for p in spec.items]
                wanted = {".".join(x for x in (pre, ".".join(col.keys)) if x)
                          for pre in prefixes}
                assert paths[piece] in wanted, (col.name, piece, paths[piece], wanted)
                checked += 1
    assert checked >= 55
