"""UK postcodes: a postcode ("LS1 4AP") or its district alone ("LS1") as a point.

``data/postcodes-uk.json.gz`` (built by ``tools/make_postcodes.py`` from the ONS National
Statistics Postcode Lookup, Open Government Licence v3: see ``data/GAZETTEER_LICENSE.txt``)
holds the middle of each postcode district (outward code) and sector (the district and the
first digit of the inward code: "LS1 4"), with the distance within which 90% of its postcodes
lie, and a town for the note. A full postcode is placed at its sector's middle (its district's
when the sector is not in the data), a district at its own. It is not the address's own point:
the note says how far off it may be. The file is small (about 0.2 MB) and read on first use,
without the gazetteer.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from trialfinder.core.errors import DataFileError, PlaceNotFoundError
from trialfinder.core.packed import unpack_gzip
from trialfinder.places.countrynames import country_code
from trialfinder.places.place import Place

__all__ = ["POSTCODES_FILE", "northern_ireland_postcode", "postcode_refusal",
           "postcode_then_town", "uk_postcode"]

POSTCODES_FILE = "postcodes-uk.json.gz"
_FORMAT = 1
_MAX_PACKED = 2 * 1024 * 1024
_MAX_UNPACKED = 8 * 1024 * 1024
#: A district ("LS1", "EC1A", "M22"), then the inward code's digit and letters when given;
#: with those, a space after the area's letters ("HA 6 2RN") and a letter O for the digit 0
#: ("M31 OUH") are read as the registry's sites write them.
_SHAPE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?(?:([0-9])([A-Z]{2}))?"
                    r"|([A-Z]{1,2}) ?([0-9][A-Z0-9]?) ?([0-9O])([A-Z]{2})")

Entry = tuple[float, float, float, int]


@cache
def _data() -> tuple[dict[str, tuple[Entry, str]], dict[str, Entry]]:
    """(district -> (entry, town), sector -> entry) from the packaged file, checked."""
    where = f"the packaged UK postcodes ({POSTCODES_FILE})"
    with resources.files("trialfinder").joinpath("data", POSTCODES_FILE).open("rb") as handle:
        packed = handle.read(_MAX_PACKED + 1)
    if len(packed) > _MAX_PACKED:
        raise DataFileError(f"{where} is larger than {_MAX_PACKED} bytes; not read")
    try:
        raw: Any = json.loads(unpack_gzip(packed, _MAX_UNPACKED, where))
        if raw.get("format") != _FORMAT:
            raise ValueError(f"format is not {_FORMAT}")
        districts = {str(k): (_entry(v[:4]), str(v[4])) for k, v in raw["districts"].items()}
        sectors = {str(k): _entry(v) for k, v in raw["sectors"].items()}
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise DataFileError(f"{where} is not readable ({exc}); rebuild it with "
                            "tools/make_postcodes.py or reinstall trialfinder") from exc
    return districts, sectors


def _entry(values: Any) -> Entry:
    lat, lon, km, count = values
    return float(lat), float(lon), float(km), int(count)


def _read(text: str) -> tuple[str, str | None, str | None, str | None] | None:
    """(district, sector digit, unit letters, country as written) of a UK postcode or
    district, alone or followed by a country, with or without a comma (``"W6 8RF UK"``);
    the country is None when none is written. None when ``text`` is none of these."""
    head, *rest = text.split(",")
    after = [part.strip() for part in rest if part.strip()]
    words = head.split()
    if len(after) > 1:
        return None
    tries = ([(words, after[0])] if after else
             [(words[:cut], " ".join(words[cut:])) for cut in range(len(words), 0, -1)])
    for typed, country in tries:
        shape = _SHAPE.fullmatch(" ".join(typed).upper())
        if shape is None or (country and country_code(country) is None):
            continue
        district, digit, letters, area, number, typed_digit, typed_letters = shape.groups()
        if area is not None:
            district, digit, letters = area + number, typed_digit.replace("O", "0"), typed_letters
        if _area(district) not in _areas():
            continue  # "K2": no postcode area of the UK
        return district, digit, letters, country or None
    return None


@cache
def _areas() -> frozenset[str]:
    """The letters of every UK postcode area: Great Britain's in our data, Northern
    Ireland's, the Channel Islands' and the Isle of Man's."""
    return frozenset({_area(district) for district in _data()[0]} | {"BT", *_CROWN})


def _area(district: str) -> str:
    """The area's letters of a district: "EC" of EC1A, "M" of M22."""
    return district[: 2 if district[1].isalpha() else 1]


def _code(read: tuple[str, str | None, str | None, str | None]) -> str:
    return read[0] if read[1] is None else f"{read[0]} {read[1]}{read[2]}"


#: Characters typed for one another in a district ("M2O" for M20, "N1I" for N11).
_LOOKALIKES = {"O": "0", "0": "O", "I": "1", "1": "I", "L": "1"}

#: Areas whose postcodes the ONS lookup gives no point (the Channel Islands, the Isle of Man).
_CROWN = {"GY": "Guernsey", "JE": "Jersey", "IM": "the Isle of Man"}

_NI = ("{text!r} is a Northern Ireland postcode: those are not placed (their data come under "
       "another licence than Great Britain's); give the town ('Belfast, UK') or LAT,LON")


def postcode_refusal(text: str) -> PlaceNotFoundError | None:
    """Why ``text``, written as a UK postcode or district, is not placed: a Northern Ireland
    or Crown dependency postcode (not in our data), one written with another country
    (``"W6 8RF, France"``), or a district our data do not hold (``"M2O 4BX"``: the close
    districts that do are suggested, never taken). None when ``text`` is no such postcode or
    :func:`uk_postcode` places it."""
    read = _read(text)
    if read is None:
        return None
    district, _, _, country = read
    code = _code(read)
    area = _area(district)
    if country is not None and country_code(country) != "GB":
        return PlaceNotFoundError(
            f"{code!r} is a UK postcode, but {text.strip()!r} names another country "
            f"({country}): it is not placed; give a town there ('Town, {country}'), the "
            "postcode alone or LAT,LON")
    if area == "BT":
        return PlaceNotFoundError(_NI.format(text=text.strip()))
    if area in _CROWN:
        return PlaceNotFoundError(
            f"{text.strip()!r} is a postcode of {_CROWN[area]}: those are not in our data (the "
            "ONS lookup gives them no point); give the town or LAT,LON")
    districts, _ = _data()
    if district in districts:
        return None
    close = [f"{d}{code[len(district):]}" for d in _lookalikes(district) if d in districts]
    ask = f"; did you mean: {'; '.join(close)}" if close else ""
    return PlaceNotFoundError(
        f"unknown place {text.strip()!r}: written as a UK postcode, but there is no postcode "
        f"district {district} in our data{ask}", close)


def _lookalikes(district: str) -> list[str]:
    """``district`` with one character changed for one that looks like it."""
    return [district[:i] + _LOOKALIKES[c] + district[i + 1:]
            for i, c in enumerate(district) if c in _LOOKALIKES]


def postcode_then_town(text: str) -> tuple[str, str] | None:
    """``"W6 8RF London"``: the UK postcode (or district) as written and the words after it,
    when ``text`` has no comma and goes on after the code with words that name no country;
    else None."""
    words = text.split()
    if "," in text:
        return None
    for cut in range(min(3, len(words) - 1), 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if tail[0].isalpha() and _read(head) is not None and country_code(tail) is None:
            return head, tail  # (a word, not the rest of a postcode: "M5V 2T6" is Canadian)
    return None


def northern_ireland_postcode(text: str) -> bool:
    """Whether ``text`` is a Northern Ireland postcode or district (area ``BT``), alone or
    with the UK: their points come under Land & Property Services' licence, not the Open
    Government Licence, and are not in our data (``tools/make_postcodes.py``)."""
    read = _read(text)
    return read is not None and read[0][:2] == "BT" and (
        read[3] is None or country_code(read[3]) == "GB")


def uk_postcode(text: str) -> Place | None:
    """The place of a UK postcode or postcode district, alone or followed by the country
    with or without a comma (``"LS1 4AP"``, ``"ls14ap"``, ``"LS1"``, ``"M22 5RU, UK"``,
    ``"W6 8RF UK"``); None when ``text`` is none of these or its district is not in our data
    (Northern Ireland's are not: :func:`postcode_refusal` says why)."""
    read = _read(text)
    if read is None:
        return None
    district, digit, letters, country = read
    if country is not None and country_code(country) != "GB":
        return None
    districts, sectors = _data()
    if district not in districts:
        return None
    (lat, lon, km, count), town = districts[district]
    what = f"the postcode district {district}"
    code = district
    if digit is not None:
        code = f"{district} {digit}{letters}"
        sector = sectors.get(f"{district} {digit}")
        if sector is not None:
            lat, lon, km, count = sector
            what = f"the postcode sector {district} {digit}"
    note = (f"{code!r} placed at the middle of {what} (by {town}), not at the address: "
            f"{count:,} postcodes, 90% of them within {km:g} km of that point")
    return Place(f"{code}, United Kingdom", lat, lon, "postcode", "GB", note)
