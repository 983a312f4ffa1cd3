"""One way to fold text for matching: case, accents and letters NFKD does not split."""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["fold", "word_forms"]

# Letters that NFKD does not split into a base letter and an accent.
_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe",
                          "ı": "i", "þ": "th", "ð": "d", "ħ": "h"})


def fold(text: str) -> str:
    """``text`` in lower case without accents: ``"São Paulo"`` -> ``"sao paulo"``,
    ``"Łódź"`` -> ``"lodz"``, ``"Straße"`` -> ``"strasse"``."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))



@functools.lru_cache(maxsize=1 << 16)  # a field's words repeat from record to record
def word_forms(word: str) -> frozenset[str]:
    """A folded word and what it may be without a plural ending, for matching one word with
    another as the API's stemming does in the commonest case: two words match when their
    forms meet (``"spasms"`` and ``"spasm"`` in ``spasm``, ``"twitches"`` and ``"twitch"``,
    ``"headaches"`` and ``"headache"``, ``"injuries"`` and ``"injury"``). Words ending in ss,
    us or is (``"weakness"``, ``"lupus"``, ``"sclerosis"``) keep their ending, and no form is
    shorter than three letters (``"als"``, ``"ms"`` stay as they are)."""
    forms = {word}
    if len(word) > 4 and word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.add(word[:-1])
    return frozenset(forms)
