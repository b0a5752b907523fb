"""What every reader returns: a :class:`Batch` of events, with where they came from, the
scenario's metadata when there is one, and for real-data exports the accounting of every row
(:class:`InputSummary`) and the rows that could not become events (:class:`Rejection`).

``redlines.Scenario`` (0.1) and ``redlines.adapters.AdapterResult`` (0.1) are names of
:class:`Batch`: it keeps every attribute both had. Readers of real-data exports return its
subclass :class:`ExportBatch`, whose ``summary`` is never None.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..events import Event

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Expectation

__all__ = ["Batch", "ExportBatch", "InputSummary", "Rejection", "Skipped"]


@dataclass(frozen=True)
class Rejection:
    """A source row that could not become an event (``kind`` ``rejected``), or one that no red
    line could give a level (``irrelevant``, when asked to explain): where it is and why."""

    file: str
    row: int  #: 1-based line number of the row (of its first line, for multi-line CSV records)
    reason: str  #: a short fixed phrase, counted in ``rejected_by_reason``
    detail: str | None = None  #: what exactly was wrong with this row
    kind: Literal["rejected", "irrelevant"] = "rejected"

    def to_dict(self) -> dict[str, Any]:
        """The record of ``--rejections FILE``."""
        return {
            "file": self.file,
            "row": self.row,
            "kind": self.kind,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass
class InputSummary:
    """How every row of the input was accounted for (the report's ``input`` object)."""

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
    #: The encoding each file (or zip member) was read in, by its label.
    encodings: dict[str, str] = field(default_factory=dict)
    #: The first rejected row of each reason.
    rejected_examples: dict[str, Rejection] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report's ``input`` object, keys in a fixed order, then
        ``rows_by_kind``."""
        out: dict[str, Any] = {
            "format": self.format,
            "files": list(self.files),
        }
        encoding = self.encoding()
        if encoding is not None:
            out["encoding"] = encoding
        out.update(
            {
                "rows_read": self.rows_read,
                "rows_used": self.rows_used,
                "rows_irrelevant": self.rows_irrelevant,
                "rows_rejected": self.rows_rejected,
                "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            }
        )
        if self.rejected_examples:
            out["rejected_examples"] = {
                reason: _example(r, several=len(self.files) > 1 or r.file not in self.files)
                for reason, r in sorted(self.rejected_examples.items())
            }
        out["rows_by_kind"] = dict(sorted(self.rows_by_kind.items()))
        return out

    def encoding(self) -> str | dict[str, str] | None:
        """What the report's ``input`` says of encodings: nothing (None) when every file was
        UTF-8; the encoding when all were read in one; else each file's."""
        found = set(self.encodings.values())
        if found <= {"utf-8"}:
            return None
        if len(found) == 1:
            return found.pop()
        return dict(self.encodings)


def _example(rejection: Rejection, *, several: bool) -> dict[str, Any]:
    """A rejected row as an example of its reason: its row and detail (and file, when the input
    has several)."""
    out: dict[str, Any] = {"file": rejection.file} if several else {}
    out["row"] = rejection.row
    out["detail"] = rejection.detail
    return out


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


Pair = tuple[str, dt.datetime]


@dataclass(eq=False)
class Skipped:
    """The events of an event file that were checked but not kept as models, because no rule
    of the ruleset the file was read for can match them (each would get ``clear`` from every
    red line, and no pattern counts it): how many, and how to read the whole file again when
    every event is needed (explanations, near misses, the levels of every event). Their ids
    and times are kept only when *record* is set."""

    count: int = 0
    record: bool = False
    ids: list[str] = field(default_factory=list)
    #: Each event's time, in microseconds since 1970-01-01 UTC (when recorded).
    times: array[int] = field(default_factory=lambda: array("q"))
    #: Every event of the file again, in file order (set by the reader).
    reread: Callable[[], list[Event]] | None = None
    #: (id, time) of every event of the file, in event-time order (set by the reader).
    reread_pairs: Callable[[], list[Pair]] | None = None

    def add(self, event_id: str, time: dt.datetime) -> None:
        self.count += 1
        if self.record:
            self.ids.append(event_id)
            self.times.append((time - _EPOCH) // _MICROSECOND)

    def __len__(self) -> int:
        return self.count

    def pairs(self) -> list[Pair]:
        """(id, time) of each skipped event recorded, in file order."""
        return [
            (event_id, _EPOCH + dt.timedelta(microseconds=t))
            for event_id, t in zip(self.ids, self.times, strict=True)
        ]

    def all_events(self) -> list[Event]:
        """Every event of the file, kept or skipped, read again."""
        if self.reread is None:
            raise RuntimeError("the file these events were skipped from cannot be read again")
        return self.reread()

    def evaluated(self) -> tuple[Pair, ...]:
        """(id, time) of every event of the file in event-time order (the id breaks ties),
        as a tuple that reads the file again the first time it is looked into."""
        if self.reread_pairs is None:
            raise RuntimeError("the file these events were skipped from cannot be read again")
        return LazyPairs(self.reread_pairs)


class LazyPairs(tuple[Pair, ...]):
    """A tuple of (id, time) pairs computed the first time it is looked into (iterated,
    measured, indexed): the levels of every event of a large file without keeping its ids
    and times in memory until they are asked for."""

    _compute: Callable[[], list[Pair]] | None
    _pairs: tuple[Pair, ...]

    def __new__(cls, compute: Callable[[], list[Pair]]) -> LazyPairs:
        out = super().__new__(cls)
        out._compute = compute
        out._pairs = ()
        return out

    def _get(self) -> tuple[Pair, ...]:
        if self._compute is not None:
            self._pairs = tuple(self._compute())
            self._compute = None
        return self._pairs

    def __iter__(self) -> Iterator[Pair]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())

    def __getitem__(self, index: Any) -> Any:
        return self._get()[index]

    def __contains__(self, item: object) -> bool:
        return item in self._get()

    def __repr__(self) -> str:
        return repr(self._get())


@dataclass
class Batch:
    """The events read from one input, and what is known about where they came from.

    Scenario files fill ``name``, ``description``, ``rules`` and ``expectations``; plain event
    files leave them empty. Real-data exports fill ``summary`` (every row accounted for) and
    ``rejections``; for the contract's own files ``summary`` is None, since any problem in them
    is an error, not a rejected row.
    """

    #: The input's path (for several export files, their paths joined by ``, ``; for a
    #: DataFrame, the name it was given).
    file: str
    events: list[Event]
    #: The registry name of the format it was read as (``scenario``, ``gdelt``...).
    format: str = ""
    name: str | None = None
    description: str | None = None
    #: The ruleset the scenario names, as written, and the line it is on.
    rules: str | None = None
    rules_line: int | None = None
    #: What the scenario expects of each red line (status, and first_crossed_at and clauses
    #: where given), and the line of each expectation.
    expectations: dict[str, Expectation] = field(default_factory=dict)
    expect_lines: dict[str, int | None] = field(default_factory=dict)
    summary: InputSummary | None = None
    #: The rejected rows kept (see ``AdapterOptions.max_rejections_kept``) ...
    rejections: list[Rejection] = field(default_factory=list)
    #: ... and those counted in the summary but not kept.
    rejections_omitted: int = 0
    #: Why no red line could give a level to the first irrelevant rows, as many as
    #: ``AdapterOptions.explain_irrelevant`` asks for (``kind`` ``irrelevant``).
    irrelevant: list[Rejection] = field(default_factory=list)
    #: The events of an event file read for one ruleset that no rule of it can match, when
    #: the reader was asked to skip them (``events`` then holds the others only).
    skipped: Skipped | None = None

    def all_events(self) -> list[Event]:
        """Every event of the input: ``events``, or, when some were skipped, the whole file
        read again."""
        return self.events if self.skipped is None else self.skipped.all_events()

    @property
    def expect(self) -> dict[str, str] | None:
        """The expected status of each red line, or None when the scenario expects nothing."""
        if not self.expectations:
            return None
        return {rl: e.status for rl, e in self.expectations.items()}

    @property
    def base_dir(self) -> Path:
        """The folder a scenario's relative ``rules`` path is taken from."""
        return Path(self.file).parent


@dataclass
class ExportBatch(Batch):
    """A batch read from real-data exports (or a DataFrame of their rows): its ``summary`` is
    always there."""

    summary: InputSummary = field(kw_only=True)
