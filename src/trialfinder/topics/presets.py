"""Named topic presets: ready-made searches for the subjects trialfinder focuses on.

A preset is a :class:`TopicSearch` (the words it searches for) with a slug, a title and a
short description; each registry turns the words into its own query language. Its lists hold
quoted phrases (MeSH-style headings plus common and brand names), so that "Muscle Spasm" does
not match a study naming muscle in one place and spasm in another. The phrases of one list
are alternatives (OR), so each list widens the search; different lists (conditions,
interventions) are combined (AND): a drug preset names the conditions it is about, so the same
drug given for something else is left out.

Presets carry no filters (status, place, age...): a search adds those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import did_you_mean

__all__ = ["PRESETS", "Preset", "TopicSearch", "get_preset", "list_presets"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class TopicSearch:
    """The words of a preset: conditions, treatments and other terms. The phrases of one list
    are alternatives (OR); the lists are combined (AND). A phrase in double quotes must stand
    together."""

    conditions: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.conditions or self.interventions or self.terms)


@dataclass(frozen=True, slots=True)
class Preset:
    """A named search. ``name`` is a lowercase slug such as ``"muscle-spasm"``.

    ``description`` says what the preset aims to find, ``leaves_out`` what it does not
    (docs/presets.md shows which recorded real studies each one selects).
    """

    name: str
    title: str
    description: str
    query: TopicSearch
    leaves_out: str = ""

    def __post_init__(self) -> None:
        if not _SLUG.match(self.name):
            raise InvalidQueryError(f"preset name {self.name!r} is not a lowercase slug")
        if self.query.is_empty:
            raise InvalidQueryError(f"preset {self.name!r} has an empty query")


def _q(*phrases: str) -> tuple[str, ...]:
    """Phrases quoted so that their words must stand together (``"Muscle Spasm"``); a phrase
    already holding quotes or operators is kept as written."""
    return tuple(p if '"' in p or " " not in p else f'"{p}"' for p in phrases)


_RELAXANT_TARGETS = _q(
    "Muscle Spasm", "Muscle Spasms", "Back Spasm", "Spasticity", "Muscle Spasticity",
    "Muscle Cramp", "Muscle Cramps", "Muscle Rigidity", "Stiff-Person Syndrome", "Dystonia",
    "Cervical Dystonia", "Blepharospasm", "Hemifacial Spasm", "Low Back Pain", "Neck Pain",
    "Musculoskeletal Pain",
)

_ALL: tuple[Preset, ...] = (
    Preset(
        name="knee-twitching",
        title="Knee twitching",
        description=(
            "Twitches, flickers, jerks and cramps in the leg muscles, including fasciculation, "
            "myokymia, myoclonus and restless legs studies."
        ),
        leaves_out=(
            "Knee pain or arthritis without twitching or cramps (see anti-inflammatories), and "
            "twitching as a sign of ALS (see als)."
        ),
        query=TopicSearch(conditions=_q(
            "Knee Twitching",
            "Muscle Twitching",
            "Fasciculation",
            "Fasciculations",
            "Benign Fasciculation Syndrome",
            "Myokymia",
            "Myoclonus",
            "Restless Legs Syndrome",
            "Muscle Spasm",
            "Muscle Cramp",
        )),
    ),
    Preset(
        name="muscle-spasm",
        title="Muscle spasms and cramps",
        description=(
            "Sudden involuntary muscle contractions: spasms, cramps (including night-time leg "
            "cramps), spasticity, dystonia, blepharospasm and hemifacial spasm."
        ),
        leaves_out=(
            "Spasms of inner organs (oesophagus, bladder, blood vessels), infantile spasms "
            "(a form of epilepsy) and studies that only measure muscle tone as a side effect."
        ),
        query=TopicSearch(conditions=_q(
            "Muscle Spasm",
            "Muscle Spasms",
            "Muscle Cramp",
            "Muscle Cramps",
            "Nocturnal Leg Cramps",
            "Cramp-Fasciculation Syndrome",
            "Muscle Spasticity",
            "Spasticity",
            "Muscle Rigidity",
            "Tetany",
            "Dystonia",
            "Blepharospasm",
            "Hemifacial Spasm",
        )),
    ),
    Preset(
        name="dehydration-deficiency",
        title="Dehydration and vitamin or mineral shortfalls",
        description=(
            "Low fluid, mineral or vitamin levels that can set off cramps: dehydration, "
            "low magnesium, calcium, potassium or sodium, and vitamin D, E, B1 (thiamine) or "
            "B12 deficiency."
        ),
        leaves_out=(
            "Too much of a mineral (high potassium, high sodium, high calcium) and general "
            "electrolyte imbalance; vitamin studies for bone, cancer or heart outcomes are "
            "kept only when they are about a deficiency."
        ),
        query=TopicSearch(conditions=_q(
            "Dehydration",
            "Hypomagnesemia",
            "Magnesium Deficiency",
            "Hypocalcemia",
            "Hypokalemia",
            "Potassium Deficiency",
            "Hyponatremia",
            "Vitamin D Deficiency",
            "Vitamin E Deficiency",
            "Thiamine Deficiency",
            "Beriberi",
            "Vitamin B12 Deficiency",
        )),
    ),
    Preset(
        name="muscle-relaxants",
        title="Muscle relaxants for spasm and spasticity",
        description=(
            "Studies testing muscle relaxants, by generic and brand name (baclofen, oral or "
            "intrathecal, tizanidine, cyclobenzaprine, methocarbamol, dantrolene, diazepam, "
            "tolperisone, botulinum toxin and others), for muscle spasm, spasticity, cramps, "
            "dystonia, or back and neck pain."
        ),
        leaves_out=(
            "The same drugs given for something else: baclofen for alcohol use, dantrolene "
            "for malignant hyperthermia, diazepam for anxiety or seizures, cyclobenzaprine "
            "for fibromyalgia or sleep, botulinum toxin for wrinkles, migraine or bladder."
        ),
        query=TopicSearch(
            conditions=_RELAXANT_TARGETS,
            interventions=_q(
                "Baclofen",
                "Intrathecal Baclofen",
                "Lioresal",
                "Gablofen",
                "Ozobax",
                "Lyvispah",
                "Fleqsuvy",
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
                "Dantrium",
                "Ryanodex",
                "Revonto",
                "Diazepam",
                "Valium",
                "Tolperisone",
                "Botulinum Toxin",
                "Botulinum Toxins",
                "OnabotulinumtoxinA",
                "AbobotulinumtoxinA",
                "IncobotulinumtoxinA",
                "Botox",
                "Dysport",
                "Xeomin",
            ),
        ),
    ),
    Preset(
        name="anti-inflammatories",
        title="NSAIDs and corticosteroids for muscle and knee pain",
        description=(
            "Non-steroidal anti-inflammatory drugs and corticosteroids, by generic and brand "
            "name, in studies of muscle spasm, muscle pain, strains, knee pain, and back or neck "
            "pain (including sciatica and other pain from a pinched nerve root)."
        ),
        leaves_out=(
            "These drugs given for other conditions (asthma, cancer, heart disease, "
            "surgery in general), and knee or back studies of other treatments."
        ),
        query=TopicSearch(
            conditions=_q(
                "Muscle Spasm",
                "Muscle Cramp",
                "Myalgia",
                "Muscle Strain",
                "Sprains and Strains",
                "Delayed Onset Muscle Soreness",
                "Knee Pain",
                "Knee Osteoarthritis",
                "Osteoarthritis, Knee",
                "Low Back Pain",
                "Back Pain",
                "Neck Pain",
                "Sciatica",
                "Radiculopathy",
            ),
            interventions=_q(
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
                "Indomethacin",
                "Indocin",
                "Loxoprofen",
                "Loxonin",
                "Loxonine",
                "NSAID",
                "NSAIDs",
                "Nonsteroidal Anti-Inflammatory",
                "Aspirin",
                "Acetylsalicylic Acid",
                "Prednisone",
                "Prednisolone",
                "Methylprednisolone",
                "Medrol",
                "Dexamethasone",
                "Decadron",
                "Betamethasone",
                "Celestone",
                "Triamcinolone",
                "Kenalog",
                "Corticosteroid",
                "Corticosteroids",
                "Corticoid",
                "Steroid Injection",
                "Epidural Steroid",
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
        leaves_out=(
            "Caffeine for sleepiness, breathing in premature babies, headache or weight, and "
            "coffee studies without a muscle or exercise outcome."
        ),
        query=TopicSearch(
            conditions=_q(
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
            "Amyotrophic lateral sclerosis, also called Lou Gehrig disease, and motor neuron "
            "disease as ALS is called in the UK."
        ),
        leaves_out=(
            "Spinal muscular atrophy and other inherited motor neuron disorders, and the "
            "letters ALS standing for something else (the bare abbreviation is not searched; "
            "the registry files ALS studies under the full name)."
        ),
        query=TopicSearch(conditions=_q(
            "Amyotrophic Lateral Sclerosis",
            "Lou Gehrig",
            '"Motor Neuron Disease" NOT "Spinal Muscular Atrophy" NOT "Muscular Atrophy, Spinal"',
        )),
    ),
    Preset(
        name="autoimmune-spasms",
        title="Autoimmune disorders with spasms",
        description=(
            "Immune conditions that attack the nerves driving the muscles and cause spasm or "
            "stiffness: stiff-person syndrome and PERM, spasticity in multiple sclerosis, "
            "the tonic spasms of neuromyelitis optica and neuromyotonia (Isaacs syndrome)."
        ),
        leaves_out=(
            "Multiple sclerosis or neuromyelitis optica studies that are not about spasm or "
            "spasticity, and conditions of muscle weakness only (myasthenia gravis)."
        ),
        query=TopicSearch(conditions=_q(
            "Stiff-Person Syndrome",
            "Stiff-Man Syndrome",
            "Progressive Encephalomyelitis with Rigidity and Myoclonus",
            '"Multiple Sclerosis" AND (spasticity OR spasm OR spasms)',
            "Multiple Sclerosis Spasticity",
            '"tonic spasms"',
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
        hint = _COVERED.get(_slug(name))
        where = did_you_mean(_slug(name), PRESETS) if hint is None else (
            f"; the preset {hint[0]} searches {hint[1]}" + (
                f' (for every such study, search the condition "{hint[2]}")' if hint[2]
                else ""))
        raise InvalidQueryError(f"unknown preset {name!r}{where}; "
                                f"choose from: {', '.join(PRESETS)}")
    return preset


#: Names a person may try as a preset for a condition a preset searches: (the preset, what of
#: it that preset searches, and the condition to search when it searches only a part).
_COVERED: dict[str, tuple[str, str, str | None]] = {
    **dict.fromkeys(("ms", "multiple-sclerosis", "ms-spasticity"), (
        "autoimmune-spasms", "spasticity in multiple sclerosis", "multiple sclerosis")),
    **dict.fromkeys(("stiff-person", "stiff-person-syndrome", "sps", "stiff-man-syndrome"), (
        "autoimmune-spasms", "stiff-person syndrome", None)),
    **dict.fromkeys(("nmo", "nmosd", "neuromyelitis-optica"), (
        "autoimmune-spasms", "the tonic spasms of neuromyelitis optica",
        "neuromyelitis optica")),
    **dict.fromkeys(("lou-gehrig", "lou-gehrigs", "motor-neuron-disease", "mnd"), (
        "als", "ALS (Lou Gehrig disease, motor neuron disease)", None)),
    **dict.fromkeys(("cramps", "muscle-cramps", "leg-cramps"), (
        "muscle-spasm", "muscle spasms and cramps", None)),
}


def list_presets() -> list[Preset]:
    """All presets, in display order."""
    return list(PRESETS.values())
