"""The shape of the pre-screen's vocabulary (trialfinder/data/vocabulary.toml)."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from trialfinder.tables.prescreen.synonyms import KINDS, Vocabulary, key, vocabulary

RAW = tomllib.loads((resources.files("trialfinder") / "data" / "vocabulary.toml")
                    .read_text(encoding="utf-8"))
TABLES = {"medicine", "medicine_class", "condition", "condition_class"}


def test_the_file_holds_the_four_tables_and_the_lab_tests_and_nothing_else() -> None:
    assert set(RAW) == TABLES | {"lab"}
    assert all(len(RAW[table]) > 0 for table in (*TABLES, "lab"))


def test_every_entry_has_a_canonical_name_and_known_fields() -> None:
    for table in TABLES:
        for entry in RAW[table]:
            assert isinstance(entry.get("name"), str) and entry["name"] == entry["name"].strip()
            assert entry["name"], entry
            allowed = {"name", "other", "abbreviations", "not"}
            allowed |= {"members"} if table.endswith("_class") else set()
            allowed |= {"brands"} if table == "medicine" else set()
            allowed |= ({"diagnosis", "kinds", "absent", "more_kinds"} if table == "condition"
                        else set())
            assert set(entry) <= allowed, (table, entry["name"], set(entry) - allowed)
            if table.endswith("_class"):
                assert entry.get("members"), entry["name"]


def test_no_name_is_in_two_entries_of_one_kind() -> None:
    for kind in KINDS:
        owner: dict[str, str] = {}
        for entry in vocabulary().entries.values():
            if entry.kind != kind:
                continue
            for name, _, _ in entry.names():
                assert owner.setdefault(key(name), entry.name) == entry.name, (
                    f"{name!r} is in both {owner[key(name)]!r} and {entry.name!r}")


def test_abbreviations_are_flagged_and_only_they_are() -> None:
    for entry in vocabulary().entries.values():
        for name in entry.abbreviations:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{1,7}", name), name
            assert sum(ch.isupper() for ch in name) >= 2, name
        for name in (*entry.other, *entry.brands, entry.name):
            bare = name.replace("-", "")
            assert not (bare.isupper() and len(bare) <= 6 and " " not in name), (
                f"{name!r} of {entry.name!r} looks like an abbreviation: list it as one")


def test_classes_name_only_members_that_exist_with_no_loop() -> None:
    vocab = vocabulary()
    for entry in vocab.entries.values():
        for member in entry.members:
            assert (entry.kind, member) in vocab.entries, (entry.name, member)
        if entry.is_class:
            below = vocab.members_of(entry)
            assert entry not in below, f"{entry.name} is a member of itself"
            assert any(not m.is_class for m in below), entry.name


def test_not_phrases_hold_a_name_of_their_entry() -> None:
    for entry in vocabulary().entries.values():
        names = [n for n, _, _ in entry.names()]
        for phrase in entry.not_:
            assert any(re.search(rf"(?<!\w){re.escape(key(n))}(?!\w)", key(phrase))
                       for n in names), (entry.name, phrase)


def test_kinds_are_names_of_their_group_each_in_one_kind() -> None:
    for entry in vocabulary().entries.values():
        names = {key(n) for n, _, _ in entry.names()}
        listed = [key(n) for kind in entry.kinds for n in kind]
        assert set(listed) <= names, (entry.name, set(listed) - names)
        assert len(listed) == len(set(listed)), entry.name


def test_a_malformed_entry_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="warfarin: unknown fields"):
        Vocabulary({"medicine": [{"name": "warfarin", "brand": ["Coumadin"]}]})
    with pytest.raises(ValueError, match="other must be a list of names"):
        Vocabulary({"condition": [{"name": "asthma", "other": "asthmatic"}]})
    with pytest.raises(ValueError, match="has no name"):
        Vocabulary({"condition": [{"other": ["x"]}]})
