"""Parts of towns and localities written where the town belongs ("Sandton, South Africa").

The gazetteer's quarters (see :mod:`trialfinder.places.gazetteer`) name the suburbs, city
districts and localities of GeoNames' postal-code files that no town of 1,000+ people names
in their country: "Sandton" (Johannesburg), "Hellerup" (Gentofte), "Temperley" (Lomas de
Zamora), "Balçova" (İzmir). They are looked up last but for slips, and only within a country
or region that was named: a name no town of the country bears, found once in it. The place
is the middle of the quarter's postal codes, and its note says where it came from.

A district named like towns elsewhere in its country (kept by the builder in its region) comes
first in that region over a village of its name, and, in the region of a city of
:data:`BIG_CITY` people, over towns of its name anywhere in the country (or, with no country
named, anywhere) that are all under :data:`SMALL_TOWN` people: "Kadıköy" is Istanbul's. Typed
alone, a name no town bears anywhere is the one quarter of that name in all the data when it
lies in such a city's region ("Gangnam-gu", "Beşiktaş"); other quarters need their country.
"""

from __future__ import annotations

from trialfinder.places.gazetteer import City, Gazetteer
from trialfinder.places.lookup import Scope, country_name, hits, in_scope, label
from trialfinder.places.names import key, words
from trialfinder.places.place import Place, noted
from trialfinder.places.towntext import readings

__all__ = ["BIG_CITY", "SMALL_TOWN", "VILLAGE", "district_alone", "district_before_village",
           "district_of_a_city", "quarter_by_first_words", "quarter_in"]

_MIN_FIRST_WORDS = 5  # letters typed, at least, for a quarter found by its first words
#: A town below this many people is taken after a quarter of its name in the region named
#: (tools/gazetteer_quarters.py keeps such districts under the same figure). Measured on the
#: real sites of three samples with their region: at 5,000 Gosford (4,873 people) lost to a
#: postal area of that name 44 km away; a district seat GeoNames gives no population is never
#: a village (Pendik).
VILLAGE = 2_000


def district_before_village(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """In a region that was named: the quarter ``town`` names there when no town there of
    :data:`VILLAGE` people or more bears the name (of :data:`SMALL_TOWN`, in the region of a
    city of :data:`BIG_CITY` people). "Kadıköy, Istanbul" is the city's district of 480,000
    people, not the village of that name at the province's far end (a study's site is where
    its hospital is); or None."""
    if scope.codes is None or gaz.quarters is None:
        return None
    there = [gaz.cities[i] for reading in readings(town) if not reading.lossy
             for i in hits(gaz, reading.key, scope)]
    if any(city.population >= SMALL_TOWN or city.population == 0 for city in there):
        return None
    if any(city.population >= VILLAGE for city in there) and not any(
            _largest_in(gaz, scope.country, code) for code in sorted(scope.codes)):
        return None
    return quarter_in(gaz, town, scope, text, village=label(gaz, there[0]) if there else "")


#: With no region named, a district of a region whose largest town has this many people...
BIG_CITY = 1_000_000
#: ...is taken before towns of its name elsewhere in the country when each has fewer people
#: than this: "Kadıköy, Turkey" is Istanbul's district of 480,000 people, not the village of
#: 2,741 in Yalova (nor two smaller ones).
SMALL_TOWN = 5_000


def district_of_a_city(gaz: Gazetteer, town: str, scope: Scope | None, text: str,
                       lossy: bool = False) -> Place | None:
    """In a whole country (or, ``scope`` None, anywhere): the one district of a great city's
    region that ``town`` names (by its faithful readings, or with ``lossy`` its lossy ones:
    "Kadıkoy/Istanbul") when each town of that name there is a village or small town (fewer
    than :data:`SMALL_TOWN` people, not a district seat); or None."""
    if gaz.quarters is None or "?" in town or (scope is not None and scope.codes is not None):
        return None
    for reading in readings(town):
        if reading.lossy != lossy or reading.sized:
            continue
        there = [gaz.cities[i] for i in hits(gaz, reading.key, scope)]
        if not there:
            continue
        if any(c.population >= SMALL_TOWN or c.population == 0 for c in there):
            return None  # (the quarters are not read for a town of some size...)
        countries = {c.country for c in there}  # (with no country named, the towns' own)
        if not any(_largest_in(gaz, country) for country in countries):
            return None  # (...nor in a country without a great city)
        found = [q for q in gaz.quarters.named(reading.key)
                 if in_scope(q, scope) and q.country in countries]
        if len(found) != 1:
            return None
        (quarter,) = found
        city = _largest_in(gaz, quarter.country, quarter.admin1)
        if city is None:
            return None
        name = f"{quarter.name}, {country_name(gaz, quarter.country)}"
        place = Place(name, quarter.lat, quarter.lon, "city", quarter.country)
        villages = "; ".join(label(gaz, c) for c in there[:3])
        return noted(place, f"{town.strip()!r} taken as the district {quarter.name} of the "
                            f"postal data, in the region of {city.name}, not the small "
                            f"town{'s' if len(there) > 1 else ''} {villages}", text)
    return None


def district_alone(gaz: Gazetteer, town: str) -> Place | None:
    """With no country named and no town of that name anywhere: the one quarter ``town``
    names in all the data (by its faithful readings), when it lies in the region of a city
    of :data:`BIG_CITY` people ("Gangnam-gu" of Seoul, "Beşiktaş" of Istanbul); or None."""
    if gaz.quarters is None or "?" in town:
        return None
    for reading in readings(town):
        if reading.lossy or reading.sized:
            continue
        found = gaz.quarters.named(reading.key)
        if len(found) > 1:
            return None
        if not found:
            continue
        (quarter,) = found
        if _largest_in(gaz, quarter.country, quarter.admin1) is None:
            return None
        name = f"{quarter.name}, {country_name(gaz, quarter.country)}"
        place = Place(name, quarter.lat, quarter.lon, "city", quarter.country)
        return noted(place, f"{town.strip()!r} is no town in our data; placed as the district "
                            f"{quarter.name} of the postal data (in a region with a city of a "
                            f"million people or more, {country_name(gaz, quarter.country)})",
                     town)
    return None


def _largest_in(gaz: Gazetteer, country: str, region: str | None = None) -> City | None:
    """The largest town of :data:`BIG_CITY` people or more in ``region`` of ``country`` (in
    the whole country with no region), or None."""
    for city in gaz.cities:
        if city.population < BIG_CITY:
            return None
        if city.country == country and region in (None, city.admin1):
            return city
    return None


def quarter_in(gaz: Gazetteer, town: str, scope: Scope, text: str,
               lossy: bool = False, village: str = "") -> Place | None:
    """The quarter ``town`` names in ``scope`` by its faithful readings (or, with ``lossy``,
    by its lossy ones: "Gentofte Municipality"; never with a quarter word dropped, which
    must leave a town), or None (none there, or more than one). ``village``: the label of a
    small town of that name there, which the note names as the place not taken. A name
    with a letter an export lost (``"Pozna?"``) is never read as a locality: without the
    ``?`` it may be another place's whole name (the village Późna, 170 km from Poznań)."""
    if gaz.quarters is None or "?" in town:
        return None
    for reading in readings(town):
        if reading.lossy != lossy or reading.sized:
            continue
        found = [q for q in gaz.quarters.named(reading.key) if in_scope(q, scope)]
        if len(found) == 1:
            (quarter,) = found
            name = f"{quarter.name}, {country_name(gaz, quarter.country)}"
            place = Place(name, quarter.lat, quarter.lon, "city", quarter.country)
            why = (f"{town.strip()!r} taken as the district {quarter.name} of the postal "
                   f"data, not the village {village}" if village else
                   f"{town.strip()!r} is no town in our data; placed as the locality "
                   f"{quarter.name} of the postal data")
            return noted(place, why, text)
        if found:
            return None
    return None


def quarter_by_first_words(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """The one quarter in ``scope`` whose name starts with the words of ``town`` and goes on
    ("Umhlanga" for Umhlanga Rocks), or None (none, or more than one, or a letter lost)."""
    if gaz.quarters is None or "?" in town:
        return None
    typed = words(town)
    name_key = key(town)
    if len(name_key) < _MIN_FIRST_WORDS:
        return None
    found = [q for _, q in gaz.quarters.starting(name_key)
             if in_scope(q, scope) and words(q.name)[: len(typed)] == typed]
    if len(found) != 1:
        return None
    (quarter,) = found
    name = f"{quarter.name}, {country_name(gaz, quarter.country)}"
    place = Place(name, quarter.lat, quarter.lon, "city", quarter.country)
    return noted(place, f"{town.strip()!r} is no town in our data; read as the locality "
                        f"{quarter.name} of the postal data (the first words of its name)", text)
