"""Whether an exclusion line's exception is the person's, or only some people's.

:func:`.scope.read` calls a name excepted when its clause, or a bracket right after it,
allows something ("Steroids unless at a stable dose"). What is allowed may be narrower than
what the person gave:

* a route, dose or frequency they did not state: "Use of steroids (topical steroids are
  allowed)", "Treatment with steroids, unless topical or inhaled", "Regular NSAID use
  (occasional use is allowed)";
* another medicine or condition of the same kind: "Muscle relaxants (baclofen at a stable
  dose is allowed)" for someone taking tizanidine, "Autoimmune disease (psoriasis not needing
  systemic treatment is allowed)" for someone with lupus.

Then the line still names them: the study is a question for its team, not a fit.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from trialfinder.tables.prescreen.finder import Finder, Occurrence, Term
from trialfinder.tables.prescreen.synonyms import Name, key, vocabulary

__all__ = ["every_name", "narrowed", "own_exceptions"]

# a route, dose or frequency that allows only some of those taking a medicine
_QUALIFIED = re.compile(
    r"\b(?:topical(?:ly)?|inhal(?:ed|ation|ers?)|intra[\s\-]?nasal(?:ly)?|nasal|ocular|"
    r"ophthalmic|eye[\s\-]?drops?|otic|ear[\s\-]?drops?|intra[\s\-]?articular|local(?:ly)?|"
    r"cutaneous|dermal|transdermal|rectal|vaginal|low[\s\-]dose|occasional(?:ly)?|"
    r"intermittent|as[\s\-]needed|prn|short[\s\-](?:course|term)|single[\s\-]dose|"
    r"replacement|physiologic(?:al)?)\b", re.IGNORECASE)


_UNIT = re.compile(r"[\s\-]*(?:equivalents?|dose\s+equivalents?)\b", re.IGNORECASE)


@lru_cache(maxsize=2)
def every_name(kind: str) -> Finder:
    """Every group and class of ``kind`` in the vocabulary, each under its own names."""
    return Finder(Term(entry.name, kind, tuple(Name(text, how, exact, entry.name)
                                             for text, how, exact in entry.names()))
                  for entry in vocabulary().entries.values() if entry.kind == kind)


def narrowed(term: Term, allowance: str) -> bool:
    """Whether what an exception allows (``allowance``, see :class:`.scope.Reading`) is only
    some of those who gave ``term``: a route, dose or frequency, or another name of the
    vocabulary (of the term's kind) that is none of the term's own."""
    if not allowance.strip():
        return False
    if _QUALIFIED.search(allowance):
        return True
    finder = every_name(term.kind)
    if not finder.maybe_in(allowance):
        return False
    own = {key(name.text) for name in term.names}
    return any(key(found.found) not in own and key(found.found).removesuffix("s") not in own
               and not _UNIT.match(allowance, found.end)  # "10 mg prednisolone equivalent"
               for found in finder.occurrences(allowance))


def own_exceptions(term: Term, occurrences: list[Occurrence]) -> list[Occurrence]:
    """``occurrences`` with the exceptions that are not the person's taken back."""
    return [replace(o, reading=replace(o.reading, exception=False))
            if o.reading.exception and narrowed(term, o.reading.allowance) else o
            for o in occurrences]
