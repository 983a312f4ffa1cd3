"""Sites whose town the gazetteer cannot know by that name, and site text whose letters an
export garbled. Fictional site strings in the registry's "City, Country" / "City, State"
shape; the towns are real geography."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.aliases import repaired
from trialfinder.places.resolve import resolve_place


def test_letters_garbled_by_an_export_are_read_as_written() -> None:
    place = resolve_place("MÃ¼nchen, Germany")
    assert (place.name, place.country) == ("Munich, Germany", "DE")
    assert "read as 'München, Germany'" in place.note
    assert resolve_place("BesanÃ§on, France").name == "Besançon, France"


@given(st.text(alphabet=st.characters(min_codepoint=0xC0, max_codepoint=0x17F), min_size=1,
               max_size=12))
def test_any_latin_name_read_back_as_latin_1_is_repaired(name: str) -> None:
    garbled = name.encode("utf-8").decode("latin-1")
    assert garbled != name
    assert repaired(garbled) == name


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=12))
def test_a_name_written_right_is_left_as_it_is(name: str) -> None:
    assert repaired(name) == name or any(0x80 <= ord(c) <= 0xBF for c in name)


def test_a_hospital_campus_written_as_the_town_is_its_town() -> None:
    sheba = resolve_place("Tel Hashomer, Israel")
    assert sheba.name == "Ramat Gan, Israel"
    assert sheba.note == "'Tel Hashomer' read as Ramat Gan"
    assert resolve_place("Tel-HaShomer").name == "Ramat Gan, Israel"
    assert resolve_place("Ẕerifin, Israel").name == "Be’er Ya‘aqov, Israel"
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Tel Hashomer, France")  # the campus is in Israel only


def test_a_renamed_army_post_is_found_in_its_own_state_only() -> None:
    post = resolve_place("Fort Eisenhower, Georgia")
    assert post.name == "Fort Gordon, GA, US"
    assert abs(post.lat - 33.41) < 0.1 and abs(post.lon + 82.13) < 0.1
    assert resolve_place("Fort Johnson, Louisiana").name == "Fort Polk, LA, US"
    assert resolve_place("Fort Johnson, New York").name == "Fort Johnson, NY, US"
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Fort Johnson, USA")  # a post in Louisiana or a village in New York


def test_distrito_federal_is_mexico_city_only_with_mexico_named() -> None:
    assert resolve_place("Distrito Federal, Mexico").name == "Mexico City, Mexico"
    assert resolve_place("Distrito Federal, Brazil").name.startswith("Brasília")
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Distrito Federal")


def test_the_short_names_keep_their_meaning() -> None:
    assert resolve_place("LA, USA").name == "Los Angeles, CA, US"
    assert resolve_place("NYC, NY").name == "New York City, NY, US"
    assert resolve_place("CABA, Argentina").name == "Buenos Aires, Argentina"
    with pytest.raises(PlaceNotFoundError):
        resolve_place("LA, Texas")


def test_a_locality_written_by_the_first_words_of_its_name() -> None:
    place = resolve_place("Umhlanga, South Africa")
    assert place.name == "Umhlanga Rocks, South Africa"
    assert abs(place.lat + 29.72) < 0.05 and abs(place.lon - 31.07) < 0.05
    assert "first words of its name" in place.note


def test_first_words_shared_by_two_localities_name_neither() -> None:
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Hamfelde, Germany")  # Hamfelde in Holstein or in Lauenburg
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Umhlanga, Germany")  # only in the country it lies in
