"""Kept for code written against redlines 0.1: the real-data names it imported from here.

Everything now lives in :mod:`redlines.readers`, the one home of reading input:
``redlines.readers.read_exports`` (was ``read_events``; ``read`` reads any input),
``read_dataframe`` (was ``from_dataframe``), ``detect_format`` (which also names the contract's
own formats), ``Batch`` (was
``AdapterResult``; also ``redlines.Scenario``), ``AdapterOptions``, ``InputSummary`` and
``Rejection``; the formats themselves in ``redlines.readers.gdelt``, ``.acled``, ``.ucdp``,
``.tables``, ``.geo`` and ``.grouping``. New code should import from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import readers
from ..readers import (
    EXPORT_FORMATS,
    AdapterOptions,
    Batch,
    ExportBatch,
    InputSummary,
    Progress,
    Rejection,
    Relevant,
    read_dataframe,
    read_exports,
)
from ..readers.adapter import Adapter, Candidate, Evidence, RowRejected
from ..readers.geo import COVERED, region_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "COVERED",
    "FORMATS",
    "Adapter",
    "AdapterOptions",
    "AdapterResult",
    "Candidate",
    "Evidence",
    "InputSummary",
    "Rejection",
    "RowRejected",
    "detect_format",
    "from_dataframe",
    "read_events",
    "region_for",
]

#: The real-data export formats.
FORMATS = EXPORT_FORMATS
AdapterResult = Batch


def detect_format(path: str | Path) -> str:
    """:func:`redlines.readers.detect_format` among the export formats only, as in 0.1."""
    return readers.detect_format(path, among=FORMATS)


def read_events(
    paths: Sequence[str | Path],
    fmt: str | None = None,
    options: AdapterOptions | None = None,
    *,
    relevant: Relevant | None = None,
    progress: bool | Progress | None = False,
) -> ExportBatch:
    """:func:`redlines.readers.read_exports`, called as in 0.1: ``progress=True`` draws the command
    line's bar on stderr when it is a terminal."""
    bar: Progress | None
    if progress is True:
        from ..cli import terminal_progress

        drawn = terminal_progress([str(p) for p in paths])
        if drawn is not None:
            with drawn:
                return read_exports(paths, fmt, options=options, relevant=relevant, progress=drawn)
        bar = None
    elif progress is False or progress is None:
        bar = None
    else:
        bar = progress
    return read_exports(paths, fmt, options=options, relevant=relevant, progress=bar)


def from_dataframe(
    df: pandas.DataFrame,
    fmt: str,
    options: AdapterOptions | None = None,
    *,
    relevant: Relevant | None = None,
    name: str = "<dataframe>",
) -> ExportBatch:
    """:func:`redlines.readers.read_dataframe`, called as in 0.1 (export formats only)."""
    readers.format_named(fmt, FORMATS)
    batch = read_dataframe(df, fmt, options=options, relevant=relevant, name=name)
    assert isinstance(batch, ExportBatch)
    return batch
