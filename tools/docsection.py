"""A generated section of a document: the text between two marker lines, written by a tool
(``tools/gen_options_doc.py``) and checked by a test and by ``--check``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def updated(text: str, begin: str, end: str, section: str) -> str:
    """``text`` with what lies between the lines ``begin`` and ``end`` (both kept) replaced
    by ``section`` (which starts with ``begin`` and ends with ``end``)."""
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + section + text[stop:]


def run(argv: list[str], doc: Path, write: Callable[[str], str], tool: str) -> int:
    """Rewrite ``doc`` with ``write`` (the document's text -> its text brought up to date);
    with ``--check``, exit 1 instead when it is out of date."""
    text = doc.read_text(encoding="utf-8")
    new = write(text)
    if "--check" in argv:
        if new != text:
            print(f"{doc.name}: a generated section is out of date; run python {tool}",
                  file=sys.stderr)
            return 1
        return 0
    doc.write_text(new, encoding="utf-8")
    return 0
