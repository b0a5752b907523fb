"""The evaluator: orchestration only.

For every event, the matcher says which clauses and pattern selectors match (every red line
sees every event). A red line gives the event the highest level among its matching clauses;
the first-defined clause at that level names the finding. Selected events go to the
pattern's event-time windows (:mod:`.windows`); reasons come from :mod:`.reasons`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..compile import compile_ruleset
from ..errors import EventError, InputError
from ..events import Event
from ..findings import Finding, level_rank
from ..matching import engine_for, event_fact
from ..readers.eventsink import DuplicateIds, to_event
from ..report.model import Report
from ..rules.load import load_rules
from ..rules.resolved import ResolvedRedLine, Ruleset
from .reasons import event_values, render_reason
from .windows import Entry, PatternState, earlier

__all__ = ["Evaluator", "evaluate", "feed_in_time_order"]


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
        if not isinstance(allowed_lateness, dt.timedelta) or allowed_lateness < dt.timedelta(0):
            raise InputError.one(
                "allowed_lateness must be a duration of zero or more (a datetime.timedelta)",
                field="allowed_lateness",
                value=allowed_lateness,
            )
        self.allowed_lateness = allowed_lateness
        self._rule_by_name = {r.name: r for r in self.compiled.rules}
        self._patterns: dict[tuple[str, str], PatternState] = {
            (rl.id, p.id): PatternState(rl.id, p)
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
        self._recent_ids = DuplicateIds()
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
        event = to_event(event, file="<event>")
        if not self._recent_ids.add(event.id):
            raise EventError(
                [
                    self._recent_ids.problem(
                        event.id, because="an event with this id was already evaluated"
                    )
                ]
            )
        heapq.heappush(self._id_expiry, (event.time, event.id))
        self._seq += 1
        seq = self._seq
        if self._max_time is not None and event.time < earlier(
            self._max_time, self.allowed_lateness
        ):
            self.late_events.append(event.id)
        fired = self._engine.match(event_fact(event, seq))
        values: dict[str, Any] | None = None
        new: list[Finding] = []
        for rl in self.ruleset.red_lines:
            level, matched = self._level(rl, fired)
            if level != "clear":
                clause = next(c for c in rl.clauses if c.id in matched and c.level == level)
                values = values or event_values(event)
                finding = Finding(
                    rl.id,
                    level,
                    clause.id,
                    "event",
                    (event.id,),
                    render_reason(clause.reason, values),
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
                new.extend(state.add(Entry(event.time, seq, event)))
        if self._max_time is None or event.time > self._max_time:
            self._max_time = event.time
            horizon = earlier(earlier(self._max_time, self._max_window), self.allowed_lateness)
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
    where = file or "<events>"
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        raise EventError.one(
            "events must be a list (or any iterable) of events: Event models or mappings, "
            f"not {type(events).__name__}",
            file=where,
        )
    batch = [to_event(e, file=where, display=f"events[{i}].") for i, e in enumerate(events)]
    ids = DuplicateIds()
    for e in batch:
        if not ids.add(e.id):
            raise EventError([ids.problem(e.id, file=where)])
    evaluator = Evaluator(rules)
    feed_in_time_order(evaluator, batch)
    return evaluator.report(scenario=scenario, file=file)


def feed_in_time_order(evaluator: Evaluator, events: list[Event]) -> list[Finding]:
    """Feed a whole batch sorted by event time (input order breaks ties): the result is the
    same whatever order the batch is in, and no event is ever late."""
    order = sorted(range(len(events)), key=lambda i: (events[i].time, i))
    return evaluator.feed_many(events[i] for i in order)
