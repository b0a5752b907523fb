"""Event files in CSV: a header of event field names (``location.region`` for nested fields,
any case), one event a row, ``sources`` separated by ``|``. Every problem in the file is
collected and reported with its line and column."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path
from typing import Any

from ..errors import EventError, suggest
from ..events import EVENT_FIELDS
from ..source import csv_reader, read_text, readable
from .adapter import integer, number
from .batch import Batch
from .eventsink import EventSink

__all__ = ["SUFFIXES", "has_event_header", "read_event_csv", "votes"]

SUFFIXES = (".csv",)

_NUMERIC = {"fatalities": integer, "location.lat": number, "location.lon": number}
_CSV_COLUMNS = (
    *(f for f in EVENT_FIELDS[""] if f != "location"),
    *(f"location.{f}" for f in EVENT_FIELDS["location"]),
)


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


def read_event_csv(path: str | Path) -> Batch:
    """A CSV event file as a :class:`Batch` (format ``csv``). Raises
    :class:`~redlines.errors.EventError` with every problem found."""
    file = str(path)
    reader = csv_reader(io.StringIO(read_text(path), newline=""))
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
    sink = EventSink(file)
    names = [h.strip().lower() for h in header]  # column names match in any case
    first_col: dict[str, int] = {}
    for col, name in enumerate(names, 1):
        if name not in _CSV_COLUMNS:
            sink.problem(
                "unknown column",
                line=1,
                column=col,
                field=header[col - 1].strip(),
                suggestion=suggest(name, _CSV_COLUMNS, cutoff=0.6),
            )
        elif name in first_col:
            sink.problem(
                f"duplicate column (also column {first_col[name]})", line=1, column=col, field=name
            )
        first_col.setdefault(name, col)
    if sink.problems:
        raise EventError(sink.problems)
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
        sink.add(_item(names, row), line=line)
    return Batch(file, sink.events_or_raise(), format="csv")


def _item(names: list[str], row: list[str]) -> dict[str, Any]:
    """The event mapping of one row: empty cells left out (an empty ``actor`` is null),
    numbers converted where they convert, ``sources`` split, ``location.*`` nested."""
    item: dict[str, Any] = {}
    for name, cell in zip(names, row, strict=False):
        value: Any = cell.strip()
        if value == "":
            if name == "actor":
                item["actor"] = None
            continue
        if name in _NUMERIC:
            # Left as text when it does not convert: validation reports it with the field.
            with contextlib.suppress(ValueError):
                value = _NUMERIC[name](value)
        if name == "sources":
            value = [s.strip() for s in value.split("|") if s.strip()]
        if name.startswith("location."):
            item.setdefault("location", {})[name.split(".", 1)[1]] = value
        else:
            item[name] = value
    return item
