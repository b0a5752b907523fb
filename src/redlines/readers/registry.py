"""The one registry of input formats, the one routine that tells a file's format, and reading
through them.

Each format is registered once, in :data:`REGISTRY`: its name, what it reads, how a file is
recognised as it, and its reader. Adding a format is one new module (its reader) and one line
here. A file's format (:func:`detect_format`) is decided in two steps:

1. by suffix, for the contract's own files: ``.yaml``/``.yml``/``.json`` are scenarios,
   ``.jsonl`` event lines, and ``.csv`` the contract's event CSV when its header names at least
   ``id`` and ``kind``;
2. otherwise from the first non-blank lines: each format that can be told by its content
   counts the lines that look like it (GDELT by tab-separated width; ACLED and UCDP by header
   names; event JSON Lines by objects a line; event CSV by a header naming ``id`` and
   ``kind``), the most votes win and ties go to the format registered first. This is how a
   pipe or ``/dev/stdin``, which has no suffix, is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ..errors import DataFormatError, EventError, suggest
from ..events import Event
from . import acled, dataframe, eventcsv, exports, gdelt, jsonl, scenario, ucdp
from .adapter import AdapterFactory
from .batch import Batch, ExportBatch
from .dataframe import is_dataframe
from .options import AdapterOptions, Progress, Relevant, Settings
from .text import peek_lines

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "FRAME_FORMATS",
    "REGISTRY",
    "Format",
    "Reader",
    "detect_format",
    "format_named",
    "is_event_file",
    "load_events",
    "load_scenario",
    "read",
    "read_dataframe",
    "read_exports",
]

#: ``read(paths, settings)``: the files, all of the entry's format, as one batch.
Reader = Callable[[Sequence[str | Path], Settings], Batch]


@dataclass(frozen=True)
class Format:
    """One input format: its name, what it reads, how its files are recognised, its readers."""

    name: str
    #: What it reads, in words.
    reads: str
    read: Reader
    #: Files with one of these suffixes (lower case) are of this format (step 1), ...
    suffixes: tuple[str, ...] = ()
    #: ... if this says so, given the path (it reads what it needs of the file).
    claims: Callable[[Path], bool] | None = None
    #: Step 2: how many of a file's first non-blank lines look like this format.
    votes: Callable[[list[str]], int] | None = None
    #: The reader of a pandas DataFrame of rows of this format, if it has one.
    read_frame: dataframe.FrameReader | None = None
    #: A real-data export (read with options, relevance and progress; rows may be rejected),
    #: rather than one of the contract's own files (any problem is an error).
    export: bool = False
    #: Other names it is known by (``events`` for the event CSV's table, in DataFrames).
    aliases: tuple[str, ...] = ()


def _one_file(read_one: Callable[[str | Path], Batch]) -> Reader:
    """A reader of the contract's own files, which are read one at a time."""

    def read(paths: Sequence[str | Path], settings: Settings) -> Batch:
        if len(paths) != 1:
            listing = ", ".join(str(p) for p in paths)
            raise EventError.one(
                f"scenario and event files are read one at a time, not together: {listing}"
            )
        if settings.options.encoding not in (None, "utf-8"):
            raise EventError.one(
                f"scenario and event files are UTF-8 (--encoding {settings.options.encoding} "
                "applies to GDELT, ACLED and UCDP exports): save this file as UTF-8",
                file=str(paths[0]),
            )
        return read_one(paths[0])

    return read


def _export(
    name: str, reads: str, make_adapter: AdapterFactory, votes: Callable[[list[str]], int]
) -> Format:
    return Format(
        name,
        reads,
        exports.reader(name, make_adapter),
        votes=votes,
        read_frame=dataframe.reader(name, make_adapter),
        export=True,
    )


#: Every input format, one line each, in the order detection breaks ties in.
REGISTRY: tuple[Format, ...] = (
    Format(
        "scenario",
        "a scenario (a mapping with 'events') or a list of events, YAML or JSON",
        _one_file(scenario.read_scenario),
        suffixes=scenario.SUFFIXES,
    ),
    Format(
        "jsonl",
        "events, one JSON object a line",
        _one_file(jsonl.read_jsonl),
        suffixes=jsonl.SUFFIXES,
        votes=jsonl.votes,
    ),
    Format(
        "csv",
        "events, one a row under a header of event fields (at least id and kind)",
        _one_file(eventcsv.read_event_csv),
        suffixes=eventcsv.SUFFIXES,
        claims=eventcsv.has_event_header,
        votes=eventcsv.votes,
        read_frame=eventcsv.read_event_frame,
        aliases=("events",),
    ),
    _export("gdelt", "a GDELT 2.0 event export", gdelt.make_v2, gdelt.votes_v2),
    _export("gdelt1", "a GDELT 1.0 event export", gdelt.make_v1, gdelt.votes_v1),
    _export("acled", "an ACLED export (CSV)", acled.AcledAdapter.from_options, acled.votes),
    _export("ucdp", "a UCDP GED export (CSV)", ucdp.UcdpAdapter.from_options, ucdp.votes),
)

#: Every format name.
FORMATS: tuple[str, ...] = tuple(f.name for f in REGISTRY)
#: The real-data export formats (``redlines run --input-format``).
EXPORT_FORMATS: tuple[str, ...] = tuple(f.name for f in REGISTRY if f.export)

_BY_NAME = {name: f for f in REGISTRY for name in (f.name, *f.aliases)}
#: The names :func:`read_dataframe` takes.
FRAME_FORMATS: tuple[str, ...] = tuple(
    name for f in REGISTRY if f.read_frame is not None for name in (f.aliases or (f.name,))
)
_EVENT_SUFFIXES = tuple(s for f in REGISTRY for s in f.suffixes)
_EXPECTED_ANY = (
    "expected a GDELT 2.0 export (61 tab-separated columns), a GDELT 1.0 export (57 or 58), "
    "or an ACLED or UCDP GED CSV with its header row; give the format with --input-format"
)


def format_named(name: str, among: Sequence[str] | None = None) -> Format:
    """The registered format *name*, if it is one of *among* (default: any); a
    :class:`~redlines.errors.DataFormatError` with a "did you mean" otherwise."""
    names = FORMATS if among is None else tuple(among)
    found = _BY_NAME.get(name) if name in names or (among is None and name in _BY_NAME) else None
    if found is None:
        raise DataFormatError.one(
            f"unknown input format '{name}': use one of {', '.join(names)}",
            field="input-format",
            suggestion=suggest(name, names, cutoff=0.6),
        )
    return found


def _candidates(among: Sequence[str] | None) -> list[Format]:
    return [f for f in REGISTRY if among is None or f.name in among]


def _claimed(path: Path, among: Sequence[str] | None = None) -> Format | None:
    """Step 1: the contract format that claims *path* by its suffix, if any."""
    suffix = path.suffix.lower()
    for f in _candidates(among):
        if suffix in f.suffixes and (f.claims is None or f.claims(path)):
            return f
    return None


def is_event_file(path: str | Path) -> bool:
    """True for files in the contract's own formats (scenario, YAML/JSON/JSONL/CSV events);
    False for files that are taken for real-data exports (GDELT, ACLED, UCDP)."""
    return _claimed(Path(path)) is not None


def detect_format(path: str | Path, among: Sequence[str] | None = None) -> str:
    """The registry name of *path*'s format (see the module's docstring for how it is told),
    chosen among the names *among* (default: every format). Raises
    :class:`~redlines.errors.DataFormatError` when it cannot tell."""
    p = Path(path)
    claimed = _claimed(p, among)
    if claimed is not None:
        return claimed.name
    try:
        lines = peek_lines(p)
    except OSError as exc:
        raise DataFormatError.one(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    if not lines:
        raise DataFormatError.one(f"the file is empty: {_EXPECTED_ANY}", file=str(p))
    best, most = None, 0
    for f in _candidates(among):
        count = f.votes(lines) if f.votes is not None else 0
        if count > most:
            best, most = f, count
    if best is None:
        raise DataFormatError.one(
            f"cannot tell the format of this file: {_EXPECTED_ANY}", file=str(p)
        )
    return best.name


def _read(
    paths: str | Path | Sequence[str | Path],
    fmt: str | None,
    among: Sequence[str] | None,
    settings: Settings,
) -> Batch:
    files = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not files:
        raise DataFormatError.one("no input file given")
    found = [fmt if fmt is not None else detect_format(p, among) for p in files]
    if len(set(found)) > 1:
        listing = ", ".join(f"{p} ({f})" for p, f in zip(files, found, strict=True))
        raise DataFormatError.one(
            f"input files are of different formats: {listing}; read them separately"
        )
    return format_named(found[0], among).read(files, settings)


def _settings(
    options: AdapterOptions | None,
    relevant: Relevant | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Settings:
    options = options or AdapterOptions()
    if encoding is not None:
        options = dataclasses.replace(options, encoding=encoding)
    return Settings(options, relevant, progress)


def read(
    paths: str | Path | Sequence[str | Path],
    fmt: str | None = None,
    *,
    options: AdapterOptions | None = None,
    relevant: Relevant | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Batch:
    """Read input files of one format into a :class:`Batch`.

    *fmt* is a name of :data:`FORMATS`, or None to detect it from each file (all files must then
    be of one format). The contract's own files (scenario and event files) are read one at a
    time, every event kept. Real-data exports are read together: GDELT rows reporting the same
    happening are grouped across all *paths*, every row is accounted for in the batch's
    ``summary``, *options* set grouping and corroboration, ``relevant(event)`` (from the
    ruleset) leaves out, as ``rows_irrelevant``, rows whose event no red line could ever give a
    level, and *progress* is called around each file read. *encoding* (else
    ``options.encoding``) is the encoding of export files; None detects it (UTF-8, or cp1252
    for a file whose bytes are not UTF-8). Raises :class:`~redlines.errors.InputError`
    (``EventError`` for the contract's files, ``DataFormatError`` for exports) with the
    problems found.
    """
    return _read(paths, fmt, None, _settings(options, relevant, progress, encoding))


def read_exports(
    paths: str | Path | Sequence[str | Path],
    fmt: str | None = None,
    *,
    options: AdapterOptions | None = None,
    relevant: Relevant | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ExportBatch:
    """:func:`read` for real-data exports only: *fmt* must be one of :data:`EXPORT_FORMATS`, and
    a file is detected among them only (a scenario or event file is a format it cannot tell).
    What ``redlines convert`` reads."""
    settings = _settings(options, relevant, progress, encoding)
    batch = _read(paths, fmt, EXPORT_FORMATS, settings)
    assert isinstance(batch, ExportBatch)  # what every export format's reader returns
    return batch


@overload
def read_dataframe(
    df: pandas.DataFrame,
    fmt: Literal["gdelt", "gdelt1", "acled", "ucdp"],
    *,
    options: AdapterOptions | None = None,
    relevant: Relevant | None = None,
    name: str = "<dataframe>",
) -> ExportBatch: ...


@overload
def read_dataframe(
    df: pandas.DataFrame,
    fmt: str = "events",
    *,
    options: AdapterOptions | None = None,
    relevant: Relevant | None = None,
    name: str = "<dataframe>",
) -> Batch: ...


def read_dataframe(
    df: pandas.DataFrame,
    fmt: str = "events",
    *,
    options: AdapterOptions | None = None,
    relevant: Relevant | None = None,
    name: str = "<dataframe>",
) -> Batch:
    """Read a pandas DataFrame into a batch named *name*, exactly as the same rows in a file
    would be read: *fmt* ``events`` (the default) is a table of events, one column a field as
    in the event CSV (``location.country``; any problem is an error, located at the row's
    line in ``df.to_csv()``); one of :data:`EXPORT_FORMATS` is rows of that export (see
    :mod:`redlines.readers.dataframe`)."""
    if not is_dataframe(df):
        raise DataFormatError.one(
            f"expected a pandas DataFrame, not {type(df).__name__}", file=name
        )
    read_frame = format_named(fmt, FRAME_FORMATS).read_frame
    assert read_frame is not None  # every name of FRAME_FORMATS has one
    return read_frame(df, name, _settings(options, relevant))


def load_scenario(path: str | Path) -> Batch:
    """Load a scenario or event file, by its suffix, as a :class:`Batch` (plain event files
    have no name, rules or expectations). Raises :class:`~redlines.errors.EventError`."""
    suffix = Path(path).suffix.lower()
    for f in REGISTRY:
        if suffix in f.suffixes:
            return f.read([path], Settings())
    raise EventError.one(
        f"unsupported file type '{suffix or '(none)'}': expected one of "
        f"{', '.join(_EVENT_SUFFIXES)}",
        file=str(path),
    )


def load_events(path: str | Path) -> list[Event]:
    """The events of a scenario or event file (see :func:`load_scenario`)."""
    return load_scenario(path).events
