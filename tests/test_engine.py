"""durable-rules, as redlines uses it: the behaviours the design relies on, checked."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from redlines import EngineError, Ruleset
from redlines.compile import CompiledRule, CompiledRuleset, compile_ruleset
from redlines.matching.durable import EngineRuleset
from redlines.matching.facts import event_fact
from redlines.rules.resolved import All

from .conftest import make_event


def _ruleset(name: str, rules: dict[str, dict[str, Any]]) -> CompiledRuleset:
    return CompiledRuleset(
        name, tuple(CompiledRule(n, "X", n, "clause", All(()), (d,)) for n, d in rules.items())
    )


def test_every_matching_rule_fires_for_one_fact() -> None:
    eng = EngineRuleset(
        _ruleset(
            "all",
            {
                "a": {"all": [{"m": {"kind": "x"}}]},
                "b": {"all": [{"m": {"kind": "x"}}]},
                "c": {"all": [{"m": {"kind": "y"}}]},
            },
        )
    )
    assert eng.match({"id": "f1", "kind": "x"}) == ["a", "b"]
    assert eng.match({"id": "f2", "kind": "z"}) == []  # MessageNotHandled is "no match"


def test_facts_do_not_accumulate(nato: Ruleset) -> None:
    eng = EngineRuleset(compile_ruleset(nato))
    fact = event_fact(make_event(), 1)
    first = eng.match(fact)
    assert eng.match(fact) == first  # retracted, so the same fact id can be asserted again


def test_neq_is_false_on_a_missing_field() -> None:
    eng = EngineRuleset(_ruleset("neq", {"n": {"all": [{"m": {"$neq": {"actor": "RUS"}}}]}}))
    assert eng.match({"id": "f1", "actor": "BLR"}) == ["n"]
    assert eng.match({"id": "f2"}) == []


def test_regex_membership_is_whole_string() -> None:
    eng = EngineRuleset(_ruleset("mt", {"m": {"all": [{"m": {"$mt": {"kind": "threat|other"}}}]}}))
    assert eng.match({"id": "f1", "kind": "threat"}) == ["m"]
    assert eng.match({"id": "f2", "kind": "threats"}) == []


def test_no_dispatcher_threads(nato: Ruleset) -> None:
    before = threading.active_count()
    for _ in range(3):
        EngineRuleset(compile_ruleset(nato)).match(event_fact(make_event(), 1))
    assert threading.active_count() == before


def test_rulesets_are_isolated(nato: Ruleset) -> None:
    a = EngineRuleset(compile_ruleset(nato))
    b = EngineRuleset(_ruleset("other", {"o": {"all": [{"m": {"kind": "drone_strike"}}]}}))
    assert a.name != b.name
    fact = event_fact(make_event(), 1)
    assert b.match(fact) == ["o"]
    assert "o" not in a.match(fact)


def test_action_failure_surfaces_as_engine_error() -> None:
    """durable swallows an exception raised in an action into the state; it must surface."""

    def explode(_closure: Any) -> None:
        raise RuntimeError("boom")

    class Exploding(EngineRuleset):
        def _action(self, rule_name: str) -> Any:
            return explode

    bad = Exploding(_ruleset("boom", {"b": {"all": [{"m": {"kind": "x"}}]}}))
    with pytest.raises(EngineError, match="boom"):
        bad.match({"id": "f1", "kind": "x"})


def test_posting_from_threads_loses_nothing(nato: Ruleset) -> None:
    eng = EngineRuleset(compile_ruleset(nato))
    fact = event_fact(make_event(intent="deliberate"), 1)
    expected = eng.match(fact)
    results: list[list[str]] = []

    def work(i: int) -> None:
        for j in range(25):
            results.append(eng.match({**fact, "id": f"t{i}-{j}"}))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 100 and all(r == expected for r in results)


def test_regression_rulesets_of_512_rules_or_more_are_sharded() -> None:
    """durable never returns from assert_fact on a ruleset of 512+ rules; redlines shards."""
    rules = {f"r{i}": {"all": [{"m": {"fatalities": i}}]} for i in range(600)}
    eng = EngineRuleset(_ruleset("big", rules))
    assert len(eng.shards) == 3
    assert eng.match({"id": "f1", "fatalities": 599}) == ["r599"]
    assert eng.match({"id": "f2", "fatalities": 3}) == ["r3"]
