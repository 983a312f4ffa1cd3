"""The library's own threads remember whom they work for, so a dashboard serving several
people shows each one only the notes of their own search (core/threads, dashboard/waitnotes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from dashboard.waitnotes import WaitNotes, wait_text
from trialfinder.core.threads import FromOrigin, origin, start_daemon

log = logging.getLogger("trialfinder.test_threads")


def _in_thread(work: Callable[[], None], *, ours: bool) -> None:
    """Run ``work`` in a thread started the library's way (``ours``) or a plain one, and in a
    second library thread started from that one."""
    def nested() -> None:
        work()
        start_daemon(work, "trialfinder-test-nested").join(10)

    if ours:
        start_daemon(nested, "trialfinder-test").join(10)
    else:
        thread = threading.Thread(target=nested, name="another-session")
        thread.start()
        thread.join(10)


def test_a_library_thread_works_for_the_thread_that_started_it_however_deep() -> None:
    seen: list[int] = []
    _in_thread(lambda: seen.append(origin()), ours=True)
    assert seen == [threading.get_ident()] * 2
    seen.clear()
    _in_thread(lambda: seen.append(origin()), ours=False)
    assert len(seen) == 2 and seen[0] == seen[1] != threading.get_ident()


def test_the_notes_of_a_wait_reach_only_the_session_whose_search_waits() -> None:
    shown: list[str] = []
    handler = WaitNotes(shown.append)
    library = logging.getLogger("trialfinder")
    library.addHandler(handler)
    try:
        def note(words: str) -> Callable[[], None]:
            return lambda: log.warning("%s; asking again in 8 seconds", words,
                                       extra={"interruptible": True})

        note("ClinicalTrials.gov asked us to slow down")()
        _in_thread(note("ISRCTN answered with a server error"), ours=True)
        _in_thread(note("another person's registry is slow"), ours=False)
        log.warning("a cap cut the fetch short")  # not a wait: the answer's notes say it
    finally:
        library.removeHandler(handler)
    assert shown == [
        "ClinicalTrials.gov asked us to slow down; asking again in 8 seconds. This page keeps "
        "waiting and shows the studies as soon as they come.",
        *[wait_text("ISRCTN answered with a server error; asking again in 8 seconds")] * 2]


def test_a_note_is_one_plain_line_that_starts_a_sentence() -> None:
    assert wait_text("the API at http://x/api/v2 has not\nanswered\x1b[31m") == (
        "The API at http://x/api/v2 has not answered. This page keeps waiting and shows the "
        "studies as soon as they come.")


def test_a_filter_keeps_only_its_origins_records() -> None:
    record = logging.LogRecord("trialfinder", logging.WARNING, __file__, 1, "x", None, None)
    assert FromOrigin(threading.get_ident()).filter(record)
    assert not FromOrigin(threading.get_ident() + 1).filter(record)
