"""One way to fold text for matching: case, accents and letters NFKD does not split."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]

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
