"""Reading real exports (GDELT, ACLED, UCDP) end to end: rows to candidates, relevance, grouping
and the accounting of every row.

Every data row read ends in exactly one of three counts: ``rows_used`` (it became an event or was
grouped into one), ``rows_irrelevant`` (the ruleset's ``relevant`` callback said no red line
could ever give its event a level) or ``rows_rejected`` (it could not be read; each rejection
has a reason). Rows are streamed: what is kept is the output (relevant events and their sources),
the open groups of relevant rows, and at most ``max_rejections_kept`` rejection records.
Irrelevant rows are counted and forgotten at once. GDELT files read with a ruleset are
screened by columns first (:mod:`~redlines.readers.columnar`): whole classes of irrelevant
rows are counted without being read one by one, with the same accounting.

A format is its :class:`~redlines.readers.adapter.Adapter`; :func:`reader` makes the registry's
reader of files for it, and :mod:`redlines.readers.dataframe` the reader of DataFrames, both
through the :class:`Collector` and the two feeders here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import DataFormatError, EventError
from ..events import Event
from ..source import readable
from .adapter import Adapter, AdapterFactory, Candidate, RowRejected
from .batch import ExportBatch, InputSummary, Rejection
from .columnar import IrrelevantRows, RejectedRow, gdelt_rows, screening
from .dates import OrderVote
from .eventsink import to_event
from .gdelt import GdeltAdapter
from .grouping import Group
from .options import AdapterOptions, Progress, Relevant, Settings
from .text import TextPart, csv_records, open_parts, tsv_rows

__all__ = [
    "IRRELEVANT",
    "Collector",
    "TsvFeed",
    "explain_irrelevant",
    "feed_csv",
    "feed_gdelt",
    "feed_tsv",
    "reader",
]


def _is_gdelt_header(fields: Sequence[str]) -> bool:
    return bool(fields) and fields[0].strip().lower() == "globaleventid"


def _is_tag_row(values: Iterable[str]) -> bool:
    """An HXL hashtag row (HDX files): every non-empty value is a ``#tag``."""
    filled = [v for v in values if v]
    return bool(filled) and all(v.startswith("#") for v in filled)


def _invalid(exc: EventError) -> str:
    """The detail of an "invalid event" rejection: every problem, located."""
    return "; ".join(p.render() for p in exc.problems)


class Collector:
    """Accounts for rows one at a time and builds the events."""

    def __init__(
        self, adapter: Adapter[Any], options: AdapterOptions, relevant: Relevant | None
    ) -> None:
        self.adapter = adapter
        self.options = options
        self.relevant = relevant
        self.rows_read = 0
        self.rows_irrelevant = 0
        self.tag_rows = 0
        self.reasons: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.rejections: list[Rejection] = []
        self.examples: dict[str, Rejection] = {}
        self.irrelevant: list[Rejection] = []
        self.encodings: dict[str, str] = {}
        self.omitted = 0
        self.groups: dict[Hashable, Group] = {}
        #: the row references of the rows kept (one id is read once)
        self.refs: set[str] = set()

    def reject(self, file: str, row: int, reason: str, detail: str | None) -> None:
        self.reasons[reason] += 1
        if reason not in self.examples:
            self.examples[reason] = Rejection(file, row, reason, detail)
        if len(self.rejections) < self.options.max_rejections_kept:
            self.rejections.append(Rejection(file, row, reason, detail))
        else:
            self.omitted += 1

    def _irrelevant(self, file: str, row: int, cand: Candidate, event: Event) -> None:
        """Count an irrelevant row, and explain it while the sample asked for lasts."""
        self.rows_irrelevant += 1
        self.kinds[cand.fields["kind"]] += 1
        if len(self.irrelevant) < self.options.explain_irrelevant:
            self.irrelevant.append(
                Rejection(file, row, IRRELEVANT, explain_irrelevant(cand, event), "irrelevant")
            )

    def count_irrelevant(self, kinds: Counter[str]) -> None:
        """Rows known to be irrelevant without being read one by one, by kind. Only while no
        explanation of irrelevant rows is wanted (:attr:`explaining`)."""
        assert not self.explaining
        count = kinds.total()
        self.rows_read += count
        self.rows_irrelevant += count
        self.kinds.update(kinds)

    @property
    def explaining(self) -> bool:
        """Whether the next irrelevant row is to be explained (so read one by one)."""
        return len(self.irrelevant) < self.options.explain_irrelevant

    def feed(self, file: str, row_number: int, row: Any) -> None:
        self.rows_read += 1
        try:
            cand: Candidate = self.adapter.convert(row)
        except RowRejected as exc:
            self.reject(file, row_number, exc.reason, exc.detail)
            return
        if self.relevant is not None:
            data = {
                "id": cand.event_id,
                **cand.fields,
                "attribution": cand.attribution,
                "sources": [cand.row_ref, *cand.sources],
            }
            try:
                event = to_event(data, file=file, line=row_number)
            except EventError as exc:
                self.reject(file, row_number, "invalid event", _invalid(exc))
                return
            if not self.relevant(event):
                self._irrelevant(file, row_number, cand, event)
                return
        grouped = self.options.group_duplicates and cand.group_key is not None
        key: Hashable = cand.group_key if grouped else ("row", cand.event_id)
        group = self.groups.get(key)
        if cand.row_ref in self.refs or (group is not None and not grouped):
            # The same row id twice, in the same group or not (rows with one id and different
            # group keys would otherwise make two events with the same id).
            self.reject(file, row_number, "duplicate id", f"{cand.event_id} was read before")
            return
        if group is None:
            self.groups[key] = group = Group(first=cand)
        self.refs.add(cand.row_ref)
        group.add(cand)
        self.kinds[cand.fields["kind"]] += 1

    def finish(self, fmt: str, files: list[str]) -> ExportBatch:
        events: list[Event] = []
        used = 0
        last = files[-1] if files else ""
        for group in self.groups.values():
            try:
                event = to_event(group.event_dict(self.options), file=last)
            except EventError as exc:
                # Only reachable without a relevance filter (which validates every row first).
                for _ in range(group.rows):
                    self.reject(last, 0, "invalid event", _invalid(exc))
                continue
            if self.relevant is not None and not self.relevant(event):
                self.rows_irrelevant += group.rows
                continue
            events.append(event)
            used += group.rows
        rejected = sum(self.reasons.values())
        summary = InputSummary(
            format=fmt,
            files=files,
            rows_read=self.rows_read,
            rows_used=used,
            rows_irrelevant=self.rows_irrelevant,
            rows_rejected=rejected,
            rejected_by_reason=dict(sorted(self.reasons.items())),
            rows_skipped_tags=self.tag_rows,
            rows_by_kind=dict(sorted(self.kinds.items())),
            encodings=dict(self.encodings),
            rejected_examples=dict(self.examples),
        )
        assert summary.rows_read == used + summary.rows_irrelevant + rejected, summary
        return ExportBatch(
            ", ".join(files),
            events,
            format=fmt,
            summary=summary,
            rejections=self.rejections,
            rejections_omitted=self.omitted,
            irrelevant=self.irrelevant,
        )


#: The reason of an explained irrelevant row.
IRRELEVANT = "no red line could give it a level"


def explain_irrelevant(cand: Candidate, event: Event) -> str:
    """What an irrelevant row mapped to, in words: its kind (and the source's code), actor,
    target and attribution, none of which any red line tests together."""
    kind = f"kind {event.kind}" + (f" ({cand.code})" if cand.code else "")
    actor = f"actor {event.actor}" if event.actor else "actor unknown"
    if event.actor_type != "state_forces":
        actor += f" ({event.actor_type})"
    parts = [kind, actor, f"target {event.target}"]
    if event.location is not None and event.location.country not in (None, event.target):
        parts.append(f"in {event.location.country}")
    return ", ".join(parts) + ": no red line tests these"


class TsvFeed:
    """GDELT rows of one file fed to a collector: a header line is skipped, and a file in which
    no row has the format's shape is invalid input (:meth:`finish`)."""

    def __init__(self, col: Collector, label: str) -> None:
        self.col, self.label = col, label
        self.matched = self.seen = self.first_width = 0

    def row(self, number: int, fields: list[str]) -> None:
        """One row (its line number, its cleaned fields)."""
        if number == 1 and _is_gdelt_header(fields):
            self.col.tag_rows += 1
            return
        self.seen += 1
        if self.seen == 1:
            self.first_width = len(fields)
        if self.col.adapter.in_format(fields):
            self.matched += 1
        self.col.feed(self.label, number, fields)

    def rejected(self, number: int, reason: str, detail: str | None) -> None:
        """A row of the format's width (``readers/columnar.py``) that the adapter rejects
        with *reason* (as :meth:`row` would have it rejected)."""
        self.seen += 1
        self.matched += 1
        self.col.rows_read += 1
        self.col.reject(self.label, number, reason, detail)

    def irrelevant(self, width: int, kinds: Counter[str]) -> None:
        """Rows of *width* columns known to be read as events no red line could give a level
        (``readers/columnar.py``), counted by kind without being built."""
        count = kinds.total()
        if count:
            if self.seen == 0:
                self.first_width = width
            self.seen += count
            self.matched += count
            self.col.count_irrelevant(kinds)

    def finish(self) -> None:
        if self.seen and not self.matched:
            raise DataFormatError.one(
                f"no row is in the declared format: expected {self.col.adapter.expected} "
                f"(the first row has {self.first_width} columns)",
                file=self.label,
            )


def feed_gdelt(col: Collector, part: TextPart, progress: Progress | None) -> None:
    """Feed the rows of one GDELT file, screened by columns when the relevance callback can
    judge whole classes of rows (:mod:`~redlines.readers.columnar`), else one by one."""
    screen = screening(col.relevant, part.size)
    if screen is None:
        feed_tsv(col, part.label, tsv_rows(part, progress))
        return
    assert isinstance(col.adapter, GdeltAdapter)
    feed = TsvFeed(col, part.label)
    for item in gdelt_rows(part, col.adapter, screen, progress, lambda: col.explaining):
        if isinstance(item, IrrelevantRows):
            feed.irrelevant(item.width, item.kinds)
        elif isinstance(item, RejectedRow):
            feed.rejected(item.number, item.reason, item.detail)
        else:
            feed.row(*item)
    feed.finish()


def feed_tsv(col: Collector, label: str, rows: Iterator[tuple[int, list[str]]]) -> None:
    """Feed GDELT rows; a file in which no row has the format's shape is invalid input."""
    feed = TsvFeed(col, label)
    for number, fields in rows:
        feed.row(number, fields)
    feed.finish()


def feed_csv(
    col: Collector, label: str, records: Iterator[tuple[int, list[str] | None, list[str]]]
) -> None:
    """Feed CSV records by header name; a header without the format's columns is invalid.

    The order of day and month in the file's slashed dates is decided by an
    :class:`~redlines.readers.dates.OrderVote`: from the first row with a slashed date on, rows
    wait (in order) until it is known, then go on to the adapter."""
    adapter = col.adapter
    header: list[str] | None = None
    vote = OrderVote(label, col.options.date_order)
    adapter.date_order, adapter.date_basis = vote.order, None
    waiting: list[tuple[int, list[str]]] = []

    def release() -> None:
        adapter.date_order, adapter.date_basis = vote.order, vote.basis
        for number, values in waiting:
            _feed_record(col, label, header, number, values)
        waiting.clear()

    for number, head, values in records:
        if head is not None:
            header = head
            _no_duplicate_columns(header, label, number)
            missing = adapter.missing_columns(header)
            if missing:
                raise DataFormatError.one(
                    f"no row is in the declared format: expected {adapter.expected}; "
                    f"the header lacks {', '.join(missing)}",
                    file=label,
                    line=number,
                )
            continue
        assert header is not None
        if vote.order is None and len(values) == len(header):
            row = dict(zip(header, values, strict=True))
            dated = [(c, row[c]) for c in adapter.date_columns if row.get(c)]
            vote.see(number, dated)
        if vote.pending:
            waiting.append((number, values))
            continue
        if waiting:
            release()
        _feed_record(col, label, header, number, values)
    if header is None:
        raise DataFormatError.one(f"the file is empty: expected {adapter.expected}", file=label)
    vote.settle(final=True)
    release()


def _feed_record(
    col: Collector, label: str, header: list[str] | None, number: int, values: list[str]
) -> None:
    """One CSV record after the header: a tag row is skipped, a record of the wrong width
    rejected, any other fed to the collector."""
    assert header is not None
    if _is_tag_row(values):
        col.tag_rows += 1
        return
    if len(values) != len(header):
        col.rows_read += 1
        col.reject(
            label,
            number,
            "wrong number of columns",
            f"{len(values)} values for {len(header)} columns",
        )
        return
    col.feed(label, number, dict(zip(header, values, strict=True)))


def reader(
    fmt: str, make_adapter: AdapterFactory
) -> Callable[[Sequence[str | Path], Settings], ExportBatch]:
    """The registry's reader of export files of format *fmt*.

    GDELT rows reporting the same happening are grouped across all the files of one read.
    Raises :class:`~redlines.errors.DataFormatError` for a file that is missing or not in the
    format.
    """

    def read(paths: Sequence[str | Path], settings: Settings) -> ExportBatch:
        adapter = make_adapter(settings.options)
        col = Collector(adapter, settings.options, settings.relevant)
        for p in paths:
            path = Path(p)
            try:
                found = readable(path).is_file()
            except OSError as exc:  # a name too long for the system, say
                raise DataFormatError.one(
                    f"cannot read this file: {exc.strerror or exc}", file=str(p)
                ) from None
            if not found:
                raise DataFormatError.one("no such file", file=str(p))
            for part in open_parts(path, settings.options.encoding):
                col.encodings[part.label] = part.encoding
                if isinstance(adapter, GdeltAdapter):
                    feed_gdelt(col, part, settings.progress)
                elif adapter.layout == "tsv":
                    feed_tsv(col, part.label, tsv_rows(part, settings.progress))
                else:
                    feed_csv(col, part.label, csv_records(part, settings.progress))
        return col.finish(fmt, [str(p) for p in paths])

    return read


def _no_duplicate_columns(header: Sequence[str], label: str, line: int) -> None:
    """A column named twice (in any case) is an error: a row would keep only one of its values,
    silently (an ACLED ``country`` column twice once turned a warning into a crossing)."""
    first: dict[str, int] = {}
    for column, name in enumerate(header, 1):
        if name and name in first:
            raise DataFormatError.one(
                f"duplicate column '{name}' (columns {first[name]} and {column}): a row would "
                "keep only one of its values",
                file=label,
                line=line,
                column=column,
                field=name,
            )
        first.setdefault(name, column)
