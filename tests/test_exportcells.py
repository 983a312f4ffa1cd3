"""The quick column conversions of exports against the cell-by-cell rules they replace."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from trialfinder.tables.export import FORMULA_PREFIXES
from trialfinder.tables.exportcells import guarded_text, json_cells, json_value

_TEXT = st.one_of(st.none(), st.text(max_size=6),
                  st.sampled_from(["=1+2", "+44", "-x", "@a", "\tx", "\ry", "a=b", ""]))


def _reference(series: pd.Series[Any]) -> list[Any]:
    return [json_value(v) for v in series.astype(object).to_numpy(dtype=object)]


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, max_size=12))
def test_json_cells_of_text_and_categories_match_each_cell(values: list[str | None]) -> None:
    for dtype in ("string", "category"):
        series = pd.Series(values, dtype=dtype)
        assert json_cells(series) == _reference(series)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), max_size=12),
       st.lists(st.one_of(st.none(), st.booleans()), max_size=12))
def test_json_cells_of_integers_and_flags_match_each_cell(
        numbers: list[int | None], flags: list[bool | None]) -> None:
    for series in (pd.Series(numbers, dtype="Int64"), pd.Series(flags, dtype="boolean")):
        cells = json_cells(series)
        assert cells == _reference(series)
        assert [type(c) for c in cells] == [type(c) for c in _reference(series)]


def test_json_cells_of_categories_and_floats_give_none_where_missing() -> None:
    series = pd.Series(pd.Categorical(["a", None, "b", "a"]))
    assert json_cells(series) == ["a", None, "b", "a"]
    floats = pd.Series([1.5, None, float("nan")], dtype="Float64")
    assert json_cells(floats) == [1.5, None, None]


@settings(max_examples=80, deadline=None)
@given(st.lists(_TEXT, max_size=12))
def test_guarded_text_matches_the_pandas_guard(values: list[str | None]) -> None:
    text = pd.Series(values, dtype="string", index=range(10, 10 + len(values)))
    risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
    expected = text.where(~risky, "'" + text)
    got = guarded_text(text, FORMULA_PREFIXES, 100)
    assert got is not None
    pd.testing.assert_series_equal(got, expected)


def test_guarded_text_leaves_long_cells_and_other_columns_to_the_caller() -> None:
    assert guarded_text(pd.Series(["=abcdef"], dtype="string"), FORMULA_PREFIXES, 4) is None
    assert guarded_text(pd.Series(["=a"], dtype=object), FORMULA_PREFIXES, 4) is None
    got = guarded_text(pd.Series(["=a", None, "b"], dtype="string"), FORMULA_PREFIXES, 4)
    assert got is not None
    assert got.tolist() == ["'=a", pd.NA, "b"]
