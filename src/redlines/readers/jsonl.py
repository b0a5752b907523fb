"""Event files in JSON Lines: one event object a line, lines ending at ``\n`` (blank lines are
skipped). Every problem in the file is collected and reported with its line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..source import read_text
from .batch import Batch
from .eventsink import EventSink

__all__ = ["SUFFIXES", "read_jsonl", "votes"]

SUFFIXES = (".jsonl",)


def read_jsonl(path: str | Path) -> Batch:
    """A JSON Lines event file as a :class:`Batch` (format ``jsonl``). Raises
    :class:`~redlines.errors.EventError` with every problem found."""
    file = str(path)
    text = read_text(path)
    sink = EventSink(file)
    # Lines end at "\n" only (and a "\r" before it): U+2028, U+0085 or "\x1c" are valid
    # inside a JSON string, where str.splitlines() would break the line.
    for n, line in enumerate(text.split("\n"), 1):
        raw = line.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            item = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            sink.problem(f"invalid JSON: {exc.msg}", line=n, column=exc.colno)
            continue
        except ValueError as exc:  # a duplicate key, or a number Python will not convert
            reason = str(exc) if "duplicate key" in str(exc) else "a number too long to read"
            sink.problem(f"invalid JSON: {reason}", line=n)
            continue
        if not isinstance(item, dict):
            sink.problem("each line must be a JSON object (one event)", line=n)
            continue
        sink.add(item, line=n)
    return Batch(file, sink.events_or_raise(), format="jsonl")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def votes(lines: list[str]) -> int:
    """How many of the first lines look like one JSON object each (format detection of a file
    without a telling suffix, such as ``/dev/stdin``)."""
    return sum(line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in lines)
