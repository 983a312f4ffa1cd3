"""Offline place resolution over the shipped gazetteer (GeoNames) and the zipcodes data."""

from __future__ import annotations

import array
import base64
import dataclasses
import gzip
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

import trialfinder as tf
from devtools.standin import fictional_study
from trialfinder.cli.main import main
from trialfinder.core.errors import DataFileError, InvalidQueryError, PlaceNotFoundError
from trialfinder.places import gazetteer
from trialfinder.places.countrynames import EVERYDAY_COUNTRIES, FORMER, REGISTRY_COUNTRIES
from trialfinder.places.names import FOLD_VERSION, key, name_keys
from trialfinder.places.resolve import Place, resolve_place
from trialfinder.places.towntext import readings
from trialfinder.tables.countries import check_countries
from trialfinder.tables.filters import by_site_location

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "name", "lat", "lon"),
    [
        ("Boston, MA", "Boston, MA, US", 42.358, -71.060),
        ("boston, massachusetts", "Boston, MA, US", 42.358, -71.060),
        ("Boston MA", "Boston, MA, US", 42.358, -71.060),
        ("Boston", "Boston, MA, US", 42.358, -71.060),  # 16x Boston, England
        ("Lyon, France", "Lyon, France", 45.749, 4.848),
        ("lyon", "Lyon, France", 45.749, 4.848),
        ("LYON, fr", "Lyon, France", 45.749, 4.848),
        ("Lyon, FRA", "Lyon, France", 45.749, 4.848),
        ("Lyon Cedex 03, France", "Lyon, France", 45.749, 4.848),
        ("Sao Paulo", "São Paulo, Brazil", -23.548, -46.636),
        ("são paulo, brazil", "São Paulo, Brazil", -23.548, -46.636),
        ("Paris", "Paris, France", 48.853, 2.349),  # not Paris, TX
        ("Koln", "Köln, Germany", 50.933, 6.950),
        ("Cologne", "Köln, Germany", 50.933, 6.950),  # an alternate name of a far larger town
        ("Toronto, CA", "Toronto, Canada", 43.706, -79.399),  # CA: no Toronto in California
        ("Toronto, ON", "Toronto, Canada", 43.706, -79.399),
        ("Montreal, QC", "Montréal, Canada", 45.509, -73.588),
        ("Vancouver, BC", "Vancouver, Canada", 49.250, -123.119),
        ("Sydney, NSW", "Sydney, Australia", -33.868, 151.207),
        ("Melbourne, VIC, Australia", "Melbourne, Australia", -37.814, 144.963),
        ("London, Ontario, Canada", "London, Canada", 42.983, -81.233),
        ("London, UK", "London, United Kingdom", 51.509, -0.126),
        ("Los Angeles, CA", "Los Angeles, CA, US", 34.052, -118.244),
        ("Tbilisi, Georgia", "Tbilisi, Georgia", 41.691, 44.834),  # the country
        ("Atlanta, Georgia", "Atlanta, GA, US", 33.749, -84.388),  # the state
        ("Springfield, IL, US", "Springfield, IL, US", 39.802, -89.644),
        ("Houston, Texas, United States", "Houston, TX, US", 29.763, -95.363),  # not Texas County
        ("Portland, USA", "Portland, OR, US", 45.523, -122.676),  # most populous in US
        ("Portland, ME", "Portland, ME, US", 43.661, -70.255),
        ("Saint Louis, MO", "St. Louis, MO, US", 38.627, -90.198),
        ("Bethesda, MD", "Bethesda, MD, US", 38.981, -77.100),
        ("Amsterdam, Netherlands", "Amsterdam, Netherlands", 52.374, 4.890),
        ("Amsterdam, The Netherlands", "Amsterdam, Netherlands", 52.374, 4.890),
        ("Seoul, Korea, Republic of", "Seoul, South Korea", 37.566, 126.978),
        ("Seoul, South Korea", "Seoul, South Korea", 37.566, 126.978),
        ("Tehran, Iran, Islamic Republic of", "Tehran, Iran", 35.694, 51.422),
        ("Moscow, Russian Federation", "Moscow, Russian Federation", 55.752, 37.618),
        ("Istanbul, Turkey", "Istanbul, Türkiye", 41.014, 28.950),
        ("Istanbul, Türkiye", "Istanbul, Türkiye", 41.014, 28.950),
        ("Nara-shi, Japan", "Nara-shi, Japan", 34.685, 135.805),
        ("Nara, Japan", "Nara-shi, Japan", 34.685, 135.805),  # the registry's "-shi" left off
        ("Kitakyushu-shi, Fukuoka, Japan", "Kitakyushu, Japan", 33.852, 130.850),
        ("Seongnam-si, Gyeonggido, Korea, Republic of", "Seongnam-si, South Korea",
         37.439, 127.138),
        ("Montpellier, Herault, France", "Montpellier, France", 43.611, 3.877),  # a department
        ("Beer Sheva, Israel", "Beersheba, Israel", 31.252, 34.791),
        ("Halle (Saale)", "Halle (Saale), Germany", 51.482, 11.979),
        ("NYC", "New York City, NY, US", 40.714, -74.006),
        ("New York", "New York City, NY, US", 40.714, -74.006),
        ("New York, New York", "New York City, NY, US", 40.714, -74.006),
        ("LA", "Los Angeles, CA, US", 34.052, -118.244),
        ("SF", "San Francisco, CA, US", 37.775, -122.419),
        ("DC", "Washington, DC, US", 38.895, -77.036),
        ("Washington DC", "Washington, DC, US", 38.895, -77.036),
        ("Washington, D.C.", "Washington, DC, US", 38.895, -77.036),
        ("CABA, Argentina", "Buenos Aires, Argentina", -34.613, -58.377),
        ("Cuidad Autonoma de Buenos Aires, Argentina", "Buenos Aires, Argentina", -34.613,
         -58.377),
        ("Ciudad Autónoma de Buenos Aire, Argentina", "Buenos Aires, Argentina", -34.613,
         -58.377),
        ("Ciudad Autonoma Bs. As., Argentina", "Buenos Aires, Argentina", -34.613, -58.377),
        ("City of Buenos Aires, Argentina", "Buenos Aires, Argentina", -34.613, -58.377),
        ("D.F., Mexico", "Mexico City, Mexico", 19.428, -99.128),
    ],
)
def test_town_forms(text: str, name: str, lat: float, lon: float) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert place.kind == "city"
    assert place.lat == pytest.approx(lat, abs=0.01)
    assert place.lon == pytest.approx(lon, abs=0.01)
    assert resolve_place(place.name).name == name  # the display name reads back


def test_public_name_and_fields() -> None:
    assert tf.resolve_place is resolve_place
    assert tf.Place is Place
    assert [f.name for f in dataclasses.fields(Place)] == [
        "name", "lat", "lon", "kind", "country", "note", "others"]
    place = resolve_place("Seoul, Korea, Republic of")
    assert (place.country, place.note, place.others) == ("KR", "", ())


def test_bare_name_prefers_the_clearly_larger_place_and_says_so() -> None:
    place = resolve_place("Nara")
    assert place.name == "Nara-shi, Japan"
    assert place.country == "JP"
    assert "Nara, Mali" in place.others
    assert place.note.startswith("'Nara' taken as Nara-shi, Japan (")
    assert "also: Nara, Mali" in place.note
    for other in place.others:  # each one the user can type instead
        assert resolve_place(other).name == other


def test_other_places_of_one_label_are_named_once_and_counted() -> None:
    """Two villages called Montréal in Occitanie read the same: the note said "also:
    Montréal, Occitanie, France; Montréal, Occitanie, France", and the dashboard offered
    two buttons that both searched near the larger one."""
    place = resolve_place("Montréal")
    assert place.name == "Montréal, Canada"
    assert place.others == ("Montréal, Occitanie, France",)
    assert place.note.endswith("the most populous of 3 places of that name; also: Montréal, "
                               "Occitanie, France (2 places)")


@pytest.mark.parametrize("text", ["M5V 2T6", "1012 AB", "0211", "8001"])
def test_a_postcode_not_of_the_us_says_what_to_give_instead(text: str) -> None:
    """A person in Toronto types their postcode: "unknown place 'M5V 2T6'" said nothing of
    why, nor what would do (a UK postcode is read: tests/test_places_postcodes.py)."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(text)
    assert str(caught.value) == (
        f"unknown place {text!r}: trialfinder reads US ZIP codes and UK postcodes, not other "
        "postcodes; give the town ('London, UK', 'Toronto, Canada') or LAT,LON")


@pytest.mark.parametrize(("text", "name", "code"), [
    ("EC1A 1BB, London", "London, United Kingdom", "EC1A 1BB"),
    ("London, SW1A 1AA", "London, United Kingdom", "SW1A 1AA"),
    ("M5V 2T6, Toronto", "Toronto, Canada", "M5V 2T6"),
    ("75013, Paris", "Paris, France", "75013"),
    ("D-80331, München", "Munich, Germany", "D-80331"),
])
def test_a_postcode_beside_the_town_is_set_aside(text: str, name: str, code: str) -> None:
    """"EC1A 1BB, London" said "'London' is not a country or a state we know": the postcode
    was read as the town and London as its country."""
    place = resolve_place(text)
    assert place.name == name
    assert place.note.startswith(f"{code!r} read as a postal code and set aside")


def test_a_choice_is_logged_without_the_text_typed(caplog: pytest.LogCaptureFixture) -> None:
    # the place a person types is private in the pre-screen: the log says a choice was made,
    # the Place's own note says which
    with caplog.at_level("DEBUG", logger="trialfinder.places"):
        place = resolve_place("Nara")
        resolve_place("Worcestr, MA")
    lines = [r.getMessage() for r in caplog.records if r.name == "trialfinder.places.resolve"]
    assert lines == [f"a place name fits {len(place.others) + 1} places; the place carries its "
                     "note", "a place name needed a choice; the place carries its note"]
    assert place.note.startswith("'Nara' taken as Nara-shi, Japan")


def test_halle_in_germany_is_the_large_one() -> None:
    place = resolve_place("Halle, Germany")
    assert place.name == "Halle (Saale), Germany"
    assert (place.lat, place.lon) == pytest.approx((51.482, 11.979), abs=0.01)
    westfalen = [o for o in place.others if o.startswith("Halle, Nordrhein-Westfalen")]
    assert westfalen == ["Halle, Nordrhein-Westfalen, Germany"]
    assert "in Germany" in place.note
    assert resolve_place(westfalen[0]).lat == pytest.approx(52.06, abs=0.01)


def test_london_names_its_namesake() -> None:
    place = resolve_place("London")
    assert place.name == "London, United Kingdom"
    assert place.others[0] == "London, Canada"
    assert resolve_place("London, Ontario, Canada").lon == pytest.approx(-81.233, abs=0.01)


def test_region_not_holding_the_town_is_set_aside_with_a_note() -> None:
    place = resolve_place("Lyon, Nowhereland, France")
    assert place.name == "Lyon, France"
    assert place.note.startswith("'Nowhereland' is not a region of France in our data; "
                                 "looked in all of France")
    place = resolve_place("Toronto, Quebec, Canada")
    assert place.name == "Toronto, Canada"
    assert place.note.startswith("no 'Toronto' in Quebec in our data")


def test_region_written_as_the_town_gives_its_largest_town() -> None:
    place = resolve_place("Hokkaido, Japan")
    assert place.name == "Sapporo, Japan"
    assert place.note.startswith("'Hokkaido' is a region of Japan (Hokkaido), not a town")


def test_small_us_town_falls_back_to_zip_data() -> None:
    # Too small for the gazetteer: mean of its ZIP code centres
    place = resolve_place("Bar Harbor, ME")
    assert place.name == "Bar Harbor, ME, US"
    assert place.lat == pytest.approx(44.39, abs=0.1)
    assert place.lon == pytest.approx(-68.21, abs=0.1)


def test_zip_code() -> None:
    place = resolve_place("02115")
    assert place == Place("02115 (Boston, MA)", 42.3427, -71.0922, "zip", "US")
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


@pytest.mark.parametrize("text", ["nan,nan", "inf,0", "0, -inf", " NaN , 12", "1e999,0",
                                  "infinity,infinity"])
def test_numbers_that_are_no_coordinates_are_one_error_not_a_place(text: str) -> None:
    """Two numbers are coordinates, never a town: "nan,nan" found a town in Afghanistan and
    "inf,0" said "'0' is not a country"."""
    with pytest.raises(InvalidQueryError) as caught:
        resolve_place(text)
    assert str(caught.value).startswith(
        "coordinates must be two numbers: latitude -90..90, longitude -180..180, not ")
    assert not isinstance(caught.value, PlaceNotFoundError)


def test_numbers_in_other_spellings_are_still_coordinates() -> None:
    assert resolve_place("1e1, -5.") == Place("10, -5", 10.0, -5.0, "coordinates")
    with pytest.raises(InvalidQueryError, match=r"latitude must be within -90\.\.90, not 1e3"):
        resolve_place("1e3,0")
    # a town of that name stays a town
    assert resolve_place("Nan, Thailand").kind != "coordinates"


def test_search_options_read_two_numbers_as_coordinates_too() -> None:
    """The options' reader (keyword arguments, links, the command line) reads a place as
    resolve_place does: "1e1, -5." is a point, "nan,nan" one error before anything is sent."""
    from trialfinder.options import SearchOptions, from_kwargs, from_url
    from trialfinder.places.resolve import coordinates

    assert coordinates("1e1, -5.") == (10.0, -5.0)
    assert coordinates("Nan, Thailand") is None
    assert from_kwargs({"near": " 1e1 , -5."}).near == SearchOptions(near=(10.0, -5.0)).near
    for text in ("nan,nan", "inf,0"):
        with pytest.raises(InvalidQueryError, match=r"^coordinates must be two numbers"):
            from_kwargs({"near": text})
        assert from_url({"near": [text]}, lenient=True)[1] == ["near"]  # a link: set aside


def test_place_is_frozen() -> None:
    place = resolve_place("Lyon")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.lat = 0.0  # type: ignore[misc]


def test_close_candidates_are_ambiguous_and_each_resolves() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfield")
    found = err.value.suggestions
    assert found[:3] == ["Springfield, MO, US", "Springfield, MA, US", "Springfield, IL, US"]
    assert all(s.startswith("Springfield") for s in found)  # no town merely once so called
    assert str(err.value).startswith("'Springfield' matches ")
    assert "; add a state or country: Springfield, MO, US; " in str(err.value)
    for suggestion in found:
        assert resolve_place(suggestion).name == suggestion


def test_ambiguous_across_countries() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("cambridge")
    assert err.value.suggestions[:3] == ["Cambridge, United Kingdom", "Cambridge, Canada",
                                         "Cambridge, MA, US"]


def test_country_alone_names_a_town_in_it() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("France")
    assert err.value.suggestions == ["Paris, France"]
    assert "is a country" in str(err.value)
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Korea, Republic of")
    assert err.value.suggestions == ["Seoul, South Korea"]


def test_unknown_place_suggests_close_matches() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfeld")
    assert str(err.value).startswith("unknown place 'Springfeld'; did you mean: ")
    assert "Springfield, MO, US" in err.value.suggestions
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Bostn, MA")
    assert err.value.suggestions[0] == "Boston, MA, US"
    assert "no town 'Bostn' found in Massachusetts (MA)" in str(err.value)
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Lyon, Frnace")
    assert err.value.suggestions == ["Lyon, France"]
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Qwxzv")
    assert err.value.suggestions == []
    assert str(err.value) == "unknown place 'Qwxzv'"


def test_wrong_state_points_elsewhere() -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place("Springfield, AK")
    assert "Springfield, IL, US" in err.value.suggestions
    with pytest.raises(PlaceNotFoundError, match="'Nevada County' is not a US state"):
        resolve_place("Reno, Nevada County, US")


@pytest.mark.parametrize("text", ["", "   ", ",", " , ,", "a, b, c, d, e", "x" * 201])
def test_malformed_input(text: str) -> None:
    with pytest.raises(PlaceNotFoundError) as err:
        resolve_place(text)
    assert "\n" not in str(err.value)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        resolve_place("Nowhere-at-all-ville")


# -- what the registry writes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def largest_town() -> dict[str, tuple[str, float, float]]:
    """ISO code -> (name, lat, lon) of each country's most populous town in the gazetteer."""
    found: dict[str, tuple[str, float, float]] = {}
    for city in gazetteer.default_gazetteer().cities:
        found.setdefault(city.country, (city.name, city.lat, city.lon))
    return found


def _codes(name: str) -> tuple[str, ...]:
    code = REGISTRY_COUNTRIES[name]
    return FORMER.get(code, (code,))


@pytest.mark.parametrize("name", sorted(REGISTRY_COUNTRIES))
def test_every_registry_country_spelling_is_the_country_of_a_place(
        name: str, largest_town: dict[str, tuple[str, float, float]]) -> None:
    codes = _codes(name)
    found = [largest_town[c] for c in codes if c in largest_town]
    if not found:  # no town at all (Antarctica, Bouvet Island): the country is still read
        with pytest.raises(PlaceNotFoundError, match=r"^no town 'Qwxzv' found in "):
            resolve_place(f"Qwxzv, {name}")
        return
    town, lat, lon = found[0]
    place = resolve_place(f"{town}, {name}")
    assert place.country in codes
    assert (place.lat, place.lon) == (lat, lon)


def _sites(*countries: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"NCT99{i:06d}" for i in range(len(countries))]
    studies = pd.DataFrame({"nct_id": pd.array(ids, dtype="string")})
    sites = pd.DataFrame({
        "nct_id": pd.array(ids, dtype="string"),
        "country": pd.array(list(countries), dtype="string"),
        "state": pd.array([None] * len(countries), dtype="string"),
        "city": pd.array(["Fictional Town"] * len(countries), dtype="string"),
    })
    return studies, sites


@pytest.mark.parametrize("name", sorted(REGISTRY_COUNTRIES))
def test_every_registry_country_spelling_is_a_known_country_filter(name: str) -> None:
    check = check_countries([name])
    assert check.unknown == ()
    # a site written in any spelling of the same country is found, one of another is not
    same = sorted(n for n, c in REGISTRY_COUNTRIES.items() if c == REGISTRY_COUNTRIES[name])
    other = "France" if REGISTRY_COUNTRIES[name] != "FR" else "Germany"
    studies, sites = _sites(*same, other)
    assert by_site_location(studies, sites, countries=check.known).tolist() == [
        *([True] * len(same)), False]


@pytest.mark.parametrize("typed", ["Turkey", "turkey", "TR", "TUR", "Türkiye", "Turkiye",
                                   "Turkey (Türkiye)"])
def test_turkish_sites_are_found_however_the_country_is_typed(typed: str) -> None:
    studies, sites = _sites("Turkey (Türkiye)", "Turkey", "Greece")
    check = check_countries([typed])
    assert by_site_location(studies, sites, countries=check.known).tolist() == [
        True, True, False]


def test_everyday_names_reach_every_registry_spelling() -> None:
    studies, sites = _sites("Korea, Republic of", "Korea, Democratic People's Republic of",
                            "Czech Republic", "Czechia", "Viet Nam")
    for typed, expected in (("South Korea", [True, False, False, False, False]),
                            ("North Korea", [False, True, False, False, False]),
                            ("Czechia", [False, False, True, True, False]),
                            ("Vietnam", [False, False, False, False, True])):
        check = check_countries([typed])
        assert by_site_location(studies, sites, countries=check.known).tolist() == expected
    assert all(REGISTRY_COUNTRIES.get(n, c) == c
               for c, names in EVERYDAY_COUNTRIES.items() for n in names)


def test_former_states_reach_the_countries_that_cover_them() -> None:
    assert resolve_place("Belgrade, Former Serbia and Montenegro").country == "RS"
    assert resolve_place("Podgorica, Former Serbia and Montenegro").country == "ME"
    assert resolve_place("Willemstad, Netherlands Antilles").country == "CW"
    assert resolve_place("Zagreb, Former Yugoslavia").country == "HR"


def test_a_town_written_under_the_country_that_governs_it() -> None:
    place = resolve_place("Hong Kong, China")
    assert (place.country, place.lat, place.lon) == pytest.approx(("HK", 22.28, 114.17), abs=0.01)
    assert resolve_place("Fort-de-France, France").country == "MQ"


@pytest.mark.parametrize(("text", "name", "lat", "lon"), [
    ("Franklin, Ohio", "Franklin, OH, US", 39.559, -84.304),  # not Columbus, Franklin County
    ("Franklin, OH", "Franklin, OH, US", 39.559, -84.304),
    ("Washington, Pennsylvania", "Washington, PA, US", 40.174, -80.246),
    ("Frankfurt, Germany", "Frankfurt am Main, Germany", 50.116, 8.684),  # how its name starts
    ("Querétaro, Mexico", "Santiago de Querétaro, Mexico", 20.588, -100.388),  # part of it
    ("Cologne, Germany", "Köln, Germany", 50.933, 6.950),  # no town of that name there
])
def test_a_town_that_bears_the_name_beats_a_larger_one_known_by_it(
        text: str, name: str, lat: float, lon: float) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert (place.lat, place.lon) == pytest.approx((lat, lon), abs=0.01)


def test_town_beats_county_on_a_fictional_gazetteer(tmp_path: Path) -> None:
    data = _tiny(
        countries=[["US", "United States", ["unitedstates", "us"]]],
        regions={"US.OH": ["Ohio", ["ohio", "oh"]]},
        cities=_columns(["Bigton", 40.0, -83.0, "US", "US.OH", "", 900000],
                        ["Smallville Heights", 41.0, -81.0, "US", "US.OH", "", 500000],
                        ["Smallville", 39.5, -84.3, "US", "US.OH", "", 12000]),
        names={"bigton": [0], "smallvilleheights": [1], "smallville": [2]},
        alternates={"smallville": [0, 1]},  # Bigton was once called so; Heights is its short name
    )
    gaz = gazetteer.load(_write(tmp_path / "g.json.gz", data))
    assert resolve_place("Smallville, OH", gazetteer=gaz).name == "Smallville Heights, OH, US"
    data["alternates"] = {"smallville": [0]}
    gaz = gazetteer.load(_write(tmp_path / "g2.json.gz", data))
    assert resolve_place("Smallville, OH", gazetteer=gaz).name == "Smallville, OH, US"
    assert resolve_place("Smallville", gazetteer=gaz).name == "Bigton, OH, US"  # no region


def test_a_us_town_in_the_zip_data_beats_another_towns_alternate_name(tmp_path: Path) -> None:
    data = _tiny(
        countries=[["US", "United States", ["unitedstates", "us"]]],
        regions={"US.PA": ["Pennsylvania", ["pennsylvania", "pa"]]},
        cities=_columns(["Bigton", 40.0, -75.0, "US", "US.PA", "", 900000]),
        names={"bigton": [0]},
        alternates={"smithfield": [0]},  # a quarter of Bigton was once called so
    )
    gaz = gazetteer.load(_write(tmp_path / "g.json.gz", data))
    place = resolve_place("Smithfield, Pennsylvania", gazetteer=gaz)
    assert place.name == "Smithfield, PA, US"  # the town in the ZIP data, 400 km west
    assert (place.lat, place.lon) == pytest.approx((39.79, -79.81), abs=0.1)
    assert resolve_place("Smithfield", gazetteer=gaz).name == "Bigton, PA, US"  # no state


def test_a_spelling_beats_a_village_of_the_name_not_a_town(tmp_path: Path) -> None:
    data = _tiny(
        alternates_from=15000,
        cities=_columns(["Marovale", 45.0, 4.0, "FR", "FR.84", "", 900000],
                        ["Marvale", 46.0, 5.0, "FR", "FR.84", "", 40000]),
        names={"marovale": [0], "marvale": [1]},
        alternates={"marvale": [0]},  # the large town is also written without its "o"
    )
    gaz = gazetteer.load(_write(tmp_path / "g.json.gz", data))
    assert resolve_place("Marvale, France", gazetteer=gaz).name == "Marvale, France"
    data["cities"]["population"][1] = 3000  # a village of that name: the spelling wins
    gaz = gazetteer.load(_write(tmp_path / "g2.json.gz", data))
    assert resolve_place("Marvale, France", gazetteer=gaz).name == "Marovale, France"


@pytest.mark.parametrize(("text", "name"), [
    ("Aarhus C, Denmark", "Århus, Denmark"),
    ("Aarhus N, Denmark", "Århus, Denmark"),
    ("Odense C, Denmark", "Odense, Denmark"),
    ("København Ø, Denmark", "Copenhagen, Denmark"),
    ("København NV, Denmark", "Copenhagen, Denmark"),
    ("København Nv, Denmark", "Copenhagen, Denmark"),
    ("Copenhagen Sø, Denmark", "Copenhagen, Denmark"),
    ("Paris Cedex 13, France", "Paris, France"),
    ("75013 Paris, France", "Paris, France"),
    ("Lyon Cedex 03, France", "Lyon, France"),
    ("D-80331 München, Germany", "Munich, Germany"),
    ("Praha 8 - Libeň, Czechia", "Prague, Czechia"),
    ("Wien, 1090, Austria", "Vienna, Austria"),
    ("Seoul, 03080, Korea, Republic of", "Seoul, South Korea"),
])
def test_postal_districts_and_codes_are_set_aside(text: str, name: str) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert "in our data; read as" not in place.note  # the town itself was read


def test_a_postal_code_in_place_of_a_region_is_said() -> None:
    place = resolve_place("Seoul, 03080")
    assert place.name == "Seoul, South Korea"
    assert place.note == "'03080' read as a postal code and set aside"


@pytest.mark.parametrize(("text", "name", "said"), [
    ("Sheba Medical Center, Ramat Gan, Israel", "Ramat Gan, Israel",
     "no town 'Sheba Medical Center' in our data; 'Ramat Gan' taken as the town"),
    ("Fictional General Hospital, 12 Fictional Street, Lyon, France", "Lyon, France",
     "'Lyon' taken as the town"),
    ("Jakarta Pusat, Indonesia", "Jakarta, Indonesia", "read as Jakarta, Indonesia"),
    ("Lido di Camaiore, Italy", "Camaiore, Italy", "read as Camaiore, Italy"),
    ("Voecklabruck, Austria", "Vöcklabruck, Austria", "read as Vöcklabruck, Austria"),
    ("Washington, D.C., District of Columbia", "Washington, DC, US", ""),
])
def test_a_hospital_street_or_part_of_town_in_the_city_field(text: str, name: str,
                                                             said: str) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert said in place.note


@pytest.mark.parametrize(("text", "name"), [
    ("Moon Township, Pennsylvania", "Moon Township, PA, US"),  # names the ZIP data knows
    ("West Los Angeles, California", "West Los Angeles, CA, US"),
    ("Hamilton, New Jersey", "Hamilton, NJ, US"),
    ("Rio Piedras, Puerto Rico", "Rio Piedras, Puerto Rico"),
])
def test_us_townships_and_parts_of_cities_come_from_the_zip_data(text: str, name: str) -> None:
    place = resolve_place(text)
    assert place.name == name
    assert resolve_place(place.name).name == name


def test_empty_parts_are_left_out() -> None:
    assert resolve_place("Seoul,, Korea, Republic of").name == "Seoul, South Korea"
    assert resolve_place("Boston,,MA").name == "Boston, MA, US"


@pytest.mark.parametrize(("text", "kind"), [("Kocaeli", "a region"), ("Texas", "a US state")])
def test_a_regions_own_name_typed_alone_is_no_other_towns_misspelling(text: str,
                                                                      kind: str) -> None:
    """"Kocaeli" (a Turkish province) was read as the town Kocaali, 70 km off, by a changed
    spelling; "Texas" as Texas City. A region's own name says it is a region."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(text)
    assert str(caught.value).startswith(f"{text!r} is {kind}, not a town; name a town in it")
    assert resolve_place("Kansas, Missouri").name == "Kansas City, MO, US"  # with its state


def test_district_seats_without_a_population_are_towns() -> None:
    assert resolve_place("Providencia, Chile").lat == pytest.approx(-33.43, abs=0.01)
    assert resolve_place("Meram, Turkey (Türkiye)").lat == pytest.approx(37.83, abs=0.01)
    # but a region of the name comes first: "Hebei" is the province, not a seat so called
    place = resolve_place("Hebei, China")
    assert place.name == "Shijiazhuang, Hebei Sheng, China"
    assert place.note.startswith("'Hebei' is a region of China (Hebei Sheng), not a town")


def test_readings_keep_the_town_first_and_mark_the_lossy_ones() -> None:
    assert [(r.key, r.lossy) for r in readings("75013 Paris Cedex 13")] == [
        ("75013pariscedex13", False), ("paris", False), ("pariscity", True)]
    assert [(r.key, r.lossy) for r in readings("W. Miami")][:3] == [
        ("wmiami", False), ("westmiami", True), ("miami", True)]
    assert [r.key for r in readings("Heusden-Zolder")][-2:] == ["heusden", "zolder"]
    assert [r.key for r in readings("25 de Mayo")] == ["25demayo", "25demayocity"]
    assert resolve_place("Kansas, Missouri").name == "Kansas City, MO, US"


def _site(city: str, country: str, lat: float, lon: float) -> dict[str, object]:
    return {"facility": f"Fictional Clinic {city}", "city": city, "country": country,
            "status": "RECRUITING", "geoPoint": {"lat": lat, "lon": lon}}


def test_cli_finds_sites_written_turkey_turkiye(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ctg-studies.json"
    path.write_text(json.dumps([
        fictional_study("NCT99000201", "Fictional study in Istanbul",
                        locations=[_site("Istanbul", "Turkey (Türkiye)", 41.01, 28.95)]),
        fictional_study("NCT99000202", "Fictional study in Athens",
                        locations=[_site("Athens", "Greece", 37.98, 23.73)]),
    ]), encoding="utf-8")
    for args in (["--country", "Turkey"], ["--country", "Türkiye"], ["--country", "TR"]):
        code = main(["search", "--from-file", str(path), *args, "--format", "csv",
                     "--columns", "nct_id"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out.splitlines()[1:] == ["NCT99000201"], args
    # the registry's own spelling as the place to measure from: the Istanbul site is near
    code = main(["search", "--from-file", str(path), "--near", "Istanbul, Turkey (Türkiye)",
                 "--radius", "25", "--sites", "--format", "csv",
                 "--columns", "nct_id,country,distance_mi"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (row,) = out.splitlines()[1:]
    nct_id, country, miles = row.split(",")
    assert (nct_id, country) == ("NCT99000201", "Turkey (Türkiye)")
    assert float(miles) < 5


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Saint-Étienne", "stetienne"), ("St. Etienne", "stetienne"), ("Gyeonggi-do", "gyeonggido"),
    ("Düsseldorf", "dusseldorf"), ("Łódź", "lodz"), ("Straße", "strasse"), ("  ", ""),
])
def test_key_folds_case_accents_punctuation_and_spaces(text: str, expected: str) -> None:
    assert key(text) == expected


def test_name_keys_drop_brackets_and_local_suffixes() -> None:
    assert name_keys("Halle (Saale)") == ["hallesaale", "halle"]
    assert name_keys("Nara-shi") == ["narashi", "nara"]
    assert name_keys("Lyon") == ["lyon"]


# -- the gazetteer file ------------------------------------------------------------------------


def _columns(*rows: list[Any]) -> dict[str, list[Any]]:
    fields = ("name", "lat", "lon", "country", "admin1", "admin2", "population")
    return {field: [row[i] for row in rows] for i, field in enumerate(fields)}


def _tiny(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 3, "fold": FOLD_VERSION, "min_population": 1000, "alternates_from": 1000,
        "source": "test",
        "countries": [["FR", "France", ["france", "fr", "fra"]]],
        "regions": {"FR.84": ["Auvergne-Rhône-Alpes", ["auvergnerhonealpes", "ara"]]},
        "cities": _columns(["Lyon", 45.75, 4.85, "FR", "FR.84", "", 500000],
                           ["Villeurbanne", 45.77, 4.88, "FR", "FR.84", "", 150000]),
        "names": {"lyon": [0], "villeurbanne": [1]},
        "alternates": {"lugdunum": [0]},
    }
    data.update(changes)
    return data


def _write(path: Path, data: Any) -> Path:
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def test_a_gazetteer_file_can_replace_the_packaged_one(tmp_path: Path) -> None:
    gaz = gazetteer.load(_write(tmp_path / "g.json.gz", _tiny()))
    assert resolve_place("Lugdunum", gazetteer=gaz).name == "Lyon, France"
    assert resolve_place("Villeurbanne, ARA, France", gazetteer=gaz).lat == 45.77
    with pytest.raises(PlaceNotFoundError, match="no town 'Paris' found in France"):
        resolve_place("Paris, France", gazetteer=gaz)


@pytest.mark.parametrize(("data", "message"), [
    (_tiny(format=2), "format is not 4 or 3"),
    (_tiny(fold=FOLD_VERSION + 1), "names folded by rule"),
    (_tiny(names={"lyon": [7]}), "an index points outside the town list"),
    (_tiny(cities=_columns(["Lyon", 95.0, 4.85, "FR", "", "", 1])), "a town lies off the globe"),
    (_tiny(cities=_columns(["Lyon", 45.7, 4.85, "FR", "", "", "many"])),
     "a town's population has the wrong type"),
    (_tiny(cities={"name": ["Lyon"]}), "the towns are not the columns"),
    (_tiny(cities=_columns(["Lyon", 45.7, 4.85, "FR", "", "", 1]) | {"lat": []}),
     "the town columns differ in length"),
    ([1, 2], "format is not 4 or 3"),
])
def test_a_damaged_gazetteer_is_one_clear_error(tmp_path: Path, data: Any,
                                                message: str) -> None:
    with pytest.raises(DataFileError, match=message) as err:
        gazetteer.load(_write(tmp_path / "g.json.gz", data))
    assert "rebuild it with tools/make_gazetteer.py" in str(err.value)


def test_gazetteer_reading_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * 5_000_000))  # 5 MB of nothing, packed to 5 kB
    monkeypatch.setattr(gazetteer, "MAX_UNPACKED", 1_000_000)
    with pytest.raises(DataFileError, match="unpacks to more than 1,000,000 bytes"):
        gazetteer.load(bomb)
    monkeypatch.setattr(gazetteer, "MAX_PACKED", 1_000)
    with pytest.raises(DataFileError, match="larger than 1000 bytes"):
        gazetteer.load(bomb)
    plain = tmp_path / "plain.json.gz"
    plain.write_bytes(b"{}")
    with pytest.raises(DataFileError, match="is not a readable gzip file"):
        gazetteer.load(plain)


def test_packaged_gazetteer_says_what_it_holds() -> None:
    gaz = gazetteer.default_gazetteer()
    assert gaz.min_population == 1000
    assert gaz.countries["korearepublicof"] == "KR"
    assert gaz.countries["turkey"] == gaz.countries["turkiye"] == "TR"
    assert {"CA.08"} <= set(gaz.regions["on"])  # Ontario by its ISO 3166-2 code
    populations = [c.population for c in gaz.cities]
    assert populations == sorted(populations, reverse=True)


# -- the builder -------------------------------------------------------------------------------


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("make_gazetteer",
                                                  ROOT / "tools" / "make_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_gazetteer", module)
    spec.loader.exec_module(module)
    return module


def test_builder_indexes_own_and_alternate_names() -> None:
    build = _builder()
    towns = [(1, ["Halle (Saale)", 51.48, 11.97, "DE", "DE.14", "", 238000]),
             (2, ["Halle", 52.06, 8.36, "DE", "DE.07", "", 21000])]
    names, alternates = build.indexes(towns, {1: ["Halle an der Saale", "Галле"],
                                              2: ["Halle (Westf.)"]}, 25000)
    assert names == {"halle": [0, 1], "hallesaale": [0]}
    assert alternates == {"halleandersaale": [0]}  # the Cyrillic name is left out
    rows = [["Korea, Republic of", "KR", "KOR", "1", "", "South Korea", "ROK", "410", "", ""],
            ["USSR", "SU", "SUN", "", "", "", "", "810", "", "SUHH|1992"]]
    # the registry's spellings and everyday names are added when the file is read, not here
    assert build.countries(rows) == [["KR", "South Korea", sorted({
        "korearepublicof", "kr", "kor", "southkorea", "rok"})]]


def test_builder_keeps_district_seats_and_each_countrys_largest_town() -> None:
    build = _builder()
    countries = [["Fictionland", "FL", "FLD", "", "", "", "", "1", "", ""],
                 ["Tinyland", "TL", "TLD", "", "", "", "", "2", "", ""]]
    subs = [["Region", "FL-R", "FL.01", "", "", "", "1"]]
    rows = [["Bigtown", "1", "1", "1", "5000", "1.0", "1.0"],
            ["Seat", "2", "1", "1", "0", "1.1", "1.1"],
            ["Hamlet", "3", "", "1", "700", "1.2", "1.2"],
            ["Tinytown", "4", "", "2", "600", "2.0", "2.0"],
            ["Tinier", "5", "", "2", "90", "2.1", "2.1"]]
    towns, used = build.cities(rows, subs, countries, 1000, True)
    assert [row[0] for _, row in towns] == ["Bigtown", "Tinytown", "Seat"]
    assert towns[0][1][4] == "FL.01" and used == {1}
    towns, _ = build.cities(rows, subs, countries, 1000, False)
    assert [row[0] for _, row in towns] == ["Bigtown", "Tinytown"]


def test_shipped_file_is_small() -> None:
    packed = (ROOT / "src" / "trialfinder" / "data" / "gazetteer.json.gz").stat().st_size
    assert packed < 12_000_000
    quarters = (ROOT / "src" / "trialfinder" / "data" / gazetteer.QUARTERS_FILE).stat().st_size
    assert quarters < 4_000_000


def _packed(data: dict[str, Any]) -> dict[str, Any]:
    return cast(dict[str, Any], _builder().packed(data))


def test_a_packed_gazetteer_reads_back_the_same_towns_and_names(tmp_path: Path) -> None:
    listed = _tiny(cities=_columns(["Lyon", 45.75, 4.85, "FR", "FR.84", "", 500000],
                                   ["Villeurbanne", 45.76667, 4.88, "FR", "FR.84", "", 150000],
                                   ["Écully", -45.5, -179.99999, "FR", "FR.84", "FR.84.69", 0]),
                   names={"lyon": [0], "villeurbanne": [1], "ecully": [2]},
                   alternates={"lugdunum": [0, 2], "villeurbane": [1]})
    old = gazetteer.load(_write(tmp_path / "g3.json.gz", listed))
    new = gazetteer.load(_write(tmp_path / "g4.json.gz", _packed(listed)))
    assert list(new.cities) == list(old.cities) == [
        ("Lyon", 45.75, 4.85, "FR", "FR.84", "", 500000),
        ("Villeurbanne", 45.76667, 4.88, "FR", "FR.84", "", 150000),
        ("Écully", -45.5, -179.99999, "FR", "FR.84", "FR.84.69", 0)]
    assert new.cities[2].admin2 == "FR.84.69" and type(new.cities[0].lat) is float
    assert {k: list(v) for k, v in new.by_alt.items()} == {"lugdunum": [0, 2], "villeurbane": [1]}
    assert new.by_name.get("nowhere", ()) == () and "lyon" in new.by_name
    assert resolve_place("Lugdunum", gazetteer=new).name == "Lyon, France"


def test_packing_refuses_what_it_could_not_write_exactly() -> None:
    with pytest.raises(ValueError, match="lat has more than five decimals"):
        _packed(_tiny(cities=_columns(["Lyon", 45.123456, 4.85, "FR", "FR.84", "", 1])))
    with pytest.raises(ValueError, match="name holds a line break"):
        _packed(_tiny(cities=_columns(["Ly\non", 45.7, 4.85, "FR", "FR.84", "", 1])))


def _damaged(part: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = _packed(_tiny())
    change(data[part])
    return data


def _ints(typecode: str, *values: int) -> str:
    return base64.b64encode(array.array(typecode, values).tobytes()).decode()


@pytest.mark.parametrize(("data", "message"), [
    (_damaged("cities", lambda c: c.update(lat="not base64!")), "bad entry"),
    (_damaged("cities", lambda c: c.update(lat=_ints("i", 4575000))), "differ in length"),
    (_damaged("cities", lambda c: c.update(lat=_ints("i", 9_100_000, 0))), "off the globe"),
    (_damaged("cities", lambda c: c.update(name="Lyon")), "differ in length"),
    (_damaged("cities", lambda c: c.update(population=_ints("i", 5, -1))), "below zero"),
    (_damaged("cities", lambda c: c["country"].update(codes=_ints("I", 0, 1))),
     "country points outside its values"),
    (_damaged("cities", lambda c: c["admin1"].update(values=[7])), "admin1 has the wrong type"),
    (_damaged("names", lambda n: n.update(positions=_ints("I", 0, 2))), "outside the town list"),
    (_damaged("names", lambda n: n.update(offsets=_ints("I", 0, 1))), "do not fit"),
    (_damaged("names", lambda n: n.update(offsets=_ints("I", 0, 2, 2))), "not a list of towns"),
    (_damaged("names", lambda n: n.update(keys="lyon\nlyon")), "names a town twice"),
    (_damaged("alternates", lambda n: n.update(keys=7)), "bad entry"),
])
def test_a_damaged_packed_gazetteer_is_one_clear_error(tmp_path: Path, data: Any,
                                                       message: str) -> None:
    with pytest.raises(DataFileError, match=message) as err:
        gazetteer.load(_write(tmp_path / "g.json.gz", data))
    assert "rebuild it with tools/make_gazetteer.py" in str(err.value)


@pytest.mark.parametrize(("text", "message"), [
    # no country, US state or region anywhere has these codes: the one-line hint
    ("Nowhere, XX", "'XX' is not a country or a state we know"),
    ("Paris, QQ", "'QQ' is not a country or a state we know"),
    # ZZ is a region's ISO 3166-2 code (Zanzan, Côte d'Ivoire): the error names that reading
    ("Nowhere, ZZ", "no town 'Nowhere' found in Zanzan, Côte d'Ivoire"),
])
def test_a_code_we_do_not_know_is_never_a_place(text: str, message: str) -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(text)
    assert str(caught.value) == message
