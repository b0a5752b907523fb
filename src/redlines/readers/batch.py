"""What every reader returns: a :class:`Batch` of events, with where they came from, the
scenario's metadata when there is one, and for real-data exports the accounting of every row
(:class:`InputSummary`) and the rows that could not become events (:class:`Rejection`).

``redlines.Scenario`` (0.1) and ``redlines.adapters.AdapterResult`` (0.1) are names of
:class:`Batch`: it keeps every attribute both had. Readers of real-data exports return its
subclass :class:`ExportBatch`, whose ``summary`` is never None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..events import Event

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Expectation

__all__ = ["Batch", "ExportBatch", "InputSummary", "Rejection"]


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
