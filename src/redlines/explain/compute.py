"""Explanations computed from the plain-Python reference matcher and the rules' conditions in
normal form, never from durable-rules.

* A clause is explained by the alternatives of its full condition (the red line's
  ``applies_when`` included) as the author wrote them (:func:`redlines.rules.normal.alternatives`:
  disjunctive normal form without the engine's rewrites of ``in``). Each test is checked with
  :func:`redlines.matching.reference.test_holds`; the alternative with the fewest failing tests
  (ties: the first written) is the one shown.
* A red line's level is the one the report gives the event: the highest of its matching clauses
  and of the patterns whose window the event completes.
* A pattern is explained over a *pool* of events (a batch, or what an evaluator still holds):
  which of them the pattern selects (by the reference matcher), grouped by the ``same`` fields,
  and the window around the event that holds the most of its group.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..compile import CompiledRuleset, compile_ruleset
from ..events import Event, earlier, format_time, later, time_order
from ..findings import level_rank
from ..matching.facts import event_fact, field_value
from ..matching.reference import ReferenceMatcher, test_holds
from ..rules.normal import alternatives
from ..rules.resolved import FIELDS, ResolvedPattern, ResolvedRedLine, Ruleset, Test
from .model import (
    Check,
    ClauseExplanation,
    Explanation,
    PatternExplanation,
    RedLineExplanation,
)

__all__ = ["Pool", "RulesetExplainer", "event_value", "rule_value"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

Branches = list[tuple[Test, ...]]


def rule_value(field: str, value: Any) -> Any:
    """A value of a resolved condition or fact, as the event format writes it: times in ISO
    8601 (they are epoch seconds in rules and facts), sets as sorted lists."""
    if isinstance(value, tuple):
        return [rule_value(field, v) for v in sorted(value, key=_order)]
    if FIELDS[field].type == "time" and isinstance(value, (int, float)):
        return format_time(_EPOCH + dt.timedelta(seconds=value))
    return value


def _order(value: Any) -> tuple[bool, Any]:
    """Sort key of set members: numbers, then text (a set of values may hold both)."""
    return (isinstance(value, str), value)


def event_value(event: Event, field: str) -> Any:
    """The event's value of *field* in the event format, None when it has none."""
    value = field_value(event, field)
    if FIELDS[field].type == "list":
        return list(value) if value else None
    return None if value is None else rule_value(field, value)


def nearest(branches: Branches, event: Event, fact: dict[str, Any]) -> tuple[Check, ...] | None:
    """The checks of the alternative nearest to matching (fewest failing; ties: the first
    written); None when there is no alternative (the condition can never hold)."""
    best: tuple[Check, ...] | None = None
    best_failed = 0
    for branch in branches:
        checks = tuple(
            Check(
                t.field,
                t.op,
                rule_value(t.field, t.value),
                event_value(event, t.field),
                test_holds(t, fact),
            )
            for t in branch
        )
        failed = sum(not c.ok for c in checks)
        if best is None or failed < best_failed:
            best, best_failed = checks, failed
        if failed == 0:
            break
    return best


class RulesetExplainer:
    """Explains events against one ruleset (its clauses' alternatives are expanded once)."""

    def __init__(self, ruleset: Ruleset, compiled: CompiledRuleset | None = None) -> None:
        self.ruleset = ruleset
        self.matcher = ReferenceMatcher(compiled or compile_ruleset(ruleset))
        self._clauses: dict[tuple[str, str], Branches] = {
            (rl.id, c.id): alternatives(c.condition) for rl in ruleset.red_lines for c in rl.clauses
        }
        self._selections: dict[tuple[str, str], Branches] = {
            (rl.id, p.id): alternatives(p.condition)
            for rl in ruleset.red_lines
            for p in rl.patterns
        }

    def explain(
        self, event: Event, pool: Pool, *, file: str | None = None, seq: int = 0
    ) -> Explanation:
        """What every red line made of *event*, whose patterns count the events of *pool*."""
        fact = event_fact(event, seq)
        hits = set(self.matcher.match(fact))
        return Explanation(
            file,
            event.id,
            tuple(self._red_line(rl, event, fact, hits, pool) for rl in self.ruleset.red_lines),
        )

    def _red_line(
        self,
        rl: ResolvedRedLine,
        event: Event,
        fact: dict[str, Any],
        hits: set[str],
        pool: Pool,
    ) -> RedLineExplanation:
        clauses = []
        for clause in rl.clauses:
            checks = nearest(self._clauses[(rl.id, clause.id)], event, fact)
            failed = sum(not c.ok for c in checks or ())
            clauses.append(
                ClauseExplanation(
                    clause.id,
                    clause.level,
                    checks is not None and failed == 0,
                    failed,
                    checks or (),
                    checks is not None,
                )
            )
        level = rl.level_of({c.clause for c in clauses if c.matched})
        patterns = []
        for pattern in rl.patterns:
            selected = f"{rl.id}:pattern:{pattern.id}" in hits
            why = ""
            if not selected:
                checks = nearest(self._selections[(rl.id, pattern.id)], event, fact)
                why = "; ".join(c.failure() for c in checks or () if not c.ok)
                why = why or "its selection can never hold"
            elif not pattern.selects(level):
                selected = False
                wanted = "warning or crossed" if pattern.select_level == "any" else None
                why = f"it counts {wanted or pattern.select_level} events; this one is {level}"
            patterns.append(pool.pattern(rl, pattern, event, selected, why))
        for p in patterns:
            if p.complete and level_rank(p.level) > level_rank(level):
                level = p.level
        return RedLineExplanation(rl.id, level, tuple(clauses), tuple(patterns))


class Pool:
    """The events that patterns count alongside an explained event: a whole batch, or what an
    evaluator still holds. Each is matched once by the reference matcher; a pattern's groups
    (selected events per ``same`` key, in event-time order) are built when first asked for."""

    def __init__(self, explainer: RulesetExplainer, events: Sequence[Event]) -> None:
        order = time_order(events)
        self.events = [events[i] for i in order]
        self.ruleset = explainer.ruleset
        self._hits = [
            frozenset(explainer.matcher.match(event_fact(e, n))) for n, e in enumerate(self.events)
        ]
        self.index = {e.id: n for n, e in enumerate(self.events)}
        self._groups: dict[tuple[str, str], dict[tuple[Any, ...], list[int]]] = {}
        self._times: dict[tuple[str, str, tuple[Any, ...]], list[dt.datetime]] = {}

    def selected(self, rl: ResolvedRedLine, pattern: ResolvedPattern, n: int) -> bool:
        """Whether *pattern* counts the pool's *n*-th event."""
        hits = self._hits[n]
        if f"{rl.id}:pattern:{pattern.id}" not in hits:
            return False
        matched = {c.id for c in rl.clauses if f"{rl.id}:clause:{c.id}" in hits}
        return pattern.selects(rl.level_of(matched))

    def groups(
        self, rl: ResolvedRedLine, pattern: ResolvedPattern
    ) -> dict[tuple[Any, ...], list[int]]:
        """The pattern's selected events (pool positions, in event-time order) per key."""
        found = self._groups.get((rl.id, pattern.id))
        if found is None:
            found = self._groups[(rl.id, pattern.id)] = {}
            for n, e in enumerate(self.events):
                if self.selected(rl, pattern, n):
                    found.setdefault(key_of(pattern, e), []).append(n)
        return found

    def pattern(
        self,
        rl: ResolvedRedLine,
        pattern: ResolvedPattern,
        event: Event,
        selected: bool,
        unselected: str = "",
    ) -> PatternExplanation:
        """*pattern* around *event* (selected or not): the window that holds *event*'s time and
        the most of its group."""
        key = key_of(pattern, event)
        members = self.groups(rl, pattern).get(key, [])
        own = self.index.get(event.id)
        if own is not None and self.events[own] == event and _holds(members, own) == selected:
            times = self._times.get((rl.id, pattern.id, key))
            if times is None:
                times = [self.events[n].time for n in members]
                self._times[(rl.id, pattern.id, key)] = times
            a, b, start = window(times, event.time, pattern.within)
            ids = [self.events[n].id for n in members[a:b]]
        else:
            # An event the pool does not hold as it is (or counts otherwise): place it itself.
            placed = [(self.events[n].time, n, self.events[n].id) for n in members if n != own]
            if selected:
                at = len(self.events) if own is None else own
                bisect.insort(placed, (event.time, at, event.id))
            a, b, start = window([p[0] for p in placed], event.time, pattern.within)
            ids = [p[2] for p in placed[a:b]]
        return PatternExplanation(
            pattern.id,
            pattern.level,
            selected,
            ", ".join(str(k) for k in key),
            tuple(ids),
            b - a,
            pattern.count,
            later(start, pattern.within),
            unselected,
        )


def _holds(members: list[int], n: int) -> bool:
    """Whether the sorted pool positions *members* include *n*."""
    at = bisect.bisect_left(members, n)
    return at < len(members) and members[at] == n


def key_of(pattern: ResolvedPattern, event: Event) -> tuple[Any, ...]:
    """The group *event* falls in: its values of the pattern's ``same`` fields."""
    return tuple(field_value(event, name) for name in pattern.same)


def window(
    times: Sequence[dt.datetime], at: dt.datetime, within: dt.timedelta
) -> tuple[int, int, dt.datetime]:
    """Of the windows ``[start, start + within]`` that hold *at*, the one holding the most of
    *times* (sorted; ties: the earliest): ``(first, end, start)``, its members being
    ``times[first:end]``. A window starts at one of *times* or at *at* itself."""
    lo = bisect.bisect_left(times, earlier(at, within))
    hi = bisect.bisect_right(times, at)
    best: tuple[int, int, dt.datetime] | None = None
    for start in sorted({*times[lo:hi], at}):
        first = bisect.bisect_left(times, start)
        end = bisect.bisect_right(times, later(start, within))
        if best is None or end - first > best[1] - best[0]:
            best = (first, end, start)
    assert best is not None  # *at* itself is always a start
    return best
