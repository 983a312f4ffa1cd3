"""How place names are compared: one folding rule shared by the gazetteer builder and the resolver.

A name is folded to lower case without accents or punctuation, a few words are shortened
(saint -> st, mount -> mt, fort -> ft) and the spaces are dropped, so ``"Saint-Étienne"``,
``"St Etienne"`` and ``"st. étienne"`` all give the key ``"stetienne"``, and the registry's
``"Gyeonggido"`` meets GeoNames' ``"Gyeonggi-do"``.

The gazetteer stores alternate names already folded with :func:`key`; changing this rule means
rebuilding it with ``tools/make_gazetteer.py`` (:data:`FOLD_VERSION` is written into the file
and checked when it is read).
"""

from __future__ import annotations

import re

from trialfinder.core.folding import fold

__all__ = ["FOLD_VERSION", "LATIN_MAX", "SUFFIXES", "is_latin", "key", "name_keys", "words"]

#: Bumped whenever :func:`key` would fold some name differently.
FOLD_VERSION = 1

#: Last letter of Latin Extended-B: names beyond it (Cyrillic, CJK...) are not indexed.
LATIN_MAX = "\u024f"

_TOKEN_ALIASES = {"saint": "st", "sainte": "ste", "sankt": "st", "mount": "mt", "fort": "ft"}
_PUNCT_RE = re.compile(r"['’`ʻʼ.]")
_SEP_RE = re.compile(r"[\W_]+")


def words(text: str, aliases: bool = True) -> list[str]:
    """The folded words of ``text``: lower case, accent-free, punctuation-free, and (with
    ``aliases``) saint, mount, fort... shortened."""
    found = _SEP_RE.sub(" ", _PUNCT_RE.sub("", fold(text))).split()
    return [_TOKEN_ALIASES.get(w, w) for w in found] if aliases else found


def key(text: str) -> str:
    """The matching key of a name: its folded words run together (``"São Paulo"``: ``saopaulo``)."""
    return "".join(words(text))


#: Folded town suffixes that local and registry spellings add or leave out: Japanese
#: -shi/-ku/-gun/-machi/-cho/-mura, Korean -si/-gu/-gun. "City" is tried only on input.
SUFFIXES = frozenset({"shi", "ku", "gun", "machi", "cho", "mura", "si", "gu"})


def name_keys(name: str) -> list[str]:
    """Every key a town's own name is found under: as written, without a bracketed part
    (``"Halle (Saale)"`` is also ``"halle"``) and without a local suffix (``"Nara-shi"`` is
    also ``"nara"``)."""
    found = [key(name)]
    bare = words(name.split("(", 1)[0])
    found.append("".join(bare))
    if len(bare) > 1 and bare[-1] in SUFFIXES:
        found.append("".join(bare[:-1]))
    return [k for k in dict.fromkeys(found) if k]


def is_latin(text: str) -> bool:
    """True when every character of ``text`` is at most Latin Extended-B."""
    return bool(text) and max(text) <= LATIN_MAX
