"""Overlap the next page's request with the work on the current one.

``prefetch(pages)`` runs the page iterator in one background thread, at most ``ahead`` pages
ahead of the consumer (default one): while the caller parses and stores page *k*, the request
for page *k + 1* is on the wire, and page *k + 2* is not asked for until page *k + 1* is taken.
Memory therefore holds at most ``ahead + 1`` pages. An error raised by the iterator is raised
again in the consumer, at the point where its page would have come. Stopping early (``break``,
an exception in the consumer) stops the thread after the request under way.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterable
from typing import Final, TypeVar

from trialfinder.core.threads import start_daemon

__all__ = ["prefetch"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_ITEM: Final = 0
_ERROR: Final = 1
_END: Final = 2


def prefetch(
    items: Iterable[T], ahead: int = 1, *, join_timeout: float = 60.0,
    taken: Callable[[], object] | None = None, abandon: threading.Event | None = None,
) -> Generator[T, None, None]:
    """Yield ``items`` in order, fetching up to ``ahead`` of them in a background thread.

    ``taken`` is called in the consumer's thread as each item is taken, before the worker may
    go on to the next one. When the consumer stops early, the thread is told to stop and
    waited for (``join_timeout`` at most) while it finishes the request under way, unless the
    stop is an interrupt (Ctrl-C, ``SystemExit``) or ``abandon`` is set: then it is left to
    end on its own (it is a daemon), so an interrupt is never held up by a slow answer."""
    if ahead < 1:
        raise ValueError(f"ahead must be at least 1, not {ahead}")
    box: queue.Queue[tuple[int, object]] = queue.Queue()
    permits = threading.Semaphore(ahead)
    stop = threading.Event()

    def work() -> None:
        source = iter(items)
        try:
            while True:
                permits.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(source)
                except StopIteration:
                    box.put((_END, None))
                    return
                box.put((_ITEM, item))
                del item  # the consumer holds it now; a page is not kept while the next is fetched
        except BaseException as exc:  # handed to the consumer, raised there
            box.put((_ERROR, exc))
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()

    worker = start_daemon(work, "trialfinder-prefetch")
    wait = True
    try:
        while True:
            kind, value = box.get()
            if kind == _END:
                return
            if kind == _ERROR:
                assert isinstance(value, BaseException)
                raise value
            if taken is not None:
                taken()
            permits.release()  # this one is taken: the worker may fetch the next
            yield value  # type: ignore[misc]
            value = None  # not held while waiting for the next
    except (KeyboardInterrupt, SystemExit):
        wait = False
        raise
    finally:
        stop.set()
        permits.release()
        if wait and not (abandon is not None and abandon.is_set()):
            worker.join(join_timeout)
        if worker.is_alive():
            logger.debug("prefetch thread still busy with a request; left to finish on its own")
