"""Explanations agree with the engine: over random rulesets written in the rule language and
random events (the strategies of ``tests/matching/test_agreement.py``), every clause's
``matched`` is the durable matcher's hit of that clause's rule, and every red line's explained
level is the level the report gives the event (its clauses and its patterns).

The explanation is computed by the reference matcher over the conditions' alternatives, the
report by durable-rules and the evaluator's windows: two independent readings.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from redlines import Event, Report, RuleError, Ruleset, evaluate, parse_rules
from redlines.compile import compile_ruleset
from redlines.events import earlier, later
from redlines.explain import BatchExplainer, Explanation
from redlines.findings import level_rank
from redlines.matching import engine_for, event_fact, field_value
from redlines.matching.reference import test_holds as holds
from redlines.rules.normal import alternatives

from ..conftest import make_event
from ..matching.test_agreement import conditions, events, rulesets

SAME_FIELDS = ["target", "actor", "kind", "location.region", "on_behalf_of"]


@st.composite
def pattern_rulesets(draw: st.DrawFn) -> Ruleset:
    """Rulesets whose red lines have clauses and patterns with every kind of selection:
    ``select.level`` (or none), ``select.when``, ``same`` fields, counts and windows."""
    red_lines = []
    for i in range(draw(st.integers(1, 2))):
        clauses = [
            {
                "id": f"k{j}",
                "level": draw(st.sampled_from(["warning", "crossed"])),
                "when": draw(conditions([])),
                "reason": "r",
            }
            for j in range(draw(st.integers(1, 3)))
        ]
        patterns = []
        for j in range(draw(st.integers(1, 2))):
            select: dict[str, Any] = {}
            if draw(st.booleans()):
                select["when"] = draw(conditions([]))
            if draw(st.booleans()):
                select["level"] = draw(st.sampled_from(["warning", "crossed", "any"]))
            patterns.append(
                {
                    "id": f"p{j}",
                    "level": draw(st.sampled_from(["warning", "crossed"])),
                    "select": select,
                    "count": draw(st.integers(2, 4)),
                    "within": draw(st.sampled_from(["1d", "14d", "3w", "400d"])),
                    "same": draw(st.lists(st.sampled_from(SAME_FIELDS), max_size=2, unique=True)),
                    "reason": "r",
                }
            )
        red_lines.append({"id": f"R{i}", "title": "t", "clauses": clauses, "patterns": patterns})
    doc = {
        "schema": "redlines/rules/v1",
        "name": "random-patterns",
        "version": "1",
        "title": "random",
        "red_lines": red_lines,
    }
    try:
        return parse_rules(json.dumps(doc), "<random>")
    except RuleError as exc:
        assert all("alternatives" in p.message for p in exc.problems), exc
        reject()


def distinct(batch: list[Event]) -> list[Event]:
    """The events with unique ids (the strategy draws ids from a small set)."""
    return [e.model_copy(update={"id": f"e{i}"}) for i, e in enumerate(batch)]


def report_level(report: Report, red_line: str, event_id: str) -> str:
    """The level the report gives one event: its highest finding that names the event."""
    level = "clear"
    for f in report.red_line(red_line).findings:
        if event_id in f.event_ids and level_rank(f.level) > level_rank(level):
            level = f.level
    return level


def assert_explanations_agree(ruleset: Ruleset, batch: list[Event]) -> None:
    compiled = compile_ruleset(ruleset)
    engine = engine_for(compiled)
    report = evaluate(batch, ruleset)
    explainer = BatchExplainer(ruleset, batch)
    for event in batch:
        hits = engine.match(event_fact(event, 1))
        explanation = explainer.explain(event.id)
        assert report.explain(event.id) == explanation
        for r in explanation.redlines:
            for c in r.clauses:
                assert c.matched == (f"{r.id}:clause:{c.clause}" in hits), (event, r.id, c)
            assert r.level == report_level(report, r.id, event.id), (event, r)
        assert_nearest(ruleset, event, explanation)
        assert_windows(ruleset, batch, event, explanation)


def assert_nearest(ruleset: Ruleset, event: Event, explanation: Explanation) -> None:
    """``failed`` counts the failing conditions, and the conditions are those of the first
    alternative with the fewest failing tests."""
    fact = event_fact(event, 1)
    for rl in ruleset.red_lines:
        for clause in rl.clauses:
            shown = explanation.red_line(rl.id).clause(clause.id)
            assert shown.failed == sum(not c.ok for c in shown.conditions)
            branches = alternatives(clause.condition)
            if not branches:
                assert not shown.possible and shown.conditions == () and not shown.matched
                continue
            failing = [sum(not holds(t, fact) for t in b) for b in branches]
            nearest = branches[failing.index(min(failing))]
            assert [(c.field, c.op) for c in shown.conditions] == [(t.field, t.op) for t in nearest]
            assert [c.ok for c in shown.conditions] == [holds(t, fact) for t in nearest]
            assert shown.failed == min(failing)
            assert shown.matched == (min(failing) == 0)


def assert_windows(
    ruleset: Ruleset, batch: list[Event], event: Event, explanation: Explanation
) -> None:
    """A pattern's count is the fullest window holding the event, computed here the engine's
    way (windows that close at an event) over the events the pattern selects."""
    for rl in ruleset.red_lines:
        for p in rl.patterns:
            shown = next(x for x in explanation.red_line(rl.id).patterns if x.pattern == p.id)
            key = [field_value(event, f) for f in p.same]
            group = [
                e
                for e in batch
                if selected(ruleset, rl.id, p.id, e) and [field_value(e, f) for f in p.same] == key
            ]
            assert shown.selected == any(e.id == event.id for e in group)
            times = [e.time for e in group if e.id != event.id] + [event.time] * shown.selected
            end = later(event.time, p.within)
            closing = [c for c in [*times, event.time] if event.time <= c <= end]
            best = max(sum(earlier(c, p.within) <= t <= c for t in times) for c in closing)
            assert shown.count == best, (shown, times)
            assert shown.need == p.count
            assert len(shown.events) == shown.count
            assert earlier(shown.window_ends, p.within) <= event.time <= shown.window_ends


def selected(ruleset: Ruleset, red_line: str, pattern: str, event: Event) -> bool:
    """Whether the engine's evaluator would count *event* in *pattern*: its selector rule fires
    and the clauses' level is the one ``select.level`` asks for."""
    rl = ruleset.red_line(red_line)
    p = next(x for x in rl.patterns if x.id == pattern)
    hits = engine_for(compile_ruleset(ruleset)).match(event_fact(event, 1))
    if f"{red_line}:pattern:{pattern}" not in hits:
        return False
    level = "clear"
    for c in rl.clauses:
        if f"{red_line}:clause:{c.id}" in hits and level_rank(c.level) > level_rank(level):
            level = c.level
    if p.select_level == "any":
        return level != "clear"
    return p.select_level is None or p.select_level == level


# Each random ruleset registers a durable ruleset (about 20 MB that durable never frees), so
# examples are few and each checks many events.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=5, max_size=25))
def test_explanations_agree_with_the_engine(ruleset: Ruleset, batch: list[Event]) -> None:
    assert_explanations_agree(ruleset, distinct(batch))


TIMES = [
    dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=h)
    for h in (0, 12, 24, 24, 100, 300, 337, 500, 9000)
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ruleset=pattern_rulesets(),
    batch=st.lists(st.tuples(events(), st.sampled_from(TIMES)), min_size=5, max_size=25),
)
def test_explained_patterns_agree_with_the_report(
    ruleset: Ruleset, batch: list[tuple[Event, dt.datetime]]
) -> None:
    timed = [e.model_copy(update={"time": t}) for e, t in batch]
    assert_explanations_agree(ruleset, distinct(timed))


def one_red_line(red_line: dict[str, Any]) -> Ruleset:
    doc = {
        "schema": "redlines/rules/v1",
        "name": "one",
        "version": "1",
        "title": "t",
        "red_lines": [{"id": "X", "title": "x", **red_line}],
    }
    return parse_rules(json.dumps(doc), "<one>")


def test_empty_memberships_agree_with_the_engine() -> None:
    """``in: []`` never holds and ``not_in: []`` holds whenever the field has a value: the
    normal form settles both, for explanations as for the engine."""
    ruleset = one_red_line(
        {
            "clauses": [
                {
                    "id": "none",
                    "level": "crossed",
                    "when": {"field": "actor", "in": []},
                    "reason": "r",
                },
                {
                    "id": "any",
                    "level": "warning",
                    "when": {"field": "actor", "not_in": []},
                    "reason": "r",
                },
            ]
        }
    )
    batch = [make_event(id="known", actor="RUS"), make_event(id="unknown", actor=None)]
    assert_explanations_agree(ruleset, batch)
    explained = BatchExplainer(ruleset, batch)
    assert explained.explain("known").red_line("X").level == "warning"
    assert explained.explain("unknown").red_line("X").clause("none").line() == (
        "none (crossed): can never match"
    )


def test_windows_at_the_ends_of_the_calendar_agree_with_the_engine() -> None:
    """Window arithmetic saturates at the years 1 and 9999, in the evaluator as in
    explanations."""
    ruleset = one_red_line(
        {"patterns": [{"id": "p", "select": {}, "count": 2, "within": "400d", "reason": "r"}]}
    )
    times = ["9999-12-30", "9999-12-31T23:59:59+00:00", "0001-01-01", "0001-01-02"]
    batch = [make_event(id=f"t{i}", time=t) for i, t in enumerate(times)]
    assert_explanations_agree(ruleset, batch)
    assert [BatchExplainer(ruleset, batch).explain(e.id).red_line("X").level for e in batch] == [
        "crossed"
    ] * 4
