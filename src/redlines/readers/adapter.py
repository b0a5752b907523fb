"""What an export adapter is: one source row (a GDELT line split on tabs, or an ACLED/UCDP CSV
record) in, a :class:`Candidate` out, or :class:`RowRejected` with a reason.

A :class:`Candidate` holds the contract fields of the event the row describes, plus what is
needed to group duplicates and weigh corroboration. Reading files, grouping, corroboration,
relevance and counting live in :mod:`redlines.readers.exports`, so every format is accounted for
the same way. Adapters hold no rule logic: whether an event matters to a red line is the
ruleset's ``relevant`` callback, never an adapter's decision.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from .options import AdapterOptions, DateOrder

__all__ = [
    "NO_COUNTRY",
    "Adapter",
    "AdapterFactory",
    "Candidate",
    "Evidence",
    "RowRejected",
    "digits",
]

#: Reason given to rows whose event would have no usable target (or neither actor nor target).
NO_COUNTRY = "no actor or target country"


class RowRejected(Exception):
    """Raised by an adapter for a row that cannot become an event."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason if detail is None else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Evidence:
    """What one machine-coded row says about how widely its event was reported."""

    url: str = ""
    num_sources: int = 0
    num_articles: int = 0


@dataclass
class Candidate:
    """The event one row describes, before grouping and corroboration."""

    #: Contract event fields other than ``id``, ``attribution`` and ``sources``.
    fields: dict[str, Any]
    #: Event id if the row stays alone (``gdelt-881992396``); unique within its dataset.
    event_id: str
    #: Dataset reference kept in ``sources`` (``gdelt:881992396``).
    row_ref: str
    attribution: Literal["confirmed", "suspected", "disputed"]
    #: Further sources: URLs, named publishers.
    sources: list[str] = field(default_factory=list)
    #: Rows with the same key report the same happening; None: never grouped.
    group_key: tuple[Hashable, ...] | None = None
    #: Machine-coded rows only: what corroboration weighs.
    evidence: Evidence | None = None
    #: Orders candidates within a group; the smallest names the grouped event.
    order_key: tuple[int, str] = (0, "")
    #: The source's own code of what happened, in words (``CAMEO 042 'Make a visit'``), for
    #: explanations of irrelevant rows.
    code: str = ""


RowT_contra = TypeVar("RowT_contra", contravariant=True)


class Adapter(Protocol[RowT_contra]):
    """One source format: how its rows are laid out and how one row becomes a candidate event.

    ``layout`` says how :mod:`~redlines.readers.exports` reads a file: ``"tsv"`` rows are lists
    of fields split on tabs (no header, no quoting), ``"csv"`` rows are mappings from lower-cased
    header names to values. ``convert`` must be pure: the same row (of a file with the same
    date order) always gives the same candidate, and it raises :class:`RowRejected` (never
    anything else) for a row it cannot use.
    """

    name: str
    layout: Literal["tsv", "csv"]
    #: What a file of this format looks like, for "no row is in the declared format" errors.
    expected: str
    #: ``csv`` layouts: the columns holding dates, whose day/month order is decided per file
    #: (:class:`~redlines.readers.dates.OrderVote`), which sets ``date_order`` and
    #: ``date_basis`` (the value it was decided from) before the file's rows are converted.
    date_columns: tuple[str, ...]
    date_order: DateOrder | None
    date_basis: str | None

    def in_format(self, row: RowT_contra) -> bool:
        """True if the row has this format's shape (column count); rows that do not are
        rejected, and a file in which no row does is invalid input."""
        ...

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        """For ``csv`` layouts: required columns absent from the header (empty if it fits)."""
        ...

    def convert(self, row: RowT_contra) -> Candidate:
        """The candidate event of one row, or :class:`RowRejected`."""
        ...


#: Rows as adapters receive them.
TsvRow = Sequence[str]
CsvRow = Mapping[str, str]

#: Makes a format's adapter, configured by the options of one read.
AdapterFactory = Callable[[AdapterOptions], "Adapter[Any]"]


def digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses."""
    return text.isascii() and text.isdigit()


_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def number(text: str) -> float:
    """A finite number written in ASCII: ``12``, ``-3.5``, ``1e3``. ``float`` alone would also
    read ``١٢`` (Arabic-Indic digits), ``1_000``, ``nan`` and ``inf``: those raise ValueError."""
    value = text.strip()
    if not _NUMBER.match(value):
        raise ValueError(f"not a number: {text!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"not a finite number: {text!r}")
    return result


def integer(text: str) -> int:
    """An integer written in ASCII digits with an optional sign (``12``, ``-3``)."""
    value = text.strip()
    if not _INTEGER.match(value):
        raise ValueError(f"not an integer: {text!r}")
    return int(value)
