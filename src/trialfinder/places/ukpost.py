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

from trialfinder.core.errors import DataFileError
from trialfinder.core.packed import unpack_gzip
from trialfinder.places.countrynames import country_code
from trialfinder.places.place import Place

__all__ = ["POSTCODES_FILE", "uk_postcode"]

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


def _read(text: str) -> tuple[str, str | None, str | None] | None:
    """(district, sector digit, unit letters) of a UK postcode or district, alone or followed
    by the country; None when ``text`` is none of these."""
    head, *rest = text.split(",")
    shape = _SHAPE.fullmatch(" ".join(head.upper().split()))
    after = [part for part in rest if part.strip()]
    if shape is None or len(after) > 1 or any(country_code(part) != "GB" for part in after):
        return None
    district, digit, letters, area, number, typed_digit, typed_letters = shape.groups()
    if area is not None:
        district, digit, letters = area + number, typed_digit.replace("O", "0"), typed_letters
    return district, digit, letters


def northern_ireland_postcode(text: str) -> bool:
    """Whether ``text`` is a Northern Ireland postcode or district (area ``BT``): their points
    come under Land & Property Services' licence, not the Open Government Licence, and are not
    in our data (``tools/make_postcodes.py``)."""
    read = _read(text)
    return read is not None and read[0].rstrip("0123456789") == "BT"


def uk_postcode(text: str) -> Place | None:
    """The place of a UK postcode or postcode district, alone or followed by the country
    (``"LS1 4AP"``, ``"ls14ap"``, ``"LS1"``, ``"M22 5RU, UK"``); None when ``text`` is none
    of these or its district is not in our data (Northern Ireland's are not)."""
    read = _read(text)
    if read is None:
        return None
    district, digit, letters = read
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
