"""Text from the API is data, never terminal commands.

A study title can hold anything, including escape sequences that move the cursor, rewrite
earlier lines, set the window title or hide text, and bidi controls that show a line in
another order than it holds. :func:`clean` removes them before text reaches a screen:
ANSI/VT escape sequences whole, then every other C0 and C1 control character except newline
and tab, and every Unicode format character (bidi controls, zero-width characters).
:class:`CleanText` applies it to every write of a text stream, which is how the CLI guards
all it prints (tables, study details, notes, errors).
Data written as bytes (a CSV or JSON lines export) is left as it is.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import TextIO

__all__ = ["FORMAT_CHARS", "CleanText", "as_shown", "clean", "display_width", "fit_cell",
           "unwrap"]

# ESC [ ... final byte (CSI); ESC ] ... BEL or ESC \ (OSC); ESC P/X/^/_ ... ESC \ (DCS, SOS,
# PM, APC); ESC and one more byte (the rest). Each is removed whole; a sequence cut short
# loses its ESC below, which leaves harmless printable characters.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[ -~]"
)
# Unicode's format characters (category Cf, as of Unicode 15.1): invisible, and the
# bidirectional ones among them (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) make a
# terminal or a browser show a line in another order than it holds, so what people read is not
# what the record says. All of them go, the zero-width joiners too: not one of 1,403 real
# records holds a format character.
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
# a carriage return that ends a line (CSV's "\r\n") is a line end, not a control
_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{FORMAT_CHARS}]|\\r(?!\\n)")


def clean(text: str) -> str:
    """``text`` without escape sequences, control characters and format characters (bidi
    controls, zero-width characters; see :data:`FORMAT_CHARS`); ``\\n``, ``\\t`` and the
    ``\\r`` of a ``\\r\\n`` line end stay. The one rule for text shown on a terminal and,
    through :func:`trialfinder.views.text.escape_md`, on the page."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _char_width(char: str) -> int:
    """Columns one character takes on a terminal: 2 for wide East Asian characters, 0 for
    combining marks and zero-width characters, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """How many terminal columns ``text`` takes (wide characters count twice)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def fit_cell(text: str, width: int, mark: str = "…") -> str:
    """``text`` on one line, exactly ``width`` columns wide: padded with spaces, or cut and
    ended with ``mark`` (one column) when it is wider (a wide character that would straddle
    the edge is left out and its column padded)."""
    text = clean(" ".join(text.split()))
    if width <= 0:
        return ""
    size = display_width(text)
    if size <= width:
        return text + " " * (width - size)
    kept: list[str] = []
    used = 0
    for char in text:
        step = _char_width(char)
        if used + step > width - 1:
            break
        kept.append(char)
        used += step
    return "".join(kept) + mark + " " * (width - 1 - used)


class CleanText(io.TextIOBase):
    """A text stream that passes every write through :func:`clean` to ``inner``.

    ``buffer`` is ``inner``'s byte stream, untouched, for data formats (CSV, JSON lines).
    """

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(clean(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def buffer(self) -> io.BufferedIOBase:
        return self.inner.buffer  # type: ignore[return-value]

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.inner.encoding


def as_shown(text: str, encoding: str | None) -> str:
    """``text`` as a stream of ``encoding`` shows it: what the encoding cannot carry as
    ``\\xe9`` escapes (so its width can be counted before it is written)."""
    if not encoding or text.isascii():
        return text
    return text.encode(encoding, "backslashreplace").decode(encoding, "replace")


def unwrap(stream: TextIO) -> TextIO:
    """The stream under a :class:`CleanText` (for our own control output, such as the
    progress bar's carriage returns); any other stream as it is."""
    return stream.inner if isinstance(stream, CleanText) else stream
