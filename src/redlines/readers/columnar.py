"""GDELT read by columns: the irrelevant majority of rows counted without becoming Python
objects, every other row read one by one exactly as before.

A GDELT export is mostly rows no red line could ever give a level (relations between third
countries, diplomacy, statements). Reading each row as a list of 61 strings, mapping it to a
candidate event and validating that event costs far more than reading the file. Here a file is
read in blocks of whole lines; each block is parsed by pyarrow's CSV reader (tab-separated, no
quoting, every value a string, only the dozen columns that decide a row's fate:
:meth:`~redlines.readers.gdelt.GdeltAdapter.screen_columns`), and then, as arrays:

* each column's distinct values are looked up once, by the adapter's own code (the CAMEO
  codes, the actor and target countries, the actor type, the place's country, whether the
  geocode is a country's), and the answers taken back to every row;
* the target is decided as the row reader decides it (Actor2's country, else the place's;
  the place's for a military action placed in another country), and rows without one, or
  with an unknown CAMEO code, are rejected with the row reader's reason and detail;
* relevance comes from the ruleset, field by field: the relevance callback
  (:class:`redlines.matching.Relevance`) gives, for a field and a value, the mask of the
  alternatives of its rules (in disjunctive normal form, the prefilter's reading) whose tests
  on that field the value passes; a row can be relevant only if the masks of all its fields
  share a bit. The filter is derived from the rules (a custom ruleset gets its own), and a
  ruleset that can match anything filters nothing;
* the event id, the date and the coordinates are checked (ASCII digits; a date the row reader
  reads; plain numbers well inside their ranges, or empty).

A row is counted as irrelevant here only when it has the format's width, passes those checks
and converts to a valid event no red line could give a level: exactly the rows the row reader
counts as irrelevant. Every other row (the possibly relevant, the malformed, the header, blank
lines, anything the checks are not sure of) is read one by one with its line number, through
the same code as before, so rejections and their reasons do not change. A block that cannot
be parsed this way (a carriage return in it, a very long line, a row pyarrow cannot place, or
irrelevant rows still to be explained) is read one by one whole. The report is byte-identical
either way; a property test (``tests/readers/test_gdelt_columnar.py``) compares the two
readings over random rows and random rulesets.

Memory is bounded by the block size and the caches of distinct values; progress is reported
per block.
"""

from __future__ import annotations

import contextlib
import io
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..countries import normalize_country
from ..errors import InvalidValue
from ..events import ACTOR_TYPES, INTENTS, KINDS, MAX_TEXT
from .adapter import RowRejected
from .gdelt import GdeltAdapter
from .options import Progress
from .tables import CameoCode
from .text import MAX_LINE, TextPart, _archive_errors, _decoding_errors, bounded_lines, clean

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

__all__ = ["IrrelevantRows", "RejectedRow", "Screen", "gdelt_rows", "screening"]

#: Characters read at a time (then completed to the end of the line).
BLOCK_CHARS = 960_000
#: Smaller files are read row by row while pyarrow is not imported (its import, about 0.2 s,
#: is what reading about 1,500 GDELT rows one by one costs).
MIN_BYTES = 512 * 1024
#: A block longer than this (a very long line in it) is read one by one: the row reader then
#: refuses a line over the limit exactly as before, and no field (nor the notes made of two of
#: them) can reach the event's text limit unnoticed.
_SAFE_CHARS = MAX_TEXT - 2_000
#: Distinct values of a column remembered per file (the cache is emptied when full).
_MAX_KEYS = 200_000
#: Distinct CAMEO code columns remembered per file (likewise).
_MAX_CODES = 20_000

#: An id the row reader accepts (``adapter.digits`` after cleaning) that cleaning leaves as is.
_ID = r"^[0-9]+$"
#: A coordinate ``adapter.number`` reads as itself, with no cleaning to do.
_COORDINATE = r"^-?[0-9]{1,3}(\.[0-9]{1,15})?$"
#: Coordinates checked as arrays must be this far inside their ranges (no rounding question).
_LAT_MAX, _LON_MAX = 89.0, 179.0


class Screen(Protocol):
    """What a relevance callback offers to judge classes of rows (``Relevance`` does)."""

    def alternatives(self) -> int:
        """The mask of all the alternatives of the rules."""
        ...  # pragma: no cover - a protocol

    def passing(self, name: str, values: Collection[Any]) -> int:
        """The mask of the alternatives that some of *values* for field *name* passes."""
        ...  # pragma: no cover - a protocol


def screening(relevant: object, size: int) -> Screen | None:
    """The relevance callback itself, when it can judge classes of rows (it has the methods of
    :class:`Screen`), for a file of *size* bytes: None means every row is read one by one (no
    callback: every row is kept; a plain callable: only it can judge a row). A file under
    :data:`MIN_BYTES` is read one by one too unless pyarrow is already imported: importing it
    costs more than reading such a file row by row."""
    if not all(callable(getattr(relevant, m, None)) for m in ("alternatives", "passing")):
        return None
    if size < MIN_BYTES and "pyarrow.csv" not in sys.modules:
        return None
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return relevant  # type: ignore[return-value]


@dataclass
class RejectedRow:
    """A row of the format's width rejected for what its screened columns hold."""

    number: int
    reason: str
    detail: str | None


@dataclass
class IrrelevantRows:
    """Rows of *width* columns counted as irrelevant, by kind, without being built."""

    width: int
    kinds: Counter[str]


Item = tuple[int, list[str]] | RejectedRow | IrrelevantRows


def gdelt_rows(
    part: TextPart,
    adapter: GdeltAdapter,
    screen: Screen,
    progress: Progress | None,
    explaining: Callable[[], bool],
) -> Iterator[Item]:
    """The rows of one GDELT text part, in order: ``(line number, cleaned fields)`` for each
    row to read one by one (as :func:`~redlines.readers.text.tsv_rows` gives them), and
    :class:`IrrelevantRows` for the rows of a block known to be irrelevant. *explaining()* says
    whether irrelevant rows are still to be explained (then a block is read one by one)."""
    judge = _Judge(adapter, screen)
    first = 1
    for block in _blocks(part, progress):
        judged = None
        if "\r" not in block and len(block) <= _SAFE_CHARS and not explaining():
            judged = judge.block(block, first)
        if judged is None:
            count = 0
            for number, line in _block_lines(block, first, part.label):
                count += 1
                fields = _fields(line.rstrip("\r\n"))
                if fields is not None:
                    yield number, fields
            first += count
            continue
        rows, lines = judged
        yield from rows
        first += lines


def _fields(text: str) -> list[str] | None:
    """A line's cleaned fields, or None for a blank line (as ``tsv_rows`` reads it)."""
    if not text.strip():
        return None
    return [clean(f) for f in text.split("\t")]


#: Verdicts of a row (kind_of): the index of its kind (irrelevant), or one of these.
_READ, _UNKNOWN_CODE, _NO_COUNTRY = -1, -2, -3


class _Judge:
    """Judges the rows of blocks, remembering what each distinct value means for the file."""

    def __init__(self, adapter: GdeltAdapter, screen: Screen) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv

        self.pa, self.pc, self.pcsv = pa, pc, pcsv
        self.adapter, self.screen = adapter, screen
        self.columns = adapter.screen_columns()
        alternatives = screen.alternatives()
        #: 64-bit words of an alternatives mask
        self.words = max(1, (alternatives.bit_length() + 63) // 64)
        #: the mask every row starts from: what GDELT never sets (on_behalf_of) and the
        #: attribution of its rows (suspected, confirmed if corroborated)
        self.base = (
            alternatives
            & screen.passing("on_behalf_of", (None,))
            & screen.passing("attribution", ("suspected",))
        )
        #: interned values: countries (0: none), codes, actor types
        self.countries: list[str | None] = [None]
        self.country_ids: dict[str | None, int] = {None: 0}
        self.codes: list[CameoCode | RowRejected] = []
        self.actor_types: list[str] = []
        #: raw value -> id, per column
        self.seen: dict[str, dict[str, int]] = {}
        #: (field, id) -> words of its mask
        self.masks: dict[tuple[str, int], tuple[int, ...]] = {}
        self.kinds: list[str] = []
        # Constants as arrow scalars, made without pa.scalar or pa.array, which import pandas
        # (a quarter of a second) to see whether they were given a pandas object.
        texts = _strings(pa, ["", "0", "\t"])
        ints = _ints(pa, [0, 1, _READ, _UNKNOWN_CODE, _NO_COUNTRY])
        floats = _floats(pa, [_LAT_MAX, _LON_MAX])
        self.empty: Any = texts[0]
        self.zero_text: Any = texts[1]
        self.tab: Any = texts[2]
        self.zero: Any = ints[0]
        self.one: Any = ints[1]
        self.read: Any = ints[2]
        self.unknown_code: Any = ints[3]
        self.no_country: Any = ints[4]
        self.lat_max: Any = floats[0]
        self.lon_max: Any = floats[1]
        self.word_zero: Any = _words(pa, [0])[0]

    # -- distinct values, looked up once ------------------------------------------------------

    def _country(self, value: str | None) -> int:
        found = self.country_ids.get(value)
        if found is None:
            found = self.country_ids[value] = len(self.countries)
            self.countries.append(value)
        return found

    def lookup(self, name: str, column: pyarrow.Array, read: Callable[[str], int]) -> Any:
        """*column* as ids: *read* of each distinct value, once per file."""
        pc = self.pc
        seen = self.seen.setdefault(name, {})
        encoded = column.dictionary_encode()
        ids: list[int] = []
        for value in encoded.dictionary.to_pylist():
            found = seen.get(value)
            if found is None:
                if len(seen) >= _MAX_KEYS:
                    seen.clear()
                found = seen[value] = read(value)
            ids.append(found)
        return pc.take(_ints(self.pa, ids), encoded.indices)

    def code_id(self, key: str) -> int:
        code = self.adapter.screen_code(*key.split("\t"))
        self.codes.append(code)
        return len(self.codes) - 1

    def type_id(self, value: str) -> int:
        actor_type = self.adapter.screen_actor_type(value)
        if actor_type not in self.actor_types:
            self.actor_types.append(actor_type)
        return self.actor_types.index(actor_type)

    def kind_id(self, code: int) -> int:
        """The index of the kind of a known code (-1 for an unknown one)."""
        found = self.codes[code]
        if isinstance(found, RowRejected):
            return _READ
        if found.kind not in self.kinds:
            self.kinds.append(found.kind)
        return self.kinds.index(found.kind)

    def mask(self, name: str, key: int) -> tuple[int, ...]:
        """The words of the mask of the alternatives that field *name* passes with the value
        of id *key*: a country id (``actor``, ``target``, ``location.country``), a code id
        (``kind`` and ``intent``, its kind and intent) or an actor type id. A value the event
        model would not take as it is passes everything (its rows are read one by one)."""
        found = self.masks.get((name, key))
        if found is not None:
            return found
        screen, mask = self.screen, -1
        if name == "code":
            code = self.codes[key]
            if isinstance(code, CameoCode) and code.kind in KINDS and code.intent in INTENTS:
                mask = screen.passing("kind", (code.kind,)) & screen.passing(
                    "intent", (code.intent,)
                )
        elif name == "actor_type":
            value = self.actor_types[key]
            if value in ACTOR_TYPES:
                mask = screen.passing(name, (value,))
        else:
            country = self.countries[key]
            try:
                same = country is None or normalize_country(country) == country
            except InvalidValue:  # pragma: no cover - every table value is an ISO code
                same = False
            if same:
                mask = screen.passing(name, (country,))
        found = tuple((mask >> (64 * w)) & (2**64 - 1) for w in range(self.words))
        self.masks[(name, key)] = found
        return found

    def masks_of(self, name: str, ids: pyarrow.Array) -> list[Any]:
        """Per word, the mask of each row's value of field *name* (ids as :meth:`mask`)."""
        pa, pc = self.pa, self.pc
        encoded = ids.dictionary_encode()
        words = [self.mask(name, key) for key in encoded.dictionary.to_pylist()]
        return [
            pc.take(_words(pa, [w[i] for w in words]), encoded.indices) for i in range(self.words)
        ]

    # -- a block --------------------------------------------------------------------------

    def _parse(self, block: str, width: int) -> tuple[pyarrow.Table, list[int]] | None:
        """The block's screened columns, and the line numbers (from 1) of the rows pyarrow
        set aside for having another width; None when pyarrow cannot say where a row is."""
        pa, pcsv = self.pa, self.pcsv
        names = [f"c{i}" for i in range(width)]
        wanted = sorted(set(self.columns.values()))
        others: list[int] = []
        unplaced = False

        def other_width(row: Any) -> str:
            nonlocal unplaced
            if row.number is None:  # pragma: no cover - pyarrow numbers rows when unthreaded
                unplaced = True
            else:
                others.append(row.number)
            return "skip"

        data = block.encode("utf-8", "surrogatepass")
        try:
            table = pcsv.read_csv(
                io.BytesIO(data),
                read_options=pcsv.ReadOptions(
                    column_names=names, use_threads=False, block_size=max(len(data) + 1, 1 << 16)
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter="\t",
                    quote_char=False,
                    double_quote=False,
                    escape_char=False,
                    newlines_in_values=False,
                    ignore_empty_lines=False,
                    invalid_row_handler=other_width,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys((names[i] for i in wanted), pa.string()),
                    include_columns=[names[i] for i in wanted],
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowException, ValueError):  # pragma: no cover - read one by one instead
            return None
        if unplaced:  # pragma: no cover
            return None
        return table, others

    def _sure(self, column: Callable[[str], Any]) -> Any:
        """Rows whose id, date and coordinates the row reader takes as they are."""
        pa, pc = self.pa, self.pc
        dates = self.lookup("date", column("date"), lambda v: int(self.adapter.date_ok(v)))
        sure = pc.and_(pc.match_substring_regex(column("id"), _ID), pc.equal(dates, self.one))
        lat, lon = column("lat"), column("lon")
        lat_empty, lon_empty = pc.equal(lat, self.empty), pc.equal(lon, self.empty)
        lat_plain = pc.match_substring_regex(lat, _COORDINATE)
        lon_plain = pc.match_substring_regex(lon, _COORDINATE)
        lat_value = pc.cast(pc.if_else(lat_plain, lat, self.zero_text), pa.float64())
        lon_value = pc.cast(pc.if_else(lon_plain, lon, self.zero_text), pa.float64())
        inside = pc.and_(
            pc.less_equal(pc.abs(lat_value), self.lat_max),
            pc.less_equal(pc.abs(lon_value), self.lon_max),
        )
        sure = pc.and_(sure, pc.or_(lat_empty, lat_plain))
        sure = pc.and_(sure, pc.or_(lon_empty, lon_plain))
        return pc.and_(sure, pc.or_(pc.or_(lat_empty, lon_empty), inside))

    def _verdicts(self, column: Callable[[str], Any]) -> tuple[Any, Any]:
        """(kind_of, code ids): each row's kind index if it is irrelevant, else one of
        ``_READ``, ``_UNKNOWN_CODE``, ``_NO_COUNTRY``; as :meth:`GdeltAdapter.convert` and
        the relevance callback would have it, for rows that pass :meth:`_sure`."""
        pa, pc, adapter = self.pa, self.pc, self.adapter
        codes = self.lookup(
            "code",
            pc.binary_join_element_wise(
                column("code"), column("base_code"), column("root_code"), self.tab
            ),
            self.code_id,
        )
        actor = self.lookup(
            "actor", column("actor"), lambda v: self._country(adapter.screen_country(v))
        )
        coded = self.lookup(
            "target", column("target"), lambda v: self._country(adapter.screen_country(v))
        )
        place = self.lookup(
            "place", column("place"), lambda v: self._country(adapter.screen_place(v))
        )
        types = self.lookup("actor_type", column("actor_type"), self.type_id)
        at_country = self.lookup(
            "geo_type", column("geo_type"), lambda v: int(adapter.screen_geo_country(v))
        )
        kinds = pc.take(_ints(pa, [self.kind_id(c) for c in range(len(self.codes))]), codes)
        placing = pc.take(
            _ints(
                pa,
                [
                    int(not isinstance(c, RowRejected) and adapter.screen_places_target(c.kind))
                    for c in self.codes
                ],
            ),
            codes,
        )
        # The target, as convert() decides it (ids of raw country codes; 0: none).
        target = pc.if_else(pc.not_equal(coded, self.zero), coded, place)
        moved = pc.and_(
            pc.and_(pc.equal(placing, self.one), pc.not_equal(place, self.zero)),
            pc.and_(
                pc.not_equal(place, target),
                pc.invert(pc.and_(pc.equal(at_country, self.one), pc.equal(place, actor))),
            ),
        )
        target = pc.if_else(moved, place, target)

        possible = None
        fields = (
            ("code", codes),
            ("actor", actor),
            ("actor_type", types),
            ("target", target),
            ("location.country", place),
        )
        per_field = [self.masks_of(name, ids) for name, ids in fields]
        for w in range(self.words):
            word = _words(pa, [(self.base >> (64 * w)) & (2**64 - 1)])[0]
            for masks in per_field:
                word = pc.bit_wise_and(word, masks[w])
            hit = pc.not_equal(word, self.word_zero)
            possible = hit if possible is None else pc.or_(possible, hit)

        kind_of = pc.if_else(possible, self.read, kinds)
        kind_of = pc.if_else(pc.equal(target, self.zero), self.no_country, kind_of)
        kind_of = pc.if_else(pc.less(kinds, self.zero), self.unknown_code, kind_of)
        return kind_of, codes

    def block(self, block: str, first: int) -> tuple[list[Item], int] | None:
        """The rows of a block (its first line is line *first*) and its number of lines, or
        None: read it one by one."""
        pc = self.pc
        if len(self.codes) > _MAX_CODES:  # distinct odd codes, each with its own rejection
            self.codes = []
            self.seen.pop("code", None)
            self.masks = {k: v for k, v in self.masks.items() if k[0] != "code"}
        head = block[: block.find("\n")] if "\n" in block else block
        width = head.count("\t") + 1
        if width not in self.adapter.widths:
            width = max(self.adapter.widths)
        parsed = self._parse(block, width)
        if parsed is None:  # pragma: no cover
            return None
        table, others = parsed
        lines = block.count("\n") + (0 if block.endswith("\n") else 1)
        if table.num_rows + len(others) != lines:  # pragma: no cover - a safety net
            return None

        def column(name: str) -> Any:
            return table.column(f"c{self.columns[name]}").combine_chunks()

        kind_of, codes = self._verdicts(column)
        kind_of = pc.if_else(self._sure(column), kind_of, self.read)

        counts = Counter[str]()
        for entry in pc.value_counts(kind_of).to_pylist():
            if entry["values"] >= 0:
                counts[self.kinds[entry["values"]]] = entry["counts"]
        read = pc.indices_nonzero(pc.equal(kind_of, self.read)).to_pylist()
        unknown = pc.indices_nonzero(pc.equal(kind_of, self.unknown_code))
        no_country = pc.indices_nonzero(pc.equal(kind_of, self.no_country))

        # Rows by their line in the block (from 0): None to read one by one, or a rejection.
        placed: list[int] | range = range(lines)
        if others:
            set_aside = {n - 1 for n in others}
            placed = [i for i in range(lines) if i not in set_aside]
        picked: dict[int, RejectedRow | None] = {n - 1: None for n in others}
        picked.update((placed[i], None) for i in read)
        for i, code in zip(unknown.to_pylist(), pc.take(codes, unknown).to_pylist(), strict=True):
            rejection = self.codes[code]
            assert isinstance(rejection, RowRejected)
            picked[placed[i]] = RejectedRow(first + placed[i], rejection.reason, rejection.detail)
        actors = pc.take(column("actor"), no_country).to_pylist()
        targets = pc.take(column("target"), no_country).to_pylist()
        for i, actor, target in zip(no_country.to_pylist(), actors, targets, strict=True):
            rejection = self.adapter.screen_no_country(actor, target)
            picked[placed[i]] = RejectedRow(first + placed[i], rejection.reason, rejection.detail)
        out: list[Item] = []
        texts: list[str] | None = None
        for line in sorted(picked):
            row = picked[line]
            if row is not None:
                out.append(row)
                continue
            if texts is None:
                texts = block.split("\n")
            fields = _fields(texts[line])
            if fields is not None:
                out.append((first + line, fields))
        if counts:
            out.append(IrrelevantRows(width, counts))
        return out, lines


def _words(pa: Any, values: list[int]) -> pyarrow.Array:
    """A uint64 array of *values*, built from a buffer."""
    return pa.Array.from_buffers(pa.uint64(), len(values), [None, pa.py_buffer(array("Q", values))])


def _ints(pa: Any, values: list[int]) -> pyarrow.Array:
    """An int32 array of *values*, built from a buffer."""
    data = array("i", values)
    assert data.itemsize == 4
    return pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(data)])


def _floats(pa: Any, values: list[float]) -> pyarrow.Array:
    """A float64 array of *values*, built from a buffer."""
    return pa.Array.from_buffers(
        pa.float64(), len(values), [None, pa.py_buffer(array("d", values))]
    )


def _strings(pa: Any, values: list[str]) -> pyarrow.Array:
    """A string array of *values*, built from buffers."""
    data = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = array("i", [0])
    for item in data:
        offsets.append(offsets[-1] + len(item))
    return pa.StringArray.from_buffers(
        len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(data))
    )


def _blocks(part: TextPart, progress: Progress | None) -> Iterator[str]:
    """The text of *part* in blocks of whole lines (each ends with a line's end, or the
    file's), with the same decoding, archive errors and progress reports as the row reader."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(_archive_errors(part.label))
        stack.enter_context(_decoding_errors(part))
        advance: Callable[[int], None] | None = None
        if progress is not None and part.raw is not None:
            advance = stack.enter_context(progress(Path(part.label).name, part.size))
        done = 0
        while True:
            block = _read_block(part.stream)
            if not block:
                break
            if advance is not None and part.raw is not None:
                now = part.raw.tell()
                if now > done:
                    advance(now - done)
                    done = now
            yield block
        if advance is not None and part.size > done:
            advance(part.size - done)


def _read_block(stream: io.TextIOBase | Any) -> str:
    """About :data:`BLOCK_CHARS` characters, completed to the end of the line they stop in
    (reading at most a little past :data:`MAX_LINE` of it: a longer line is refused when the
    block is read one by one)."""
    text: str = stream.read(BLOCK_CHARS)
    if not text or text.endswith("\n"):
        return text
    pieces = [text]
    tail = len(text) - max(text.rfind("\n"), text.rfind("\r")) - 1
    while True:
        piece: str = stream.readline(MAX_LINE + 1)
        pieces.append(piece)
        tail += len(piece)
        if not piece or piece.endswith(("\n", "\r")) or tail > MAX_LINE:
            return "".join(pieces)


def _block_lines(block: str, first: int, label: str) -> Iterator[tuple[int, str]]:
    """The lines of a block numbered from *first*, split as the row reader splits a file
    (``\\n``, ``\\r`` or ``\\r\\n``), a line longer than :data:`MAX_LINE` refused as it does."""
    return enumerate(bounded_lines(io.StringIO(block, newline=""), label, first=first), first)
