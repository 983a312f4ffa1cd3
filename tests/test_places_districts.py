"""Sites written with a quarter of a town or with a slip of the pen.

The site strings are made from fictional location records in the registry's shape ("City,
State" for a US site, "City, Country" elsewhere, as a person copies them); the towns are real
geography, the facilities and records ours.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places import gazetteer
from trialfinder.places.names import FOLD_VERSION
from trialfinder.places.resolve import resolve_place
from trialfinder.places.towntext import readings


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
    ("Lyar", "Lyra, France"),  # two letters swapped in a short name
    ("Bellecombe", "Bellecombe sur Loire, France"),  # the first words of its name
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
])
def test_no_slip_is_read_where_it_could_name_another_place(tmp_path: Path, city: str) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError):
        resolve_place(_text(_location(city, "France")), gazetteer=gaz)


def test_a_slip_is_read_only_in_the_country_named(tmp_path: Path) -> None:
    gaz = _gazetteer(tmp_path)
    with pytest.raises(PlaceNotFoundError, match="no town 'Marvoale' found in Belgium"):
        resolve_place(_text(_location("Marvoale", "Belgium")), gazetteer=gaz)


# -- the shipped gazetteer: real geography, fictional site records -----------------------------


@pytest.mark.parametrize(("site", "name", "lat", "lon"), [
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


def test_a_quarter_word_dropped_needs_a_town_not_a_village() -> None:
    # "North York" is a part of Toronto, never the village of York 2,700 km away that
    # dropping "North" would find
    with pytest.raises(PlaceNotFoundError):
        resolve_place(_text(_location("North York", "Canada")))
    reading = next(r for r in readings("Lanús Este") if r.key == "lanus")
    assert reading.lossy and reading.sized
    assert not next(r for r in readings("Linkou District") if r.key == "linkou").sized
