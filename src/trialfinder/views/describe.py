"""Text alternatives for the map and the charts: what each shows, in a sentence or two.

Each sentence is plain text (it can hold a facility's or a country's name from a record):
escape it before rendering it as Markdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from trialfinder.core.wording import plural

__all__ = ["counts_sentence", "map_sentence", "years_sentence"]

SHOWN = 4  # countries or categories named before "and N others"


def _top(counts: Mapping[str, int]) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    named = [f"{label} {count:,}" for label, count in ranked[:SHOWN]]
    rest = ranked[SHOWN:]
    if rest:
        others = sum(count for _, count in rest)
        named.append(f"{plural(len(rest), 'other')} {others:,}")
    return ", ".join(named)


def counts_sentence(title: str, counts: Mapping[str, int],
                    unit: tuple[str, str] = ("study", "studies")) -> str:
    """``By status (studies): Recruiting 12, Completed 3, Not yet recruiting 2.`` — the
    largest first, at most :data:`SHOWN` named and the rest summed."""
    kept = {label: count for label, count in counts.items() if count > 0}
    if not kept:
        return f"{title}: no {unit[1]}."
    return f"{title} ({unit[1]}): {_top(kept)}."


def years_sentence(years: Iterable[int]) -> str:
    """``Start years run from 2014 to 2027; most studies, 5, started in 2022.``"""
    counted = Counter(int(y) for y in years)
    if not counted:
        return "No study gives a start date."
    low, high = min(counted), max(counted)
    year, most = min(counted.items(), key=lambda item: (-item[1], item[0]))
    if low == high:
        return f"Every study starts in {low} ({plural(most, 'study', 'studies')})."
    return f"Start years run from {low} to {high}; most studies, {most:,}, start in {year}."


def map_sentence(countries: Mapping[str, int], studies: int, unplaced: int = 0,
                 nearest: tuple[str, float] | None = None, place: str = "") -> str:
    """What the map shows: ``42 sites of 12 studies on the map: United States 30, Canada 8,
    France 4. The nearest, Clinic A, Boston, is 3 miles from Boston, MA.``"""
    sites = sum(countries.values())
    if not sites:
        return "No site has a map position."
    text = (f"{plural(sites, 'site')} of {plural(studies, 'study', 'studies')} on the map: "
            f"{_top(countries)}.")
    if unplaced:
        verb = "is" if unplaced == 1 else "are"
        text += f" {plural(unplaced, 'more site')} without a map position {verb} not shown."
    if nearest is not None:
        name, miles = nearest
        far = "under a mile" if miles < 0.5 else plural(max(1, round(miles)), "mile")
        text += f" The nearest, {name}, is {far} from {place or 'your place'}."
    return text
