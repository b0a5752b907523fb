"""Near misses: what almost gave a red line a higher level.

* ``redlines run --explain``: the events that missed a clause of a higher level than the one
  they got by exactly one condition, and the pattern groups one event short (each a maximal
  window of ``count - 1`` selected events of one group).
* ``redlines test``: for each mismatch, the explanation of the events that decided it, or the
  nearest misses when nothing reached the expected level.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..events import format_time, later
from ..findings import Finding, level_rank
from ..report.model import NearGroup, NearMiss, RedLineResult
from ..rules.resolved import ResolvedPattern, ResolvedRedLine
from .compute import key_of
from .model import ClauseExplanation, PatternExplanation

if TYPE_CHECKING:  # pragma: no cover
    from .batch import BatchExplainer

__all__ = ["mismatch_lines", "near_misses"]

#: How many events a mismatch explanation names before it says how many more there are.
MOST = 5


def near_misses(explainer: BatchExplainer) -> dict[str, list[NearMiss | NearGroup]]:
    """Per red line of the ruleset, its near misses: events (in event-time order, clauses in
    definition order), then pattern groups one event short."""
    out: dict[str, list[NearMiss | NearGroup]] = {rl.id: [] for rl in explainer.ruleset.red_lines}
    for explanation in explainer.explanations():
        for r in explanation.redlines:
            for c in r.clauses:
                if c.failed != 1 or level_rank(c.level) <= level_rank(r.level):
                    continue
                (bad,) = (k for k in c.conditions if not k.ok)
                out[r.id].append(
                    NearMiss(
                        explanation.event,
                        c.clause,
                        c.level,
                        ({"field": bad.field, "expected": bad.expected, "actual": bad.actual},),
                        f"{explanation.event} missed {c.clause} ({c.level}) by one condition: "
                        f"{bad.failure()}",
                    )
                )
    for rl in explainer.ruleset.red_lines:
        for pattern in rl.patterns:
            for group in _windows(explainer, rl, pattern):
                if group.count == pattern.count - 1:
                    out[rl.id].append(
                        NearGroup(
                            group.pattern,
                            group.level,
                            group.key,
                            group.events,
                            group.count,
                            group.need,
                            group.window_ends,
                            group.line(ids=True),
                        )
                    )
    return out


def _windows(
    explainer: BatchExplainer, rl: ResolvedRedLine, pattern: ResolvedPattern
) -> Iterable[PatternExplanation]:
    """The maximal windows of each group of *pattern* (no one's events inside another's), in
    group then event-time order."""
    pool = explainer.pool
    for key, members in pool.groups(rl, pattern).items():
        times = [pool.events[n].time for n in members]
        previous_end = 0
        for first, at in enumerate(times):
            end = bisect.bisect_right(times, later(at, pattern.within))
            if end > previous_end:  # not inside the window of the event before
                yield PatternExplanation(
                    pattern.id,
                    pattern.level,
                    True,
                    ", ".join(str(k) for k in key),
                    tuple(pool.events[n].id for n in members[first:end]),
                    end - first,
                    pattern.count,
                    later(at, pattern.within),
                )
            previous_end = end


def mismatch_lines(
    explainer: BatchExplainer, result: RedLineResult, what: str, want: str, got: str
) -> list[str]:
    """What decided a mismatch of ``redlines test`` (*what* is ``status``,
    ``first_crossed_at`` or ``clauses``, as :func:`redlines.scenarios.expectation_mismatches`
    gives it): the events that gave the red line more than expected, or the nearest misses of
    what was expected and not reached."""
    if what == "status":
        if level_rank(got) > level_rank(want):
            above = [f for f in result.findings if level_rank(f.level) > level_rank(want)]
            return _deciding(explainer, result.id, above)
        reaching = level_rank(want)
        return _nearest(
            explainer,
            result.id,
            lambda c: level_rank(c.level) >= reaching,
            lambda p: level_rank(p.level) >= reaching,
        )
    if what == "first_crossed_at":
        if got == "never":
            return _nearest(
                explainer, result.id, lambda c: c.level == "crossed", lambda p: p.level == "crossed"
            )
        first = [f for f in result.findings if f.level == "crossed" and format_time(f.time) == got]
        return _deciding(explainer, result.id, first)
    wanted = set(want.split(", ")) - {"none"}
    have = set(got.split(", ")) - {"none"}
    lines = _deciding(explainer, result.id, [f for f in result.findings if f.clause not in wanted])
    for missing in sorted(wanted - have):
        lines += _shadowed(explainer, result.id, missing)
        lines += _nearest(explainer, result.id, *_named(missing))
    return lines


def _shadowed(explainer: BatchExplainer, red_line: str, clause: str) -> list[str]:
    """The events that matched *clause* while another clause names their finding."""
    lines = []
    for explanation in explainer.explanations():
        r = explanation.red_line(red_line)
        mine = next((c for c in r.clauses if c.clause == clause and c.matched), None)
        named = r.finding_clause()
        if mine is not None and named is not None and named is not mine:
            lines.append(
                f"{explanation.event}: matched {clause} ({mine.level}), but {named.clause} "
                f"({named.level}) names its finding"
            )
    return _more(lines)


def _named(
    name: str,
) -> tuple[Callable[[ClauseExplanation], bool], Callable[[ResolvedPattern], bool]]:
    """Tests for the clause and the pattern called *name*."""
    return (lambda c: c.clause == name), (lambda p: p.id == name)


def _more(lines: list[str], most: int = MOST) -> list[str]:
    return lines[:most] + ([f"... and {len(lines) - most} more"] if len(lines) > most else [])


def _deciding(explainer: BatchExplainer, red_line: str, findings: list[Finding]) -> list[str]:
    """For each finding, why it holds: the matched clause's values, or the pattern's window."""
    lines = []
    for f in findings:
        if f.basis == "event":
            (event,) = f.event_ids
            clause = explainer.explain(event).red_line(red_line).clause(f.clause)
            lines.append(f"{event}: {clause.line()}")
        else:
            last = explainer.explain(f.event_ids[-1]).red_line(red_line)
            group = next(p for p in last.patterns if p.pattern == f.clause)
            lines.append(group.line(ids=True))
    return _more(lines)


def _nearest(
    explainer: BatchExplainer,
    red_line: str,
    clause_ok: Callable[[ClauseExplanation], bool],
    pattern_ok: Callable[[ResolvedPattern], bool],
) -> list[str]:
    """The events nearest to matching a clause that *clause_ok* accepts (fewest failing
    conditions), and for each pattern *pattern_ok* accepts its fullest window, with the events
    in it that the pattern does not select."""
    misses: list[tuple[int, str]] = []
    for explanation in explainer.explanations():
        clauses = [
            c
            for c in explanation.red_line(red_line).clauses
            if c.possible and not c.matched and clause_ok(c)
        ]
        best = min(clauses, key=lambda c: c.failed, default=None)
        if best is not None:
            misses.append((best.failed, f"{explanation.event}: nearest {best.line()}"))
    fewest = min((n for n, _ in misses), default=0)
    lines = _more([line for n, line in misses if n == fewest])
    rl = explainer.ruleset.red_line(red_line)
    for pattern in rl.patterns:
        if pattern_ok(pattern):
            lines += _fullest(explainer, rl, pattern)
    return lines


def _fullest(explainer: BatchExplainer, rl: ResolvedRedLine, pattern: ResolvedPattern) -> list[str]:
    """The fullest window of *pattern* (ties: the first), then the events of its group and
    time span that the pattern leaves out, and why."""
    groups = list(_windows(explainer, rl, pattern))
    if not groups:
        return [f"{pattern.id}: no event is selected", *_unselected(explainer, rl, pattern, None)]
    best = max(groups, key=lambda g: g.count)
    return [best.line(ids=True), *_unselected(explainer, rl, pattern, best)]


def _unselected(
    explainer: BatchExplainer,
    rl: ResolvedRedLine,
    pattern: ResolvedPattern,
    best: PatternExplanation | None,
) -> list[str]:
    """The events a pattern does not select: in *best*'s group and window, or all of them."""
    pool = explainer.pool
    first = pool.events[pool.index[best.events[0]]] if best is not None else None
    lines = []
    for n, event in enumerate(pool.events):
        if pool.selected(rl, pattern, n):
            continue
        if (
            best is not None
            and first is not None
            and (
                key_of(pattern, event) != key_of(pattern, first)
                or not first.time <= event.time <= best.window_ends
            )
        ):
            continue
        explained = explainer.explain(event.id).red_line(rl.id)
        why = next(p for p in explained.patterns if p.pattern == pattern.id).unselected
        lines.append(f"{event.id}: not selected by {pattern.id} ({why})")
    return _more(lines)
