"""Event-time windows: the state of one pattern, kept per key while it can still matter.

Selected events are kept per ``same`` key, sorted by (event time, arrival), and every window
that a new event can close or join is found by bisection and re-examined, so an event that
arrives late counts where it belongs. Overlapping windows merge into one finding whose
completion time is the earliest time a window reached ``count``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import Any

from ..events import Event, earlier, later
from ..findings import Finding, place_text
from ..matching.facts import field_value
from ..rules.model import window_text
from ..rules.resolved import ResolvedPattern
from .reasons import event_values, render_reason

__all__ = ["Entry", "PatternState", "earlier", "later"]  # earlier, later: from events


@dataclass
class Entry:
    time: dt.datetime
    seq: int
    event: Event

    @property
    def order(self) -> tuple[dt.datetime, int]:
        return (self.time, self.seq)


@dataclass
class _Group:
    """A pattern finding in the making. It keeps its members' ids and event-time order keys,
    and one event (the latest) for the reason, never the events themselves."""

    key: tuple[Any, ...] = ()
    members: dict[str, tuple[dt.datetime, int]] = field(default_factory=dict)
    #: Each member's evidence: its place (:func:`place_text`) and sources.
    evidence: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)
    last: Entry | None = None
    crossed_at: dt.datetime | None = None
    #: Built when asked for (None: not yet, or changed since): a dense window changes its group
    #: with every event, and rebuilding the finding each time would cost its size each time.
    finding: Finding | None = None

    def take(self, entry: Entry) -> None:
        self.members[entry.event.id] = entry.order
        self.evidence[entry.event.id] = (place_text(entry.event.location), entry.event.sources)
        if self.last is None or entry.order > self.last.order:
            self.last = entry


_LOW, _HIGH = -1, sys.maxsize  # sequence numbers below and above any real one


class PatternState:
    """Selected events of one pattern, per key, kept while they can still join a window.

    Per key, entries are kept sorted by (event time, arrival); windows are found by bisection.
    A pattern holds at an entry *c* when at least ``count`` entries lie in
    ``[c.time - within, c.time]``. Windows that overlap are one finding.
    """

    def __init__(self, red_line: str, pattern: ResolvedPattern) -> None:
        self.red_line = red_line
        self.pattern = pattern
        self.entries: dict[tuple[Any, ...], list[Entry]] = {}
        self.orders: dict[tuple[Any, ...], list[tuple[dt.datetime, int]]] = {}
        self.groups: dict[tuple[Any, ...], list[_Group]] = {}
        self.group_of: dict[str, _Group] = {}  # for retained entries only
        #: (key, closing time) of the retained windows that hold
        self.holding: set[tuple[tuple[Any, ...], dt.datetime]] = set()

    def key(self, event: Event) -> tuple[Any, ...]:
        return tuple(field_value(event, name) for name in self.pattern.same)

    def add(self, entry: Entry, *, build: bool = True) -> list[Finding]:
        """Take a selected entry; return the findings it creates or changes (with *build*;
        without, they are marked for :meth:`findings` to build)."""
        p = self.pattern
        key = self.key(entry.event)
        entries = self.entries.setdefault(key, [])
        orders = self.orders.setdefault(key, [])
        at = bisect.bisect(orders, entry.order)
        entries.insert(at, entry)
        orders.insert(at, entry.order)
        changed: dict[int, _Group] = {}
        # The new entry can only complete windows that close within `within` after it. A window
        # is fixed by its closing time, so entries at one instant share one: each distinct
        # closing time is looked at once (events at one instant cost no more than others).
        previous = entries[at - 1] if at else None
        i = bisect.bisect_left(orders, (entry.time, _LOW))
        stop = bisect.bisect_right(orders, (later(entry.time, p.within), _HIGH))
        while i < stop:
            closes = entries[i].time
            end = bisect.bisect_right(orders, (closes, _HIGH))
            start = bisect.bisect_left(orders, (earlier(closes, p.within), _LOW))
            size, i = end - start, end
            if size < p.count:
                continue
            if size - 1 >= p.count:
                # This window held before the entry came: only the entry is new to it, and its
                # other members are already one group.
                other = entries[end - 1] if entries[end - 1] is not entry else entries[end - 2]
                group = self._merge(key, [entry, other], closes)
            elif (
                closes == entry.time
                and previous is not None
                and (key, previous.time) in self.holding
                and previous.time >= earlier(entry.time, p.within)
            ):
                # The entry's window, less the entry, lies inside the held window of the entry
                # just before it (the usual case of events arriving in time order).
                group = self._merge(key, [entry, previous], closes)
            else:
                group = self._merge(key, entries[start:end], closes)
            self.holding.add((key, closes))
            changed[id(group)] = group
        out = []
        for group in changed.values():
            if any(g is group for g in self.groups[key]):  # not merged away since
                group.finding = self._finding(key, group) if build else None
                if group.finding is not None:
                    out.append(group.finding)
        return out

    def findings(self) -> list[Finding]:
        """The finding of every group, built where it is not yet."""
        out = []
        for groups in self.groups.values():
            for group in groups:
                if group.finding is None:
                    group.finding = self._finding(group.key, group)
                out.append(group.finding)
        return out

    def _merge(self, key: tuple[Any, ...], window: list[Entry], at: dt.datetime) -> _Group:
        groups = self.groups.setdefault(key, [])
        touching: dict[int, _Group] = {}
        newcomers: list[Entry] = []  # window entries in no group yet
        for e in window:
            g = self.group_of.get(e.event.id)
            if g is None:
                newcomers.append(e)
            else:
                touching.setdefault(id(g), g)
        if touching:
            target, *others = touching.values()
            for other in others:
                target.members.update(other.members)
                target.evidence.update(other.evidence)
                if other.last is not None:
                    target.take(other.last)
                if other.crossed_at is not None and (
                    target.crossed_at is None or other.crossed_at < target.crossed_at
                ):
                    target.crossed_at = other.crossed_at
                for member in other.members:
                    if member in self.group_of:
                        self.group_of[member] = target
                groups.remove(other)
        else:
            target = _Group(key)
            groups.append(target)
        for e in newcomers:
            target.take(e)
            self.group_of[e.event.id] = target
        if target.crossed_at is None or at < target.crossed_at:
            target.crossed_at = at
        return target

    def _finding(self, key: tuple[Any, ...], group: _Group) -> Finding:
        p = self.pattern
        ids = sorted(group.members, key=lambda i: group.members[i])
        assert group.crossed_at is not None and group.last is not None
        values = event_values(group.last.event)
        values.update(
            count=len(ids),
            threshold=p.count,
            within=window_text(p.within),
            key=", ".join(str(k) for k in key),
            first=group.members[ids[0]][0].date().isoformat(),
            last=group.members[ids[-1]][0].date().isoformat(),
            events=", ".join(ids),
        )
        return Finding(
            self.red_line,
            p.level,
            p.id,
            "pattern",
            tuple(ids),
            render_reason(p.reason, values),
            group.crossed_at,
            (),
            "; ".join(dict.fromkeys(pl for i in ids if (pl := group.evidence[i][0]))) or None,
            tuple(dict.fromkeys(src for i in ids for src in group.evidence[i][1])),
        )

    def evict(self, horizon: dt.datetime) -> None:
        for key in list(self.entries):
            orders = self.orders[key]
            cut = bisect.bisect_left(orders, (horizon, _LOW))
            if not cut:
                continue
            for gone in self.entries[key][:cut]:
                self.group_of.pop(gone.event.id, None)
                self.holding.discard((key, gone.time))
            if cut == len(orders):
                del self.entries[key], self.orders[key]
            else:
                del self.entries[key][:cut], orders[:cut]

    def retained(self) -> int:
        return sum(len(v) for v in self.entries.values())
