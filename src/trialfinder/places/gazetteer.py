"""The shipped gazetteer: countries, regions and towns from GeoNames, read once per process.

``data/gazetteer.json.gz`` is built by ``tools/make_gazetteer.py`` from GeoNames data
(CC BY 4.0, see ``data/GAZETTEER_LICENSE.txt``). It holds every GeoNames town of at least
``min_population`` people (written in the file), the district seats GeoNames gives no
population (population 0 here, so they rank last among namesakes), the first- and
second-level regions those towns lie in (states, provinces, prefectures, departments...) and
the ISO 3166-1 countries,
each with the names it is known by, already folded with :func:`trialfinder.places.names.key`;
and the *quarters*: parts of towns and localities that GeoNames' postal-code files name
("Sandton", "Hellerup", "Rennaz"), near a town of 15,000+ people and not named by any town of their
country, each at the middle of its postal codes. The packaged quarters live in their own
file, ``data/gazetteer-quarters.json.gz``, read only when a name is not a town, or names
only small towns (a great city's district may come first: :mod:`.quarters`), so reading the
towns costs no more; a gazetteer file given by path may hold its own.
The registry's own country spellings and everyday names (:mod:`.countrynames`) are added to
those when the file is read.

The file is read with bounds: at most :data:`MAX_PACKED` bytes on disk and
:data:`MAX_UNPACKED` bytes once decompressed; a file over either bound or of another shape
raises :class:`~trialfinder.core.errors.DataFileError` instead of filling memory.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from trialfinder.core.errors import DataFileError
from trialfinder.core.packed import unpack_gzip
from trialfinder.places.countrynames import EVERYDAY_COUNTRIES, FORMER_NAMES, REGISTRY_COUNTRIES
from trialfinder.places.names import FOLD_VERSION, key
from trialfinder.places.towns import City, Positions, Towns

__all__ = ["MAX_PACKED", "MAX_UNPACKED", "QUARTERS_FILE", "City", "Gazetteer", "Positions",
           "Quarters", "Towns", "default_gazetteer", "load"]

logger = logging.getLogger(__name__)

#: Largest gazetteer file read from disk, and largest once decompressed.
MAX_PACKED = 32 * 1024 * 1024
MAX_UNPACKED = 160 * 1024 * 1024

#: The towns and name indexes packed (:mod:`.towns`); format 3, the same as JSON lists, is
#: still read (a gazetteer file given by path may be one).
_FORMAT = 4
_LISTED = 3
_QUARTERS_FORMAT = 2  # packed as the towns are (format 1: JSON lists, still read)
_QUARTERS_LISTED = 1
#: The packaged quarters, beside the packaged towns.
QUARTERS_FILE = "gazetteer-quarters.json.gz"


@dataclass(frozen=True, slots=True, eq=False)
class Gazetteer:
    """Towns most populous first, with indexes from folded names to positions in ``cities``.

    The position lists are sorted, so the first match of a name is its most populous.
    """

    cities: Towns
    by_name: Positions  # own-name key -> towns
    by_alt: Positions  # alternate-name key -> towns (not those that own the name)
    countries: dict[str, str]  # name / code / alias key -> ISO alpha-2
    country_names: dict[str, str]  # ISO alpha-2 -> display name
    regions: dict[str, tuple[str, ...]]  # region name / code key -> GeoNames region codes
    region_names: dict[str, str]  # GeoNames region code -> display name
    min_population: int
    alternates_from: int
    # parts of towns and localities from the postal data ("Sandton"): population 0, no admin2
    quarters: Quarters | None = None


def _read_bounded(path: Path | None, packaged: str = "gazetteer.json.gz") -> bytes:
    if path is None:
        handle = resources.files("trialfinder").joinpath("data", packaged).open("rb")
        where = "the packaged gazetteer" + ("" if packaged == "gazetteer.json.gz"
                                            else f" ({packaged})")
    else:
        handle = path.open("rb")
        where = str(path)
    with handle:
        packed = handle.read(MAX_PACKED + 1)
    if len(packed) > MAX_PACKED:
        raise DataFileError(f"{where} is larger than {MAX_PACKED} bytes; not read")
    return unpack_gzip(packed, MAX_UNPACKED, where)


def _shape_error(where: str, what: str) -> DataFileError:
    return DataFileError(f"{where} is not a trialfinder gazetteer ({what}); rebuild it with "
                         "tools/make_gazetteer.py or reinstall trialfinder")


class Quarters:
    """The quarters (as towns of population 0) and their name index, read on first use."""

    __slots__ = ("_lock", "_read", "_value")

    def __init__(self, read: Callable[[], tuple[Towns, Positions]]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._value: tuple[Towns, Positions] | None = None

    def _loaded(self) -> tuple[Towns, Positions]:
        with self._lock:
            if self._value is None:
                self._value = self._read()
            return self._value

    def named(self, name_key: str) -> list[City]:
        """The quarters whose folded name is ``name_key``."""
        towns, index = self._loaded()
        return [towns[i] for i in index.get(name_key, ())]

    def starting(self, prefix: str) -> list[tuple[str, City]]:
        """``(folded name, quarter)`` for each quarter whose folded name starts with
        ``prefix`` and goes on."""
        towns, index = self._loaded()
        return [(k, towns[i]) for k in index
                if k.startswith(prefix) and k != prefix for i in index[k]]

    def __len__(self) -> int:
        return len(self._loaded()[0])


def _quarters_of(raw: Any) -> tuple[Towns, Positions]:
    if raw.get("format") == _QUARTERS_FORMAT:  # the packaged file: packed columns
        towns = Towns.unpack(raw["quarters"])
        return towns, Positions.unpack(raw["quarter_names"], len(towns))
    towns = Towns.from_columns(raw["quarters"])
    return towns, Positions.from_lists(raw["quarter_names"], len(towns))


def _packaged_quarters() -> tuple[Towns, Positions]:
    where = f"the packaged gazetteer ({QUARTERS_FILE})"
    raw = _read_checked(_read_bounded(None, QUARTERS_FILE), where, _QUARTERS_FORMAT,
                        _QUARTERS_LISTED)
    try:
        return _quarters_of(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise _shape_error(where, f"bad entry: {exc}") from exc


def _read_checked(body: bytes, where: str, form: int, *older: int) -> Any:
    """A gazetteer file's JSON, checked to be of format ``form`` (or one of ``older``) and
    our folding rule."""
    try:
        raw: Any = _parse(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _shape_error(where, "not JSON") from exc
    if not isinstance(raw, dict) or raw.get("format") not in (form, *older):
        also = "".join(f" or {o}" for o in older)
        raise _shape_error(where, f"format is not {form}{also}")
    if raw.get("fold") != FOLD_VERSION:
        raise _shape_error(where, f"names folded by rule {raw.get('fold')}, not {FOLD_VERSION}")
    return raw


def _parse(body: bytes) -> Any:
    try:
        import orjson  # optional speed-up: parses the file about three times faster
    except ImportError:  # pragma: no cover - depends on the install
        return json.loads(body)
    return orjson.loads(body)


def _add_our_country_names(countries: dict[str, str], names: dict[str, str]) -> None:
    """Every spelling the registry writes and the everyday names people type (these win
    over the file's keys), and the names of former states."""
    for name, code in REGISTRY_COUNTRIES.items():
        countries[key(name)] = code
    for code, typed in EVERYDAY_COUNTRIES.items():
        for name in typed:
            countries[key(name)] = code
    for code, name in FORMER_NAMES.items():
        names.setdefault(code, name)


def load(path: Path | None = None) -> Gazetteer:
    """Read a gazetteer file (the packaged one when ``path`` is None); checks its shape."""
    started = time.perf_counter()
    where = str(path) if path is not None else "the packaged gazetteer"
    raw = _read_checked(_read_bounded(path), where, _FORMAT, _LISTED)
    try:
        if raw["format"] == _FORMAT:
            cities = Towns.unpack(raw["cities"])
            by_name = Positions.unpack(raw["names"], len(cities))
            by_alt = Positions.unpack(raw["alternates"], len(cities))
        else:
            cities = Towns.from_columns(raw["cities"])
            by_name = Positions.from_lists(raw["names"], len(cities))
            by_alt = Positions.from_lists(raw["alternates"], len(cities))
        del raw["cities"], raw["names"], raw["alternates"]  # the JSON's copies: freed now
        countries: dict[str, str] = {}
        country_names: dict[str, str] = {}
        for iso2, display, keys in raw["countries"]:
            country_names[str(iso2)] = str(display)
            for k in keys:
                countries.setdefault(str(k), str(iso2))
        _add_our_country_names(countries, country_names)
        region_names: dict[str, str] = {}
        region_keys: dict[str, list[str]] = defaultdict(list)
        for code, (display, keys) in raw["regions"].items():
            region_names[str(code)] = str(display)
            for k in keys:
                region_keys[str(k)].append(str(code))
        quarters = None
        if "quarters" in raw:  # a file of its own: checked now, like its towns
            inline = _quarters_of(raw)
            quarters = Quarters(lambda: inline)
        elif path is None:
            quarters = Quarters(_packaged_quarters)
        gazetteer = Gazetteer(
            cities, by_name, by_alt, countries, country_names,
            {k: tuple(v) for k, v in region_keys.items()}, region_names,
            int(raw["min_population"]), int(raw["alternates_from"]), quarters,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _shape_error(where, f"bad entry: {exc}") from exc
    logger.debug("gazetteer: %d towns, %d regions, %d countries read from %s in %.2f s",
                 len(cities), len(region_names), len(country_names), where,
                 time.perf_counter() - started)
    return gazetteer


@cache
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer, read on first use and kept for the process."""
    return load()
