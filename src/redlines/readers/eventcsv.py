"""Event files in CSV: a header of event field names (``location.region`` for nested fields,
any case), one event a row, ``sources`` and ``tags`` separated by ``|``. Every problem in the
file is collected and reported with its line and column."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..errors import EventError, InputError
from ..source import csv_reader, decode, readable
from .batch import Batch
from .dataframe import rows
from .eventsink import EVENT_COLUMNS, EventSink, Skip, suggest_column
from .options import Settings
from .streamed import streamed_batch

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["SUFFIXES", "has_event_header", "read_event_csv", "read_event_frame", "votes"]

SUFFIXES = (".csv",)


def has_event_header(path: Path) -> bool:
    """True if the first line of *path* names at least ``id`` and ``kind`` (any case, comma or,
    by mistake, semicolon separated): the contract's own CSV, which exports of ACLED or UCDP
    are not. True also when the file cannot be read, so that this reader reports why."""
    try:
        with readable(path).open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline()
    except OSError:
        return True
    return votes([first]) > 0


def votes(lines: list[str]) -> int:
    """1 if the first line is a header naming at least ``id`` and ``kind`` (format detection of
    a file without a telling suffix, such as ``/dev/stdin``)."""
    for sep in (",", ";"):
        header = {c.strip().strip('"').lower() for c in lines[0].rstrip("\r\n").split(sep)}
        if {"id", "kind"} <= header:
            return 1
    return 0


def read_event_csv(path: str | Path, *, skip: Skip | None = None) -> Batch:
    """A CSV event file as a :class:`Batch` (format ``csv``). Raises
    :class:`~redlines.errors.EventError` with every problem found.

    The file is read a row at a time, never whole (a file that is not plain UTF-8 is read
    whole by :func:`redlines.source.decode`, which locates its problem or decodes it).
    With *skip*, as for :func:`redlines.readers.jsonl.read_jsonl`, the events no rule can
    match are checked and counted in ``Batch.skipped``, not kept."""
    return streamed_batch(path, "csv", skip, _sink)


def _sink(file: str, handle: IO[bytes], skip: Skip | None, *, record: bool) -> EventSink:
    """The file of *handle* read from its start."""
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        try:
            return _read(file, _plain(text, file), skip, record=record)
        except EventError:  # the header's problems: after those of the whole text
            decode(_whole(text, handle, file), file)
            raise
    except _NotPlain:
        whole = decode(_whole(text, handle, file), file)  # locates it, or decodes UTF-16
        return _read(file, io.StringIO(whole, newline=""), skip, record=record)
    finally:
        with contextlib.suppress(ValueError):  # detached already
            text.detach()


def _whole(text: io.TextIOWrapper, handle: IO[bytes], file: str) -> bytes:
    """Everything the file of *handle* holds (*text*, its reader, is detached first)."""
    with contextlib.suppress(ValueError):
        text.detach()
    try:
        handle.seek(0)
        return handle.read()
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None


class _NotPlain(Exception):
    """The file is not plain UTF-8 text: read it whole instead."""


def _plain(fh: IO[str], file: str) -> Iterator[str]:
    """The lines of a text file; :class:`_NotPlain` at the first NUL byte or bytes that are
    not UTF-8."""
    try:
        for line in fh:
            if "\x00" in line:
                raise _NotPlain
            yield line
    except UnicodeDecodeError:
        raise _NotPlain from None
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None


def _read(file: str, lines: Iterable[str], skip: Skip | None, *, record: bool = False) -> EventSink:
    reader = csv_reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise EventError.one(
            "empty CSV file: expected a header of event fields", file=file
        ) from None
    except csv.Error as exc:
        raise EventError.one(f"invalid CSV: {exc}", file=file, line=1) from None
    if len(header) == 1 and ";" in header[0]:
        raise EventError.one("the CSV must be comma-separated (found ';')", file=file, line=1)
    sink = EventSink(file, skip=skip, record=record)
    names = _columns(header, sink)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            sink.problem(f"invalid CSV: {exc}", line=line)
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            sink.problem(f"expected {len(names)} cells, found {len(row)}", line=line)
            continue
        sink.add(dict(zip(names, row, strict=True)), line=line, record=True)
    return sink


def read_event_frame(df: pandas.DataFrame, name: str, settings: Settings) -> Batch:
    """A pandas DataFrame of events as a :class:`Batch` (format ``csv``): a column a field, as
    in the event CSV (``location.country``; any letter case), read as the same rows in that
    file would be, and each problem located at the row's line in the CSV ``df.to_csv()``
    writes (its position + 2). Empty cells (NaN, None, NaT, blank text) leave the field out;
    numbers, whole floats of an integer column with gaps and pandas Timestamps are read as
    :func:`~redlines.readers.eventsink.record_to_mapping` says. Raises
    :class:`~redlines.errors.EventError` with every problem found."""
    sink = EventSink(name)
    names = _columns([str(c) for c in df.columns], sink)
    for line, values in rows(df, 2):
        sink.add(dict(zip(names, values, strict=True)), line=line, record=True)
    return Batch(name, sink.events_or_raise(), format="csv")


def _columns(header: list[str], sink: EventSink) -> list[str]:
    """The column names of *header* (any case), after checking each names a field once; the
    problems end the read (EventError), each at line 1 and its column."""
    names = [h.strip().lower() for h in header]  # column names match in any case
    first_col: dict[str, int] = {}
    for col, name in enumerate(names, 1):
        if name not in EVENT_COLUMNS:
            sink.problem(
                "unknown column",
                line=1,
                column=col,
                field=header[col - 1].strip(),
                suggestion=suggest_column(name),
            )
        elif name in first_col:
            sink.problem(
                f"duplicate column (also column {first_col[name]})", line=1, column=col, field=name
            )
        first_col.setdefault(name, col)
    if sink.problems:
        raise EventError(sink.problems)
    return names
