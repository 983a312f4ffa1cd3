"""trialfinder.views.sorting: the order of the result list."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from trialfinder import service
from trialfinder.topics.demo import load_demo_studies
from trialfinder.views.sorting import SORTS, chosen_sort, default_sort, sort_choices, sort_studies

NA = pd.NA


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "nct_id": ["NCT99000001", "NCT99000002", "NCT99000003", "NCT99000004", "NCT99000005"],
        "nearest_distance_mi": pd.array([489.0, NA, 0.0, 12.5, 0.0], dtype="Float64"),
        "first_posted": pd.to_datetime(["2020-01-05", "2024-03-01", None, "2024-03-01",
                                        "2019-07-30"]),
        "last_update": pd.to_datetime(["2026-11-01", "2021-02-02", "2026-11-20", None,
                                       "2025-01-01"]),
    }, index=[10, 11, 12, 13, 14])


def ids(studies: pd.DataFrame) -> list[str]:
    return [str(n)[-1] for n in studies["nct_id"]]


def test_nearest_first_puts_the_closest_first_and_the_unplaced_last() -> None:
    studies = frame()
    ordered = sort_studies(studies, "nearest")
    assert ids(ordered) == ["3", "5", "4", "1", "2"]  # the two at 0 mi keep their order
    assert list(ordered.index) == [0, 1, 2, 3, 4]
    assert ids(studies) == ["1", "2", "3", "4", "5"]  # the input is left alone


def test_newest_and_last_updated_put_the_latest_first_and_no_date_last() -> None:
    assert ids(sort_studies(frame(), "newest")) == ["2", "4", "1", "5", "3"]
    assert ids(sort_studies(frame(), "updated")) == ["3", "1", "5", "2", "4"]


def test_the_prescreen_order_is_followed_and_the_unranked_go_last() -> None:
    ranking = ["NCT99000004", "NCT99000001", "NCT99000005"]
    assert ids(sort_studies(frame(), "fit", ranking)) == ["4", "1", "5", "2", "3"]


def test_the_registry_order_and_missing_columns_leave_the_order_alone() -> None:
    assert ids(sort_studies(frame(), "registry")) == ["1", "2", "3", "4", "5"]
    bare = frame().drop(columns=["nearest_distance_mi", "first_posted"])
    assert ids(sort_studies(bare, "nearest")) == ids(sort_studies(bare, "newest")) == [
        "1", "2", "3", "4", "5"]
    assert ids(sort_studies(frame(), "fit", None)) == ["1", "2", "3", "4", "5"]


def test_choices_follow_the_place_and_the_prescreen() -> None:
    assert sort_choices(has_place=True, has_screen=False) == [
        "nearest", "registry", "newest", "updated"]
    assert sort_choices(has_place=False, has_screen=True) == [
        "registry", "newest", "updated", "fit"]
    assert set(sort_choices(True, True)) == set(SORTS)
    assert default_sort(True) == "nearest" and default_sort(False) == "registry"
    assert sort_choices(True, False)[0] == default_sort(True)
    # a sort that no longer applies falls back to the default
    assert chosen_sort("nearest", sort_choices(False, False)) == "registry"
    assert chosen_sort("newest", sort_choices(True, False)) == "newest"
    assert chosen_sort(None, sort_choices(True, False)) == "nearest"


def test_near_boston_the_nearest_study_comes_first_not_third() -> None:
    """The demo studies near Boston come in the registry's order 19, 3, 14 ... miles; sorted,
    a study 0 miles away is first."""
    found = service.search_records(load_demo_studies(), source="demo", preset="muscle-spasm",
                                   near="Boston, MA", radius=500)
    miles = list(found.studies["nearest_distance_mi"])
    assert miles != sorted(miles)
    ordered = list(sort_studies(found.studies, "nearest")["nearest_distance_mi"])
    assert ordered == sorted(miles) and round(ordered[0]) == 0


@given(st.lists(st.one_of(st.none(), st.floats(0, 20000)), max_size=30))
def test_nearest_first_is_a_sorted_permutation(distances: list[float | None]) -> None:
    studies = pd.DataFrame({
        "nct_id": [f"NCT{99000000 + i}" for i in range(len(distances))],
        "nearest_distance_mi": pd.array(distances, dtype="Float64"),
    })
    ordered = sort_studies(studies, "nearest")
    assert sorted(ordered["nct_id"]) == sorted(studies["nct_id"])
    known = [d for d in ordered["nearest_distance_mi"] if d is not NA]
    assert known == sorted(known)
    assert all(d is NA for d in ordered["nearest_distance_mi"][len(known):])
