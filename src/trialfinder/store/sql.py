"""``trialfinder sql``: one read-only query on the study store, its rows a batch at a time.

A query is bounded three ways:

- **memory**: DuckDB gets ``memory_mb`` (default :data:`DEFAULT_MEMORY_MB`, 512 MB; the
  setting ``sql_memory_mb``, ``TRIALFINDER_SQL_MEMORY_MB`` or ``sql --memory-limit``), two
  threads, and may spill at most :data:`SPILL_FACTOR` times that to its temporary folder beside
  the store. DuckDB does not count every allocation against its limit (a single
  ``repeat('x', 2000000000)`` is one allocation of its own), so the command also caps its whole
  process (``cap_process``, Linux): a query that asks for more fails at once with one line;
- **time**: past ``timeout`` seconds the query is interrupted (a finite number of seconds, at
  most :data:`MAX_TIMEOUT`; ``inf`` and ``nan`` are refused);
- **reach**: the store is opened read-only with no access to other files or the network, and
  only a single ``SELECT`` (or ``EXPLAIN``) is accepted.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, Final

import duckdb

from trialfinder.core.errors import InvalidQueryError
from trialfinder.store.aact.install import open_for_sql
from trialfinder.store.sqlerrors import aact_hint, sql_error

__all__ = ["DEFAULT_MEMORY_MB", "MAX_TIMEOUT", "SPILL_FACTOR", "check_memory", "check_timeout",
           "run_sql"]

logger = logging.getLogger(__name__)

_ALLOWED: Final = frozenset({"SELECT", "EXPLAIN"})
# INTERVAL in a column's type (INTERVAL, INTERVAL[], STRUCT(a INTERVAL)), not a quoted name
# (STRUCT("interval" INTEGER)) nor an enum's value (ENUM('INTERVAL'))
_INTERVAL: Final = re.compile(r"""(?<!["'])\bINTERVAL\b(?!["'])""")
# the semicolon that ends the one statement, and any spaces and comments after it
_END: Final = re.compile(r";(?:\s+|--[^\n]*|/\*.*?\*/)*\Z", re.S)
# the first word of a statement, after any comments
_FIRST_WORD: Final = re.compile(r"\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*([A-Za-z]+)", re.S)


def _first_word(statement: str) -> str:
    """The keyword a statement starts with (``INSTALL`` where DuckDB says ``LOAD``)."""
    found = _FIRST_WORD.match(statement)
    return found.group(1).upper() if found else ""


#: DuckDB's memory for one query unless told otherwise, in MB.
DEFAULT_MEMORY_MB: Final = 512
#: How much a query may spill to disk, as a multiple of its memory.
SPILL_FACTOR: Final = 8
#: The longest ``--timeout`` accepted (a day).
MAX_TIMEOUT: Final = 86_400.0
#: Above what the process holds when the query starts, the cap leaves this multiple of
#: DuckDB's own limit for what DuckDB does not count and for the rows handed to Python.
_PROCESS_HEADROOM: Final = 1.5


def check_timeout(timeout: float) -> float:
    """``timeout`` when it is a usable number of seconds, else :class:`InvalidQueryError`."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        shown = f"{timeout:g}" if isinstance(timeout, int | float) else repr(timeout)
        raise InvalidQueryError(f"--timeout must be a number of seconds above 0 and at most "
                                f"{MAX_TIMEOUT:,.0f}, not {shown}")
    return float(timeout)


def check_memory(memory_mb: float) -> float:
    """``memory_mb`` when it is a usable memory limit in MB, else :class:`InvalidQueryError`."""
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int | float) \
            or not math.isfinite(memory_mb) or not 16 <= memory_mb <= 1_048_576:
        shown = f"{memory_mb:g}" if isinstance(memory_mb, int | float) else repr(memory_mb)
        raise InvalidQueryError(f"the SQL memory limit must be within 16..1048576 MB, "
                                f"not {shown}")
    return float(memory_mb)


def _data_bytes() -> int | None:
    """The writable memory this process maps now (Linux ``VmData``), or ``None``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            found = re.search(r"^VmData:\s+(\d+) kB", status.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


@contextlib.contextmanager
def _process_cap(memory_mb: float) -> Iterator[None]:
    """Lower this process's data limit (``RLIMIT_DATA``, the soft one only) to what it holds
    now plus room for the query; restored afterwards. Nothing where that cannot be done."""
    try:
        import resource
    except ImportError:  # not a Unix
        yield
        return
    held = _data_bytes()
    if held is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = held + int(memory_mb * _PROCESS_HEADROOM * 2**20)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield
        return
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    except (ValueError, OSError) as exc:
        logger.debug("could not cap the process's memory: %s", exc)
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


#: How long a query may go on after Ctrl-C (or SIGTERM) before the process ends anyway.
SIGNAL_GRACE: Final = 3.0


class _SignalWatch:
    """Ctrl-C (or SIGTERM) interrupts the query at once, in the command's own process. Python
    runs its signal handlers between bytecodes, which a query running inside DuckDB does not
    reach: DuckDB noticed Ctrl-C when it next looked, up to half a minute later (a cross join
    of a store's sites). Python's wakeup file descriptor tells a thread of each signal as it
    comes, and while DuckDB works (:meth:`in_duckdb`) the thread interrupts it; when the query
    still runs :data:`SIGNAL_GRACE` seconds later, ``give_up(signal)`` ends the process.
    Nothing is watched outside the main thread (a wakeup descriptor is the main thread's)."""

    def __init__(self, con: duckdb.DuckDBPyConnection,
                 give_up: Callable[[int], None] | None) -> None:
        self.con, self.give_up = con, give_up
        self.idle = threading.Event()
        self.idle.set()
        self._write_end: int | None = None
        self._before = -1

    def __enter__(self) -> _SignalWatch:
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        try:
            self._before = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except ValueError:  # not the main thread
            os.close(read_end)
            os.close(write_end)
            return self
        self._write_end = write_end
        threading.Thread(target=self._watch, args=(read_end,), name="trialfinder-sql-signals",
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._write_end is not None:
            signal.set_wakeup_fd(self._before)
            os.close(self._write_end)  # the watcher reads the end, and closes its side

    def _watch(self, read_end: int) -> None:
        try:
            while got := os.read(read_end, 64):
                stop = next((n for n in got if n in (signal.SIGINT, signal.SIGTERM)), None)
                if stop is None or self.idle.is_set():
                    continue  # between DuckDB's calls Python's own handler stops the command
                self.con.interrupt()
                if self.give_up is not None and not self.idle.wait(SIGNAL_GRACE):
                    self.give_up(stop)
        except OSError as exc:
            logger.debug("the signal watch ended: %s", exc)
        finally:
            os.close(read_end)

    @contextlib.contextmanager
    def in_duckdb(self) -> Iterator[None]:
        """Around a call into DuckDB that may run long (the query, a batch of its rows)."""
        self.idle.clear()
        try:
            yield
        finally:
            self.idle.set()


def _too_big(memory_mb: float) -> InvalidQueryError:
    return InvalidQueryError(
        f"the query needed more memory than its limit of {memory_mb:,.0f} MB and was stopped "
        "(sql --memory-limit MB or TRIALFINDER_SQL_MEMORY_MB allow more)")


def _ran_past(timeout: float) -> InvalidQueryError:
    return InvalidQueryError(f"the query ran past {timeout:g} s and was stopped")


def _intervals_as_text(description: Any, statement: str) -> str | None:
    """The query again with its intervals as DuckDB's text (``1 year 2 months``), in lists and
    structs too, or ``None`` when it has none. DuckDB's Python client hands an ``INTERVAL``
    over as a ``timedelta``, which has no months: ``age()`` of four years came out as 1440
    days (48 x 30) and ``interval '1 year'`` as 360 days. Columns are taken by position, so
    names that repeat keep their places."""
    types = [str(column[1]) for column in description or []]
    if not any(_INTERVAL.search(kind) for kind in types):
        return None
    columns = ", ".join(
        (f"CAST(#{n} AS {_INTERVAL.sub('VARCHAR', kind)})" if _INTERVAL.search(kind)
         else f"#{n}") + ' AS "' + str(column[0]).replace('"', '""') + '"'
        for n, (column, kind) in enumerate(zip(description, types, strict=True), start=1))
    # on lines of their own: the statement may end in a -- comment
    return f"SELECT {columns} FROM (\n{_END.sub('', statement)}\n)"


def run_sql(path: Path, sql: str, *, timeout: float = 60.0, batch: int = 10_000,
            memory_mb: float = DEFAULT_MEMORY_MB, cap_process: bool = False,
            on_overrun: Callable[[], None] | None = None,
            on_stuck: Callable[[int], None] | None = None) -> Generator[list[Any], None, None]:
    """Rows of one read-only query (first the column names), a batch at a time.

    See the module docstring for the bounds. ``cap_process`` also caps this whole process's
    memory while the query runs (the command line's own process only: a library must not
    limit its host). ``on_overrun`` is called when the query is still running a few seconds
    after it was interrupted (the command line ends its process there). With ``on_stuck``
    (the command's own process), Ctrl-C or SIGTERM interrupts the query at once, and
    ``on_stuck(signal)`` is called when it still runs a few seconds later (:class:`_SignalWatch`).
    """
    timeout = check_timeout(timeout)
    memory_mb = check_memory(memory_mb)
    config = {"memory_limit": f"{memory_mb:.0f}MB", "threads": 2,
              "max_temp_directory_size": f"{memory_mb * SPILL_FACTOR:.0f}MB"}
    # read-only; the aact views renewed first if out of date
    store = open_for_sql(path, config=config)
    try:
        try:
            statements = store.con.extract_statements(sql)
        except duckdb.Error as exc:
            raise InvalidQueryError(sql_error(exc)) from None
        if len(statements) != 1:
            raise InvalidQueryError(f"give exactly one SQL statement, not {len(statements)}")
        kind = str(statements[0].type).rsplit(".", 1)[-1].upper()
        if kind == "MULTI":  # not one statement: DuckDB makes a type first for a PIVOT
            raise InvalidQueryError(
                "sql runs one SELECT, and DuckDB runs this query as several statements (a "
                "PIVOT without IN does: name the values it pivots on, PIVOT ... ON phase IN "
                "('PHASE1', 'PHASE2'))")
        if kind not in _ALLOWED:
            word = _first_word(statements[0].query)  # WITH ... INSERT is an INSERT
            raise InvalidQueryError(f"the store is read-only here: only SELECT is allowed, "
                                    f"not {kind if word in ('', 'WITH') else word}")
        timed_out = threading.Event()
        done = threading.Event()

        def stop() -> None:
            timed_out.set()
            store.con.interrupt()
            if on_overrun is not None and not done.wait(max(2.0, timeout / 10)):
                on_overrun()

        timer = threading.Timer(timeout, stop)
        timer.daemon = True
        cap = _process_cap(memory_mb) if cap_process else contextlib.nullcontext()
        timer.start()
        watch = _SignalWatch(store.con, on_stuck)
        try:
            with cap, (watch if on_stuck is not None else contextlib.nullcontext(watch)):
                with watch.in_duckdb():
                    cursor = store.con.execute(sql)
                    again = _intervals_as_text(cursor.description, statements[0].query) \
                        if kind == "SELECT" else None
                    if again is not None and not timed_out.is_set():
                        cursor = store.con.execute(again)
                if timed_out.is_set():  # its interrupt came before DuckDB ran (and was lost)
                    raise _ran_past(timeout)
                yield [d[0] for d in cursor.description or []]
                while True:
                    with watch.in_duckdb():
                        rows = cursor.fetchmany(batch)
                    if not rows:
                        break
                    yield from (list(r) for r in rows)
        except (duckdb.InterruptException, RuntimeError) as exc:
            # Ctrl-C reaches us as DuckDB's "Query interrupted" (a RuntimeError)
            if isinstance(exc, RuntimeError) and "interrupted" not in str(exc):
                raise
            if not timed_out.is_set():
                raise KeyboardInterrupt from None
            raise _ran_past(timeout) from None
        except (duckdb.OutOfMemoryException, MemoryError):
            raise _too_big(memory_mb) from None
        except duckdb.Error as exc:
            raise InvalidQueryError(sql_error(exc, aact_hint(store.con, sql, exc))) from None
        finally:
            done.set()
            timer.cancel()
    finally:
        store.close()
