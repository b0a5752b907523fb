"""The dates of ACLED and UCDP exports, in the layouts real files have, and the order of day and
month in slashed dates, decided once per file.

A date is read in any of these layouts; a time of day after it is checked and dropped (events
from these sources have day precision):

* ISO: ``2021-12-27``, ``2021-12-27 00:00:00``, ``2021-12-27T00:00:00.000Z``;
* slashed, as spreadsheets write them: ``12/27/2021``, ``12/27/2021 12:00:00 AM``,
  ``02/06/2023 00:00`` (month first) or ``27/12/2021`` (day first);
* dotted, always day first: ``27.12.2021``;
* with the month's name (ACLED): ``15 March 2023``, ``15-March-2023``, ``15 Mar 2023``.

A slashed date whose first number is over 12 can only be day first, one whose second number is
over 12 only month first; ``02/06/2023`` is either. :class:`OrderVote` decides the order of a
file from the values that cannot be ambiguous (see ``docs/data.md``).
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import DataFormatError
from .adapter import RowRejected
from .options import DateOrder

__all__ = ["DateOrder", "OrderVote", "order_clue", "parse_day", "slashed"]

_TIME = (
    r"(?:[T ]\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?:(?P<ampm>[AaPp])\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + "$", re.ASCII)
_SLASHED = re.compile(
    r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})" + _TIME.replace("[T ]", " "), re.ASCII
)
_SLASHED_END = re.compile(_SLASHED.pattern + "$", re.ASCII)
_DOTTED = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})" + _TIME.replace("[T ]", " ") + "$", re.ASCII
)
_NAMED = ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")
_ORDER_WORDS = {"dmy": "day first", "mdy": "month first"}


def slashed(value: str) -> tuple[int, int] | None:
    """The two leading numbers of a slashed date (``12/27/2021`` -> (12, 27)), or None."""
    m = _SLASHED_END.match(value.strip())
    return (int(m["a"]), int(m["b"])) if m else None


def order_clue(value: str) -> DateOrder | None:
    """The only order a slashed date can be in (``27/12/2021``: ``dmy``), or None when it is
    not slashed or could be either."""
    numbers = slashed(value)
    if numbers is None:
        return None
    first, second = numbers
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


def _time_ok(m: re.Match[str]) -> bool:
    if m["h"] is None:
        return True
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    top = 12 if m["ampm"] else 23
    low = 1 if m["ampm"] else 0
    return low <= hour <= top and minute <= 59 and second <= 59


def parse_day(
    value: str, column: str, order: DateOrder | None = None, *, basis: str | None = None
) -> dt.date:
    """The day of *value*, a date of *column* in any layout of the module's docstring; a
    slashed date is read in *order* (required for one that could be either).

    Raises :class:`RowRejected`: ``invalid date`` for what is no date; ``date order contradicts
    the file`` for a slashed date that can only be in the other order when *order* was decided
    from the file (*basis* names the value it was decided from).
    """
    text = value.strip()
    shown = f"{column} {value!r}"
    m = _ISO.match(text)
    if m is not None:
        return _day(int(m["y"]), int(m["m"]), int(m["d"]), m, shown)
    m = _SLASHED_END.match(text)
    if m is not None:
        first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
        clue = order_clue(text)
        use = order or clue
        if use is None:  # pragma: no cover - the reader settles the order first
            raise RowRejected("invalid date", f"{shown}: day or month first? give --date-order")
        if clue is not None and clue != use:
            if basis is not None:
                raise RowRejected(
                    "date order contradicts the file",
                    f"{shown} can only be {_ORDER_WORDS[clue]}, but this file's dates are "
                    f"{_ORDER_WORDS[use]}, as {basis} shows",
                )
            raise RowRejected(
                "invalid date",
                f"{shown} can only be {_ORDER_WORDS[clue]}, but dates are read "
                f"{_ORDER_WORDS[use]} (--date-order {use})",
            )
        day, month = (first, second) if use == "dmy" else (second, first)
        return _day(year, month, day, m, shown)
    m = _DOTTED.match(text)
    if m is not None:
        return _day(int(m["y"]), int(m["m"]), int(m["d"]), m, shown)
    for fmt in _NAMED:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowRejected("invalid date", shown)


def _day(year: int, month: int, day: int, m: re.Match[str], shown: str) -> dt.date:
    if not _time_ok(m):
        raise RowRejected("invalid date", f"{shown}: invalid time of day")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise RowRejected("invalid date", f"{shown}: {exc}") from None


class OrderVote:
    """The order of day and month in one file's slashed dates, decided from values that cannot
    be ambiguous.

    The reader shows it the slashed dates of each row (:meth:`see`) and holds rows back while
    :attr:`order` is None. The order is decided once the first :attr:`window` rows with a
    slashed date have been seen, or at the end of the file: from the one order their
    unambiguous values show. Values in both orders among them make the file invalid, naming an
    example of each; if all are ambiguous the vote goes on, up to :attr:`limit` rows, until a
    value settles it. A file whose slashed dates are all ambiguous is invalid, asking for
    ``--date-order``. An order given by the caller (*declared*) is used as it is.
    """

    window = 1_000
    limit = 10_000

    def __init__(self, file: str, declared: DateOrder | None = None) -> None:
        self.file = file
        self.order: DateOrder | None = declared
        self.declared = declared is not None
        #: The value the order was decided from (``date_start '12/27/2021' on row 7``).
        self.basis: str | None = None
        self.rows = 0
        self._first: dict[DateOrder, str] = {}
        self._ambiguous: str | None = None

    @property
    def pending(self) -> bool:
        """True while the order is not known and rows with slashed dates must wait."""
        return self.order is None and self.rows > 0

    def see(self, row: int, dates: list[tuple[str, str]]) -> bool:
        """Note the (column, value) dates of *row*; True if any is slashed (the row must then
        wait while the order is not known)."""
        if self.order is not None:
            return False
        found = False
        for column, value in dates:
            if slashed(value) is None:
                continue
            found = True
            where = f"{column} {value.strip()!r} on row {row}"
            clue = order_clue(value)
            if clue is None:
                self._ambiguous = self._ambiguous or where
            else:
                self._first.setdefault(clue, where)
        if found:
            self.rows += 1
            if self.rows >= self.window:
                self.settle(final=False)
        return found

    def settle(self, *, final: bool) -> DateOrder | None:
        """Decide the order if the evidence allows (at the end of the file, *final*, it must):
        raises :class:`~redlines.errors.DataFormatError` for a file in both orders, and for one
        whose slashed dates are all ambiguous."""
        if self.order is not None or self.rows == 0:
            return self.order
        if len(self._first) == 2:
            raise DataFormatError.one(
                f"slashed dates in both orders: {self._first['dmy']} can only be day first, "
                f"{self._first['mdy']} only month first; correct the file, or give "
                "--date-order dmy|mdy to read one order and reject the rows in the other",
                file=self.file,
            )
        if self._first:
            ((self.order, self.basis),) = self._first.items()
            return self.order
        if final or self.rows >= self.limit:
            extent = "every slashed date" if final else f"the first {self.limit:,} slashed dates"
            raise DataFormatError.one(
                f"{extent} could be day or month first (e.g. {self._ambiguous}): give "
                "--date-order dmy (27/12/2021) or mdy (12/27/2021)",
                file=self.file,
            )
        return None
