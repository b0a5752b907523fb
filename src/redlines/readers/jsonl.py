"""Event files in JSON Lines: one event object a line, lines ending at ``\\n`` (blank lines are
skipped). Every problem in the file is collected and reported with its line.

The file is read a line at a time, never whole. A line is parsed by orjson; the standard
library's parser (with a hook that refuses a key given twice) reads it again whenever orjson
refuses it or the line may hold a key twice, so that every problem is worded as before. A file
that is not plain UTF-8 (a NUL byte, bytes that are not UTF-8, UTF-16) is read whole by
:func:`redlines.source.decode`, which locates its problem or decodes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import InputError
from ..source import decode
from .batch import Batch
from .eventsink import EventSink, Skip
from .streamed import streamed_batch

__all__ = ["BLANK", "SUFFIXES", "InvalidLine", "parse_line", "read_jsonl", "votes"]

SUFFIXES = (".jsonl",)


def read_jsonl(path: str | Path, *, skip: Skip | None = None) -> Batch:
    """A JSON Lines event file as a :class:`Batch` (format ``jsonl``). Raises
    :class:`~redlines.errors.EventError` with every problem found.

    With *skip* (``skip(values)``, see :class:`~redlines.readers.eventsink.EventSink`), the
    events it says no rule can match are checked and counted in ``Batch.skipped`` but not
    kept; ``Batch.all_events()`` reads the file again when every event is needed."""
    return streamed_batch(path, "jsonl", skip, _sink)


def _sink(file: str, handle: IO[bytes], skip: Skip | None, *, record: bool) -> EventSink:
    """The file of *handle* read from its start."""
    handle.seek(0)
    try:
        return _read(file, _stream(handle), skip, record=record)
    except _NotPlain:
        # read whole: locates the NUL byte or the bytes that are not UTF-8, or decodes UTF-16
        text = decode(_whole(handle, file), file)
        return _read(file, enumerate(text.split("\n"), 1), skip, record=record)


def _whole(handle: IO[bytes], file: str) -> bytes:
    """Everything the file of *handle* holds."""
    try:
        handle.seek(0)
        return handle.read()
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None


class _NotPlain(Exception):
    """The file is not plain UTF-8 text: read it whole instead."""


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
        whole_text = True  # orjson refuses a lone surrogate
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            item = _slow(line, n, sink)
            whole_text = False
        else:
            if not _keys_once(line, item):
                item = _slow(line, n, sink)
                whole_text = False
        if item is _FAILED:
            continue
        if not isinstance(item, dict):
            sink.problem("each line must be a JSON object (one event)", line=n)
            continue
        sink.add(item, line=n, whole_text=whole_text)
    return sink


_FAILED = object()


def _slow(line: bytes | str, n: int, sink: EventSink) -> Any:
    """*line* parsed by :func:`parse_line`; a problem is recorded in *sink* and
    :data:`_FAILED` returned when it does not parse (a blank line is skipped: :data:`_FAILED`
    too). Raises :class:`_NotPlain` for bytes that are not UTF-8."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotPlain from None
    try:
        item = parse_line(line)
    except InvalidLine as exc:
        sink.problem(exc.message, line=n, column=exc.column)
        return _FAILED
    return _FAILED if item is BLANK else item


#: What :func:`parse_line` gives for a blank line.
BLANK = object()


class InvalidLine(ValueError):
    """A line that is not JSON, with the message and column its problem says."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def parse_line(line: str) -> Any:
    """One line of JSON Lines (its ``\\n`` and a ``\\r`` before it are not part of it) parsed by
    the standard library, refusing a key given twice: :data:`BLANK` for a blank line; raises
    :class:`InvalidLine` for one that does not parse. The reader of files and the watcher's
    reader of standard input both read lines with it."""
    # Lines end at "\n" only (and a "\r" before it): U+2028, U+0085 or "\x1c" are valid
    # inside a JSON string, where str.splitlines() would break the line.
    raw = line.removesuffix("\n").removesuffix("\r")
    if not raw.strip():
        return BLANK
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InvalidLine(f"invalid JSON: {exc.msg}", exc.colno) from None
    except ValueError as exc:  # a duplicate key, or a number Python will not convert
        reason = str(exc) if "duplicate key" in str(exc) else "a number too long to read"
        raise InvalidLine(f"invalid JSON: {reason}") from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_ESCAPE_BYTES = re.compile(rb"\\.", re.DOTALL)
#: A '"' followed by JSON white space (one search, not four).
_QUOTE_SPACE = re.compile('"[ \t\r\n]')
_QUOTE_SPACE_BYTES = re.compile(b'"[ \t\r\n]')


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
        if _QUOTE_SPACE_BYTES.search(data):
            written = sum(part.count(b":") for part in data.split(b'"')[::2])
        else:
            written = data.count(b'":')
        return written == _keys(item)
    text = _ESCAPE.sub("", line) if "\\" in line else line
    if _QUOTE_SPACE.search(text):
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
