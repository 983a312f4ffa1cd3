"""trialfinder.views.describe: the map and the charts in words."""

from __future__ import annotations

from trialfinder.views.describe import counts_sentence, map_sentence, years_sentence


def test_counts_name_the_largest_first_and_sum_the_rest() -> None:
    counts = {"Recruiting": 12, "Completed": 3, "Not yet recruiting": 3, "Withdrawn": 1,
              "Terminated": 2, "Suspended": 1, "Unknown": 0}
    assert counts_sentence("By status", counts) == (
        "By status (studies): Recruiting 12, Completed 3, Not yet recruiting 3, Terminated 2, "
        "2 others 2.")
    assert counts_sentence("By phase", {"Phase 2": 1}) == "By phase (studies): Phase 2 1."
    assert counts_sentence("By phase", {}) == "By phase: no studies."


def test_years_say_the_span_and_the_busiest_year() -> None:
    assert years_sentence([2014, 2022, 2022, 2027, 2022, 2019, 2019]) == (
        "Start years run from 2014 to 2027; most studies, 3, start in 2022.")
    assert years_sentence([2020, 2020]) == "Every study starts in 2020 (2 studies)."
    assert years_sentence([]) == "No study gives a start date."


def test_the_map_in_words() -> None:
    countries = {"United States": 1124, "Canada": 124, "Germany": 5, "Australia": 3}
    assert map_sentence(countries, 26, unplaced=43) == (
        "1,256 sites of 26 studies on the map: United States 1,124, Canada 124, Germany 5, "
        "Australia 3. 43 more sites without a map position are not shown.")
    assert map_sentence({"United States": 1}, 1, nearest=("Clinic A, Hartford", 93.2),
                        place="Boston, MA") == (
        "1 site of 1 study on the map: United States 1. The nearest, Clinic A, Hartford, is "
        "93 miles from Boston, MA.")
    assert map_sentence({}, 0) == "No site has a map position."


def test_the_nearest_site_in_words_is_never_zero_or_one_miles() -> None:
    """A site in the town itself was "0 miles from Boston, MA" beside the list's "under a mile
    away"; one a mile off was "1 miles"."""
    near = {"United States": 3}
    assert map_sentence(near, 1, nearest=("Clinic A, Boston", 0.1), place="Boston, MA").endswith(
        " The nearest, Clinic A, Boston, is under a mile from Boston, MA.")
    assert map_sentence(near, 1, nearest=("Clinic B, Quincy", 1.3), place="Boston, MA").endswith(
        " The nearest, Clinic B, Quincy, is 1 mile from Boston, MA.")
    assert map_sentence(near, 1, nearest=("Clinic C", 1_234.4)).endswith(
        " The nearest, Clinic C, is 1,234 miles from your place.")
