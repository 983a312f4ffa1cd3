"""Named topic presets: ready-made searches for the subjects trialfinder focuses on.

A preset is a :class:`~trialfinder.query.StudyQuery` with a slug, a title and a short
description. Its text fields hold plain phrases (MeSH-style headings plus common and brand
names); :class:`StudyQuery` joins several phrases of one field with ``OR``, so each list widens
the search. Different fields (conditions, interventions) are combined by the API with ``AND``.

Presets carry no filters (status, place, age...): callers add those with
``preset.query.merge(...)`` or ``preset.query.replace(...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialfinder.api.query import StudyQuery
from trialfinder.errors import InvalidQueryError

__all__ = ["PRESETS", "Preset", "get_preset", "list_presets"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Preset:
    """A named search. ``name`` is a lowercase slug such as ``"muscle-spasm"``."""

    name: str
    title: str
    description: str
    query: StudyQuery

    def __post_init__(self) -> None:
        if not _SLUG.match(self.name):
            raise InvalidQueryError(f"preset name {self.name!r} is not a lowercase slug")
        if self.query.is_empty:
            raise InvalidQueryError(f"preset {self.name!r} has an empty query")

    def to_params(self) -> dict[str, str]:
        """The API parameters this preset sends (see :meth:`StudyQuery.to_params`)."""
        return self.query.to_params()


_ALL: tuple[Preset, ...] = (
    Preset(
        name="knee-twitching",
        title="Knee twitching",
        description=(
            "Twitches, flickers and cramps in the muscles around the knee, including "
            "fasciculation and myokymia studies."
        ),
        query=StudyQuery(conditions=(
            "Knee Twitching",
            "Muscle Twitching",
            "Fasciculation",
            "Benign Fasciculation Syndrome",
            "Myokymia",
            "Muscle Spasm",
            "Muscle Cramp",
        )),
    ),
    Preset(
        name="muscle-spasm",
        title="Muscle spasms and cramps",
        description=(
            "Sudden involuntary muscle contractions: spasms, cramps (including night-time leg "
            "cramps) and spasticity."
        ),
        query=StudyQuery(conditions=(
            "Muscle Spasm",
            "Muscle Cramp",
            "Nocturnal Leg Cramps",
            "Cramp-Fasciculation Syndrome",
            "Muscle Spasticity",
            "Spasticity",
            "Muscle Rigidity",
            "Tetany",
        )),
    ),
    Preset(
        name="dehydration-deficiency",
        title="Dehydration and vitamin or mineral shortfalls",
        description=(
            "Low fluid, electrolyte or vitamin levels that can set off cramps: dehydration, "
            "low magnesium, calcium or potassium, and vitamin D, E or B1 (thiamine) deficiency."
        ),
        query=StudyQuery(conditions=(
            "Dehydration",
            "Electrolyte Imbalance",
            "Hypomagnesemia",
            "Magnesium Deficiency",
            "Hypocalcemia",
            "Hypokalemia",
            "Vitamin D Deficiency",
            "Vitamin E Deficiency",
            "Thiamine Deficiency",
            "Beriberi",
        )),
    ),
    Preset(
        name="muscle-relaxants",
        title="Muscle relaxants",
        description=(
            "Studies testing centrally acting muscle relaxants, by generic and brand name: "
            "baclofen (oral or intrathecal), tizanidine, cyclobenzaprine, methocarbamol and others."
        ),
        query=StudyQuery(interventions=(
            "Baclofen",
            "Intrathecal Baclofen",
            "Lioresal",
            "Gablofen",
            "Tizanidine",
            "Zanaflex",
            "Cyclobenzaprine",
            "Flexeril",
            "Amrix",
            "Methocarbamol",
            "Robaxin",
            "Orphenadrine",
            "Norflex",
            "Metaxalone",
            "Skelaxin",
            "Carisoprodol",
            "Chlorzoxazone",
            "Dantrolene",
        )),
    ),
    Preset(
        name="anti-inflammatories",
        title="NSAIDs and corticosteroids for muscle and knee pain",
        description=(
            "Non-steroidal anti-inflammatory drugs and corticosteroids, by generic and brand "
            "name, in studies of muscle spasm, muscle pain, strains, knee pain or back pain."
        ),
        query=StudyQuery(
            conditions=(
                "Muscle Spasm",
                "Muscle Cramp",
                "Myalgia",
                "Muscle Strain",
                "Delayed Onset Muscle Soreness",
                "Knee Pain",
                "Knee Osteoarthritis",
                "Low Back Pain",
            ),
            interventions=(
                "Ibuprofen",
                "Advil",
                "Motrin",
                "Naproxen",
                "Aleve",
                "Diclofenac",
                "Voltaren",
                "Celecoxib",
                "Celebrex",
                "Ketorolac",
                "Toradol",
                "Meloxicam",
                "Mobic",
                "Prednisone",
                "Methylprednisolone",
                "Medrol",
                "Dexamethasone",
                "Decadron",
                "Triamcinolone",
                "Kenalog",
            ),
        ),
    ),
    Preset(
        name="caffeine-muscle",
        title="Caffeine and the muscles",
        description=(
            "Studies giving caffeine (or cutting it down) that look at muscle fatigue, tension, "
            "cramps, twitching or exercise performance."
        ),
        query=StudyQuery(
            conditions=(
                "Muscle Fatigue",
                "Muscle Cramp",
                "Muscle Spasm",
                "Muscle Tension",
                "Fasciculation",
                "Exercise Performance",
                "Athletic Performance",
            ),
            interventions=("Caffeine",),
        ),
    ),
    Preset(
        name="als",
        title="ALS (amyotrophic lateral sclerosis)",
        description=(
            "Amyotrophic lateral sclerosis, also called Lou Gehrig disease, and other motor "
            "neuron diseases."
        ),
        query=StudyQuery(conditions=(
            "Amyotrophic Lateral Sclerosis",
            "ALS",
            "Lou Gehrig Disease",
            "Motor Neuron Disease",
        )),
    ),
    Preset(
        name="autoimmune-spasms",
        title="Autoimmune disorders with spasms",
        description=(
            "Immune conditions that attack the nerves driving the muscles and cause spasm or "
            "stiffness: stiff-person syndrome, spasticity in multiple sclerosis and "
            "neuromyotonia (Isaacs syndrome)."
        ),
        query=StudyQuery(conditions=(
            "Stiff-Person Syndrome",
            "Stiff-Man Syndrome",
            "Multiple Sclerosis Spasticity",
            "Neuromyotonia",
            "Isaacs Syndrome",
        )),
    ),
)

#: Every preset by slug, in display order.
PRESETS: dict[str, Preset] = {preset.name: preset for preset in _ALL}


def _slug(name: str) -> str:
    return re.sub(r"[\s_\-]+", "-", str(name).strip().lower()).strip("-")


def get_preset(name: str) -> Preset:
    """The preset called ``name``; case, spaces and underscores do not matter.

    ``get_preset("Muscle_Spasm")`` and ``get_preset("muscle spasm")`` both give the
    ``"muscle-spasm"`` preset. An unknown name raises :class:`InvalidQueryError` that lists
    the valid names.
    """
    preset = PRESETS.get(_slug(name))
    if preset is None:
        raise InvalidQueryError(f"unknown preset {name!r}; choose from: {', '.join(PRESETS)}")
    return preset


def list_presets() -> list[Preset]:
    """All presets, in display order."""
    return list(PRESETS.values())
