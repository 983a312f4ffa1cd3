"""Finding a town in the scopes a text names, the way the registry may have written it.

:func:`search` tries, in this order, stopping at the first place found:

0. with only a country named, the district of a great city's region that the town names when
   the country's towns of that name are all small (:func:`~.quarters.district_of_a_city`);
1. the town as written (give or take punctuation, brackets, postal tails and local suffixes;
   see :mod:`trialfinder.places.towntext`) in each region named, or the town as a region
   within it (``"Aichi, Nagoya"``), then in each country named; in the gazetteer, then in the
   ZIP data for a US state or territory (the ZIP data first when the gazetteer knows the name
   only as another town's alternate name);
2. the town in the territories a named country governs (``"Hong Kong, China"``);
3. the town as a region (``"Hokkaido, Japan"``: its largest town); a town of that name that
   GeoNames gives no population (a district seat) comes after the region ("Hebei, China" is
   the province, not the seat of that name), unless it is the seat of the district of that
   name ("Pendik, Turkey");
4. another part of the text as the town (``"Sheba Medical Center, Ramat Gan, Israel"``);
5. steps 0, 1, 2 and 4 again with the lossy readings of the text (a part-of-town word dropped,
   a spelling changed, one half of a joined name); a word that names a quarter of a larger
   town ("Lanús Este", "North York") is dropped only to find a town of ``alternates_from``
   people, not a village of the name;
6. a quarter of the postal data in each scope (a suburb, a city district, a locality no town
   names: :mod:`trialfinder.places.quarters`), then another part of the text as such a quarter
   (``"Athlone Park, Amanzimtoti, South Africa"``: a suburb of the locality Amanzimtoti);
7. a town written with a slip in each scope: its region after it with no comma, only the
   first words of its name (of a town, then of one quarter: "Umhlanga" for Umhlanga Rocks),
   a letter missed, added, swapped, shown as ``?`` or dropped leaving a space
   (:mod:`trialfinder.places.slips`).

Whatever was set aside or read differently is said in the place's note.
"""

from __future__ import annotations

from trialfinder.core.errors import PlaceNotFoundError
from trialfinder.places.countrynames import DEPENDENCIES
from trialfinder.places.gazetteer import Gazetteer
from trialfinder.places.lookup import (
    Scope,
    country_name,
    distinct,
    hits,
    in_scope,
    label,
    region_in,
)
from trialfinder.places.names import key
from trialfinder.places.place import Place, chosen, noted
from trialfinder.places.quarters import (
    district_before_village,
    district_of_a_city,
    quarter_by_first_words,
    quarter_in,
)
from trialfinder.places.slips import leading_words, one_slip, town_then_region
from trialfinder.places.suggest import close_names, not_found
from trialfinder.places.towntext import readings
from trialfinder.places.uszip import TERRITORIES, zip_town

__all__ = ["search", "town_error"]


def _zip_place(gaz: Gazetteer, name_key: str, scope: Scope) -> Place | None:
    """The town from the ZIP data: in a US state, or in a US territory (Puerto Rico...)."""
    if scope.country == "US" and scope.codes is not None and len(scope.codes) == 1:
        state = next(iter(scope.codes)).removeprefix("US.")
        where = f"{state}, US"
    elif scope.country in TERRITORIES and scope.codes is None:
        state, where = scope.country, country_name(gaz, scope.country)
    else:
        return None
    found = zip_town(name_key, state)
    if found is None:
        return None
    return Place(f"{found[0]}, {where}", found[1], found[2], "city", scope.country)


def _town_in(gaz: Gazetteer, town: str, scope: Scope, text: str, lossy: bool,
             weak: bool = True) -> Place | None:
    """``town`` in ``scope`` by its faithful readings, or by its lossy ones (said in the note).
    Unless ``weak``, a town GeoNames gives no population (a district seat) does not count
    when ``town`` also names a region there ("Hebei, China" is the province)."""
    for reading in readings(town):
        if reading.lossy != lossy:
            continue
        found = hits(gaz, reading.key, scope)
        if reading.sized:  # a quarter dropped: "North York" is no village called York
            found = [i for i in found if gaz.cities[i].population >= gaz.alternates_from]
        own = set(gaz.by_name.get(reading.key, ()))
        place: Place | None = None
        if not any(i in own for i in found) and not reading.sized:
            # no town of that name, at most other towns' alternate names: a US town of that
            # very name in the ZIP data comes first ("Smithfield, PA" is not a Philadelphia
            # quarter once called so)
            place = _zip_place(gaz, reading.key, scope)
        if place is None and found:
            city = gaz.cities[found[0]]
            if not weak and city.population == 0 and city.admin2 not in region_in(
                    gaz, town, scope.country):  # the seat of its own district is its place
                return None
            place = chosen(gaz, city, distinct(gaz, city, found[1:]), text, f" in {scope.label}")
        if place is not None:
            if lossy:
                place = noted(place, f"no town {town.strip()!r} in our data; read as "
                                     f"{place.name}", text)
            return place
    return None


def _region_as_town(gaz: Gazetteer, town: str, scope: Scope, text: str) -> Place | None:
    """A region written where the town belongs: its largest town, with a note saying so."""
    codes = region_in(gaz, town, scope.country)
    if not codes:
        return None
    inside = Scope(scope.country, codes, scope.label)
    city = next((c for c in gaz.cities if in_scope(c, inside) and in_scope(c, scope)), None)
    if city is None:
        return None
    region = gaz.region_names[min(codes)]
    place = Place(label(gaz, city), city.lat, city.lon, "city", city.country)
    return noted(place, f"{town.strip()!r} is a region of {country_name(gaz, scope.country)} "
                        f"({region}), not a town; taken as its largest town, {place.name}", text)


def search(gaz: Gazetteer, town: str, parts: list[str], scopes: list[Scope],
           text: str) -> tuple[Place, Scope] | None:
    """The place ``town`` (or, failing it, one of ``parts``) names in ``scopes`` (narrowest
    first), and the scope it was found in; see the module for the order of the tries."""
    governed = [Scope(code, None, country_name(gaz, code))
                for s in scopes if s.codes is None for code in DEPENDENCIES.get(s.country, ())]
    for scope in scopes:  # a town in a region, or a region within it ("Aichi, Nagoya")
        if scope.codes is None:
            break  # the regions named first; the scopes after a country are other readings
        place = (district_before_village(gaz, town, scope, text)
                 or _town_in(gaz, town, scope, text, False)
                 or _region_as_town(gaz, town, scope, text))
        if place is not None:
            return place, scope
    for scope in scopes:  # a country named: a great city's district before small towns
        place = district_of_a_city(gaz, town, scope, text)
        if place is not None:
            return place, scope
    for lossy in (False, True):
        for scope in scopes if lossy else ():  # "Kadıkoy/Istanbul": the district, as above
            place = district_of_a_city(gaz, town, scope, text, lossy=True)
            if place is not None:
                return place, scope
        for scope in [*scopes, *governed]:
            place = _town_in(gaz, town, scope, text, lossy, weak=lossy)
            if place is not None:
                return place, scope
        for scope in () if lossy else scopes:
            place = (_region_as_town(gaz, town, scope, text)
                     or _town_in(gaz, town, scope, text, lossy))  # a seat after all
            if place is not None:
                return place, scope
        for part in parts:
            for scope in [*scopes, *governed]:
                place = _town_in(gaz, part, scope, text, lossy)
                if place is not None:
                    return noted(place, f"no town {town.strip()!r} in our data; "
                                        f"{part.strip()!r} taken as the town", text), scope
    for lossy in (False, True):
        for scope in [*scopes, *governed]:
            place = quarter_in(gaz, town, scope, text, lossy)
            if place is not None:
                return place, scope
    for part in parts:  # "Athlone Park, Amanzimtoti": the suburb's town is a locality too
        for scope in [*scopes, *governed]:
            place = quarter_in(gaz, part, scope, text)
            if place is not None:
                return noted(place, f"no town {town.strip()!r} in our data; "
                                    f"{part.strip()!r} taken as the place", text), scope
    for slip in (town_then_region, leading_words, quarter_by_first_words, one_slip):
        for scope in [*scopes, *governed]:
            place = slip(gaz, town, scope, text)
            if place is not None:
                return place, scope
    return None


def town_error(gaz: Gazetteer, town: str, scope: Scope) -> PlaceNotFoundError:
    """No town ``town`` in ``scope``: close names there, and towns of that name elsewhere."""
    name_key = key(town)
    elsewhere = [label(gaz, gaz.cities[i]) for i in hits(gaz, name_key)]
    return not_found(f"no town {town.strip()!r} found in {scope.label}",
                     close_names(gaz, name_key, scope) + elsewhere)
