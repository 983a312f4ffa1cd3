"""Offline place resolution: turn what someone types, or what the registry writes, into a point.

:func:`resolve_place` accepts

* ``"LAT,LON"`` in decimal degrees (``"42.36,-71.06"``), ranges checked; any two numbers
  (``"1e1,5"``, ``"nan,nan"``, ``"inf,0"``) are read as coordinates, never as a place name,
  so two that are not finite are one error;
* a US ZIP code (``"02115"`` or ``"02115-1234"``), from the ``zipcodes`` package;
* a UK postcode (``"LS1 4AP"``) or postcode district (``"LS1"``), alone or with the country
  (``"W6 8RF UK"``, ``"LS1, England"``), placed at the middle of its sector or district
  (:mod:`trialfinder.places.ukpost`); one written with another country, of a district that
  does not exist (``"M2O 4BX"``: did you mean M20 4BX) or of Northern Ireland, the Channel
  Islands or the Isle of Man is refused in one line;
* ``"City"``, ``"City, Region"``, ``"City, Country"`` and ``"City, Region, Country"``, where

  - a country is named as people and the registry write it: ``"France"``, ``"FR"``, ``"FRA"``,
    ``"The Netherlands"``, ``"Korea, Republic of"``, ``"Turkey (Türkiye)"``, ``"Viet Nam"``,
    ``"Former Serbia and Montenegro"``, ``"UK"``, ``"USA"``... (every spelling of the
    registry's country list: :mod:`trialfinder.places.countrynames`);
  - a region is a US state (``"MA"``, ``"Massachusetts"``) or a state, province, prefecture,
    county or department anywhere, by name or by its ISO 3166-2 code (``"ON"``, ``"NSW"``);
  - the town may carry a local suffix, a postal code or district, a part-of-town word or a
    bracketed part (``"Nara-shi"``, ``"Lyon Cedex 03"``, ``"75013 Paris"``, ``"Aarhus C"``,
    ``"Jakarta Pusat"``, ``"Halle (Saale)"``: :mod:`trialfinder.places.towntext`), and may be
    given by an alternate name (``"Cologne"``/``"Köln"``, ``"Beer Sheva"``);
  - what the registry puts in a city field besides the town (a hospital, a street, a postal
    code: ``"Sheba Medical Center, Ramat Gan, Israel"``, ``"Seoul, 03080"``) is set aside: each
    part is tried as the town, and a postal code is left out, with a note;
  - ``"NYC"``, ``"LA"``, ``"SF"`` and ``"DC"`` (``"Washington DC"``) are everyday aliases; a
    hospital campus written as the town (``"Tel Hashomer"``) and a renamed US Army post
    (``"Fort Eisenhower, Georgia"``) are read as their town, with a note; text garbled by a
    wrong encoding (``"MÃ¼nchen"``) is read as written (:mod:`trialfinder.places.aliases`).

Towns come from the gazetteer shipped with trialfinder (GeoNames towns of at least 1,000
people; see :mod:`trialfinder.places.gazetteer`). A US town missing there, or a township, part
of a city or base ("Moon Township", "West Los Angeles"), is looked up in the ``zipcodes`` data
when its state is given. A town not found in the country named is looked for in the
territories it governs (``"Hong Kong, China"``).

Choosing among places of the same name:

* with a region or a country given, the most populous match in it wins; the others are named
  in :attr:`Place.note` and listed in :attr:`Place.others` (``"Halle, Germany"`` is Halle
  (Saale)), and a town that bears the name beats a larger one only known by it
  (``"Franklin, Ohio"`` is Franklin, not Columbus in Franklin County);
* a bare name resolves to its most populous match when that one has at least
  :data:`DOMINANCE` times the people of the next (``"Nara"`` is Nara, Japan, not Nara, Mali);
  when the largest are closer than that, :class:`PlaceNotFoundError` lists them.

A region that the gazetteer does not know, or that does not hold the town, is set aside with a
note (the town is then looked up in the whole country). Unknown names raise
:class:`PlaceNotFoundError` with close matches in the message and in ``.suggestions``. Each
candidate, suggestion and ``others`` entry is itself a valid input.

The gazetteer is read and indexed on the first call (about a second) and kept for the process.
"""

from __future__ import annotations

import difflib
import math
import re

from trialfinder.core.errors import InvalidQueryError, PlaceNotFoundError
from trialfinder.places.aliases import SAID, alias_for, repaired
from trialfinder.places.gazetteer import Gazetteer, default_gazetteer
from trialfinder.places.lookup import (
    DOMINANCE,
    Scope,
    country_codes,
    country_name,
    distinct,
    hits,
    in_scope,
    label,
    region_in,
    scopes,
    state_scope,
)
from trialfinder.places.names import key
from trialfinder.places.place import Place, PlaceKind, chosen, noted
from trialfinder.places.quarters import district_alone, district_of_a_city
from trialfinder.places.search import search, town_error
from trialfinder.places.suggest import close_names, not_found
from trialfinder.places.towntext import readings
from trialfinder.places.ukpost import postcode_refusal, postcode_then_town, uk_postcode
from trialfinder.places.uszip import zip_point

__all__ = ["DOMINANCE", "EMPTY_PLACE", "Place", "PlaceKind", "coordinates", "empty_place",
           "resolve_place"]

#: What a place that is empty or blank is told (the command line's ``--near ""`` too).
EMPTY_PLACE = ("place is empty; type a city ('Boston, MA'), a US ZIP code, a UK postcode or "
               "'LAT,LON'")


def empty_place(label: str) -> str:
    """:data:`EMPTY_PLACE` naming the option it was given to (``--near is empty; ...``)."""
    return EMPTY_PLACE.replace("place", label, 1)

#: Longest text accepted as a place.
MAX_LENGTH = 200

_MAX_CANDIDATES = 10

_ZIP_RE = re.compile(r"^\s*([0-9]{5})(?:-[0-9]{4})?\s*$")  # ASCII digits only
_POSTCODE_PART_RE = re.compile(r"^(?=(?:\D*\d){3})[\dA-Z -]{3,10}$")  # 03080, 1090, D-80331



def coordinates(text: str) -> tuple[float, float] | None:
    """``"42.36, -71.06"`` -> ``(42.36, -71.06)``; ``None`` for text that is not two numbers;
    :class:`InvalidQueryError` for coordinates out of range or not finite (``"nan,nan"``).
    Loads no gazetteer."""
    pair = _number_pair(text)
    if pair is None:
        return None
    place = _coordinates(*pair)
    return place.lat, place.lon


def _number_pair(text: str) -> tuple[str, str] | None:
    """The two parts of ``text`` when it is two comma-separated numbers as Python reads them
    (``nan``, ``inf`` and ``1e3`` included): meant as coordinates, never a place name."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        return None
    try:
        float(parts[0])
        float(parts[1])
    except ValueError:
        return None
    return parts[0], parts[1]


def _coordinates(lat_text: str, lon_text: str) -> Place:
    lat, lon = float(lat_text), float(lon_text)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidQueryError("coordinates must be two numbers: latitude -90..90, longitude "
                                f"-180..180, not {lat_text!r}, {lon_text!r}")
    if not -90 <= lat <= 90:
        raise InvalidQueryError(f"latitude must be within -90..90, not {lat_text}")
    if not -180 <= lon <= 180:
        raise InvalidQueryError(f"longitude must be within -180..180, not {lon_text}")
    return Place(f"{lat:g}, {lon:g}", lat, lon, "coordinates")


# -- the forms of a place --------------------------------------------------------------------


def _with_country(gaz: Gazetteer, town: str, regions: list[str], codes: tuple[str, ...],
                  text: str) -> Place:
    """``Town, Country`` or ``Town, Region[, Region...], Country`` (each country of a former
    state): the regions we know are searched first, then the whole country, then the other
    parts as the town (the registry's address form, ``Facility, City, Region, Country``); a
    region we do not know, or that does not hold the town, is set aside with a note. A US
    state that does not hold the town is an error (no other state is searched), and so is a
    US region that is no state when no state is given."""
    wholes = [Scope(c, None, country_name(gaz, c)) for c in codes]
    named = " or ".join(s.label for s in wholes)
    narrow: list[Scope] = []
    unknown: list[str] = []
    for region in regions:
        found = [(c, r) for c in codes if (r := region_in(gaz, region, c))]
        if found:
            iso2, region_codes = found[0]
            name = gaz.region_names[min(region_codes)]
            narrow.append(state_scope(gaz, min(region_codes)) if iso2 == "US"
                          else Scope(iso2, region_codes, f"{name}, {country_name(gaz, iso2)}"))
        else:
            unknown.append(region)
    if codes == ("US",) and narrow:
        wholes = []  # a US state was given: the town is in it or not found
    elif codes == ("US",) and unknown:
        raise not_found(f"{unknown[0]!r} is not a US state", [])
    result = search(gaz, town, regions, [*narrow, *wholes], text)
    if result is None:
        raise town_error(gaz, town, [*narrow, *wholes][0])
    place, where = result
    asides = [f"{r!r} is not a region of {named} in our data" for r in unknown
              if f"{r!r} taken as the" not in place.note]
    passed = narrow[: narrow.index(where)] if where in narrow else narrow
    asides += [f"no {town.strip()!r} in {gaz.region_names[min(s.codes or ())]} in our data"
               for s in passed]
    if not asides:
        return place
    looked = f"; looked in all of {where.label}" if where.codes is None else ""
    return noted(place, "; ".join(asides) + looked, text)


def _with_qualifier(gaz: Gazetteer, town: str, qualifier: str, text: str,
                    parts: list[str] | None = None) -> Place:
    """``Town, X`` where X is a US state, a country or a region anywhere; ``parts`` are more
    parts of the text written between them, tried as the town when ``town`` is not one."""
    found = scopes(gaz, qualifier)
    if not found:
        names = [*gaz.country_names.values(),
                 *(n for c, n in gaz.region_names.items() if c.startswith("US.")
                   and c.count(".") == 1)]
        close = difflib.get_close_matches(qualifier.strip(), names, n=4, cutoff=0.7)
        raise not_found(f"{qualifier.strip()!r} is not a country or a state we know",
                        [f"{town.strip()}, {c}" for c in close])
    result = search(gaz, town, parts or [], found, text)
    if result is None:
        raise town_error(gaz, town, found[0])
    return result[0]


def _bare(gaz: Gazetteer, text: str) -> Place:
    if not key(text):
        raise PlaceNotFoundError(f"{text!r} is not a place name")
    district = district_of_a_city(gaz, text, None, text)  # "Kadıköy": Istanbul's
    if district is not None:
        return district
    found: list[int] = []
    lossy = False
    for reading in readings(text):
        if reading.lossy and scopes(gaz, text):
            break  # a region's own name is no other town's misspelling ("Kocaeli", "Kocaali")
        found, lossy = hits(gaz, reading.key), reading.lossy
        if reading.sized:  # a quarter dropped: "North York" is no village called York
            found = [i for i in found if gaz.cities[i].population >= gaz.alternates_from]
        if found:
            break
    if found:
        first = gaz.cities[found[0]]
        others = distinct(gaz, first, found[1:])
        if not others or first.population >= DOMINANCE * max(1, others[0].population):
            place = chosen(gaz, first, others, text, "")
            if lossy:
                place = noted(place, f"no town {text.strip()!r} in our data; read as "
                                      f"{place.name}", text)
            return place
        labels = [label(gaz, c) for c in [first, *others][:_MAX_CANDIDATES]]
        total = len(others) + 1
        more = f" and {total - len(labels)} more" if total > len(labels) else ""
        raise PlaceNotFoundError(
            f"{text.strip()!r} matches {total} places; add a state or country: "
            + "; ".join(labels) + more,
            labels,
        )
    # "Boston MA", "Lyon France": the last word(s) may be a qualifier without its comma.
    words = text.split()
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if scopes(gaz, tail):
            try:
                return _with_qualifier(gaz, head, tail, text)
            except PlaceNotFoundError:
                break
    district = district_alone(gaz, text)  # "Gangnam-gu", "Beşiktaş": a great city's
    if district is not None:
        return district
    for scope in scopes(gaz, text):
        biggest = next((c for c in gaz.cities if in_scope(c, scope)), None)
        examples = [label(gaz, biggest)] if biggest is not None else []
        kind = "a country" if scope.codes is None else (
            "a US state" if scope.country == "US" else "a region")
        raise not_found(f"{text.strip()!r} is {kind}, not a town; name a town in it", examples)
    raise not_found(f"unknown place {text.strip()!r}", close_names(gaz, key(text)))


#: Postcodes of other countries, as people type their own: British (``SW1A 1AA``), Canadian
#: (``M5V 2T6``), Dutch (``1012 AB``), those of digits alone (``8001``, ``0211``) and with
#: a country's letters (``D-80331``).
_POSTCODE = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}"
                       r"|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]"
                       r"|[0-9]{4} ?[A-Za-z]{2}|(?:[A-Za-z]{1,2}-)?[0-9]{3,7}")


def _split(gaz: Gazetteer, text: str) -> tuple[str, list[str]]:
    """The town and its qualifiers, empty parts left out; a country written with a comma
    (``"Korea, Republic of"``, ``"Congo, The Democratic Republic of the"``) counts as one."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) >= 2 and key(parts[-2] + parts[-1]) in gaz.countries and (
            len(parts) >= 3 or key(parts[-1]) not in gaz.countries):
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    if not parts:
        raise PlaceNotFoundError(
            f"cannot read {text.strip()!r}; use 'City', 'City, ST', 'City, Country', "
            "'City, Region, Country' or 'LAT,LON'")
    return parts[0], parts[1:]


def _place(gaz: Gazetteer, town: str, qualifiers: list[str], text: str) -> Place:
    if not qualifiers:
        return _bare(gaz, town)
    codes = country_codes(gaz, qualifiers[-1])
    if codes:
        if len(qualifiers) == 1:
            return _with_qualifier(gaz, town, qualifiers[0], text)
        return _with_country(gaz, town, qualifiers[:-1], codes, text)
    # the last part is no country: a state or region, the parts before it more of the place
    return _with_qualifier(gaz, town, qualifiers[-1], text, qualifiers[:-1])


# -- public ----------------------------------------------------------------------------------


def resolve_place(text: str, *, gazetteer: Gazetteer | None = None) -> Place:
    """Resolve ``text`` offline to a :class:`Place`.

    ``text`` is ``"LAT,LON"``, a US ZIP code, or a town with an optional region and country
    (``"Toronto, ON"``, ``"London, Ontario, Canada"``, ``"Seoul, Korea, Republic of"``,
    ``"Nara"``); see the module docstring for every form and how a choice between places of
    the same name is made. ``gazetteer`` replaces the packaged one (tests, benchmarks).

    Raises :class:`PlaceNotFoundError` (an :class:`InvalidQueryError`, so also a
    ``ValueError``) for an unknown or ambiguous place, with candidates in ``.suggestions``,
    and :class:`InvalidQueryError` for coordinates out of range.
    """
    if not isinstance(text, str) or not text.strip():
        raise PlaceNotFoundError(EMPTY_PLACE)
    if len(text) > MAX_LENGTH:
        raise PlaceNotFoundError(f"place is longer than {MAX_LENGTH} characters")
    pair = _number_pair(text)  # "42.36,-71.06", and "nan,nan", "inf,0", "1e3,5" too
    if pair is not None:
        return _coordinates(*pair)
    zip_match = _ZIP_RE.match(text)
    if zip_match:
        name, lat, lon = zip_point(zip_match.group(1))
        return Place(name, lat, lon, "zip", "US")
    postcode = uk_postcode(text)  # "LS1 4AP", "LS1", "M22 5RU, UK"
    if postcode is not None:
        return postcode
    refused = postcode_refusal(text)  # Northern Ireland, "W6 8RF, France", "M2O 4BX"
    if refused is not None:
        raise refused
    lead = postcode_then_town(text)  # "W6 8RF London"
    if lead is not None:
        gaz = gazetteer if gazetteer is not None else default_gazetteer()
        return _postcode_and_town(gaz, *lead, text)
    if _POSTCODE.fullmatch(text.strip()):  # a person's own postcode, outside the US and UK
        # (its letters read alone could be a town: "1012 AB" was Ibb, Yemen, without a word)
        raise PlaceNotFoundError(
            f"unknown place {text.strip()!r}: trialfinder reads US ZIP codes and UK "
            "postcodes, not other postcodes; give the town ('London, UK', 'Toronto, Canada') "
            "or LAT,LON")
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    fixed = repaired(text)
    if fixed != text:  # "MÃ¼nchen": UTF-8 read back as Windows-1252
        return noted(_resolve(gaz, fixed), f"{text.strip()!r} read as {fixed.strip()!r} "
                                           "(its letters had been garbled)", text)
    return _resolve(gaz, text)


#: A postcode and the town after it agree when the town lies this close to the postcode.
POSTCODE_AGREES_KM = 25.0


def _postcode_and_town(gaz: Gazetteer, code: str, town: str, text: str) -> Place:
    """``"W6 8RF London"``: the postcode's place when the town agrees with it (or is no town
    of the UK we know, which is said); a town far from the postcode is refused."""
    placed = uk_postcode(code)
    if placed is None:
        raise postcode_refusal(code) or PlaceNotFoundError(f"unknown place {text.strip()!r}")
    try:
        found = _resolve(gaz, f"{town}, United Kingdom")
    except PlaceNotFoundError:
        return noted(placed, f"{town!r} set aside (no town of the United Kingdom in our data)",
                     text)
    p = math.pi / 180
    a = (math.sin((found.lat - placed.lat) * p / 2) ** 2 + math.cos(placed.lat * p)
         * math.cos(found.lat * p) * math.sin((found.lon - placed.lon) * p / 2) ** 2)
    km = 12742 * math.asin(math.sqrt(a))
    if km > POSTCODE_AGREES_KM:
        raise PlaceNotFoundError(
            f"{text.strip()!r}: the postcode {code.strip()!r} lies {km:.0f} km from "
            f"{found.name}; give the postcode or the town alone")
    return noted(placed, f"{town!r} agrees with it ({found.name})", text)


def _resolve(gaz: Gazetteer, text: str) -> Place:
    first, _, rest = text.partition(",")
    if rest.strip() and _POSTCODE.fullmatch(first.strip()):  # "EC1A 1BB, London"
        return noted(_resolve(gaz, rest), f"{first.strip()!r} read as a postal code and set "
                                          "aside", text)
    town, qualifiers = _split(gaz, text)
    postcodes = [q for q in qualifiers if _POSTCODE_PART_RE.match(q) or _POSTCODE.fullmatch(q)]
    if postcodes:  # "Seoul, 03080": a postal code where a region or country would be
        qualifiers = [q for q in qualifiers if q not in postcodes]
        shown = ", ".join(repr(p) for p in postcodes)
        return noted(_place(gaz, town, qualifiers, text),
                      f"{shown} read as a postal code and set aside", text)
    alias = alias_for(gaz, town, qualifiers)
    if alias is not None:
        name, region, country = alias
        said = key(town) in SAID
        if not qualifiers:
            place = _with_country(gaz, name, [region] if region else [], (country,), text)
            return noted(place, f"{town.strip()!r} read as {name}", text) if said else place
        if said:
            return noted(_place(gaz, name, qualifiers, text),
                         f"{town.strip()!r} read as {name}", text)
        town = name
    return _place(gaz, town, qualifiers, text)
