"""Other names of medicines and conditions, so a pre-screen finds "Lioresal" for "baclofen".

Each group lists one generic (or plain) name first, then brand names and other spellings. A
person may type any of them; every name of the group is then looked for. Names written in
capitals (``"ALS"``, ``"MS"``) are abbreviations: they match only in capitals, so "ms" in
"5 ms" is not multiple sclerosis.
"""

from __future__ import annotations

import re

__all__ = ["CONDITIONS", "MEDICINES", "names_for"]

MEDICINES: tuple[tuple[str, ...], ...] = (
    ("baclofen", "Lioresal", "Ozobax", "Lyvispah", "Fleqsuvy", "Gablofen", "Kemstro"),
    ("tizanidine", "Zanaflex", "Sirdalud"),
    ("cyclobenzaprine", "Flexeril", "Amrix", "Fexmid"),
    ("methocarbamol", "Robaxin"),
    ("orphenadrine", "Norflex"),
    ("metaxalone", "Skelaxin"),
    ("carisoprodol", "Soma"),
    ("dantrolene", "Dantrium", "Ryanodex", "Revonto"),
    ("diazepam", "Valium", "Diastat", "Valtoco"),
    ("tolperisone", "Mydocalm"),
    ("botulinum toxin", "Botox", "onabotulinumtoxinA", "Dysport", "abobotulinumtoxinA",
     "Xeomin", "incobotulinumtoxinA", "Myobloc", "rimabotulinumtoxinB"),
    ("ibuprofen", "Advil", "Motrin", "Nurofen", "Brufen"),
    ("naproxen", "Aleve", "Naprosyn", "Anaprox"),
    ("diclofenac", "Voltaren", "Cataflam", "Zorvolex"),
    ("celecoxib", "Celebrex"),
    ("meloxicam", "Mobic"),
    ("ketorolac", "Toradol"),
    ("indomethacin", "Indocin"),
    ("aspirin", "acetylsalicylic acid", "Ecotrin"),
    ("acetaminophen", "paracetamol", "Tylenol", "Panadol"),
    ("prednisone", "Deltasone", "Rayos"),
    ("prednisolone", "Orapred", "Prelone"),
    ("methylprednisolone", "Medrol", "Solu-Medrol", "Depo-Medrol"),
    ("dexamethasone", "Decadron"),
    ("betamethasone", "Celestone"),
    ("triamcinolone", "Kenalog"),
    ("gabapentin", "Neurontin", "Gralise", "Horizant"),
    ("pregabalin", "Lyrica"),
    ("carbamazepine", "Tegretol"),
    ("mexiletine", "Mexitil"),
    ("quinine", "Qualaquin"),
    ("riluzole", "Rilutek", "Tiglutik", "Exservan"),
    ("edaravone", "Radicava"),
    ("rituximab", "Rituxan"),
    ("ocrelizumab", "Ocrevus"),
    ("natalizumab", "Tysabri"),
    ("intravenous immunoglobulin", "IVIG", "immune globulin", "immunoglobulin"),
    ("warfarin", "Coumadin", "Jantoven"),
    ("metformin", "Glucophage"),
    ("levothyroxine", "Synthroid"),
)

CONDITIONS: tuple[tuple[str, ...], ...] = (
    ("amyotrophic lateral sclerosis", "ALS", "Lou Gehrig disease", "Lou Gehrig's disease",
     "motor neuron disease", "motor neurone disease", "MND"),
    ("multiple sclerosis", "MS"),
    ("stiff-person syndrome", "stiff person syndrome", "stiff-man syndrome",
     "stiff man syndrome", "SPS"),
    ("spasticity", "spastic"),
    ("muscle spasm", "muscle spasms", "spasm", "spasms"),
    ("muscle cramp", "muscle cramps", "cramp", "cramps"),
    ("epilepsy", "seizure disorder", "seizures"),
    ("diabetes", "diabetes mellitus", "diabetic"),
    ("high blood pressure", "hypertension"),
    ("heart attack", "myocardial infarction"),
    ("kidney disease", "renal disease", "renal failure", "renal impairment",
     "kidney failure"),
    ("liver disease", "hepatic disease", "hepatic impairment", "cirrhosis"),
    ("pregnancy", "pregnant"),
    ("depression", "depressive disorder"),
    ("myasthenia gravis",),
    ("neuromyelitis optica", "NMO", "NMOSD"),
)


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.strip().casefold())


def _index(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for name in group:
            index.setdefault(_key(name), group)
    return index


_MEDICINES = _index(MEDICINES)
_CONDITIONS = _index(CONDITIONS)


def names_for(text: str, kind: str) -> tuple[str, ...]:
    """Every name to look for when a person says ``text`` (``kind``: medicine or condition).

    ``names_for("Lioresal", "medicine")`` gives baclofen and all its brands; a name we do not
    know is looked for as typed.
    """
    index = _MEDICINES if kind == "medicine" else _CONDITIONS
    group = index.get(_key(text))
    typed = " ".join(text.split())
    if group is None:
        return (typed,)
    return tuple(dict.fromkeys((typed, *group)))
