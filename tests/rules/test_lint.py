"""Warnings (rules/lint.py): clauses that can never match or never name a finding, patterns
that can never select an event; and the analysis is sound, checked against brute force."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redlines import evaluate, load_rules, parse_rules, shipped_rulesets
from redlines.events import KINDS
from redlines.rules.lint import implies, lint, satisfiable
from redlines.rules.operators import OPERATORS
from redlines.rules.resolved import Test as Check

from ..conftest import make_event

HEAD = """schema: redlines/rules/v1
name: t
version: "1"
title: t
red_lines:
  - id: X
    title: x
    clauses:
"""


def warnings(clauses: str, patterns: str = "") -> list[str]:
    rs = parse_rules(HEAD + clauses + patterns, "r.yaml")
    return [w.render() for w in rs.warnings]


@pytest.mark.parametrize("name", [*shipped_rulesets(), "examples/rulesets/taiwan-blockade.yaml"])
def test_the_shipped_and_example_rulesets_have_no_warnings(name: str) -> None:
    assert load_rules(name).warnings == ()


def test_contradictory_tests_on_one_field_never_match() -> None:
    got = warnings(
        """      - {id: a, level: warning, when: {all: [{field: kind, in: MILITARY}, {field: kind, eq: threat}]}, reason: r}
      - {id: b, level: warning, when: {all: [{field: target, eq: POL}, {field: target, eq: LTU}]}, reason: r}
      - {id: c, level: warning, when: {all: [{field: fatalities, ge: 10}, {field: fatalities, in: [1, 2]}]}, reason: r}
      - {id: d, level: warning, when: {all: [{field: fatalities, gt: 1}, {field: fatalities, lt: 2}]}, reason: r}
"""
    )
    assert got == [
        f"r.yaml:{9 + i}:39: field 'red_lines[0].clauses[{i}].when': clause '{c}' can never match: its tests on '{f}' exclude each other"
        for i, (c, f) in enumerate(
            [("a", "kind"), ("b", "target"), ("c", "fatalities"), ("d", "fatalities")]
        )
    ]


def test_an_empty_set_never_matches() -> None:
    assert warnings(
        "      - {id: a, level: warning, when: {field: target, in: []}, reason: r}\n"
    ) == [
        "r.yaml:9:39: field 'red_lines[0].clauses[0].when': clause 'a' can never match: its condition is always false (an empty 'in' or 'any')"
    ]


def test_a_field_both_absent_and_present_never_matches() -> None:
    (got,) = warnings(
        "      - {id: a, level: warning, when: {all: [{field: on_behalf_of, exists: false},"
        " {not: {field: on_behalf_of, exists: false}}]}, reason: r}\n"
    )
    assert got.endswith("'on_behalf_of' would have to be both absent and present")


def test_a_clause_covered_by_a_higher_level_never_names_a_finding() -> None:
    assert warnings(
        """      - {id: any-military, level: crossed, when: {field: kind, in: MILITARY}, reason: r}
      - {id: drones, level: warning, when: {field: kind, eq: drone_strike}, reason: r}
"""
    ) == [
        "r.yaml:10:14: field 'red_lines[0].clauses[1].id': clause 'drones' never names a finding: every event it matches is also matched by clause 'any-military' (crossed: a higher level), which names the finding instead"
    ]


def test_a_clause_covered_by_earlier_clauses_together_alternative_by_alternative() -> None:
    got = warnings(
        """      - {id: poland, level: warning, when: {field: target, eq: POL}, reason: r}
      - {id: lithuania, level: warning, when: {field: target, eq: LTU}, reason: r}
      - {id: both, level: warning, when: {all: [{field: target, in: [POL, LTU]}, {field: actor, eq: RUS}]}, reason: r}
"""
    )
    assert got == [
        "r.yaml:11:14: field 'red_lines[0].clauses[2].id': clause 'both' never names a finding: every event it matches is also matched by clauses 'poland' (warning: defined before it) and 'lithuania' (warning: defined before it), which name the finding instead"
    ]


def test_a_later_or_lower_clause_shadows_nothing() -> None:
    assert (
        warnings(
            """      - {id: drones, level: crossed, when: {field: kind, eq: drone_strike}, reason: r}
      - {id: any-military, level: crossed, when: {field: kind, in: MILITARY}, reason: r}
      - {id: poland, level: warning, when: {field: target, eq: POL}, reason: r}
"""
        )
        == []
    )


def test_regression_a_shadowed_clause_really_never_names_a_finding() -> None:
    """What the warning says, the evaluator does."""
    rs = parse_rules(
        HEAD
        + """      - {id: any-military, level: crossed, when: {field: kind, in: MILITARY}, reason: r}
      - {id: drones, level: warning, when: {field: kind, eq: drone_strike}, reason: r}
""",
        "r.yaml",
    )
    assert rs.warnings
    events = [make_event(id=k, kind=k) for k in KINDS]
    assert {f.clause for f in evaluate(events, rs).red_line("X").findings} == {"any-military"}


def test_a_pattern_whose_selection_never_holds() -> None:
    got = warnings(
        "      - {id: a, level: warning, when: {field: kind, eq: threat}, reason: r}\n",
        """    patterns:
      - {id: p, select: {when: {all: [{field: kind, eq: threat}, {field: kind, eq: sabotage}]}}, count: 2, within: 1d, reason: r}
      - {id: q, select: {level: crossed}, count: 2, within: 1d, reason: r}
      - {id: s, select: {level: warning, when: {field: kind, eq: sabotage}}, count: 2, within: 1d, reason: r}
      - {id: ok, select: {level: any}, count: 2, within: 1d, reason: r}
""",
    )
    assert got == [
        "r.yaml:11:25: field 'red_lines[0].patterns[0].select': pattern 'p' can never select an event: its tests on 'kind' exclude each other",
        "r.yaml:12:25: field 'red_lines[0].patterns[1].select': pattern 'q' can never select an event: no clause of red line 'X' at level 'crossed' can match the events it selects",
        "r.yaml:13:25: field 'red_lines[0].patterns[2].select': pattern 's' can never select an event: no clause of red line 'X' at level 'warning' can match the events it selects",
    ]


def test_warnings_have_their_severity_and_no_positions_without_a_document() -> None:
    rs = parse_rules(
        HEAD + "      - {id: a, level: warning, when: {field: target, in: []}, reason: r}\n",
        "r.yaml",
    )
    (w,) = rs.warnings
    assert w.severity == "warning" and w.line == 9
    (again,) = lint(rs)
    assert again.line is None and again.message == w.message and again.file == "r.yaml"


# -- soundness: against brute force over every event of a small world -----------------------

DOMAINS: dict[str, list[Any]] = {
    "kind": ["threat", "sabotage", "drone_strike", "air_strike"],
    "fatalities": [0, 1, 2, 3, 5],
    "on_behalf_of": ["RUS", "BLR", "POL"],
}
#: Every value a field may take in the small world (absent: None) that tests can tell apart:
#: the domain, and one value of the real vocabulary that no test names.
WORLD: dict[str, list[Any]] = {
    "kind": [*DOMAINS["kind"], "other"],
    "fatalities": [None, *DOMAINS["fatalities"], 4, 9],
    "on_behalf_of": [None, *DOMAINS["on_behalf_of"], "USA"],
}


def holds(test: Check, event: dict[str, Any]) -> bool:
    actual = event[test.field]
    if test.op == "exists":
        return (actual is not None) == bool(test.value)
    return actual is not None and OPERATORS[test.op].holds(actual, test.value)


@st.composite
def field_tests(draw: st.DrawFn) -> Check:
    field = draw(st.sampled_from(sorted(DOMAINS)))
    ops = ["eq", "ne", "in", "not_in", "exists"]
    if field == "fatalities":
        ops += ["gt", "ge", "lt", "le"]
    op = draw(st.sampled_from(ops))
    if op == "exists":
        return Check(field, op, draw(st.booleans()))
    if op in ("in", "not_in"):
        members = draw(st.lists(st.sampled_from(DOMAINS[field]), max_size=3, unique=True))
        return Check(field, op, tuple(sorted(members)))
    return Check(field, op, draw(st.sampled_from(DOMAINS[field])))


def world() -> list[dict[str, Any]]:
    names = sorted(WORLD)
    combos = itertools.product(*(WORLD[n] for n in names))
    return [dict(zip(names, values, strict=True)) for values in combos]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(field_tests(), min_size=1, max_size=4),
    st.lists(field_tests(), min_size=1, max_size=3),
)
def test_satisfiable_and_implies_are_sound(a: list[Check], b: list[Check]) -> None:
    events = world()
    passing = [e for e in events if all(holds(t, e) for t in a)]
    if not satisfiable(a):
        assert passing == [], (a, passing[:1])
        return
    if implies(a, b):
        assert all(all(holds(t, e) for t in b) for e in passing), (a, b)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(field_tests(), min_size=1, max_size=3),
    st.lists(st.lists(field_tests(), min_size=1, max_size=2), min_size=1, max_size=3),
)
def test_shadowing_by_several_clauses_is_sound(a: list[Check], others: list[list[Check]]) -> None:
    from redlines.rules.lint import _covered

    candidates = [(k, tuple(o)) for k, o in enumerate(others) if satisfiable(o)]
    if not satisfiable(a) or not _covered(tuple(a), candidates, {}, 256):
        return
    for event in world():
        if all(holds(t, event) for t in a):
            assert any(all(holds(t, event) for t in o) for _, o in candidates), (a, others, event)
