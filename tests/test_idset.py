"""IdSet: the ids a search has seen, kept as numbers, answers as a set of strings would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trialfinder.core.idset import IdSet


def _reference(pages: list[list[str | None]]) -> list[list[bool]]:
    seen: set[str] = set()
    answers = []
    for page in pages:
        answer = []
        for ident in page:
            answer.append(ident is None or ident not in seen)
            if ident is not None:
                seen.add(ident)
        answers.append(answer)
    return answers


def test_a_repeat_within_a_page_and_across_pages_is_caught() -> None:
    ids = IdSet()
    assert ids.add_new(["NCT99000002", "NCT99000001", None, "NCT99000002"]) == [
        True, True, True, False]
    assert ids.add_new(["NCT99000003", "NCT99000001", None, "NCT99000003"]) == [
        True, False, True, False]
    assert len(ids) == 3
    assert "NCT99000001" in ids
    assert "NCT99000004" not in ids


def test_ids_that_differ_only_in_leading_zeros_or_prefix_stay_apart() -> None:
    ids = IdSet()
    assert ids.add_new(["NCT99000001", "NCT0099000001", "ISRCTN99000001",
                        "NCT9900000"]) == [True, True, True, True]
    assert ids.add_new(["NCT0099000001", "ISRCTN99000001"]) == [False, False]
    assert "NCT099000001" not in ids
    assert len(ids) == 4


def test_ids_of_another_shape_are_kept_as_they_are() -> None:
    ids = IdSet()
    assert ids.add_new(["nct99000001", "NCT-99000001", "NCT99000001\u0661", "EU-2099-000001",
                        "NCT99000001", "nct99000001"]) == [True, True, True, True, True, False]
    # an Arabic-Indic digit is not read as a number: it stays its own id
    assert "NCT99000001\u0661" in ids
    assert "NCT990000011" not in ids
    assert len(ids) == 5


_SHAPED = st.builds(lambda prefix, number, width: f"{prefix}{number:0{width}d}",
                    st.sampled_from(["NCT", "ISRCTN", "A"]),
                    st.integers(99_000_000, 99_000_040), st.sampled_from([8, 9, 18]))
_OTHER = st.sampled_from(["nct99000001", "NCT 99000001", "", "99000001", "NCT"])
_IDS = st.one_of(_SHAPED, _OTHER, st.none())


@given(st.lists(st.lists(_IDS, max_size=30), max_size=6))
def test_answers_as_a_set_of_strings_would(pages: list[list[str | None]]) -> None:
    ids = IdSet()
    assert [ids.add_new(page) for page in pages] == _reference(pages)
    every = {i for page in pages for i in page if i is not None}
    assert len(ids) == len(every)
    assert all(i in ids for i in every)
