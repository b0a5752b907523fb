"""Reading real exports end to end: detection, streaming, relevance, grouping and accounting.

Every data row read ends in exactly one of three counts: ``rows_used`` (it became an event or was
grouped into one), ``rows_irrelevant`` (the ruleset's ``relevant`` callback said no red line
could ever give its event a level) or ``rows_rejected`` (it could not be read; each rejection
has a reason). Rows are streamed: what is kept is the output (relevant events and their sources),
the open groups of relevant rows, and at most ``max_rejections_kept`` rejection records.
Irrelevant rows are counted and forgotten at once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import DataFormatError, suggest
from ..events import Event
from .acled import AcledAdapter
from .base import (
    AdapterOptions,
    AdapterResult,
    Candidate,
    InputSummary,
    Rejection,
    RowRejected,
)
from .gdelt import GdeltAdapter, restore_cameo_code
from .grouping import Group
from .readers import clean, csv_records, open_parts, peek_lines, tsv_rows
from .ucdp import UcdpAdapter

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["FORMATS", "detect_format", "from_dataframe", "make_adapter", "read_events"]

FORMATS: tuple[str, ...] = ("gdelt", "gdelt1", "acled", "ucdp")

Relevant = Callable[[Event], bool]
AnyAdapter = GdeltAdapter | AcledAdapter | UcdpAdapter

_EXPECTED_ANY = (
    "expected a GDELT 2.0 export (61 tab-separated columns), a GDELT 1.0 export (57 or 58), "
    "or an ACLED or UCDP GED CSV with its header row; give the format with --input-format"
)


def make_adapter(fmt: str, options: AdapterOptions) -> AnyAdapter:
    """The adapter for a format name, configured by *options*."""
    common: dict[str, Any] = {"regions": options.regions, "region_max_km": options.region_max_km}
    if fmt == "gdelt":
        return GdeltAdapter(2, check_place=options.check_place, **common)
    if fmt == "gdelt1":
        return GdeltAdapter(1, check_place=options.check_place, **common)
    if fmt == "acled":
        return AcledAdapter(**common)
    if fmt == "ucdp":
        return UcdpAdapter(**common)
    raise DataFormatError.one(
        f"unknown input format '{fmt}': use one of {', '.join(FORMATS)}",
        field="input-format",
        suggestion=suggest(fmt, FORMATS, cutoff=0.6),
    )


def _is_gdelt_header(fields: Sequence[str]) -> bool:
    return bool(fields) and fields[0].strip().lower() == "globaleventid"


def _is_tag_row(values: Iterable[str]) -> bool:
    """An HXL hashtag row (HDX files): every non-empty value is a ``#tag``."""
    filled = [v for v in values if v]
    return bool(filled) and all(v.startswith("#") for v in filled)


def detect_format(path: str | Path) -> str:
    """The format of a file, from its first lines: GDELT by its tab-separated column count,
    ACLED and UCDP by their header names. Raises DataFormatError when it cannot tell."""
    p = Path(path)
    try:
        lines = peek_lines(p)
    except OSError as exc:
        raise DataFormatError.one(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    if not lines:
        raise DataFormatError.one(f"the file is empty: {_EXPECTED_ANY}", file=str(p))
    first = lines[0]
    # GDELT has no header: the widths of the first lines vote, so that one malformed first row
    # does not hide the format of the file.
    widths = [len(line.split("\t")) for line in lines if "\t" in line]
    gdelt2 = sum(w == 61 for w in widths)
    gdelt1 = sum(w in (57, 58) for w in widths)
    if gdelt2 or gdelt1:
        return "gdelt" if gdelt2 >= gdelt1 else "gdelt1"
    header = {h.strip().strip('"').strip("\ufeff").lower() for h in first.split(",")}
    if {"event_id_cnty", "event_date", "event_type"} <= header:
        return "acled"
    if {"type_of_violence", "side_a", "side_b"} <= header:
        return "ucdp"
    raise DataFormatError.one(f"cannot tell the format of this file: {_EXPECTED_ANY}", file=str(p))


class _Collector:
    """Accounts for rows one at a time and builds the events."""

    def __init__(
        self, adapter: AnyAdapter, options: AdapterOptions, relevant: Relevant | None
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
        self.omitted = 0
        self.groups: dict[Hashable, Group] = {}

    def reject(self, file: str, row: int, reason: str, detail: str | None) -> None:
        self.reasons[reason] += 1
        if len(self.rejections) < self.options.max_rejections_kept:
            self.rejections.append(Rejection(file, row, reason, detail))
        else:
            self.omitted += 1

    def feed(self, file: str, row_number: int, row: Any) -> None:
        self.rows_read += 1
        try:
            cand: Candidate = self.adapter.convert(row)
        except RowRejected as exc:
            self.reject(file, row_number, exc.reason, exc.detail)
            return
        if self.relevant is not None:
            try:
                event = _build(
                    {
                        "id": cand.event_id,
                        **cand.fields,
                        "attribution": cand.attribution,
                        "sources": [cand.row_ref, *cand.sources],
                    }
                )
            except ValidationError as exc:
                self.reject(file, row_number, "invalid event", _first_error(exc))
                return
            if not self.relevant(event):
                self.rows_irrelevant += 1
                self.kinds[cand.fields["kind"]] += 1
                return
        grouped = self.options.group_duplicates and cand.group_key is not None
        key: Hashable = cand.group_key if grouped else ("row", cand.event_id)
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = group = Group(first=cand)
        elif not grouped or cand.row_ref in group.refs:
            self.reject(file, row_number, "duplicate id", f"{cand.event_id} was read before")
            return
        group.add(cand)
        self.kinds[cand.fields["kind"]] += 1

    def finish(self, fmt: str, files: list[str]) -> AdapterResult:
        events: list[Event] = []
        used = 0
        for group in self.groups.values():
            try:
                event = _build(group.event_dict(self.options))
            except ValidationError as exc:
                # Only reachable without a relevance filter (which validates every row first).
                for _ in range(group.rows):
                    self.reject(files[-1] if files else "", 0, "invalid event", _first_error(exc))
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
        )
        assert summary.rows_read == used + summary.rows_irrelevant + rejected, summary
        return AdapterResult(events, summary, self.rejections, self.omitted)


def _build(data: dict[str, Any]) -> Event:
    return Event.model_validate(data)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


def _feed_tsv(col: _Collector, label: str, rows: Iterator[tuple[int, list[str]]]) -> None:
    """Feed GDELT rows; a file in which no row has the format's shape is invalid input."""
    adapter = col.adapter
    matched = 0
    seen = 0
    first_width = 0
    for number, fields in rows:
        if number == 1 and _is_gdelt_header(fields):
            col.tag_rows += 1
            continue
        seen += 1
        if seen == 1:
            first_width = len(fields)
        if adapter.in_format(fields):  # type: ignore[arg-type]
            matched += 1
        col.feed(label, number, fields)
    if seen and not matched:
        raise DataFormatError.one(
            f"no row is in the declared format: expected {adapter.expected} "
            f"(the first row has {first_width} columns)",
            file=label,
        )


def _feed_csv(
    col: _Collector, label: str, records: Iterator[tuple[int, list[str] | None, list[str]]]
) -> None:
    """Feed CSV records by header name; a header without the format's columns is invalid."""
    adapter = col.adapter
    header: list[str] | None = None
    for number, head, values in records:
        if head is not None:
            header = head
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
        if _is_tag_row(values):
            col.tag_rows += 1
            continue
        if len(values) != len(header):
            col.rows_read += 1
            col.reject(
                label,
                number,
                "wrong number of columns",
                f"{len(values)} values for {len(header)} columns",
            )
            continue
        col.feed(label, number, dict(zip(header, values, strict=True)))
    if header is None:
        raise DataFormatError.one(f"the file is empty: expected {adapter.expected}", file=label)


def read_events(
    paths: Sequence[str | Path],
    fmt: str | None = None,
    options: AdapterOptions | None = None,
    *,
    relevant: Relevant | None = None,
    progress: bool = False,
) -> AdapterResult:
    """Read real exports into contract events, accounting for every row.

    *fmt* is one of :data:`FORMATS`, or None to detect it from each file (all files must then
    be of one format). GDELT rows reporting the same happening are grouped across all *paths*.
    ``relevant(event)`` (from the ruleset) leaves out, as ``rows_irrelevant``, rows whose event no
    red line could ever give a level. ``progress`` draws a bar on stderr if it is a terminal.
    Raises DataFormatError for a file that is not in the format.
    """
    options = options or AdapterOptions()
    if not paths:
        raise DataFormatError.one("no input file given")
    formats: list[str] = []
    for p in paths:
        found = fmt if fmt is not None else detect_format(p)
        formats.append(found)
    if len(set(formats)) > 1:
        listing = ", ".join(f"{p} ({f})" for p, f in zip(paths, formats, strict=True))
        raise DataFormatError.one(
            f"input files are of different formats: {listing}; read them separately"
        )
    adapter = make_adapter(formats[0], options)
    col = _Collector(adapter, options, relevant)
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise DataFormatError.one("no such file", file=str(p))
        for part in open_parts(path):
            if adapter.layout == "tsv":
                _feed_tsv(col, part.label, tsv_rows(part, progress))
            else:
                _feed_csv(col, part.label, csv_records(part, progress))
    return col.finish(formats[0], [str(p) for p in paths])


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


def from_dataframe(
    df: pandas.DataFrame,
    fmt: str,
    options: AdapterOptions | None = None,
    *,
    relevant: Relevant | None = None,
    name: str = "<dataframe>",
) -> AdapterResult:
    """Read a pandas DataFrame holding rows of one of :data:`FORMATS`.

    GDELT frames are read by column position (their column names do not matter); CAMEO codes
    that pandas turned into numbers get their leading zeros back. ACLED and UCDP frames are read
    by column name, in any case. Row numbers in rejections are 1-based positions in the frame.
    """
    options = options or AdapterOptions()
    adapter = make_adapter(fmt, options)
    col = _Collector(adapter, options, relevant)
    if adapter.layout == "tsv":

        def rows() -> Iterator[tuple[int, list[str]]]:
            for number, values in enumerate(df.itertuples(index=False, name=None), start=1):
                fields = [_cell(v) for v in values]
                for i in (26, 27, 28):
                    if i < len(fields):
                        fields[i] = restore_cameo_code(fields[i])
                yield number, fields

        _feed_tsv(col, name, rows())
    else:
        header = [clean(str(c)).lower() for c in df.columns]

        def records() -> Iterator[tuple[int, list[str] | None, list[str]]]:
            yield 0, header, header
            for number, values in enumerate(df.itertuples(index=False, name=None), start=1):
                yield number, None, [_cell(v) for v in values]

        _feed_csv(col, name, records())
    return col.finish(fmt, [name])
