"""Short background notes shown next to the search, one per topic preset.

The text is general reading written for this project; it is not medical advice and says so.
Each :class:`Section` points at the preset (a key of :data:`trialfinder.presets.PRESETS`)
whose trials it introduces, so the dashboard can offer "find trials on this" next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DISCLAIMER", "SECTIONS", "Section", "get_section"]


@dataclass(frozen=True, slots=True)
class Section:
    """One topic: ``body_markdown`` is CommonMark; ``preset`` names the matching search."""

    key: str
    title: str
    body_markdown: str
    preset: str


DISCLAIMER = (
    "This page is for general reading only and is not medical advice. Symptoms and treatment "
    "choices differ from person to person, so ask your doctor or another qualified clinician "
    "before you change anything or decide to join a trial."
)

SECTIONS: tuple[Section, ...] = (
    Section(
        key="spasms",
        title="What twitches and spasms are",
        body_markdown="""\
A spasm happens when a muscle, or several muscles together, tightens suddenly without you
deciding to move. It can catch you off guard, and it may feel anything from mildly odd to
painful.

A twitch is the smaller cousin of a spasm: a brief flicker of movement in a muscle that you
did not ask for. Some twitches are barely visible; others are easy to see under the skin.
""",
        preset="muscle-spasm",
    ),
    Section(
        key="knee-twitching",
        title="Twitching around the knee: usual causes",
        body_markdown="""\
When the muscles near the knee jump or flicker on their own, the reason is most often
ordinary:

* **Tired muscles.** Lots of running, cycling or other leg work can wear the muscles out,
  and worn-out muscles are more likely to twitch.
* **Low minerals.** Too little magnesium, calcium or potassium in the body can play a part.
* **Not enough fluid.** Drinking too little upsets the balance of electrolytes, which can
  bring on spasms near the knee as elsewhere.
* **Stress and worry.** The adrenaline released when you are tense or anxious can set
  muscles twitching.
* **Nerve and muscle disease.** Rarely, a condition such as ALS (amyotrophic lateral
  sclerosis) shows itself this way.

Most of the time the twitching is short-lived and stops without any treatment. If it keeps
coming back, or you also notice pain or weakness, have it checked by a doctor.
""",
        preset="knee-twitching",
    ),
    Section(
        key="dehydration-deficiency",
        title="Fluids, vitamins and minerals",
        body_markdown="""\
Spasms are often set off by too little fluid in the body or by too little of certain
nutrients.

**Dehydration** is a fluid deficit: more water leaves the body than comes back in. Cells and organs,
muscles included, then stop working as smoothly, and a muscle without enough fluid reacts
more readily to the signals that tell it to contract. Even a small shortfall can be enough,
which is why cramps are common with heavy sweating in hot weather or during exercise.

**Vitamins and minerals.** Being low in any of the following can make cramps and spasms
more likely:

| nutrient | its job in muscle | found for example in |
|---|---|---|
| vitamin D | keeps calcium, which muscles need to contract, at the right level | dairy products |
| vitamin E | supports the normal working of muscle cells | nuts |
| B vitamins, above all B1 (thiamine) | help muscle cells produce energy | whole grains |
| magnesium (a mineral) | supports the nerve signals that let a muscle relax | leafy greens |

Drinking enough every day and eating a varied diet that covers these nutrients helps keep
this kind of spasm away.
""",
        preset="dehydration-deficiency",
    ),
    Section(
        key="muscle-relaxants",
        title="Muscle relaxants",
        body_markdown="""\
Muscle relaxants work through the brain and spinal cord rather than in the muscle itself.
They can make spasms less frequent and ease the pain that comes with them. The usual
downside is that they may leave you sleepy or dizzy.

How well any treatment for spasms works differs a great deal from one person to the next.
""",
        preset="muscle-relaxants",
    ),
    Section(
        key="anti-inflammatories",
        title="Anti-inflammatory medicines",
        body_markdown="""\
Two families of medicines calm inflammation: non-steroidal anti-inflammatory drugs (NSAIDs)
and steroid medicines (corticosteroids). By reducing swelling around the knee joint they can
take the edge off pain that goes with spasms.

Taking them for a long time calls for regular check-ups, because they can cause stomach and
gut problems and may raise the chance of heart trouble.
""",
        preset="anti-inflammatories",
    ),
    Section(
        key="caffeine",
        title="Caffeine and other stimulants",
        body_markdown="""\
Stimulants usually affect spasms only indirectly, through the way they change the body as a
whole. Caffeine, found in coffee and in some medicines, can make muscles tenser in some
people and so make spasms worse.

Our source also raises a gentler, indirect possibility: a little caffeine may make moderate
exercise easier, and the circulation that exercise brings might help muscle tone. That is a
suggestion rather than an established effect, which is one reason trials keep studying it.
""",
        preset="caffeine-muscle",
    ),
    Section(
        key="als",
        title="ALS (amyotrophic lateral sclerosis)",
        body_markdown="""\
ALS is a disease in which the motor neurons, the nerve cells in the brain and spinal cord that
drive the muscles, slowly break down. As they fail, muscles weaken and waste away, and
spasms are common.

These spasms are contractions nobody chose to make. They can hurt or simply be unpleasant,
and they arise because damaged nerve cells no longer pass messages to the muscles properly.

Care for spasms may include medicines such as baclofen or tizanidine, and physical therapy
plays a large part in living with the symptoms. Clinical trials are still testing new
treatments and approaches.
""",
        preset="als",
    ),
    Section(
        key="autoimmune-spasms",
        title="Autoimmune disorders that cause spasms",
        body_markdown="""\
In an autoimmune disorder the immune system turns on the body's own healthy tissue. When the
target is muscle, or the nerves that control muscle, spasms or stiffness can follow, as in
stiff-person syndrome, the spasticity of multiple sclerosis, or the overactive nerves of
neuromyotonia.

As with ALS, the spasms are involuntary and range from uncomfortable to painful; they come
from nerves that no longer pass their signals to the muscles as they should.
Baclofen or tizanidine may be used to relieve them, alongside physical therapy, and research
into further treatments is continuing in clinical trials.
""",
        preset="autoimmune-spasms",
    ),
)


def get_section(key: str) -> Section:
    """The section with this ``key``; ``KeyError`` lists the known keys when there is none."""
    for section in SECTIONS:
        if section.key == key:
            return section
    raise KeyError(f"no background section {key!r}; known: {', '.join(s.key for s in SECTIONS)}")
