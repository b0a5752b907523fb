"""Streaming readers: a file (or each member of a ``.zip``) as numbered rows, one at a time.

GDELT is read as lines split on tabs, whatever the file's extension, with no quoting: place
names contain commas and quotes, and every field stays a string. ACLED and UCDP are read with
:mod:`csv` (fields may hold newlines and doubled quotes); a record's row number is the line it
starts on. Zero-width characters and byte-order marks are removed from every value. Progress
is reported through the caller's :data:`~redlines.readers.options.Progress` callback, if any,
in bytes of the file (of the uncompressed member, in a zip archive).

Text is decoded in the encoding declared by the caller, or else in the one its bytes show
(:func:`sniff_encoding`: UTF-8, or cp1252 for bytes that are not UTF-8, or UTF-16 after its
byte-order mark); each :class:`TextPart` says which.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import DataFormatError, InputError
from ..source import csv_reader, open_binary, readable
from .options import Progress

__all__ = [
    "FALLBACK_ENCODING",
    "MAX_KEPT_OPEN",
    "TextPart",
    "clean",
    "csv_records",
    "keep_open",
    "open_binary",
    "open_parts",
    "peek_lines",
    "sniff_encoding",
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
    #: The encoding it is decoded with, as reported (``utf-8``, ``cp1252``...).
    encoding: str = "utf-8"
    #: The bytes under :attr:`stream`, whose position measures progress.
    raw: IO[bytes] | None = None
    #: Opens the bytes again from the start (to locate a byte the declared encoding refuses).
    reopen: Callable[[], IO[bytes]] | None = None


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


#: The encoding of a file whose bytes are not UTF-8 (and carry no UTF-16 byte-order mark).
FALLBACK_ENCODING = "cp1252"
#: Non-ASCII characters after which the encoding sniff stops: enough to tell.
_SNIFF_ENOUGH = 4096


#: The most bytes the encoding sniff reads: a file with no telling byte that early is UTF-8.
_SNIFF_MOST = 8 << 20
#: The longest line an export may have, in characters (GDELT lines are a few kB; a longer one
#: is refused before it is read whole).
MAX_LINE = 1 << 20


def bounded_lines(stream: IO[str], label: str, *, first: int = 1) -> Iterator[str]:
    """The lines of *stream*, each read at most :data:`MAX_LINE` characters at a time: a line
    longer than that is a :class:`~redlines.errors.DataFormatError` naming it (the first line
    numbered *first*), raised before the rest of it is read (a small zip archive can hold a
    line of gigabytes)."""
    number = first - 1
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise DataFormatError.one(
                f"line {number} is longer than {MAX_LINE:,} characters: not an export this "
                "reader takes",
                file=label,
                line=number,
            )
        yield line


def sniff_encoding(raw: IO[bytes]) -> str:
    """The encoding of the bytes of *raw*, read from its start: ``utf-16`` with a UTF-16
    byte-order mark; otherwise ``utf-8``, unless more of its non-ASCII bytes are not UTF-8 than
    form UTF-8 characters: then :data:`FALLBACK_ENCODING` (cp1252, Windows' Western European,
    what spreadsheets save "CSV" as). A UTF-8 file with a few broken bytes stays UTF-8.

    The bytes are read in chunks until :data:`_SNIFF_ENOUGH` non-ASCII characters have been
    seen, :data:`_SNIFF_MOST` bytes have been read, or the file ends; nothing is kept."""
    head = raw.read(1 << 16)
    seen = len(head)
    if _bom_encoding(head) == "utf-16":
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    valid = invalid = 0
    chunk = head
    while chunk:
        text = decoder.decode(chunk)
        bad = text.count("\ufffd")
        invalid += bad
        valid += len(text) - len(text.encode("ascii", "ignore")) - bad
        if valid + invalid >= _SNIFF_ENOUGH or seen >= _SNIFF_MOST:
            break
        chunk = raw.read(1 << 20)
        seen += len(chunk)
    else:
        invalid += decoder.decode(b"", final=True).count("\ufffd")
    return FALLBACK_ENCODING if invalid > valid else "utf-8"


def _bom_encoding(head: bytes) -> str:
    """``utf-16`` after a UTF-16 byte-order mark, else ``utf-8``."""
    return "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"


def _codec(encoding: str) -> str:
    """The codec that reads *encoding* (UTF-8 drops a byte-order mark)."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _part(
    label: str,
    size: int,
    opener: Callable[[], IO[bytes]],
    encoding: str | None,
    sniff: bool,
) -> tuple[TextPart, IO[bytes]]:
    """A text part over the bytes *opener* gives: in the declared *encoding* (undecodable
    bytes are an error), or in the sniffed one (undecodable bytes read as U+FFFD)."""
    if encoding is None:
        with opener() as head:
            found = sniff_encoding(head) if sniff else _bom_encoding(head.read(2))
    else:
        found = encoding
    raw = opener()
    stream = io.TextIOWrapper(
        raw,
        encoding=_codec(found),
        errors="strict" if encoding is not None else "replace",
        newline="",
    )
    name = codecs.lookup(found).name
    return TextPart(label, size, stream, name, raw, opener if encoding is not None else None), raw


def open_parts(
    path: Path, encoding: str | None = None, *, sniff: bool = True
) -> Iterator[TextPart]:
    """Yield the text parts of *path*: the file itself, or each file member of a zip archive in
    name order. Text is decoded in *encoding* when it is given (bytes it cannot decode are an
    error, located at their line); otherwise each part's encoding is sniffed from its bytes
    (:func:`sniff_encoding`; *sniff* False reads UTF-8 without looking) and undecodable bytes
    become U+FFFD rather than stopping the run. A byte-order mark is dropped."""
    label, path = str(path), readable(path)
    if zipfile.is_zipfile(path):
        with _archive_errors(label), zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                part, raw = _part(
                    f"{label}/{info.filename}",
                    info.file_size,
                    lambda info=info: archive.open(info),  # type: ignore[misc]
                    encoding,
                    sniff,
                )
                with raw, part.stream:
                    yield part
        return
    part, raw = _part(label, path.stat().st_size, lambda: path.open("rb"), encoding, sniff)
    with raw, part.stream:
        yield part


#: Lines read between two looks at how far into the bytes the reader is.
_PROGRESS_LINES = 256


def _lines(part: TextPart, progress: Progress | None) -> Iterator[str]:
    with _archive_errors(part.label), _decoding_errors(part):
        if progress is None or part.raw is None:
            yield from bounded_lines(part.stream, part.label)
            return
        raw = part.raw
        with progress(Path(part.label).name, part.size) as advance:
            done = 0
            for count, line in enumerate(bounded_lines(part.stream, part.label)):
                if count % _PROGRESS_LINES == 0:
                    now = raw.tell()
                    if now > done:
                        advance(now - done)
                        done = now
                yield line
            if part.size > done:
                advance(part.size - done)


@contextmanager
def _decoding_errors(part: TextPart) -> Iterator[None]:
    """Bytes the declared encoding cannot decode: one error naming the line they are on."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise _undecodable(part, exc) from None


def _undecodable(part: TextPart, exc: UnicodeDecodeError) -> InputError:
    line, offset, byte = None, None, None
    if part.reopen is not None:
        decoder = codecs.getincrementaldecoder(_codec(part.encoding))()
        seen, lines = 0, 1
        with part.reopen() as fh:
            while chunk := fh.read(1 << 16):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as found:
                    at = max(0, min(found.start, len(chunk) - 1))
                    line, offset, byte = lines + chunk.count(b"\n", 0, at), seen + at, chunk[at]
                    break
                lines += chunk.count(b"\n")
                seen += len(chunk)
    where = f"byte 0x{byte:02x} at offset {offset}" if byte is not None else exc.reason
    return DataFormatError.one(
        f"not {part.encoding} text ({where} cannot be decoded): give the file's encoding with "
        "--encoding, or leave it out to have it detected",
        file=part.label,
        line=line,
    )


def peek_lines(path: Path, limit: int = 5) -> list[str]:
    """The first non-blank lines of the first part of *path* (for format detection)."""
    out: list[str] = []
    with _archive_errors(str(path)):
        for part in open_parts(path, sniff=False):
            for line in bounded_lines(part.stream, part.label):
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


#: How many event files are kept open at most to be read again (explanations, every event's
#: levels): the handle outlives the temporary copy of standard input. Beyond this, the
#: oldest is closed, and that file is opened again by its name when it is read again.
MAX_KEPT_OPEN = 64
_KEPT: deque[IO[bytes]] = deque()


def keep_open(handle: IO[bytes]) -> IO[bytes]:
    """Keep *handle* open to read its file again (see :data:`MAX_KEPT_OPEN`)."""
    _KEPT.append(handle)
    while len(_KEPT) > MAX_KEPT_OPEN:
        _KEPT.popleft().close()
    return handle
