"""Conditions in normal form: which branches an event could satisfy."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from redlines import Event, parse_rules
from redlines.matching import event_fact
from redlines.matching.reference import test_holds as holds
from redlines.rules.normal import alternatives, feasible
from redlines.rules.resolved import All, AnyOf, Not
from redlines.rules.resolved import Test as Check

from ..matching.test_agreement import events, field_tests


def resolved(tests: list[dict[str, object]]) -> tuple[Check, ...]:
    """Field tests as written in a rule file, resolved by the loader (countries, times, sets)."""
    clause = {"id": "c", "level": "warning", "when": {"all": tests}, "reason": "r"}
    doc = {
        "schema": "redlines/rules/v1",
        "name": "n",
        "version": "1",
        "title": "t",
        "red_lines": [{"id": "X", "title": "x", "clauses": [clause]}],
    }
    cond = parse_rules(json.dumps(doc), "<t>").red_lines[0].clauses[0].condition
    assert isinstance(cond, All) and all(isinstance(t, Check) for t in cond.items)
    return tuple(t for t in cond.items if isinstance(t, Check))


@settings(max_examples=400, deadline=None)
@given(tests=st.lists(field_tests(), min_size=1, max_size=4), event=events())
def test_feasible_is_never_false_for_a_branch_an_event_satisfies(
    tests: list[dict[str, object]], event: Event
) -> None:
    """Soundness: a branch is called infeasible only when no event can satisfy it."""
    branch = resolved(tests)
    if all(holds(t, event_fact(event, 1)) for t in branch):
        assert feasible(branch), branch


def test_contradictions_are_infeasible() -> None:
    contradictions = [
        (Check("on_behalf_of", "exists", False), Check("on_behalf_of", "eq", "RUS")),
        (Check("kind", "eq", "threat"), Check("kind", "in", ("drone_strike", "sabotage"))),
        (Check("actor", "eq", "RUS"), Check("actor", "ne", "RUS")),
        (Check("intent", "not_in", ("deliberate", "stray", "accidental", "unknown")),),
        (Check("fatalities", "gt", 3), Check("fatalities", "lt", 4)),
        (Check("fatalities", "ge", 3), Check("fatalities", "le", 3), Check("fatalities", "ne", 3)),
        (Check("location.lat", "gt", 10.0), Check("location.lat", "le", 10.0)),
    ]
    for branch in contradictions:
        assert not feasible(branch), branch
    assert feasible((Check("fatalities", "gt", 3), Check("fatalities", "lt", 5)))
    assert feasible((Check("location.lat", "gt", 10.0), Check("location.lat", "lt", 10.5)))
    assert feasible((Check("actor", "ne", "RUS"), Check("actor", "not_in", ("UKR", "BLR"))))


def test_alternatives_keep_the_authors_tests_and_drop_impossible_branches() -> None:
    places = ("Kyiv Oblast", "St. Petersburg")
    cond = All(
        (
            Check("location.place", "in", places),
            Not(Check("on_behalf_of", "eq", "UKR")),
            AnyOf((Check("on_behalf_of", "exists", False), Check("target", "eq", "UKR"))),
        )
    )
    branches = alternatives(cond)
    assert all(Check("location.place", "in", places) in b for b in branches)
    assert len(branches) == 3  # absent+absent, ne UKR+target UKR, absent+target UKR
