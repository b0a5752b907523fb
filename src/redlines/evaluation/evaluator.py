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
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..compile import CompiledRuleset, compile_ruleset
from ..errors import EventError, InputError, Problem
from ..events import Event, time_order
from ..explain import BatchExplainer, Explanation, Pool, RulesetExplainer
from ..findings import Finding, place_text
from ..matching import engine_for, event_fact
from ..readers import read_dataframe
from ..readers.batch import Skipped
from ..readers.dataframe import is_dataframe
from ..readers.eventsink import DuplicateIds, to_event
from ..report.model import Report
from ..rules.load import load_rules
from ..rules.model import LEVELS
from ..rules.resolved import ResolvedRedLine, Ruleset
from .reasons import event_reason
from .windows import Entry, PatternState, _Group, earlier

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["Evaluator", "EventMatch", "evaluate", "evaluate_batch", "feed_in_time_order"]


class EventMatch(NamedTuple):
    """What the match step finds for one event (:meth:`Evaluator.match_event`)."""

    #: red line id -> the clause ids it matched
    hits: dict[str, list[str]]
    #: red line id -> the level it gives the event (only red lines with a hit)
    levels: dict[str, str]
    #: red line id -> the pattern ids that select the event
    selected: dict[str, set[str]]


class _MatchMemo:
    """What the match step found, by the values of the fact keys the rules read.

    Which clauses and pattern selectors an event satisfies depends on nothing else (the engine
    holds no state between facts: each is asserted and retracted), and real feeds repeat the
    same few combinations of actor, target, kind and attribution over and over: a combination
    seen before is answered from here, not asked of the engine again. Bounded (cleared when
    full), and switched off for a ruleset whose rules read values that rarely repeat (an id, a
    time): it would only cost a look-up. A property test holds reports to be the same with and
    without it (``tests/evaluation/test_match_memo.py``)."""

    #: Most combinations kept; past this, the memo starts again.
    SIZE = 8_192
    #: After this many look-ups, the memo is switched off if fewer than a tenth found anything.
    TRIAL = 4_096
    #: False: every event is asked of the engine (to compare, in tests and benchmarks).
    ENABLED = True

    def __init__(self, compiled: CompiledRuleset) -> None:
        derived = compiled.derived()
        keys = set(compiled.fact_keys()) - set(derived)
        for source, _, _ in derived.values():
            keys.update((source, f"has__{source}"))
        keys.discard("id")  # the engine's own fact id, never read by a rule
        self._keys = tuple(sorted(keys))
        self._found: dict[tuple[Any, ...], EventMatch] = {}
        self._asked = self._hits = 0
        self.on = self.ENABLED

    def lookup(self, fact: dict[str, Any]) -> tuple[tuple[Any, ...] | None, EventMatch | None]:
        """The combination of values *fact* is matched on (None when it cannot be kept, or the
        memo is off), and what was found for it before (None when nothing was)."""
        if not self.on:
            return None, None
        key = tuple(tuple(v) if type(v) is list else v for v in map(fact.get, self._keys))
        try:
            found = self._found.get(key)
        except TypeError:  # a value that cannot be a key
            return None, None
        self._asked += 1
        if found is not None:
            self._hits += 1
        elif self._asked == self.TRIAL and self._hits * 10 < self._asked:
            self.on = False
            self._found.clear()
        return key, found

    def put(self, key: tuple[Any, ...], found: EventMatch) -> None:
        if not self.on:
            return
        if len(self._found) >= self.SIZE:
            self._found.clear()
        self._found[key] = found


class Evaluator:
    """Evaluates events against one ruleset; keeps pattern state between calls.

    ``feed`` one event at a time for new findings as they happen; ``report`` at any point.
    Events may arrive out of event-time order: one that arrives at most ``allowed_lateness``
    behind the latest event time seen is placed exactly; one later than that is still given
    its per-event levels, but patterns may miss it, and it is listed in ``late_events``.

    A long-lived evaluator (``redlines watch``) takes ``retain=False`` and :meth:`prune`, so
    that its memory stays flat; :meth:`snapshot` and :meth:`restore` carry its state across
    processes (docs/watch.md).
    """

    def __init__(
        self,
        rules: Ruleset | str | Path = "nato-2024",
        *,
        allowed_lateness: dt.timedelta = dt.timedelta(days=30),
        retain: bool = True,
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
        # The pattern selectors to ask, by the level an event gets: those that take every
        # event, those that take events their red line left clear, and, by (red line, level),
        # the others. An event then costs what its own red lines' patterns cost, not a look at
        # every pattern of the ruleset.
        self._select_always = [n for n, _, p in self._pattern_rules if p.select_level is None]
        self._select_clear = [
            (n, rl_id)
            for n, rl_id, p in self._pattern_rules
            if p.select_level is not None and p.selects("clear")
        ]
        self._select_at: dict[tuple[str, str], list[str]] = {}
        for name, rl_id, p in self._pattern_rules:
            for level in LEVELS:
                if p.select_level is not None and level != "clear" and p.selects(level):
                    self._select_at.setdefault((rl_id, level), []).append(name)
        self._patterns: dict[tuple[str, str], PatternState] = {
            (rl.id, p.id): PatternState(rl.id, p)
            for rl in self.ruleset.red_lines
            for p in rl.patterns
        }
        #: (event time, pattern) of every entry the windows took, earliest first (a heap):
        #: eviction looks only at the patterns holding an entry older than the horizon.
        self._entry_times: list[tuple[dt.datetime, tuple[str, str]]] = []
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
        self._matches = _MatchMemo(self.compiled)
        self._recent_ids = DuplicateIds()
        self._id_expiry: list[tuple[dt.datetime, str]] = []  # a heap, earliest time first
        #: False: a long-lived evaluator (``redlines watch``) keeps no per-event findings and no
        #: list of evaluated ids (their caller takes the findings :meth:`feed` returns), and
        #: :meth:`prune` drops pattern findings that can no longer change: memory stays flat.
        self.retain = retain
        if not retain:
            self._event_findings = _Forget()
            self._evaluated = _Forget()

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
        return self._apply(event, seq, self.match_event(event, seq), build=build)

    def match_event(self, event: Event, seq: int = 0) -> EventMatch:
        """The match step of :meth:`feed`, pure (no state read or changed): which clauses
        of which red lines *event* satisfies, the level each red line gives it, and the
        patterns that select it at those levels. *seq* is only the engine's fact id."""
        fact = event_fact(event, seq)
        key, known = self._matches.lookup(fact)
        if known is not None:
            return known
        # First the clauses; only the red lines with a hit give a level (a ruleset of a
        # thousand red lines costs what its hits cost).
        hits: dict[str, list[str]] = {}
        for name in self._engine.match(fact, self._clause_rules):
            rule = self._rule_by_name[name]
            hits.setdefault(rule.red_line, []).append(rule.part)
        levels = {rl_id: self._red_line_by_id[rl_id].level_of(m) for rl_id, m in hits.items()}
        # Then the pattern selectors that could count the event at these levels.
        wanted = [*self._select_always]
        for name, rl_id in self._select_clear:
            if levels.get(rl_id, "clear") == "clear":
                wanted.append(name)
        for rl_id, level in levels.items():
            wanted.extend(self._select_at.get((rl_id, level), ()))
        selected: dict[str, set[str]] = {}
        for name in self._engine.match(fact, wanted) if wanted else ():
            rule = self._rule_by_name[name]
            selected.setdefault(rule.red_line, set()).add(rule.part)
        found = EventMatch(hits, levels, selected)
        if key is not None:
            self._matches.put(key, found)
        return found

    def event_findings(self, event: Event, matched: EventMatch) -> dict[str, Finding]:
        """The per-event finding of each red line that gives *event* a level (pure), by red
        line id, in ruleset order."""
        out: dict[str, Finding] = {}
        for rl in self._red_lines_of(matched.hits):
            matched_parts = matched.hits.get(rl.id, [])
            level = matched.levels.get(rl.id, "clear")
            if level != "clear":
                clause = next(c for c in rl.clauses if c.id in matched_parts and c.level == level)
                out[rl.id] = Finding(
                    rl.id,
                    level,
                    clause.id,
                    "event",
                    (event.id,),
                    event_reason(clause.reason, event),
                    event.time,
                    tuple(matched_parts),
                    place_text(event.location),
                    event.sources,
                )
        return out

    def _apply(self, event: Event, seq: int, matched: EventMatch, *, build: bool) -> list[Finding]:
        """The apply step of :meth:`feed`: record the event's findings, feed its patterns'
        windows, evict what no window can need any more."""
        per_event = self.event_findings(event, matched)
        selected = matched.selected
        new: list[Finding] = []
        for rl in self._red_lines_of({**matched.hits, **selected}):
            finding = per_event.get(rl.id)
            if finding is not None:
                self._event_findings.append(finding)
                new.append(finding)
            for pattern in rl.patterns:
                if pattern.id not in selected.get(rl.id, ()):
                    continue
                state = self._patterns[(rl.id, pattern.id)]
                new.extend(state.add(Entry(event.time, seq, event), build=build))
                heapq.heappush(self._entry_times, (event.time, (rl.id, pattern.id)))
        if self._max_time is None or event.time > self._max_time:
            self._max_time = event.time
            horizon = earlier(earlier(self._max_time, self._max_window), self.allowed_lateness)
            expired: set[tuple[str, str]] = set()
            while self._entry_times and self._entry_times[0][0] < horizon:
                expired.add(heapq.heappop(self._entry_times)[1])
            for key in expired:  # each pattern on its own: the order is free
                self._patterns[key].evict(horizon)
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

    def prune(self) -> int:
        """With ``retain=False``: forget the pattern findings none of whose events the windows
        still hold (no later event can change them); returns how many. With ``retain=True``
        nothing is forgotten (a report needs them all)."""
        if self.retain:
            return 0
        return sum(_prune_groups(state) for state in self._patterns.values())

    def snapshot(self) -> dict[str, Any]:
        """The evaluator's whole state as JSON-able data (plain dicts, lists, strings and
        numbers): pattern windows and their findings, the ids still checked for duplicates,
        the latest event time, late events and, with ``retain=True``, every finding and
        evaluated id. :meth:`restore` makes an evaluator of it that goes on exactly as this one
        would."""
        return _snapshot(self)

    @classmethod
    def restore(
        cls, snapshot: Mapping[str, Any], rules: Ruleset | str | Path = "nato-2024"
    ) -> Evaluator:
        """An evaluator in the state *snapshot* (from :meth:`snapshot`) holds, over *rules*,
        which must be the ruleset the snapshot was taken of (same name, version and sha256).
        Raises :class:`~redlines.errors.InputError` for another ruleset and for data that is
        not a snapshot (or a damaged one)."""
        return _restore(cls, snapshot, rules)


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
    skipped: Skipped | None = None,
) -> Report:
    """Evaluate a checked batch (unique ids) in event-time order. The report keeps what
    explains its events (:meth:`Report.explain`, :meth:`Report.add_near_misses`).

    *skipped* are events of the batch that no rule can match, read but not kept (an event
    file read with a skip): each is counted and given ``clear`` as if it had been fed, and
    the explanations read the whole file again when asked for."""
    evaluator = Evaluator(rules)
    feed_in_time_order(evaluator, list(events))
    if skipped:
        evaluator._seq += len(skipped)
    report = evaluator.report(scenario=scenario, file=file, description=description)
    if skipped:  # every event's (id, time), read again when asked for
        report.evaluated = skipped.evaluated()
    report._explainer = BatchExplainer(
        evaluator.ruleset,
        events if not skipped else skipped.all_events,
        file=file,
        compiled=evaluator.compiled,
    )
    return report


def feed_in_time_order(evaluator: Evaluator, events: list[Event]) -> None:
    """Feed a whole batch sorted by event time (the event id breaks ties): the result is the
    same whatever order the batch is in, and no event is ever late."""
    order = time_order(events)
    evaluator.consume(events[i] for i in order)


# --- Snapshots and pruning (Evaluator.snapshot, Evaluator.restore, Evaluator.prune) ---------

#: The form of :meth:`Evaluator.snapshot`; a snapshot of another version is refused.
SNAPSHOT_VERSION = 1

_T = TypeVar("_T")


class _Forget(list[_T]):
    """A list that keeps nothing: where an evaluator with ``retain=False`` records findings
    and evaluated ids."""

    def append(self, item: _T) -> None:
        pass

    def extend(self, items: Iterable[_T]) -> None:
        pass


def _prune_groups(state: PatternState) -> int:
    """Drop *state*'s groups none of whose members the windows still hold, and, from the
    others, the members the windows no longer hold: a pattern that holds without a break
    (windows overlapping for months) would otherwise list every event it ever counted. Its
    level, its completion time and its latest event stay; its finding is built again from
    what is left."""
    gone = 0
    held = state.group_of
    for key in list(state.groups):
        groups = state.groups[key]
        kept = [g for g in groups if any(m in held for m in g.members)]
        gone += len(groups) - len(kept)
        for g in kept:
            if len(g.members) > sum(1 for m in g.members if m in held):
                g.members = {m: o for m, o in g.members.items() if m in held}
                g.evidence = {m: e for m, e in g.evidence.items() if m in held}
                g.finding = None
        if kept:
            state.groups[key] = kept
        else:
            del state.groups[key]
    return gone


def _time_out(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def _micros_in(value: Any) -> dt.datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected a time in epoch microseconds, got {value!r}")
    return _EPOCH + value * _MICROSECOND


def _time_in(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected a time, got {value!r}")
    t = dt.datetime.fromisoformat(value)
    if t.tzinfo is None:
        raise ValueError(f"time without an offset: {value!r}")
    return t


def _key_in(value: Any) -> Any:
    """A pattern key (a tuple; lists inside it as tuples) from its JSON form."""
    if isinstance(value, list):
        return tuple(_key_in(v) for v in value)
    return value


def _finding_out(f: Finding) -> dict[str, Any]:
    return {
        "red_line": f.red_line,
        "level": f.level,
        "clause": f.clause,
        "basis": f.basis,
        "event_ids": list(f.event_ids),
        "reason": f.reason,
        "time": _time_out(f.time),
        "matched_clauses": list(f.matched_clauses),
        "place": f.place,
        "sources": list(f.sources),
    }


def _finding_in(d: Mapping[str, Any]) -> Finding:
    return Finding(
        str(d["red_line"]),
        str(d["level"]),
        str(d["clause"]),
        str(d["basis"]),
        tuple(str(i) for i in d["event_ids"]),
        str(d["reason"]),
        _time_in(d["time"]),
        tuple(str(c) for c in d["matched_clauses"]),
        None if d["place"] is None else str(d["place"]),
        tuple(str(s) for s in d["sources"]),
    )


def _pattern_out(state: PatternState) -> dict[str, Any]:
    groups = []
    for key_groups in state.groups.values():
        for g in key_groups:
            assert g.last is not None and g.crossed_at is not None  # every group has both
            groups.append(
                {
                    "key": list(g.key),
                    "members": [[i, _time_out(t), q] for i, (t, q) in g.members.items()],
                    "evidence": [[i, place, list(src)] for i, (place, src) in g.evidence.items()],
                    "last": [g.last.seq, g.last.event.contract_dict()],
                    "crossed_at": _time_out(g.crossed_at),
                }
            )
    return {
        "red_line": state.red_line,
        "pattern": state.pattern.id,
        "entries": [[e.seq, e.event.contract_dict()] for es in state.entries.values() for e in es],
        # A set: sorted, so that the same state gives the same snapshot.
        "holding": sorted(
            ([list(k), _time_out(t)] for k, t in state.holding),
            key=lambda h: (repr(h[0]), h[1]),
        ),
        "groups": groups,
    }


def _snapshot(ev: Evaluator) -> dict[str, Any]:
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "ruleset": ev.ruleset.info(),
        "allowed_lateness": ev.allowed_lateness.total_seconds(),
        "retain": ev.retain,
        "seq": ev._seq,
        "max_time": _time_out(ev._max_time),
        "late_events": list(ev.late_events),
        # The many (time, id) pairs as epoch microseconds: exact, and cheap to write each time.
        "recent_ids": [[(t - _EPOCH) // _MICROSECOND, i] for t, i in ev._id_expiry],
        "event_findings": [_finding_out(f) for f in ev._event_findings],
        "evaluated": [[i, (t - _EPOCH) // _MICROSECOND] for i, t in ev._evaluated],
        "patterns": [_pattern_out(s) for s in ev._patterns.values()],
    }


def _event_in(seq: Any, data: Any) -> Entry:
    event = to_event(data, file="<snapshot>")
    return Entry(event.time, int(seq), event)


def _pattern_in(state: PatternState, data: Mapping[str, Any]) -> None:
    for seq, event_data in data["entries"]:
        entry = _event_in(seq, event_data)
        key = state.key(entry.event)
        state.entries.setdefault(key, []).append(entry)
    for key, entries in state.entries.items():
        entries.sort(key=lambda e: e.order)
        state.orders[key] = [e.order for e in entries]
    retained = {e.event.id for es in state.entries.values() for e in es}
    state.holding = {(_key_in(k), _time_in(t)) for k, t in data["holding"]}
    for g in data["groups"]:
        group = _Group(_key_in(g["key"]))
        group.members = {str(i): (_time_in(t), int(q)) for i, t, q in g["members"]}
        group.evidence = {
            str(i): (None if place is None else str(place), tuple(str(s) for s in src))
            for i, place, src in g["evidence"]
        }
        group.last = _event_in(*g["last"])
        group.crossed_at = _time_in(g["crossed_at"])
        state.groups.setdefault(group.key, []).append(group)
        for member in group.members:
            if member in retained:
                state.group_of[member] = group


def _restore(
    cls: type[Evaluator], snapshot: Mapping[str, Any], rules: Ruleset | str | Path
) -> Evaluator:
    if not isinstance(snapshot, Mapping) or "snapshot_version" not in snapshot:
        raise InputError.one("not an evaluator snapshot (no snapshot_version)", field="snapshot")
    if snapshot["snapshot_version"] != SNAPSHOT_VERSION:
        raise InputError.one(
            f"a snapshot of version {SNAPSHOT_VERSION} is expected",
            field="snapshot_version",
            value=snapshot["snapshot_version"],
        )
    ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
    if snapshot.get("ruleset") != ruleset.info():
        theirs = snapshot.get("ruleset")
        described = (
            f"{theirs.get('name')} {theirs.get('version')} (sha256 {theirs.get('sha256')})"
            if isinstance(theirs, Mapping)
            else repr(theirs)
        )
        raise InputError.one(
            f"the snapshot was taken of another ruleset: {described}, not "
            f"{ruleset.name} {ruleset.version} (sha256 {ruleset.sha256})",
            field="ruleset",
        )
    try:
        ev = cls(
            ruleset,
            allowed_lateness=dt.timedelta(seconds=float(snapshot["allowed_lateness"])),
            retain=bool(snapshot["retain"]),
        )
        ev._seq = int(snapshot["seq"])
        ev._max_time = None if snapshot["max_time"] is None else _time_in(snapshot["max_time"])
        ev.late_events = [str(i) for i in snapshot["late_events"]]
        ev._id_expiry = [(_micros_in(t), str(i)) for t, i in snapshot["recent_ids"]]
        heapq.heapify(ev._id_expiry)
        for _, i in ev._id_expiry:
            ev._recent_ids.add(i)
        ev._event_findings.extend(_finding_in(f) for f in snapshot["event_findings"])
        ev._evaluated.extend((str(i), _micros_in(t)) for i, t in snapshot["evaluated"])
        patterns = {(p["red_line"], p["pattern"]): p for p in snapshot["patterns"]}
        if set(patterns) != set(ev._patterns):
            raise ValueError("its patterns are not those of the ruleset")
        for where, state in ev._patterns.items():
            _pattern_in(state, patterns[where])
            ev._entry_times.extend((e.time, where) for es in state.entries.values() for e in es)
        heapq.heapify(ev._entry_times)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, EventError) as exc:
        raise InputError.one(
            f"a damaged evaluator snapshot: {_snapshot_error(exc)}", field="snapshot"
        ) from None
    return ev


def _snapshot_error(exc: BaseException) -> str:
    """An exception in a few words, for a damaged snapshot's error."""
    if isinstance(exc, EventError):
        return "; ".join(p.message for p in exc.problems[:3])
    if isinstance(exc, KeyError):
        return f"{exc.args[0]!r} is missing"
    return f"{type(exc).__name__}: {exc}"
