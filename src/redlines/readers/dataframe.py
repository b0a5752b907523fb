"""Reading a pandas DataFrame of export rows (GDELT, ACLED, UCDP) exactly as the same rows in a
file would be read: each cell becomes the string a file would hold, then the rows go through the
same adapter, collector and accounting as :mod:`redlines.readers.exports`.

GDELT frames are read by column position (their column names do not matter); CAMEO codes that
pandas turned into numbers get their leading zeros back. ACLED and UCDP frames are read by
column name, in any case. Row numbers in rejections are 1-based positions in the frame. pandas
itself is never imported here: the caller has it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .adapter import AdapterFactory
from .batch import ExportBatch
from .exports import Collector, feed_csv, feed_tsv
from .gdelt import restore_cameo_codes
from .options import Settings
from .text import clean

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["FrameReader", "reader"]

#: ``read(df, name, settings)``: the rows of a DataFrame as one batch named *name*.
FrameReader = Callable[["pandas.DataFrame", str, Settings], ExportBatch]


def _cell(value: Any) -> str:
    """A DataFrame cell as the string a file would hold (NaN/None -> empty, 20.0 -> 20)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = clean(str(value))
    return "" if text in ("nan", "NaT", "<NA>", "None") else text


def reader(fmt: str, make_adapter: AdapterFactory) -> FrameReader:
    """The registry's reader of DataFrames holding rows of format *fmt*."""

    def read(df: pandas.DataFrame, name: str, settings: Settings) -> ExportBatch:
        adapter = make_adapter(settings.options)
        col = Collector(adapter, settings.options, settings.relevant)
        if adapter.layout == "tsv":

            def rows() -> Iterator[tuple[int, list[str]]]:
                for number, values in enumerate(df.itertuples(index=False, name=None), start=1):
                    yield number, restore_cameo_codes([_cell(v) for v in values])

            feed_tsv(col, name, rows())
        else:
            header = [clean(str(c)).lower() for c in df.columns]

            def records() -> Iterator[tuple[int, list[str] | None, list[str]]]:
                yield 0, header, header
                for number, values in enumerate(df.itertuples(index=False, name=None), start=1):
                    yield number, None, [_cell(v) for v in values]

            feed_csv(col, name, records())
        return col.finish(fmt, [name])

    return read
