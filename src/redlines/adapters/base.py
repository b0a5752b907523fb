"""Shared pieces of the real-data adapters: options, results, rejections and the adapter protocol.

An adapter turns one source row (a GDELT line split on tabs, or an ACLED/UCDP CSV record) into a
:class:`Candidate` — the contract fields of the event the row describes, plus what is needed to
group duplicates and weigh corroboration — or raises :class:`RowRejected` with a reason. Reading
files, grouping, corroboration, relevance and counting live in :mod:`redlines.adapters.pipeline`,
so every format is accounted for the same way. Adapters hold no rule logic: whether an event
matters to a red line is the ruleset's ``relevant`` callback, never an adapter's decision.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from ..events import Event

__all__ = [
    "Adapter",
    "AdapterOptions",
    "AdapterResult",
    "Candidate",
    "Evidence",
    "InputSummary",
    "Rejection",
    "RowRejected",
    "digits",
]

#: Reason given to rows whose event would have no usable target (or neither actor nor target).
NO_COUNTRY = "no actor or target country"


@dataclass(frozen=True)
class Rejection:
    """A source row that could not become an event: where it is and why."""

    file: str
    row: int  #: 1-based line number of the row (of its first line, for multi-line CSV records)
    reason: str  #: a short fixed phrase, counted in ``rejected_by_reason``
    detail: str | None = None  #: what exactly was wrong with this row

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class AdapterOptions:
    """How machine-coded rows are grouped and corroborated, and how much is kept.

    A GDELT group (rows with the same day, actor and target countries, CAMEO root code and place)
    is raised from ``suspected`` to ``confirmed`` only when all three thresholds hold:

    * at least ``min_urls_confirmed`` distinct source URLs (articles actually seen in the data;
      never below 2, so that a single machine-coded article can never yield ``confirmed``),
    * at least ``min_sources_confirmed`` independent sources: the larger of the number of
      distinct publishers (URL host names) in the group and the largest GDELT ``NumSources``,
    * at least ``min_articles_confirmed`` articles: the larger of the number of distinct URLs and
      the largest GDELT ``NumArticles``.

    A GDELT row coded as military action but placed in a country other than its coded target's
    (``check_place``) is given the place's country as target: strikes happen where their
    target is, and the geocoder is more reliable than Actor2 there. ACLED and UCDP are curated
    by people, not machine-coded: their attribution comes from the data (named state forces,
    UCDP event clarity), not from these thresholds.
    """

    min_urls_confirmed: int = 2
    min_sources_confirmed: int = 3
    min_articles_confirmed: int = 3
    #: Group GDELT rows that report the same happening into one event.
    group_duplicates: bool = True
    #: Take the target of a military action from its place when it is placed neither in the
    #: coded target's country nor, for a country-level geocode, in the actor's.
    check_place: bool = True
    #: Fill ``location.region`` (ISO 3166-2) from coordinates in the covered countries.
    regions: bool = True
    #: Nearest populated place farther than this from the point: no region is given.
    region_max_km: float = 50.0
    #: How many :class:`Rejection` records are kept in the result; all are still counted.
    max_rejections_kept: int = 10_000

    def __post_init__(self) -> None:
        if self.min_urls_confirmed < 2:
            raise ValueError(
                "min_urls_confirmed must be at least 2: a single machine-coded article must "
                "never yield a confirmed attribution"
            )
        if self.min_sources_confirmed < 1 or self.min_articles_confirmed < 1:
            raise ValueError("corroboration thresholds must be positive")
        if self.max_rejections_kept < 0 or self.region_max_km <= 0:
            raise ValueError("max_rejections_kept must be >= 0 and region_max_km > 0")


@dataclass
class InputSummary:
    """How every row of the input was accounted for (CONTRACT §8 ``input``)."""

    format: str
    files: list[str]
    rows_read: int
    rows_used: int
    rows_irrelevant: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    #: Non-data rows skipped and not counted in ``rows_read``: HXL tag rows of HDX files and
    #: GDELT column-name lines. Header rows of CSV files are never counted either.
    rows_skipped_tags: int = 0
    #: Rows that became (or joined) an event, by the kind their code mapped to, relevant or not:
    #: codes with no sensible kind map to ``other`` and are counted here.
    rows_by_kind: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The CONTRACT §8 ``input`` object, keys in the contract's order, then
        ``rows_by_kind``."""
        return {
            "format": self.format,
            "files": list(self.files),
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_irrelevant": self.rows_irrelevant,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "rows_by_kind": dict(sorted(self.rows_by_kind.items())),
        }


@dataclass
class AdapterResult:
    """Events made from the input, the summary, and the (first) rejected rows."""

    events: list[Event]
    summary: InputSummary
    rejections: list[Rejection]
    #: Rejections counted in the summary but not kept in ``rejections`` (see
    #: :attr:`AdapterOptions.max_rejections_kept`).
    rejections_omitted: int = 0


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


RowT_contra = TypeVar("RowT_contra", contravariant=True)


class Adapter(Protocol[RowT_contra]):
    """One source format: how its rows are laid out and how one row becomes a candidate event.

    ``layout`` says how the pipeline reads a file: ``"tsv"`` rows are lists of fields split on
    tabs (no header, no quoting), ``"csv"`` rows are mappings from lower-cased header names to
    values. ``convert`` must be pure: the same row always gives the same candidate, and it raises
    :class:`RowRejected` (never anything else) for a row it cannot use.
    """

    name: str
    layout: Literal["tsv", "csv"]
    #: What a file of this format looks like, for "no row is in the declared format" errors.
    expected: str

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


def digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses."""
    return text.isascii() and text.isdigit()
