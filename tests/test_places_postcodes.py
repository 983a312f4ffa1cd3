"""UK postcodes as places: the middle of the postcode's sector, or of a district typed alone."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from devtools.standin import fictional_site, fictional_study
from tests.scripts import load_script
from trialfinder.cli.main import main
from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.resolve import resolve_place
from trialfinder.places.ukpost import POSTCODES_FILE

ROOT = Path(__file__).resolve().parents[1]
LEEDS = (53.7965, -1.5478)
WYTHENSHAWE = (53.3920, -2.2640)
LEEDS_SITE = fictional_site("Imaginary Leeds Clinic", "Leeds", "United Kingdom", 53.8010,
                            -1.5500, status="RECRUITING")
YORK_SITE = fictional_site("Imaginary York Clinic", "York", "United Kingdom", 53.9590,
                           -1.0815, status="RECRUITING")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p = math.pi / 180
    x = (math.sin((b[0] - a[0]) * p / 2) ** 2
         + math.cos(a[0] * p) * math.cos(b[0] * p) * math.sin((b[1] - a[1]) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(x))


@pytest.mark.parametrize(("text", "name", "what"), [
    ("LS1 4AP", "LS1 4AP, United Kingdom", "the postcode sector LS1 4 (by Leeds)"),
    ("ls14ap", "LS1 4AP, United Kingdom", "the postcode sector LS1 4 (by Leeds)"),
    ("LS1", "LS1, United Kingdom", "the postcode district LS1 (by Leeds)"),
    ("LS1 4AP, UK", "LS1 4AP, United Kingdom", "the postcode sector LS1 4 (by Leeds)"),
    ("LS1, England", "LS1, United Kingdom", "the postcode district LS1 (by Leeds)"),
    # the country after a space, no comma: "W6 8RF UK" was an unknown place
    ("LS1 4AP UK", "LS1 4AP, United Kingdom", "the postcode sector LS1 4 (by Leeds)"),
    ("ls1 4ap United Kingdom", "LS1 4AP, United Kingdom", "the postcode sector LS1 4 (by Leeds)"),
    ("LS1 England", "LS1, United Kingdom", "the postcode district LS1 (by Leeds)"),
])
def test_a_uk_postcode_is_the_middle_of_its_sector_or_district(text: str, name: str,
                                                               what: str) -> None:
    """A person in Leeds typed their postcode and was told trialfinder reads US ZIP codes
    only; their district alone was an unknown place."""
    place = resolve_place(text)
    assert (place.name, place.kind, place.country) == (name, "postcode", "GB")
    assert _km((place.lat, place.lon), LEEDS) < 2
    code = name.split(",")[0]
    assert place.note.startswith(f"{code!r} placed at the middle of {what}, not at the address: ")
    assert place.note.endswith(" km of that point")
    assert resolve_place(place.name) == place  # the name reads back to the same place


@pytest.mark.parametrize(("text", "name"), [
    ("LS 9 7TF", "LS9 7TF, United Kingdom"),  # a space after the area's letters
    ("M31 OUH", "M31 0UH, United Kingdom"),  # a letter O for the digit 0
    ("g12OYN", "G12 0YN, United Kingdom"),
])
def test_a_postcode_written_as_sites_write_it_is_read(text: str, name: str) -> None:
    """Sites' postcodes in the registry: "HA 6 2RN" was read as Ha, Bhutan."""
    place = resolve_place(text)
    assert (place.name, place.kind) == (name, "postcode")
    assert place == resolve_place(name)


def test_the_note_says_how_far_the_postcodes_of_a_sector_spread() -> None:
    """A sector of the Shetland Islands spreads over tens of kilometres: the note says so
    rather than passing its middle off as the address."""
    note = resolve_place("ZE2 9AA").note
    spread = float(note.rsplit(" within ", 1)[1].split(" km")[0])
    assert spread > 20
    assert resolve_place("EC1A 1BB").note.rsplit(" within ", 1)[1] == "0.1 km of that point"


def test_a_district_in_the_south_of_manchester_is_not_placed_in_another_town() -> None:
    place = resolve_place("M22 5RU")
    assert _km((place.lat, place.lon), WYTHENSHAWE) < 3


def test_a_postcode_of_no_uk_district_is_refused_saying_what_was_not_understood() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("N23 1AA")  # the area N, but no district N23
    assert str(caught.value) == ("unknown place 'N23 1AA': written as a UK postcode, but there "
                                 "is no postcode district N23 in our data")
    assert caught.value.suggestions == []
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("ZZ9 9ZZ")  # no UK area ZZ: another country's postcode, as before
    assert str(caught.value).startswith("unknown place 'ZZ9 9ZZ': trialfinder reads US ZIP "
                                        "codes and UK postcodes, not other postcodes; ")


def test_a_name_shaped_like_a_district_of_no_uk_area_is_no_postcode() -> None:
    """"K2, Pakistan" is the mountain's name, not a UK postcode written with Pakistan."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("K2, Pakistan")
    assert "UK postcode" not in str(caught.value)


@pytest.mark.parametrize(("typed", "district", "meant"), [
    ("M2O 4BX", "M2O", "M20 4BX"),  # a letter O for the zero of the district
    ("ls1O 4ap, UK", "LS1O", "LS10 4AP"),
    ("N1I 1AA", "N1I", "N11 1AA"),  # a letter I for a one
])
def test_a_mistyped_district_is_refused_with_did_you_mean(typed: str, district: str,
                                                          meant: str) -> None:
    """"M2O 4BX" was told trialfinder reads no other country's postcodes; it is asked about,
    never placed at the district it may have meant."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(typed)
    assert str(caught.value) == (f"unknown place {typed!r}: written as a UK postcode, but there "
                                 f"is no postcode district {district} in our data; did you "
                                 f"mean: {meant}")
    assert caught.value.suggestions == [meant]
    assert resolve_place(meant).kind == "postcode"  # the suggestion is itself a valid input


@pytest.mark.parametrize(("typed", "code", "country"), [
    ("LS1 4AP, France", "LS1 4AP", "France"), ("LS1 4AP France", "LS1 4AP", "France"),
    ("ls1 Germany", "LS1", "Germany"), ("BT1 1AA, Ireland", "BT1 1AA", "Ireland")])
def test_a_uk_postcode_with_another_country_names_the_clash(typed: str, code: str,
                                                            country: str) -> None:
    """"LS1 4AP, France" was told France is a country, not a town; "LS1 4AP France" was an
    unknown place: the postcode is neither placed in the UK nor in the country named."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(typed)
    assert str(caught.value) == (
        f"{code!r} is a UK postcode, but {typed!r} names another country ({country}): it is "
        f"not placed; give a town there ('Town, {country}'), the postcode alone or LAT,LON")


def test_a_postcode_then_its_town_is_the_postcode_when_they_agree() -> None:
    """"W6 8RF London" was an unknown place. The postcode is the finer place; the town after
    it is checked against it, as an ISRCTN centre's is."""
    place = resolve_place("LS1 4AP Leeds")
    assert (place.name, place.kind) == ("LS1 4AP, United Kingdom", "postcode")
    assert place.note.startswith("'Leeds' agrees with it (Leeds, United Kingdom); 'LS1 4AP' "
                                 "placed at the middle of the postcode sector LS1 4")
    with pytest.raises(PlaceNotFoundError) as caught:  # York lies 36 km from that sector
        resolve_place("LS1 4AP York")
    assert str(caught.value) == ("'LS1 4AP York': the postcode 'LS1 4AP' lies 36 km from York, "
                                 "United Kingdom; give the postcode or the town alone")
    place = resolve_place("LS1 4AP Qwxzton")  # no town of that name: said, the postcode kept
    assert place.name == "LS1 4AP, United Kingdom"
    assert place.note.startswith("'Qwxzton' set aside (no town of the United Kingdom in our "
                                 "data); ")


def test_a_channel_islands_postcode_is_refused_in_its_own_words() -> None:
    """Jersey's, Guernsey's and the Isle of Man's postcodes have no point in the ONS lookup."""
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("JE2 3QS")
    assert str(caught.value).startswith("'JE2 3QS' is a postcode of Jersey: those are not in "
                                        "our data ")


def test_the_command_line_searches_near_a_uk_postcode(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`trialfinder search --near "LS1 4AP"` stopped at the refusal."""
    download = tmp_path / "studies.json"
    download.write_text(json.dumps([
        fictional_study("NCT99620001", "Fictional Leeds study", locations=[LEEDS_SITE]),
        fictional_study("NCT99620002", "Fictional York study", locations=[YORK_SITE])]))
    code = main(["search", "--from-file", str(download), "--near", "LS1 4AP", "--radius",
                 "10km", "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "NCT99620001" in out and "NCT99620002" not in out
    assert "'LS1 4AP' placed at the middle of the postcode sector LS1 4 (by Leeds)" in err


def test_shipped_postcodes_file_is_small() -> None:
    packed = (ROOT / "src" / "trialfinder" / "data" / POSTCODES_FILE).stat().st_size
    assert packed < 400_000


# -- the builder -------------------------------------------------------------------------------


def _builder() -> Any:
    return load_script("tools/make_postcodes.py")


def test_builder_places_districts_and_sectors_at_the_mean_of_their_postcodes(
        tmp_path: Path) -> None:
    (tmp_path / "QQ.csv").write_text(
        "Postcode,lat,long\n"
        "QQ1 1AA,53.0000,-1.0000\n"
        "QQ1 1AB,53.0020,-1.0000\n"
        "QQ1 2AA,53.0110,-1.0000\n"
        "QQ1 2AB,,0.00000\n"  # a code that serves no place: no point
        "QQ101AA,53.5000,-1.0000\n", encoding="utf-8")
    data = _builder().build(tmp_path)
    assert data["sectors"] == {"QQ1 1": [53.001, -1.0, 0.2, 2], "QQ1 2": [53.011, -1.0, 0.0, 1],
                               "QQ10 1": [53.5, -1.0, 0.0, 1]}
    lat, lon, km, count, town = data["districts"]["QQ1"]
    assert (lat, lon, count) == (53.0043, -1.0, 3)
    assert km == 0.8  # the farthest, 0.74 km, rounded up
    assert isinstance(town, str) and town


def test_a_northern_ireland_postcode_is_refused_in_its_own_words() -> None:
    """Northern Ireland's postcode points come under Land & Property Services' licence, not
    the Open Government Licence: they are not in the data, and a BT postcode said so (it was
    told trialfinder reads only US ZIP codes and UK postcodes)."""
    for typed in ("BT1 1AA", "bt48 6pl", "BT1"):
        with pytest.raises(PlaceNotFoundError, match="is a Northern Ireland postcode: those are "
                                                     "not placed"):
            resolve_place(typed)
    assert resolve_place("Belfast, UK").country == "GB"  # the town is


def test_a_northern_ireland_centre_of_an_isrctn_trial_keeps_its_town() -> None:
    """The BT refusal is for a place someone types: reading a record's postcode says only that
    it is not placed, and the centre keeps its town's point."""
    from trialfinder.places.ukpost import northern_ireland_postcode, uk_postcode

    assert uk_postcode("BT9 7AB") is None
    assert northern_ireland_postcode("BT9 7AB") and not northern_ireland_postcode("LS1 4AP")
