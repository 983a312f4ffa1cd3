"""The output formats of every command that writes rows, in one registry: ``table`` (for the
terminal), ``csv``, ``json`` (JSON lines, one object per row) and ``parquet`` (binary, typed
like the tables; offered by the commands that write the tables: ``search``).

Each :class:`OutputFormat` declares its name, the file endings that mean it (``--output``),
whether it is for people at a terminal, and its writer. A writer (:class:`RowWriter`) takes
rows as they come: ``begin(columns)``, ``write(rows)`` once or page by page, ``end()``; the
commands write a whole table with :func:`write_rows`. CSV and JSON keep the data as it is,
except on a terminal (no escape codes reach the screen).

    add_format_option(parser, default="table")   # --format, its choices and help
    write_rows(args.format, frame)                # to standard output
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Protocol, TextIO, cast

from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.lazy import lazy
from trialfinder.core.terminal import as_shown, clean, display_width, fit_cell
from trialfinder.core.textcap import LINE_CHARS, cap
from trialfinder.tables.exportpath import SUFFIX_FORMATS, ExportFormat

if TYPE_CHECKING:
    import pandas as pd

    from trialfinder.tables.export import formula_guard, to_csv_bytes
    from trialfinder.tables.jsonlines import json_line, to_jsonl_bytes
    from trialfinder.tables.parquetout import ParquetPages
else:  # pandas loads when rows are written, not for --help
    ParquetPages = lazy("trialfinder.tables.parquetout", "ParquetPages")
    formula_guard = lazy("trialfinder.tables.export", "formula_guard")
    to_csv_bytes = lazy("trialfinder.tables.export", "to_csv_bytes")
    to_jsonl_bytes = lazy("trialfinder.tables.jsonlines", "to_jsonl_bytes")
    json_line = lazy("trialfinder.tables.jsonlines", "json_line")

__all__ = ["FORMATS", "OutputFormat", "RowWriter", "add_format_option", "column_widths",
           "refuse_terminal", "write_rows"]

class RowWriter(Protocol):
    """Writes rows: ``begin`` with the column names, ``write`` any number of times (a page at
    a time), ``end`` once; or ``abandon`` instead of ``end`` when the rows stop part-way."""

    def begin(self, columns: Sequence[str]) -> None: ...

    def write(self, rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> None: ...

    def end(self) -> None: ...

    def abandon(self) -> None: ...


def _frame(rows: pd.DataFrame | Sequence[Mapping[str, Any]],
           columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        return rows
    # values as they are (an int column with a gap stays ints, not floats)
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=list(columns),
                        dtype=object)


class _BytesWriter:
    """Bytes on standard output, as they are (but never escape codes onto a terminal)."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.rows, self.header = out, 0, False
        self.columns: list[str] = []

    def begin(self, columns: Sequence[str]) -> None:
        self.columns = [str(c) for c in columns]

    def put(self, data: bytes) -> None:
        self.out.flush()
        if self.out.isatty():
            data = clean(data.decode("utf-8")).encode("utf-8")
        self.out.buffer.write(data)

    def end(self) -> None:
        return None

    def abandon(self) -> None:
        return None  # rows already out stay as they are: no footer to leave off


class CsvWriter(_BytesWriter):
    """CSV (RFC 4180: CRLF) with the formula guard of every CSV trialfinder writes, the header
    first, once. A frame is written as :func:`trialfinder.tables.export.to_csv_bytes` writes
    it; records cell by cell (yes/no as ``true``/``false``, nothing as an empty cell)."""

    def write(self, rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> None:
        if isinstance(rows, Sequence):
            self.put(self._records(rows))
            return
        data = to_csv_bytes(rows)
        if self.rows or self.header:  # a later page: its rows only
            data = data.split(b"\r\n", 1)[1] if b"\r\n" in data else b""
        self.rows += 1
        self.put(data)

    def _records(self, rows: Sequence[Mapping[str, Any]]) -> bytes:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        if not self.header:
            writer.writerow([formula_guard(c) for c in self.columns])
            self.header = True
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in self.columns])
        self.rows += len(rows)
        return text.getvalue().encode("utf-8")

    def end(self) -> None:
        if not self.rows and not self.header:
            self.put(self._records([]))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return formula_guard(value) if isinstance(value, str) else value


class JsonLinesWriter(_BytesWriter):
    """One JSON object per row and line (``null`` for a missing value of a frame; records are
    written as they are)."""

    def write(self, rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> None:
        if isinstance(rows, Sequence):
            self.put(b"".join(json_line(r) + b"\n" for r in rows))
        else:
            self.put(to_jsonl_bytes(rows))


class ParquetWriter:
    """Parquet on standard output, as ``--output x.parquet`` writes it
    (:class:`~trialfinder.tables.parquetout.ParquetPages`: typed like the tables, one row group
    a page; Parquet needs no seeking to be written, so a pipe takes it). Never onto a
    terminal (:func:`refuse_terminal`)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.columns: list[str] = []
        self.pages: Any = None
        self.sink: _CutSink | None = None

    def begin(self, columns: Sequence[str]) -> None:
        self.columns = [str(c) for c in columns]

    def _opened(self) -> Any:
        if self.pages is None:
            refuse_terminal("parquet", self.out)
            self.out.flush()
            self.sink = _CutSink(self.out.buffer)
            self.pages = ParquetPages(cast("BinaryIO", self.sink))
            self.pages.begin(self.columns)
        return self.pages

    def write(self, rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> None:
        self._opened().write(_frame(rows, self.columns))

    def end(self) -> None:
        self._opened().end()
        self.out.buffer.flush()

    def abandon(self) -> None:
        """The search stopped (Ctrl-C, an error): no footer is written, so what went out is
        no Parquet file a reader could take for the whole answer (without this the garbage
        collector closed the writer at exit, and that writes the footer)."""
        if self.sink is not None:
            self.sink.cut()
        if self.pages is not None:
            with contextlib.suppress(Exception):
                self.pages.close()


class _CutSink:
    """A binary stream that can be cut: writes after :meth:`cut` go nowhere and fail."""

    def __init__(self, inner: BinaryIO) -> None:
        self.inner = inner
        self.closed = False

    def cut(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("the output was given up")
        return self.inner.write(data)

    def flush(self) -> None:
        if not self.closed:
            self.inner.flush()


def refuse_terminal(name: str, out: TextIO | None = None) -> None:
    """One line, before anything is asked, when a binary format would go to a terminal."""
    chosen = FORMATS[name]
    stream = sys.stdout if out is None else out
    if chosen.binary and stream.isatty():
        raise InvalidQueryError(
            f"--format {name} writes binary data, not for a terminal: redirect it "
            f"(> studies.{name}), pipe it on, or give --output studies.{name}")


class TableWriter:
    """Rows lined up for a terminal (see :func:`column_widths`): a cell too wide is cut with
    ``…``, width is counted in terminal columns (a wide character takes two; on a stream that
    cannot carry a character, its ``\\xe9`` escape, and ``~`` cuts where ``…`` cannot be
    shown), control characters never reach the screen.
    A table needs all its rows for its widths: it is printed at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.columns: list[str] = []
        self.frames: list[pd.DataFrame] = []

    def begin(self, columns: Sequence[str]) -> None:
        self.columns = [str(c) for c in columns]

    def write(self, rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> None:
        self.frames.append(_frame(rows, self.columns))

    def abandon(self) -> None:
        self.frames = []  # a table of part of the rows is never printed

    def end(self) -> None:
        import pandas as pd

        frames = [f for f in self.frames if len(f)]
        if not frames:
            return
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        width = shutil.get_terminal_size((100, 24)).columns
        encoding = getattr(self.out, "encoding", None)
        mark = as_shown("…", encoding)
        mark = mark if len(mark) == 1 else "~"  # one column, whatever the stream carries

        def shown(value: object) -> str:
            return as_shown(" ".join(clean(cap(str(value), LINE_CHARS)).split()), encoding)

        cols = [shown(c) for c in frame.columns]
        text = frame.astype("string").fillna("")
        lines = [[shown(v) for v in row] for row in text.itertuples(index=False)]
        natural = [max([display_width(cols[i])] + [display_width(r[i]) for r in lines])
                   for i in range(len(cols))]
        keep = fitting_columns(natural, width)
        if keep < len(cols):  # every cell a lone "…" says nothing: the first ones, and a note
            cols, lines, natural = cols[:keep], [r[:keep] for r in lines], natural[:keep]
            print(f"trialfinder: note: the table shows the first {keep:,} of "
                  f"{len(frame.columns):,} columns, as many as fit a terminal {width} columns "
                  "wide; --format csv or json writes them all", file=sys.stderr)
        widths = column_widths(natural, width)
        for line in [cols, *lines]:
            self.out.write("  ".join(fit_cell(v, w, mark)
                                     for v, w in zip(line, widths, strict=True))
                           .rstrip() + "\n")


#: How a table too wide for the terminal gives way: (which column, its narrowest), in order.
#: The last column (a title) gives way first, then the others (the widest first) to the
#: width of an NCT id, then each again.
_GIVE_WAY = (("last", 20), ("others", 11), ("last", 8), ("others", 6), ("last", 1),
             ("others", 1))


#: The narrowest a column of a table is drawn before the columns after it are left out, and
#: the narrowest of those kept when some are (wide enough to tell them apart).
_NARROWEST: Final = 6
_KEPT_NARROWEST: Final = 12


def fitting_columns(natural: list[int], width: int) -> int:
    """How many of the first columns a table of ``width`` terminal columns shows: all when
    each fits :data:`_NARROWEST` wide (or its natural width, when less), two spaces apart;
    else as many as fit :data:`_KEPT_NARROWEST` wide; one at least."""

    def fit(narrowest: int) -> int:
        used = 0
        for i, each in enumerate(natural):
            used += min(each, narrowest) + (2 if i else 0)
            if used > width:
                return max(1, i)
        return len(natural)

    return len(natural) if fit(_NARROWEST) == len(natural) else fit(_KEPT_NARROWEST)


def column_widths(natural: list[int], width: int) -> list[int]:
    """Column widths that fit ``width`` terminal columns with two spaces between columns:
    each column as wide as its widest cell (40 at most but for the last), narrowed as
    :data:`_GIVE_WAY` says when the terminal is narrower."""
    widths = [min(n, 40) for n in natural[:-1]] + [natural[-1]]
    room = width - 2 * (len(widths) - 1)
    for which, floor in _GIVE_WAY:
        over = sum(widths) - room
        if over <= 0:
            break
        if which == "last":
            widths[-1] = max(min(widths[-1], floor), widths[-1] - over)
            continue
        while over > 0:
            widest = max(range(len(widths) - 1), key=widths.__getitem__, default=-1)
            if widest < 0 or widths[widest] <= floor:
                break
            widths[widest] -= 1
            over -= 1
    return widths


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One output format: ``name`` (``--format``), what it is in ``--help``, the file
    format it writes with ``--output`` (``None``: the terminal only), whether it is for
    people at a terminal, and its writer."""

    name: str
    help: str
    export: ExportFormat | None
    for_people: bool
    writer: Callable[[TextIO], RowWriter]
    #: bytes, not text: offered only where asked (:func:`add_format_option`), never printed
    #: on a terminal
    binary: bool = False

    @property
    def endings(self) -> tuple[str, ...]:
        """The file endings that mean this format (``--output``)."""
        return tuple(s for s, f in SUFFIX_FORMATS.items() if f == self.export)


#: Every output format, by name, in the order ``--help`` lists them.
FORMATS: Final[dict[str, OutputFormat]] = {
    f.name: f for f in (
        OutputFormat("table", "table (for the terminal)", None, True, TableWriter),
        OutputFormat("csv", "csv", "csv", False, CsvWriter),
        OutputFormat("json", "json (JSON lines: one object per row and line)", "jsonl", False,
                     JsonLinesWriter),
        OutputFormat("parquet", "parquet (binary: into a file or a pipe)", "parquet", False,
                     ParquetWriter, binary=True),
    )
}


def add_format_option(parser: argparse.ArgumentParser | Any, default: str | None = "table",
                      *, rows: str = "row", files: bool = False, binary: bool = False) -> None:
    """``--format`` with the formats of :data:`FORMATS` (``rows`` names what one row is;
    ``files``: the command also writes files with --output, whose ending decides when
    --format is not given; ``binary``: Parquet too, for commands that write typed tables)."""
    offered = [f for f in FORMATS.values() if binary or not f.binary]
    said = ", ".join(f.help.replace("row", rows) + (" (default)" if f.name == default else "")
                     for f in offered)
    if files:
        said += "; with --output the file's ending decides when --format is not given"
    parser.add_argument("--format", choices=[f.name for f in offered], default=default,
                        help=said)


def write_rows(name: str, rows: pd.DataFrame | Sequence[Any],
               columns: Sequence[str] | None = None, *,
               table: Callable[[TextIO], RowWriter] | None = None) -> None:
    """Write ``rows`` to standard output in the format ``name`` (``table``: a command's own
    terminal writer instead of the plain table)."""
    chosen = FORMATS[name]
    make = table if table is not None and chosen.for_people else chosen.writer
    writer = make(sys.stdout)
    names = list(columns) if columns is not None else [str(c) for c in getattr(rows, "columns",
                                                                                ())]
    writer.begin(names)
    writer.write(rows)
    writer.end()
