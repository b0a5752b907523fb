"""Streaming readers: a file (or each member of a ``.zip``) as numbered rows, one at a time.

GDELT is read as lines split on tabs, whatever the file's extension, with no quoting: place
names contain commas and quotes, and every field stays a string. ACLED and UCDP are read with
:mod:`csv` (fields may hold newlines and doubled quotes); a record's row number is the line it
starts on. Zero-width characters and byte-order marks are removed from every value. Progress
is reported through the caller's :data:`~redlines.readers.options.Progress` callback, if any.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import DataFormatError
from ..source import csv_reader, readable
from .options import Progress

__all__ = [
    "TextPart",
    "clean",
    "csv_records",
    "open_parts",
    "peek_lines",
    "tsv_rows",
]

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def clean(value: str) -> str:
    """A field without zero-width characters or surrounding white space."""
    return value.translate(_INVISIBLE).strip()


@dataclass
class TextPart:
    """One readable text stream: a plain file, or one member of a zip archive."""

    label: str  #: how rejections name it: ``path`` or ``archive.zip/member``
    size: int  #: bytes (uncompressed), for the progress bar
    stream: IO[str]


#: What a damaged, encrypted or oddly compressed zip archive raises while being read.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
)


@contextmanager
def _archive_errors(label: str) -> Iterator[None]:
    """Turn the errors of a damaged archive into one located DataFormatError."""
    try:
        yield
    except _ZIP_ERRORS as exc:
        raise DataFormatError.one(f"cannot read the zip archive: {exc}", file=label) from None


def open_parts(path: Path) -> Iterator[TextPart]:
    """Yield the text parts of *path*: the file itself, or each file member of a zip archive in
    name order. Text is decoded as UTF-8 (a byte-order mark is dropped; undecodable bytes become
    U+FFFD rather than stopping the run)."""
    label, path = str(path), readable(path)
    if zipfile.is_zipfile(path):
        with _archive_errors(label), zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                with archive.open(info) as raw:
                    stream = io.TextIOWrapper(
                        raw, encoding="utf-8-sig", errors="replace", newline=""
                    )
                    yield TextPart(f"{label}/{info.filename}", info.file_size, stream)
        return
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as plain:
        yield TextPart(label, path.stat().st_size, plain)


def _lines(part: TextPart, progress: Progress | None) -> Iterator[str]:
    with _archive_errors(part.label):
        if progress is None:
            yield from part.stream
            return
        with progress(Path(part.label).name, part.size) as advance:
            for line in part.stream:
                advance(len(line))
                yield line


def peek_lines(path: Path, limit: int = 5) -> list[str]:
    """The first non-blank lines of the first part of *path* (for format detection)."""
    out: list[str] = []
    with _archive_errors(str(path)):
        for part in open_parts(path):
            for line in part.stream:
                if line.strip():
                    out.append(line.rstrip("\r\n"))
                    if len(out) >= limit:
                        break
            break
    return out


def tsv_rows(part: TextPart, progress: Progress | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank line, split on tabs only."""
    for number, line in enumerate(_lines(part, progress), start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        yield number, [clean(f) for f in text.split("\t")]


def csv_records(
    part: TextPart, progress: Progress | None = None
) -> Iterator[tuple[int, list[str] | None, list[str]]]:
    """(starting line, header, values) for each record after the header; the first item yielded
    has ``header`` set (lower-cased, cleaned names) and is the header itself with line 1."""
    reader = csv_reader(_lines(part, progress))
    header: list[str] | None = None
    last_line = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. an unterminated quote swallowing the rest of the file
            raise DataFormatError.one(
                f"invalid CSV from line {last_line + 1}: {exc}", file=part.label, line=last_line + 1
            ) from None
        start = last_line + 1
        last_line = reader.line_num
        if header is None:
            if not any(v.strip() for v in values):
                continue
            header = [clean(v).lower() for v in values]
            yield start, header, header
            continue
        if not any(v.strip() for v in values):
            continue
        yield start, None, [clean(v) for v in values]
