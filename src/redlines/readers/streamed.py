"""Event files read a line or a row at a time (JSON Lines, event CSV), and read again when
every event is asked for: the part the two readers share.

With a *skip* (see :class:`~redlines.readers.eventsink.EventSink`), the events no rule can
match are checked and counted, not kept; the file's handle is kept open (a temporary copy of
standard input may be gone by the time the events are asked for again) and the file is read
again, from its start, by ``Batch.skipped.reread`` and ``reread_pairs``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import EventError
from ..source import open_binary
from .batch import Batch, Pair
from .eventsink import EventSink, Skip
from .text import keep_open

__all__ = ["SinkReader", "streamed_batch"]


class SinkReader(Protocol):
    """Reads the file of a handle from its start into an :class:`EventSink`."""

    def __call__(
        self, file: str, handle: IO[bytes], skip: Skip | None, *, record: bool
    ) -> EventSink: ...


def streamed_batch(path: str | Path, fmt: str, skip: Skip | None, read: SinkReader) -> Batch:
    """The event file at *path* read by *read* as a :class:`Batch` of format *fmt*; raises
    :class:`~redlines.errors.EventError` with every problem found."""
    file = str(path)
    handle = open_binary(path)
    try:
        sink = read(file, handle, skip, record=False)
        events = sink.events_or_raise()
    except BaseException:
        handle.close()
        raise
    if skip is None or os.name != "posix":  # elsewhere an open file cannot be removed
        handle.close()
        if skip is None:
            return Batch(file, events, format=fmt)
    else:
        keep_open(handle)
    skipped = sink.skipped
    count = len(events) + len(skipped)
    skipped.reread = lambda: _again(path, handle, count, None, read).events
    skipped.reread_pairs = lambda: _pairs(_again(path, handle, count, _everything, read))
    return Batch(file, events, format=fmt, skipped=skipped)


def _everything(values: dict[str, Any]) -> bool:
    return True


def _again(
    path: str | Path, handle: IO[bytes], count: int, skip: Skip | None, read: SinkReader
) -> EventSink:
    """The file read again (explanations, every event's level), from the handle kept open
    since it was first read or, if it was closed, opened again; with *skip*, the ids and
    times of the events it skips are recorded."""
    file = str(path)
    if handle.closed:
        with open_binary(path) as again:
            sink = read(file, again, skip, record=True)
    else:
        sink = read(file, handle, skip, record=True)
    sink.events_or_raise()
    now = len(sink.events) + len(sink.skipped)
    if now != count:
        raise EventError.one(
            f"the file changed since it was read ({count} events then, {now} now)", file=file
        )
    return sink


def _pairs(sink: EventSink) -> list[Pair]:
    """(id, time) of every event a sink read, in event-time order (the id breaks ties)."""
    pairs = [(e.id, e.time) for e in sink.events] + sink.skipped.pairs()
    pairs.sort(key=lambda pair: (pair[1], pair[0]))
    return pairs
