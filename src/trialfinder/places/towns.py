"""The gazetteer's towns and name indexes, held compactly, and their packed form in the file.

About 180,000 towns and 300,000 folded names held as Python lists and dicts of lists took some
160 MB of memory, and reading them from JSON lists about 0.6 s. Here the numbers are arrays
(``array.array``: a few bytes a value instead of a Python object each), the country and region
codes are kept once each and referred to by number, and each name index is one dict from the
name to a slot plus two arrays (where each slot's towns begin, and the towns). The towns'
coordinates and the indexes are written to the file (format 4) as base64 of little-endian
integers, so reading them makes no Python object per value.

Packed form (a JSON object each):

- towns: ``{"name": "names joined by newlines", "lat"/"lon": base64 of int32 (degrees times
  100,000: GeoNames gives five decimals, so this is exact), "population": base64 of int32,
  "country"/"admin1"/"admin2": {"values": [codes...], "codes": base64 of uint32 indexes}}``;
- an index: ``{"keys": "folded names joined by newlines", "offsets": base64 of uint32 (one more
  than there are keys: key i's towns are positions[offsets[i]:offsets[i+1]]), "positions":
  base64 of uint32}``.

Everything read is checked (lengths, ranges, a town off the globe) and a failure raises
``ValueError``, which the gazetteer reports as a damaged file.
"""

from __future__ import annotations

import base64
import operator
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, NamedTuple

__all__ = ["COLUMNS", "City", "Positions", "Towns", "pack_index", "pack_towns"]

#: The towns' fields, in the order of :class:`City`.
COLUMNS = ("name", "lat", "lon", "country", "admin1", "admin2", "population")
_CODED = ("country", "admin1", "admin2")
#: Coordinates are written as whole numbers of this many parts of a degree.
SCALE = 100_000
_NUMBER = {float, int}
_LIST_TYPES: dict[str, set[type]] = {
    "name": {str}, "lat": _NUMBER, "lon": _NUMBER, "country": {str}, "admin1": {str},
    "admin2": {str}, "population": {int},
}


class City(NamedTuple):
    name: str
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2
    admin1: str  # GeoNames code of its first-level region, e.g. "CA.08" (Ontario), or ""
    admin2: str  # GeoNames code of its second-level region, e.g. "FR.76.34" (Hérault), or ""
    population: int


def _little(values: array[Any]) -> array[Any]:
    if sys.byteorder != "little":  # pragma: no cover - depends on the machine
        values.byteswap()
    return values


def _encode(typecode: str, values: Sequence[int]) -> str:
    return base64.b64encode(_little(array(typecode, values)).tobytes()).decode("ascii")


def _decode(typecode: str, text: Any) -> array[Any]:
    if not isinstance(text, str):
        raise TypeError("a packed column is not text")
    values = array(typecode)
    values.frombytes(base64.b64decode(text, validate=True))  # ValueError when damaged
    return _little(values)


def _lines(text: Any, what: str) -> list[str]:
    if not isinstance(text, str):
        raise TypeError(f"the {what} are not text")
    return text.split("\n") if text else []


class _Coded(NamedTuple):
    """A column of few distinct texts: each text once, and a number per town."""

    values: tuple[str, ...]
    codes: array[int]

    @classmethod
    def of(cls, column: Sequence[str]) -> _Coded:
        seen: dict[str, int] = {}
        codes = array("I", [seen.setdefault(v, len(seen)) for v in column])
        return cls(tuple(seen), codes)

    @classmethod
    def unpack(cls, packed: Any, count: int, name: str) -> _Coded:
        if not isinstance(packed, dict) or not isinstance(packed.get("values"), list):
            raise ValueError(f"the towns' {name} is not a coded column")
        values = tuple(packed["values"])
        if set(map(type, values)) - {str}:
            raise ValueError(f"a town's {name} has the wrong type")
        codes = _decode("I", packed.get("codes"))
        if len(codes) != count:
            raise ValueError("the town columns differ in length")
        if codes and max(codes) >= len(values):
            raise ValueError(f"a town's {name} points outside its values")
        return cls(values, codes)

    def packed(self) -> dict[str, Any]:
        return {"values": list(self.values), "codes": _encode("I", self.codes)}


def _check_globe(lats: Sequence[float], lons: Sequence[float]) -> None:
    if lats and not (-90 <= min(lats) <= max(lats) <= 90 and
                     -180 <= min(lons) <= max(lons) <= 180):
        raise ValueError("a town lies off the globe")


class Towns:
    """The towns most populous first, stored by column and made into :class:`City` values
    when asked for."""

    __slots__ = ("_admin1", "_admin2", "_count", "_country", "_lat", "_lon", "_names", "_pop")

    def __init__(self, names: list[str], lat: array[float], lon: array[float],
                 coded: tuple[_Coded, _Coded, _Coded], population: array[int]) -> None:
        if len({len(names), len(lat), len(lon), len(population),
                *(len(c.codes) for c in coded)}) != 1:
            raise ValueError("the town columns differ in length")
        _check_globe(lat, lon)
        self._names, self._lat, self._lon, self._pop = names, lat, lon, population
        self._country, self._admin1, self._admin2 = coded
        self._count = len(names)

    @classmethod
    def from_columns(cls, columns: Any) -> Towns:
        """From the seven fields as equally long JSON lists (format 3, the quarters file)."""
        if not isinstance(columns, dict) or set(columns) != set(COLUMNS):
            raise ValueError(f"the towns are not the columns {', '.join(COLUMNS)}")
        values = [columns[name] for name in COLUMNS]
        if not all(type(v) is list for v in values) or len({len(v) for v in values}) != 1:
            raise ValueError("the town columns differ in length")
        for (name, allowed), column in zip(_LIST_TYPES.items(), values, strict=True):
            if set(map(type, column)) - allowed:
                raise ValueError(f"a town's {name} has the wrong type")
        _check_globe(values[1], values[2])
        coded = (_Coded.of(values[3]), _Coded.of(values[4]), _Coded.of(values[5]))
        return cls(values[0], array("d", values[1]), array("d", values[2]), coded,
                   array("q", values[6]))

    @classmethod
    def unpack(cls, packed: Any) -> Towns:
        """From their packed form (format 4; see the module docstring)."""
        if not isinstance(packed, dict) or set(packed) != set(COLUMNS):
            raise ValueError(f"the towns are not the columns {', '.join(COLUMNS)}")
        names = _lines(packed["name"], "town names")
        count = len(names)
        lat = array("d", [v / SCALE for v in _decode("i", packed["lat"])])
        lon = array("d", [v / SCALE for v in _decode("i", packed["lon"])])
        population = _decode("i", packed["population"])
        if population and min(population) < 0:
            raise ValueError("a town's population is below zero")
        coded = (_Coded.unpack(packed["country"], count, "country"),
                 _Coded.unpack(packed["admin1"], count, "admin1"),
                 _Coded.unpack(packed["admin2"], count, "admin2"))
        return cls(names, lat, lon, coded, population)

    def packed(self) -> dict[str, Any]:
        """The packed form; raises ``ValueError`` for a coordinate of more than five decimals
        (it would not be written exactly) or a name with a line break."""
        if any("\n" in n for n in self._names):
            raise ValueError("a town's name holds a line break")
        scaled = {}
        for name, column in (("lat", self._lat), ("lon", self._lon)):
            whole = [round(v * SCALE) for v in column]
            if any(w / SCALE != v for w, v in zip(whole, column, strict=True)):
                raise ValueError(f"a town's {name} has more than five decimals")
            scaled[name] = _encode("i", whole)
        return {"name": "\n".join(self._names), **scaled,
                "country": self._country.packed(), "admin1": self._admin1.packed(),
                "admin2": self._admin2.packed(), "population": _encode("i", self._pop)}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> City:
        country, admin1, admin2 = self._country, self._admin1, self._admin2
        return City(self._names[index], self._lat[index], self._lon[index],
                    country.values[country.codes[index]], admin1.values[admin1.codes[index]],
                    admin2.values[admin2.codes[index]], self._pop[index])

    def __iter__(self) -> Iterator[City]:
        coded = [map(c.values.__getitem__, c.codes)
                 for c in (self._country, self._admin1, self._admin2)]
        return map(City._make, zip(self._names, self._lat, self._lon, *coded, self._pop,
                                   strict=True))


class Positions(Mapping[str, Sequence[int]]):
    """A name index: folded name -> the positions of its towns (never empty, ascending as
    written, so the first is the most populous)."""

    __slots__ = ("_offsets", "_positions", "_slots")

    def __init__(self, keys: list[str], offsets: array[int], positions: array[int],
                 count: int) -> None:
        """Check the parts against each other and against ``count`` towns."""
        slots = dict(zip(keys, range(len(keys)), strict=True))
        if len(slots) != len(keys):
            raise ValueError("an index names a town twice")
        if len(offsets) != len(keys) + 1 or offsets[0] != 0 or offsets[-1] != len(positions):
            raise ValueError("an index's offsets do not fit its positions")
        if not all(map(operator.lt, offsets, islice(offsets, 1, None))):
            raise ValueError("an index entry is not a list of towns")
        if positions and max(positions) >= count:
            raise ValueError("an index points outside the town list")
        self._slots, self._offsets, self._positions = slots, offsets, positions

    @classmethod
    def from_lists(cls, index: Any, count: int) -> Positions:
        """From ``{name: [positions...]}`` (format 3, the quarters file)."""
        if not isinstance(index, dict):
            raise TypeError("an index is not a mapping")
        offsets, positions = array("I", [0]), array("I")
        for entry in index.values():
            if type(entry) is not list or not entry:
                raise ValueError("an index entry is not a list of towns")
            if set(map(type, entry)) - {int} or min(entry) < 0:
                raise ValueError("an index points outside the town list")
            try:
                positions.extend(entry)
            except OverflowError as exc:
                raise ValueError("an index points outside the town list") from exc
            offsets.append(len(positions))
        return cls(list(index), offsets, positions, count)

    @classmethod
    def unpack(cls, packed: Any, count: int) -> Positions:
        """From its packed form (format 4; see the module docstring)."""
        if not isinstance(packed, dict):
            raise TypeError("an index is not a mapping")
        return cls(_lines(packed.get("keys"), "index's names"), _decode("I", packed.get("offsets")),
                   _decode("I", packed.get("positions")), count)

    def packed(self) -> dict[str, Any]:
        if any("\n" in k for k in self._slots):
            raise ValueError("an index's name holds a line break")
        return {"keys": "\n".join(self._slots), "offsets": _encode("I", self._offsets),
                "positions": _encode("I", self._positions)}

    def __getitem__(self, name: str) -> Sequence[int]:
        slot = self._slots[name]
        return self._positions[self._offsets[slot]:self._offsets[slot + 1]]

    def get(self, name: str, default: Any = None) -> Any:  # the hot path: no KeyError
        slot = self._slots.get(name)
        if slot is None:
            return default
        return self._positions[self._offsets[slot]:self._offsets[slot + 1]]

    def __contains__(self, name: object) -> bool:
        return name in self._slots

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)


def pack_towns(columns: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The packed form of towns given as the seven JSON lists (the builder's output)."""
    return Towns.from_columns(dict(columns)).packed()


def pack_index(index: Mapping[str, list[int]], count: int) -> dict[str, Any]:
    """The packed form of ``{name: [positions...]}`` over ``count`` towns."""
    return Positions.from_lists(dict(index), count).packed()
