"""Evaluation: per-event levels from durable-rules, event-time patterns in Python.

For every event, the engine says which clauses and pattern selectors match (every red line
sees every event). A red line gives the event the highest level among its matching clauses;
the first-defined clause at that level names the finding. Patterns count selected events per
key in windows of *event time*: an event arriving late still counts where it belongs, and
events that can no longer fall into any window are dropped from memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import re
import string
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .compile import compile_ruleset, event_fact, field_value
from .countries import country_name, subdivision_name
from .engine import engine_for
from .errors import EventError
from .events import EVENT_FIELDS, Event, format_time
from .findings import Finding, level_rank
from .interpret import predicate
from .report.model import Report
from .rules.load import load_rules
from .rules.model import window_text
from .rules.resolved import ResolvedPattern, ResolvedRedLine, Ruleset
from .source import problems_from_validation

__all__ = ["Evaluator", "as_event", "evaluate", "feed_in_time_order"]


class _Placeholders(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "unknown")


_FORMATTER = _Placeholders()


def _event_values(event: Event) -> dict[str, Any]:
    loc = event.location
    return {
        "id": event.id,
        "time": format_time(event.time),
        "date": event.time.date().isoformat(),
        "actor": event.actor or "unknown",
        "actor_name": country_name(event.actor) if event.actor else "an unknown actor",
        "actor_type": event.actor_type,
        "on_behalf_of": event.on_behalf_of or "no one",
        "on_behalf_of_name": country_name(event.on_behalf_of) if event.on_behalf_of else "no one",
        "target": event.target,
        "target_name": country_name(event.target),
        "kind": event.kind.replace("_", " "),
        "intent": event.intent,
        "attribution": event.attribution,
        "region": (loc.region if loc and loc.region else "an unknown region"),
        "region_name": (
            f"{subdivision_name(loc.region)} ({loc.region})"
            if loc and loc.region
            else "an unknown region"
        ),
        "place": (loc.place if loc and loc.place else "an unknown place"),
        "location_country": (loc.country if loc and loc.country else "unknown"),
        "fatalities": event.fatalities if event.fatalities is not None else "unknown",
    }


def _render(template: str, values: dict[str, Any]) -> str:
    text = _FORMATTER.format(template, **values)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class _Entry:
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

    members: dict[str, tuple[dt.datetime, int]] = field(default_factory=dict)
    last: _Entry | None = None
    crossed_at: dt.datetime | None = None
    finding: Finding | None = None

    def take(self, entry: _Entry) -> None:
        self.members[entry.event.id] = entry.order
        if self.last is None or entry.order > self.last.order:
            self.last = entry


_LOW, _HIGH = -1, sys.maxsize  # sequence numbers below and above any real one


class _PatternState:
    """Selected events of one pattern, per key, kept while they can still join a window.

    Per key, entries are kept sorted by (event time, arrival); windows are found by bisection.
    A pattern holds at an entry *c* when at least ``count`` entries lie in
    ``[c.time - within, c.time]``. Windows that overlap are one finding.
    """

    def __init__(self, red_line: str, pattern: ResolvedPattern) -> None:
        self.red_line = red_line
        self.pattern = pattern
        self.entries: dict[tuple[Any, ...], list[_Entry]] = {}
        self.orders: dict[tuple[Any, ...], list[tuple[dt.datetime, int]]] = {}
        self.groups: dict[tuple[Any, ...], list[_Group]] = {}
        self.group_of: dict[str, _Group] = {}  # for retained entries only
        self.holding: set[str] = set()  # retained entries whose own window holds

    def key(self, event: Event) -> tuple[Any, ...]:
        return tuple(field_value(event, name) for name in self.pattern.same)

    def add(self, entry: _Entry) -> list[Finding]:
        p = self.pattern
        key = self.key(entry.event)
        entries = self.entries.setdefault(key, [])
        orders = self.orders.setdefault(key, [])
        at = bisect.bisect(orders, entry.order)
        entries.insert(at, entry)
        orders.insert(at, entry.order)
        changed: dict[int, _Group] = {}
        # The new entry can only complete windows that close within `within` after it.
        first = bisect.bisect_left(orders, (entry.time, _LOW))
        stop = bisect.bisect_right(orders, (entry.time + p.within, _HIGH))
        for closing in entries[first:stop]:
            start = bisect.bisect_left(orders, (closing.time - p.within, _LOW))
            end = bisect.bisect_right(orders, (closing.time, _HIGH))
            if end - start < p.count:
                continue
            previous = entries[at - 1] if at else None
            if closing is not entry and end - start - 1 >= p.count:
                # This window held before the entry came: only the entry is new to it.
                group = self._merge(key, [entry, closing], closing.time)
            elif (
                closing is entry
                and previous is not None
                and previous.event.id in self.holding
                and previous.time >= entry.time - p.within
            ):
                # The entry's window, less the entry, lies inside the held window of the entry
                # just before it (the usual case of events arriving in time order).
                group = self._merge(key, [entry, previous], closing.time)
            else:
                group = self._merge(key, entries[start:end], closing.time)
            self.holding.add(closing.event.id)
            changed[id(group)] = group
        out = []
        for group in changed.values():
            if any(g is group for g in self.groups[key]):  # not merged away since
                group.finding = self._finding(key, group)
                out.append(group.finding)
        return out

    def _merge(self, key: tuple[Any, ...], window: list[_Entry], at: dt.datetime) -> _Group:
        groups = self.groups.setdefault(key, [])
        touching: dict[int, _Group] = {}
        newcomers: list[_Entry] = []  # window entries in no group yet
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
            target = _Group()
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
        values = _event_values(group.last.event)
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
            _render(p.reason, values),
            group.crossed_at,
        )

    def evict(self, horizon: dt.datetime) -> None:
        for key in list(self.entries):
            orders = self.orders[key]
            cut = bisect.bisect_left(orders, (horizon, _LOW))
            if not cut:
                continue
            for gone in self.entries[key][:cut]:
                self.group_of.pop(gone.event.id, None)
                self.holding.discard(gone.event.id)
            if cut == len(orders):
                del self.entries[key], self.orders[key]
            else:
                del self.entries[key][:cut], orders[:cut]

    def retained(self) -> int:
        return sum(len(v) for v in self.entries.values())


class Evaluator:
    """Evaluates events against one ruleset; keeps pattern state between calls.

    ``feed`` one event at a time for new findings as they happen; ``report`` at any point.
    Events may arrive out of event-time order: one that arrives at most ``allowed_lateness``
    behind the latest event time seen is placed exactly; one later than that is still given
    its per-event levels, but patterns may miss it, and it is listed in ``late_events``.
    """

    def __init__(
        self,
        rules: Ruleset | str | Path = "nato-2024",
        *,
        allowed_lateness: dt.timedelta = dt.timedelta(days=30),
    ) -> None:
        self.ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
        self.compiled = compile_ruleset(self.ruleset)
        self._engine = engine_for(self.compiled)
        self.allowed_lateness = allowed_lateness
        self._rule_by_name = {r.name: r for r in self.compiled.rules}
        self._predicates = [predicate(r.condition) for r in self.compiled.rules]
        self._patterns: dict[tuple[str, str], _PatternState] = {
            (rl.id, p.id): _PatternState(rl.id, p)
            for rl in self.ruleset.red_lines
            for p in rl.patterns
        }
        self._event_findings: list[Finding] = []
        self._seq = 0
        self._max_time: dt.datetime | None = None
        self._max_window = max(
            (p.within for rl in self.ruleset.red_lines for p in rl.patterns),
            default=dt.timedelta(0),
        )
        self.late_events: list[str] = []
        self._recent_ids: set[str] = set()
        self._id_expiry: list[tuple[dt.datetime, str]] = []  # a heap, earliest time first

    @property
    def events_seen(self) -> int:
        return self._seq

    def retained_events(self) -> int:
        """How many events pattern state holds now (bounded by the windows)."""
        return sum(s.retained() for s in self._patterns.values())

    def levels(self, event: Event) -> dict[str, str]:
        """The level each red line gives *event* on its own (no patterns, no state)."""
        fired = self._engine.match(event_fact(event, 0))
        return {rl.id: self._level(rl, fired)[0] for rl in self.ruleset.red_lines}

    def could_apply(self, event: Event) -> bool:
        """Whether any clause or pattern could give *event* a level, were its attribution raised
        to ``confirmed`` (used to count real-data rows as irrelevant)."""
        variants = [event]
        if event.attribution not in ("confirmed", "misattributed"):
            variants.append(event.model_copy(update={"attribution": "confirmed"}))
        facts = [event_fact(v, 0) for v in variants]
        return any(p(f) for f in facts for p in self._predicates)

    def _level(self, rl: ResolvedRedLine, fired: list[str]) -> tuple[str, list[str]]:
        matched = [
            self._rule_by_name[n].part
            for n in fired
            if self._rule_by_name[n].red_line == rl.id and self._rule_by_name[n].role == "clause"
        ]
        level = "clear"
        for clause in rl.clauses:
            if clause.id in matched and level_rank(clause.level) > level_rank(level):
                level = clause.level
        return level, matched

    def feed(self, event: Event | Mapping[str, Any]) -> list[Finding]:
        """Evaluate one event (a model, or a mapping of contract fields, validated as such);
        return the findings it creates or changes.

        An id fed twice is an :class:`~redlines.errors.EventError` while the first event is
        still within the horizon that patterns keep (window plus allowed lateness); ids older
        than that are forgotten with the rest of the state.
        """
        event = as_event(event)
        if event.id in self._recent_ids:
            raise EventError.one(
                f"duplicate event id '{event.id}': an event with this id was already evaluated",
                field="id",
                value=event.id,
            )
        self._recent_ids.add(event.id)
        heapq.heappush(self._id_expiry, (event.time, event.id))
        self._seq += 1
        seq = self._seq
        if self._max_time is not None and event.time < self._max_time - self.allowed_lateness:
            self.late_events.append(event.id)
        fired = self._engine.match(event_fact(event, seq))
        values: dict[str, Any] | None = None
        new: list[Finding] = []
        for rl in self.ruleset.red_lines:
            level, matched = self._level(rl, fired)
            if level != "clear":
                clause = next(c for c in rl.clauses if c.id in matched and c.level == level)
                values = values or _event_values(event)
                finding = Finding(
                    rl.id,
                    level,
                    clause.id,
                    "event",
                    (event.id,),
                    _render(clause.reason, values),
                    event.time,
                    tuple(matched),
                )
                self._event_findings.append(finding)
                new.append(finding)
            for pattern in rl.patterns:
                name = f"{rl.id}:pattern:{pattern.id}"
                if name not in fired:
                    continue
                wanted = pattern.select_level
                if wanted == "any" and level == "clear":
                    continue
                if wanted in ("warning", "crossed") and wanted != level:
                    continue
                state = self._patterns[(rl.id, pattern.id)]
                new.extend(state.add(_Entry(event.time, seq, event)))
        if self._max_time is None or event.time > self._max_time:
            self._max_time = event.time
            horizon = self._max_time - self._max_window - self.allowed_lateness
            for state in self._patterns.values():
                state.evict(horizon)
            while self._id_expiry and self._id_expiry[0][0] < horizon:
                self._recent_ids.discard(heapq.heappop(self._id_expiry)[1])
        return new

    def feed_many(self, events: Iterable[Event | Mapping[str, Any]]) -> list[Finding]:
        out: list[Finding] = []
        for event in events:
            out.extend(self.feed(event))
        return out

    def findings(self) -> list[Finding]:
        """Every finding so far, in event-time order."""
        patterns = [
            g.finding
            for s in self._patterns.values()
            for gs in s.groups.values()
            for g in gs
            if g.finding is not None
        ]
        return sorted([*self._event_findings, *patterns], key=Finding.sort_key)

    def report(
        self,
        *,
        scenario: str | None = None,
        file: str | None = None,
        description: str | None = None,
    ) -> Report:
        return Report.build(
            self.ruleset,
            self.findings(),
            events=self._seq,
            scenario=scenario,
            file=file,
            description=description,
            late_events=list(self.late_events),
        )


def evaluate(
    events: Iterable[Event | Mapping[str, Any]],
    rules: Ruleset | str | Path = "nato-2024",
    *,
    scenario: str | None = None,
    file: str | None = None,
) -> Report:
    """Evaluate a batch of events (models or plain dicts) and return the report.

    Events are taken in event-time order (input order breaks ties), so the result does not
    depend on the order they are given in. Event ids must be unique.
    """
    batch = [
        as_event(e, file=file or "<events>", where=f"events[{i}].") for i, e in enumerate(events)
    ]
    seen: set[str] = set()
    for e in batch:
        if e.id in seen:
            raise EventError.one(
                f"duplicate event id '{e.id}'", file=file or "<events>", field="id", value=e.id
            )
        seen.add(e.id)
    evaluator = Evaluator(rules)
    feed_in_time_order(evaluator, batch)
    return evaluator.report(scenario=scenario, file=file)


def as_event(item: Event | Mapping[str, Any], *, file: str = "<event>", where: str = "") -> Event:
    """*item* as an :class:`Event`; a mapping is validated, and its problems are raised as one
    :class:`~redlines.errors.EventError` (never pydantic's own error)."""
    if isinstance(item, Event):
        return item
    try:
        return Event.model_validate(item)
    except ValidationError as exc:
        raise EventError(
            problems_from_validation(exc, file=file, field_names=EVENT_FIELDS, display_prefix=where)
        ) from None


def feed_in_time_order(evaluator: Evaluator, events: list[Event]) -> list[Finding]:
    """Feed a whole batch sorted by event time (input order breaks ties): the result is the
    same whatever order the batch is in, and no event is ever late."""
    order = sorted(range(len(events)), key=lambda i: (events[i].time, i))
    return evaluator.feed_many(events[i] for i in order)
