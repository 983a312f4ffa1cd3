"""How much of one registry text is shown: the one cap for every place text is rendered.

A record's field can be any length (a hostile or broken answer once held a 10 MB title of
one word). Wrapping such a text for a terminal grows faster than its length, and a page, a
feed reader or a spreadsheet has limits of its own. So before any of them sees it, a text
goes through :func:`cap` with the limit for its use, which keeps the start and says that
the rest was cut and how long the text was: ``… [cut: 10,000,000 characters in all]``.

The limits, per use (in characters, Python's ``len``):

- :data:`LINE_CHARS` (3,000): one line of a terminal table, a title, a name, a feed entry's
  title or summary. The registry's longest titles are 600 characters.
- :data:`LONG_CHARS` (40,000): a long text shown whole (the summary, the description, the
  eligibility criteria, on a terminal or the page). The registry allows about 32,000
  characters in its longest fields; the longest of 1,403 real records held 26,218.
- :data:`CSV_CELL_CHARS` (32,767): one CSV cell, the most characters a spreadsheet cell holds
  in Excel (LibreOffice allows more). A cut cell, its mark and any formula guard included,
  stays within it.

Data written for programs (JSON lines, Parquet, the study store, ``sql``'s JSON) is never cut.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CSV_CELL_CHARS", "LINE_CHARS", "LONG_CHARS", "cap", "cut_mark"]

LINE_CHARS: Final = 3_000
LONG_CHARS: Final = 40_000
CSV_CELL_CHARS: Final = 32_767


def cut_mark(length: int) -> str:
    """What ends a text cut from ``length`` characters."""
    return f" … [cut: {length:,} characters in all]"


def cap(text: str, limit: int) -> str:
    """``text`` when it holds at most ``limit`` characters; else its start and
    :func:`cut_mark`, together exactly ``limit`` characters long (for any ``limit`` of 64 or
    more; a smaller one keeps the mark whole)."""
    if len(text) <= limit:
        return text
    mark = cut_mark(len(text))
    return text[:max(0, limit - len(mark))] + mark
