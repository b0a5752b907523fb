"""Event files in JSON Lines: one event object a line, lines ending at ``\\n`` (blank lines are
skipped). Every problem in the file is collected and reported with its line.

The file is read a line at a time, never whole. A line is parsed by orjson; the standard
library's parser (with a hook that refuses a key given twice) reads it again whenever orjson
refuses it or the line may hold a key twice, so that every problem is worded as before. A file
that is not plain UTF-8 (a NUL byte, bytes that are not UTF-8, UTF-16) is read whole by
:func:`redlines.source.read_text`, which locates its problem or decodes it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import InputError
from ..source import read_text, readable
from .batch import Batch, Pair
from .eventsink import EventSink, Skip

__all__ = ["SUFFIXES", "read_jsonl", "votes"]

SUFFIXES = (".jsonl",)


def read_jsonl(path: str | Path, *, skip: Skip | None = None) -> Batch:
    """A JSON Lines event file as a :class:`Batch` (format ``jsonl``). Raises
    :class:`~redlines.errors.EventError` with every problem found.

    With *skip* (``skip(values)``, see :class:`~redlines.readers.eventsink.EventSink`), the
    events it says no rule can match are checked and counted in ``Batch.skipped`` but not
    kept; ``Batch.all_events()`` reads the file again when every event is needed."""
    file = str(path)
    handle = _open(path)
    try:
        try:
            sink = _read(file, _stream(handle), skip)
        except _NotPlain:
            # read whole: locates the NUL byte or the bytes that are not UTF-8, or decodes
            # UTF-16
            text = read_text(path)
            sink = _read(file, enumerate(text.split("\n"), 1), skip)
        events = sink.events_or_raise()
    except BaseException:
        handle.close()
        raise
    if skip is None:
        handle.close()
        return Batch(file, events, format="jsonl")
    if os.name != "posix":  # pragma: no cover - an open file cannot be removed there
        handle.close()
    skipped = sink.skipped
    count = len(events) + len(skipped)
    skipped.reread = lambda: _reread(path, handle, count, None).events
    skipped.reread_pairs = lambda: _pairs(_reread(path, handle, count, _everything))
    return Batch(file, events, format="jsonl", skipped=skipped)


def _everything(values: dict[str, Any]) -> bool:
    return True


def _reread(path: str | Path, handle: IO[bytes], count: int, skip: Skip | None) -> EventSink:
    """The file read again, from the handle kept open since it was first read (a temporary
    copy of standard input may be gone by then); with *skip*, the ids and times of the events
    it skips are recorded."""
    file = str(path)
    if handle.closed:
        handle = _open(path)
    handle.seek(0)
    try:
        sink = _read(file, _stream(handle), skip, record=True)
    except _NotPlain:
        sink = _read(file, enumerate(read_text(path).split("\n"), 1), skip, record=True)
    events = sink.events_or_raise()
    if len(events) + len(sink.skipped) != count:
        now = len(events) + len(sink.skipped)
        raise InputError.one(
            f"the file changed since it was read ({count} events then, {now} now)", file=file
        )
    return sink


def _pairs(sink: EventSink) -> list[Pair]:
    """(id, time) of every event a sink read, in event-time order (the id breaks ties)."""
    pairs = [(e.id, e.time) for e in sink.events] + sink.skipped.pairs()
    pairs.sort(key=lambda pair: (pair[1], pair[0]))
    return pairs


class _NotPlain(Exception):
    """The file is not plain UTF-8 text: read it whole instead."""


def _open(path: str | Path) -> IO[bytes]:
    file = str(path)
    try:
        return readable(path).open("rb")
    except FileNotFoundError:
        raise InputError.one("no such file", file=file) from None
    except IsADirectoryError:
        raise InputError.one("is a directory, not a file", file=file) from None
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None
    except ValueError:  # a NUL byte in the name
        raise InputError.one("no such file (the name holds a NUL byte)", file=file) from None


def _stream(handle: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """The lines of a file, numbered from 1, as bytes (with their ``\\n``); raises
    :class:`_NotPlain` at a NUL byte or a UTF-16 byte-order mark (bytes that are not UTF-8
    are found when a line is decoded: orjson refuses them, and the standard library's
    reading decodes the line first)."""
    try:
        for n, raw in enumerate(handle, 1):
            if n == 1:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise _NotPlain
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if b"\x00" in raw:
                raise _NotPlain
            yield n, raw
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=handle.name) from None


def _read(
    file: str,
    lines: Iterable[tuple[int, bytes | str]],
    skip: Skip | None,
    *,
    record: bool = False,
) -> EventSink:
    sink = EventSink(file, skip=skip, record=record)
    for n, line in lines:
        # orjson takes the line as it is (its "\r\n" is JSON white space, and it refuses
        # bytes that are not UTF-8); a line it refuses, blank ones included, is read again
        # as text.
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            item = _slow(line, n, sink)
        else:
            if not _keys_once(line, item):
                item = _slow(line, n, sink)
        if item is _FAILED:
            continue
        if not isinstance(item, dict):
            sink.problem("each line must be a JSON object (one event)", line=n)
            continue
        sink.add(item, line=n)
    return sink


_FAILED = object()


def _slow(line: bytes | str, n: int, sink: EventSink) -> Any:
    """*line* parsed by the standard library, refusing a key given twice; a problem is
    recorded in *sink* and :data:`_FAILED` returned when it does not parse (a blank line is
    skipped: :data:`_FAILED` too). Raises :class:`_NotPlain` for bytes that are not UTF-8."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotPlain from None
    # Lines end at "\n" only (and a "\r" before it): U+2028, U+0085 or "\x1c" are valid
    # inside a JSON string, where str.splitlines() would break the line.
    raw = line.removesuffix("\n").removesuffix("\r")
    if not raw.strip():
        return _FAILED
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        sink.problem(f"invalid JSON: {exc.msg}", line=n, column=exc.colno)
    except ValueError as exc:  # a duplicate key, or a number Python will not convert
        reason = str(exc) if "duplicate key" in str(exc) else "a number too long to read"
        sink.problem(f"invalid JSON: {reason}", line=n)
    return _FAILED


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_ESCAPE_BYTES = re.compile(rb"\\.", re.DOTALL)


def _keys_once(line: bytes | str, item: Any) -> bool:
    """True when the JSON text *line*, parsed as *item*, gives no key twice in an object.

    Once escapes are removed, every ``"`` of valid JSON opens or closes a string, so the
    colons outside strings are exactly the keys written; a key given twice leaves fewer keys
    in the parsed objects than that. When no ``"`` is followed by white space, every key is
    followed by ``":`` at once, so that ``":`` occurs at least once per key written (more
    often when a string starts with a colon): as often as there are keys parsed only when no
    key is given twice."""
    if isinstance(line, bytes):
        data = _ESCAPE_BYTES.sub(b"", line) if b"\\" in line else line
        if b'" ' in data or b'"\t' in data or b'"\r' in data or b'"\n' in data:
            written = sum(part.count(b":") for part in data.split(b'"')[::2])
        else:
            written = data.count(b'":')
        return written == _keys(item)
    text = _ESCAPE.sub("", line) if "\\" in line else line
    if '" ' in text or '"\t' in text or '"\r' in text or '"\n' in text:
        written = sum(part.count(":") for part in text.split('"')[::2])
    else:
        written = text.count('":')
    return written == _keys(item)


def _keys(value: Any) -> int:
    """How many keys the objects in *value* hold, nested ones included."""
    if type(value) is dict:
        n = len(value)
        values: Iterable[Any] = value.values()
    elif type(value) is list:
        n, values = 0, value
    else:
        return 0
    for v in values:
        if type(v) is dict or type(v) is list:
            n += _keys(v)
    return n


def votes(lines: list[str]) -> int:
    """How many of the first lines look like one JSON object each (format detection of a file
    without a telling suffix, such as ``/dev/stdin``)."""
    return sum(line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in lines)
