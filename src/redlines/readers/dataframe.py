"""Reading a pandas DataFrame of export rows (GDELT, ACLED, UCDP) exactly as the same rows in a
file would be read: each cell becomes the string a file would hold, then the rows go through the
same adapter, collector and accounting as :mod:`redlines.readers.exports`.

GDELT frames are read by column position (their column names do not matter); CAMEO codes that
pandas turned into numbers get their leading zeros back. ACLED and UCDP frames are read by
column name, in any case. A row is numbered as the line it has in the file ``df.to_csv()``
writes: its position in the frame + 2 under a header (ACLED, UCDP, events), + 1 without one
(GDELT). pandas itself is never imported here: the caller has it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeGuard

from .adapter import AdapterFactory
from .batch import Batch, ExportBatch
from .exports import Collector, feed_csv, feed_tsv
from .gdelt import restore_cameo_codes
from .options import Settings
from .text import clean

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["FrameReader", "is_dataframe", "reader", "rows"]

#: ``read(df, name, settings)``: the rows of a DataFrame as one batch named *name*.
FrameReader = Callable[["pandas.DataFrame", str, Settings], Batch]


def is_dataframe(value: object) -> TypeGuard[pandas.DataFrame]:
    """True for a pandas DataFrame (pandas is not imported: a program that has one has it)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def rows(df: pandas.DataFrame, first: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(line, values) for each row of *df*, lines counted from *first* (see the module)."""
    return enumerate(df.itertuples(index=False, name=None), start=first)


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

            def lines() -> Iterator[tuple[int, list[str]]]:
                for number, values in rows(df, 1):
                    yield number, restore_cameo_codes([_cell(v) for v in values])

            feed_tsv(col, name, lines())
        else:
            header = [clean(str(c)).lower() for c in df.columns]

            def records() -> Iterator[tuple[int, list[str] | None, list[str]]]:
                yield 1, header, header
                for number, values in rows(df, 2):
                    yield number, None, [_cell(v) for v in values]

            feed_csv(col, name, records())
        return col.finish(fmt, [name])

    return read
