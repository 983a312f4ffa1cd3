"""The library's notes of a long wait, on the page while the search or record waits.

When a registry does not answer in time, asks us to slow down or fails for a moment, the
library logs one note per request ("ClinicalTrials.gov has not answered within 30 s; trying
again (up to 5 times, about 3 minutes in all)"). The command line prints it; here it is shown
under the progress bar until the answer comes, so a slow registry never looks like a page
that hangs. Only the notes of this session's own search are shown (the library's threads
remember whom they work for: :mod:`trialfinder.core.threads`), and they come from those
threads, so the session's Streamlit context is lent to them to draw the note.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from trialfinder.core.threads import FromOrigin, origin
from trialfinder.views.text import escape_md, plain_line

__all__ = ["WaitNotes", "wait_text", "waiting_notes"]

logger = logging.getLogger(__name__)


def wait_text(message: str) -> str:
    """What the page says of one note (plain text: the caller escapes it for Markdown)."""
    line = plain_line(message)
    return (f"{line[:1].upper()}{line[1:]}. This page keeps waiting and shows the studies as "
            "soon as they come.")


class WaitNotes(logging.Handler):
    """Passes each note of a wait logged by the current thread's work to ``show``."""

    def __init__(self, show: Callable[[str], object]) -> None:
        super().__init__(logging.WARNING)
        self.show = show
        self.ctx = get_script_run_ctx(suppress_warning=True)
        self.addFilter(FromOrigin(origin()))

    def emit(self, record: logging.LogRecord) -> None:
        if not getattr(record, "interruptible", False):
            return  # other warnings reach the page as the answer's own notes
        try:
            if self.ctx is not None and get_script_run_ctx(suppress_warning=True) is None:
                add_script_run_ctx(threading.current_thread(), self.ctx)
            self.show(wait_text(record.getMessage()))
        except Exception as exc:  # a note must never break the search
            logger.debug("a note of a wait could not be shown: %s", exc)


@contextmanager
def waiting_notes(slot: DeltaGenerator) -> Iterator[None]:
    """Show in ``slot`` the notes of a wait logged while the block runs; empty it after."""
    handler = WaitNotes(lambda text: slot.info(escape_md(text), icon=":material/hourglass_top:"))
    library = logging.getLogger("trialfinder")
    library.addHandler(handler)
    try:
        yield
    finally:
        library.removeHandler(handler)
        slot.empty()
