"""The evaluator: orchestration only.

For every event, the matcher says which clauses and pattern selectors match (every red line
sees every event). A red line gives the event the highest level among its matching clauses;
the first-defined clause at that level names the finding. Selected events go to the
pattern's event-time windows (:mod:`.windows`); reasons come from :mod:`.reasons`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..compile import compile_ruleset
from ..errors import EventError, InputError, Problem
from ..events import Event, time_order
from ..explain import BatchExplainer, Explanation, Pool, RulesetExplainer
from ..findings import Finding, place_text
from ..matching import engine_for, event_fact
from ..readers import read_dataframe
from ..readers.dataframe import is_dataframe
from ..readers.eventsink import DuplicateIds, to_event
from ..report.model import Report
from ..rules.load import load_rules
from ..rules.resolved import ResolvedRedLine, Ruleset
from .reasons import event_values, render_reason
from .windows import Entry, PatternState, earlier

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["Evaluator", "evaluate", "evaluate_batch", "feed_in_time_order"]


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
        self._red_line_by_id = {rl.id: rl for rl in self.ruleset.red_lines}
        self._red_line_order = {rl.id: i for i, rl in enumerate(self.ruleset.red_lines)}
        self._clause_rules = frozenset(r.name for r in self.compiled.rules if r.role == "clause")
        #: (rule name, red line, pattern) of every pattern selector
        self._pattern_rules = [
            (f"{rl.id}:pattern:{p.id}", rl.id, p)
            for rl in self.ruleset.red_lines
            for p in rl.patterns
        ]
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
        #: (id, time) of every event evaluated, in feed order: one tuple per event, for
        #: :meth:`Report.levels_frame`.
        self._evaluated: list[tuple[str, dt.datetime]] = []
        self._explainer: RulesetExplainer | None = None
        self._recent_ids = DuplicateIds()
        self._id_expiry: list[tuple[dt.datetime, str]] = []  # a heap, earliest time first

    @property
    def events_seen(self) -> int:
        return self._seq

    def retained_events(self) -> int:
        """How many events pattern state holds now (bounded by the windows)."""
        return sum(s.retained() for s in self._patterns.values())

    def levels(self, event: Event | Mapping[str, Any]) -> dict[str, str]:
        """The level each red line gives *event* (a model, or a mapping as :meth:`feed` takes)
        on its own (no patterns, no state)."""
        event = to_event(event, file="<event>", record=True)
        fired = self._engine.match(event_fact(event, 0))
        return {rl.id: self._level(rl, fired)[0] for rl in self.ruleset.red_lines}

    def explain(self, event: Event | Mapping[str, Any]) -> Explanation:
        """What every red line makes of *event* (a model, or a mapping of contract fields),
        and why: each clause, and each pattern over the events this evaluator still holds
        (with *event* among them). Computed by the reference matcher, not the engine; no state
        changes."""
        event = to_event(event, file="<event>")
        if self._explainer is None:
            self._explainer = RulesetExplainer(self.ruleset, self.compiled)
        held = {
            e.event.id: e for s in self._patterns.values() for es in s.entries.values() for e in es
        }
        pool = [
            event if e.event.id == event.id else e.event
            for e in sorted(held.values(), key=lambda e: e.seq)
        ]
        if event.id not in held:
            pool.append(event)
        return self._explainer.explain(event, Pool(self._explainer, pool))

    def _level(self, rl: ResolvedRedLine, fired: list[str]) -> tuple[str, list[str]]:
        matched = [
            rule.part
            for rule in (self._rule_by_name[n] for n in fired)
            if rule.red_line == rl.id and rule.role == "clause"
        ]
        return rl.level_of(matched), matched

    def _red_lines_of(self, hits: dict[str, Any]) -> list[ResolvedRedLine]:
        """The red lines named in *hits*, in ruleset order."""
        if len(hits) == len(self.ruleset.red_lines):
            return list(self.ruleset.red_lines)
        return [self._red_line_by_id[i] for i in sorted(hits, key=self._red_line_order.__getitem__)]

    def feed(self, event: Event | Mapping[str, Any]) -> list[Finding]:
        """Evaluate one event (a model, or a mapping of contract fields, validated as such);
        return the findings it creates or changes.

        An id fed twice is an :class:`~redlines.errors.EventError` while the first event is
        still within the horizon that patterns keep (window plus allowed lateness); ids older
        than that are forgotten with the rest of the state.
        """
        return self._feed(event, build=True)

    def consume(self, events: Iterable[Event | Mapping[str, Any]]) -> None:
        """Evaluate *events* in the order given, without returning findings: what a batch
        does. Pattern findings are built once, when :meth:`findings` or :meth:`report` asks,
        instead of after every event that changes them."""
        for event in events:
            self._feed(event, build=False)

    def _feed(self, event: Event | Mapping[str, Any], *, build: bool) -> list[Finding]:
        event = to_event(event, file="<event>", record=True)
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
        self._evaluated.append((event.id, event.time))
        if self._max_time is not None and event.time < earlier(
            self._max_time, self.allowed_lateness
        ):
            self.late_events.append(event.id)
        fact = event_fact(event, seq)
        # First the clauses; only the red lines with a hit give a level (a ruleset of a
        # thousand red lines costs what its hits cost).
        hits: dict[str, list[str]] = {}
        for name in self._engine.match(fact, self._clause_rules):
            rule = self._rule_by_name[name]
            hits.setdefault(rule.red_line, []).append(rule.part)
        levels = {rl_id: self._red_line_by_id[rl_id].level_of(m) for rl_id, m in hits.items()}
        # Then the pattern selectors that could count the event at these levels.
        wanted = [
            name
            for name, rl_id, pattern in self._pattern_rules
            if pattern.selects(levels.get(rl_id, "clear"))
        ]
        selected: dict[str, set[str]] = {}
        for name in self._engine.match(fact, wanted) if wanted else ():
            rule = self._rule_by_name[name]
            selected.setdefault(rule.red_line, set()).add(rule.part)
        values: dict[str, Any] | None = None
        new: list[Finding] = []
        for rl in self._red_lines_of({**hits, **selected}):
            matched = hits.get(rl.id, [])
            level = levels.get(rl.id, "clear")
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
                    place_text(event.location),
                    event.sources,
                )
                self._event_findings.append(finding)
                new.append(finding)
            for pattern in rl.patterns:
                if pattern.id not in selected.get(rl.id, ()):
                    continue
                state = self._patterns[(rl.id, pattern.id)]
                new.extend(state.add(Entry(event.time, seq, event), build=build))
        if self._max_time is None or event.time > self._max_time:
            self._max_time = event.time
            horizon = earlier(earlier(self._max_time, self._max_window), self.allowed_lateness)
            for state in self._patterns.values():
                if state.entries:
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
        patterns = [f for s in self._patterns.values() for f in s.findings()]
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
            evaluated=self._evaluated,
        )


def evaluate(
    events: Iterable[Event | Mapping[Any, Any]] | pandas.DataFrame,
    rules: Ruleset | str | Path = "nato-2024",
    *,
    scenario: str | None = None,
    file: str | None = None,
) -> Report:
    """Evaluate a batch of events (models, plain dicts, or a pandas DataFrame of events) and
    return the report.

    Events are taken in event-time order (the event id breaks ties), so the result does not
    depend on the order they are given in. Event ids must be unique. Dicts and DataFrame rows
    are read as rows of the event CSV (``location.country`` columns; NaN, None and blank
    values leave a field out): see :func:`redlines.readers.eventsink.record_to_mapping`.
    """
    items: Any = events
    if is_dataframe(events):
        items = read_dataframe(events, "events", name=file or "<dataframe>").events
    where = file or "<events>"
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise EventError.one(
            "events must be a list (or any iterable) of events: Event models or mappings, "
            f"not {type(items).__name__}",
            file=where,
        )
    batch: list[Event] = []
    problems: list[Problem] = []
    for i, e in enumerate(items):
        try:
            batch.append(to_event(e, file=where, display=f"events[{i}].", record=True))
        except EventError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EventError(problems)
    ids = DuplicateIds()
    for e in batch:
        if not ids.add(e.id):
            raise EventError([ids.problem(e.id, file=where)])
    return evaluate_batch(rules, batch, scenario=scenario, file=file)


def evaluate_batch(
    rules: Ruleset | str | Path,
    events: Sequence[Event],
    *,
    scenario: str | None = None,
    file: str | None = None,
    description: str | None = None,
) -> Report:
    """Evaluate a checked batch (unique ids) in event-time order. The report keeps what
    explains its events (:meth:`Report.explain`, :meth:`Report.add_near_misses`)."""
    evaluator = Evaluator(rules)
    feed_in_time_order(evaluator, list(events))
    report = evaluator.report(scenario=scenario, file=file, description=description)
    report._explainer = BatchExplainer(
        evaluator.ruleset, events, file=file, compiled=evaluator.compiled
    )
    return report


def feed_in_time_order(evaluator: Evaluator, events: list[Event]) -> None:
    """Feed a whole batch sorted by event time (the event id breaks ties): the result is the
    same whatever order the batch is in, and no event is ever late."""
    order = time_order(events)
    evaluator.consume(events[i] for i in order)
